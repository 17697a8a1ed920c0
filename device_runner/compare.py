"""Compare two runs case by case: the change in p50 and a verdict that ignores host noise.

Cases are matched on (artifact, runtime, precision, threads, device model); repeats are pooled. A case
is flagged a **regression** (or **improvement**) only when all three agree:

1. the p50 ratio new/old moves by at least ``min_effect`` (default 10%),
2. the seeded bootstrap confidence interval of that ratio excludes 1,
3. the Mann-Whitney U test rejects "same distribution" at ``alpha``.

So a real 2x slowdown is flagged, while two runs of an unchanged setup (a few % of scheduling noise)
are not. ``mobilekit compare`` exits with code 1 when any regression is flagged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mobilekit.device_runner import stats
from mobilekit.device_runner.store import Store


@dataclass(frozen=True)
class CaseComparison:
    key: tuple
    old_p50_ms: float | None
    new_p50_ms: float | None
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    verdict: str            # regression, improvement, unchanged, only-old, only-new, no-data
    old_n: int = 0
    new_n: int = 0

    @property
    def label(self) -> str:
        artifact, runtime, precision, threads, model = self.key
        return f"{artifact} [{runtime}] x{threads} on {model}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["label"] = self.label
        d["key"] = list(self.key)
        return d


def _pooled(store: Store, run_id: str) -> dict[tuple, list[float]]:
    models = {d["address"]: (d["model"] or d["address"]) + (" (simulated)" if d["simulated"] else "")
              for d in store.devices(run_id)}
    out: dict[tuple, list[float]] = {}
    for c in store.cases(run_id, status="ok"):
        key = (c["artifact"], c["runtime"], c["precision"], c["threads"], models.get(c["address"], c["address"]))
        out.setdefault(key, []).extend(store.latencies(c["case_id"]))
    return out


def compare_samples(key: tuple, old: list[float], new: list[float], min_effect: float = 0.10, alpha: float = 0.01,
                    seed: int = 0) -> CaseComparison:
    """The verdict for one case from its two latency samples."""
    if not old or not new:
        verdict = "only-new" if new else "only-old" if old else "no-data"
        return CaseComparison(key, stats.summary(old).get("p50"), stats.summary(new).get("p50"), None, None, None, None,
                              verdict, len(old), len(new))
    ci = stats.bootstrap_p50_ratio(old, new, seed=seed)
    p = stats.mann_whitney_p(old, new)
    verdict = "unchanged"
    if ci.ratio >= 1 + min_effect and ci.low > 1 and p < alpha:
        verdict = "regression"
    elif ci.ratio <= 1 / (1 + min_effect) and ci.high < 1 and p < alpha:
        verdict = "improvement"
    return CaseComparison(key, stats.summary(old)["p50"], stats.summary(new)["p50"], ci.ratio, ci.low, ci.high, p,
                          verdict, len(old), len(new))


def compare_runs(store: Store, old_run: str, new_run: str, min_effect: float = 0.10, alpha: float = 0.01,
                 seed: int = 0) -> list[CaseComparison]:
    """Every case of either run, compared; regressions first."""
    store.run(old_run), store.run(new_run)  # clear errors for unknown ids
    a, b = _pooled(store, old_run), _pooled(store, new_run)
    out = [compare_samples(k, a.get(k, []), b.get(k, []), min_effect, alpha, seed) for k in sorted(set(a) | set(b), key=str)]
    order = {"regression": 0, "improvement": 1, "unchanged": 2}
    return sorted(out, key=lambda c: (order.get(c.verdict, 3), c.label))


def has_regression(results: list[CaseComparison]) -> bool:
    return any(c.verdict == "regression" for c in results)
