"""Delegation reports for ExecuTorch programs: what the backend took, what stayed on portable kernels, and why.

Users' first question about a slow model is "why is it slow"; the answer is usually an op the backend
did not take. The partitioners log a ``WhyNoPartition`` line per rejected node at DEBUG level; these
helpers collect those lines during lowering and join them to ``get_delegation_info``'s counts.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from contextlib import contextmanager

_WHY = re.compile(r"WhyNoPartition: Node (\S+) was not partitioned because (.*)\.$", re.S)
# Ops that are bookkeeping rather than compute: leaving them outside the delegate costs nothing.
HARMLESS = {"getitem", "alloc"}


def no_kernel(backend: str) -> str:
    """The reason given for an op the partitioner did not even consider."""
    return f"{backend} has no kernel for this op; it runs on ExecuTorch's portable CPU kernels (slower)"


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
def collect_why(logger_name: str):
    """Within the block, gather ``WhyNoPartition`` reasons logged under ``logger_name`` (node name -> reason)."""
    logger = logging.getLogger(logger_name)
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


def _layer_of(node) -> str | None:
    """The user's module path a graph node came from (``features.3.conv``), if recorded."""
    stack = node.meta.get("nn_module_stack") or {}
    if stack:
        return list(stack.values())[-1][0] or None
    return None


def delegation_report(graph_module, why: dict[str, str], backend: str) -> dict:
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
        reason = why.get(node.name, no_kernel(backend))
        layer = _layer_of(node)
        reasons[op] = f"{reason} (first at layer {layer})" if layer else reason
    return {
        "delegated_nodes": int(info.num_delegated_nodes),
        "non_delegated_nodes": int(info.num_non_delegated_nodes),
        "delegated_ops": dict(delegated),
        "non_delegated_ops": dict(non_delegated),
        "reasons": reasons,
    }


def not_delegated_notes(delegation: dict, backend: str) -> list[str]:
    """One note per compute op left outside the delegate, for the report."""
    return [
        f"{op} x{n}: not delegated: {delegation['reasons'].get(op, no_kernel(backend))}"
        for op, n in delegation["non_delegated_ops"].items()
        if op not in HARMLESS
    ]
