"""Helpers of the device-runner tests (a unique module name, so it never collides with another folder's conftest)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from mobilekit.device_runner.transport import RemoteEntry, RemoteStat, Transport


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeTransport(Transport):
    """A scripted phone: ``answers`` maps a command line prefix to its output; files live in a dict."""

    def __init__(self, answers=None, files=None, entries=None):
        self.name = "fake:5555"
        self.answers = dict(answers or {})
        self.files = dict(files or {})      # remote path -> bytes
        self.entries = dict(entries or {})  # remote dir -> [names]
        self.lines: list[str] = []
        self.pulled: list[str] = []

    def connect(self):
        pass

    def close(self):
        pass

    def _shell(self, command, timeout_s):
        self.lines.append(command)
        body = command[: -len(" ; echo :$?")] if command.endswith(" ; echo :$?") else command
        for prefix, out in self.answers.items():
            if body.startswith(prefix):
                return out + ("\n:0\n" if command.endswith(":$?") else "")
        return ":0\n" if command.endswith(":$?") else ""

    def _stream(self, command, timeout_s):
        raise NotImplementedError

    def _push(self, local, remote, mode, progress, timeout_s):
        self.files[remote] = Path(local).read_bytes()

    def _pull(self, remote, local, timeout_s):
        self.pulled.append(remote)
        Path(local).write_bytes(self.files.get(remote, b""))

    def _stat(self, remote, timeout_s):
        return RemoteStat(0o100644 if remote in self.files else 0, len(self.files.get(remote, b"")), 0)

    def _list(self, remote, timeout_s):
        return [RemoteEntry(n, 0o100644, 1, 0) for n in self.entries.get(remote, [])]


def make_bundle(root: Path, name: str = "tiny", precisions=("fp32",), hostile_name: str | None = None) -> Path:
    """A real 2-layer model exported to ExecuTorch/XNNPACK .pte files, with a schema-valid manifest."""
    import hashlib

    import numpy as np
    import torch
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).eval()
    x = torch.randn(1, 16)
    root.mkdir(parents=True, exist_ok=True)
    artifacts = []
    for prec in precisions:
        m = model
        if prec == "int8":
            from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
                XNNPACKQuantizer, get_symmetric_quantization_config)
            from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

            q = XNNPACKQuantizer().set_global(get_symmetric_quantization_config())
            m = prepare_pt2e(torch.export.export(model, (x,)).module(), q)
            m(x)
            m = convert_pt2e(m)
        ep = torch.export.export(m, (x,))
        prog = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()]).to_executorch()
        fname = f"{name}.xnnpack.{prec}.pte"
        (root / fname).write_bytes(prog.buffer)
        artifacts.append({"file": fname, "runtime": "executorch", "backend": "xnnpack", "precision": prec,
                          "platforms": ["android", "ios"], "bytes": len(prog.buffer),
                          "sha256": hashlib.sha256(prog.buffer).hexdigest()})
    (root / "sample_input.bin").write_bytes(x.numpy().astype(np.float32).tobytes())
    manifest = {
        "schema": "mobilekit.manifest/1", "name": name, "created_utc": "2026-11-22T03:00:00Z",
        "source": {"model": "tests:tiny", "torch": torch.__version__},
        "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 16], "layout": "NC"}],
        "outputs": [{"name": "logits", "dtype": "float32", "shape": [1, 10],
                     "postprocess": {"kind": "classification", "softmax": True, "top_k": 5}}],
        "artifacts": artifacts,
        "sample": {"input": "sample_input.bin", "expected_top1": int(model(x).argmax())},
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return root


def _sim():
    try:
        from mobilekit.device_runner.sim import Faults, SimulatedPhone
    except ImportError:
        from mobilekit.device_runner.sim.faults import Faults
        from mobilekit.device_runner.sim.phone import SimulatedPhone
    return SimulatedPhone, Faults
