"""The Core ML target for LLMs: a *stateful* ``.mlpackage`` (iOS 18): the KV cache is two ``ct.StateType``
tensors updated in place by the model, INT4 per-block weights (``linear_quantize_weights``, block 32).

Inputs: ``input_ids`` int32 ``[1, S]`` (S flexible, 1..max_seq_len) and ``causal_mask`` float16
``[1, 1, S, P+S]`` (P tokens already in the cache: the mask's width tells the model where to write); output
``logits`` ``[1, S, vocab]``; states ``key_cache`` and ``value_cache``
``[layers, 1, kv_heads, max_seq_len, head_dim]``. This host (Linux) converts and checks the package
structurally; prediction needs macOS.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch

from mobilekit.export.targets.base import Artifact, TargetError

ATTN_COREML = "mobilekit_coreml_sdpa"


class _Step:
    start = None
    mask = None


def _coreml_sdpa(module, query, key, value, attention_mask, scaling=None, **kwargs):
    rep = query.shape[1] // key.shape[1]
    if rep > 1:  # grouped-query attention: each key/value head serves `rep` query heads
        b, h, s, d = key.shape
        key = key[:, :, None].expand(b, h, rep, s, d).reshape(b, h * rep, s, d)
        value = value[:, :, None].expand(b, h, rep, s, d).reshape(b, h * rep, s, d)
    out = torch.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask=module._mobilekit_step.mask,
                                                           scale=scaling)
    return out.transpose(1, 2).contiguous(), None


def _register() -> None:
    from transformers.masking_utils import AttentionMaskInterface
    from transformers.modeling_utils import AttentionInterface

    AttentionInterface.register(ATTN_COREML, _coreml_sdpa)
    AttentionMaskInterface.register(ATTN_COREML, lambda *args, **kwargs: None)


class StatefulLM(torch.nn.Module):
    """``forward(input_ids, causal_mask) -> logits`` writing keys/values into two registered buffers (Core ML states)."""

    def __init__(self, model, max_seq_len: int):
        super().__init__()
        from transformers.cache_utils import Cache, StaticLayer

        from mobilekit.export.llm.kv_cache import CacheShape

        self.model = model
        shape = CacheShape.of(model.config, max_seq_len)
        self.register_buffer("key_cache", torch.zeros(shape.layers, 1, shape.kv_heads, max_seq_len, shape.head_dim, dtype=torch.float16))
        self.register_buffer("value_cache", torch.zeros(shape.layers, 1, shape.kv_heads, max_seq_len, shape.head_dim, dtype=torch.float16))
        self.step = _Step()
        outer = self

        class Layer(StaticLayer):
            def __init__(self, index):
                super().__init__(max_seq_len)
                self.index = index
                self.is_initialized = True

            def update(self, key_states, value_states, *args, **kwargs):
                start, end = outer.step.start, outer.step.start + key_states.shape[2]
                outer.key_cache[self.index, :, :, start:end, :] = key_states.to(torch.float16)
                outer.value_cache[self.index, :, :, start:end, :] = value_states.to(torch.float16)
                return (outer.key_cache[self.index, :, :, :end, :].to(key_states.dtype),
                        outer.value_cache[self.index, :, :, :end, :].to(value_states.dtype))

        self.cache = Cache(layers=[Layer(i) for i in range(shape.layers)])
        for module in model.modules():
            if hasattr(module, "q_proj"):
                object.__setattr__(module, "_mobilekit_step", self.step)

    def forward(self, input_ids: torch.Tensor, causal_mask: torch.Tensor) -> torch.Tensor:
        seq = input_ids.shape[-1]
        start = causal_mask.shape[-1] - seq
        self.step.start = start
        self.step.mask = causal_mask.to(torch.float32)
        positions = torch.arange(seq, dtype=torch.long).unsqueeze(0) + start
        out = self.model(input_ids=input_ids.to(torch.long), position_ids=positions, past_key_values=self.cache,
                         use_cache=True, attention_mask=None)
        return out.logits


def build_package(llm, recipe, path: Path, *, max_seq_len: int, log=lambda m: None) -> Artifact:
    import coremltools as ct
    import coremltools.optimize.coreml as cto

    from mobilekit.export.llm.quantize import untie

    import copy

    t0 = time.monotonic()
    _register()
    model = copy.deepcopy(llm.model).eval()
    untie(model)
    model.config._attn_implementation = ATTN_COREML
    wrapper = StatefulLM(model, max_seq_len).eval()
    example = (torch.zeros(1, 2, dtype=torch.int32), torch.zeros(1, 1, 2, 5, dtype=torch.float16))
    with torch.no_grad():
        traced = torch.jit.trace(wrapper, example, check_trace=False)
    log(f"coreml {recipe.name}: traced ({time.monotonic() - t0:.0f} s); converting (iOS 18, stateful)...")
    seq = ct.RangeDim(lower_bound=1, upper_bound=max_seq_len, default=1)
    ctx = ct.RangeDim(lower_bound=1, upper_bound=max_seq_len, default=1)
    shape = wrapper.key_cache.shape
    try:
        ml = ct.convert(
            traced,
            inputs=[ct.TensorType(name="input_ids", shape=(1, seq), dtype=ct.converters.mil.mil.types.int32),
                    ct.TensorType(name="causal_mask", shape=(1, 1, seq, ctx), dtype=ct.converters.mil.mil.types.fp16)],
            outputs=[ct.TensorType(name="logits", dtype=ct.converters.mil.mil.types.fp16)],
            states=[ct.StateType(wrapped_type=ct.TensorType(shape=tuple(shape), dtype=ct.converters.mil.mil.types.fp16), name="key_cache"),
                    ct.StateType(wrapped_type=ct.TensorType(shape=tuple(shape), dtype=ct.converters.mil.mil.types.fp16), name="value_cache")],
            minimum_deployment_target=ct.target.iOS18, compute_precision=ct.precision.FLOAT16, skip_model_load=True)
    except Exception as exc:
        raise TargetError(f"coremltools could not convert the stateful model: {str(exc)[:600]}") from exc
    quant = None
    if recipe.name == "8da4w":
        log(f"coreml {recipe.name}: INT4 per-block (32) weights...")
        cfg = cto.OptimizationConfig(global_config=cto.OpLinearQuantizerConfig(
            mode="linear_symmetric", dtype="int4", granularity="per_block", block_size=recipe.group_size))
        ml = cto.linear_quantize_weights(ml, config=cfg)
        quant = {"mode": "weight_only", "scheme": "w4", "granularity": "per_block", "group_size": recipe.group_size,
                 "symmetric": True, "engine": "coremltools linear_quantize_weights int4 per_block (iOS 18)"}
    elif recipe.name == "int8dyn":
        ml = cto.linear_quantize_weights(ml, config=cto.OptimizationConfig(global_config=cto.OpLinearQuantizerConfig(
            mode="linear_symmetric", dtype="int8", granularity="per_channel")))
        quant = {"mode": "weight_only", "scheme": "w8", "granularity": "per_channel", "symmetric": True,
                 "engine": "coremltools linear_quantize_weights int8 per_channel"}
    ml.save(str(path))
    return Artifact(path=path, target="coreml", runtime="coreml", backend="coreml", precision={"8da4w": "w4", "int8dyn": "w8"}.get(recipe.name, "fp16"),
                    platforms=("ios",), quantization=quant, minimum_os="iOS18",
                    notes=["stateful: key_cache/value_cache are Core ML states (iOS 18); FP16 compute"],
                    build_seconds=round(time.monotonic() - t0, 1))


def structure(path: Path) -> dict:
    """What the package declares (inputs, outputs, states, op counts, weight types) without loading it (Linux)."""
    import coremltools as ct
    from collections import Counter

    spec = ct.models.MLModel(str(path), skip_model_load=True).get_spec()
    desc = spec.description
    states = [{"name": s.name, "shape": list(s.type.stateType.arrayType.shape)} for s in desc.state]
    ops: Counter = Counter()
    for fn in spec.mlProgram.functions.values():
        for block in fn.block_specializations.values():
            for op in block.operations:
                ops[op.type] += 1
    return {"inputs": [i.name for i in desc.input], "outputs": [o.name for o in desc.output], "states": states,
            "spec_version": spec.specificationVersion,
            "ops": {k: v for k, v in ops.most_common() if k.startswith(("constexpr", "read_state", "write_state", "slice_update", "linear", "matmul"))}}


def build_and_judge(llm, recipe, precision, config, name, bundle_dir, fingerprint, clock):
    import platform

    from mobilekit.export.llm import cache
    from mobilekit.export.manifest import artifact_record, size_bytes

    path = bundle_dir / f"{name}.coreml.{precision}.mlpackage"
    key = cache.key("coreml", fingerprint, recipe.to_json(), config.max_seq_len)
    art = cache.artifact_cached(key, path, lambda p: build_package(llm, recipe, p, max_seq_len=config.max_seq_len, log=clock.log))
    info = structure(path)
    names = {s["name"] for s in info["states"]}
    if names != {"key_cache", "value_cache"}:
        raise TargetError(f"the Core ML package's states are {sorted(names)}, not key_cache/value_cache")
    clock.log(f"coreml {precision}: states {info['states']}; {size_bytes(path) / 2**20:.1f} MiB")
    reason = ("Core ML prediction needs macOS; this host checked the package structurally: KV cache states "
              + ", ".join(f"{s['name']} {s['shape']}" for s in info["states"]) + f"; ops {info['ops']}")
    status = "skipped"
    if platform.system() == "Darwin":  # pragma: no cover - no Mac here
        reason += " (macOS: run mobilekit validate to predict)"
    validation = {"status": status, "reason": reason, "output_kind": "llm", "notes": list(art.notes)}
    return artifact_record(art, validation), {"file": path.name, "structure": info, **validation}, []
