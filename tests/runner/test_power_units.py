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


def test_app_figure_is_kept_and_method_says_so():
    e = compute_energy(series(5, 0, -1e5, 4e6), series(5, 600, -3e5, 4e6), 10, False, app_energy={"mj_per_inference": 3.3})
    assert e.app_mj_per_inference == 3.3 and e.method.startswith("sysfs+batterymanager")


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
