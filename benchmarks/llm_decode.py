"""Host LLM speed beside the peer, in one run: the bundle's ExecuTorch .pte, its ONNX Runtime GenAI folder and
llama.cpp (llama-cpp-python on the same GGUF) at the same thread count.

    bash scripts/venv.sh python benchmarks/llm_decode.py out/smollm2 --threads 2

Per engine: prefill tok/s for a ~128-token prompt (the bundle's ``chat-128`` prompt), decode tok/s over 128
new tokens (greedy, EOS ignored so every engine decodes the same count), time to first token, peak RSS of the
engine's own process (and the part added by loading the model), file size; then each ratio to llama.cpp.
Every engine runs in its own child process (clean RSS, no shared threads); llama.cpp's lives in the separate
environment ``benchmarks/llama_cpp_env.sh`` builds (it is not in the pinned requirements). These are this
host's figures (x86), never a phone's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker_pte(path: str, ids: list[int], new: int, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    import executorch.extension.llm.custom_ops.custom_ops  # noqa: F401
    import executorch.kernels.quantized  # noqa: F401
    from executorch.runtime import Runtime

    base = _current_rss_mb()
    method = Runtime.get().load_program(path).load_method("forward")
    warm = method.execute((torch.tensor([ids[:8]]), torch.arange(8)))[0]  # noqa: F841  (first-call setup)
    t0 = time.perf_counter()
    logits = method.execute((torch.tensor([ids]), torch.arange(len(ids))))[0]
    tok = int(logits[0, -1].argmax())
    t1 = time.perf_counter()
    pos = len(ids)
    for _ in range(new - 1):
        tok = int(method.execute((torch.tensor([[tok]]), torch.tensor([pos])))[0][0, -1].argmax())
        pos += 1
    t2 = time.perf_counter()
    return {"prompt_tokens": len(ids), "new_tokens": new, "prefill_s": t1 - t0, "decode_s": t2 - t1,
            "peak_rss_mb": _rss_mb(), "model_rss_mb": _current_rss_mb() - base}


def worker_ort(folder: str, ids: list[int], new: int, threads: int) -> dict:
    import onnxruntime_genai as og

    base = _current_rss_mb()
    config = og.Config(folder)
    config.overlay(json.dumps({"model": {"decoder": {"session_options": {"intra_op_num_threads": threads}}}}))
    model = og.Model(config)

    def run(prompt, n):
        params = og.GeneratorParams(model)
        params.set_search_options(max_length=len(prompt) + n, min_length=len(prompt) + n, do_sample=False)
        gen = og.Generator(model, params)
        t0 = time.perf_counter()
        gen.append_tokens(prompt)
        gen.generate_next_token()
        t1 = time.perf_counter()
        k = 1
        while not gen.is_done() and k < n:
            gen.generate_next_token()
            k += 1
        return t1 - t0, time.perf_counter() - t1, k

    run(ids[:8], 2)  # warm-up
    prefill, decode, k = run(ids, new)
    return {"prompt_tokens": len(ids), "new_tokens": k, "prefill_s": prefill, "decode_s": decode,
            "peak_rss_mb": _rss_mb(), "model_rss_mb": _current_rss_mb() - base}


def worker_llamacpp(gguf: str, text: str, new: int, threads: int) -> dict:
    import llama_cpp

    base = _current_rss_mb()
    llm = llama_cpp.Llama(model_path=gguf, n_ctx=512, n_threads=threads, n_threads_batch=threads, n_batch=512,
                          verbose=False, logits_all=False)
    ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
    llm.eval(ids[:8])  # warm-up
    llm.reset()
    t0 = time.perf_counter()
    llm.eval(ids)
    import numpy as np

    tok = int(np.argmax(llm.scores[llm.n_tokens - 1]))
    t1 = time.perf_counter()
    for _ in range(new - 1):
        llm.eval([tok])
        tok = int(np.argmax(llm.scores[llm.n_tokens - 1]))
    t2 = time.perf_counter()
    return {"prompt_tokens": len(ids), "new_tokens": new, "prefill_s": t1 - t0, "decode_s": t2 - t1,
            "peak_rss_mb": _rss_mb(), "model_rss_mb": _current_rss_mb() - base,
            "llama_cpp_python": llama_cpp.__version__}


def _child(python: str, engine: str, target: str, payload: dict, threads: int) -> dict:
    cmd = [python, str(Path(__file__).resolve()), "--worker", engine, "--target", target, "--threads", str(threads)]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    proc = subprocess.run(cmd, input=json.dumps(payload), capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("bundle", nargs="?")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--gguf", help="the GGUF llama.cpp runs (default: the smollm2 built-in's)")
    ap.add_argument("--worker", choices=("pte", "ort", "llamacpp"))
    ap.add_argument("--target")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.worker:
        payload = json.loads(sys.stdin.read())
        fn = {"pte": worker_pte, "ort": worker_ort, "llamacpp": worker_llamacpp}[args.worker]
        first = payload["text"] if args.worker == "llamacpp" else payload["ids"]
        print(json.dumps(fn(args.target, first, payload["new"], args.threads)))
        return 0

    bundle = Path(args.bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    prompts = json.loads((bundle / "prompts.json").read_text())["prompts"]
    prompt = next((p for p in prompts if p["id"] == "chat-128"), prompts[-1])
    from tokenizers import Tokenizer

    ids = Tokenizer.from_file(str(bundle / manifest["llm"]["tokenizer"]["file"])).encode(prompt["rendered"], add_special_tokens=False).ids
    payload = {"ids": ids, "text": prompt["rendered"], "new": args.new_tokens}
    rows = []
    for art in manifest["artifacts"]:
        engine = {"executorch": "pte", "onnxruntime_genai": "ort"}.get(art["runtime"])
        if engine is None:
            continue
        res = _child(sys.executable, engine, str(bundle / art["file"]), payload, args.threads)
        rows.append({"engine": f"{art['runtime']} {art['precision']}", "file": art["file"], "bytes": _size(bundle / art["file"]), **res})
    gguf = args.gguf
    if gguf is None:
        from mobilekit.export.models.smollm2 import gguf_path

        gguf = str(gguf_path())
    env = subprocess.run(["bash", str(HERE / "llama_cpp_env.sh"), "--path"], capture_output=True, text=True)
    if env.returncode != 0:
        rows.append({"engine": "llama.cpp", "file": Path(gguf).name, "bytes": Path(gguf).stat().st_size,
                     "error": f"llama-cpp-python could not be built: {env.stderr.strip()[-400:]}"})
    else:
        res = _child(env.stdout.strip(), "llamacpp", gguf, payload, args.threads)
        rows.append({"engine": f"llama.cpp {res.get('llama_cpp_python', '')} (GGUF Q4_1)".strip(), "file": Path(gguf).name,
                     "bytes": Path(gguf).stat().st_size, **res})
    for r in rows:
        if "error" in r:
            continue
        r["prefill_tok_s"] = r["prompt_tokens"] / r["prefill_s"]
        r["decode_tok_s"] = (r["new_tokens"] - 1) / r["decode_s"]
        r["ttft_ms"] = r["prefill_s"] * 1000
    peer = next((r for r in rows if r["engine"].startswith("llama.cpp") and "error" not in r), None)
    if args.json:
        print(json.dumps({"threads": args.threads, "rows": rows}, indent=1))
        return 0
    print(f"host: {os.cpu_count()} cores, threads={args.threads}; prompt {prompt['id']} ({len(ids)} tokens), "
          f"{args.new_tokens} new tokens (greedy, EOS ignored). This host's figures, not a phone's.")
    head = f"{'engine':38s} {'prefill tok/s':>13s} {'decode tok/s':>12s} {'TTFT ms':>8s} {'peak RSS MiB':>12s} {'model RSS':>9s} {'MiB':>7s}  ratios to llama.cpp (prefill, decode, TTFT, RSS, size)"
    print(head)
    for r in rows:
        if "error" in r:
            print(f"{r['engine']:38s} ERROR: {r['error']}")
            continue
        ratio = ""
        if peer is not None and r is not peer:
            ratio = (f"{r['prefill_tok_s'] / peer['prefill_tok_s']:.2f}x, {r['decode_tok_s'] / peer['decode_tok_s']:.2f}x, "
                     f"{r['ttft_ms'] / peer['ttft_ms']:.2f}x, {r['peak_rss_mb'] / peer['peak_rss_mb']:.2f}x, {r['bytes'] / peer['bytes']:.2f}x")
        print(f"{r['engine']:38s} {r['prefill_tok_s']:13.1f} {r['decode_tok_s']:12.1f} {r['ttft_ms']:8.1f} "
              f"{r['peak_rss_mb']:12.0f} {r['model_rss_mb']:9.0f} {r['bytes'] / 2**20:7.1f}  {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
