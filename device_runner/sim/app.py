"""The sample app's headless benchmark mode, as the simulated phone runs it (org.mobilekit.demo).

``am start ... BenchmarkActivity --es bundle DIR --es artifact FILE --es run_id ID ...`` starts a
background thread that does what the Android app does: read ``DIR/manifest.json``, load ``DIR/FILE``
with the host runtime, build the input from ``sample.input`` (or zeros), time ``warmup`` then
``iterations`` runs, check top-1, and write ``result.json`` (schemas/result.schema.json, with
``"simulated": true``) into ``<external-files>/mobilekit/<run_id>/`` and the app's internal
``files/mobilekit/<run_id>/``, then an empty ``done`` (or ``error`` with the message).

Timing (a model, labelled simulated): the app really executes every iteration with the host runtime,
but a phone's speed does not follow the CI host's load, so the reported latency is the host's median
time for this artifact and thread count, measured the first time this phone runs it and then kept
(never below the profile's ``min_inference_ms``), times the phone's ``speed``, the ``slow`` fault and thermal throttling, times a seeded per-iteration
jitter (log-normal, ~3%). Two runs of an unchanged setup therefore look alike, and ``slow=2.0`` is a
2x regression. When the simulated time is longer than the host's, the app sleeps the difference after
the timed loop, so the run takes as long on the clock as it reports (the runner's sysfs sampling then
sees a consistent load).
Energy: as the Android app, the simulated app does no energy arithmetic. With ``--ez energy true`` it
records raw readings (the power model's sysfs view, and BatteryManager's plug state as ``dumpsys battery``
overrides make it) at ~10 Hz over a 0.5 s idle baseline before loading and over the timed iterations,
into ``power_samples``, with the timed window in ``timing``; the runner's algorithm
(``device_runner/power.py``) computes mJ per timed inference. Memory (PSS) is modelled as a base footprint
plus the artifact and its tensors. Both are models, not measurements. The screen: BenchmarkActivity turns
it on and shows over a keyguard that is not secure (``device_state`` records what the app saw).
"""

from __future__ import annotations

import collections
import hashlib
import json
import posixpath
import random
import re
import statistics
import threading
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .filesystem import APP_EXTERNAL, FsError
from .profile import PACKAGE
from .runtimes import ArtifactError, cosine, load, make_input, runtime_for

if TYPE_CHECKING:
    from .phone import SimulatedPhone

INTERNAL = f"/data/data/{PACKAGE}"
RUN_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
HOSTILE_NAMES = ("../../evil", "a/../../b", "..\\..\\evil.txt", "/tmp/mobilekit-evil")
NEWLINE_NAME = "evil\nname.json"


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class BenchmarkFailed(Exception):
    """A benchmark error the app reports in its ``error`` file."""


class _Meter:
    """The app's ~10 Hz battery sampler thread (BatteryMeter on Android)."""

    def __init__(self, read, period_s: float = 0.1) -> None:
        self.read, self.period_s = read, period_s
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sim-app-battery", daemon=True)

    def start(self) -> "_Meter":
        self._thread.start()
        return self

    def _loop(self) -> None:
        while True:
            self.samples.append(self.read())
            if self._stop.wait(self.period_s):
                return

    def stop(self) -> list[dict]:
        self._stop.set()
        self._thread.join(timeout=2)
        self.samples.append(self.read())
        return self.samples


class DemoApp:
    """The installed (or not) sample app: package state, its process, and its benchmark runs."""

    def __init__(self, phone: "SimulatedPhone"):
        self.phone = phone
        self.version_name = phone.profile.app_version_name
        self.version_code = phone.profile.app_version_code
        self.code_path = f"/data/app/~~mKsIm0q1==/{PACKAGE}-sImPhOnE==="
        self.pid: int | None = None
        self.loaded_kb = 0
        self.log: collections.deque[str] = collections.deque(maxlen=500)
        self._uninstalled = False
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._next_pid = 12000 + phone.seed % 1000
        self.launch_answered = threading.Event()  # set by `am start` once it has printed its answer
        self.host_ms: dict[tuple[str, int], float] = {}  # (artifact sha256, threads) -> host median ms
        self._jitter = random.Random(phone.seed)

    # --- package state ------------------------------------------------------------------------
    @property
    def installed(self) -> bool:
        return not self.phone.faults.no_app and not self._uninstalled

    def install(self, version_name: str | None) -> None:
        self.force_stop()
        self.phone.faults.no_app = False
        self._uninstalled = False
        if version_name:
            self.version_name = version_name

    def uninstall(self) -> None:
        self.force_stop()
        self._uninstalled = True

    # --- process ----------------------------------------------------------------------------
    def _log(self, level: str, msg: str) -> None:
        stamp = datetime.now(timezone.utc).strftime("%m-%d %H:%M:%S.%f")[:-3]
        self.log.append(f"{stamp} {self.pid or 0:5d} {self.pid or 0:5d} {level} BenchmarkActivity: {msg}")

    def ensure_process(self) -> int:
        with self._lock:
            if self.pid is None:
                self.pid = self._next_pid
                self._next_pid += 1
            return self.pid

    def benchmark_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def force_stop(self) -> None:
        self._cancel.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10.0)
        self._thread = None
        self._cancel = threading.Event()
        self.pid = None
        self.loaded_kb = 0
        self.phone.power.set_load(0)

    def pss_kb(self) -> int:
        return self.phone.profile.base_pss_kb + self.loaded_kb

    def start_benchmark(self, extras: dict) -> None:
        self.launch_answered.clear()
        self.ensure_process()
        cancel = self._cancel
        self._thread = threading.Thread(target=self._run, args=(dict(extras), cancel), name="sim-BenchmarkActivity",
                                        daemon=True)
        self._thread.start()

    def wait(self, timeout_s: float = 60.0) -> bool:
        """Wait for the running benchmark (tests); True when it has finished."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout=timeout_s)
        return not thread.is_alive()

    # --- the benchmark --------------------------------------------------------------------------
    def _run(self, extras: dict, cancel: threading.Event) -> None:
        run_id = str(extras.get("run_id", ""))
        if not RUN_ID.match(run_id) or run_id in (".", ".."):
            self._log("E", f"refusing run_id {run_id!r}: it must be a plain file name")
            return
        dirs = [f"{APP_EXTERNAL}/files/mobilekit/{run_id}", f"{INTERNAL}/files/mobilekit/{run_id}"]
        self._log("I", f"benchmark {run_id} starting: {json.dumps(extras, sort_keys=True)}")
        try:
            for d in dirs:
                for name in ("result.json", "done", "error"):
                    try:
                        self.phone.fs.remove(f"{d}/{name}", "app")
                    except FsError:
                        pass
            result = self._benchmark(extras, run_id, cancel)
        except BenchmarkFailed as exc:
            if not cancel.is_set():
                self._finish(dirs, "error", str(exc).encode())
            return
        except Exception as exc:  # noqa: BLE001 - a crash of the real app writes its message too
            if not cancel.is_set():
                self._finish(dirs, "error", f"{type(exc).__name__}: {exc}".encode())
            return
        if cancel.is_set():
            return
        body = (json.dumps(result, indent=2) + "\n").encode()
        self._finish(dirs, "result.json", body, also_done=True)

    def _sample(self) -> dict:
        """One raw reading as the app's BatteryMeter records it (sysfs from the power model; BatteryManager's
        plug state is what ``dumpsys battery`` overrides say, as on a phone)."""
        power, bs = self.phone.power, self.phone.battery_service.overrides
        r = power.reading()
        plugged = 2 if r.charging else 0
        if "usb" in bs or "ac" in bs:
            plugged = 2 if bs.get("usb") else (1 if bs.get("ac") else 0)
        return {"t_ms": int(time.time() * 1000), "bm_current_ua": None, "bm_voltage_mv": int(r.voltage_uv // 1000),
                "bm_plugged": plugged, "bm_status": 2 if r.status == "Charging" else 3, "bm_energy_nwh": None,
                "sysfs_current_now": power.sysfs_current_now(), "sysfs_voltage_now": int(r.voltage_uv),
                "sysfs_status": r.status, "usb_online": 1 if r.charging or r.status == "Full" else 0, "ac_online": 0}

    def _finish(self, dirs: list[str], name: str, body: bytes, also_done: bool = False) -> None:
        fs = self.phone.fs
        for d in dirs:
            try:
                fs.mkdir(d, "app", parents=True)
                fs.write_bytes(f"{d}/{name}", body, "app")
                if also_done:
                    fs.write_bytes(f"{d}/done", b"", "app")
                if self.phone.faults.hostile_names:
                    fs.phantoms[d] = {n: b"written by the simulated phone's hostile_names fault\n" for n in HOSTILE_NAMES}
                    fs.write_bytes(f"{d}/{NEWLINE_NAME}", b"{}\n", "app")
            except FsError as exc:
                self._log("E", f"cannot write {d}/{name}: {exc.reason}")
        self._log("I" if name != "error" else "E", f"wrote {name}" + ("" if name != "error" else f": {body.decode(errors='replace')}"))

    def _benchmark(self, extras: dict, run_id: str, cancel: threading.Event) -> dict:
        phone, fs, power = self.phone, self.phone.fs, self.phone.power
        started = utc_now()
        bundle = str(extras.get("bundle", ""))
        artifact = str(extras.get("artifact", ""))
        warmup = int(extras.get("warmup", 5))
        iterations = int(extras.get("iterations", 50))
        threads = int(extras.get("threads", 0))
        energy = bool(extras.get("energy", False))
        if phone.faults.crash_benchmark:
            time.sleep(0.05)
            raise BenchmarkFailed(
                f"FATAL EXCEPTION: BenchmarkThread\nProcess: {PACKAGE}, PID: {self.pid}\n"
                "java.lang.IllegalStateException: simulated native crash in the runtime "
                "(mobilekit simulated phone, fault crash_benchmark)")
        if not bundle or not artifact:
            raise BenchmarkFailed("missing intent extras: bundle and artifact are required")
        if iterations < 1 or warmup < 0 or threads < 0:
            raise BenchmarkFailed(f"bad intent extras: warmup={warmup} iterations={iterations} threads={threads}")
        if "/" in artifact or artifact in (".", ".."):
            raise BenchmarkFailed(f"artifact must be a file name in the bundle, got {artifact!r}")
        bundle_dir = fs.normalize(bundle)
        try:
            manifest = json.loads(fs.read_bytes(f"{bundle_dir}/manifest.json", "app"))
        except FsError as exc:
            raise BenchmarkFailed(f"cannot read {bundle_dir}/manifest.json: {exc.reason}") from None
        except json.JSONDecodeError as exc:
            raise BenchmarkFailed(f"{bundle_dir}/manifest.json is not valid JSON: {exc}") from None
        entry = next((a for a in manifest.get("artifacts", []) if a.get("file") == artifact), None)
        if entry is None:
            raise BenchmarkFailed(f"unknown artifact {artifact!r}: it is not listed in {bundle_dir}/manifest.json")
        art_path = f"{bundle_dir}/{artifact}"
        if not fs.exists(art_path):
            raise BenchmarkFailed(f"cannot open {art_path}: No such file or directory")
        try:
            runtime = runtime_for(artifact)
        except ArtifactError as exc:
            raise BenchmarkFailed(str(exc)) from None
        inputs = manifest.get("inputs") or [{}]
        sample = manifest.get("sample") or {}

        def read(rel: str, what: str) -> bytes:
            try:
                return fs.read_bytes(fs.normalize(posixpath.join(bundle_dir, rel)), "app")
            except FsError as exc:
                raise BenchmarkFailed(f"cannot read {what} {rel}: {exc.reason}") from None

        # Every input from sample.inputs (by name); older bundles name only the first one (sample.input).
        files = {e.get("name"): e.get("file") for e in sample.get("inputs") or []}
        if not files and sample.get("input"):
            files = {inputs[0].get("name"): sample["input"]}
        raws = [read(files[spec.get("name")], "sample input") if files.get(spec.get("name")) else None for spec in inputs]
        expected_out = None
        if sample.get("expected_output"):
            expected_out = read(sample["expected_output"], "sample output")
        art_bytes = fs.read_bytes(art_path, "app")
        speed = phone.speed
        # BenchmarkActivity has turnScreenOn/showWhenLocked and asks to dismiss a keyguard that is not
        # secure; what the runner saw before is in its own records, what the app saw is device_state.
        screen = phone.screen
        state_before = {**screen.to_dict(), "thermal_status": power.thermal_status(),
                        "plugged": 2 if power.reading().charging and not phone.battery_service.overrides else 0}
        screen.wake()
        if not screen.secure:
            screen.keyguard_locked = False
        threads_used = threads if threads > 0 else max(1, phone.profile.cores // 2)
        status_before = power.thermal_status()
        temp_before = power.reading().temp_c
        idle_samples: list[dict] = []
        if energy:
            # The Android app samples an idle baseline (1 s) before loading; the simulated app 0.5 s.
            idle_meter = _Meter(self._sample).start()
            cancel.wait(0.5)
            idle_samples = idle_meter.stop()
        pss_before = self.pss_kb()

        t0 = time.perf_counter()
        try:
            run = load(fs.host(art_path), threads_used)
            x = [make_input(spec, raw) for spec, raw in zip(inputs, raws)]
        except ArtifactError as exc:
            raise BenchmarkFailed(str(exc)) from None
        load_ms = (time.perf_counter() - t0) * 1000.0 * speed
        io_kb = (sum(a.nbytes for a in x) * 2) // 1024
        self.loaded_kb = len(art_bytes) // 1024 + 2048 + io_kb
        pss_after_load = self.pss_kb()

        power.set_load(threads_used)
        latencies: list[float] = []
        out = None
        drop_at = warmup + iterations // 2 if phone.faults.drop_mid_case else None
        walls: list[float] = []
        factors: list[float] = []
        timed_start_ms = timed_end_ms = int(time.time() * 1000)
        meter = None
        timed_samples: list[dict] = []
        try:
            for i in range(warmup + iterations):
                if cancel.is_set():
                    return {}
                if drop_at is not None and i == drop_at:
                    # the launch answer goes out first, as on a phone where the run takes a while
                    self.launch_answered.wait(5.0)
                    time.sleep(0.2)
                    phone.faults.drop_mid_case = False
                    n = phone.drop_connections()
                    self._log("W", f"fault drop_mid_case: dropped {n} ADB connection(s) mid-run")
                if i == warmup:
                    timed_start_ms = int(time.time() * 1000)
                    if energy:
                        meter = _Meter(self._sample).start()
                start = time.perf_counter()
                out = run(x)
                walls.append(time.perf_counter() - start)
                factors.append(speed * phone.faults.slow * power.latency_multiplier() * self._jitter.lognormvariate(0.0, 0.03))
            key = (hashlib.sha256(art_bytes).hexdigest(), threads)
            host_ms = self.host_ms.setdefault(key, statistics.median(walls[warmup:] or walls) * 1000.0)
            base_s = max(host_ms, phone.profile.min_inference_ms) / 1000.0
            simulated = [base_s * f for f in factors]
            latencies = [t * 1000.0 for t in simulated[warmup:]]
            debt_s = sum(simulated) - sum(walls)
            # Pay the slower phone's extra time after the timed loop, not between iterations: sleeping
            # between host calls makes the next call slower (cold caches, lower clocks). Total wall time
            # still matches the reported latencies, so energy windows stay right.
            deadline = time.perf_counter() + max(debt_s, 0.0)
            while not cancel.is_set() and time.perf_counter() < deadline:
                time.sleep(min(0.2, max(deadline - time.perf_counter(), 0.0)))
            timed_end_ms = int(time.time() * 1000)
        except Exception as exc:
            raise BenchmarkFailed(f"inference failed with {runtime}: {type(exc).__name__}: {exc}") from None
        finally:
            if meter is not None:
                timed_samples = meter.stop()
            power.set_load(0)

        import numpy as np

        lat = np.asarray(latencies, dtype=np.float64)
        after = power.reading()
        got = int(np.argmax(np.asarray(out).reshape(-1))) if out is not None and np.asarray(out).size else None
        expected = sample.get("expected_top1")
        check = {"expected_top1": expected, "got_top1": got, "compared": "top1",
                 "ok": None if expected is None or got is None else got == expected}
        if expected is None and expected_out is not None and out is not None:
            # Not a classifier: the whole output against eager FP32's, by cosine similarity.
            want = np.frombuffer(expected_out, dtype="<f4")
            cos = cosine(want, np.asarray(out))
            floor = float(sample.get("min_cosine") or 0.98)
            err = float(np.max(np.abs(want - np.asarray(out, dtype=np.float64).reshape(-1)))) if want.size == np.asarray(out).size else None
            check = {"expected_top1": None, "got_top1": None, "compared": "output", "cosine": cos, "max_abs_err": err,
                     "min_cosine": floor, "ok": None if cos is None else cos >= floor}
        result = {
            "schema": "mobilekit.result/1",
            "run_id": run_id,
            "started_utc": started,
            "finished_utc": utc_now(),
            "simulated": True,
            "app": {"package": PACKAGE, "version": self.version_name, "platform": "android"},
            "device": {"manufacturer": phone.profile.manufacturer, "model": phone.properties["ro.product.model"],
                       "soc": phone.profile.soc_model, "abi": phone.profile.abi, "android_sdk": phone.profile.sdk,
                       "os_version": phone.profile.release, "cores": phone.profile.cores},
            "artifact": {"file": artifact, "sha256": hashlib.sha256(art_bytes).hexdigest(), "runtime": runtime,
                         "backend": entry.get("backend", "cpu"), "precision": entry.get("precision", "fp32")},
            "config": {"warmup": warmup, "iterations": iterations, "threads": threads, "threads_used": threads_used,
                       "energy": energy},
            "load_ms": round(load_ms, 4),
            "latency_ms": [round(v, 6) for v in latencies],
            "stats": {"p50": float(np.percentile(lat, 50)), "p90": float(np.percentile(lat, 90)),
                      "p99": float(np.percentile(lat, 99)), "mean": float(lat.mean()), "std": float(lat.std()),
                      "min": float(lat.min()), "max": float(lat.max())},
            "memory": {"pss_kb_before": pss_before, "pss_kb_after_load": pss_after_load,
                       "pss_kb_peak": pss_after_load + io_kb + 512},
            "energy": None,
            "thermal": {"status_before": status_before, "status_after": power.thermal_status(),
                        "battery_temp_c_before": round(temp_before, 2), "battery_temp_c_after": round(after.temp_c, 2)},
            "check": check,
            "errors": [],
            "timing": {"timed_start_ms": timed_start_ms, "timed_end_ms": timed_end_ms, "clock": "epoch_ms"},
            "device_state": {"before": state_before,
                             "after": {**screen.to_dict(), "thermal_status": power.thermal_status(), "plugged": 0}},
        }
        if not state_before["screen_on"]:
            result["errors"].append("warning: the screen was off when the case started (the app turned it on)")
        if energy:
            # As the Android app: raw readings only (the runner computes energy). Samples at ~10 Hz over the
            # timed window come from the power model's sysfs view, as BatteryMeter reads them.
            result["power_samples"] = {"source": "simulated app: power model (sysfs view) at ~10 Hz",
                                       "idle": idle_samples, "timed": timed_samples}
        self._log("I", f"benchmark {run_id} done: p50 {result['stats']['p50']:.3f} ms")
        return result
