"""Slow: the real lstm_tagger int8dyn .pte with its LSTM rewritten into nn.Linear gates, run by ExecuTorch's runtime.

The recipe is the repo's int8dyn (torchao ``Int8DynamicActivationIntxWeightConfig(int8, PerAxis(0))`` on every
linear, now the LSTM's gates too, and ``IntxWeightOnlyConfig`` INT8 on the embedding), lowered with
``to_edge_transform_and_lower`` + ``XnnpackPartitioner`` and ``to_executorch(do_quant_fusion_and_const_prop=True)``
exactly as export/targets/xnnpack.py does. This test rebuilds the first and last rows (``pytest -m slow -s``
prints them); the middle rows were measured once the same way (the stock model through ``weights.weight_quantized``,
and the rewritten model without quantization). Measured here (2-core x86 host, 125 held-out windows, 7,945 characters):

=====================  =========  ==========  ========  =======  ========  =================
.pte                   bytes      vs FP32     agree     acc      SQNR dB   delegate segments
=====================  =========  ==========  ========  =======  ========  =================
FP32 (nn.LSTM, today)  354,568    1           1.0000    0.9770   -         66
int8dyn today          343,304    0.968       1.0000    0.9770   50.3      66
FP32 rewritten         205,704    0.580       1.0000    0.9770   137       1
int8dyn rewritten      132,872    0.375       1.0000    0.9770   48.6      1
=====================  =========  ==========  ========  =======  ========  =================
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytestmark = pytest.mark.slow


def _lower(module, example, quantized: bool):
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.devtools.backend_debug import get_delegation_info
    from executorch.exir import ExecutorchBackendConfig, to_edge_transform_and_lower

    edge = to_edge_transform_and_lower(torch.export.export(module, example, strict=False),
                                       partitioner=[XnnpackPartitioner()])
    info = get_delegation_info(edge.exported_program().graph_module)
    et = edge.to_executorch(ExecutorchBackendConfig(do_quant_fusion_and_const_prop=True)) if quantized else edge.to_executorch()
    return et, info


def int8dyn(module: torch.nn.Module) -> torch.nn.Module:
    """The int8dyn recipe as export/quant/weights.py applies it: INT8 per-row embedding tables (weight only;
    ``padding_idx`` cleared so ExecuTorch fuses them into embedding_byte), then INT8 per-channel linear weights
    with dynamic activations. Spelled out here so this test does not follow that module's refactoring."""
    import copy

    from torchao.quantization.granularity import PerAxis
    from torchao.quantization.quant_api import Int8DynamicActivationIntxWeightConfig, IntxWeightOnlyConfig, quantize_

    q = copy.deepcopy(module).eval()
    for m in q.modules():
        if isinstance(m, torch.nn.Embedding):
            m.padding_idx = None
    quantize_(q, IntxWeightOnlyConfig(weight_dtype=torch.int8, granularity=PerAxis(0)),
              filter_fn=lambda m, fqn: isinstance(m, torch.nn.Embedding))
    quantize_(q, Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int8, weight_granularity=PerAxis(0)),
              filter_fn=lambda m, fqn: isinstance(m, torch.nn.Linear))
    return q


def _sqnr(ref: torch.Tensor, got: torch.Tensor) -> float:
    err = (got - ref).double()
    return 10 * np.log10(float((ref.double() ** 2).sum() / (err ** 2).sum()))


def _compute_ops(info) -> dict:
    return {op: b.non_delegated for op, b in info.delegation_by_operator.items() if b.non_delegated and op != "getitem"}


def test_lstm_tagger_int8dyn_pte_quantizes_the_lstm_and_keeps_every_decision(tmp_path):
    import executorch.kernels.quantized  # noqa: F401  (embedding_byte)
    from executorch.runtime import Runtime

    from mobilekit.export.kernels import check_program
    from mobilekit.export.models import lstm_tagger as lt
    from mobilekit.export.quant.recurrent import rewrite_recurrent

    model = lt.load_module()
    x, y, _ = lt.windows("eval")
    example = (x[:1].clone(),)

    fp32_et, fp32_info = _lower(model, example, quantized=False)  # today's FP32 artifact: stock nn.LSTM
    stock_ops = _compute_ops(fp32_info)
    assert stock_ops.get("aten_split_with_sizes_copy_default") and stock_ops.get("aten_squeeze_copy_dims")

    rewritten, record = rewrite_recurrent(model)
    assert record.linears == ("lstm.l0.ih", "lstm.l0.hh")
    quantized = int8dyn(rewritten)
    et, info = _lower(quantized, example, quantized=True)
    # Every recurrent op is inside the one XNNPACK delegate; the INT8 embedding table stays on the quantized
    # kernel library (its dequantize_affine fused into embedding_byte by to_executorch).
    assert set(_compute_ops(info)) <= {"aten_embedding_default", "torchao_dequantize_affine_default"}, _compute_ops(info)
    assert info.num_delegated_subgraphs == 1
    kernels = check_program(et.executorch_program)
    assert kernels.ok and "quantized_decomposed::embedding_byte.out" in kernels.operators, kernels.to_json()

    ratio = len(et.buffer) / len(fp32_et.buffer)
    assert ratio <= 0.40, (len(et.buffer), len(fp32_et.buffer))

    path = tmp_path / "lstm_tagger.xnnpack.int8dyn.pte"
    path.write_bytes(et.buffer)
    method = Runtime.get().load_program(str(path)).load_method("forward")
    got = torch.cat([method.execute([x[i:i + 1].contiguous()])[0].clone() for i in range(len(x))])
    with torch.no_grad():
        ref = model(x)
        eager_q = quantized(x)
    # the runtime computes the recipe (XNNPACK's dynamic-quantized kernels round a little differently from eager)
    assert _sqnr(eager_q, got) > 40, _sqnr(eager_q, got)

    real = x != lt.PAD
    agreement = float((got.argmax(-1) == ref.argmax(-1))[real].float().mean())
    accuracy = float((got.argmax(-1) == y)[real].float().mean())
    fp32_accuracy = float((ref.argmax(-1) == y)[real].float().mean())
    sqnr = _sqnr(ref, got)
    # today's int8dyn (float LSTM) on the same 7,945 characters: agreement 1.0000, accuracy 0.9770, 50.3 dB
    assert agreement >= 0.999 and abs(accuracy - fp32_accuracy) <= 0.001 and sqnr > 35, (agreement, accuracy, sqnr)
    print(f"\nlstm_tagger int8dyn: {len(et.buffer):,} B = {ratio:.3f}x FP32 ({len(fp32_et.buffer):,} B); "
          f"agreement {agreement:.4f}, accuracy {accuracy:.4f} (FP32 {fp32_accuracy:.4f}), SQNR {sqnr:.1f} dB on "
          f"{int(real.sum())} characters; delegated {info.num_delegated_nodes}/{info.num_delegated_nodes + info.num_non_delegated_nodes} "
          f"nodes (FP32 nn.LSTM: {fp32_info.num_delegated_nodes}/{fp32_info.num_delegated_nodes + fp32_info.num_non_delegated_nodes}, "
          f"{fp32_info.num_delegated_subgraphs} segments)")
