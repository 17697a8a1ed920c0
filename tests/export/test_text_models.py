"""Text and sequence models through the pipeline: integer inputs with real data, multi-input files,
tokenized sentences, weight-quantization recipes, the auto recipe, the kernel check and degenerate data."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch

from mobilekit.export.config import ExportConfig
from mobilekit.export.errors import ExportError
from mobilekit.export.pipeline import export_bundle

TEXT_MODELS = textwrap.dedent(
    '''
    import torch

    class Encoder(torch.nn.Module):
        """A tiny embedder: token embedding + 2 linear layers, mean-pooled over the mask."""

        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(200, 64, padding_idx=0)
            self.fc1 = torch.nn.Linear(64, 64)
            self.fc2 = torch.nn.Linear(64, 32)

        def forward(self, input_ids, attention_mask):
            h = self.fc2(torch.relu(self.fc1(self.embed(input_ids))))
            w = attention_mask.unsqueeze(-1).to(h.dtype)
            return (h * w).sum(1) / w.sum(1).clamp(min=1.0)

    def encoder():
        torch.manual_seed(0)
        return Encoder()

    class Constant(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(200, 8)

        def forward(self, input_ids, attention_mask):
            return self.embed(input_ids).sum(1) * 0.0 + 1.0

    def constant():
        return Constant()
    '''
)


@pytest.fixture()
def text_models(module_in_cwd):
    return module_in_cwd("textmodels", TEXT_MODELS)


def _npz(path, n=40, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, 200, size=(n, 1, 12)).astype(np.int64)
    lengths = rng.integers(3, 13, size=n)
    mask = (np.arange(12)[None, :] < lengths[:, None]).astype(np.int64)[:, None, :]
    ids = ids * mask
    np.savez(path, input_ids=ids, attention_mask=mask)
    return path


def _config(tmp_path, **kw):
    base = dict(model="textmodels:encoder", out_dir=tmp_path / "out", example_inputs=("1x12:int64", "1x12:int64"),
                latency_iterations=2, latency_warmup=0)
    base.update(kw)
    return ExportConfig(**base)


def test_integer_inputs_without_data_are_refused_by_name(text_models, tmp_path):
    with pytest.raises(ExportError, match=r"integer input\(s\) input_ids \(int64\), attention_mask \(int64\)") as info:
        export_bundle(_config(tmp_path, targets=("xnnpack",), precisions=("fp32",)))
    assert "--eval sentences.txt --tokenizer DIR" in info.value.hint
    assert not (tmp_path / "out" / "encoder").exists()  # nothing half-written is left behind


def test_constant_output_is_a_named_error_not_a_perfect_score(text_models, tmp_path):
    data = _npz(tmp_path / "d.npz")
    with pytest.raises(ExportError, match="same output for all"):
        export_bundle(_config(tmp_path, model="textmodels:constant", targets=("xnnpack",), precisions=("fp32",),
                              calibration=data))


def test_npz_multi_input_dynamic_recipes_to_xnnpack_and_onnx(text_models, tmp_path):
    data = _npz(tmp_path / "d.npz")
    result = export_bundle(_config(tmp_path, targets=("xnnpack", "onnx"), precisions=("fp32", "int8dyn", "8da4w"),
                                   calibration=data, output_kind="embedding", group_size=32))
    assert result.failures == []
    arts = {a["file"]: a for a in result.manifest["artifacts"]}
    pte = arts["encoder.xnnpack.int8dyn.pte"]
    q = pte["quantization"]
    assert q["mode"] == "dynamic" and q["embeddings"]["bits"] == 8 and q["embeddings"]["tables"] == ["embed"]
    assert "quantized_decomposed::embedding_byte.out" in q["kernels"]["operators"] and q["kernels"]["ok"]
    assert arts["encoder.xnnpack.8da4w.pte"]["quantization"]["embeddings"]["bits"] == 4
    assert "quantized_decomposed::embedding_4bit.out" in arts["encoder.xnnpack.8da4w.pte"]["quantization"]["kernels"]["operators"]
    for name, a in arts.items():
        v = a["validation"]
        assert v["status"] == "ok", (name, v)
        assert v["output_kind"] == "embedding" and v["cosine_min"] >= 0.99
    # held out of the calibration data: a quarter of the 40 samples, never calibrated on
    assert result.validation["eval"]["samples"] == 10
    # every input of the sample ships, and the output to check it against
    s = result.manifest["sample"]
    assert [e["name"] for e in s["inputs"]] == ["input_ids", "attention_mask"]
    ids = np.frombuffer((result.bundle_dir / s["inputs"][0]["file"]).read_bytes(), dtype="<i8")
    mask = np.frombuffer((result.bundle_dir / s["inputs"][1]["file"]).read_bytes(), dtype="<i8")
    assert ids.shape == (12,) and mask.sum() > 0 and set(np.unique(mask)) <= {0, 1}
    assert s["outputs"][0]["file"] == "sample_output.bin" and s["min_cosine"] == 0.98
    assert [i["role"] for i in result.manifest["inputs"]] == ["input_ids", "attention_mask"]
    # `mobilekit validate` re-runs the bundle's two-input sample on every artifact, judged by cosine
    from mobilekit.export.bundle_check import check_bundle

    _, checks = check_bundle(result.bundle_dir)
    assert [c.status for c in checks] == ["ok"] * len(checks) and all("cosine" in c.detail for c in checks), checks


def test_pt_dict_and_tuple_calibration(text_models, tmp_path):
    from mobilekit.export.calibration import load_calibration
    from mobilekit.export.loading import load_model

    model = load_model(_config(tmp_path))
    z = np.load(_npz(tmp_path / "d.npz"))
    torch.save({"attention_mask": torch.from_numpy(z["attention_mask"]), "input_ids": torch.from_numpy(z["input_ids"])},
               tmp_path / "d.pt")
    torch.save((torch.from_numpy(z["input_ids"]), torch.from_numpy(z["attention_mask"])), tmp_path / "t.pt")
    for f in ("d.pt", "t.pt"):
        samples = load_calibration(model, tmp_path / f, 100)
        assert len(samples) == 40 and all(len(s) == 2 and s[0].dtype == torch.int64 for s in samples)
    np.savez(tmp_path / "bad.npz", foo=z["input_ids"], bar=z["input_ids"], baz=z["input_ids"])
    with pytest.raises(ExportError, match="has inputs"):
        load_calibration(model, tmp_path / "bad.npz", 10)


def test_sentences_need_a_tokenizer(text_models, tmp_path):
    from mobilekit.export.calibration import load_calibration
    from mobilekit.export.loading import load_model

    (tmp_path / "s.txt").write_text("One real sentence.\nAnother one here.\n")
    model = load_model(_config(tmp_path))
    with pytest.raises(ExportError, match="no tokenizer") as info:
        load_calibration(model, tmp_path / "s.txt", 10)
    assert "--tokenizer DIR" in info.value.hint


def test_sentences_through_a_real_tokenizer(text_models, tmp_path):
    from mobilekit.export.calibration import load_calibration
    from mobilekit.export.loading import load_model
    from mobilekit.export.models.minilm import model_dir

    (tmp_path / "s.txt").write_text("Quantization shrinks models for phones.\n\nA second, longer sentence with punctuation!\n")
    model = load_model(_config(tmp_path, tokenizer=model_dir()))
    assert model.tokenizer.max_length == 12 and model.tokenizer.inputs["attention_mask"] == "attention_mask"
    samples = load_calibration(model, tmp_path / "s.txt", 10)
    assert len(samples) == 2
    ids, mask = samples[0]
    assert ids[0, 0] == 101 and 102 in ids[0].tolist() and int(mask.sum()) == ids[0].ne(0).sum()
    assert samples[1][1].sum() == 12  # truncated to the example length, [SEP] kept last
    assert samples[1][0][0, -1] == 102


def test_auto_recipe_reads_the_graph():
    from mobilekit.export.quant.weights import choose_recipe

    class Conv(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.fc = torch.nn.Conv2d(3, 8, 3), torch.nn.Conv2d(8, 8, 3), torch.nn.Linear(8, 2)

        def forward(self, x):
            return self.fc(self.b(self.a(x)).mean((2, 3)))

    class Rnn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.e, self.r, self.fc = torch.nn.Embedding(10, 8), torch.nn.LSTM(8, 8, batch_first=True), torch.nn.Linear(8, 2)

        def forward(self, x):
            return self.fc(self.r(self.e(x))[0])

    conv = choose_recipe(torch.export.export(Conv().eval(), (torch.randn(1, 3, 16, 16),)))
    assert conv.precision == "int8" and "conv-heavy (2 conv, 1 linear)" in conv.reason
    rnn = choose_recipe(torch.export.export(Rnn().eval(), (torch.zeros(1, 5, dtype=torch.long),)))
    assert rnn.precision == "int8dyn" and "recurrent" in rnn.reason and rnn.counts["embedding"] == 1


def test_degenerate_reason_cases():
    from mobilekit.export.spec import EvalSet
    from mobilekit.export.validate import Reference, degenerate_reason

    ev = EvalSet(samples=[()] * 3)
    same = [np.ones((1, 4), np.float32)] * 3
    assert "same output" in degenerate_reason(Reference(outputs=same, labels=None), ev)
    assert "all zeros" in degenerate_reason(Reference(outputs=[np.zeros((1, 4), np.float32)] * 3, labels=None), ev)
    assert "NaN" in degenerate_reason(Reference(outputs=[np.full((1, 4), np.nan, np.float32)] * 3, labels=None), ev)
    varied = [np.random.default_rng(i).normal(size=(1, 4)).astype(np.float32) for i in range(3)]
    assert degenerate_reason(Reference(outputs=varied, labels=None), ev) is None


def test_embedding_floor_uses_cosine():
    from mobilekit.export.config import FidelityFloor
    from mobilekit.export.validate import below_floor

    floor = FidelityFloor(min_cosine=0.99)
    assert below_floor({"output_kind": "embedding", "cosine_min": 0.995, "sqnr_db": 18.0}, floor) == []
    (miss,) = below_floor({"output_kind": "embedding", "cosine_min": 0.97, "sqnr_db": 30.0}, floor)
    assert "cosine similarity with FP32 falls to 0.9700" in miss
