"""Legacy PyTorch Mobile target: a lite-interpreter ``.ptl`` quantized for the qnnpack engine.

Flow (the one in the PyTorch Mobile docs): FX graph-mode static quantization with the qnnpack
qconfig mapping (fuses conv-bn-relu, handles residual ``x + y`` without ``FloatFunctional``),
calibrate on the bundle's shared samples, ``convert_fx``, ``torch.jit.script``, then
``optimize_for_mobile`` (or ``torch.jit.freeze`` where this torch build lacks XNNPACK), then
``_save_for_lite_interpreter``. ``torch.backends.quantized.engine`` is set to qnnpack only inside
:func:`qnnpack_engine`, around this target's build and host runs.
"""

from __future__ import annotations

import contextlib
import copy
import io
import time
import warnings
from typing import Iterator

import numpy as np

from mobilekit.export.config import INT8_DYNAMIC
from mobilekit.export.quant.pt2e import quant_record
from mobilekit.export.targets._common import unsupported_op_error
from mobilekit.export.targets.base import Artifact, BuildContext, HostRunner, Target, TargetError

# Operator namespaces the prebuilt PyTorch Mobile lite runtime (pytorch_android_lite) carries.
MOBILE_NAMESPACES = ("aten", "prim", "quantized", "prepacked", "_quantized")
_ALTERNATIVES = "the ExecuTorch target (--targets xnnpack) or --targets onnx"


@contextlib.contextmanager
def qnnpack_engine() -> Iterator[None]:
    """Set ``torch.backends.quantized.engine`` to qnnpack for the block and restore the previous value."""
    import torch

    if "qnnpack" not in torch.backends.quantized.supported_engines:
        raise TargetError(
            "This torch build has no qnnpack quantized engine, which the ptl target needs.",
            f"Supported engines here: {torch.backends.quantized.supported_engines}. Use --targets xnnpack.",
        )
    previous = torch.backends.quantized.engine
    torch.backends.quantized.engine = "qnnpack"
    try:
        yield
    finally:
        torch.backends.quantized.engine = previous


class PtlTarget(Target):
    """PyTorch Mobile lite interpreter (``.ptl``) with qnnpack INT8 kernels: legacy, Android only."""

    name = "ptl"
    runtime = "pytorch_mobile"
    backend = "qnnpack"
    platforms = ("android",)
    precisions = ("int8", "fp32", INT8_DYNAMIC)
    default_precisions = ("int8",)
    legacy = True
    summary = (
        "Legacy PyTorch Mobile lite interpreter (.ptl, qnnpack INT8): PyTorch Mobile is deprecated and "
        "unmaintained; ExecuTorch (--targets xnnpack) is its successor and the recommended path"
    )

    def build(self, ctx: BuildContext, precision: str) -> Artifact:
        """Quantize (int8) or not (fp32), script, freeze/optimize and save ``<name>.qnnpack.<precision>.ptl``."""
        self.require_precision(precision)
        start = time.perf_counter()
        notes = [
            "Legacy: PyTorch Mobile is deprecated and no longer maintained; prefer the ExecuTorch .pte "
            "(XNNPACK) artifact, which runs the same models faster on a maintained runtime."
        ]
        quantization: dict = {"mode": "none"}
        with qnnpack_engine(), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", UserWarning)
            module = copy.deepcopy(ctx.model.module).eval()
            if precision == "int8":
                module, quantization, more = self._quantize(ctx, module)
                notes += more
            elif precision == INT8_DYNAMIC:
                module, quantization, more = self._quantize_dynamic(ctx, module)
                notes += more
            scripted, how = self._script(ctx, module)
            notes.append(how)
            if precision == INT8_DYNAMIC and (quantization.get("embeddings") or {}).get("tables"):
                # torch.jit.freeze (and optimize_for_mobile, which freezes) writes each quantized embedding
                # table twice (packed params + a folded copy): 34 MB instead of 23 MB for all-MiniLM-L6-v2.
                mobile = scripted.eval()
                notes.append("Not frozen: freezing stores each quantized embedding table twice in the .ptl.")
            else:
                mobile, how = self._optimize(scripted)
                notes.append(how)
            dest = ctx.artifact_path("qnnpack", precision, "ptl")
            dest.parent.mkdir(parents=True, exist_ok=True)
            mobile._save_for_lite_interpreter(str(dest))
            self._check_operators(ctx, dest)
        return Artifact(
            path=dest,
            target=self.name,
            runtime=self.runtime,
            backend=self.backend,
            precision=precision,
            platforms=self.platforms,
            quantization=quantization,
            legacy=True,
            notes=notes,
            build_seconds=time.perf_counter() - start,
        )

    def _quantize(self, ctx: BuildContext, module) -> tuple[object, dict, list[str]]:
        """FX graph-mode static INT8 with the qnnpack qconfig mapping (fusion is part of prepare_fx)."""
        import torch
        from torch.ao.quantization import get_default_qconfig_mapping
        from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

        recipe = ctx.config.quant
        if recipe.mode != "static":
            raise TargetError(
                f"The {self.name} target builds static INT8 only, not {recipe.mode!r}.",
                "Use the static recipe for ptl, or --targets onnx / xnnpack for dynamic INT8.",
            )
        mapping = get_default_qconfig_mapping("qnnpack").set_global(_qconfig(recipe))
        kept = _apply_keep_float(self.name, module, mapping, recipe.keep_float)
        try:
            prepared = prepare_fx(module, mapping, example_inputs=tuple(ctx.model.example_inputs))
        except Exception as exc:  # noqa: BLE001 - symbolic tracing failures become a user-facing error
            raise TargetError(
                f"The {self.name} target could not trace the model with torch.fx for quantization: {exc}",
                f"FX tracing needs Python control flow that does not depend on tensor values. Try {_ALTERNATIVES}.",
            ) from exc
        samples = ctx.calibration_samples()
        if not samples:
            raise TargetError(f"The {self.name} target needs calibration samples for static INT8.")
        with torch.no_grad():
            for sample in samples:
                prepared(*sample)
        converted = convert_fx(prepared)
        for node in converted.graph.nodes:  # FX writes `image: _torch_Tensor_`, which torch.jit.script rejects
            node.type = None
        converted.recompile()
        record = quant_record(
            "static",
            "w8a8",
            engine="qnnpack (torch.ao FX graph mode)",
            granularity=recipe.granularity.value,
            symmetric=True,
            samples=len(samples),
            source=ctx.calibration_source,
            observer=recipe.observer.value,
            keep_float=recipe.keep_float,
        )
        notes = [
            "FX graph-mode quantization (prepare_fx/convert_fx, qnnpack qconfig mapping with "
            f"{recipe.granularity.value} symmetric INT8 weights and per-tensor affine UINT8 activations, "
            f"{recipe.observer.value} observer); FX covers residual adds and functional ops that eager mode "
            "needs FloatFunctional/QuantStub edits for."
        ]
        if kept:
            notes.append(f"Kept in float: {', '.join(kept)}.")
        return converted, record, notes

    def _quantize_dynamic(self, ctx: BuildContext, module) -> tuple[object, dict, list[str]]:
        """Eager dynamic INT8 (``quantize_dynamic``): INT8 weights for Linear/LSTM/GRU, activations quantized at
        run time by the qnnpack kernels; nn.Embedding tables weight-only (8 or 4 bit) per the recipe."""
        import torch
        from torch import nn
        from torch.ao.quantization import qconfig as qc
        from torch.ao.quantization import quantize_dynamic

        keep = set(ctx.config.quant.keep_float)
        names = dict(module.named_modules())
        unknown = [k for k in keep if k not in names]
        if unknown:
            raise TargetError(
                f"--keep-float {unknown[0]!r} names no module of the model ({self.name} int8dyn).",
                "Give a name from model.named_modules().",
            )
        per_channel = getattr(ctx.config.quant, "granularity", None) is not None and (
            ctx.config.quant.granularity.value == "per_channel"
        )
        linear_qconfig = qc.per_channel_dynamic_qconfig if per_channel else qc.default_dynamic_qconfig
        spec: dict = {}
        for name, m in names.items():
            if not name or name in keep or any(name.startswith(k + ".") for k in keep):
                continue
            if type(m) is nn.Linear:
                spec[name] = linear_qconfig
            elif type(m) in (nn.LSTM, nn.GRU):
                spec[name] = qc.default_dynamic_qconfig  # the dynamic RNN modules take per-tensor weights
        bits = ctx.config.embedding_bits_for(INT8_DYNAMIC)
        tables = [n for n, m in names.items() if type(m) is nn.Embedding and n and n not in keep]
        emb_record = None
        if bits and tables:
            emb_qconfig = qc.float_qparams_weight_only_qconfig if bits == 8 else qc.float_qparams_weight_only_qconfig_4bit
            for name in tables:
                spec[name] = emb_qconfig
            emb_record = {"bits": bits, "granularity": "per_channel", "tables": tables,
                          "engine": "torch.ao quantize_dynamic (float_qparams weight-only, per row)"}
        if not spec:
            raise TargetError(
                f"The {self.name} int8dyn recipe found no nn.Linear, nn.LSTM, nn.GRU or nn.Embedding to quantize.",
                "Dynamic INT8 helps linear/recurrent models; use --precision int8 (static) for conv models.",
            )
        try:
            quantized = quantize_dynamic(module, spec, dtype=torch.qint8)
        except Exception as exc:  # noqa: BLE001
            raise TargetError(
                f"The {self.name} target could not quantize the model dynamically: {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}",
                f"Try --keep-float LAYER, or {_ALTERNATIVES} (int8dyn).",
            ) from exc
        kinds = sorted({type(names[n]).__name__ for n in spec if n not in tables})
        record = quant_record(
            "dynamic",
            "w8a8-dynamic",
            engine="qnnpack (torch.ao quantize_dynamic)",
            granularity="per_channel" if per_channel and "Linear" in kinds else "per_tensor",
            symmetric=True,
            keep_float=tuple(sorted(keep)),
        )
        record["embeddings"] = emb_record
        notes = [
            f"Dynamic INT8 (torch.ao quantize_dynamic, qnnpack): INT8 weights for {', '.join(kinds) or 'no layer'} "
            f"({'per-channel Linear, ' if per_channel and 'Linear' in kinds else ''}per-tensor LSTM/GRU), "
            "activations quantized per tensor at run time (qnnpack's dynamic linear; torchao/XNNPACK int8dyn uses "
            "per-token scales, which transformers tolerate better); no calibration data."
        ]
        if emb_record:
            notes.append(f"Embedding tables {', '.join(tables)}: {bits}-bit weight-only, one scale per row.")
        elif tables:
            notes.append(f"Embedding tables {', '.join(tables)} stay float (--embeddings none or keep-float).")
        return quantized, record, notes

    def _script(self, ctx: BuildContext, module) -> tuple[object, str]:
        import torch

        try:
            return torch.jit.script(module), "TorchScript via torch.jit.script."
        except Exception as script_exc:  # noqa: BLE001 - tracing is the documented fallback
            try:
                with torch.no_grad():
                    traced = torch.jit.trace(module, tuple(ctx.model.example_inputs))
                return traced, f"TorchScript via torch.jit.trace (script failed: {str(script_exc).splitlines()[0]})."
            except Exception as exc:  # noqa: BLE001
                raise TargetError(
                    f"The {self.name} target could not turn the model into TorchScript: {str(exc).splitlines()[0]}",
                    f"Try {_ALTERNATIVES}.",
                ) from exc

    def _optimize(self, scripted) -> tuple[object, str]:
        import torch

        scripted = scripted.eval()
        try:
            from torch.utils.mobile_optimizer import optimize_for_mobile

            with contextlib.redirect_stderr(io.StringIO()):
                return optimize_for_mobile(scripted), "optimize_for_mobile applied."
        except Exception as exc:  # noqa: BLE001 - "XNNPACK is not enabled" on this torch build
            text = str(exc).strip()
            reason = "XNNPACK is not enabled in this torch build" if "XNNPACK is not enabled" in text else text[:200]
            return torch.jit.freeze(scripted), f"optimize_for_mobile failed ({reason}); used torch.jit.freeze instead."

    def _check_operators(self, ctx: BuildContext, path) -> None:
        """Every operator must exist in the stock lite runtime: custom ops would fail on the phone."""
        import torch
        import torch.jit.mobile

        mobile = torch.jit.mobile._load_for_lite_interpreter(str(path))
        ops = sorted(torch.jit.mobile._export_operator_list(mobile))
        foreign = [op for op in ops if op.split("::")[0] not in MOBILE_NAMESPACES]
        if foreign:
            from mobilekit.export.targets._common import locate_op

            path.unlink(missing_ok=True)
            op = foreign[0].split(".")[0]
            layer, source = locate_op(ctx, op.replace("::", "."))
            raise unsupported_op_error(
                self.name,
                op,
                layer,
                source,
                alternatives="the ExecuTorch target (--targets xnnpack, which links custom-op kernels into the app)",
                detail="The stock PyTorch Mobile lite runtime has only aten/prim/quantized operators "
                f"(custom ops need a custom-built runtime); foreign ops: {', '.join(foreign)}.",
                keep_float_helps=False,
            )

    # ---- validation --------------------------------------------------------------------------------

    def host_runner(self, artifact: Artifact) -> HostRunner:
        """The lite interpreter on the host (``_load_for_lite_interpreter``), under the qnnpack engine."""
        import torch
        import torch.jit.mobile

        with qnnpack_engine():
            module = torch.jit.mobile._load_for_lite_interpreter(str(artifact.path))

        def run(sample) -> list[np.ndarray]:
            with qnnpack_engine(), torch.no_grad():
                out = module(*sample)
            outs = out if isinstance(out, (tuple, list)) else [out]
            return [o.detach().numpy() for o in outs]

        return run

    def check_artifact(self, artifact: Artifact, ctx: BuildContext) -> list[str]:
        """Loads in the lite interpreter, lists its operators, and counts the quantized ones for int8."""
        import torch
        import torch.jit.mobile

        with qnnpack_engine():
            mobile = torch.jit.mobile._load_for_lite_interpreter(str(artifact.path))
        ops = sorted(torch.jit.mobile._export_operator_list(mobile))
        quantized = [op for op in ops if op.startswith("quantized::")]
        if artifact.precision in ("int8", INT8_DYNAMIC) and not quantized:
            raise TargetError(f"The {self.name} INT8 artifact has no quantized operators: {ops}")
        return [f"lite-interpreter operators: {', '.join(ops)}"]


def _qconfig(recipe):
    """The qnnpack QConfig for a static recipe: UINT8 affine activations, INT8 symmetric weights."""
    import torch
    from torch.ao.quantization import QConfig
    from torch.ao.quantization import observer as obs

    activation = {
        "histogram": obs.HistogramObserver,
        "minmax": obs.MinMaxObserver,
        "moving_average_minmax": obs.MovingAverageMinMaxObserver,
        "percentile": obs.HistogramObserver,  # torch.ao has no percentile observer; the histogram one also clips outliers
    }[recipe.observer.value].with_args(dtype=torch.quint8, reduce_range=False)
    if recipe.granularity.value == "per_channel":
        weight = obs.PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
    else:
        weight = obs.MinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    return QConfig(activation=activation, weight=weight)


def _apply_keep_float(target: str, module, mapping, keep_float: tuple[str, ...]) -> list[str]:
    """``keep_float`` entries (module names or class names) -> ``qconfig_mapping`` entries set to None."""
    names = dict(module.named_modules())
    classes = {type(m).__name__: type(m) for m in names.values()}
    classes.update({f"{type(m).__module__}.{type(m).__name__}": type(m) for m in names.values()})
    kept = []
    for entry in keep_float:
        if entry in names and entry:
            mapping.set_module_name(entry, None)
        elif entry in classes:
            mapping.set_object_type(classes[entry], None)
        elif entry.split(".")[-1] in classes:
            mapping.set_object_type(classes[entry.split(".")[-1]], None)
        else:
            raise TargetError(
                f"--keep-float {entry!r} names no module or module class of the model ({target} target).",
                "Give a name from model.named_modules() or a class name such as Linear.",
            )
        kept.append(entry)
    return kept
