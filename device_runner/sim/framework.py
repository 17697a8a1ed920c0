"""Android framework commands of the simulated phone: getprop, pm, am, dumpsys, cmd, run-as, sh.

Output formats follow real phones (Android 14): ``[key]: [value]`` from getprop, ``am start -W``'s
``Status/LaunchState/TotalTime/WaitTime/Complete`` block, ``dumpsys battery``'s ``Current Battery
Service state:`` block, and so on. ``sh SCRIPT`` only emulates mobilekit's energy sampler (a script
whose first line is ``# mobilekit-sampler/1``); the simulated phone does not interpret shell scripts.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

from .filesystem import FsError
from .profile import APP_UID, PACKAGE
from .shell import SH, Ctx, Shell

SAMPLER_MARKER = b"# mobilekit-sampler/1"
ACTIVITIES = ("BenchmarkActivity", "MainActivity")
SYSTEM_PACKAGES = ("android", "com.android.shell", "com.android.settings", "com.android.systemui")
BATTERY_STATUS = {"Unknown": 1, "Charging": 2, "Discharging": 3, "Not charging": 4, "Full": 5}


# --- getprop -----------------------------------------------------------------------------------
def getprop(ctx: Ctx) -> int:
    props = ctx.phone.properties
    if len(ctx.argv) > 1:
        ctx.print(props.get(ctx.argv[1], ctx.argv[2] if len(ctx.argv) > 2 else ""))
        return 0
    for key in sorted(props):
        ctx.print(f"[{key}]: [{props[key]}]")
    return 0


# --- pm ----------------------------------------------------------------------------------------
def pm(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    app = ctx.phone.app
    if not args:
        ctx.error("usage: pm [list|path|install|uninstall] ...")
        return 1
    sub, rest = args[0], args[1:]
    if sub == "list" and rest[:1] == ["packages"]:
        flt = next((a for a in rest[1:] if not a.startswith("-")), "")
        pkgs = list(SYSTEM_PACKAGES) + ([PACKAGE] if app.installed else [])
        for p in pkgs:
            if flt in p:
                ctx.print(f"package:{p}")
        return 0
    if sub == "path":
        if rest and rest[-1] == PACKAGE and app.installed:
            ctx.print(f"package:{app.code_path}/base.apk")
            return 0
        return 1
    if sub == "install":
        files = [a for a in rest if not a.startswith("-")]
        if not files:
            ctx.error("Error: no package specified")
            return 1
        path = ctx.path(files[-1])
        try:
            data = ctx.phone.fs.read_bytes(path, ctx.who)
        except FsError:
            ctx.error(f"Error: Can't open file: {files[-1]}")
            ctx.error("Consider using a file under /data/local/tmp/")
            return 1
        if ctx.phone.faults.full_disk:
            ctx.print("Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE]")
            return 1
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                if "AndroidManifest.xml" not in names:
                    raise zipfile.BadZipFile("no AndroidManifest.xml")
                manifest = zf.read("AndroidManifest.xml")
        except (zipfile.BadZipFile, OSError) as exc:
            ctx.print(f"Failure [INSTALL_FAILED_INVALID_APK: Failed to parse {files[-1]}: {exc}]")
            return 1
        m = re.search(rb'versionName="([^"]+)"', manifest)
        app.install(m.group(1).decode("utf-8", "replace") if m else None)
        ctx.print("Success")
        return 0
    if sub == "uninstall":
        if rest and rest[-1] == PACKAGE and app.installed:
            app.uninstall()
            ctx.print("Success")
            return 0
        ctx.print("Failure [DELETE_FAILED_INTERNAL_ERROR]")
        return 1
    ctx.error(f"pm: unknown command '{sub}'")
    return 1


# --- am ----------------------------------------------------------------------------------------
def _parse_intent(args: list[str]) -> tuple[dict, dict]:
    opts: dict = {"wait": False, "stop": False, "component": None}
    extras: dict = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-W":
            opts["wait"] = True
        elif a == "-S":
            opts["stop"] = True
        elif a == "-n" and i + 1 < len(args):
            opts["component"] = args[i + 1]
            i += 1
        elif a in ("--es", "--ei", "--ez", "--el", "--ef") and i + 2 < len(args):
            key, value = args[i + 1], args[i + 2]
            if a == "--ei" or a == "--el":
                extras[key] = int(value)
            elif a == "--ez":
                extras[key] = value.lower() in ("true", "t", "1")
            elif a == "--ef":
                extras[key] = float(value)
            else:
                extras[key] = value
            i += 2
        elif a in ("-a", "-c", "-d", "-t", "-f", "--user") and i + 1 < len(args):
            i += 1
        i += 1
    return opts, extras


def am(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    app = ctx.phone.app
    if not args:
        ctx.error("usage: am [start|force-stop|kill] ...")
        return 1
    sub = args[0]
    if sub in ("force-stop", "kill"):
        if len(args) > 1 and args[-1] == PACKAGE:
            app.force_stop()
        return 0
    if sub not in ("start", "start-activity"):
        ctx.error(f"Error: unknown command '{sub}'")
        return 1
    try:
        opts, extras = _parse_intent(args[1:])
    except ValueError as exc:
        ctx.error(f"Error: {exc}")
        return 1
    comp = opts["component"] or ""
    pkg, _, cls = comp.partition("/")
    full_cls = pkg + cls if cls.startswith(".") else cls
    short = full_cls.rsplit(".", 1)[-1]
    ctx.print(f"Starting: Intent {{ cmp={comp}{' (has extras)' if extras else ''} }}")
    if pkg != PACKAGE or not app.installed or short not in ACTIVITIES or full_cls != f"{PACKAGE}.{short}":
        ctx.print("Error type 3")
        ctx.print(f"Error: Activity class {{{pkg}/{full_cls}}} does not exist.")
        return 1
    if opts["stop"]:
        app.force_stop()
    cold = app.pid is None
    if short == "BenchmarkActivity":
        if app.benchmark_running() and not opts["stop"]:
            ctx.print("Warning: Activity not started, its current task has been brought to the front")
            return 0
        app.start_benchmark(extras)
    else:
        app.ensure_process()
    try:
        if opts["wait"]:
            total = int((380 if cold else 120) * ctx.phone.speed)
            ctx.sleep(min(total, 300) / 1000.0 / 4)
            ctx.print("\n".join(["Status: ok", f"LaunchState: {'COLD' if cold else 'WARM'}", f"Activity: {pkg}/.{short}",
                                 f"TotalTime: {total}", f"WaitTime: {total + 6}", "Complete"]))
    finally:
        app.launch_answered.set()
    return 0


# --- dumpsys -----------------------------------------------------------------------------------
def _dumpsys_battery(ctx: Ctx, args: list[str]) -> int:
    fw = ctx.phone.battery_service
    if args[:1] == ["unplug"]:
        fw.update(ac=False, usb=False, wireless=False)
        return 0
    if args[:1] == ["reset"]:
        fw.clear()
        return 0
    if args[:1] == ["set"] and len(args) >= 3:
        key, value = args[1], args[2]
        mapping = {"level": "level", "ac": "ac", "usb": "usb", "wireless": "wireless", "status": "status",
                   "temp": "temp", "present": "present", "counter": "counter", "invalid": "invalid"}
        if key not in mapping:
            ctx.error(f"Unknown set option: {key}")
            return 1
        try:
            fw.update(**{mapping[key]: int(value)})
        except ValueError:
            ctx.error(f"Bad value: {value}")
            return 1
        return 0
    r = ctx.phone.power.reading()
    o = fw.overrides
    usb = bool(o.get("usb", r.charging))
    ac, wireless = bool(o.get("ac", False)), bool(o.get("wireless", False))
    status = o.get("status", BATTERY_STATUS[r.status])
    if "status" not in o and not (usb or ac or wireless) and r.charging:
        status = BATTERY_STATUS["Discharging"]  # the framework believes the fake unplug; sysfs does not
    lines = ["Current Battery Service state:"]
    if o:
        lines.append("  (UPDATES STOPPED -- use 'reset' to restart)")
    lines += [
        f"  AC powered: {str(ac).lower()}",
        f"  USB powered: {str(usb).lower()}",
        f"  Wireless powered: {str(wireless).lower()}",
        "  Dock powered: false",
        f"  Max charging current: {int(ctx.phone.profile.usb_charge_ma * 1000) if r.charging else 0}",
        f"  Max charging voltage: {5000000 if r.charging else 0}",
        f"  Charging counter: {int(o.get('counter', r.charge_uah))}",
        f"  status: {status}",
        "  health: 2",
        f"  present: {str(bool(o.get('present', 1))).lower()}",
        f"  level: {int(o.get('level', r.level_pct))}",
        "  scale: 100",
        f"  voltage: {int(r.voltage_uv / 1000)}",
        f"  temperature: {int(o.get('temp', round(r.temp_c * 10)))}",
        "  technology: Li-ion",
    ]
    ctx.print("\n".join(lines))
    return 0


def _dumpsys_batterystats(ctx: Ctx, args: list[str]) -> int:
    power = ctx.phone.power
    if "--reset" in args:
        power.reset_batterystats()
        ctx.print("Battery stats reset.")
        return 0
    r = power.reading()
    app_mah = power.app_power_mah()
    idle_mah = ctx.phone.profile.idle_w / 3.85 * 1000 * (time.time() - power.stats_since) / 3600
    secs = max(0.0, power.app_cpu_s)
    lines = [
        "Statistics since last charge:",
        f"  System starts: 1, currently on battery: {str(not r.charging).lower()}",
        "",
        "Estimated power use (mAh):",
        f"    Capacity: {int(ctx.phone.profile.battery_capacity_mah)}, Computed drain: {idle_mah + app_mah:.2f}, "
        f"actual drain: 0-{max(idle_mah + app_mah, 0.01):.2f}",
        "    Global",
        f"      screen: 0.00 idle: {idle_mah:.2f} apps: {app_mah:.2f}",
    ]
    if ctx.phone.app.installed:
        m, s = divmod(secs, 60)
        lines.append(f"    Uid u0a{APP_UID - 10000}: {app_mah:.2f} ( cpu={app_mah:.2f} ({int(m)}m {s:.3f}s) )")
    lines.append(f"    Uid 1000: {idle_mah * 0.2:.2f} ( cpu={idle_mah * 0.2:.2f} )")
    ctx.print("\n".join(lines))
    return 0


def _temperature_lines(ctx: Ctx) -> list[str]:
    power = ctx.phone.power
    t = power.reading().temp_c
    status = power.thermal_status()
    cpu_t = t + 4.0 + 2.0 * power.busy_threads
    return [f"\tTemperature{{mValue={t:.1f}, mType=2, mName=battery, mStatus={status}}}",
            f"\tTemperature{{mValue={t + 2.0:.1f}, mType=3, mName=skin, mStatus={status}}}",
            f"\tTemperature{{mValue={cpu_t:.1f}, mType=0, mName=cpu0, mStatus={status}}}",
            f"\tTemperature{{mValue={cpu_t + 1.5:.1f}, mType=0, mName=cpu7, mStatus={status}}}"]


def _dumpsys_thermal(ctx: Ctx, args: list[str]) -> int:
    power = ctx.phone.power
    temps = _temperature_lines(ctx)
    lines = [f"IsStatusOverride: {str(power.thermal_override is not None).lower()}",
             "ThermalEventListeners:", "\tcallbacks: 1", "\tkilled: false", "\tbroadcasts count: -1",
             "ThermalStatusListeners:", "\tcallbacks: 1", "\tkilled: false", "\tbroadcasts count: -1",
             f"Thermal Status: {power.thermal_status()}", "Cached temperatures:", *temps,
             "HAL Ready: true", "HAL connection:", "\tThermalHAL AIDL 1  connected: yes (simulated)",
             "Current temperatures from HAL:", *temps,
             "Current cooling devices from HAL:", "\tCoolingDevice{mValue=0, mType=2, mName=cpu0}"]
    ctx.print("\n".join(lines))
    return 0


def _dumpsys_meminfo(ctx: Ctx, args: list[str]) -> int:
    app = ctx.phone.app
    target = next((a for a in args if not a.startswith("-")), None)
    if target != PACKAGE or app.pid is None:
        ctx.print(f"No process found for: {target}")
        return 0
    pss = app.pss_kb()
    native, java = int(pss * 0.55), int(pss * 0.15)
    lines = ["Applications Memory Usage (in Kilobytes):", f"Uptime: {int(ctx.phone.uptime_s() * 1000)} Realtime: {int(ctx.phone.uptime_s() * 1000)}",
             "", f"** MEMINFO in pid {app.pid} [{PACKAGE}] **",
             "                   Pss  Private  Private  SwapPss      Rss     Heap     Heap     Heap",
             "                 Total    Dirty    Clean    Dirty    Total     Size    Alloc     Free",
             "                ------   ------   ------   ------   ------   ------   ------   ------",
             f"  Native Heap {native:>9} {native:>8} {0:>8} {0:>8} {native + 800:>8} {native + 4000:>8} {native:>8} {4000:>8}",
             f"  Dalvik Heap {java:>9} {java:>8} {0:>8} {0:>8} {java + 500:>8} {java + 2000:>8} {java:>8} {2000:>8}",
             f"        TOTAL {pss:>8} {pss - 2000:>8} {1500:>8} {0:>8} {pss + 30000:>8} {native + java + 6000:>8} {native + java:>8} {6000:>8}",
             "", " App Summary", "                       Pss(KB)                        Rss(KB)",
             "                        ------                         ------",
             f"           Java Heap: {java:>8}                       {java + 500:>8}",
             f"         Native Heap: {native:>8}                       {native + 800:>8}",
             f"           TOTAL PSS: {pss:>8}            TOTAL RSS: {pss + 30000:>8}       TOTAL SWAP PSS: {0:>8}"]
    ctx.print("\n".join(lines))
    return 0


def _dumpsys_package(ctx: Ctx, args: list[str]) -> int:
    app = ctx.phone.app
    target = next((a for a in args if not a.startswith("-")), None)
    if target != PACKAGE or not app.installed:
        return 0
    flags = "HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP" + ("" if ctx.phone.faults.not_debuggable else " DEBUGGABLE")
    ctx.print("\n".join([
        "Activity Resolver Table:", "  Non-Data Actions:", "      android.intent.action.MAIN:",
        f"        1a2b3c4 {PACKAGE}/.MainActivity filter 5d6e7f8", "",
        "Packages:", f"  Package [{PACKAGE}] (9c0ffee):", f"    appId={APP_UID}",
        f"    pkg=Package{{7e1a2b3 {PACKAGE}}}", f"    codePath={app.code_path}",
        f"    resourcePath={app.code_path}", f"    primaryCpuAbi={ctx.phone.profile.abi}",
        f"    versionCode={app.version_code} minSdk=24 targetSdk=34", f"    versionName={app.version_name}",
        f"    flags=[ {flags} ]", f"    dataDir=/data/user/0/{PACKAGE}", "    timeStamp=2026-11-22 00:00:00",
        "    firstInstallTime=2026-11-22 00:00:00", "    lastUpdateTime=2026-11-22 00:00:00"]))
    return 0


def _dumpsys_power(ctx: Ctx, args: list[str]) -> int:
    r = ctx.phone.power.reading()
    screen = ctx.phone.screen
    ctx.print("\n".join([
        "POWER MANAGER (dumpsys power)", "", "Power Manager State:", "  mDirty=0x0",
        f"  mWakefulness={'Awake' if screen.awake else 'Asleep'}",
        f"  mIsPowerSaveMode={str(screen.battery_saver).lower()}",
        "  mWakefulnessChanging=false", f"  mIsPowered={str(r.charging).lower()}", f"  mPlugType={2 if r.charging else 0}",
        f"  mBatteryLevel={r.level_pct}", "  mStayOn=false", "  mProximityPositive=false", "  mBootCompleted=true",
        "  mSystemReady=true", f"  mIsFixedPerformanceModeEnabled={str(ctx.phone.power.fixed_performance).lower()}"]))
    return 0


def _dumpsys_window(ctx: Ctx, args: list[str]) -> int:
    screen = ctx.phone.screen
    ctx.print("\n".join([
        "WINDOW MANAGER POLICY STATE (dumpsys window policy)",
        f"    mAwake={str(screen.awake).lower()}", f"    mScreenOnEarly={str(screen.awake).lower()}",
        f"    mDreamingLockscreen={str(screen.keyguard_locked).lower()}",
        "    KeyguardServiceDelegate",
        f"      showing={str(screen.keyguard_locked).lower()}", f"      secure={str(screen.secure).lower()}"]))
    return 0


def dumpsys(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if not args:
        ctx.print("Currently running services:\n  battery\n  batterystats\n  meminfo\n  package\n  power\n  thermalservice"
                  "\n  window")
        return 0
    service, rest = args[0], args[1:]
    handler = {"battery": _dumpsys_battery, "batterystats": _dumpsys_batterystats, "thermalservice": _dumpsys_thermal,
               "meminfo": _dumpsys_meminfo, "package": _dumpsys_package, "power": _dumpsys_power,
               "window": _dumpsys_window}.get(service)
    if handler is None:
        ctx.print(f"Can't find service: {service}")
        return 0
    return handler(ctx, rest)


# --- cmd ---------------------------------------------------------------------------------------
def cmd(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    power = ctx.phone.power
    if args[:2] == ["power", "set-fixed-performance-mode-enabled"] and len(args) == 3 and args[2] in ("true", "false"):
        power.fixed_performance = args[2] == "true"
        return 0
    if args[:2] == ["thermalservice", "override-status"] and len(args) == 3 and args[2].isdigit():
        power.thermal_override = max(0, min(6, int(args[2])))
        return 0
    if args[:2] == ["thermalservice", "reset"]:
        power.thermal_override = None
        return 0
    if args[:1] == ["package"]:
        return pm(Ctx(ctx.phone, ctx.shell, ["pm"] + args[1:], ctx.stdin, ctx.out, ctx.err))
    if args[:1] == ["activity"]:
        return am(Ctx(ctx.phone, ctx.shell, ["am"] + args[1:], ctx.stdin, ctx.out, ctx.err))
    if not args:
        ctx.error("cmd: No service specified; use -l to list all running services.")
        return 20
    ctx.error(f"cmd: Can't find service: {args[0]}" if args[0] not in ("power", "thermalservice")
              else f"Unknown command: {' '.join(args[1:])}")
    return 20 if args[0] not in ("power", "thermalservice") else 255


# --- input, wm, settings: the screen and battery saver ----------------------------------------------
KEYCODES = {"KEYCODE_WAKEUP": 224, "KEYCODE_SLEEP": 223, "KEYCODE_POWER": 26, "KEYCODE_MENU": 82, "KEYCODE_HOME": 3}


def input_(ctx: Ctx) -> int:
    """``input keyevent KEYCODE_WAKEUP|224|KEYCODE_SLEEP|223|KEYCODE_POWER|26|...`` (other input is accepted, no-op)."""
    args = ctx.argv[1:]
    if args[:1] != ["keyevent"] or len(args) < 2:
        if args[:1] in (["tap"], ["swipe"], ["text"]):
            return 0
        ctx.error("Usage: input [<source>] <command> [<arg>...]\n  keyevent [--longpress] <key code number or name> ...")
        return 1
    screen = ctx.phone.screen
    for key in args[1:]:
        if key == "--longpress":
            continue
        code = KEYCODES.get(key, int(key) if key.isdigit() else None)
        if code is None:
            ctx.error(f"Error: Unknown keycode: {key}")
            return 1
        if code == 224:
            screen.wake()
        elif code == 223:
            screen.sleep()
        elif code == 26:
            screen.sleep() if screen.awake else screen.wake()
    return 0


def wm(ctx: Ctx) -> int:
    """``wm dismiss-keyguard``: dismisses a keyguard that is not secure (a PIN/pattern needs the user)."""
    args = ctx.argv[1:]
    if args == ["dismiss-keyguard"]:
        screen = ctx.phone.screen
        if screen.awake and not screen.secure:
            screen.keyguard_locked = False
        return 0
    if args[:1] in (["size"], ["density"]):
        ctx.print("Physical size: 1080x2400" if args[0] == "size" else "Physical density: 420")
        return 0
    ctx.error(f"Error: unknown command '{' '.join(args)}'")
    return 1


def settings(ctx: Ctx) -> int:
    """``settings get|put global low_power [0|1]`` (battery saver); other keys read as ``null``."""
    args = ctx.argv[1:]
    screen = ctx.phone.screen
    if len(args) == 3 and args[0] == "get" and args[1] == "global":
        ctx.print(("1" if screen.battery_saver else "0") if args[2] == "low_power" else "null")
        return 0
    if len(args) == 4 and args[0] == "put" and args[1] == "global" and args[2] == "low_power":
        screen.battery_saver = args[3] == "1"
        return 0
    ctx.error("usage: settings [--user <USER_ID>] get|put namespace key [value]")
    return 1


# --- run-as, kill, pidof, logcat ----------------------------------------------------------------
def run_as(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if not args:
        ctx.error("usage: run-as <package-name> [--user <uid>] <command> [<args>]")
        return 1
    pkg, rest = args[0], args[1:]
    if rest[:1] == ["--user"] and len(rest) >= 2:
        rest = rest[2:]
    if pkg != PACKAGE or not ctx.phone.app.installed:
        ctx.error(f"run-as: unknown package: {pkg}")
        return 1
    if ctx.phone.faults.not_debuggable:
        ctx.error(f"run-as: package not debuggable: {pkg}")
        return 1
    sub = Shell(ctx.phone, "app", f"/data/data/{PACKAGE}", ctx.shell.cancelled)
    if not rest:
        rest = ["sh"]
    return sub.execute(rest, ctx.stdin, ctx.out, ctx.err)


def kill(ctx: Ctx) -> int:
    pids = [a for a in ctx.argv[1:] if not a.startswith("-")]
    status = 0
    for p in pids:
        if ctx.phone.app.pid is not None and p == str(ctx.phone.app.pid):
            if ctx.who == "shell":
                ctx.error(f"kill: pid {p}: Operation not permitted")
                status = 1
            else:
                ctx.phone.app.force_stop()
        else:
            ctx.error(f"kill: pid {p}: No such process")
            status = 1
    return status


def pidof(ctx: Ctx) -> int:
    if ctx.argv[1:] == [PACKAGE] and ctx.phone.app.pid is not None:
        ctx.print(str(ctx.phone.app.pid))
        return 0
    return 1


def logcat(ctx: Ctx) -> int:
    if "-c" in ctx.argv:
        ctx.phone.app.log.clear()
        return 0
    ctx.print("--------- beginning of main")
    for line in list(ctx.phone.app.log):
        ctx.print(line)
    return 0


# --- sh: the energy sampler --------------------------------------------------------------------
def sh(ctx: Ctx) -> int:
    args = ctx.argv[1:]
    if args[:1] == ["-c"] and len(args) >= 2:
        sub = Shell(ctx.phone, ctx.who, ctx.shell.cwd, ctx.shell.cancelled)  # a child shell: its exit is its own
        return sub.run(args[1], ctx.out, ctx.err, ctx.stdin)
    if not args:
        ctx.error(f"{SH}: interactive sh is not supported inside a command by the simulated phone")
        return 2
    script = args[0]
    try:
        text = ctx.phone.fs.read_bytes(ctx.path(script), ctx.who)
    except FsError as exc:
        ctx.error(f"{SH}: {script}: {exc.reason}")
        return 127
    if text.splitlines()[:1] != [SAMPLER_MARKER]:
        ctx.error(f"{SH}: {script}: the simulated phone does not interpret shell scripts; "
                  f"it only emulates scripts whose first line is '{SAMPLER_MARKER.decode()}'")
        return 2
    try:
        period_s = float(args[1])
        count = int(args[2])
    except (IndexError, ValueError):
        ctx.error(f"usage: sh {script} PERIOD_S COUNT")
        return 2
    if period_s <= 0 or count < 0:
        ctx.error(f"usage: sh {script} PERIOD_S COUNT (PERIOD_S > 0, COUNT >= 0; 0 runs until closed)")
        return 2
    period_s = max(period_s, 0.005)
    limit = count if count > 0 else 10_000_000
    power = ctx.phone.power
    start = time.monotonic()
    for i in range(limit):
        if i:
            if not ctx.sleep(start + i * period_s - time.monotonic()):
                break
        current = power.sysfs_current_now()
        voltage = int(power.reading().voltage_uv)
        ctx.print(f"{int(time.time() * 1000)} {current} {voltage}")
    return 0


COMMANDS = {
    "getprop": getprop, "pm": pm, "am": am, "dumpsys": dumpsys, "cmd": cmd, "run-as": run_as, "kill": kill,
    "pidof": pidof, "logcat": logcat, "sh": sh, "input": input_, "wm": wm, "settings": settings,
}
