"""The contract: every bundle the tool writes validates against schemas/manifest.schema.json."""

from __future__ import annotations

import json
import shutil

import pytest

from mobilekit import schemas
from mobilekit.export import manifest as manifest_io
from mobilekit.export.bundle_check import check_bundle


def test_written_manifest_validates(digits_bundle):
    doc = json.loads((digits_bundle.bundle_dir / "manifest.json").read_text())
    assert schemas.errors(doc, schemas.MANIFEST) == []
    assert doc["schema"] == "mobilekit.manifest/1"
    assert {a["file"] for a in doc["artifacts"]} == {"digits_cnn.xnnpack.fp32.pte", "digits_cnn.xnnpack.int8.pte"}
    assert doc["inputs"][0]["preprocess"]["kind"] == "image"
    assert doc["sample"]["expected_top1"] is not None
    assert (digits_bundle.bundle_dir / "labels.txt").read_text().split() == [str(i) for i in range(10)]


def test_schema_rejects_what_it_should(digits_bundle):
    doc = json.loads((digits_bundle.bundle_dir / "manifest.json").read_text())
    bad = json.loads(json.dumps(doc))
    bad["artifacts"][0]["file"] = "../../etc/passwd"
    bad["artifacts"][0]["sha256"] = "xyz"
    bad["surprise"] = 1
    problems = "\n".join(schemas.errors(bad, schemas.MANIFEST))
    assert "artifacts/0/file" in problems and "artifacts/0/sha256" in problems and "surprise" in problems


def test_read_manifest_names_a_corrupt_file(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(manifest_io.BundleError, match="manifest.json is corrupt"):
        manifest_io.read_manifest(tmp_path)
    with pytest.raises(manifest_io.BundleError, match="is .* a mobilekit bundle"):
        manifest_io.read_manifest(tmp_path / "nothing-here")


def test_check_bundle_runs_the_sample_and_catches_tampering(digits_bundle, tmp_path):
    doc, checks = check_bundle(digits_bundle.bundle_dir)
    assert [c.status for c in checks] == ["ok", "ok"]
    assert all(c.top1 == doc["sample"]["expected_top1"] for c in checks)
    copy = tmp_path / "copy"
    shutil.copytree(digits_bundle.bundle_dir, copy)
    victim = copy / "digits_cnn.xnnpack.int8.pte"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    _, checks = check_bundle(copy)
    bad = [c for c in checks if c.status == "failed"]
    assert len(bad) == 1 and "digits_cnn.xnnpack.int8.pte" in bad[0].detail and "sha256" in bad[0].detail


def test_sha256_of_a_directory_is_stable(tmp_path):
    d = tmp_path / "m.mlpackage"
    (d / "Data").mkdir(parents=True)
    (d / "Data" / "w.bin").write_bytes(b"abc")
    (d / "Manifest.json").write_text("{}")
    first = manifest_io.sha256_path(d)
    assert first == manifest_io.sha256_path(d) and len(first) == 64
    (d / "Data" / "w.bin").write_bytes(b"abd")
    assert manifest_io.sha256_path(d) != first


def test_fidelity_floor_is_called_out_in_words(tmp_path):
    from mobilekit.export.config import FidelityFloor
    from mobilekit.export.targets.base import Artifact
    from mobilekit.export.validate import below_floor, low_fidelity_reason

    floor = FidelityFloor()
    assert below_floor({"sqnr_db": 39.8, "top1_agreement": 1.0}, floor) == []
    assert below_floor({"sqnr_db": 20.0, "top1_agreement": 0.90}, floor) == []  # the floor itself passes
    misses = below_floor({"sqnr_db": -2.1, "top1_agreement": 0.0}, floor)
    assert any("SQNR -2.1 dB" in m and "20 dB floor" in m for m in misses)
    assert any("0.0% of the held-out samples" in m and "90% floor" in m for m in misses)
    # An accuracy budget applies only where labels gave an accuracy.
    budget = FidelityFloor(accuracy_budget=0.3)
    assert below_floor({"sqnr_db": 40, "top1_agreement": 1.0, "accuracy": 0.99}, budget, eager_accuracy=0.995) == ["accuracy drops 0.50 points from FP32 (99.50% -> 99.00%), over the 0.3-point budget"]
    assert below_floor({"sqnr_db": 40, "top1_agreement": 1.0, "accuracy": None}, budget, eager_accuracy=0.995) == []
    int8 = Artifact(path=tmp_path / "m.xnnpack.int8.pte", target="xnnpack", runtime="executorch", backend="xnnpack",
                    precision="int8", platforms=("android",))
    reason = low_fidelity_reason(misses, int8)
    assert reason.startswith("low fidelity: SQNR") and "--keep-float auto" in reason and "mobilekit analyze" in reason


def test_check_bundle_names_a_missing_sample_file(digits_bundle, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(digits_bundle.bundle_dir, copy)
    (copy / "sample_input.bin").unlink()
    with pytest.raises(manifest_io.BundleError, match="sample_input.bin is missing"):
        check_bundle(copy)
