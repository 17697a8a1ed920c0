"""Small models and build contexts shared by the per-target tests (a module name no other folder uses)."""

from __future__ import annotations

import torch
from torch import nn

from mobilekit.export.config import ExportConfig
from mobilekit.export.spec import ImagePreprocess, InputSpec, LoadedModel, OutputSpec
from mobilekit.export.targets.base import BuildContext


@torch.library.custom_op("mk_test::wiggle", mutates_args=())
def _wiggle(x: torch.Tensor) -> torch.Tensor:
    return x * 1.5


@_wiggle.register_fake
def _(x):
    return torch.empty_like(x)


class Wiggle(nn.Module):
    """A layer calling a custom op no target knows (``mk_test::wiggle``), for unsupported-op errors."""

    def forward(self, x):
        return torch.ops.mk_test.wiggle(x)


def loaded(module: nn.Module, name: str = "small", pre: ImagePreprocess | None = None, channels: int = 1) -> LoadedModel:
    """``module`` as a LoadedModel with a [1, channels, 28, 28] image input and 10 logits."""
    module.eval()
    if pre is None:
        pre = ImagePreprocess(color="L", resize=(28, 28), mean=(0.5,), std=(0.5,))
    return LoadedModel(
        name=name,
        module=module,
        example_inputs=(torch.randn(1, channels, 28, 28),),
        inputs=(InputSpec("image", "float32", (1, channels, 28, 28), "NCHW", pre),),
        outputs=(OutputSpec("logits", "float32", (1, 10)),),
        source={"model": "test", "torch": torch.__version__},
    )


def context(model: LoadedModel, tmp_path, samples=None, count: int = 32, **config) -> BuildContext:
    """A BuildContext writing into ``tmp_path``, calibrated on ``samples`` or ``count`` seeded random inputs."""
    if samples is None:
        g = torch.Generator().manual_seed(1)
        shape = model.example_inputs[0].shape
        samples = [(torch.randn(shape, generator=g),) for _ in range(count)]
    return BuildContext(model=model, config=ExportConfig(model="test", **config), bundle_dir=tmp_path,
                        calibration_loader=lambda: samples)
