"""One benchmark at a time per phone: a lock kept on the phone itself, so two hosts see it too.

The lock is the folder ``/data/local/tmp/mobilekit/.lock``: ``mkdir`` is atomic on the phone, so of two runners
(threads, processes or computers) that try at once exactly one succeeds. Inside it, ``owner`` is one JSON line
(host, pid, run id, a random token, since when, and how long without a heartbeat the lock may be taken over)
whose modification time is the heartbeat; ages are measured with the phone's own clock (``stat -c %Y`` against
``date +%s``), never by comparing two computers' clocks.

A lock is stale, and taken over with a note, when its owner's process is gone (same host, pid not running),
when its heartbeat is older than the owner's ``ttl_s``, or when ``owner`` is missing or unreadable for more than
a minute (a runner killed between ``mkdir`` and writing it). Take-over renames the old folder away (one rename
wins), and every heartbeat checks the token, so a runner that lost its lock finds out before its next case.
Otherwise :class:`DeviceBusy` names who holds the phone, since when, and what to do.

Shell commands used (and answered by the simulated phone): ``mkdir``, ``echo ... >``, ``cat``, ``stat -c %Y``,
``date +%s``, ``touch``, ``mv``, ``rm -rf``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import asdict, dataclass

from mobilekit.device_runner.device import DEVICE_ROOT, NotEnoughSpace
from mobilekit.device_runner.transport import DeviceCommandFailed, DeviceError, quote

LOCK_ROOT = DEVICE_ROOT
LOCK_DIR = f"{LOCK_ROOT}/.lock"
OWNER = f"{LOCK_DIR}/owner"
ORPHAN_S = 60.0      # a lock folder without a readable owner file is stale after this long
_MARK = "@@mobilekit-lock"


class DeviceBusy(DeviceError):
    """Another benchmark holds the phone (the lock on the phone is fresh). A refusal: nothing was run on it."""


@dataclass(frozen=True)
class LockOwner:
    host: str
    pid: int
    run_id: str
    token: str
    since_utc: str
    ttl_s: float

    def line(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> "LockOwner | None":
        """The owner record, or None when the text is not one (written by someone else: never trusted)."""
        try:
            d = json.loads(text.strip().splitlines()[0]) if text.strip() else None
            return cls(str(d["host"])[:200], int(d["pid"]), str(d["run_id"])[:200], str(d["token"])[:64],
                       str(d["since_utc"])[:40], float(d["ttl_s"]))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None

    def describe(self) -> str:
        return f"run {self.run_id} of mobilekit on host {self.host} (pid {self.pid}), since {self.since_utc}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0
    return True


class DeviceLock:
    """The lock of one phone, for one run. ``acquire()`` once, ``refresh()`` between steps, ``release()`` at the end."""

    def __init__(self, device, run_id: str, ttl_s: float, since_utc: str):
        self.dev = device
        self.owner = LockOwner(socket.gethostname(), os.getpid(), run_id, secrets.token_hex(8), since_utc, float(ttl_s))
        self.held = False
        self.note: str | None = None  # set when a stale lock was taken over

    # ---- reading the phone's lock ----------------------------------------------------------------
    def _state(self) -> tuple[LockOwner | None, float | None, str]:
        """(owner record, age of the heartbeat in s by the phone's clock, raw owner text)."""
        line = (f"cat {quote([OWNER])} 2>/dev/null ; echo ; echo {_MARK} ; stat -c %Y {quote([OWNER])} 2>/dev/null "
                f"|| stat -c %Y {quote([LOCK_DIR])} 2>/dev/null ; echo {_MARK} ; date +%s")
        out = self.dev.t.run_line(line).output
        parts = out.split(_MARK)
        raw = parts[0] if parts else ""
        age = None
        if len(parts) >= 3:
            try:
                mtime = int(parts[1].strip().splitlines()[0])
                now = int(parts[2].strip().splitlines()[0])
                age = float(max(0, now - mtime))
            except (ValueError, IndexError):
                age = None
        return LockOwner.parse(raw), age, raw.strip()

    def _stale(self, owner: LockOwner | None, age: float | None) -> str | None:
        """Why the current lock may be taken over, or None when its holder looks alive."""
        if owner is None:
            if age is None or age > ORPHAN_S:
                return f"it has no readable owner record and is {'of unknown age' if age is None else f'{age:.0f} s old'}"
            return None
        if owner.host == self.owner.host and not _pid_alive(owner.pid):
            return f"its owner, pid {owner.pid} on this host ({owner.host}), is no longer running"
        if age is not None and age > owner.ttl_s:
            return f"its owner ({owner.describe()}) has not renewed it for {age:.0f} s (its limit is {owner.ttl_s:.0f} s)"
        return None

    # ---- the lock's life -------------------------------------------------------------------------
    def acquire(self, need_bytes: int = 0) -> None:
        """Take the phone's lock, or raise :class:`DeviceBusy`; a stale lock is taken over (see :attr:`note`).
        ``need_bytes`` (what the run will push) goes into the message when the phone has no space even for the lock."""
        take = (quote(["mkdir", "-p", LOCK_ROOT]) + " && " + quote(["mkdir", LOCK_DIR]) + " && "
                + quote(["echo", self.owner.line()]) + " > " + quote([OWNER]))
        for _ in range(3):
            r = self.dev.t.run_line(take)
            if r.ok:
                self.held = True
                return
            text = r.output.strip()
            if "space" in text.lower():
                if "exist" not in text.lower() and self._mine_or_empty():
                    self.dev.sh("rm", "-rf", LOCK_DIR)  # our mkdir worked, the owner record did not fit: undo it
                raise NotEnoughSpace(f"{self.dev.name} has no space left under {LOCK_ROOT}: even its device lock could not "
                                     f"be created ({text[:200]}); the push needs {need_bytes:,} bytes.",
                                     hint="Free space on the phone (e.g. `adb shell rm -rf /data/local/tmp/mobilekit`) "
                                     "and try again.")
            if "exist" not in text.lower():
                raise DeviceCommandFailed(f"could not create the device lock {LOCK_DIR} on {self.dev.name}: {text[:200]}")
            owner, age, raw = self._state()
            reason = self._stale(owner, age)
            if reason is None:
                who = owner.describe() if owner else "another mobilekit (its owner record is being written)"
                beat = "" if age is None else f"; its last heartbeat was {age:.0f} s ago"
                ttl = f"{owner.ttl_s:.0f} s" if owner else f"{ORPHAN_S:.0f} s"
                raise DeviceBusy(
                    f"device busy: {self.dev.name} is being benchmarked by {who}{beat}. Two benchmarks on one phone "
                    "would stop each other's app and skew each other's timings, so this one did not start there.",
                    hint=f"Wait for that run to finish (or stop it), then run again or `mobilekit bench --resume RUN`. "
                    f"If that runner is dead, its lock expires {ttl} after its last heartbeat; to free the phone at "
                    f"once: adb -s {self.dev.name} shell rm -rf {LOCK_DIR}")
            # Take over: rename the stale folder away (of two runners doing this, one rename wins), then retry.
            again = self._state()
            if again[2] != raw:
                continue  # it changed meanwhile: look again
            away = f"{LOCK_DIR}.stale-{self.owner.token}"
            if self.dev.sh("mv", LOCK_DIR, away).ok:
                self.dev.sh("rm", "-rf", away)
                self.note = f"took over a stale device lock on {self.dev.name}: {reason}"
        raise DeviceBusy(f"device busy: the lock on {self.dev.name} keeps changing hands; another runner is starting there.",
                         hint="Run one benchmark per phone at a time.")

    def _mine_or_empty(self) -> bool:
        """After a take that failed for space (not because the lock existed): a lock folder there now, without an
        owner record, is the one this take made."""
        owner, age, raw = self._state()
        return owner is None and not raw and age is not None

    def refresh(self) -> None:
        """The heartbeat: touch the owner record after checking it is still ours (else :class:`DeviceError`)."""
        if not self.held:
            return
        r = self.dev.t.run_line(f"cat {quote([OWNER])} && touch {quote([OWNER])}")
        current = LockOwner.parse(r.output) if r.ok else None
        if current is None or current.token != self.owner.token:
            self.held = False
            who = current.describe() if current else "nobody (it was removed)"
            raise DeviceError(f"lost the device lock on {self.dev.name}: it is now held by {who}; this run stopped "
                              "using the phone.", hint="Run one benchmark per phone at a time; resume this run later.")

    def release(self) -> None:
        """Remove the lock if it is still ours (best effort: a phone that dropped keeps it until it goes stale)."""
        if not self.held:
            return
        self.held = False
        try:
            owner, _, _ = self._state()
            if owner is not None and owner.token == self.owner.token:
                self.dev.sh("rm", "-rf", LOCK_DIR)
        except DeviceError:
            pass
