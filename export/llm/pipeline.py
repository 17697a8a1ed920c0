"""The LLM export, stage by stage: load -> tokenizer (fix + checks) -> held-out text -> FP32 reference ->
per target and recipe: (8-bit layer choice) -> build -> validate -> prompts.json -> manifest + validation.json.

:func:`export_llm_bundle` writes a complete bundle into an EMPTY folder the caller made (the lead's pipeline
makes it atomically) and returns ``(manifest, validation)``. Heavy artifacts (the lowered ``.pte``, the
8-bit layer choice) are cached on disk keyed by everything that produced them (:mod:`.cache`), so a second
export of the same model with the same code and pins is fast.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from mobilekit.export.errors import ExportError
from mobilekit.export.llm.config import LlmExportConfig, LlmTarget, WHY_NOT, target_precision

TOKENIZER_FILE = "tokenizer.json"
PROMPTS_FILE = "prompts.json"
VALIDATION_FILE = "validation.json"


class _Clock:
    def __init__(self, progress):
        self.t0 = time.monotonic()
        self.stages: dict[str, float] = {}
        self.progress = progress
        self._last = self.t0

    def log(self, message: str) -> None:
        self.progress(f"[{time.monotonic() - self.t0:6.1f} s] {message}")

    def stage(self, name: str) -> None:
        now = time.monotonic()
        self.stages[name] = round(now - self._last, 1)
        self._last = now


def export_llm_bundle(config: LlmExportConfig, bundle_dir: Path, progress=print) -> tuple[dict, dict]:
    """Export ``config.model`` into ``bundle_dir`` (empty): every artifact, tokenizer.json, prompts.json,
    manifest.json and validation.json. Returns the manifest and the validation document."""
    import torch

    from mobilekit.export.llm import cache, fidelity, prompts as prompts_mod, texts
    from mobilekit.export.llm.loading import load_llm
    from mobilekit.export.llm.texts import tokenizer_check_texts
    from mobilekit.export.llm.tokenizer import check_tokenizer, fix_tokenizer, gguf_metadata

    bundle_dir = Path(bundle_dir)
    if not bundle_dir.is_dir() or any(bundle_dir.iterdir()):
        raise ExportError(f"{bundle_dir} must be an existing, empty folder.", hint="The caller makes the bundle folder.")
    clock = _Clock(progress)
    torch.set_num_threads(config.threads)
    llm = load_llm(config.model, tokenizer=config.tokenizer, name=config.name)
    name = config.name or llm.name
    clock.log(f"loaded {name}: {llm.architecture}, {llm.parameters / 1e6:.1f}M parameters")
    clock.stage("load")

    # --- tokenizer ------------------------------------------------------------------------------------
    gguf_pre = None
    if llm.gguf_path is not None:
        gguf_pre = gguf_metadata(llm.gguf_path, ("tokenizer.ggml.pre",)).get("tokenizer.ggml.pre")
    fix = fix_tokenizer(llm.tokenizer_json, eos_ids=llm.eos_ids, gguf_pre=gguf_pre)
    tok_path = fix.write(bundle_dir / TOKENIZER_FILE)
    check_texts = tokenizer_check_texts()
    reference = _tokenizer_reference(llm, check_texts)
    tok_check = check_tokenizer(tok_path, check_texts, reference)
    if not tok_check.cpp_loads:
        raise ExportError(f"ExecuTorch's C++ tokenizer cannot load the fixed tokenizer.json: {tok_check.mismatches[:1]}")
    clock.log(f"tokenizer: {len(fix.changes)} fixes; C++ tokenizer matches {tok_check.cpp_matches}/{tok_check.texts} texts"
              + (f", {tok_check.reference} {tok_check.reference_matches}/{tok_check.texts}" if tok_check.reference else ""))
    from tokenizers import Tokenizer

    hf_tok = Tokenizer.from_file(str(tok_path))

    def encode(text: str) -> list[int]:
        ids = hf_tok.encode(text, add_special_tokens=False).ids
        return ([llm.bos_id] if llm.add_bos and llm.bos_id is not None else []) + ids

    def decode(ids) -> str:
        return hf_tok.decode(list(ids), skip_special_tokens=True)

    fmt = prompts_mod.prompt_format(llm.chat_template)
    smoke = llm.smoke or {"prompt": texts.CHAT_PROMPTS[0], "expect": None}
    prompts_mod.check_format(llm.chat_template, fmt, smoke["prompt"])
    clock.stage("tokenizer")

    # --- held-out text and the FP32 reference --------------------------------------------------------
    split = texts.held_out_texts()
    budget = config.budget
    window = min(budget.chunk_tokens, config.max_seq_len - 1)
    eval_windows = texts.windows([encode(t) for t in split.evaluation], window, budget.eval_tokens)
    tuning_windows = texts.windows([encode(t) for t in split.tuning], window, budget.tuning_tokens)
    ref = fidelity.reference_from_model(llm.model, eval_windows)
    for text in texts.CONTINUATION_PROMPTS[: budget.greedy_prompts]:
        ids = encode(text)
        ref.greedy.append({"text": text, "prompt_ids": ids,
                           "tokens": fidelity.greedy_eager(llm.model, ids, budget.greedy_tokens, llm.eos_ids)})
    chat_rendered = prompts_mod.render_chat(fmt, smoke["prompt"])
    chat_ids = encode(chat_rendered)
    chat_tokens = fidelity.greedy_eager(llm.model, chat_ids, 32, llm.eos_ids)
    ref.chat = {"prompt": smoke["prompt"], "rendered": chat_rendered, "ids": chat_ids, "tokens": chat_tokens,
                "answer": decode(chat_tokens)}
    clock.log(f"FP32 reference: {ref.predicted} held-out tokens, perplexity {ref.perplexity:.2f}; "
              f"chat answer {ref.chat['answer']!r}")
    clock.stage("reference")

    from mobilekit.export.llm.quantize import size_cap_bytes, weight_bytes_fp32

    fp32_bytes = weight_bytes_fp32(llm.model)
    fingerprint = cache.model_fingerprint(llm)
    records: list[dict] = []
    failures: list[dict] = []
    expected: dict[str, list[dict]] = {}  # artifact file -> per benchmark prompt greedy output
    bench = prompts_mod.benchmark_prompts(split.evaluation, encode, fmt,
                                         limit=config.max_seq_len - min(config.max_new_tokens, 48) - 1)
    validation_doc: dict = {"schema": "mobilekit.llm-validation/1", "model": name, "floors": config.floors.to_json(),
                            "budget": budget.to_json(), "fp32": {"perplexity": round(ref.perplexity, 4), "tokens": ref.predicted,
                                                                 "weights_bytes": fp32_bytes, "chat_answer": ref.chat["answer"]},
                            "tokenizer": {"fixes": fix.changes, "check": tok_check.to_json()},
                            "texts": split.sources, "artifacts": [], "not_built": []}

    for target in config.targets:
        for recipe in config.recipes:
            precision = target_precision(target, recipe)
            if precision is None:
                validation_doc["not_built"].append({"target": target.value, "recipe": recipe.name,
                                                    "why": WHY_NOT.get((target, recipe.name), "not expressible")})
                continue
            if target is not LlmTarget.XNNPACK and recipe is not config.default_recipe:
                continue  # the other formats ship the default recipe only
            try:
                rec, val, exp = _build_and_judge(target, recipe, precision, llm, config, name, bundle_dir, tok_path,
                                                 ref, tuning_windows, fp32_bytes, fingerprint, bench, encode, decode,
                                                 fmt, smoke, clock)
            except ExportError:
                raise
            except Exception as exc:  # one artifact failing does not lose the others
                clock.log(f"{target.value} {recipe.name}: FAILED: {type(exc).__name__}: {exc}")
                failures.append({"target": target.value, "precision": precision,
                                 "error": f"{type(exc).__name__}: {str(exc)[:500]}", "hint": getattr(exc, "hint", None)})
                continue
            records.append(rec)
            validation_doc["artifacts"].append(val)
            if exp:
                expected[rec["file"]] = exp
            clock.stage(f"{target.value}:{precision}")

    for p in bench:
        p["expected"] = [{k: v for k, v in e.items() if k != "prompt_id"}
                         for per in expected.values() for e in per if e["prompt_id"] == p["id"]]
    prompts_mod.write_prompts(bundle_dir / PROMPTS_FILE, bench, config.max_new_tokens)

    from mobilekit.export.llm.kv_cache import CacheShape

    shape = CacheShape.of(llm.model.config, config.max_seq_len)
    manifest = _manifest(llm, name, config, records, failures, fmt, shape, tok_check, smoke)
    validation_doc["timings_s"] = dict(clock.stages)
    validation_doc["total_seconds"] = round(time.monotonic() - clock.t0, 1)
    (bundle_dir / VALIDATION_FILE).write_text(json.dumps(validation_doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    from mobilekit.export.manifest import write_manifest

    write_manifest(bundle_dir, manifest)
    clock.log(f"bundle written: {bundle_dir} ({len(records)} artifacts, {len(failures)} failed)")
    return manifest, validation_doc


def _tokenizer_reference(llm, check_texts):
    """llama.cpp's ids for the check texts: live when llama-cpp-python is importable, else the committed goldens."""
    if llm.gguf_path is None:
        return None
    from mobilekit.export.llm import goldens

    return goldens.reference_ids(llm.gguf_path, check_texts)


def _build_and_judge(target, recipe, precision, llm, config, name, bundle_dir, tok_path, ref, tuning_windows,
                     fp32_bytes, fingerprint, bench, encode, decode, fmt, smoke, clock):
    from mobilekit.export.llm import cache, fidelity
    from mobilekit.export.manifest import artifact_record

    if target is LlmTarget.XNNPACK:
        from mobilekit.export.llm import xnnpack
        from mobilekit.export.llm.quantize import choose_int8_layers, size_cap_bytes

        int8_layers: tuple[str, ...] = ()
        search_record = None
        if recipe.name == "8da4w":
            if recipe.int8_layers == "auto":
                key = cache.key("int8_layers", fingerprint, recipe.to_json(), config.budget.to_json(), tuning_windows)

                def search():
                    import torch

                    with torch.no_grad():
                        tuning_ref = [llm.model(torch.tensor([w])).logits[0] for w in tuning_windows]
                    cap = size_cap_bytes(llm.model) - _estimate_4bit_bytes(llm.model)
                    choice = choose_int8_layers(llm.model, recipe, [torch.tensor([w]) for w in tuning_windows], tuning_ref,
                                                target_agreement=config.budget.search_target_agreement,
                                                seconds=config.budget.search_seconds, max_extra_bytes=max(cap, 0),
                                                log=clock.log)
                    return {"int8_layers": list(choice.int8_layers), "record": choice.record}

                found = cache.json_cached(key, search)
                int8_layers, search_record = tuple(found["int8_layers"]), found["record"]
            else:
                int8_layers = tuple(recipe.int8_layers)
        path = bundle_dir / f"{name}.xnnpack.{precision}.pte"
        key = cache.key("pte", fingerprint, recipe.to_json(), list(int8_layers), config.max_seq_len, config.kv_cache.value,
                        llm.eos_ids, llm.bos_id)
        art = cache.artifact_cached(key, path, lambda p: xnnpack.build_pte(llm, recipe, int8_layers, p, max_seq_len=config.max_seq_len,
                                                                             kv_cache=config.kv_cache.value, log=clock.log))
        if art.quantization is not None and search_record is not None:
            art.quantization["mixed_precision"] = search_record
        validation, expected, extra = _judge_pte(art, llm, config, tok_path, ref, bench, decode, smoke, fp32_bytes, clock)
        return artifact_record(art, validation), {"file": path.name, **extra, **validation}, expected
    if target is LlmTarget.ORT_GENAI:
        from mobilekit.export.llm import ort_genai

        return ort_genai.build_and_judge(llm, recipe, precision, config, name, bundle_dir, tok_path, ref, bench, decode, fmt,
                                         smoke, fingerprint, clock)
    if target is LlmTarget.COREML:
        from mobilekit.export.llm import coreml

        return coreml.build_and_judge(llm, recipe, precision, config, name, bundle_dir, fingerprint, clock)
    raise ValueError(target)


def _estimate_4bit_bytes(model) -> int:
    """Bytes of an 8da4w artifact before any layer moves to 8 bits: 4.5 bits per linear weight, INT8 embeddings."""
    import torch

    total = 0
    seen = set()
    for m in model.modules():
        if isinstance(m, torch.nn.Linear) and id(m.weight) not in seen:
            seen.add(id(m.weight))
            total += m.weight.numel() * 9 // 16 + m.weight.numel() // 32  # int4 + bf16 scale per 32 + offsets
        elif isinstance(m, torch.nn.Embedding):
            total += m.weight.numel() + m.weight.numel() // 8
    return total


def _judge_pte(art, llm, config, tok_path, ref, bench, decode, smoke, fp32_bytes, clock):
    from mobilekit.export.llm import fidelity, xnnpack
    from mobilekit.export.manifest import size_bytes

    method = xnnpack.PteMethod(art.path)
    runner = xnnpack.TextRunner(art.path, tok_path)
    def chat():
        return runner.generate(ref.chat["rendered"], 32, config.max_seq_len)[0]

    f = fidelity.judge(lambda w: method.logits(w, 0), lambda ids, n: method.greedy(ids, n, set(llm.eos_ids)), ref,
                       chat_fn=chat, smoke_expect=smoke.get("expect"))
    status, reason = fidelity.gate(f, config.floors, smoke if smoke.get("expect") else None)
    size = size_bytes(art.path)
    notes = list(art.notes)
    ratio = size / fp32_bytes
    notes.append(f"{size / 2**20:.1f} MiB = {ratio:.3f}x the FP32 weights ({fp32_bytes / 2**20:.0f} MiB)")
    if art.precision == "8da4w" and ratio > 0.25:
        notes.append("larger than 0.25x the FP32 weights: more layers at 8 bits than a 4-bit recipe should need")
    # host speed on the ~128-token benchmark prompt (this host's, never a phone's)
    long = bench[1] if len(bench) > 1 else bench[0]
    _, stats = runner.generate(long["rendered"], 64, config.max_seq_len)
    speed = xnnpack.speed(stats, config.threads)
    validation = {"status": status, "reason": reason, **f.to_validation(), "host_tokens_per_s": speed, "notes": notes}
    clock.log(f"xnnpack {art.precision}: {status}: agreement {f.token_agreement:.4f} {tuple(round(c, 4) for c in f.ci95)} "
              f"on {f.tokens} tokens, ppl ratio {f.ppl_ratio:.4f}, greedy {f.greedy_match}, chat {f.chat_answer!r}; "
              f"{speed['prefill']} / {speed['decode']} tok/s")
    expected = []
    for p in bench:
        n = min(config.max_new_tokens, 48)
        text, _ = runner.generate(p["rendered"], n, config.max_seq_len)
        ids = method.greedy(encode_ids(tok_path, p["rendered"], llm), n, set(llm.eos_ids))
        expected.append({"prompt_id": p["id"], "file": art.path.name, "max_new_tokens": n, "token_ids": ids,
                         "text": text, "stop_reason": "eos" if ids and ids[-1] in llm.eos_ids else "max_tokens",
                         "runtime": "executorch TextLLMRunner (text), pybinding Method (token_ids)"})
    extra = {"greedy": f.greedy, "bytes": size, "fp32_weights_ratio": round(ratio, 4), "build_seconds": art.build_seconds,
             "quantization": art.quantization, "delegation": art.delegation}
    return validation, expected, extra


def encode_ids(tok_path: Path, text: str, llm) -> list[int]:
    from tokenizers import Tokenizer

    ids = Tokenizer.from_file(str(tok_path)).encode(text, add_special_tokens=False).ids
    return ([llm.bos_id] if llm.add_bos and llm.bos_id is not None else []) + ids


def _manifest(llm, name, config, records, failures, fmt, shape, tok_check, smoke) -> dict:
    import torch
    from importlib.metadata import version

    from mobilekit import __version__
    from mobilekit.export.manifest import check

    doc = {
        "schema": "mobilekit.manifest/1",
        "name": name,
        "created_utc": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "source": {**{k: v for k, v in llm.source.items() if k in ("model", "trained", "weights", "description")},
                   "torch": torch.__version__.split("+")[0], "executorch": version("executorch"), "mobilekit": __version__},
        "inputs": [{"name": "input_ids", "dtype": "int64", "shape": [1, -1], "layout": "ANY", "role": "input_ids"},
                   {"name": "cache_position", "dtype": "int64", "shape": [-1], "layout": "ANY", "role": "cache_position"}],
        "outputs": [{"name": "logits", "dtype": "float32", "shape": [1, -1, llm.vocab_size], "postprocess": {"kind": "logits"}}],
        "labels": None,
        "artifacts": records,
        "failures": failures,
        "validation": VALIDATION_FILE,
        "report": None,
        "tokenizer": None,
        "llm": {
            "architecture": llm.architecture,
            "parameters": llm.parameters,
            "tokenizer": {"file": TOKENIZER_FILE, "kind": "hf_bpe", "add_bos": bool(llm.add_bos),
                          "checked_against": (f"{tok_check.reference}: {tok_check.reference_matches}/{tok_check.texts} texts identical"
                                              if tok_check.reference else None)},
            "chat_template": llm.chat_template,
            "prompt_format": fmt,
            "bos_id": llm.bos_id,
            "eos_ids": list(llm.eos_ids),
            "pad_id": llm.pad_id,
            "vocab_size": llm.vocab_size,
            "max_seq_len": config.max_seq_len,
            "max_context_len": config.max_seq_len,
            "kv_cache": shape.to_json(),
            "recipe": config.default_recipe.name,
            "prompts": PROMPTS_FILE,
            "smoke": {"prompt": smoke["prompt"], "expect": smoke["expect"]} if smoke.get("expect") else None,
        },
    }
    check(doc)
    return doc
