"""The built-in digits model end to end: accuracy budget, size budget, and the app's view of the bundle."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from mobilekit.export.spec import ImagePreprocess


def _art(result, precision):
    return next(a for a in result.manifest["artifacts"] if a["precision"] == precision)


def test_int8_accuracy_within_one_point_of_fp32(digits_bundle):
    fp32, int8 = _art(digits_bundle, "fp32"), _art(digits_bundle, "int8")
    acc32, acc8 = fp32["validation"]["accuracy"], int8["validation"]["accuracy"]
    assert acc32 >= 0.97
    assert acc32 - acc8 <= 0.01
    assert int8["validation"]["top1_agreement"] >= 0.98
    assert int8["validation"]["sqnr_db"] >= 25


def test_int8_pte_at_most_035_of_fp32(digits_bundle):
    assert _art(digits_bundle, "int8")["bytes"] <= 0.35 * _art(digits_bundle, "fp32")["bytes"]


def test_everything_is_delegated_to_xnnpack(digits_bundle):
    for precision in ("fp32", "int8"):
        d = _art(digits_bundle, precision)["delegation"]
        assert d["delegated_nodes"] > 0
        assert not {op for op in d["non_delegated_ops"] if op not in ("getitem", "alloc")}


def test_an_app_following_the_manifest_on_real_pictures_gets_the_same_accuracy(digits_bundle, tmp_path):
    """Do what the Android/iOS apps do: read the manifest, preprocess PNG digits, run the INT8 .pte."""
    from executorch.runtime import Runtime

    from mobilekit.export.models.digits import write_digit_images

    bundle = digits_bundle.bundle_dir
    doc = json.loads((bundle / "manifest.json").read_text())
    prep = ImagePreprocess.from_json(doc["inputs"][0]["preprocess"])
    int8 = _art(digits_bundle, "int8")
    method = Runtime.get().load_program(str(bundle / int8["file"])).load_method("forward")
    images = write_digit_images(tmp_path / "pngs")
    correct = 0
    for path, label in images:
        with Image.open(path) as img:
            x = torch.from_numpy(prep.apply(img))[None]
        correct += int(method.execute([x])[0].argmax()) == label
    accuracy = correct / len(images)
    assert len(images) == digits_bundle.validation["eval"]["samples"]
    assert accuracy == pytest.approx(int8["validation"]["accuracy"], abs=1e-9)


def test_report_shows_the_table_and_plots(digits_bundle):
    html = (digits_bundle.bundle_dir / "report.html").read_text()
    assert "digits_cnn.xnnpack.int8.pte" in html and "<svg" in html and "not on a phone" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # self-contained


def test_sample_travels_with_the_bundle(digits_bundle):
    bundle = digits_bundle.bundle_dir
    doc = json.loads((bundle / "manifest.json").read_text())
    x = np.frombuffer((bundle / doc["sample"]["input"]).read_bytes(), dtype="<f4").reshape(doc["inputs"][0]["shape"])
    assert x.shape == (1, 1, 28, 28)
    y = np.frombuffer((bundle / doc["sample"]["expected_output"]).read_bytes(), dtype="<f4")
    assert int(y.argmax()) == doc["sample"]["expected_top1"]
