"""Power normalisation across vendors and the energy arithmetic."""

import pytest

from mobilekit.device_runner import power
from mobilekit.device_runner.power import Sample, compute_energy


def series(n, t0, current, voltage, step_ms=100):
    return [Sample(t0 + i * step_ms, current, voltage) for i in range(n)]


@pytest.mark.parametrize("idle,busy,volt,unit", [
    (-200_000, -700_000, 4_000_000, "uA"),   # Pixel: µA, negative while discharging, µV
    (200_000, 700_000, 4_000_000, "uA"),     # some vendors: positive while discharging
    (200, 700, 4_000_000, "mA"),             # mA vendors
    (-200, -700, 4000, "mA"),                # mA and mV
])
def test_energy_is_the_same_whatever_the_vendor_convention(idle, busy, volt, unit):
    base = series(21, 0, idle, volt)
    case = series(21, 3000, busy, volt)
    e = compute_energy(base, case, inferences=100, external_power=False)
    assert e.valid and e.current_unit == unit
    assert e.baseline_mw == pytest.approx(800.0)
    # net 500 mA x 4 V = 2000 mW over 2 s = 4000 mJ -> 40 mJ per inference
    assert e.joules == pytest.approx(4.0)
    assert e.mj_per_inference == pytest.approx(40.0)
    assert "baseline" in e.method


def test_external_power_makes_energy_invalid_with_the_wifi_hint():
    e = compute_energy(series(10, 0, 100_000, 4_000_000), series(10, 2000, 300_000, 4_000_000), 10, True,
                       power.CHARGING_MESSAGE.format(source="usb", status="Charging"))
    assert not e.valid and "Wi-Fi debugging" in e.invalid_reason and "cable out" in e.invalid_reason


def test_too_few_samples_is_invalid_not_zero():
    e = compute_energy([], series(1, 0, 1, 1), 10, False)
    assert not e.valid and e.mj_per_inference is None and "too few" in e.invalid_reason


def test_app_figure_is_kept():
    e = compute_energy(series(5, 0, -1e5, 4e6), series(5, 600, -3e5, 4e6), 10, False, app_energy={"mj_per_inference": 3.3})
    assert e.app_mj_per_inference == 3.3 and "timed iterations" in e.method


def _app_item(t, cur=-300_000, volt=4_000_000, status="Discharging", usb=0, plugged=0, sysfs=True):
    return {"t_ms": t, "bm_current_ua": 300_000 if not sysfs else None, "bm_voltage_mv": 4000, "bm_plugged": plugged,
            "bm_status": 3, "bm_energy_nwh": None, "sysfs_current_now": cur if sysfs else None,
            "sysfs_voltage_now": volt if sysfs else None, "sysfs_status": status if sysfs else None,
            "usb_online": usb if sysfs else None, "ac_online": 0 if sysfs else None}


def _app_result(timed, idle, iterations=50, window=(1000, 2000)):
    return {"config": {"iterations": iterations}, "timing": {"timed_start_ms": window[0], "timed_end_ms": window[1]},
            "power_samples": {"idle": idle, "timed": timed}}


def test_app_samples_per_timed_inference_with_the_same_algorithm():
    idle = [_app_item(t, cur=-100_000) for t in range(0, 1000, 100)]
    timed = [_app_item(t) for t in range(1000, 2001, 100)]
    # A reading from the warm-up, before the timed window, must not count.
    timed.insert(0, _app_item(500, cur=-900_000))
    e = power.energy_from_app_samples(_app_result(timed, idle))
    assert e.valid and e.samples == 11
    # (300 - 100) mA x 4 V = 800 mW net over 1 s = 800 mJ, over 50 timed inferences
    assert e.mj_per_inference == pytest.approx(16.0, rel=1e-6)


def test_app_charging_is_seen_through_a_fake_unplug():
    idle = [_app_item(t, cur=-100_000) for t in range(0, 1000, 100)]
    # dumpsys battery unplug: BatteryManager says unplugged (0), sysfs still says USB online and Charging
    timed = [_app_item(t, status="Charging", usb=1, plugged=0) for t in range(1000, 2001, 100)]
    e = power.energy_from_app_samples(_app_result(timed, idle), battery_faked=True)
    assert not e.valid and "Wi-Fi debugging" in e.invalid_reason


def test_app_without_sysfs_is_not_trusted_under_a_fake_unplug():
    idle = [_app_item(t, sysfs=False) for t in range(0, 1000, 100)]
    timed = [_app_item(t, sysfs=False) for t in range(1000, 2001, 100)]
    faked = power.energy_from_app_samples(_app_result(timed, idle), battery_faked=True)
    assert not faked.valid and "cannot be trusted" in faked.invalid_reason
    real = power.energy_from_app_samples(_app_result(timed, idle), battery_faked=False)
    assert "batterymanager" in real.method and real.invalid_reason is None or "baseline" in (real.invalid_reason or "")


def test_sampler_script_header_and_no_64bit_arithmetic():
    lines = power.SAMPLER_SCRIPT.splitlines()
    assert lines[0] == "# mobilekit-sampler/1"
    assert "%N" in power.SAMPLER_SCRIPT and "${t%??????}" in power.SAMPLER_SCRIPT  # ms by string, not $(( ))


def test_sampler_script_runs_in_a_posix_sh(tmp_path):
    import subprocess

    bat = tmp_path / "battery"
    bat.mkdir()
    (bat / "current_now").write_text("-123456\n")
    (bat / "voltage_now").write_text("3987000\n")
    script = power.SAMPLER_SCRIPT.replace("/sys/class/power_supply/battery", str(bat))
    (tmp_path / "s.sh").write_text(script)
    out = subprocess.run(["sh", str(tmp_path / "s.sh"), "0.01", "3"], capture_output=True, text=True, timeout=10).stdout
    rows = [power.parse.sampler_line(ln) for ln in out.splitlines()]
    assert len(rows) == 3 and all(r and r[1] == -123456 and r[2] == 3987000 for r in rows)
    assert all(1_600_000_000_000 < r[0] < 4_000_000_000_000 for r in rows)  # epoch milliseconds


def test_a_case_below_the_idle_baseline_is_not_a_negative_energy():
    e = compute_energy(series(10, 0, -300_000, 4_000_000), series(10, 2000, -250_000, 4_000_000), 10, False)
    assert not e.valid and "below the noise" in e.invalid_reason
