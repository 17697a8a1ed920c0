"""Helpers of the farm tests (a unique module name, so it never collides with another folder's conftest)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

HOSTILE = "it's $(touch pwned) `id`; \"q\" & * .pte"


def fake_bundle(root: Path, names=("m.xnnpack.fp32.pte", "m.xnnpack.int8.pte")) -> Path:
    """A schema-valid bundle whose artifacts are placeholder bytes: enough for writing farm jobs (nothing runs it)."""
    root.mkdir(parents=True, exist_ok=True)
    arts = []
    for i, n in enumerate(names):
        data = bytes([i]) * (100 + i)
        (root / n).write_bytes(data)
        arts.append({"file": n, "runtime": "executorch", "backend": "xnnpack", "precision": "int8" if "int8" in n else "fp32",
                     "platforms": ["android", "ios"], "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    (root / "sample_input.bin").write_bytes(b"\0" * 64)
    manifest = {"schema": "mobilekit.manifest/1", "name": "m", "created_utc": "2026-11-22T03:00:00Z",
                "source": {"model": "tests:m", "torch": "2"},
                "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 16], "layout": "NC"}],
                "outputs": [{"name": "y", "dtype": "float32", "shape": [1, 10]}],
                "artifacts": arts, "sample": {"input": "sample_input.bin", "expected_top1": 1}}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root
