"""Check a bundle on disk without the original model: schema, checksums, and the sample on every runnable artifact.

This is what ``mobilekit validate BUNDLE`` runs: it proves a bundle that travelled (CI artifact,
shared drive, app assets) is intact and still computes what the host computed at export time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mobilekit.export import manifest as manifest_io
from mobilekit.export.targets import REGISTRY, get_target
from mobilekit.export.targets.base import Artifact, SkipValidation
from mobilekit.export.config import SAMPLE_MIN_COSINE
from mobilekit.export.validate import cosine_rows, sqnr_db


@dataclass
class ArtifactCheck:
    file: str
    status: str  # ok, skipped, failed
    detail: str
    sqnr_db: float | None = None
    top1: int | None = None

    def to_json(self) -> dict:
        return {"file": self.file, "status": self.status, "detail": self.detail, "sqnr_db": self.sqnr_db, "top1": self.top1}


def _read_tensor(bundle: Path, name: str, dtype: str, shape: list[int]) -> np.ndarray:
    """A raw little-endian tensor file of the bundle (the manifest's dtype names are numpy's)."""
    path = manifest_io.bundle_path(bundle, name, "a sample file")
    if not path.is_file():
        raise manifest_io.BundleError(f"{path} is missing: the manifest's sample refers to it.")
    np_dtype = np.dtype(dtype).newbyteorder("<")
    data = np.frombuffer(path.read_bytes(), dtype=np_dtype)
    if data.size != int(np.prod(shape)):
        raise manifest_io.BundleError(f"{path} holds {data.size} values; the manifest's input shape {shape} needs {int(np.prod(shape))}.")
    return data.reshape(shape).astype(np_dtype.newbyteorder("="))


def check_bundle(bundle: Path, run: bool = True) -> tuple[dict, list[ArtifactCheck]]:
    """The manifest and one :class:`ArtifactCheck` per artifact (integrity, then the sample where runnable)."""
    import torch

    bundle = Path(bundle)
    doc = manifest_io.read_manifest(bundle)
    files = {c.file: c for c in manifest_io.verify_files(bundle, doc)}
    sample = doc.get("sample") or {}
    x = expected = None
    if run and sample.get("input"):
        # every input (sample.inputs); bundles from before multi-input samples name only the first
        entries = {e["name"]: e["file"] for e in sample.get("inputs") or []} or {doc["inputs"][0]["name"]: sample["input"]}
        x = tuple(torch.from_numpy(_read_tensor(bundle, entries[spec["name"]], spec["dtype"], spec["shape"]).copy())
                  for spec in doc["inputs"] if spec["name"] in entries)
        if len(x) != len(doc["inputs"]):
            raise manifest_io.BundleError(f"the manifest's sample lists {len(x)} of the model's {len(doc['inputs'])} inputs.")
        if sample.get("expected_output"):
            expected = _read_tensor(bundle, sample["expected_output"], "float32", doc["outputs"][0]["shape"])
    checks = []
    for rec in doc["artifacts"]:
        fc = files[rec["file"]]
        if not fc.ok:
            checks.append(ArtifactCheck(rec["file"], "failed", f"{rec['file']}: {fc.problem}"))
            continue
        if x is None:
            checks.append(ArtifactCheck(rec["file"], "ok", "checksum matches"))
            continue
        target_name = rec.get("target")
        if target_name not in REGISTRY:
            checks.append(ArtifactCheck(rec["file"], "skipped", "checksum matches; no host runtime for this target"))
            continue
        artifact = Artifact(
            path=bundle / rec["file"], target=target_name, runtime=rec["runtime"], backend=rec["backend"],
            precision=rec["precision"], platforms=tuple(rec["platforms"]),
        )
        try:
            out = np.asarray(get_target(target_name).host_runner(artifact)(x)[0], dtype=np.float32)
        except SkipValidation as exc:
            checks.append(ArtifactCheck(rec["file"], "skipped", f"checksum matches; not run: {exc}"))
            continue
        except Exception as exc:
            checks.append(ArtifactCheck(rec["file"], "failed", f"{rec['file']} did not run: {type(exc).__name__}: {exc}"))
            continue
        if out.size == 0 or (expected is not None and out.size != expected.size):
            checks.append(ArtifactCheck(rec["file"], "failed", f"{rec['file']} gave {out.size} output values; the manifest's "
                                        f"output shape {doc['outputs'][0]['shape']} needs {None if expected is None else expected.size}"))
            continue
        top1 = int(out.reshape(out.shape[0] if out.ndim else 1, -1)[0].argmax())
        s = round(sqnr_db(expected, out.reshape(expected.shape)), 2) if expected is not None else None
        want = sample.get("expected_top1")
        if want is None and expected is not None:
            cos = float(cosine_rows(expected.reshape(1, -1), out.reshape(1, -1))[0])
            floor = float(sample.get("min_cosine") or SAMPLE_MIN_COSINE)
            if cos < floor:
                checks.append(ArtifactCheck(rec["file"], "failed", f"sample output cosine {cos:.4f} with FP32, below {floor:g}", s, None))
            else:
                checks.append(ArtifactCheck(rec["file"], "ok", f"checksum matches; sample output cosine {cos:.4f}", s, None))
            continue
        if want is not None and top1 != want:
            checks.append(ArtifactCheck(rec["file"], "failed", f"sample top-1 is {top1}, expected {want}", s, top1))
        else:
            checks.append(ArtifactCheck(rec["file"], "ok", "checksum matches; sample reproduces", s, top1))
    return doc, checks
