"""Store transactions, stats/compare verdicts and report escaping, on synthetic runs (no phone needed)."""

import csv
import io
import json
import sqlite3

import numpy as np
import pytest

from mobilekit import MobilekitError
from mobilekit.device_runner import compare, stats
from mobilekit.device_runner.power import Sample
from mobilekit.device_runner.report import write_report
from mobilekit.device_runner.store import SCHEMA_VERSION, Store

HOSTILE = '<script>alert("x")</script>'


def result(lat, model="Pixel 8", simulated=False, artifact="m.xnnpack.fp32.pte"):
    s = stats.summary(lat)
    return {"schema": "mobilekit.result/1", "run_id": "r", "started_utc": "2026-11-22T04:00:00Z", "simulated": simulated,
            "device": {"model": model}, "artifact": {"file": artifact, "runtime": "executorch"},
            "config": {"warmup": 1, "iterations": len(lat), "threads": 4}, "latency_ms": lat,
            "stats": {k: s[k] for k in ("p50", "p90", "p99", "mean", "std", "min", "max")}, "errors": []}


def fill_run(store, run_id, lat_by_artifact, model="Pixel 8", simulated=False, fail=None):
    store.create_run(run_id, {"bundle": "b"}, "bundle<b>", "/tmp/b")
    store.put_device(run_id, "127.0.0.1:5555", {"serial": "s", "manufacturer": "Google", "model": model, "soc": "t",
                                                "abis": ["arm64-v8a"], "android_sdk": 34, "cores": 8,
                                                "simulated": simulated})
    cases = [{"case_key": f"k|{a}", "address": "127.0.0.1:5555", "artifact": a, "runtime": "executorch",
              "backend": "xnnpack", "precision": "int8" if "int8" in a else "fp32", "artifact_bytes": 1000 + i,
              "threads": 4, "repeat_index": 0} for i, a in enumerate(lat_by_artifact)]
    store.add_pending_cases(run_id, cases)
    for a, lat in lat_by_artifact.items():
        if a == fail:
            store.finish_case(run_id, f"k|{a}", status="failed", error=f"app crashed: {HOSTILE}")
        else:
            store.finish_case(run_id, f"k|{a}", status="ok", result=result(lat, model, simulated, a),
                              energy={"valid": True, "mj_per_inference": 1.5, "method": "sysfs"},
                              idle_samples=[Sample(0, 1, 2)], case_samples=[Sample(0, 3, 4), Sample(100, 5, 6)])


def test_schema_version_and_plain_tables(tmp_path):
    with Store(tmp_path / "r.db") as s:
        assert s.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        tables = {r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"runs", "cases", "devices", "latency_samples", "energy_samples", "device_notes"} <= tables


def test_newer_schema_is_refused(tmp_path):
    Store(tmp_path / "r.db").close()
    db = sqlite3.connect(tmp_path / "r.db")
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(MobilekitError, match="newer mobilekit"):
        Store(tmp_path / "r.db")


def test_each_case_is_committed_at_once_and_a_failed_write_rolls_back(tmp_path):
    path = tmp_path / "r.db"
    s = Store(path)
    fill_run(s, "run1", {"a.pte": [1.0, 2.0], "b.pte": [3.0]})
    other = sqlite3.connect(path)  # another process's view: committed rows only
    assert other.execute("SELECT COUNT(*) FROM cases WHERE status='ok'").fetchone()[0] == 2
    assert other.execute("SELECT COUNT(*) FROM latency_samples").fetchone()[0] == 3
    assert other.execute("SELECT COUNT(*) FROM energy_samples").fetchone()[0] == 6
    with pytest.raises(KeyError):
        s.finish_case("run1", "no-such-case", status="ok", result=result([1.0]))
    with pytest.raises(TypeError):  # a bad latency value fails mid-transaction (after the UPDATE)
        s.finish_case("run1", "k|a.pte", status="ok", result={**result([1.0]), "latency_ms": [1.0, None]})
    assert other.execute("SELECT COUNT(*) FROM latency_samples").fetchone()[0] == 3  # nothing half-written
    assert s.cases("run1")[0]["result"]["latency_ms"] == [1.0, 2.0]


def test_notes_round_trip(tmp_path):
    with Store(tmp_path / "r.db") as s:
        s.add_note("1.2.3.4:5555", "battery_unplugged", "run1")
        assert [n["what"] for n in s.notes("1.2.3.4:5555")] == ["battery_unplugged"]
        s.clear_note("1.2.3.4:5555", "battery_unplugged")
        assert s.notes() == []


def test_unknown_run_is_a_user_error(tmp_path):
    with Store(tmp_path / "r.db") as s, pytest.raises(MobilekitError, match="mobilekit runs list"):
        s.run("nope")


def test_stats_summary_and_bootstrap_is_seeded():
    s = stats.summary([1.0, 2.0, 3.0, 4.0])
    assert s["p50"] == 2.5 and s["min"] == 1.0 and s["n"] == 4
    rng = np.random.default_rng(1)
    a, b = list(rng.normal(10, 1, 60)), list(rng.normal(10, 1, 60))
    assert stats.bootstrap_p50_ratio(a, b, seed=3) == stats.bootstrap_p50_ratio(a, b, seed=3)


def test_compare_flags_2x_but_not_noise():
    rng = np.random.default_rng(0)
    base = list(rng.lognormal(np.log(5.0), 0.08, 50))
    same = list(rng.lognormal(np.log(5.0 * 1.04), 0.08, 50))   # 4% drift: noise, below the 10% effect
    slow = list(rng.lognormal(np.log(10.0), 0.08, 50))
    assert compare.compare_samples(("a",) * 5, base, same).verdict == "unchanged"
    assert compare.compare_samples(("a",) * 5, base, slow).verdict == "regression"
    assert compare.compare_samples(("a",) * 5, slow, base).verdict == "improvement"
    few = compare.compare_samples(("a",) * 5, [5.0, 5.1], [10.0, 10.2])
    assert few.verdict == "unchanged"  # two samples cannot make the case


def test_compare_runs_from_the_store(tmp_path):
    rng = np.random.default_rng(2)
    with Store(tmp_path / "r.db") as s:
        fill_run(s, "old", {"m.pte": list(rng.normal(5, 0.2, 40))})
        fill_run(s, "new", {"m.pte": list(rng.normal(10, 0.4, 40))})
        fill_run(s, "same", {"m.pte": list(rng.normal(5, 0.2, 40))})
        r = compare.compare_runs(s, "old", "new")
        assert compare.has_regression(r) and r[0].label.startswith("m.pte")
        assert not compare.has_regression(compare.compare_runs(s, "old", "same"))


def test_report_escapes_every_device_string_and_labels_simulated(tmp_path):
    with Store(tmp_path / "r.db") as s:
        fill_run(s, "run1", {f"{HOSTILE}.pte": [1.0, 1.2, 1.1], "m.int8.pte": [0.5, 0.6], "bad.pte": [1.0]},
                 model=HOSTILE, simulated=True, fail="bad.pte")
        html_text = write_report(s, "run1", tmp_path / "r.html", fmt="html")
        md = write_report(s, "run1", tmp_path / "r.md", fmt="md")
        csv_text = write_report(s, "run1", tmp_path / "r.csv", fmt="csv")
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    assert "SIMULATED" in html_text and "(simulated)" in html_text
    assert "<svg" in html_text and "http://" not in html_text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    import re
    import xml.etree.ElementTree as ET

    for svg in re.findall(r"<svg.*?</svg>", html_text, re.S):  # every plot is well-formed XML
        ET.fromstring(svg)
    assert "<script>" not in md and "SIMULATED" in md
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == 3 and {r["status"] for r in rows} == {"ok", "failed"}
    assert all(r["simulated"] == "True" for r in rows)
    assert (tmp_path / "r.html").read_text() == html_text


def test_report_unknown_format(tmp_path):
    with Store(tmp_path / "r.db") as s, pytest.raises(MobilekitError, match="html, csv, md"):
        write_report(s, "x", None, fmt="pdf")


def test_farm_label_in_store_list_and_every_report_format(tmp_path):
    with Store(tmp_path / "r.db") as s:
        fill_run(s, "farmrun", {"m.pte": [1.0, 1.1]})
        s.set_run_farm("farmrun", f"farm{HOSTILE}", {"server": "https://stf.example.org"})
        s.update_device_info("farmrun", "127.0.0.1:5555", {"farm": "stf", "farm_device": {"serial": "R5CT30"}})
        assert s.runs()[0]["farm"] == f"farm{HOSTILE}" and s.run("farmrun")["farm_info"]["server"].startswith("https")
        html_text = write_report(s, "farmrun", None, fmt="html")
        md = write_report(s, "farmrun", None, fmt="md")
        csv_text = write_report(s, "farmrun", None, fmt="csv")
        fill_run(s, "local", {"m.pte": [1.0]})
        assert s.run("local")["farm"] is None and "Farm:" not in write_report(s, "local", None, fmt="html")
    assert "<script>" not in html_text and "Farm: farm&lt;script&gt;" in html_text and "R5CT30" in html_text
    assert "USB power" in html_text and "<script>" not in md and "R5CT30" in md
    assert list(csv.DictReader(io.StringIO(csv_text)))[0]["farm"] == f"farm{HOSTILE}"
