"""``SimulatedPhone``: a test double for an Android phone that speaks the ADB protocol over TCP.

It ties the pieces together: the sandboxed file system with live sysfs files, the power model, the
sample app, the shell commands, and the ADB server on 127.0.0.1. Start it in-process for tests::

    with SimulatedPhone(tmp_path / "phone") as phone:
        device = AdbDeviceTcp("127.0.0.1", phone.port)
        ...
        phone.faults.slow = 2.0   # faults switch at run time

Everything it reports is simulated; results carry ``"simulated": true`` and ``getprop`` has
``ro.mobilekit.simulated=1``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from mobilekit import MobilekitError

from . import framework, runtimes, toybox
from .app import DemoApp
from .auth import AdbKeys
from .faults import Faults
from .filesystem import APP_EXTERNAL, Sandbox
from .power import PowerModel
from .profile import PACKAGE, DeviceProfile
from .server import AdbServer
from .shell import BufferSink, Shell, shell_service
from .sync import SyncService

ADB_KEYS = "/data/misc/adb/adb_keys"


class BatteryService:
    """What ``dumpsys battery set/unplug/reset`` changes: the framework's view only, never sysfs."""

    def __init__(self) -> None:
        self.overrides: dict[str, int] = {}

    def update(self, **values: int) -> None:
        self.overrides.update(values)

    def clear(self) -> None:
        self.overrides.clear()


class ScreenState:
    """The display and keyguard as ``input keyevent``, ``wm dismiss-keyguard`` and the app change them.

    A phone left on a desk: screen off (``Asleep``) and a swipe keyguard (not secure), battery saver off.
    ``KEYCODE_WAKEUP`` turns the screen on (the keyguard stays); ``wm dismiss-keyguard`` dismisses a keyguard
    that is not secure while the screen is on; ``KEYCODE_SLEEP`` turns it off and locks again.
    """

    def __init__(self, awake: bool = False, keyguard_locked: bool = True, secure: bool = False,
                 battery_saver: bool = False) -> None:
        self.awake = awake
        self.keyguard_locked = keyguard_locked
        self.secure = secure
        self.battery_saver = battery_saver
        self.history: list[str] = []

    def wake(self) -> None:
        self.awake = True
        self.history.append("wake")

    def sleep(self) -> None:
        self.awake = False
        self.keyguard_locked = True
        self.history.append("sleep")

    def to_dict(self) -> dict:
        return {"screen_on": self.awake, "keyguard_locked": self.keyguard_locked, "power_save": self.battery_saver}


class SimulatedPhone:
    """A simulated Android phone on ``127.0.0.1:port`` (0 picks a free port), sandboxed under ``root``."""

    def __init__(self, root: Path, port: int = 0, serial: str = "sim-0", model: str = "mobilekit SimPhone",
                 speed: float = 1.0, faults: Faults | None = None, seed: int = 0,
                 profile: DeviceProfile | None = None, preload_runtimes: bool = False):
        if speed <= 0:
            raise MobilekitError(f"speed must be > 0, got {speed}", hint="2.0 is a phone twice as slow as this computer")
        if not 0 <= port <= 65535:
            raise MobilekitError(f"port must be 0..65535, got {port}")
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise MobilekitError(f"the phone's root {self.root} exists and is not a folder",
                                 hint="give --root a folder (it is created if missing)")
        self.serial = serial
        self.speed = speed
        self.seed = seed
        self.preload_runtimes = preload_runtimes
        self._faults = faults if faults is not None else Faults()
        self.profile = dataclasses.replace(profile or DeviceProfile(), model=model)
        self.properties = self.profile.properties(serial)
        self.fs = Sandbox(self.root, self.faults)
        self.power = PowerModel(self.profile, self.faults, speed=speed, seed=seed)
        self.battery_service = BatteryService()
        self.screen = ScreenState()
        self.adb_keys = AdbKeys(self.fs.host(ADB_KEYS))
        self.commands = {**toybox.COMMANDS, **framework.COMMANDS}
        self.shell_pid = 4000 + seed % 1000
        self._boot = time.monotonic() - 3 * 86400 - 7260
        self._populate()
        self.app = DemoApp(self)
        self._server = AdbServer(self, port)
        self._requested_port = port

    @property
    def faults(self) -> Faults:
        """The live faults; change a field (``phone.faults.slow = 2.0``) or assign a new :class:`Faults`."""
        return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        self._faults = value
        self.fs.faults = value
        self.power.faults = value

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "SimulatedPhone":
        """Listen on 127.0.0.1 (in background threads); returns self.

        With ``preload_runtimes`` the host runtimes are imported first (a phone's app has its runtime
        linked in; otherwise the first case carries the host's import time in its timing and energy window).
        """
        if self.preload_runtimes:
            runtimes.warm_up()
        try:
            self._server.start()
        except OSError as exc:
            raise MobilekitError(f"cannot listen on 127.0.0.1:{self._requested_port}: {exc.strerror}",
                                 hint="pick another --port, or 0 for any free port") from None
        return self

    def stop(self) -> None:
        """Stop the app and the server, cutting every connection."""
        self.app.force_stop()
        self._server.stop()

    def __enter__(self) -> "SimulatedPhone":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def uptime_s(self) -> float:
        return time.monotonic() - self._boot

    def drop_connections(self) -> int:
        """Cut every ADB connection now (what ``drop_mid_case`` does); returns how many."""
        return self._server.drop_all()

    def sh(self, line: str, who: str = "shell") -> tuple[int, str]:
        """Run a command line in-process, as ``adb shell`` would; returns ``(exit code, output)``."""
        sink = BufferSink()
        code = Shell(self, who).run(line, sink)
        return code, sink.data.decode("utf-8", errors="replace")

    # --- ADB services -----------------------------------------------------------------------------
    def service_for(self, destination: str):
        """The service callable for an OPEN destination, or None (the stream is refused with CLSE)."""
        if destination.startswith("shell"):
            args, colon, command = destination[len("shell"):].partition(":")
            if not colon or (args and not args.startswith(",")):
                return None
            opts = [a for a in args.split(",") if a]
            if "v2" in opts:
                return None  # shell_v2 is not advertised, so not served
            pty = "raw" not in opts and (not command or "pty" in opts)
            return shell_service(self, command, pty)
        if destination.startswith("exec:"):
            return shell_service(self, destination[len("exec:"):], pty=False)
        if destination.startswith("sync:"):
            return SyncService(self)
        if destination in ("root:", "unroot:"):  # a user build, as adbd answers on one
            text = b"adbd cannot run as root in production builds\n" if destination == "root:" \
                else b"adbd not running as root\n"
            return lambda stream: stream.write(text)
        return None

    # --- the file system's layout ----------------------------------------------------------------
    def _populate(self) -> None:
        fs = self.fs
        for d in ("/data/local/tmp", f"{APP_EXTERNAL}/files", f"/data/data/{PACKAGE}/files", "/data/misc/adb",
                  "/sys/class/power_supply/battery", "/sys/class/power_supply/usb", "/proc", "/system/bin"):
            fs.host(d).mkdir(parents=True, exist_ok=True)
        power = self.power

        def text(fn):
            return lambda: (str(fn()) + "\n").encode()

        battery = "/sys/class/power_supply/battery"
        virtual = {
            f"{battery}/capacity": text(lambda: power.reading().level_pct),
            f"{battery}/status": text(lambda: power.reading().status),
            f"{battery}/current_now": text(power.sysfs_current_now),
            f"{battery}/voltage_now": text(lambda: int(power.reading().voltage_uv)),
            f"{battery}/temp": text(lambda: int(round(power.reading().temp_c * 10))),
            f"{battery}/charge_counter": text(lambda: int(power.reading().charge_uah)),
            f"{battery}/charge_full": text(lambda: int(power.full_uah)),
            f"{battery}/health": text(lambda: "Good"),
            f"{battery}/present": text(lambda: 1),
            f"{battery}/technology": text(lambda: "Li-ion"),
            "/sys/class/power_supply/usb/online": text(lambda: int(self.faults.usb_charging)),
            "/sys/devices/system/cpu/possible": text(lambda: f"0-{self.profile.cores - 1}"),
            "/sys/devices/system/cpu/present": text(lambda: f"0-{self.profile.cores - 1}"),
            "/sys/devices/system/cpu/online": text(lambda: f"0-{self.profile.cores - 1}"),
            "/proc/meminfo": lambda: self._meminfo().encode(),
            "/proc/cpuinfo": lambda: self._cpuinfo().encode(),
            "/proc/uptime": text(lambda: f"{self.uptime_s():.2f} {self.uptime_s() * 6.5:.2f}"),
            "/proc/loadavg": text(lambda: f"{power.busy_threads:.2f} 0.50 0.40 1/1234 {self.shell_pid}"),
        }
        for cpu, freqs in enumerate(self.profile.cpu_freqs_khz):
            base = f"/sys/devices/system/cpu/cpu{cpu}/cpufreq"
            fs.host(base + "/stats").mkdir(parents=True, exist_ok=True)
            virtual[f"{base}/cpuinfo_max_freq"] = text(lambda f=freqs: f[-1])
            virtual[f"{base}/cpuinfo_min_freq"] = text(lambda f=freqs: f[0])
            virtual[f"{base}/scaling_cur_freq"] = text(lambda c=cpu: power.cur_freq_khz(c))
            virtual[f"{base}/scaling_available_frequencies"] = text(lambda f=freqs: " ".join(map(str, f)))
            virtual[f"{base}/stats/time_in_state"] = lambda c=cpu: power.time_in_state(c).encode()
        for path in virtual:
            fs.host(path).write_bytes(b"")
        fs.virtual.update(virtual)

    def _meminfo(self) -> str:
        total = self.profile.mem_total_kb
        free = int(total * 0.18)
        avail = int(total * 0.46)
        rows = [("MemTotal", total), ("MemFree", free), ("MemAvailable", avail), ("Buffers", 10240),
                ("Cached", int(total * 0.30)), ("SwapCached", 0), ("Active", int(total * 0.25)),
                ("Inactive", int(total * 0.22)), ("SwapTotal", 4194300), ("SwapFree", 4000000)]
        return "".join(f"{k + ':':<16}{v:>8} kB\n" for k, v in rows)

    def _cpuinfo(self) -> str:
        parts = []
        for cpu, freqs in enumerate(self.profile.cpu_freqs_khz):
            part = "0xd05" if cpu < 4 else "0xd41" if cpu < 7 else "0xd44"
            parts.append(f"processor\t: {cpu}\nBogoMIPS\t: 38.40\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 "
                         f"atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\nCPU implementer\t: 0x41\n"
                         f"CPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: {part}\nCPU revision\t: 0\n")
        return "\n".join(parts) + f"\nHardware\t: {self.profile.soc_model}\n"
