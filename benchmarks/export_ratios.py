"""Export both built-in models to every target in one run and print the kit's size/speed/fidelity ratios.

    bash scripts/venv.sh python benchmarks/export_ratios.py [--models digits,mobilenet_v2] [--targets ...]

Every ratio is measured in this one run (never against numbers from another day): size and host
latency of each artifact relative to the FP32 ExecuTorch .pte, fidelity against eager FP32, the
digits accuracy drop, and wall time per export stage. The table is built from the same manifest
figures that the bundle's report.html shows, so the two always agree.

Host latency is this x86 machine's. On x86 with AVX2 but no VNNI, INT8 XNNPACK kernels are no
faster than FP32; ARM phones with dot-product instructions are where INT8 pays. Use
`mobilekit bench` on a phone for phone latency.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path


def cpu_flags() -> str:
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return platform.machine()
    have = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni") if f in flags]
    return f"{platform.machine()} ({', '.join(have) or 'no AVX2'})"


def rows_for(result) -> list[dict]:
    arts = result.manifest["artifacts"]
    base = next((a for a in arts if a["target"] == "xnnpack" and a["precision"] == "fp32"), None)
    base_lat = ((base or {}).get("validation") or {}).get("host_latency_ms", {}) or {}
    rows = []
    for a in arts:
        v = a.get("validation") or {}
        lat = (v.get("host_latency_ms") or {}).get("p50")
        rows.append({
            "model": result.manifest["name"], "artifact": a["file"], "target": a["target"], "precision": a["precision"],
            "kib": a["bytes"] / 1024, "size_ratio": a["bytes"] / base["bytes"] if base else None,
            "host_p50_ms": lat, "latency_ratio": lat / base_lat["p50"] if lat and base_lat.get("p50") else None,
            "top1_agreement": v.get("top1_agreement"), "sqnr_db": v.get("sqnr_db"), "accuracy": v.get("accuracy"),
            "status": v.get("status"), "reason": v.get("reason"),
        })
    return rows


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="digits,mobilenet_v2")
    ap.add_argument("--targets", default="", help="comma list (default: every target available here)")
    ap.add_argument("--iterations", type=int, default=30, help="host latency iterations per artifact")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from mobilekit.export.config import ExportConfig, StaticInt8Config
    from mobilekit.export.pipeline import export_bundle

    results, failures = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            targets = tuple(t for t in args.targets.split(",") if t)
            config = ExportConfig(
                model=model, out_dir=Path(tmp), targets=targets, latency_iterations=args.iterations,
                eval_samples=512 if model == "digits" else 16,
                quant=StaticInt8Config(calibration_samples=256 if model == "digits" else 32),
            )
            print(f"exporting {model} ...", file=sys.stderr, flush=True)
            r = export_bundle(config, progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True))
            results.append(r)
            failures += [{"model": model, **f} for f in r.failures]

    rows = [row for r in results for row in rows_for(r)]
    summary = {}
    for r in results:
        eager = r.validation.get("eager_fp32", {})
        int8 = next((row for row in rows_for(r) if row["target"] == "xnnpack" and row["precision"] == "int8"), None)
        summary[r.manifest["name"]] = {
            "trained": r.manifest["source"].get("trained", True),
            "eager_accuracy": eager.get("accuracy"),
            "xnnpack_int8_accuracy_drop_points": (eager["accuracy"] - int8["accuracy"]) * 100
            if int8 and eager.get("accuracy") is not None and int8["accuracy"] is not None else None,
            "stage_seconds": {k: round(v, 2) for k, v in r.timings_s.items()},
        }
    if args.json:
        print(json.dumps({"host": cpu_flags(), "rows": rows, "summary": summary, "failures": failures}, indent=2))
        return 0

    print(f"\nHOST (x86) figures from one run on {cpu_flags()}: host latency is not phone latency.")
    print("INT8 XNNPACK is no faster than FP32 on x86 without VNNI; ARM phones with dot-product instructions are where INT8 pays.\n")
    head = f"{'model':<13} {'artifact':<38} {'KiB':>9} {'size/FP32':>9} {'host p50 ms':>11} {'lat/FP32':>8} {'top1 agr':>8} {'SQNR dB':>8} {'accuracy':>8}  status"
    print(head)
    print("-" * len(head))
    for row in rows:
        print(
            f"{row['model']:<13} {row['artifact']:<38} {row['kib']:>9.1f} {fmt(row['size_ratio'], '.3f'):>9} "
            f"{fmt(row['host_p50_ms'], '.3f'):>11} {fmt(row['latency_ratio'], '.2f'):>8} {fmt(row['top1_agreement'], '.4f'):>8} "
            f"{fmt(row['sqnr_db'], '.1f'):>8} {fmt(row['accuracy'], '.4f'):>8}  {row['status']}"
            + (f" ({row['reason']})" if row["status"] == "skipped" else "")
        )
    print()
    for name, s in summary.items():
        line = f"{name}: {'trained' if s['trained'] else 'UNTRAINED (random weights: size/speed only)'}"
        if s["xnnpack_int8_accuracy_drop_points"] is not None:
            line += f"; eager FP32 accuracy {s['eager_accuracy']:.4f}, XNNPACK INT8 accuracy drop {s['xnnpack_int8_accuracy_drop_points']:.2f} points"
        print(line)
        print("  export wall time per stage (s): " + ", ".join(f"{k}={v}" for k, v in s["stage_seconds"].items()))
    for f in failures:
        print(f"FAILED {f['model']} {f['target']} {f['precision']}: {f['error']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
