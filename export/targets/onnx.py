"""ONNX Runtime target: a QDQ INT8 (or FP32) ``.onnx`` plus its ``.ort`` conversion for ORT Mobile.

Flow: ``torch.onnx.export`` (the dynamo exporter; the TorchScript exporter only where dynamo fails)
-> ``quant_pre_process`` -> ``quantize_static`` (QDQ, per-channel INT8 weights, UINT8 activations,
calibrated on the bundle's shared calibration samples) or ``quantize_dynamic`` -> ``.ort``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from mobilekit.export.config import INT8_DYNAMIC, W4A8_DYNAMIC, DynamicInt8Config
from mobilekit.export.quant.pt2e import quant_record
from mobilekit.export.targets._common import (
    check_names,
    locate_op,
    unsupported_op_error,
)
from mobilekit.export.targets.base import (
    Artifact,
    BuildContext,
    HostRunner,
    MissingDependencyError,
    Target,
    TargetError,
)

_PACKAGES = ("onnx", "onnxruntime", "onnxscript")
_ALTERNATIVES = "another target (--targets xnnpack or --targets ptl)"
X64_NOTE = (
    "Host validation sets the ONNX Runtime session option session.x64quantprecision=1: on x86-64 with AVX2 "
    "and no VNNI the u8s8 kernels saturate (about 16 dB SQNR instead of about 40 dB). ARM phones do not have "
    "this problem; the option changes nothing about the model file."
)
ACTIVATION_NOTE = (
    "QDQ with per-channel symmetric INT8 weights and asymmetric UINT8 activations (U8S8): what NNAPI "
    "(TENSOR_QUANT8_ASYMM activations) and the ARM64 CPU/XNNPACK kernels run natively."
)


NBITS_NOTE = ("MatMulNBits is an ONNX Runtime contrib op (com.microsoft): in the full onnxruntime-android/-ios "
              "packages the apps link, not in a reduced-operator custom build unless its .config lists it.")


def _embedding_gathers(graph) -> list[str]:
    """Gather nodes that read a weight initializer: the embedding tables."""
    weights = {i.name for i in graph.initializer}
    return [n.name for n in graph.node if n.op_type == "Gather" and n.input[0] in weights]


def _layer_nodes(graph, layers) -> list[str]:
    """Names of the ONNX nodes that belong to module paths ``layers`` (no error for a layer with none)."""
    out = []
    for layer in layers:
        out += [n.name for n in graph.node if layer in _scopes(n)]
    return out


class OnnxTarget(Target):
    """ONNX Runtime (CPU EP; XNNPACK/NNAPI/Core ML EPs on phones) with a QDQ INT8 model."""

    name = "onnx"
    runtime = "onnxruntime"
    backend = "cpu"
    platforms = ("android", "ios")
    precisions = ("int8", "fp32", INT8_DYNAMIC, W4A8_DYNAMIC)
    default_precisions = ("int8",)
    legacy = False
    summary = "ONNX Runtime Mobile: QDQ INT8 .onnx plus an .ort conversion (CPU, XNNPACK, NNAPI or Core ML EPs)"

    def unavailable_reason(self) -> str | None:
        missing = [p for p in _PACKAGES if importlib.util.find_spec(p) is None]
        return f"needs the Python package(s) {', '.join(missing)} (pip install mobilekit[onnx])" if missing else None

    def _require(self) -> None:
        for package in _PACKAGES:
            if importlib.util.find_spec(package) is None:
                raise MissingDependencyError(self.name, package)

    # ---- build -------------------------------------------------------------------------------------

    def build(self, ctx: BuildContext, precision: str) -> Artifact:
        """Export, quantize and convert to ``.ort``; write ``<name>.ort.<precision>.onnx`` and companions."""
        self.require_precision(precision)
        self._require()
        start = time.perf_counter()
        notes: list[str] = []
        with tempfile.TemporaryDirectory(prefix="mobilekit-onnx-") as tmp:
            work = Path(tmp)
            fp32, export_notes = self._export(ctx, work)
            notes += export_notes
            quantization: dict = {"mode": "none"}
            if precision == "fp32":
                produced = fp32
            elif precision == W4A8_DYNAMIC:
                produced, quantization, more = self._quantize_nbits(ctx, fp32, work)
                notes += more
            else:
                produced, quantization, more = self._quantize(ctx, fp32, work, dynamic=precision == INT8_DYNAMIC)
                notes += more
            dest = ctx.artifact_path("ort", precision, "onnx")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(produced, dest)
        extra, ort_note = self._to_ort(dest)
        notes.append(ort_note)
        notes.append(X64_NOTE)
        if quantization["mode"] == "static":
            notes.append(ACTIVATION_NOTE)
        return Artifact(
            path=dest,
            target=self.name,
            runtime=self.runtime,
            backend=self.backend,
            precision=precision,
            platforms=self.platforms,
            quantization=quantization,
            extra_files=tuple(extra),
            notes=notes,
            build_seconds=time.perf_counter() - start,
        )

    def _export(self, ctx: BuildContext, work: Path) -> tuple[Path, list[str]]:
        """FP32 ONNX in ``work`` and notes on how it was exported. Cached per context."""
        import torch

        data, notes = ctx.cached("onnx:fp32", lambda: self._export_bytes(ctx, torch))
        path = work / "fp32.onnx"
        path.write_bytes(data)
        return path, list(notes)

    def _export_bytes(self, ctx: BuildContext, torch) -> tuple[bytes, list[str]]:
        """The dynamo exporter first; the TorchScript exporter where it fails (its trace warnings kept)."""
        model = ctx.model
        kwargs = dict(
            input_names=[i.name for i in model.inputs],
            output_names=[o.name for o in model.outputs],
        )
        if model.dynamic_batch:
            kwargs["dynamic_axes"] = {n: {0: "batch"} for n in kwargs["input_names"] + kwargs["output_names"]}
        errors: list[BaseException] = []
        with tempfile.TemporaryDirectory(prefix="mobilekit-onnx-export-") as tmp:
            path = Path(tmp) / "model.onnx"
            for dynamo in (True, False):
                try:
                    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
                        warnings.simplefilter("always")
                        torch.onnx.export(
                            model.module,
                            tuple(model.example_inputs),
                            str(path),
                            dynamo=dynamo,
                            external_data=False,
                            verbose=False,
                            **kwargs,
                        )
                    if dynamo:
                        _rename_io(path, kwargs["input_names"], kwargs["output_names"])
                        return path.read_bytes(), ["Exported with the dynamo (torch.export) ONNX exporter."]
                    notes = [f"Exported with the TorchScript ONNX exporter (dynamo exporter failed: {_first_line(errors[0])})."]
                    traced = sorted({str(w.message).split(".")[0] for w in caught if w.category.__name__ == "TracerWarning"})
                    notes += [f"Trace warning: {m}; the ONNX graph holds the branch taken for the example input." for m in traced]
                    return path.read_bytes(), notes
                except Exception as exc:  # noqa: BLE001 - both exporters are tried, then diagnosed
                    errors.append(exc)
        raise self._export_error(ctx, errors)

    def _export_error(self, ctx: BuildContext, errors: list[BaseException]) -> TargetError:
        text = "\n".join(str(e) for e in errors)
        op = _op_from_message(text)
        if op:
            layer, source = locate_op(ctx, op)
            return unsupported_op_error(
                self.name,
                op,
                layer,
                source,
                alternatives=_ALTERNATIVES,
                detail="Neither the dynamo nor the TorchScript ONNX exporter has a conversion for it.",
                keep_float_helps=False,
            )
        return TargetError(
            f"The {self.name} target could not export the model to ONNX: {_first_line(errors[0])} "
            f"(TorchScript exporter: {_first_line(errors[-1])})",
            f"Try {_ALTERNATIVES}.",
        )

    @staticmethod
    def _matmul_nbits(src: Path, dst: Path, bits: int, group: int, exclude: list[str]) -> int:
        """MatMul weights in ``bits``-bit blocks of ``group`` (MatMulNBits, accuracy level 4: activations
        quantized to INT8 per block at run time); returns how many MatMuls it took."""
        import onnx
        from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

        model = onnx.load(str(src))
        cfg = DefaultWeightOnlyQuantConfig(block_size=group, is_symmetric=True, accuracy_level=4, bits=bits,
                                           op_types_to_quantize=("MatMul",), quant_axes=(("MatMul", 0),))
        quant = MatMulNBitsQuantizer(model, algo_config=cfg, nodes_to_exclude=exclude)
        quant.process()
        onnx.save_model(quant.model.model, str(dst))
        return sum(1 for n in quant.model.model.graph.node if n.op_type == "MatMulNBits")

    def _quantize_nbits(self, ctx: BuildContext, fp32: Path, work: Path) -> tuple[Path, dict, list[str]]:
        """8da4w: 4-bit block-wise MatMul weights (MatMulNBits, INT8 activations at run time); the linear layers
        the bundle keeps at 8 bits get 8-bit blocks; embedding tables (Gather) INT8 through quantize_dynamic.
        4-bit Gather tables (GatherBlockQuantized) are not used: ONNX Runtime 1.31 cannot store their int4
        initialisers in the .ort format the apps load."""
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        from mobilekit.export.quant.weights import eight_bit_layers

        group = ctx.config.group_size
        eight, choice = eight_bit_layers(ctx, W4A8_DYNAMIC)
        graph = onnx.load(str(fp32)).graph
        matmuls = {x.name for x in graph.node if x.op_type == "MatMul"}
        eight_nodes = [n for n in _layer_nodes(graph, eight) if n in matmuls]
        step = work / "nbits4.onnx"
        n4 = self._matmul_nbits(fp32, step, 4, group, eight_nodes)
        n8 = 0
        if eight_nodes:
            step8 = work / "nbits8.onnx"
            n8 = self._matmul_nbits(step, step8, 8, group, [])
            step = step8
        gathers = _embedding_gathers(onnx.load(str(step)).graph)
        emb_bits = ctx.config.embedding_bits_for(W4A8_DYNAMIC)
        out = work / "8da4w.onnx"
        if emb_bits and gathers:
            quantize_dynamic(str(step), str(out), op_types_to_quantize=["Gather"], nodes_to_quantize=gathers,
                             per_channel=True, weight_type=QuantType.QInt8)
        else:
            shutil.copyfile(step, out)
        record = quant_record("dynamic", "w4a8-dynamic", engine="onnxruntime MatMulNBits (4-bit, accuracy_level 4)",
                              granularity="per_group", symmetric=True)
        record["group_size"] = group
        if eight:
            record["int8_layers"] = list(eight)
        if choice is not None:
            record["mixed_precision"] = choice
        record["embeddings"] = ({"bits": 8, "granularity": "per_tensor", "engine": "quantize_dynamic Gather",
                                 "tables": len(gathers)} if emb_bits and gathers else None)
        notes = [f"{n4} MatMul weights in 4-bit blocks of {group}, {n8} in 8-bit blocks (MatMulNBits; activations "
                 "quantized to INT8 per block at run time, accuracy_level 4)"
                 + (f"; {len(gathers)} embedding tables INT8 (4-bit Gather tables cannot be stored in .ort by ONNX "
                    "Runtime 1.31)" if emb_bits and gathers else "") + ". " + NBITS_NOTE]
        return out, record, notes

    def _dynamic_blockwise(self, ctx: BuildContext, fp32: Path, work: Path, exclude: list[str]) -> tuple[Path, dict, list[str]]:
        """int8dyn for linear (transformer) models: MatMul weights in INT8 blocks of 32 with INT8 activations
        quantized per block at run time (MatMulNBits, bits 8, accuracy level 4), then quantize_dynamic for
        what MatMulNBits does not cover (Gemm, LSTM, GRU, embedding Gathers).

        Why not quantize_dynamic alone: its one activation scale per tensor costs MiniLM about 0.013 of
        cosine on its worst sentence (0.987); per-block activation scales keep it at 0.998. Recurrent graphs
        and convolutional graphs take the quantize_dynamic path after quant_pre_process instead."""
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        step = work / "nbits8.onnx"
        n8 = self._matmul_nbits(fp32, step, 8, 32, exclude)
        gathers = _embedding_gathers(onnx.load(str(step)).graph)
        ops = ["Gemm", "LSTM", "GRU"]
        bits = ctx.config.embedding_bits_for(INT8_DYNAMIC)
        if bits:
            ops.append("Gather")
        out = work / "int8dyn.onnx"
        quantize_dynamic(str(step), str(out), op_types_to_quantize=ops, per_channel=True, weight_type=QuantType.QInt8,
                         nodes_to_exclude=exclude, extra_options={"MatMulConstBOnly": True})
        counts: dict = {}
        for n in onnx.load(str(out)).graph.node:
            counts[n.op_type] = counts.get(n.op_type, 0) + 1
        record = quant_record("dynamic", "w8a8-dynamic", engine="onnxruntime MatMulNBits (8-bit, accuracy_level 4) + quantize_dynamic",
                              granularity="per_group", symmetric=True, keep_float=ctx.config.quant.keep_float)
        record["group_size"] = 32
        record["embeddings"] = {"bits": 8, "granularity": "per_tensor", "engine": "quantize_dynamic Gather",
                                "tables": len(gathers)} if bits and gathers else None
        done = {k: v for k, v in counts.items() if k in ("MatMulNBits", "DynamicQuantizeLSTM", "MatMulInteger",
                                                           "ConvInteger", "DynamicQuantizeMatMul")}
        notes = [f"Dynamic INT8: {n8} MatMul weights in INT8 blocks of 32 with per-block INT8 activations "
                         f"(MatMulNBits, accuracy_level 4); quantize_dynamic for Gemm/LSTM/GRU/Gather ({done}). "
                         + NBITS_NOTE]
        if exclude:
            notes.append(f"Kept in float: {', '.join(exclude)}.")
        return out, record, notes

    def _quantize(self, ctx: BuildContext, fp32: Path, work: Path, dynamic: bool = False) -> tuple[Path, dict, list[str]]:
        """quant_pre_process then quantize_static (QDQ) or quantize_dynamic, per ``ctx.config.quant`` (or ``dynamic``)."""
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic, quantize_static
        from onnxruntime.quantization.shape_inference import quant_pre_process

        recipe = ctx.config.quant
        raw = onnx.load(str(fp32)).graph
        if dynamic and not any(n.op_type in ("Conv", "LSTM", "GRU", "RNN", "Scan", "Loop") for n in raw.node):
            # from the exported graph, not quant_pre_process's: after its optimisations MatMulNBits leaves
            # MiniLM's feed-forward MatMuls (12 of 36) in float
            return self._dynamic_blockwise(ctx, fp32, work, _nodes_to_exclude(self.name, raw, raw, recipe.keep_float))
        notes: list[str] = []
        pre = work / "pre.onnx"
        try:
            quant_pre_process(str(fp32), str(pre))
        except Exception as exc:  # noqa: BLE001 - symbolic shape inference is the usual culprit
            quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
            notes.append(f"quant_pre_process ran with skip_symbolic_shape=True ({_first_line(exc)}).")
        graph = onnx.load(str(pre)).graph
        exclude = _nodes_to_exclude(self.name, raw, graph, recipe.keep_float)
        per_channel = recipe.granularity.value == "per_channel"
        out = work / "int8.onnx"
        if dynamic or isinstance(recipe, DynamicInt8Config):
            has_conv = any(n.op_type == "Conv" for n in graph.node)
            op_types = ["MatMul", "Gemm"] if has_conv else ["MatMul", "Gemm", "Attention", "LSTM", "GRU"]
            bits = ctx.config.embedding_bits_for(INT8_DYNAMIC) if dynamic else 0
            if bits and not has_conv:
                op_types.append("Gather")  # embedding tables, INT8 per row
            quantize_dynamic(
                str(pre),
                str(out),
                op_types_to_quantize=op_types,
                per_channel=per_channel,
                weight_type=QuantType.QInt8,
                nodes_to_exclude=exclude,
                # activation x activation MatMuls (attention scores) stay float: quantizing both sides at run
                # time costs far more accuracy than it saves
                extra_options={"MatMulConstBOnly": True},
            )
            if has_conv:
                notes.append("Dynamic INT8 restricted to MatMul/Gemm (ConvInteger is much slower than float Conv).")
            else:
                notes.append(f"Dynamic INT8 on {', '.join(op_types)} (quantize_dynamic, per-channel weights).")
            record = quant_record(
                "dynamic",
                "w8a8-dynamic",
                engine="onnxruntime quantize_dynamic",
                granularity=recipe.granularity.value,
                symmetric=True,
                keep_float=recipe.keep_float,
            )
            record["embeddings"] = {"bits": 8, "granularity": "per_tensor", "engine": "quantize_dynamic Gather"} if "Gather" in op_types else None
            return out, record, notes
        from onnxruntime.quantization import CalibrationMethod, QuantFormat

        method = {
            "minmax": CalibrationMethod.MinMax,
            "entropy": CalibrationMethod.Entropy,
            "percentile": CalibrationMethod.Percentile,
        }[ctx.config.onnx_calibration_method]
        samples = ctx.calibration_samples()
        if not samples:
            raise TargetError(
                f"The {self.name} target needs calibration samples for static INT8.",
                "Pass --calibration DATA, or use a dynamic recipe.",
            )
        reader = _SampleReader([i.name for i in ctx.model.inputs], samples)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_static(
                str(pre),
                str(out),
                reader,
                quant_format=QuantFormat.QDQ,
                per_channel=per_channel,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                nodes_to_exclude=exclude,
                calibrate_method=method,
                extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
            )
        record = quant_record(
            "static",
            "w8a8",
            engine="onnxruntime quantize_static QDQ (U8S8)",
            granularity=recipe.granularity.value,
            symmetric=True,
            samples=len(samples),
            source=ctx.calibration_source,
            observer=ctx.config.onnx_calibration_method,
            keep_float=recipe.keep_float,
        )
        if exclude:
            notes.append(f"Kept in float: {', '.join(exclude)}.")
        return out, record, notes

    def _to_ort(self, onnx_path: Path) -> tuple[list[str], str]:
        """Convert to ``.ort`` (fixed optimisations, ARM) and keep ``.ort`` + ``required_operators.config``."""
        from onnxruntime.tools.convert_onnx_models_to_ort import OptimizationStyle, convert_onnx_models_to_ort

        stem = onnx_path.name[: -len(".onnx")]
        with tempfile.TemporaryDirectory(prefix="mobilekit-ort-") as tmp:
            src_dir, out_dir = Path(tmp) / "src", Path(tmp) / "out"
            src_dir.mkdir()
            shutil.copyfile(onnx_path, src_dir / onnx_path.name)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    convert_onnx_models_to_ort(
                        src_dir / onnx_path.name,
                        output_dir=out_dir,
                        optimization_styles=[OptimizationStyle.Fixed],
                        target_platform="arm",
                    )
            except Exception as exc:  # noqa: BLE001 - the .onnx is still a valid artifact
                return [], f"No .ort conversion: {_first_line(exc)}"
            wanted = {".ort": f"{stem}.ort", ".required_operators.config": f"{stem}.required_operators.config"}
            extra = []
            for suffix, name in wanted.items():
                found = sorted(out_dir.glob(f"*{suffix}"))
                found = [p for p in found if ".with_runtime_opt" not in p.name]
                if found:
                    shutil.copyfile(found[0], onnx_path.parent / name)
                    extra.append(name)
        return extra, (
            f"ORT Mobile format: {', '.join(extra)} (fixed optimisations for ARM, session.qdqisint8allowed=1); "
            "the .config lists the operators a reduced ORT build needs."
        )

    # ---- validation --------------------------------------------------------------------------------

    def host_runner(self, artifact: Artifact) -> HostRunner:
        """An onnxruntime CPU session (with ``session.x64quantprecision=1``) over the ``.onnx``."""
        self._require()
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.add_session_config_entry("session.x64quantprecision", "1")
        so.log_severity_level = 3
        session = ort.InferenceSession(str(artifact.path), so, providers=["CPUExecutionProvider"])
        names = [i.name for i in session.get_inputs()]

        def run(sample) -> list[np.ndarray]:
            feeds = {n: _to_numpy(t) for n, t in zip(names, sample)}
            return [np.asarray(o) for o in session.run(None, feeds)]

        return run

    def check_artifact(self, artifact: Artifact, ctx: BuildContext) -> list[str]:
        """onnx.checker, input/output names and shapes against the manifest, QDQ node count, .ort files."""
        import onnx

        model = onnx.load(str(artifact.path))
        onnx.checker.check_model(model)
        graph = model.graph
        initializers = {i.name for i in graph.initializer}
        inputs = [i for i in graph.input if i.name not in initializers]
        check_names("inputs", self.name, [i.name for i in inputs], [i.name for i in ctx.model.inputs])
        check_names("outputs", self.name, [o.name for o in graph.output], [o.name for o in ctx.model.outputs])
        for value, spec in list(zip(inputs, ctx.model.inputs)) + list(zip(graph.output, ctx.model.outputs)):
            dims = [d.dim_value if d.HasField("dim_value") else -1 for d in value.type.tensor_type.shape.dim]
            want = [-1 if (ctx.model.dynamic_batch and k == 0) else s for k, s in enumerate(spec.shape)]
            if dims != want:
                raise TargetError(f"The {self.name} artifact's {value.name!r} has shape {dims}, the manifest says {want}.")
        ops: dict[str, int] = {}
        for node in graph.node:
            ops[node.op_type] = ops.get(node.op_type, 0) + 1
        notes = [f"ONNX opset {model.opset_import[0].version}; ops: {dict(sorted(ops.items()))}"]
        if artifact.precision == "int8":
            qdq = ops.get("QuantizeLinear", 0) + ops.get("DynamicQuantizeLinear", 0) + ops.get("MatMulInteger", 0)
            if not qdq:
                raise TargetError(f"The {self.name} INT8 artifact has no quantized nodes.")
            notes.append(f"{ops.get('QuantizeLinear', 0)} QuantizeLinear / {ops.get('DequantizeLinear', 0)} DequantizeLinear nodes")
        for name in artifact.extra_files:
            if not (artifact.path.parent / name).is_file():
                raise TargetError(f"The {self.name} artifact's companion file {name} is missing.")
            if name.endswith(".ort"):
                notes.append(self._compare_ort(artifact, artifact.path.parent / name, ctx))
        return notes

    def _compare_ort(self, artifact: Artifact, ort_path: Path, ctx: BuildContext) -> str:
        """Load the ``.ort`` in onnxruntime and compare it with the ``.onnx`` on the example input."""
        import onnxruntime as ort

        example = tuple(ctx.model.example_inputs)
        want = self.host_runner(artifact)(example)[0]
        so = ort.SessionOptions()
        so.add_session_config_entry("session.x64quantprecision", "1")
        so.log_severity_level = 3
        try:
            session = ort.InferenceSession(str(ort_path), so, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001
            raise TargetError(f"The {self.name} .ort file {ort_path.name} does not load: {_first_line(exc)}") from exc
        feeds = {i.name: _to_numpy(t) for i, t in zip(session.get_inputs(), example)}
        got = np.asarray(session.run(None, feeds)[0])
        if got.shape != want.shape or not np.all(np.isfinite(got)):
            raise TargetError(f"The {self.name} .ort file {ort_path.name} gives {got.shape} (expected {want.shape}) or non-finite values.")
        diff = float(np.max(np.abs(got - want)))
        note = f"{ort_path.name} loads in onnxruntime; max abs diff vs the .onnx on the example input {diff:.3g}"
        if artifact.precision == "int8":
            note += (
                " (the .ort holds ARM-fused QLinear kernels: on an x86 host without VNNI they saturate whatever "
                "the session options, so its host numbers understate what a phone computes)"
            )
        return note


class _SampleReader:
    """An onnxruntime ``CalibrationDataReader`` over the bundle's shared calibration samples."""

    def __init__(self, names: list[str], samples: list):
        self._names = names
        self._samples = samples
        self._next = 0

    def get_next(self) -> dict | None:
        if self._next >= len(self._samples):
            return None
        sample = self._samples[self._next]
        self._next += 1
        return {n: _to_numpy(t) for n, t in zip(self._names, sample)}

    def rewind(self) -> None:
        self._next = 0


def _to_numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    summary = re.search(r"<class '[\w.]+'>: (.+)", text)
    line = summary.group(1) if summary else (text.splitlines()[0] if text else type(exc).__name__)
    return re.sub(r"\x1b\[[0-9;]*m", "", line)[:300]


def _op_from_message(text: str) -> str | None:
    """The op a converter complained about, from the dynamo or TorchScript exporter's message."""
    patterns = (
        r"OpOverload\(op='([\w.:]+)', overload='(\w+)'\)",
        r"target=torch\.ops\.([\w.]+)",
        r"unrecognized namespace ([\w:.]+)",
        r"[Ee]xporting the operator '?([\w:.]+)'? to ONNX",
    )
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            return ".".join(g for g in match.groups() if g)
    return None


def _rename_io(path: Path, inputs: list[str], outputs: list[str]) -> None:
    """Make sure the graph's input/output names are the manifest's (the dynamo exporter honours them)."""
    import onnx

    model = onnx.load(str(path))
    if _dedupe_value_names(model.graph, set(inputs) | set(outputs)):
        onnx.save_model(model, str(path))
    got_out = [o.name for o in model.graph.output]
    if got_out == outputs and [i.name for i in model.graph.input][: len(inputs)] == inputs:
        return
    raise TargetError(
        f"The ONNX exporter named the outputs {got_out}, not {outputs}.",
        "This is a mobilekit bug; please report it with the model.",
    )


def _dedupe_value_names(graph, io_names: set[str]) -> bool:
    """Rename internal values that reuse an input/output name (the dynamo exporter can name an inner
    ``aten.embedding`` result ``embedding`` as well as the output we asked to call ``embedding``, which
    ONNX Runtime rejects as a duplicate definition). The last definition keeps the name."""
    defs: dict[str, list] = {}
    for node in graph.node:
        for out in node.output:
            if out in io_names:
                defs.setdefault(out, []).append(node)
    graph_inputs = {i.name for i in graph.input}
    changed = False
    for name, nodes in defs.items():
        # a value shadowing a graph input is renamed everywhere; an output's last definition keeps its name
        inner = nodes if name in graph_inputs else nodes[:-1]
        for k, producer in enumerate(inner):
            new = f"{name}__inner{k}"
            producer.output[list(producer.output).index(name)] = new
            start = list(graph.node).index(producer)
            for node in list(graph.node)[start + 1:]:
                if name in node.output:
                    break
                for j, inp in enumerate(node.input):
                    if inp == name:
                        node.input[j] = new
            changed = True
    return changed


def _scopes(node) -> list[str]:
    """Module paths of a dynamo-exported ONNX node (from its ``pkg.torch.onnx.name_scopes`` metadata)."""
    for prop in node.metadata_props:
        if prop.key == "pkg.torch.onnx.name_scopes":
            parts = [p for p in re.findall(r"'([^']*)'", prop.value) if p]
            # older exporters record one name a level ('features', '3'), newer ones the full path a level
            # ('encoder', 'encoder.layer.0'): offer both readings
            return [".".join(parts[: k + 1]) for k in range(len(parts))] + parts
    return []


def _classes(node) -> list[str]:
    for prop in node.metadata_props:
        if prop.key == "pkg.torch.onnx.class_hierarchy":
            return [c.split(".")[-1] for c in re.findall(r"'([^']*)'", prop.value)]
    return []


def _nodes_to_exclude(target: str, exported, preprocessed, keep_float: tuple[str, ...]) -> list[str]:
    """ONNX node names for ``keep_float`` entries (module paths or class names); unknown entries raise."""
    if not keep_float:
        return []
    present = {n.name for n in preprocessed.node}
    consumers: dict[str, list] = {}
    for n in exported.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    chosen: list[str] = []
    for entry in keep_float:
        short = entry.split(".")[-1]
        matched = [
            n
            for n in exported.node
            if entry in _scopes(n) or any(s.startswith(entry + ".") for s in _scopes(n)) or short in _classes(n)
        ]
        hits = [n.name for n in matched if n.name in present]
        # A module's weights keep its name as the initializer's ("_conv_stem.weight") even where the exporter
        # folded a BatchNorm into the Conv and the node's scope became the BatchNorm's.
        hits += [n.name for n in preprocessed.node if n.name not in hits and len(n.input) > 1
                 and n.input[1] in (entry + ".weight", entry + ".weight_fused_bn")]
        if not hits and matched:
            # quant_pre_process folded Conv+BatchNormalization: the fused Conv writes the BN's output tensor.
            tensors = {o for n in matched for o in n.output}
            tensors |= {o for t in list(tensors) for c in consumers.get(t, ()) if c.op_type == "BatchNormalization" for o in c.output}
            hits = [p.name for p in preprocessed.node if set(p.output) & tensors]
        if not hits:
            raise TargetError(
                f"--keep-float {entry!r} matches no node of the {target} (ONNX) graph.",
                "Give a module name as in model.named_modules() (for Conv+BatchNorm pairs, the BatchNorm's "
                "name after folding) or a module class name such as Linear.",
            )
        chosen += [h for h in hits if h not in chosen]
    return chosen
