"""Typed configuration for an export: what to export, for which targets, and how to quantize.

Strings come in at the edges (CLI, recipe files) and are normalised here into enums and frozen
dataclasses; everything below takes these objects, never raw arguments (torchao's
``quantize_(model, config)`` style: one small config per recipe).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobilekit.export.preprocess import PreprocessOptions
    from mobilekit.export.quant.qat import QatConfig


class Granularity(str, Enum):
    PER_TENSOR = "per_tensor"
    PER_CHANNEL = "per_channel"


class Observer(str, Enum):
    """Activation range observer used during calibration (recorded in the manifest)."""

    HISTOGRAM = "histogram"
    MINMAX = "minmax"
    MOVING_AVERAGE_MINMAX = "moving_average_minmax"
    PERCENTILE = "percentile"  # 0.01% / 99.99% quantiles, averaged over batches


def _enum(enum_cls: type[Enum], value, what: str):
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(str(value).lower().replace("-", "_"))
    except ValueError:
        allowed = ", ".join(e.value for e in enum_cls)
        raise ValueError(f"unknown {what} {value!r}; choose one of: {allowed}") from None


@dataclass(frozen=True)
class StaticInt8Config:
    """Post-training static INT8 (PT2E): weights and activations, calibrated on sample inputs.

    ``granularity`` applies to weights; activations are per-tensor. ``observer`` picks how activation
    ranges are estimated. ``keep_float`` lists module names (as in ``named_modules``) or op types
    (``torch.nn.Linear``-style class names) left in float.
    """

    granularity: Granularity = Granularity.PER_CHANNEL
    symmetric: bool = True
    observer: Observer = Observer.HISTOGRAM
    calibration_samples: int = 256
    seed: int = 0
    keep_float: tuple[str, ...] = ()
    bias_correction: bool = False  # absorb the mean output shift of INT8 weights into the biases
    adaround: bool = False  # learn each weight's rounding (up or down) on the calibration data

    mode = "static"

    def __post_init__(self) -> None:
        object.__setattr__(self, "granularity", _enum(Granularity, self.granularity, "granularity"))
        object.__setattr__(self, "observer", _enum(Observer, self.observer, "observer"))
        if self.calibration_samples < 1:
            raise ValueError("calibration_samples must be at least 1")
        if not self.symmetric:
            raise ValueError("XNNPACK takes symmetric INT8 weights only; asymmetric weights are not supported")
        object.__setattr__(self, "keep_float", tuple(self.keep_float))


@dataclass(frozen=True)
class DynamicInt8Config:
    """Dynamic INT8: INT8 weights, activations quantized at run time (Linear/MatMul-heavy models)."""

    granularity: Granularity = Granularity.PER_CHANNEL
    keep_float: tuple[str, ...] = ()

    mode = "dynamic"

    def __post_init__(self) -> None:
        object.__setattr__(self, "granularity", _enum(Granularity, self.granularity, "granularity"))
        object.__setattr__(self, "keep_float", tuple(self.keep_float))


QuantRecipe = StaticInt8Config | DynamicInt8Config


@dataclass(frozen=True)
class FidelityFloor:
    """The fidelity gate: below any floor an artifact is ``low_fidelity``, flagged, and export exits 1.

    ``min_sqnr_db`` and ``min_agreement`` compare each artifact's output with eager FP32 on held-out
    data; ``accuracy_budget`` (points, e.g. 1.0) applies where the evaluation data carry labels.
    """

    min_sqnr_db: float = 20.0
    min_agreement: float = 0.90
    accuracy_budget: float | None = None
    min_cosine: float = 0.99  # embedding outputs: every held-out sample's cosine similarity with FP32
    min_cosine_4bit: float = 0.98  # the same for 4-bit weight recipes (8da4w, w4): the usual price of 4 bits

    def __post_init__(self) -> None:
        if not -1.0 <= self.min_cosine <= 1.0 or not -1.0 <= self.min_cosine_4bit <= 1.0:
            raise ValueError("min_cosine is a cosine similarity between -1 and 1 (e.g. 0.99)")

    def cosine_floor(self, precision: str | None) -> float:
        """The cosine floor an artifact of ``precision`` is held to."""
        return self.min_cosine_4bit if precision in (W4A8_DYNAMIC, "w4") else self.min_cosine
        if not 0.0 <= self.min_agreement <= 1.0:
            raise ValueError("min_agreement is a fraction between 0 and 1 (e.g. 0.9)")
        if self.accuracy_budget is not None and self.accuracy_budget < 0:
            raise ValueError("accuracy_budget is a number of accuracy points >= 0 (e.g. 1.0)")

    def to_json(self) -> dict:
        return {"min_sqnr_db": self.min_sqnr_db, "min_agreement": self.min_agreement, "accuracy_budget": self.accuracy_budget,
                "min_cosine": self.min_cosine, "min_cosine_4bit": self.min_cosine_4bit}


class AutoKeepFloat(str, Enum):
    """When the pipeline chooses layers to keep in float by itself (``--keep-float auto|none``)."""

    FALLBACK = "fallback"  # only when plain INT8 misses the floor (the default)
    ALWAYS = "auto"  # --keep-float auto: run the choice even if a user list is empty
    OFF = "none"  # --keep-float none: plain INT8, whatever it scores

# Precision names as they appear on the command line, in file names and in the manifest.
FP32 = "fp32"
FP16 = "fp16"
INT8 = "int8"
W8 = "w8"
W8A8 = "w8a8"
W4 = "w4"
W6 = "w6"
INT8_DYNAMIC = "int8dyn"  # INT8 weights, activations quantized at run time (+ INT8 embedding tables)
W4A8_DYNAMIC = "8da4w"  # 4-bit group-wise linear weights, dynamic 8-bit activations (+ INT4 embedding tables)
# An app's check of the bundled sample (non-classification models): cosine with eager FP32 at least this.
SAMPLE_MIN_COSINE = 0.98
AUTO = "auto"  # --quant auto: static INT8 for conv-heavy models, dynamic for linear/recurrent-heavy ones
PRECISIONS = (FP32, FP16, INT8, W8, W8A8, W4, W6, INT8_DYNAMIC, W4A8_DYNAMIC)
EMBEDDING_BITS = {INT8_DYNAMIC: 8, W4A8_DYNAMIC: 4}  # each recipe's default for nn.Embedding tables


@dataclass(frozen=True)
class ExportConfig:
    """One export run: model reference, targets, precisions, data sources and where the bundle goes.

    ``model`` is a built-in name (``digits``, ``mobilenet_v2``), ``module:factory`` or a ``.pt2`` path.
    ``targets`` empty means every target that is available for this model. ``precisions`` empty means
    each target's defaults; otherwise a target builds the listed precisions it supports.
    """

    model: str
    out_dir: Path = Path("out")
    targets: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    quant: QuantRecipe = field(default_factory=StaticInt8Config)
    example_inputs: tuple[str, ...] = ()  # e.g. ("1x3x224x224:float32",)
    weights: Path | None = None
    calibration: Path | None = None
    dynamic_batch: bool = False
    name: str | None = None
    force: bool = False
    validate: bool = True
    eval_samples: int = 512
    latency_iterations: int = 50
    latency_warmup: int = 5
    coreml_min_ios: int = 17
    onnx_calibration_method: str = "minmax"  # minmax, entropy, percentile
    floor: FidelityFloor = field(default_factory=FidelityFloor)
    auto_keep_float: AutoKeepFloat = AutoKeepFloat.FALLBACK
    eval_data: Path | None = None  # held-out data: image folder (class sub-folders = labels) or tensors
    eval_fraction: float = 0.25  # held out of the calibration data when it is the only data source
    preprocess: "PreprocessOptions | None" = None  # for user models: how an app turns a picture into input 0
    qat: "QatConfig | None" = None  # quantization-aware training for the PT2E targets (xnnpack, coreml w8a8)
    calibration_method: str = "fixed"  # fixed: the recipe's observer; auto: try observers x bias correction
    embedding_bits: int | None = None  # nn.Embedding tables in int8dyn/8da4w: 8, 4, 0 (float); None: the recipe's default
    group_size: int = 32  # 8da4w: weights per scale along the input dimension
    tokenizer: Path | None = None  # a folder with tokenizer.json (and vocab.txt): --calibration/--eval sentences.txt
    output_kind: str | None = None  # user models: classification, embedding or none (default: guessed from the shape)
    def __post_init__(self) -> None:
        object.__setattr__(self, "out_dir", Path(self.out_dir))
        if self.weights is not None:
            object.__setattr__(self, "weights", Path(self.weights))
        if self.calibration is not None:
            object.__setattr__(self, "calibration", Path(self.calibration))
        if self.eval_data is not None:
            object.__setattr__(self, "eval_data", Path(self.eval_data))
        if self.tokenizer is not None:
            object.__setattr__(self, "tokenizer", Path(self.tokenizer))
        if self.output_kind not in (None, "classification", "embedding", "none"):
            raise ValueError("output_kind must be classification, embedding or none")
        if self.embedding_bits not in (None, 0, 4, 8):
            raise ValueError("embedding_bits must be 8, 4 or 0 (keep embedding tables in float)")
        if self.group_size < 8 or self.group_size % 8:
            raise ValueError("group_size must be a multiple of 8 (32 is typical)")
        object.__setattr__(self, "auto_keep_float", _enum(AutoKeepFloat, self.auto_keep_float, "keep-float mode"))
        if self.calibration_method not in ("fixed", "auto"):
            raise ValueError("calibration_method must be fixed or auto")
        if not 0.0 < self.eval_fraction < 1.0:
            raise ValueError("eval_fraction must be between 0 and 1")
        bad = [p for p in self.precisions if p not in PRECISIONS + (AUTO,)]
        if bad:
            raise ValueError(f"unknown precision {bad[0]!r}; choose from: {', '.join(PRECISIONS + (AUTO,))}")
        if self.eval_samples < 1:
            raise ValueError("eval_samples must be at least 1")
        if self.latency_iterations < 1 or self.latency_warmup < 0:
            raise ValueError("latency_iterations must be >= 1 and latency_warmup >= 0")
        if self.onnx_calibration_method not in ("minmax", "entropy", "percentile"):
            raise ValueError("onnx_calibration_method must be minmax, entropy or percentile")
        if self.coreml_min_ios not in (16, 17, 18):
            raise ValueError("coreml_min_ios must be 16, 17 or 18")

    def replace(self, **changes) -> "ExportConfig":
        names = {f.name for f in fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise TypeError(f"unknown ExportConfig field(s): {', '.join(sorted(unknown))}")
        from dataclasses import replace

        return replace(self, **changes)

    def embedding_bits_for(self, precision: str) -> int:
        """Bits for embedding tables in ``precision`` (0: float): the user's choice, else the recipe's default."""
        return self.embedding_bits if self.embedding_bits is not None else EMBEDDING_BITS.get(precision, 0)
