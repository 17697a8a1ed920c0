"""Graph rewrites that let coremltools 9.0 convert text and sequence models (run before ``ct.convert``).

coremltools converts a ``torch.export`` program op by op through a registry keyed by op name. Checked
against coremltools 9.0 with torch 2.13:

- ``aten.new_ones`` has no converter at all ("Unsupported fx node new_ones"), and the ``new_zeros`` /
  ``new_full`` / ``new_empty`` converters ignore ``dtype`` (they always fill float). Hugging Face code
  calls them for masks and index tensors. :func:`replace_new_factories` rewrites each into
  ``aten.full(size, value, dtype=...)`` with the same shape and dtype (``full`` converts, and keeps integer
  dtypes as int32).
- ``aten.lstm.input`` (what ``nn.LSTM`` exports to) is looked up as ``lstm.input``, while coremltools
  registers its LSTM converter as ``lstm`` (the TorchScript name, same 9 arguments).
  :func:`register_aliases` adds the alias to coremltools' registry (``gru.input`` likewise).

Each function returns what it did, in words, for the artifact notes.
"""

from __future__ import annotations

# op overload name -> fill value (None: take the op's own fill_value argument)
_NEW_FACTORIES = {"new_ones": 1, "new_zeros": 0, "new_empty": 0, "new_full": None}
# alias coremltools looks up -> the name its converter is registered under
_ALIASES = {"lstm.input": "lstm", "gru.input": "gru"}


def replace_new_factories(gm) -> list[str]:
    """Replace ``aten.new_ones/new_zeros/new_full/new_empty`` with ``aten.full`` of the same shape and dtype,
    in place. Returns one note per op kind replaced (empty when the graph had none)."""
    import torch

    aten = torch.ops.aten
    counts: dict[str, int] = {}
    for node in list(gm.graph.nodes):
        if node.op != "call_function" or not isinstance(node.target, torch._ops.OpOverload):
            continue
        name = node.target.overloadpacket.__name__
        if name not in _NEW_FACTORIES:
            continue
        args = list(node.args)
        size = args[1] if len(args) > 1 else node.kwargs["size"]
        fill = _NEW_FACTORIES[name]
        if fill is None:
            fill = args[2] if len(args) > 2 else node.kwargs["fill_value"]
        dtype = node.kwargs.get("dtype")
        if dtype is None:
            val = node.meta.get("val")
            if val is None:
                source = args[0].meta.get("val") if hasattr(args[0], "meta") else None
                dtype = getattr(source, "dtype", torch.float32)
            else:
                dtype = val.dtype
        with gm.graph.inserting_before(node):
            full = gm.graph.call_function(aten.full.default, (size, fill), {"dtype": dtype})
        full.meta = dict(node.meta)
        node.replace_all_uses_with(full)
        gm.graph.erase_node(node)
        counts[name] = counts.get(name, 0) + 1
    if counts:
        gm.graph.lint()
        gm.recompile()
    return [
        f"Core ML rewrite: {n} aten.{name} -> aten.full (same shape and dtype; coremltools 9.0 "
        f"{'has no new_ones converter' if name == 'new_ones' else 'ignores ' + name + ' dtype'})"
        for name, n in sorted(counts.items())
    ]


def register_aliases(gm=None) -> list[str]:
    """Make coremltools' registry answer ``lstm.input``/``gru.input`` with its ``lstm``/``gru`` converters.

    Idempotent; only adds names coremltools does not know. With ``gm``, returns a note for each alias the
    graph uses (so the artifact says which converter ran)."""
    from coremltools.converters.mil.frontend.torch.torch_op_registry import _TORCH_OPS_REGISTRY

    mapping = _TORCH_OPS_REGISTRY.name_to_func_mapping
    for alias, name in _ALIASES.items():
        if alias not in mapping and name in mapping:
            _TORCH_OPS_REGISTRY.set_func_by_name(mapping[name], alias)
    if gm is None:
        return []
    used = set()
    for node in gm.graph.nodes:
        if node.op == "call_function" and hasattr(node.target, "overloadpacket"):
            key = f"{node.target.overloadpacket.__name__}.{node.target._overloadname}"
            if key in _ALIASES:
                used.add(key)
    return [
        f"Core ML rewrite: aten.{key} converted by coremltools' {_ALIASES[key]!r} converter "
        "(registered under the torch.export name, which coremltools 9.0 does not map)"
        for key in sorted(used)
    ]


def apply(gm) -> list[str]:
    """Every rewrite this module has, in place on ``gm``; returns the notes."""
    return replace_new_factories(gm) + register_aliases(gm)
