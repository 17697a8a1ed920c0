"""Sensitivity analysis: which layers does INT8 hurt, ranked by the damage to the model's output.

One layer at a time, on the eager FP32 model: its weights are fake-quantized the way XNNPACK stores
them (INT8, symmetric, per output channel), then, separately, its input activation is fake-quantized
the way XNNPACK computes it (INT8, per tensor, affine, range observed on the calibration data). Every
other layer stays float, so each figure is that layer's own damage, not damage propagated from
earlier layers. The output is compared with FP32 (SQNR, top-1 agreement; accuracy where labels exist).

This per-layer pass costs two forward passes over the data per layer: about a minute for
EfficientNet-Lite0 on two cores, against about ten seconds per layer for a full PT2E
prepare/calibrate/convert. Per-channel weight quantization is invariant to batch-norm's per-channel
scale, so measuring weights on the unfolded model gives the folded model's figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from mobilekit.export.spec import LoadedModel, Sample
from mobilekit.export.validate import sqnr_db

QUANTIZABLE = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Linear)


@dataclass(frozen=True)
class LayerSensitivity:
    """One layer's damage to the output when only it is quantized (weights, activations, both)."""

    name: str
    kind: str
    params: int
    weight_sqnr_db: float
    activation_sqnr_db: float
    weight_agreement: float | None
    activation_agreement: float | None
    weight_accuracy: float | None = None
    activation_accuracy: float | None = None

    @property
    def combined_sqnr_db(self) -> float:
        """Weights and activations together, adding the two noise powers (the ranking key)."""
        noise = 10 ** (-_cap(self.weight_sqnr_db) / 10) + 10 ** (-_cap(self.activation_sqnr_db) / 10)
        return round(-10 * math.log10(noise), 3)

    def to_json(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "params": self.params,
            "weight_sqnr_db": self.weight_sqnr_db, "activation_sqnr_db": self.activation_sqnr_db,
            "combined_sqnr_db": self.combined_sqnr_db,
            "weight_agreement": self.weight_agreement, "activation_agreement": self.activation_agreement,
            "weight_accuracy": self.weight_accuracy, "activation_accuracy": self.activation_accuracy,
        }


@dataclass
class SensitivityReport:
    """Every quantizable layer, most damaging first, plus what the figures were measured on."""

    layers: list[LayerSensitivity]
    samples: int
    data: str
    fp32_accuracy: float | None = None
    notes: list[str] = field(default_factory=list)

    def ranked_names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def to_json(self) -> dict:
        return {
            "samples": self.samples, "data": self.data, "fp32_accuracy": self.fp32_accuracy,
            "method": "one layer at a time on the eager model: INT8 per-channel symmetric weights, then INT8 "
            "per-tensor affine input activation (range from calibration); ranked by combined SQNR",
            "layers": [layer.to_json() for layer in self.layers],
            "notes": list(self.notes),
        }


def _cap(db: float) -> float:
    return min(db, 120.0)


def fake_quant_weight(weight: torch.Tensor) -> torch.Tensor:
    """INT8 symmetric per-output-channel round trip (XNNPACK's weight format)."""
    flat = weight.reshape(weight.shape[0], -1)
    scale = flat.abs().amax(dim=1).clamp(min=1e-12) / 127.0
    q = torch.clamp(torch.round(flat / scale[:, None]), -127, 127)
    return (q * scale[:, None]).reshape(weight.shape)


def fake_quant_activation(x: torch.Tensor, lo: float, hi: float) -> torch.Tensor:
    """INT8 per-tensor affine round trip over [lo, hi] (zero always representable, as PT2E does)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = max(hi - lo, 1e-12) / 255.0
    zero = round(-lo / scale) - 128
    q = torch.clamp(torch.round(x / scale) + zero, -128, 127)
    return (q - zero) * scale


def quantizable_layers(module: torch.nn.Module) -> list[tuple[str, torch.nn.Module]]:
    """(name, layer) for every conv/linear, in definition order (the names ``--keep-float`` takes)."""
    return [(n, m) for n, m in module.named_modules() if isinstance(m, QUANTIZABLE) and n]


def output_rows(module: torch.nn.Module, samples: list[Sample]) -> np.ndarray:
    """First output of ``module`` for every sample, flattened to one row per batch item."""
    with torch.no_grad():
        outs = []
        for s in samples:
            out = module(*s)
            first = out if isinstance(out, torch.Tensor) else out[0]
            outs.append(first.detach().float().reshape(first.shape[0], -1).numpy())
    return np.concatenate(outs)


def _input_ranges(module: torch.nn.Module, layers, samples: list[Sample]) -> dict[str, tuple[float, float]]:
    """Per-layer input range over the calibration samples, trimmed at the 0.01% / 99.99% quantiles
    (a histogram observer clips outliers too; plain min/max would overstate the damage)."""
    seen: dict[str, list[torch.Tensor]] = {name: [] for name, _ in layers}
    hooks = []
    for name, layer in layers:
        def hook(mod, args, name=name):
            x = args[0].detach().float().flatten()
            if x.numel() > 200_000:
                x = x[torch.randperm(x.numel(), generator=torch.Generator().manual_seed(0))[:200_000]]
            seen[name].append(x)
        hooks.append(layer.register_forward_pre_hook(hook))
    try:
        with torch.no_grad():
            for s in samples:
                module(*s)
    finally:
        for h in hooks:
            h.remove()
    ranges = {}
    for name, chunks in seen.items():
        if not chunks:
            continue
        x = torch.cat(chunks)
        if x.numel() > 1_000_000:
            x = x[torch.randperm(x.numel(), generator=torch.Generator().manual_seed(1))[:1_000_000]]
        lo, hi = torch.quantile(x, torch.tensor([1e-4, 1 - 1e-4])).tolist()
        ranges[name] = (float(lo), float(hi))
    return ranges


def _figures(ref: np.ndarray, got: np.ndarray, labels, classification: bool):
    sqnr = round(_cap(sqnr_db(ref, got)), 3)
    if not classification:
        return sqnr, None, None
    agree = float(np.mean(ref.argmax(1) == got.argmax(1)))
    acc = float(np.mean(got.argmax(1) == np.asarray(labels))) if labels is not None else None
    return sqnr, agree, acc


def analyze_layers(
    model: LoadedModel,
    calibration: list[Sample],
    samples: list[Sample],
    *,
    labels=None,
    data: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> SensitivityReport:
    """Rank ``model``'s conv/linear layers by the damage INT8 does to each alone, worst first.

    ``calibration`` sets the activation ranges; ``samples`` (ideally held out) measure the damage.
    """
    net = model.module.eval()
    layers = quantizable_layers(net)
    classification = model.outputs[0].kind == "classification"
    ref = output_rows(net, samples)
    fp32_acc = float(np.mean(ref.argmax(1) == np.asarray(labels))) if labels is not None and classification else None
    ranges = _input_ranges(net, layers, calibration)
    results = []
    for i, (name, layer) in enumerate(layers):
        if progress:
            progress(i, len(layers), name)
        original = layer.weight.data.clone()
        layer.weight.data = fake_quant_weight(original)
        try:
            w = _figures(ref, output_rows(net, samples), labels, classification)
        finally:
            layer.weight.data = original
        lo, hi = ranges.get(name, (0.0, 0.0))
        handle = layer.register_forward_pre_hook(
            lambda mod, args, lo=lo, hi=hi: (fake_quant_activation(args[0], lo, hi),) + tuple(args[1:])
        )
        try:
            a = _figures(ref, output_rows(net, samples), labels, classification)
        finally:
            handle.remove()
        results.append(LayerSensitivity(
            name=name, kind=type(layer).__name__, params=sum(p.numel() for p in layer.parameters()),
            weight_sqnr_db=w[0], activation_sqnr_db=a[0], weight_agreement=w[1], activation_agreement=a[1],
            weight_accuracy=w[2], activation_accuracy=a[2],
        ))
    if progress:
        progress(len(layers), len(layers), "")
    results.sort(key=lambda r: r.combined_sqnr_db)
    return SensitivityReport(layers=results, samples=len(samples), data=data, fp32_accuracy=fp32_acc)
