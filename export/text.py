"""Text inputs: sentences turned into a model's integer inputs with the ``tokenizers`` library.

A text model's calibration and evaluation data are real sentences (``--calibration sentences.txt
--tokenizer DIR``; one sentence a line), tokenized exactly as the apps will: the folder's
``tokenizer.json`` (Hugging Face ``tokenizers``), ``[CLS] ... [SEP]``, truncated and padded to the
example input's length. Integer inputs are never filled with zeros: with no data for them, export
stops and says what to pass.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from mobilekit.export.errors import ExportError
from mobilekit.export.spec import TEXT_ROLES, InputSpec, LoadedModel, Sample, TokenizerSpec

TEXT_SUFFIXES = {".txt"}


def role_for(name: str, dtype: str) -> str | None:
    """The role an input's name implies (``input_ids``, ``attention_mask``, ``token_type_ids``), else None."""
    low = name.lower()
    if dtype not in ("int64", "int32"):
        return None
    if "mask" in low:
        return "attention_mask"
    if "type" in low or "segment" in low:
        return "token_type_ids"
    if "ids" in low or "token" in low or low in ("input", "x", "input_0"):
        return "input_ids"
    return "tokens"


def tokenizer_spec(folder: Path, inputs: tuple[InputSpec, ...]) -> TokenizerSpec:
    """A :class:`TokenizerSpec` for ``folder`` (which must hold tokenizer.json and vocab.txt), wired to the
    model's inputs by role; the length is the example input's."""
    folder = Path(folder)
    missing = [f for f in ("tokenizer.json", "vocab.txt") if not (folder / f).is_file()]
    if missing:
        raise ExportError(
            f"The tokenizer folder {folder} has no {' or '.join(missing)}.",
            hint="Point --tokenizer at a Hugging Face model folder with tokenizer.json and vocab.txt (a BERT WordPiece tokenizer).",
        )
    roles = {i.role: i.name for i in inputs if i.role in TEXT_ROLES}
    if "input_ids" not in roles:
        raise ExportError(
            "--tokenizer was given, but no model input takes token ids "
            f"(inputs: {', '.join(f'{i.name} {i.dtype}' for i in inputs)}).",
            hint="Name the token-id input input_ids (and the mask attention_mask), or drop --tokenizer.",
        )
    ids = next(i for i in inputs if i.name == roles["input_ids"])
    lowercase, strip = True, True
    try:
        cfg = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        norm = cfg.get("normalizer") or {}
        if norm.get("type") == "BertNormalizer":
            lowercase = bool(norm.get("lowercase", True))
            strip = norm.get("strip_accents")
            strip = lowercase if strip is None else bool(strip)
    except (OSError, json.JSONDecodeError) as exc:
        raise ExportError(f"{folder / 'tokenizer.json'} is corrupt (not valid JSON): {exc}") from exc
    return TokenizerSpec(folder=str(folder), max_length=int(ids.shape[-1]), lowercase=lowercase, strip_accents=strip,
                         inputs={r: roles.get(r) for r in TEXT_ROLES})


def encode(spec: TokenizerSpec, sentences: list[str], inputs: tuple[InputSpec, ...], example: Sample) -> list[Sample]:
    """One sample per sentence, in the model's input order and dtypes (batch size 1)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(spec.folder) / "tokenizer.json"))
    pad_id = tok.token_to_id(spec.pad_token) or 0
    tok.enable_truncation(spec.max_length)
    tok.enable_padding(length=spec.max_length, pad_id=pad_id, pad_token=spec.pad_token)
    samples = []
    by_role = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
    for enc in tok.encode_batch(sentences):
        sample = []
        for spec_in, ex in zip(inputs, example):
            field = by_role.get(spec_in.role or "")
            if field is None:
                raise ExportError(
                    f"Sentences cannot fill input {spec_in.name!r} ({spec_in.dtype}, role {spec_in.role}).",
                    hint="Give --calibration a .npz with one array per input instead.",
                )
            sample.append(torch.tensor([getattr(enc, field)], dtype=ex.dtype).reshape(ex.shape))
        samples.append(tuple(sample))
    return samples


def read_sentences(path: Path) -> list[str]:
    """Non-empty lines of a UTF-8 text file (one sentence a line)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ExportError(f"{path} is not UTF-8 text: {exc}") from exc
    sentences = [ln.strip() for ln in lines if ln.strip()]
    if not sentences:
        raise ExportError(f"{path} holds no sentences (one sentence a line).")
    return sentences


def copy_tokenizer_files(spec: TokenizerSpec, bundle: Path) -> list[str]:
    """Put vocab.txt and tokenizer.json in the bundle (what the apps and hosts read)."""
    out = []
    for name in ("vocab.txt", "tokenizer.json"):
        shutil.copyfile(Path(spec.folder) / name, Path(bundle) / name)
        out.append(name)
    return out
