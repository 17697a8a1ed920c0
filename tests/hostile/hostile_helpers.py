"""Helpers of the hostile-input tests (a module name no other test folder uses)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quick_plan(bundle, *addresses, **kw):
    """A bench plan that takes a second or two a case on a simulated phone."""
    from mobilekit.device_runner.plan import BenchPlan

    base = dict(bundle=bundle, devices=tuple(addresses), artifacts=("digits_cnn.xnnpack.fp32.pte",), threads=(1,),
                warmup=1, iterations=5, energy=False, timeout_s=60, cooldown_max_s=1, fixed_performance=False,
                via="tcp", connect_timeout_s=5)
    base.update(kw)
    return BenchPlan(**base)


def console_script() -> Path:
    """The installed ``mobilekit`` console script of this environment (``.venv/bin/mobilekit``)."""
    for candidate in (Path(sys.executable).parent / "mobilekit", REPO / ".venv" / "bin" / "mobilekit"):
        if candidate.is_file():
            return candidate
    found = shutil.which("mobilekit")
    if found:
        return Path(found)
    pytest.fail("the mobilekit console script is not installed (run the tests through scripts/venv.sh)")


def run_mobilekit(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the installed console script as a user would, with this test's isolated environment."""
    env = dict(os.environ)
    env.pop("MOBILEKIT_DEBUG", None)
    return subprocess.run([str(console_script()), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
