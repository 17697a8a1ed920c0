"""Shared fixtures of the device-runner tests: a scripted in-memory transport, a tiny bundle, isolation.

Every test gets its own ADB key path (``MOBILEKIT_ADB_KEY``), database (``MOBILEKIT_DB``) and an adb
server port nothing listens on, so nothing touches the real home or a real adb server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from runner_helpers import FakeTransport, _sim, free_port, make_bundle


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    d = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MOBILEKIT_ADB_KEY", str(d / "adbkey"))
    monkeypatch.setenv("MOBILEKIT_DB", str(d / "runs.db"))
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_port()))


@pytest.fixture
def fake_transport():
    return FakeTransport


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory) -> Path:
    root = make_bundle(tmp_path_factory.mktemp("bundle") / "tiny", precisions=("fp32", "int8"))
    # The simulated phone runs .pte files in this process with ExecuTorch's runtime; load it once here so the
    # first benchmark case of a test does not pay the one-off import (~20 s on a small machine).
    from executorch.runtime import Runtime

    Runtime.get().load_program(str(root / "tiny.xnnpack.fp32.pte")).load_method("forward")
    return root


@pytest.fixture
def sim_phones(tmp_path):
    """``make(n, **kw)`` starts n simulated phones on free ports; all are stopped after the test."""
    SimulatedPhone, _ = _sim()
    from mobilekit.device_runner.sim.profile import DeviceProfile

    started = []

    def make(n=1, speed=1.0, min_inference_ms=5.0, **kw):
        """The tiny model takes at least 5 ms an inference on these phones (the host runs it in microseconds), so
        a case of 100 iterations lasts long enough to sample power at ~10 Hz; at speed 1 the load draws the
        profile's full per-thread power, well above the 1 % sensor noise."""
        out = []
        for _ in range(n):
            i = len(started)
            profile = DeviceProfile(min_inference_ms=min_inference_ms)
            p = SimulatedPhone(tmp_path / f"phone{i}", port=0, serial=f"SIMPHONE{i}", seed=i, speed=speed,
                               profile=profile, **kw)
            p.start()
            started.append(p)
            out.append(p)
        return out

    yield make
    for p in started:
        p.stop()
