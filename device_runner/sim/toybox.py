"""The toybox commands the runner uses, with toybox's output formats and error messages.

``cat ls mkdir rm touch mv cp chmod echo test/[ stat sha256sum df nproc uptime date sleep true false
id whoami head tail wc``: each takes a :class:`~.shell.Ctx` and returns an exit code.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import posixpath
import stat as stat_mod
import time
from datetime import datetime, timezone

from .filesystem import FsError, Stat, owner_name
from .shell import Ctx


def _split_flags(argv: list[str], known: str) -> tuple[set[str], list[str]]:
    flags: set[str] = set()
    args: list[str] = []
    only_args = False
    for a in argv:
        if only_args or not a.startswith("-") or a == "-":
            args.append(a)
        elif a == "--":
            only_args = True
        else:
            flags.update(ch for ch in a[1:] if ch in known)
    return flags, args


def cat(ctx: Ctx) -> int:
    _flags, files = _split_flags(ctx.argv[1:], "uv")
    if not files:
        ctx.out.write(ctx.stdin)
        return 0
    status = 0
    for f in files:
        try:
            p = ctx.path(f)
            if ctx.phone.fs.is_dir(p):
                raise FsError(errno.EISDIR, p)
            ctx.out.write(ctx.phone.fs.read_bytes(p, ctx.who))
        except FsError as exc:
            ctx.error(f"cat: {f}: {exc.reason}")
            status = 1
    return status


def _perm(mode: int) -> str:
    kind = "d" if stat_mod.S_ISDIR(mode) else "l" if stat_mod.S_ISLNK(mode) else "-"
    bits = ""
    for who in (6, 3, 0):
        r, w, x = (mode >> who) & 4, (mode >> who) & 2, (mode >> who) & 1
        bits += ("r" if r else "-") + ("w" if w else "-") + ("x" if x else "-")
    return kind + bits


def _long_rows(entries: list[tuple[str, Stat]]) -> list[str]:
    rows = [(_perm(st.mode), str(st.nlink), owner_name(st.uid), owner_name(st.gid), str(st.size),
             datetime.fromtimestamp(st.mtime, timezone.utc).strftime("%Y-%m-%d %H:%M"), name) for name, st in entries]
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(6)]
    out = []
    for r in rows:
        out.append(f"{r[0]} {r[1]:>{widths[1]}} {r[2]:<{widths[2]}} {r[3]:<{widths[3]}} {r[4]:>{widths[4]}} {r[5]} {r[6]}")
    return out


def ls(ctx: Ctx) -> int:
    flags, paths = _split_flags(ctx.argv[1:], "1laAdhR")
    fs = ctx.phone.fs
    paths = paths or ["."]
    status = 0
    blocks: list[str] = []
    many = len(paths) > 1
    for p in paths:
        dp = ctx.path(p)
        phantom = fs.phantom(dp)
        try:
            st = fs.stat(dp, ctx.who) if phantom is None else None
        except FsError as exc:
            ctx.error(f"ls: {p}: {exc.reason}")
            status = 1
            continue
        if st is None or not st.is_dir or "d" in flags:
            if "l" in flags and st is not None:
                blocks.append("\n".join(_long_rows([(p, st)])))
            else:
                blocks.append(p)
            continue
        try:
            names = fs.listdir(dp, ctx.who)
        except FsError as exc:
            ctx.error(f"ls: {p}: {exc.reason}")
            status = 1
            continue
        if "a" in flags:
            names = [".", ".."] + names
        elif "A" not in flags:
            names = [n for n in names if not n.startswith(".")]
        lines: list[str] = []
        if "l" in flags:
            entries = []
            for name in names:
                full = dp if name == "." else posixpath.dirname(dp) if name == ".." else posixpath.join(dp, name)
                ph = fs.phantom(dp.rstrip("/") + "/" + name)
                try:
                    est = Stat(stat_mod.S_IFREG | 0o644, len(ph), 0, 0, 0, 1, 10187, 10187, 0, 0) if ph is not None \
                        else fs.stat(fs.normalize(full), "root", follow=False)
                except FsError:
                    continue
                entries.append((name, est))
            total = sum((e.size + 4095) // 4096 * 4 for _, e in entries)
            lines = [f"total {total}"] + _long_rows(entries)
        else:
            lines = names
        text = "\n".join(lines)
        blocks.append((f"{p}:\n" if many else "") + text)
    text = "\n\n".join(b for b in blocks if b)
    if text:
        ctx.print(text)
    return status


def mkdir(ctx: Ctx) -> int:
    flags, paths = _split_flags(ctx.argv[1:], "pm")
    if not paths:
        ctx.error("mkdir: Needs 1 argument")
        return 1
    status = 0
    for p in paths:
        try:
            ctx.phone.fs.mkdir(ctx.path(p), ctx.who, parents="p" in flags)
        except FsError as exc:
            ctx.error(f"mkdir: '{p}': {exc.reason}")
            status = 1
    return status


def rm(ctx: Ctx) -> int:
    flags, paths = _split_flags(ctx.argv[1:], "rRfi")
    recursive, force = bool(flags & {"r", "R"}), "f" in flags
    status = 0
    for p in paths:
        try:
            ctx.phone.fs.remove(ctx.path(p), ctx.who, recursive=recursive)
        except FsError as exc:
            if force and exc.code == errno.ENOENT:
                continue
            ctx.error(f"rm: {p}: {exc.reason}")
            status = 1
    return status


def touch(ctx: Ctx) -> int:
    _flags, paths = _split_flags(ctx.argv[1:], "acm")
    status = 0
    for p in paths:
        try:
            ctx.phone.fs.touch(ctx.path(p), ctx.who)
        except FsError as exc:
            ctx.error(f"touch: '{p}': {exc.reason}")
            status = 1
    return status


def _transfer(ctx: Ctx, name: str, flags: str, move: bool) -> int:
    """``mv``/``cp``: each source to ``dest`` (into it when it is a directory)."""
    _flags, args = _split_flags(ctx.argv[1:], flags)
    if len(args) < 2:
        ctx.error(f"{name}: Needs 2 arguments")
        return 1
    *sources, dest = args
    fs = ctx.phone.fs
    status = 0
    for s in sources:
        src, dst = ctx.path(s), ctx.path(dest)
        if fs.is_dir(dst):
            dst = posixpath.join(dst, posixpath.basename(src))
        try:
            if move:
                fs.rename(src, dst, ctx.who)
            else:
                fs.write_bytes(dst, fs.read_bytes(src, ctx.who), ctx.who)
        except FsError as exc:
            ctx.error(f"mv: bad '{s}': {exc.reason}" if move else f"cp: {exc.device_path}: {exc.reason}")
            status = 1
    return status


def mv(ctx: Ctx) -> int:
    return _transfer(ctx, "mv", "fniv", move=True)


def cp(ctx: Ctx) -> int:
    return _transfer(ctx, "cp", "fpr", move=False)


def _chmod_mode(spec: str, current: int) -> int:
    if spec.isdigit():
        return int(spec, 8)
    mode = current & 0o7777
    for clause in spec.split(","):
        who = ""
        i = 0
        while i < len(clause) and clause[i] in "ugoa":
            who += clause[i]
            i += 1
        if i >= len(clause) or clause[i] not in "+-=":
            raise ValueError(spec)
        op, perms = clause[i], clause[i + 1:]
        who = who or "a"
        bits = 0
        for ch in perms:
            base = {"r": 4, "w": 2, "x": 1}.get(ch)
            if base is None:
                raise ValueError(spec)
            for w in who:
                for shift in {"u": (6,), "g": (3,), "o": (0,), "a": (6, 3, 0)}[w]:
                    bits |= base << shift
        if op == "+":
            mode |= bits
        elif op == "-":
            mode &= ~bits
        else:
            mode = bits
    return mode


def chmod(ctx: Ctx) -> int:
    _flags, args = _split_flags(ctx.argv[1:], "R")
    if len(args) < 2:
        ctx.error("chmod: Needs 2 arguments")
        return 1
    spec, *paths = args
    status = 0
    for p in paths:
        try:
            dp = ctx.path(p)
            mode = _chmod_mode(spec, ctx.phone.fs.stat(dp, ctx.who).mode)
            ctx.phone.fs.chmod(dp, mode, ctx.who)
        except ValueError:
            ctx.error(f"chmod: bad mode '{spec}'")
            return 1
        except FsError as exc:
            ctx.error(f"chmod: {p}: {exc.reason}")
            status = 1
    return status


def echo(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    newline, escapes = True, False
    while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
        newline = newline and "n" not in args[0]
        escapes = "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text = codecs.decode(text.encode("utf-8", errors="surrogateescape"), "unicode_escape").encode("latin-1").decode("utf-8", errors="replace")
    ctx.print(text, end="\n" if newline else "")
    return 0


def test(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if ctx.argv[0] == "[":
        if not args or args[-1] != "]":
            ctx.error("[: missing ]")
            return 2
        args = args[:-1]
    negate = False
    if args and args[0] == "!":
        negate, args = True, args[1:]
    fs = ctx.phone.fs
    result = False
    if len(args) == 2 and args[0] in ("-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-n", "-z"):
        op, arg = args
        if op == "-n":
            result = arg != ""
        elif op == "-z":
            result = arg == ""
        else:
            try:
                st = fs.stat(ctx.path(arg), ctx.who)
                result = {"-e": True, "-f": st.is_file, "-d": st.is_dir, "-s": st.size > 0, "-r": True,
                          "-w": True, "-x": bool(st.mode & 0o111), "-L": False}[op]
            except FsError:
                result = False
    elif len(args) == 3 and args[1] in ("=", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge"):
        a, op, b = args
        if op in ("=", "!="):
            result = (a == b) == (op == "=")
        else:
            try:
                x, y = int(a), int(b)
            except ValueError:
                ctx.error(f"test: bad number '{a if not a.lstrip('-').isdigit() else b}'")
                return 2
            result = {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y}[op]
    elif len(args) == 1:
        result = args[0] != ""
    elif not args:
        result = False
    else:
        ctx.error(f"{ctx.argv[0]}: unknown condition")
        return 2
    return 0 if result != negate else 1


_FILE_TYPE = {stat_mod.S_IFREG: "regular file", stat_mod.S_IFDIR: "directory", stat_mod.S_IFLNK: "symbolic link"}


def _stat_format(fmt: str, name: str, st: Stat) -> str:
    out = ""
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            out += {
                "s": str(st.size), "Y": str(st.mtime), "X": str(st.atime), "Z": str(st.ctime), "n": name,
                "a": format(st.mode & 0o7777, "o"), "A": _perm(st.mode), "F": _FILE_TYPE.get(stat_mod.S_IFMT(st.mode), "file"),
                "u": str(st.uid), "U": owner_name(st.uid), "g": str(st.gid), "G": owner_name(st.gid),
                "i": str(st.ino), "h": str(st.nlink), "b": str((st.size + 511) // 512), "B": "512", "%": "%",
                "y": datetime.fromtimestamp(st.mtime, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000000000 +0000"),
            }.get(code, "?")
            i += 2
        elif ch == "\\" and i + 1 < len(fmt) and fmt[i + 1] == "n":
            out += "\n"
            i += 2
        else:
            out += ch
            i += 1
    return out


def stat(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    fmt = None
    files = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-c", "--format") and i + 1 < len(args):
            fmt = args[i + 1]
            i += 2
            continue
        if a.startswith("--format="):
            fmt = a.split("=", 1)[1]
        elif a in ("-L", "-f", "-t"):
            pass
        else:
            files.append(a)
        i += 1
    if not files:
        ctx.error("stat: Needs 1 argument")
        return 1
    status = 0
    for f in files:
        try:
            st = ctx.phone.fs.stat(ctx.path(f), ctx.who)
        except FsError as exc:
            ctx.error(f"stat: '{f}': {exc.reason}")
            status = 1
            continue
        if fmt is None:
            fmt_default = ("  File: %n\n  Size: %s\t Blocks: %b\t IO Blocks: 4096\t%F\n"
                           "Device: fd00h/64768d\t Inode: %i\t Links: %h\n"
                           "Access: (%a/%A)\tUid: ( %u/%U)\tGid: ( %g/%G)\nModify: %y")
            ctx.print(_stat_format(fmt_default, f, st))
        else:
            ctx.print(_stat_format(fmt, f, st))
    return status


def sha256sum(ctx: Ctx) -> int:
    _flags, files = _split_flags(ctx.argv[1:], "b")
    if not files:
        ctx.print(f"{hashlib.sha256(ctx.stdin).hexdigest()}  -")
        return 0
    status = 0
    for f in files:
        try:
            dp = ctx.path(f)
            if ctx.phone.fs.is_dir(dp):
                raise FsError(errno.EISDIR, dp)
            ctx.print(f"{hashlib.sha256(ctx.phone.fs.read_bytes(dp, ctx.who)).hexdigest()}  {f}")
        except FsError as exc:
            ctx.error(f"sha256sum: {f}: {exc.reason}")
            status = 1
    return status


def _mount_for(path: str) -> tuple[str, str]:
    if path == "/sdcard" or path.startswith(("/sdcard/", "/storage/")):
        return "/dev/fuse", "/storage/emulated"
    if path == "/data" or path.startswith("/data/"):
        return "/dev/block/dm-45", "/data"
    if path.startswith("/sys"):
        return "sysfs", "/sys"
    if path.startswith("/proc"):
        return "proc", "/proc"
    return "/dev/block/dm-7", "/"


def df(ctx: Ctx) -> int:
    _flags, paths = _split_flags(ctx.argv[1:], "khaP")
    profile = ctx.phone.profile
    paths = paths or ["/data"]
    rows = []
    status = 0
    for p in paths:
        dp = ctx.path(p)
        if not ctx.phone.fs.exists(dp):
            ctx.error(f"df: {p}: No such file or directory")
            status = 1
            continue
        fsname, mount = _mount_for(dp)
        if mount in ("/sys", "/proc"):
            total = used = avail = 0
        else:
            total = profile.storage_total_kb
            used = profile.storage_used_kb + ctx.phone.fs.used_bytes() // 1024
            avail = max(0, total - used)
            if ctx.phone.faults.full_disk:
                avail = 12
                used = total - avail
        pct = f"{(100 * used + total - 1) // total if total else 0}%"
        rows.append((fsname, str(total), str(used), str(avail), pct, mount))
    ctx.print("Filesystem        1K-blocks     Used Available Use% Mounted on")
    for r in rows:
        ctx.print(f"{r[0]:<17} {r[1]:>9} {r[2]:>8} {r[3]:>9} {r[4]:>4} {r[5]}")
    return status


def nproc(ctx: Ctx) -> int:
    ctx.print(str(ctx.phone.profile.cores))
    return 0


def uptime(ctx: Ctx) -> int:
    up = int(ctx.phone.uptime_s())
    days, rest = divmod(up, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    load = ctx.phone.power.busy_threads
    now = datetime.now(timezone.utc).strftime("%H:%M:%S")
    ctx.print(f" {now} up {days} day{'s' if days != 1 else ''}, {hours:2d}:{minutes:02d},  0 users,  "
              f"load average: {load:.2f}, {load * 0.8:.2f}, {load * 0.5:.2f}")
    return 0


def date(ctx: Ctx) -> int:
    args = [a for a in ctx.argv[1:] if a != "-u"]
    now = time.time()
    when = datetime.fromtimestamp(now, timezone.utc)
    fmt = next((a[1:] for a in args if a.startswith("+")), None)
    if fmt is None:
        ctx.print(when.strftime("%a %b %d %H:%M:%S UTC %Y"))
        return 0
    fmt = fmt.replace("%s", str(int(now))).replace("%N", f"{int((now % 1) * 1e9):09d}")
    fmt = fmt.replace("%3N", f"{int((now % 1) * 1e3):03d}")
    ctx.print(when.strftime(fmt))
    return 0


def sleep(ctx: Ctx) -> int:
    try:
        seconds = float(ctx.argv[1]) if len(ctx.argv) > 1 else 0.0
    except ValueError:
        ctx.error(f"sleep: bad number '{ctx.argv[1]}'")
        return 1
    ctx.sleep(min(seconds, 3600.0))
    return 0


def true(ctx: Ctx) -> int:
    return 0


def false(ctx: Ctx) -> int:
    return 1


def id_(ctx: Ctx) -> int:
    if ctx.who == "app":
        ctx.print("uid=10187(u0_a187) gid=10187(u0_a187) groups=10187(u0_a187),3003(inet),9997(everybody)")
    else:
        ctx.print("uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),"
                  "1028(sdcard_r),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats)")
    return 0


def whoami(ctx: Ctx) -> int:
    ctx.print("u0_a187" if ctx.who == "app" else "shell")
    return 0


def _input(ctx: Ctx, files: list[str]) -> bytes | None:
    if not files:
        return ctx.stdin
    out = b""
    for f in files:
        try:
            out += ctx.phone.fs.read_bytes(ctx.path(f), ctx.who)
        except FsError as exc:
            ctx.error(f"{ctx.argv[0]}: {f}: {exc.reason}")
            return None
    return out


def _head_tail(ctx: Ctx, tail: bool) -> int:
    args, n, files = ctx.argv[1:], 10, []
    i = 0
    while i < len(args):
        if args[i] == "-n" and i + 1 < len(args):
            n = int(args[i + 1].lstrip("+"))
            i += 2
            continue
        if args[i].startswith("-") and args[i][1:].isdigit():
            n = int(args[i][1:])
        else:
            files.append(args[i])
        i += 1
    data = _input(ctx, files)
    if data is None:
        return 1
    lines = data.splitlines(keepends=True)
    ctx.out.write(b"".join(lines[-n:] if tail and n else lines[:n] if not tail else []))
    return 0


def head(ctx: Ctx) -> int:
    return _head_tail(ctx, tail=False)


def tail(ctx: Ctx) -> int:
    return _head_tail(ctx, tail=True)


def wc(ctx: Ctx) -> int:
    flags, files = _split_flags(ctx.argv[1:], "lcw")
    data = _input(ctx, files)
    if data is None:
        return 1
    counts = {"l": data.count(b"\n"), "w": len(data.split()), "c": len(data)}
    chosen = [k for k in "lwc" if k in flags] or ["l", "w", "c"]
    ctx.print(" ".join(str(counts[k]) for k in chosen) + (f" {files[0]}" if files else ""))
    return 0


def grep(ctx: Ctx) -> int:
    import re

    flags, args = _split_flags(ctx.argv[1:], "cvqiEFl")
    if not args:
        ctx.error("grep: Needs 1 argument")
        return 2
    pattern, files = args[0], args[1:]
    data = _input(ctx, files)
    if data is None:
        return 2
    rx = re.compile(re.escape(pattern) if "F" in flags else pattern, re.IGNORECASE if "i" in flags else 0)
    lines = [ln for ln in data.decode("utf-8", errors="surrogateescape").splitlines()
             if bool(rx.search(ln)) != ("v" in flags)]
    if "c" in flags:
        ctx.print(str(len(lines)))
    elif "q" not in flags:
        for ln in lines:
            ctx.print(ln)
    return 0 if lines else 1


COMMANDS = {
    "grep": grep,
    "cat": cat, "ls": ls, "mkdir": mkdir, "rm": rm, "touch": touch, "mv": mv, "cp": cp, "chmod": chmod,
    "echo": echo, "test": test, "[": test, "stat": stat, "sha256sum": sha256sum, "df": df, "nproc": nproc,
    "uptime": uptime, "date": date, "sleep": sleep, "true": true, "false": false, "id": id_, "whoami": whoami,
    "head": head, "tail": tail, "wc": wc,
}
