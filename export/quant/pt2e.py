"""Quantization recipes through PT2E: one config object in, a quantized graph out.

``quantize_pt2e(model, quantizer, samples)`` is shared by every target that consumes a PT2E Q/DQ
graph (ExecuTorch XNNPACK, Core ML W8A8); ``xnnpack_quantizer(recipe, model)`` maps a recipe from
:mod:`mobilekit.export.config` onto ExecuTorch's ``XNNPACKQuantizer``.
"""

from __future__ import annotations

import dataclasses

import torch

from mobilekit.export.config import DynamicInt8Config, Granularity, Observer, QuantRecipe, StaticInt8Config
from mobilekit.export.errors import ExportError
from mobilekit.export.loading import export_failure
from mobilekit.export.spec import LoadedModel, Sample


def _observer_ctor(observer: Observer):
    from torchao.quantization.pt2e import observer as obs

    if observer is Observer.PERCENTILE:
        from mobilekit.export.quant.recovery import percentile_observer_class

        return percentile_observer_class()
    return {
        Observer.HISTOGRAM: obs.HistogramObserver,
        Observer.MINMAX: obs.MinMaxObserver,
        Observer.MOVING_AVERAGE_MINMAX: obs.MovingAverageMinMaxObserver,
    }[observer]


def xnnpack_quantizer(recipe: QuantRecipe, model: LoadedModel, *, is_qat: bool = False):
    """An ``XNNPACKQuantizer`` configured for ``recipe`` (granularity, observer, layers kept in float)."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import get_symmetric_quantization_config

    from mobilekit.export.quant.fused_activations import fused_clamp_quantizer_class

    per_channel = recipe.granularity is Granularity.PER_CHANNEL
    dynamic = isinstance(recipe, DynamicInt8Config)
    config = get_symmetric_quantization_config(is_per_channel=per_channel, is_dynamic=dynamic, is_qat=is_qat)
    if isinstance(recipe, StaticInt8Config) and recipe.observer is not Observer.HISTOGRAM and not is_qat:
        ctor = _observer_ctor(recipe.observer).with_args(eps=2**-12)
        act = dataclasses.replace(config.input_activation, observer_or_fake_quant_ctr=ctor)
        config = dataclasses.replace(config, input_activation=act, output_activation=act)
    quantizer = fused_clamp_quantizer_class()().set_global(config)
    if recipe.keep_float:
        quantizer.set_filter_function(keep_float_filter(model, recipe.keep_float))
    return quantizer


def keep_float_filter(model: LoadedModel, keep_float: tuple[str, ...]):
    """A node filter that refuses nodes coming from the named modules or module classes.

    Unknown names are an error listing the model's layer names, so a typo never silently quantizes
    the layer the user meant to protect.
    """
    modules = dict(model.module.named_modules())
    class_names = {type(m).__name__ for m in modules.values()}
    unknown = [k for k in keep_float if k not in modules and k not in class_names]
    if unknown:
        sample = ", ".join(n for n in list(modules)[1:13])
        raise ExportError(
            f"--keep-float names {unknown[0]!r}, which is neither a layer nor a layer type of {model.name}.",
            hint=f"Layer names look like: {sample} ...; layer types like: {', '.join(sorted(class_names)[:8])}.",
        )

    def quantize_node(node) -> bool:
        stack = node.meta.get("nn_module_stack") or {}
        for fqn, type_ in stack.values():
            tname = getattr(type_, "__name__", str(type_)).rsplit(".", 1)[-1]
            for k in keep_float:
                if fqn == k or fqn.startswith(k + ".") or tname == k:
                    return False
        return True

    return quantize_node


def quantize_pt2e(model: LoadedModel, quantizer, samples: list[Sample]) -> torch.fx.GraphModule:
    """Export for quantization, insert observers, run the calibration samples, convert to a Q/DQ graph."""
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    try:
        captured = torch.export.export(model.module, tuple(model.example_inputs), strict=False).module()
    except Exception as exc:
        raise export_failure(model, exc) from exc
    prepared = prepare_pt2e(captured, quantizer)
    with torch.no_grad():
        for sample in samples:
            prepared(*sample)
    converted = convert_pt2e(prepared)
    float_layer_barriers(converted)
    return converted


_WIDE = 3.0e38  # a clamp that changes nothing (finite, so it serializes)
_PASSTHROUGH = {
    torch.ops.aten.pad.default, torch.ops.aten.constant_pad_nd.default, torch.ops.aten.view.default,
    torch.ops.aten.reshape.default, torch.ops.aten.permute.default, torch.ops.aten.flatten.using_ints,
}


def float_layer_barriers(gm: torch.fx.GraphModule) -> int:
    """Put a no-op float clamp between a dequantize and a conv/linear kept in float.

    A layer kept in float (``--keep-float``) whose producer is quantized reads ``dequantize(x)``.
    ExecuTorch 1.5's XNNPACK partitioner then pulls that dequantize into the float conv's partition and
    its serializer fails ("Weight and Input should both be quantized") when the conv has a bias, which
    every conv has after batch-norm folding. A ``hardtanh(-3e38, 3e38)`` in between is lowered by
    XNNPACK as a float clamp and keeps the two apart. Returns how many barriers were inserted.
    """
    count = 0
    for node in list(gm.graph.nodes):
        if node.op != "call_function" or node.target not in (torch.ops.aten.conv2d.default, torch.ops.aten.conv1d.default,
                                                              torch.ops.aten.linear.default):
            continue
        x, w = node.args[0], node.args[1]
        if _is_dequantize(w):
            continue
        consumer = node
        while isinstance(x, torch.fx.Node) and x.op == "call_function" and x.target in _PASSTHROUGH and len(x.users) == 1:
            consumer, x = x, x.args[0]  # e.g. the pad of a TF-"same" conv: XNNPACK sees through it to the dequantize
        if not _is_dequantize(x):
            continue
        with gm.graph.inserting_before(consumer):
            barrier = gm.graph.call_function(torch.ops.aten.hardtanh.default, (x, -_WIDE, _WIDE))
        barrier.meta = dict(x.meta)
        consumer.replace_input_with(x, barrier)
        count += 1
    if count:
        gm.recompile()
    return count


def _is_dequantize(node) -> bool:
    return isinstance(node, torch.fx.Node) and node.op == "call_function" and "dequantize" in str(node.target)


def quant_record(
    mode: str,
    scheme: str,
    *,
    engine: str,
    granularity: str | None = None,
    symmetric: bool | None = None,
    samples: int | None = None,
    observer: str | None = None,
    source: str | None = None,
    seed: int | None = None,
    keep_float=(),
    bias_correction: bool = False,
) -> dict:
    """The manifest's artifact ``quantization`` block (schemas/manifest.schema.json), for every target."""
    record: dict = {"mode": mode, "scheme": scheme, "engine": engine}
    if granularity is not None:
        record["granularity"] = granularity
    if symmetric is not None:
        record["symmetric"] = symmetric
    if samples is not None:
        calibration = {"samples": samples, "observer": observer or "", "source": source or "unknown"}
        if seed is not None:
            calibration["seed"] = seed
        record["calibration"] = calibration
    if keep_float:
        record["keep_float"] = list(keep_float)
    if bias_correction:
        record["bias_correction"] = True
    return record


def recipe_record(recipe: QuantRecipe, samples: int, source: str, engine: str) -> dict:
    """The ``quantization`` block for an artifact built from a PT2E ``recipe``."""
    static = isinstance(recipe, StaticInt8Config)
    return quant_record(
        recipe.mode,
        "w8a8" if static else "w8a8-dynamic",
        engine=engine,
        granularity=recipe.granularity.value,
        symmetric=True,
        samples=samples if static else None,
        observer=recipe.observer.value if static else None,
        source=source,
        seed=recipe.seed if static else None,
        keep_float=recipe.keep_float,
        bias_correction=bool(getattr(recipe, "bias_correction", False)),
    )
