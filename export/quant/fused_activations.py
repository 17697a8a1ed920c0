"""Quantization patterns that ExecuTorch's ``XNNPACKQuantizer`` misses: conv/linear fused with a clamp.

``XNNPACKQuantizer`` fuses conv+ReLU into one quantized pattern (the output is observed after the
ReLU), but not conv+ReLU6, conv+hardtanh or conv+clamp: its ``is_relu_node`` matches only
``aten.relu``, and ``hardtanh`` is an observer-sharing op, so the conv output is observed over its
*pre-clamp* range. On a trained ReLU6 network that range reaches hundreds (about +-436 on
EfficientNet-Lite0) while the clamped values live in [0, 6]: they land on one or two INT8 steps and
the network collapses (3.8 dB SQNR, 38% top-1 agreement with FP32). Every ReLU6 network is hit:
MobileNetV2, MnasNet, EfficientNet-Lite.

:class:`FusedClampXNNPACKQuantizer` annotates ``conv -> hardtanh|clamp`` and ``linear ->
hardtanh|clamp`` as one pattern first (inputs and weights quantized at the conv/linear, the output
observed after the clamp, nothing in between), then lets the stock quantizer annotate everything
else. XNNPACK executes the clamp inside the convolution (its ``output_min``/``output_max``), so the
quantized graph is what the phone runs: ExecuTorch's activation-fusion pass folds the clamp into the
delegated convolution.
"""

from __future__ import annotations

from typing import Callable, Optional

import torch
from torch.fx import Node

CLAMP_TARGETS = (
    torch.ops.aten.hardtanh.default,
    torch.ops.aten.hardtanh_.default,
    torch.ops.aten.clamp.default,
    torch.ops.aten.relu6.default if hasattr(torch.ops.aten, "relu6") else torch.ops.aten.hardtanh.default,
)
CONV_TARGETS = (torch.ops.aten.conv1d.default, torch.ops.aten.conv2d.default)
LINEAR_TARGETS = (torch.ops.aten.linear.default,)


def is_clamp_node(node: Node) -> bool:
    """A ReLU6 / hardtanh / clamp call with constant bounds (what XNNPACK can fuse as output_min/max)."""
    if node.op != "call_function" or node.target not in CLAMP_TARGETS:
        return False
    bounds = list(node.args[1:]) + [v for k, v in node.kwargs.items() if k in ("min", "max", "min_val", "max_val")]
    return all(b is None or isinstance(b, (int, float)) for b in bounds)


def annotate_fused_clamps(gm: torch.fx.GraphModule, config, filter_fn: Optional[Callable[[Node], bool]] = None) -> int:
    """Annotate every conv/linear whose only user is a clamp as one quantized pattern; returns how many."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer_utils import (
        _is_annotated,
        _mark_nodes_as_annotated,
        get_bias_qspec,
        get_input_act_qspec,
        get_output_act_qspec,
        get_weight_qspec,
    )
    from torchao.quantization.pt2e.quantizer import QuantizationAnnotation

    key = "quantization_annotation"
    count = 0
    if config is None or config.input_activation is None or config.input_activation.is_dynamic:
        return 0  # dynamic recipes quantize inputs only; there is no output range to fix
    for clamp in gm.graph.nodes:
        if not is_clamp_node(clamp):
            continue
        producer = clamp.args[0]
        if not isinstance(producer, Node) or producer.op != "call_function":
            continue
        if producer.target not in CONV_TARGETS + LINEAR_TARGETS or len(producer.users) != 1:
            continue
        weight = producer.args[1]
        if not isinstance(weight, Node):
            continue
        input_map = {producer.args[0]: get_input_act_qspec(config), weight: get_weight_qspec(config)}
        partition = [clamp, producer, weight]
        bias = producer.args[2] if len(producer.args) > 2 else None
        if isinstance(bias, Node):
            input_map[bias] = get_bias_qspec(config)
            partition.append(bias)
        if _is_annotated(partition):
            continue
        if filter_fn is not None and not all(filter_fn(n) for n in partition):
            continue
        producer.meta[key] = QuantizationAnnotation(input_qspec_map=input_map, _annotated=True)
        clamp.meta[key] = QuantizationAnnotation(output_qspec=get_output_act_qspec(config), _annotated=True)
        _mark_nodes_as_annotated(partition)
        count += 1
    return count


def clamps_to_hardtanh(gm: torch.fx.GraphModule) -> int:
    """Rewrite ``clamp(x, lo, hi)`` with constant bounds after a conv/linear as ``hardtanh(x, lo, hi)``.

    The same function, but XNNPACK's partitioner fuses only relu/hardtanh into a quantized convolution:
    a quantized conv followed by ``clamp`` is left on portable kernels. Returns how many were rewritten.
    """
    count = 0
    for node in list(gm.graph.nodes):
        if node.op != "call_function" or node.target != torch.ops.aten.clamp.default:
            continue
        args = list(node.args) + [None] * (3 - len(node.args))
        lo, hi = node.kwargs.get("min", args[1]), node.kwargs.get("max", args[2])
        producer = args[0]
        if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float))):
            continue
        if not isinstance(producer, Node) or producer.target not in CONV_TARGETS + LINEAR_TARGETS:
            continue
        with gm.graph.inserting_before(node):
            new = gm.graph.call_function(torch.ops.aten.hardtanh.default, (producer, float(lo), float(hi)))
        new.meta = dict(node.meta)
        node.replace_all_uses_with(new)
        gm.graph.erase_node(node)
        count += 1
    if count:
        gm.graph.lint()
        gm.recompile()
    return count


def move_outputs_past_clamps(gm: torch.fx.GraphModule) -> int:
    """Where a pattern's quantized output (e.g. conv+batch-norm in a QAT graph) feeds only a clamp,
    observe the output after the clamp instead: the same fix as :func:`annotate_fused_clamps`, for the
    patterns the stock quantizer annotated itself. Returns how many outputs moved."""
    from torchao.quantization.pt2e.quantizer import QuantizationAnnotation, SharedQuantizationSpec

    key = "quantization_annotation"
    moved = 0
    for clamp in gm.graph.nodes:
        if not is_clamp_node(clamp):
            continue
        producer = clamp.args[0]
        if not isinstance(producer, Node) or len(producer.users) != 1:
            continue
        ann = producer.meta.get(key)
        if ann is None or ann.output_qspec is None or isinstance(ann.output_qspec, SharedQuantizationSpec):
            continue
        own = clamp.meta.get(key)
        if own is not None and own.output_qspec is not None and not isinstance(own.output_qspec, SharedQuantizationSpec):
            continue  # already observed after the clamp
        clamp.meta[key] = QuantizationAnnotation(output_qspec=ann.output_qspec, _annotated=True)
        ann.output_qspec = None
        moved += 1
    return moved


def fused_clamp_quantizer_class():
    """``XNNPACKQuantizer`` subclass that annotates conv/linear + clamp patterns before the stock ones."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer

    class FusedClampXNNPACKQuantizer(XNNPACKQuantizer):
        """``XNNPACKQuantizer`` that also fuses conv/linear with ReLU6/hardtanh/clamp (see module docs)."""

        fused_clamps: int = 0

        def transform_for_annotation(self, model: torch.fx.GraphModule) -> torch.fx.GraphModule:
            model = super().transform_for_annotation(model)
            clamps_to_hardtanh(model)
            return model

        def annotate(self, model: torch.fx.GraphModule) -> torch.fx.GraphModule:
            self.fused_clamps = annotate_fused_clamps(model, self.global_config, self.filter_fn)
            model = super().annotate(model)
            self.fused_clamps += move_outputs_past_clamps(model)
            return model

    return FusedClampXNNPACKQuantizer
