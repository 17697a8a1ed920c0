"""Read a farm's artifacts (a folder, a zip, zips inside either) without trusting a single name in them.

Nothing is extracted to disk: every file is read into memory under a checked name, so a hostile
archive cannot write anywhere (no zip-slip). A name is refused, and reported, when it is absolute,
has a drive letter, a ``..`` or empty component, a backslash trick, or a control character; symbolic
links are never followed; oversized members are skipped with the reason. Zips inside the source
(Device Farm's per-job "Customer Artifacts" zips in one download, say) are opened in memory, two
levels deep at most.
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from mobilekit import MobilekitError

MAX_MEMBER_BYTES = 64 << 20          # a result.json or a state dump is far smaller
MAX_NESTED_ZIP_BYTES = 1 << 30
MAX_DEPTH = 2
READ_SUFFIXES = (".json", ".txt", ".zip")


@dataclass(frozen=True)
class Entry:
    """One file of the artifacts: its checked path components and a way to read its bytes."""

    parts: tuple[str, ...]
    size: int
    read: Callable[[], bytes]

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def shown(self) -> str:
        return show(self.parts)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str

    def to_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason}


def show(parts) -> str:
    """A path for messages: control characters escaped, so a name cannot forge output lines."""
    text = "/".join(parts) if not isinstance(parts, str) else parts
    return json.dumps(text, ensure_ascii=False)[1:-1]


def safe_parts(raw: str) -> tuple[str, ...] | None:
    """The components of an archive member name, or None when the name is not a plain relative path."""
    if not raw or "\x00" in raw:
        return None
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or name.startswith("~"):
        return None
    parts = tuple(p for p in name.split("/"))
    if parts and parts[-1] == "":
        parts = parts[:-1]           # a directory entry's trailing slash
    if not parts or any(p in ("", ".", "..") for p in parts):
        return None
    if any(ord(c) < 32 or ord(c) == 127 or c in "\x85\u2028\u2029" for p in parts for c in p):
        return None
    return parts


def read_entries(source: Path) -> tuple[list[Entry], list[Skipped]]:
    """Every readable file under ``source`` (folder or zip), nested zips opened; plus what was refused and why."""
    source = Path(source)
    if not source.exists():
        raise MobilekitError(f"{source} does not exist.", hint="Pass the folder or zip of a farm's downloaded artifacts.")
    entries: list[Entry] = []
    skipped: list[Skipped] = []
    if source.is_dir():
        _walk_dir(source, entries, skipped)
    elif zipfile.is_zipfile(source):
        try:
            with open(source, "rb") as f:
                data = f.read()
            _walk_zip(data, (), entries, skipped, depth=1)
        except (zipfile.BadZipFile, OSError) as exc:
            raise MobilekitError(f"{source} is not a readable zip: {exc}") from None
    else:
        raise MobilekitError(f"{source} is neither a folder nor a zip.",
                             hint="Pass the farm's artifacts folder, or the zip the farm lets you download.")
    return entries, skipped


def _walk_dir(root: Path, entries: list[Entry], skipped: list[Skipped]) -> None:
    root_real = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        base = () if rel_dir == "." else tuple(rel_dir.split(os.sep))
        for d in list(dirnames):
            if os.path.islink(os.path.join(dirpath, d)):
                skipped.append(Skipped(show(base + (d,)), "a symbolic link; not followed"))
                dirnames.remove(d)
        for fn in filenames:
            full = os.path.join(dirpath, fn)
            parts = base + (fn,)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                skipped.append(Skipped(show(parts), "a symbolic link; not followed"))
                continue
            if not stat.S_ISREG(st.st_mode) or not os.path.realpath(full).startswith(root_real + os.sep):
                skipped.append(Skipped(show(parts), "not a regular file inside the folder"))
                continue
            if safe_parts("/".join(parts)) is None:
                skipped.append(Skipped(show(parts), "an unsafe file name"))
                continue
            if not fn.endswith(READ_SUFFIXES) and fn not in ("done", "error"):
                continue
            if fn.endswith(".zip"):
                if st.st_size > MAX_NESTED_ZIP_BYTES:
                    skipped.append(Skipped(show(parts), f"a zip of {st.st_size} bytes, over the {MAX_NESTED_ZIP_BYTES} limit"))
                    continue
                _walk_zip(Path(full).read_bytes(), parts, entries, skipped, depth=1)
                continue
            if st.st_size > MAX_MEMBER_BYTES:
                skipped.append(Skipped(show(parts), f"{st.st_size} bytes, over the {MAX_MEMBER_BYTES} limit"))
                continue
            entries.append(Entry(parts, st.st_size, lambda full=full: Path(full).read_bytes()))


def _walk_zip(data: bytes, prefix: tuple[str, ...], entries: list[Entry], skipped: list[Skipped], depth: int) -> None:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        skipped.append(Skipped(show(prefix) or "(archive)", f"not a readable zip: {exc}"))
        return
    for info in infos:
        if info.is_dir():
            continue
        parts = safe_parts(info.filename)
        if parts is None:
            skipped.append(Skipped(show(prefix + (info.filename,)), "an unsafe name in the archive (absolute, "
                                                                    "'..', or control characters); not read"))
            continue
        full = prefix + parts
        mode = (info.external_attr >> 16) & 0o170000
        if mode == stat.S_IFLNK:
            skipped.append(Skipped(show(full), "a symbolic link in the archive; not followed"))
            continue
        if not parts[-1].endswith(READ_SUFFIXES) and parts[-1] not in ("done", "error"):
            continue
        if parts[-1].endswith(".zip"):
            if depth >= MAX_DEPTH or info.file_size > MAX_NESTED_ZIP_BYTES:
                skipped.append(Skipped(show(full), "a zip nested too deep or too large; not opened"))
                continue
            try:
                inner = z.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                skipped.append(Skipped(show(full), f"unreadable: {exc}"))
                continue
            _walk_zip(inner, full, entries, skipped, depth + 1)
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            skipped.append(Skipped(show(full), f"{info.file_size} bytes, over the {MAX_MEMBER_BYTES} limit"))
            continue

        def read(z=z, info=info) -> bytes:
            with z.open(info) as f:
                out = f.read(MAX_MEMBER_BYTES + 1)
            if len(out) > MAX_MEMBER_BYTES:
                raise ValueError(f"expands past {MAX_MEMBER_BYTES} bytes")
            return out

        entries.append(Entry(full, info.file_size, read))
