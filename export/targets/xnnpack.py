"""ExecuTorch ``.pte`` with the XNNPACK delegate: the main path for Android and iOS CPUs.

FP32 lowers the FP32 ExportedProgram; INT8 lowers the PT2E graph quantized with ``XNNPACKQuantizer``.
Each artifact carries a delegation report: how many nodes XNNPACK took, and which ops stayed on
ExecuTorch's portable CPU kernels and why (the first thing to check when a model is slow).
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from contextlib import contextmanager

import torch

from mobilekit.export.config import FP32, INT8, DynamicInt8Config
from mobilekit.export.loading import export_failure
from mobilekit.export.quantize import quantize_pt2e, recipe_record, xnnpack_quantizer
from mobilekit.export.targets.base import Artifact, BuildContext, SkipValidation, Target, TargetError

_WHY = re.compile(r"WhyNoPartition: Node (\S+) was not partitioned because (.*)\.$", re.S)
NO_KERNEL = "XNNPACK has no kernel for this op; it runs on ExecuTorch's portable CPU kernels (slower)"


class _WhyCollector(logging.Handler):
    """Collects the partitioner's ``WhyNoPartition`` debug lines (node name -> reason)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.reasons: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        m = _WHY.match(record.getMessage())
        if m:
            self.reasons.setdefault(m.group(1), m.group(2))


@contextmanager
def _collect_why():
    logger = logging.getLogger("executorch.backends.xnnpack")
    handler = _WhyCollector()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # keep the partitioner's debug chatter out of the user's terminal
    try:
        yield handler.reasons
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


# Ops that are bookkeeping rather than compute: leaving them outside the delegate costs nothing.
HARMLESS = {"getitem", "alloc"}


def _layer_of(node) -> str | None:
    """The user's module path a graph node came from (``features.3.conv``), if recorded."""
    stack = node.meta.get("nn_module_stack") or {}
    if stack:
        return list(stack.values())[-1][0] or None
    return None


def delegation_report(graph_module, why: dict[str, str]) -> dict:
    """Delegated/non-delegated node counts per op, and a reason for each op left on portable kernels."""
    from executorch.devtools.backend_debug import get_delegation_info

    info = get_delegation_info(graph_module)
    delegated: Counter = Counter()
    non_delegated: Counter = Counter()
    for op, b in info.delegation_by_operator.items():
        if b.delegated:
            delegated[op] += b.delegated
        if b.non_delegated:
            non_delegated[op] += b.non_delegated
    reasons: dict[str, str] = {}
    for node in graph_module.graph.nodes:
        op = re.sub(r"_\d+$", "", node.name)  # the op key get_delegation_info uses
        if node.op != "call_function" or op in HARMLESS or op not in non_delegated or op in reasons:
            continue
        reason = why.get(node.name, NO_KERNEL)
        layer = _layer_of(node)
        reasons[op] = f"{reason} (first at layer {layer})" if layer else reason
    return {
        "delegated_nodes": int(info.num_delegated_nodes),
        "non_delegated_nodes": int(info.num_non_delegated_nodes),
        "delegated_ops": dict(delegated),
        "non_delegated_ops": dict(non_delegated),
        "reasons": reasons,
    }




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

        if precision not in self.precisions:
            raise TargetError(f"The xnnpack target builds {', '.join(self.precisions)}, not {precision}.")
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
        with _collect_why() as why:
            try:
                edge = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()])
            except Exception as exc:
                raise TargetError(
                    f"ExecuTorch could not lower {ctx.model.name} ({precision}) for XNNPACK: {type(exc).__name__}: {exc}",
                    hint="Try --targets onnx, or keep the failing layer in float with --keep-float LAYER.",
                ) from exc
        delegation = delegation_report(edge.exported_program().graph_module, why)
        path = ctx.artifact_path("xnnpack", precision, "pte")
        path.write_bytes(edge.to_executorch().buffer)
        notes = [
            f"{op} x{n}: not delegated: {delegation['reasons'].get(op, NO_KERNEL)}"
            for op, n in delegation["non_delegated_ops"].items()
            if op not in HARMLESS
        ]
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
