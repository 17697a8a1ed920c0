"""Weight-quantization recipes for linear-heavy models (torchao, ``quantize_(model, config)``) and ``--quant auto``.

``int8dyn``: INT8 per-channel linear weights with activations quantized at run time
(``Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int8, PerAxis(0))``); ``8da4w``: 4-bit
group-wise linear weights with the same dynamic 8-bit activations (``PerGroup(32)``). Either can also
quantize ``nn.Embedding`` tables weight-only (``IntxWeightOnlyConfig``, INT8 per row or INT4 per group):
in a small encoder the word-embedding table is half the parameters, so this is where most of the size goes.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass

import torch

from mobilekit.export.config import INT8, INT8_DYNAMIC, W4A8_DYNAMIC

CONV_OPS = ("convolution", "conv1d", "conv2d", "conv3d")
LINEAR_OPS = ("linear", "addmm", "mm", "bmm", "matmul")
RECURRENT_OPS = ("lstm", "gru", "rnn_tanh", "rnn_relu")


@dataclass(frozen=True)
class RecipeChoice:
    """What ``--quant auto`` picked, and why (op counts of the captured graph)."""

    precision: str
    reason: str
    counts: dict

    def to_json(self) -> dict:
        return {"precision": self.precision, "reason": self.reason, "op_counts": dict(self.counts)}


def op_counts(program: "torch.export.ExportedProgram") -> dict:
    """Conv, linear/matmul, recurrent and embedding call counts in a captured graph."""
    counts: Counter = Counter()
    for node in program.graph.nodes:
        if node.op != "call_function":
            continue
        name = getattr(node.target, "__name__", str(node.target)).split(".")[0].lower()
        if any(name == op or name.startswith(op + "_") or name == "_" + op for op in CONV_OPS):
            counts["conv"] += 1
        elif name in LINEAR_OPS:
            counts["linear"] += 1
        elif any(op in name for op in RECURRENT_OPS):
            counts["recurrent"] += 1
        elif name in ("embedding", "embedding_bag"):
            counts["embedding"] += 1
    return {k: counts.get(k, 0) for k in ("conv", "linear", "recurrent", "embedding")}


def choose_recipe(program: "torch.export.ExportedProgram") -> RecipeChoice:
    """Static INT8 where convolutions dominate (their activations calibrate well and XNNPACK runs them in
    INT8 end to end); dynamic INT8 where linear layers, matmuls or recurrent cells dominate (activation
    ranges vary per input, so run-time scales keep accuracy, and no calibration data is needed)."""
    c = op_counts(program)
    said = ", ".join(f"{v} {k}" for k, v in c.items() if v) or "no conv, linear or recurrent ops"
    if c["conv"] > c["linear"] + c["recurrent"]:
        return RecipeChoice(INT8, f"conv-heavy ({said}): static INT8", c)
    return RecipeChoice(INT8_DYNAMIC, f"linear/recurrent-heavy ({said}): dynamic INT8", c)


def embedding_tables(module: torch.nn.Module) -> list[str]:
    return [name for name, m in module.named_modules() if isinstance(m, torch.nn.Embedding)]


def weight_quantized(module: torch.nn.Module, precision: str, embedding_bits: int, group_size: int = 32,
                     keep_float: tuple[str, ...] = ()) -> tuple[torch.nn.Module, dict]:
    """A copy of ``module`` with torchao weight quantization for ``precision`` (int8dyn or 8da4w) and the
    manifest's ``quantization`` record. ``keep_float`` names modules left alone."""
    from torchao.quantization.granularity import PerAxis, PerGroup
    from torchao.quantization.quant_api import Int8DynamicActivationIntxWeightConfig, IntxWeightOnlyConfig, quantize_

    q = copy.deepcopy(module).eval()
    skip = set(keep_float)
    tables = [n for n in embedding_tables(q) if n not in skip]
    emb_record = None
    if embedding_bits and tables:
        for name, m in q.named_modules():
            if name in tables:
                # padding_idx only shapes gradients; ExecuTorch's quantized-embedding fusion matches
                # embedding(weight, indices) and misses the 3-argument form, leaving a dequantize_affine
                # op that has no kernel. Clearing it changes no output.
                m.padding_idx = None
        dtype = torch.int8 if embedding_bits == 8 else torch.int4
        gran = PerAxis(0) if embedding_bits == 8 else PerGroup(group_size)
        quantize_(q, IntxWeightOnlyConfig(weight_dtype=dtype, granularity=gran),
                  filter_fn=lambda m, fqn: isinstance(m, torch.nn.Embedding) and fqn in tables)
        emb_record = {"bits": embedding_bits, "granularity": "per_channel" if embedding_bits == 8 else "per_group",
                      "tables": tables, "engine": "torchao IntxWeightOnlyConfig"}
        if embedding_bits == 4:
            emb_record["group_size"] = group_size

    def linear_filter(m, fqn):
        if not isinstance(m, torch.nn.Linear) or fqn in skip:
            return False
        return precision != W4A8_DYNAMIC or m.in_features % group_size == 0

    if precision == INT8_DYNAMIC:
        cfg = Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int8, weight_granularity=PerAxis(0))
        record = {"mode": "dynamic", "scheme": "w8a8-dynamic", "granularity": "per_channel", "symmetric": True,
                  "engine": "torchao Int8DynamicActivationIntxWeightConfig(int8, PerAxis(0))"}
    elif precision == W4A8_DYNAMIC:
        cfg = Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int4, weight_granularity=PerGroup(group_size))
        record = {"mode": "dynamic", "scheme": "w4a8-dynamic", "granularity": "per_group", "group_size": group_size,
                  "symmetric": True, "engine": f"torchao Int8DynamicActivationIntxWeightConfig(int4, PerGroup({group_size}))"}
    else:
        raise ValueError(f"weight_quantized builds int8dyn or 8da4w, not {precision!r}")
    quantize_(q, cfg, filter_fn=linear_filter)
    if keep_float:
        record["keep_float"] = list(keep_float)
    record["embeddings"] = emb_record
    return q, record
