"""The bundle manifest: write it from the export's records, read it back, and check a bundle against it.

``manifest.json`` is the contract every reader (device runner, Android app, iOS app) relies on; it is
validated against ``schemas/manifest.schema.json`` on every write and every read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mobilekit import MobilekitError, __version__
from mobilekit import schemas
from mobilekit.export.spec import LoadedModel
from mobilekit.export.targets.base import Artifact

MANIFEST = "manifest.json"
SCHEMA_ID = "mobilekit.manifest/1"


class BundleError(MobilekitError):
    """A bundle on disk is missing, corrupt, or does not match its manifest (the message names the file)."""


def sha256_path(path: Path) -> str:
    """sha256 of a file; for a directory (``.mlpackage``), of its sorted relative paths and contents."""
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(f.relative_to(path).as_posix().encode() + b"\0")
            _feed(h, f)
    else:
        _feed(h, path)
    return h.hexdigest()


def _feed(h, path: Path) -> None:
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)


def size_bytes(path: Path) -> int:
    """Size of a file, or the total of a directory's files."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def artifact_record(artifact: Artifact, validation: dict | None) -> dict:
    """One entry of ``artifacts`` in the manifest."""
    rec = {
        "file": artifact.path.name,
        "target": artifact.target,
        "runtime": artifact.runtime,
        "backend": artifact.backend,
        "precision": artifact.precision,
        "quantization": artifact.quantization,
        "platforms": list(artifact.platforms),
        "legacy": artifact.legacy,
        "bytes": size_bytes(artifact.path),
        "sha256": sha256_path(artifact.path),
        "minimum_os": artifact.minimum_os,
        "extra_files": list(artifact.extra_files),
        "delegation": artifact.delegation,
        "validation": validation,
    }
    version = runtime_version(artifact.runtime)
    if version:
        rec["runtime_version"] = version
    return rec


# The Python package whose version is the runtime an artifact was written for (apps compare it with the
# runtime they link, and refuse a bundle written for a newer one: ExecuTorch promises no forward compatibility).
RUNTIME_PACKAGES = {"executorch": "executorch", "onnxruntime": "onnxruntime", "coreml": "coremltools", "pytorch_mobile": "torch"}


def runtime_version(runtime: str) -> str | None:
    """The installed version of the package that wrote artifacts for ``runtime`` (None if unknown)."""
    from importlib.metadata import PackageNotFoundError, version

    package = RUNTIME_PACKAGES.get(runtime)
    if package is None:
        return None
    try:
        return version(package).split("+")[0]
    except PackageNotFoundError:
        return None


def build_manifest(
    model: LoadedModel,
    artifacts: list[dict],
    failures: list[dict],
    *,
    labels_file: str | None,
    sample: dict | None,
) -> dict:
    """The manifest document for a bundle (validated before it is returned)."""
    import torch

    try:
        from importlib.metadata import version

        et_version = version("executorch")
    except Exception:  # pragma: no cover
        et_version = "unknown"
    doc = {
        "schema": SCHEMA_ID,
        "name": model.name,
        "created_utc": datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "source": {
            **{k: v for k, v in model.source.items() if k in ("model", "trained", "weights", "description")},
            "torch": torch.__version__.split("+")[0],
            "executorch": et_version,
            "mobilekit": __version__,
        },
        "inputs": [i.to_json() for i in model.inputs],
        "outputs": [o.to_json() for o in model.outputs],
        "labels": labels_file,
        "artifacts": artifacts,
        "failures": failures,
        "sample": sample,
        "tokenizer": model.tokenizer.to_json() if model.tokenizer else None,
        "validation": "validation.json",
        "report": "report.html",
    }
    check(doc)
    return doc


def check(doc: dict, where: str = "manifest") -> None:
    """Raise :class:`BundleError` listing every schema violation of ``doc``."""
    problems = schemas.errors(doc, schemas.MANIFEST)
    if problems:
        raise BundleError(f"{where} does not match schemas/manifest.schema.json:\n  " + "\n  ".join(problems[:20]))


def write_manifest(bundle: Path, doc: dict) -> Path:
    """Write ``manifest.json`` atomically (a reader never sees half a file)."""
    check(doc)
    path = bundle / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_manifest(bundle: Path) -> dict:
    """Read and schema-check a bundle's manifest; a missing or corrupt file is named in the error."""
    bundle = Path(bundle)
    path = bundle / MANIFEST if bundle.is_dir() else bundle
    if not path.is_file():
        raise BundleError(f"{path} does not exist: is {bundle} a mobilekit bundle (made by `mobilekit export`)?")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is corrupt (not valid JSON): {exc}") from exc
    check(doc, where=str(path))
    return doc


@dataclass
class FileCheck:
    file: str
    ok: bool
    problem: str | None = None


def verify_files(bundle: Path, doc: dict) -> list[FileCheck]:
    """Check each artifact's presence, size and sha256 against the manifest."""
    results = []
    for art in doc["artifacts"]:
        path = bundle / art["file"]
        if not path.exists():
            results.append(FileCheck(art["file"], False, "missing"))
            continue
        if size_bytes(path) != art["bytes"]:
            results.append(FileCheck(art["file"], False, f"size {size_bytes(path)} != manifest {art['bytes']}"))
            continue
        if sha256_path(path) != art["sha256"]:
            results.append(FileCheck(art["file"], False, "sha256 differs from the manifest (file changed or corrupt)"))
            continue
        results.append(FileCheck(art["file"], True))
    return results
