"""llama.cpp's own token ids for a GGUF file: the reference the shipped ``tokenizer.json`` is tested against.

llama-cpp-python is not in the pinned environment (it builds llama.cpp from source): when it is importable
the ids come from it live; otherwise from the committed golden file for the built-in GGUF
(``tests/llm/data/smollm2_llama_cpp_ids.json``, written by ``benchmarks/llama_cpp_goldens.py`` inside
``benchmarks/llama_cpp_env.sh``), used only when its GGUF sha256 and texts match exactly.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

GOLDEN_FILE = Path(__file__).resolve().parents[2] / "tests" / "llm" / "data" / "smollm2_llama_cpp_ids.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def llama_cpp_ids(gguf: Path, texts: list[str]) -> tuple[str, list[list[int]]]:
    """Tokenize with llama.cpp (vocab only, no special-token parsing beyond llama.cpp's default, no BOS)."""
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(gguf), vocab_only=True, verbose=False)
    ids = [llm.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in texts]
    return f"llama.cpp (llama-cpp-python {llama_cpp.__version__})", ids


def reference_ids(gguf: Path, texts: list[str]) -> tuple[str, list[list[int]]] | None:
    try:
        return llama_cpp_ids(gguf, texts)
    except ImportError:
        pass
    if not GOLDEN_FILE.is_file():
        return None
    data = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    if data.get("texts") != texts or data.get("gguf_sha256") != sha256_file(gguf):
        return None
    return f"llama.cpp (llama-cpp-python {data['llama_cpp_python']}, golden ids)", data["ids"]
