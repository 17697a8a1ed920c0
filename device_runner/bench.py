"""Run a :class:`~mobilekit.device_runner.plan.BenchPlan` through the app's benchmark protocol.

Public API (what ``mobilekit bench`` and ``mobilekit demo`` call)::

    from mobilekit.device_runner.bench import run_bench, resume_bench
    from mobilekit.device_runner.plan import BenchPlan
    from mobilekit.device_runner.store import Store

    summary = run_bench(BenchPlan(bundle="out/digits_cnn", devices=("127.0.0.1:5555",)), Store())
    print(summary.run_id, summary.ok, summary.failed)

Devices run in parallel (one thread each); the cases of one device run in sequence. Per device: connect,
repair state a killed earlier run left behind (``device_notes``), read its identity, check/install the
app, push the bundle to ``/data/local/tmp/mobilekit/<bundle-sha12>/`` (sha256-skip), then per case: cool
down, idle power baseline, ``am start -W -S -n org.mobilekit.demo/.BenchmarkActivity ...``, poll for
``done``/``error`` with a timeout while the sampler streams, pull and validate ``result.json``, and
store the case at once. A dropped phone fails its case (with the message) and the others go on;
:func:`resume_bench` re-runs the cases that did not finish. ``dumpsys battery unplug`` and fixed
performance mode are undone in ``finally`` (and on SIGINT/SIGTERM); if the process is killed outright,
the store's note makes the next run on that phone undo them first.
"""

from __future__ import annotations

import json
import secrets
import signal
import tempfile
import threading
import time
import types
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner import power, thermal
from mobilekit.device_runner.connect import open_transport
from mobilekit.device_runner.device import (
    APP_PACKAGE,
    APP_RESULTS,
    benchmark_intent,
    DEVICE_ROOT,
    AppMissing,
    Device,
    INSTALL_HINT,
)
from mobilekit.device_runner.lock import DeviceBusy, DeviceLock
from mobilekit.device_runner.plan import BenchPlan, Bundle, Case, expand, load_bundle
from mobilekit.device_runner.store import Store, StoreError, utc_now
from mobilekit.device_runner.transport import TRANSIENT, ConnectionLost, DeviceError

NOTE_UNPLUGGED = "battery_unplugged"
NOTE_PERF = "fixed_performance_mode"
POLL_S = 0.25


class Interrupted(Exception):
    """The run was asked to stop (Ctrl-C / SIGTERM)."""


class Progress:
    """Receives progress events; the CLI draws a rich bar per device from these. All methods are optional."""

    def device_start(self, address: str, total: int) -> None: ...

    def case_done(self, address: str, case_key: str, status: str, message: str | None) -> None: ...

    def message(self, address: str, text: str) -> None: ...


@dataclass
class RunSummary:
    """What a run did, for printing and for callers (``mobilekit demo``)."""

    run_id: str
    db_path: str
    status: str
    total: int
    ok: int
    failed: int
    pending: int
    simulated: bool
    failures: list = field(default_factory=list)  # [{"case_key", "error"}]

    def to_dict(self) -> dict:
        return asdict(self)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def _check_key(plan: BenchPlan) -> None:
    """A --key that is not an ADB key is the user's mistake: refused before any phone is touched."""
    if plan.key_path is not None and (plan.key_path.exists() or plan.key_path.is_symlink()):
        from mobilekit.device_runner.keys import check_private_key

        check_private_key(plan.key_path)


def run_bench(plan: BenchPlan, store: Store, progress: Progress | None = None, run_id: str | None = None) -> RunSummary:
    """Execute ``plan``, storing each case as it finishes; returns the summary. Raises MobilekitError for bad input."""
    _check_key(plan)
    bundles = [load_bundle(b) for b in plan.bundles]
    cases = expand(plan, bundles)
    run_id = run_id or new_run_id()
    store.create_run(run_id, plan.to_dict(), ", ".join(b.name for b in bundles), ", ".join(str(b.path) for b in bundles))
    store.add_pending_cases(run_id, [c.to_row() for c in cases])
    return _execute(plan, bundles, cases, store, run_id, progress or Progress())


def resume_bench(store: Store, run_id: str, progress: Progress | None = None) -> RunSummary:
    """Re-run only the cases of ``run_id`` that did not finish ok (failed or never run)."""
    run = store.run(run_id)
    try:
        plan = BenchPlan.from_dict(run["plan"])
    except (TypeError, ValueError, KeyError) as exc:  # a stored plan is data from a file: never trusted to fit
        raise StoreError(f"Run {run_id} in {store.path} has a stored plan mobilekit cannot use ({type(exc).__name__}: {exc}).",
                         hint="Start a new run with `mobilekit bench BUNDLE --device ...`.") from None
    _check_key(plan)
    bundles = [load_bundle(b) for b in plan.bundles]
    done = {c["case_key"] for c in store.cases(run_id, status="ok")}
    cases = [c for c in expand(plan, bundles) if c.case_key not in done]
    store.add_pending_cases(run_id, [c.to_row() for c in cases])
    store.set_run_status(run_id, "running")
    return _execute(plan, bundles, cases, store, run_id, progress or Progress())


def summarize(store: Store, run_id: str) -> RunSummary:
    cases = store.cases(run_id)
    run = store.run(run_id)
    failed = [c for c in cases if c["status"] == "failed"]
    return RunSummary(run_id, str(store.path), run["status"], len(cases), sum(c["status"] == "ok" for c in cases),
                      len(failed), sum(c["status"] == "pending" for c in cases), any(c["simulated"] for c in cases),
                      [{"case_key": c["case_key"], "error": c["error"]} for c in failed])


def _execute(plan: BenchPlan, bundles: list[Bundle], cases: list[Case], store: Store, run_id: str,
             progress: Progress) -> RunSummary:
    stop = threading.Event()
    by_device: dict[str, list[Case]] = {}
    for c in cases:
        by_device.setdefault(c.address, []).append(c)
    # Each worker sets its own `finished` event; the main thread waits on those, not on Thread.join(), because a
    # KeyboardInterrupt landing inside join() can leave Thread.is_alive() wrongly False (seen here on CPython 3.11).
    shared = types.SimpleNamespace(store_error=None)  # set when the results database became unusable mid-run
    runs = [DeviceRun(plan, bundles, store, run_id, address, dcases, progress, stop, shared)
            for address, dcases in by_device.items()]
    workers = [threading.Thread(target=r.run, name=f"bench-{r.address}", daemon=True) for r in runs]

    def wait_all(deadline: float | None) -> None:
        while not all(r.finished.is_set() for r in runs):
            if deadline is not None and time.monotonic() > deadline:
                return
            for r in runs:
                r.finished.wait(0.2)

    old_term = None
    if threading.current_thread() is threading.main_thread():
        def _term(signum, frame):
            raise KeyboardInterrupt
        old_term = signal.signal(signal.SIGTERM, _term)
    try:
        for w in workers:
            w.start()
        wait_all(None)
    except KeyboardInterrupt:
        stop.set()
        # Workers see `stop`, fail their case in flight and restore the phone (battery, performance mode).
        # A second Ctrl-C does not cut that short: leaving a phone "unplugged" is worse than waiting.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                wait_all(deadline)
                break
            except KeyboardInterrupt:
                continue
        store.set_run_status(run_id, "interrupted", note="interrupted by the user")
        raise
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
    if shared.store_error is not None:
        err = shared.store_error
        raise type(err)(f"{err.message} Run {run_id} stopped: its phones were restored, and the cases stored before "
                        "are kept; the others are still pending.",
                        hint=f"When the database is usable again: mobilekit bench --resume {run_id} --db {store.path}. "
                        + (err.hint or ""))
    busy = [r.busy for r in runs if r.busy is not None]
    if busy and len(busy) == len(runs):  # nothing could run anywhere: a refusal, not a run with failures
        store.set_run_status(run_id, "failed", note="device busy")
        raise DeviceBusy(busy[0].message + ("" if len(busy) == 1 else f" (and {len(busy) - 1} more phone(s) are busy)"),
                         hint=f"{busy[0].hint} This run's cases are stored as not run: `mobilekit bench --resume {run_id}` runs them once the phone is free.")
    s = summarize(store, run_id)
    store.set_run_status(run_id, "finished" if s.failed == 0 and s.pending == 0 else "failed")
    return summarize(store, run_id)


class DeviceRun:
    """The cases of one device, run in sequence in one thread."""

    def __init__(self, plan: BenchPlan, bundles: list[Bundle], store: Store, run_id: str, address: str,
                 cases: list[Case], progress: Progress, stop: threading.Event, shared=None):
        self.plan, self.store, self.run_id = plan, store, run_id
        self.shared = shared if shared is not None else types.SimpleNamespace(store_error=None)
        self.lock: DeviceLock | None = None
        self.busy: DeviceBusy | None = None
        needed = {c.bundle for c in cases}
        self.bundles = [b for b in bundles if b.sha12 in needed]
        self.remote_bundles: dict[str, str] = {}
        self.address, self.cases, self.progress, self.stop = address, cases, progress, stop
        self.dev: Device | None = None
        self.remaining = list(cases)
        self.durations: dict[tuple, float] = {}
        self.finished = threading.Event()

    # ---- the thread --------------------------------------------------------------------------
    def run(self) -> None:
        self.progress.device_start(self.address, len(self.cases))
        try:
            self._connect()
            self._take_lock()
            self._setup_and_run()
        except StoreError as exc:  # the results database is unusable: stop every phone, write nothing more
            self._store_unusable(exc)
        except DeviceBusy as exc:  # another benchmark has this phone: nothing was done on it
            self.busy = exc
            self._fail_rest(str(exc))
        except MobilekitError as exc:  # the phone's trouble or the user's (a changed bundle): named, not a bug
            self._fail_rest(self._explain(exc))
        except Exception as exc:  # noqa: BLE001 - an internal bug must still not lose the other devices
            self._fail_rest(f"internal error: {type(exc).__name__}: {exc}")
            raise
        finally:
            try:
                if self.lock is not None and self.lock.held:  # only the lock's holder touches the phone's state
                    self._restore()
                    self.lock.release()
                if self.dev is not None:
                    self.dev.t.close()
            finally:
                self.finished.set()

    def _take_lock(self) -> None:
        """This run's lock on the phone (:mod:`.lock`), before anything on the phone is touched."""
        p = self.plan
        ttl = max(600.0, p.timeout_s + p.cooldown_max_s + 300.0)  # the longest gap between two heartbeats, and margin
        self.lock = DeviceLock(self.dev, self.run_id, ttl, utc_now())
        need = sum((b.path / n).stat().st_size for b in self.bundles for n in b.files)
        self.lock.acquire(need_bytes=need)
        if self.lock.note:
            self.progress.message(self.address, self.lock.note)

    def _store_unusable(self, exc: StoreError) -> None:
        if self.shared.store_error is None:
            self.shared.store_error = exc
        self.stop.set()

    def _explain(self, exc: MobilekitError) -> str:
        return str(exc)

    def _connect(self) -> None:
        t = open_transport(self.address, via=self.plan.via, key_path=self.plan.key_path,
                           timeout_s=self.plan.connect_timeout_s, auth_timeout_s=self.plan.auth_timeout_s)
        self.dev = Device(t)

    def _fail_rest(self, message: str) -> None:
        for c in list(self.remaining):
            self._store_failed(c, message)

    def _store_failed(self, case: Case, message: str, **kw) -> None:
        if self.shared.store_error is None:
            try:
                self.store.finish_case(self.run_id, case.case_key, status="failed", error=message, **kw)
            except StoreError as exc:
                self._store_unusable(exc)
        if self.shared.store_error is not None:
            message = "not stored: the results database cannot be written (the case stays pending)"
        if case in self.remaining:
            self.remaining.remove(case)
        self.progress.case_done(self.address, case.case_key, "failed", message)

    # ---- set-up ------------------------------------------------------------------------------
    def _setup_and_run(self) -> None:
        dev = self.dev
        self._repair_leftovers()
        info = dev.info()
        self.info = info
        self.store.put_device(self.run_id, self.address, info.to_dict())
        if self.lock is not None and self.lock.note:
            self.store.update_device_info(self.run_id, self.address, {"device_lock": self.lock.note})
        if self.plan.apk:
            self.progress.message(self.address, f"installing {self.plan.apk.name}")
            app = dev.install_apk(self.plan.apk)
        else:
            app = dev.require_app()
        self.app = app
        self.store.update_device_info(self.run_id, self.address, {"app": asdict(app)})
        files, expected = {}, {}
        for b in self.bundles:
            self.remote_bundles[b.sha12] = f"{DEVICE_ROOT}/{b.sha12}"
            files.update({b.path / n: f"{DEVICE_ROOT}/{b.sha12}/{n}" for n in b.files})
            expected.update({b.path / n: b.sha256[n] for n in b.files})
        self.progress.message(self.address, "pushing the bundle" + ("s" if len(self.bundles) > 1 else ""))
        self._heartbeat()
        pushed = dev.push_files(files, expected=expected)
        self._heartbeat()
        self.store.update_device_info(self.run_id, self.address, {
            "bundle_dirs": sorted(self.remote_bundles.values()), "files_pushed": sum(pushed.values()),
            "files_skipped_same_sha256": sum(not v for v in pushed.values())})
        if self.plan.energy:
            power.push_sampler(dev)
            self.store.add_note(self.address, NOTE_UNPLUGGED, self.run_id)
            dev.sh("dumpsys", "battery", "unplug").check("dumpsys battery unplug")
            dev.sh("dumpsys", "batterystats", "--reset")
        self.perf_mode = False
        if self.plan.fixed_performance:
            self.store.add_note(self.address, NOTE_PERF, self.run_id)
            self.perf_mode = dev.set_fixed_performance_mode(True)
            if not self.perf_mode:
                self.store.clear_note(self.address, NOTE_PERF)
        self.store.update_device_info(self.run_id, self.address, {"fixed_performance_mode": self.perf_mode,
                                                                  "screen": dev.screen_state()})
        self.thermal_base = thermal.baseline(dev)
        for i, case in enumerate(self.cases):
            if self.stop.is_set():
                self._fail_rest("interrupted before this case started; `mobilekit bench --resume "
                                f"{self.run_id}` runs it")
                return
            self._heartbeat()  # raises when another runner took the phone: no case of this run runs after that
            try:
                self._run_case(i, case)
            except Interrupted:
                self._store_failed(case, f"interrupted by the user; `mobilekit bench --resume {self.run_id}` re-runs it")
                self._fail_rest("interrupted before this case started; `mobilekit bench --resume "
                                f"{self.run_id}` runs it")
                return
            except TRANSIENT as exc:
                self._store_failed(case, f"{exc.message} (the phone dropped during this case; the other results are "
                                   f"kept and `mobilekit bench --resume {self.run_id}` re-runs the unfinished cases)")
                if not self._reconnect():
                    self._fail_rest(f"{self.address} did not come back after it dropped; `mobilekit bench --resume "
                                    f"{self.run_id}` runs the remaining cases once it is reachable again")
                    return
            except DeviceError as exc:
                self._store_failed(case, str(exc))
        if self.plan.energy and getattr(self, "app", None) is not None:
            try:
                mah = power.batterystats_mah(dev, APP_PACKAGE, self.app.user_id)
                self.store.update_device_info(self.run_id, self.address, {
                    "batterystats_app_mah": mah, "batterystats_note": "dumpsys batterystats per-UID estimate "
                    "since --reset; modelled from the power profile, not measured"})
            except DeviceError:
                pass

    def _heartbeat(self) -> None:
        if self.lock is not None:
            self.lock.refresh()

    def _reconnect(self) -> bool:
        delay = 1.0
        for _ in range(4):
            if self.stop.is_set():
                return False
            self.dev.t.close()
            try:
                self.dev.t.connect()
                self.dev.t.run(["echo", "ok"], retry=False)
                return True
            except DeviceError:
                self.stop.wait(delay)
                delay *= 2
        return False

    def _repair_leftovers(self) -> None:
        """Undo what a killed earlier run left on this phone (noted in the store)."""
        for note in self.store.notes(self.address):
            if note["what"] == NOTE_UNPLUGGED:
                self.progress.message(self.address, f"restoring `dumpsys battery` left unplugged by run {note['run_id']}")
                self.dev.sh("dumpsys", "battery", "reset").check("dumpsys battery reset")
            elif note["what"] == NOTE_PERF:
                self.dev.set_fixed_performance_mode(False)
            self.store.clear_note(self.address, note["what"])

    def _restore(self) -> None:
        """Best effort: undo battery unplug and fixed performance mode; notes stay if the phone is unreachable."""
        if self.dev is None:
            return
        try:
            notes = self.store.notes(self.address)
        except StoreError:
            notes = [{"what": NOTE_UNPLUGGED}, {"what": NOTE_PERF}] if self.plan.energy else [{"what": NOTE_PERF}]
        for note in notes:
            try:
                if note["what"] == NOTE_UNPLUGGED:
                    self.dev.sh("dumpsys", "battery", "reset").check("dumpsys battery reset")
                elif note["what"] == NOTE_PERF:
                    self.dev.set_fixed_performance_mode(False)
                self.store.clear_note(self.address, note["what"])
            except (DeviceError, StoreError):
                pass  # the note stays; the next run on this phone restores it

    # ---- one case ----------------------------------------------------------------------------
    def _run_case(self, index: int, case: Case) -> None:
        dev, plan = self.dev, self.plan
        started = utc_now()
        bat = dev.battery()
        if bat.level_pct is not None and bat.level_pct < plan.min_battery_pct and not bat.external_power:
            raise DeviceError(f"the battery is at {bat.level_pct:.0f}%, below the minimum {plan.min_battery_pct:.0f}%",
                              hint="Charge the phone (or lower --min-battery) and resume the run.")
        cool = thermal.wait_until_cool(dev, self.thermal_base, plan.cooldown_max_s, plan.cooldown_tolerance_c,
                                       stop=self.stop)
        if self.stop.is_set():
            raise Interrupted
        dev.wake_and_unlock()
        state_before = dev.device_state()
        th_before = dev.thermal()
        bat = dev.battery()
        tis_before = dev.time_in_state(self.info.cores or 0)
        app_id = f"{self.run_id}-{index:03d}-{secrets.token_hex(2)}"
        remote_dir = f"{APP_RESULTS}/{app_id}"
        dev.sh("rm", "-rf", remote_dir)
        idle: list = []
        sampler = None
        if plan.energy:
            idle = power.measure(dev, self._baseline_s(case))
            sampler = power.Sampler(dev, max_s=plan.timeout_s + 30).start()
        t0 = time.monotonic()
        try:
            am = dev.sh(*benchmark_intent(self.remote_bundles[case.bundle], case.artifact, app_id, warmup=plan.warmup,
                                          iterations=plan.iterations, threads=case.threads, energy=plan.energy),
                        timeout_s=60, retry=False)
            from mobilekit.device_runner import parse

            started_info = parse.am_start(am.output)
            if started_info["error"]:
                if "does not exist" in started_info["error"]:
                    raise AppMissing(f"The benchmark app is not installed on {self.address}: {started_info['error']}",
                                     hint=INSTALL_HINT)
                raise DeviceError(f"`am start` failed on {self.address}: {started_info['error']}")
            state = self._wait_for_result(app_id, remote_dir, t0)
        finally:
            samples = sampler.stop() if sampler else []
        if sampler and sampler.error and "lost" in sampler.error:
            raise ConnectionLost(f"{sampler.error} (while the app was running)")
        duration = time.monotonic() - t0
        self.durations[(case.artifact, case.threads)] = duration
        if state == "error":
            msg = self._read_app_file(remote_dir, app_id, "error") or "(empty error file)"
            raise DeviceError(f"the app reported an error for {case.artifact} (threads {case.threads}): {msg.strip()[:500]}")
        result = self._pull_result(remote_dir, app_id)
        th_after = dev.thermal()
        bat_after = dev.battery()
        tis_after = dev.time_in_state(self.info.cores or 0)
        energy = None
        if plan.energy:
            ext = bat.external_power or bat_after.external_power
            note = power.CHARGING_MESSAGE.format(source=bat.source if bat.external_power else bat_after.source,
                                                 status=bat.status) if ext else ""
            # Per timed inference: the runner's sysfs samples inside the app's timed window (result.timing).
            timed = power.in_window(samples, power.timed_window(result))
            e = power.compute_energy(idle, timed, plan.iterations, ext, note)
            if sampler and sampler.error and e.valid:
                e.valid, e.invalid_reason = False, f"the power sampler stream failed: {sampler.error}"
            app_e = power.energy_from_app_samples(result, battery_faked=True)
            if app_e is not None:
                e.app_mj_per_inference = app_e.mj_per_inference if app_e.valid else None
                e.notes.append(f"app readings, same algorithm: {app_e.mj_per_inference} mJ/inference"
                               + ("" if app_e.valid else f" (invalid: {app_e.invalid_reason})"))
            energy = e.to_dict()
        therm = {"status_before": th_before.status, "status_after": th_after.status,
                 "battery_temp_c_before": bat.temp_c, "battery_temp_c_after": bat_after.temp_c,
                 "cooldown_waited_s": round(cool.waited_s, 2), "cooldown_reached": cool.reached,
                 "baseline_status": self.thermal_base.status, "baseline_battery_temp_c": self.thermal_base.battery_temp_c,
                 "temps_c_after": th_after.temps_c, "device_state_before": state_before,
                 "device_state_app": result.get("device_state")}
        cpufreq = {"delta_10ms": {str(cpu): {str(f): tis_after.get(cpu, {}).get(f, 0) - t for f, t in states.items()}
                                  for cpu, states in tis_before.items()},
                   "fixed_performance_mode": self.perf_mode}
        if not cool.reached:
            therm["note"] = (f"cool-down cap of {plan.cooldown_max_s:.0f} s reached: thermal status {cool.status}, "
                             f"battery {cool.battery_temp_c} °C")
        self.store.finish_case(self.run_id, case.case_key, status="ok", result=result, energy=energy, thermal=therm,
                               cpufreq=cpufreq, started_utc=started, idle_samples=idle, case_samples=samples)
        self.remaining.remove(case)
        self.progress.case_done(self.address, case.case_key, "ok", None)

    def _baseline_s(self, case: Case) -> float:
        if self.plan.baseline_s is not None:
            return self.plan.baseline_s
        prev = self.durations.get((case.artifact, case.threads))
        if prev is None and case.host_p50_ms:
            prev = case.host_p50_ms * (self.plan.warmup + self.plan.iterations) / 1000.0 + 1.0
        return min(10.0, max(1.0, prev or 2.0))

    def _wait_for_result(self, app_id: str, remote_dir: str, t0: float) -> str:
        deadline = t0 + self.plan.timeout_s
        while True:
            if self.stop.is_set():
                self.dev.sh("am", "force-stop", APP_PACKAGE)
                raise Interrupted
            # No retry here: a connection that drops while the app runs fails the case (the power stream and the
            # phone's state during the case are unknown); the next case reconnects.
            r = self.dev.sh("ls", "-1", remote_dir, retry=False)
            names = r.output.split() if r.ok else []
            if not r.ok and "Permission denied" in r.output:  # shell cannot read app storage: ask the app's uid
                names = [n for n in ("done", "error") if self._read_app_file(remote_dir, app_id, n) is not None]
            if "error" in names:
                return "error"
            if "done" in names:
                return "done"
            if time.monotonic() > deadline:
                self.dev.sh("am", "force-stop", APP_PACKAGE)
                raise DeviceError(f"no result from the app within {self.plan.timeout_s:.0f} s (--timeout); the app "
                                  "was stopped. A larger model or more iterations need a longer --timeout.")
            self.stop.wait(POLL_S)

    def _read_app_file(self, remote_dir: str, app_id: str, name: str) -> str | None:
        text = self.dev.cat(f"{remote_dir}/{name}")
        if text is not None:
            return text
        r = self.dev.sh("run-as", APP_PACKAGE, "cat", f"files/mobilekit/{app_id}/{name}")
        return r.output if r.ok else None

    def _pull_result(self, remote_dir: str, app_id: str) -> dict:
        from mobilekit.device_runner.device import FileTooLarge
        from mobilekit.device_runner.transport import DeviceCommandFailed
        from mobilekit.schemas import RESULT, errors

        text = None
        with tempfile.TemporaryDirectory(prefix="mobilekit-pull-") as tmp:
            try:
                pulled = self.dev.pull_dir(remote_dir, Path(tmp))
            except FileTooLarge:
                raise
            except DeviceCommandFailed:
                pulled = []
            for p in pulled:
                if p.name == "result.json":
                    text = p.read_text(encoding="utf-8", errors="replace")
        if text is None:
            r = self.dev.sh("run-as", APP_PACKAGE, "cat", f"files/mobilekit/{app_id}/result.json")
            if not r.ok:
                raise DeviceError(f"the app finished but its result.json could not be read from {remote_dir} "
                                  f"(nor with run-as): {r.output.strip()[:200]}")
            text = r.output
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DeviceError(f"result.json from {self.address} is not valid JSON: {exc}") from None
        problems = errors(doc, RESULT)
        if problems:
            raise DeviceError(f"result.json from {self.address} does not match the result schema: " + "; ".join(problems[:5]))
        if doc.get("run_id") != app_id:
            raise DeviceError(f"result.json from {self.address} is for run {doc.get('run_id')!r}, expected {app_id!r}")
        return doc


