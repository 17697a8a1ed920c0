"""One small interface over the three ways to reach a phone: adb-shell TCP, adb-shell USB, an adb server.

Everything above this module (``device``, ``bench``, ``power``) talks to a :class:`Transport` and never
to adb-shell or sockets. Shell commands are built from argument lists and quoted exactly once by
:func:`quote`; exit codes over the legacy ``shell:`` service (which has none) come from a
``; echo :$?`` suffix that :meth:`Transport.run` parses off the output.

Errors come in the project's two families: :class:`DeviceError` (a :class:`mobilekit.MobilekitError`,
something the user can act on: not found, not authorised, disconnected, timed out) and anything else,
which is a bug. :class:`ConnectionLost` and :class:`DeviceTimeout` are transient and retried by
:meth:`Transport.call` with backoff and a reconnect.
"""

from __future__ import annotations

import re
import shlex
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

from mobilekit import MobilekitError

T = TypeVar("T")

AUTH_HINT = (
    "Check the phone's screen for the 'Allow USB debugging?' dialog, tick 'Always allow from this computer' "
    "and tap Allow; then run the command again."
)


class DeviceError(MobilekitError):
    """A problem with a phone or the connection to it that the user can act on."""


class DeviceNotFound(DeviceError):
    """No phone answers at the given serial or address."""


class DeviceUnauthorized(DeviceError):
    """The phone has not (yet) authorised this computer's ADB key."""

    def __init__(self, device: str):
        super().__init__(f"The phone {device} has not authorised this computer for USB debugging.", hint=AUTH_HINT)


class ConnectionLost(DeviceError):
    """The connection dropped (cable out, Wi-Fi gone, phone rebooted). Transient: retried after a reconnect."""


class DeviceTimeout(DeviceError):
    """A call did not finish within its timeout. Transient."""


class DeviceCommandFailed(DeviceError):
    """A shell command ran and reported failure (non-zero exit or an error line)."""


TRANSIENT = (ConnectionLost, DeviceTimeout)


def quote(args: Sequence[str | int | float]) -> str:
    """Join an argument list into one shell command line, quoting each argument exactly once."""
    if isinstance(args, (str, bytes)):
        raise TypeError("quote() takes a list of arguments, not a string (that would split it on spaces)")
    return " ".join(shlex.quote(str(a)) for a in args)


_EXIT_RE = re.compile(r":(\d+)$")


def split_exit_code(output: str) -> tuple[int, str]:
    """Split ``...output\\n:CODE`` (from a ``; echo :$?`` suffix) into ``(code, output)``.

    Only the very end of the output is looked at, where the suffix always prints; a missing marker means
    the stream ended early (a dropped connection), which is reported as :class:`ConnectionLost`.
    """
    text = output.replace("\r\n", "\n").rstrip("\n")
    m = _EXIT_RE.search(text)
    if not m:
        raise ConnectionLost(f"the shell output ended before its exit code (last bytes {text[-80:]!r}); the connection may have dropped")
    return int(m.group(1)), text[: m.start()]


@dataclass(frozen=True)
class ShellResult:
    """What one shell command did: its exit code and its combined output (stdout and stderr)."""

    exit_code: int
    output: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def check(self, what: str) -> "ShellResult":
        """Raise :class:`DeviceCommandFailed` naming ``what`` unless the command succeeded."""
        if not self.ok:
            raise DeviceCommandFailed(f"{what} failed on the phone (exit code {self.exit_code}): {self.output.strip()[:500]}")
        return self


@dataclass(frozen=True)
class RemoteStat:
    """A file's sync-protocol stat: ``mode`` 0 means it does not exist."""

    mode: int
    size_bytes: int
    mtime_s: int

    @property
    def exists(self) -> bool:
        return self.mode != 0


@dataclass(frozen=True)
class RemoteEntry:
    """One directory entry from the sync protocol's LIST; ``name`` is device-supplied and untrusted."""

    name: str
    mode: int
    size_bytes: int
    mtime_s: int

    @property
    def is_dir(self) -> bool:
        return (self.mode & 0o170000) == 0o040000


class ShellStream(ABC):
    """A long-running shell command read line by line while it runs; :meth:`close` ends it."""

    @abstractmethod
    def lines(self) -> Iterator[str]:
        """Lines of output as they arrive (without the newline), until the command ends or is closed."""

    @abstractmethod
    def close(self) -> None:
        """Stop reading and close the stream on the device (the command gets SIGHUP / its pipe closed)."""

    def __enter__(self) -> "ShellStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


ProgressCallback = Callable[[str, int, int], None]


class Transport(ABC):
    """A connection to one phone. Implementations: ``transport_tcp``, ``transport_usb``, ``transport_server``.

    Subclasses implement the ``_raw`` primitives and raise :class:`ConnectionLost`/:class:`DeviceTimeout`
    for transient trouble; this base class adds quoting, exit codes, retries and reconnects.
    """

    #: a human name for messages: the serial or ``host:port``
    name: str = "?"
    #: the default per-call timeout in seconds
    timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 0.5

    # ---- primitives -------------------------------------------------------------------------
    @abstractmethod
    def connect(self) -> None:
        """Open the connection (and authenticate). Safe to call again after a drop."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection; idempotent."""

    @abstractmethod
    def _shell(self, command: str, timeout_s: float) -> str:
        """Run one command line over ``shell:`` and return its whole output."""

    @abstractmethod
    def _stream(self, command: str, timeout_s: float) -> ShellStream:
        """Start one long-running command over ``shell:``."""

    @abstractmethod
    def _push(self, local: Path, remote: str, mode: int, progress: ProgressCallback | None, timeout_s: float) -> None:
        ...

    @abstractmethod
    def _pull(self, remote: str, local: Path, timeout_s: float) -> None:
        ...

    @abstractmethod
    def _stat(self, remote: str, timeout_s: float) -> RemoteStat:
        ...

    @abstractmethod
    def _list(self, remote: str, timeout_s: float) -> list[RemoteEntry]:
        ...

    # ---- the public, retried API ------------------------------------------------------------
    def call(self, fn: Callable[[], T], what: str, retry: bool = True) -> T:
        """Run ``fn`` with retries: a transient error waits (exponential backoff), reconnects and tries again."""
        attempts = self.retries if retry else 1
        delay = self.backoff_s
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                return fn()
            except TRANSIENT as exc:
                last = exc
                if attempt + 1 >= attempts:
                    break
                time.sleep(delay)
                delay *= 2
                try:
                    self.close()
                    self.connect()
                except DeviceError as exc2:
                    last = exc2
        assert last is not None
        if isinstance(last, DeviceError) and not isinstance(last, TRANSIENT):
            raise last
        raise type(last)(f"{what} on {self.name}: {last.message}", hint=last.hint) from last

    def shell(self, command: str, timeout_s: float | None = None, retry: bool = True) -> str:
        """Run a ready-made command line (already quoted by the caller) and return its output."""
        t = timeout_s or self.timeout_s
        return self.call(lambda: self._shell(command, t), f"shell {command[:60]!r}", retry=retry)

    def run(self, args: Sequence[str | int | float], timeout_s: float | None = None, retry: bool = True) -> ShellResult:
        """Run one command given as an argument list (quoted here, once) and return exit code and output."""
        return self.run_line(quote(args), timeout_s=timeout_s, retry=retry)

    def run_line(self, line: str, timeout_s: float | None = None, retry: bool = True) -> ShellResult:
        """Run a command line built with :func:`quote` (may chain with ``;``/``&&``) and return its exit code."""
        out = self.shell(f"{line} ; echo :$?", timeout_s=timeout_s, retry=retry)
        code, body = split_exit_code(out)
        return ShellResult(code, body)

    def stream(self, args: Sequence[str | int | float], timeout_s: float | None = None) -> ShellStream:
        """Start a long-running command (argument list, quoted once) and read its lines as they come."""
        t = timeout_s or self.timeout_s
        line = quote(args)
        return self.call(lambda: self._stream(line, t), f"stream {line[:60]!r}")

    def push(self, local: Path, remote: str, mode: int = 0o644, progress: ProgressCallback | None = None,
             timeout_s: float | None = None) -> None:
        """Copy one local file to ``remote`` (a full path, file name included)."""
        t = timeout_s or max(self.timeout_s, Path(local).stat().st_size / 1e6)  # >= 1 MB/s
        self.call(lambda: self._push(Path(local), remote, mode, progress, t), f"push {remote}")

    def pull(self, remote: str, local: Path, timeout_s: float | None = None) -> None:
        """Copy one device file to the local path ``local``."""
        t = timeout_s or self.timeout_s
        self.call(lambda: self._pull(remote, Path(local), t), f"pull {remote}")

    def stat(self, remote: str, timeout_s: float | None = None) -> RemoteStat:
        t = timeout_s or self.timeout_s
        return self.call(lambda: self._stat(remote, t), f"stat {remote}")

    def list(self, remote: str, timeout_s: float | None = None) -> list[RemoteEntry]:
        """Directory entries of ``remote`` (without ``.`` and ``..``); names are untrusted."""
        t = timeout_s or self.timeout_s
        entries = self.call(lambda: self._list(remote, t), f"list {remote}")
        return [e for e in entries if e.name not in (".", "..")]

    def __enter__(self) -> "Transport":
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()
