"""Parsers for the text Android prints (getprop, dumpsys, df, sha256sum, sysfs...), into plain values.

Device text is parsed once, here, at the edge; each function takes the command's output and returns
numbers with units in their names. They are pure functions tested against real-phone sample text.
"""

from __future__ import annotations

import re

_GETPROP = re.compile(r"^\[([^\]]*)\]: \[(.*)\]$")


def getprop_all(text: str) -> dict[str, str]:
    """``getprop`` (no key): ``[key]: [value]`` a line -> dict. Multi-line values keep their first line."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _GETPROP.match(line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def key_values(text: str, sep: str = ":") -> dict[str, str]:
    """``  Key: value`` lines (dumpsys battery and friends) -> {key: value}, keys stripped."""
    out = {}
    for line in text.splitlines():
        if sep in line:
            k, v = line.split(sep, 1)
            out[k.strip()] = v.strip()
    return out


def dumpsys_battery(text: str) -> dict:
    """``dumpsys battery`` -> level_pct, status, plugged flags, voltage_mv, temp_c, updates_stopped."""
    kv = key_values(text)

    def num(key: str) -> int | None:
        v = kv.get(key)
        try:
            return int(v) if v is not None else None
        except ValueError:
            return None

    level, scale = num("level"), num("scale") or 100
    temp = num("temperature")
    return {
        "level_pct": None if level is None else round(100.0 * level / scale, 1),
        "status": num("status"),  # BatteryManager.BATTERY_STATUS_*: 2 charging, 3 discharging, 4 not charging, 5 full
        "ac_powered": kv.get("AC powered") == "true",
        "usb_powered": kv.get("USB powered") == "true",
        "wireless_powered": kv.get("Wireless powered") == "true",
        "voltage_mv": num("voltage"),
        "temp_c": None if temp is None else temp / 10.0,  # tenths of a degree
        "updates_stopped": "UPDATES STOPPED" in text,
    }


_THERMAL_STATUS = re.compile(r"Thermal Status:\s*(-?\d+)")
_TEMPERATURE = re.compile(r"Temperature\{mValue=([-\d.]+|NaN), mType=(-?\d+), mName=([^,]*), mStatus=(-?\d+)")
TEMP_TYPES = {0: "cpu", 1: "gpu", 2: "battery", 3: "skin", 4: "usb_port", 5: "power_amplifier", 6: "bcl_voltage",
              7: "bcl_current", 8: "bcl_percentage", 9: "npu"}


def dumpsys_thermalservice(text: str) -> dict:
    """``dumpsys thermalservice`` -> status (0 none .. 6 shutdown) and the HAL's current temperatures.

    Temperatures come from the "Current temperatures from HAL" block (the cached block as fallback), as
    ``{name: temp_c}`` plus ``max_temp_c_by_type``.
    """
    m = _THERMAL_STATUS.search(text)
    status = int(m.group(1)) if m else None
    block = text
    if "Current temperatures from HAL" in text:
        block = text.split("Current temperatures from HAL", 1)[1]
        block = re.split(r"\n\S", block, maxsplit=1)[0] if "\n" in block else block
    temps: dict[str, float] = {}
    by_type: dict[str, float] = {}
    for value, typ, name, _status in _TEMPERATURE.findall(block):
        if value == "NaN":
            continue
        t = float(value)
        temps[name] = t
        kind = TEMP_TYPES.get(int(typ), str(typ))
        by_type[kind] = max(t, by_type.get(kind, t))
    return {"status": status, "temps_c": temps, "max_temp_c_by_type": by_type}


def df_k(text: str) -> dict:
    """``df -k PATH`` (toybox) -> total_kb, used_kb, available_kb, mount. Handles wrapped filesystem names."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("Filesystem")]
    if not lines:
        raise ValueError(f"no data line in df output: {text!r}")
    fields = " ".join(lines[-2:] if len(lines[-1].split()) < 5 else lines[-1:]).split()
    # ... total used available use% mounted-on (the filesystem name may contain anything, so read from the end)
    return {"total_kb": int(fields[-5]), "used_kb": int(fields[-4]), "available_kb": int(fields[-3]), "mount": fields[-1]}


_SHA_LINE = re.compile(r"^([0-9a-f]{64})\s+\*?(.+)$")


def sha256sum(text: str) -> dict[str, str]:
    """``sha256sum FILE...`` -> {path: hex}; lines for missing files (``sha256sum: x: No such file``) are skipped."""
    out = {}
    for line in text.splitlines():
        m = _SHA_LINE.match(line.strip())
        if m:
            out[m.group(2)] = m.group(1)
    return out


def time_in_state(text: str) -> dict[int, int]:
    """``cpufreq/stats/time_in_state`` -> {freq_khz: time_10ms} (time is in USER_HZ ticks, 10 ms)."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            out[int(parts[0])] = int(parts[1])
    return out


def meminfo_kb(text: str) -> dict[str, int]:
    """``/proc/meminfo`` -> {"MemTotal": kb, ...}."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\w+(?:\(\w+\))?):\s+(\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def cpuinfo_hardware(text: str) -> str | None:
    """The ``Hardware`` line of ``/proc/cpuinfo`` (older kernels name the SoC there)."""
    for line in text.splitlines():
        if line.lower().startswith("hardware") and ":" in line:
            return line.split(":", 1)[1].strip() or None
    return None


def dumpsys_package_version(text: str) -> dict:
    """``dumpsys package PKG`` -> version_name, version_code, user_id (first occurrence of each)."""
    name = re.search(r"versionName=(\S+)", text)
    code = re.search(r"versionCode=(\d+)", text)
    uid = re.search(r"(?:userId|appId)=(\d+)", text)
    return {"version_name": name.group(1) if name else None, "version_code": int(code.group(1)) if code else None,
            "user_id": int(uid.group(1)) if uid else None}


def uid_label(app_uid: int) -> str:
    """Android's printed form of an app UID: 10123 -> ``u0a123``; 1010123 -> ``u10a123``."""
    user, app = divmod(app_uid, 100000)
    return f"u{user}a{app - 10000}" if app >= 10000 else str(app_uid)


_UID_POWER = re.compile(r"^\s*uid\s+(u\d+a\d+|\d+)\s*:\s*([\d.]+)", re.I | re.M)


def batterystats_uid_mah(text: str) -> dict[str, float]:
    """``dumpsys batterystats --charged PKG`` -> {uid label: estimated mAh} from "Estimated power use (mAh)".

    Both the old (``Uid u0a123: 1.23 ( cpu=... )``) and the Android 12+ (``UID u0a123: 1.23 fg: ...``) forms.
    """
    if "Estimated power use" in text:
        text = text.split("Estimated power use", 1)[1]
    return {m.group(1).lower(): float(m.group(2)) for m in _UID_POWER.finditer(text)}


def wakefulness(text: str) -> str | None:
    """``dumpsys power`` -> ``Awake``/``Asleep``/``Dozing``/``Dreaming`` from ``mWakefulness=``."""
    m = re.search(r"mWakefulness=(\w+)", text)
    return m.group(1) if m else None


def keyguard_locked(text: str) -> bool | None:
    """``dumpsys window policy`` -> whether the keyguard shows (``showing=`` of KeyguardServiceDelegate, else
    ``mDreamingLockscreen=`` / ``isKeyguardShowing=``)."""
    for pat in (r"KeyguardServiceDelegate[\s\S]*?showing=(true|false)", r"mDreamingLockscreen=(true|false)",
                r"isKeyguardShowing=(true|false)", r"mShowingLockscreen=(true|false)"):
        m = re.search(pat, text)
        if m:
            return m.group(1) == "true"
    return None


def power_save_mode(text: str) -> bool | None:
    """``dumpsys power`` -> battery saver from ``mIsPowerSaveMode=`` (older: ``mLowPowerModeEnabled=``)."""
    m = re.search(r"(?:mIsPowerSaveMode|mLowPowerModeEnabled)=(true|false)", text)
    return None if m is None else m.group(1) == "true"


_AM_ERRORS = (re.compile(r"^Error: [^\n]*", re.M), re.compile(r"^(?:Exception|java\.|Security)[^\n]*", re.M),
              re.compile(r"^Error[^\n]*", re.M))


def am_start(text: str) -> dict:
    """``am start -W`` -> status ("ok" or the error line), total_time_ms."""
    err = next((m for m in (r.search(text) for r in _AM_ERRORS) if m), None)
    status = re.search(r"^Status:\s*(\S+)", text, re.M)
    total = re.search(r"^TotalTime:\s*(\d+)", text, re.M)
    return {"error": err.group(0).strip() if err else None, "status": status.group(1) if status else None,
            "total_time_ms": int(total.group(1)) if total else None}


def pm_list_packages(text: str) -> list[str]:
    """``pm list packages X`` -> package names (it matches substrings; callers check equality)."""
    return [ln.strip()[len("package:"):] for ln in text.splitlines() if ln.strip().startswith("package:")]


def stat_size_mtime(text: str) -> tuple[int, int] | None:
    """``stat -c '%s %Y' F`` -> (size_bytes, mtime_s), or None when the file is missing."""
    parts = text.strip().split()
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return int(parts[0]), int(parts[1])
    return None


def sampler_line(line: str) -> tuple[int, int, int] | None:
    """``<epoch_ms> <current_now> <voltage_now>`` -> ints, or None for a line that is not a sample."""
    parts = line.split()
    if len(parts) != 3:
        return None
    try:
        return int(parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        return None
