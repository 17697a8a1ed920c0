"""The one interface every export target implements, and the context a build runs in.

A target turns a :class:`~mobilekit.export.spec.LoadedModel` into one artifact file per precision,
and (where a runtime exists on the host) hands back a runner so ``validate`` can compare it with
eager FP32. Heavy imports (executorch, coremltools, onnxruntime) stay inside each target's module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar, Protocol

import numpy as np

from mobilekit import MobilekitError
from mobilekit.export.config import ExportConfig
from mobilekit.export.spec import LoadedModel, Sample


class TargetError(MobilekitError):
    """A target could not build one artifact (unsupported op, conversion failure). Other artifacts go on."""

    def __init__(self, message: str, hint: str | None = None, *, op: str | None = None, layer: str | None = None):
        super().__init__(message, hint)
        self.op = op
        self.layer = layer


class MissingDependencyError(MobilekitError):
    """An optional package a target needs is not installed."""

    def __init__(self, target: str, package: str):
        super().__init__(
            f"The {target} target needs the Python package {package!r}, which is not installed.",
            hint=f"Install it with `pip install {package}` (or use mobilekit's pinned environment: bash scripts/venv.sh ...).",
        )
        self.package = package


class SkipValidation(Exception):
    """Raised by :meth:`Target.host_runner` when this host cannot run the artifact; the message says why."""


@dataclass
class Artifact:
    """One built file (or ``.mlpackage`` directory) in the bundle, with what the manifest says about it."""

    path: Path
    target: str
    runtime: str
    backend: str
    precision: str
    platforms: tuple[str, ...]
    quantization: dict | None = None
    legacy: bool = False
    minimum_os: str | None = None
    extra_files: tuple[str, ...] = ()
    delegation: dict | None = None
    notes: list[str] = field(default_factory=list)
    build_seconds: float = 0.0
    # Where this host cannot run the artifact: (what it is, a runner) for a stand-in that computes the same
    # quantized function (e.g. the PT2E Q/DQ graph a Core ML W8A8 package was converted from). Validation
    # then reports its figures as an estimate, labelled so.
    host_proxy: tuple[str, "HostRunner"] | None = field(default=None, repr=False)


class HostRunner(Protocol):
    """Runs one sample through an artifact on the host and returns its outputs as numpy arrays."""

    def __call__(self, sample: Sample) -> list[np.ndarray]: ...


@dataclass
class BuildContext:
    """Everything a target needs for one model: the model, the config, the bundle folder, shared caches.

    ``calibration_samples()`` is computed once and shared by every target that quantizes, so all
    INT8 artifacts in a bundle see the same calibration data. ``cached(key, make)`` shares expensive
    intermediate results (the FP32 ExportedProgram, a PT2E-quantized graph) between targets.
    """

    model: LoadedModel
    config: ExportConfig
    bundle_dir: Path
    calibration_loader: Callable[[], list[Sample]]
    log: Callable[[str], None] = lambda message: None
    calibration_source: str = "built-in data"  # what the manifest records as the calibration source
    _cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def replace_cached(self, key: str, value: Any) -> None:
        """Overwrite what ``cached`` holds for ``key`` (a pipeline stage that refines shared data)."""
        self._cache[key] = value

    def cached_or_none(self, key: str) -> Any:
        """What ``cached`` holds for ``key``, without making it (None when nothing built it)."""
        return self._cache.get(key)

    def calibration_samples(self) -> list[Sample]:
        return self.cached("calibration", self.calibration_loader)

    def exported_fp32(self):
        """The model as a ``torch.export`` ExportedProgram at the example input's shape (cached)."""
        from mobilekit.export.loading import export_program

        return self.cached("exported_fp32", lambda: export_program(self.model))

    def artifact_path(self, label: str, precision: str, ext: str) -> Path:
        """``<bundle>/<name>.<label>.<precision>.<ext>``, e.g. ``digits_cnn.xnnpack.int8.pte``."""
        return self.bundle_dir / f"{self.model.name}.{label}.{precision}.{ext}"


class Target(ABC):
    """One way of shipping a model to phones (an artifact format + runtime + backend)."""

    name: ClassVar[str]  # as on the command line: xnnpack, coreml, onnx, ptl
    runtime: ClassVar[str]  # executorch, onnxruntime, coreml, pytorch_mobile
    backend: ClassVar[str]
    platforms: ClassVar[tuple[str, ...]]
    precisions: ClassVar[tuple[str, ...]]  # every precision it can build
    default_precisions: ClassVar[tuple[str, ...]]
    legacy: ClassVar[bool] = False
    summary: ClassVar[str] = ""  # one line for --help and the report

    def unavailable_reason(self) -> str | None:
        """None when this target can run here; otherwise why not (e.g. a missing package)."""
        return None

    def require_precision(self, precision: str) -> None:
        """Raise :class:`TargetError` unless this target builds ``precision`` (call first in ``build``)."""
        if precision not in self.precisions:
            raise TargetError(
                f"The {self.name} target cannot build precision {precision!r}.",
                f"Choose one of: {', '.join(self.precisions)}.",
            )

    @abstractmethod
    def build(self, ctx: BuildContext, precision: str) -> Artifact:
        """Write one artifact for ``precision`` into the bundle; raise :class:`TargetError` on failure."""

    @abstractmethod
    def host_runner(self, artifact: Artifact) -> HostRunner:
        """A callable that runs the artifact on this host; raise :class:`SkipValidation` if it cannot."""

    def check_artifact(self, artifact: Artifact, ctx: BuildContext) -> list[str]:
        """Structural checks that need no runtime (names, shapes, dtypes, weight types against the manifest).

        Returns notes for the report; raises :class:`TargetError` when the artifact does not match.
        """
        return []
