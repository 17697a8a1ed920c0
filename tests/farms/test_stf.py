"""The STF client against a local TEST DOUBLE of STF's REST API (stf_double.py): lease, remote connect, release always."""

from __future__ import annotations

import json
import os
import signal
import threading

import pytest

from mobilekit import MobilekitError
from mobilekit.cli.main import main
from mobilekit.device_runner.farms.stf import StfClient, StfConfig, public_url, run_on_stf
from mobilekit.device_runner.plan import BenchPlan
from mobilekit.device_runner.store import Store
from stf_double import StfDouble

TOKEN = "s3cr3t-token-0123456789"


def double(**extra) -> StfDouble:
    devs = {"SER1": {"model": "Pixel 7", "remote": "127.0.0.1:1"}, "SER2": {"model": "Pixel 8", "remote": "127.0.0.1:2"},
            "BUSY": {"model": "Pixel 6", "remote": "127.0.0.1:3", "using": True, "owner": {"email": "x@example.org"}}}
    devs.update(extra)
    return StfDouble(TOKEN, devs)


def config(url: str, **kw) -> StfConfig:
    return StfConfig(url=url, token=TOKEN, **kw)


def test_leases_runs_and_releases(bundle, tmp_path):
    seen = {}

    def fake_bench(plan, store, progress=None, run_id=None):
        seen["devices"], seen["run_id"] = plan.devices, run_id
        seen["leased_during"] = list(stf.leased())
        store.create_run(run_id, plan.to_dict(), "m", str(bundle))
        for a in plan.devices:
            store.put_device(run_id, a, {"model": "x"})
        from mobilekit.device_runner.bench import summarize

        return summarize(store, run_id)

    with double() as stf, Store(tmp_path / "r.db") as store:
        summary, leases = run_on_stf(lambda addrs: BenchPlan(bundle=bundle, devices=addrs), store,
                                     config(stf.url, count=2), bench=fake_bench)
        assert seen["devices"] == ("127.0.0.1:1", "127.0.0.1:2") and sorted(seen["leased_during"]) == ["SER1", "SER2"]
        assert stf.leased() == [] and all(l.released for l in leases)
        assert ("POST", "/api/v1/user/devices") in stf.calls
        assert ("POST", "/api/v1/user/devices/SER1/remoteConnect") in stf.calls
        assert stf.calls[-2:] == [("DELETE", "/api/v1/user/devices/SER1/remoteConnect"), ("DELETE", "/api/v1/user/devices/SER1")]
        assert all(h == f"Bearer {TOKEN}" for h in stf.headers_seen)
        assert stf.devices["SER1"]["lease_timeout_ms"] == 3_600_000
        run = store.run(summary.run_id)
        assert run["farm"] == "stf" and run["farm_info"]["server"] == stf.url and TOKEN not in json.dumps(run)
        assert {d["info"]["farm_device"]["serial"] for d in store.devices(summary.run_id)} == {"SER1", "SER2"}


def test_ctrl_c_and_errors_still_release(bundle, tmp_path):
    def interrupted(plan, store, progress=None, run_id=None):
        raise KeyboardInterrupt

    with double() as stf, Store(tmp_path / "r.db") as store:
        with pytest.raises(KeyboardInterrupt):
            run_on_stf(lambda a: BenchPlan(bundle=bundle, devices=a), store, config(stf.url, serials=("SER2", "SER1")),
                       bench=interrupted)
        assert stf.leased() == []

        def sigterm(plan, store, progress=None, run_id=None):
            os.kill(os.getpid(), signal.SIGTERM)     # what `kill PID` does mid-run
            threading.Event().wait(5)
            raise AssertionError("SIGTERM did not stop the run")

        before = signal.getsignal(signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            run_on_stf(lambda a: BenchPlan(bundle=bundle, devices=a), store, config(stf.url), bench=sigterm)
        assert stf.leased() == [] and signal.getsignal(signal.SIGTERM) is before

        # One phone leased, the next one is taken by someone else: the first is released, the error says why.
        with pytest.raises(MobilekitError, match="not free"):
            run_on_stf(lambda a: BenchPlan(bundle=bundle, devices=a), store, config(stf.url, serials=("SER1", "BUSY")),
                       bench=interrupted)
        assert stf.leased() == []
        stf.devices["SER2"].update(using=True, owner={"email": "other@example.org"})   # taken after our listing: 403

        class Racy(StfClient):
            def devices(self):
                return [dict(d, using=False, owner=None) for d in super().devices()]

        with pytest.raises(MobilekitError, match="being used or not available"):
            run_on_stf(lambda a: BenchPlan(bundle=bundle, devices=a), store, config(stf.url, serials=("SER1", "SER2")),
                       bench=interrupted, client=Racy(stf.url, TOKEN))
        assert stf.leased() == [] and stf.devices["SER1"]["owner"] is None     # SER1 was leased, then given back


def test_bad_token_and_token_never_shown(bundle, tmp_path, capsys, monkeypatch):
    with double() as stf:
        with pytest.raises(MobilekitError, match="refused the access token") as e:
            StfClient(stf.url, "wrong-token").devices()
        assert "wrong-token" not in str(e.value)
        monkeypatch.setenv("STF_TOKEN", TOKEN)
        assert main(["farm", "stf", "--url", stf.url, "--token-env", "STF_TOKEN", "--list"]) == 0
        out = capsys.readouterr()
        assert "SER1" in out.out and "busy" in out.out and TOKEN not in out.out + out.err
        monkeypatch.setenv("STF_TOKEN", "nope")
        assert main(["farm", "stf", str(bundle), "--url", stf.url, "--token-env", "STF_TOKEN"]) == 2
        out = capsys.readouterr()
        assert "refused the access token" in out.err and "nope" not in out.err
    monkeypatch.delenv("STF_TOKEN")
    assert main(["farm", "stf", str(bundle), "--url", "http://127.0.0.1:9", "--token-env", "STF_TOKEN"]) == 2
    assert "STF_TOKEN is not set" in capsys.readouterr().err
    assert public_url("https://user:pw@stf.example.org:7100/api/?t=1") == "https://stf.example.org:7100/api"
    assert TOKEN not in repr(StfConfig(url="https://stf.example.org", token=TOKEN))
    with pytest.raises(MobilekitError, match="http"):
        StfConfig(url="ftp://stf", token=TOKEN)
