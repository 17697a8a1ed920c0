"""INT8 recurrent weights for ONNX Runtime: a model's ``LSTM`` nodes as ``com.microsoft.DynamicQuantizeLSTM``.

``quantize_static`` (QDQ) has no LSTM/GRU quantizer, so a conv+LSTM model that ``--quant auto`` sends to static
INT8 kept its recurrent weights (usually most of its bytes) in float. :func:`quantize_recurrent` takes that QDQ
``.onnx``, or an FP32 one, and runs ``quantize_dynamic`` restricted to its LSTM nodes: INT8 weights (per output
channel by default: one scale per gate row and direction), input and hidden state quantized at run time inside
the kernel; every other node is left exactly as it was (a QDQ model stays QDQ).

What it does first, and what it leaves float (each named in the returned record, with the reason):

- The dynamo exporter computes an LSTM's ``W``/``R`` from the PyTorch weights (Slice/Concat reordering the
  gates), so they are not initializers and ``quantize_dynamic`` would skip the node without a word. Those
  inputs are folded into initializers when everything they read is constant. An FP32 model is also run
  through ``quant_pre_process`` first (FIELD-NOTES: dynamic quantization of a dynamo export can fail without
  it); a QDQ model is not (its constant folding would fold the weights' DequantizeLinear into float).
- ``GRU`` and ``RNN``: ONNX Runtime has no dynamically quantized kernel for them (its quantizer registry has
  ``LSTM`` only). Rewrite the layer with :func:`mobilekit.export.quant.recurrent.rewrite_recurrent` before
  ``torch.onnx.export``: its gates become MatMul nodes that ``quantize_dynamic`` covers.
- ``LSTM`` with ``layout=1`` (batch-major ONNX LSTM): ``DynamicQuantizeLSTM`` has no ``layout`` attribute and
  ORT's quantizer drops it, which would silently read the sequence as time-major. Left float (ORT's CPU LSTM
  refuses ``layout=1`` anyway; the dynamo exporter writes ``layout=0`` with Transposes).
"""

from __future__ import annotations

import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from mobilekit.export.targets.base import TargetError

GRU_REASON = ("ONNX Runtime has no dynamically quantized GRU/RNN kernel (DynamicQuantizeLSTM only); rewrite the "
              "layer with mobilekit.export.quant.recurrent.rewrite_recurrent before torch.onnx.export so its gates "
              "are MatMul nodes quantize_dynamic covers")
LAYOUT_REASON = ("layout=1 (batch-major): ONNX Runtime's CPU LSTM kernel refuses it, and DynamicQuantizeLSTM has no "
                 "layout attribute (ORT's quantizer drops it, which would read the sequence time-major); export with "
                 "layout 0, as the dynamo exporter does")
QDQ_OPS = ("QuantizeLinear", "DequantizeLinear")


@dataclass(frozen=True)
class RecurrentQuantization:
    """What :func:`quantize_recurrent` did: the LSTM nodes now INT8, the recurrent nodes left float and why."""

    quantized: tuple[str, ...]
    left_float: tuple[tuple[str, str, str], ...]  # (node name, op type, reason)
    per_channel: bool
    preprocessed: bool
    folded_inputs: int  # W/R inputs folded into initializers

    def to_json(self) -> dict:
        return {
            "engine": "onnxruntime quantize_dynamic (LSTM -> com.microsoft.DynamicQuantizeLSTM)",
            "granularity": "per_channel" if self.per_channel else "per_tensor",
            "weights": "int8 symmetric", "activations": "uint8, quantized at run time inside the kernel",
            "quantized": list(self.quantized),
            "left_float": [{"node": n, "op": op, "reason": r} for n, op, r in self.left_float],
        }


def recurrent_nodes(model) -> list:
    """The ``LSTM``/``GRU``/``RNN`` nodes of an ONNX model's main graph."""
    return [n for n in model.graph.node if n.op_type in ("LSTM", "GRU", "RNN")]


def _is_qdq(model) -> bool:
    return any(n.op_type in QDQ_OPS for n in model.graph.node)


def _layout(node) -> int:
    import onnx

    return next((int(onnx.helper.get_attribute_value(a)) for a in node.attribute if a.name == "layout"), 0)


def _fold_to_initializer(model, value: str) -> str | None:
    """Evaluate ``value`` if it is computed from constants only; add it as an initializer. Returns its new name,
    or None when it reads a graph input (then it cannot be folded)."""
    import onnx
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    graph = model.graph
    inits = {i.name for i in graph.initializer}
    producers = {o: n for n in graph.node for o in n.output}
    needed, order, queue = set(), [], deque([value])
    while queue:
        name = queue.popleft()
        if not name or name in inits or name in needed:
            continue
        node = producers.get(name)
        if node is None:  # a graph input
            return None
        needed.add(name)
        order.append(node)
        queue.extend(node.input)
    nodes = [n for n in graph.node if n in order]  # graph order is topological
    used = {i for n in nodes for i in n.input}
    sub = onnx.helper.make_graph(
        nodes, "fold", [], [onnx.helper.make_tensor_value_info(value, onnx.TensorProto.FLOAT, None)],
        initializer=[i for i in graph.initializer if i.name in used])
    sub_model = onnx.helper.make_model(sub, opset_imports=model.opset_import)
    (array,) = ReferenceEvaluator(sub_model).run(None, {})
    name = f"{value}__folded"
    graph.initializer.append(numpy_helper.from_array(array, name))
    return name


def _drop_dead_nodes(model) -> None:
    """Remove the nodes (and initializers) nothing reads any more, e.g. the Slice/Concat that computed a folded W."""
    graph = model.graph
    if any(a.type in (5, 10) for n in graph.node for a in n.attribute):  # GRAPH/GRAPHS: outer-scope reads unseen
        return
    live = {o.name for o in graph.output}
    keep = []
    for node in reversed(list(graph.node)):
        if any(o in live for o in node.output):
            keep.append(node)
            live.update(node.input)
    keep.reverse()
    del graph.node[:]
    graph.node.extend(keep)
    used = {i for n in keep for i in n.input}
    kept_inits = [i for i in graph.initializer if i.name in used or i.name in {o.name for o in graph.output}]
    del graph.initializer[:]
    graph.initializer.extend(kept_inits)


def quantize_recurrent(src: str | Path, dst: str | Path, *, per_channel: bool = True,
                       preprocess: bool | None = None) -> RecurrentQuantization:
    """Write ``dst``: ``src`` (FP32, or QDQ static INT8) with every LSTM node quantized dynamically to INT8.

    ``preprocess``: run ``quant_pre_process`` first (default: for FP32 models, never for QDQ ones). Raises
    :class:`TargetError` if the model has no recurrent node, or if an LSTM that could be quantized was not."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    src, dst = Path(src), Path(dst)
    model = onnx.load(str(src))
    if not recurrent_nodes(model):
        raise TargetError(f"{src.name} has no LSTM, GRU or RNN node to quantize.",
                          "Call quantize_recurrent only on models with recurrent layers (see recurrent_nodes()).")
    qdq = _is_qdq(model)
    preprocessed = (not qdq) if preprocess is None else preprocess
    with tempfile.TemporaryDirectory(prefix="mobilekit-onnx-rnn-") as tmp:
        if preprocessed:
            from onnxruntime.quantization.shape_inference import quant_pre_process

            pre = Path(tmp) / "pre.onnx"
            try:
                quant_pre_process(str(src), str(pre))
            except Exception:  # noqa: BLE001 - symbolic shape inference fails on some exports; retry without it
                quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
            model = onnx.load(str(pre))
        left: list[tuple[str, str, str]] = []
        lstms: list[str] = []
        folded = 0
        inits = {i.name for i in model.graph.initializer}
        for node in recurrent_nodes(model):
            if node.op_type != "LSTM":
                left.append((node.name, node.op_type, GRU_REASON))
                continue
            if _layout(node) != 0:
                left.append((node.name, node.op_type, LAYOUT_REASON))
                continue
            constant = True
            for k in (1, 2):  # W, R
                if node.input[k] in inits:
                    continue
                name = _fold_to_initializer(model, node.input[k])
                if name is None:
                    constant = False
                    break
                node.input[k] = name
                inits.add(name)
                folded += 1
            if not constant:
                left.append((node.name, node.op_type, "its W/R weights are computed from a graph input, not constants"))
                continue
            lstms.append(node.name)
        if folded:
            _drop_dead_nodes(model)
        if lstms:
            quantize_dynamic(model, str(dst), op_types_to_quantize=["LSTM"], nodes_to_quantize=lstms,
                             per_channel=per_channel, weight_type=QuantType.QInt8)
        else:
            onnx.save_model(model, str(dst))
    out = onnx.load(str(dst))
    quantized = [n for n in out.graph.node if n.op_type == "DynamicQuantizeLSTM"]
    if len(quantized) != len(lstms):
        raise TargetError(f"quantize_dynamic turned {len(quantized)} of the {len(lstms)} LSTM nodes of {src.name} into "
                          "DynamicQuantizeLSTM; the others kept float weights.",
                          "This is a mobilekit bug; please report it with the model.")
    return RecurrentQuantization(tuple(lstms), tuple(left), per_channel, preprocessed, folded)
