"""The ExecuTorch target for LLMs: one ``.pte`` per recipe (XNNPACK delegate, static KV cache, metadata
methods), and the host runners that judge it (the pybinding ``Method`` for teacher-forced logits, ExecuTorch's
own ``TextLLMRunner`` for generation from the bundle's tokenizer).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mobilekit.export.quant.recipes import Recipe
from mobilekit.export.targets.base import Artifact, TargetError


def _runtime_imports() -> None:
    import executorch.extension.llm.custom_ops.custom_ops  # noqa: F401  (llama::custom_sdpa, update_cache)
    import executorch.kernels.quantized  # noqa: F401  (quantized_decomposed::embedding_byte, ...)


def build_pte(llm, recipe: Recipe, int8_layers: tuple[str, ...], path: Path, *, max_seq_len: int, kv_cache: str,
              log=lambda m: None) -> Artifact:
    """Quantize a copy of ``llm.model`` for ``recipe``, export it with a KV cache, lower to XNNPACK, write ``path``."""
    import torch
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import EdgeCompileConfig, ExecutorchBackendConfig, to_edge_transform_and_lower
    from executorch.exir.passes import MemoryPlanningPass

    from mobilekit.export.llm.kv_cache import delegable_norms, export_program, exportable, metadata_methods
    from mobilekit.export.llm.quantize import quantized_copy
    from mobilekit.export.targets.delegation import collect_why, delegation_report, not_delegated_notes

    t0 = time.monotonic()
    q, record = quantized_copy(llm.model, recipe, int8_layers)
    delegable_norms(q)
    with exportable(q, max_seq_len, kv_cache) as wrapper:
        try:
            program = export_program(wrapper)
        except Exception as exc:  # torch.export's own message names the op or shape
            raise TargetError(f"torch.export of {llm.name} with a static KV cache failed: {exc}".split("\n")[0][:600],
                              "The model must be a transformers causal LM whose attention goes through the AttentionInterface.") from exc
    log(f"xnnpack {recipe.name}: exported with a KV cache ({time.monotonic() - t0:.0f} s); lowering to XNNPACK...")
    meta = metadata_methods(max_seq_len=max_seq_len, eos_ids=llm.eos_ids, bos_id=llm.bos_id, vocab_size=llm.vocab_size)
    with collect_why("executorch.backends.xnnpack") as why:
        edge = to_edge_transform_and_lower(
            program, partitioner=[XnnpackPartitioner()],
            compile_config=EdgeCompileConfig(_check_ir_validity=False, _skip_dim_order=True), constant_methods=meta)
    delegation = delegation_report(edge.exported_program().graph_module, why, "XNNPACK")
    et = edge.to_executorch(ExecutorchBackendConfig(extract_delegate_segments=True, do_quant_fusion_and_const_prop=True,
                                                    memory_planning_pass=MemoryPlanningPass(alloc_graph_input=False)))
    path.write_bytes(et.buffer)
    del q, program, edge
    notes = [f"KV cache: {kv_cache}, custom_sdpa; max_seq_len {max_seq_len}; prefill is one dynamic-length call"]
    notes += not_delegated_notes(delegation, "XNNPACK")[:8]
    if record is not None:
        record["kernels"] = {**record.get("kernels", {}), **_kernels(et)}
    log(f"xnnpack {recipe.name}: {path.name} {path.stat().st_size / 2**20:.1f} MiB in {time.monotonic() - t0:.0f} s")
    torch.cuda.empty_cache() if torch.cuda.is_available() else None
    return Artifact(path=path, target="xnnpack", runtime="executorch", backend="xnnpack", precision=recipe.name,
                    platforms=("android", "ios"), quantization=record, delegation=delegation, notes=notes,
                    build_seconds=round(time.monotonic() - t0, 1))


def _kernels(et) -> dict:
    """Operators outside the delegate and where their kernels live (llama:: ops ship in the apps' LLM runner libraries)."""
    from mobilekit.export.kernels import library_of, program_operators, python_operator_names

    ops = program_operators(et.executorch_program)
    have = python_operator_names()
    return {"operators": ops, "missing_in_python_runtime": [o for o in ops if o not in have],
            "libraries": sorted({library_of(o) for o in ops}),
            "llm_runner_ops": [o for o in ops if o.startswith("llama::")]}


class PteMethod:
    """The ``.pte``'s ``forward`` through the pybinding: logits for a window starting at any cache position."""

    def __init__(self, path: Path, threads: int | None = None):
        _runtime_imports()
        from executorch.runtime import Runtime

        self.program = Runtime.get().load_program(str(path))
        self.method = self.program.load_method("forward")
        self.max_seq_len = int(self.program.load_method("get_max_seq_len").execute([])[0])

    def logits(self, ids, start: int = 0) -> np.ndarray:
        import torch

        ids_t = torch.tensor([list(ids)], dtype=torch.long)
        pos = torch.arange(start, start + ids_t.shape[1], dtype=torch.long)
        out = self.method.execute((ids_t.contiguous(), pos.contiguous()))[0]
        return out[0].clone().numpy()  # outputs live in the method's planned memory: copy before the next call

    def greedy(self, prompt_ids, max_new_tokens: int, eos_ids) -> list[int]:
        """Greedy continuation: one prefill call, then one call per token (the runner's loop)."""
        logits = self.logits(prompt_ids, 0)
        pos = len(prompt_ids)
        out: list[int] = []
        token = int(logits[-1].argmax())
        while True:
            out.append(token)
            if token in eos_ids or len(out) >= max_new_tokens or pos + 1 >= self.max_seq_len:
                return out
            token = int(self.logits([token], pos)[-1].argmax())
            pos += 1


class TextRunner:
    """ExecuTorch's ``TextLLMRunner`` on the bundle's own ``.pte`` and ``tokenizer.json`` (what the apps run)."""

    def __init__(self, pte: Path, tokenizer: Path):
        _runtime_imports()
        from executorch.extension.llm.runner import TextLLMRunner

        try:
            self.runner = TextLLMRunner(str(pte), str(tokenizer))
        except RuntimeError as exc:
            raise TargetError(f"TextLLMRunner cannot load {pte.name} with {tokenizer.name}: {exc}") from exc

    def generate(self, prompt: str, max_new_tokens: int, seq_len: int) -> tuple[str, dict]:
        """Greedy text for ``prompt`` (already templated) and the runner's stats (ms timestamps, token counts)."""
        from executorch.extension.llm.runner import GenerationConfig

        pieces: list[str] = []
        stats: dict = {}

        def on_stats(s) -> None:
            stats.update(prompt_tokens=s.num_prompt_tokens, generated_tokens=s.num_generated_tokens,
                         inference_start_ms=s.inference_start_ms, prompt_eval_end_ms=s.prompt_eval_end_ms,
                         first_token_ms=s.first_token_ms, inference_end_ms=s.inference_end_ms)

        self.runner.reset() if hasattr(self.runner, "reset") else None
        cfg = GenerationConfig(echo=False, max_new_tokens=max_new_tokens, temperature=0.0, seq_len=seq_len)
        self.runner.generate(prompt, cfg, token_callback=pieces.append, stats_callback=on_stats)
        return "".join(pieces), stats


def speed(stats: dict, threads: int) -> dict:
    """Prefill and decode tokens per second and time to first token from TextLLMRunner's stats."""
    prefill_ms = max(stats["prompt_eval_end_ms"] - stats["inference_start_ms"], 1e-3)
    decode_ms = max(stats["inference_end_ms"] - stats["prompt_eval_end_ms"], 1e-3)
    generated = max(stats["generated_tokens"] - 1, 1)
    return {"prefill": round(stats["prompt_tokens"] / prefill_ms * 1000, 1),
            "decode": round(generated / decode_ms * 1000, 1),
            "ttft_ms": round(stats["first_token_ms"] - stats["inference_start_ms"], 1), "threads": threads}
