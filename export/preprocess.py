"""Image preprocessing for a user's model, from command-line presets and overrides.

``--preprocess imagenet|unit|symmetric`` picks a preset; ``--resize``, ``--crop``, ``--mean``,
``--std`` and ``--color`` override parts of it. The result is written to the manifest, used for
image-folder calibration and evaluation, and applied by both apps, so every consumer turns a photo
into the same tensor.
"""

from __future__ import annotations

from dataclasses import dataclass

from mobilekit.export.spec import ImagePreprocess

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
PRESETS = ("imagenet", "unit", "symmetric")


@dataclass(frozen=True)
class PreprocessOptions:
    """What the user asked for; resolved against the model's input shape by :meth:`resolve`."""

    preset: str | None = None
    resize: tuple[int, int] | None = None
    crop: tuple[int, int] | None = None
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    color: str | None = None

    def __post_init__(self) -> None:
        if self.preset is not None and self.preset not in PRESETS:
            raise ValueError(f"unknown preprocess preset {self.preset!r}; choose one of: {', '.join(PRESETS)}")

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.preset, self.resize, self.crop, self.mean, self.std, self.color))

    def resolve(self, input_shape: tuple[int, ...]) -> ImagePreprocess:
        """The :class:`ImagePreprocess` for an N x C x H x W input (a ``ValueError`` says what does not fit)."""
        if len(input_shape) != 4 or input_shape[1] not in (1, 3):
            raise ValueError(f"image preprocessing needs an N x 1|3 x H x W input, not {list(input_shape)}")
        channels, h, w = input_shape[1], input_shape[2], input_shape[3]
        color = self.color or ("L" if channels == 1 else "RGB")
        if (color == "L") != (channels == 1):
            raise ValueError(f"--color {color} does not fit an input with {channels} channel(s)")
        preset = self.preset or "unit"
        if preset == "imagenet":
            base = dict(resize=(round(h * 256 / 224), round(w * 256 / 224)), keep_aspect=True, crop=(h, w),
                        mean=IMAGENET_MEAN[:channels] if channels == 3 else (0.449,),
                        std=IMAGENET_STD[:channels] if channels == 3 else (0.226,))
        elif preset == "symmetric":
            base = dict(resize=(h, w), keep_aspect=False, crop=None, mean=(0.5,) * channels, std=(0.5,) * channels)
        else:
            base = dict(resize=(h, w), keep_aspect=False, crop=None, mean=(0.0,) * channels, std=(1.0,) * channels)
        if self.resize is not None:
            base["resize"] = self.resize
        if self.crop is not None:
            base["crop"] = self.crop
        if self.mean is not None:
            base["mean"] = self.mean
        if self.std is not None:
            base["std"] = self.std
        out_hw = base["crop"] or base["resize"]
        if tuple(out_hw) != (h, w):
            raise ValueError(
                f"preprocessing ends at {out_hw[0]}x{out_hw[1]} but the model input is {h}x{w}: "
                f"set --crop {h}x{w} or --resize {h}x{w}"
            )
        return ImagePreprocess(color=color, scale=1.0 / 255.0, interpolation="bilinear", **base)


def parse_hw(text: str | None, what: str) -> tuple[int, int] | None:
    """``"224x224"`` -> (224, 224); ``None`` stays None."""
    if text is None:
        return None
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"{what} takes HEIGHTxWIDTH, e.g. 224x224, not {text!r}")
    return int(parts[0]), int(parts[1])


def parse_floats(text: str | None, what: str) -> tuple[float, ...] | None:
    """``"0.485,0.456,0.406"`` -> a tuple of floats; ``None`` stays None."""
    if text is None:
        return None
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise ValueError(f"{what} takes comma-separated numbers, e.g. 0.485,0.456,0.406, not {text!r}") from None
