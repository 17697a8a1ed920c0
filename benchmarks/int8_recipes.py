"""Every INT8 recipe side by side, on a real pretrained network and on the digits model, in one run.

    bash scripts/venv.sh python benchmarks/int8_recipes.py [--models efficientnet_lite0,digits] [--recipes ...]

For each model and recipe: the ExecuTorch XNNPACK INT8 artifact's size relative to the FP32 .pte of
the same run, SQNR and top-1 agreement against eager FP32 on the model's held-out data, accuracy
where the data are labelled, the layers kept in float, and the export's wall time. The first recipe
is ExecuTorch's stock ``XNNPACKQuantizer`` (conv+ReLU6 not fused): the "before" of the fix.
Host figures only: fidelity and size are what a host can judge; phone latency needs `mobilekit bench`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

RECIPES = {
    "stock-quantizer": dict(keep_float="none", stock=True),
    "fused-plain": dict(keep_float="none"),
    "default": dict(),
    "minmax-observer": dict(observer="minmax"),
    "per-tensor-weights": dict(granularity="per_tensor"),
    "bias-correction": dict(bias_correction=True),
    "adaround": dict(adaround=True),
    "qat-distill": dict(qat=True),
}


@contextlib.contextmanager
def stock_quantizer():
    """ExecuTorch's own XNNPACKQuantizer, as it ships (the ReLU6 output observed before the clamp)."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer

    import mobilekit.export.quant.fused_activations as q

    class Stock(XNNPACKQuantizer):
        fused_clamps = 0

    saved = q.fused_clamp_quantizer_class
    q.fused_clamp_quantizer_class = lambda: Stock
    try:
        yield
    finally:
        q.fused_clamp_quantizer_class = saved


def run_one(model: str, name: str, spec: dict, out: Path, qat_steps: int) -> dict:
    from mobilekit.export.config import ExportConfig, StaticInt8Config
    from mobilekit.export.pipeline import export_bundle
    from mobilekit.export.quant.qat import QatConfig

    quant = StaticInt8Config(observer=spec.get("observer", "histogram"), granularity=spec.get("granularity", "per_channel"),
                             bias_correction=spec.get("bias_correction", False), adaround=spec.get("adaround", False))
    config = ExportConfig(
        model=model, out_dir=out / name, targets=("xnnpack",), latency_iterations=3, quant=quant,
        auto_keep_float=spec.get("keep_float", "fallback"),
        qat=QatConfig(steps=qat_steps) if spec.get("qat") else None,
    )
    t0 = time.perf_counter()
    with stock_quantizer() if spec.get("stock") else contextlib.nullcontext():
        result = export_bundle(config, progress=lambda m: print(f"    {m}", file=sys.stderr, flush=True))
    seconds = time.perf_counter() - t0
    arts = {a["precision"]: a for a in result.manifest["artifacts"]}
    fp32, int8 = arts.get("fp32"), arts.get("int8")
    if int8 is None:
        return {"model": model, "recipe": name, "error": result.failures}
    v = int8["validation"]
    quant_block = int8.get("quantization") or {}
    return {
        "model": model, "recipe": name, "size_ratio": int8["bytes"] / fp32["bytes"] if fp32 else None,
        "sqnr_db": v.get("sqnr_db"), "top1_agreement": v.get("top1_agreement"), "accuracy": v.get("accuracy"),
        "eager_accuracy": result.validation.get("eager_fp32", {}).get("accuracy"),
        "status": v.get("status"), "float_layers": len(quant_block.get("keep_float") or []),
        "export_s": seconds, "eval": result.validation["eval"]["description"][:90],
    }


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="efficientnet_lite0,digits")
    ap.add_argument("--recipes", default=",".join(RECIPES))
    ap.add_argument("--qat-steps", type=int, default=150)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            for name in args.recipes.split(","):
                print(f"{model}: {name} ...", file=sys.stderr, flush=True)
                rows.append(run_one(model, name, RECIPES[name], Path(tmp) / model, args.qat_steps))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print("\nHOST figures from one run (fidelity vs eager FP32 on each model's held-out data; sizes vs the FP32 .pte of the same run)")
    head = f"{'model':<19}{'recipe':<20}{'size/FP32':>10}{'SQNR dB':>9}{'top-1 agr':>10}{'acc drop pt':>12}{'float layers':>13}{'export s':>10}  status"
    print(head)
    print("-" * len(head))
    for r in rows:
        if "error" in r:
            print(f"{r['model']:<19}{r['recipe']:<20}  FAILED: {r['error']}")
            continue
        drop = (r["eager_accuracy"] - r["accuracy"]) * 100 if r["accuracy"] is not None and r["eager_accuracy"] is not None else None
        print(f"{r['model']:<19}{r['recipe']:<20}{fmt(r['size_ratio'], '.3f'):>10}{fmt(r['sqnr_db'], '.1f'):>9}"
              f"{fmt(r['top1_agreement'], '.3f'):>10}{fmt(drop, '.2f'):>12}{r['float_layers']:>13}{r['export_s']:>10.0f}  {r['status']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
