"""Accuracy recovery for post-training INT8: a percentile observer, bias correction, AdaRound, an automatic choice.

- :class:`PercentileObserver` sets an activation's range from the 0.01% / 99.99% quantiles of what it
  sees (averaged over calibration batches), so a handful of outliers no longer stretch the INT8 grid.
- :func:`bias_correction` (Nagel et al., "Data-Free Quantization", 2019; empirical variant): rounding
  a layer's weights to INT8 shifts the mean of each output channel; measuring that shift on the
  calibration data and subtracting it from the layer's bias removes it. Done on a copy of the float
  model, layer by layer, with the weights fake-quantized exactly as XNNPACK stores them (per-channel
  symmetric), which batch-norm folding later leaves intact (a per-channel scale).
- :func:`choose_calibration` tries the observers with and without bias correction on tuning samples
  held out of the calibration data and keeps the best, with the comparison recorded.

- :func:`adaround` learns, layer by layer, whether each weight rounds up or down so that the layer's
  output on calibration data stays close to FP32 (weights end up exactly on the INT8 grid every
  exporter computes, so the choice survives into every target).

Cross-layer equalization is not offered: it rescales channels across an activation, which is exact
for ReLU but not for ReLU6 (the clamp at 6 does not commute with a scale), the activation of most
mobile networks.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Callable

import torch

from mobilekit.export.spec import LoadedModel, Sample


def percentile_observer_class():
    """A torchao PT2E observer that takes its range from quantiles (built lazily: torchao loads on use)."""
    from torchao.quantization.pt2e.observer import MinMaxObserver

    class PercentileObserver(MinMaxObserver):
        """Activation range = mean over batches of the (100 - p)% and p% quantiles (p = 99.99)."""

        def __init__(self, *args, percentile: float = 99.99, **kwargs):
            super().__init__(*args, **kwargs)
            self.percentile = percentile
            self._lo_sum, self._hi_sum, self._n = 0.0, 0.0, 0

        def forward(self, x_orig):
            if x_orig.numel() == 0:
                return x_orig
            x = x_orig.detach().float().flatten()
            if x.numel() > 500_000:
                idx = torch.randint(0, x.numel(), (500_000,), generator=torch.Generator().manual_seed(self._n))
                x = x[idx]
            q = torch.tensor([1 - self.percentile / 100, self.percentile / 100])
            lo, hi = torch.quantile(x, q).tolist()
            self._lo_sum += lo
            self._hi_sum += hi
            self._n += 1
            self.min_val = torch.tensor(self._lo_sum / self._n)
            self.max_val = torch.tensor(self._hi_sum / self._n)
            return x_orig

    return PercentileObserver


def bias_correction(model: LoadedModel, samples: list[Sample]) -> tuple[torch.nn.Module, int]:
    """A copy of ``model.module`` whose conv/linear biases absorb the mean output shift INT8 weights cause.

    Returns the corrected module and how many layers were corrected. The float outputs of the returned
    module differ from the original's by exactly the (negated) expected rounding shift.
    """
    from mobilekit.export.quant.sensitivity import fake_quant_weight, quantizable_layers

    net = copy.deepcopy(model.module).eval()
    layers = quantizable_layers(net)
    corrected = 0
    for _, layer in layers:
        sums: list[torch.Tensor] = []

        def grab(mod, args, output, store=sums):
            store.append(output.detach().float())

        original = layer.weight.data.clone()
        handle = layer.register_forward_hook(grab)
        try:
            with torch.no_grad():
                for s in samples:
                    net(*s)
                float_out = list(sums)
                sums.clear()
                layer.weight.data = fake_quant_weight(original)
                for s in samples:
                    net(*s)
                quant_out = list(sums)
        finally:
            handle.remove()
            layer.weight.data = original
        if not float_out:
            continue
        dims = [0] + list(range(2, float_out[0].dim()))  # every axis but the channel axis
        if isinstance(layer, torch.nn.Linear):
            dims = list(range(float_out[0].dim() - 1))
        shift = torch.stack([(q - f).mean(dim=dims) for f, q in zip(float_out, quant_out)]).mean(dim=0)
        if layer.bias is None:
            layer.bias = torch.nn.Parameter(torch.zeros_like(shift))
        with torch.no_grad():
            layer.bias -= shift.to(layer.bias.dtype)
        corrected += 1
    return net, corrected


CANDIDATE_OBSERVERS = ("histogram", "minmax", "percentile")


@dataclass
class CalibrationChoice:
    """The observer and bias-correction setting chosen on tuning data, with every candidate's figures."""

    observer: str
    bias_correction: bool
    candidates: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"method": "auto", "observer": self.observer, "bias_correction": self.bias_correction,
                "candidates": self.candidates}


def choose_calibration(model: LoadedModel, recipe, calibration: list[Sample], tuning: list[Sample],
                       quantize: Callable[[LoadedModel, object, list[Sample]], torch.fx.GraphModule],
                       log: Callable[[str], None] = lambda m: None,
                       reference_module: torch.nn.Module | None = None) -> tuple[CalibrationChoice, torch.nn.Module | None]:
    """Try each observer, with and without bias correction, on ``tuning`` samples; keep the best SQNR.

    Returns the choice and the bias-corrected module when bias correction won (else None).
    """
    from mobilekit.export.quant.mixed_precision import figures, run_rows

    classification = model.outputs[0].kind == "classification"
    reference = run_rows(reference_module if reference_module is not None else model.module, tuning)
    corrected_module, n = bias_correction(model, calibration[:32])
    corrected = dataclasses.replace(model, module=corrected_module, exported_program=None)
    best, candidates = None, []
    for bc, m in ((False, model), (True, corrected)):
        for observer in CANDIDATE_OBSERVERS:
            r = dataclasses.replace(recipe, observer=observer)
            fig = figures(reference, run_rows(quantize(m, r, calibration), tuning), classification)
            row = {"observer": observer, "bias_correction": bc, **fig}
            candidates.append(row)
            log(f"calibration candidate {observer}{' + bias correction' if bc else ''}: SQNR {fig['sqnr_db']:.1f} dB")
            if best is None or fig["sqnr_db"] > best["sqnr_db"]:
                best = row
    choice = CalibrationChoice(observer=best["observer"], bias_correction=best["bias_correction"], candidates=candidates)
    return choice, (corrected_module if choice.bias_correction else None)


def _soft_round(v: torch.Tensor, zeta: float = 1.1, gamma: float = -0.1) -> torch.Tensor:
    """AdaRound's rectified sigmoid h(V) in [0, 1]."""
    return torch.clamp(torch.sigmoid(v) * (zeta - gamma) + gamma, 0.0, 1.0)


def adaround(model: LoadedModel, samples: list[Sample], *, steps: int = 200, batch: int = 4,
             lr: float = 1e-2, reg: float = 0.01, log: Callable[[str], None] = lambda m: None) -> tuple[torch.nn.Module, int]:
    """A copy of ``model.module`` whose conv/linear weights sit on the INT8 grid, rounded up or down by
    AdaRound (Nagel et al., "Up or Down? Adaptive Rounding for Post-Training Quantization", 2020).

    For each layer, the rounding of every weight (per-channel symmetric INT8, XNNPACK's format) is learned
    so that the layer's output on the calibration data stays close to FP32, instead of rounding each
    weight to its nearest grid point on its own. The largest weight of each channel is left as is, so
    the per-channel scale that any INT8 exporter later computes (max |w| / 127) is exactly the one used
    here and the chosen grid points survive quantization unchanged (also through batch-norm folding,
    a per-channel scale). Inputs are the FP32 model's, collected one layer at a time.
    """
    from torch.func import functional_call

    from mobilekit.export.quant.sensitivity import quantizable_layers

    net = copy.deepcopy(model.module).eval()
    layers = quantizable_layers(net)
    gen = torch.Generator().manual_seed(0)
    for index, (name, layer) in enumerate(layers):
        inputs: list[torch.Tensor] = []
        handle = layer.register_forward_pre_hook(lambda mod, args: inputs.append(args[0].detach()))
        try:
            with torch.no_grad():
                for s in samples:
                    net(*s)
        finally:
            handle.remove()
        if not inputs:
            continue
        x_all = torch.cat(inputs)
        w = layer.weight.detach()
        flat = w.reshape(w.shape[0], -1)
        amax = flat.abs().amax(dim=1, keepdim=True).clamp(min=1e-12)
        scale = (amax / 127.0).reshape(-1, *([1] * (w.dim() - 1)))
        scaled = w / scale
        floor = torch.floor(scaled)
        rest = (scaled - floor).clamp(1e-4, 1 - 1e-4)
        fixed = (flat.abs() >= amax * (1 - 1e-6)).reshape(w.shape)  # each channel's largest weight stays put
        v = (-torch.log((1.1 + 0.1) / (rest + 0.1) - 1)).clone().requires_grad_(True)
        with torch.no_grad():
            target = torch.cat([layer(x_all[i : i + batch]) for i in range(0, len(x_all), batch)])
        optimizer = torch.optim.Adam([v], lr=lr)
        nearest = torch.round(scaled)
        for step in range(steps):
            idx = torch.randint(0, len(x_all), (min(batch, len(x_all)),), generator=gen)
            beta = 20 - (20 - 2) * step / max(1, steps - 1)
            h = _soft_round(v)
            q = torch.where(fixed, nearest, floor + h)
            w_soft = torch.clamp(q, -127, 127) * scale
            out = functional_call(layer, {"weight": w_soft}, (x_all[idx],))
            rec = torch.nn.functional.mse_loss(out, target[idx])
            round_reg = (1 - (2 * h - 1).abs().pow(beta)).sum() if step > steps // 5 else torch.zeros(())
            loss = rec + reg * round_reg / h.numel()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            q = torch.where(fixed, nearest, floor + (v >= 0).to(w.dtype))
            layer.weight.data = (torch.clamp(q, -127, 127) * scale).to(w.dtype)
        if index % 10 == 0:
            log(f"AdaRound layer {index + 1}/{len(layers)}: {name}")
    return net, len(layers)
