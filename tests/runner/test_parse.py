"""Parsers of device text, fed with sample output in the format real phones print."""

from mobilekit.device_runner import parse

GETPROP = """[ro.product.manufacturer]: [Google]
[ro.product.model]: [Pixel 8]
[ro.product.cpu.abilist]: [arm64-v8a]
[ro.soc.manufacturer]: [Google]
[ro.soc.model]: [Tensor G3]
[ro.build.version.sdk]: [34]
[ro.build.version.release]: [14]
[persist.sys.empty]: []
[ro.odd]: [a [b] c]
"""

BATTERY = """Current Battery Service state:
  (UPDATES STOPPED -- use 'reset' to restart)
  AC powered: false
  USB powered: true
  Wireless powered: false
  Dock powered: false
  Max charging current: 500000
  Max charging voltage: 5000000
  Charge counter: 2869000
  status: 2
  health: 2
  present: true
  level: 85
  scale: 100
  voltage: 4271
  temperature: 281
  technology: Li-ion
"""

THERMAL = """IsStatusOverride: false
ThermalEventListeners:
\tcallbacks: 1
\tkilled: false
\tbroadcasts count: -1
ThermalStatusListeners:
\tcallbacks: 1
Thermal Status: 2
Cached temperatures:
\tTemperature{mValue=99.0, mType=2, mName=battery, mStatus=0}
HAL Ready: true
HAL connection:
\tThermalHAL 2.0 connected: yes
Current temperatures from HAL:
\tTemperature{mValue=31.5, mType=2, mName=battery, mStatus=0}
\tTemperature{mValue=45.25, mType=0, mName=CPU0, mStatus=1}
\tTemperature{mValue=47.0, mType=0, mName=CPU4, mStatus=1}
\tTemperature{mValue=33.1, mType=3, mName=skin, mStatus=0}
Current cooling devices from HAL:
\tCoolingDevice{mValue=0, mType=2, mName=battery}
"""

DF = """Filesystem        1K-blocks    Used Available Use% Mounted on
/dev/block/dm-48 115289920 45678120  69480344  40% /data
"""
DF_WRAPPED = """Filesystem     1K-blocks    Used Available Use% Mounted on
/dev/block/bootdevice/by-name/userdata
                115289920 45678120  69480344  40% /data
"""

BATTERYSTATS_OLD = """Statistics since last charge:
Estimated power use (mAh):
    Capacity: 3000, Computed drain: 250, actual drain: 240-270
    Screen: 100.5 Excluded from smearing
    Uid 0: 20.1 ( cpu=19.0 wake=1.1 ) Excluded from smearing
    Uid u0a123: 1.23 ( cpu=1.00 wake=0.23 ) Including smearing: 1.5 ( screen=0.2 )
    Uid u0a77: 0.50 ( cpu=0.50 )
"""
BATTERYSTATS_NEW = """  Estimated power use (mAh):
    Capacity: 4614, Computed drain: 63.9, actual drain: 0
    Global
      screen: 10.6 apps: 10.6 duration: 10m 4s 0ms
    UID u0a123: 2.75 fg: 2.75 ( cpu=2.50 (1m 3s 0ms) )
"""


def test_getprop_all_keeps_brackets_and_empty_values():
    p = parse.getprop_all(GETPROP)
    assert p["ro.product.model"] == "Pixel 8"
    assert p["persist.sys.empty"] == ""
    assert p["ro.odd"] == "a [b] c"


def test_dumpsys_battery_units_and_fake_unplug():
    b = parse.dumpsys_battery(BATTERY)
    assert b["level_pct"] == 85.0 and b["voltage_mv"] == 4271 and b["temp_c"] == 28.1
    assert b["usb_powered"] and not b["ac_powered"] and b["status"] == 2
    assert b["updates_stopped"]
    assert not parse.dumpsys_battery(BATTERY.replace("  (UPDATES STOPPED -- use 'reset' to restart)\n", ""))["updates_stopped"]


def test_thermalservice_status_and_hal_temperatures_not_cached():
    t = parse.dumpsys_thermalservice(THERMAL)
    assert t["status"] == 2
    assert t["temps_c"]["battery"] == 31.5  # current HAL value, not the cached 99.0
    assert t["max_temp_c_by_type"]["cpu"] == 47.0 and t["max_temp_c_by_type"]["skin"] == 33.1


def test_df_plain_and_wrapped():
    assert parse.df_k(DF) == {"total_kb": 115289920, "used_kb": 45678120, "available_kb": 69480344, "mount": "/data"}
    assert parse.df_k(DF_WRAPPED)["available_kb"] == 69480344


def test_sha256sum_skips_missing_and_keeps_spaces():
    h = "a" * 64
    text = f"{h}  /data/local/tmp/mobilekit/x y.pte\nsha256sum: /data/local/tmp/nope: No such file or directory\n"
    assert parse.sha256sum(text) == {"/data/local/tmp/mobilekit/x y.pte": h}


def test_time_in_state():
    assert parse.time_in_state("300000 1200\n576000 30\n1803000 4567\n") == {300000: 1200, 576000: 30, 1803000: 4567}


def test_meminfo_cpuinfo():
    assert parse.meminfo_kb("MemTotal:        7801356 kB\nMemFree:  123 kB\nActive(anon): 5 kB\n")["MemTotal"] == 7801356
    assert parse.cpuinfo_hardware("processor\t: 0\nHardware\t: Qualcomm Technologies, Inc SM8250\n") == \
        "Qualcomm Technologies, Inc SM8250"


def test_dumpsys_package_and_uid_label():
    assert parse.dumpsys_package_version("    appId=10187\n")["user_id"] == 10187  # Android 11+ name
    text = "Packages:\n  Package [org.mobilekit.demo] (abc):\n    userId=10123\n    versionCode=7 minSdk=24 targetSdk=34\n    versionName=1.2.0\n"
    v = parse.dumpsys_package_version(text)
    assert v == {"version_name": "1.2.0", "version_code": 7, "user_id": 10123}
    assert parse.uid_label(10123) == "u0a123" and parse.uid_label(1010123) == "u10a123"


def test_batterystats_both_formats():
    assert parse.batterystats_uid_mah(BATTERYSTATS_OLD)["u0a123"] == 1.23
    assert parse.batterystats_uid_mah(BATTERYSTATS_OLD)["0"] == 20.1
    assert parse.batterystats_uid_mah(BATTERYSTATS_NEW) == {"u0a123": 2.75}


def test_power_wakefulness_am_start_pm():
    assert parse.wakefulness("  mWakefulness=Awake\n  mWakefulnessChanging=false\n") == "Awake"
    ok = "Starting: Intent { cmp=org.mobilekit.demo/.BenchmarkActivity (has extras) }\nStatus: ok\nLaunchState: COLD\nTotalTime: 345\nWaitTime: 350\nComplete\n"
    assert parse.am_start(ok) == {"error": None, "status": "ok", "total_time_ms": 345}
    missing = ("Starting: Intent { cmp=org.mobilekit.demo/.BenchmarkActivity }\nError type 3\n"
               "Error: Activity class {org.mobilekit.demo/org.mobilekit.demo.BenchmarkActivity} does not exist.\n")
    assert "does not exist" in parse.am_start(missing)["error"]
    assert parse.pm_list_packages("package:org.mobilekit.demo\npackage:org.mobilekit.demo.test\n") == [
        "org.mobilekit.demo", "org.mobilekit.demo.test"]


def test_stat_and_sampler_lines():
    assert parse.stat_size_mtime("1234 1700000000\n") == (1234, 1700000000)
    assert parse.stat_size_mtime("stat: '/x': No such file or directory") is None
    assert parse.sampler_line("1700000000123 -412000 3987000") == (1700000000123, -412000, 3987000)
    assert parse.sampler_line("cat: /sys/x: No such file") is None


def test_keyguard_and_battery_saver_from_dumpsys():
    policy = ("WINDOW MANAGER POLICY STATE (dumpsys window policy)\n    mAwake=true\n    mDreamingLockscreen=true\n"
              "    KeyguardServiceDelegate\n      showing=false\n      secure=false\n")
    assert parse.keyguard_locked(policy) is False  # the delegate's showing= wins over mDreamingLockscreen
    assert parse.keyguard_locked("    mDreamingLockscreen=true\n") is True
    assert parse.keyguard_locked("nothing here") is None
    assert parse.power_save_mode("  mIsPowerSaveMode=true\n") is True
    assert parse.power_save_mode("  mLowPowerModeEnabled=false\n") is False
    assert parse.power_save_mode("") is None
