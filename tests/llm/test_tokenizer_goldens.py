"""The smollm2 bundle's fixed tokenizer.json against llama.cpp's own tokenization of the same GGUF.

The golden ids were written by ``benchmarks/llama_cpp_goldens.py`` in the llama-cpp-python environment
(``benchmarks/llama_cpp_env.sh``), so CI compares without building llama.cpp. The freshness test fails when
the check texts or the GGUF change: regenerate the file then."""

from __future__ import annotations

import json

import pytest

from mobilekit.export.llm.goldens import GOLDEN_FILE, sha256_file

pytestmark = pytest.mark.skipif(not GOLDEN_FILE.is_file(), reason="golden ids not generated (benchmarks/llama_cpp_goldens.py)")


@pytest.fixture(scope="module")
def goldens():
    return json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))


def test_goldens_are_fresh(goldens):
    from mobilekit.export.llm.texts import tokenizer_check_texts
    from mobilekit.export.models.smollm2 import gguf_path

    assert goldens["texts"] == tokenizer_check_texts(), "check texts changed: rerun benchmarks/llama_cpp_goldens.py"
    assert goldens["gguf_sha256"] == sha256_file(gguf_path()), "the GGUF changed: rerun benchmarks/llama_cpp_goldens.py"
    assert len(goldens["ids"]) == len(goldens["texts"]) and all(goldens["ids"])


def test_fixed_tokenizer_reproduces_llama_cpp(goldens, tmp_path):
    """The transformers GGUF tokenizer, fixed as the bundle ships it, gives llama.cpp's ids for every text
    (and ExecuTorch's C++ tokenizer gives the same ids)."""
    from transformers import AutoTokenizer

    from mobilekit.export.llm.tokenizer import check_tokenizer, fix_tokenizer, gguf_metadata
    from mobilekit.export.models.smollm2 import gguf_path

    path = gguf_path()
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    pre = gguf_metadata(path, ("tokenizer.ggml.pre",))["tokenizer.ggml.pre"]
    fixed = fix_tokenizer(json.loads(tok.backend_tokenizer.to_str()), eos_ids=[2], gguf_pre=pre).write(tmp_path / "tokenizer.json")
    check = check_tokenizer(fixed, goldens["texts"], ("llama.cpp goldens", goldens["ids"]))
    assert check.reference_matches == check.texts, check.mismatches[:3]
    assert check.cpp_loads and check.cpp_matches == check.texts
