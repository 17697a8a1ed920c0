"""The shared half of the adb-shell transports (TCP and USB): error mapping and the calls themselves.

adb-shell speaks the device side of the ADB protocol directly (CNXN/AUTH/OPEN/WRTE/OKAY/CLSE and the
sync service), so no adb server is needed. Its exceptions are turned into the runner's
:mod:`~mobilekit.device_runner.transport` errors here, in one place.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from mobilekit.device_runner.transport import (
    ConnectionLost,
    DeviceCommandFailed,
    DeviceError,
    DeviceTimeout,
    DeviceUnauthorized,
    ProgressCallback,
    RemoteEntry,
    RemoteStat,
    ShellStream,
    Transport,
)


def device_text(value) -> str:
    """A name or text from the phone as ``str``: adb-shell hands sync LIST names over as ``bytearray`` (not
    ``bytes``), which ``str()`` would turn into ``"bytearray(b'result.json')"``. Undecodable bytes are replaced."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def map_error(exc: BaseException, name: str, what: str) -> DeviceError:
    """Translate an adb-shell or socket exception into the runner's error family."""
    from adb_shell import exceptions as ex

    text = str(exc) or type(exc).__name__
    if isinstance(exc, DeviceError):
        return exc
    if isinstance(exc, ex.DeviceAuthError):
        return DeviceUnauthorized(name)
    if isinstance(exc, (ex.TcpTimeoutException, ex.AdbTimeoutError, socket.timeout, TimeoutError)):
        return DeviceTimeout(f"{what} on {name} timed out: {text}")
    if isinstance(exc, ex.PushFailedError):
        return DeviceCommandFailed(f"{what} on {name} failed: {text}")
    if isinstance(exc, ex.AdbCommandFailureException):
        return DeviceCommandFailed(f"{what} on {name} failed: {text}")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectionLost(f"{name} refused the connection ({what}); is the phone on and listening?")
    if isinstance(exc, (OSError, ex.AdbConnectionError, ex.InvalidCommandError, ex.InvalidChecksumError,
                        ex.InvalidResponseError, ex.InvalidTransportError, ex.UsbReadFailedError,
                        ex.UsbWriteFailedError)):
        return ConnectionLost(f"lost the connection to {name} during {what}: {text}")
    raise exc


class AdbShellTransport(Transport):
    """Base for adb-shell transports; subclasses provide :meth:`_new_device` (an unconnected ``AdbDevice``).

    ``own_stream_connection``: a long-running stream gets its own connection (TCP), or shares the one
    connection (USB, where a second claim of the device is impossible).
    """

    own_stream_connection = True

    def __init__(self, name: str, signer_factory: Callable[[], object], timeout_s: float = 30.0,
                 auth_timeout_s: float = 30.0):
        self.name = name
        self.timeout_s = timeout_s
        self.auth_timeout_s = auth_timeout_s
        self._signer_factory = signer_factory
        self._dev = None
        self._lock = threading.Lock()
        # With a shared stream (USB) only one thread may be inside adb-shell at a time: its packet store does
        # not make concurrent readers safe in practice (a reader can block another's reply for a full timeout).
        self._io_lock = threading.RLock()

    def _new_device(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _connected_device(self):
        dev = self._new_device()
        asked = []
        try:
            dev.connect(rsa_keys=[self._signer_factory()], auth_timeout_s=self.auth_timeout_s,
                        transport_timeout_s=min(self.timeout_s, 10.0), auth_callback=lambda d: asked.append(1))
        except Exception as exc:  # noqa: BLE001 - mapped below
            dev.close()
            err = map_error(exc, self.name, "connect")
            if asked and isinstance(err, DeviceTimeout):  # the phone was shown our key and did not accept it in time
                raise DeviceUnauthorized(self.name) from None
            if isinstance(err, ConnectionLost) and isinstance(exc, (ConnectionRefusedError, socket.gaierror)):
                raise ConnectionLost(err.message, hint=f"Check the address {self.name}, that the phone is on the "
                                     "network and that wireless debugging is enabled.") from None
            raise err from None
        return dev

    def connect(self) -> None:
        with self._lock:
            if self._dev is None:
                self._dev = self._connected_device()

    def close(self) -> None:
        with self._lock:
            if self._dev is not None:
                try:
                    self._dev.close()
                finally:
                    self._dev = None

    def _device(self):
        if self._dev is None:
            self.connect()
        return self._dev

    def _guard(self, what: str, fn):
        try:
            if self.own_stream_connection:
                return fn(self._device())
            with self._io_lock:
                return fn(self._device())
        except DeviceError:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped to the runner's errors
            err = map_error(exc, self.name, what)
            if isinstance(err, (ConnectionLost, DeviceTimeout)):
                self.close()  # the adb-shell session is in an unknown state: start over next time
            raise err from None

    def _shell(self, command: str, timeout_s: float) -> str:
        return self._guard("shell", lambda d: d.shell(command, transport_timeout_s=timeout_s, read_timeout_s=timeout_s,
                                                      timeout_s=timeout_s))

    def _stream(self, command: str, timeout_s: float) -> ShellStream:
        # Over TCP a stream gets its own connection, so closing it is closing a socket: the device's shell gets
        # EOF/SIGHUP, and the main connection's packet bookkeeping is never left with a half-read stream.
        if self.own_stream_connection:
            return _AdbShellStream(self._connected_device(), command, timeout_s, self.name)
        return self._guard("stream", lambda d: _SharedStream(d, command, timeout_s, self.name, self._io_lock))

    def _push(self, local: Path, remote: str, mode: int, progress: ProgressCallback | None, timeout_s: float) -> None:
        self._guard("push", lambda d: d.push(str(local), remote, st_mode=0o100000 | mode, progress_callback=progress,
                                             transport_timeout_s=timeout_s, read_timeout_s=timeout_s))

    def _pull(self, remote: str, local: Path, timeout_s: float) -> None:
        self._guard("pull", lambda d: d.pull(remote, str(local), transport_timeout_s=timeout_s, read_timeout_s=timeout_s))

    def _stat(self, remote: str, timeout_s: float) -> RemoteStat:
        mode, size, mtime = self._guard("stat", lambda d: d.stat(remote, transport_timeout_s=timeout_s,
                                                                 read_timeout_s=timeout_s))
        return RemoteStat(mode, size, mtime)

    def _list(self, remote: str, timeout_s: float) -> list[RemoteEntry]:
        files = self._guard("list", lambda d: d.list(remote, transport_timeout_s=timeout_s, read_timeout_s=timeout_s))
        out = []
        for f in files:
            out.append(RemoteEntry(device_text(f.filename), f.mode, f.size, f.mtime))
        return out


class _AdbShellStream(ShellStream):
    def __init__(self, dev, command: str, timeout_s: float, name: str):
        self._dev = dev
        self._command = command
        self._timeout_s = timeout_s
        self._name = name
        self._closed = False

    def lines(self) -> Iterator[str]:
        buf = ""
        try:
            for chunk in self._dev.streaming_shell(self._command, transport_timeout_s=self._timeout_s,
                                                   read_timeout_s=self._timeout_s):
                buf += chunk
                while "\n" in buf:
                    line, buf = buf.split("\n", 1)
                    yield line.rstrip("\r")
        except Exception as exc:  # noqa: BLE001
            if self._closed:
                return
            raise map_error(exc, self._name, "stream") from None
        if buf and not self._closed:
            yield buf.rstrip("\r")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            try:
                self._dev.close()
            except OSError:
                pass


class _SharedStream(ShellStream):
    """A shell stream multiplexed on the transport's one connection (adb-shell 0.4.x keeps a packet store per
    stream, so other calls can run meanwhile). :meth:`close` sends CLSE so the phone ends the command.

    Uses adb-shell's stream primitives (``_open``, ``_read_until``, ``_io_manager.send``) of the pinned 0.4.4,
    because its public ``streaming_shell`` generator cannot be closed early without leaving the stream open.
    """

    def __init__(self, dev, command: str, timeout_s: float, name: str, io_lock):
        self._dev = dev
        self._io_lock = io_lock
        self._name = name
        self._closed = False
        self._ended = False
        self._timeout_s = timeout_s
        self._info = dev._open(b"shell:" + command.encode("utf-8"), timeout_s, timeout_s, None)
        # Short reads: a reader blocked on the shared connection holds adb-shell's transport lock, so it must
        # give the lock back often (and notice close()) instead of waiting a full timeout for a packet.
        self._info.transport_timeout_s = self._info.read_timeout_s = 0.3

    def _send_clse(self) -> None:
        from adb_shell import constants
        from adb_shell.adb_message import AdbMessage

        self._dev._io_manager.send(AdbMessage(constants.CLSE, self._info.local_id, self._info.remote_id), self._info)

    def lines(self) -> Iterator[str]:
        from adb_shell import constants

        from adb_shell import exceptions as ex

        buf = b""
        last = time.monotonic()
        try:
            while not self._closed:
                try:
                    with self._io_lock:  # held for one short read, so other calls get their turn
                        if self._closed:
                            return
                        cmd, data = self._dev._read_until([constants.CLSE, constants.WRTE], self._info)
                except (ex.TcpTimeoutException, ex.AdbTimeoutError, ex.UsbReadFailedError):
                    if self._closed:
                        return
                    if time.monotonic() - last > self._timeout_s:
                        raise
                    time.sleep(0.01)
                    continue
                last = time.monotonic()
                if cmd == constants.CLSE:
                    self._ended = True
                    if not self._closed:
                        with self._io_lock:
                            self._send_clse()  # acknowledge the phone's close
                    break
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    yield line.decode("utf-8", "replace").rstrip("\r")
        except Exception as exc:  # noqa: BLE001
            if self._closed:
                return
            raise map_error(exc, self._name, "stream") from None
        if buf and not self._closed:
            yield buf.decode("utf-8", "replace").rstrip("\r")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if not self._ended:
            try:
                with self._io_lock:
                    self._send_clse()
            except Exception:  # noqa: BLE001 - the connection may already be gone
                pass
