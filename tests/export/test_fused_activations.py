"""Conv/linear + ReLU6/hardtanh/clamp quantize as one pattern, lower completely to XNNPACK, and match eager.

The network here is built so that its convolutions' pre-clamp outputs span about +-200 while ReLU6 keeps
[0, 6]: exactly what a trained ReLU6 network (EfficientNet-Lite, MobileNetV2) looks like to an observer.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from mobilekit.export.config import StaticInt8Config
from mobilekit.export.quant.pt2e import quantize_pt2e, xnnpack_quantizer
from mobilekit.export.validate import sqnr_db

from target_helpers import loaded


class Relu6Net(nn.Module):
    """conv-bn-ReLU6, a depthwise conv-ReLU6, a pointwise conv-hardtanh, a clamp after linear."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.pw = nn.Conv2d(16, 24, 1)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = nn.functional.relu6(self.bn(self.stem(x)))
        x = nn.functional.relu6(self.dw(x))
        x = nn.functional.hardtanh(self.pw(x), 0.0, 6.0)
        return torch.clamp(self.fc(x.mean(dim=(2, 3))), -3.0, 3.0) * 4.0


def _net() -> nn.Module:
    torch.manual_seed(0)
    net = Relu6Net()
    with torch.no_grad():  # wide pre-clamp ranges, as trained ReLU6 networks have
        net.stem.weight.mul_(40.0)
        net.bn.running_var.fill_(1.0)
        net.dw.weight.mul_(8.0)
        net.pw.weight.mul_(6.0)
    return net.eval()


def _data(n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(1, 1, 28, 28, generator=g),) for _ in range(n)]


def _stock_quantizer():
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import XNNPACKQuantizer, get_symmetric_quantization_config

    return XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True))


def _run(gm, samples) -> np.ndarray:
    with torch.no_grad():
        return np.concatenate([gm(*s).numpy() for s in samples])


def test_clamp_outputs_are_observed_after_the_clamp():
    model = loaded(_net())
    quantizer = xnnpack_quantizer(StaticInt8Config(), model)
    gm = quantize_pt2e(model, quantizer, _data(16, 0))
    assert quantizer.fused_clamps == 4  # stem, depthwise, pointwise, linear
    for node in gm.graph.nodes:
        if node.op == "call_function" and node.target in (torch.ops.aten.conv2d.default, torch.ops.aten.linear.default):
            (user,) = node.users  # nothing between the conv/linear and its clamp: no requantization of the wide range
            assert user.target in (torch.ops.aten.relu6.default, torch.ops.aten.hardtanh.default)  # clamp became hardtanh
            assert "quantize_per_tensor" in str(next(iter(user.users)).target)


def test_fusion_fixes_the_collapse_the_stock_quantizer_causes():
    model = loaded(_net())
    calib, held = _data(32, 0), _data(32, 1)
    ref = _run(model.module, held)
    stock = sqnr_db(ref, _run(quantize_pt2e(model, _stock_quantizer(), calib), held))
    fused = sqnr_db(ref, _run(quantize_pt2e(model, xnnpack_quantizer(StaticInt8Config(), model), calib), held))
    assert fused > 25.0, fused
    assert fused > stock + 10.0, (stock, fused)


def test_keep_float_still_excludes_a_fused_layer():
    model = loaded(_net())
    quantizer = xnnpack_quantizer(StaticInt8Config(keep_float=("dw",)), model)
    gm = quantize_pt2e(model, quantizer, _data(8, 0))
    assert quantizer.fused_clamps == 3
    for node in gm.graph.nodes:
        if node.op == "call_function" and node.target == torch.ops.aten.conv2d.default:
            quantized = "dequantize" in str(node.args[1].target)
            depthwise = len(node.args) > 6 and node.args[6] > 1
            assert quantized == (not depthwise)  # only the depthwise conv stays float


@pytest.mark.parametrize("kind", ["relu6", "hardtanh", "clamp"])
def test_fused_graph_lowers_completely_and_the_pte_matches_eager(kind, tmp_path):
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower
    from executorch.runtime import Runtime

    act = {"relu6": nn.ReLU6(), "hardtanh": nn.Hardtanh(0.0, 6.0), "clamp": None}[kind]

    class One(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3, padding=1)
            self.fc = nn.Linear(8, 10)

        def forward(self, x):
            y = self.conv(x)
            y = act(y) if act is not None else torch.clamp(y, 0.0, 6.0)
            return self.fc(y.mean(dim=(2, 3), keepdim=True).flatten(1))

    torch.manual_seed(0)
    model = loaded(One())
    with torch.no_grad():
        model.module.conv.weight.mul_(30.0)
    samples = _data(8, 0)
    gm = quantize_pt2e(model, xnnpack_quantizer(StaticInt8Config(), model), samples)
    program = torch.export.export(gm, tuple(model.example_inputs), strict=False)
    edge = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()])
    leftover = [n.target.__name__ for n in edge.exported_program().graph_module.graph.nodes
                if n.op == "call_function" and "executorch_call_delegate" not in str(n.target) and "getitem" not in str(n.target)]
    assert leftover == [], f"not delegated to XNNPACK: {leftover}"
    path = tmp_path / "m.pte"
    path.write_bytes(edge.to_executorch().buffer)
    method = Runtime.get().load_program(str(path)).load_method("forward")
    eager = _run(gm, samples)
    pte = np.concatenate([method.execute(list(s))[0].numpy() for s in samples])
    assert sqnr_db(eager, pte) > 35.0
