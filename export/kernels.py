"""Which kernel library runs each operator an ExecuTorch program leaves outside its delegate, and whether
the runtime in the Python package and the ones the sample apps link have it.

A ``.pte`` names its non-delegated operators (``aten::embedding.out``, ``quantized_decomposed::embedding_byte.out``);
a runtime that lacks one fails at load with "Missing operator". Quantized recipes emit ops from the
*quantized* kernel library (embedding tables, per-token activation quantization outside XNNPACK), so the
exporter checks them instead of shipping a file that cannot load.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kernel libraries linked by the runtimes the apps ship (mobilekit's android/ and ios/ builds):
# - Android: the org.pytorch:executorch-android AAR, which bundles the core runtime, the XNNPACK backend and
#   the portable, optimized and quantized kernel libraries (ExecuTorch's "Using ExecuTorch on Android").
# - iOS: the Swift package products ios/project.yml links (executorch, backend_xnnpack, kernels_optimized,
#   kernels_quantized, ...); tests/export/test_kernels.py keeps this table and that file in step.
APP_KERNEL_LIBRARIES = {
    "android": ("portable", "optimized", "quantized"),
    "ios": ("portable", "optimized", "quantized"),
}


def library_of(op: str) -> str:
    """The kernel library an operator name belongs to (``quantized_decomposed::x`` -> quantized)."""
    ns = op.split("::")[0]
    return {"aten": "portable", "dim_order_ops": "portable", "quantized_decomposed": "quantized",
            "llama": "custom (llama)", "torchao": "torchao (not in the apps)"}.get(ns, ns)


@dataclass
class KernelCheck:
    operators: list[str]
    missing_python: list[str]
    missing_apps: dict

    @property
    def ok(self) -> bool:
        return not self.missing_python and not any(self.missing_apps.values())

    def to_json(self) -> dict:
        return {"operators": self.operators, "missing_in_python_runtime": self.missing_python,
                "missing_in_apps": self.missing_apps, "ok": self.ok}


def program_operators(program) -> list[str]:
    """``name.overload`` of every operator an ExecuTorch program calls outside its delegates."""
    ops = set()
    for plan in program.execution_plan:
        for op in plan.operators:
            ops.add(f"{op.name}.{op.overload}" if op.overload else op.name)
    return sorted(ops)


def python_operator_names() -> set[str]:
    """Operators the ExecuTorch runtime in this Python environment has kernels for (quantized ones included)."""
    import executorch.kernels.quantized  # noqa: F401  (registers the quantized kernel library)
    from executorch.runtime import Runtime

    return set(Runtime.get().operator_registry.operator_names)


def check_program(program) -> KernelCheck:
    """Every non-delegated operator of ``program`` against the Python runtime and the apps' kernel libraries."""
    ops = program_operators(program)
    have = python_operator_names()
    missing_py = [o for o in ops if o not in have]
    missing_apps = {app: [o for o in ops if library_of(o) not in libs and not library_of(o) == "portable"]
                    for app, libs in APP_KERNEL_LIBRARIES.items()}
    return KernelCheck(ops, missing_py, missing_apps)
