"""Fixtures of the hostile-input tests (issue 17): isolation from the real home, copies of the session's digits
bundle to tamper with, simulated phones, and the installed console script.

Every test gets its own ADB key (``MOBILEKIT_ADB_KEY``), results database (``MOBILEKIT_DB``) and an adb
server port nothing listens on, so nothing touches the real home or a real adb server.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hostile_helpers import free_port


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    d = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MOBILEKIT_ADB_KEY", str(d / "adbkey"))
    monkeypatch.setenv("MOBILEKIT_DB", str(d / "runs.db"))
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(free_port()))


@pytest.fixture()
def bundle_copy(digits_bundle, tmp_path):
    """``make(edit=None)``: a fresh copy of the session's digits bundle; ``edit(manifest_dict)`` changes its manifest."""

    def make(edit=None, name="digits_cnn") -> Path:
        dest = tmp_path / "bundles" / name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(digits_bundle.bundle_dir, dest)
        if edit is not None:
            doc = json.loads((dest / "manifest.json").read_text())
            edit(doc)
            (dest / "manifest.json").write_text(json.dumps(doc, indent=2))
        return dest

    return make


@pytest.fixture()
def sim_phone(tmp_path):
    """``make(**kw)`` starts a simulated phone on a free port (stopped after the test)."""
    from mobilekit.device_runner.sim import SimulatedPhone
    from mobilekit.device_runner.sim.profile import DeviceProfile

    started = []

    def make(serial=None, **kw):
        i = len(started)
        p = SimulatedPhone(tmp_path / f"phone{i}", port=0, serial=serial or f"HOSTILE{i}", seed=i,
                           profile=DeviceProfile(min_inference_ms=1.0), **kw)
        p.start()
        started.append(p)
        return p

    yield make
    for p in started:
        p.stop()
