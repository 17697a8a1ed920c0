"""The phone's file system: a sandbox directory on the host, with Android's layout and permissions.

Every device path is normalised as the phone would (``/..`` is ``/``, relative paths join the shell's
working directory), then mapped under ``root``; the host path is resolved (symlinks included) and
refused with ``EACCES`` if it lands outside the root, so no device path can reach the host.

Permissions are Android's, simplified to two identities: the ``shell`` user (adb) and the ``app``
(``run-as`` and the benchmark app). The shell cannot read ``/data/data/<pkg>`` (the reason ``run-as``
exists) and writes only under ``/data/local/tmp`` and ``/sdcard``; the app writes its own directories.
``/sys`` and ``/proc`` files are virtual: their content is computed when read (battery, cpufreq).
"""

from __future__ import annotations

import errno
import os
import posixpath
import shutil
import stat as stat_mod
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .faults import Faults
from .profile import APP_UID, PACKAGE

SHELL_UID = 2000
APP_PRIVATE = (f"/data/data/{PACKAGE}", f"/data/user/0/{PACKAGE}")
APP_EXTERNAL = f"/sdcard/Android/data/{PACKAGE}"
SHELL_WRITABLE = ("/data/local/tmp", "/sdcard", "/storage/emulated/0")
APP_WRITABLE = APP_PRIVATE + (APP_EXTERNAL, "/data/local/tmp")
ROOT_ONLY = ("/data/misc",)


class FsError(OSError):
    """A file operation failed as it would on the phone: ``errno`` plus the device path."""

    def __init__(self, code: int, path: str):
        super().__init__(code, os.strerror(code), path)
        self.code = code
        self.device_path = path

    @property
    def reason(self) -> str:
        return os.strerror(self.code)


@dataclass(frozen=True)
class Stat:
    """A ``stat`` of a device path, with Android owners."""

    mode: int
    size: int
    mtime: int
    atime: int
    ctime: int
    nlink: int
    uid: int
    gid: int
    dev: int
    ino: int

    @property
    def is_dir(self) -> bool:
        return stat_mod.S_ISDIR(self.mode)

    @property
    def is_file(self) -> bool:
        return stat_mod.S_ISREG(self.mode)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


def owner_name(uid: int) -> str:
    return {0: "root", SHELL_UID: "shell", APP_UID: f"u0_a{APP_UID - 10000}"}.get(uid, str(uid))


class Sandbox:
    """Device paths -> host paths under ``root``, with Android permissions and live virtual files."""

    def __init__(self, root: Path, faults: Faults):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._root_real = os.path.realpath(self.root)
        self.faults = faults
        self.virtual: dict[str, Callable[[], bytes]] = {}
        self.phantoms: dict[str, dict[str, bytes]] = {}  # device dir -> {hostile name: content}
        self._lock = threading.Lock()

    # --- paths ----------------------------------------------------------------------------------
    @staticmethod
    def normalize(path: str, cwd: str = "/") -> str:
        """The absolute, normalised device path (``..`` above ``/`` stays at ``/``, as on the phone)."""
        if "\0" in path:
            raise FsError(errno.EINVAL, path.replace("\0", "\\0"))
        joined = path if path.startswith("/") else posixpath.join(cwd, path)
        norm = posixpath.normpath("/" + joined.lstrip("/"))
        return "/" if norm in ("", ".") else norm

    def host(self, device_path: str) -> Path:
        """The host path for a normalised device path; ``EACCES`` if it resolves outside the root."""
        candidate = os.path.join(self._root_real, device_path.lstrip("/"))
        real = os.path.realpath(candidate)
        if real != self._root_real and not real.startswith(self._root_real + os.sep):
            raise FsError(errno.EACCES, device_path)
        return Path(candidate)

    def owner(self, path: str) -> int:
        if _under(path, APP_PRIVATE) or _under(path, (APP_EXTERNAL,)):
            return APP_UID
        if _under(path, SHELL_WRITABLE):
            return SHELL_UID
        return 0

    # --- permissions ------------------------------------------------------------------------------
    def check_read(self, path: str, who: str) -> None:
        if who == "root":
            return
        if _under(path, ROOT_ONLY) or (who == "shell" and (_under(path, APP_PRIVATE) or path in ("/data/data", "/data/user/0"))):
            raise FsError(errno.EACCES, path)

    def check_write(self, path: str, who: str) -> None:
        if who != "root":
            self.check_read(path, who)
            allowed = SHELL_WRITABLE if who == "shell" else APP_WRITABLE
            if not _under(path, allowed) or _under(path, ("/sys", "/proc")):
                raise FsError(errno.EROFS if path.count("/") <= 1 else errno.EACCES, path)

    def _check_space(self, path: str) -> None:
        if self.faults.full_disk and not _under(path, ("/sys", "/proc")):
            raise FsError(errno.ENOSPC, path)

    # --- queries -------------------------------------------------------------------------------
    def stat(self, path: str, who: str = "shell", follow: bool = True) -> Stat:
        if who == "shell" and _under(path, APP_PRIVATE + ROOT_ONLY):
            raise FsError(errno.EACCES, path)
        host = self.host(path)
        try:
            st = os.stat(host) if follow else os.lstat(host)
        except FileNotFoundError:
            raise FsError(errno.ENOENT, path) from None
        except NotADirectoryError:
            raise FsError(errno.ENOTDIR, path) from None
        size = st.st_size
        if path in self.virtual:
            size = 4096 if path.startswith("/sys/") else 0
        uid = self.owner(path)
        return Stat(st.st_mode, size, int(st.st_mtime), int(st.st_atime), int(st.st_ctime), st.st_nlink,
                    uid, uid, st.st_dev, st.st_ino)

    def exists(self, path: str) -> bool:
        try:
            self.stat(path, "root")
            return True
        except FsError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            return self.stat(path, "root").is_dir
        except FsError:
            return False

    def listdir(self, path: str, who: str = "shell") -> list[str]:
        """Names in a directory, sorted, without ``.``/``..``, plus any hostile phantom names."""
        self.check_read(path, who)
        host = self.host(path)
        try:
            names = sorted(os.listdir(host))
        except FileNotFoundError:
            raise FsError(errno.ENOENT, path) from None
        except NotADirectoryError:
            raise FsError(errno.ENOTDIR, path) from None
        if self.faults.hostile_names:
            names += sorted(self.phantoms.get(path, {}))
        return names

    def phantom(self, path: str) -> bytes | None:
        """Content of a hostile phantom entry addressed as ``dir + "/" + name`` (only under the fault)."""
        if not self.faults.hostile_names:
            return None
        for directory, names in self.phantoms.items():
            if path.startswith(directory + "/") and path[len(directory) + 1:] in names:
                return names[path[len(directory) + 1:]]
        return None

    def read_bytes(self, path: str, who: str = "shell") -> bytes:
        self.check_read(path, who)
        if path in self.virtual:
            return self.virtual[path]()
        host = self.host(path)
        try:
            return host.read_bytes()
        except FileNotFoundError:
            raise FsError(errno.ENOENT, path) from None
        except IsADirectoryError:
            raise FsError(errno.EISDIR, path) from None
        except NotADirectoryError:
            raise FsError(errno.ENOTDIR, path) from None

    # --- changes -------------------------------------------------------------------------------
    def write_bytes(self, path: str, data: bytes, who: str = "shell", append: bool = False, mode: int | None = None) -> None:
        self.check_write(path, who)
        self._check_space(path)
        host = self.host(path)
        if host.is_dir():
            raise FsError(errno.EISDIR, path)
        if not self.is_dir(posixpath.dirname(path)):
            raise FsError(errno.ENOENT, path)
        with open(host, "ab" if append else "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(host, mode & 0o7777)

    def open_for_write(self, path: str, who: str = "shell", mode: int = 0o644):
        """A host file object to stream into (``sync`` SEND); creates parent directories like adbd."""
        self.check_write(path, who)
        self._check_space(path)
        self.mkdir(posixpath.dirname(path), who="root", parents=True)
        host = self.host(path)
        if host.is_dir():
            raise FsError(errno.EISDIR, path)
        fh = open(host, "wb")
        os.chmod(host, mode & 0o777)
        return fh

    def mkdir(self, path: str, who: str = "shell", parents: bool = False) -> None:
        if path == "/" or self.is_dir(path):
            if parents:
                return
            raise FsError(errno.EEXIST, path)
        if self.exists(path):
            raise FsError(errno.EEXIST if not parents else errno.ENOTDIR, path)
        parent = posixpath.dirname(path)
        if not self.is_dir(parent):
            if not parents:
                raise FsError(errno.ENOENT, path)
            self.mkdir(parent, who, parents=True)
        self.check_write(path, who)
        self._check_space(path)
        try:
            self.host(path).mkdir()  # atomic, as on the phone: of two sessions racing, one gets EEXIST
        except FileExistsError:
            raise FsError(errno.EEXIST, path) from None

    def remove(self, path: str, who: str = "shell", recursive: bool = False) -> None:
        self.check_write(path, who)
        host = self.host(path)
        if not os.path.lexists(host):
            raise FsError(errno.ENOENT, path)
        if host.is_dir() and not host.is_symlink():
            if not recursive:
                raise FsError(errno.EISDIR, path)
            shutil.rmtree(host)
        else:
            host.unlink()

    def rename(self, src: str, dst: str, who: str = "shell") -> None:
        self.check_write(src, who)
        self.check_write(dst, who)
        if not self.exists(src):
            raise FsError(errno.ENOENT, src)
        if not self.is_dir(posixpath.dirname(dst)):
            raise FsError(errno.ENOENT, dst)
        os.replace(self.host(src), self.host(dst))

    def chmod(self, path: str, mode: int, who: str = "shell") -> None:
        self.check_write(path, who)
        host = self.host(path)
        if not host.exists():
            raise FsError(errno.ENOENT, path)
        os.chmod(host, mode & 0o7777)

    def touch(self, path: str, who: str = "shell") -> None:
        self.check_write(path, who)
        host = self.host(path)
        if host.exists():
            now = time.time()
            os.utime(host, (now, now))
            return
        self._check_space(path)
        if not self.is_dir(posixpath.dirname(path)):
            raise FsError(errno.ENOENT, path)
        host.touch()

    def set_mtime(self, path: str, mtime: int) -> None:
        os.utime(self.host(path), (mtime, mtime))

    def used_bytes(self) -> int:
        """Bytes of regular files in the sandbox (bounded walk), for ``df``."""
        total = 0
        for count, (dirpath, _dirs, files) in enumerate(os.walk(self._root_real)):
            if count > 20_000:
                break
            for name in files:
                try:
                    total += os.lstat(os.path.join(dirpath, name)).st_size
                except OSError:
                    continue
        return total
