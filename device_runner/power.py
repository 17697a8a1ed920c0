"""Battery power around a benchmark case: a ~10 Hz sysfs sampler stream, vendor normalisation, energy.

Method (stated with every figure): the runner pushes ``sampler.sh`` and runs it as one long-running
shell stream printing ``<epoch_ms> <current_now> <voltage_now>`` every period. Raw values are normalised
(current: µA or mA decided by magnitude; voltage: µV or mV likewise; the sign of discharge taken from the
idle baseline, which is always a discharge on battery), power is ``I × V``, an idle baseline of about the
same length measured just before the case is subtracted, and energy per inference is that net energy
over the case divided by the number of inferences the app ran (warm-up included). Readings taken while
the phone is really on external power (sysfs ``online``/``status``) are marked invalid: a fake
``dumpsys battery unplug`` does not stop USB charging, so use Wi-Fi debugging with the cable out.
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
                   power_note: str = "", app_energy: dict | None = None) -> EnergyResult:
    """Net energy of a case from its samples and an idle baseline, normalised across vendors."""
    method = ("sysfs current_now x voltage_now at ~10 Hz, minus an idle baseline of the same length measured "
              "just before the case, over the case, divided by the inferences run (warm-up included)")
    app_mj = (app_energy or {}).get("mj_per_inference")
    if app_energy and app_mj is not None:
        method = "sysfs+batterymanager: " + method + "; the app's BatteryManager figure is kept as app_mj_per_inference"
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
