"""``mobilekit runs import``: farm artifacts -> a stored run; hostile archives, corrupt files, both farm layouts."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from mobilekit import MobilekitError
from mobilekit.cli.main import main
from mobilekit.device_runner.compare import compare_runs
from mobilekit.device_runner.farms.archive import read_entries, safe_parts
from mobilekit.device_runner.farms.base import JOB_SCHEMA
from mobilekit.device_runner.farms.importer import import_artifacts
from mobilekit.device_runner.report import write_report
from mobilekit.device_runner.store import Store

RUN = "20261201T000000Z-abcdef"


def result(run_id: str, artifact="m.xnnpack.fp32.pte", threads=4, lat=(1.0, 1.1, 1.2), model="Pixel 8") -> dict:
    s = sorted(lat)
    return {"schema": "mobilekit.result/1", "run_id": run_id, "started_utc": "2026-12-01T00:00:00Z",
            "device": {"manufacturer": "Google", "model": model, "android_sdk": 34, "abi": "arm64-v8a", "cores": 8},
            "artifact": {"file": artifact, "runtime": "executorch", "backend": "xnnpack", "precision": "fp32"},
            "config": {"warmup": 1, "iterations": len(lat), "threads": threads}, "latency_ms": list(lat),
            "stats": {"p50": s[len(s) // 2], "p90": s[-1], "p99": s[-1], "mean": sum(s) / len(s), "std": 0.1,
                      "min": s[0], "max": s[-1]},
            "energy": {"method": "batterymanager", "valid": False, "invalid_reason": "charging"}, "errors": []}


def job_record(n: int) -> dict:
    return {"schema": JOB_SCHEMA, "farm": "aws-device-farm", "run_id": RUN, "bundle": {"name": "m", "sha12": "0" * 12},
            "plan": {"warmup": 1, "iterations": 3, "devices": []},
            "cases": [{"index": i + 1, "app_run_id": f"{RUN}-{i + 1:03d}", "bundle_name": "m",
                       "artifact": "m.xnnpack.fp32.pte", "runtime": "executorch", "backend": "xnnpack",
                       "precision": "fp32", "artifact_bytes": 100, "threads": 1 + i, "repeat_index": 0} for i in range(n)]}


STATE = """@@mobilekit:dumpsys-thermalservice
Thermal Status: {status}
@@mobilekit:dumpsys-battery
  USB powered: true
@@mobilekit-file:/sys/class/power_supply/battery/status
Charging
@@mobilekit-file:/sys/class/power_supply/battery/temp
312
@@mobilekit-file:/sys/class/power_supply/usb/online
1
@@mobilekit-file:/sys/devices/system/cpu/cpu0/cpufreq/stats/time_in_state
300000 {t0}
2000000 {t1}
@@mobilekit-file:/sys/devices/system/cpu/cpu9/cpufreq/stats/time_in_state
cat: /sys/devices/system/cpu/cpu9/cpufreq/stats/time_in_state: No such file or directory
"""


def aws_tree(files: dict, root="mobilekit-" + RUN, n=3):
    """The files the AWS spec leaves in $DEVICEFARM_LOG_DIR, with case 2 corrupt and case 3 an app error."""
    files[f"{root}/mobilekit-farm.json"] = json.dumps(job_record(n))
    files[f"{root}/getprop.txt"] = ("[ro.product.manufacturer]: [Google]\n[ro.product.model]: [Pixel 8]\n"
                                    "[ro.build.version.sdk]: [34]\n[ro.serialno]: [ABC123]\n"
                                    "[ro.product.cpu.abilist]: [arm64-v8a]\n[ro.soc.model]: [Tensor G3]\n")
    files[f"{root}/env.txt"] = "DEVICEFARM_DEVICE_UDID=ABC123\nDEVICEFARM_DEVICE_NAME=Google Pixel 8\nDEVICEFARM_DEVICE_OS_VERSION=14\n"
    files[f"{root}/hardware.txt"] = "8\nMemTotal: 8000000 kB\n"
    c = f"{root}/cases/{RUN}"
    files[f"{c}-001/result.json"] = json.dumps(result(f"{RUN}-001", threads=1))
    files[f"{c}-001/state-before.txt"] = STATE.format(status=0, t0=100, t1=5)
    files[f"{c}-001/state-after.txt"] = STATE.format(status=1, t0=110, t1=95)
    files[f"{c}-001/cooldown.txt"] = "reached status=0 baseline=0 waited_s=0\n"
    files[f"{c}-002/result.json"] = '{"schema": "mobilekit.result/1", "run_id": '      # cut short: corrupt
    files[f"{c}-003/error.txt"] = "java.lang.OutOfMemoryError: Failed to allocate"
    files[f"{c}-003/status.txt"] = "error\n"
    return files


def write_zip(path: Path, files: dict, extra=()) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
        for info, data in extra:
            z.writestr(info, data)
    return path


def test_aws_artifacts_import_with_corrupt_file_named_and_others_kept(tmp_path):
    art = write_zip(tmp_path / "Customer_Artifacts.zip", aws_tree({}))
    with Store(tmp_path / "r.db") as store:
        s = import_artifacts(art, store)
        assert (s.run_id, s.farm, s.devices, s.ok, s.failed) == (RUN, "aws-device-farm", 1, 1, 2)
        assert any("-002/result.json" in k["path"] and "not valid JSON" in k["reason"] for k in s.skipped)
        (dev,) = store.devices(RUN)
        assert dev["address"] == "aws-device-farm:ABC123" and dev["model"] == "Pixel 8" and dev["soc"] == "Tensor G3"
        assert dev["android_sdk"] == 34 and dev["cores"] == 8 and not dev["simulated"]
        assert dev["info"]["farm_device"]["DEVICEFARM_DEVICE_NAME"] == "Google Pixel 8"
        by = {c["threads"]: c for c in store.cases(RUN)}
        ok = by[1]
        assert ok["status"] == "ok" and ok["case_key"] == "aws-device-farm:ABC123|m/m.xnnpack.fp32.pte|t1|r0"
        assert ok["energy_valid"] == 0 and ok["mj_per_inference"] is None
        assert "USB power" in ok["energy"]["invalid_reason"] and "usb online" in ok["energy"]["invalid_reason"]
        assert ok["thermal"]["status_before"] == 0 and ok["thermal"]["status_after"] == 1
        assert ok["thermal"]["battery_temp_c_before"] == 31.2 and ok["thermal"]["cooldown_reached"]
        assert ok["cpufreq"]["delta_10ms"] == {"0": {"300000": 10, "2000000": 90}}
        assert by[2]["status"] == "failed" and "result.json could not be used" in by[2]["error"]
        assert by[3]["status"] == "failed" and "OutOfMemoryError" in by[3]["error"]
        assert store.run(RUN)["farm"] == "aws-device-farm" and store.run(RUN)["status"] == "failed"
        md = write_report(store, RUN, None, fmt="md")
        assert "aws-device-farm" in md and "Google Pixel 8" in md and "USB power" in md
        csv_text = write_report(store, RUN, None, fmt="csv")
        assert csv_text.splitlines()[1].endswith(",aws-device-farm")
        with pytest.raises(MobilekitError, match="imported before"):
            import_artifacts(art, store)
        assert import_artifacts(art, store, run_id="again").run_id == "again"
        assert compare_runs(store, RUN, "again")[0].verdict == "unchanged"


def test_hostile_archive_names_are_refused_and_nothing_is_written(tmp_path):
    link = zipfile.ZipInfo("mobilekit-x/cases/link/result.json")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    evil = {"../../evil.json": "{}", "/tmp/abs/result.json": json.dumps(result("a")),
            "a/../../b/result.json": json.dumps(result("b")), "..\\..\\evil.txt": "x",
            "c:/windows/result.json": json.dumps(result("c")), "ok/evil\nname/result.json": json.dumps(result("d"))}
    files = aws_tree({}) | evil
    (tmp_path / "sub").mkdir()
    art = write_zip(tmp_path / "sub" / "a.zip", files, extra=[(link, "/etc/passwd")])
    entries, skipped = read_entries(art)
    assert all(".." not in e.parts and not e.parts[0].startswith("/") for e in entries)
    reasons = {s.path: s.reason for s in skipped}
    for name in ("../../evil.json", "/tmp/abs/result.json", "a/../../b/result.json", "c:/windows/result.json"):
        assert name in reasons, reasons
    assert "ok/evil\\nname/result.json" in reasons                 # shown escaped, never as two lines
    assert "mobilekit-x/cases/link/result.json" in reasons and "symbolic link" in reasons["mobilekit-x/cases/link/result.json"]
    with Store(tmp_path / "r.db") as store:
        s = import_artifacts(art, store)
    assert s.ok == 1 and s.devices == 1                            # only the real job's good case
    assert not any(p.name.startswith("evil") for p in tmp_path.rglob("*")) and not Path("/tmp/abs").exists()
    for bad in ("", "/x", "../x", "a/./b", "a//b", "a\\..\\b", "c:x", "a\x00b", "a\u2028b"):
        assert safe_parts(bad) is None, bad
    assert safe_parts("a/b/result.json") == ("a", "b", "result.json")


def test_folder_import_does_not_follow_symlinks(tmp_path):
    root = tmp_path / "artifacts"
    for name, text in aws_tree({}).items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "result.json").write_text(json.dumps(result("secret")))
    os.symlink(outside, root / "linked")
    os.symlink(outside / "result.json", root / "link.json")
    with Store(tmp_path / "r.db") as store:
        s = import_artifacts(root, store)
    assert s.ok == 1 and any(k["path"] == "linked" and "symbolic link" in k["reason"] for k in s.skipped)
    assert any(k["path"] == "link.json" for k in s.skipped)


def test_firebase_pulled_results_and_game_loop_file(tmp_path):
    base = "redfin-30-en-portrait/artifacts/sdcard/Android/data/org.mobilekit.demo/files/mobilekit"
    r1, r2 = result("gameloop-1-0", threads=1, model="Pixel 5"), result("gameloop-1-1", threads=4, model="Pixel 5")
    loop = {"schema": "mobilekit.gameloop/1", "scenario": 0, "results": [r1, r2],
            "errors": [{"artifact": "m.xnnpack.int8.pte", "threads": 4, "error": "no XNNPACK"}]}
    files = {f"{base}/gameloop-1-0/result.json": json.dumps(r1), f"{base}/gameloop-1-1/result.json": json.dumps(r2),
             "redfin-30-en-portrait/game_loop_results/results_scenario_0.json": json.dumps(loop),
             "redfin-30-en-portrait/artifacts/sdcard/other.json": "not json at all",
             f"{base}/gameloop-1-2/result.json": json.dumps({**r1, "latency_ms": ["x"]})}
    art = write_zip(tmp_path / "ftl.zip", files)
    db = tmp_path / "r.db"
    assert main(["runs", "import", str(art), "--db", str(db), "--json"]) == 0
    with Store(db) as store:
        (run,) = store.runs()
        assert run["farm"] == "firebase-test-lab"
        (dev,) = store.devices(run["run_id"])
        assert dev["address"] == "firebase-test-lab:redfin-30-en-portrait" and dev["model"] == "Pixel 5"
        cases = store.cases(run["run_id"])
        assert sorted((c["threads"], c["status"]) for c in cases) == [(1, "ok"), (4, "failed"), (4, "ok")]
        assert all(c["energy_valid"] == 0 for c in cases if c["status"] == "ok")
        assert "firebase-test-lab" in write_report(store, run["run_id"], None, fmt="html")


def test_nothing_to_import_and_unknown_farm_are_user_errors(tmp_path):
    empty = write_zip(tmp_path / "e.zip", {"readme.txt": "hi"})
    assert main(["runs", "import", str(empty), "--db", str(tmp_path / "r.db")]) == 2
    loose = write_zip(tmp_path / "l.zip", {"x/result.json": json.dumps(result("r"))})
    with Store(tmp_path / "r.db") as store, pytest.raises(MobilekitError, match="--farm"):
        import_artifacts(loose, store)
    with Store(tmp_path / "r.db") as store:
        assert import_artifacts(loose, store, farm="my-lab").farm == "my-lab"
    (tmp_path / "junk.bin").write_bytes(b"\x00" * 10)
    with Store(tmp_path / "r.db") as store, pytest.raises(MobilekitError, match="neither a folder nor a zip"):
        import_artifacts(tmp_path / "junk.bin", store)


def test_store_migrates_a_schema_1_file(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "old.db")
    db.executescript("""CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE runs (run_id TEXT PRIMARY KEY, created_utc TEXT NOT NULL, finished_utc TEXT, status TEXT NOT NULL,
          bundle_name TEXT, bundle_path TEXT, plan_json TEXT NOT NULL, note TEXT);
        INSERT INTO runs VALUES ('old', '2026-01-01T00:00:00Z', NULL, 'finished', 'b', NULL, '{}', NULL);""")
    db.commit()
    db.close()
    with Store(tmp_path / "old.db") as s:
        assert s.run("old")["farm"] is None
        s.set_run_farm("old", "stf", {"server": "https://stf.example.org"})
        assert s.run("old")["farm_info"] == {"server": "https://stf.example.org"}
        assert s.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
