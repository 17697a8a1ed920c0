"""ExecuTorch ``.pte`` with the XNNPACK delegate: the main path for Android and iOS CPUs.

FP32 lowers the FP32 ExportedProgram; INT8 lowers the PT2E graph quantized with ``XNNPACKQuantizer``.
Each artifact carries a delegation report: how many nodes XNNPACK took, and which ops stayed on
ExecuTorch's portable CPU kernels and why (the first thing to check when a model is slow).
"""

from __future__ import annotations

import time

import torch

from mobilekit.export.config import FP32, INT8, DynamicInt8Config
from mobilekit.export.loading import export_failure
from mobilekit.export.quantize import quantize_pt2e, recipe_record, xnnpack_quantizer
from mobilekit.export.targets.base import Artifact, BuildContext, SkipValidation, Target, TargetError
from mobilekit.export.targets.delegation import collect_why, delegation_report, not_delegated_notes

class XnnpackTarget(Target):
    name = "xnnpack"
    runtime = "executorch"
    backend = "xnnpack"
    platforms = ("android", "ios")
    precisions = (FP32, INT8)
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
        path.write_bytes(edge.to_executorch().buffer)
        notes = not_delegated_notes(delegation, "XNNPACK")
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

    def host_runner(self, artifact: Artifact):
        try:
            from executorch.runtime import Runtime
        except ImportError as exc:  # pragma: no cover - executorch is a hard dependency
            raise SkipValidation(f"ExecuTorch runtime pybindings unavailable: {exc}") from exc
        method = Runtime.get().load_program(str(artifact.path)).load_method("forward")

        def run(sample):
            return [o.detach().numpy() if isinstance(o, torch.Tensor) else o for o in method.execute(list(sample))]

        return run
