"""Quantization-aware training through PT2E: prepare -> train (yours, or distillation) -> convert.

``quantize_qat(model, recipe, qat, samples)`` returns the same kind of Q/DQ graph as post-training
``quantize_pt2e``, so every target that consumes that graph (ExecuTorch XNNPACK, Core ML W8A8) builds
from it unchanged. Two ways to train the fake-quantized model:

- ``QatConfig(train="mypkg.train:finetune")``: your own loop, called as ``finetune(prepared_model)``;
  it trains in place (the model is in train mode; call ``model.eval()``-free helpers as you like).
- ``QatConfig(train="distill")``: no labels needed. A copy of the model, with INT8 weights and
  activations simulated (straight-through gradients), learns to reproduce the FP32 model's outputs on
  the unlabeled calibration data (knowledge distillation, MSE on the outputs), batch-norm statistics
  frozen. Its float weights then go through the ordinary post-training INT8 of every target, so the
  recovered accuracy reaches ONNX Runtime and ``.ptl`` too.
  (torchao's ``prepare_qat_pt2e`` graph, calibrated the same way, scored 16 dB against FP32 on the digits
  model where post-training INT8 scores 40 dB: its activation fake-quantizers in eval mode did not
  reproduce the PTQ graph here, so distillation trains the eager model instead.)

The Python API: ``distill(model, samples, QatConfig())`` returns the fine-tuned float module;
``quantize_qat(model, quantizer, samples, QatConfig(train="mypkg.train:finetune"))`` runs your loop.
"""

from __future__ import annotations

import copy
import importlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from mobilekit.export.config import StaticInt8Config
from mobilekit.export.errors import ExportError
from mobilekit.export.loading import export_failure
from mobilekit.export.spec import LoadedModel, Sample

DISTILL = "distill"


@dataclass(frozen=True)
class QatConfig:
    """How to train the fake-quantized model: ``"distill"`` or ``"module:function"`` (your loop)."""

    train: str = DISTILL
    steps: int = 150
    batch_size: int = 8
    lr: float = 1e-5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.train != DISTILL and ":" not in self.train:
            raise ValueError(f"--qat takes 'distill' or module:function (your training loop), not {self.train!r}")
        if self.steps < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("QAT steps and batch size must be at least 1, and the learning rate positive")

    def to_json(self) -> dict:
        if self.train == DISTILL:
            return {"train": DISTILL, "steps": self.steps, "batch_size": self.batch_size, "lr": self.lr,
                    "loss": "MSE to the FP32 model's outputs on the calibration data (no labels)"}
        return {"train": self.train}


def resolve_train_fn(ref: str) -> Callable:
    """``module:function`` -> the user's training function (a clear error when it cannot be found)."""
    module_name, _, fn_name = ref.partition(":")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's to fix
        raise ExportError(f"Cannot import {module_name!r} for --qat {ref}: {type(exc).__name__}: {exc}") from exc
    fn = getattr(module, fn_name, None)
    if not callable(fn):
        raise ExportError(f"{module_name!r} has no function {fn_name!r} for --qat.",
                          hint="--qat module:function names a function called with the prepared model, which it trains in place.")
    return fn


def _capture_for_training(model: LoadedModel) -> torch.fx.GraphModule:
    """The model exported in train mode with a dynamic batch, as ``prepare_qat_pt2e`` wants it."""
    module = copy.deepcopy(model.module).train()
    example = tuple(t.expand(2, *t.shape[1:]).contiguous() for t in model.example_inputs)
    batch = torch.export.Dim("batch", min=1, max=4096)
    dynamic = tuple({0: batch} for _ in example)
    try:
        return torch.export.export(module, example, dynamic_shapes=dynamic, strict=False).module()
    except Exception as exc:
        raise export_failure(model, exc) from exc


def _batches(samples: list[Sample], batch_size: int, rng: random.Random):
    order = list(range(len(samples)))
    while True:
        rng.shuffle(order)
        for i in range(0, len(order) - batch_size + 1, batch_size):
            chunk = [samples[j] for j in order[i : i + batch_size]]
            yield tuple(torch.cat([s[k] for s in chunk]) for k in range(len(chunk[0])))


def _first(out) -> torch.Tensor:
    return out if isinstance(out, torch.Tensor) else out[0]


class _WeightFakeQuant(torch.nn.Module):
    """Per-output-channel symmetric INT8 round trip with a straight-through gradient (XNNPACK's weight format)."""

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        from mobilekit.export.quant.sensitivity import fake_quant_weight

        return weight + (fake_quant_weight(weight) - weight).detach()


def distill(model: LoadedModel, samples: list[Sample], qat: QatConfig,
            log: Callable[[str], None] = lambda m: None) -> tuple[torch.nn.Module, list[float]]:
    """A copy of ``model.module`` fine-tuned, with INT8 weights and activations simulated, to reproduce the
    FP32 model's outputs on ``samples`` (no labels). Returns the fine-tuned float module and the losses.

    Weights are fake-quantized per output channel, each conv/linear input per tensor over the range
    observed on the data (both with straight-through gradients); batch-norm statistics stay frozen.
    Post-training static INT8 of the returned module then starts from weights that survive rounding,
    and every target benefits, including those with their own quantizers (ONNX Runtime, ``.ptl``).
    """
    from torch.nn.utils import parametrize

    from mobilekit.export.quant.sensitivity import _input_ranges, fake_quant_activation, quantizable_layers

    torch.manual_seed(qat.seed)
    rng = random.Random(qat.seed)
    teacher = model.module.eval()
    student = copy.deepcopy(teacher).eval()  # eval: batch-norm uses (and keeps) the trained statistics
    layers = quantizable_layers(student)
    ranges = _input_ranges(student, layers, samples[:32])
    hooks = []
    for name, layer in layers:
        parametrize.register_parametrization(layer, "weight", _WeightFakeQuant())
        lo, hi = ranges.get(name, (0.0, 0.0))

        def act(mod, args, lo=lo, hi=hi):
            x = args[0]
            return (x + (fake_quant_activation(x, lo, hi) - x).detach(),) + tuple(args[1:])

        hooks.append(layer.register_forward_pre_hook(act))
    params = [p for _, layer in layers for p in layer.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=qat.lr)
    batch = min(qat.batch_size, len(samples))
    losses: list[float] = []
    try:
        for step, xb in zip(range(qat.steps), _batches(samples, batch, rng)):
            with torch.no_grad():
                target = _first(teacher(*xb)).float()
            out = _first(student(*xb)).float()
            loss = torch.nn.functional.mse_loss(out, target) / target.var().clamp(min=1e-12)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if step % 25 == 0 or step == qat.steps - 1:
                log(f"QAT distill step {step + 1}/{qat.steps}: relative MSE to FP32 {losses[-1]:.4f}")
    finally:
        for h in hooks:
            h.remove()
        for _, layer in layers:
            if parametrize.is_parametrized(layer, "weight"):
                parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    return student.eval(), losses


def quantize_qat(model: LoadedModel, quantizer, samples: list[Sample], qat: QatConfig,
                 log: Callable[[str], None] = lambda m: None) -> tuple[torch.fx.GraphModule, dict]:
    """Your training loop through torchao's PT2E QAT: prepare_qat_pt2e -> ``fn(prepared)`` -> convert_pt2e."""
    from torchao.quantization.pt2e import move_exported_model_to_eval
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_qat_pt2e

    from mobilekit.export.quant.pt2e import float_layer_barriers

    fn = resolve_train_fn(qat.train)
    prepared = prepare_qat_pt2e(_capture_for_training(model), quantizer)
    log(f"QAT: calling your training loop {qat.train}(prepared_model)")
    try:
        fn(prepared)
    except Exception as exc:
        raise ExportError(f"Your QAT training loop {qat.train} raised {type(exc).__name__}: {exc}") from exc
    move_exported_model_to_eval(prepared)
    converted = convert_pt2e(prepared)
    float_layer_barriers(converted)
    return converted, qat.to_json()


def qat_quantizer(recipe: StaticInt8Config, model: LoadedModel):
    """The XNNPACK quantizer configured for QAT (fake quantization during training)."""
    from mobilekit.export.quant.pt2e import xnnpack_quantizer

    return xnnpack_quantizer(recipe, model, is_qat=True)
