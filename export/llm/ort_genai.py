"""The ONNX Runtime GenAI target: a model folder built by onnxruntime-genai's own model builder
(``python -m onnxruntime_genai.models.builder -i <FP32 HF folder> -o <dir> -p int4 -e cpu``, block 32,
accuracy level 4 = INT8 activations in MatMulNBits), checked by generating with onnxruntime-genai here.

The builder reads an FP16/FP32 Hugging Face folder, so the loaded FP32 model is saved with ``save_pretrained``
into a temporary folder together with the *fixed* tokenizer; the folder's tokenizer.json is the bundle's.
The builder runs in a child process (it loads the model again; the parent's memory is not doubled).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mobilekit.export.targets.base import Artifact, TargetError

BUILDER_PRECISION = {"8da4w": "int4", "fp32": "fp32", "int8dyn": "int8"}


def _hf_folder(llm, tok_path: Path, folder: Path) -> None:
    from mobilekit.export.llm.tokenizer import tokenizer_config

    llm.model.save_pretrained(folder)
    data = json.loads(tok_path.read_text(encoding="utf-8"))
    shutil.copyfile(tok_path, folder / "tokenizer.json")
    cfg = tokenizer_config(data, bos_id=llm.bos_id, eos_ids=llm.eos_ids, pad_id=llm.pad_id,
                           chat_template=llm.chat_template, add_bos=llm.add_bos)
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg, indent=1), encoding="utf-8")


def build_folder(llm, recipe, tok_path: Path, out: Path, *, max_seq_len: int, log=lambda m: None) -> Artifact:
    precision = BUILDER_PRECISION[recipe.name]
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mobilekit-ortgenai-") as tmp:
        hf = Path(tmp) / "hf"
        _hf_folder(llm, tok_path, hf)
        extra = []
        if precision in ("int4", "int8"):
            extra = ["--extra_options", "accuracy_level=4", f"block_size={recipe.group_size}"]
        cmd = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf), "-o", str(out), "-p", precision,
               "-e", "cpu", "-c", str(Path(tmp) / "cache"), *extra]
        log(f"ort_genai {recipe.name}: onnxruntime-genai model builder -p {precision} ...")
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        if proc.returncode != 0:
            raise TargetError(f"onnxruntime-genai's model builder failed: {(proc.stderr or proc.stdout)[-800:]}")
    shutil.copyfile(tok_path, out / "tokenizer.json")  # the bundle's fixed tokenizer, byte for byte
    cfg_path = out / "genai_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg.setdefault("search", {})["max_length"] = max_seq_len
    cfg["model"]["eos_token_id"] = llm.eos_ids if len(llm.eos_ids) > 1 else llm.eos_ids[0]
    cfg_path.write_text(json.dumps(cfg, indent=4))
    quant = None
    if precision in ("int4", "int8"):
        quant = {"mode": "dynamic", "scheme": f"w{4 if precision == 'int4' else 8}a8-dynamic", "granularity": "per_block",
                 "group_size": recipe.group_size, "symmetric": True,
                 "engine": f"onnxruntime-genai model builder -p {precision} (MatMulNBits, block {recipe.group_size}, accuracy_level 4)"}
    files = sorted(p.name for p in out.iterdir())
    return Artifact(path=out, target="ort_genai", runtime="onnxruntime_genai", backend="cpu", precision=recipe.name,
                    platforms=("android", "ios"), quantization=quant,
                    notes=[f"onnxruntime-genai builder -p {precision}; files: {', '.join(files)}"],
                    build_seconds=round(time.monotonic() - t0, 1))


class GenaiRunner:
    """onnxruntime-genai on the folder: teacher-forced logits of a window, greedy tokens, timed generation."""

    def __init__(self, folder: Path, threads: int):
        import onnxruntime_genai as og

        self.og = og
        config = og.Config(str(folder))
        try:
            config.overlay(json.dumps({"model": {"decoder": {"session_options": {"intra_op_num_threads": threads}}}}))
        except Exception:  # older builds without overlay: the folder's own settings
            pass
        self.model = og.Model(config)

    def _generator(self, max_length: int):
        params = self.og.GeneratorParams(self.model)
        params.set_search_options(max_length=max_length, do_sample=False)
        return self.og.Generator(self.model, params)

    def logits(self, ids) -> "np.ndarray":
        import numpy as np

        gen = self._generator(len(ids) + 1)
        gen.append_tokens(list(ids))
        out = np.asarray(gen.get_output("logits"))
        return out.reshape(-1, out.shape[-1])[-len(ids):]

    def greedy(self, ids, max_new_tokens: int, eos_ids) -> list[int]:
        gen = self._generator(len(ids) + max_new_tokens)
        gen.append_tokens(list(ids))
        out: list[int] = []
        while not gen.is_done() and len(out) < max_new_tokens:
            gen.generate_next_token()
            tok = int(gen.get_next_tokens()[0])
            out.append(tok)
            if tok in eos_ids:
                break
        return out

    def timed(self, ids, max_new_tokens: int) -> dict:
        gen = self._generator(len(ids) + max_new_tokens)
        t0 = time.perf_counter()
        gen.append_tokens(list(ids))
        gen.generate_next_token()
        t1 = time.perf_counter()
        n = 1
        while not gen.is_done() and n < max_new_tokens:
            gen.generate_next_token()
            n += 1
        t2 = time.perf_counter()
        return {"prompt_tokens": len(ids), "generated": n, "prefill_s": t1 - t0, "decode_s": t2 - t1}


def build_and_judge(llm, recipe, precision, config, name, bundle_dir, tok_path, ref, bench, decode, fmt, smoke, fingerprint, clock):
    from mobilekit.export.llm import cache, fidelity
    from mobilekit.export.manifest import artifact_record, size_bytes

    out = bundle_dir / f"{name}.ort-genai.{precision}"
    key = cache.key("ort_genai", fingerprint, recipe.to_json(), config.max_seq_len, llm.eos_ids,
                    json.loads(tok_path.read_text(encoding="utf-8")))
    art = cache.artifact_cached(key, out, lambda p: build_folder(llm, recipe, tok_path, p, max_seq_len=config.max_seq_len,
                                                                   log=clock.log))
    runner = GenaiRunner(out, config.threads)
    eos = set(llm.eos_ids)
    f = fidelity.judge(runner.logits, lambda ids, n: runner.greedy(ids, n, eos), ref,
                       chat_fn=lambda: decode(runner.greedy(ref.chat["ids"], 32, eos)), smoke_expect=smoke.get("expect"))
    status, reason = fidelity.gate(f, config.floors, smoke if smoke.get("expect") else None)
    long = bench[1] if len(bench) > 1 else bench[0]
    from mobilekit.export.llm.pipeline import encode_ids

    t = runner.timed(encode_ids(tok_path, long["rendered"], llm), 64)
    speed = {"prefill": round(t["prompt_tokens"] / t["prefill_s"], 1), "decode": round((t["generated"] - 1) / max(t["decode_s"], 1e-6), 1),
             "ttft_ms": round(t["prefill_s"] * 1000, 1), "threads": config.threads}
    size = size_bytes(out)
    notes = list(art.notes) + [f"{size / 2**20:.1f} MiB"]
    validation = {"status": status, "reason": reason, **f.to_validation(), "host_tokens_per_s": speed, "notes": notes}
    clock.log(f"ort_genai {precision}: {status}: agreement {f.token_agreement:.4f} on {f.tokens} tokens, ppl ratio "
              f"{f.ppl_ratio:.4f}, chat {f.chat_answer!r}; {speed['prefill']} / {speed['decode']} tok/s")
    expected = []
    for p in bench:
        n = min(config.max_new_tokens, 48)
        ids = runner.greedy(encode_ids(tok_path, p["rendered"], llm), n, eos)
        expected.append({"prompt_id": p["id"], "file": out.name, "max_new_tokens": n, "token_ids": ids, "text": decode(ids),
                         "stop_reason": "eos" if ids and ids[-1] in eos else "max_tokens", "runtime": "onnxruntime-genai"})
    extra = {"greedy": f.greedy, "bytes": size, "build_seconds": art.build_seconds, "quantization": art.quantization}
    return artifact_record(art, validation), {"file": out.name, **extra, **validation}, expected
