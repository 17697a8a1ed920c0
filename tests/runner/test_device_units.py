"""Device records over a scripted transport: pull path safety, sha256 skip, free space, app checks, battery."""

import hashlib

import pytest

from mobilekit.device_runner.device import AppMissing, Device, NotEnoughSpace, UnsafeDeviceName, check_device_name

HOSTILE = ["..", ".", "", "../../evil", "/etc/passwd", "a/b", "a\\b", "nul\0byte", "new\nline", "~root"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_device_names_are_refused_by_name(name):
    with pytest.raises(UnsafeDeviceName, match="refused the device file name"):
        check_device_name(name)


def test_plain_names_pass():
    for n in ("result.json", "done", "error", "weird name ;$(x).txt", "..hidden", "ünïcode"):
        assert check_device_name(n) == n


def test_pull_dir_refuses_before_writing_anything(tmp_path, fake_transport):
    t = fake_transport(entries={"/r": ["result.json", "../../evil"]}, files={"/r/result.json": b"{}"})
    with pytest.raises(UnsafeDeviceName, match=r"'\.\./\.\./evil'"):
        Device(t).pull_dir("/r", tmp_path / "out")
    assert t.pulled == [] and not (tmp_path / "evil").exists()


def test_pull_dir_pulls_plain_files(tmp_path, fake_transport):
    t = fake_transport(entries={"/r": ["result.json", "done"]}, files={"/r/result.json": b"{}", "/r/done": b""})
    got = Device(t).pull_dir("/r", tmp_path / "out")
    assert sorted(p.name for p in got) == ["done", "result.json"]


def test_push_skips_files_whose_sha256_matches(tmp_path, fake_transport):
    a, b = tmp_path / "a.pte", tmp_path / "b.pte"
    a.write_bytes(b"same")
    b.write_bytes(b"new")
    sha_a = hashlib.sha256(b"same").hexdigest()
    sha_b = hashlib.sha256(b"new").hexdigest()
    t = fake_transport(answers={
        "sha256sum /d/a.pte /d/b.pte": f"{sha_a}  /d/a.pte\nsha256sum: /d/b.pte: No such file or directory",
        "sha256sum /d/b.pte": f"{sha_b}  /d/b.pte",
        "df -k": "Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/x 1000 10 990 1% /data"})
    pushed = Device(t).push_files({a: "/d/a.pte", b: "/d/b.pte"})
    assert pushed == {"/d/a.pte": False, "/d/b.pte": True}
    assert list(t.files) == ["/d/b.pte"]


def test_push_checks_free_space_and_names_the_bytes(tmp_path, fake_transport):
    a = tmp_path / "big.pte"
    a.write_bytes(b"x" * 5000)
    t = fake_transport(answers={"df -k": "Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/x 100 98 2 98% /data"})
    with pytest.raises(NotEnoughSpace, match=r"2,048 bytes free .* needs 5,000 bytes"):
        Device(t).push_files({a: "/d/big.pte"})
    assert t.files == {}


def test_app_missing_has_the_install_hint(fake_transport):
    t = fake_transport(answers={"pm list packages": "package:org.mobilekit.demo.other"})
    with pytest.raises(AppMissing) as e:
        Device(t).require_app()
    assert "--apk" in str(e.value)


def test_battery_trusts_sysfs_over_a_fake_unplug(fake_transport):
    sysfs = ("@@mobilekit-file:0\nCharging\n@@mobilekit-file:1\n80\n@@mobilekit-file:2\n4100000\n@@mobilekit-file:3\n"
             "350000\n@@mobilekit-file:4\n301\n@@mobilekit-file:5\n1\n@@mobilekit-file:6\n0\n@@mobilekit-file:7\n"
             "cat: /sys/class/power_supply/wireless/online: No such file or directory\n")
    t = fake_transport(answers={"echo @@mobilekit-file:0": sysfs,
                                "dumpsys battery": "  (UPDATES STOPPED -- use 'reset' to restart)\n  USB powered: false\n  level: 80\n"})
    b = Device(t).battery()
    assert b.framework_unplugged and b.usb_online and b.external_power and b.source == "usb"
    assert b.voltage_mv == 4100.0 and b.temp_c == 30.1 and b.current_ua == 350000 and b.level_pct == 80.0
