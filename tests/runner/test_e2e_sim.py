"""End to end against the simulated phone (a test double speaking the real ADB protocol over TCP).

Each fault test checks two things: the other cases' results are kept, and the message says what happened.
"""

from __future__ import annotations

import json
import os
import signal

import pytest
from click.testing import CliRunner

from mobilekit.cli.main import cli
from mobilekit.device_runner.bench import Progress, resume_bench, run_bench
from mobilekit.device_runner.compare import compare_runs, has_regression
from mobilekit.device_runner.connect import open_transport
from mobilekit.device_runner.device import Device
from mobilekit.device_runner.plan import BenchPlan
from mobilekit.device_runner.store import Store

pytestmark = pytest.mark.slow
FP32 = "tiny.xnnpack.fp32.pte"


def plan_for(bundle, phones, **kw):
    base = dict(bundle=bundle, devices=tuple(p.address for p in phones), artifacts=(FP32,), threads=(1,), warmup=2,
                iterations=20, energy=True, baseline_s=0.5, timeout_s=60, cooldown_max_s=5)
    base.update(kw)
    return BenchPlan(**base)


def battery_unplugged(phone) -> bool:
    t = open_transport(phone.address, via="tcp")
    try:
        return "UPDATES STOPPED" in t.run(["dumpsys", "battery"]).output
    finally:
        t.close()


def by_device(store, run_id):
    out = {}
    for c in store.cases(run_id):
        out.setdefault(c["address"], []).append(c)
    return out


def test_bench_two_phones_energy_cli_and_report(sim_phones, tiny_bundle, tmp_path):
    a, b = sim_phones(2)
    db = tmp_path / "runs.db"
    r = CliRunner().invoke(cli, ["bench", str(tiny_bundle), "--device", a.address, "--device", b.address,
                                 "--threads", "1,2", "--warmup", "2", "--iterations", "100", "--db", str(db),
                                 "--cooldown-max", "5", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["ok"] == 8 and summary["failed"] == 0 and summary["simulated"]
    with Store(db) as store:
        cases = store.cases(summary["run_id"])
        assert {c["address"] for c in cases} == {a.address, b.address}
        for c in cases:
            assert c["status"] == "ok" and c["simulated"] == 1
            assert len(store.latencies(c["case_id"])) == 100
            assert c["energy"]["valid"], c["energy"]
            assert c["mj_per_inference"] > 0 and "baseline" in c["energy"]["method"]
            assert len(store.energy_samples(c["case_id"], "case")) >= 2
            assert len(store.energy_samples(c["case_id"], "idle")) >= 2
            assert c["thermal"]["status_before"] is not None and c["cpufreq"]["delta_10ms"]
            assert c["result"]["check"]["ok"] is True
        devices = store.devices(summary["run_id"])
        assert all(d["simulated"] for d in devices) and all(d["info"]["cores"] for d in devices)
        assert store.notes() == []
    assert not battery_unplugged(a) and not battery_unplugged(b)
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["report", summary["run_id"], "--db", str(db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "SIMULATED" in text and "<svg" in text and "int8" in text and "fp32" in text
    r = CliRunner().invoke(cli, ["runs", "list", "--db", str(db), "--json"])
    assert json.loads(r.stdout)[0]["run_id"] == summary["run_id"]
    r = CliRunner().invoke(cli, ["runs", "show", summary["run_id"], "--db", str(db)])
    assert r.exit_code == 0 and "simulated" in r.output.lower()


def test_second_push_skips_files_with_the_same_sha256(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    with Store(tmp_path / "r.db") as store:
        first = run_bench(plan_for(tiny_bundle, [a], energy=False), store)
        second = run_bench(plan_for(tiny_bundle, [a], energy=False), store)
        assert store.devices(first.run_id)[0]["info"]["files_pushed"] > 0
        assert store.devices(second.run_id)[0]["info"]["files_pushed"] == 0


def test_drop_mid_case_fails_that_case_only_then_resume_finishes(sim_phones, tiny_bundle, tmp_path):
    a, b = sim_phones(2)
    a.faults.drop_mid_case = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a, b], artifacts=(), repeats=1), store)
        assert s.failed == 1 and s.ok == 3, s
        failed = store.cases(s.run_id, status="failed")[0]
        assert failed["address"] == a.address and "--resume" in failed["error"]
        assert all(c["status"] == "ok" for c in by_device(store, s.run_id)[b.address])
        s2 = resume_bench(store, s.run_id)
        assert s2.ok == 4 and s2.failed == 0 and s2.status == "finished"


def test_cli_resume_reruns_only_unfinished_cases(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    db = tmp_path / "r.db"
    a.faults.drop_mid_case = True
    args = ["bench", str(tiny_bundle), "--device", a.address, "--threads", "1", "--iterations", "20", "--warmup", "1",
            "--no-energy", "--db", str(db), "--json"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1, r.output  # some cases failed
    first = json.loads(r.stdout)
    assert first["failed"] == 1 and first["ok"] == 1 and "--resume" in first["failures"][0]["error"]
    with Store(db) as store:
        ok_before = {c["case_key"]: c["finished_utc"] for c in store.cases(first["run_id"], status="ok")}
    r = CliRunner().invoke(cli, ["bench", "--resume", first["run_id"], "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ok"] == 2
    with Store(db) as store:  # the case that was already done was not run again
        for key, finished in ok_before.items():
            assert [c["finished_utc"] for c in store.cases(first["run_id"]) if c["case_key"] == key] == [finished]


def test_devices_cli_probes_a_network_phone(sim_phones):
    (a,) = sim_phones(1)
    r = CliRunner().invoke(cli, ["devices", "--device", a.address, "--json"])
    assert r.exit_code == 0, r.output
    (row,) = json.loads(r.stdout)
    assert row["state"] == "device" and row["simulated"] and "(simulated)" in row["model"] and row["android_sdk"] == 34


def test_full_disk_is_a_clear_error_and_the_other_phone_finishes(sim_phones, tiny_bundle, tmp_path):
    a, b = sim_phones(2)
    a.faults.full_disk = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a, b]), store)
        cases = by_device(store, s.run_id)
        assert all(c["status"] == "ok" for c in cases[b.address])
        (fa,) = cases[a.address]
        assert fa["status"] == "failed" and "No space left on device" in fa["error"]
        assert "needs" in fa["error"] and "bytes" in fa["error"] and "Free space on the phone" in fa["error"]


def test_missing_app_says_how_to_install(sim_phones, tiny_bundle, tmp_path):
    a, b = sim_phones(2)
    a.faults.no_app = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a, b]), store)
        cases = by_device(store, s.run_id)
        assert cases[b.address][0]["status"] == "ok", cases[b.address][0]["error"]
        err = cases[a.address][0]["error"]
        assert "not installed" in err and "--apk" in err


def test_timeout_stops_the_app_and_keeps_the_rest(sim_phones, tiny_bundle, tmp_path):
    a, b = sim_phones(2)
    a.faults.slow = 5000.0
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a, b], timeout_s=3, energy=False), store)
        cases = by_device(store, s.run_id)
        assert cases[b.address][0]["status"] == "ok", cases[b.address][0]["error"]
        assert "no result from the app within 3 s" in cases[a.address][0]["error"]


def test_crashing_app_error_file_is_reported(sim_phones, tiny_bundle, tmp_path):
    a, b = sim_phones(2)
    a.faults.crash_benchmark = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a, b], energy=False), store)
        cases = by_device(store, s.run_id)
        assert cases[b.address][0]["status"] == "ok", cases[b.address][0]["error"]
        assert "the app reported an error" in cases[a.address][0]["error"]


def test_overheating_phone_cools_down_with_a_cap(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    a.faults.overheat = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a], artifacts=(), threads=(4,), iterations=200, cooldown_max_s=3,
                               energy=False), store)
        assert s.ok == 2, s
        second = store.cases(s.run_id)[1]["thermal"]
        assert second["cooldown_waited_s"] > 0 or second["cooldown_reached"]
        if not second["cooldown_reached"]:
            assert "cool-down cap" in second["note"]


def test_hostile_names_on_pull_are_refused_by_name(sim_phones, tiny_bundle, tmp_path):
    a, b = sim_phones(2)
    a.faults.hostile_names = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a, b], energy=False), store)
        cases = by_device(store, s.run_id)
        assert cases[b.address][0]["status"] == "ok", cases[b.address][0]["error"]
        assert "refused the device file name" in cases[a.address][0]["error"]
    assert not any(p.name == "evil" for p in tmp_path.rglob("evil"))


def test_usb_charging_marks_energy_invalid_with_the_wifi_hint(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    a.faults.usb_charging = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a]), store)
        (c,) = store.cases(s.run_id)
        assert c["status"] == "ok" and not c["energy"]["valid"] and c["mj_per_inference"] is None
        assert "Wi-Fi debugging" in c["energy"]["invalid_reason"]


def test_unauthorized_phone_points_at_the_dialog(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    a.faults.unauthorized = True
    plan = plan_for(tiny_bundle, [a], connect_timeout_s=3, auth_timeout_s=3)
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan, store)
        assert "Allow USB debugging?" in store.cases(s.run_id)[0]["error"]


class InterruptAfterFirstCase(Progress):
    """Ctrl-C (SIGINT to this process) once the first case is stored, while the run is going."""

    sent = False

    def case_done(self, address, case_key, status, message):
        if not self.sent:
            self.sent = True
            os.kill(os.getpid(), signal.SIGINT)


def test_interrupted_run_restores_dumpsys_battery(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    with Store(tmp_path / "r.db") as store:
        with pytest.raises(KeyboardInterrupt):
            run_bench(plan_for(tiny_bundle, [a], artifacts=(), repeats=2), store, progress=InterruptAfterFirstCase())
        run = store.runs()[0]
        assert run["status"] == "interrupted" and run["ok"] >= 1, [(c["status"], c["error"]) for c in store.cases(run["run_id"])]
        assert store.notes() == [], [(c["status"], c["error"]) for c in store.cases(run["run_id"])]
    assert not battery_unplugged(a)


def test_a_killed_run_is_repaired_by_the_next_run(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    t = open_transport(a.address, via="tcp")
    Device(t).sh("dumpsys", "battery", "unplug").check("unplug")
    t.close()
    assert battery_unplugged(a)
    with Store(tmp_path / "r.db") as store:
        store.add_note(a.address, "battery_unplugged", "killed-run")
        run_bench(plan_for(tiny_bundle, [a], energy=False), store)
        assert store.notes() == []
    assert not battery_unplugged(a)


def test_compare_flags_a_slowed_phone_but_not_an_unchanged_one(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    db = tmp_path / "r.db"
    plan = plan_for(tiny_bundle, [a], energy=False, iterations=40)
    with Store(db) as store:
        r1 = run_bench(plan, store).run_id
        r2 = run_bench(plan, store).run_id
        a.faults.slow = 2.0
        r3 = run_bench(plan, store).run_id
        assert not has_regression(compare_runs(store, r1, r2))
        assert has_regression(compare_runs(store, r1, r3))
    res = CliRunner().invoke(cli, ["compare", r1, r3, "--db", str(db)])
    assert res.exit_code == 1 and "regression" in res.output
    res = CliRunner().invoke(cli, ["compare", r1, r2, "--db", str(db), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["regression"] is False


def test_apk_installs_the_missing_app_and_a_bad_apk_says_why(sim_phones, tiny_bundle, tmp_path):
    import zipfile

    (a,) = sim_phones(1)
    a.faults.no_app = True
    apk = tmp_path / "app-debug.apk"
    with zipfile.ZipFile(apk, "w") as z:
        z.writestr("AndroidManifest.xml", '<manifest package="org.mobilekit.demo" versionName="9.9.9"/>')
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"not a zip")
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a], energy=False, apk=bad), store)
        assert "INSTALL_FAILED_INVALID_APK" in store.cases(s.run_id)[0]["error"]
        s = run_bench(plan_for(tiny_bundle, [a], energy=False, apk=apk), store)
        assert s.ok == 1, s
        assert store.devices(s.run_id)[0]["info"]["app"]["version_name"] == "9.9.9"


def test_two_bundles_in_one_run(sim_phones, tiny_bundle, tmp_path):
    from runner_helpers import make_bundle

    other = make_bundle(tmp_path / "other", name="other")
    (a,) = sim_phones(1)
    r = CliRunner().invoke(cli, ["bench", str(tiny_bundle), str(other), "--device", a.address, "--artifact",
                                 f"{FP32},other.xnnpack.fp32.pte", "--threads", "1", "--iterations", "20", "--no-energy",
                                 "--db", str(tmp_path / "r.db"), "--json"])
    assert r.exit_code == 0, r.output
    with Store(tmp_path / "r.db") as store:
        cases = store.cases(json.loads(r.stdout)["run_id"])
        assert sorted((c["bundle_name"], c["artifact"], c["status"]) for c in cases) == [
            ("other", "other.xnnpack.fp32.pte", "ok"), ("tiny", FP32, "ok")]
        assert len(store.devices(cases[0]["run_id"])[0]["info"]["bundle_dirs"]) == 2


def test_hostile_model_name_is_escaped_in_cli_and_report(sim_phones, tiny_bundle, tmp_path):
    hostile = '<script>alert("pwned")</script>[bold]x[/bold]'
    (a,) = sim_phones(1, model=hostile)
    db = tmp_path / "r.db"
    r = CliRunner().invoke(cli, ["bench", str(tiny_bundle), "--device", a.address, "--artifact", FP32, "--threads", "1",
                                 "--iterations", "20", "--no-energy", "--db", str(db)], env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    assert "SIMULATED" in r.output and "[bold]x[/bold]" in r.output  # shown literally, not as rich markup
    with Store(db) as store:
        run_id = store.runs()[0]["run_id"]
    out = tmp_path / "r.html"
    assert CliRunner().invoke(cli, ["report", run_id, "--db", str(db), "--out", str(out)]).exit_code == 0
    text = out.read_text()
    assert "<script>" not in text and "&lt;script&gt;alert(&quot;pwned&quot;)" in text


def test_bench_with_one_shared_connection_as_on_usb(sim_phones, tiny_bundle, tmp_path, monkeypatch):
    from mobilekit.device_runner.transport_tcp import TcpTransport

    monkeypatch.setattr(TcpTransport, "own_stream_connection", False)  # the USB path: streams share the connection
    (a,) = sim_phones(1)
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a], iterations=100), store)
        (c,) = store.cases(s.run_id)
        assert c["status"] == "ok" and c["energy"]["valid"], (c["error"], c["energy"])
        assert c["energy"]["samples"] >= 2


def test_runner_wakes_and_unlocks_the_phone_and_records_its_state(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    assert not a.screen.awake and a.screen.keyguard_locked  # left on a desk: screen off, swipe keyguard
    a.screen.battery_saver = True
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a], energy=False), store)
        (c,) = store.cases(s.run_id)
    assert c["status"] == "ok", c["error"]
    assert "wake" in a.screen.history and a.screen.awake and not a.screen.keyguard_locked
    state = c["thermal"]["device_state_before"]
    assert state["screen"] == "Awake" and state["keyguard_locked"] is False and state["battery_saver"] is True
    app_state = c["result"]["device_state"]["before"]
    assert app_state["screen_on"] is True and app_state["power_save"] is True


def test_energy_is_per_timed_inference_inside_the_apps_window(sim_phones, tiny_bundle, tmp_path):
    (a,) = sim_phones(1)
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan_for(tiny_bundle, [a], iterations=300), store)
        (c,) = store.cases(s.run_id)
    assert c["status"] == "ok", c["error"]
    e, r = c["energy"], c["result"]
    assert e["valid"], e
    window = (r["timing"]["timed_start_ms"], r["timing"]["timed_end_ms"])
    # joules = net mJ over the window / 1000; per inference = net mJ / the TIMED iterations (300), not warm-up + 300
    assert e["mj_per_inference"] == pytest.approx(e["joules"] * 1000.0 / 300, rel=1e-9)
    assert e["samples"] <= (window[1] - window[0]) / 100 + 4
    assert "timed iterations" in e["method"]
    assert e["app_mj_per_inference"] is None or e["app_mj_per_inference"] > 0
