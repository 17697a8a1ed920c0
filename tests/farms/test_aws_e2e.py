"""End to end with no farm account: the generated AWS Device Farm spec, phase by phase in bash, against the simulated phone.

Device Farm runs each command of the spec with bash on its test host, next to a phone whose adb serial is
``$DEVICEFARM_DEVICE_UDID``. Here the phone is mobilekit's simulated phone (a test double), reached through
Google's own ``adb`` client and a private adb server, with the farm's variables set; then the artifacts
folder is imported, reported and compared like any run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from runner_helpers import free_port
from mobilekit.cli.main import main
from mobilekit.device_runner.compare import compare_runs
from mobilekit.device_runner.farms.aws import AwsConfig, write_aws_job
from mobilekit.device_runner.farms.base import FarmPlan
from mobilekit.device_runner.report import write_report
from mobilekit.device_runner.store import Store

pytestmark = pytest.mark.slow
yaml = pytest.importorskip("yaml")


@pytest.fixture
def adb_env(tmp_path):
    """A private adb server (own port, temporary HOME); yields the environment for the spec's commands."""
    adb = shutil.which("adb")
    if adb is None:
        if os.environ.get("CI"):
            pytest.fail("adb is not installed; CI must install it (apt-get install -y adb)")
        pytest.skip("adb is not installed (apt-get install -y adb)")
    port = free_port()
    home = tmp_path / "adbhome"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "ANDROID_ADB_SERVER_PORT": str(port)}
    subprocess.run([adb, "start-server"], env=env, timeout=60, check=True, capture_output=True)
    try:
        yield env
    finally:
        subprocess.run([adb, "kill-server"], env=env, timeout=60, capture_output=True)


def connect(env: dict, address: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        subprocess.run(["adb", "connect", address], env=env, timeout=30, capture_output=True, text=True)
        out = subprocess.run(["adb", "devices"], env=env, timeout=30, capture_output=True, text=True).stdout
        if any(ln.split() == [address, "device"] for ln in out.splitlines()):
            return
        time.sleep(0.5)
    raise AssertionError(f"adb never listed {address} as a device: {out}")


def run_spec(spec_path: Path, env: dict) -> dict[str, list[subprocess.CompletedProcess]]:
    """Execute every command of every phase in order, each in its own bash, as Device Farm does."""
    spec = yaml.safe_load(spec_path.read_text())
    done = {}
    for phase in ("install", "pre_test", "test", "post_test"):
        done[phase] = []
        for cmd in spec["phases"][phase]["commands"]:
            r = subprocess.run(["bash", "-c", cmd], env=env, timeout=240, capture_output=True, text=True)
            done[phase].append(r)
            assert r.returncode == 0, f"{phase} command failed ({r.returncode}):\n{cmd}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}"
    return done


def test_aws_spec_runs_phase_by_phase_on_the_simulated_phone_and_imports(adb_env, sim_phone, tiny_hostile_bundle, tmp_path):
    connect(adb_env, sim_phone.address)
    plan = FarmPlan(tiny_hostile_bundle, threads=(1, 2), warmup=1, iterations=30, timeout_s=90)
    job = write_aws_job(plan, AwsConfig(tmp_path / "job", cooldown_max_s=5))
    logdir = tmp_path / "devicefarm-logs"
    logdir.mkdir()
    (tmp_path / "hosttmp").mkdir()
    env = {**adb_env, "DEVICEFARM_DEVICE_UDID": sim_phone.address, "DEVICEFARM_LOG_DIR": str(logdir),
           "DEVICEFARM_DEVICE_NAME": "Simulated Pixel", "DEVICEFARM_DEVICE_OS_VERSION": "14",
           "DEVICEFARM_DEVICE_PLATFORM_NAME": "Android", "DEVICEFARM_TEST_PACKAGE_NAME": "org.mobilekit.demo.test",
           "MOBILEKIT_BUNDLE_ZIP": job.files["bundle_zip"], "TMPDIR": str(tmp_path / "hosttmp")}
    canary = Path("/tmp/pwned")
    canary.unlink(missing_ok=True)
    phases = run_spec(Path(job.files["test_spec"]), env)
    assert not canary.exists()  # the hostile artifact name was never evaluated by a shell
    assert "cases=2 with_result=2" in phases["test"][-1].stdout
    out = logdir / f"mobilekit-{job.run_id}"
    assert "ro.mobilekit.simulated" in (out / "getprop.txt").read_text()
    # The bundle really went to the runner's place on the phone, by its content id.
    sha12 = json.loads(Path(job.files["job"]).read_text())["bundle"]["sha12"]
    code, listing = sim_phone.sh(f"ls /data/local/tmp/mobilekit/{sha12}")
    assert code == 0 and "tiny it's $HOME `x` fp32.pte" in listing and "manifest.json" in listing
    case_dirs = sorted((out / "cases").iterdir())
    assert len(case_dirs) == 2 and all((d / "result.json").stat().st_size > 0 for d in case_dirs)
    assert "@@mobilekit:dumpsys-thermalservice" in (case_dirs[0] / "state-before.txt").read_text()

    # Device Farm hands the folder back zipped: import the zip, then report and compare it like any run.
    art = tmp_path / "Customer_Artifacts.zip"
    with zipfile.ZipFile(art, "w") as z:
        for p in logdir.rglob("*"):
            if p.is_file():
                z.write(p, p.relative_to(logdir).as_posix())
    db = tmp_path / "runs.db"
    assert main(["runs", "import", str(art), "--db", str(db)]) == 0
    with Store(db) as store:
        (run,) = store.runs()
        assert run["farm"] == "aws-device-farm" and run["ok"] == 2 and run["run_id"] == job.run_id
        (dev,) = store.devices(job.run_id)
        assert dev["simulated"] and dev["info"]["farm_device"]["DEVICEFARM_DEVICE_NAME"] == "Simulated Pixel"
        cases = store.cases(job.run_id)
        assert {c["artifact"] for c in cases} == {"tiny it's $HOME `x` fp32.pte"}
        assert {c["threads"] for c in cases} == {1, 2}
        for c in cases:
            assert c["status"] == "ok" and c["p50_ms"] > 0 and len(store.latencies(c["case_id"])) == 30
            assert c["energy_valid"] == 0 and "USB power" in c["energy"]["invalid_reason"]
            assert c["thermal"]["status_before"] is not None and c["cpufreq"]["delta_10ms"]
            assert any(v > 0 for states in c["cpufreq"]["delta_10ms"].values() for v in states.values())
        md = write_report(store, job.run_id, tmp_path / "r.md", fmt="md")
        assert "aws-device-farm" in md and "Simulated Pixel" in md and "USB power" in md and "SIMULATED" in md
        html = write_report(store, job.run_id, tmp_path / "r.html", fmt="html")
        assert "Farm: aws-device-farm" in html
        assert [c.verdict for c in compare_runs(store, job.run_id, job.run_id)] == ["unchanged", "unchanged"]
    # Importing the same artifacts again is caught (the job's id is the run's id).
    assert main(["runs", "import", str(art), "--db", str(db)]) == 2
    assert main(["report", job.run_id, "--db", str(db), "--format", "md", "--out", str(tmp_path / "cli.md")]) == 0
