"""quantize_recurrent (mobilekit.export.targets.onnx_recurrent) on a small hand-built ONNX graph: an LSTM whose W is
computed (as the dynamo exporter writes it) becomes DynamicQuantizeLSTM with per-channel INT8 weights; a GRU and a
batch-major (layout=1) LSTM are left float, each with its reason; a QDQ model is not pre-processed. The real
conv+LSTM model is in test_recurrent_crnn.py (slow)."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from mobilekit.export.targets.base import TargetError  # noqa: E402
from mobilekit.export.targets.onnx_recurrent import GRU_REASON, LAYOUT_REASON, quantize_recurrent  # noqa: E402

T, N, I, H = 5, 2, 6, 8


def _model(path, *, qdq: bool = False, with_lstm: bool = True, batch_major: bool = False):
    rng = np.random.default_rng(0)

    def init(name, *shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.4).astype(np.float32), name)

    inits = [init("W_top", 1, 2 * H, I), init("W_bottom", 1, 2 * H, I), init("R", 1, 4 * H, H), init("B", 1, 8 * H),
             init("Wg", 1, 3 * H, I), init("Rg", 1, 3 * H, H), init("W2", 1, 4 * H, I), init("R2", 1, 4 * H, H),
             numpy_helper.from_array(np.array(0.05, np.float32), "s"), numpy_helper.from_array(np.array(128, np.uint8), "z")]
    nodes = []
    gru_in = "x"
    if qdq:
        nodes += [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["xq"], name="q"),
                  helper.make_node("DequantizeLinear", ["xq", "s", "z"], ["xdq"], name="dq")]
        gru_in = "xdq"
    outputs = [helper.make_tensor_value_info("yg", TensorProto.FLOAT, [T, 1, N, H])]
    nodes.append(helper.make_node("GRU", [gru_in, "Wg", "Rg"], ["yg"], name="gru", hidden_size=H))
    if with_lstm:
        nodes += [
            helper.make_node("Concat", ["W_top", "W_bottom"], ["W"], name="gates", axis=1),  # W computed, not stored
            helper.make_node("LSTM", ["x", "W", "R", "B"], ["y"], name="lstm", hidden_size=H),
        ]
        outputs.append(helper.make_tensor_value_info("y", TensorProto.FLOAT, [T, 1, N, H]))
    if batch_major:  # ONNX Runtime's CPU LSTM refuses layout=1 outright: such a model is only checked structurally
        nodes.append(helper.make_node("LSTM", ["xb", "W2", "R2"], ["y2"], name="lstm_batch_major", hidden_size=H, layout=1))
        outputs.append(helper.make_tensor_value_info("y2", TensorProto.FLOAT, [N, T, 1, H]))
    graph = helper.make_graph(
        nodes, "rnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [T, N, I]),
                       helper.make_tensor_value_info("xb", TensorProto.FLOAT, [N, T, I])],
        outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)
    onnx.save_model(model, str(path))
    return path


def _run(path, feeds):
    so = ort.SessionOptions()
    so.add_session_config_entry("session.x64quantprecision", "1")
    so.log_severity_level = 3
    s = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in s.get_outputs()], s.run(None, feeds)))


def test_lstm_becomes_dynamic_int8_and_the_rest_is_left_float_with_reasons(tmp_path):
    src = _model(tmp_path / "fp32.onnx")
    dst = tmp_path / "int8.onnx"
    record = quantize_recurrent(src, dst, preprocess=False)
    assert record.quantized == ("lstm",) and record.folded_inputs == 1 and record.per_channel
    assert record.left_float == (("gru", "GRU", GRU_REASON),)
    model = onnx.load(str(dst))
    (q,) = [n for n in model.graph.node if n.op_type == "DynamicQuantizeLSTM"]
    assert q.domain == "com.microsoft"
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    assert inits[q.input[1]].dtype == np.int8 and inits[q.input[8]].shape == (1, 4 * H)  # W: INT8, a scale per gate row
    assert "Concat" not in [n.op_type for n in model.graph.node]  # the folded W's producer is gone
    js = record.to_json()
    assert js["granularity"] == "per_channel" and js["left_float"][0]["reason"]

    rng = np.random.default_rng(1)
    feeds = {"x": rng.standard_normal((T, N, I)).astype(np.float32), "xb": rng.standard_normal((N, T, I)).astype(np.float32)}
    want, got = _run(src, feeds), _run(dst, feeds)
    np.testing.assert_array_equal(got["yg"], want["yg"])  # the untouched GRU computes exactly what it did
    assert got["y"].shape == want["y"].shape and 0 < np.abs(got["y"] - want["y"]).max() < 0.05


def test_batch_major_lstm_is_left_float(tmp_path):
    record = quantize_recurrent(_model(tmp_path / "bm.onnx", batch_major=True), tmp_path / "out.onnx", preprocess=False)
    assert record.quantized == ("lstm",)
    assert ("lstm_batch_major", "LSTM", LAYOUT_REASON) in record.left_float
    ops = [n.op_type for n in onnx.load(str(tmp_path / "out.onnx")).graph.node]
    assert ops.count("LSTM") == 1 and ops.count("DynamicQuantizeLSTM") == 1


def test_fp32_models_are_preprocessed_and_qdq_models_are_not(tmp_path):
    record = quantize_recurrent(_model(tmp_path / "fp32.onnx"), tmp_path / "a.onnx")
    assert record.preprocessed and record.quantized == ("lstm",)
    record = quantize_recurrent(_model(tmp_path / "qdq.onnx", qdq=True), tmp_path / "b.onnx")
    assert not record.preprocessed and record.quantized == ("lstm",)
    ops = [n.op_type for n in onnx.load(str(tmp_path / "b.onnx")).graph.node]
    assert ops.count("QuantizeLinear") == 1 and ops.count("DequantizeLinear") == 1  # the QDQ pair is kept as it was


def test_no_lstm_writes_the_model_unchanged_and_no_recurrent_node_is_an_error(tmp_path):
    record = quantize_recurrent(_model(tmp_path / "gru.onnx", with_lstm=False), tmp_path / "out.onnx", preprocess=False)
    assert record.quantized == () and [r[1] for r in record.left_float] == ["GRU"]
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    onnx.save_model(helper.make_model(graph, ir_version=8), str(tmp_path / "relu.onnx"))
    with pytest.raises(TargetError, match="has no LSTM, GRU or RNN node"):
        quantize_recurrent(tmp_path / "relu.onnx", tmp_path / "x.onnx")
