"""The recurrent-layer rewrite (mobilekit.export.quant.recurrent): nn.LSTM / nn.GRU / nn.RNN as cells of nn.Linear
gates, equal to the original in FP32, quantizable by torchao and PT2E, and lowered to XNNPACK without the
portable split/squeeze/select/stack of the stock decomposition.

Fast tests: eager equivalence over every option real models use, the record, refusals by name, torchao and PT2E
seeing the gates, and the delegation of a small LSTM. The real lstm_tagger through ExecuTorch's runtime is in
test_recurrent_tagger.py (slow).
"""

from __future__ import annotations

import itertools

import pytest
import torch
from torch import nn

from mobilekit.export.errors import ExportError
from mobilekit.export.quant.recurrent import (
    RecurrentRewriteError,
    UnrolledRecurrent,
    recurrent_layers,
    rewrite_recurrent,
)

TOL = 1e-5


def _flat(result, kind: str) -> list[torch.Tensor]:
    out, state = result
    return [out, *state] if kind == "LSTM" else [out, state]


def _inputs(kind, batch_first, batched, layers, directions, hidden, proj, given, gen):
    n, t, i = 3, 5, 6
    x = torch.randn((n, t, i) if batch_first else (t, n, i), generator=gen)
    if not batched:
        x = x[0] if batch_first else x[:, 0]
    if not given:
        return x, None
    lead = (layers * directions, n) if batched else (layers * directions,)
    h0 = torch.randn(*lead, proj or hidden, generator=gen)
    if kind != "LSTM":
        return x, h0
    return x, (h0, torch.randn(*lead, hidden, generator=gen))


# Every combination of direction, layout, initial state and batching, for each kind, with two layers (so the
# stacking is covered); bias and projection alternate across the grid so each value meets each of the others.
CASES = [
    (kind, 2, bidir, bf, not (bidir and bf) if kind != "GRU" else bf == given,
     4 if kind == "LSTM" and bf != given else 0, given, batched)
    for kind, bidir, bf, given, batched in itertools.product(
        ("LSTM", "GRU", "RNN"), (False, True), (False, True), (False, True), (True, False))
]


@pytest.mark.parametrize("kind,layers,bidir,batch_first,bias,proj,given,batched", CASES)
def test_rewrite_equals_original_in_fp32(kind, layers, bidir, batch_first, bias, proj, given, batched):
    torch.manual_seed(0)
    kwargs = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    if proj:
        kwargs["proj_size"] = proj
    rnn = getattr(nn, kind)(6, 7, **kwargs).eval()
    new, record = rewrite_recurrent(rnn)
    x, hx = _inputs(kind, batch_first, batched, layers, 2 if bidir else 1, 7, proj, given, torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = _flat(rnn(x, hx) if given else rnn(x), kind)
        got = _flat(new(x, hx) if given else new(x), kind)
    for w, g in zip(want, got):
        assert g.shape == w.shape
        assert torch.allclose(g, w, atol=TOL, rtol=0), float((g - w).abs().max())
    assert len(record.layers) == 1 and record.layers[0].num_layers == layers


def test_relu_rnn_and_a_single_step():
    torch.manual_seed(0)
    rnn = nn.RNN(4, 5, nonlinearity="relu", batch_first=True).eval()
    new, record = rewrite_recurrent(rnn)
    x = torch.randn(2, 1, 4)
    with torch.no_grad():
        for w, g in zip(_flat(rnn(x), "RNN"), _flat(new(x), "RNN")):
            assert torch.allclose(g, w, atol=TOL, rtol=0)
    assert record.layers[0].kind == "RNN_RELU"


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 8)
        self.lstm = nn.LSTM(8, 12, batch_first=True, bidirectional=True)
        self.gru = nn.GRU(24, 6, num_layers=2)
        self.head = nn.Linear(6, 3)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(ids))
        out, _ = self.gru(out.transpose(0, 1))
        return self.head(out)


def test_record_names_and_the_original_untouched():
    torch.manual_seed(0)
    model = Tagger().eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert recurrent_layers(model) == ["lstm", "gru"]
    new, record = rewrite_recurrent(model)
    assert isinstance(model.lstm, nn.LSTM) and isinstance(model.gru, nn.GRU)  # the original is untouched
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert isinstance(new.lstm, UnrolledRecurrent) and recurrent_layers(new) == []
    assert record.linears == ("lstm.l0.ih", "lstm.l0.hh", "lstm.l0_reverse.ih", "lstm.l0_reverse.hh",
                              "gru.l0.ih", "gru.l0.hh", "gru.l1.ih", "gru.l1.hh")
    assert all(isinstance(new.get_submodule(n), nn.Linear) for n in record.linears)
    js = record.to_json()
    assert [layer["name"] for layer in js["layers"]] == ["lstm", "gru"]
    assert js["layers"][0] | {"linears": None} == {
        "name": "lstm", "kind": "LSTM", "input_size": 8, "hidden_size": 12, "num_layers": 1, "bidirectional": True,
        "batch_first": True, "bias": True, "proj_size": 0, "dropout": 0.0, "linears": None}
    ids = torch.randint(0, 20, (2, 9))
    with torch.no_grad():
        assert torch.allclose(new(ids), model(ids), atol=TOL, rtol=0)


def test_projection_names_its_linear():
    new, record = rewrite_recurrent(nn.Sequential(nn.LSTM(4, 8, proj_size=3)))
    assert record.linears == ("0.l0.ih", "0.l0.hh", "0.l0.proj")
    assert new[0].l0.proj.weight.shape == (3, 8) and new[0].l0.hh.weight.shape == (32, 3)


def test_no_recurrent_layers_is_a_plain_copy():
    model = nn.Sequential(nn.Linear(3, 3))
    new, record = rewrite_recurrent(model)
    assert new is not model and record.layers == () and record.to_json()["layers"] == []


def test_dropout_between_layers_only_in_training():
    torch.manual_seed(0)
    rnn = nn.LSTM(4, 6, num_layers=2, dropout=0.5)
    new, _ = rewrite_recurrent(rnn.eval())
    x = torch.randn(5, 2, 4)
    with torch.no_grad():
        assert torch.allclose(new(x)[0], rnn(x)[0], atol=TOL, rtol=0)  # eval: dropout is the identity
        new.train()
        torch.manual_seed(1)
        a = new(x)[0]
        torch.manual_seed(2)
        b = new(x)[0]
    assert not torch.allclose(a, b)  # training: the inter-layer dropout is applied, as nn.LSTM does


def test_packed_sequence_refused_by_name():
    model = Tagger().eval()
    new, _ = rewrite_recurrent(model)
    packed = nn.utils.rnn.pack_padded_sequence(torch.randn(2, 4, 8), torch.tensor([4, 2]), batch_first=True)
    with pytest.raises(RecurrentRewriteError, match=r"'lstm' \(LSTM\): a PackedSequence input") as info:
        new.lstm(packed)
    assert isinstance(info.value, ExportError) and "pad_packed_sequence" in str(info.value)


def test_dynamic_sequence_length_refused_at_export():
    new, _ = rewrite_recurrent(nn.Sequential(nn.GRU(3, 4, batch_first=True)))

    class Out(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = new[0]

        def forward(self, x):
            return self.rnn(x)[0]

    seq = torch.export.Dim("seq", min=2, max=16)
    with pytest.raises(Exception, match="sequence length is dynamic|static sequence length"):
        torch.export.export(Out(), (torch.randn(1, 5, 3),), dynamic_shapes=({1: seq},), strict=False)


def test_subclass_with_its_own_forward_refused_by_name():
    class Peephole(nn.LSTM):
        def forward(self, x, hx=None):
            return super().forward(x * 2, hx)

    with pytest.raises(RecurrentRewriteError, match=r"'enc' is a Peephole, which overrides LSTM.forward"):
        rewrite_recurrent(nn.ModuleDict({"enc": Peephole(3, 4)}))


def test_torchao_int8dyn_quantizes_every_gate():
    from torchao.quantization.granularity import PerAxis
    from torchao.quantization.quant_api import Int8DynamicActivationIntxWeightConfig, quantize_

    torch.manual_seed(0)
    model = Tagger().eval()
    new, record = rewrite_recurrent(model)
    quantize_(new, Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int8, weight_granularity=PerAxis(0)),
              filter_fn=lambda m, fqn: isinstance(m, nn.Linear))
    for name in record.linears:
        weight = new.get_submodule(name).weight
        assert type(weight).__name__ != "Parameter" and weight.__class__ is not torch.Tensor, name
    ids = torch.randint(0, 20, (1, 9))
    with torch.no_grad():
        ref, got = model(ids), new(ids)
    cos = torch.nn.functional.cosine_similarity(ref.flatten(), got.flatten(), dim=0)
    assert cos > 0.999 and (ref.argmax(-1) == got.argmax(-1)).float().mean() > 0.9


@pytest.mark.slow  # lowering the stock nn.LSTM takes ~30 s on a busy 2-core host
def test_a_small_lstm_lowers_to_one_xnnpack_delegate():
    """The stock nn.LSTM decomposition leaves split_with_sizes/squeeze on the portable kernels and cuts the graph
    into one delegate per step; the rewrite leaves no compute op outside XNNPACK (the embedding aside)."""
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.devtools.backend_debug import get_delegation_info
    from executorch.exir import to_edge_transform_and_lower

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(4, 8, batch_first=True)
            self.head = nn.Linear(8, 2)

        def forward(self, x):
            return self.head(self.lstm(x)[0])

    torch.manual_seed(0)
    x = torch.randn(1, 3, 4)

    def lower(m):
        edge = to_edge_transform_and_lower(torch.export.export(m, (x,), strict=False), partitioner=[XnnpackPartitioner()])
        info = get_delegation_info(edge.exported_program().graph_module)
        ops = {op: b.non_delegated for op, b in info.delegation_by_operator.items() if b.non_delegated and op != "getitem"}
        return info, ops

    stock_info, stock_ops = lower(Net().eval())
    assert any("split" in op or "squeeze" in op for op in stock_ops), stock_ops
    new, _ = rewrite_recurrent(Net().eval())
    info, ops = lower(new)
    assert ops == {} and info.num_delegated_subgraphs == 1, (ops, info.get_summary())


def test_dynamic_recurrent_quantizer_static_convs_dynamic_gates_float_cell_math():
    """One PT2E pass: the conv statically quantized (calibrated scale), every gate linear of the rewritten LSTM
    dynamically (scale chosen at run time), and the cell's sigmoid/tanh/mul/add left in float."""
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    from mobilekit.export.quant.recurrent import dynamic_recurrent_quantizer

    class ConvLSTM(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.rows = nn.LSTM(4 * 6, 8, batch_first=True)
            self.fc = nn.Linear(8, 3)

        def forward(self, x):
            f = torch.relu(self.conv(x))  # [1, 4, 6, 6]
            seq = f.permute(0, 2, 1, 3).reshape(1, 6, 24)
            return self.fc(self.rows(seq)[1][0].reshape(1, 8))

    torch.manual_seed(0)
    new, record = rewrite_recurrent(ConvLSTM().eval())
    x = torch.randn(1, 1, 6, 6)
    prepared = prepare_pt2e(torch.export.export(new, (x,), strict=False).module(), dynamic_recurrent_quantizer())
    with torch.no_grad():
        for _ in range(4):
            prepared(torch.randn(1, 1, 6, 6))
    gm = convert_pt2e(prepared)

    def producer(node):
        arg = node.args[0]
        return str(arg.target) if isinstance(arg, torch.fx.Node) else ""

    def layer(node):
        stack = node.meta.get("nn_module_stack") or {}
        return list(stack.values())[-1][0] if stack else ""

    seen = {}
    for node in gm.graph.nodes:
        if node.op != "call_function":
            continue
        name = str(node.target)
        if "conv2d" in name or "linear" in name:
            seen[layer(node)] = producer(node)
        elif any(op in name for op in ("sigmoid", "tanh", "aten.mul", "aten.add")) and "rows" in layer(node):
            assert "dequantize" not in producer(node), (node, producer(node))
    assert seen["conv"] == "quantized_decomposed.dequantize_per_tensor.default"  # static: calibrated constant scale
    for gate in record.linears:
        assert seen[gate] == "quantized_decomposed.dequantize_per_tensor.tensor", (gate, seen[gate])  # run-time scale
    assert seen["fc"] == "quantized_decomposed.dequantize_per_tensor.default"


def test_ptl_quantize_dynamic_covers_lstm_and_gru_and_the_rewrite_covers_the_rest():
    """PyTorch Mobile (.ptl): torch.ao's quantize_dynamic, as export/targets/ptl.py calls it, swaps nn.LSTM (any
    layers/directions/layout) and nn.GRU for its dynamic INT8 modules, which the lite interpreter runs. It swaps an
    LSTM with proj_size too, silently dropping the projection (wrong output width) and leaves nn.RNN float (no dynamic nn.RNN in torch.ao); rewritten first, their gates are
    nn.Linear that quantize_dynamic covers, traced for the lite interpreter."""
    import io
    import warnings

    from torch.ao.quantization import qconfig as qc
    from torch.ao.quantization import quantize_dynamic
    from torch.ao.nn.quantized import dynamic as qdyn
    from torch.jit.mobile import _load_for_lite_interpreter

    class Wrap(nn.Module):
        def __init__(self, rnn):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            return self.rnn(x)[0]

    def lite(module, x):
        traced = torch.jit.trace(module, (x,))
        buf = io.BytesIO(traced._save_to_buffer_for_lite_interpreter())
        buf.seek(0)
        return _load_for_lite_interpreter(buf)(x)

    previous = torch.backends.quantized.engine
    torch.backends.quantized.engine = "qnnpack"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.manual_seed(0)
            x = torch.randn(1, 5, 8)
            for rnn, qtype in ((nn.LSTM(8, 16, num_layers=2, bidirectional=True, batch_first=True), qdyn.LSTM),
                               (nn.GRU(8, 16, batch_first=True), qdyn.GRU)):
                m = Wrap(rnn).eval()
                q = quantize_dynamic(m, {"rnn": qc.default_dynamic_qconfig}, dtype=torch.qint8)
                assert type(q.rnn) is qtype
                assert (lite(q, x) - m(x)).abs().max() < 0.02
            proj = Wrap(nn.LSTM(8, 16, proj_size=4, batch_first=True)).eval()
            broken = quantize_dynamic(proj, {"rnn": qc.default_dynamic_qconfig}, dtype=torch.qint8)
            # the dynamic quantized LSTM drops the projection without a word: 16 features come out, not 4
            assert broken(x).shape[-1] == 16 and proj(x).shape[-1] == 4
            plain = Wrap(nn.RNN(8, 16, batch_first=True)).eval()
            assert type(quantize_dynamic(plain, {"rnn": qc.default_dynamic_qconfig}, dtype=torch.qint8).rnn) is nn.RNN
            for m in (proj, plain):
                new, record = rewrite_recurrent(m)
                q = quantize_dynamic(new, {n: qc.per_channel_dynamic_qconfig for n in record.linears}, dtype=torch.qint8)
                assert all(type(q.get_submodule(n)) is qdyn.Linear for n in record.linears)
                assert (lite(q, x) - m(x)).abs().max() < 0.02
    finally:
        torch.backends.quantized.engine = previous
