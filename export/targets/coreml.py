"""Core ML targets for iOS: a ``.mlpackage`` (ML Program) and ExecuTorch with the Core ML delegate.

:class:`CoreMLTarget` converts the FP32 ``torch.export`` program with coremltools: ``fp16`` (default
compute precision), ``fp32``, ``w8`` (INT8 per-channel weights, ``linear_quantize_weights``),
``w8a8`` (a PT2E Q/DQ graph from XNNPACKQuantizer, converted as is: coremltools' own activation
quantization calibrates by predicting, which needs macOS), ``w4``/``w6`` (k-means palettized).
:class:`CoreMLDelegateTarget` lowers to an ExecuTorch ``.pte`` whose graph runs in Core ML.
Neither runs on Linux: they are checked structurally (spec read back) and predicted on macOS only.
"""

from __future__ import annotations

import importlib.util
import logging
import platform
import re
import tempfile
import time
import warnings
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from mobilekit.export import coreml_rewrites
from mobilekit.export.manifest import size_bytes
from mobilekit.export.quant.pt2e import quant_record
from mobilekit.export.targets._common import (
    check_names,
    locate_op,
    replace_path,
    unsupported_op_error,
)
from mobilekit.export.targets.base import (
    Artifact,
    BuildContext,
    HostRunner,
    MissingDependencyError,
    SkipValidation,
    Target,
    TargetError,
)

# Weight tensors smaller than this stay FP16 (coremltools' default is 2048; small CNNs have many 3x3 convs).
WEIGHT_THRESHOLD = 512
MAX_INT8_SIZE_RATIO = 0.30
_ALTERNATIVES = "another target (--targets xnnpack or --targets onnx)"
_NOT_DARWIN = "Core ML prediction needs macOS; the spec was checked structurally on this host"


@contextmanager
def _quiet() -> Iterator[None]:
    """coremltools' progress bars, version warnings and log lines, muted for one call."""
    prefixes = ("coremltools", "executorch.backends.apple.coreml")
    names = [n for n in logging.root.manager.loggerDict if n.startswith(prefixes)]
    loggers = [logging.getLogger(n) for n in (*prefixes, *names)]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for lg, level in zip(loggers, levels):
                lg.setLevel(level)


def _import_ct(target: str):
    if importlib.util.find_spec("coremltools") is None:
        raise MissingDependencyError(target, "coremltools")
    with _quiet():
        import coremltools as ct
    return ct


def _ios(ct, version: int):
    return {16: ct.target.iOS16, 17: ct.target.iOS17, 18: ct.target.iOS18}[version]


def fill_default_args(gm) -> "object":
    """Write every schema default into FX nodes' positional args, in place.

    coremltools 9 expects e.g. ``max_pool2d(x, kernel, stride)`` and fails on torch 2.13's
    ``max_pool2d(x, [2, 2])`` ("got 2 input(s), expected minimum 3"). Returns a ``PassResult`` so the
    same function serves as an ExecuTorch ``transform_passes`` entry.
    """
    from torch.fx.passes.infra.pass_base import PassResult

    for node in gm.graph.nodes:
        schema = getattr(node.target, "_schema", None)
        if node.op != "call_function" or schema is None:
            continue
        args, kwargs = list(node.args), dict(node.kwargs)
        for arg in schema.arguments[len(args) :]:
            if arg.kwarg_only:
                break
            if arg.name in kwargs:
                args.append(kwargs.pop(arg.name))
            elif arg.has_default_value():
                args.append(arg.default_value)
            else:
                break
        node.args, node.kwargs = tuple(args), kwargs
    gm.recompile()
    return PassResult(gm, True)


def coreml_inputs(ct, model) -> tuple[list, list[str]]:
    """``ct.ImageType`` where the manifest's preprocessing folds into scale + bias, else ``ct.TensorType``."""
    result, notes = [], []
    for spec in model.inputs:
        if spec.is_integer:
            shape = tuple(spec.shape)
            if model.dynamic_batch:
                shape = (ct.RangeDim(lower_bound=1, upper_bound=1024, default=1), *shape[1:])
            result.append(ct.TensorType(name=spec.name, shape=shape, dtype=np.int32))
            notes.append(int32_note(spec))
            continue
        why = _image_type_blocker(spec, model.dynamic_batch)
        if why is None:
            pre = spec.preprocess
            std = pre.std[0]
            means = list(pre.mean) * (pre.channels if len(pre.mean) == 1 else 1)
            if pre.invert:  # (scale*(255 - x) - mean)/std = (-scale/std)*x + (255*scale - mean)/std
                scale = -pre.scale / std
                bias = [(255.0 * pre.scale - m) / std for m in means]
            else:
                scale = pre.scale / std
                bias = [-m / std for m in means]
            layout = {"L": ct.colorlayout.GRAYSCALE, "RGB": ct.colorlayout.RGB, "BGR": ct.colorlayout.BGR}[pre.color]
            result.append(ct.ImageType(name=spec.name, shape=tuple(spec.shape), scale=scale, bias=bias, color_layout=layout))
            notes.append(
                f"Core ML input {spec.name!r} is an ImageType ({pre.color}, {spec.shape[3]}x{spec.shape[2]}): feed a "
                f"CVPixelBuffer after resize/crop; scale={scale:.8g}, bias={[round(b, 8) for b in bias]} fold "
                f"{'the inversion (255 - x), ' if pre.invert else ''}x*scale, -mean, /std into the model."
            )
        else:
            shape = tuple(spec.shape)
            if model.dynamic_batch:
                shape = (ct.RangeDim(lower_bound=1, upper_bound=1024, default=1), *shape[1:])
            result.append(ct.TensorType(name=spec.name, shape=shape, dtype=np.float32))
            notes.append(f"Core ML input {spec.name!r} is a TensorType (MLMultiArray float32): {why}.")
    return result, notes


def int32_note(spec) -> str:
    """What the manifest/notes say about an integer input that Core ML takes as int32."""
    if spec.dtype == "int32":
        return f"Core ML input {spec.name!r} is a TensorType (MLMultiArray int32), as in the manifest."
    return (
        f"Core ML input {spec.name!r} is a TensorType MLMultiArray int32, not the manifest's {spec.dtype}: Core ML "
        f"has no int64 inputs, so the converted model takes int32 (cast inside the graph). Apps convert the "
        f"{spec.dtype} sample data / tokenizer ids to int32 before predicting (ids must fit in int32)."
    )


def _image_type_blocker(spec, dynamic_batch: bool) -> str | None:
    """Why this input cannot be a Core ML ImageType, or None when it can."""
    pre = spec.preprocess
    if pre is None:
        return "no image preprocessing in the manifest"
    if len(set(pre.std)) != 1:
        return f"std differs per channel {list(pre.std)} and ImageType has one scale for all channels"
    if dynamic_batch or len(spec.shape) != 4 or spec.shape[0] != 1 or spec.shape[1] != pre.channels:
        return f"shape {list(spec.shape)} is not [1, {pre.channels}, H, W]"
    if tuple(spec.shape[2:]) != tuple(pre.output_hw):
        return f"shape {list(spec.shape)} does not match the preprocess size {list(pre.output_hw)}"
    return None


def _convert_error(target: str, ctx: BuildContext, exc: BaseException) -> TargetError:
    """A conversion failure as a TargetError naming the op and layer when coremltools says which."""
    text = str(exc)
    match = (
        re.search(r"convert function for op '([\w.:]+)' not implemented", text)
        or re.search(r"Unsupported fx node \w+, kind ([\w.:]+)", text)
        or re.search(r"node \S+ \((\w+)\) got", text)
    )
    if match:
        op = match.group(1)
        layer, source = locate_op(ctx, op)
        return unsupported_op_error(
            target,
            op,
            layer,
            source,
            alternatives=_ALTERNATIVES,
            detail=f"coremltools: {text.splitlines()[0]}",
            keep_float_helps=False,
        )
    return TargetError(
        f"The {target} target could not convert the model: {type(exc).__name__}: {text.splitlines()[0] if text else ''}",
        f"Try {_ALTERNATIVES}.",
    )


class CoreMLTarget(Target):
    """Core ML ML Program package (``.mlpackage``) for iOS."""

    name = "coreml"
    runtime = "coreml"
    backend = "coreml"
    platforms = ("ios",)
    precisions = ("fp16", "fp32", "w8", "w8a8", "w4", "w6")
    default_precisions = ("fp16", "w8", "w8a8")
    legacy = False
    summary = "Core ML .mlpackage for iOS (CPU/GPU/Neural Engine): FP16, INT8 weights, W8A8, 4/6-bit palettized"

    def unavailable_reason(self) -> str | None:
        if importlib.util.find_spec("coremltools") is None:
            return "needs the Python package coremltools (pip install mobilekit[coreml])"
        return None

    # ---- build -------------------------------------------------------------------------------------

    def build(self, ctx: BuildContext, precision: str) -> Artifact:
        """Convert (and compress) into ``<name>.coreml.<precision>.mlpackage``."""
        self.require_precision(precision)
        ct = _import_ct(self.name)
        start = time.perf_counter()
        if precision == "w8a8":
            self._check_w8a8_expressible(ctx)
        mlmodel, notes = self._convert(ctx, ct, precision)
        quantization: dict = {"mode": "none"}
        keep = ctx.config.quant.keep_float
        auto = ctx.cached_or_none("keep_float_auto")
        if auto and precision != "w8a8":
            # The automatic choice was made for activation quantization (the shared Q/DQ graph); weight-only
            # packages keep every weight compressed unless the user named layers themselves.
            keep = tuple(k for k in keep if k not in auto)
        if precision == "w8":
            mlmodel, quantization = self._weights_int8(ct, mlmodel, keep)
        elif precision == "w4" and ctx.config.coreml_min_ios >= 18:
            mlmodel, quantization = self._weights_int4_blockwise(ct, mlmodel, keep, ctx.config.group_size)
            notes.append(
                f"w4: INT4 per-block weights (block {ctx.config.group_size} along the input dimension, "
                "linear_quantize_weights), which needs iOS 18."
            )
        elif precision in ("w4", "w6"):
            mlmodel, quantization = self._palettize(ct, mlmodel, int(precision[1]), keep)
            if precision == "w4":
                notes.append(
                    "w4: 4-bit k-means palettized weights (a 16-entry lookup table per tensor); per-block INT4 "
                    "weights need iOS 18 (--coreml-min-ios 18)."
                )
        elif precision == "w8a8":
            quantization = quant_record(
                "static",
                "w8a8",
                engine="XNNPACKQuantizer (PT2E Q/DQ) converted by coremltools",
                granularity="per_channel",
                symmetric=True,
                samples=len(ctx.calibration_samples()),
                source=ctx.calibration_source,
                observer=ctx.config.quant.observer.value,
                keep_float=keep,
            )
            notes.append(
                "W8A8 from a PT2E Q/DQ graph (XNNPACKQuantizer, per-channel symmetric INT8 weights, per-tensor "
                "INT8 activations) converted by coremltools; linear_quantize_activations needs macOS (it "
                "calibrates by predicting); ExecuTorch's CoreMLQuantizer also works but its prepare_pt2e took ~2 min vs ~2 s here."
            )
        for spec in ctx.model.inputs:
            if spec.is_integer:
                mlmodel.user_defined_metadata[f"mobilekit.{spec.name}.dtype"] = "int32"
                mlmodel.user_defined_metadata[f"mobilekit.{spec.name}.manifest_dtype"] = spec.dtype
        for item in coreml_inputs(ct, ctx.model)[0]:
            if isinstance(item, ct.ImageType):
                mlmodel.user_defined_metadata[f"mobilekit.{item.name}.image_scale"] = repr(float(item.scale))
                mlmodel.user_defined_metadata[f"mobilekit.{item.name}.image_bias"] = ",".join(repr(float(b)) for b in item.bias)
        mlmodel.user_defined_metadata["mobilekit.precision"] = precision
        proxy = None
        if precision == "w8a8":
            graph = ctx.cached_or_none("pt2e_xnnpack")
            if graph is not None:
                proxy = (
                    "estimate from a host proxy: the PT2E Q/DQ graph this package was converted from, run in PyTorch "
                    "(Core ML itself runs only on Apple devices)",
                    _graph_runner(graph),
                )
        dest = ctx.artifact_path("coreml", precision, "mlpackage")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="mobilekit-coreml-", dir=dest.parent) as tmp:
            staged = Path(tmp) / dest.name
            with _quiet():
                mlmodel.save(str(staged))
            strip_debug_mapping(staged)
            replace_path(staged, dest)
        return Artifact(
            path=dest,
            target=self.name,
            runtime=self.runtime,
            backend=self.backend,
            precision=precision,
            platforms=self.platforms,
            quantization=quantization,
            minimum_os=f"iOS {ctx.config.coreml_min_ios}",
            notes=notes,
            build_seconds=time.perf_counter() - start,
            host_proxy=proxy,
        )

    def _convert(self, ctx: BuildContext, ct, precision: str):
        """``ct.convert`` of the FP32 program (or the PT2E Q/DQ program for w8a8) to an ML Program."""
        inputs, notes = coreml_inputs(ct, ctx.model)
        if precision == "w8a8":
            program = ctx.cached("coreml:w8a8_program", lambda: self._qdq_program(ctx))
        else:
            program = ctx.exported_fp32().run_decompositions({})
        notes += coreml_rewrites.apply(program.graph_module)
        fill_default_args(program.graph_module)
        outputs = [ct.TensorType(name=o.name, dtype=np.float32) for o in ctx.model.outputs]
        compute = ct.precision.FLOAT32 if precision == "fp32" else ct.precision.FLOAT16
        try:
            with _quiet():
                mlmodel = ct.convert(
                    program,
                    convert_to="mlprogram",
                    minimum_deployment_target=_ios(ct, ctx.config.coreml_min_ios),
                    compute_precision=compute,
                    inputs=inputs,
                    outputs=outputs,
                )
        except Exception as exc:  # noqa: BLE001 - coremltools raises many types; all become TargetError
            raise _convert_error(self.name, ctx, exc) from exc
        notes.append(f"ML Program, minimum deployment target iOS {ctx.config.coreml_min_ios}, compute {compute.value}.")
        return mlmodel, notes

    def _check_w8a8_expressible(self, ctx: BuildContext) -> None:
        """w8a8 converts the XNNPACKQuantizer Q/DQ graph, which annotates no recurrent layer or embedding table."""
        from torch import nn

        rnn = [n for n, m in ctx.model.module.named_modules() if isinstance(m, (nn.LSTM, nn.GRU, nn.RNN))]
        if rnn:
            raise TargetError(
                f"The {self.name} target cannot build w8a8 for {ctx.model.name}: the PT2E Q/DQ graph it converts "
                f"(XNNPACKQuantizer) has no INT8 scheme for recurrent layers ({', '.join(rnn)} would stay float).",
                "Use --precision w8 (INT8 weights, LSTM included) or w4/w6 for Core ML.",
            )

    def _qdq_program(self, ctx: BuildContext):
        """The PT2E Q/DQ graph shared with the xnnpack target (same quantizer, samples and cache key)."""
        import torch

        from mobilekit.export.config import StaticInt8Config
        from mobilekit.export.quant.pt2e import quantize_pt2e, xnnpack_quantizer

        recipe = ctx.config.quant
        if not isinstance(recipe, StaticInt8Config):
            raise TargetError(
                f"The {self.name} target builds w8a8 from a static INT8 recipe, not {recipe.mode!r}.",
                "Use the static recipe, or --precision w8 for INT8 weights with float activations.",
            )
        samples = ctx.calibration_samples()
        quantized = ctx.cached(
            "pt2e_xnnpack", lambda: quantize_pt2e(ctx.model, xnnpack_quantizer(recipe, ctx.model), samples)
        )
        return torch.export.export(quantized, tuple(ctx.model.example_inputs), strict=False).run_decompositions({})

    def _op_names_to_keep(self, mlmodel, keep_float: tuple[str, ...]) -> dict:
        """``op_name_configs`` setting the const weights of kept modules (``p_<module>_...``) to None."""
        if not keep_float:
            return {}
        names = [op.name for op in mlmodel._mil_program.functions["main"].operations if op.op_type == "const"]
        configs: dict = {}
        for entry in keep_float:
            prefix = "p_" + entry.replace(".", "_") + "_"
            hits = [n for n in names if n.startswith(prefix)]
            if not hits:
                raise TargetError(
                    f"--keep-float {entry!r} matches no weight of the {self.name} program.",
                    "Give a module name from model.named_modules() that owns weights (for Conv+BatchNorm, the conv).",
                )
            configs.update({n: None for n in hits})
        return configs

    def _weights_int8(self, ct, mlmodel, keep_float: tuple[str, ...]):
        cto = ct.optimize.coreml
        op_config = cto.OpLinearQuantizerConfig(
            mode="linear_symmetric", dtype="int8", granularity="per_channel", weight_threshold=WEIGHT_THRESHOLD
        )
        config = cto.OptimizationConfig(global_config=op_config, op_name_configs=self._op_names_to_keep(mlmodel, keep_float))
        with _quiet():
            compressed = cto.linear_quantize_weights(mlmodel, config)
        record = quant_record(
            "weight_only",
            "w8",
            engine="coremltools linear_quantize_weights",
            granularity="per_channel",
            symmetric=True,
            keep_float=keep_float,
        )
        return compressed, record

    def _weights_int4_blockwise(self, ct, mlmodel, keep_float: tuple[str, ...], block_size: int):
        cto = ct.optimize.coreml
        op_config = cto.OpLinearQuantizerConfig(
            mode="linear_symmetric",
            dtype="int4",
            granularity="per_block",
            block_size=block_size,
            weight_threshold=WEIGHT_THRESHOLD,
        )
        config = cto.OptimizationConfig(global_config=op_config, op_name_configs=self._op_names_to_keep(mlmodel, keep_float))
        try:
            with _quiet():
                compressed = cto.linear_quantize_weights(mlmodel, config)
        except Exception as exc:  # noqa: BLE001
            raise TargetError(
                f"The {self.name} target could not quantize weights to INT4 per block of {block_size}: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                "Use --precision w4 with --coreml-min-ios 17 (4-bit palettization) or --precision w8.",
            ) from exc
        record = quant_record(
            "weight_only",
            "w4",
            engine=f"coremltools linear_quantize_weights (int4, per_block, block_size={block_size})",
            granularity="per_block",
            symmetric=True,
            keep_float=keep_float,
        )
        record["group_size"] = block_size
        return compressed, record

    def _palettize(self, ct, mlmodel, nbits: int, keep_float: tuple[str, ...]):
        cto = ct.optimize.coreml
        op_config = cto.OpPalettizerConfig(mode="kmeans", nbits=nbits, weight_threshold=WEIGHT_THRESHOLD)
        config = cto.OptimizationConfig(global_config=op_config, op_name_configs=self._op_names_to_keep(mlmodel, keep_float))
        with _quiet():
            compressed = cto.palettize_weights(mlmodel, config)
        record = quant_record(
            "palettize",
            f"w{nbits}",
            engine=f"coremltools palettize_weights (kmeans, {nbits}-bit)",
            granularity="per_tensor",
            keep_float=keep_float,
        )
        return compressed, record

    # ---- validation --------------------------------------------------------------------------------

    def host_runner(self, artifact: Artifact) -> HostRunner:
        """``MLModel.predict`` on macOS; elsewhere :class:`SkipValidation` (structural checks still run)."""
        if platform.system() != "Darwin":
            raise SkipValidation(_NOT_DARWIN)
        ct = _import_ct(self.name)
        model = ct.models.MLModel(str(artifact.path))
        spec = model.get_spec()
        meta = dict(spec.description.metadata.userDefined)
        ins = [(i.name, i.type.WhichOneof("Type"), i) for i in spec.description.input]
        outs = [o.name for o in spec.description.output]

        def run(sample) -> list[np.ndarray]:
            feeds = {}
            for (name, kind, desc), tensor in zip(ins, sample):
                arr = tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else np.asarray(tensor)
                if kind == "imageType":
                    scale = float(meta[f"mobilekit.{name}.image_scale"])
                    bias = [float(b) for b in meta[f"mobilekit.{name}.image_bias"].split(",")]
                    gray = desc.type.imageType.colorSpace == desc.type.imageType.GRAYSCALE
                    feeds[name] = _to_pil(arr, scale, bias, gray)
                elif desc.type.multiArrayType.dataType == desc.type.multiArrayType.INT32:
                    feeds[name] = _as_int32(arr, name)  # Core ML takes int32; the eval data are int64
                else:
                    feeds[name] = arr.astype(np.float32)
            result = model.predict(feeds)
            return [np.asarray(result[name], dtype=np.float32) for name in outs]

        return run

    def check_artifact(self, artifact: Artifact, ctx: BuildContext) -> list[str]:
        """Spec read back (skip_model_load): names, shapes, types, op histogram, weight dtypes, size ratio."""
        ct = _import_ct(self.name)
        spec = ct.models.MLModel(str(artifact.path), skip_model_load=True).get_spec()
        notes = describe_io(self.name, spec, ctx.model)
        ops, weights = mil_histograms(spec)
        notes.append(f"ops: {dict(sorted(ops.items()))}")
        notes.append(f"weight elements by dtype: {dict(sorted(weights.items()))}")
        size = size_bytes(artifact.path)
        if artifact.precision in ("w8", "w8a8", "w4", "w6"):
            want = "INT8" if artifact.precision in ("w8", "w8a8") else "UINT8"
            if (artifact.quantization or {}).get("granularity") == "per_block":
                want = "INT4"
            if want == "UINT8":  # palettized indices: UINT8 up to iOS 17, packed sub-byte types (UINT4, UINT6) on iOS 18
                want = next((k for k in sorted(weights) if k.startswith("UINT") and weights[k]), want)
            if not weights.get(want):
                raise TargetError(f"The {self.name} {artifact.precision} package holds no {want} weights: {dict(weights)}")
            ref = self.fp32_reference(ctx)
            ratio = size / ref["bytes"]
            weights_ratio = weight_bin_bytes(artifact.path) / ref["weight_bytes"]
            notes.append(
                f"size {size} B = {ratio:.3f} of the FP32 Core ML package ({ref['bytes']} B); "
                f"weights {weights_ratio:.3f} of FP32 weights"
            )
            kept = (artifact.quantization or {}).get("keep_float")
            if artifact.precision in ("w8", "w8a8") and weights_ratio > MAX_INT8_SIZE_RATIO and not kept:
                tables = [n for n, m in ctx.model.module.named_modules() if type(m).__name__ == "Embedding"]
                why = "too many weights stayed in float"
                if artifact.precision == "w8a8" and tables:
                    why = (f"the Q/DQ graph leaves nn.Embedding tables ({', '.join(tables)}) in float; "
                           "use --precision w8 for INT8 weights everywhere")
                raise TargetError(
                    f"The {self.name} {artifact.precision} weights are {weights_ratio:.2f} of the FP32 weights "
                    f"(at most {MAX_INT8_SIZE_RATIO} expected): {why}."
                )
        else:
            notes.append(f"size {size} B")
        return notes

    def fp32_reference(self, ctx: BuildContext) -> dict:
        """Bytes of an FP32 Core ML conversion of this model (package and weight.bin), cached per context."""

        def make() -> dict:
            fp32 = ctx.artifact_path("coreml", "fp32", "mlpackage")
            if fp32.exists():
                return {"bytes": size_bytes(fp32), "weight_bytes": weight_bin_bytes(fp32)}
            ct = _import_ct(self.name)
            mlmodel, _ = self._convert(ctx, ct, "fp32")
            with tempfile.TemporaryDirectory(prefix="mobilekit-coreml-ref-") as tmp:
                path = Path(tmp) / "ref.mlpackage"
                with _quiet():
                    mlmodel.save(str(path))
                strip_debug_mapping(path)
                return {"bytes": size_bytes(path), "weight_bytes": weight_bin_bytes(path)}

        return ctx.cached("coreml:fp32_reference", make)


class CoreMLDelegateTarget(Target):
    """ExecuTorch ``.pte`` whose graph is delegated to Core ML (CoreMLPartitioner)."""

    name = "coreml_pte"
    runtime = "executorch"
    backend = "coreml"
    platforms = ("ios",)
    precisions = ("fp16", "fp32")
    default_precisions = ("fp16",)
    legacy = False
    summary = "ExecuTorch .pte with the Core ML delegate (iOS; lowers on Linux, runs only on Apple devices)"

    def unavailable_reason(self) -> str | None:
        for package in ("coremltools", "executorch"):
            if importlib.util.find_spec(package) is None:
                return f"needs the Python package {package}"
        return None

    def build(self, ctx: BuildContext, precision: str) -> Artifact:
        """Lower with ``CoreMLPartitioner`` (``MODEL`` type; ``COMPILED_MODEL`` needs macOS) and save the ``.pte``."""
        self.require_precision(precision)
        ct = _import_ct(self.name)
        if importlib.util.find_spec("executorch") is None:
            raise MissingDependencyError(self.name, "executorch")
        from executorch.backends.apple.coreml.compiler import CoreMLBackend
        from executorch.backends.apple.coreml.partition import CoreMLPartitioner
        from executorch.exir import to_edge_transform_and_lower

        from mobilekit.export.targets.delegation import collect_why, delegation_report, not_delegated_notes

        start = time.perf_counter()
        compute = ct.precision.FLOAT32 if precision == "fp32" else ct.precision.FLOAT16
        specs = CoreMLBackend.generate_compile_specs(
            minimum_deployment_target=_ios(ct, ctx.config.coreml_min_ios), compute_precision=compute
        )
        try:
            with _quiet(), collect_why("executorch.backends.apple.coreml") as why:
                edge = to_edge_transform_and_lower(
                    ctx.exported_fp32(),
                    transform_passes=[fill_default_args],
                    partitioner=[CoreMLPartitioner(compile_specs=specs)],
                )
                program = edge.to_executorch()
        except Exception as exc:  # noqa: BLE001
            raise _convert_error(self.name, ctx, exc) from exc
        delegation = delegation_report(edge.exported_program().graph_module, why, "Core ML")
        dest = ctx.artifact_path("coreml", precision, "pte")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(program.buffer)
        return Artifact(
            path=dest,
            target=self.name,
            runtime=self.runtime,
            backend=self.backend,
            precision=precision,
            platforms=self.platforms,
            minimum_os=f"iOS {ctx.config.coreml_min_ios}",
            quantization={"mode": "none"},
            delegation=delegation,
            notes=[
                "ExecuTorch + Core ML delegate; the app must link the coreml_backend. Input is a tensor "
                "(no ImageType inside a .pte)."
            ] + not_delegated_notes(delegation, "Core ML"),
            build_seconds=time.perf_counter() - start,
        )

    def host_runner(self, artifact: Artifact) -> HostRunner:
        raise SkipValidation(
            "The Core ML delegate runs only on Apple devices: the ExecuTorch runtime on this host has no "
            "CoreMLBackend registered"
        )

    def check_artifact(self, artifact: Artifact, ctx: BuildContext) -> list[str]:
        """The ``.pte`` is a valid program that delegates to CoreMLBackend."""
        data = artifact.path.read_bytes()
        if data[4:6] != b"ET":
            raise TargetError(f"The {self.name} artifact is not an ExecuTorch program (bad header).")
        if b"CoreMLBackend" not in data:
            raise TargetError(f"The {self.name} artifact delegates nothing to CoreMLBackend.")
        return [f"{len(data)} B ExecuTorch program delegating to CoreMLBackend"]


def _graph_runner(graph):
    """A host runner over a (quantized) torch graph module."""
    import torch

    def run(sample) -> list[np.ndarray]:
        with torch.no_grad():
            out = graph(*sample)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return [o.detach().float().numpy() for o in outs]

    return run


# ---- spec helpers ----------------------------------------------------------------------------------


def describe_io(target: str, spec, model) -> list[str]:
    """Check a Core ML spec's inputs/outputs against the model's manifest specs; return notes."""
    ins, outs = list(spec.description.input), list(spec.description.output)
    check_names("inputs", target, [i.name for i in ins], [i.name for i in model.inputs])
    check_names("outputs", target, [o.name for o in outs], [o.name for o in model.outputs])
    notes = []
    for desc, want in zip(ins, model.inputs):
        kind = desc.type.WhichOneof("Type")
        if kind == "imageType":
            img = desc.type.imageType
            got = [1, 1 if img.colorSpace == img.GRAYSCALE else 3, img.height, img.width]
            color = img.ColorSpace.Name(img.colorSpace)
            notes.append(f"input {desc.name!r}: ImageType {color} {img.width}x{img.height}")
        else:
            arr = desc.type.multiArrayType
            got = list(arr.shape)
            dtype = arr.ArrayDataType.Name(arr.dataType)
            if want.is_integer and dtype != "INT32":
                raise TargetError(
                    f"The {target} input {desc.name!r} is {dtype}; the manifest's {want.dtype} input must be INT32 in Core ML."
                )
            if not want.is_integer and dtype == "INT32":
                raise TargetError(f"The {target} input {desc.name!r} is INT32, the manifest says {want.dtype}.")
            if want.is_integer and want.dtype != "int32":
                notes.append(f"input {desc.name!r}: MultiArray {got} INT32 (manifest {want.dtype}: apps cast to int32)")
            else:
                notes.append(f"input {desc.name!r}: MultiArray {got} {dtype}")
        if not _same_shape(got, list(want.shape), model.dynamic_batch):
            raise TargetError(f"The {target} input {desc.name!r} has shape {got}, the manifest says {list(want.shape)}.")
    for desc, want in zip(outs, model.outputs):
        arr = desc.type.multiArrayType
        got = list(arr.shape)
        dtype = arr.ArrayDataType.Name(arr.dataType)
        if got and not _same_shape(got, list(want.shape), model.dynamic_batch):
            raise TargetError(f"The {target} output {desc.name!r} has shape {got}, the manifest says {list(want.shape)}.")
        if dtype != want.dtype.upper():
            raise TargetError(f"The {target} output {desc.name!r} is {dtype}, the manifest says {want.dtype}.")
        notes.append(f"output {desc.name!r}: MultiArray {got} {dtype}")
    return notes


def _same_shape(got: list[int], want: list[int], dynamic_batch: bool) -> bool:
    """Equal shapes; with a dynamic batch only the non-batch dimensions must agree."""
    if dynamic_batch:
        return len(got) == len(want) and got[1:] == want[1:]
    return got == want


def mil_histograms(spec) -> tuple[Counter, Counter]:
    """(op type -> count, weight dtype -> element count) over an ML Program's const/constexpr tensors."""
    from coremltools.proto import MIL_pb2

    ops: Counter = Counter()
    weights: Counter = Counter()

    def count(value) -> None:
        tensor = value.type.tensorType if value.type.WhichOneof("type") == "tensorType" else None
        if tensor is None or not tensor.dimensions:
            return
        n = 1
        for d in tensor.dimensions:
            n *= d.constant.size
        if n >= 16:
            weights[MIL_pb2.DataType.Name(tensor.dataType)] += n

    for function in spec.mlProgram.functions.values():
        for block in function.block_specializations.values():
            for op in block.operations:
                ops[op.type] += 1
                if op.type == "const" or op.type.startswith("constexpr"):
                    for key, value in op.attributes.items():
                        if key in ("val", "quantized_data", "indices", "data"):
                            count(value)
                    for arg in op.inputs.values():
                        for binding in arg.arguments:
                            if binding.WhichOneof("binding") == "value":
                                count(binding.value)
    return ops, weights


def strip_debug_mapping(package: Path) -> None:
    """Drop ``executorch_debug_handle_mapping.json``: coremltools writes it for ExportedProgram inputs
    (ExecuTorch debug handles, ~20 KB on a small CNN); it is not in the package manifest and no app reads it."""
    (package / "executorch_debug_handle_mapping.json").unlink(missing_ok=True)


def weight_bin_bytes(package: Path) -> int:
    """Bytes of the weight blobs inside an ``.mlpackage``."""
    return sum(p.stat().st_size for p in package.rglob("*.bin") if p.is_file())


def _as_int32(arr: np.ndarray, name: str) -> np.ndarray:
    """Integer sample data (int64 token ids, masks) as the int32 a Core ML input takes; refuses overflow."""
    arr = np.asarray(arr)
    if arr.size and (arr.max() > np.iinfo(np.int32).max or arr.min() < np.iinfo(np.int32).min):
        raise ValueError(f"input {name!r} holds values outside int32, which Core ML inputs cannot take")
    return arr.astype(np.int32)


def _to_pil(arr: np.ndarray, scale: float, bias: list[float], gray: bool):
    """A preprocessed float tensor [1, C, H, W] back to the 8-bit image a Core ML ImageType takes."""
    from PIL import Image

    pixels = (arr[0] - np.asarray(bias, dtype=np.float32).reshape(-1, 1, 1)) / np.float32(scale)
    pixels = np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels[0], "L") if gray else Image.fromarray(pixels.transpose(1, 2, 0), "RGB")
