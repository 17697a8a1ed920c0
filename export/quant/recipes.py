"""Quantization recipes: one frozen config class per ``--quant`` name, registered by that name.

In the spirit of torchao's ``quantize_(model, config)``: a recipe is a small validated dataclass of its
own knobs; the registry maps its command-line name to the class. Targets say which recipe names they
build (and, for the others, why not); the pipeline hands each target the recipe instance, and the
automatic stages (calibration, float layers, 8-bit layers) hand every target one frozen
:class:`~mobilekit.export.quant.plan.QuantPlan`. Adding a recipe is one registered class here plus
what each target does with it.

Strings come in at the edges: :func:`make_recipe` builds a recipe by name from the knobs a user set
(:class:`RecipeKnobs`), refusing a knob no requested recipe takes, so a typo never passes silently.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from enum import Enum
from typing import ClassVar, Iterable


class Granularity(str, Enum):
    PER_TENSOR = "per_tensor"
    PER_CHANNEL = "per_channel"


class Observer(str, Enum):
    """How a static recipe sets each activation's INT8 range from the calibration data (recorded in the manifest).

    ``auto`` chooses per activation, on tuning data, among the others (one calibration pass collects what
    every method needs)."""

    AUTO = "auto"
    HISTOGRAM = "histogram"  # PyTorch's L2-minimising histogram search
    MINMAX = "minmax"
    MOVING_AVERAGE_MINMAX = "moving_average_minmax"
    PERCENTILE = "percentile"  # 0.01% / 99.99% quantiles
    MSE = "mse"  # the range that minimises the activation's own quantization MSE
    ENTROPY = "entropy"  # KL divergence between the float and quantized histograms (TensorRT's method)


def as_enum(enum_cls: type[Enum], value, what: str):
    """``value`` as a member of ``enum_cls`` (strings normalised: case, dashes); unknown: ValueError listing them."""
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(str(value).lower().replace("-", "_"))
    except ValueError:
        allowed = ", ".join(e.value for e in enum_cls)
        raise ValueError(f"unknown {what} {value!r}; choose one of: {allowed}") from None


def _names(value, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ValueError(f"{what} is a list of layer names, not the string {value!r}")
    names = tuple(value)
    if any(not isinstance(n, str) or not n for n in names):
        raise ValueError(f"{what} holds layer names (non-empty strings)")
    return names


@dataclass(frozen=True)
class Recipe:
    """Base of every recipe. Class attributes describe it; dataclass fields are its knobs."""

    name: ClassVar[str]
    summary: ClassVar[str]
    mode: ClassVar[str]  # the manifest's quantization.mode: none, static, dynamic, weight_only, palettize
    weight_bits: ClassVar[int | None] = None  # None: float weights
    needs_calibration: ClassVar[bool] = False

    keep_float: tuple[str, ...] = ()  # module names or layer types left in float

    def __post_init__(self) -> None:
        object.__setattr__(self, "keep_float", _names(self.keep_float, "keep_float"))

    @property
    def is_float(self) -> bool:
        return self.weight_bits is None

    @property
    def four_bit(self) -> bool:
        return self.weight_bits == 4

    def knobs(self) -> dict:
        """The recipe's knob values as JSON (enums as their names)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.value if isinstance(v, Enum) else list(v) if isinstance(v, tuple) else v
        return out

    def to_json(self) -> dict:
        return {"name": self.name, "mode": self.mode, "weight_bits": self.weight_bits, **self.knobs()}


RECIPES: dict[str, type[Recipe]] = {}


def register_recipe(cls: type[Recipe]) -> type[Recipe]:
    """Class decorator: make ``cls`` available as ``--quant <cls.name>``."""
    if not (isinstance(cls, type) and issubclass(cls, Recipe)) or not getattr(cls, "name", None):
        raise TypeError("register_recipe takes a Recipe subclass with a name")
    if cls.name in RECIPES and RECIPES[cls.name] is not cls:
        raise ValueError(f"a recipe named {cls.name!r} is already registered ({RECIPES[cls.name].__qualname__})")
    RECIPES[cls.name] = cls
    return cls


def recipe_class(name: str) -> type[Recipe]:
    """The class registered as ``name``; an unknown name lists the registered ones."""
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; registered recipes: {', '.join(RECIPES)} (or auto)") from None


def recipe_names() -> tuple[str, ...]:
    return tuple(RECIPES)


@register_recipe
@dataclass(frozen=True)
class Fp32(Recipe):
    """Float weights and activations: the reference every other artifact is compared with."""

    name = "fp32"
    summary = "float32 weights and activations"
    mode = "none"


@register_recipe
@dataclass(frozen=True)
class Fp16(Recipe):
    """Half-precision float (Core ML's default compute precision)."""

    name = "fp16"
    summary = "float16 weights and activations (Core ML)"
    mode = "none"


@register_recipe
@dataclass(frozen=True)
class StaticInt8(Recipe):
    """Post-training static INT8 (PT2E): INT8 weights and activations, calibrated on sample inputs.

    ``granularity`` applies to weights (activations are per tensor). ``observer`` picks how activation
    ranges come from the calibration data (``auto``: per activation, on tuning data). ``bias_correction``
    and ``adaround`` are weight-rounding repairs; ``None`` lets the pipeline try them within its search
    budget when plain INT8 misses the fidelity floor."""

    name = "int8"
    summary = "static INT8: INT8 weights (per channel) and activations, calibrated"
    mode = "static"
    weight_bits = 8
    needs_calibration = True

    granularity: Granularity = Granularity.PER_CHANNEL
    observer: Observer = Observer.AUTO
    calibration_samples: int = 256
    seed: int = 0
    bias_correction: bool | None = None
    adaround: bool | None = False
    symmetric: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "granularity", as_enum(Granularity, self.granularity, "granularity"))
        object.__setattr__(self, "observer", as_enum(Observer, self.observer, "observer"))
        if not isinstance(self.calibration_samples, int) or self.calibration_samples < 1:
            raise ValueError("calibration_samples must be a whole number of at least 1")
        if not self.symmetric:
            raise ValueError("XNNPACK takes symmetric INT8 weights only; asymmetric weights are not supported")
        for knob in ("bias_correction", "adaround"):
            if getattr(self, knob) not in (None, True, False):
                raise ValueError(f"{knob} is true, false or None (let the pipeline decide)")


@register_recipe
@dataclass(frozen=True)
class W8A8(StaticInt8):
    """Core ML's name for static INT8 (INT8 weights and activations from the same calibrated Q/DQ graph)."""

    name = "w8a8"
    summary = "Core ML static INT8 weights and activations (from the calibrated PT2E graph)"


@register_recipe
@dataclass(frozen=True)
class DynamicInt8(Recipe):
    """INT8 linear (and recurrent) weights, activations quantized at run time; embedding tables weight-only."""

    name = "int8dyn"
    summary = "dynamic INT8: INT8 linear/recurrent weights, run-time activation scales, INT8 embedding tables"
    mode = "dynamic"
    weight_bits = 8

    granularity: Granularity = Granularity.PER_CHANNEL
    embedding_bits: int = 8  # nn.Embedding tables: 8, 4 or 0 (float)
    group_size: int = 32  # embedding tables at 4 bits; ONNX Runtime's MatMulNBits blocks

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "granularity", as_enum(Granularity, self.granularity, "granularity"))
        _check_embedding_bits(self.embedding_bits)
        _check_group_size(self.group_size)


@register_recipe
@dataclass(frozen=True)
class W4A8Dynamic(Recipe):
    """4-bit group-wise linear weights with dynamic 8-bit activations (ExecuTorch's 8da4w).

    ``int8_layers``: ``auto`` keeps the linear layers 4 bits hurt most at 8 bits (chosen on tuning data
    within the search budget), ``()`` none, or a list of layer names."""

    name = "8da4w"
    summary = "4-bit group-wise linear weights, dynamic 8-bit activations, INT4 embedding tables"
    mode = "dynamic"
    weight_bits = 4

    group_size: int = 32
    embedding_bits: int = 4
    int8_layers: str | tuple[str, ...] = "auto"

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_embedding_bits(self.embedding_bits)
        _check_group_size(self.group_size)
        if self.int8_layers != "auto":
            object.__setattr__(self, "int8_layers", _names(self.int8_layers, "int8_layers"))


@register_recipe
@dataclass(frozen=True)
class WeightInt8(Recipe):
    """INT8 per-channel weights, float activations (Core ML ``linear_quantize_weights``)."""

    name = "w8"
    summary = "INT8 per-channel weights, float activations (Core ML)"
    mode = "weight_only"
    weight_bits = 8


@register_recipe
@dataclass(frozen=True)
class WeightInt4(Recipe):
    """4-bit weights: INT4 per block on iOS 18, 4-bit k-means palettes before (Core ML)."""

    name = "w4"
    summary = "4-bit weights: INT4 per block (iOS 18) or 4-bit palettes (Core ML)"
    mode = "weight_only"
    weight_bits = 4

    group_size: int = 32

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_group_size(self.group_size)


@register_recipe
@dataclass(frozen=True)
class Palette6(Recipe):
    """6-bit k-means weight palettes (Core ML ``palettize_weights``)."""

    name = "w6"
    summary = "6-bit weight palettes (Core ML)"
    mode = "palettize"
    weight_bits = 6


def _check_embedding_bits(bits) -> None:
    if bits not in (0, 4, 8):
        raise ValueError("embedding_bits must be 8, 4 or 0 (keep embedding tables in float)")


def _check_group_size(size) -> None:
    if not isinstance(size, int) or size < 8 or size % 8:
        raise ValueError("group_size must be a multiple of 8 (32 is typical)")


AUTO = "auto"  # --quant auto: resolved to a registered name from the captured graph (weights.choose_recipe)


@dataclass(frozen=True)
class RecipeKnobs:
    """Every recipe knob a user set at the edge (CLI, recipe file); None means "the recipe's default".

    :func:`make_recipe` passes each recipe the knobs that are its own fields."""

    granularity: str | None = None
    observer: str | None = None
    calibration_samples: int | None = None
    seed: int | None = None
    keep_float: tuple[str, ...] | None = None
    bias_correction: bool | None = None
    adaround: bool | None = None
    embedding_bits: int | None = None
    group_size: int | None = None
    int8_layers: str | tuple[str, ...] | None = None

    def given(self) -> dict:
        """The knobs that were set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def make_recipe(name: str, knobs: RecipeKnobs | None = None) -> Recipe:
    """The recipe registered as ``name``, built with the knobs of ``knobs`` that it takes."""
    cls = recipe_class(name)
    own = {f.name for f in fields(cls)}
    given = (knobs or RecipeKnobs()).given()
    return cls(**{k: v for k, v in given.items() if k in own})


def unused_knobs(knobs: RecipeKnobs, names: Iterable[str]) -> list[str]:
    """Knobs the user set that none of the recipes ``names`` takes (a likely mistake the CLI reports)."""
    taken: set[str] = set()
    for name in names:
        taken |= {f.name for f in fields(recipe_class(name))}
    return [k for k in knobs.given() if k not in taken]


def with_knobs(recipe: Recipe, **changes) -> Recipe:
    """A copy of ``recipe`` with some knobs changed (validated again)."""
    return dataclasses.replace(recipe, **changes)
