"""The sandbox: no device path reaches the host outside the phone's root; Android's permissions hold."""

from __future__ import annotations

import os

import pytest

from mobilekit.device_runner.sim.filesystem import FsError, Sandbox


def test_dotdot_stays_inside_the_root(phone, tmp_path):
    secret = tmp_path / "outside.txt"  # the phone's root is tmp_path / "phone"
    secret.write_text("host secret")
    for path in ("/../outside.txt", "/data/../../outside.txt", "../../../../outside.txt"):
        code, out = phone.sh(f"cat {path}")
        assert code == 1 and "No such file or directory" in out and "host secret" not in out
    assert Sandbox.normalize("/../../etc/passwd") == "/etc/passwd"
    assert Sandbox.normalize("tmp/../x", "/data/local") == "/data/local/x"


def test_symlink_escape_is_refused(phone, device, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("host secret")
    os.symlink(secret, phone.root / "data/local/tmp/link")
    os.symlink(tmp_path, phone.root / "data/local/tmp/dirlink")
    assert phone.sh("cat /data/local/tmp/link")[1] == "cat: /data/local/tmp/link: Permission denied\n"
    assert "Permission denied" in phone.sh("ls /data/local/tmp/dirlink")[1]
    assert "Permission denied" in phone.sh("echo x > /data/local/tmp/dirlink/new")[1]
    assert not (tmp_path / "new").exists()
    with pytest.raises(Exception, match="Permission denied"):
        device.pull("/data/local/tmp/link", str(tmp_path / "got"))
    src = tmp_path / "payload"
    src.write_text("payload")
    with pytest.raises(Exception, match="Permission denied"):
        device.push(str(src), "/data/local/tmp/dirlink/pushed")
    assert not (tmp_path / "pushed").exists() and secret.read_text() == "host secret"
    assert device.stat("/data/local/tmp/link") == (0, 0, 0)


def test_sync_paths_with_dotdot_stay_inside(device, tmp_path):
    (tmp_path / "outside.txt").write_text("host secret")
    with pytest.raises(Exception, match="No such file"):
        device.pull("/../../outside.txt", str(tmp_path / "x"))
    src = tmp_path / "p"
    src.write_text("p")
    with pytest.raises(Exception):
        device.push(str(src), "/../../escape.txt")  # "/escape.txt" on the phone: read-only there
    assert not (tmp_path / "escape.txt").exists()


def test_permissions(phone):
    fs = phone.fs
    with pytest.raises(FsError, match="Permission denied"):
        fs.read_bytes("/data/misc/adb/adb_keys", "shell")
    with pytest.raises(FsError, match="Permission denied"):
        fs.write_bytes("/sys/class/power_supply/battery/capacity", b"1", "shell")
    with pytest.raises(FsError, match="Read-only file system"):
        fs.write_bytes("/x", b"1", "shell")
    assert "Permission denied" in phone.sh("ls /data/data")[1]
    fs.write_bytes("/sdcard/Android/data/org.mobilekit.demo/files/r", b"ok", "app")
    assert phone.sh("cat /sdcard/Android/data/org.mobilekit.demo/files/r")[1] == "ok"


def test_layout(phone):
    for d in ("/data/local/tmp", "/sdcard/Android/data/org.mobilekit.demo/files",
              "/data/data/org.mobilekit.demo/files"):
        assert phone.fs.is_dir(d), d
    for cpu in range(8):
        for f in ("cpuinfo_max_freq", "scaling_cur_freq", "stats/time_in_state"):
            assert phone.fs.exists(f"/sys/devices/system/cpu/cpu{cpu}/cpufreq/{f}")
    for f in ("capacity", "status", "current_now", "voltage_now", "temp", "charge_counter", "health"):
        assert phone.fs.exists(f"/sys/class/power_supply/battery/{f}")
    assert phone.sh("cat /proc/cpuinfo")[1].count("processor\t:") == 8
    assert phone.sh("stat -c %s /sys/class/power_supply/battery/capacity")[1] == "4096\n"  # like sysfs
