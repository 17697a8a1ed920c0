"""Load a causal LM to export: a Hugging Face model folder, a GGUF file, or ``module:factory``.

Every source ends as one :class:`LlmModel`: the FP32 transformers model (eval mode, weights in float32,
its own attention), the tokenizer as ``tokenizer.json`` data (not yet fixed: :mod:`.tokenizer` does that),
the chat template, and the special ids from the model's own config (a GGUF-converted tokenizer's idea of
EOS is not trusted: SmolLM2's says ``<|im_start|>``).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mobilekit.export.errors import ExportError, user_source_line


@dataclass
class LlmModel:
    """A loaded causal LM and what the bundle says about it."""

    name: str
    model: object  # transformers PreTrainedModel, FP32, eval
    tokenizer_json: dict  # the source tokenizer (tokenizers' JSON), before fixing
    chat_template: str | None
    bos_id: int | None
    eos_ids: list[int]
    pad_id: int | None
    add_bos: bool
    source: dict = field(default_factory=dict)  # manifest source: model, weights, description, trained
    gguf_path: Path | None = None  # the GGUF file it came from (llama.cpp compares against it)
    smoke: dict | None = None  # {"prompt": ..., "expect": ...}: the chat answer every artifact must give
    default_system: str | None = None

    @property
    def architecture(self) -> str:
        return getattr(self.model.config, "model_type", "unknown")

    @property
    def vocab_size(self) -> int:
        return int(self.model.config.get_text_config().vocab_size)

    @property
    def parameters(self) -> int:
        return sum(p.numel() for p in {id(p): p for p in self.model.parameters()}.values())


def _quiet_transformers():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local file or folder: never the network
    from transformers.utils import logging as hf_logging

    return hf_logging


def _eos_ids(config, generation_config) -> list[int]:
    ids: list[int] = []
    for source in (generation_config, config):
        value = getattr(source, "eos_token_id", None) if source is not None else None
        if value is None:
            continue
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v is not None and int(v) not in ids:
                ids.append(int(v))
    return ids


def _finish(model, name: str) -> None:
    """FP32, eval, no quantizer attached (a GGUF-loaded model carries one and refuses save_pretrained)."""
    import torch

    model.eval()
    model.to(torch.float32)
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    if hasattr(model, "is_quantized"):
        try:
            model.is_quantized = False
        except AttributeError:
            pass
    if not getattr(model.config, "use_cache", True):
        model.config.use_cache = True
    if getattr(model.config, "_attn_implementation", None) not in ("eager", "sdpa"):
        model.config._attn_implementation = "sdpa"


def _special_ids(model, tokenizer_config: dict) -> tuple[int | None, list[int], int | None]:
    config = model.config.get_text_config()
    eos = _eos_ids(config, getattr(model, "generation_config", None))
    if not eos:
        raise ExportError(
            "The model's config names no eos_token_id, so generation would never stop.",
            hint="Set config.eos_token_id (or generation_config.eos_token_id) on the model before exporting.",
        )
    bos = getattr(config, "bos_token_id", None)
    pad = getattr(config, "pad_token_id", None)
    return (int(bos) if bos is not None else None), eos, (int(pad) if pad is not None else None)


def load_gguf(path: Path, name: str | None = None) -> LlmModel:
    """A GGUF file (any architecture transformers' GGUF loader maps), dequantized to FP32."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"{path} does not exist.", hint="Give the path of a .gguf file.")
    hf_logging = _quiet_transformers()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
        tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    except (ValueError, KeyError, OSError) as exc:
        raise ExportError(f"transformers cannot load {path.name} as a causal LM: {exc}",
                          hint="GGUF support covers llama, mistral, qwen2/3, phi3, gemma2/3 and others.") from exc
    finally:
        hf_logging.set_verbosity(before)
    _finish(model, path.stem)
    tokenizer_json = json.loads(tok.backend_tokenizer.to_str())
    add_bos = _gguf_add_bos(tok)
    bos, eos, pad = _special_ids(model, {})
    return LlmModel(name=name or _safe_name(path.stem), model=model, tokenizer_json=tokenizer_json,
                    chat_template=getattr(tok, "chat_template", None), bos_id=bos, eos_ids=eos, pad_id=pad,
                    add_bos=add_bos, source={"model": str(path), "weights": path.name, "trained": True},
                    gguf_path=path)


def _gguf_add_bos(tok) -> bool:
    value = getattr(tok, "add_bos_token", None)
    return bool(value) if value is not None else False


def load_hf_folder(folder: Path, name: str | None = None) -> LlmModel:
    """A Hugging Face model folder (config.json, weights, tokenizer.json, optionally a chat template)."""
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise ExportError(f"{folder} has no config.json: it is not a Hugging Face model folder.",
                          hint="Give the folder save_pretrained() wrote (config.json + model.safetensors + tokenizer.json).")
    tokenizer_file = folder / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ExportError(f"{folder} has no tokenizer.json.",
                          hint="Save the tokenizer next to the model: AutoTokenizer.from_pretrained(...).save_pretrained(folder).")
    hf_logging = _quiet_transformers()
    import torch
    from transformers import AutoModelForCausalLM

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32)
    except (ValueError, OSError) as exc:
        raise ExportError(f"transformers cannot load {folder} as a causal LM: {exc}") from exc
    finally:
        hf_logging.set_verbosity(before)
    _finish(model, folder.name)
    tok_config = _read_json(folder / "tokenizer_config.json")
    template = _chat_template(folder, tok_config)
    bos, eos, pad = _special_ids(model, tok_config)
    return LlmModel(name=name or _safe_name(folder.name), model=model,
                    tokenizer_json=json.loads(tokenizer_file.read_text(encoding="utf-8")), chat_template=template,
                    bos_id=bos, eos_ids=eos, pad_id=pad, add_bos=bool(tok_config.get("add_bos_token", False)),
                    source={"model": str(folder), "weights": folder.name, "trained": True})


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path} is not valid JSON: {exc}") from exc


def _chat_template(folder: Path, tok_config: dict) -> str | None:
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    template = tok_config.get("chat_template")
    return template if isinstance(template, str) else None


def load_factory(ref: str, tokenizer: str | None, name: str | None = None) -> LlmModel:
    """``module:factory`` returning a transformers causal LM; ``tokenizer`` is a tokenizer.json or a folder with one."""
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ExportError(f"{ref!r} is not module:factory.", hint="Write it as mypkg.models:make_lm.")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ExportError(f"Cannot import {module_name!r}: {exc}",
                          hint="Run mobilekit from the folder that holds the module, or install its package.") from exc
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise ExportError(f"{module_name} has no callable {attr!r}.")
    try:
        model = factory()
    except Exception as exc:  # the user's code: say where it failed
        where = user_source_line(exc)
        raise ExportError(f"{ref}() raised {type(exc).__name__}: {exc}" + (f" (at {where})" if where else "")) from exc
    if not hasattr(model, "config") or not hasattr(model, "get_input_embeddings") or not hasattr(model.config, "num_hidden_layers"):
        raise ExportError(f"{ref}() returned {type(model).__name__}, not a transformers causal LM.",
                          hint="Return e.g. transformers.AutoModelForCausalLM.from_pretrained(...) or LlamaForCausalLM(config).")
    if tokenizer is None:
        raise ExportError(f"{ref} needs a tokenizer: the bundle ships one for the apps.",
                          hint="Pass tokenizer= (--tokenizer) a tokenizer.json or the folder that holds it.")
    tok_path = Path(tokenizer)
    folder = tok_path if tok_path.is_dir() else tok_path.parent
    tok_file = tok_path / "tokenizer.json" if tok_path.is_dir() else tok_path
    if not tok_file.is_file():
        raise ExportError(f"{tok_file} does not exist.", hint="Give a tokenizer.json or a folder holding one.")
    _finish(model, attr)
    tok_config = _read_json(folder / "tokenizer_config.json")
    bos, eos, pad = _special_ids(model, tok_config)
    return LlmModel(name=name or _safe_name(attr), model=model, tokenizer_json=json.loads(tok_file.read_text(encoding="utf-8")),
                    chat_template=_chat_template(folder, tok_config), bos_id=bos, eos_ids=eos, pad_id=pad,
                    add_bos=bool(tok_config.get("add_bos_token", False)),
                    source={"model": ref, "weights": None, "trained": True})


def _safe_name(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "llm"


def load_llm(ref: str, *, tokenizer: str | None = None, name: str | None = None) -> LlmModel:
    """Resolve a model reference: a built-in LLM, a .gguf file, a Hugging Face folder, or module:factory."""
    from mobilekit.export.models import BUILTINS

    if ref in BUILTINS:
        module = importlib.import_module(BUILTINS[ref])
        loaded = module.load()
        if not isinstance(loaded, LlmModel):
            raise ExportError(f"The built-in {ref!r} is not a language model.", hint="Export it with mobilekit export (not the LLM path).")
        if name:
            loaded.name = name
        return loaded
    path = Path(ref)
    if ref.endswith(".gguf"):
        return load_gguf(path, name)
    if path.is_dir():
        return load_hf_folder(path, name)
    if ":" in ref and not path.exists():
        return load_factory(ref, tokenizer, name)
    raise ExportError(f"Cannot tell what model {ref!r} is.",
                      hint="Give a built-in (smollm2), a .gguf file, a Hugging Face model folder, or module:factory.")


def is_llm_reference(ref: str) -> bool:
    """True for references the LLM path handles without importing anything heavy (the lead's dispatch)."""
    path = Path(ref)
    if ref == "smollm2" or ref.endswith(".gguf"):
        return True
    return path.is_dir() and (path / "config.json").is_file() and _is_causal_lm_config(path / "config.json")


def _is_causal_lm_config(config_file: Path) -> bool:
    try:
        archs = json.loads(config_file.read_text(encoding="utf-8")).get("architectures") or []
    except (OSError, json.JSONDecodeError):
        return False
    return any(a.endswith("ForCausalLM") for a in archs)
