"""Latency statistics and the two noise-aware tests used by ``compare``: a seeded bootstrap of the p50
ratio and the Mann-Whitney U test. Pure numpy/scipy on lists of milliseconds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def summary(latency_ms: list[float]) -> dict:
    """p50/p90/p99/mean/std/min/max of a latency list (numpy's linear percentile), in ms."""
    a = np.asarray(latency_ms, dtype=float)
    if a.size == 0:
        return {}
    p50, p90, p99 = np.percentile(a, [50, 90, 99])
    return {"p50": float(p50), "p90": float(p90), "p99": float(p99), "mean": float(a.mean()),
            "std": float(a.std(ddof=1)) if a.size > 1 else 0.0, "min": float(a.min()), "max": float(a.max()),
            "n": int(a.size)}


@dataclass(frozen=True)
class RatioCI:
    """The ratio new/old of medians with a bootstrap confidence interval."""

    ratio: float
    low: float
    high: float
    level: float


def bootstrap_p50_ratio(old: list[float], new: list[float], resamples: int = 2000, level: float = 0.95,
                        seed: int = 0) -> RatioCI:
    """Percentile bootstrap CI of median(new)/median(old), resampling both sides independently (seeded)."""
    a, b = np.asarray(old, float), np.asarray(new, float)
    rng = np.random.default_rng(seed)
    ma = np.median(a[rng.integers(0, a.size, (resamples, a.size))], axis=1)
    mb = np.median(b[rng.integers(0, b.size, (resamples, b.size))], axis=1)
    ratios = mb / np.maximum(ma, 1e-12)
    lo, hi = np.quantile(ratios, [(1 - level) / 2, 1 - (1 - level) / 2])
    return RatioCI(float(np.median(b) / max(np.median(a), 1e-12)), float(lo), float(hi), level)


def mann_whitney_p(old: list[float], new: list[float]) -> float:
    """Two-sided Mann-Whitney U p-value (1.0 when either side has fewer than 2 values)."""
    if len(old) < 2 or len(new) < 2:
        return 1.0
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(old, new, alternative="two-sided").pvalue)
