"""Host validation: run each artifact where this machine has its runtime and compare with eager FP32.

Figures per artifact: top-1 agreement with FP32, SQNR (dB) and max absolute error of the first
output, accuracy against labels where the data has them, and host latency (p50/p90 after warm-up).
Host latency is this x86 machine's, never a phone's: the report and CLI say so.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from mobilekit.export.config import FidelityFloor
from mobilekit.export.spec import EvalSet, LoadedModel, Sample
from mobilekit.export.targets.base import Artifact, SkipValidation, Target


@dataclass
class Reference:
    """Eager FP32 outputs (first output of each sample) for the evaluation set."""

    outputs: list[np.ndarray]
    labels: list[int] | None
    latency_ms: dict | None = None


def reference_outputs(model: LoadedModel, eval_set: EvalSet) -> Reference:
    """Run the eager FP32 module once over the evaluation set."""
    outs = []
    with torch.no_grad():
        for sample in eval_set.samples:
            out = model.module(*sample)
            first = out if isinstance(out, torch.Tensor) else out[0]
            outs.append(first.detach().float().numpy())
    return Reference(outputs=outs, labels=list(eval_set.labels) if eval_set.labels is not None else None)


def sqnr_db(reference: np.ndarray, test: np.ndarray) -> float:
    """Signal-to-quantization-noise ratio in dB (inf when identical)."""
    noise = float(np.sum((reference.astype(np.float64) - test.astype(np.float64)) ** 2))
    signal = float(np.sum(reference.astype(np.float64) ** 2))
    if noise == 0.0:
        return math.inf
    return 10.0 * math.log10(signal / noise) if signal > 0 else -math.inf


def cosine_rows(reference: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``test`` with the same row of ``reference`` (0 where a row is all zeros)."""
    a, b = reference.astype(np.float64), test.astype(np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.where(norms > 0, np.sum(a * b, axis=1) / np.maximum(norms, 1e-30), 0.0)


def compare(reference: Reference, outputs: list[np.ndarray], classification: bool) -> dict:
    """Fidelity figures of ``outputs`` (one array per eval sample) against the FP32 reference."""
    ref = np.concatenate([r.reshape(r.shape[0], -1) for r in reference.outputs])
    got = np.concatenate([o.reshape(o.shape[0], -1).astype(np.float32) for o in outputs])
    result = {
        "samples": int(ref.shape[0]),
        "sqnr_db": _finite(sqnr_db(ref, got)),
        "max_abs_err": float(np.max(np.abs(ref - got))),
        "top1_agreement": None,
        "accuracy": None,
    }
    cos = cosine_rows(ref, got)
    result["cosine_min"] = round(float(cos.min()), 6)
    result["cosine_mean"] = round(float(cos.mean()), 6)
    if classification:
        ref_top = ref.argmax(axis=1)
        got_top = got.argmax(axis=1)
        result["top1_agreement"] = float(np.mean(ref_top == got_top))
        if reference.labels is not None:
            result["accuracy"] = float(np.mean(got_top == np.asarray(reference.labels)))
    return result


def degenerate_reason(reference: Reference, eval_set: EvalSet) -> str | None:
    """Why the FP32 reference cannot judge fidelity (all-zero, non-finite, or the same output for every
    sample), or None. Any artifact "agrees" with a constant; such figures are never reported."""
    ref = np.concatenate([r.reshape(r.shape[0], -1) for r in reference.outputs]).astype(np.float64)
    if not np.all(np.isfinite(ref)):
        return "eager FP32 produced NaN or infinite outputs on the evaluation data"
    if not np.any(ref):
        return "eager FP32 output is all zeros on every evaluation sample"
    if ref.shape[0] > 1 and float(np.max(np.abs(ref - ref[:1]))) <= 1e-6 * max(1.0, float(np.max(np.abs(ref)))):
        return f"eager FP32 gives the same output for all {ref.shape[0]} evaluation samples"
    return None


def _finite(x: float) -> float:
    return 999.0 if math.isinf(x) and x > 0 else round(x, 3)


def time_latency(run, sample: Sample, iterations: int, warmup: int) -> dict:
    """Host wall-clock latency of ``run(sample)`` in ms: p50/p90/mean/min after ``warmup`` calls."""
    for _ in range(warmup):
        run(sample)
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        run(sample)
        times.append((time.perf_counter() - t0) * 1e3)
    arr = np.asarray(times)
    return {
        "p50": round(float(np.percentile(arr, 50)), 4),
        "p90": round(float(np.percentile(arr, 90)), 4),
        "mean": round(float(arr.mean()), 4),
        "min": round(float(arr.min()), 4),
        "iterations": iterations,
        "warmup": warmup,
    }


def eager_latency(model: LoadedModel, iterations: int, warmup: int) -> dict:
    """Host latency of the eager FP32 module (the baseline row of the report)."""

    def run(sample):
        with torch.no_grad():
            return model.module(*sample)

    return time_latency(run, model.example_inputs, iterations, warmup)


@dataclass
class ValidationOutcome:
    status: str  # ok, skipped, failed
    reason: str | None = None
    figures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        d = {"status": self.status, "reason": self.reason, **self.figures}
        d["notes"] = list(self.notes)
        return d


def validate_artifact(
    target: Target,
    artifact: Artifact,
    model: LoadedModel,
    eval_set: EvalSet,
    reference: Reference,
    *,
    iterations: int,
    warmup: int,
    floor: FidelityFloor | None = None,
    eager_accuracy: float | None = None,
) -> ValidationOutcome:
    """Run ``artifact`` on the host over the eval set and time it; skipped (with the reason) where it cannot run.

    Below ``floor`` the status is ``low_fidelity`` and the reason says, in words, what missed and what to do.
    """
    estimate = None
    try:
        run = target.host_runner(artifact)
    except SkipValidation as exc:
        if artifact.host_proxy is None:
            return ValidationOutcome(status="skipped", reason=str(exc))
        estimate, run = artifact.host_proxy
    try:
        outputs = []
        for sample in eval_set.samples:
            outs = run(sample)
            outputs.append(np.asarray(outs[0]))
        classification = model.outputs[0].kind == "classification"
        figures = compare(reference, outputs, classification)
        figures["output_kind"] = model.outputs[0].kind
        if estimate is None:
            figures["host_latency_ms"] = time_latency(run, model.example_inputs, iterations, warmup)
        else:
            figures["estimate"] = estimate  # fidelity of the stand-in; no latency (PyTorch is not Core ML)
    except Exception as exc:
        return ValidationOutcome(status="failed", reason=f"{type(exc).__name__}: {exc}")
    misses = below_floor(figures, floor or FidelityFloor(), eager_accuracy, artifact.precision)
    if misses:
        return ValidationOutcome(status="low_fidelity", reason=low_fidelity_reason(misses, artifact), figures=figures)
    return ValidationOutcome(status="ok", figures=figures)


def below_floor(figures: dict, floor: FidelityFloor, eager_accuracy: float | None = None,
                precision: str | None = None) -> list[str]:
    """Each way ``figures`` miss ``floor``, in words (empty: good enough to ship)."""
    misses = []
    sqnr, agree, acc = figures.get("sqnr_db"), figures.get("top1_agreement"), figures.get("accuracy")
    cos = figures.get("cosine_min")
    if figures.get("output_kind") == "embedding":
        # an embedding is judged by the cosine similarity every sample keeps, the way it is used
        want = floor.cosine_floor(precision)
        if cos is not None and cos < want:
            misses.append(f"cosine similarity with FP32 falls to {cos:.4f} on a held-out sample, below the "
                          f"{want:g} floor")
        sqnr = None
    if sqnr is not None and sqnr < floor.min_sqnr_db:
        misses.append(f"SQNR {sqnr:.1f} dB vs FP32 is below the {floor.min_sqnr_db:g} dB floor")
    if agree is not None and agree < floor.min_agreement:
        misses.append(f"top-1 agrees with FP32 on {agree:.1%} of the held-out samples, below the {floor.min_agreement:.0%} floor")
    if floor.accuracy_budget is not None and acc is not None and eager_accuracy is not None:
        drop = (eager_accuracy - acc) * 100
        if drop > floor.accuracy_budget:
            misses.append(f"accuracy drops {drop:.2f} points from FP32 ({eager_accuracy:.2%} -> {acc:.2%}), over the "
                          f"{floor.accuracy_budget:g}-point budget")
    return misses


def low_fidelity_reason(misses: list[str], artifact: Artifact) -> str:
    """The plain-words reason for ``low_fidelity``: what missed, and what to do about it."""
    if artifact.precision in ("fp32", "fp16"):
        advice = ("a float artifact should match eager FP32 closely; this points at a conversion problem: "
                  "compare per-op outputs, or report it with the model")
    else:
        advice = ("do not ship it as is: keep the most sensitive layers in float (--keep-float auto, or see "
                  "`mobilekit analyze`), calibrate on more representative data, or fine-tune with --qat")
    return "low fidelity: " + "; ".join(misses) + ". " + advice[0].upper() + advice[1:] + "."
