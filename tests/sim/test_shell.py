"""Shell commands and their output formats, as the runner parses them (toybox and Android 14 formats)."""

from __future__ import annotations

import re
import zipfile

import pytest

from mobilekit.device_runner.sim.shell import ShellSyntaxError, parse


def test_over_the_wire_exit_code_trick_and_exec(device):
    assert device.shell("getprop ro.product.model; echo :$?") == "mobilekit SimPhone\n:0\n"
    assert device.shell("ls /nope; echo :$?") == "ls: /nope: No such file or directory\n:1\n"
    assert device.shell("frobnicate; echo :$?") == "/system/bin/sh: frobnicate: inaccessible or not found\n:127\n"
    assert device.exec_out("cat /proc/meminfo", decode=False).startswith(b"MemTotal:")


def test_getprop(phone):
    code, out = phone.sh("getprop")
    props = dict(re.findall(r"^\[([^\]]*)\]: \[(.*)\]$", out, re.M))
    for key in ("ro.product.manufacturer", "ro.product.model", "ro.product.device", "ro.product.name",
                "ro.soc.manufacturer", "ro.soc.model", "ro.board.platform", "ro.hardware", "ro.product.cpu.abi",
                "ro.product.cpu.abilist", "ro.build.version.sdk", "ro.build.version.release", "ro.serialno",
                "ro.debuggable"):
        assert key in props
    assert props["ro.serialno"] == "sim-0" and props["ro.mobilekit.simulated"] == "1"
    assert phone.sh("getprop ro.build.version.sdk") == (0, "34\n")
    assert phone.sh("getprop no.such.key") == (0, "\n")


@pytest.mark.parametrize("line,expected", [
    ("true && echo yes || echo no", "yes\n"),
    ("false && echo yes || echo no", "no\n"),
    ("false; echo :$?", ":1\n"),
    ("echo a 2>/dev/null; echo b >/dev/null; echo c", "a\nc\n"),
    ("cat /nope 2>/dev/null; echo :$?", ":1\n"),
    ("echo 'single $? quoted' \"double $?\"", "single $? quoted double 0\n"),
    ("echo -n x; echo y", "xy\n"),
    ("cd /data/local/tmp && echo hi > f && cat f && ls", "hi\nf\n"),
    ("echo one | cat", "one\n"),
    ("getprop | grep -c ro.product.model", "1\n"),
    ("test -d /data/local/tmp && echo dir; test -f /data/local/tmp; echo :$?", "dir\n:1\n"),
    ("[ -e /sys/class/power_supply/battery/capacity ] && echo there", "there\n"),
    ("sh -c 'echo inner; false'; echo :$?", "inner\n:1\n"),
    ("sh -c 'exit 3'; echo :$?", ":3\n"),
    ("echo a; exit 4; echo b", "a\n"),
    ("nproc", "8\n"),
    ("echo hi # a comment", "hi\n"),
])
def test_shell_language(phone, line, expected):
    assert phone.sh(line)[1] == expected


def test_parse_errors():
    with pytest.raises(ShellSyntaxError):
        parse("echo 'unterminated")
    with pytest.raises(ShellSyntaxError):
        parse("&& echo")
    assert [len(p) for _, p in parse("a | b; c && d")] == [2, 1, 1]


def test_files(phone):
    assert phone.sh("mkdir -p /data/local/tmp/a/b/c && touch /data/local/tmp/a/b/c/x && ls -1 /data/local/tmp/a/b/c") == (0, "x\n")
    assert phone.sh("mkdir /data/local/tmp/a")[1] == "mkdir: '/data/local/tmp/a': File exists\n"
    assert phone.sh("mv /data/local/tmp/a/b/c/x /data/local/tmp/y && test -f /data/local/tmp/y && echo ok")[1] == "ok\n"
    assert phone.sh("chmod 755 /data/local/tmp/y && stat -c %a /data/local/tmp/y")[1] == "755\n"
    assert phone.sh("rm /data/local/tmp/a; echo :$?")[1] == "rm: /data/local/tmp/a: Is a directory\n:1\n"
    assert phone.sh("rm -rf /data/local/tmp/a /data/local/tmp/nothing; echo :$?")[1] == ":0\n"
    assert phone.sh("rm -f /data/local/tmp/nothing; echo :$?")[1] == ":0\n"
    code, out = phone.sh("ls -la /data/local/tmp")
    assert out.startswith("total ") and re.search(r"^-rwxr-xr-x +1 shell +shell +0 \d{4}-\d\d-\d\d \d\d:\d\d y$", out, re.M)


def test_stat_sha256sum_df(phone):
    phone.sh("echo -n abc > /data/local/tmp/abc")
    size, mtime = phone.sh("stat -c '%s %Y' /data/local/tmp/abc")[1].split()
    assert size == "3" and int(mtime) > 1_600_000_000
    assert phone.sh("sha256sum /data/local/tmp/abc")[1] == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  /data/local/tmp/abc\n")
    lines = phone.sh("df -k /data/local/tmp")[1].splitlines()
    assert lines[0].split() == ["Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted", "on"]
    fields = lines[1].split()
    assert fields[-1] == "/data" and int(fields[1]) == int(fields[2]) + int(fields[3]) and fields[4].endswith("%")


def test_misc_commands(phone):
    assert re.match(r"^ \d\d:\d\d:\d\d up \d+ days?, +\d+:\d\d, +0 users, +load average: ", phone.sh("uptime")[1])
    assert abs(int(phone.sh("date +%s")[1]) - __import__("time").time()) < 5
    assert phone.sh("sleep 0.05; echo :$?")[1] == ":0\n"
    assert phone.sh("id")[1].startswith("uid=2000(shell)")
    assert phone.sh("cat /sys/devices/system/cpu/possible")[1] == "0-7\n"
    assert phone.sh("ls /sys/devices/system/cpu/cpu7/cpufreq/stats")[1] == "time_in_state\n"
    tis = phone.sh("cat /sys/devices/system/cpu/cpu*/cpufreq/stats/time_in_state")[1]
    assert all(re.match(r"^\d+ \d+$", ln) for ln in tis.splitlines()) and len(tis.splitlines()) > 8


def test_pm_and_dumpsys_package(phone, tmp_path):
    assert phone.sh("pm list packages mobilekit")[1] == "package:org.mobilekit.demo\n"
    assert "package:android\n" in phone.sh("pm list packages")[1]
    assert phone.sh("pm path org.mobilekit.demo")[1].startswith("package:/data/app/")
    out = phone.sh("dumpsys package org.mobilekit.demo")[1]
    assert "    versionName=0.1.0\n" in out and re.search(r"^    versionCode=1 ", out, re.M)
    phone.sh("echo notazip > /data/local/tmp/bad.apk")
    assert phone.sh("pm install -r /data/local/tmp/bad.apk")[1].startswith("Failure [INSTALL_FAILED_INVALID_APK: ")
    apk = tmp_path / "app.apk"
    with zipfile.ZipFile(apk, "w") as zf:
        zf.writestr("AndroidManifest.xml", '<manifest versionName="0.2.0"/>')
        zf.writestr("classes.dex", b"dex\n035\0")
    phone.fs.write_bytes("/data/local/tmp/app.apk", apk.read_bytes())
    assert phone.sh("pm install -r -g /data/local/tmp/app.apk") == (0, "Success\n")
    assert "versionName=0.2.0" in phone.sh("dumpsys package org.mobilekit.demo")[1]


def test_am_start_formats(phone):
    out = phone.sh("am start -W -n org.mobilekit.demo/.MainActivity")[1].splitlines()
    assert out[0] == "Starting: Intent { cmp=org.mobilekit.demo/.MainActivity }"
    assert out[1:3] == ["Status: ok", "LaunchState: COLD"] and out[3] == "Activity: org.mobilekit.demo/.MainActivity"
    assert re.match(r"TotalTime: \d+", out[4]) and re.match(r"WaitTime: \d+", out[5]) and out[6] == "Complete"
    code, out = phone.sh("am start -W -n org.mobilekit.demo/.Nope --es a b")
    assert "Error: Activity class {org.mobilekit.demo/org.mobilekit.demo.Nope} does not exist." in out
    assert phone.sh("am force-stop org.mobilekit.demo") == (0, "")


def test_battery_formats_and_fake_unplug(phone):
    out = phone.sh("dumpsys battery")[1]
    assert out.startswith("Current Battery Service state:\n")
    for key in ("AC powered", "USB powered", "Wireless powered", "status", "health", "present", "level", "scale",
                "voltage", "temperature", "technology"):
        assert re.search(rf"^  {key}: ", out, re.M), key
    volts = int(re.search(r"^  voltage: (\d+)", out, re.M).group(1))
    assert 3500 < volts < 4400  # mV
    assert 200 < int(re.search(r"temperature: (\d+)", out).group(1)) < 400  # tenths of a degree
    phone.faults.usb_charging = True
    assert "USB powered: true" in phone.sh("dumpsys battery")[1]
    phone.sh("dumpsys battery unplug; dumpsys battery set level 42")
    out = phone.sh("dumpsys battery")[1]
    assert "UPDATES STOPPED" in out and "USB powered: false" in out and "level: 42" in out and "status: 3" in out
    assert phone.sh("cat /sys/class/power_supply/battery/status /sys/class/power_supply/usb/online")[1] == "Charging\n1\n"
    phone.sh("dumpsys battery reset")
    assert "UPDATES STOPPED" not in phone.sh("dumpsys battery")[1]


def test_sysfs_battery_files(phone):
    base = "/sys/class/power_supply/battery"
    out = phone.sh(f"cat {base}/capacity {base}/status {base}/current_now {base}/voltage_now {base}/temp "
                   f"{base}/charge_counter {base}/health /sys/class/power_supply/usb/online")[1].split("\n")
    cap, status, cur, volt, temp, counter, health, usb = out[:8]
    assert 0 < int(cap) <= 100 and status == "Discharging" and int(cur) < 0  # µA, negative discharging (Pixel)
    assert 3_500_000 < int(volt) < 4_400_000 and 200 < int(temp) < 400 and int(counter) > 1_000_000
    assert health == "Good" and usb == "0"


def test_batterystats_thermal_meminfo_power(phone):
    assert phone.sh("dumpsys batterystats --reset")[1] == "Battery stats reset.\n"
    out = phone.sh("dumpsys batterystats --charged org.mobilekit.demo")[1]
    assert "Estimated power use (mAh):" in out and re.search(r"^    Uid u0a187: \d+\.\d\d \( cpu=", out, re.M)
    out = phone.sh("dumpsys thermalservice")[1]
    assert "IsStatusOverride: false" in out and re.search(r"^Thermal Status: 0$", out, re.M)
    assert re.search(r"Current temperatures from HAL:\n\tTemperature\{mValue=[\d.]+, mType=2, mName=battery, mStatus=0\}", out)
    phone.sh("cmd thermalservice override-status 3")
    out = phone.sh("dumpsys thermalservice")[1]
    assert "IsStatusOverride: true" in out and "Thermal Status: 3" in out
    phone.sh("cmd thermalservice reset")
    assert phone.sh("dumpsys meminfo org.mobilekit.demo")[1] == "No process found for: org.mobilekit.demo\n"
    phone.sh("am start -n org.mobilekit.demo/.MainActivity")
    assert re.search(r"TOTAL PSS: +\d+", phone.sh("dumpsys meminfo org.mobilekit.demo")[1])
    # a phone left on a desk: screen off, swipe keyguard; the runner wakes and unlocks it
    assert "mWakefulness=Asleep" in phone.sh("dumpsys power")[1]
    assert "showing=true" in phone.sh("dumpsys window policy")[1]
    assert phone.sh("wm dismiss-keyguard; echo :$?")[1] == ":0\n"
    assert phone.screen.keyguard_locked  # a keyguard cannot be dismissed with the screen off
    assert phone.sh("input keyevent KEYCODE_WAKEUP; echo :$?")[1] == ":0\n"
    assert "mWakefulness=Awake" in phone.sh("dumpsys power")[1]
    phone.sh("wm dismiss-keyguard")
    assert "showing=false" in phone.sh("dumpsys window policy")[1]
    phone.sh("input keyevent 223")
    assert "mWakefulness=Asleep" in phone.sh("dumpsys power")[1] and phone.screen.keyguard_locked
    assert phone.sh("input keyevent KEYCODE_NOPE; echo :$?")[1].endswith(":1\n")
    assert phone.sh("settings get global low_power")[1] == "0\n"
    phone.sh("settings put global low_power 1")
    assert "mIsPowerSaveMode=true" in phone.sh("dumpsys power")[1]
    phone.sh("settings put global low_power 0")
    assert phone.sh("cmd power set-fixed-performance-mode-enabled true; echo :$?")[1] == ":0\n"
    assert phone.power.fixed_performance


def test_run_as(phone):
    phone.fs.write_bytes("/data/data/org.mobilekit.demo/files/secret", b"s3cret\n", "app")
    assert phone.sh("cat /data/data/org.mobilekit.demo/files/secret")[1].endswith("Permission denied\n")
    assert phone.sh("run-as org.mobilekit.demo cat files/secret") == (0, "s3cret\n")
    assert phone.sh("run-as org.mobilekit.demo ls")[1] == "files\n"
    assert phone.sh("run-as com.other ls")[1] == "run-as: unknown package: com.other\n"
    phone.faults.not_debuggable = True
    assert phone.sh("run-as org.mobilekit.demo ls; echo :$?")[1] == "run-as: package not debuggable: org.mobilekit.demo\n:1\n"


def test_sampler(phone, device):
    script = "# mobilekit-sampler/1\nwhile true; do cat current_now; done\n"
    phone.fs.mkdir("/data/local/tmp/mobilekit", parents=True)
    phone.fs.write_bytes("/data/local/tmp/mobilekit/sampler.sh", script.encode())
    lines = device.shell("sh /data/local/tmp/mobilekit/sampler.sh 0.02 5").splitlines()
    assert len(lines) == 5
    stamps = []
    for ln in lines:
        ms, cur, volt = ln.split()
        stamps.append(int(ms))
        assert int(cur) < 0 and 3_500_000 < int(volt) < 4_400_000
    assert stamps == sorted(stamps) and stamps[-1] - stamps[0] >= 60
    # streaming: lines arrive as they are sampled, and closing the stream stops the sampler
    got = []
    for chunk in device.streaming_shell("sh /data/local/tmp/mobilekit/sampler.sh 0.05 0"):
        got.append(chunk)
        if len(got) == 3:
            break
    phone.fs.write_bytes("/data/local/tmp/other.sh", b"echo hi\n")
    assert "does not interpret shell scripts" in device.shell("sh /data/local/tmp/other.sh")
