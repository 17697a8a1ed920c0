"""The simulated phone's battery, power and thermal model: stated, simple, and repeatable.

Everything here is a model, not a measurement; figures derived from it are labelled simulated.

Power.  The phone draws ``idle_w`` at rest. While the benchmark runs, each busy thread adds
``per_thread_w / speed`` (a slower phone runs proportionally weaker cores, so energy per inference stays
comparable across speed factors; the ``slow`` fault does *not* scale power, so a latency regression
costs energy, as it would on a phone).

Battery.  Open-circuit voltage falls slowly with charge, ``ocv = 3.50 V + 0.85 V * soc``; the terminal
voltage sags under load by ``internal_resistance_ohm``, and the load current is solved from
``P = (ocv - I*R) * I``. Charge (``charge_counter``, µAh) and level (%) fall with the current drawn.
With ``usb_charging`` the charger pushes ``usb_charge_ma`` in and the load is taken from it, so the
battery current is positive (into the battery) whatever ``dumpsys battery unplug`` says; at 100 % the
status is ``Full`` and the current is 0.  sysfs ``current_now`` follows the vendor profile: µA and
negative while discharging (Pixels, the default) or mA and positive while discharging; it carries
seeded noise of ``noise_pct`` percent.

Thermal.  Battery temperature relaxes exponentially toward ``ambient + R * P`` with time constant
``thermal_tau_s`` (charging adds 0.3 W of heat). The ``overheat`` fault makes heating fast (5 s, 1.5 x R)
and cooling slow (600 s). Thermal status 0..6 comes from the temperature: <38 °C none, then light,
moderate, severe, critical, emergency, shutdown at 3 °C steps. Status >= 2 throttles the CPU: the
benchmark's latency grows by 15 % per step above 1, unless fixed performance mode is on.

CPU frequency.  Idle cores sit at their lowest frequency; busy threads run on the biggest cores at
their highest one. ``time_in_state`` accumulates this residency in 10 ms ticks.

The model integrates lazily: every read or load change advances it by the wall-clock time elapsed,
treating power as constant in between, so it costs nothing while nobody looks.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass

from .faults import Faults
from .profile import DeviceProfile

THERMAL_THRESHOLDS_C = (38.0, 41.0, 44.0, 47.0, 50.0, 53.0)


@dataclass(frozen=True)
class BatteryReading:
    """One instant of the battery, in the units sysfs and BatteryManager use."""

    battery_current_ua: float  # positive into the battery (BatteryManager's convention)
    voltage_uv: float
    charge_uah: float
    level_pct: int
    temp_c: float
    status: str  # Charging, Discharging, Full
    charging: bool
    load_w: float


class PowerModel:
    """Battery charge, voltage, current, temperature and CPU residency of the simulated phone."""

    def __init__(self, profile: DeviceProfile, faults: Faults, speed: float = 1.0, seed: int = 0):
        self.profile = profile
        self.faults = faults
        self.speed = speed
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._t = time.monotonic()
        self.full_uah = profile.battery_capacity_mah * 1000.0
        self.charge_uah = self.full_uah * profile.start_level_pct / 100.0
        self.temp_c = profile.ambient_c + profile.thermal_r_k_per_w * profile.idle_w
        self.busy_threads = 0
        self.energy_j = 0.0  # everything the phone has drawn, from battery or charger
        self.fixed_performance = False
        self.thermal_override: int | None = None
        self.app_cpu_s = 0.0  # busy thread-seconds of the app since batterystats --reset
        self.stats_since = time.time()
        self.residency_s = [[0.0] * len(freqs) for freqs in profile.cpu_freqs_khz]

    # --- the integrator -------------------------------------------------------------------------
    def load_w(self) -> float:
        """The phone's power draw right now, in watts."""
        return self.profile.idle_w + self.busy_threads * self.profile.per_thread_w / self.speed

    def _ocv(self) -> float:
        return 3.50 + 0.85 * max(0.0, min(1.0, self.charge_uah / self.full_uah))

    def _load_current_a(self, power_w: float) -> float:
        ocv, r = self._ocv(), self.profile.internal_resistance_ohm
        disc = max(ocv * ocv - 4 * r * power_w, 0.0)
        return (ocv - math.sqrt(disc)) / (2 * r)

    def _battery_current_a(self, power_w: float) -> float:
        load = self._load_current_a(power_w)
        if not self.faults.usb_charging:
            return -load
        if self.charge_uah >= self.full_uah:
            return 0.0
        return self.profile.usb_charge_ma / 1000.0 - load

    def _busy_cores(self) -> set[int]:
        n = min(self.busy_threads, self.profile.cores)
        return set(range(self.profile.cores - n, self.profile.cores))

    def _advance(self) -> None:
        now = time.monotonic()
        dt = max(0.0, now - self._t)
        self._t = now
        if dt == 0.0:
            return
        power = self.load_w()
        self.energy_j += power * dt
        self.app_cpu_s += self.busy_threads * dt
        current = self._battery_current_a(power)
        self.charge_uah = max(0.0, min(self.full_uah, self.charge_uah + current * 1e6 * dt / 3600.0))
        heat = power + (0.3 if self.faults.usb_charging else 0.0)
        r, tau = self.profile.thermal_r_k_per_w, self.profile.thermal_tau_s
        target = self.profile.ambient_c + r * heat
        if self.faults.overheat:
            target = self.profile.ambient_c + 1.5 * r * heat
            tau = 5.0 if target > self.temp_c else 600.0
        self.temp_c = target + (self.temp_c - target) * math.exp(-dt / tau)
        busy = self._busy_cores()
        for cpu, freqs in enumerate(self.profile.cpu_freqs_khz):
            self.residency_s[cpu][len(freqs) - 1 if cpu in busy else 0] += dt

    # --- what the app and the framework change ---------------------------------------------------
    def set_load(self, threads: int) -> None:
        """The benchmark starts (``threads`` busy) or stops (0)."""
        with self._lock:
            self._advance()
            self.busy_threads = max(0, threads)

    def reset_batterystats(self) -> None:
        """``dumpsys batterystats --reset``."""
        with self._lock:
            self._advance()
            self.app_cpu_s = 0.0
            self.stats_since = time.time()

    # --- readings -----------------------------------------------------------------------------
    def reading(self) -> BatteryReading:
        """The battery now (advances the model)."""
        with self._lock:
            self._advance()
            power = self.load_w()
            current = self._battery_current_a(power)
            voltage = self._ocv() + current * self.profile.internal_resistance_ohm
            if self.faults.usb_charging:
                status = "Full" if self.charge_uah >= self.full_uah else "Charging"
            else:
                status = "Discharging"
            return BatteryReading(current * 1e6, voltage * 1e6, self.charge_uah,
                                  int(round(100.0 * self.charge_uah / self.full_uah)), self.temp_c,
                                  status, self.faults.usb_charging, power)

    def energy_counter_j(self) -> float:
        """Energy drawn since boot, in joules (what BatteryManager's energy counter integrates)."""
        with self._lock:
            self._advance()
            return self.energy_j

    def sysfs_current_now(self) -> int:
        """``current_now`` as this vendor writes it: unit and sign from the profile, with seeded noise."""
        r = self.reading()
        with self._lock:
            noise = 1.0 + self._rng.uniform(-1.0, 1.0) * self.profile.noise_pct / 100.0
        value = r.battery_current_ua * noise
        if not self.profile.current_negative_discharging:
            value = -value
        if self.profile.current_unit == "mA":
            value /= 1000.0
        return int(round(value))

    def thermal_status(self) -> int:
        """0 (none) .. 6 (shutdown), from the battery temperature, unless overridden."""
        if self.thermal_override is not None:
            return self.thermal_override
        temp = self.reading().temp_c
        return sum(1 for t in THERMAL_THRESHOLDS_C if temp >= t)

    def latency_multiplier(self) -> float:
        """How much slower thermal throttling makes the CPU now (1.0 when cool or in fixed mode)."""
        if self.fixed_performance:
            return 1.0
        return 1.0 + 0.15 * max(0, self.thermal_status() - 1)

    def cur_freq_khz(self, cpu: int) -> int:
        with self._lock:
            self._advance()
            freqs = self.profile.cpu_freqs_khz[cpu]
            return freqs[-1] if cpu in self._busy_cores() else freqs[0]

    def time_in_state(self, cpu: int) -> str:
        """``cpufreq/stats/time_in_state`` text: ``<freq_khz> <ticks of 10 ms>`` a line."""
        with self._lock:
            self._advance()
            freqs = self.profile.cpu_freqs_khz[cpu]
            return "".join(f"{f} {int(s * 100)}\n" for f, s in zip(freqs, self.residency_s[cpu]))

    def app_power_mah(self) -> float:
        """batterystats' estimate for the app: busy thread-seconds times the per-thread current."""
        with self._lock:
            self._advance()
            per_thread_a = self.profile.per_thread_w / self.speed / self._ocv()
            return self.app_cpu_s * per_thread_a * 1000.0 / 3600.0
