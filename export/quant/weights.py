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
from typing import TYPE_CHECKING

import torch

from mobilekit.export.config import INT8, INT8_DYNAMIC, W4A8_DYNAMIC

if TYPE_CHECKING:
    from mobilekit.export.targets.base import BuildContext

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
                     keep_float: tuple[str, ...] = (), int8_layers: tuple[str, ...] = ()) -> tuple[torch.nn.Module, dict]:
    """A copy of ``module`` with torchao weight quantization for ``precision`` (int8dyn or 8da4w) and the
    manifest's ``quantization`` record. ``keep_float`` names modules left alone; in 8da4w, ``int8_layers``
    are linear layers kept at 8-bit weights (the ones 4 bits hurt most)."""
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

    eight = set(int8_layers)

    def linear_filter(m, fqn):
        if not isinstance(m, torch.nn.Linear) or fqn in skip or fqn in eight:
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
    if eight:
        quantize_(q, Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int8, weight_granularity=PerAxis(0)),
                  filter_fn=lambda m, fqn: isinstance(m, torch.nn.Linear) and fqn in eight)
        record["int8_layers"] = sorted(eight)
    if keep_float:
        record["keep_float"] = list(keep_float)
    record["embeddings"] = emb_record
    return q, record


def _cosines(module: torch.nn.Module, samples: list, reference: list) -> torch.Tensor:
    outs = []
    with torch.no_grad():
        for sample, ref in zip(samples, reference):
            out = module(*sample)
            out = out if isinstance(out, torch.Tensor) else out[0]
            outs.append(torch.nn.functional.cosine_similarity(ref.reshape(1, -1).double(), out.reshape(1, -1).double()))
    return torch.cat(outs)


def _linear_copy(linear: torch.nn.Linear, bits: int, group_size: int) -> torch.nn.Module:
    """One linear layer, quantized like 8da4w (bits=4, per group) or its 8-bit fallback (per channel)."""
    from torchao.quantization.granularity import PerAxis, PerGroup
    from torchao.quantization.quant_api import Int8DynamicActivationIntxWeightConfig, quantize_

    holder = torch.nn.Sequential(copy.deepcopy(linear))
    cfg = Int8DynamicActivationIntxWeightConfig(
        weight_dtype=torch.int4 if bits == 4 else torch.int8,
        weight_granularity=PerGroup(group_size) if bits == 4 else PerAxis(0))
    quantize_(holder, cfg)
    return holder[0]


def _set(module: torch.nn.Module, name: str, sub: torch.nn.Module) -> torch.nn.Module:
    parent, _, leaf = name.rpartition(".")
    owner = module.get_submodule(parent) if parent else module
    old = getattr(owner, leaf)
    setattr(owner, leaf, sub)
    return old


def choose_int8_layers(module: torch.nn.Module, tuning: list, embedding_bits: int, group_size: int, min_cosine: float,
                       margin: float = 0.003, log=lambda msg: None) -> tuple[tuple[str, ...], dict]:
    """For 8da4w: which linear layers to keep at 8-bit weights so every tuning sample keeps cosine >= floor.

    Each linear layer is tried alone at 4 bits (the rest float) and ranked by the worst cosine it causes;
    starting from the worst, layers move to 8 bits until the whole model at those settings clears
    ``min_cosine + margin`` on the tuning samples (never the evaluation data)."""
    with torch.no_grad():
        reference = [(lambda o: o if isinstance(o, torch.Tensor) else o[0])(module(*s)) for s in tuning]
    linears = [n for n, m in module.named_modules() if isinstance(m, torch.nn.Linear) and m.in_features % group_size == 0]
    target = min_cosine + margin
    ranking = []
    work = copy.deepcopy(module).eval()
    for name in linears:  # one layer at 4 bits, swapped in and out of a float copy
        original = _set(work, name, _linear_copy(module.get_submodule(name), 4, group_size))
        ranking.append((float(_cosines(work, tuning, reference).min()), name))
        _set(work, name, original)
    ranking.sort()
    steps, chosen = [], []
    q, _ = weight_quantized(module, W4A8_DYNAMIC, embedding_bits, group_size)
    worst = float(_cosines(q, tuning, reference).min())
    steps.append({"int8_layers": 0, "min_cosine": round(worst, 5)})
    log(f"8da4w: all linear layers at 4 bits: worst tuning cosine {worst:.4f} (target {target:.4f})")
    for cos, name in ranking:
        if worst >= target:
            break
        chosen.append(name)
        _set(q, name, _linear_copy(module.get_submodule(name), 8, group_size))
        worst = float(_cosines(q, tuning, reference).min())
        steps.append({"int8_layers": len(chosen), "added": name, "alone_4bit_min_cosine": round(cos, 5), "min_cosine": round(worst, 5)})
    log(f"8da4w: {len(chosen)} of {len(linears)} linear layers kept at 8 bits: worst tuning cosine {worst:.4f}")
    return tuple(chosen), {"method": "auto", "tuning_samples": len(tuning), "target_min_cosine": round(target, 4),
                           "met_target_on_tuning_data": worst >= target, "linear_layers": len(linears), "steps": steps}


def eight_bit_layers(ctx: "BuildContext", precision: str) -> tuple[tuple[str, ...], dict | None]:
    """8da4w: the linear layers kept at 8-bit weights (chosen once per bundle on tuning samples held out of the
    calibration data, shared by every target that builds 8da4w); () when there is no data to choose on."""
    if precision != W4A8_DYNAMIC:
        return (), None

    def choose():
        from mobilekit import MobilekitError

        try:
            samples = ctx.calibration_samples()
        except MobilekitError:
            return (), None
        from mobilekit.export.calibration import split_tuning

        tuning = ctx.cached_or_none("tuning") or split_tuning(samples)[1]
        return choose_int8_layers(ctx.model.module, list(tuning)[:48], ctx.config.embedding_bits_for(precision),
                                  ctx.config.group_size, ctx.config.floor.cosine_floor(precision), log=ctx.log)

    return ctx.cached("8da4w:int8_layers", choose)
