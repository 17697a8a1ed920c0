"""What a phone is, as readable calls and typed records: ``Device(transport).info()``, ``.battery()``, ...

In the spirit of adbutils: each call runs one or a few shell commands (argument lists quoted once by
:func:`~mobilekit.device_runner.transport.quote`), parses the text once (:mod:`.parse`) and returns a
frozen record whose fields carry their units (``voltage_mv``, ``current_ua``, ``temp_c``).
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner import parse
from mobilekit.device_runner.transport import DeviceCommandFailed, DeviceError, Transport, quote

APP_PACKAGE = "org.mobilekit.demo"
BENCH_ACTIVITY = f"{APP_PACKAGE}/.BenchmarkActivity"


def benchmark_intent(bundle: str, artifact: str, run_id: str, *, warmup: int, iterations: int, threads: int,
                     energy: bool) -> list[str]:
    """The ``am start`` argument list of the benchmark protocol (DESIGN.md): one case in the app's benchmark mode.

    ``mobilekit bench`` and the farm job files both send exactly this, so a farm runs what the runner runs.
    """
    return ["am", "start", "-W", "-S", "-n", BENCH_ACTIVITY, "--es", "bundle", bundle, "--es", "artifact", artifact,
            "--es", "run_id", run_id, "--ei", "warmup", str(warmup), "--ei", "iterations", str(iterations),
            "--ei", "threads", str(threads), "--ez", "energy", "true" if energy else "false"]
DEVICE_ROOT = "/data/local/tmp/mobilekit"
APP_RESULTS = f"/sdcard/Android/data/{APP_PACKAGE}/files/mobilekit"
INSTALL_HINT = (
    "Install the mobilekit sample app on the phone: build it with `cd android && ./gradlew assembleDebug` and pass "
    "--apk android/app/build/outputs/apk/debug/app-debug.apk to `mobilekit bench` (or `adb install -r -g` it)."
)
POWER_SUPPLY = "/sys/class/power_supply"
_MARK = "@@mobilekit-file"
MAX_PULL_BYTES = 64 << 20  # a result.json of 100k iterations is ~2 MB; anything far bigger is not one


class UnsafeDeviceName(DeviceError):
    """A device-supplied file name that would land outside the destination folder."""


class NotEnoughSpace(DeviceError):
    """The phone has less free space than a push needs."""


class FileTooLarge(DeviceCommandFailed):
    """A file the phone offers is far bigger than any result file (refused, not pulled)."""


class AppMissing(DeviceError):
    """The benchmark app is not installed on the phone."""


class BundleChanged(MobilekitError):
    """A bundle file changed between its check and its push (refused: nothing unchecked reaches a phone)."""


def check_device_name(name: str) -> str:
    """Return ``name`` if it is one plain file name; raise :class:`UnsafeDeviceName` naming it otherwise.

    Refused: empty, ``.``/``..``, absolute paths, any ``/`` or ``\\``, NUL, newlines and other control
    characters (names come from the phone and must not escape the local destination).
    """
    bad = (not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith("~")
           or any(ord(c) < 32 or ord(c) == 127 for c in name))
    if bad:
        raise UnsafeDeviceName(f"refused the device file name {name!r}: it would escape the destination folder",
                               hint="The phone (or the app on it) produced a file name with a path in it; nothing was written for it.")
    return name


@dataclass(frozen=True)
class DeviceInfo:
    """Identity and capacity of one phone."""

    serial: str
    manufacturer: str
    model: str
    soc: str
    abis: tuple[str, ...]
    android_sdk: int | None
    android_release: str
    cores: int | None
    max_freq_khz: tuple[int, ...]
    ram_total_kb: int | None
    free_bytes_tmp: int | None
    fingerprint: str = ""
    simulated: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def label(self) -> str:
        same = self.manufacturer and self.model.lower().startswith(self.manufacturer.lower())
        name = self.model if same else f"{self.manufacturer} {self.model}".strip()
        return name + (" (simulated)" if self.simulated else "")


@dataclass(frozen=True)
class BatteryInfo:
    """Battery state from sysfs (the truth about charging) and ``dumpsys battery`` (the framework's view)."""

    level_pct: float | None
    status: str                   # sysfs: Charging, Discharging, Not charging, Full, Unknown
    usb_online: bool
    ac_online: bool
    wireless_online: bool
    voltage_mv: float | None
    current_ua: int | None        # raw sysfs current_now (unit and sign are vendor-specific, see power.py)
    temp_c: float | None
    framework_unplugged: bool     # dumpsys battery says "UPDATES STOPPED" (a fake unplug is active)

    @property
    def external_power(self) -> bool:
        """Really powered from outside (sysfs): then battery current does not measure the phone's draw."""
        return self.usb_online or self.ac_online or self.wireless_online or self.status.lower() == "charging"

    @property
    def source(self) -> str:
        srcs = [n for n, on in (("usb", self.usb_online), ("ac", self.ac_online), ("wireless", self.wireless_online)) if on]
        return "+".join(srcs) or "battery"


@dataclass(frozen=True)
class ThermalInfo:
    """``dumpsys thermalservice``: status 0 (none) .. 6 (shutdown), and HAL temperatures in °C."""

    status: int | None
    temps_c: dict = field(default_factory=dict)
    max_temp_c_by_type: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AppInfo:
    package: str
    installed: bool
    version_name: str | None = None
    version_code: int | None = None
    user_id: int | None = None


class Device:
    """One phone behind a :class:`Transport`."""

    def __init__(self, transport: Transport):
        self.t = transport

    @property
    def name(self) -> str:
        return self.t.name

    # ---- plumbing ----------------------------------------------------------------------------
    def sh(self, *args: str | int, timeout_s: float | None = None, retry: bool = True):
        """Run one command (arguments quoted once) and return a ShellResult."""
        return self.t.run(list(args), timeout_s=timeout_s, retry=retry)

    def read_files(self, paths: list[str]) -> dict[str, str | None]:
        """Read several small files in one shell call; a missing/unreadable file maps to None."""
        if not paths:
            return {}
        line = " ; ".join(f"echo {_MARK}:{i} ; cat {quote([p])}" for i, p in enumerate(paths))
        out = self.t.shell(line)
        found: dict[str, str | None] = {p: None for p in paths}
        cur = None
        chunks: dict[int, list[str]] = {}
        for ln in out.replace("\r\n", "\n").split("\n"):
            if ln.startswith(_MARK + ":"):
                cur = int(ln.split(":", 1)[1])
                chunks[cur] = []
            elif cur is not None:
                chunks[cur].append(ln)
        for i, lines in chunks.items():
            text = "\n".join(lines).strip("\n")
            if text and "No such file" not in text and "Permission denied" not in text:
                found[paths[i]] = text
        return found

    def getprop(self, key: str | None = None):
        if key:
            return self.sh("getprop", key).output.strip()
        return parse.getprop_all(self.t.shell("getprop"))

    # ---- identity ----------------------------------------------------------------------------
    def info(self) -> DeviceInfo:
        props = self.getprop()
        cores_txt = self.t.shell("nproc").strip()
        cores = int(cores_txt) if cores_txt.isdigit() else None
        cpu = "/sys/devices/system/cpu"
        freq_paths = [f"{cpu}/cpu{i}/cpufreq/cpuinfo_max_freq" for i in range(cores or 0)]
        files = self.read_files(freq_paths + ["/proc/meminfo", "/proc/cpuinfo"])
        freqs = tuple(int(files[p]) for p in freq_paths if files[p] and files[p].strip().isdigit())
        mem = parse.meminfo_kb(files["/proc/meminfo"] or "")
        soc = " ".join(x for x in (props.get("ro.soc.manufacturer"), props.get("ro.soc.model")) if x) \
            or props.get("ro.board.platform") or parse.cpuinfo_hardware(files["/proc/cpuinfo"] or "") \
            or props.get("ro.hardware", "")
        sdk = props.get("ro.build.version.sdk", "")
        return DeviceInfo(
            serial=props.get("ro.serialno") or self.name,
            manufacturer=props.get("ro.product.manufacturer", ""),
            model=props.get("ro.product.model", "") or self.name,
            soc=soc,
            abis=tuple(a for a in props.get("ro.product.cpu.abilist", props.get("ro.product.cpu.abi", "")).split(",") if a),
            android_sdk=int(sdk) if sdk.isdigit() else None,
            android_release=props.get("ro.build.version.release", ""),
            cores=cores,
            max_freq_khz=freqs,
            ram_total_kb=mem.get("MemTotal"),
            free_bytes_tmp=self.free_bytes("/data/local/tmp"),
            fingerprint=props.get("ro.build.fingerprint", ""),
            simulated=any("mobilekit" in k and "sim" in k and v in ("1", "true") for k, v in props.items()),
        )

    # ---- files -------------------------------------------------------------------------------
    def free_bytes(self, path: str) -> int | None:
        r = self.sh("df", "-k", path)
        if not r.ok:
            return None
        try:
            return parse.df_k(r.output)["available_kb"] * 1024
        except (ValueError, IndexError):
            return None

    def sha256(self, paths: list[str]) -> dict[str, str]:
        """{path: sha256} for the device files that exist (one ``sha256sum`` call)."""
        if not paths:
            return {}
        return parse.sha256sum(self.t.run(["sha256sum", *paths]).output)

    def exists(self, path: str) -> bool:
        return self.sh("test", "-e", path).ok

    def mkdir(self, path: str) -> None:
        self.sh("mkdir", "-p", path).check(f"mkdir -p {path}")

    def push_files(self, files: dict[Path, str], progress=None, expected: dict[Path, str] | None = None) -> dict[str, bool]:
        """Push {local: remote} files, skipping those whose sha256 on the phone already matches.

        ``expected`` pins {local: sha256}: a local file that no longer matches (changed since the bundle was
        checked) is refused before anything is pushed, and a phone copy that does not match after the push is
        deleted and reported. Checks free space first (:class:`NotEnoughSpace` names the bytes needed and
        available). Returns {remote: pushed?}.
        """
        local_sha = {loc: _sha256_file(loc) for loc in files}
        changed = [Path(loc).name for loc in files if expected and loc in expected and expected[loc] != local_sha[loc]]
        if changed:
            raise BundleChanged(f"{', '.join(changed)} changed after the bundle was checked (sha256 differs); nothing "
                                "was pushed.", hint="Do not edit a bundle while it is being benchmarked; run the bench again.")
        want = {loc: (expected or {}).get(loc) or local_sha[loc] for loc in files}
        remote_sha = self.sha256(list(files.values()))
        todo = {loc: rem for loc, rem in files.items() if remote_sha.get(rem) != want[loc]}
        need = sum(Path(loc).stat().st_size for loc in todo)
        if todo:
            dirs = sorted({posixpath.dirname(r) for r in todo.values()})
            free, where = None, dirs[0]
            while free is None and where not in ("", "/"):  # df needs an existing path: walk up to one
                free = self.free_bytes(where)
                if free is None:
                    where = posixpath.dirname(where)
            hint = "Free space on the phone (e.g. `adb shell rm -rf /data/local/tmp/mobilekit`) and try again."
            if free is not None and need > free:
                raise NotEnoughSpace(f"{self.name} has {free:,} bytes free under {where} but the push needs {need:,} bytes.",
                                     hint=hint)
            r = self.sh("mkdir", "-p", *dirs)
            if not r.ok and "space" in r.output.lower():
                raise NotEnoughSpace(f"{self.name} ran out of space creating {dirs[0]} ({r.output.strip()}); the push "
                                     f"needs {need:,} bytes and {free if free is not None else 'an unknown number of'} "
                                     "bytes are free.", hint=hint)
            r.check("mkdir -p")
        for loc, rem in todo.items():
            try:
                self.t.push(Path(loc), rem, progress=progress)
            except DeviceCommandFailed as exc:
                if "space" in exc.message.lower():
                    raise NotEnoughSpace(f"{self.name} ran out of space while pushing {rem}: {exc.message}",
                                         hint="Free space on the phone and try again.") from None
                raise
        if todo:
            after = self.sha256(list(todo.values()))
            for loc, rem in todo.items():
                if after.get(rem) != want[loc]:
                    self.sh("rm", "-f", rem)  # never leave a copy that is not what was checked
                    raise DeviceCommandFailed(f"the copy of {Path(loc).name} on {self.name} does not match after push "
                                              f"(sha256 {after.get(rem, 'missing')}); it was deleted")
        return {rem: loc in todo for loc, rem in files.items()}

    def pull_dir(self, remote_dir: str, local_dir: Path, max_bytes: int = MAX_PULL_BYTES) -> list[Path]:
        """Pull every plain file in ``remote_dir`` into ``local_dir``; names and sizes (at most ``max_bytes`` a file,
        as the phone lists them) are checked before anything is written."""
        entries = self.t.list(remote_dir)
        for e in entries:
            check_device_name(e.name)
            if not e.is_dir and e.size_bytes > max_bytes:
                raise FileTooLarge(f"refused to pull {e.name} from {remote_dir} on {self.name}: the phone lists it "
                                          f"at {e.size_bytes:,} bytes, more than the {max_bytes:,} a result file may have")
        local_dir = Path(local_dir)
        local_dir.mkdir(parents=True, exist_ok=True)
        out = []
        root = local_dir.resolve()
        for e in entries:
            if e.is_dir:
                continue
            dest = (local_dir / e.name)
            if dest.resolve().parent != root:
                raise UnsafeDeviceName(f"refused the device file name {e.name!r}: it resolves outside {local_dir}")
            self.t.pull(posixpath.join(remote_dir, e.name), dest)
            out.append(dest)
        return out

    def cat(self, path: str) -> str | None:
        r = self.sh("cat", path)
        return r.output if r.ok else None

    # ---- the app -----------------------------------------------------------------------------
    def app(self, package: str = APP_PACKAGE) -> AppInfo:
        listed = parse.pm_list_packages(self.t.run(["pm", "list", "packages", package]).output)
        if package not in listed:
            return AppInfo(package, False)
        v = parse.dumpsys_package_version(self.t.run(["dumpsys", "package", package]).output)
        return AppInfo(package, True, v["version_name"], v["version_code"], v["user_id"])

    def require_app(self, package: str = APP_PACKAGE) -> AppInfo:
        a = self.app(package)
        if not a.installed:
            raise AppMissing(f"The benchmark app {package} is not installed on {self.name}.", hint=INSTALL_HINT)
        return a

    def install_apk(self, apk: Path) -> AppInfo:
        """Install or upgrade an APK (``pm install -r -g``) after pushing it to /data/local/tmp."""
        apk = Path(apk)
        if not apk.is_file():
            raise MobilekitError(f"No APK at {apk}.", hint=INSTALL_HINT)
        remote = f"{DEVICE_ROOT}/apk/{_sha256_file(apk)[:12]}.apk"
        self.push_files({apk: remote})
        r = self.sh("pm", "install", "-r", "-g", remote, timeout_s=180)
        if "Success" not in r.output:
            raise DeviceCommandFailed(f"installing {apk.name} on {self.name} failed: {r.output.strip()[:300]}",
                                      hint="`pm install` printed the reason above (INSTALL_FAILED_...).")
        return self.app()

    # ---- power, heat, screen -----------------------------------------------------------------
    def battery(self) -> BatteryInfo:
        b, names = f"{POWER_SUPPLY}/battery", ("status", "capacity", "voltage_now", "current_now", "temp")
        paths = [f"{b}/{n}" for n in names] + [f"{POWER_SUPPLY}/{s}/online" for s in ("usb", "ac", "wireless")]
        f = self.read_files(paths)
        d = parse.dumpsys_battery(self.t.run(["dumpsys", "battery"]).output)

        def num(p):
            v = f.get(p)
            try:
                return int(v.strip()) if v else None
            except ValueError:
                return None

        volt = num(f"{b}/voltage_now")
        temp = num(f"{b}/temp")
        cap = num(f"{b}/capacity")
        status = (f.get(f"{b}/status") or "").strip() or {2: "Charging", 3: "Discharging", 4: "Not charging",
                                                           5: "Full"}.get(d["status"] or 0, "Unknown")
        online = {s: num(f"{POWER_SUPPLY}/{s}/online") for s in ("usb", "ac", "wireless")}
        return BatteryInfo(
            level_pct=float(cap) if cap is not None else d["level_pct"],
            status=status,
            usb_online=bool(online["usb"]) if online["usb"] is not None else (d["usb_powered"] and not d["updates_stopped"]),
            ac_online=bool(online["ac"]) if online["ac"] is not None else (d["ac_powered"] and not d["updates_stopped"]),
            wireless_online=bool(online["wireless"]),
            voltage_mv=(volt / 1000.0 if volt > 100000 else float(volt)) if volt is not None else d["voltage_mv"],
            current_ua=num(f"{b}/current_now"),
            temp_c=temp / 10.0 if temp is not None else d["temp_c"],
            framework_unplugged=d["updates_stopped"],
        )

    def thermal(self) -> ThermalInfo:
        d = parse.dumpsys_thermalservice(self.t.run(["dumpsys", "thermalservice"]).output)
        return ThermalInfo(d["status"], d["temps_c"], d["max_temp_c_by_type"])

    def screen_state(self) -> str | None:
        return parse.wakefulness(self.t.run(["dumpsys", "power"]).output)

    def wake_and_unlock(self) -> None:
        """Screen on and a keyguard that is not secure dismissed, so a case runs in the foreground on big cores:
        ``input keyevent KEYCODE_WAKEUP`` (never toggles, unlike POWER) then ``wm dismiss-keyguard``. A secure
        keyguard (PIN, pattern) stays: the app shows over it (showWhenLocked) and the state is recorded."""
        self.sh("input", "keyevent", "KEYCODE_WAKEUP").check("input keyevent KEYCODE_WAKEUP")
        self.sh("wm", "dismiss-keyguard")

    def device_state(self) -> dict:
        """Screen (``dumpsys power`` wakefulness), keyguard (``dumpsys window policy``), battery saver
        (``settings get global low_power``) and thermal status, as the runner sees them before a case."""
        power = self.t.run(["dumpsys", "power"]).output
        window = self.t.run(["dumpsys", "window", "policy"]).output
        low_power = self.t.run(["settings", "get", "global", "low_power"]).output.strip()
        return {"screen": parse.wakefulness(power), "keyguard_locked": parse.keyguard_locked(window),
                "battery_saver": {"1": True, "0": False}.get(low_power, parse.power_save_mode(power)),
                "thermal_status": self.thermal().status}

    def time_in_state(self, cores: int) -> dict[int, dict[int, int]]:
        """{cpu: {freq_khz: time_10ms}} for each core that exposes cpufreq stats."""
        paths = [f"/sys/devices/system/cpu/cpu{i}/cpufreq/stats/time_in_state" for i in range(cores)]
        f = self.read_files(paths)
        return {i: parse.time_in_state(f[p]) for i, p in enumerate(paths) if f[p]}

    def set_fixed_performance_mode(self, enabled: bool) -> bool:
        """``cmd power set-fixed-performance-mode-enabled``; False when the phone does not support it."""
        r = self.sh("cmd", "power", "set-fixed-performance-mode-enabled", "true" if enabled else "false")
        text = r.output.lower()
        return r.ok and not any(w in text for w in ("unknown", "error", "not supported", "exception"))


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


sha256_file = _sha256_file
