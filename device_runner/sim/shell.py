"""A small ``/system/bin/sh`` for the simulated phone: command lines in, bytes out, exit codes.

It parses what the runner sends: words with ``'...'``/``"..."``/backslash quoting, ``$?``, ``$$`` and
``$NAME``, globs (``cpu*``) on unquoted words, ``;`` ``&&`` ``||`` ``|`` and newlines between
commands, redirections ``>``, ``>>``, ``<``, ``2>``, ``2>&1`` and ``>/dev/null``, and ``# comments``.
Commands are Python functions (:mod:`.toybox`, :mod:`.framework`); anything else answers
``/system/bin/sh: X: inaccessible or not found`` with exit 127, like a phone. It does not run shell
scripts: ``sh FILE`` only emulates mobilekit's energy sampler (see :mod:`.framework`).
"""

from __future__ import annotations

import fnmatch
import posixpath
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .filesystem import FsError

if TYPE_CHECKING:
    from .phone import SimulatedPhone

SH = "/system/bin/sh"
ENV = {"HOME": "/", "PATH": "/product/bin:/apex/com.android.runtime/bin:/system/bin:/system/xbin:/vendor/bin",
       "EXTERNAL_STORAGE": "/sdcard", "ANDROID_DATA": "/data", "ANDROID_ROOT": "/system", "TMPDIR": "/data/local/tmp",
       "USER": "shell", "SHELL": SH, "TERM": "dumb"}


class ShellSyntaxError(Exception):
    """A command line the simulated shell cannot parse."""


# --- output sinks ------------------------------------------------------------------------------
class Sink:
    """Where a command's output goes: a stream, a buffer, or nowhere."""

    def write(self, data: bytes) -> None:
        raise NotImplementedError


class NullSink(Sink):
    def write(self, data: bytes) -> None:
        pass


class BufferSink(Sink):
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data


class CallbackSink(Sink):
    def __init__(self, fn: Callable[[bytes], None]):
        self.fn = fn

    def write(self, data: bytes) -> None:
        if data:
            self.fn(data)


# --- words -------------------------------------------------------------------------------------
@dataclass
class Word:
    """A shell word as parsed: segments of (kind, text, quoted); kind is "lit" or "var"."""

    parts: list[tuple[str, str, bool]] = field(default_factory=list)

    def add(self, kind: str, text: str, quoted: bool) -> None:
        self.parts.append((kind, text, quoted))


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    redirs: list[tuple[str, Word | None]] = field(default_factory=list)


_REDIRS = ("2>&1", ">&2", "1>&2", "2>>", "1>>", "&>", ">>", "2>", "1>", ">", "<")
_OPS = ("&&", "||", ";", "|", "&", "\n")


def parse(line: str) -> list[tuple[str, list[Command]]]:
    """A command line -> ``[(connector, pipeline)]``; the connector is ``;``, ``&&`` or ``||``."""
    tokens: list[tuple[str, object]] = []
    word: Word | None = None
    i, n = 0, len(line)

    def flush() -> None:
        nonlocal word
        if word is not None:
            tokens.append(("word", word))
            word = None

    def cur() -> Word:
        nonlocal word
        if word is None:
            word = Word()
        return word

    def read_var(j: int, quoted: bool) -> int:
        # line[j] == "$"
        if j + 1 < n and line[j + 1] in "?$#":
            cur().add("var", line[j + 1], quoted)
            return j + 2
        if j + 1 < n and line[j + 1] == "{":
            end = line.find("}", j + 2)
            if end < 0:
                raise ShellSyntaxError("bad substitution")
            cur().add("var", line[j + 2:end], quoted)
            return end + 1
        if j + 1 < n and line[j + 1] == "(":
            raise ShellSyntaxError("$(...) command substitution is not supported by the simulated shell")
        k = j + 1
        while k < n and (line[k].isalnum() or line[k] == "_"):
            k += 1
        if k == j + 1:
            cur().add("lit", "$", quoted)
            return j + 1
        cur().add("var", line[j + 1:k], quoted)
        return k

    for _ in range(len(line) + 1):
        if i >= n:
            break
        c = line[i]
        if c in " \t":
            flush()
            i += 1
        elif c == "#" and word is None:
            end = line.find("\n", i)
            i = n if end < 0 else end
        elif c == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated quoted string")
            cur().add("lit", line[i + 1:end], True)
            i = end + 1
        elif c == '"':
            j = i + 1
            cur()
            buf = ""
            while True:
                if j >= n:
                    raise ShellSyntaxError("unterminated quoted string")
                ch = line[j]
                if ch == '"':
                    break
                if ch == "\\" and j + 1 < n and line[j + 1] in '$`"\\\n':
                    buf += line[j + 1]
                    j += 2
                elif ch == "$":
                    if buf:
                        cur().add("lit", buf, True)
                        buf = ""
                    j = read_var(j, True)
                else:
                    buf += ch
                    j += 1
            cur().add("lit", buf, True)
            i = j + 1
        elif c == "\\":
            if i + 1 < n and line[i + 1] != "\n":
                cur().add("lit", line[i + 1], True)
            i += 2
        elif c == "$":
            i = read_var(i, False)
        else:
            redir = next((r for r in _REDIRS if line.startswith(r, i)), None)
            fd_prefix = word is not None and len(word.parts) == 1 and word.parts[0][0] == "lit" and word.parts[0][1] in ("1", "2") \
                and not word.parts[0][2] and line.startswith(">", i)
            if fd_prefix:
                fd = word.parts[0][1]
                word = None
                rest = next(r for r in (">&1", ">&2", ">>", ">") if line.startswith(r, i))
                tokens.append(("redir", fd + rest))
                i += len(rest)
                continue
            if redir is not None:
                flush()
                tokens.append(("redir", redir))
                i += len(redir)
                continue
            op = next((o for o in _OPS if line.startswith(o, i)), None)
            if op is not None:
                flush()
                tokens.append(("op", op))
                i += len(op)
                continue
            cur().add("lit", c, False)
            i += 1
    flush()

    out: list[tuple[str, list[Command]]] = []
    connector = ";"
    pipeline: list[Command] = [Command()]
    k = 0
    while k < len(tokens):
        kind, value = tokens[k]
        if kind == "word":
            pipeline[-1].words.append(value)  # type: ignore[arg-type]
        elif kind == "redir":
            op = str(value)
            if op in ("2>&1", ">&2", "1>&2", "1>&1", "2>&2"):
                pipeline[-1].redirs.append((op, None))
            else:
                if k + 1 >= len(tokens) or tokens[k + 1][0] != "word":
                    raise ShellSyntaxError(f"syntax error: '{op}' unexpected")
                pipeline[-1].redirs.append((op, tokens[k + 1][1]))  # type: ignore[arg-type]
                k += 1
        else:
            op = str(value)
            if op == "|":
                if not pipeline[-1].words:
                    raise ShellSyntaxError("syntax error: '|' unexpected")
                pipeline.append(Command())
            else:
                if pipeline[-1].words or pipeline[-1].redirs or len(pipeline) > 1:
                    if not pipeline[-1].words:
                        raise ShellSyntaxError(f"syntax error: '{op}' unexpected")
                    out.append((connector, pipeline))
                elif op in ("&&", "||"):
                    raise ShellSyntaxError(f"syntax error: '{op}' unexpected")
                pipeline = [Command()]
                connector = op if op in ("&&", "||") else ";"
        k += 1
    if pipeline[-1].words:
        out.append((connector, pipeline))
    elif len(pipeline) > 1 or connector in ("&&", "||"):
        raise ShellSyntaxError("syntax error: unexpected end of file")
    return out


# --- the interpreter ---------------------------------------------------------------------------
@dataclass
class Ctx:
    """What a command gets: its arguments, input, output sinks, and the phone."""

    phone: "SimulatedPhone"
    shell: "Shell"
    argv: list[str]
    stdin: bytes
    out: Sink
    err: Sink

    def print(self, text: str = "", end: str = "\n") -> None:
        self.out.write((text + end).encode("utf-8", errors="surrogateescape"))

    def error(self, text: str) -> None:
        self.err.write((text + "\n").encode("utf-8", errors="surrogateescape"))

    @property
    def who(self) -> str:
        return self.shell.who

    def path(self, p: str) -> str:
        return self.phone.fs.normalize(p, self.shell.cwd)

    @property
    def cancelled(self) -> threading.Event:
        return self.shell.cancelled

    def sleep(self, seconds: float) -> bool:
        """Sleep, waking early if the client went away; True when the full time passed."""
        return not self.shell.cancelled.wait(max(0.0, seconds))


CommandFn = Callable[[Ctx], int]


class Shell:
    """One shell session: working directory, last exit code, identity (``shell`` or ``app``)."""

    def __init__(self, phone: "SimulatedPhone", who: str = "shell", cwd: str = "/", cancelled: threading.Event | None = None):
        self.phone = phone
        self.who = who
        self.cwd = cwd
        self.status = 0
        self.exited = False  # the ``exit`` builtin ran
        self._exit_code = 0
        self.cancelled = cancelled or threading.Event()

    def run(self, line: str, out: Sink, err: Sink | None = None, stdin: bytes = b"") -> int:
        """Run one command line; returns the last exit code (also ``$?`` for what follows)."""
        err = err or out
        try:
            program = parse(line)
        except ShellSyntaxError as exc:
            err.write(f"{SH}: {exc}\n".encode())
            self.status = 2
            return 2
        for connector, pipeline in program:
            if self.cancelled.is_set():
                break
            if connector == "&&" and self.status != 0 or connector == "||" and self.status == 0:
                continue
            self.status = self._pipeline(pipeline, out, err, stdin)
            if self.status == -1:  # exit builtin
                break
        if self.status == -1:
            self.status = self._exit_code
        return self.status

    def _pipeline(self, pipeline: list[Command], out: Sink, err: Sink, stdin: bytes) -> int:
        data = stdin
        status = 0
        for idx, cmd in enumerate(pipeline):
            last = idx == len(pipeline) - 1
            sink: Sink = out if last else BufferSink()
            status = self._command(cmd, data, sink, err)
            if not last:
                data = bytes(sink.data)  # type: ignore[attr-defined]
            if status == -1:
                return -1
        return status

    def expand(self, word: Word) -> list[str]:
        """Variables, then globbing of unquoted patterns (a pattern that matches nothing stays as it is)."""
        text, pattern, globbable = "", "", False
        for kind, value, quoted in word.parts:
            if kind == "var":
                value = self._var(value)
            text += value
            if quoted:
                pattern += "".join("[" + ch + "]" if ch in "*?[" else ch for ch in value)
            else:
                pattern += value
                globbable = globbable or any(ch in value for ch in "*?[")
        if not globbable:
            return [text]
        matches = self._glob(pattern)
        return matches or [text]

    def _var(self, name: str) -> str:
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(self.phone.shell_pid)
        if name == "#":
            return "0"
        return ENV.get(name, "")

    def _glob(self, pattern: str) -> list[str]:
        absolute = pattern.startswith("/")
        parts = [p for p in pattern.split("/") if p]
        bases = ["/" if absolute else ""]
        fs = self.phone.fs
        for part in parts:
            nxt = []
            for base in bases:
                if any(ch in part for ch in "*?["):
                    directory = fs.normalize(base or ".", self.cwd)
                    try:
                        names = fs.listdir(directory, self.who)
                    except FsError:
                        continue
                    for name in names:
                        if "/" in name or (name.startswith(".") and not part.startswith(".")):
                            continue
                        if fnmatch.fnmatchcase(name, part):
                            nxt.append(posixpath.join(base, name) if base else name)
                else:
                    unescaped = part.replace("[*]", "*").replace("[?]", "?").replace("[[]", "[")
                    nxt.append(posixpath.join(base, unescaped) if base else unescaped)
            bases = [b for b in nxt if fs.exists(fs.normalize(b, self.cwd))]
            if len(bases) > 10_000:
                break
        return sorted(bases)

    def _command(self, cmd: Command, stdin: bytes, out: Sink, err: Sink) -> int:
        argv: list[str] = []
        for w in cmd.words:
            argv.extend(self.expand(w))
        files: list[tuple[str, BufferSink, bool]] = []
        for op, target in cmd.redirs:
            if op in ("2>&1",):
                err = out
                continue
            if op in (">&2", "1>&2"):
                out = err
                continue
            dest = self.expand(target)[0] if target is not None else ""
            if op == "<":
                if dest == "/dev/null":
                    stdin = b""
                    continue
                try:
                    stdin = self.phone.fs.read_bytes(self.phone.fs.normalize(dest, self.cwd), self.who)
                except FsError as exc:
                    err.write(f"{SH}: can't open {dest}: {exc.reason}\n".encode())
                    return 1
                continue
            sink: Sink
            if dest == "/dev/null":
                sink = NullSink()
            else:
                sink = BufferSink()
                files.append((dest, sink, ">>" in op))
            if op.startswith("2"):
                err = sink
            elif op == "&>":
                out = err = sink
            else:
                out = sink
        for dest, _sink, append in files:
            try:  # the shell creates (or truncates) the file before the command runs
                path = self.phone.fs.normalize(dest, self.cwd)
                if not append or not self.phone.fs.exists(path):
                    self.phone.fs.write_bytes(path, b"", self.who)
            except FsError as exc:
                err.write(f"{SH}: can't create {dest}: {exc.reason}\n".encode())
                return 1
        status = self.execute(argv, stdin, out, err) if argv else 0
        for dest, sink, _append in files:
            try:
                if sink.data:
                    self.phone.fs.write_bytes(self.phone.fs.normalize(dest, self.cwd), bytes(sink.data), self.who, append=True)
            except FsError as exc:
                err.write(f"{SH}: {dest}: {exc.reason}\n".encode())
                status = 1
        return status

    def execute(self, argv: list[str], stdin: bytes, out: Sink, err: Sink) -> int:
        """Run one command given as an argument list (builtins first, then the phone's commands)."""
        name = argv[0]
        if name == "exit":
            try:
                self._exit_code = int(argv[1]) if len(argv) > 1 else self.status
            except ValueError:
                self._exit_code = 2
            self.exited = True
            return -1
        if name == "cd":
            target = self.phone.fs.normalize(argv[1] if len(argv) > 1 else "/", self.cwd)
            if not self.phone.fs.is_dir(target):
                err.write(f"{SH}: cd: {argv[1]}: No such file or directory\n".encode())
                return 2
            self.cwd = target
            return 0
        base = posixpath.basename(name) if name.startswith(("/system/bin/", "/system/xbin/", "/bin/")) else name
        fn = self.phone.commands.get(base)
        if fn is None:
            err.write(f"{SH}: {name}: inaccessible or not found\n".encode())
            return 127
        ctx = Ctx(self.phone, self, [base] + argv[1:], stdin, out, err)
        try:
            return int(fn(ctx))
        except FsError as exc:
            ctx.error(f"{base}: {exc.device_path}: {exc.reason}")
            return 1


def shell_service(phone: "SimulatedPhone", command: str, pty: bool):
    """The service for ``shell:CMD``/``exec:CMD`` (raw), or an interactive ``shell:`` (a crude PTY)."""

    def serve(stream) -> None:
        delay = phone.faults.answer_delay_ms
        if delay and stream.closed.wait(delay / 1000.0):
            return
        sh = Shell(phone, "shell", "/", stream.closed)
        if not pty:
            sh.run(command, CallbackSink(stream.write))
            return
        write = CallbackSink(lambda b: stream.write(b.replace(b"\n", b"\r\n")))
        prompt = f"{phone.properties['ro.product.device']}:/ $ ".encode()
        stream.write(prompt)
        line = bytearray()
        for _ in range(1_000_000):
            chunk = stream.read(1)
            if not chunk:
                return
            if chunk in (b"\r", b"\n"):
                stream.write(b"\r\n")
                sh.run(line.decode("utf-8", errors="replace"), write)
                if sh.exited:
                    return
                line.clear()
                stream.write(f"{phone.properties['ro.product.device']}:{sh.cwd} $ ".encode())
            elif chunk == b"\x04" and not line:
                return
            else:
                line += chunk
                stream.write(chunk)

    return serve
