"""The ``sync:`` service: STAT/LIST/SEND/RECV and their v2 forms, as ``daemon/file_sync_service.cpp``.

Requests are ``id(4) + length(4) + path``; v1 and v2 stat/list, SEND (``path,mode``) and SND2 (path,
then ``id mode flags``), RECV and RCV2 (path, then ``id flags``), DATA chunks of at most 64 KiB, DONE
carrying the mtime, OKAY/FAIL answers, QUIT. Compression flags are refused (not advertised).
Directory listings include ``.`` and ``..`` as adbd's readdir does.
"""

from __future__ import annotations

import errno
import posixpath
import stat as stat_mod
import struct
from typing import TYPE_CHECKING

from .filesystem import FsError, Stat
from .server import Stream

if TYPE_CHECKING:
    from .phone import SimulatedPhone


def _id(name: bytes) -> int:
    return struct.unpack("<I", name)[0]


ID_STAT, ID_STA2, ID_LST2 = _id(b"STAT"), _id(b"STA2"), _id(b"LST2")
ID_LIST, ID_LIS2, ID_DENT, ID_DNT2 = _id(b"LIST"), _id(b"LIS2"), _id(b"DENT"), _id(b"DNT2")
ID_SEND, ID_SND2, ID_RECV, ID_RCV2 = _id(b"SEND"), _id(b"SND2"), _id(b"RECV"), _id(b"RCV2")
ID_DONE, ID_DATA, ID_OKAY, ID_FAIL, ID_QUIT = _id(b"DONE"), _id(b"DATA"), _id(b"OKAY"), _id(b"FAIL"), _id(b"QUIT")
SYNC_DATA_MAX = 64 * 1024
STAT_V2 = struct.Struct("<IIQQIIIIQqqq")
DENT_V1 = struct.Struct("<IIIII")
DENT_V2 = struct.Struct("<IIQQIIIIQqqqI")
KNOWN_FLAGS_MASK = 0  # no compression or dry-run advertised


def _fail(stream: Stream, reason: str) -> None:
    data = reason.encode("utf-8", errors="replace")
    stream.write(struct.pack("<II", ID_FAIL, len(data)) + data)


def _stat_v2(id_: int, st: Stat | None, error: int = 0) -> bytes:
    if st is None:
        return STAT_V2.pack(id_, error, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    return STAT_V2.pack(id_, 0, st.dev, st.ino, st.mode, st.nlink, st.uid, st.gid, st.size, st.atime, st.mtime, st.ctime)


class SyncService:
    """Serves one ``sync:`` stream until QUIT, an error, or the client closing it."""

    def __init__(self, phone: "SimulatedPhone"):
        self.phone = phone
        self.fs = phone.fs

    def __call__(self, stream: Stream) -> None:
        for _ in range(1_000_000):  # one request per round; bounded
            head = stream.read(8)
            if len(head) < 8:
                return
            req, length = struct.unpack("<II", head)
            if length > 1024:
                _fail(stream, "path too long")
                return
            raw = stream.read_exactly(length)
            path = raw.decode("utf-8", errors="surrogateescape")
            if req == ID_QUIT:
                return
            handler = {ID_STAT: self._stat_v1, ID_STA2: self._stat_v2, ID_LST2: self._stat_v2,
                       ID_LIST: self._list, ID_LIS2: self._list, ID_SEND: self._send_v1, ID_SND2: self._send_v2,
                       ID_RECV: self._recv_v1, ID_RCV2: self._recv_v2}.get(req)
            if handler is None:
                _fail(stream, f"unknown command {req:08x}")
                return
            if handler(stream, req, path) is False:
                return

    def _norm(self, path: str) -> str:
        return self.fs.normalize(path)

    def _lookup(self, path: str, follow: bool) -> Stat:
        content = self.fs.phantom(path)
        if content is not None:
            return Stat(stat_mod.S_IFREG | 0o644, len(content), 0, 0, 0, 1, 10187, 10187, 0, 0)
        return self.fs.stat(self._norm(path), "shell", follow=follow)

    def _stat_v1(self, stream: Stream, req: int, path: str) -> None:
        try:
            st = self._lookup(path, follow=False)
            stream.write(struct.pack("<IIII", ID_STAT, st.mode, st.size & 0xFFFFFFFF, st.mtime & 0xFFFFFFFF))
        except FsError:
            stream.write(struct.pack("<IIII", ID_STAT, 0, 0, 0))

    def _stat_v2(self, stream: Stream, req: int, path: str) -> None:
        try:
            stream.write(_stat_v2(req, self._lookup(path, follow=req == ID_STA2)))
        except FsError as exc:
            stream.write(_stat_v2(req, None, exc.code))

    def _list(self, stream: Stream, req: int, path: str) -> None:
        v2 = req == ID_LIS2
        out = bytearray()
        directory = "/"
        try:
            directory = self._norm(path)
            names = [".", ".."] + self.fs.listdir(directory, "shell")
        except FsError:
            names = []
        for name in names:
            full = directory if name == "." else posixpath.dirname(directory) if name == ".." else directory + "/" + name
            if directory == "/" and name not in (".", ".."):
                full = "/" + name
            phantom = self.fs.phantom(directory.rstrip("/") + "/" + name)
            try:
                st = (Stat(stat_mod.S_IFREG | 0o644, len(phantom), 0, 0, 0, 1, 10187, 10187, 0, 0) if phantom is not None
                      else self.fs.stat(self.fs.normalize(full), "root", follow=False))
            except FsError as exc:
                if not v2:
                    continue
                st, err = None, exc.code
            encoded = name.encode("utf-8", errors="surrogateescape")
            if v2:
                if st is None:
                    out += DENT_V2.pack(ID_DNT2, err, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, len(encoded))
                else:
                    out += DENT_V2.pack(ID_DNT2, 0, st.dev, st.ino, st.mode, st.nlink, st.uid, st.gid, st.size,
                                        st.atime, st.mtime, st.ctime, len(encoded))
            else:
                out += DENT_V1.pack(ID_DENT, st.mode, st.size & 0xFFFFFFFF, st.mtime & 0xFFFFFFFF, len(encoded))
            out += encoded
            if len(out) >= SYNC_DATA_MAX:
                stream.write(bytes(out))
                out.clear()
        out += (DENT_V2.pack(ID_DONE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) if v2 else DENT_V1.pack(ID_DONE, 0, 0, 0, 0))
        stream.write(bytes(out))

    # --- SEND -----------------------------------------------------------------------------------
    def _send_v1(self, stream: Stream, req: int, spec: str) -> bool:
        path, comma, mode_text = spec.rpartition(",")
        if not comma:
            _fail(stream, "missing , in ID_SEND_V1")
            return False
        try:
            mode = int(mode_text, 0)
        except ValueError:
            _fail(stream, "bad mode")
            return False
        return self._send(stream, path, mode)

    def _send_v2(self, stream: Stream, req: int, path: str) -> bool:
        setup_id, mode, flags = struct.unpack("<III", stream.read_exactly(12))
        if setup_id != ID_SND2:
            _fail(stream, "invalid send_v2 setup packet")
            return False
        if flags & ~KNOWN_FLAGS_MASK:
            _fail(stream, f"unknown flags: {flags}")
            return False
        return self._send(stream, path, mode)

    def _send(self, stream: Stream, path: str, mode: int) -> bool:
        if stat_mod.S_ISLNK(mode):
            _fail(stream, "symlink failed: the simulated phone does not accept symlinks")
            self._drain(stream)
            return False
        mode &= 0o777
        mode |= (mode >> 3) & 0o070
        mode |= (mode >> 3) & 0o007
        try:
            device_path = self._norm(path)
            fh = self.fs.open_for_write(device_path, "shell", mode)
        except FsError as exc:
            _fail(stream, f"couldn't create file: {exc.reason}")
            self._drain(stream)
            return False
        ok = False
        try:
            with fh:
                for _ in range(10_000_000):
                    kind, size = struct.unpack("<II", stream.read_exactly(8))
                    if kind == ID_DONE:
                        mtime = size
                        break
                    if kind != ID_DATA:
                        _fail(stream, "invalid data message")
                        return False
                    if size > 16 * SYNC_DATA_MAX:
                        _fail(stream, "oversize data message")
                        return False
                    data = stream.read_exactly(size)
                    if self.phone.faults.full_disk:
                        raise FsError(errno.ENOSPC, device_path)
                    fh.write(data)
            ok = True
        except FsError as exc:
            _fail(stream, f"write failed: {exc.reason}")
            self._drain(stream)
            return False
        finally:
            if not ok:
                try:
                    self.fs.remove(device_path, "root")
                except FsError:
                    pass
        self.fs.set_mtime(device_path, mtime)
        stream.write(struct.pack("<II", ID_OKAY, 0))
        return True

    def _drain(self, stream: Stream) -> None:
        """After a failure, read and drop DATA until DONE, as adbd does for old clients."""
        for _ in range(10_000_000):
            head = stream.read(8, timeout_s=5.0)
            if len(head) < 8:
                return
            kind, size = struct.unpack("<II", head)
            if kind != ID_DATA or size > SYNC_DATA_MAX * 4:
                return
            stream.read(size, timeout_s=5.0)

    # --- RECV -----------------------------------------------------------------------------------
    def _recv_v1(self, stream: Stream, req: int, path: str) -> bool:
        return self._recv(stream, path)

    def _recv_v2(self, stream: Stream, req: int, path: str) -> bool:
        setup_id, flags = struct.unpack("<II", stream.read_exactly(8))
        if setup_id != ID_RCV2:
            _fail(stream, "invalid recv_v2 setup packet")
            return False
        if flags & ~KNOWN_FLAGS_MASK:
            _fail(stream, f"unknown flags: {flags}")
            return False
        return self._recv(stream, path)

    def _recv(self, stream: Stream, path: str) -> bool:
        content = self.fs.phantom(path)
        if content is None:
            try:
                device_path = self._norm(path)
                if self.fs.is_dir(device_path):
                    raise FsError(errno.EISDIR, device_path)
                content = self.fs.read_bytes(device_path, "shell")
            except FsError as exc:
                _fail(stream, f"open failed: {exc.reason}")
                return False
        out = bytearray()
        for start in range(0, len(content), SYNC_DATA_MAX):
            chunk = content[start:start + SYNC_DATA_MAX]
            out += struct.pack("<II", ID_DATA, len(chunk)) + chunk
            if len(out) >= 4 * SYNC_DATA_MAX:
                stream.write(bytes(out))
                out.clear()
        out += struct.pack("<II", ID_DONE, 0)
        stream.write(bytes(out))
        return True

