"""The job writers: valid test spec / argument file structure, names quoted once, the runner's intent extras."""

from __future__ import annotations

import json
import shlex
import subprocess
import zipfile

import pytest

from farm_helpers import HOSTILE
from mobilekit import MobilekitError
from mobilekit.cli.main import main
from mobilekit.device_runner.farms.aws import AwsConfig, write_aws_job
from mobilekit.device_runner.farms.base import FarmPlan
from mobilekit.device_runner.farms.firebase import FirebaseConfig, parse_device, write_firebase_job

yaml = pytest.importorskip("yaml")


def test_aws_spec_structure_and_every_case(bundle, tmp_path):
    job = write_aws_job(FarmPlan(bundle, threads=(1, 4), repeats=2, warmup=3, iterations=20),
                        AwsConfig(tmp_path / "j", project_arn="arn:aws:devicefarm:us-west-2:1:project:p"))
    spec = yaml.safe_load((tmp_path / "j" / "testspec.yml").read_text())
    assert spec["version"] == 0.1 and spec["android_test_host"] == "amazon_linux_2"
    assert list(spec["phases"]) == ["install", "pre_test", "test", "post_test"]
    assert spec["artifacts"] == ["$DEVICEFARM_LOG_DIR"]
    text = json.dumps(spec)
    for var in ("$DEVICEFARM_DEVICE_UDID", "$DEVICEFARM_LOG_DIR", "DEVICEFARM_TEST_PACKAGE_NAME"):
        assert var in text
    cases = [c for c in spec["phases"]["test"]["commands"] if "mk_case " in c]
    assert len(cases) == job.cases == 2 * 2 * 2     # artifacts x threads x repeats, as `mobilekit bench` expands them
    # Each case command is bash that passes one `am start` line, the runner's extras in order.
    am = shlex.split(cases[0].splitlines()[1])[2]
    assert shlex.split(am)[:6] == ["am", "start", "-W", "-S", "-n", "org.mobilekit.demo/.BenchmarkActivity"]
    assert "--ei warmup 3 --ei iterations 20" in am and "--ez energy true" in am
    for cmd in (c for phase in spec["phases"].values() for c in phase["commands"]):
        assert subprocess.run(["bash", "-n", "-c", cmd]).returncode == 0, cmd   # every command is valid bash
    assert subprocess.run(["bash", "-n", str(tmp_path / "j" / "schedule.sh")]).returncode == 0
    names = zipfile.ZipFile(tmp_path / "j" / "bundle.zip").namelist()
    assert sorted(names) == sorted(["manifest.json", "sample_input.bin", "m.xnnpack.fp32.pte", "m.xnnpack.int8.pte"])
    assert [u["type"] for u in job.uploads][:3] == ["ANDROID_APP", "INSTRUMENTATION_TEST_PACKAGE", "INSTRUMENTATION_TEST_SPEC"]
    assert any(c[:3] == ["aws", "devicefarm", "schedule-run"] for c in job.commands)
    assert "arn:aws:devicefarm:us-west-2:1:project:p" in (tmp_path / "j" / "schedule.sh").read_text()


def test_aws_hostile_artifact_name_reaches_the_phone_as_one_argument(hostile_bundle, tmp_path):
    write_aws_job(FarmPlan(hostile_bundle), AwsConfig(tmp_path / "j"))
    spec = yaml.safe_load((tmp_path / "j" / "testspec.yml").read_text())
    (case,) = [c for c in spec["phases"]["test"]["commands"] if "mk_case " in c and "touch pwned" in c]
    # bash hands mk_case the phone's command line verbatim; the phone's shell splits it back into the argv.
    host_args = shlex.split(case.splitlines()[1])
    argv = shlex.split(host_args[2])
    assert argv[argv.index("artifact") + 1] == HOSTILE
    # lib.sh's push runs against a stand-in `adb` that records its argv: the name arrives whole, nothing ran.
    lib = spec["phases"]["install"]["commands"][0]
    body = lib.split("\n", 2)[2].rsplit("\n", 1)[0]           # the heredoc's text: lib.sh itself
    stub = tmp_path / "bin" / "adb"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nprintf "%s\\0" "$@" >> "$ADB_LOG"\nprintf "\\n" >> "$ADB_LOG"\n')
    stub.chmod(0o755)
    env = {"PATH": f"{stub.parent}:/usr/bin:/bin", "ADB_LOG": str(tmp_path / "adb.log"), "TMPDIR": str(tmp_path),
           "DEVICEFARM_DEVICE_UDID": "emulator-5554", "DEVICEFARM_LOG_DIR": str(tmp_path / "logs")}
    r = subprocess.run(["bash", "-c", body + "\nmk_push_bundle"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    calls = [c.strip("\n").split("\0") for c in (tmp_path / "adb.log").read_text().split("\0\n") if c.strip()]
    pushes = [c for c in calls if c[2:3] == ["push"]]
    assert any(c[-1].endswith("/" + HOSTILE) and c[-2].endswith("/bundle/" + HOSTILE) for c in pushes), pushes
    assert all(c[:2] == ["-s", "emulator-5554"] for c in calls)
    assert not (tmp_path / "pwned").exists()


def test_aws_instrumentation_driver_uses_the_apps_test(bundle, tmp_path):
    write_aws_job(FarmPlan(bundle), AwsConfig(tmp_path / "j", driver="instrumentation"))
    text = (tmp_path / "j" / "testspec.yml").read_text()
    assert "am instrument -w -r" in text and "org.mobilekit.demo.BenchmarkInstrumentationTest" in text
    assert "${DEVICEFARM_TEST_PACKAGE_NAME:-org.mobilekit.demo.test}/androidx.test.runner.AndroidJUnitRunner" in text


def test_aws_refuses_names_that_would_break_the_job(tmp_path):
    from farm_helpers import fake_bundle

    b = fake_bundle(tmp_path / "b", names=("a\nb.pte",))
    with pytest.raises(MobilekitError, match="holds control characters. A manifest may only name plain relative paths"):
        write_aws_job(FarmPlan(b), AwsConfig(tmp_path / "j"))  # the runner's one path rule, before the job is written
    assert not (tmp_path / "j").exists()
    with pytest.raises(MobilekitError, match="https://"):
        AwsConfig(tmp_path / "j", bundle_url="http://insecure/x.zip")


def test_existing_out_folder_needs_force(bundle, tmp_path):
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "x").write_text("keep")
    with pytest.raises(MobilekitError, match="--force"):
        write_aws_job(FarmPlan(bundle), AwsConfig(tmp_path / "j"))
    assert write_aws_job(FarmPlan(bundle), AwsConfig(tmp_path / "j", force=True)).cases == 2


def test_firebase_args_file(hostile_bundle, tmp_path):
    job = write_firebase_job(FarmPlan(hostile_bundle, threads=(1, 4)),
                             FirebaseConfig(tmp_path / "f", devices=("model=redfin,version=30",), results_bucket="my-bkt"))
    args = yaml.safe_load((tmp_path / "f" / "args.yaml").read_text())
    common, loop = args["common"], args["game-loop"]
    assert loop["type"] == "game-loop" and loop["include"] == ["common"] and loop["scenario-numbers"] == [1, 2, 3, 4]
    assert common["device"] == [{"model": "redfin", "version": "30"}] and common["results-bucket"] == "my-bkt"
    assert "/sdcard/Android/data/org.mobilekit.demo/files/mobilekit" in common["directories-to-pull"]
    other = common["other-files"]
    assert other["/data/local/tmp/mobilekit/plan.json"] == "plan.json"
    remote = [k for k in other if k.endswith("/" + HOSTILE)]
    assert len(remote) == 1 and other[remote[0]] == "bundle/" + HOSTILE      # the hostile name, verbatim
    assert (tmp_path / "f" / "bundle" / HOSTILE).is_file()
    plan = json.loads((tmp_path / "f" / "plan.json").read_text())
    assert plan["schema"] == "mobilekit.plan/1" and len(plan["cases"]) == 4
    case1 = args["case-1"]
    assert case1["type"] == "instrumentation" and case1["test-runner-class"] == "androidx.test.runner.AndroidJUnitRunner"
    env = case1["environment-variables"]
    assert env["class"] == "org.mobilekit.demo.BenchmarkInstrumentationTest" and env["artifact"] == plan["cases"][0]["artifact"]
    assert job.commands[0] == ["gcloud", "firebase", "test", "android", "run", "args.yaml:game-loop"]
    assert subprocess.run(["bash", "-n", str(tmp_path / "f" / "run.sh")]).returncode == 0


def test_firebase_device_and_timeout_checks(tmp_path):
    assert parse_device("model=Pixel2.arm,version=30,locale=en_US") == {"model": "Pixel2.arm", "version": "30", "locale": "en_US"}
    for bad in ("redfin", "model=redfin,colour=blue", "model=a b"):
        with pytest.raises(MobilekitError, match="KEY=VALUE"):
            parse_device(bad)
    with pytest.raises(MobilekitError, match="duration"):
        FirebaseConfig(tmp_path, timeout="soon")


def test_cli_json_and_user_errors(bundle, tmp_path, capsys):
    assert main(["farm", "aws", str(bundle), "--out", str(tmp_path / "a"), "--threads", "1,2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["farm"] == "aws-device-farm" and doc["cases"] == 4 and doc["commands_sh"]
    assert main(["farm", "firebase", str(bundle), "--out", str(tmp_path / "f"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["farm"] == "firebase-test-lab"
    assert main(["farm", "aws", str(tmp_path / "nope"), "--out", str(tmp_path / "b")]) == 2
    assert "not a mobilekit bundle" in capsys.readouterr().err
    assert main(["farm", "aws", str(bundle), "--out", str(tmp_path / "c"), "--artifact", "missing.pte"]) == 2
    assert main(["farm", "--help"]) == 0 and "Examples" in capsys.readouterr().out
