"""What the ImageNet built-ins share: the standard preprocess, the labels, and real-photo data.

Both ``efficientnet_lite0`` and ``mobilenet_v2`` are ImageNet classifiers with published weights; they take
the usual "resize the shorter side to 256, centre-crop 224, ImageNet mean/std" input and are calibrated and
judged on crops of real photographs that scikit-image and scikit-learn ship (:mod:`.photos`), split by
picture so no evaluation crop shares a pixel with a calibration crop.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch

from mobilekit.export.models import photos
from mobilekit.export.spec import EvalSet, ImagePreprocess, InputSpec, LoadedModel, OutputSpec, Sample

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


@functools.lru_cache(maxsize=None)
def _tensors(which: str, count: int, seed: int) -> torch.Tensor:
    if which == "eval":
        pics = photos.crops(photos.EVAL_PHOTOS, count, seed, min_scale=EVAL_MIN_SCALE)
    else:
        pics = photos.crops(photos.CALIBRATION_PHOTOS, count, seed)
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


def labels() -> tuple[str, ...]:
    return tuple(LABELS_PATH.read_text(encoding="utf-8").splitlines())


def loaded_model(name: str, net: torch.nn.Module, source: dict) -> LoadedModel:
    """An eval-mode ImageNet classifier as a :class:`LoadedModel` with the shared preprocess, labels and photos."""
    example = eval_set().samples[0][0].clone()
    return LoadedModel(
        name=name,
        module=net.eval(),
        example_inputs=(example,),
        inputs=(InputSpec(name="image", dtype="float32", shape=(1, 3, 224, 224), layout="NCHW", preprocess=PREPROCESS),),
        outputs=(OutputSpec(name="logits", dtype="float32", shape=(1, 1000), kind="classification"),),
        source={"model": name, "trained": True, **source},
        labels=labels(),
        calibration=calibration,
        eval_set=eval_set,
    )
