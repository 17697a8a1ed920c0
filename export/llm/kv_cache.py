"""A causal LM as ExecuTorch's LLM runner wants it: ``forward(input_ids[1, S], cache_position[S]) -> logits[1, S, V]``
with a static KV cache inside, ExecuTorch's ``custom_sdpa`` attention, and the metadata methods the runner reads.

The recipe, written against the pinned transformers (5.17) instead of optimum-executorch (which pins an
older transformers): an attention function registered in transformers' ``AttentionInterface`` that calls
``torch.ops.llama.custom_sdpa`` (the causal mask comes from the start position, so the mask function
returns None), a static cache whose layers write new keys/values with ``llama::update_cache`` into
``[B, S, H, D]`` buffers (the layout custom_sdpa reads, so no copy of the cache per step), one
``.item()`` of the start position per call, and a dynamic sequence dimension so the prompt is one prefill
call. ``torch.export`` runs in strict mode (non-strict export of the mutating custom op fails in
``run_decompositions`` with these versions).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch

# Names we register in transformers' attention registries (additive, idempotent; nothing existing is replaced).
ATTN_BHSD = "mobilekit_custom_sdpa"  # keys/values arrive [B, H, S, D] (transformers' StaticLayer)
ATTN_BSHD = "mobilekit_custom_sdpa_bshd"  # keys/values arrive [B, S, H, D] (our update_cache layer)


class _Position:
    """The start position of the current call, shared by the cache layers and the attention calls."""

    start: object = 0


def _custom_ops() -> None:
    import executorch.extension.llm.custom_ops.custom_ops  # noqa: F401  (registers torch.ops.llama.*)


def _sdpa_bhsd(module, query, key, value, attention_mask, scaling=None, **kwargs):
    out = torch.ops.llama.custom_sdpa(query.transpose(1, 2), key.transpose(1, 2), value.transpose(1, 2),
                                      module._mobilekit_position.start, None, 0.0, True, scaling)
    return out, None


def _sdpa_bshd(module, query, key, value, attention_mask, scaling=None, **kwargs):
    out = torch.ops.llama.custom_sdpa(query.transpose(1, 2), key, value, module._mobilekit_position.start,
                                      None, 0.0, True, scaling)
    return out, None


def register_attention() -> None:
    """Make the two custom_sdpa attention implementations known to transformers (safe to call again)."""
    from transformers.masking_utils import AttentionMaskInterface
    from transformers.modeling_utils import AttentionInterface

    _custom_ops()
    for name, fn in ((ATTN_BHSD, _sdpa_bhsd), (ATTN_BSHD, _sdpa_bshd)):
        AttentionInterface.register(name, fn)
        AttentionMaskInterface.register(name, lambda *args, **kwargs: None)  # custom_sdpa masks causally itself


@dataclass(frozen=True)
class CacheShape:
    layers: int
    kv_heads: int
    head_dim: int
    max_seq_len: int
    dtype: torch.dtype = torch.float32

    @classmethod
    def of(cls, config, max_seq_len: int) -> "CacheShape":
        text = config.get_text_config() if hasattr(config, "get_text_config") else config
        heads = text.num_attention_heads
        head_dim = getattr(text, "head_dim", None) or text.hidden_size // heads
        kv_heads = getattr(text, "num_key_value_heads", None) or heads
        return cls(text.num_hidden_layers, kv_heads, head_dim, max_seq_len)

    @property
    def bytes_per_token(self) -> int:
        """K and V for every layer: 2 x layers x kv_heads x head_dim x dtype bytes."""
        return 2 * self.layers * self.kv_heads * self.head_dim * torch.tensor([], dtype=self.dtype).element_size()

    def to_json(self) -> dict:
        return {"dtype": "float32", "bytes_per_token": self.bytes_per_token,
                "bytes_total": self.bytes_per_token * self.max_seq_len, "layers": self.layers,
                "kv_heads": self.kv_heads, "head_dim": self.head_dim}


def _update_cache_layer_class():
    from transformers.cache_utils import StaticLayer

    class UpdateCacheLayer(StaticLayer):
        """A static layer stored ``[B, S, H, D]`` and written by ExecuTorch's ``llama::update_cache`` op."""

        def __init__(self, shape: CacheShape, position: _Position):
            super().__init__(shape.max_seq_len)
            self.position = position
            self.keys = torch.zeros(1, shape.max_seq_len, shape.kv_heads, shape.head_dim, dtype=shape.dtype)
            self.values = torch.zeros(1, shape.max_seq_len, shape.kv_heads, shape.head_dim, dtype=shape.dtype)
            self.dtype, self.device = shape.dtype, self.keys.device
            self.is_initialized = True

        def lazy_initialization(self, key_states, value_states):  # pragma: no cover - initialised above
            raise RuntimeError("UpdateCacheLayer is allocated up front")

        def update(self, key_states, value_states, *args, **kwargs):
            torch.ops.llama.update_cache(key_states.transpose(1, 2), self.keys, self.position.start)
            torch.ops.llama.update_cache(value_states.transpose(1, 2), self.values, self.position.start)
            return self.keys, self.values

    return UpdateCacheLayer


class ExportableCausalLM(torch.nn.Module):
    """``forward(input_ids[1, S], cache_position[S]) -> logits[1, S, vocab]`` over a static KV cache.

    ``kv_cache``: ``update_cache`` (ExecuTorch's op, [B, S, H, D]) or ``index_copy`` (transformers' StaticLayer).
    Construct it inside :func:`exportable` so the model's attention implementation is restored afterwards.
    """

    def __init__(self, model: torch.nn.Module, max_seq_len: int, kv_cache: str = "update_cache"):
        super().__init__()
        from transformers.cache_utils import Cache, StaticLayer

        self.model = model
        self.max_seq_len = max_seq_len
        self.kv_cache = kv_cache
        self.shape = CacheShape.of(model.config, max_seq_len)
        self.position = _Position()
        if kv_cache == "update_cache":
            layer_cls = _update_cache_layer_class()
            layers = [layer_cls(self.shape, self.position) for _ in range(self.shape.layers)]
            self.cache = Cache(layers=layers)
        elif kv_cache == "index_copy":
            self.cache = Cache(layers=[StaticLayer(max_seq_len) for _ in range(self.shape.layers)])
            self.cache.early_initialization(1, self.shape.kv_heads, self.shape.head_dim, self.shape.dtype, torch.device("cpu"))
        else:
            raise ValueError(f"kv_cache is update_cache or index_copy, not {kv_cache!r}")
        for i, layer in enumerate(self.cache.layers):  # buffers, so torch.export sees the cache as state
            self.register_buffer(f"k_cache_{i}", layer.keys, persistent=False)
            self.register_buffer(f"v_cache_{i}", layer.values, persistent=False)
            if kv_cache == "index_copy":
                self.register_buffer(f"cache_len_{i}", layer.cumulative_length, persistent=False)
        for module in model.modules():  # each attention call reads the start position from here
            if hasattr(module, "q_proj") or hasattr(module, "qkv_proj"):
                object.__setattr__(module, "_mobilekit_position", self.position)

    def forward(self, input_ids: torch.Tensor, cache_position: torch.Tensor) -> torch.Tensor:
        start = cache_position[0].item()
        torch._check_is_size(start)
        torch._check(start + input_ids.shape[1] <= self.max_seq_len)
        self.position.start = start
        if self.kv_cache == "index_copy":
            for layer in self.cache.layers:
                layer.cumulative_length.copy_(cache_position[0])
        out = self.model(input_ids=input_ids, position_ids=cache_position.unsqueeze(0), past_key_values=self.cache,
                         use_cache=True, attention_mask=None)
        return out.logits

    def reset(self) -> None:
        """Zero the cache (eager use: a new sequence)."""
        with torch.no_grad():
            for layer in self.cache.layers:
                layer.keys.zero_()
                layer.values.zero_()


@contextmanager
def exportable(model: torch.nn.Module, max_seq_len: int, kv_cache: str = "update_cache"):
    """Yield an :class:`ExportableCausalLM` around ``model``; the model's attention implementation is restored after."""
    register_attention()
    config = model.config
    before = getattr(config, "_attn_implementation", None)
    config._attn_implementation = ATTN_BSHD if kv_cache == "update_cache" else ATTN_BHSD
    try:
        yield ExportableCausalLM(model, max_seq_len, kv_cache).eval()
    finally:
        config._attn_implementation = before
        for module in model.modules():
            if "_mobilekit_position" in module.__dict__:
                del module.__dict__["_mobilekit_position"]


def export_program(wrapper: ExportableCausalLM) -> "torch.export.ExportedProgram":
    """``torch.export`` with one dynamic sequence dimension shared by input_ids and cache_position (1..max-1)."""
    from torch.export import Dim

    seq = Dim("seq_len", min=1, max=wrapper.max_seq_len - 1)
    example = (torch.tensor([[1, 2, 3]], dtype=torch.long), torch.arange(3, dtype=torch.long))
    with torch.no_grad():
        return torch.export.export(wrapper, example, dynamic_shapes=({1: seq}, {0: seq}), strict=True)


class LinearRMSNorm(torch.nn.Module):
    """RMSNorm whose mean of squares is a linear layer (XNNPACK's ``mean.dim`` takes only 4-D inputs, so the
    usual ``pow().mean(-1)`` falls out of the delegate and splits every decoder layer twice)."""

    def __init__(self, weight: torch.Tensor, eps: float):
        super().__init__()
        self.weight = torch.nn.Parameter(weight.detach().clone(), requires_grad=False)
        self.eps = float(eps)
        self.register_buffer("mean_row", torch.full((1, weight.shape[0]), 1.0 / weight.shape[0]), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        variance = torch.nn.functional.linear(x * x, self.mean_row)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def delegable_norms(model: torch.nn.Module) -> int:
    """Swap transformers' llama-style RMSNorm modules (``weight * x / rms``) for :class:`LinearRMSNorm`, in place."""
    swapped = 0
    for name, module in list(model.named_modules()):
        cls = type(module).__name__
        if not cls.endswith("RMSNorm") or cls.startswith("Gemma") or not hasattr(module, "weight"):
            continue
        eps = getattr(module, "variance_epsilon", getattr(module, "eps", None))
        if eps is None or module.weight is None or module.weight.dim() != 1:
            continue
        parent, _, leaf = name.rpartition(".")
        setattr(model.get_submodule(parent) if parent else model, leaf, LinearRMSNorm(module.weight, eps))
        swapped += 1
    return swapped


def metadata_methods(*, max_seq_len: int, eos_ids: list[int], bos_id: int | None, vocab_size: int) -> dict:
    """The constant methods ExecuTorch's LLM runners read (``get_eos_ids`` is a list: it replaces the tokenizer's EOS)."""
    meta = {
        "get_max_seq_len": max_seq_len,
        "get_max_context_len": max_seq_len,
        "use_kv_cache": True,
        "enable_dynamic_shape": True,
        "use_sdpa_with_kv_cache": True,
        "get_eos_ids": [int(e) for e in eos_ids],
        "get_vocab_size": int(vocab_size),
    }
    if bos_id is not None:
        meta["get_bos_id"] = int(bos_id)
    return meta
