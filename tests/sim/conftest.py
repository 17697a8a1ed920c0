"""Fixtures for the simulated phone: a running phone, adb-shell keys in tmp (never ~/.android), a tiny .pte bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobilekit.device_runner.sim import Faults, SimulatedPhone
from simclient import RawAdb, build_bundle, connect  # noqa: F401


@pytest.fixture(scope="session")
def signer(tmp_path_factory):
    """An adb-shell RSA signer whose key pair lives in a temporary directory."""
    from adb_shell.auth.keygen import keygen
    from adb_shell.auth.sign_pythonrsa import PythonRSASigner

    key = tmp_path_factory.mktemp("adbkey") / "adbkey"
    keygen(str(key))
    return PythonRSASigner(Path(str(key) + ".pub").read_text(), key.read_text())


@pytest.fixture
def phone(tmp_path):
    with SimulatedPhone(tmp_path / "phone", faults=Faults(), seed=1) as p:
        yield p


@pytest.fixture
def device(phone, signer):
    dev = connect(phone, signer)
    yield dev
    dev.close()


@pytest.fixture(scope="session")
def pte_bundle(tmp_path_factory) -> Path:
    """The tiny model through torch.export -> XNNPACK -> .pte (about 20 s with imports: slow tests only)."""
    return build_bundle(tmp_path_factory.mktemp("pte") / "tiny", "pte")


@pytest.fixture(scope="session")
def ptl_bundle(tmp_path_factory) -> Path:
    """The tiny model as a lite-interpreter .ptl (about a second: for the fast tests)."""
    return build_bundle(tmp_path_factory.mktemp("ptl") / "tiny", "ptl")


@pytest.fixture
def raw(phone, signer):
    r = RawAdb(phone.port, signer)
    yield r
    r.close()
