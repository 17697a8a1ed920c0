"""INT8 on a real network someone else trained: EfficientNet-Lite0 with its published ImageNet weights.

One export with default options (shared by every test here, ~5 minutes on two cores) must give, on
held-out real photographs through the manifest's preprocess, XNNPACK and ONNX Runtime INT8 artifacts
within the fidelity floor at under a third of the FP32 .pte's size. Also: the digits model keeps its
accuracy under every recipe.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from mobilekit.cli.main import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lite0(tmp_path_factory):
    """``mobilekit export efficientnet_lite0 --targets xnnpack,onnx`` with default options, once."""
    out = tmp_path_factory.mktemp("lite0")
    code = main(["export", "efficientnet_lite0", "--targets", "xnnpack,onnx", "--out", str(out), "--iterations", "5"])
    bundle = out / "efficientnet_lite0"
    return code, bundle, json.loads((bundle / "manifest.json").read_text())


def _art(doc, target, precision):
    return next(a for a in doc["artifacts"] if a["target"] == target and a["precision"] == precision)


def test_default_export_meets_the_floor_at_a_third_of_the_size(lite0):
    code, bundle, doc = lite0
    assert code == 0, [(a["file"], a["validation"]) for a in doc["artifacts"]]
    fp32 = _art(doc, "xnnpack", "fp32")
    assert fp32["validation"]["sqnr_db"] > 60  # the FP32 .pte is the eager model
    for target in ("xnnpack", "onnx"):
        int8 = _art(doc, target, "int8")
        v = int8["validation"]
        assert v["status"] == "ok", v
        assert v["top1_agreement"] >= 0.90 and v["sqnr_db"] >= 20.0, (target, v)
        assert int8["bytes"] <= 0.32 * fp32["bytes"], (target, int8["bytes"] / fp32["bytes"])
        assert v["samples"] == 120
    validation = json.loads((bundle / "validation.json").read_text())
    assert "held-out crops" in validation["eval"]["description"] and "chelsea" in validation["eval"]["description"]
    # Plain INT8 missed the floor, so layers were kept in float automatically, the stem first.
    mixed = _art(doc, "xnnpack", "int8")["quantization"]["mixed_precision"]
    assert mixed["keep_float"][0] in ("_conv_stem", "_blocks.0._depthwise_conv")
    assert mixed["steps"][0]["keep_float"] == [] and mixed["met_floor_on_tuning_data"]


def test_int8_pte_is_fully_delegated_with_relu6_fused(lite0):
    _, _, doc = lite0
    deleg = _art(doc, "xnnpack", "int8")["delegation"]
    from mobilekit.export.targets.delegation import HARMLESS

    compute = {op: n for op, n in deleg["non_delegated_ops"].items() if op not in HARMLESS}
    assert compute == {}, compute
    assert "low fidelity" not in json.dumps(_art(doc, "xnnpack", "int8")["validation"])


def test_bundle_carries_labels_and_the_imagenet_preprocess(lite0):
    _, bundle, doc = lite0
    labels = (bundle / "labels.txt").read_text().splitlines()
    assert len(labels) == 1000 and labels[281] == "tabby" and labels[0] == "tench"
    prep = doc["inputs"][0]["preprocess"]
    assert prep["color"] == "RGB" and prep["resize"] == [256, 256] and prep["keep_aspect"] and prep["crop"] == [224, 224]
    assert prep["mean"] == [0.485, 0.456, 0.406] and prep["std"] == [0.229, 0.224, 0.225]
    assert doc["source"]["trained"] is True and "74.9%" in doc["source"]["description"]
    assert all(a.get("runtime_version") for a in doc["artifacts"])


def test_a_real_photo_through_the_manifest_is_a_cat_in_int8(lite0):
    """What an app does: decode a photo, apply the manifest's preprocess, run the INT8 .pte, read labels.txt."""
    from PIL import Image
    from executorch.runtime import Runtime
    import skimage.data
    import torch

    from mobilekit.export.spec import ImagePreprocess

    _, bundle, doc = lite0
    prep = ImagePreprocess.from_json(doc["inputs"][0]["preprocess"])
    x = torch.from_numpy(prep.apply(Image.fromarray(skimage.data.chelsea()))[None])
    labels = (bundle / "labels.txt").read_text().splitlines()
    for precision in ("fp32", "int8"):
        method = Runtime.get().load_program(str(bundle / _art(doc, "xnnpack", precision)["file"])).load_method("forward")
        logits = method.execute([x])[0].numpy()[0]
        top5 = [labels[i] for i in np.argsort(-logits)[:5]]
        assert any(cat in top5[:2] for cat in ("tabby", "tiger cat", "Egyptian cat")), (precision, top5)


def test_analyze_ranks_the_stem_or_first_depthwise_in_the_top_three(capsys):
    code = main(["analyze", "efficientnet_lite0", "--samples", "12", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    top3 = [layer["name"] for layer in json.loads(out)["layers"][:3]]
    assert {"_conv_stem", "_blocks.0._depthwise_conv"} & set(top3), top3


RECIPES = {
    "static-histogram": [],
    "static-minmax": ["--observer", "minmax"],
    "per-tensor": ["--granularity", "per_tensor"],
    "keep-float-auto": ["--keep-float", "auto"],
    "qat-distill": ["--qat", "distill", "--qat-steps", "40"],
}


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_digits_keeps_its_accuracy_under_every_recipe(recipe, tmp_path):
    code = main(["export", "digits", "--targets", "xnnpack", "--quant", "int8", "--iterations", "2",
                 "--out", str(tmp_path), *RECIPES[recipe]])
    assert code == 0
    validation = json.loads((tmp_path / "digits_cnn" / "validation.json").read_text())
    eager = validation["eager_fp32"]["accuracy"]
    (int8,) = validation["artifacts"].values()
    assert (eager - int8["accuracy"]) * 100 <= 0.3, (recipe, eager, int8["accuracy"])
