"""Load the model to export: a built-in demo model, ``module:factory``, or a ``.pt2`` ExportedProgram.

Everything a user can get wrong here (a module that is not importable, a factory that raises, an
example input the model rejects, weights that do not fit) becomes an :class:`ExportError` that
names the problem and the fix.
"""

from __future__ import annotations

import importlib
import inspect
import io
import math
import re
import sys
from pathlib import Path
from typing import Sequence

import torch

from mobilekit.export.config import ExportConfig
from mobilekit.export.errors import ExportError, user_source_line
from mobilekit.export.spec import DTYPE_NAMES, DTYPES, InputSpec, LoadedModel, OutputSpec, Sample

_SPEC = re.compile(r"^\s*(\d+(?:x\d+)*)\s*(?::\s*([a-z0-9]+))?\s*$")
MAX_EXAMPLE_VALUES = 1 << 28  # 256 M values (1 GiB of float32): far above any phone model's input


def parse_example_input(spec: str, seed: int = 0) -> torch.Tensor:
    """``"1x3x224x224:float32"`` -> a tensor of that shape and dtype (seeded random values, zeros for ints)."""
    m = _SPEC.match(spec)
    if not m:
        raise ExportError(
            f"Cannot read the example input {spec!r}.",
            hint="Write it as SHAPE[:DTYPE], dimensions joined by 'x', e.g. 1x3x224x224:float32 or 1x128:int64.",
        )
    shape = tuple(int(d) for d in m.group(1).split("x"))
    if any(d == 0 for d in shape):
        raise ExportError(
            f"The example input {spec!r} has a dimension of 0: a tensor of that shape holds no values.",
            hint="Every dimension must be at least 1, e.g. 1x3x224x224:float32 (batch 1).",
        )
    if math.prod(shape) > MAX_EXAMPLE_VALUES:
        raise ExportError(
            f"The example input {spec!r} holds {math.prod(shape):,} values, more than mobilekit accepts "
            f"({MAX_EXAMPLE_VALUES:,}): check the shape.",
            hint="Write the shape of one model input at batch 1, e.g. 1x3x224x224:float32.",
        )
    dtype_name = m.group(2) or "float32"
    if dtype_name not in DTYPES:
        raise ExportError(
            f"Unknown dtype {dtype_name!r} in example input {spec!r}.",
            hint=f"Use one of: {', '.join(DTYPES)}.",
        )
    dtype = DTYPES[dtype_name]
    gen = torch.Generator().manual_seed(seed)
    if dtype.is_floating_point:
        return torch.randn(shape, generator=gen).to(dtype)
    return torch.zeros(shape, dtype=dtype)


def load_model(config: ExportConfig) -> LoadedModel:
    """Resolve ``config.model`` into a :class:`LoadedModel` ready to export."""
    ref = config.model
    from mobilekit.export.models import BUILTIN_NAMES, load_builtin

    if ref in BUILTIN_NAMES:
        if config.weights is not None:
            raise ExportError(f"--weights cannot be used with the built-in model {ref!r}; it ships its own.")
        model = load_builtin(ref)
        if config.example_inputs:
            raise ExportError(f"--example-input cannot be used with the built-in model {ref!r}; its input is fixed.")
    elif ref.endswith(".pt2"):
        model = _load_pt2(Path(ref))
    elif ":" in ref:
        model = _load_factory(ref, config)
    else:
        raise ExportError(
            f"Cannot tell what model {ref!r} is.",
            hint=f"Give a built-in name ({', '.join(BUILTIN_NAMES)}), module:factory (a callable that returns an "
            "nn.Module, e.g. mypkg.models:make_net), or a .pt2 file saved with torch.export.save.",
        )
    if config.name:
        model.name = config.name
    model.dynamic_batch = config.dynamic_batch
    if config.tokenizer is not None:
        if ref in BUILTIN_NAMES:
            raise ExportError(f"--tokenizer cannot be used with the built-in model {ref!r}; it ships its own.")
        from mobilekit.export.text import tokenizer_spec

        model.tokenizer = tokenizer_spec(config.tokenizer, model.inputs)
    if config.output_kind is not None:
        if ref in BUILTIN_NAMES:
            raise ExportError(f"--output-kind cannot be used with the built-in model {ref!r}.")
        import dataclasses

        first = model.outputs[0]
        model.outputs = (dataclasses.replace(first, kind=config.output_kind),) + tuple(model.outputs[1:])
    if config.preprocess is not None and config.preprocess.given:
        _apply_preprocess(model, config)
    return model


def _apply_preprocess(model: LoadedModel, config: ExportConfig) -> None:
    """Put the user's ``--preprocess`` options on input 0 (built-in models bring their own)."""
    import dataclasses

    if config.model in _builtin_names():
        raise ExportError(
            f"--preprocess/--resize/--crop/--mean/--std/--color cannot be used with the built-in model {config.model!r}; "
            "it ships its own preprocessing."
        )
    first = model.inputs[0]
    try:
        prep = config.preprocess.resolve(tuple(first.shape))
    except ValueError as exc:
        raise ExportError(f"Cannot use that preprocessing for {model.name}'s input {first.name}: {exc}.") from exc
    model.inputs = (dataclasses.replace(first, preprocess=prep),) + tuple(model.inputs[1:])


def _builtin_names() -> tuple[str, ...]:
    from mobilekit.export.models import BUILTIN_NAMES

    return BUILTIN_NAMES


def _load_factory(ref: str, config: ExportConfig) -> LoadedModel:
    module_name, _, factory_name = ref.partition(":")
    if not module_name or not factory_name:
        raise ExportError(f"{ref!r} is not module:factory.", hint="Example: mypkg.models:make_net")
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # let users name modules in the folder they run from
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ExportError(
            f"Cannot import module {module_name!r} for model {ref!r}: {exc}.",
            hint="Check the spelling, run mobilekit from the folder that contains it, or install its package.",
        ) from exc
    except Exception as exc:  # the user's module raised while importing
        raise ExportError(f"Importing module {module_name!r} raised {type(exc).__name__}: {exc}") from exc
    factory = getattr(module, factory_name, None)
    if factory is None or not callable(factory):
        callables = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))[:12]
        raise ExportError(
            f"Module {module_name!r} has no callable {factory_name!r}.",
            hint=f"Callables it defines: {', '.join(callables) or '(none)'}.",
        )
    try:
        net = factory()
    except Exception as exc:
        raise ExportError(
            f"The factory {ref} raised {type(exc).__name__}: {exc}",
            hint="The factory is called with no arguments and must return a torch.nn.Module.",
        ) from exc
    if not isinstance(net, torch.nn.Module):
        raise ExportError(f"The factory {ref} returned a {type(net).__name__}, not a torch.nn.Module.")
    if config.weights is not None:
        _load_weights(net, config.weights)
    net.eval()
    from mobilekit.export.attention import use_eager_attention

    notes = []
    if use_eager_attention(net):
        notes.append("attention hygiene: switched the Hugging Face attention to the eager implementation (an additive "
                     "float mask instead of boolean mask plumbing that stays off the delegate)")
    if not config.example_inputs:
        raise ExportError(
            f"Model {ref} needs an example input to be exported.",
            hint="Pass --example-input SHAPE:DTYPE once per model input, e.g. --example-input 1x3x224x224:float32.",
        )
    example = tuple(parse_example_input(s, seed=i) for i, s in enumerate(config.example_inputs))
    names = _input_names(net, len(example))
    outputs = _check_runs(net, example, ref)
    return LoadedModel(
        name=_safe_name(factory_name),
        module=net,
        example_inputs=example,
        inputs=tuple(_input_spec(n, t) for n, t in zip(names, example)),
        outputs=_output_specs(outputs),
        source={"model": ref, "trained": config.weights is not None, "weights": config.weights.name if config.weights else None},
        notes=notes,
    )


def _load_weights(net: torch.nn.Module, path: Path) -> None:
    if not path.is_file():
        raise ExportError(f"Weights file {path} does not exist.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ExportError(
            f"Cannot read weights from {path}: {exc}",
            hint="mobilekit loads weights with weights_only=True: save a plain state_dict with torch.save(model.state_dict(), path).",
        ) from exc
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise ExportError(f"{path} holds a {type(state).__name__}, not a state_dict.")
    from mobilekit.export.calibration import check_finite

    params = {name for name, _ in net.named_parameters()}
    for key, value in state.items():
        if isinstance(value, torch.Tensor):
            check_finite(value, f"The weights {key!r}", path, allow_inf=key not in params)
    result = net.load_state_dict(state, strict=False)
    if result.missing_keys or result.unexpected_keys:
        raise ExportError(
            f"The weights in {path} do not fit the model: missing {list(result.missing_keys)[:5]}, "
            f"unexpected {list(result.unexpected_keys)[:5]}.",
            hint="Check that the factory builds the same architecture the weights were saved from.",
        )


def _load_pt2(path: Path) -> LoadedModel:
    if not path.is_file():
        raise ExportError(f"The .pt2 file {path} does not exist.")
    data = path.read_bytes()  # read once: what is checked is exactly what torch.export.load reads
    refuse_unsafe_pickles(data, path)
    try:
        ep = torch.export.load(io.BytesIO(data))
    except Exception as exc:
        raise ExportError(f"Cannot load {path} as a torch.export program (corrupt or not made by torch.export.save): {exc}") from exc
    from mobilekit.export.calibration import check_finite

    params = set(ep.graph_signature.parameters)
    for key, value in list(ep.state_dict.items()) + list(ep.constants.items()):
        if isinstance(value, torch.Tensor):
            check_finite(value, f"The weights {key!r}", path, allow_inf=key not in params)
    placeholders = [s for s in ep.graph_signature.input_specs if s.kind.name == "USER_INPUT"]
    nodes = {n.name: n for n in ep.graph.nodes if n.op == "placeholder"}
    example = []
    specs = []
    for i, s in enumerate(placeholders):
        val = nodes[s.arg.name].meta.get("val")
        if val is None:
            raise ExportError(f"{path}: input {s.arg.name} has no recorded shape; re-export with torch.export.export.")
        shape = tuple(int(d) if isinstance(d, int) else 1 for d in val.shape)
        t = torch.randn(shape, generator=torch.Generator().manual_seed(i)).to(val.dtype) if val.dtype.is_floating_point else torch.zeros(shape, dtype=val.dtype)
        example.append(t)
        specs.append(_input_spec(s.arg.name, t))
    module = ep.module()
    example_t = tuple(example)
    outputs = _check_runs(module, example_t, str(path))
    return LoadedModel(
        name=_safe_name(path.stem),
        module=module,
        example_inputs=example_t,
        inputs=tuple(specs),
        outputs=_output_specs(outputs),
        source={"model": path.name, "trained": True, "weights": None},
        exported_program=ep,
    )


def _archive_records(data: bytes, path: Path) -> dict[str, bytes]:
    """Every record of a ``.pt2`` zip, as PyTorch's own reader and as Python's zipfile see them (a file crafted
    so that the two readers disagree is checked both ways)."""
    import zipfile

    records: dict[str, bytes] = {}
    problems = []
    try:
        reader = torch._C.PyTorchFileReader(io.BytesIO(data))
        for name in reader.get_all_records():
            records[f"torch:{name}"] = reader.get_record(name)
    except Exception as exc:  # noqa: BLE001 - any reader failure means "not an archive"
        problems.append(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                records[f"zip:{info.filename}"] = z.read(info)
    except Exception as exc:  # noqa: BLE001
        problems.append(f"{type(exc).__name__}: {exc}")
    if not records:
        raise ExportError(
            f"Cannot load {path} as a torch.export program (corrupt or not made by torch.export.save): it is not a "
            f"complete zip archive, perhaps truncated ({'; '.join(problems)}).",
            hint="Save the program again with torch.export.save(exported_program, 'model.pt2') and copy the whole file.",
        )
    return records


def _is_pickle(blob: bytes) -> bool:
    """True when ``blob`` is one complete pickle stream (what ``pickle.loads`` would execute)."""
    import pickletools

    if not blob or blob[-1:] != b".":
        return False
    try:
        end = None
        for op, _arg, pos in pickletools.genops(blob):
            end = (op.name, pos)
    except Exception:  # noqa: BLE001 - not a pickle
        return False
    return end is not None and end[0] == "STOP" and end[1] == len(blob) - 1


def refuse_unsafe_pickles(data: bytes, path: Path) -> None:
    """Refuse a ``.pt2`` that holds pickled Python objects other than plain tensors and containers.

    ``torch.export.load`` unpickles weights, constants and sample inputs with ``weights_only=False`` (and falls
    back to it when the safe loader refuses), so a crafted file would run code while loading. Every record that
    is a pickle, or a ``torch.save`` archive, must load with ``torch.load(weights_only=True)`` (the same
    allow-list mobilekit uses for ``--weights``); only then is the file handed to ``torch.export.load``.
    """
    from torch import _weights_only_unpickler

    for name, blob in _archive_records(data, path).items():
        label = name.split(":", 1)[1]
        try:
            if blob[:4] == b"PK\x03\x04":
                torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
            elif _is_pickle(blob):
                _weights_only_unpickler.load(io.BytesIO(blob), encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - the safe loader refused it: never let torch unpickle it
            reason = str(exc).strip().splitlines()
            reason = next((ln for ln in reason if "GLOBAL" in ln or "Unsupported" in ln), reason[0] if reason else type(exc).__name__)
            raise ExportError(
                f"Refusing {path}: its record {label} is a pickle that is not plain tensor data ({reason.strip()[:200]}). "
                "torch.export.load would unpickle it without restrictions, which runs whatever code the file names.",
                hint="Only load .pt2 files you made yourself. Re-save the program with torch.export.save from a model "
                "whose constants are tensors (no custom Python objects), or pass the model as module:factory.",
            ) from None


def _check_runs(net: torch.nn.Module, example: Sample, ref: str) -> list[torch.Tensor]:
    shapes = ", ".join(f"{tuple(t.shape)}:{DTYPE_NAMES.get(t.dtype, t.dtype)}" for t in example)
    try:
        with torch.no_grad():
            out = net(*example)
    except Exception as exc:
        raise ExportError(
            f"Model {ref} does not accept the example input {shapes}: {type(exc).__name__}: {str(exc).splitlines()[0]}",
            hint="Pass --example-input with the shape and dtype the model's forward() expects (one per input, in order).",
        ) from exc
    flat = [out] if isinstance(out, torch.Tensor) else list(out) if isinstance(out, (tuple, list)) else None
    if not flat or not all(isinstance(t, torch.Tensor) for t in flat):
        raise ExportError(f"Model {ref} must return a tensor or a tuple of tensors, not {type(out).__name__}.")
    return flat


def _input_names(net: torch.nn.Module, count: int) -> list[str]:
    try:
        params = [p for p in inspect.signature(net.forward).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p.name for p in params][:count]
    except (TypeError, ValueError):
        names = []
    return names + [f"input_{i}" for i in range(len(names), count)]


def _input_spec(name: str, t: torch.Tensor) -> InputSpec:
    from mobilekit.export.text import role_for

    layout = "NCHW" if t.dim() == 4 else "NC" if t.dim() == 2 else "ANY"
    dtype = DTYPE_NAMES.get(t.dtype, str(t.dtype))
    role = role_for(name, dtype) or ("image" if t.dim() == 4 and t.shape[1] in (1, 3) else "features")
    return InputSpec(name=name, dtype=dtype, shape=tuple(t.shape), layout=layout, role=role)


def _output_specs(outputs: Sequence[torch.Tensor]) -> tuple[OutputSpec, ...]:
    specs = []
    for i, t in enumerate(outputs):
        classification = t.dim() == 2 and t.shape[1] > 1 and t.dtype.is_floating_point
        specs.append(
            OutputSpec(
                name="logits" if len(outputs) == 1 and classification else f"output_{i}",
                dtype=DTYPE_NAMES.get(t.dtype, "float32"),
                shape=tuple(t.shape),
                kind="classification" if classification else "none",
            )
        )
    return tuple(specs)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "model"


def batch_size(model: LoadedModel) -> int:
    """The batch dimension the model was exported at (the first dimension of its first input)."""
    t = model.example_inputs[0]
    return int(t.shape[0]) if t.dim() > 0 else 1


def export_program(model: LoadedModel) -> "torch.export.ExportedProgram":
    """``torch.export`` the model at its example inputs; failures name the op/node and the user's source line."""
    if model.exported_program is not None and not model.dynamic_batch:
        return model.exported_program
    dynamic_shapes = None
    example = tuple(model.example_inputs)
    if model.dynamic_batch:
        batch = torch.export.Dim("batch", min=1, max=1024)
        dynamic_shapes = tuple({0: batch} for _ in example)
        # torch.export specialises a size-1 dimension, so trace at batch 2; the program still takes batch 1.
        example = tuple(torch.cat([t, t]) if t.shape[0] == 1 else t for t in example)
    try:
        with torch.no_grad():
            return torch.export.export(model.module, example, dynamic_shapes=dynamic_shapes, strict=False)
    except Exception as exc:
        raise export_failure(model, exc) from exc


def export_failure(model: LoadedModel, exc: Exception) -> ExportError:
    """Turn a torch.export exception into a message that names the failing op and the user's line."""
    text = f"{type(exc).__name__}: {exc}"
    where = user_source_line(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    op = re.search(r"(aten\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?|torch\.[A-Za-z0-9_.]+)", text)
    parts = [f"torch.export could not capture model {model.name}: {first}"]
    if op:
        parts.append(f"Failing op: {op.group(1)}.")
    if where:
        parts.append(f"At {where}")
    hint = (
        "Common fixes: replace Python control flow on tensor values with torch.cond or tensor ops; avoid .item(), "
        ".tolist() and numpy inside forward(); give data-dependent sizes with torch._check. "
        "See https://pytorch.org/docs/stable/export.html."
    )
    if "dynamic" in text.lower() or "Constraints violated" in text:
        hint = "Export at a fixed batch size (drop --dynamic-batch), or make the batch dimension truly dynamic in forward(). " + hint
    return ExportError(" ".join(parts), hint=hint)
