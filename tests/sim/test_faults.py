"""Every fault of the simulated phone, switched at run time as the runner's tests will."""

from __future__ import annotations

import json
import time
import zipfile

import pytest
from simclient import connect
from test_benchmark import EXT, push_bundle, start, wait_for

from mobilekit import MobilekitError
from mobilekit.device_runner.sim import Faults


def test_parse_faults():
    f = Faults.parse("slow=2.5, full_disk,answer_delay_ms=30,drop_after_bytes=100,usb_charging=false")
    assert f.slow == 2.5 and f.full_disk and f.answer_delay_ms == 30 and f.drop_after_bytes == 100 and not f.usb_charging
    assert f.active() == ["drop_after_bytes=100", "full_disk", "slow=2.5", "answer_delay_ms=30"]
    with pytest.raises(MobilekitError, match="unknown fault 'slowly'") as exc:
        Faults.parse("slowly=2")
    assert "hostile_names" in exc.value.hint
    with pytest.raises(MobilekitError, match="needs a number"):
        Faults.parse("slow=fast")
    with pytest.raises(MobilekitError, match="slow must be > 0"):
        Faults.parse("slow=0")


def test_drop_after_bytes(phone, signer, tmp_path):
    phone.fs.write_bytes("/data/local/tmp/big", bytes(200_000))
    phone.faults.drop_after_bytes = 50_000
    dev = connect(phone, signer, timeout_s=3)
    with pytest.raises(Exception):  # adb-shell spins until its read timeout once the socket is gone
        dev.pull("/data/local/tmp/big", str(tmp_path / "big"), read_timeout_s=1)
    dev.close()
    assert phone._server.connections() == [] or all(c.dropped.is_set() for c in phone._server.connections())
    phone.faults.drop_after_bytes = None
    dev = connect(phone, signer)
    dev.pull("/data/local/tmp/big", str(tmp_path / "big"))
    assert (tmp_path / "big").stat().st_size == 200_000
    dev.close()


def test_drop_mid_case_still_finishes(phone, signer, ptl_bundle, tmp_path):
    dev = connect(phone, signer, timeout_s=5)
    push_bundle(dev, ptl_bundle)
    phone.faults.drop_mid_case = True
    phone.faults.slow = 50.0
    assert start(dev, "dropped", iterations=40).rstrip().endswith("Complete")  # the launch answer still arrives
    deadline = time.monotonic() + 20
    with pytest.raises(Exception):
        while time.monotonic() < deadline:  # the connection dies while the case runs
            dev.shell("echo alive", read_timeout_s=3, transport_timeout_s=3)
            time.sleep(0.05)
    dev.close()
    assert phone.faults.drop_mid_case is False  # one-shot
    dev = connect(phone, signer)
    wait_for(dev, "dropped")
    result = json.loads(dev.shell(f"cat {EXT}/dropped/result.json"))
    assert len(result["latency_ms"]) == 40
    dev.close()


def test_full_disk(device, phone, tmp_path):
    phone.faults.full_disk = True
    src = tmp_path / "f"
    src.write_bytes(b"x" * 1000)
    with pytest.raises(Exception, match="No space left on device"):
        device.push(str(src), "/data/local/tmp/f")
    assert device.shell("echo x > /data/local/tmp/g; echo :$?") == (
        "/system/bin/sh: can't create /data/local/tmp/g: No space left on device\n:1\n")
    fields = device.shell("df -k /data/local/tmp").splitlines()[1].split()
    assert int(fields[3]) < 100 and fields[4] == "100%"
    phone.faults.full_disk = False
    device.push(str(src), "/data/local/tmp/f")


def test_answer_delay(device, phone):
    phone.faults.answer_delay_ms = 300
    t0 = time.monotonic()
    assert device.shell("echo late") == "late\n"
    assert time.monotonic() - t0 >= 0.3


def test_overheat(phone):
    phone.faults.overheat = True
    assert phone.power.thermal_status() == 0
    phone.power.set_load(4)
    time.sleep(2.0)
    hot = phone.power.reading().temp_c
    assert phone.power.thermal_status() >= 1 and hot > 36
    phone.power.set_load(0)
    time.sleep(0.5)
    assert phone.power.reading().temp_c > hot - 1.0  # cools slowly
    assert "mStatus=0" not in phone.sh("dumpsys thermalservice")[1]


def test_crash_benchmark(device, phone, ptl_bundle):
    push_bundle(device, ptl_bundle)
    phone.faults.crash_benchmark = True
    start(device, "crash")
    assert wait_for(device, "crash").split() == ["error"]
    assert "FATAL EXCEPTION" in device.shell(f"cat {EXT}/crash/error")


def test_hostile_names(device, phone, ptl_bundle, tmp_path):
    push_bundle(device, ptl_bundle)
    phone.faults.hostile_names = True
    start(device, "hostile")
    wait_for(device, "hostile")
    names = {f.filename.decode() for f in device.list(f"{EXT}/hostile")}
    assert {"../../evil", "a/../../b", "evil\nname.json", "result.json", "done"} <= names
    assert "../../evil" in device.shell(f"ls -a {EXT}/hostile").splitlines()  # dot names hide without -a
    device.pull(f"{EXT}/hostile/../../evil", str(tmp_path / "evil"))  # a naive puller would get content
    assert b"hostile_names" in (tmp_path / "evil").read_bytes()


def test_no_app_then_install(device, phone, tmp_path):
    phone.faults.no_app = True
    assert device.shell("pm list packages org.mobilekit") == ""
    out = device.shell("am start -W -S -n org.mobilekit.demo/.BenchmarkActivity --es run_id x")
    assert "Error: Activity class {org.mobilekit.demo/org.mobilekit.demo.BenchmarkActivity} does not exist." in out
    assert device.shell("run-as org.mobilekit.demo ls") == "run-as: unknown package: org.mobilekit.demo\n"
    apk = tmp_path / "demo.apk"
    with zipfile.ZipFile(apk, "w") as zf:
        zf.writestr("AndroidManifest.xml", "<manifest/>")
    device.push(str(apk), "/data/local/tmp/demo.apk")
    assert device.shell("pm install -r -g /data/local/tmp/demo.apk") == "Success\n"
    assert device.shell("pm list packages org.mobilekit") == "package:org.mobilekit.demo\n"


def test_unauthorized(phone, signer):
    phone.faults.unauthorized = True
    with pytest.raises(Exception):
        connect(phone, signer, timeout_s=1)
    assert phone.adb_keys.keys() == []
    phone.faults.unauthorized = False
    assert connect(phone, signer).available


def test_usb_charging(device, phone, ptl_bundle):
    phone.faults.usb_charging = True
    base = "/sys/class/power_supply"
    device.shell("dumpsys battery unplug")
    out = device.shell(f"cat {base}/battery/status {base}/usb/online {base}/battery/current_now").split()
    assert out[0] == "Charging" and out[1] == "1" and int(out[2]) > 0  # into the battery, unplug or not
    push_bundle(device, ptl_bundle)
    start(device, "charging")
    wait_for(device, "charging")
    result = json.loads(device.shell(f"cat {EXT}/charging/result.json"))
    assert result["energy"] is None  # the app records readings; the runner's algorithm judges them
    timed = result["power_samples"]["timed"]
    # BatteryManager believes the fake unplug; the sysfs readings the app also took do not
    assert all(s["bm_plugged"] == 0 for s in timed) and all(s["usb_online"] == 1 for s in timed)
    from mobilekit.device_runner import power

    energy = power.energy_from_app_samples(result, battery_faked=True)
    assert energy.valid is False and "Wi-Fi debugging" in energy.invalid_reason


def test_not_debuggable(device, phone):
    phone.faults.not_debuggable = True
    assert device.shell("run-as org.mobilekit.demo cat files/x") == "run-as: package not debuggable: org.mobilekit.demo\n"
    assert "DEBUGGABLE" not in device.shell("dumpsys package org.mobilekit.demo")


def test_assigning_new_faults_reaches_every_part(phone):
    phone.faults = Faults(full_disk=True, usb_charging=True)
    assert "No space left on device" in phone.sh("touch /data/local/tmp/x")[1]
    assert phone.sh("cat /sys/class/power_supply/battery/status")[1] == "Charging\n"


def test_bad_root_is_a_message(tmp_path):
    from mobilekit.device_runner.sim import SimulatedPhone

    (tmp_path / "file").write_text("x")
    with pytest.raises(MobilekitError, match="is not a folder"):
        SimulatedPhone(tmp_path / "file")
    with pytest.raises(MobilekitError, match="speed must be > 0"):
        SimulatedPhone(tmp_path / "p", speed=0)
    with SimulatedPhone(tmp_path / "a") as first:
        with pytest.raises(MobilekitError, match=f"cannot listen on 127.0.0.1:{first.port}"):
            SimulatedPhone(tmp_path / "b", port=first.port).start()
