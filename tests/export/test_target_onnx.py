"""ONNX Runtime target: QDQ INT8 / FP32 .onnx + .ort, host validation, errors."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
from torch import nn

from mobilekit.export.config import DynamicInt8Config, StaticInt8Config
from mobilekit.export.spec import InputSpec, LoadedModel, OutputSpec
from target_helpers import Wiggle, context, loaded
from mobilekit.export.validate import sqnr_db
from mobilekit.export.targets.base import MissingDependencyError, TargetError

pytest.importorskip("onnxruntime")
from mobilekit.export.targets.onnx import OnnxTarget  # noqa: E402


class Residual(nn.Module):
    """Conv-BN-ReLU, a residual add, pooling and a classifier: the shapes of a small mobile CNN."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv2, self.bn2 = nn.Conv2d(16, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, image):
        y = torch.relu(self.bn1(self.conv1(image)))
        y = y + torch.relu(self.bn2(self.conv2(y)))
        return self.fc(y.mean(dim=(2, 3)))


class WithCustomOp(Residual):
    def __init__(self) -> None:
        super().__init__()
        self.act = Wiggle()

    def forward(self, image):
        return self.fc(self.act(torch.relu(self.conv1(image))).mean(dim=(2, 3)))


@pytest.fixture()
def small(tmp_path):
    torch.manual_seed(0)
    model = loaded(Residual())
    with torch.no_grad():  # non-trivial BN statistics so folding matters
        for bn in (model.module.bn1, model.module.bn2):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
    return model, context(model, tmp_path)


def test_int8_artifact_ort_companions_names_and_fidelity(small):
    model, ctx = small
    target = OnnxTarget()
    artifact = target.build(ctx, "int8")
    assert artifact.path == ctx.bundle_dir / "small.ort.int8.onnx" and artifact.path.is_file()
    assert set(artifact.extra_files) == {"small.ort.int8.ort", "small.ort.int8.required_operators.config"}
    assert all((ctx.bundle_dir / f).is_file() for f in artifact.extra_files)
    assert artifact.quantization["mode"] == "static" and artifact.quantization["granularity"] == "per_channel"
    assert any("dynamo" in n for n in artifact.notes)
    assert any("x64quantprecision" in n for n in artifact.notes)
    notes = target.check_artifact(artifact, ctx)
    assert any("QuantizeLinear" in n for n in notes)
    assert any("small.ort.int8.ort loads in onnxruntime" in n for n in notes)
    run = target.host_runner(artifact)
    samples = ctx.calibration_samples()[:16]
    got = np.concatenate([run(s)[0] for s in samples])
    with torch.no_grad():
        ref = np.concatenate([model.module(*s).numpy() for s in samples])
    assert got.shape == (16, 10)
    assert sqnr_db(ref, got) > 25


def test_fp32_matches_eager(small):
    model, ctx = small
    target = OnnxTarget()
    artifact = target.build(ctx, "fp32")
    assert artifact.path.name == "small.ort.fp32.onnx" and artifact.quantization == {"mode": "none"}
    target.check_artifact(artifact, ctx)
    sample = ctx.calibration_samples()[0]
    with torch.no_grad():
        ref = model.module(*sample).numpy()
    np.testing.assert_allclose(target.host_runner(artifact)(sample)[0], ref, atol=1e-4)


def test_host_runner_sets_x64quantprecision(small, monkeypatch):
    import onnxruntime as ort

    model, ctx = small
    artifact = OnnxTarget().build(ctx, "fp32")
    entries = {}
    real = ort.SessionOptions

    class Recording(real):
        def add_session_config_entry(self, key, value):
            entries[key] = value
            return super().add_session_config_entry(key, value)

    monkeypatch.setattr(ort, "SessionOptions", Recording)
    OnnxTarget().host_runner(artifact)
    assert entries == {"session.x64quantprecision": "1"}


def test_dynamic_int8_quantizes_only_matmul_gemm_for_conv_models(small):
    import onnx

    model, _ = small
    ctx = context(model, small[1].bundle_dir, quant=DynamicInt8Config())
    artifact = OnnxTarget().build(ctx, "int8")
    ops = {n.op_type for n in onnx.load(str(artifact.path)).graph.node}
    assert "MatMulInteger" in ops and "ConvInteger" not in ops and "Conv" in ops
    assert artifact.quantization["mode"] == "dynamic"


def test_keep_float_excludes_the_layer(small):
    import onnx

    model, _ = small
    ctx = context(model, small[1].bundle_dir, quant=StaticInt8Config(keep_float=("fc",)))
    artifact = OnnxTarget().build(ctx, "int8")
    graph = onnx.load(str(artifact.path)).graph
    producers = {o: n.op_type for n in graph.node for o in n.output}
    gemm = next(n for n in graph.node if n.op_type == "Gemm")
    assert all(producers.get(i) != "DequantizeLinear" for i in gemm.input)
    conv = next(n for n in graph.node if n.op_type == "Conv")
    assert producers[conv.input[1]] == "DequantizeLinear"
    assert artifact.quantization["keep_float"] == ["fc"]


def test_keep_float_unknown_name_is_an_error(small):
    model, _ = small
    ctx = context(model, small[1].bundle_dir, quant=StaticInt8Config(keep_float=("nope",)))
    with pytest.raises(TargetError, match=r"--keep-float 'nope' matches no node"):
        OnnxTarget().build(ctx, "int8")


def test_unconvertible_op_names_op_layer_and_target(tmp_path):
    model = loaded(WithCustomOp())
    ctx = context(model, tmp_path)
    with pytest.raises(TargetError, match=r"onnx target cannot convert op 'mk_test\.wiggle.*' in layer 'act'") as info:
        OnnxTarget().build(ctx, "int8")
    assert info.value.op.startswith("mk_test.wiggle") and info.value.layer == "act"
    assert "target_helpers.py" in info.value.message
    assert "--targets xnnpack" in info.value.hint


class DataDependent(nn.Module):
    """Python control flow on a tensor value: torch.export refuses it, the TorchScript exporter traces one branch."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 10)

    def forward(self, x):
        if x.sum().item() > 0:
            return self.fc(x * 2)
        return self.fc(x - 1)


def test_torchscript_exporter_fallback_is_recorded(tmp_path):
    model = LoadedModel(
        name="dd",
        module=DataDependent().eval(),
        example_inputs=(torch.ones(1, 4),),
        inputs=(InputSpec("x", "float32", (1, 4), "NC"),),
        outputs=(OutputSpec("logits", "float32", (1, 10)),),
        source={"model": "test", "torch": torch.__version__},
    )
    ctx = context(model, tmp_path, samples=[(torch.rand(1, 4),) for _ in range(8)])
    artifact = OnnxTarget().build(ctx, "fp32")
    assert any(n.startswith("Exported with the TorchScript ONNX exporter (dynamo exporter failed") for n in artifact.notes)
    assert any(n.startswith("Trace warning: Converting a tensor to a Python number") for n in artifact.notes)
    OnnxTarget().check_artifact(artifact, ctx)
    sample = (torch.rand(1, 4),)
    with torch.no_grad():
        ref = model.module(*sample).numpy()
    np.testing.assert_allclose(OnnxTarget().host_runner(artifact)(sample)[0], ref, atol=1e-5)


def test_dynamic_batch(small):
    model, ctx = small
    model.dynamic_batch = True
    target = OnnxTarget()
    artifact = target.build(ctx, "int8")
    target.check_artifact(artifact, ctx)  # batch dimension is symbolic (-1) in the graph
    batch = (torch.cat([s[0] for s in ctx.calibration_samples()[:4]]),)
    assert target.host_runner(artifact)(batch)[0].shape == (4, 10)


def test_missing_dependency(small, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    target = OnnxTarget()
    assert "onnxruntime" in target.unavailable_reason()
    with pytest.raises(MissingDependencyError, match=r"onnx target needs the Python package 'onnxruntime'"):
        target.build(small[1], "int8")


def test_unknown_precision(small):
    with pytest.raises(TargetError, match="cannot build precision 'w4'"):
        OnnxTarget().build(small[1], "w4")


def test_digits_int8_top1_agreement(tmp_path):
    from mobilekit.export.models import load_builtin

    model = load_builtin("digits")
    ctx = context(model, tmp_path, samples=model.calibration(128, 0))
    target = OnnxTarget()
    artifact = target.build(ctx, "int8")
    target.check_artifact(artifact, ctx)
    run = target.host_runner(artifact)
    samples = model.eval_set().samples
    with torch.no_grad():
        ref = np.concatenate([model.module(*s).numpy() for s in samples])
    got = np.concatenate([run(s)[0] for s in samples])
    agreement = float(np.mean(ref.argmax(1) == got.argmax(1)))
    print(f"onnx int8 digits: top-1 agreement {agreement:.4f}, SQNR {sqnr_db(ref, got):.1f} dB")
    assert agreement >= 0.98
