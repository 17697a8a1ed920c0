"""Firebase Test Lab: ``gcloud firebase test android run`` arguments for the bench plan, as an argument file.

Two ways into the app's benchmark mode (android/README.md documents both entry points):

- **game-loop** (one Test Lab execution for the whole plan): the app's ``GameLoopActivity`` answers
  ``com.google.intent.action.TEST_LOOP``, reads ``/data/local/tmp/mobilekit/plan.json``
  (``mobilekit.plan/1``) and runs case *k* for scenario *k* (``--scenario-numbers 1,...,N``), writing
  every result to the results URI Test Lab gives it and leaving each case's files in the app's folder;
- **instrumentation** (one execution per case): the androidTest ``BenchmarkInstrumentationTest`` starts
  ``BenchmarkActivity`` with the case's extras, passed with ``--environment-variables`` (Test Lab hands
  them to ``am instrument -e``), and waits for ``done``/``error``.

Both push the bundle with ``--other-files`` to ``/data/local/tmp/mobilekit/<bundle-sha12>/`` (the runner's
place) and pull the app's results folder with ``--directories-to-pull``. The arguments are written as a
gcloud argument file (``args.yaml``; ``gcloud firebase test android run args.yaml:GROUP``) because a file
name with a comma or ``=`` cannot be written in the ``--other-files`` flag's ``K=V,...`` form; every
scalar in it is a JSON-quoted string, which YAML reads verbatim.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner.device import APP_RESULTS, DEVICE_ROOT
from mobilekit.device_runner.farms.base import (
    TEST_PACKAGE, TEST_RUNNER, FarmJob, checked_bytes, FarmPlan, WrittenJob, check_file, prepare_job, prepare_out_dir, shell_line,
    write_job_record)

FARM = "firebase-test-lab"
ARGS_FILE = "args.yaml"
PLAN_DEVICE_PATH = f"{DEVICE_ROOT}/plan.json"       # where GameLoopActivity reads its plan
JOB_DEVICE_DIR = "/sdcard/mobilekit-farm"           # the job record rides along and is pulled back
INSTRUMENTATION_CLASS = "org.mobilekit.demo.BenchmarkInstrumentationTest"
MODES = ("game-loop", "instrumentation")
_DEVICE_KEYS = ("model", "version", "locale", "orientation")
_TIMEOUT = re.compile(r"^\d+[smh]?$")


@dataclass(frozen=True)
class FirebaseConfig:
    """Where the job is written and the Test Lab options that are not the plan's."""

    out_dir: Path
    app_apk: Path | None = None
    test_apk: Path | None = None
    devices: tuple[str, ...] = ()          # "model=redfin,version=30" each; none: Test Lab's default device
    results_bucket: str = ""
    timeout: str = "30m"                   # per Test Lab execution (physical devices allow up to 45m)
    force: bool = False

    def __post_init__(self):
        object.__setattr__(self, "devices", tuple(self.devices))
        for d in self.devices:
            parse_device(d)
        if not _TIMEOUT.match(self.timeout):
            raise MobilekitError(f"--timeout {self.timeout!r} is not a gcloud duration.", hint="Use e.g. 30m, 900s or 1h.")
        if self.results_bucket and not re.match(r"^[a-z0-9][a-z0-9._-]{1,220}$", self.results_bucket):
            raise MobilekitError(f"--results-bucket {self.results_bucket!r} is not a Cloud Storage bucket name.",
                                 hint="Give the bare bucket name, without gs://.")


def parse_device(spec: str) -> dict:
    """``model=redfin,version=30`` -> ``{"model": "redfin", "version": "30"}``; unknown keys are a user error."""
    out = {}
    for part in spec.split(","):
        k, sep, v = part.partition("=")
        k, v = k.strip(), v.strip()
        if not sep or k not in _DEVICE_KEYS or not v or not re.match(r"^[A-Za-z0-9._-]+$", v):
            raise MobilekitError(f"--device {spec!r}: expected KEY=VALUE pairs with keys {', '.join(_DEVICE_KEYS)}.",
                                 hint="List devices with `gcloud firebase test android models list`, e.g. "
                                      "--device model=redfin,version=30.")
        out[k] = v
    return out


def game_loop_plan(job: FarmJob) -> dict:
    """The ``mobilekit.plan/1`` document GameLoopActivity reads (scenario k = the k-th case)."""
    return {"schema": "mobilekit.plan/1", "bundle": job.remote_bundle, "warmup": job.plan.warmup,
            "iterations": job.plan.iterations, "energy": True,
            "cases": [{"artifact": c.artifact, "threads": c.threads} for c in job.cases]}


def write_firebase_job(plan: FarmPlan, config: FirebaseConfig, run_id: str | None = None) -> WrittenJob:
    """Copy the bundle files, write plan.json, the job record and ``args.yaml``; return what was written."""
    check_file(config.app_apk, "app APK", "Build it with `cd android && ./gradlew assembleDebug`.")
    check_file(config.test_apk, "instrumentation test APK", "Build it with `cd android && ./gradlew assembleDebugAndroidTest`.")
    job = prepare_job(FARM, plan, run_id)
    out = prepare_out_dir(config.out_dir, config.force)
    local = out / "bundle"
    for name in job.bundle.files:
        dest = local / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(checked_bytes(job.bundle, name))
    (out / "plan.json").write_text(json.dumps(game_loop_plan(job), indent=2) + "\n", encoding="utf-8")
    record = write_job_record(job, out)
    groups = argument_groups(job, config)
    (out / ARGS_FILE).write_text(render_args(groups, job), encoding="utf-8")
    written = WrittenJob(FARM, out, job.run_id, len(job.cases),
                         files={"args": str(out / ARGS_FILE), "plan": str(out / "plan.json"), "job": str(record),
                                "bundle": str(local)})
    app = str(config.app_apk.resolve()) if config.app_apk else "app-debug.apk"
    test = str(config.test_apk.resolve()) if config.test_apk else "app-debug-androidTest.apk"
    written.uploads = [
        {"file": app, "type": "--app", "what": "the mobilekit app (its GameLoopActivity is the game-loop entry point)"},
        {"file": test, "type": "--test", "what": "the app's androidTest package (instrumentation mode only)"},
        {"file": str(local), "type": "--other-files", "what": f"the bundle, to {job.remote_bundle}/"},
        {"file": str(out / "plan.json"), "type": "--other-files", "what": f"the game-loop plan, to {PLAN_DEVICE_PATH}"},
    ]
    gcloud = ["gcloud", "firebase", "test", "android", "run"]
    written.commands = [gcloud + [f"{ARGS_FILE}:game-loop"]]
    written.commands += [gcloud + [f"{ARGS_FILE}:case-{c.index}"] for c in job.cases]
    bucket = config.results_bucket or "YOUR_TEST_LAB_BUCKET"
    written.commands += [["gcloud", "storage", "cp", "-r", f"gs://{bucket}/mobilekit-{job.run_id}", "firebase-results"],
                         ["mobilekit", "runs", "import", "firebase-results", "--farm", FARM]]
    (out / "run.sh").write_text(_script(written, job), encoding="utf-8")
    written.files["script"] = str(out / "run.sh")
    written.notes = [
        "Run from this folder (args.yaml names the files relative to it). game-loop runs every case in one "
        "execution; case-N runs one case through the instrumentation test.",
        "Test Lab phones are on USB power: energy is recorded as invalid; latency, load time and memory are measured, "
        "and each result carries the thermal status the app saw.",
    ]
    if not config.results_bucket:
        written.notes.append("No --results-bucket: Test Lab uses its default bucket; `gcloud` prints it when the run ends.")
    if any("," in n or "=" in n for n in job.bundle.files):
        written.notes.append("Some bundle file names hold ',' or '=': use args.yaml, the flag form cannot express them.")
    return written


def argument_groups(job: FarmJob, config: FirebaseConfig) -> dict[str, dict]:
    """gcloud argument-file groups: ``common``, ``game-loop`` and ``case-N`` (each including ``common``)."""
    other = {f"{job.remote_bundle}/{n}": f"bundle/{n}" for n in sorted(job.bundle.files)}
    other[PLAN_DEVICE_PATH] = "plan.json"
    other[f"{JOB_DEVICE_DIR}/mobilekit-farm.json"] = "mobilekit-farm.json"
    common: dict = {"app": str(config.app_apk.resolve()) if config.app_apk else "app-debug.apk",
                    "timeout": config.timeout, "other-files": other,
                    "directories-to-pull": [APP_RESULTS, JOB_DEVICE_DIR],
                    "results-dir": f"mobilekit-{job.run_id}"}
    if config.results_bucket:
        common["results-bucket"] = config.results_bucket
    if config.devices:
        common["device"] = [parse_device(d) for d in config.devices]
    groups = {"common": common,
              "game-loop": {"include": ["common"], "type": "game-loop",
                            "scenario-numbers": [c.index for c in job.cases]}}
    test = str(config.test_apk.resolve()) if config.test_apk else "app-debug-androidTest.apk"
    for c in job.cases:
        env = {"bundle": job.remote_bundle, "artifact": c.artifact, "run_id": c.app_run_id, "warmup": str(job.plan.warmup),
               "iterations": str(job.plan.iterations), "threads": str(c.threads), "energy": "true",
               "timeout_s": str(int(job.plan.timeout_s)), "class": INSTRUMENTATION_CLASS}
        groups[f"case-{c.index}"] = {"include": ["common"], "type": "instrumentation", "test": test,
                                     "test-package": TEST_PACKAGE, "test-runner-class": TEST_RUNNER,
                                     "environment-variables": env, "results-dir": f"mobilekit-{job.run_id}/case-{c.index}"}
    return groups


def render_args(groups: dict[str, dict], job: FarmJob) -> str:
    """The argument file: block YAML whose every scalar is JSON-quoted (ASCII, so no name can break the file)."""
    lines = ["# gcloud argument file for Firebase Test Lab, written by `mobilekit farm firebase`.",
             f"# Job {job.run_id}: bundle {json.dumps(job.bundle.name, ensure_ascii=True)}, {len(job.cases)} cases.",
             "# Run from this folder:  gcloud firebase test android run args.yaml:game-loop   (all cases)",
             "#                   or:  gcloud firebase test android run args.yaml:case-1      (one case, instrumentation)"]
    for name, group in groups.items():
        lines.append(f"{name}:")
        lines += _yaml(group, 2)
    return "\n".join(lines) + "\n"


def _yaml(value, indent: int) -> list[str]:
    pad = " " * indent
    q = lambda v: json.dumps(v, ensure_ascii=True) if isinstance(v, str) else json.dumps(v)  # noqa: E731
    out = []
    for k, v in value.items():
        if isinstance(v, dict) and all(not isinstance(x, (dict, list)) for x in v.values()):
            out.append(f"{pad}{q(k)}:")
            out += [f"{pad}  {q(kk)}: {q(vv)}" for kk, vv in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            out.append(f"{pad}{q(k)}:")
            out += [f"{pad}  - {{{', '.join(f'{q(kk)}: {q(vv)}' for kk, vv in d.items())}}}" for d in v]
        elif isinstance(v, list):
            out.append(f"{pad}{q(k)}: [{', '.join(q(x) for x in v)}]")
        else:
            out.append(f"{pad}{q(k)}: {q(v)}")
    return out


def _script(written: WrittenJob, job: FarmJob) -> str:
    lines = ["#!/usr/bin/env bash", "# Run this mobilekit job on Firebase Test Lab (written by `mobilekit farm firebase`).",
             "# Needs gcloud, authenticated, with a project set (gcloud config set project PROJECT).",
             "set -euo pipefail", 'cd "$(dirname "$0")"',
             "MODE=\"${1:-game-loop}\"   # game-loop (one execution, every case) or instrumentation (one execution a case)",
             'if [ "$MODE" = game-loop ]; then',
             "  " + shell_line(written.commands[0]),
             "else"]
    lines += ["  " + shell_line(c) for c in written.commands[1:1 + len(job.cases)]]
    lines += ["fi", "# Then copy the results down and import them:"]
    lines += ["# " + shell_line(c) for c in written.commands[1 + len(job.cases):]]
    return "\n".join(lines) + "\n"
