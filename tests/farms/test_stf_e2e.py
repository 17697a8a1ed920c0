"""`mobilekit farm stf` end to end: the STF TEST DOUBLE hands out a simulated phone's address; the ordinary bench runs on it."""

from __future__ import annotations

import json

import pytest

from mobilekit.cli.main import main
from mobilekit.device_runner.store import Store
from stf_double import StfDouble

pytestmark = pytest.mark.slow


def test_farm_stf_runs_the_ordinary_bench_on_a_leased_phone(sim_phone, tiny_hostile_bundle, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STF_TOKEN", "tok-e2e")
    db = tmp_path / "r.db"
    with StfDouble("tok-e2e", {"SIMFARM0": {"model": "simphone", "remote": sim_phone.address}}) as stf:
        code = main(["farm", "stf", str(tiny_hostile_bundle), "--url", stf.url, "--token-env", "STF_TOKEN",
                     "--threads", "1", "--warmup", "1", "--iterations", "20", "--no-energy", "--via", "tcp",
                     "--db", str(db), "--json"])
        out = capsys.readouterr()
        assert code == 0, out.err
        doc = json.loads(out.out)
        assert doc["ok"] == 1 and doc["farm"] == "stf" and doc["leases"][0]["released"]
        assert stf.leased() == [] and "tok-e2e" not in out.out + out.err
    with Store(db) as store:
        run = store.run(doc["run_id"])
        assert run["farm"] == "stf"
        (dev,) = store.devices(doc["run_id"])
        assert dev["address"] == sim_phone.address and dev["simulated"] and dev["info"]["farm_device"]["serial"] == "SIMFARM0"
        (case,) = store.cases(doc["run_id"])
        assert case["status"] == "ok" and case["p50_ms"] > 0
    assert main(["report", doc["run_id"], "--db", str(db), "--format", "md", "--out", str(tmp_path / "r.md")]) == 0
    assert "(stf)" in (tmp_path / "r.md").read_text()
