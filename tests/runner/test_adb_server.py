"""Through Google's adb server: a private server (own port, temporary HOME) connected to a simulated phone.

Needs the ``adb`` binary (Debian: ``apt-get install adb``); skipped with a reason when it is missing,
unless ``CI`` is set, where a missing adb is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from runner_helpers import free_port
from mobilekit.device_runner.bench import run_bench
from mobilekit.device_runner.connect import list_devices, open_transport
from mobilekit.device_runner.device import Device
from mobilekit.device_runner.plan import BenchPlan
from mobilekit.device_runner.store import Store
from mobilekit.device_runner.transport_server import AdbServer, ServerTransport

pytestmark = pytest.mark.slow


@pytest.fixture
def adb_server(tmp_path, monkeypatch):
    adb = shutil.which("adb")
    if adb is None:
        if os.environ.get("CI"):
            pytest.fail("adb is not installed; CI must install it (apt-get install -y adb)")
        pytest.skip("adb is not installed (apt-get install -y adb)")
    port = free_port()
    home = tmp_path / "adbhome"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "ANDROID_ADB_SERVER_PORT": str(port)}
    subprocess.run([adb, "-P", str(port), "start-server"], env=env, timeout=60, check=True, capture_output=True)
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(port))
    try:
        yield adb, port, env
    finally:
        subprocess.run([adb, "-P", str(port), "kill-server"], env=env, timeout=60, capture_output=True)


def _connect(adb, port, env, address):
    out = subprocess.run([adb, "-P", str(port), "connect", address], env=env, timeout=60, capture_output=True, text=True)
    # adb 1.0.41 prints "failed to authenticate" for a phone that has not authorised its key yet; the phone
    # (here: the simulated one, which accepts new keys at once) then comes online as "device".
    assert "connected" in out.stdout or "failed to authenticate" in out.stdout, out.stdout + out.stderr
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = {d.serial: d.state for d in AdbServer(port).devices()}
        if states.get(address) == "device":
            return
        time.sleep(0.3)
    raise AssertionError(f"adb server never listed {address} as a device: {states}")


def test_server_lists_the_phone_and_runs_shell_push_pull(adb_server, sim_phones, tmp_path):
    adb, port, env = adb_server
    (phone,) = sim_phones(1)
    _connect(adb, port, env, phone.address)
    assert AdbServer(port).version() > 0
    listed = list_devices(server_port=port)
    assert any(d.spec == phone.address and d.state == "device" and d.via == "server" for d in listed)
    t = open_transport(phone.address, server_port=port)
    assert isinstance(t, ServerTransport)  # the server owns the phone, so we go through it
    r = t.run(["echo", "it's a; test"])
    assert r.ok and r.output.strip() == "it's a; test"
    assert t.run(["test", "-e", "/nope"]).exit_code == 1
    src = tmp_path / "f y.bin"
    src.write_bytes(os.urandom(200_000))
    dev = Device(t)
    assert dev.push_files({src: "/data/local/tmp/mobilekit/t/f y.bin"}) == {"/data/local/tmp/mobilekit/t/f y.bin": True}
    assert dev.push_files({src: "/data/local/tmp/mobilekit/t/f y.bin"}) == {"/data/local/tmp/mobilekit/t/f y.bin": False}
    back = tmp_path / "back.bin"
    t.pull("/data/local/tmp/mobilekit/t/f y.bin", back)
    assert back.read_bytes() == src.read_bytes()
    assert t.stat("/data/local/tmp/mobilekit/t/f y.bin").size_bytes == 200_000
    assert [e.name for e in t.list("/data/local/tmp/mobilekit/t")] == ["f y.bin"]
    with t.stream(["sh", "/data/local/tmp/none.sh"]) as s:
        assert list(s.lines())  # an error line, then EOF
    assert dev.info().simulated


def test_bench_through_the_adb_server(adb_server, sim_phones, tiny_bundle, tmp_path):
    adb, port, env = adb_server
    (phone,) = sim_phones(1)
    _connect(adb, port, env, phone.address)
    plan = BenchPlan(bundle=tiny_bundle, devices=(phone.address,), artifacts=("tiny.xnnpack.fp32.pte",), threads=(1,),
                     warmup=1, iterations=100, via="server", baseline_s=0.5, cooldown_max_s=5)
    with Store(tmp_path / "r.db") as store:
        s = run_bench(plan, store)
        assert s.ok == 1, s
        (c,) = store.cases(s.run_id)
        assert c["energy"]["valid"], c["energy"]
        assert c["mj_per_inference"] > 0
