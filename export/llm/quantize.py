"""The ExecuTorch recipes for a causal LM (torchao ``quantize_`` / tensors), and the 8da4w 8-bit layer choice.

``8da4w`` (:class:`~mobilekit.export.quant.recipes.W4A8Dynamic`): linear weights 4-bit symmetric per group
with per-token dynamic INT8 activations (XNNPACK's qd8/qb4w kernels); the embedding table weight-only INT8;
the layers 4 bits hurt most at 8 bits (``int8_layers="auto"``: :func:`choose_int8_layers`).
``int8dyn`` (:class:`DynamicInt8`): every linear INT8 per channel with dynamic INT8 activations.

**Weights that are already 4-bit.** A model dequantized from a 4-bit GGUF (``Q4_0``/``Q4_1``) holds, in
each 32-weight block, values on a 16-level grid ``m + d*q`` (Q4_1: ``m`` the block minimum). Re-quantizing
them symmetrically moves nearly every weight by up to ``d/2`` (SmolLM2: top-1 agreement with FP32 0.77).
:func:`grid_4bit` finds such blocks; the linear is then stored *exactly*: the centred codes ``d*(q-8)`` as
symmetric INT4 with the block's own scale ``d`` (XNNPACK's qb4w), plus ``c = m + 8d`` per block applied
as a small linear on the 32-wide block sums of the input (:class:`OffsetLinear`; 1/32 of the weights,
INT8). ``Q4_0`` blocks (``m = -8d``) need no offset. Both paths lower to XNNPACK.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field

import torch

from mobilekit.export.quant.recipes import DynamicInt8, Fp32, Recipe, W4A8Dynamic

GRID_TOLERANCE = 1e-5  # a block is on a 4-bit grid when every weight is within this fraction of d of it


@dataclass(frozen=True)
class Grid4:
    """A weight ``[out, in]`` whose 32-blocks lie on 16-level grids: ``w = scale * code + offset``, code in -8..7."""

    codes: torch.Tensor  # int8 [out, in], -8..7
    scale: torch.Tensor  # float32 [out, in/group]
    offset: torch.Tensor  # float32 [out, in/group] (zero for symmetric sources)
    group_size: int

    @property
    def has_offset(self) -> bool:
        return bool(self.offset.abs().max() > 0)


def grid_4bit(weight: torch.Tensor, group_size: int = 32) -> Grid4 | None:
    """The exact 4-bit structure of ``weight`` if every block of ``group_size`` is on a 16-level grid, else None.

    Affine blocks (GGUF ``Q4_1``: ``m + d*q``, q in 0..15, the minimum and maximum on the grid's ends) give
    codes ``q - 8`` and offsets ``m + 8d``; symmetric blocks (``Q4_0``: ``d*k``, k in -8..7, the largest
    magnitude at -8) give offsets of 0."""
    if weight.dim() != 2 or weight.shape[1] % group_size:
        return None
    w = weight.detach().to(torch.float64)
    out, inp = w.shape
    blocks = w.reshape(out, inp // group_size, group_size)

    def on_grid(values, step):
        safe = torch.where(step > 0, step, torch.ones_like(step))
        codes = (values / safe).round()
        ok = ((codes * step - values).abs() <= GRID_TOLERANCE * safe + 1e-12).all()
        return codes, bool(ok)

    lo = blocks.amin(-1, keepdim=True)
    d = (blocks.amax(-1, keepdim=True) - lo) / 15
    q, ok = on_grid(blocks - lo, d)
    if ok:
        return Grid4(codes=(q - 8).reshape(out, inp).to(torch.int8), scale=d.squeeze(-1).to(torch.float32),
                     offset=(lo + 8 * d).squeeze(-1).to(torch.float32), group_size=group_size)
    d = blocks.abs().amax(-1, keepdim=True) / 8
    k, ok = on_grid(blocks, d)
    if ok and k.min() >= -8 and k.max() <= 7:
        return Grid4(codes=k.reshape(out, inp).to(torch.int8), scale=d.squeeze(-1).to(torch.float32),
                     offset=torch.zeros(out, inp // group_size), group_size=group_size)
    return None


def grid_8bit(weight: torch.Tensor, group_size: int = 32) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(codes int8, scale [rows, in/group]) if every block is ``d * q`` with q in -127..127 (GGUF ``Q8_0``), else None."""
    if weight.dim() != 2 or weight.shape[1] % group_size:
        return None
    w = weight.detach().to(torch.float64)
    rows, inp = w.shape
    blocks = w.reshape(rows, inp // group_size, group_size)
    amax = blocks.abs().amax(-1, keepdim=True)
    d = amax / 127
    safe = torch.where(d > 0, d, torch.ones_like(d))
    q = (blocks / safe).round()
    if ((q * d - blocks).abs() > GRID_TOLERANCE * safe + 1e-12).any():
        return None
    return q.reshape(rows, inp).to(torch.int8), d.squeeze(-1).to(torch.float32)


def _intx_weight(weight: torch.Tensor, bits: int, group_size: int | None, *, act: bool,
                 scale: torch.Tensor | None = None, codes: torch.Tensor | None = None):
    """A torchao ``IntxUnpackedToInt8Tensor`` (what the XNNPACK lowering reads); exact codes/scale when given."""
    from torchao.quantization import IntxUnpackedToInt8Tensor
    from torchao.quantization.quant_primitives import MappingType

    dtype = torch.int4 if bits == 4 else torch.int8
    block = (1, group_size or weight.shape[1])
    kwargs = {"activation_quantization": "int8_asym_per_token" if act else None}
    if scale is not None:
        hp = (codes.to(torch.float32).reshape(weight.shape[0], -1, block[1]) * scale.unsqueeze(-1)).reshape(weight.shape)
        return IntxUnpackedToInt8Tensor.from_hp(hp, block, dtype, mapping_type=MappingType.SYMMETRIC,
                                                intx_choose_qparams_algorithm=None, custom_scale=scale.clone(),
                                                custom_zero_point=torch.zeros_like(scale, dtype=torch.int8), **kwargs)
    return IntxUnpackedToInt8Tensor.from_hp(weight.detach().to(torch.float32), block, dtype,
                                            mapping_type=MappingType.SYMMETRIC, **kwargs)


class OffsetLinear(torch.nn.Module):
    """``y = main(x) + offset(block_sums(x))``: an exactly stored 4-bit affine linear (see the module docstring).

    The block sums are a linear layer too (a 0/1 matrix, INT8, exact), so the whole thing stays inside XNNPACK
    (a ``sum`` over a reshaped input would fall out of the delegate and split every decoder layer)."""

    def __init__(self, main: torch.nn.Module, offset: torch.nn.Module, sums: torch.nn.Module, group_size: int):
        super().__init__()
        self.main = main
        self.sums = sums
        self.offset = offset
        self.group_size = group_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x) + self.offset(self.sums(x))


def block_sum_matrix(in_features: int, group_size: int) -> torch.Tensor:
    """``[in/group, in]`` with ones where input channel j belongs to block b."""
    m = torch.zeros(in_features // group_size, in_features)
    for b in range(in_features // group_size):
        m[b, b * group_size:(b + 1) * group_size] = 1.0
    return m


def _linear_from(weight: torch.Tensor, bias: torch.Tensor | None) -> torch.nn.Linear:
    lin = torch.nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None)
    lin.weight = torch.nn.Parameter(weight, requires_grad=False)
    if bias is not None:
        lin.bias = torch.nn.Parameter(bias.detach().clone(), requires_grad=False)
    return lin


def quantized_linear(linear: torch.nn.Linear, bits: int, group_size: int) -> torch.nn.Module:
    """One linear layer as the .pte will hold it (dynamic INT8 activations; 4-bit per group or 8-bit per channel)."""
    w = linear.weight.detach()
    if bits == 4:
        grid = grid_4bit(w, group_size)
        if grid is not None:
            main = _linear_from(_intx_weight(w, 4, group_size, act=True, scale=grid.scale, codes=grid.codes), linear.bias)
            if not grid.has_offset:
                return main
            offset = _linear_from(_intx_weight(grid.offset, 8, None, act=True), None)
            ones = block_sum_matrix(w.shape[1], group_size)
            sums = _linear_from(_intx_weight(ones, 8, None, act=True, scale=torch.ones(ones.shape[0], 1),
                                             codes=ones.to(torch.int8)), None)
            return OffsetLinear(main, offset, sums, group_size)
        return _linear_from(_intx_weight(w, 4, group_size, act=True), linear.bias)
    return _linear_from(_intx_weight(w, 8, None, act=True), linear.bias)


def linear_names(model: torch.nn.Module, group_size: int) -> list[str]:
    return [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear) and m.in_features % group_size == 0]


def _set(module: torch.nn.Module, name: str, sub: torch.nn.Module) -> None:
    parent, _, leaf = name.rpartition(".")
    setattr(module.get_submodule(parent) if parent else module, leaf, sub)


def untie(model: torch.nn.Module) -> None:
    """Give a tied output head its own weight (embedding and head are quantized differently)."""
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    emb = model.get_input_embeddings() if hasattr(model, "get_input_embeddings") else None
    if head is not None and emb is not None and head.weight is emb.weight:
        head.weight = torch.nn.Parameter(emb.weight.detach().clone(), requires_grad=False)
    if hasattr(model.config, "tie_word_embeddings"):
        model.config.tie_word_embeddings = False


def quantize_embedding(model: torch.nn.Module, bits: int, group_size: int) -> dict | None:
    """Weight-only INT8 (per row, or exactly per 32-block for a Q8_0 source) or INT4 (per group) input embedding."""
    if not bits:
        return None
    emb = model.get_input_embeddings()
    emb.padding_idx = None  # only shapes gradients; ExecuTorch's quantized-embedding fusion wants the 2-argument form
    w = emb.weight.detach()
    record = {"bits": bits, "tables": [_name_of(model, emb)], "engine": "torchao IntxWeightOnlyConfig"}
    if bits == 8:
        exact = grid_8bit(w, group_size)
        if exact is not None:
            codes, scale = exact
            emb.weight = torch.nn.Parameter(_intx_weight(w, 8, group_size, act=False, scale=scale, codes=codes), requires_grad=False)
            record.update(granularity="per_group", group_size=group_size, exact_source_grid="Q8_0 (int8 per 32-block)")
            return record
        emb.weight = torch.nn.Parameter(_intx_weight(w, 8, None, act=False), requires_grad=False)
        record["granularity"] = "per_channel"
        return record
    emb.weight = torch.nn.Parameter(_intx_weight(w, 4, group_size, act=False), requires_grad=False)
    record.update(granularity="per_group", group_size=group_size)
    return record


def _name_of(root: torch.nn.Module, module: torch.nn.Module) -> str:
    return next(n for n, m in root.named_modules() if m is module)


def quantized_copy(model: torch.nn.Module, recipe: Recipe, int8_layers: tuple[str, ...] = ()) -> tuple[torch.nn.Module, dict | None]:
    """A quantized copy of ``model`` for ``recipe`` and the manifest's ``quantization`` record (None for fp32)."""
    q = copy.deepcopy(model).eval()
    if isinstance(recipe, Fp32):
        return q, None
    untie(q)
    group = recipe.group_size
    keep = set(recipe.keep_float)
    eight = set(int8_layers)
    counts = {"int4_exact": 0, "int4_exact_with_offset": 0, "int4_requantized": 0, "int8": 0}
    for name in linear_names(q, group):
        if name in keep:
            continue
        lin = q.get_submodule(name)
        bits = 4 if isinstance(recipe, W4A8Dynamic) and name not in eight else 8
        new = quantized_linear(lin, bits, group)
        if bits == 8:
            counts["int8"] += 1
        elif isinstance(new, OffsetLinear):
            counts["int4_exact_with_offset"] += 1
        elif grid_4bit(lin.weight, group) is not None:
            counts["int4_exact"] += 1
        else:
            counts["int4_requantized"] += 1
        _set(q, name, new)
    emb = quantize_embedding(q, recipe.embedding_bits, group)
    if isinstance(recipe, W4A8Dynamic):
        record = {"mode": "dynamic", "scheme": "w4a8-dynamic", "granularity": "per_group", "group_size": group,
                  "symmetric": True, "int8_layers": sorted(eight),
                  "engine": f"torchao IntxUnpackedToInt8Tensor int4 PerGroup({group}) + int8_asym_per_token activations"}
    elif isinstance(recipe, DynamicInt8):
        record = {"mode": "dynamic", "scheme": "w8a8-dynamic", "granularity": "per_channel", "symmetric": True,
                  "engine": "torchao IntxUnpackedToInt8Tensor int8 PerAxis(0) + int8_asym_per_token activations"}
    else:
        raise ValueError(f"the ExecuTorch LLM target builds 8da4w, int8dyn or fp32, not {recipe.name!r}")
    if keep:
        record["keep_float"] = sorted(keep)
    record["embeddings"] = emb
    record["kernels"] = {"linear_layers": counts}
    return q, record


# ----------------------------------------------------------------------------------------------------------
# Simulation (eager, fast) and the 8-bit layer search
# ----------------------------------------------------------------------------------------------------------

def fake_quant_activation(x: torch.Tensor) -> torch.Tensor:
    """Per-token asymmetric INT8 quantize-dequantize (what XNNPACK's dynamic linear does to its input)."""
    lo = x.amin(-1, keepdim=True).clamp(max=0)
    hi = x.amax(-1, keepdim=True).clamp(min=0)
    scale = ((hi - lo) / 255).clamp(min=1e-9)
    zero = (-128 - lo / scale).round().clamp(-128, 127)
    return ((x / scale + zero).round().clamp(-128, 127) - zero) * scale


def simulated_weight(weight: torch.Tensor, bits: int, group_size: int) -> torch.Tensor:
    """The float weight the .pte computes with (same encoding rules as :func:`quantized_linear`)."""
    w = weight.detach().to(torch.float32)
    if bits == 4:
        grid = grid_4bit(w, group_size)
        if grid is not None:
            return w.clone()  # stored exactly
        return _intx_weight(w, 4, group_size, act=False).dequantize()
    return _intx_weight(w, 8, None, act=False).dequantize()


class Simulator:
    """An eager model whose linears compute like the quantized artifact (dequantized weights, fake-quantized
    activations): fast enough to score many layer choices on the tuning text. Restores the model on close."""

    def __init__(self, model: torch.nn.Module, recipe: Recipe):
        self.model = model
        self.group = recipe.group_size
        self.names = linear_names(model, self.group)
        self.original = {n: model.get_submodule(n).weight for n in self.names}
        self.keep = set(recipe.keep_float)
        self.four = isinstance(recipe, W4A8Dynamic)
        self.cache: dict[tuple[str, int], torch.Tensor] = {}
        self.hooks = [model.get_submodule(n).register_forward_pre_hook(lambda m, a: (fake_quant_activation(a[0]),))
                      for n in self.names if n not in self.keep]

    def weight(self, name: str, bits: int) -> torch.Tensor:
        key = (name, bits)
        if key not in self.cache:
            self.cache[key] = simulated_weight(self.original[name], bits, self.group)
        return self.cache[key]

    def set_layers(self, int8_layers) -> None:
        eight = set(int8_layers)
        for n in self.names:
            if n in self.keep:
                continue
            bits = 4 if self.four and n not in eight else 8
            self.model.get_submodule(n).weight = torch.nn.Parameter(self.weight(n, bits), requires_grad=False)

    def close(self) -> None:
        for h in self.hooks:
            h.remove()
        for n, w in self.original.items():
            self.model.get_submodule(n).weight = w


def layer_damage(model: torch.nn.Module, windows: list[torch.Tensor], names: list[str], group_size: int) -> dict[str, float]:
    """Each linear's relative output error at 4 bits (vs its 8-bit encoding) on the tuning inputs it really sees."""
    stats: dict[str, list[float]] = {n: [0.0, 0.0] for n in names}
    w4 = {n: simulated_weight(model.get_submodule(n).weight, 4, group_size) for n in names}
    w8 = {n: simulated_weight(model.get_submodule(n).weight, 8, group_size) for n in names}

    def hook(name):
        def fn(mod, args):
            x = args[0].detach().reshape(-1, args[0].shape[-1])
            ref = x @ w8[name].T
            err = x @ w4[name].T - ref
            stats[name][0] += float((err * err).sum())
            stats[name][1] += float((ref * ref).sum())
        return fn

    hooks = [model.get_submodule(n).register_forward_pre_hook(hook(n)) for n in names]
    try:
        with torch.no_grad():
            for ids in windows:
                model(ids)
    finally:
        for h in hooks:
            h.remove()
    return {n: (e / r if r > 0 else 0.0) for n, (e, r) in stats.items()}


@dataclass
class LayerChoice:
    int8_layers: tuple[str, ...]
    record: dict = field(default_factory=dict)


def choose_int8_layers(model: torch.nn.Module, recipe: W4A8Dynamic, windows: list[torch.Tensor], reference: list[torch.Tensor],
                       *, target_agreement: float, seconds: float, max_extra_bytes: int, log=lambda m: None) -> LayerChoice:
    """8da4w ``int8_layers="auto"``: the linears 4 bits hurt most, moved to 8 bits most-damaged first while the
    simulated artifact's top-1 agreement with FP32 on the *tuning* windows is below ``target_agreement``, within
    ``seconds`` and ``max_extra_bytes`` (the size an 8-bit layer adds over its 4-bit self)."""
    t0 = time.monotonic()
    group = recipe.group_size
    names = [n for n in linear_names(model, group) if n not in set(recipe.keep_float)]
    damage = layer_damage(model, windows, names, group)
    ranked = sorted((n for n in names if damage[n] > 1e-10), key=lambda n: -damage[n])
    sim = Simulator(model, recipe)
    steps = []

    def score(layers) -> float:
        sim.set_layers(layers)
        agree = total = 0
        with torch.no_grad():
            for ids, ref in zip(windows, reference):
                out = model(ids).logits[0]
                agree += int((out.argmax(-1) == ref.argmax(-1)).sum())
                total += ref.shape[0]
        return agree / max(total, 1)

    chosen: list[str] = []
    extra = 0
    try:
        agreement = score(chosen)
        steps.append({"int8_layers": 0, "tuning_agreement": round(agreement, 4)})
        log(f"8da4w: every linear at 4 bits: tuning agreement {agreement:.4f} (target {target_agreement})")
        t_search = time.monotonic()  # the budget counts candidate trials; the ranking and the baseline always run
        for name in ranked:
            if agreement >= target_agreement:
                break
            if chosen and time.monotonic() - t_search > seconds:  # the most damaged layer is always tried
                steps.append({"stopped": "search budget", "seconds": round(time.monotonic() - t0, 1)})
                break
            w = model.get_submodule(name).weight
            cost = w.numel() // 2  # 8-bit vs 4-bit weights (scales alike)
            if extra + cost > max_extra_bytes:
                steps.append({"skipped": name, "reason": "size cap", "extra_bytes": extra + cost})
                continue
            chosen.append(name)
            extra += cost
            agreement = score(chosen)
            steps.append({"int8_layers": len(chosen), "added": name, "relative_error_4bit": float(f"{damage[name]:.3g}"),
                          "tuning_agreement": round(agreement, 4)})
            log(f"8da4w: + {name} at 8 bits (4-bit relative error {damage[name]:.2e}): tuning agreement {agreement:.4f}")
    finally:
        sim.close()
    exact = sum(1 for n in names if damage[n] <= 1e-10)
    record = {"method": "auto", "met_floor_on_tuning_data": agreement >= target_agreement,
              "target_tuning_agreement": target_agreement, "tuning_windows": len(windows),
              "tuning_tokens": int(sum(r.shape[0] for r in reference)), "linear_layers": len(names),
              "exact_at_4_bits": exact, "extra_bytes_estimate": int(extra),
              "seconds": round(time.monotonic() - t0, 1), "steps": steps}
    return LayerChoice(tuple(chosen), record)


def weight_bytes_fp32(model: torch.nn.Module) -> int:
    """Bytes of the model's distinct FP32 parameters (tied weights once): the size the 0.25x cap is against."""
    seen, total = set(), 0
    for p in model.parameters():
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel() * 4
    return total


def size_cap_bytes(model: torch.nn.Module, fraction: float = 0.25) -> int:
    return int(math.floor(weight_bytes_fp32(model) * fraction))
