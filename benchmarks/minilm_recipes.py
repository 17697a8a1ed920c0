"""all-MiniLM-L6-v2 per recipe and target, in one run: size, fidelity on real sentences, delegation, host latency.

    bash scripts/venv.sh python benchmarks/minilm_recipes.py [--targets xnnpack,onnx] [--recipes fp32,int8dyn,8da4w]

For each artifact of one ``mobilekit export minilm`` run: its size relative to the FP32 artifact of the
same target, the cosine similarity of its sentence embeddings with eager FP32 on the held-out real
sentences (worst and mean), the fraction of graph nodes the delegate took (ExecuTorch), and host latency
(this x86 machine, labelled so; phones differ). Then the attention hygiene: the FP32 XNNPACK delegated
fraction of the stock Hugging Face module (``sdpa`` attention, boolean mask plumbing) against mobilekit's
rewrite (eager attention, one additive float mask), both lowered here.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def delegated_fraction(module, example) -> tuple[float, dict]:
    """Share of call nodes XNNPACK takes after lowering, and the ops left on portable kernels."""
    import torch
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.devtools.backend_debug import get_delegation_info
    from executorch.exir import to_edge_transform_and_lower

    program = torch.export.export(module, example, strict=False)
    edge = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()])
    info = get_delegation_info(edge.exported_program().graph_module)
    left = {op: b.non_delegated for op, b in info.delegation_by_operator.items() if b.non_delegated and op != "getitem"}
    total = info.num_delegated_nodes + sum(left.values())  # getitem (tuple unpacking) is not compute
    return info.num_delegated_nodes / max(1, total), left


def hygiene() -> dict:
    import torch
    from transformers import AutoModel

    from mobilekit.export.models import minilm

    class Stock(torch.nn.Module):
        """The usual way: the HF module with its default (sdpa) attention and the [B, L] 0/1 mask."""

        def __init__(self):
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(minilm.model_dir())).eval()

        def forward(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            w = attention_mask.unsqueeze(-1).to(h.dtype)
            return torch.nn.functional.normalize((h * w).sum(1) / w.sum(1).clamp(min=1e-9), dim=-1)

    example = tuple(minilm.eval_set().samples[0])
    before, left_before = delegated_fraction(Stock().eval(), example)
    after, left_after = delegated_fraction(minilm.load_module(), example)
    return {"before": before, "after": after, "left_before": left_before, "left_after": left_after}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", default="xnnpack,onnx")
    ap.add_argument("--recipes", default="fp32,int8dyn,8da4w")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from mobilekit.export.config import ExportConfig
    from mobilekit.export.pipeline import export_bundle

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.time()
        config = ExportConfig(model="minilm", out_dir=Path(tmp), targets=tuple(args.targets.split(",")),
                              precisions=tuple(args.recipes.split(",")), latency_iterations=20)
        result = export_bundle(config, progress=lambda m: print(f"  .. {m}", file=sys.stderr))
        seconds = time.time() - t0
    arts = result.manifest["artifacts"]
    fp32 = {a["target"]: a["bytes"] for a in arts if a["precision"] == "fp32"}
    rows = []
    for a in arts:
        v = a.get("validation") or {}
        d = a.get("delegation") or {}
        total = (d.get("delegated_nodes") or 0) + (d.get("non_delegated_nodes") or 0)
        rows.append({
            "artifact": a["file"], "target": a["target"], "recipe": a["precision"], "mb": round(a["bytes"] / 1e6, 2),
            "size_vs_fp32": round(a["bytes"] / fp32[a["target"]], 3) if a["target"] in fp32 else None,
            "cosine_min": v.get("cosine_min"), "cosine_mean": v.get("cosine_mean"), "status": v.get("status"),
            "delegated": round(d["delegated_nodes"] / total, 3) if total else None,
            "host_p50_ms": (v.get("host_latency_ms") or {}).get("p50"),
            "int8_layers": len((a.get("quantization") or {}).get("int8_layers") or []),
        })
    try:
        hyg = hygiene()
    except Exception as exc:  # the table above is still worth printing
        hyg = {"before": float("nan"), "after": float("nan"), "left_before": f"failed: {exc}", "left_after": ""}
    report = {"export_seconds": round(seconds, 1), "eval": result.validation["eval"], "rows": rows,
              "failures": result.manifest.get("failures", []), "attention_hygiene": hyg}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"minilm: {result.validation['eval']['description']}")
    print(f"{'artifact':34} {'MB':>7} {'vs fp32':>7} {'cos min':>8} {'cos mean':>8} {'deleg.':>6} {'host p50 ms':>11} {'8-bit':>5}  status")
    for r in rows:
        f = lambda x, fmt: (fmt % x) if x is not None else "—"  # noqa: E731
        print(f"{r['artifact']:34} {r['mb']:7.2f} {f(r['size_vs_fp32'], '%.3f'):>7} {f(r['cosine_min'], '%.4f'):>8} "
              f"{f(r['cosine_mean'], '%.4f'):>8} {f(r['delegated'], '%.2f'):>6} {f(r['host_p50_ms'], '%.2f'):>11} "
              f"{r['int8_layers']:>5}  {r['status']}")
    for fail in report["failures"]:
        print(f"failed {fail['target']} {fail['precision']}: {fail['error']}")
    print("host latency is this x86 machine's (2 shared cores), not a phone's; use `mobilekit bench` for phones")
    print(f"attention hygiene, FP32 XNNPACK delegated fraction: stock HF (sdpa, bool mask) {hyg['before']:.3f} "
          f"-> additive mask + eager attention {hyg['after']:.3f}")
    print(f"  left on portable before: {hyg['left_before']}")
    print(f"  left on portable after:  {hyg['left_after']}")
    print(f"export wall time {seconds:.0f} s")


if __name__ == "__main__":
    main()
