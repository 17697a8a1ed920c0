"""Recurrent layers (``nn.LSTM``, ``nn.GRU``, ``nn.RNN``) rewritten as cells of ``nn.Linear`` gates.

torchao's ``Int8DynamicActivationIntxWeightConfig`` and PT2E's ``XNNPACKQuantizer`` quantize
``nn.Linear`` (``aten.linear``); an ``nn.LSTM`` reaches them as one ``aten.lstm`` op whose weights stay
float, so an int8dyn ``.pte`` of a recurrent model was about as big as its FP32 one.
:func:`rewrite_recurrent` returns a copy of the model in which every recurrent layer is an equivalent
module of ``nn.Linear`` gates, unrolled over the (static) sequence length it is exported at:

- per layer and direction, ``<layer>.l<k>.ih`` (input -> gates, applied once to the whole sequence) and
  ``<layer>.l<k>.hh`` (hidden -> gates, once per step); ``<layer>.l<k>.proj`` for an LSTM with
  ``proj_size``; the reverse direction of a bidirectional layer is ``<layer>.l<k>_reverse.*``. The weights are
  PyTorch's (gate order kept); the hidden-side biases that are plain additions are folded into ``ih``;
- FP32 outputs equal the original's within float rounding (checked to 1e-5); the call signature is the
  original's (``out, (h_n, c_n) = lstm(x, (h0, c0))``), with ``num_layers``, ``bidirectional``,
  ``batch_first``, ``bias``, ``proj_size``, inter-layer ``dropout`` (training only, as in PyTorch),
  unbatched inputs, and initial states given or not;
- the unrolled loop uses only ops XNNPACK delegates: the sequence projection is flattened once and each
  step reads its gates with a ``slice`` (never ``select``/``squeeze``/``split``, which run on ExecuTorch's
  portable kernels and cut the graph into one delegate per step); per-step tensors are 2-D ``[N, features]``;
  sigmoid and tanh run once each over all gates and the gates are slices of their outputs; outputs and final
  states are ``cat`` + ``reshape`` (never ``stack``); the first step without an initial state skips the
  hidden-side linear instead of multiplying zeros.

What it costs: the unrolled graph has ~15 ops a step, and ExecuTorch's XNNPACK graph description takes about
100 bytes an op whatever the weights' precision, so for a small layer over a long sequence (``lstm_tagger``:
27k parameters, 64 steps) that description, not the weights, is most of an INT8 ``.pte``.

Packed sequences and dynamic sequence lengths are refused by name: the unrolled module runs a fixed
number of steps.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn

from mobilekit.export.errors import ExportError

RECURRENT_TYPES = (nn.LSTM, nn.GRU, nn.RNN)
_MODES = ("LSTM", "GRU", "RNN_TANH", "RNN_RELU")


class RecurrentRewriteError(ExportError):
    """A recurrent layer (or its input) that the unrolled rewrite cannot express; the message names it."""


def recurrent_layers(module: nn.Module) -> list[str]:
    """Module paths of the ``nn.LSTM``/``nn.GRU``/``nn.RNN`` layers in ``module`` (``""`` if it is one)."""
    return [name for name, m in module.named_modules() if isinstance(m, RECURRENT_TYPES)]


@dataclass(frozen=True)
class RewrittenLayer:
    """One recurrent layer as it was, and the linear layers that now compute it (for the manifest)."""

    name: str
    kind: str  # LSTM, GRU, RNN_TANH, RNN_RELU
    input_size: int
    hidden_size: int
    num_layers: int
    bidirectional: bool
    batch_first: bool
    bias: bool
    proj_size: int
    dropout: float
    linears: tuple[str, ...]

    def to_json(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "input_size": self.input_size, "hidden_size": self.hidden_size,
            "num_layers": self.num_layers, "bidirectional": self.bidirectional, "batch_first": self.batch_first,
            "bias": self.bias, "proj_size": self.proj_size, "dropout": self.dropout, "linears": list(self.linears),
        }


@dataclass(frozen=True)
class RecurrentRewrite:
    """What :func:`rewrite_recurrent` rewrote; ``to_json()`` is the manifest's record."""

    layers: tuple[RewrittenLayer, ...]

    @property
    def linears(self) -> tuple[str, ...]:
        """Every gate linear's module path, in layer order (what the weight-quantization recipes now see)."""
        return tuple(name for layer in self.layers for name in layer.linears)

    def to_json(self) -> dict:
        return {
            "method": "unrolled cells of nn.Linear gates (mobilekit.export.quant.recurrent)",
            "layers": [layer.to_json() for layer in self.layers],
        }


class _Cell(nn.Module):
    """One layer and direction: ``ih`` (input -> gates), ``hh`` (hidden -> gates), optional ``proj``."""

    def __init__(self, ih: nn.Linear, hh: nn.Linear, proj: nn.Linear | None):
        super().__init__()
        self.ih, self.hh = ih, hh
        if proj is not None:
            self.proj = proj


def _linear(weight: torch.Tensor, bias: torch.Tensor | None) -> nn.Linear:
    out_f, in_f = weight.shape
    lin = nn.Linear(in_f, out_f, bias=bias is not None, device=weight.device, dtype=weight.dtype)
    with torch.no_grad():
        lin.weight.copy_(weight)
        if bias is not None:
            lin.bias.copy_(bias)
    lin.weight.requires_grad_(weight.requires_grad)
    return lin


def _cell_from(rnn: nn.RNNBase, layer: int, suffix: str) -> _Cell:
    """The gate linears of one layer/direction, with the biases folded where that is exact arithmetic."""
    h = rnn.hidden_size
    w_ih = getattr(rnn, f"weight_ih_l{layer}{suffix}").detach()
    w_hh = getattr(rnn, f"weight_hh_l{layer}{suffix}").detach()
    b_ih = getattr(rnn, f"bias_ih_l{layer}{suffix}").detach() if rnn.bias else None
    b_hh = getattr(rnn, f"bias_hh_l{layer}{suffix}").detach() if rnn.bias else None
    proj = None
    if rnn.mode == "LSTM":  # gate rows i, f, g, o, as PyTorch stores them
        ih = _linear(w_ih, b_ih + b_hh if rnn.bias else None)
        hh = _linear(w_hh, None)
        if rnn.proj_size:
            proj = _linear(getattr(rnn, f"weight_hr_l{layer}{suffix}").detach(), None)
    elif rnn.mode == "GRU":
        # r and z add both biases; n's hidden bias sits inside r * (W_hn h + b_hn), so it stays on hh
        if rnn.bias:
            folded = b_ih.clone()
            folded[: 2 * h] += b_hh[: 2 * h]
            hh_bias = torch.cat([torch.zeros_like(b_hh[: 2 * h]), b_hh[2 * h:]])
        ih = _linear(w_ih, folded if rnn.bias else None)
        hh = _linear(w_hh, hh_bias if rnn.bias else None)
    else:  # RNN_TANH / RNN_RELU
        ih = _linear(w_ih, b_ih + b_hh if rnn.bias else None)
        hh = _linear(w_hh, None)
    return _Cell(ih, hh, proj)


class UnrolledRecurrent(nn.Module):
    """An ``nn.LSTM``/``nn.GRU``/``nn.RNN`` as ``nn.Linear`` gate cells, unrolled over the sequence.

    Called like the layer it replaces; its submodules are ``l<k>`` / ``l<k>_reverse`` cells holding
    ``ih``, ``hh`` (and ``proj``) linears."""

    def __init__(self, rnn: nn.RNNBase, name: str = ""):
        super().__init__()
        self.mode = rnn.mode
        self.layer_name = name or type(rnn).__name__
        self.input_size, self.hidden_size = rnn.input_size, rnn.hidden_size
        self.num_layers, self.bidirectional = rnn.num_layers, rnn.bidirectional
        self.batch_first, self.dropout = rnn.batch_first, float(rnn.dropout)
        self.proj_size = getattr(rnn, "proj_size", 0)
        self.cell_names: list[str] = []
        for layer in range(self.num_layers):
            for suffix in ("", "_reverse") if self.bidirectional else ("",):
                self.add_module(f"l{layer}{suffix}", _cell_from(rnn, layer, suffix))
                self.cell_names.append(f"l{layer}{suffix}")
        self.train(rnn.training)

    @property
    def out_size(self) -> int:
        return self.proj_size or self.hidden_size

    def extra_repr(self) -> str:
        return (f"{self.mode}({self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}, batch_first={self.batch_first}, proj_size={self.proj_size})")

    # ---- one direction of one layer ----------------------------------------------------------------
    # Every per-step tensor is 2-D [N, features]; the gate rows of one linear are read with slices.

    def _step_lstm(self, cell: _Cell, g: torch.Tensor, h, c):
        H = self.hidden_size
        if h is not None:
            g = g + cell.hh(h)
        s, u = torch.sigmoid(g), torch.tanh(g)  # full width: one op each instead of a slice before each
        i, f, cand, o = s[:, :H], s[:, H: 2 * H], u[:, 2 * H: 3 * H], s[:, 3 * H:]
        c = i * cand if c is None else f * c + i * cand
        h = o * torch.tanh(c)
        if self.proj_size:
            h = cell.proj(h)
        return h, c

    def _step_gru(self, cell: _Cell, g: torch.Tensor, h):
        H = self.hidden_size
        if h is None:  # h = 0: hh(h) is its bias, 0 for r and z (folded into ih) and b_hn for n
            s = torch.sigmoid(g)
            r, z = s[:, :H], s[:, H: 2 * H]
            pre_n = g[:, 2 * H:]
            if cell.hh.bias is not None:
                pre_n = pre_n + r * cell.hh.bias[2 * H:]
            n = torch.tanh(pre_n)
            return n - z * n
        gh = cell.hh(h)
        s = torch.sigmoid(g + gh)
        r, z = s[:, :H], s[:, H: 2 * H]
        n = torch.tanh(g[:, 2 * H:] + r * gh[:, 2 * H:])
        return n + z * (h - n)

    def _step_rnn(self, cell: _Cell, g: torch.Tensor, h):
        if h is not None:
            g = g + cell.hh(h)
        return torch.tanh(g) if self.mode == "RNN_TANH" else torch.relu(g)

    def _direction(self, cell: _Cell, x: torch.Tensor, steps: int, n: int, reverse: bool, h, c) -> tuple:
        """One direction over ``x`` [N, T, I] (batch first) or [T, N, I]; returns (output like ``x`` with the
        cell's output features, last h [N, out], last c [N, H] or None)."""
        gates = cell.ih(x)  # every step's input projection in one linear
        width = cell.ih.out_features
        if self.batch_first:
            flat = gates.reshape(n, steps * width)  # step t: columns [t*G, (t+1)*G)
        else:
            flat = gates.reshape(steps * n, width)  # step t: rows [t*N, (t+1)*N)
        outs: list = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            g = flat[:, t * width: (t + 1) * width] if self.batch_first else flat[t * n: (t + 1) * n]
            if self.mode == "LSTM":
                h, c = self._step_lstm(cell, g, h, c)
            elif self.mode == "GRU":
                h = self._step_gru(cell, g, h)
            else:
                h = self._step_rnn(cell, g, h)
            outs[t] = h
        out = outs[0] if steps == 1 else torch.cat(outs, dim=1 if self.batch_first else 0)
        shape = (n, steps, self.out_size) if self.batch_first else (steps, n, self.out_size)
        return out.reshape(shape), h, c

    # ---- the layer ---------------------------------------------------------------------------------

    def _refuse(self, what: str, hint: str):
        raise RecurrentRewriteError(f"Recurrent layer {self.layer_name!r} ({self.mode}): {what}", hint=hint)

    def forward(self, input: torch.Tensor, hx=None):
        if isinstance(input, nn.utils.rnn.PackedSequence):
            self._refuse("a PackedSequence input cannot run through the unrolled rewrite, which runs a fixed "
                         "number of steps on a padded tensor.",
                         "Feed the padded batch (pad_packed_sequence) at the exported length and mask the padded "
                         "positions downstream, or keep this layer out of the rewrite (it then stays float).")
        if input.dim() not in (2, 3):
            self._refuse(f"expected a 2-D (unbatched) or 3-D input, got {input.dim()}-D.", "Pass [T, N, I] or [N, T, I].")
        batched = input.dim() == 3
        steps = input.shape[1 if (self.batch_first and batched) else 0]
        if isinstance(steps, torch.SymInt):
            self._refuse("the sequence length is dynamic at export; the rewrite unrolls a fixed number of steps.",
                         "Export with a static sequence length (pad inputs to it), or keep this layer float.")
        if steps == 0:
            self._refuse("the input sequence is empty.", "Pass at least one time step.")
        steps = int(steps)  # torch.jit.trace hands out sizes as tensors; the loop is unrolled at this length
        if batched:
            x = input
        else:  # [T, I] is one sequence: [1, T, I] or [T, 1, I]
            x = input.reshape((1, steps, input.shape[-1]) if self.batch_first else (steps, 1, input.shape[-1]))
        n = int(x.shape[0] if self.batch_first else x.shape[1])
        D = 2 if self.bidirectional else 1
        h0 = c0 = None
        if hx is not None:
            h0, c0 = hx if self.mode == "LSTM" else (hx, None)
            h0 = h0.reshape(-1, h0.shape[-1])  # [L*D, N, out] -> [L*D*N, out]: state k is rows [k*N, (k+1)*N)
            c0 = None if c0 is None else c0.reshape(-1, c0.shape[-1])
        hs, cs = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(D):
                k = layer * D + d
                cell = getattr(self, self.cell_names[k])
                h = None if h0 is None else h0[k * n: (k + 1) * n]
                c = None if c0 is None else c0[k * n: (k + 1) * n]
                out, h, c = self._direction(cell, layer_in, steps, n, d == 1, h, c)
                outs.append(out)
                hs.append(h)
                cs.append(c)
            layer_in = outs[0] if D == 1 else torch.cat(outs, dim=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = nn.functional.dropout(layer_in, self.dropout, training=True)
        output = layer_in if batched else layer_in.reshape(steps, layer_in.shape[-1])

        def states(parts: list) -> torch.Tensor:  # [N, F] per layer/direction -> [L*D, N, F] (or [L*D, F])
            s = parts[0] if len(parts) == 1 else torch.cat(parts, dim=0)
            return s.reshape(len(parts), n, s.shape[-1]) if batched else s

        h_n = states(hs)
        if self.mode == "LSTM":
            return output, (h_n, states(cs))
        return output, h_n


def dynamic_recurrent_quantizer(quantizer=None, *, per_channel: bool = True):
    """A PT2E ``XNNPACKQuantizer`` for a model whose recurrent layers were rewritten by :func:`rewrite_recurrent`:
    the rewritten layers' gate linears get dynamic INT8 (INT8 weights, per channel by default; activations
    quantized at run time), everything else keeps what ``quantizer`` gives it (``None``: ExecuTorch's static
    per-channel INT8 config, calibrated).

    Why dynamic inside the recurrence: a step's input is the previous step's state, so one calibrated range per
    tensor would have to cover every step of every sequence, and a static config would also put
    quantize/dequantize pairs around the cell's elementwise ops (XNNPACK's sigmoid and tanh are FP32 only). A
    run-time scale fits each step's gate input, and the cell math stays float. Convolutions keep static INT8:
    their activations calibrate well and XNNPACK runs them INT8 end to end.

    The returned quantizer is ``quantizer`` itself, with a module-type config for :class:`UnrolledRecurrent`
    (``XNNPACKQuantizer`` lets a module-type config win over the global one for the nodes inside it)."""
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer,
        get_symmetric_quantization_config,
    )

    if quantizer is None:
        quantizer = XNNPACKQuantizer().set_global(get_symmetric_quantization_config(is_per_channel=True))
    dynamic = get_symmetric_quantization_config(is_per_channel=per_channel, is_dynamic=True)
    return quantizer.set_module_type(UnrolledRecurrent, dynamic)


def _check(name: str, m: nn.Module) -> None:
    base = next(t for t in RECURRENT_TYPES if isinstance(m, t))
    if type(m).forward is not base.forward:
        raise RecurrentRewriteError(
            f"Recurrent layer {name or type(m).__name__!r} is a {type(m).__name__}, which overrides "
            f"{base.__name__}.forward; the rewrite reproduces {base.__name__}.forward only.",
            hint="Rewrite that class's forward with nn.Linear gates yourself, or keep it float.")
    mode = getattr(m, "mode", None)
    if mode not in _MODES:
        raise RecurrentRewriteError(f"Recurrent layer {name!r} has mode {mode!r}, which the rewrite does not know.",
                                    hint="Keep it float.")


def _replace(root: nn.Module, name: str, new: nn.Module) -> None:
    parent, _, leaf = name.rpartition(".")
    setattr(root.get_submodule(parent) if parent else root, leaf, new)


def rewrite_recurrent(module: nn.Module) -> tuple[nn.Module, RecurrentRewrite]:
    """A copy of ``module`` with every ``nn.LSTM``/``nn.GRU``/``nn.RNN`` replaced by an
    :class:`UnrolledRecurrent` of ``nn.Linear`` gates, and the record of what was rewritten.

    The original is untouched. A model without recurrent layers comes back as a plain copy with an empty
    record. A layer the rewrite cannot reproduce (a subclass with its own ``forward``) raises
    :class:`RecurrentRewriteError` naming it, before anything is built."""
    names = recurrent_layers(module)
    for name in names:
        _check(name, module.get_submodule(name) if name else module)
    new = copy.deepcopy(module)
    layers = []
    for name in names:
        rnn = new.get_submodule(name) if name else new
        unrolled = UnrolledRecurrent(rnn, name)
        prefix = f"{name}." if name else ""
        linears = tuple(f"{prefix}{cell}.{part}" for cell in unrolled.cell_names
                        for part in (("ih", "hh", "proj") if unrolled.proj_size else ("ih", "hh")))
        layers.append(RewrittenLayer(
            name=name, kind=rnn.mode, input_size=rnn.input_size, hidden_size=rnn.hidden_size,
            num_layers=rnn.num_layers, bidirectional=rnn.bidirectional, batch_first=rnn.batch_first,
            bias=rnn.bias, proj_size=unrolled.proj_size, dropout=float(rnn.dropout), linears=linears))
        if name:
            _replace(new, name, unrolled)
        else:
            new = unrolled
    return new, RecurrentRewrite(tuple(layers))
