"""Fixtures of the farm tests: isolation, a fake bundle for the generators, a real tiny bundle for end-to-end runs.

The runner tests' helpers (``make_bundle``, ``free_port``, the simulated phone loader) are reused from
tests/runner/runner_helpers.py rather than copied.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runner"))

from farm_helpers import HOSTILE, fake_bundle  # noqa: E402
from runner_helpers import _sim, free_port, make_bundle  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    d = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MOBILEKIT_ADB_KEY", str(d / "adbkey"))
    monkeypatch.setenv("MOBILEKIT_DB", str(d / "runs.db"))
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_port()))


@pytest.fixture
def bundle(tmp_path) -> Path:
    return fake_bundle(tmp_path / "bundle")


@pytest.fixture
def hostile_bundle(tmp_path) -> Path:
    return fake_bundle(tmp_path / "hostile", names=(HOSTILE, "ok.xnnpack.int8.pte"))


@pytest.fixture(scope="session")
def tiny_hostile_bundle(tmp_path_factory) -> Path:
    """A real ExecuTorch bundle whose FP32 artifact has a name full of shell metacharacters."""
    root = make_bundle(tmp_path_factory.mktemp("tinyb") / "tiny", precisions=("fp32",))
    m = json.loads((root / "manifest.json").read_text())
    new = "tiny it's $HOME `x` fp32.pte"
    (root / m["artifacts"][0]["file"]).rename(root / new)
    m["artifacts"][0]["file"] = new
    (root / "manifest.json").write_text(json.dumps(m))
    from executorch.runtime import Runtime  # load once so the first case does not pay the import

    Runtime.get().load_program(str(root / new)).load_method("forward")
    return root


@pytest.fixture
def sim_phone(tmp_path):
    SimulatedPhone, _ = _sim()
    from mobilekit.device_runner.sim.profile import DeviceProfile

    # a 5 ms floor per inference at speed 1: cases long enough to sample power, with the full load signal
    p = SimulatedPhone(tmp_path / "phone", port=0, serial="SIMFARM0", seed=0, speed=1.0,
                       profile=DeviceProfile(min_inference_ms=5.0))
    p.start()
    yield p
    p.stop()
