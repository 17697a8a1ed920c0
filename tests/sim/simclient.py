"""Helpers for the simulated-phone tests: an adb-shell client, a raw ADB client, tiny bundles.

A module of its own (not conftest.py) so tests can import it by a name no other test folder uses.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

def connect(phone, signer, timeout_s: float = 10.0):
    """An adb-shell device connected to ``phone``."""
    from adb_shell.adb_device import AdbDeviceTcp

    dev = AdbDeviceTcp("127.0.0.1", phone.port, default_transport_timeout_s=timeout_s)
    dev.connect(rsa_keys=[signer], auth_timeout_s=timeout_s)
    return dev



def build_bundle(out: Path, kind: str) -> Path:
    """A bundle with a 2-layer model as ``kind`` ("pte": ExecuTorch/XNNPACK, "ptl": lite interpreter),
    a manifest and a sample input whose expected top-1 comes from eager PyTorch."""
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).eval()
    x = torch.randn(1, 16)
    out.mkdir(parents=True, exist_ok=True)
    if kind == "pte":
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
        from executorch.exir import to_edge_transform_and_lower

        program = to_edge_transform_and_lower(torch.export.export(model, (x,)),
                                              partitioner=[XnnpackPartitioner()]).to_executorch()
        art = out / "tiny.xnnpack.fp32.pte"
        art.write_bytes(program.buffer)
        runtime, backend = "executorch", "xnnpack"
    else:
        art = out / "tiny.cpu.fp32.ptl"
        torch.jit.script(model)._save_for_lite_interpreter(str(art))
        runtime, backend = "pytorch_mobile", "cpu"
    (out / "sample_input.bin").write_bytes(x.numpy().astype("<f4").tobytes())
    with torch.no_grad():
        expected = int(model(x).argmax())
    manifest = {
        "schema": "mobilekit.manifest/1", "name": "tiny", "created_utc": "2026-11-22T04:00:00Z",
        "source": {"model": "tests:tiny", "torch": torch.__version__},
        "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 16], "layout": "NC"}],
        "outputs": [{"name": "logits", "dtype": "float32", "shape": [1, 10]}],
        "artifacts": [{"file": art.name, "runtime": runtime, "backend": backend, "precision": "fp32",
                       "platforms": ["android"], "bytes": art.stat().st_size,
                       "sha256": hashlib.sha256(art.read_bytes()).hexdigest()}],
        "sample": {"input": "sample_input.bin", "expected_top1": expected},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return out



class RawAdb:
    """A minimal ADB host written from protocol.md, for what adb-shell cannot show (v2 sync, flow control)."""

    def __init__(self, port: int, signer=None, version: int = 0x01000001, maxdata: int = 256 * 1024):
        import socket

        from mobilekit.device_runner.sim import protocol as p

        self.p = p
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.version = version
        self.next_id = 100
        self.backlog: list = []
        self.send(p.A_CNXN, version, maxdata, b"host::features=stat_v2,ls_v2,sendrecv_v2\0")
        if signer is not None:
            self.handshake(signer)

    def send(self, cmd, a0, a1, data=b""):
        self.sock.sendall(self.p.Message(cmd, a0, a1, data).pack(self.version))

    def recv(self):
        if self.backlog:
            return self.backlog.pop(0)
        head = self._exact(24)
        cmd, a0, a1, length, check = self.p.parse_header(head)
        data = self._exact(length)
        if self.version < 0x01000001:
            assert check == self.p.checksum(data)
        return cmd, a0, a1, data

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        return buf

    def handshake(self, signer):
        p = self.p
        cmd, a0, _a1, token = self.recv()
        assert (cmd, a0) == (p.A_AUTH, p.AUTH_TOKEN)
        self.send(p.A_AUTH, p.AUTH_SIGNATURE, 0, signer.Sign(token))
        cmd, a0, a1, data = self.recv()
        if cmd == p.A_AUTH:
            self.send(p.A_AUTH, p.AUTH_RSAPUBLICKEY, 0, signer.GetPublicKey().encode() + b"\0")
            cmd, a0, a1, data = self.recv()
        assert cmd == p.A_CNXN
        self.banner = data
        self.maxdata = a1

    def open(self, destination: str) -> tuple[int, int]:
        local = self.next_id
        self.next_id += 1
        self.send(self.p.A_OPEN, local, 0, destination.encode() + b"\0")
        held = []
        for _ in range(1000):
            cmd, a0, a1, data = self.recv()
            if a1 == local:
                break
            held.append((cmd, a0, a1, data))
        self.backlog = held + self.backlog
        assert cmd == self.p.A_OKAY and a1 == local, (cmd, a0, a1)
        return local, a0

    def write(self, local, remote, data):
        self.send(self.p.A_WRTE, local, remote, data)
        while True:
            cmd, a0, a1, d = self.recv()
            if cmd == self.p.A_OKAY:
                return
            raise AssertionError(f"expected OKAY, got {cmd:#x}")

    def read_stream(self, local, remote, n=None):
        """Read WRTE payloads (acknowledging each) until n bytes or CLSE."""
        out = b""
        while n is None or len(out) < n:
            cmd, a0, a1, d = self.recv()
            if cmd == self.p.A_WRTE:
                out += d
                self.send(self.p.A_OKAY, local, remote)
            elif cmd == self.p.A_CLSE:
                break
        return out

    def close(self):
        self.sock.close()
