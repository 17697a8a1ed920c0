"""Fast tests of the LLM export on a tiny random llama built here (2 layers, a BPE trained on real text),
through the same code as SmolLM2: quantization, KV-cache export, metadata methods, TextLLMRunner, the
bundle's schemas, the tokenizer fixes and the fidelity gate's words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tests.llm.tiny import on_q4_1_grid, tiny_llama_folder  # noqa: E402


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    return tiny_llama_folder(tmp_path_factory.mktemp("tiny") / "hf")


@pytest.fixture(scope="module")
def tiny_bundle(tiny_folder, tmp_path_factory):
    """The tiny model exported to the .pte target once (about a minute on 2 cores: lowering dominates)."""
    import os

    from mobilekit.export.llm.config import EvalBudget, LlmExportConfig
    from mobilekit.export.llm.pipeline import export_llm_bundle

    os.environ["MOBILEKIT_LLM_CACHE"] = str(tmp_path_factory.mktemp("llm-cache"))
    out = tmp_path_factory.mktemp("bundle")
    cfg = LlmExportConfig(model=str(tiny_folder), name="tiny", targets=("xnnpack",), max_seq_len=128, max_new_tokens=16,
                          budget=EvalBudget(eval_tokens=192, tuning_tokens=96, chunk_tokens=64, greedy_prompts=2,
                                            greedy_tokens=8, search_seconds=20))
    manifest, validation = export_llm_bundle(cfg, out, progress=lambda m: None)
    return out, manifest, validation


# ------------------------------------------------------------------------------------------- quantization

def test_q4_1_grid_is_found_and_stored_exactly():
    from mobilekit.export.llm.quantize import OffsetLinear, grid_4bit, quantized_linear

    torch.manual_seed(0)
    holder = torch.nn.Sequential(torch.nn.Linear(64, 48, bias=False))
    on_q4_1_grid(torch.nn.ModuleDict({"x": holder}))
    w = holder[0].weight.detach()
    grid = grid_4bit(w)
    assert grid is not None and grid.has_offset
    rebuilt = (grid.codes.float().reshape(48, 2, 32) * grid.scale.unsqueeze(-1) + grid.offset.unsqueeze(-1)).reshape(48, 64)
    assert torch.allclose(rebuilt, w, atol=1e-6)
    assert int(grid.codes.min()) >= -8 and int(grid.codes.max()) <= 7
    q = quantized_linear(holder[0], 4, 32)
    assert isinstance(q, OffsetLinear)
    x = torch.randn(3, 64)
    # only the per-token INT8 activation rounding separates it from the float layer
    assert torch.nn.functional.cosine_similarity(q(x).flatten(), holder[0](x).flatten(), dim=0) > 0.999
    assert grid_4bit(torch.randn(48, 64)) is None  # ordinary weights: no grid


def test_q4_0_grid_needs_no_offset():
    from mobilekit.export.llm.quantize import grid_4bit

    d = torch.rand(16, 2, 1) + 0.1
    k = torch.randint(-8, 8, (16, 2, 32)).float()
    k[:, :, 0] = -8  # Q4_0: the largest magnitude gets code -8
    grid = grid_4bit((k * d).reshape(16, 64))
    assert grid is not None and not grid.has_offset


def test_quantized_copy_records_8da4w_and_int8dyn(tiny_folder):
    from mobilekit.export.llm.config import llm_recipe
    from mobilekit.export.llm.loading import load_hf_folder
    from mobilekit.export.llm.quantize import quantized_copy

    llm = load_hf_folder(tiny_folder)
    q, rec = quantized_copy(llm.model, llm_recipe("8da4w"), ("lm_head",))
    assert rec["scheme"] == "w4a8-dynamic" and rec["int8_layers"] == ["lm_head"]
    assert rec["kernels"]["linear_layers"]["int4_exact_with_offset"] == 14  # 7 linears x 2 layers on Q4_1 grids
    assert rec["embeddings"]["bits"] == 8
    q8, rec8 = quantized_copy(llm.model, llm_recipe("int8dyn"))
    assert rec8["scheme"] == "w8a8-dynamic" and rec8["kernels"]["linear_layers"]["int8"] == 15
    assert llm.model.lm_head.weight is llm.model.model.embed_tokens.weight  # the source model is untouched


# ------------------------------------------------------------------------------------------- tokenizer

def test_tokenizer_fixes_each_trap(tiny_folder):
    from mobilekit.export.llm.tokenizer import fix_tokenizer

    data = json.loads((tiny_folder / "tokenizer.json").read_text())
    assert data["normalizer"] == {"type": "Sequence", "normalizers": []}
    fix = fix_tokenizer(data, eos_ids=[2], gguf_pre="smollm")
    assert fix.data["normalizer"] is None
    assert all(d["type"] != "Strip" for d in fix.data["decoder"]["decoders"])
    assert fix.data["pre_tokenizer"]["pretokenizers"][0] == {"type": "Digits", "individual_digits": True}
    assert len(fix.changes) == 3
    again = fix_tokenizer(fix.data, eos_ids=[2], gguf_pre="smollm")
    assert again.changes == []  # idempotent


def test_fixed_tokenizer_loads_in_executorch_cpp_and_streams(tiny_folder, tmp_path):
    from mobilekit.export.llm.tokenizer import check_tokenizer, fix_tokenizer

    raw = json.loads((tiny_folder / "tokenizer.json").read_text())
    texts = ["The if statement is used for conditional execution.", "for x in range(10): print(x)", "a  b   c"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(raw))
    before = check_tokenizer(broken, texts)
    assert not before.cpp_loads  # "Missing normalizers" in ExecuTorch's C++ tokenizer
    fixed = fix_tokenizer(raw, eos_ids=[2], gguf_pre="smollm").write(tmp_path / "tokenizer.json")
    after = check_tokenizer(fixed, texts, reference=("same ids", [None] * 0 or []))
    assert after.cpp_loads and after.cpp_matches == len(texts)
    assert after.stream_checked == len(texts) and after.stream_matches == len(texts)


def test_gguf_metadata_reads_the_smollm2_pre_tokenizer():
    from mobilekit.export.llm.tokenizer import gguf_metadata
    from mobilekit.export.models.smollm2 import gguf_path

    meta = gguf_metadata(gguf_path(), ("tokenizer.ggml.pre", "tokenizer.ggml.eos_token_id", "llama.block_count"))
    assert meta == {"tokenizer.ggml.pre": "smollm", "tokenizer.ggml.eos_token_id": 2, "llama.block_count": 30}


# ------------------------------------------------------------------------------------------- prompts, gate

def test_prompt_format_matches_the_chat_template():
    from mobilekit.export.llm.prompts import check_format, prompt_format, render_chat
    from tests.llm.tiny import CHATML

    fmt = prompt_format(CHATML)
    assert fmt["user"] == "<|im_start|>user\n{content}<|im_end|>\n"
    assert fmt["assistant_prefix"] == "<|im_start|>assistant\n"
    assert fmt["default_system"] == "You are a tiny test model."
    assert fmt["assistant_suffix"] == "<|im_end|>\n"
    check_format(CHATML, fmt, "What is the capital of France?")
    assert render_chat(fmt, "hi").startswith("<|im_start|>system\nYou are a tiny test model.<|im_end|>\n")


def test_gate_says_what_drifted_in_words():
    from mobilekit.export.llm.config import LlmFloors
    from mobilekit.export.llm.fidelity import Fidelity, gate, wilson

    good = Fidelity(0.95, wilson(950, 1000), 1000, 10.2, 10.0, 0.8, [], "The capital of France is Paris.", True)
    assert gate(good, LlmFloors(), {"prompt": "q", "expect": "Paris"}) == ("ok", None)
    bad = Fidelity(0.80, wilson(800, 1000), 1000, 12.0, 10.0, 0.2, [], "Lyon.", False)
    status, reason = gate(bad, LlmFloors(), {"prompt": "What is the capital of France?", "expect": "Paris"})
    assert status == "low_fidelity"
    assert "80.0% of 1000 held-out tokens" in reason and "below the floor of 90%" in reason
    assert "1.200x FP32's" in reason and "does not contain 'Paris'" in reason
    lo, hi = wilson(950, 1000)
    assert 0.93 < lo < 0.95 < hi < 0.97
    with pytest.raises(ValueError, match="max_ppl_ratio"):
        LlmFloors(max_ppl_ratio=0.9)


def test_held_out_texts_never_overlap():
    from mobilekit.export.llm.texts import EVAL_DATASETS, EVAL_TOPICS, TUNING_DATASETS, TUNING_TOPICS, held_out_texts

    assert not set(TUNING_TOPICS) & set(EVAL_TOPICS) and not set(TUNING_DATASETS) & set(EVAL_DATASETS)
    split = held_out_texts()
    assert not set(split.tuning) & set(split.evaluation)
    assert sum(map(len, split.evaluation)) > 50_000  # real prose, not a stub


def test_config_rejects_mistakes():
    from mobilekit.export.llm.config import LlmExportConfig

    with pytest.raises(ValueError, match="unknown LLM target"):
        LlmExportConfig(model="smollm2", targets=("tflite",))
    with pytest.raises(ValueError, match="not an LLM recipe"):
        LlmExportConfig(model="smollm2", recipes=("int8",))
    with pytest.raises(ValueError, match="max_seq_len"):
        LlmExportConfig(model="smollm2", max_seq_len=8)
    cfg = LlmExportConfig(model="smollm2")
    assert cfg.default_recipe.name == "8da4w" and cfg.default_recipe.embedding_bits == 8
    assert [t.value for t in cfg.targets] == ["xnnpack", "ort_genai", "coreml"]


# ------------------------------------------------------------------------------------------- the bundle

def test_bundle_validates_against_the_contract(tiny_bundle):
    from mobilekit import schemas

    out, manifest, validation = tiny_bundle
    assert schemas.errors(json.loads((out / "manifest.json").read_text()), "manifest.schema.json") == []
    prompts = json.loads((out / "prompts.json").read_text())
    assert schemas.errors(prompts, "prompts.schema.json") == []
    assert [p["id"] for p in prompts["prompts"]][0] == "chat-short"
    assert all(p["expected"] and p["expected"][0]["file"] == "tiny.xnnpack.8da4w.pte" for p in prompts["prompts"])
    llm = manifest["llm"]
    assert llm["eos_ids"] == [2] and llm["max_seq_len"] == 128 and llm["tokenizer"]["file"] == "tokenizer.json"
    assert llm["kv_cache"]["bytes_per_token"] == 2 * 2 * 2 * 16 * 4
    art = manifest["artifacts"][0]
    assert art["file"] == "tiny.xnnpack.8da4w.pte" and art["runtime"] == "executorch"
    v = art["validation"]
    assert v["status"] == "ok" and v["output_kind"] == "llm"
    assert v["token_agreement"] >= 0.9 and v["tokens"] > 100 and len(v["token_agreement_ci95"]) == 2
    assert 0.9 < v["ppl_ratio"] < 1.1
    assert art["quantization"]["mixed_precision"]["method"] == "auto"
    assert (out / "validation.json").is_file() and validation["artifacts"][0]["file"] == art["file"]


def test_pte_metadata_methods_and_dynamic_prefill(tiny_bundle):
    import executorch.extension.llm.custom_ops.custom_ops  # noqa: F401
    import executorch.kernels.quantized  # noqa: F401
    from executorch.runtime import Runtime

    out, manifest, _ = tiny_bundle
    program = Runtime.get().load_program(str(out / "tiny.xnnpack.8da4w.pte"))
    value = lambda name: program.load_method(name).execute([])[0]  # noqa: E731
    assert value("get_max_seq_len") == 128 and value("get_max_context_len") == 128
    assert value("use_kv_cache") and value("enable_dynamic_shape") and value("use_sdpa_with_kv_cache")
    eos = program.load_method("get_eos_ids").execute([])
    assert list(eos) == [2]  # a list: it replaces the tokenizer's EOS in the runner
    forward = program.load_method("forward")
    for n in (1, 7, 33):  # one prefill call of any length
        logits = forward.execute((torch.arange(3, 3 + n).unsqueeze(0), torch.arange(n)))[0]
        assert tuple(logits.shape) == (1, n, manifest["llm"]["vocab_size"])


def test_text_llm_runner_generates_from_the_bundle_files(tiny_bundle):
    from mobilekit.export.llm.xnnpack import TextRunner

    out, manifest, _ = tiny_bundle
    runner = TextRunner(out / "tiny.xnnpack.8da4w.pte", out / "tokenizer.json")
    text, stats = runner.generate("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", 8, 128)
    assert stats["generated_tokens"] >= 1 and stats["prompt_tokens"] > 3
    prompts = json.loads((out / "prompts.json").read_text())
    short = prompts["prompts"][0]
    again, _ = runner.generate(short["rendered"], short["expected"][0]["max_new_tokens"], 128)
    assert again == short["expected"][0]["text"]  # the host's greedy text is reproducible


def test_export_refuses_a_non_empty_folder(tiny_folder, tmp_path):
    from mobilekit.export.errors import ExportError
    from mobilekit.export.llm.config import LlmExportConfig
    from mobilekit.export.llm.pipeline import export_llm_bundle

    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(ExportError, match="empty folder"):
        export_llm_bundle(LlmExportConfig(model=str(tiny_folder)), tmp_path, progress=lambda m: None)


def test_factory_without_tokenizer_is_a_user_error(module_in_cwd):
    from mobilekit.export.errors import ExportError
    from mobilekit.export.llm.loading import load_llm

    module_in_cwd("tinylm", "from transformers import LlamaConfig, LlamaForCausalLM\n"
                            "def make():\n    return LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, "
                            "intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, eos_token_id=2))\n")
    with pytest.raises(ExportError, match="needs a tokenizer"):
        load_llm("tinylm:make")
