"""The ``mobilenet_v2`` built-in: a MobileNetV2 (width 1.0, 224x224 RGB, 1000 classes) for speed and size.

It is NOT trained (there is no ImageNet here). The weights are a fixed-seed random initialisation;
then the batch-norm running statistics are recalibrated by forward passes in train mode over
deterministic synthetic pictures (:mod:`~mobilekit.export.models.synthetic`) sent through the
ImageNet preprocess, so every layer's activations have realistic ranges for quantization. Its
predictions mean nothing: use it for latency and size. Its INT8-vs-FP32 fidelity is not representative
of a trained MobileNetV2 either: a random batch-norm network amplifies quantization noise layer by layer
(static per-channel INT8, 32-64 calibration pictures: ~11 dB SQNR on its logits here).
The recalibrated state is built on first use and cached in memory; no weights are shipped.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from mobilekit import MobilekitError
from mobilekit.export.models.synthetic import smooth_noise_picture
from mobilekit.export.spec import EvalSet, ImagePreprocess, InputSpec, LoadedModel, OutputSpec, Sample

NAME = "mobilenet_v2"
PREPROCESS = ImagePreprocess(
    color="RGB",
    resize=(256, 256),
    crop=(224, 224),
    interpolation="bilinear",
    scale=1.0 / 255.0,
    mean=(0.485, 0.456, 0.406),
    std=(0.229, 0.224, 0.225),
)
INIT_SEED = 0
BN_PICTURES = 32  # synthetic pictures for the batch-norm recalibration
BN_BATCH = 16
EVAL_COUNT = 32
# Separate picture streams, so calibration, evaluation and BN recalibration never share a picture.
STREAM_CALIBRATION, STREAM_EVAL, STREAM_BN = 0, 1, 2
EVAL_SEED = 0
BN_SEED = 0

# (expansion t, output channels c, repeats n, first stride s), as in Sandler et al. 2018, table 2.
INVERTED_RESIDUAL_SETTING = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


class ConvBNReLU6(nn.Sequential):
    """Conv (no bias) -> BN -> ReLU6; ``groups=channels`` makes it depthwise."""

    def __init__(self, cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1):
        super().__init__(
            nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU6(),
        )


class InvertedResidual(nn.Module):
    """1x1 expand -> 3x3 depthwise -> 1x1 linear bottleneck (no activation), plus ``x +`` when shapes match."""

    def __init__(self, cin: int, cout: int, stride: int, expand: int):
        super().__init__()
        hidden = cin * expand
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(ConvBNReLU6(cin, hidden, kernel=1))
        layers += [
            ConvBNReLU6(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*layers)
        self.use_residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_residual else self.conv(x)


class MobileNetV2(nn.Module):
    """MobileNetV2, width multiplier 1.0: 3,504,872 parameters (the paper's "3.4M" counts the same net)."""

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        cin = 32
        layers: list[nn.Module] = [ConvBNReLU6(3, cin, stride=2)]
        for t, c, n, s in INVERTED_RESIDUAL_SETTING:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(ConvBNReLU6(cin, 1280, kernel=1))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(1280, num_classes)
        self._init_weights()

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        """``image`` [N, 3, 224, 224] (ImageNet-normalised) -> logits [N, 1000]."""
        x = self.pool(self.features(image))
        return self.classifier(torch.flatten(x, 1))


def to_input(picture) -> torch.Tensor:
    """A PIL picture -> the model input [1, 3, 224, 224], through the manifest preprocess only."""
    return torch.from_numpy(PREPROCESS.apply(picture))[None]


def _pictures(count: int, seed: int, stream: int) -> torch.Tensor:
    return torch.cat([to_input(smooth_noise_picture(seed, i, stream=stream)) for i in range(count)])


@functools.lru_cache(maxsize=1)
def _recalibrated_state() -> dict[str, torch.Tensor]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(INIT_SEED)
        net = MobileNetV2()
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over all recalibration batches
    x = _pictures(BN_PICTURES, BN_SEED, STREAM_BN)
    net.train()
    with torch.no_grad():
        for start in range(0, len(x), BN_BATCH):
            net(x[start : start + BN_BATCH])
    for bn in bns:
        bn.momentum = 0.1
    return {k: v.clone() for k, v in net.state_dict().items()}


def build_module() -> MobileNetV2:
    """A fresh eval-mode MobileNetV2 with the fixed-seed, BN-recalibrated weights (cached after the first call)."""
    net = MobileNetV2()
    net.load_state_dict(_recalibrated_state())
    return net.eval()


def param_count(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def calibration(count: int, seed: int = 0) -> list[Sample]:
    """``count`` synthetic pictures of ``seed`` through the ImageNet preprocess, as batch-1 samples."""
    if count < 1:
        raise MobilekitError(f"Asked for {count} calibration samples.", hint="Ask for at least 1.")
    return [(to_input(smooth_noise_picture(seed, i, stream=STREAM_CALIBRATION)),) for i in range(count)]


def eval_set() -> EvalSet:
    """32 synthetic pictures (never used for calibration), no labels: for FP32-vs-INT8 comparison only."""
    x = _pictures(EVAL_COUNT, EVAL_SEED, STREAM_EVAL)
    return EvalSet(
        samples=[(x[i : i + 1].clone(),) for i in range(len(x))],
        labels=None,
        description=(
            f"{EVAL_COUNT} synthetic smooth-noise pictures through the ImageNet preprocess; no labels "
            "(the model is untrained): fidelity only"
        ),
    )


def load() -> LoadedModel:
    """The ``mobilenet_v2`` built-in as a :class:`LoadedModel` (untrained; for speed and size figures)."""
    net = build_module()
    description = (
        f"MobileNetV2 width 1.0 ({param_count(net):,} parameters), 224x224 RGB, 1000 classes. NOT trained: "
        f"random init (seed {INIT_SEED}), then batch-norm running statistics recalibrated by forward passes "
        f"in train mode over {BN_PICTURES} deterministic synthetic smooth-noise pictures through the ImageNet "
        "preprocess, so activation ranges are realistic. For latency and size figures; its predictions mean "
        "nothing, and its INT8-vs-FP32 fidelity is not that of a trained MobileNetV2 (a random batch-norm network "
        "amplifies quantization noise, and its logits barely depend on the input)."
    )
    return LoadedModel(
        name=NAME,
        module=net,
        example_inputs=(to_input(smooth_noise_picture(EVAL_SEED, 0, stream=STREAM_EVAL)),),
        inputs=(
            InputSpec(name="image", dtype="float32", shape=(1, 3, 224, 224), layout="NCHW", preprocess=PREPROCESS),
        ),
        outputs=(OutputSpec(name="logits", dtype="float32", shape=(1, 1000), kind="classification"),),
        source={"model": "mobilenet_v2", "trained": False, "weights": None, "description": description},
        labels=None,
        calibration=calibration,
        eval_set=eval_set,
    )
