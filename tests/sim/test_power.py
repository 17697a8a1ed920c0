"""The power/thermal model: signs and units per vendor, drain, charging, heat, residency, seeded noise."""

from __future__ import annotations

import time

from mobilekit.device_runner.sim import DeviceProfile, Faults
from mobilekit.device_runner.sim.power import PowerModel


def test_pixel_convention_and_load():
    model = PowerModel(DeviceProfile(noise_pct=0), Faults())
    idle = model.sysfs_current_now()
    model.set_load(4)
    busy = model.sysfs_current_now()
    assert idle < 0 and busy < idle  # µA, negative while discharging, more negative under load
    assert 50_000 < -idle < 300_000 and 600_000 < -busy < 1_500_000


def test_vendor_ma_positive_discharging():
    model = PowerModel(DeviceProfile(current_unit="mA", current_negative_discharging=False, noise_pct=0), Faults())
    assert 50 < model.sysfs_current_now() < 300


def test_drain_and_charge():
    model = PowerModel(DeviceProfile(), Faults())
    model.set_load(8)
    c0, v0 = model.reading().charge_uah, model.reading().voltage_uv
    time.sleep(0.2)
    r = model.reading()
    assert r.charge_uah < c0 and r.voltage_uv <= v0 and r.status == "Discharging"
    faults = Faults(usb_charging=True)
    charging = PowerModel(DeviceProfile(), faults)
    c0 = charging.reading().charge_uah
    time.sleep(0.2)
    r = charging.reading()
    assert r.charge_uah > c0 and r.battery_current_ua > 0 and r.status == "Charging"
    assert charging.sysfs_current_now() > 0


def test_full_battery_when_charging():
    model = PowerModel(DeviceProfile(start_level_pct=100.0), Faults(usb_charging=True))
    r = model.reading()
    assert r.status == "Full" and r.battery_current_ua == 0 and r.level_pct == 100


def test_seeded_noise_is_repeatable():
    a = PowerModel(DeviceProfile(), Faults(), seed=7)
    b = PowerModel(DeviceProfile(), Faults(), seed=7)
    xs = [a.sysfs_current_now() for _ in range(5)]
    ys = [b.sysfs_current_now() for _ in range(5)]
    assert all(abs(x - y) <= 3 for x, y in zip(xs, ys)) and len(set(xs)) > 1


def test_thermal_status_and_throttling():
    model = PowerModel(DeviceProfile(), Faults())
    assert model.thermal_status() == 0 and model.latency_multiplier() == 1.0
    model.thermal_override = 3
    assert model.latency_multiplier() == 1.3
    model.fixed_performance = True
    assert model.latency_multiplier() == 1.0


def test_residency_and_batterystats():
    model = PowerModel(DeviceProfile(), Faults())
    model.set_load(2)
    time.sleep(0.15)
    assert model.cur_freq_khz(7) == 3014400 and model.cur_freq_khz(0) == 300000
    model.set_load(0)
    big = dict(line.split() for line in model.time_in_state(7).splitlines())
    assert int(big["3014400"]) >= 10  # 10 ms ticks at max frequency while busy
    assert model.app_power_mah() > 0
    model.reset_batterystats()
    assert model.app_power_mah() == 0
