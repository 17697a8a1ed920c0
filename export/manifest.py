"""The bundle manifest: write it from the export's records, read it back, and check a bundle against it.

``manifest.json`` is the contract every reader (device runner, Android app, iOS app) relies on; it is
validated against ``schemas/manifest.schema.json`` on every write and every read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from mobilekit import MobilekitError, __version__
from mobilekit import schemas

if TYPE_CHECKING:  # the reading side (device runner, farms, validate) must not import torch
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
    """Read and check a bundle's manifest: every path it names (:func:`check_paths`), then the schema.

    A missing or corrupt file is named in the error; a path that would leave the bundle is refused before
    anything it names is opened."""
    bundle = Path(bundle)
    path = bundle / MANIFEST if bundle.is_dir() else bundle
    if not path.is_file():
        raise BundleError(f"{path} does not exist: is {bundle} a mobilekit bundle (made by `mobilekit export`)?")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is corrupt (not valid JSON): {exc}") from exc
    if not isinstance(doc, dict):
        raise BundleError(f"{path} holds a JSON {type(doc).__name__}, not a manifest object.")
    check_paths(path.parent, doc, where=str(path))
    check(doc, where=str(path))
    return doc


# ---- the one path rule for every path a manifest names ------------------------------------------------------

@lru_cache(maxsize=None)
def _path_pattern(kind: str) -> "re.Pattern[str]":
    """The schema's own pattern ($defs/bundle_path or bundle_file): code and contract cannot drift apart."""
    return re.compile(schemas.load(schemas.MANIFEST)["$defs"][kind]["pattern"])


def manifest_paths(doc: dict) -> Iterator[tuple[str, object, str]]:
    """Every path the manifest names: ``(where, value, kind)``, ``kind`` the schema def it must obey."""
    def get(d, key):
        return d.get(key) if isinstance(d, dict) else None

    for key in ("labels", "validation", "report"):
        if get(doc, key) is not None:
            yield key, doc[key], "bundle_path"
    sample = get(doc, "sample")
    for key in ("input", "expected_output"):
        if get(sample, key) is not None:
            yield f"sample.{key}", sample[key], "bundle_path"
    for group in ("inputs", "outputs"):
        for i, e in enumerate(get(sample, group) or []):
            if get(e, "file") is not None:
                yield f"sample.{group}[{i}].file", e["file"], "bundle_path"
    for i, a in enumerate(get(doc, "artifacts") or []):
        if get(a, "file") is not None:
            yield f"artifacts[{i}].file", a["file"], "bundle_file"
        for j, x in enumerate(get(a, "extra_files") or []):
            yield f"artifacts[{i}].extra_files[{j}]", x, "bundle_path"
    tok = get(doc, "tokenizer")
    for key in ("vocab", "file"):
        if get(tok, key) is not None:
            yield f"tokenizer.{key}", tok[key], "bundle_path"
    llm = get(doc, "llm")
    if get(get(llm, "tokenizer"), "file") is not None:
        yield "llm.tokenizer.file", llm["tokenizer"]["file"], "bundle_file"
    if get(llm, "prompts") is not None:
        yield "llm.prompts", llm["prompts"], "bundle_file"


def path_problem(value: object, kind: str = "bundle_path") -> str | None:
    """Why ``value`` is not an acceptable manifest path (None when it is), from the text alone."""
    if not isinstance(value, str):
        return f"is a {type(value).__name__}, not a file name"
    if _path_pattern(kind).fullmatch(value) and len(value) <= (255 if kind == "bundle_file" else 1024):
        return None
    if value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
        return "is an absolute path"
    if any(part in ("..", ".") for part in re.split(r"[/\\]", value)):
        return "climbs out with '..'" if ".." in re.split(r"[/\\]", value) else "has a '.' component"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "holds control characters"
    if kind == "bundle_file" and "/" in value:
        return "is a path, not one file name directly in the bundle"
    return "is not a plain relative path ('/'-separated names, no '\\', none empty)"


def bundle_path(bundle: Path, rel: object, where: str = "path", kind: str = "bundle_path") -> Path:
    """``bundle / rel`` after the one check every reader applies to a manifest path (validate, bench, the farms):
    relative, no ``..``, inside the bundle, and not leaving it through a symlink (nor, for a folder such as an
    ``.mlpackage``, through a symlink anywhere inside it). Raises :class:`BundleError` naming ``where``."""
    problem = path_problem(rel, kind)
    if problem is None:
        root = os.path.realpath(bundle)
        target = Path(bundle) / rel
        problem = _escapes(root, target)
        if problem is None and target.is_dir() and not target.is_symlink():
            for dirpath, dirnames, filenames in os.walk(target):
                for n in dirnames + filenames:
                    problem = problem or _escapes(root, Path(dirpath) / n)
    if problem is not None:
        raise BundleError(
            f"The bundle's manifest names {where} = {str(rel)[:200]!r}, which {problem}. A manifest may only name plain "
            f"relative paths inside its own bundle ({bundle}); nothing it names was read or pushed.",
            hint="A manifest written by `mobilekit export` never does this: the bundle was edited or made elsewhere. "
            "Export it again, or get it from a source you trust.",
        )
    return Path(bundle) / rel


def _escapes(root: str, path: Path) -> str | None:
    real = os.path.realpath(path)
    if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
        return None
    return f"resolves outside the bundle (to {real}) through a symbolic link"


def check_paths(bundle: Path, doc: dict, where: str = "manifest") -> None:
    """Apply :func:`bundle_path` to every path of ``doc`` (:func:`manifest_paths`); the first offender is named."""
    for field_name, value, kind in manifest_paths(doc):
        bundle_path(bundle, value, f"{field_name} in {where}", kind)


@dataclass
class FileCheck:
    file: str
    ok: bool
    problem: str | None = None


def verify_files(bundle: Path, doc: dict, artifacts: list[dict] | None = None) -> list[FileCheck]:
    """Check each artifact's presence, size and sha256 against the manifest (the one sha256 check: ``mobilekit
    validate`` and the device runner, before it pushes anything, both call this). ``artifacts``: only these."""
    results = []
    for art in doc["artifacts"] if artifacts is None else artifacts:
        path = bundle_path(bundle, art["file"], "an artifact's file", "bundle_file")
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
