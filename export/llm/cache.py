"""An on-disk cache for the LLM export's expensive products (a lowered ``.pte``, the 8-bit layer choice, an ORT
GenAI folder, a Core ML package), keyed by everything that produced them: the model's weights, the recipe, the
settings, the source of ``export/llm/`` and the pinned package versions. A changed input is a different key;
nothing is ever looked up by name alone.

``MOBILEKIT_LLM_CACHE`` sets the folder (default ``~/.cache/mobilekit/llm``); ``off`` disables it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import lru_cache
from pathlib import Path

PINS = ("torch", "executorch", "torchao", "transformers", "onnxruntime-genai", "coremltools", "tokenizers")


def root() -> Path | None:
    value = os.environ.get("MOBILEKIT_LLM_CACHE", str(Path.home() / ".cache" / "mobilekit" / "llm"))
    if value.lower() in ("off", "0", "none", ""):
        return None
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


# The source files each kind of product depends on (an edit to one of them, or an upgrade, is a new key).
SOURCES = {
    "pte": ("quantize.py", "kv_cache.py", "xnnpack.py"),
    "int8_layers": ("quantize.py",),  # the tuning token ids themselves are part of the key
    "ort_genai": ("ort_genai.py", "tokenizer.py", "loading.py"),
    "coreml": ("coreml.py", "quantize.py"),
}


@lru_cache(maxsize=8)
def code_version(kind: str) -> str:
    """sha256 of the source files ``kind`` depends on and the pinned versions."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    names = SOURCES.get(kind)
    files = [Path(__file__).parent / n for n in names] if names else sorted(Path(__file__).parent.glob("*.py"))
    for f in files:
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    for pkg in PINS:
        try:
            h.update(f"{pkg}={version(pkg)}".encode())
        except PackageNotFoundError:
            h.update(f"{pkg}=none".encode())
    return h.hexdigest()


def model_fingerprint(llm) -> str:
    """sha256 of the model's weights (the GGUF file itself when it came from one) and its config."""
    h = hashlib.sha256()
    if llm.gguf_path is not None:
        with open(llm.gguf_path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
    else:
        for name, tensor in sorted(llm.model.state_dict().items()):
            h.update(name.encode())
            h.update(tensor.detach().contiguous().cpu().numpy().tobytes())
    h.update(llm.model.config.to_json_string(use_diff=False).encode())
    return h.hexdigest()


def key(kind: str, *parts) -> str:
    h = hashlib.sha256(kind.encode())
    h.update(code_version(kind).encode())
    h.update(json.dumps(parts, sort_keys=True, default=str).encode())
    return f"{kind}-{h.hexdigest()[:32]}"


def json_cached(k: str, make):
    base = root()
    path = base / f"{k}.json" if base else None
    if path is not None and path.is_file():
        return json.loads(path.read_text())
    value = make()
    if path is not None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(value))
        tmp.replace(path)
    return value


def artifact_cached(k: str, dest: Path, build):
    """``build(dest) -> Artifact``; a cached copy (file or folder) with its Artifact record is reused."""
    import pickle

    base = root()
    if base is None:
        return build(dest)
    stored = base / k
    meta = base / f"{k}.artifact.pkl"
    if stored.exists() and meta.is_file():
        art = pickle.loads(meta.read_bytes())
        _copy(stored, dest)
        art.path = dest
        art.notes = list(art.notes) + ["reused from the export cache (same weights, recipe, code and pins)"]
        return art
    art = build(dest)
    tmp = base / f"{k}.partial"
    if tmp.exists():
        shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
    _copy(dest, tmp)
    tmp.replace(stored) if not stored.exists() else None
    keep = art.host_proxy
    art.host_proxy = None
    meta.write_bytes(pickle.dumps(art))
    art.host_proxy = keep
    return art


def _copy(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dest)
    else:
        shutil.copyfile(src, dest)
