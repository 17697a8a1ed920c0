"""Core ML targets: .mlpackage spec read back (names, shapes, input type, weight dtypes, size), errors, delegate."""

from __future__ import annotations

import importlib.util
import platform

import pytest
import torch
from torch import nn

from mobilekit.export.config import DynamicInt8Config
from mobilekit.export.spec import ImagePreprocess, LoadedModel
from target_helpers import context as shared_context
from target_helpers import Wiggle, loaded
from mobilekit.export.targets.base import BuildContext, MissingDependencyError, SkipValidation, TargetError

pytest.importorskip("coremltools")
from mobilekit.export.targets.coreml import (  # noqa: E402
    CoreMLDelegateTarget,
    CoreMLTarget,
    mil_histograms,
)

ON_MAC = platform.system() == "Darwin"


class Net(nn.Module):
    """~120k weights, functional max_pool2d(x, 2) (the call coremltools 9 needs default args filled for)."""

    def __init__(self, channels: int = 1) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(channels, 32, 3, padding=1), nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, 32)
        self.head = nn.Linear(32, 10)

    def forward(self, image):
        x = nn.functional.max_pool2d(torch.relu(self.bn1(self.conv1(image))), 2)
        x = nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.head(torch.relu(self.fc(torch.flatten(x, 1))))


class WithCustomOp(Net):
    def __init__(self) -> None:
        super().__init__()
        self.act = Wiggle()

    def forward(self, image):
        x = self.act(torch.relu(self.conv1(image)))
        return self.head(x.mean(dim=(2, 3))[:, :32])


def context(model: LoadedModel, tmp_path, samples=None, **config) -> BuildContext:
    return shared_context(model, tmp_path, samples, count=16, **config)


def spec_of(path):
    import coremltools as ct

    return ct.models.MLModel(str(path), skip_model_load=True).get_spec()


@pytest.fixture()
def small(tmp_path):
    torch.manual_seed(0)
    model = loaded(Net())
    return model, context(model, tmp_path)


def test_fp16_package_spec_names_shapes_and_image_input(small):
    model, ctx = small
    target = CoreMLTarget()
    artifact = target.build(ctx, "fp16")
    assert artifact.path == ctx.bundle_dir / "small.coreml.fp16.mlpackage" and artifact.path.is_dir()
    assert artifact.minimum_os == "iOS 17" and artifact.platforms == ("ios",)
    assert any("ImageType (L, 28x28)" in n for n in artifact.notes)
    spec = spec_of(artifact.path)
    (inp,), (out,) = spec.description.input, spec.description.output
    assert inp.name == "image" and inp.type.WhichOneof("Type") == "imageType"
    assert (inp.type.imageType.width, inp.type.imageType.height) == (28, 28)
    assert out.name == "logits" and list(out.type.multiArrayType.shape) == [1, 10]
    assert out.type.multiArrayType.ArrayDataType.Name(out.type.multiArrayType.dataType) == "FLOAT32"
    notes = target.check_artifact(artifact, ctx)
    assert any("'FLOAT16'" in n for n in notes) and any("max_pool" in n for n in notes)


@pytest.mark.skipif(ON_MAC, reason="Linux behaviour: no Core ML runtime")
def test_host_runner_skips_off_macos(small):
    _, ctx = small
    artifact = CoreMLTarget().build(ctx, "fp16")
    with pytest.raises(SkipValidation, match="Core ML prediction needs macOS; the spec was checked structurally"):
        CoreMLTarget().host_runner(artifact)


def test_w8_holds_int8_weights_and_is_small(small):
    _, ctx = small
    target = CoreMLTarget()
    artifact = target.build(ctx, "w8")
    assert artifact.quantization["mode"] == "weight_only" and artifact.quantization["granularity"] == "per_channel"
    ops, weights = mil_histograms(spec_of(artifact.path))
    assert ops["constexpr_affine_dequantize"] == 2  # conv2, fc (conv1 and head are under the size threshold)
    assert weights["INT8"] > 0.95 * sum(weights.values())
    notes = target.check_artifact(artifact, ctx)
    ratio = float(next(n for n in notes if "of the FP32 Core ML package" in n).split("= ")[1].split(" ")[0])
    print(f"coreml w8 small: {notes[-1]}")
    assert ratio <= 0.30


def test_w8a8_converts_the_pt2e_qdq_graph(small):
    from mobilekit.export.config import StaticInt8Config

    model, ctx = small
    ctx = context(model, ctx.bundle_dir, quant=StaticInt8Config(observer="minmax"))
    target = CoreMLTarget()
    artifact = target.build(ctx, "w8a8")
    ops, weights = mil_histograms(spec_of(artifact.path))
    assert ops["quantize"] >= 4 and ops["dequantize"] >= 4 and weights["INT8"] > 0.95 * sum(weights.values())
    assert artifact.quantization["mode"] == "static" and artifact.quantization["calibration"]["observer"] == "minmax"
    assert "pt2e_xnnpack" in ctx._cache  # the same calibrated graph the xnnpack target uses
    target.check_artifact(artifact, ctx)


@pytest.mark.parametrize("precision, bits", [("w4", 4), ("w6", 6)])
def test_palettized(small, precision, bits):
    _, ctx = small
    target = CoreMLTarget()
    artifact = target.build(ctx, precision)
    ops, weights = mil_histograms(spec_of(artifact.path))
    assert ops["constexpr_lut_to_dense"] == 2 and weights["UINT8"] > 0
    assert artifact.quantization == {
        "mode": "palettize",
        "scheme": precision,
        "engine": f"coremltools palettize_weights (kmeans, {bits}-bit)",
        "granularity": "per_tensor",
    }
    target.check_artifact(artifact, ctx)


def test_w8_keep_float_keeps_that_layer_in_fp16(small):
    model, ctx = small
    from mobilekit.export.config import StaticInt8Config

    ctx = context(model, ctx.bundle_dir, quant=StaticInt8Config(keep_float=("fc",)))
    artifact = CoreMLTarget().build(ctx, "w8")
    ops, weights = mil_histograms(spec_of(artifact.path))
    assert ops["constexpr_affine_dequantize"] == 1  # conv2 only
    assert weights["FLOAT16"] >= 64 * 7 * 7 * 32


def test_per_channel_std_keeps_tensor_input_and_says_why(tmp_path):
    pre = ImagePreprocess(color="RGB", resize=(28, 28))  # ImageNet std differs per channel
    model = loaded(Net(channels=3), pre=pre, channels=3)
    artifact = CoreMLTarget().build(context(model, tmp_path), "fp16")
    assert any("TensorType" in n and "std differs per channel" in n for n in artifact.notes)
    (inp,) = spec_of(artifact.path).description.input
    assert inp.type.WhichOneof("Type") == "multiArrayType" and list(inp.type.multiArrayType.shape) == [1, 3, 28, 28]


def test_same_std_rgb_becomes_rgb_image_with_folded_bias(tmp_path):
    pre = ImagePreprocess(color="RGB", resize=(28, 28), mean=(0.5, 0.4, 0.3), std=(0.25,))
    model = loaded(Net(channels=3), pre=pre, channels=3)
    artifact = CoreMLTarget().build(context(model, tmp_path), "fp16")
    (inp,) = spec_of(artifact.path).description.input
    assert inp.type.imageType.ColorSpace.Name(inp.type.imageType.colorSpace) == "RGB"
    meta = dict(spec_of(artifact.path).description.metadata.userDefined)
    assert float(meta["mobilekit.image.image_scale"]) == pytest.approx(1 / 255 / 0.25)
    assert [float(b) for b in meta["mobilekit.image.image_bias"].split(",")] == pytest.approx([-2.0, -1.6, -1.2])


def test_dynamic_batch_uses_a_tensor_input_with_a_batch_range(tmp_path):
    model = loaded(Net())
    model.dynamic_batch = True
    ctx = context(model, tmp_path)
    batch = torch.export.Dim("batch", min=1, max=1024)
    two = (torch.randn(2, 1, 28, 28),)  # a batch-1 example would specialise the batch dimension to 1
    ctx._cache["exported_fp32"] = torch.export.export(model.module, two, dynamic_shapes=({0: batch},))
    artifact = CoreMLTarget().build(ctx, "fp16")
    assert any("TensorType" in n and "is not [1, 1, H, W]" in n for n in artifact.notes)
    (inp,) = spec_of(artifact.path).description.input
    ranges = inp.type.multiArrayType.shapeRange.sizeRanges
    assert (ranges[0].lowerBound, ranges[0].upperBound) == (1, 1024)
    CoreMLTarget().check_artifact(artifact, ctx)


def test_unconvertible_op_names_op_layer_and_target(tmp_path):
    ctx = context(loaded(WithCustomOp()), tmp_path)
    with pytest.raises(TargetError, match=r"coreml target cannot convert op 'mk_test::wiggle' in layer 'act'") as info:
        CoreMLTarget().build(ctx, "fp16")
    assert "target_helpers.py" in info.value.message and "--targets xnnpack" in info.value.hint


def test_missing_dependency(small, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "coremltools" else real(name, *a))
    target = CoreMLTarget()
    assert "coremltools" in target.unavailable_reason()
    with pytest.raises(MissingDependencyError, match=r"coreml target needs the Python package 'coremltools'"):
        target.build(small[1], "fp16")


def test_w8a8_refuses_a_dynamic_recipe(small):
    model, ctx = small
    ctx = context(model, ctx.bundle_dir, quant=DynamicInt8Config())
    with pytest.raises(TargetError, match="w8a8 from a static INT8 recipe"):
        CoreMLTarget().build(ctx, "w8a8")


def test_delegate_target_lowers_and_skips_host_validation(small):
    _, ctx = small
    target = CoreMLDelegateTarget()
    artifact = target.build(ctx, "fp16")
    assert artifact.path.name == "small.coreml.fp16.pte" and artifact.runtime == "executorch"
    assert artifact.delegation["delegated_nodes"] > 0
    assert "CoreMLBackend" in target.check_artifact(artifact, ctx)[0]
    with pytest.raises(SkipValidation, match="no CoreMLBackend registered"):
        target.host_runner(artifact)


@pytest.fixture(scope="module")
def digits_ctx(tmp_path_factory):
    from mobilekit.export.models import load_builtin

    model = load_builtin("digits")
    return context(model, tmp_path_factory.mktemp("coreml_digits"), samples=model.calibration(64, 0))


@pytest.mark.parametrize("precision", ["w8", pytest.param("w8a8", marks=pytest.mark.slow)])
def test_digits_int8_packages_are_at_most_030_of_fp32(digits_ctx, precision):
    """The digits model (inverted-ink preprocess folded into the ImageType): INT8 packages <= 0.30 of FP32."""
    target = CoreMLTarget()
    artifact = target.build(digits_ctx, precision)
    assert any("ImageType" in n and "inversion" in n for n in artifact.notes)
    notes = target.check_artifact(artifact, digits_ctx)
    line = next(n for n in notes if "of the FP32 Core ML package" in n)
    print(f"coreml {precision} digits: {line}")
    assert float(line.split("= ")[1].split(" ")[0]) <= 0.30
    assert not (artifact.path / "executorch_debug_handle_mapping.json").exists()
    ops, weights = mil_histograms(spec_of(artifact.path))
    assert weights["INT8"] > 0.95 * sum(weights.values())
    if precision == "w8a8":
        assert ops["quantize"] > 0 and ops["dequantize"] > 0
        assert artifact.quantization["calibration"]["samples"] == 64
    meta = dict(spec_of(artifact.path).description.metadata.userDefined)
    assert float(meta["mobilekit.image.image_scale"]) == pytest.approx(-2 / 255)
    assert float(meta["mobilekit.image.image_bias"]) == pytest.approx(1.0)
