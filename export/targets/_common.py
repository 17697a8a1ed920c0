"""Small helpers shared by the Core ML, ONNX Runtime and PyTorch Mobile targets.

Error messages for ops a target cannot convert (which op, which layer, which source line, what to
do instead), locating a layer in the FP32 ExportedProgram, and the artifact ``quantization`` record.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from mobilekit.export.targets.base import BuildContext, TargetError


def node_layer(node) -> str | None:
    """The module path (``features.3.conv``) an FX node came from, or None for top-level code."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return None
    path = list(stack.values())[-1][0]
    path = re.sub(r"^L__self___|^L\['self'\]\.", "", str(path))
    return path or None


def node_source(node) -> str | None:
    """``file.py:LINE`` plus the code line, from an FX node's stack trace, if recorded."""
    trace = node.meta.get("stack_trace") or ""
    frames = re.findall(r'File "([^"]+)", line (\d+), in \w+\n\s*(.*)', trace)
    if not frames:
        return None
    user = [f for f in frames if "site-packages" not in f[0] and "/torch/" not in f[0]]
    file, line, code = (user or frames)[-1]
    return f"{Path(file).name}:{line} ({code.strip()})"


def locate_op(ctx: BuildContext, op: str) -> tuple[str | None, str | None]:
    """(layer, source) of the first node of the FP32 ExportedProgram whose op name contains ``op``."""
    try:
        graph = ctx.exported_fp32().graph
    except Exception:  # the diagnosis must never hide the original error
        return None, None
    short = op.split("::")[-1].split(".")[0].lower()
    for node in graph.nodes:
        if node.op != "call_function":
            continue
        name = str(node.target).lower()
        if op.lower() in name or re.search(rf"(^|[.:]){re.escape(short)}(\.|$)", name):
            return node_layer(node), node_source(node)
    return None, None


def unsupported_op_error(
    target: str,
    op: str,
    layer: str | None,
    source: str | None,
    *,
    alternatives: str,
    detail: str = "",
    keep_float_helps: bool = True,
) -> TargetError:
    """A :class:`TargetError` naming the op, the layer and the target, with what to do instead."""
    where = f" in layer {layer!r}" if layer else " (layer unknown)"
    if source:
        where += f" at {source}"
    message = f"The {target} target cannot convert op {op!r}{where}."
    if detail:
        message += f" {detail}"
    keep = f"--keep-float {layer}" if layer else "--keep-float <layer>"
    if keep_float_helps:
        hint = f"Try {alternatives}, or leave that layer in float with {keep} (for quantized precisions)."
    else:
        hint = f"Try {alternatives}, or rewrite that layer with standard PyTorch ops ({keep} does not help here)."
    return TargetError(message, hint, op=op, layer=layer)


def replace_path(src: Path, dst: Path) -> None:
    """Move a file or directory to ``dst``, replacing what is there."""
    if dst.is_dir():
        shutil.rmtree(dst)
    elif dst.exists():
        dst.unlink()
    shutil.move(str(src), str(dst))


def check_names(kind: str, target: str, got: list[str], want: list[str]) -> None:
    """Raise a :class:`TargetError` when an artifact's input/output names differ from the manifest's."""
    if got != want:
        raise TargetError(
            f"The {target} artifact's {kind} are {got}, but the manifest says {want}.",
            "This is a mobilekit bug: the apps look tensors up by the manifest's names.",
        )
