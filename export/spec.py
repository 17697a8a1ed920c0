"""What a loaded model is: its module, its example inputs, the tensors it exchanges and the data it comes with.

These records are what the manifest's ``inputs``/``outputs`` are written from, so the apps see exactly
what the exporter saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

Sample = tuple  # one model call's positional inputs: tuple[torch.Tensor, ...]

DTYPE_NAMES: dict[torch.dtype, str] = {
    torch.float32: "float32",
    torch.float16: "float16",
    torch.int64: "int64",
    torch.int32: "int32",
    torch.int8: "int8",
    torch.uint8: "uint8",
    torch.bool: "bool",
}
DTYPES: dict[str, torch.dtype] = {v: k for k, v in DTYPE_NAMES.items()}


@dataclass(frozen=True)
class ImagePreprocess:
    """How an app turns a picture into the model's input tensor (the manifest's ``preprocess``).

    Order: decode -> convert to ``color`` -> (invert) -> resize to ``resize`` [h, w] -> centre-crop to
    ``crop`` -> ``x * scale`` -> ``(x - mean[c]) / std[c]``. With ``keep_aspect`` the resize keeps the
    picture's aspect ratio: it scales the picture until it covers [h, w] and centre-crops the overflow
    (the usual ImageNet "resize 256, crop 224"), so photos are never squashed.
    """

    color: str = "RGB"  # L, RGB or BGR
    resize: tuple[int, int] = (224, 224)
    crop: tuple[int, int] | None = None
    interpolation: str = "bilinear"
    scale: float = 1.0 / 255.0
    mean: tuple[float, ...] = (0.485, 0.456, 0.406)
    std: tuple[float, ...] = (0.229, 0.224, 0.225)
    invert: bool = False
    keep_aspect: bool = False

    def __post_init__(self) -> None:
        if self.color not in ("L", "RGB", "BGR"):
            raise ValueError(f"color must be L, RGB or BGR, not {self.color!r}")
        if self.interpolation not in ("bilinear", "nearest", "bicubic"):
            raise ValueError(f"interpolation must be bilinear, nearest or bicubic, not {self.interpolation!r}")
        channels = 1 if self.color == "L" else 3
        if len(self.mean) not in (1, channels) or len(self.std) not in (1, channels):
            raise ValueError(f"mean/std need 1 or {channels} values for color {self.color}")
        if any(s <= 0 for s in self.std):
            raise ValueError("std values must be positive")

    @property
    def channels(self) -> int:
        return 1 if self.color == "L" else 3

    @property
    def output_hw(self) -> tuple[int, int]:
        return tuple(self.crop) if self.crop else tuple(self.resize)  # type: ignore[return-value]

    def to_json(self) -> dict:
        return {
            "kind": "image",
            "color": self.color,
            "resize": list(self.resize),
            "crop": list(self.crop) if self.crop else None,
            "interpolation": self.interpolation,
            "scale": self.scale,
            "mean": list(self.mean),
            "std": list(self.std),
            "invert": self.invert,
            "keep_aspect": self.keep_aspect,
        }

    def apply(self, image) -> "np.ndarray":
        """A PIL image -> float32 array [C, H, W], exactly as the manifest tells the apps to do it."""
        import numpy as np
        from PIL import Image, ImageOps

        mode = "L" if self.color == "L" else "RGB"
        img = ImageOps.exif_transpose(image).convert(mode)  # a portrait photo reaches the model upright
        if self.invert:
            img = ImageOps.invert(img)
        resample = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST, "bicubic": Image.BICUBIC}[self.interpolation]
        h, w = self.resize
        if self.keep_aspect:
            src_w, src_h = img.size
            factor = max(h / src_h, w / src_w)
            rw, rh = max(w, round(src_w * factor)), max(h, round(src_h * factor))
            img = img.resize((rw, rh), resample=resample)
            left, top = (rw - w) // 2, (rh - h) // 2
            img = img.crop((left, top, left + w, top + h))
        else:
            img = img.resize((w, h), resample=resample)
        if self.crop:
            ch, cw = self.crop
            top, left = (h - ch) // 2, (w - cw) // 2
            img = img.crop((left, top, left + cw, top + ch))
        arr = np.asarray(img, dtype=np.float32)
        arr = arr[None, :, :] if arr.ndim == 2 else arr.transpose(2, 0, 1)
        if self.color == "BGR":
            arr = arr[::-1]
        arr = arr * np.float32(self.scale)
        mean = np.asarray(self.mean, dtype=np.float32).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=np.float32).reshape(-1, 1, 1)
        return np.ascontiguousarray((arr - mean) / std, dtype=np.float32)

    @classmethod
    def from_json(cls, d: dict) -> "ImagePreprocess":
        return cls(
            color=d["color"],
            resize=tuple(d["resize"]),
            crop=tuple(d["crop"]) if d.get("crop") else None,
            interpolation=d.get("interpolation", "bilinear"),
            scale=d["scale"],
            mean=tuple(d["mean"]),
            std=tuple(d["std"]),
            invert=bool(d.get("invert", False)),
            keep_aspect=bool(d.get("keep_aspect", False)),
        )


TEXT_ROLES = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True)
class InputSpec:
    """One model input as the manifest states it. ``shape`` uses -1 for a dynamic dimension.

    ``role`` says what an app feeds it: a picture (``image``), what the bundle's tokenizer makes of a
    sentence (``input_ids``, ``attention_mask``, ``token_type_ids``), or raw ``features``/``tokens``.
    """

    name: str
    dtype: str
    shape: tuple[int, ...]
    layout: str = "ANY"
    preprocess: ImagePreprocess | None = None
    role: str | None = None

    @property
    def is_integer(self) -> bool:
        return self.dtype in ("int64", "int32", "int8", "uint8", "bool")

    def to_json(self) -> dict:
        d = {
            "name": self.name,
            "dtype": self.dtype,
            "shape": list(self.shape),
            "layout": self.layout,
            "preprocess": self.preprocess.to_json() if self.preprocess else None,
        }
        if self.role:
            d["role"] = self.role
        return d


@dataclass(frozen=True)
class TokenizerSpec:
    """A BERT WordPiece tokenizer as the bundle ships it (the manifest's ``tokenizer``): the apps
    re-implement it from ``vocab.txt`` and these settings; hosts use ``tokenizer.json``."""

    folder: str  # where tokenizer.json / vocab.txt were read from (not shipped as a path)
    max_length: int
    inputs: dict  # {"input_ids": name, "attention_mask": name|None, "token_type_ids": name|None}
    lowercase: bool = True
    strip_accents: bool = True
    cls_token: str = "[CLS]"
    sep_token: str = "[SEP]"
    pad_token: str = "[PAD]"
    unk_token: str = "[UNK]"

    def to_json(self) -> dict:
        return {"kind": "wordpiece", "vocab": "vocab.txt", "file": "tokenizer.json", "lowercase": self.lowercase,
                "strip_accents": self.strip_accents, "max_length": self.max_length, "cls_token": self.cls_token,
                "sep_token": self.sep_token, "pad_token": self.pad_token, "unk_token": self.unk_token,
                "continuing_prefix": "##", "max_chars_per_word": 100, "inputs": dict(self.inputs)}


@dataclass(frozen=True)
class OutputSpec:
    """One model output. ``classification`` outputs get top-1 agreement and accuracy in validation."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    kind: str = "classification"  # "embedding" (compared by cosine similarity) or "none"
    softmax: bool = True
    top_k: int = 5
    normalize: bool = False  # embedding: L2-normalised by the model

    def to_json(self) -> dict:
        if self.kind == "classification":
            post = {"kind": self.kind, "softmax": self.softmax, "top_k": self.top_k}
        elif self.kind == "embedding":
            post = {"kind": "embedding", "normalize": self.normalize}
        else:
            post = None
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape), "postprocess": post}


@dataclass(frozen=True)
class EvalSet:
    """Held-out inputs (each a :data:`Sample` at the exported batch size) and, where known, their labels."""

    samples: Sequence[Sample]
    labels: Sequence[int] | None = None
    description: str = ""
    texts: Sequence[str] | None = None  # the sentences the samples were tokenized from (text models)


@dataclass
class LoadedModel:
    """A model ready to export: an eval-mode module plus everything the bundle needs to describe it.

    ``calibration`` (count, seed) -> samples, and ``eval_set`` () -> EvalSet, are present for the
    built-in models (their own data); for a user's model they come from ``--calibration`` or are None.
    """

    name: str
    module: torch.nn.Module
    example_inputs: Sample
    inputs: tuple[InputSpec, ...]
    outputs: tuple[OutputSpec, ...]
    source: dict
    labels: tuple[str, ...] | None = None
    calibration: Callable[[int, int], list[Sample]] | None = None
    eval_set: Callable[[], EvalSet] | None = None
    dynamic_batch: bool = False
    exported_program: "torch.export.ExportedProgram | None" = field(default=None, repr=False)
    tokenizer: TokenizerSpec | None = None
    notes: list = field(default_factory=list)  # rewrites made while loading (attention hygiene), for the report
