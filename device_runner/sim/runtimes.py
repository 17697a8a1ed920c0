"""Run an artifact with the host runtime that matches its extension (heavy imports stay in here).

``.pte``: ExecuTorch's pybindings (``Runtime.get().load_program(path).load_method("forward")``);
``.onnx``/``.ort``: ONNX Runtime with ``session.x64quantprecision=1`` (x86 hosts without VNNI
otherwise saturate u8s8 kernels; phones do not have this problem); ``.ptl``: the lite interpreter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

DTYPES = {"float32": np.float32, "float16": np.float16, "int64": np.int64, "int32": np.int32, "int8": np.int8,
          "uint8": np.uint8, "bool": np.bool_}
RUNTIMES = {".pte": "executorch", ".onnx": "onnxruntime", ".ort": "onnxruntime", ".ptl": "pytorch_mobile"}


class ArtifactError(Exception):
    """The artifact cannot be loaded or run here (the app writes this message to ``error``)."""


def warm_up() -> None:
    """Import the host runtimes ahead of the first benchmark (executorch takes many seconds to import).

    A phone has its runtime linked into the app; without this the first case of a run would carry the
    host's import time inside its timing and energy window.
    """
    import contextlib

    for module in ("executorch.runtime", "onnxruntime", "torch"):
        with contextlib.suppress(ImportError):
            __import__(module)


def runtime_for(file_name: str) -> str:
    """The runtime name for an artifact file, or :class:`ArtifactError` for what Android cannot run."""
    suffix = Path(file_name).suffix.lower()
    if suffix in RUNTIMES:
        return RUNTIMES[suffix]
    if suffix in (".mlpackage", ".mlmodel", ".mlmodelc"):
        raise ArtifactError(f"{file_name}: Core ML artifacts run on iOS only; this is an Android phone")
    raise ArtifactError(f"{file_name}: unsupported artifact type {suffix or '(no extension)'!r}; "
                        "expected .pte, .onnx, .ort or .ptl")


def load(path: Path, threads: int) -> Callable[[list[np.ndarray]], np.ndarray]:
    """Load ``path``; returns a function from the input arrays (manifest order) to the first output."""
    runtime = runtime_for(path.name)
    try:
        if runtime == "executorch":
            return _load_pte(path)
        if runtime == "onnxruntime":
            return _load_onnx(path, threads)
        return _load_ptl(path)
    except ArtifactError:
        raise
    except Exception as exc:  # the runtimes raise many types; the app reports the message
        raise ArtifactError(f"failed to load {path.name} with {runtime}: {type(exc).__name__}: {exc}") from exc


def _first(out) -> np.ndarray:
    if isinstance(out, (list, tuple)):
        out = out[0]
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    return np.asarray(out)


def _load_pte(path: Path):
    import torch
    from executorch.runtime import Runtime

    method = Runtime.get().load_program(path).load_method("forward")
    return lambda xs: _first(method.execute([torch.from_numpy(x) for x in xs]))


def _load_onnx(path: Path, threads: int):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.add_session_config_entry("session.x64quantprecision", "1")
    if threads > 0:
        opts.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    return lambda xs: _first(session.run(None, dict(zip(names, xs))))


def _load_ptl(path: Path):
    import torch
    from torch.jit.mobile import _load_for_lite_interpreter

    module = _load_for_lite_interpreter(str(path))
    return lambda xs: _first(module(*[torch.from_numpy(x) for x in xs]))


def make_input(spec: dict, raw: bytes | None) -> np.ndarray:
    """One manifest input from ``raw`` little-endian bytes in its dtype and shape; zeros only for a float
    input with no sample data (an integer input without data is an error: zeros are not a sentence)."""
    dtype = DTYPES.get(spec.get("dtype", "float32"))
    if dtype is None:
        raise ArtifactError(f"unsupported input dtype {spec.get('dtype')!r}")
    shape = [1 if d is None or d < 0 else int(d) for d in spec.get("shape", [])]
    name = spec.get("name", "input")
    if raw is None:
        if not np.issubdtype(dtype, np.floating):
            raise ArtifactError(f"no sample data for integer input {name!r} ({spec.get('dtype')}); the bundle's "
                                "sample.inputs must list it (re-export with mobilekit export)")
        return np.zeros(shape, dtype=dtype)
    arr = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
    if arr.size != int(np.prod(shape)):
        raise ArtifactError(f"sample input {name!r} has {arr.size} values, its shape {shape} needs {int(np.prod(shape))}")
    return arr.reshape(shape).astype(dtype)


def cosine(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cosine similarity of two outputs (flattened), None when either is all zeros or sizes differ."""
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if a.size != b.size:
        return None
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return None if na == 0 or nb == 0 else float(a @ b / (na * nb))
