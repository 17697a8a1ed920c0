"""PT2E recipes: the observer and --keep-float really change what gets quantized (always test an exclusion)."""

from __future__ import annotations

import torch

from mobilekit.export.config import ExportConfig, StaticInt8Config
from mobilekit.export.loading import load_model
from mobilekit.export.quant.pt2e import quantize_pt2e, xnnpack_quantizer


def _quantized_weight_ops(gm) -> dict[str, bool]:
    """For each conv/linear node: is its weight fed through a dequantize op (i.e. quantized)?"""
    result = {}
    for node in gm.graph.nodes:
        if node.op == "call_function" and ("conv" in str(node.target) or "linear" in str(node.target)):
            weight = node.args[1]
            result[str(node.target).split(".")[1]] = "dequantize" in str(getattr(weight, "target", ""))
    return result


def _small(user_models):
    return load_model(ExportConfig(model="usermodels:small", example_inputs=("1x3x16x16:float32",)))


def test_default_recipe_quantizes_conv_and_linear(user_models):
    m = _small(user_models)
    samples = [(torch.randn(1, 3, 16, 16),) for _ in range(4)]
    gm = quantize_pt2e(m, xnnpack_quantizer(StaticInt8Config(), m), samples)
    assert _quantized_weight_ops(gm) == {"conv2d": True, "linear": True}


def test_keep_float_by_layer_name_and_by_type_excludes_only_that_layer(user_models):
    m = _small(user_models)
    samples = [(torch.randn(1, 3, 16, 16),) for _ in range(4)]
    by_name = quantize_pt2e(m, xnnpack_quantizer(StaticInt8Config(keep_float=("fc",)), m), samples)
    assert _quantized_weight_ops(by_name) == {"conv2d": True, "linear": False}
    by_type = quantize_pt2e(m, xnnpack_quantizer(StaticInt8Config(keep_float=("Conv2d",)), m), samples)
    assert _quantized_weight_ops(by_type) == {"conv2d": False, "linear": True}


def test_minmax_observer_is_used(user_models):
    m = _small(user_models)
    q = xnnpack_quantizer(StaticInt8Config(observer="minmax"), m)
    ctor = q.global_config.input_activation.observer_or_fake_quant_ctr
    assert "MinMaxObserver" in repr(ctor)
