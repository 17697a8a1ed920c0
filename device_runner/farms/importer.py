"""``mobilekit runs import``: a farm's pulled artifacts -> one run in the results store.

Understood layouts (found anywhere in the folder or zip, zips inside it opened):

- **mobilekit job folders** (``mobilekit farm aws``'s spec writes one per phone, Device Farm returns it in
  the customer artifacts): ``mobilekit-farm.json`` (the job record), ``getprop.txt``, ``env.txt``
  (``DEVICEFARM_DEVICE_*``), ``hardware.txt`` and ``cases/<app-run-id>/`` with ``result.json`` or
  ``error.txt``, ``state-before.txt``/``state-after.txt`` (thermal, battery, cpufreq) and ``cooldown.txt``.
- **loose results** (Firebase Test Lab's ``--directories-to-pull``, copied down with ``gsutil``):
  ``<device-dimension>/artifacts/.../mobilekit/<app-run-id>/result.json``; the device comes from the
  result's own ``device`` block and the dimension folder.

Every case becomes a stored case keyed as ``mobilekit bench`` keys them (``address|bundle/artifact|tN|rN``),
so ``compare`` and ``report`` treat the run like any other. Energy is always stored invalid, with the
reason: farm phones sit on USB power. A result.json that is not JSON or not a result is named and skipped;
the others are imported. Names in the archive are only ever used as labels (see :mod:`.archive`).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner import parse
from mobilekit.device_runner.farms.archive import Entry, Skipped, read_entries, show
from mobilekit.device_runner.farms.base import FARM_ENERGY_REASON, JOB_FILE, JOB_SCHEMA
from mobilekit.device_runner.store import Store

FIREBASE = "firebase-test-lab"


@dataclass
class ImportSummary:
    """What an import stored, and everything it refused with the reason."""

    run_id: str
    farm: str
    db_path: str
    devices: int = 0
    ok: int = 0
    failed: int = 0
    skipped: list = field(default_factory=list)   # [{"path", "reason"}]
    simulated: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Device:
    address: str
    info: dict
    cases: list = field(default_factory=list)     # (case_row, outcome)


def import_artifacts(source: Path, store: Store, farm: str | None = None, run_id: str | None = None) -> ImportSummary:
    """Read ``source`` (folder or zip), store it as one run, return the summary. User mistakes raise MobilekitError."""
    entries, refused = read_entries(Path(source))
    skipped: list[Skipped] = list(refused)
    by_path = {e.parts: e for e in entries}
    jobs = [e for e in entries if e.name == JOB_FILE]
    records: dict[tuple, dict] = {}
    for e in jobs:
        rec = _json(e, skipped)
        if rec is None:
            continue
        if rec.get("schema") != JOB_SCHEMA or not isinstance(rec.get("cases"), list):
            skipped.append(Skipped(e.shown, f"not a mobilekit job record (schema {str(rec.get('schema'))[:40]!r})"))
            continue
        records[e.parts[:-1]] = rec
    farm = farm or next((str(r.get("farm")) for r in records.values() if r.get("farm")), None)
    # A job folder (the AWS spec's) has the phone's getprop or cases/; a record alone (pulled back from Test Lab
    # next to loose results) only names the cases.
    job_dirs = sorted((d for d in records if d + ("getprop.txt",) in by_path
                       or any(p[:len(d) + 1] == d + ("cases",) for p in by_path)), key=len, reverse=True)
    known = {str(c.get("app_run_id")): c for r in records.values() for c in r["cases"] if isinstance(c, dict)}
    results = [e for e in entries if e.name == "result.json"]
    loose = [e for e in results if not any(e.parts[:len(d)] == d for d in job_dirs)]
    loops = [e for e in entries if e.name.endswith(".json") and e.name not in ("result.json", JOB_FILE)
             and not any(e.parts[:len(d)] == d for d in job_dirs)]
    if farm is None and (loose or loops) and any("artifacts" in e.parts for e in loose + loops):
        farm = FIREBASE
    if not records and not results:
        raise MobilekitError(f"No mobilekit results in {source}: no {JOB_FILE} and no result.json.",
                             hint="Pass the folder or zip the farm returned (AWS: the job's Customer Artifacts; "
                                  "Firebase: the results directory copied down with gsutil).")
    if farm is None:
        raise MobilekitError("Which farm produced these results? The artifacts do not say.",
                             hint="Pass --farm NAME (for example --farm firebase-test-lab).")
    farm = " ".join(str(farm).split())[:80]

    devices: dict[str, _Device] = {}
    plan: dict = {}
    bundle_name = None
    first_job_id = None
    for rec in records.values():
        first_job_id = first_job_id or str(rec.get("run_id") or "")
        plan = plan or dict(rec.get("plan") or {})
        bundle_name = bundle_name or str((rec.get("bundle") or {}).get("name") or "")
    for d in job_dirs:
        rec = records[d]
        dev = _job_device(d, rec, by_path, farm, devices)
        for c in rec["cases"]:
            _job_case(d, rec, c, dev, by_path, farm, skipped)
    seen: set[str] = set()
    for e in loose:
        _loose_case(e, None, farm, devices, skipped, known, seen)
    for e in loops:
        doc = _quiet_json(e)
        if isinstance(doc, dict) and doc.get("schema") == "mobilekit.gameloop/1":
            for i, res in enumerate(doc.get("results") or []):
                _loose_case(e, res, farm, devices, skipped, known, seen, f"{e.shown} results[{i}]")
            for err in doc.get("errors") or []:
                _loop_error(e, err, farm, devices)

    run_id = run_id or _job_run_id(first_job_id) or _fresh_run_id()
    try:
        store.run(run_id)
    except MobilekitError:
        pass
    else:
        raise MobilekitError(f"The store {store.path} already has a run {run_id}: these artifacts were imported before.",
                             hint=f"See it with `mobilekit runs show {run_id}`, or import again under a new id with --run-id.")
    plan = plan or {"devices": []}
    plan["imported_from"] = show(Path(source).name)
    if not bundle_name:
        bundle_name = next((c[0]["bundle_name"] for dev in devices.values() for c in dev.cases if c[0]["bundle_name"]), None)
    store.create_run(run_id, plan, bundle_name, None)
    store.set_run_farm(run_id, farm, {"source": show(Path(source).name), "job_run_id": first_job_id or None,
                                      "skipped": [s.to_dict() for s in skipped][:200]})
    summary = ImportSummary(run_id, farm, str(store.path), devices=len(devices))
    for dev in devices.values():
        store.put_device(run_id, dev.address, dev.info)
        store.add_pending_cases(run_id, [row for row, _ in dev.cases])
        for row, out in dev.cases:
            store.finish_case(run_id, row["case_key"], **out)
            if out["status"] == "ok":
                summary.ok += 1
                summary.simulated = summary.simulated or bool((out.get("result") or {}).get("simulated"))
            else:
                summary.failed += 1
    summary.simulated = summary.simulated or any(d.info.get("simulated") for d in devices.values())
    status = "finished" if summary.failed == 0 and summary.ok > 0 else "failed"
    store.set_run_status(run_id, status, note=f"imported from {farm}" + (f"; {len(skipped)} files skipped" if skipped else ""))
    summary.skipped = [s.to_dict() for s in skipped]
    return summary


# ---- devices -----------------------------------------------------------------------------------------
def _job_device(d: tuple, rec: dict, by_path: dict, farm: str, devices: dict) -> _Device:
    props = parse.getprop_all(_text(by_path.get(d + ("getprop.txt",))) or "")
    env = parse.key_values(_text(by_path.get(d + ("env.txt",))) or "", sep="=")
    hw = _text(by_path.get(d + ("hardware.txt",))) or ""
    first = hw.strip().splitlines()[0].strip() if hw.strip() else ""
    cores = int(first) if first.isdigit() else None
    mem = parse.meminfo_kb(hw)
    udid = env.get("DEVICEFARM_DEVICE_UDID") or props.get("ro.serialno") or show(d[-1] if d else "device")
    address = _unique(f"{farm}:{udid}", devices)
    sdk = props.get("ro.build.version.sdk", "")
    info = {
        "serial": props.get("ro.serialno") or udid,
        "manufacturer": props.get("ro.product.manufacturer", ""),
        "model": props.get("ro.product.model", "") or env.get("DEVICEFARM_DEVICE_NAME", "") or udid,
        "soc": " ".join(x for x in (props.get("ro.soc.manufacturer"), props.get("ro.soc.model")) if x)
               or props.get("ro.board.platform", "") or props.get("ro.hardware", ""),
        "abis": [a for a in props.get("ro.product.cpu.abilist", props.get("ro.product.cpu.abi", "")).split(",") if a],
        "android_sdk": int(sdk) if sdk.isdigit() else None,
        "android_release": props.get("ro.build.version.release", ""),
        "cores": cores, "ram_total_kb": mem.get("MemTotal"),
        "fingerprint": props.get("ro.build.fingerprint", ""),
        "simulated": any("mobilekit" in k and "sim" in k and v in ("1", "true") for k, v in props.items()),
        "farm": farm,
        "farm_device": {k: v for k, v in env.items() if k.startswith("DEVICEFARM_DEVICE_")},
        "fixed_performance_mode": None,
    }
    dev = _Device(address, info)
    devices[address] = dev
    return dev


def _unique(address: str, devices: dict) -> str:
    out, n = address, 2
    while out in devices:
        out, n = f"{address}#{n}", n + 1
    return out


def _loose_device(e: Entry, doc: dict, farm: str, devices: dict) -> _Device:
    parts = e.parts
    # Test Lab keeps one folder per device dimension (e.g. redfin-30-en-portrait) above these two.
    mark = next((i for i, p in enumerate(parts) if p in ("artifacts", "game_loop_results") and i > 0), None)
    dimension = parts[mark - 1] if mark is not None else None
    dv = doc.get("device") or {}
    label = dimension or " ".join(str(x) for x in (dv.get("manufacturer"), dv.get("model"), dv.get("android_sdk")) if x)
    address = f"{farm}:{label}"
    if address in devices:
        return devices[address]
    info = {"serial": label, "manufacturer": str(dv.get("manufacturer") or ""), "model": str(dv.get("model") or label),
            "soc": str(dv.get("soc") or ""), "abis": [dv["abi"]] if dv.get("abi") else [],
            "android_sdk": dv.get("android_sdk") if isinstance(dv.get("android_sdk"), int) else None,
            "cores": dv.get("cores") if isinstance(dv.get("cores"), int) else None,
            "simulated": bool(doc.get("simulated")), "farm": farm, "farm_device": {"dimension": dimension}}
    dev = _Device(address, info)
    devices[address] = dev
    return dev


# ---- cases -------------------------------------------------------------------------------------------
def _job_case(d: tuple, rec: dict, c: dict, dev: _Device, by_path: dict, farm: str, skipped: list) -> None:
    app_id = str(c.get("app_run_id") or "")
    row = _row(dev.address, c)
    base = d + ("cases", app_id)
    res_entry = by_path.get(base + ("result.json",))
    err = _text(by_path.get(base + ("error.txt",)))
    status_txt = (_text(by_path.get(base + ("status.txt",))) or "").strip()
    thermal, cpufreq, power = _states(by_path.get(base + ("state-before.txt",)), by_path.get(base + ("state-after.txt",)),
                                      _text(by_path.get(base + ("cooldown.txt",))))
    started = (_text(by_path.get(base + ("started_utc.txt",))) or "").strip()[:32] or None
    out: dict = {"thermal": thermal, "cpufreq": cpufreq, "started_utc": started}
    if res_entry is not None:
        doc = _result(res_entry, skipped, expect_run_id=app_id)
        if doc is not None:
            out.update(status="ok", result=doc, energy=_energy(farm, doc, power))
        else:
            out.update(status="failed", error=f"result.json could not be used (see the skipped files): {res_entry.shown}")
    elif err is not None or status_txt:
        out.update(status="failed", error=("the app reported an error: " if status_txt == "error" else "")
                   + (err or f"status {status_txt}").strip()[:500])
    else:
        out.update(status="failed", error="the farm brought nothing back for this case (the job stopped before it?)")
    dev.cases.append((row, out))


def _loose_case(e: Entry, doc: dict | None, farm: str, devices: dict, skipped: list, known: dict, seen: set,
                shown: str | None = None) -> None:
    """One result found outside a job folder (Test Lab's pulled folder, or inside a game-loop results file)."""
    if doc is None:
        doc = _result(e, skipped, expect_run_id=None)
    elif not _valid_result(doc, shown or e.shown, skipped):
        doc = None
    if doc is None:
        return
    rid = str(doc.get("run_id"))
    if rid in seen:            # the same case, pulled as a file and reported in the game-loop results
        return
    seen.add(rid)
    dev = _loose_device(e, doc, farm, devices)
    art = doc.get("artifact") or {}
    cfg = doc.get("config") or {}
    c = known.get(rid) or {"bundle_name": str((doc.get("app") or {}).get("bundle_name") or ""),
                           "artifact": str(art.get("file") or "?"), "runtime": art.get("runtime"),
                           "backend": art.get("backend"), "precision": art.get("precision"),
                           "artifact_bytes": art.get("bytes"), "threads": int(cfg.get("threads") or 0)}
    c = dict(c)
    if rid not in known:
        c["repeat_index"] = sum(1 for r, _ in dev.cases if r["artifact"] == c["artifact"] and r["threads"] == c["threads"])
    dev.cases.append((_row(dev.address, c), {"status": "ok", "result": doc, "energy": _energy(farm, doc, None),
                                             "started_utc": str(doc.get("started_utc") or "")[:32] or None}))


def _loop_error(e: Entry, err, farm: str, devices: dict) -> None:
    """A game-loop case that wrote ``error``: stored as a failed case with the app's message."""
    if not isinstance(err, dict):
        return
    dev = _loose_device(e, {"device": {}}, farm, devices)
    c = {"artifact": str(err.get("artifact") or "(plan)"), "threads": int(err.get("threads") or 0)
         if str(err.get("threads") or "0").isdigit() else 0}
    c["repeat_index"] = sum(1 for r, _ in dev.cases if r["artifact"] == c["artifact"] and r["threads"] == c["threads"])
    dev.cases.append((_row(dev.address, c), {"status": "failed", "error": "the app reported an error: "
                                             + str(err.get("error") or "")[:500]}))


def _row(address: str, c: dict) -> dict:
    artifact, threads, rep = str(c.get("artifact") or "?"), int(c.get("threads") or 0), int(c.get("repeat_index") or 0)
    bundle = str(c.get("bundle_name") or "")
    return {"case_key": f"{address}|{bundle}/{artifact}|t{threads}|r{rep}", "address": address, "bundle_name": bundle or None,
            "artifact": artifact, "runtime": c.get("runtime"), "backend": c.get("backend"), "precision": c.get("precision"),
            "artifact_bytes": c.get("artifact_bytes"), "threads": threads, "repeat_index": rep}


def _result(e: Entry, skipped: list, expect_run_id: str | None) -> dict | None:
    """The parsed, schema-checked result, or None (and the file named in ``skipped``)."""
    doc = _json(e, skipped)
    if doc is None or not _valid_result(doc, e.shown, skipped):
        return None
    if expect_run_id and doc.get("run_id") != expect_run_id:
        skipped.append(Skipped(e.shown, f"is for run {str(doc.get('run_id'))[:80]!r}, expected {expect_run_id!r}"))
        return None
    return doc


def _valid_result(doc, shown: str, skipped: list) -> bool:
    from mobilekit.schemas import RESULT, errors

    problems = errors(doc, RESULT) if isinstance(doc, dict) else ["not a JSON object"]
    if problems:
        skipped.append(Skipped(shown, "does not match the result schema: " + "; ".join(problems[:3])))
        return False
    if any(not isinstance(v, (int, float)) or isinstance(v, bool) for v in doc.get("latency_ms") or []):
        skipped.append(Skipped(shown, "latency_ms holds a value that is not a number"))
        return False
    return True


def _quiet_json(e: Entry):
    """Any other JSON file: parsed if it is JSON, else ignored (it is not ours to judge)."""
    try:
        return json.loads(e.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, OSError):
        return None


def _json(e: Entry, skipped: list):
    try:
        return json.loads(e.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, OSError) as exc:
        skipped.append(Skipped(e.shown, f"not valid JSON: {str(exc)[:200]}"))
        return None


def _text(e: Entry | None) -> str | None:
    if e is None:
        return None
    try:
        return e.read().decode("utf-8", errors="replace").replace("\r\n", "\n")
    except (OSError, ValueError):
        return None


def _energy(farm: str, doc: dict, power: str | None) -> dict:
    reason = FARM_ENERGY_REASON.format(farm=farm) + (f" ({power})" if power else "")
    from mobilekit.device_runner import power as power_model

    app_energy = power_model.energy_from_app_samples(doc, battery_faked=False)  # the app records raw readings only
    app = app_energy.to_dict() if app_energy else (doc.get("energy") if isinstance(doc.get("energy"), dict) else None)
    return {"valid": False, "method": "none: farm phone on external power", "invalid_reason": reason,
            "app_energy": app, "mj_per_inference": None}


# ---- state dumps -------------------------------------------------------------------------------------
def _sections(text: str | None) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    cur = None
    for ln in (text or "").split("\n"):
        if ln.startswith("@@mobilekit:") or ln.startswith("@@mobilekit-file:"):
            cur = ln.split(":", 1)[1].strip()
            out[cur] = []
        elif cur is not None:
            out[cur].append(ln)
    return {k: "\n".join(v).strip() for k, v in out.items()}


def _states(before: Entry | None, after: Entry | None, cooldown: str | None) -> tuple[dict | None, dict | None, str | None]:
    """Thermal and cpufreq records from the spec's state dumps (None when the farm gave none), and a power note."""
    b, a = _sections(_text(before)), _sections(_text(after))
    if not b and not a:
        return None, None, None
    tb = parse.dumpsys_thermalservice(b.get("dumpsys-thermalservice", ""))
    ta = parse.dumpsys_thermalservice(a.get("dumpsys-thermalservice", ""))

    def temp(s):
        v = s.get("/sys/class/power_supply/battery/temp", "")
        return int(v) / 10 if v.lstrip("-").isdigit() else None

    thermal = {"status_before": tb["status"], "status_after": ta["status"], "battery_temp_c_before": temp(b),
               "battery_temp_c_after": temp(a), "temps_c_after": ta["temps_c"]}
    if cooldown:
        kv = dict(p.split("=", 1) for p in cooldown.split()[1:] if "=" in p)
        thermal["cooldown_reached"] = cooldown.startswith("reached")
        thermal["cooldown_waited_s"] = float(kv["waited_s"]) if kv.get("waited_s", "").isdigit() else None
        thermal["baseline_status"] = int(kv["baseline"]) if kv.get("baseline", "").isdigit() else None
    delta = {}
    for key, text in b.items():
        if key.endswith("/cpufreq/stats/time_in_state"):
            cpu = key.split("/cpu/cpu", 1)[1].split("/", 1)[0] if "/cpu/cpu" in key else key
            t0, t1 = parse.time_in_state(text), parse.time_in_state(a.get(key, ""))
            if t0:
                delta[cpu] = {str(f): t1.get(f, 0) - t for f, t in t0.items()}
    cpufreq = {"delta_10ms": delta, "fixed_performance_mode": None}
    src = [n for n in ("usb", "ac") if b.get(f"/sys/class/power_supply/{n}/online", "").strip() == "1"]
    status = b.get("/sys/class/power_supply/battery/status", "").strip()
    power = f"sysfs: {'+'.join(src) or 'no charger'} online, battery {status or 'status unknown'}" if b else None
    return thermal, cpufreq, power


def _job_run_id(job_id: str | None) -> str | None:
    """The job's own run id when it is a plain id (then importing the same artifacts twice is caught)."""
    if job_id and len(job_id) <= 64 and all(ch.isalnum() or ch in "-_" for ch in job_id):
        return job_id
    return None


def _fresh_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
