"""The ``digits`` built-in: a small CNN trained on scikit-learn's 8x8 handwritten digits.

The digits are treated as real pictures: each one is written as an 8-bit grayscale image with dark
ink on white paper, and the model input is made from that picture only through the manifest's
:data:`PREPROCESS` (invert, bilinear resize to 28x28, normalise). Training, calibration and
evaluation all take that path, so an app that follows the manifest on the PNG files from
:func:`write_digit_images` sees the accuracy recorded in ``digits_cnn.json``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from mobilekit import MobilekitError
from mobilekit.export.spec import EvalSet, ImagePreprocess, InputSpec, LoadedModel, OutputSpec, Sample

NAME = "digits_cnn"
LABELS = tuple(str(i) for i in range(10))
PREPROCESS = ImagePreprocess(
    color="L",
    resize=(28, 28),
    interpolation="bilinear",
    scale=1.0 / 255.0,
    mean=(0.5,),
    std=(0.5,),
    invert=True,
)
SPLIT_SEED = 0
TEST_FRACTION = 0.25
SPLITS = ("train", "test")
WEIGHTS_PATH = Path(__file__).with_name("digits_cnn.pt")
FACTS_PATH = Path(__file__).with_name("digits_cnn.json")


class DigitsCNN(nn.Module):
    """Three Conv-BN-ReLU stages (28x28 -> 4x4) and a two-layer classifier: ~188k parameters.

    Only ops that ``torch.export``, PT2E BN folding and the XNNPACK delegate all handle: conv2d,
    batch norm, relu, max_pool2d, flatten, linear.
    """

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1, bias=False),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 28 -> 14
            nn.Conv2d(32, 64, 3, padding=1, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 14 -> 7
            nn.Conv2d(64, 64, 3, stride=2, padding=1, bias=False),  # 7 -> 4
            nn.BatchNorm2d(64),
            nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Linear(64 * 4 * 4, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """``image`` [N, 1, 28, 28] (the output of :data:`PREPROCESS`) -> logits [N, 10]."""
        x = self.features(image)
        return self.classifier(torch.flatten(x, 1))


def param_count(module: nn.Module) -> int:
    """Number of trainable parameters (what the size figures are quoted against)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def digit_picture(values: np.ndarray):
    """One 8x8 sklearn digit (values 0..16) -> a PIL grayscale picture, dark ink on white paper.

    pixel = 255 - round(v * 255 / 16), as a scanner would give it; the model never sees ``values``.
    """
    from PIL import Image

    v = np.asarray(values, dtype=np.float64).reshape(8, 8)
    pixels = 255 - np.rint(v * 255.0 / 16.0)
    return Image.fromarray(pixels.astype(np.uint8), mode="L")


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images.astype(np.float64), data.target.astype(np.int64)


@functools.lru_cache(maxsize=1)
def split_indices() -> dict[str, np.ndarray]:
    """The fixed stratified split: dataset indices of ``train`` and ``test`` (25% held out, seed 0)."""
    from sklearn.model_selection import train_test_split

    _, labels = _digits()
    train, test = train_test_split(
        np.arange(len(labels)), test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=labels
    )
    return {"train": np.asarray(train), "test": np.asarray(test)}


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise MobilekitError(f"Unknown digits split {split!r}.", hint=f"Use one of: {', '.join(SPLITS)}.")


def split_pictures(split: str = "test") -> list[tuple[object, int]]:
    """The pictures of one split, in split order, as (PIL image, label) pairs."""
    _check_split(split)
    images, labels = _digits()
    return [(digit_picture(images[i]), int(labels[i])) for i in split_indices()[split]]


def to_input(picture) -> torch.Tensor:
    """A PIL picture -> the model input [1, 1, 28, 28], through the manifest preprocess only."""
    return torch.from_numpy(PREPROCESS.apply(picture))[None]


@functools.lru_cache(maxsize=2)
def _split_tensors(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    pairs = split_pictures(split)
    x = torch.cat([to_input(p) for p, _ in pairs])
    y = torch.tensor([label for _, label in pairs], dtype=torch.int64)
    return x, y


def split_tensors(split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs [N, 1, 28, 28] and labels [N] of one split (a copy; training reads these)."""
    _check_split(split)
    x, y = _split_tensors(split)
    return x.clone(), y.clone()


def calibration(count: int, seed: int = 0) -> list[Sample]:
    """``count`` training pictures (drawn without replacement by ``seed``) as batch-1 samples.

    Calibration never sees the held-out split, so the INT8 accuracy on it stays an honest figure.
    """
    x, _ = _split_tensors("train")
    if not 1 <= count <= len(x):
        raise MobilekitError(
            f"The digits model has {len(x)} training pictures for calibration; {count} were asked for.",
            hint=f"Ask for between 1 and {len(x)} calibration samples.",
        )
    order = np.random.default_rng(seed).permutation(len(x))[:count]
    return [(x[i : i + 1].clone(),) for i in order]


def eval_set() -> EvalSet:
    """The held-out split (450 pictures) as batch-1 samples with their labels, in split order."""
    x, y = _split_tensors("test")
    return EvalSet(
        samples=[(x[i : i + 1].clone(),) for i in range(len(x))],
        labels=[int(v) for v in y],
        description=(
            f"scikit-learn digits, held-out {int(TEST_FRACTION * 100)}% stratified split (seed {SPLIT_SEED}): "
            f"{len(x)} 8x8 pictures, dark ink on white, through the manifest preprocess"
        ),
    )


def write_digit_images(out_dir, split: str = "test") -> list[tuple[Path, int]]:
    """Write one split's digits as PNG files ``<split>_<position>_label<d>.png``; returns (path, label) pairs.

    These are the real input pictures for the apps and tests: position N is sample N of :func:`eval_set`
    (for ``test``) or of the training split.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for pos, (picture, label) in enumerate(split_pictures(split)):
        path = out / f"{split}_{pos:04d}_label{label}.png"
        picture.save(path, format="PNG")
        written.append((path, label))
    return written


def training_facts() -> dict:
    """What ``train_digits`` recorded about the shipped weights (``digits_cnn.json``)."""
    return json.loads(FACTS_PATH.read_text())


def load_module() -> DigitsCNN:
    """The eval-mode CNN with the shipped weights (loaded with ``weights_only=True``)."""
    if not WEIGHTS_PATH.exists():
        raise MobilekitError(
            f"The digits weights {WEIGHTS_PATH} are missing.",
            hint="Train them with: python -m mobilekit.export.models.train_digits",
        )
    net = DigitsCNN()
    net.load_state_dict(torch.load(WEIGHTS_PATH, map_location="cpu", weights_only=True))
    return net.eval()


def load() -> LoadedModel:
    """The ``digits`` built-in as a :class:`LoadedModel` (trained weights, its own data)."""
    net = load_module()
    facts = training_facts()
    description = (
        f"Small CNN ({facts['params']:,} parameters) trained on scikit-learn's 8x8 handwritten digits, "
        f"seen as dark-on-white grayscale pictures through the manifest preprocess; "
        f"FP32 accuracy {facts['test_accuracy']:.2%} on the held-out {facts['split']['test']} pictures "
        f"({int(TEST_FRACTION * 100)}% stratified split, seed {SPLIT_SEED})."
    )
    return LoadedModel(
        name=NAME,
        module=net,
        example_inputs=(_split_tensors("test")[0][:1].clone(),),
        inputs=(InputSpec(name="image", dtype="float32", shape=(1, 1, 28, 28), layout="NCHW", preprocess=PREPROCESS),),
        outputs=(OutputSpec(name="logits", dtype="float32", shape=(1, 10), kind="classification"),),
        source={"model": "digits", "trained": True, "weights": WEIGHTS_PATH.name, "description": description},
        labels=LABELS,
        calibration=calibration,
        eval_set=eval_set,
    )
