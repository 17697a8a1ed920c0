"""The bundle's ``tokenizer.json``: fixed so every runtime tokenizes and streams like the model's source, and checked.

Fixes (each recorded in the manifest's notes):

- **normalizer**: an empty ``Sequence`` (what transformers' GGUF converter writes) is refused by ExecuTorch's
  C++ tokenizer ("Missing normalizers"): it becomes ``null``, which means the same;
- **decoder**: a ``Strip`` step removes the first character of *every* decoded piece; a streaming runner
  decodes token by token, so each streamed token loses its leading space: it is dropped;
- **pre-tokenizer**: llama.cpp splits every digit on its own before the GPT-2 pattern for the GGUF
  pre-tokenizer types listed in :data:`DIGIT_SPLIT_PRE` (SmolLM2's ``smollm``); the converter forgets it, so
  ``Digits(individual_digits)`` is put back in front of the byte-level step;
- **special tokens**: the EOS ids (from ``config.eos_token_id``, never the converted tokenizer's guess) are
  marked special, so no runtime splits them into characters.

Checks: ExecuTorch's C++ tokenizer (``pytorch_tokenizers``) loads the file and encodes real texts exactly
like the ``tokenizers`` library; token-by-token decoding concatenates to the whole text; and, for a GGUF
source, the ids equal llama.cpp's own tokenization of the same GGUF (committed golden ids for the built-in,
llama-cpp-python itself when it is installed).
"""

from __future__ import annotations

import copy
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

# llama.cpp pre-tokenizer types whose first regex is "\p{N}" (one digit per piece), from llama-vocab.cpp.
DIGIT_SPLIT_PRE = frozenset({"smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva"})
# tokenizers' Digits(individual_digits) splits on Unicode numerics like llama.cpp's \p{N}; ExecuTorch's C++ tokenizer
# implements Digits correctly but its Split(..., "Isolated") keeps only the matches (every other character is lost).
DIGIT_SPLIT = {"type": "Digits", "individual_digits": True}


@dataclass
class TokenizerFix:
    data: dict
    changes: list[str] = field(default_factory=list)

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.data, ensure_ascii=False) + "\n", encoding="utf-8")
        return path


def _drop_strip(decoder: dict | None, changes: list[str]) -> dict | None:
    if decoder is None:
        return None
    if decoder.get("type") == "Strip":
        changes.append("decoder: removed Strip (it dropped each streamed token's leading space)")
        return None
    if decoder.get("type") == "Sequence":
        kept = [d for d in decoder.get("decoders", []) if d.get("type") != "Strip"]
        if len(kept) != len(decoder.get("decoders", [])):
            changes.append("decoder: removed Strip from the Sequence (it dropped each streamed token's leading space)")
        return {**decoder, "decoders": kept}
    return decoder


def _has_digit_split(pre: dict | None) -> bool:
    if pre is None:
        return False
    if pre.get("type") == "Digits" and pre.get("individual_digits"):
        return True
    if pre.get("type") == "Split" and pre.get("pattern", {}).get("Regex") in ("\\p{N}", "\\d"):
        return True
    return any(_has_digit_split(p) for p in pre.get("pretokenizers", []) if pre.get("type") == "Sequence")


def fix_tokenizer(data: dict, *, eos_ids: list[int], gguf_pre: str | None = None) -> TokenizerFix:
    """A fixed copy of ``data`` (tokenizers' JSON) and what was changed."""
    out = copy.deepcopy(data)
    changes: list[str] = []
    norm = out.get("normalizer")
    if isinstance(norm, dict) and norm.get("type") == "Sequence" and not norm.get("normalizers"):
        out["normalizer"] = None
        changes.append("normalizer: empty Sequence -> null (ExecuTorch's C++ tokenizer refuses the empty Sequence)")
    out["decoder"] = _drop_strip(out.get("decoder"), changes)
    pre = out.get("pre_tokenizer")
    if gguf_pre in DIGIT_SPLIT_PRE and not _has_digit_split(pre):
        steps = pre.get("pretokenizers", []) if pre and pre.get("type") == "Sequence" else ([pre] if pre else [])
        out["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [DIGIT_SPLIT, *steps]}
        changes.append(f"pre_tokenizer: per-digit split (Digits, individual) restored in front (llama.cpp pre-tokenizer {gguf_pre!r})")
    by_id = {t["id"]: t for t in out.get("added_tokens", [])}
    vocab = out.get("model", {}).get("vocab", {})
    id_to_token = {v: k for k, v in vocab.items()} if isinstance(vocab, dict) else {}
    for eos in eos_ids:
        tok = by_id.get(eos)
        if tok is None and eos in id_to_token:
            tok = {"id": eos, "content": id_to_token[eos], "single_word": False, "lstrip": False, "rstrip": False,
                   "normalized": False, "special": True}
            out.setdefault("added_tokens", []).append(tok)
            changes.append(f"added_tokens: EOS {id_to_token[eos]!r} ({eos}) added as a special token")
        elif tok is not None and not tok.get("special"):
            tok["special"] = True
            changes.append(f"added_tokens: EOS {tok['content']!r} ({eos}) marked special")
    return TokenizerFix(out, changes)


def token_text(data: dict, token_id: int) -> str | None:
    for t in data.get("added_tokens", []):
        if t["id"] == token_id:
            return t["content"]
    vocab = data.get("model", {}).get("vocab", {})
    if isinstance(vocab, dict):
        for k, v in vocab.items():
            if v == token_id:
                return k
    return None


def tokenizer_config(data: dict, *, bos_id: int | None, eos_ids: list[int], pad_id: int | None, chat_template: str | None,
                     add_bos: bool) -> dict:
    """A ``tokenizer_config.json`` that agrees with the fixed file (ORT GenAI and transformers read it)."""
    cfg = {"tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": add_bos, "add_eos_token": False,
           "clean_up_tokenization_spaces": False, "model_max_length": 1 << 30,
           "eos_token": token_text(data, eos_ids[0])}
    if bos_id is not None:
        cfg["bos_token"] = token_text(data, bos_id)
    if pad_id is not None:
        cfg["pad_token"] = token_text(data, pad_id)
    if chat_template:
        cfg["chat_template"] = chat_template
    return cfg


# ---------------------------------------------------------------------------------------------- checks

@dataclass
class TokenizerCheck:
    texts: int
    tokens: int
    cpp_loads: bool
    cpp_matches: int  # texts the C++ tokenizer encodes like the tokenizers library
    stream_matches: int  # texts whose token-by-token decode concatenates to the whole decode
    stream_checked: int = 0  # texts with no character split across tokens (the binding returns str per token)
    reference: str | None = None  # e.g. "llama.cpp (llama-cpp-python 0.3.36) on the GGUF"
    reference_matches: int | None = None
    mismatches: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        ref_ok = self.reference_matches is None or self.reference_matches == self.texts
        return self.cpp_loads and self.cpp_matches == self.texts and self.stream_matches == self.stream_checked and ref_ok

    def to_json(self) -> dict:
        return {"texts": self.texts, "tokens": self.tokens, "cpp_loads": self.cpp_loads, "cpp_matches": self.cpp_matches,
                "stream_matches": self.stream_matches, "stream_checked": self.stream_checked, "reference": self.reference,
                "reference_matches": self.reference_matches, "mismatches": self.mismatches[:5], "ok": self.ok}


def encode_all(path: Path, texts: list[str]) -> list[list[int]]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    return [tok.encode(t, add_special_tokens=False).ids for t in texts]


def check_tokenizer(path: Path, texts: list[str], reference: tuple[str, list[list[int]]] | None = None) -> TokenizerCheck:
    """Load ``path`` in ExecuTorch's C++ tokenizer and the tokenizers library; compare ids, streaming, a reference."""
    from tokenizers import Tokenizer

    hf = Tokenizer.from_file(str(path))
    ids = [hf.encode(t, add_special_tokens=False).ids for t in texts]
    check = TokenizerCheck(texts=len(texts), tokens=sum(map(len, ids)), cpp_loads=False, cpp_matches=0, stream_matches=0)
    try:
        from pytorch_tokenizers import CppHFTokenizer

        cpp = CppHFTokenizer()
        cpp.load(str(path))
        check.cpp_loads = bool(cpp.is_loaded())
    except Exception as exc:  # the C++ tokenizer refusing the file is the finding, not a crash
        check.mismatches.append({"cpp_load_error": str(exc)})
        cpp = None
    for text, want in zip(texts, ids):
        if cpp is not None and check.cpp_loads:
            got = list(cpp.encode(text, 0, 0))
            if got == want:
                check.cpp_matches += 1
            else:
                check.mismatches.append({"text": text[:80], "cpp": got[:20], "tokenizers": want[:20]})
            pieces = []
            try:
                for t in want:  # what a streaming runner prints, token by token (binding: decode(token, skip_special))
                    pieces.append(cpp.decode(t, False))
            except UnicodeDecodeError:  # a character split across tokens: the binding cannot hand back its bytes
                continue
            check.stream_checked += 1
            if "".join(pieces) == hf.decode(want, skip_special_tokens=False):
                check.stream_matches += 1
            else:
                check.mismatches.append({"text": text[:80], "streamed": "".join(pieces)[:80]})
    if reference is not None:
        name, ref_ids = reference
        check.reference = name
        check.reference_matches = 0
        for text, want, ref in zip(texts, ids, ref_ids):
            if list(ref) == want:
                check.reference_matches += 1
            else:
                check.mismatches.append({"text": text[:80], "reference": list(ref)[:24], "tokenizers": want[:24]})
    return check


# ------------------------------------------------------------------------------------- GGUF metadata

_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def gguf_metadata(path: Path, keys: tuple[str, ...]) -> dict:
    """Selected metadata values of a GGUF file, read sequentially (the full reader parses every token: seconds)."""
    want, found = set(keys), {}
    with Path(path).open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ValueError(f"{path} is not a GGUF file")
        version, = struct.unpack("<I", f.read(4))
        if version < 2:
            raise ValueError(f"GGUF version {version} is not supported")
        _tensors, count = struct.unpack("<QQ", f.read(16))

        def read_str() -> str:
            n, = struct.unpack("<Q", f.read(8))
            return f.read(n).decode("utf-8", errors="replace")

        def read_value(kind: int, keep: bool):
            if kind == 8:
                return read_str()
            if kind == 9:
                item, n = struct.unpack("<IQ", f.read(12))
                if item == 8:
                    values = [read_str() for _ in range(n)]
                    return values if keep else None
                size = struct.calcsize(_GGUF_SCALARS[item])
                raw = f.read(size * n)
                return list(struct.iter_unpack(_GGUF_SCALARS[item], raw)) if keep else None
            fmt = _GGUF_SCALARS[kind]
            return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

        for _ in range(count):
            key = read_str()
            kind, = struct.unpack("<I", f.read(4))
            value = read_value(kind, key in want)
            if key in want:
                found[key] = value
                if len(found) == len(want):
                    break
    return found
