"""`mobilekit demo`, the README's main job: every target, then a benchmark on a simulated phone."""

from __future__ import annotations

import json

import pytest

from mobilekit import schemas
from mobilekit.cli.main import main


@pytest.mark.slow
def test_demo_exports_every_target_and_benches_on_a_simulated_phone(tmp_path, capsys):
    code = main(["demo", "--out", str(tmp_path), "--iterations", "300", "--json"])
    out = capsys.readouterr().out
    assert code == 0, out[-2000:]
    doc = json.loads(out)
    manifest = doc["manifest"]
    assert schemas.errors(manifest, schemas.MANIFEST) == []
    files = {a["file"] for a in manifest["artifacts"]}
    for expected in ("digits_cnn.xnnpack.fp32.pte", "digits_cnn.xnnpack.int8.pte", "digits_cnn.ort.int8.onnx",
                     "digits_cnn.qnnpack.int8.ptl", "digits_cnn.coreml.fp16.mlpackage", "digits_cnn.coreml.w8.mlpackage",
                     "digits_cnn.coreml.w8a8.mlpackage"):
        assert expected in files
    assert manifest["failures"] == []
    for a in manifest["artifacts"]:
        v = a["validation"]
        if v["status"] == "ok":
            assert v["top1_agreement"] >= 0.98, a["file"]
        else:
            assert v["status"] == "skipped" and v["reason"], a["file"]  # Core ML needs macOS; said so
    bench = doc["bench"]
    assert bench["simulated"] is True and bench["failed"] == 0 and bench["ok"] == bench["total"] > 0
    report = (tmp_path / "digits_cnn" / "bench-report.html").read_text()
    assert "simulated" in report.lower()
    assert (tmp_path / "digits_cnn" / "report.html").exists() and (tmp_path / "runs.db").exists()
