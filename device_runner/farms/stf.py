"""DeviceFarmer (STF): lease phones over the REST API, run the ordinary bench over their remote ADB, release them.

The calls, as STF documents them (``doc/API.md``; every request carries ``Authorization: Bearer TOKEN``):

- ``GET /api/v1/devices`` -> ``{"devices": [{"serial", "present", "ready", "using", "owner", "model", ...}]}``
- ``POST /api/v1/user/devices`` with ``{"serial": S, "timeout": MS}``: lease (add the device to the user)
- ``POST /api/v1/user/devices/{serial}/remoteConnect`` -> ``{"remoteConnectUrl": "host:port"}``
- ``DELETE /api/v1/user/devices/{serial}/remoteConnect`` then ``DELETE /api/v1/user/devices/{serial}``: release

:func:`run_on_stf` leases, remote-connects, calls :func:`mobilekit.device_runner.bench.run_bench` (what
``mobilekit bench`` calls) with the ``host:port`` addresses, and always releases every phone it leased, in
``finally``: on success, on an error, on Ctrl-C and on SIGTERM. STF also takes the lease back by itself
after the ``timeout`` given when leasing, should this process die outright. The token is held only in
the client and never appears in a message, a log line or the store; URLs are stored without user info.
The phones must accept this computer's ADB key: add its public half (``~/.android/adbkey.pub`` or
``$MOBILEKIT_ADB_KEY.pub``) in STF's Settings -> Keys -> ADB Keys once.
"""

from __future__ import annotations

import json
import signal
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterator

from mobilekit import MobilekitError

FARM = "stf"
DEVICE_FIELDS = "serial,present,ready,using,owner,model,manufacturer,sdk,abi,version,remoteConnectUrl"


@dataclass(frozen=True)
class StfConfig:
    """Which STF server, which phones, and for how long."""

    url: str
    token: str = field(repr=False)
    serials: tuple[str, ...] = ()          # these phones; empty: the first `count` free ones
    count: int = 1
    lease_minutes: float = 60.0            # STF releases the lease by itself after this, should we die outright
    http_timeout_s: float = 30.0

    def __post_init__(self):
        u = urllib.parse.urlsplit(self.url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise MobilekitError(f"--url {public_url(self.url)!r} is not an http(s) URL of an STF server.",
                                 hint="For example --url https://stf.example.org")
        if not self.token:
            raise MobilekitError("The STF access token is empty.",
                                 hint="Generate one in STF's Settings -> Keys -> Access Tokens and export it, "
                                      "e.g. export STF_TOKEN=...; then pass --token-env STF_TOKEN.")
        object.__setattr__(self, "serials", tuple(self.serials))
        if not self.serials and self.count < 1:
            raise MobilekitError(f"--count must be 1 or more, got {self.count}.")
        if self.lease_minutes <= 0:
            raise MobilekitError(f"--lease-minutes must be positive, got {self.lease_minutes}.")


def public_url(url: str) -> str:
    """``url`` without user info, query or fragment: what may be printed and stored."""
    u = urllib.parse.urlsplit(url)
    host = u.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if u.port:
        netloc += f":{u.port}"
    return urllib.parse.urlunsplit((u.scheme, netloc, u.path.rstrip("/"), "", ""))


class StfClient:
    """The few STF REST calls mobilekit needs (stdlib urllib; JSON in and out)."""

    def __init__(self, url: str, token: str, timeout_s: float = 30.0):
        self.base = public_url(url)
        self._token = token
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"StfClient({self.base!r})"

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self._token}", "Accept": "application/json",
            **({"Content-Type": "application/json"} if data is not None else {})})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                text = r.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            desc = _description(exc.read().decode("utf-8", errors="replace"))
            if exc.code == 401:
                raise MobilekitError(f"STF at {self.base} refused the access token (401){desc}.",
                                     hint="Check the token (STF Settings -> Keys -> Access Tokens) in the --token-env variable.") from None
            raise MobilekitError(f"STF {method} {path} failed with HTTP {exc.code}{desc}.") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise MobilekitError(f"Cannot reach STF at {self.base}: {reason}.",
                                 hint="Check --url and that this computer can reach the server.") from None
        try:
            doc = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            raise MobilekitError(f"STF {method} {path} answered with something that is not JSON.",
                                 hint="Is --url the STF server itself (not its login page or a proxy)?") from None
        if isinstance(doc, dict) and doc.get("success") is False:
            raise MobilekitError(f"STF {method} {path} was refused{_description(text)}.")
        return doc if isinstance(doc, dict) else {}

    def devices(self) -> list[dict]:
        return list(self._call("GET", f"/api/v1/devices?fields={DEVICE_FIELDS}").get("devices") or [])

    def lease(self, serial: str, timeout_ms: int) -> None:
        self._call("POST", "/api/v1/user/devices", {"serial": serial, "timeout": timeout_ms})

    def remote_connect(self, serial: str) -> str:
        url = self._call("POST", f"/api/v1/user/devices/{urllib.parse.quote(serial, safe='')}/remoteConnect").get("remoteConnectUrl")
        if not url or not isinstance(url, str):
            raise MobilekitError(f"STF gave no remoteConnectUrl for {serial}.")
        return url.removeprefix("adb://") if url.startswith("adb://") else url

    def remote_disconnect(self, serial: str) -> None:
        self._call("DELETE", f"/api/v1/user/devices/{urllib.parse.quote(serial, safe='')}/remoteConnect")

    def release(self, serial: str) -> None:
        self._call("DELETE", f"/api/v1/user/devices/{urllib.parse.quote(serial, safe='')}")


def _description(text: str) -> str:
    try:
        d = json.loads(text)
    except (json.JSONDecodeError, ValueError):
        return ""
    desc = d.get("description") if isinstance(d, dict) else None
    return f": {' '.join(str(desc).split())[:200]}" if desc else ""


@dataclass
class Lease:
    """One phone held from STF."""

    serial: str
    model: str = ""
    address: str = ""          # the remote ADB host:port, once connected
    released: bool = False
    release_error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def pick_serials(devices: list[dict], config: StfConfig) -> list[dict]:
    """The phones to lease: the ones asked for (each must be free), else the first free ``count``."""
    free = [d for d in devices if d.get("present") and d.get("ready") and not d.get("using") and not d.get("owner")]
    if config.serials:
        by = {d.get("serial"): d for d in devices}
        for s in config.serials:
            if s not in by:
                raise MobilekitError(f"STF has no device {s!r}.", hint="List them with `mobilekit farm stf --list ...`.")
            if by[s] not in free:
                raise MobilekitError(f"The STF device {s} is not free (absent, not ready, or in use by someone).")
        return [by[s] for s in config.serials]
    if len(free) < config.count:
        raise MobilekitError(f"STF has {len(free)} free device(s), {config.count} asked for.",
                             hint="Lower --count, wait, or name phones with --serial.")
    return free[:config.count]


@contextmanager
def leased(client: StfClient, config: StfConfig, say: Callable[[str], None] = lambda s: None) -> Iterator[list[Lease]]:
    """Lease and remote-connect the phones; release every one of them when the block ends, however it ends."""
    leases: list[Lease] = []
    old = None
    if threading.current_thread() is threading.main_thread():
        def _term(signum, frame):
            raise KeyboardInterrupt
        old = signal.signal(signal.SIGTERM, _term)
    try:
        for d in pick_serials(client.devices(), config):
            serial = str(d["serial"])
            client.lease(serial, int(config.lease_minutes * 60_000))
            lease = Lease(serial, str(d.get("model") or ""))
            leases.append(lease)
            say(f"leased {serial} ({lease.model or 'unknown model'})")
            lease.address = client.remote_connect(serial)
            say(f"{serial} is reachable over ADB at {lease.address}")
        yield leases
    finally:
        for lease in reversed(leases):
            release(client, lease, say)
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def release(client: StfClient, lease: Lease, say: Callable[[str], None]) -> None:
    """Disconnect and release one phone; a second Ctrl-C does not cut it short, a failure is recorded, not raised."""
    for attempt in range(3):
        try:
            if lease.address:
                try:
                    client.remote_disconnect(lease.serial)
                except MobilekitError:
                    pass        # the lease release below also ends the remote session
            client.release(lease.serial)
            lease.released = True
            say(f"released {lease.serial}")
            return
        except KeyboardInterrupt:
            continue
        except MobilekitError as exc:
            lease.release_error = exc.message
    say(f"could not release {lease.serial}: {lease.release_error}; STF takes it back when the lease times out")


def run_on_stf(plan_factory, store, config: StfConfig, progress=None, say: Callable[[str], None] = lambda s: None,
               bench: Callable | None = None, client: StfClient | None = None):
    """Lease, run ``bench(plan, store, progress=..., run_id=...)`` on the remote addresses, label the run, release.

    ``plan_factory(addresses)`` builds the :class:`~mobilekit.device_runner.plan.BenchPlan` once the addresses are
    known. Returns ``(RunSummary, [Lease])``. The run is labelled ``stf`` even when it is interrupted.
    """
    from mobilekit.device_runner.bench import new_run_id, run_bench

    bench = bench or run_bench
    client = client or StfClient(config.url, config.token, config.http_timeout_s)
    run_id = new_run_id()
    with leased(client, config, say) as leases:
        plan = plan_factory(tuple(l.address for l in leases))
        try:
            summary = bench(plan, store, progress=progress, run_id=run_id)
        finally:
            _label(store, run_id, client, leases)
    return summary, leases


def _label(store, run_id: str, client: StfClient, leases: list[Lease]) -> None:
    try:
        store.run(run_id)
    except MobilekitError:
        return      # the bench stopped before it created the run
    store.set_run_farm(run_id, FARM, {"server": client.base, "devices": [{"serial": l.serial, "address": l.address,
                                                                          "model": l.model} for l in leases]})
    for l in leases:
        store.update_device_info(run_id, l.address, {"farm": FARM, "farm_device": {"serial": l.serial,
                                                                                   "remote_connect_url": l.address}})
