"""The fidelity gate, held-out evaluation, preprocessing options and automatic keep-float, from the CLI.

A user's model here has one layer that INT8 ruins (a Linear whose rows each hold one huge weight:
per-channel INT8 then rounds every other weight of the row to zero). The gate must flag it, and the
automatic keep-float stage must find exactly that layer and keep it in float.
"""

from __future__ import annotations

import json
import sys
import textwrap

import numpy as np
import pytest

from mobilekit.cli.main import main

GATE_MODELS = textwrap.dedent(
    '''
    import torch

    class Fragile(torch.nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.fc1 = torch.nn.Linear(8, 32)
            self.fc2 = torch.nn.Linear(32, 10)
            with torch.no_grad():
                self.fc1.weight[:, 0] = 400.0        # one huge weight per row...
                self.fc1.weight[:, 1:] *= 3.0        # ...and the rest carry the signal
                self.fc1.bias.zero_()
                self.fc1.weight[:, 0] *= 0.0 + 1.0

        def forward(self, image):
            x = torch.relu(self.conv(image)).mean(dim=(2, 3))
            x = torch.cat([torch.zeros_like(x[:, :1]), x[:, 1:]], dim=1)  # the huge weight sees a zero input
            return self.fc2(torch.relu(self.fc1(x)))

    def fragile():
        return Fragile()
    '''
)

COMMON = ["gatemodels:fragile", "--example-input", "1x3x16x16:float32", "--targets", "xnnpack", "--iterations", "2",
          "--calibration-samples", "40"]


@pytest.fixture()
def gate_models(module_in_cwd, tmp_path):
    module_in_cwd("gatemodels", GATE_MODELS)
    rng = np.random.default_rng(0)
    np.save(tmp_path / "calib.npy", rng.standard_normal((60, 3, 16, 16)).astype(np.float32))
    np.savez(tmp_path / "held.npz", inputs=rng.standard_normal((24, 3, 16, 16)).astype(np.float32),
             labels=rng.integers(0, 10, 24))
    return tmp_path


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _artifact(root, precision: str) -> dict:
    doc = json.loads((root / "out/fragile/manifest.json").read_text())
    return next(a for a in doc["artifacts"] if a["precision"] == precision)


def test_plain_int8_below_the_floor_is_low_fidelity_and_exits_1(gate_models, capsys):
    code, out, _ = run(capsys, "export", *COMMON, "--calibration", "calib.npy", "--keep-float", "none", "--out", "out")
    assert code == 1
    int8 = _artifact(gate_models, "int8")
    assert int8["validation"]["status"] == "low_fidelity"
    assert "low fidelity: SQNR" in int8["validation"]["reason"] and "--keep-float auto" in int8["validation"]["reason"]
    assert _artifact(gate_models, "fp32")["validation"]["status"] == "ok"
    assert "LOW FIDELITY" in out and "NOT good enough to ship" in out
    report = (gate_models / "out/fragile/report.html").read_text()
    assert "low_fidelity (not good enough to ship)" in report and "Fidelity floor" in report
    # With one data source, a quarter of it was held out for validation, and the bundle says so.
    validation = json.loads((gate_models / "out/fragile/validation.json").read_text())
    assert "held out of the calibration data" in validation["eval"]["description"]
    assert validation["eval"]["samples"] == 10 and int8["quantization"]["calibration"]["samples"] == 30


def test_auto_keep_float_finds_the_fragile_layer(gate_models, capsys):
    code, out, _ = run(capsys, "export", *COMMON, "--calibration", "calib.npy", "--eval", "held.npz", "--out", "out")
    int8 = _artifact(gate_models, "int8")
    mixed = int8["quantization"]["mixed_precision"]
    assert mixed["keep_float"][0] == "fc1" and int8["quantization"]["keep_float"] == mixed["keep_float"]
    assert mixed["steps"][0]["keep_float"] == [] and mixed["steps"][-1]["sqnr_db"] > mixed["steps"][0]["sqnr_db"]
    assert int8["validation"]["status"] == "ok" and code == 0, out
    assert "kept 1 layer(s) in float automatically" in out
    validation = json.loads((gate_models / "out/fragile/validation.json").read_text())
    assert validation["eval"]["samples"] == 24 and "held.npz" in validation["eval"]["description"]
    assert validation["keep_float_auto"]["ranking"][0]["name"] == "fc1"
    assert int8["validation"]["accuracy"] is not None  # labels from the .npz
    assert "Mixed precision (automatic)" in (gate_models / "out/fragile/report.html").read_text()


def test_custom_floor_and_accuracy_budget_apply(gate_models, capsys):
    code, _, _ = run(capsys, "export", *COMMON, "--calibration", "calib.npy", "--eval", "held.npz", "--quant", "fp32",
                     "--min-sqnr", "200", "--out", "out")
    assert code == 1 and _artifact(gate_models, "fp32")["validation"]["status"] == "low_fidelity"
    assert "200 dB floor" in _artifact(gate_models, "fp32")["validation"]["reason"]


def test_eval_image_folder_with_class_subfolders_gives_accuracy(gate_models, capsys):
    from PIL import Image

    rng = np.random.default_rng(1)
    for label in ("3", "7"):
        (gate_models / "held" / label).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(rng.integers(0, 255, (20, 24, 3), dtype=np.uint8)).save(gate_models / "held" / label / f"{i}.png")
    code, out, _ = run(capsys, "export", *COMMON, "--quant", "fp32", "--eval", "held", "--preprocess", "imagenet",
                       "--out", "out")
    assert code == 0, out
    fp32 = _artifact(gate_models, "fp32")
    assert fp32["validation"]["samples"] == 6 and fp32["validation"]["accuracy"] is not None
    doc = json.loads((gate_models / "out/fragile/manifest.json").read_text())
    prep = doc["inputs"][0]["preprocess"]
    assert prep["keep_aspect"] is True and prep["crop"] == [16, 16] and prep["resize"] == [18, 18]
    assert prep["mean"] == [0.485, 0.456, 0.406]


def test_preprocess_options_override_and_mistakes_are_usage_errors(gate_models, capsys):
    code, _, _ = run(capsys, "export", *COMMON, "--quant", "fp32", "--calibration", "calib.npy", "--preprocess", "symmetric",
                     "--resize", "16x16", "--color", "BGR", "--out", "out")
    prep = json.loads((gate_models / "out/fragile/manifest.json").read_text())["inputs"][0]["preprocess"]
    assert code == 0 and prep["color"] == "BGR" and prep["mean"] == [0.5, 0.5, 0.5] and prep["keep_aspect"] is False
    code, _, err = run(capsys, "export", *COMMON, "--quant", "fp32", "--crop", "12x12", "--out", "out2")
    assert code == 2 and "set --crop 16x16" in err and "Traceback" not in err
    code, _, err = run(capsys, "export", *COMMON, "--quant", "fp32", "--resize", "big", "--out", "out3")
    assert code == 2 and "HEIGHTxWIDTH" in err
    code, _, err = run(capsys, "export", "digits", "--preprocess", "imagenet", "--out", "out4")
    assert code == 2 and "ships its own preprocessing" in err
    code, _, err = run(capsys, "export", *COMMON, "--keep-float", "auto", "--keep-float", "fc1", "--out", "out5")
    assert code == 2 and "either auto, none, or layer names" in err


def test_keep_aspect_covers_then_crops():
    from PIL import Image

    from mobilekit.export.spec import ImagePreprocess

    img = Image.new("RGB", (400, 200))
    img.paste((255, 0, 0), (0, 0, 100, 200))  # a red band on the left quarter, cropped away by a centre crop
    prep = ImagePreprocess(color="RGB", resize=(100, 100), keep_aspect=True, scale=1 / 255, mean=(0.0,), std=(1.0,))
    arr = prep.apply(img)
    assert arr.shape == (3, 100, 100) and float(arr[0, :, 2:].max()) < 0.05  # scaled to 200x100, the centre kept
    squash = ImagePreprocess(color="RGB", resize=(100, 100), scale=1 / 255, mean=(0.0,), std=(1.0,)).apply(img)
    assert float(squash[0, :, :10].mean()) > 0.9  # stretching keeps the band


def test_analyze_ranks_the_fragile_layer_first(gate_models, capsys):
    code, out, _ = run(capsys, "analyze", "gatemodels:fragile", "--example-input", "1x3x16x16:float32",
                       "--calibration", "calib.npy", "--eval", "held.npz", "--json", "--out", "an")
    assert code == 0
    doc = json.loads(out)
    assert doc["layers"][0]["name"] == "fc1" and {layer["name"] for layer in doc["layers"]} == {"conv", "fc1", "fc2"}
    assert doc["layers"][0]["weight_sqnr_db"] < doc["layers"][0]["activation_sqnr_db"]
    assert (gate_models / "an/analysis.html").exists() and "fc1" in (gate_models / "an/analysis.html").read_text()
    code, out, _ = run(capsys, "analyze", "gatemodels:fragile", "--example-input", "1x3x16x16:float32",
                       "--calibration", "calib.npy")
    assert code == 0 and "--keep-float fc1" in out


def test_calibration_method_auto_compares_and_keeps_the_best(gate_models, capsys):
    code, out, _ = run(capsys, "export", *COMMON, "--calibration", "calib.npy", "--eval", "held.npz",
                       "--calibration-method", "auto", "--out", "out")
    choice = _artifact(gate_models, "int8")["quantization"]["calibration_choice"]
    assert len(choice["candidates"]) == 6
    best = max(choice["candidates"], key=lambda c: c["sqnr_db"])
    assert (choice["observer"], choice["bias_correction"]) == (best["observer"], best["bias_correction"])
    assert "calibration methods compared on tuning data" in out and "percentile" in out


def test_bias_correction_removes_the_mean_shift_of_int8_weights():
    import torch

    from mobilekit.export.quant.recovery import bias_correction
    from mobilekit.export.quant.sensitivity import fake_quant_weight

    from target_helpers import loaded

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.Flatten(), torch.nn.Linear(8 * 26 * 26, 10))
    with torch.no_grad():
        net[0].weight.add_(0.02)  # a biased weight distribution: rounding shifts every output channel's mean
    model = loaded(net)
    data = [(torch.rand(1, 1, 28, 28),) for _ in range(16)]
    corrected, n = bias_correction(model, data)
    assert n == 2

    def mean_shift(module):
        layer = module[0]
        with torch.no_grad():
            ref = torch.cat([layer(s[0]) for s in data]).mean(dim=(0, 2, 3))
            w = layer.weight.data.clone()
            layer.weight.data = fake_quant_weight(w)
            got = torch.cat([layer(s[0]) for s in data]).mean(dim=(0, 2, 3))
            layer.weight.data = w
        return got, ref

    got_c, _ = mean_shift(corrected)
    _, ref_o = mean_shift(net)
    got_o, _ = mean_shift(net)
    assert (got_c - ref_o).abs().max() < 0.2 * (got_o - ref_o).abs().max()


def test_qat_with_your_own_training_loop(gate_models, capsys):
    (gate_models / "myloop.py").write_text(textwrap.dedent(
        '''
        import torch
        CALLS = []

        def finetune(model):
            # a user's loop: a few steps on their own data (here: random pictures, labels from argmax)
            opt = torch.optim.SGD(model.parameters(), lr=1e-4)
            g = torch.Generator().manual_seed(0)
            for _ in range(5):
                x = torch.randn(4, 3, 16, 16, generator=g)
                loss = model(x).square().mean() * 1e-3
                opt.zero_grad(); loss.backward(); opt.step()
            CALLS.append(type(model).__name__)
        '''
    ))
    sys.modules.pop("myloop", None)
    code, out, err = run(capsys, "export", *COMMON, "--calibration", "calib.npy", "--quant", "int8",
                         "--qat", "myloop:finetune", "--out", "out")
    import myloop

    assert myloop.CALLS == ["GraphModule"], (out, err)
    int8 = _artifact(gate_models, "int8")
    assert int8["quantization"]["mode"] == "qat" and int8["quantization"]["qat"]["train"] == "myloop:finetune"
    code, _, err = run(capsys, "export", *COMMON, "--calibration", "calib.npy", "--qat", "myloop:nothing", "--out", "out2")
    assert "has no function 'nothing'" in (err + _)
    code, _, err = run(capsys, "export", *COMMON, "--qat", "sgd", "--out", "out3")
    assert code == 2 and "--qat takes 'distill' or module:function" in err


def test_adaround_puts_weights_on_the_grid_and_beats_nearest_rounding():
    import copy

    import torch

    from mobilekit.export.quant.recovery import adaround
    from mobilekit.export.quant.sensitivity import fake_quant_weight
    from mobilekit.export.validate import sqnr_db

    from target_helpers import loaded

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.ReLU(), torch.nn.Conv2d(8, 4, 3),
                              torch.nn.Flatten(), torch.nn.Linear(4 * 24 * 24, 10))
    model = loaded(net)
    calib = [(torch.rand(1, 1, 28, 28),) for _ in range(16)]
    held = [(torch.rand(1, 1, 28, 28),) for _ in range(16)]
    rounded, n = adaround(model, calib, steps=150)
    assert n == 3
    for layer in (rounded[0], rounded[2], rounded[4]):
        assert torch.equal(fake_quant_weight(layer.weight.data), layer.weight.data)  # exactly on the INT8 grid
    nearest = copy.deepcopy(net)
    for i in (0, 2, 4):
        nearest[i].weight.data = fake_quant_weight(nearest[i].weight.data)
    with torch.no_grad():
        ref = torch.cat([net(*s) for s in held]).numpy()
        ada = torch.cat([rounded(*s) for s in held]).numpy()
        rtn = torch.cat([nearest(*s) for s in held]).numpy()
    assert sqnr_db(ref, ada) > sqnr_db(ref, rtn)
