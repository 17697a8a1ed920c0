"""Battery power around a benchmark case: a ~10 Hz sysfs sampler stream, vendor normalisation, energy.

Method (stated with every figure): the runner pushes ``sampler.sh`` and runs it as one long-running
shell stream printing ``<epoch_ms> <current_now> <voltage_now>`` every period. Raw values are normalised
(current: µA or mA decided by magnitude; voltage: µV or mV likewise; the sign of discharge taken from the
idle baseline, which is always a discharge on battery), power is ``I × V``, an idle baseline of about the
same length measured just before the case is subtracted, and energy per inference is that net energy
over the app's TIMED window (``result.timing``: warm-up and loading excluded) divided by the timed
iterations. This is the only energy algorithm in mobilekit: the apps record raw readings
(``result.power_samples``: BatteryManager and sysfs, with times) and :func:`energy_from_app_samples` turns
those into the same figures where the runner had no sampler of its own (device farms). Readings taken
while the phone is really on external power (sysfs ``usb/online``/``ac/online``/``status``) are marked
invalid: a fake ``dumpsys battery unplug`` only changes what BatteryManager reports (``EXTRA_PLUGGED``
becomes 0) and does not stop USB charging, so use Wi-Fi debugging with the cable out.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import asdict, dataclass, field

from mobilekit.device_runner import parse
from mobilekit.device_runner.device import DEVICE_ROOT, Device
from mobilekit.device_runner.transport import DeviceError

SAMPLER_PATH = f"{DEVICE_ROOT}/sampler.sh"
SAMPLER_PERIOD_S = 0.1
SAMPLER_SCRIPT = """# mobilekit-sampler/1
# Usage: sh sampler.sh PERIOD_S COUNT
# Prints "<epoch_ms> <current_now> <voltage_now>" (raw sysfs values) once per period, COUNT times.
p=${1:-0.1}
n=${2:-600}
b=/sys/class/power_supply/battery
i=0
while [ "$i" -lt "$n" ]; do
  t=$(date +%s%N)
  echo "${t%??????} $(cat $b/current_now) $(cat $b/voltage_now)"
  i=$((i + 1))
  sleep "$p"
done
"""
CHARGING_MESSAGE = ("the phone was on external power during the measurement (sysfs {source} online / status {status}); "
                    "battery current then measures charging, not the phone's draw. Connect over Wi-Fi debugging "
                    "(`adb tcpip 5555`, `adb connect PHONE:5555`), pull the cable out, and run again.")


@dataclass(frozen=True)
class Sample:
    t_ms: int
    current_raw: int
    voltage_raw: int


def current_scale_to_ma(raws: list[int]) -> float:
    """Factor from raw ``current_now`` to mA: µA (most phones) unless every |value| is below 10 000 (mA vendors).

    A phone doing anything draws > 10 mA, i.e. > 10 000 in µA; 10 000 mA (10 A) is impossible on a phone.
    """
    if not raws:
        return 1e-3
    return 1e-3 if max(abs(r) for r in raws) >= 10000 else 1.0


def voltage_scale_to_v(raws: list[int]) -> float:
    """Factor from raw ``voltage_now`` to volts: µV normally, mV on a few vendors (values below 100 000)."""
    if not raws:
        return 1e-6
    return 1e-6 if statistics.median(raws) >= 100000 else 1e-3


def discharge_sign(raws: list[int]) -> int:
    """+1 or -1 such that ``sign × current_now`` is positive while discharging (sign is vendor-specific).

    Called on samples taken on battery (the idle baseline), where the net current is a discharge.
    """
    if not raws:
        return 1
    return -1 if statistics.median(raws) < 0 else 1


def power_mw(samples: list[Sample], sign: int, i_scale: float, v_scale: float) -> list[float]:
    return [sign * s.current_raw * i_scale * s.voltage_raw * v_scale for s in samples]  # mA × V = mW


def integrate_mj(samples: list[Sample], powers_mw: list[float]) -> float:
    """Trapezoidal ∫P dt over the sample times, in mJ (mW × s)."""
    total = 0.0
    for a, b, pa, pb in zip(samples, samples[1:], powers_mw, powers_mw[1:]):
        total += (pa + pb) / 2 * max(0, b.t_ms - a.t_ms) / 1000.0
    return total


@dataclass
class EnergyResult:
    """The runner's energy figures for one case (``method`` says how they were made)."""

    method: str
    valid: bool
    invalid_reason: str | None
    samples: int
    baseline_samples: int
    avg_current_ma: float | None = None
    avg_voltage_v: float | None = None
    baseline_mw: float | None = None
    case_mw: float | None = None
    joules: float | None = None
    mj_per_inference: float | None = None
    app_mj_per_inference: float | None = None
    current_unit: str | None = None
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def compute_energy(baseline: list[Sample], case: list[Sample], inferences: int, external_power: bool,
                   power_note: str = "", app_energy: dict | None = None, method: str | None = None) -> EnergyResult:
    """Net energy of a case from its samples and an idle baseline, normalised across vendors.

    ``case`` are the samples of the timed window and ``inferences`` the timed iterations: the figure is
    per timed inference everywhere (runner, simulated phone, farm imports).
    """
    method = method or ("sysfs current_now x voltage_now at ~10 Hz, minus an idle baseline measured just before the "
                        "case, over the app's timed iterations, divided by the timed iterations")
    app_mj = (app_energy or {}).get("mj_per_inference")
    res = EnergyResult(method=method, valid=True, invalid_reason=None, samples=len(case),
                       baseline_samples=len(baseline), app_mj_per_inference=app_mj)
    if external_power:
        res.valid, res.invalid_reason = False, power_note or CHARGING_MESSAGE.format(source="usb/ac", status="Charging")
    if len(case) < 2 or len(baseline) < 2:
        res.valid = False
        res.invalid_reason = res.invalid_reason or (
            f"too few power samples ({len(baseline)} idle, {len(case)} during the case): the case was shorter than a few "
            "sampling periods; raise --iterations so a case lasts a second or more")
        return res
    raws = [s.current_raw for s in baseline + case]
    i_scale = current_scale_to_ma(raws)
    v_scale = voltage_scale_to_v([s.voltage_raw for s in baseline + case])
    sign = discharge_sign([s.current_raw for s in baseline])
    base_p = power_mw(baseline, sign, i_scale, v_scale)
    case_p = power_mw(case, sign, i_scale, v_scale)
    res.current_unit = "uA" if i_scale == 1e-3 else "mA"
    res.baseline_mw = statistics.fmean(base_p)
    duration_s = (case[-1].t_ms - case[0].t_ms) / 1000.0
    total_mj = integrate_mj(case, case_p)
    res.case_mw = total_mj / duration_s if duration_s > 0 else statistics.fmean(case_p)
    net_mj = total_mj - res.baseline_mw * duration_s
    res.avg_current_ma = statistics.fmean(sign * s.current_raw * i_scale for s in case)
    res.avg_voltage_v = statistics.fmean(s.voltage_raw * v_scale for s in case)
    res.joules = net_mj / 1000.0
    res.mj_per_inference = net_mj / inferences if inferences > 0 else None
    if net_mj <= 0 and res.valid:
        res.valid = False
        res.invalid_reason = ("the case drew no more than the idle baseline (the signal is below the noise); raise "
                              "--iterations so a case lasts longer")
    return res


def timed_window(result: dict) -> tuple[int, int] | None:
    """``(start_ms, end_ms)`` of the app's timed iterations on the phone's wall clock, or None (older apps)."""
    t = result.get("timing") or {}
    if isinstance(t.get("timed_start_ms"), int) and isinstance(t.get("timed_end_ms"), int):
        return t["timed_start_ms"], t["timed_end_ms"]
    return None


def in_window(samples: list[Sample], window: tuple[int, int] | None, slack_ms: int = 150) -> list[Sample]:
    """The samples inside the timed window (with one sampling period of slack at each end)."""
    if window is None:
        return samples
    a, b = window
    return [s for s in samples if a - slack_ms <= s.t_ms <= b + slack_ms]


def app_samples(items: list[dict]) -> tuple[list[Sample], str]:
    """The app's raw readings as :class:`Sample` s: sysfs ``current_now``/``voltage_now`` where every reading has
    them, else BatteryManager (``CURRENT_NOW`` µA, ``EXTRA_VOLTAGE`` mV -> µV). Returns the samples and the source."""
    def ok(v):
        return isinstance(v, int) and not isinstance(v, bool)

    if items and all(ok(i.get("sysfs_current_now")) and ok(i.get("sysfs_voltage_now")) for i in items):
        return [Sample(int(i["t_ms"]), i["sysfs_current_now"], i["sysfs_voltage_now"]) for i in items], "sysfs"
    usable = [i for i in items if ok(i.get("bm_current_ua")) and ok(i.get("bm_voltage_mv"))]
    return [Sample(int(i["t_ms"]), i["bm_current_ua"], i["bm_voltage_mv"] * 1000) for i in usable], "batterymanager"


def app_external_power(items: list[dict], battery_faked: bool) -> tuple[bool, str]:
    """Was the phone on external power during the app's readings? sysfs decides (``usb/online``, ``ac/online``,
    ``status``); BatteryManager's plug state only when sysfs was unreadable and no fake unplug was active."""
    sysfs_seen = False
    for i in items:
        if i.get("usb_online") is not None or i.get("ac_online") is not None or i.get("sysfs_status"):
            sysfs_seen = True
        src = "usb" if i.get("usb_online") == 1 else ("ac" if i.get("ac_online") == 1 else None)
        status = i.get("sysfs_status") or ""
        if src or status.lower() in ("charging", "full"):
            return True, CHARGING_MESSAGE.format(source=src or "power_supply", status=status or "?")
    if sysfs_seen:
        return False, ""
    if battery_faked:
        return True, ("the app could not read sysfs power_supply and `dumpsys battery unplug` was active, so "
                      "BatteryManager's 'unplugged' cannot be trusted: USB may have been charging the battery")
    for i in items:
        if (i.get("bm_plugged") or 0) != 0 or i.get("bm_status") in (2, 5):
            return True, CHARGING_MESSAGE.format(source="BatteryManager plugged", status=i.get("bm_status"))
    return False, ""


def energy_from_app_samples(result: dict, battery_faked: bool = False) -> EnergyResult | None:
    """The runner's algorithm on the app's own readings (``result.power_samples``), per timed inference.

    For runs with no runner-side sampler (device farms: AWS Device Farm, Firebase Test Lab) and as a
    cross-check. Returns None when the app recorded no readings (energy was off).
    """
    ps = result.get("power_samples")
    if not ps:
        return None
    idle, src_i = app_samples(ps.get("idle") or [])
    timed, src_t = app_samples(ps.get("timed") or [])
    ext, note = app_external_power((ps.get("idle") or []) + (ps.get("timed") or []), battery_faked)
    iterations = int((result.get("config") or {}).get("iterations") or 0)
    method = (f"app readings ({src_t} at ~10 Hz, result.power_samples) minus the app's idle baseline ({src_i}), over "
              "the timed iterations, divided by the timed iterations")
    return compute_energy(idle, in_window(timed, timed_window(result)), iterations, ext, note, method=method)


class Sampler:
    """Runs ``sampler.sh`` as one stream in a background thread and collects samples until stopped."""

    def __init__(self, device: Device, period_s: float = SAMPLER_PERIOD_S, max_s: float = 600.0):
        self.device = device
        self.period_s = period_s
        self.count = int(max_s / period_s) + 1
        self.samples: list[Sample] = []
        self.error: str | None = None
        self._stream = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> "Sampler":
        self._stream = self.device.t.stream(["sh", SAMPLER_PATH, f"{self.period_s:g}", str(self.count)])
        self._thread = threading.Thread(target=self._read, name=f"sampler-{self.device.name}", daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        try:
            for line in self._stream.lines():
                s = parse.sampler_line(line)
                if s:
                    with self._lock:
                        self.samples.append(Sample(*s))
        except DeviceError as exc:
            self.error = exc.message

    def take(self) -> list[Sample]:
        """The samples so far, emptying the buffer."""
        with self._lock:
            out, self.samples = self.samples, []
        return out

    def stop(self) -> list[Sample]:
        if self._stream is not None:
            self._stream.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        return self.take()

    def __enter__(self) -> "Sampler":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def measure(device: Device, seconds: float, period_s: float = SAMPLER_PERIOD_S) -> list[Sample]:
    """Sample for ``seconds`` (the idle baseline) and return the samples."""
    with Sampler(device, period_s, max_s=seconds + 5) as s:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if s.error:
                break
        return s.stop()


def push_sampler(device: Device) -> None:
    """Put ``sampler.sh`` on the phone (skipped when the same script is already there)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "sampler.sh"
        p.write_text(SAMPLER_SCRIPT)
        device.push_files({p: SAMPLER_PATH})


def batterystats_mah(device: Device, package: str, user_id: int | None) -> float | None:
    """The per-UID estimate (modelled from the power profile, not measured) for ``package``, in mAh."""
    r = device.sh("dumpsys", "batterystats", "--charged", package, timeout_s=60)
    table = parse.batterystats_uid_mah(r.output)
    if user_id is not None:
        return table.get(parse.uid_label(user_id))
    return next(iter(table.values())) if len(table) == 1 else None
