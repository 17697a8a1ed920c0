"""Slow tests on the real SmolLM2-135M-Instruct: the whole default export once, shared by every test.

The bundle is cached on disk (``~/.cache/mobilekit/llm-bundles/<key>``), keyed by the source of
``export/llm/`` and the pinned package versions, so repeated CI runs on one machine export once; the
per-artifact cache under it (``MOBILEKIT_LLM_CACHE``) keeps a changed judge from rebuilding the .pte."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _bundle_key() -> str:
    from mobilekit.export.llm.cache import code_version

    return hashlib.sha256((code_version("all") + "smollm2-default").encode()).hexdigest()[:24]


@pytest.fixture(scope="module")
def bundle():
    from mobilekit.export.llm.config import LlmExportConfig
    from mobilekit.export.llm.pipeline import export_llm_bundle

    root = Path.home() / ".cache" / "mobilekit" / "llm-bundles"
    done = root / _bundle_key()
    if not (done / "manifest.json").is_file():
        work = root / (done.name + ".partial")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        export_llm_bundle(LlmExportConfig(model="smollm2"), work, progress=print)
        shutil.rmtree(done, ignore_errors=True)
        work.replace(done)
    return done, json.loads((done / "manifest.json").read_text())


def _art(manifest, runtime):
    return next(a for a in manifest["artifacts"] if a["runtime"] == runtime)


def test_manifest_and_prompts_follow_the_contract(bundle):
    from mobilekit import schemas

    out, manifest = bundle
    assert schemas.errors(manifest, "manifest.schema.json") == []
    prompts = json.loads((out / "prompts.json").read_text())
    assert schemas.errors(prompts, "prompts.schema.json") == []
    lengths = [p["prompt_tokens"] for p in prompts["prompts"]]
    assert lengths[0] < 64 and 100 <= lengths[1] <= 128 and 200 <= lengths[2] <= 256
    assert manifest["llm"]["eos_ids"] == [2] and manifest["llm"]["max_seq_len"] == 512
    assert manifest["failures"] == []
    names = {a["file"] for a in manifest["artifacts"]}
    assert {"smollm2.xnnpack.8da4w.pte", "smollm2.ort-genai.8da4w", "smollm2.coreml.w4.mlpackage"} <= names


def test_8da4w_pte_meets_the_floors_and_the_size_cap(bundle):
    out, manifest = bundle
    art = _art(manifest, "executorch")
    v = art["validation"]
    assert v["status"] == "ok", v["reason"]
    assert v["token_agreement"] >= 0.90 and v["ppl_ratio"] <= 1.10 and v["tokens"] >= 1000
    assert v["chat_ok"] and "Paris" in v["chat_answer"]
    fp32 = manifest["llm"]["parameters"] * 4  # distinct FP32 weights (the tied head once)
    assert art["bytes"] <= 0.25 * fp32
    assert "lm_head" in art["quantization"]["int8_layers"]


def test_text_llm_runner_answers_paris_from_the_bundle_files(bundle):
    from mobilekit.export.llm.prompts import render_chat
    from mobilekit.export.llm.xnnpack import TextRunner

    out, manifest = bundle
    runner = TextRunner(out / "smollm2.xnnpack.8da4w.pte", out / "tokenizer.json")
    text, stats = runner.generate(render_chat(manifest["llm"]["prompt_format"], "What is the capital of France?"), 32, 512)
    assert "Paris" in text
    assert stats["generated_tokens"] < 32  # stopped at <|im_end|> (get_eos_ids), no runaway


def test_ort_genai_folder_generates_on_the_host(bundle):
    from mobilekit.export.llm.ort_genai import GenaiRunner
    from mobilekit.export.llm.prompts import render_chat
    from tokenizers import Tokenizer

    out, manifest = bundle
    art = _art(manifest, "onnxruntime_genai")
    tok = Tokenizer.from_file(str(out / "tokenizer.json"))
    ids = tok.encode(render_chat(manifest["llm"]["prompt_format"], "What is the capital of France?"), add_special_tokens=False).ids
    answer = tok.decode(GenaiRunner(out / art["file"], 2).greedy(ids, 24, {2}), skip_special_tokens=True)
    assert answer.strip()
    assert art["validation"]["status"] in ("ok", "low_fidelity") and art["validation"]["tokens"] >= 1000


def test_coreml_package_keeps_the_kv_cache_as_state(bundle):
    from mobilekit.export.llm.coreml import structure

    out, manifest = bundle
    art = _art(manifest, "coreml")
    info = structure(out / art["file"])
    assert {s["name"] for s in info["states"]} == {"key_cache", "value_cache"}
    assert info["states"][0]["shape"] == [30, 1, 3, 512, 64]
    assert info["ops"].get("constexpr_blockwise_shift_scale", 0) > 0  # INT4 per block
    assert art["minimum_os"] == "iOS18" and art["validation"]["status"] == "skipped"
