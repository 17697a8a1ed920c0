"""ExecuTorch ``.pte`` with the XNNPACK delegate: the main path for Android and iOS CPUs.

FP32 lowers the FP32 ExportedProgram; INT8 lowers the PT2E graph quantized with ``XNNPACKQuantizer``.
Each artifact carries a delegation report: how many nodes XNNPACK took, and which ops stayed on
ExecuTorch's portable CPU kernels and why (the first thing to check when a model is slow).
"""

from __future__ import annotations

import time

import torch

from mobilekit.export.config import FP32, INT8, INT8_DYNAMIC, W4A8_DYNAMIC, DynamicInt8Config
from mobilekit.export.loading import export_failure
from mobilekit.export.quant.pt2e import quantize_pt2e, recipe_record, xnnpack_quantizer
from mobilekit.export.targets.base import Artifact, BuildContext, SkipValidation, Target, TargetError
from mobilekit.export.targets.delegation import collect_why, delegation_report, not_delegated_notes

class XnnpackTarget(Target):
    name = "xnnpack"
    runtime = "executorch"
    backend = "xnnpack"
    platforms = ("android", "ios")
    precisions = (FP32, INT8, INT8_DYNAMIC, W4A8_DYNAMIC)
    default_precisions = (FP32, INT8)
    summary = "ExecuTorch .pte, XNNPACK delegate (Android + iOS CPU): the recommended path"

    def build(self, ctx: BuildContext, precision: str) -> Artifact:
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
        from executorch.exir import to_edge_transform_and_lower

        self.require_precision(precision)
        start = time.perf_counter()
        quant = None
        if precision == FP32:
            program = ctx.exported_fp32()
        elif precision in (INT8_DYNAMIC, W4A8_DYNAMIC):
            program, quant = self._weight_quantized(ctx, precision)
        else:
            recipe = ctx.config.quant
            samples = [] if isinstance(recipe, DynamicInt8Config) else ctx.calibration_samples()
            ctx.log(f"xnnpack int8: calibrating on {len(samples)} samples")
            quantized = ctx.cached(
                "pt2e_xnnpack", lambda: quantize_pt2e(ctx.model, xnnpack_quantizer(recipe, ctx.model), samples)
            )
            try:
                program = torch.export.export(quantized, tuple(ctx.model.example_inputs), strict=False)
            except Exception as exc:
                raise export_failure(ctx.model, exc) from exc
            quant = recipe_record(recipe, len(samples), ctx.calibration_source, "XNNPACKQuantizer (PT2E)")
        with collect_why("executorch.backends.xnnpack") as why:
            try:
                edge = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()])
            except Exception as exc:
                raise TargetError(
                    f"ExecuTorch could not lower {ctx.model.name} ({precision}) for XNNPACK: {type(exc).__name__}: {exc}",
                    hint="Try --targets onnx, or keep the failing layer in float with --keep-float LAYER.",
                ) from exc
        delegation = delegation_report(edge.exported_program().graph_module, why, "XNNPACK")
        path = ctx.artifact_path("xnnpack", precision, "pte")
        et = self._to_executorch(edge, ctx, precision)
        extra_notes: list[str] = []
        if precision in (INT8_DYNAMIC, W4A8_DYNAMIC):
            from mobilekit.export.kernels import check_program

            kernels = check_program(et.executorch_program)
            quant["kernels"] = kernels.to_json()
            fused = [o for o in kernels.operators if o.startswith("quantized_decomposed::embedding")]
            if fused:
                # the delegation report is taken before to_executorch's quant fusion: the embedding's
                # dequantize_affine is gone from the program, folded into the quantized embedding kernel
                for key in [k for k in delegation["non_delegated_ops"] if "dequantize_affine" in k]:
                    count = delegation["non_delegated_ops"].pop(key)
                    delegation["non_delegated_nodes"] = max(0, delegation["non_delegated_nodes"] - count)
                extra_notes.append(f"Embedding tables run as {', '.join(fused)} from ExecuTorch's quantized kernel "
                                   "library (in the Python package and in the apps' runtimes).")
            recurrent = [n for n, m in ctx.model.module.named_modules() if isinstance(m, (torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN))]
            if recurrent:
                extra_notes.append(f"Recurrent layers ({', '.join(recurrent)}) keep float weights in this .pte: torchao's "
                                   "configs quantize nn.Linear and nn.Embedding only. The ONNX Runtime (LSTM/GRU) and "
                                   ".ptl (quantize_dynamic) int8dyn artifacts quantize them.")
            if not kernels.ok:
                missing = sorted(set(kernels.missing_python) | {o for v in kernels.missing_apps.values() for o in v})
                raise TargetError(
                    f"The {precision} .pte for {ctx.model.name} calls {', '.join(missing)}, which the ExecuTorch runtime "
                    "in the Python package or in the apps has no kernel for; it would fail to load on a phone.",
                    hint="Keep the layers that emit it in float (--keep-float), or use --embeddings none.",
                )
        notes = not_delegated_notes(delegation, "XNNPACK") + extra_notes
        path.write_bytes(et.buffer)
        return Artifact(
            path=path,
            target=self.name,
            runtime=self.runtime,
            backend=self.backend,
            precision=precision,
            platforms=self.platforms,
            quantization=quant or {"mode": "none"},
            delegation=delegation,
            notes=notes,
            build_seconds=time.perf_counter() - start,
        )

    @staticmethod
    def _to_executorch(edge, ctx: BuildContext, precision: str):
        from executorch.exir import ExecutorchBackendConfig

        if precision not in (INT8_DYNAMIC, W4A8_DYNAMIC):
            return edge.to_executorch()
        # Quantized embedding tables: fuse dequantize_affine + embedding into the quantized kernel library's
        # embedding_byte/embedding_4bit, and fold constant index tables (position, token type) at export time.
        try:
            return edge.to_executorch(ExecutorchBackendConfig(do_quant_fusion_and_const_prop=True))
        except RuntimeError as exc:
            if "Missing out variants" in str(exc):
                raise TargetError(
                    f"ExecuTorch could not turn a quantized op of {ctx.model.name} ({precision}) into a kernel call: {exc}",
                    hint="Keep embedding tables in float with --embeddings none (or --keep-float LAYER).",
                    op=str(exc).split("{")[-1].strip("}' "),
                ) from exc
            raise

    def _weight_quantized(self, ctx: BuildContext, precision: str):
        """torchao weight quantization of the eager model (linear layers, embedding tables), then export.

        Workaround (ExecuTorch 1.5.1): embeddings lose ``padding_idx`` first, see recipes.weight_quantized."""
        from mobilekit.export.quant.weights import eight_bit_layers, weight_quantized

        bits = ctx.config.embedding_bits_for(precision)
        keep = tuple(ctx.config.quant.keep_float)
        eight, choice = eight_bit_layers(ctx, precision)
        ctx.log(f"xnnpack {precision}: torchao weight quantization (embeddings: {bits or 'float'})")
        module, record = ctx.cached(f"torchao:{precision}:{bits}:{ctx.config.group_size}:{keep}:{eight}", lambda: weight_quantized(
            ctx.model.module, precision, bits, ctx.config.group_size, keep, eight))
        if choice is not None:
            record = {**record, "mixed_precision": choice}
        try:
            program = torch.export.export(module, tuple(ctx.model.example_inputs), strict=False)
        except Exception as exc:
            raise export_failure(ctx.model, exc) from exc
        return program, dict(record)

    def host_runner(self, artifact: Artifact):
        try:
            import executorch.kernels.quantized  # noqa: F401  (quantized embeddings, per-token quantize)
            from executorch.runtime import Runtime
        except ImportError as exc:  # pragma: no cover - executorch is a hard dependency
            raise SkipValidation(f"ExecuTorch runtime pybindings unavailable: {exc}") from exc
        method = Runtime.get().load_program(str(artifact.path)).load_method("forward")

        def run(sample):
            return [o.detach().numpy() if isinstance(o, torch.Tensor) else o for o in method.execute(list(sample))]

        return run
