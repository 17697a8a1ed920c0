"""ADB through a running adb server (Google's ``adb``), for phones the server already owns (USB above all).

The adb host protocol, written out: every request is a 4-hex-digit length then the payload; the server
answers ``OKAY`` or ``FAIL`` + a 4-hex length + message. ``host:transport:<serial>`` switches the socket
to one phone, after which ``shell:<cmd>`` streams output until EOF and ``sync:`` speaks the file sync
protocol (``STAT``/``LIST``/``SEND``/``RECV``: 4-byte id + little-endian 32-bit length). The server is at
127.0.0.1:5037, or the port in ``ANDROID_ADB_SERVER_PORT``.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from mobilekit.device_runner.transport import (
    ConnectionLost,
    DeviceCommandFailed,
    DeviceError,
    DeviceNotFound,
    DeviceTimeout,
    DeviceUnauthorized,
    ProgressCallback,
    RemoteEntry,
    RemoteStat,
    ShellStream,
    Transport,
)

DEFAULT_PORT = 5037
SYNC_DATA_MAX = 64 * 1024


def server_port() -> int:
    """The adb server port: ``ANDROID_ADB_SERVER_PORT`` or 5037."""
    try:
        return int(os.environ.get("ANDROID_ADB_SERVER_PORT", DEFAULT_PORT))
    except ValueError:
        return DEFAULT_PORT


class ServerFailure(DeviceError):
    """The adb server answered FAIL."""


@dataclass(frozen=True)
class ServerDevice:
    """One line of ``host:devices-l``: serial, state (device/unauthorized/offline) and its key:value fields."""

    serial: str
    state: str
    props: dict = field(default_factory=dict)


def parse_devices_l(text: str) -> list[ServerDevice]:
    """Parse ``adb devices -l`` output: ``SERIAL  STATE key:value ...`` a line."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2 or line.startswith(("List of devices", "*")):
            continue
        props = dict(p.split(":", 1) for p in parts[2:] if ":" in p)
        out.append(ServerDevice(parts[0], parts[1], props))
    return out


class _Conn:
    """One socket to the adb server, with exact reads and the OKAY/FAIL handshake."""

    def __init__(self, port: int, timeout_s: float):
        self.timeout_s = timeout_s
        try:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=min(timeout_s, 5.0))
        except OSError as exc:
            raise ConnectionLost(f"no adb server answers on 127.0.0.1:{port} ({exc})") from None
        self.sock.settimeout(timeout_s)

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise ConnectionLost(f"lost the adb server connection: {exc}") from None

    def read(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except socket.timeout:
                raise DeviceTimeout(f"the adb server did not answer within {self.timeout_s:.0f} s") from None
            except OSError as exc:
                raise ConnectionLost(f"lost the adb server connection: {exc}") from None
            if not chunk:
                raise ConnectionLost("the adb server closed the connection (the phone may have gone away)")
            buf += chunk
        return bytes(buf)

    def request(self, payload: str) -> None:
        data = payload.encode("utf-8")
        self.send(b"%04x" % len(data) + data)
        status = self.read(4)
        if status == b"OKAY":
            return
        if status == b"FAIL":
            msg = self.read(int(self.read(4), 16)).decode("utf-8", "replace")
            raise ServerFailure(f"adb server: {msg}")
        raise ConnectionLost(f"unexpected adb server reply {status!r}")

    def read_hex_block(self) -> str:
        return self.read(int(self.read(4), 16)).decode("utf-8", "replace")

    def read_all(self, deadline: float) -> bytes:
        out = bytearray()
        while True:
            if time.monotonic() > deadline:
                raise DeviceTimeout(f"the command did not finish within {self.timeout_s:.0f} s")
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise DeviceTimeout(f"the command did not finish within {self.timeout_s:.0f} s") from None
            except OSError as exc:
                raise ConnectionLost(f"lost the adb server connection: {exc}") from None
            if not chunk:
                return bytes(out)
            out += chunk

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class AdbServer:
    """The host side of the adb server: version, the device list, and sockets switched to one phone."""

    def __init__(self, port: int | None = None, timeout_s: float = 10.0):
        self.port = port or server_port()
        self.timeout_s = timeout_s

    def version(self) -> int:
        c = _Conn(self.port, self.timeout_s)
        try:
            c.request("host:version")
            return int(c.read_hex_block(), 16)
        finally:
            c.close()

    def running(self) -> bool:
        """Whether an adb server answers on this port (no server is started)."""
        try:
            self.version()
        except DeviceError:
            return False
        return True

    def devices(self) -> list[ServerDevice]:
        c = _Conn(self.port, self.timeout_s)
        try:
            c.request("host:devices-l")
            return parse_devices_l(c.read_hex_block())
        finally:
            c.close()

    def open(self, serial: str, service: str, timeout_s: float) -> _Conn:
        """A socket switched to phone ``serial`` with ``service`` (``shell:...``, ``sync:``) opened on it."""
        c = _Conn(self.port, timeout_s)
        try:
            try:
                c.request(f"host:transport:{serial}")
            except ServerFailure as exc:
                text = exc.message.lower()
                if "unauthorized" in text:
                    raise DeviceUnauthorized(serial) from None
                if "not found" in text:
                    raise DeviceNotFound(f"the adb server does not know a phone {serial!r}",
                                         hint="See `adb devices -l` or `mobilekit devices`.") from None
                raise ConnectionLost(f"{serial}: {exc.message}") from None
            c.request(service)
        except BaseException:
            c.close()
            raise
        return c


class ServerTransport(Transport):
    """A phone reached through a running adb server: each call is its own socket to the server."""

    def __init__(self, serial: str, port: int | None = None, timeout_s: float = 30.0):
        self.serial = serial
        self.name = serial
        self.timeout_s = timeout_s
        self.server = AdbServer(port)

    def connect(self) -> None:
        states = {d.serial: d.state for d in self.server.devices()}
        state = states.get(self.serial)
        if state is None:
            raise DeviceNotFound(f"the adb server on port {self.server.port} does not list {self.serial!r}",
                                 hint="Check `adb devices -l`; for a network phone run `adb connect HOST:PORT` first.")
        if state == "unauthorized":
            raise DeviceUnauthorized(self.serial)
        if state != "device":
            raise ConnectionLost(f"{self.serial} is {state} in the adb server")

    def close(self) -> None:
        pass

    def _shell(self, command: str, timeout_s: float) -> str:
        c = self.server.open(self.serial, f"shell:{command}", timeout_s)
        try:
            return c.read_all(time.monotonic() + timeout_s).decode("utf-8", "replace")
        finally:
            c.close()

    def _stream(self, command: str, timeout_s: float) -> ShellStream:
        return _ServerStream(self.server.open(self.serial, f"shell:{command}", timeout_s))

    # ---- sync ----------------------------------------------------------------------------------
    @staticmethod
    def _sync_req(c: _Conn, ident: bytes, path: str | bytes) -> None:
        data = path.encode("utf-8") if isinstance(path, str) else path
        c.send(ident + struct.pack("<I", len(data)) + data)

    @staticmethod
    def _sync_fail(c: _Conn, size: int, what: str):
        msg = c.read(size).decode("utf-8", "replace")
        return DeviceCommandFailed(f"{what} failed: {msg}")

    def _sync(self, timeout_s: float) -> _Conn:
        return self.server.open(self.serial, "sync:", timeout_s)

    def _push(self, local: Path, remote: str, mode: int, progress: ProgressCallback | None, timeout_s: float) -> None:
        c = self._sync(timeout_s)
        try:
            self._sync_req(c, b"SEND", f"{remote},{0o100000 | mode}")
            total = local.stat().st_size
            with open(local, "rb") as f:
                while chunk := f.read(SYNC_DATA_MAX):
                    c.send(b"DATA" + struct.pack("<I", len(chunk)) + chunk)
                    if progress:
                        progress(remote, len(chunk), total)
            c.send(b"DONE" + struct.pack("<I", int(time.time())))
            ident, size = c.read(4), struct.unpack("<I", c.read(4))[0]
            if ident == b"FAIL":
                raise self._sync_fail(c, size, f"push {remote}")
            if ident != b"OKAY":
                raise ConnectionLost(f"unexpected sync reply {ident!r}")
            c.send(b"QUIT" + struct.pack("<I", 0))
        finally:
            c.close()

    def _pull(self, remote: str, local: Path, timeout_s: float) -> None:
        c = self._sync(timeout_s)
        tmp = local.with_name(local.name + ".part")
        try:
            self._sync_req(c, b"RECV", remote)
            with open(tmp, "wb") as f:
                while True:
                    ident, size = c.read(4), struct.unpack("<I", c.read(4))[0]
                    if ident == b"DATA":
                        f.write(c.read(size))
                    elif ident == b"DONE":
                        break
                    elif ident == b"FAIL":
                        raise self._sync_fail(c, size, f"pull {remote}")
                    else:
                        raise ConnectionLost(f"unexpected sync reply {ident!r}")
            os.replace(tmp, local)
        finally:
            c.close()
            tmp.unlink(missing_ok=True)

    def _stat(self, remote: str, timeout_s: float) -> RemoteStat:
        c = self._sync(timeout_s)
        try:
            self._sync_req(c, b"STAT", remote)
            ident = c.read(4)
            if ident != b"STAT":
                raise ConnectionLost(f"unexpected sync reply {ident!r}")
            mode, size, mtime = struct.unpack("<III", c.read(12))
            return RemoteStat(mode, size, mtime)
        finally:
            c.close()

    def _list(self, remote: str, timeout_s: float) -> list[RemoteEntry]:
        c = self._sync(timeout_s)
        out = []
        try:
            self._sync_req(c, b"LIST", remote)
            while True:
                ident = c.read(4)
                mode, size, mtime, namelen = struct.unpack("<IIII", c.read(16))
                if ident == b"DONE":
                    return out
                if ident != b"DENT":
                    raise ConnectionLost(f"unexpected sync reply {ident!r}")
                out.append(RemoteEntry(c.read(namelen).decode("utf-8", "replace"), mode, size, mtime))
        finally:
            c.close()


class _ServerStream(ShellStream):
    def __init__(self, conn: _Conn):
        self._conn = conn
        self._closed = False

    def lines(self) -> Iterator[str]:
        buf = b""
        while not self._closed:
            try:
                chunk = self._conn.sock.recv(4096)
            except socket.timeout:
                if self._closed:
                    return
                raise DeviceTimeout("the stream went silent") from None
            except OSError:
                if self._closed:
                    return
                raise ConnectionLost("lost the adb server connection during a stream") from None
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                yield line.decode("utf-8", "replace").rstrip("\r")
        if buf and not self._closed:
            yield buf.decode("utf-8", "replace").rstrip("\r")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._conn.close()
