"""Automatic mixed precision: keep the most damaging layers in float until INT8 meets the fidelity floor.

A stage of the export pipeline, between calibration and the targets (analyze -> choose -> build):

1. measure plain static INT8 (the PT2E Q/DQ graph, run eagerly) against FP32 on *tuning* samples, a
   slice of the calibration data held back from calibration (never the evaluation data);
2. if it misses the floor, rank layers with :mod:`~mobilekit.export.quant.sensitivity` and keep the top
   1, 2, 3, 4, 6, 8, ... layers in float, re-quantizing each time, until the floor is met;
3. hand the chosen ``keep_float`` list to every target, and record the steps, the layers and their
   size cost in the manifest.

The final word is still validation on held-out data: if the chosen mix misses the floor there, the
artifact is marked ``low_fidelity`` like any other.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from mobilekit.export.config import FidelityFloor, StaticInt8Config
from mobilekit.export.quant.sensitivity import analyze_layers, output_rows as run_rows, quantizable_layers
from mobilekit.export.spec import LoadedModel, Sample
from mobilekit.export.validate import sqnr_db

STEPS = (1, 2, 3, 4, 6, 8, 12, 16)
# The choice is made on a few tuning samples; the verdict comes from held-out data. Stopping only with
# this much headroom keeps a choice that scrapes past the floor on tuning data from landing just under it.
MARGIN_SQNR_DB = 1.0
MARGIN_AGREEMENT = 0.02


@dataclass
class KeepFloatChoice:
    """What the automatic choice kept in float, why, and what each step measured."""

    layers: tuple[str, ...]
    met: bool
    steps: list[dict] = field(default_factory=list)
    tuning_samples: int = 0
    float_params: int = 0
    ranking: list[dict] = field(default_factory=list)  # the sensitivity table, worst first

    def to_json(self) -> dict:
        return {
            "method": "auto",
            "met_floor_on_tuning_data": self.met,
            "tuning_samples": self.tuning_samples,
            "float_params": self.float_params,
            "extra_bytes_estimate": self.float_params * 3,  # FP32 (4 bytes) instead of INT8 (1 byte)
            "steps": self.steps,
        }


def figures(reference: np.ndarray, got: np.ndarray, classification: bool) -> dict:
    """SQNR and top-1 agreement of ``got`` against ``reference`` (rows are samples)."""
    result = {"sqnr_db": round(min(sqnr_db(reference, got), 999.0), 3)}
    result["top1_agreement"] = float(np.mean(reference.argmax(1) == got.argmax(1))) if classification else None
    return result


def meets(fig: dict, floor: FidelityFloor, *, margin: bool = True) -> bool:
    """True when ``fig`` clears ``floor`` (with the tuning headroom unless ``margin`` is False)."""
    extra_db, extra_agree = (MARGIN_SQNR_DB, MARGIN_AGREEMENT) if margin else (0.0, 0.0)
    if fig["sqnr_db"] < floor.min_sqnr_db + extra_db:
        return False
    agreement = fig.get("top1_agreement")
    return agreement is None or agreement >= min(1.0, floor.min_agreement + extra_agree)


def choose_keep_float(
    model: LoadedModel,
    recipe: StaticInt8Config,
    quantize: Callable[[StaticInt8Config], torch.fx.GraphModule],
    calibration: list[Sample],
    tuning: list[Sample],
    floor: FidelityFloor,
    *,
    log: Callable[[str], None] = lambda message: None,
    max_layers: int = 16,
    reference_module: torch.nn.Module | None = None,
) -> KeepFloatChoice:
    """Greedy choice of layers to keep float so that INT8 meets ``floor`` on ``tuning`` samples.

    ``quantize(recipe)`` returns the PT2E Q/DQ graph for a recipe (the caller caches it, so the
    plain-INT8 graph is reused by the targets when no layer needs to stay float). ``reference_module`` is
    the FP32 model the user gave, when ``model`` is a tuned copy (distilled, bias-corrected, AdaRounded):
    the floor is always about the user's model.
    """

    classification = model.outputs[0].kind == "classification"
    reference = run_rows(reference_module if reference_module is not None else model.module, tuning)
    base = figures(reference, run_rows(quantize(recipe), tuning), classification)
    steps = [{"keep_float": [], **base}]
    choice = KeepFloatChoice(layers=(), met=meets(base, floor), steps=steps, tuning_samples=len(tuning))
    if choice.met:
        return choice
    log(f"plain INT8 misses the fidelity floor on tuning data ({_fmt(base)}): ranking layers by sensitivity")
    report = analyze_layers(model, calibration[:32], tuning[:12], data="tuning samples")
    choice.ranking = [layer.to_json() for layer in report.layers]
    ranked = report.ranked_names()
    sizes = {name: sum(p.numel() for p in layer.parameters()) for name, layer in quantizable_layers(model.module)}
    for k in STEPS:
        if k > min(max_layers, len(ranked)):
            break
        keep = tuple(ranked[:k])
        log(f"keeping {k} layer(s) in float: {', '.join(keep[-3:])}{' ...' if k > 3 else ''}")
        fig = figures(reference, run_rows(quantize(dataclasses.replace(recipe, keep_float=keep)), tuning), classification)
        steps.append({"keep_float": list(keep), **fig})
        choice.layers, choice.float_params = keep, sum(sizes.get(n, 0) for n in keep)
        if meets(fig, floor):
            choice.met = True
            break
    return choice


def _fmt(fig: dict) -> str:
    agreement = fig.get("top1_agreement")
    text = f"SQNR {fig['sqnr_db']:.1f} dB"
    return text + (f", top-1 agreement {agreement:.1%}" if agreement is not None and not math.isnan(agreement) else "")
