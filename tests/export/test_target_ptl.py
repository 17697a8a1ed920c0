"""Legacy PyTorch Mobile target: qnnpack INT8 .ptl, lite-interpreter host runs, engine hygiene, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.jit.mobile
from torch import nn

from mobilekit.export.config import DynamicInt8Config, StaticInt8Config
from target_helpers import Wiggle, context, loaded
from mobilekit.export.validate import sqnr_db
from mobilekit.export.targets.base import TargetError
from mobilekit.export.targets.ptl import PtlTarget, qnnpack_engine


class Residual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv2, self.bn2 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, image):
        y = torch.relu(self.bn1(self.conv1(image)))
        y = y + torch.relu(self.bn2(self.conv2(y)))  # residual add: FX handles it without FloatFunctional
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


class WithCustomOp(Residual):
    def __init__(self) -> None:
        super().__init__()
        self.act = Wiggle()

    def forward(self, image):
        y = self.act(torch.relu(self.conv1(image)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


@pytest.fixture()
def small(tmp_path):
    torch.manual_seed(0)
    model = loaded(Residual())
    return model, context(model, tmp_path)


def test_int8_ptl_loads_in_lite_interpreter_and_tracks_eager(small):
    model, ctx = small
    target = PtlTarget()
    before = torch.backends.quantized.engine
    artifact = target.build(ctx, "int8")
    assert torch.backends.quantized.engine == before
    assert artifact.path == ctx.bundle_dir / "small.qnnpack.int8.ptl" and artifact.path.is_file()
    assert artifact.legacy and artifact.runtime == "pytorch_mobile" and artifact.platforms == ("android",)
    assert any("FX graph-mode" in n for n in artifact.notes)
    assert any("optimize_for_mobile" in n for n in artifact.notes)
    notes = target.check_artifact(artifact, ctx)
    assert "quantized::add" in notes[0] and "quantized::conv2d" in notes[0]
    run = target.host_runner(artifact)
    samples = ctx.calibration_samples()[:16]
    got = np.concatenate([run(s)[0] for s in samples])
    assert torch.backends.quantized.engine == before
    with torch.no_grad():
        ref = np.concatenate([model.module(*s).numpy() for s in samples])
    assert got.shape == (16, 10)
    assert sqnr_db(ref, got) > 25


def test_fp32_ptl_matches_eager(small):
    model, ctx = small
    target = PtlTarget()
    artifact = target.build(ctx, "fp32")
    assert artifact.path.name == "small.qnnpack.fp32.ptl" and artifact.quantization == {"mode": "none"}
    sample = ctx.calibration_samples()[0]
    with torch.no_grad():
        ref = model.module(*sample).numpy()
    np.testing.assert_allclose(target.host_runner(artifact)(sample)[0], ref, atol=1e-4)


def test_engine_context_restores_previous_value_even_on_error():
    before = torch.backends.quantized.engine
    with pytest.raises(RuntimeError, match="boom"):
        with qnnpack_engine():
            assert torch.backends.quantized.engine == "qnnpack"
            raise RuntimeError("boom")
    assert torch.backends.quantized.engine == before


def test_keep_float_leaves_the_layer_in_float(small):
    model, ctx = small
    ctx = context(model, ctx.bundle_dir, quant=StaticInt8Config(keep_float=("fc",)))
    target = PtlTarget()
    artifact = target.build(ctx, "int8")
    ops = target.check_artifact(artifact, ctx)[0]
    assert "aten::linear" in ops and "quantized::linear" not in ops and "quantized::conv2d" in ops


def test_per_tensor_recipe(small):
    model, ctx = small
    ctx = context(model, ctx.bundle_dir, quant=StaticInt8Config(granularity="per_tensor", observer="minmax"))
    artifact = PtlTarget().build(ctx, "int8")
    assert artifact.quantization["granularity"] == "per_tensor" and artifact.quantization["calibration"]["observer"] == "minmax"
    sample = ctx.calibration_samples()[0]
    with torch.no_grad():
        ref = model.module(*sample).numpy()
    assert sqnr_db(ref, PtlTarget().host_runner(artifact)(sample)[0]) > 20


def test_keep_float_unknown_name_is_an_error(small):
    model, ctx = small
    ctx = context(model, ctx.bundle_dir, quant=StaticInt8Config(keep_float=("nope",)))
    with pytest.raises(TargetError, match=r"--keep-float 'nope' names no module"):
        PtlTarget().build(ctx, "int8")


def test_dynamic_recipe_is_refused(small):
    model, ctx = small
    ctx = context(model, ctx.bundle_dir, quant=DynamicInt8Config())
    with pytest.raises(TargetError, match="static INT8 only"):
        PtlTarget().build(ctx, "int8")


def test_custom_op_names_op_layer_and_target_and_restores_engine(tmp_path):
    ctx = context(loaded(WithCustomOp()), tmp_path)
    before = torch.backends.quantized.engine
    with pytest.raises(TargetError, match=r"ptl target cannot convert op 'mk_test::wiggle' in layer 'act'") as info:
        PtlTarget().build(ctx, "int8")
    assert "target_helpers.py" in info.value.message
    assert "--targets xnnpack" in info.value.hint
    assert torch.backends.quantized.engine == before
    assert not (tmp_path / "small.qnnpack.int8.ptl").exists()


def test_summary_says_legacy_and_recommends_executorch():
    target = PtlTarget()
    assert target.legacy
    assert "legacy" in target.summary.lower() and "ExecuTorch" in target.summary


def test_digits_int8_top1_agreement(tmp_path):
    from mobilekit.export.models import load_builtin

    model = load_builtin("digits")
    ctx = context(model, tmp_path, samples=model.calibration(128, 0))
    target = PtlTarget()
    artifact = target.build(ctx, "int8")
    assert "TorchScript via torch.jit.script." in artifact.notes  # not the trace fallback
    assert artifact.quantization["granularity"] == "per_channel"
    target.check_artifact(artifact, ctx)
    run = target.host_runner(artifact)
    samples = model.eval_set().samples
    with torch.no_grad():
        ref = np.concatenate([model.module(*s).numpy() for s in samples])
    got = np.concatenate([run(s)[0] for s in samples])
    agreement = float(np.mean(ref.argmax(1) == got.argmax(1)))
    print(f"ptl int8 digits: top-1 agreement {agreement:.4f}, SQNR {sqnr_db(ref, got):.1f} dB, {artifact.path.stat().st_size} B")
    assert agreement >= 0.98
