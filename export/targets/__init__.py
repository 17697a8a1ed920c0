"""Export targets, one module each, behind :class:`~mobilekit.export.targets.base.Target`.

The registry maps a command-line name to ``module:Class`` so that a target's heavy imports happen
only when it is used.
"""

from __future__ import annotations

import importlib
import importlib.util

from mobilekit import MobilekitError

REGISTRY: dict[str, str] = {
    "xnnpack": "mobilekit.export.targets.xnnpack:XnnpackTarget",
    "coreml": "mobilekit.export.targets.coreml:CoreMLTarget",
    "coreml_pte": "mobilekit.export.targets.coreml:CoreMLDelegateTarget",
    "onnx": "mobilekit.export.targets.onnx:OnnxTarget",
    "ptl": "mobilekit.export.targets.ptl:PtlTarget",
}


def get_target(name: str):
    """An instance of the target registered as ``name``; unknown names list the registered ones."""
    if name not in REGISTRY:
        raise MobilekitError(
            f"Unknown target {name!r}.",
            hint=f"Registered targets: {', '.join(REGISTRY)}.",
        )
    module_name, cls_name = REGISTRY[name].split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("mobilekit"):
            raise MobilekitError(f"Target {name!r} is not implemented in this version of mobilekit.") from exc
        raise
    return getattr(module, cls_name)()


def available_targets() -> list[str]:
    """The registered targets whose module exists in this installation."""
    names = []
    for name, ref in REGISTRY.items():
        if importlib.util.find_spec(ref.split(":")[0]) is not None:
            names.append(name)
    return names
