"""AWS Device Farm: a custom-environment test spec that runs the bench plan through the app's benchmark mode.

The generated spec (``version: 0.1``, ``android_test_host: amazon_linux_2``) runs on Device Farm's test host
next to the phone, whose adb serial is ``$DEVICEFARM_DEVICE_UDID``; it is ExecuTorch's old
``android-perf`` spec done the mobilekit way:

- **install**: writes ``lib.sh`` (the helpers every later command sources) and the job record into a
  work folder, fetches the bundle zip (``$MOBILEKIT_BUNDLE_ZIP`` on the host, else
  ``$MOBILEKIT_BUNDLE_URL``, a presigned S3 URL passed as a run environment variable) and checks its
  sha256.
- **pre_test**: checks the app is installed, records ``getprop``, pushes the bundle to
  ``/data/local/tmp/mobilekit/<bundle-sha12>/`` (the runner's place) and turns on fixed performance mode.
- **test**: one command per case: cool down (thermal status back to its pre-test value, capped), dump
  thermal/battery/cpufreq state, ``am start -W -S -n org.mobilekit.demo/.BenchmarkActivity`` with the
  runner's extras (or, with ``driver="instrumentation"``, ``am instrument`` of the app's
  ``BenchmarkInstrumentationTest`` in ``$DEVICEFARM_TEST_PACKAGE_NAME`` with the same values), poll for ``done``/``error`` with a timeout (``run-as`` when the shell cannot list the
  app's folder), pull ``result.json`` (``run-as ... cat`` as the fallback, as ``mobilekit bench`` does), dump
  the state again. A last command fails the test phase when any case has no result.
- **post_test**: restores performance mode and lists what was collected.

Everything lands in ``$DEVICEFARM_LOG_DIR/mobilekit-<run_id>/``, which Device Farm returns as the
customer artifacts; ``mobilekit runs import`` reads that folder or zip. Every value that reaches a shell
is quoted once for the host's bash and once more for the phone's shell where it goes there.
Device Farm installs the app and the instrumentation test package itself. By default the spec drives
the benchmark mode directly, exactly as the runner does (and as the simulated phone can be checked
against); the test package is there because an instrumentation run needs one, and is the entry point
with ``driver="instrumentation"``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner.device import APP_PACKAGE, APP_RESULTS
from mobilekit.device_runner.farms.base import (
    JOB_FILE, TEST_PACKAGE, TEST_RUNNER, FarmJob, FarmPlan, WrittenJob, check_file, prepare_job, prepare_out_dir, write_bundle_zip,
    write_job_record)
from mobilekit.device_runner.transport import quote as device_quote

FARM = "aws-device-farm"
SPEC_FILE = "testspec.yml"
ZIP_FILE = "bundle.zip"
MAX_CPUS = 16
LIB_MARK = "MOBILEKIT_LIB_EOF"
DRIVERS = ("am-start", "instrumentation")
INSTRUMENTATION_CLASS = "org.mobilekit.demo.BenchmarkInstrumentationTest"
JOB_MARK = "MOBILEKIT_JOB_EOF"


@dataclass(frozen=True)
class AwsConfig:
    """Where the job is written and what Device Farm needs to schedule it."""

    out_dir: Path
    app_apk: Path | None = None               # the mobilekit app (android/app, assembleDebug: debuggable for run-as)
    test_apk: Path | None = None              # its androidTest package (assembleDebugAndroidTest)
    bundle_url: str = ""                      # a presigned URL of bundle.zip baked in as the default source
    project_arn: str = "PROJECT_ARN"
    device_pool_arn: str = "DEVICE_POOL_ARN"
    test_host: str = "amazon_linux_2"
    cooldown_max_s: float = 120.0             # cap on waiting for the thermal status to come back between cases
    fixed_performance: bool = True
    driver: str = "am-start"                  # am-start (the runner's way) or instrumentation (the app's androidTest)
    force: bool = False
    name: str = "mobilekit benchmark"
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.driver not in DRIVERS:
            raise MobilekitError(f"Unknown driver {self.driver!r}.", hint=f"Use one of: {', '.join(DRIVERS)}.")
        if self.cooldown_max_s < 0:
            raise MobilekitError(f"--cooldown-max must be 0 or more, got {self.cooldown_max_s}.")
        if self.bundle_url and not self.bundle_url.startswith("https://"):
            raise MobilekitError(f"--bundle-url must be an https:// URL, got {self.bundle_url!r}.",
                                 hint="Upload bundle.zip to S3 and pass `aws s3 presign s3://BUCKET/bundle.zip --expires-in 86400`.")


def write_aws_job(plan: FarmPlan, config: AwsConfig, run_id: str | None = None) -> WrittenJob:
    """Write the test spec, the bundle zip, the job record and ``schedule.sh`` into ``config.out_dir``."""
    check_file(config.app_apk, "app APK", "Build it with `cd android && ./gradlew assembleDebug`.")
    check_file(config.test_apk, "instrumentation test APK", "Build it with `cd android && ./gradlew assembleDebugAndroidTest`.")
    job = prepare_job(FARM, plan, run_id)
    out = prepare_out_dir(config.out_dir, config.force)
    zip_sha = write_bundle_zip(job, out / ZIP_FILE)
    record = write_job_record(job, out)
    spec = out / SPEC_FILE
    spec.write_text(render_spec(job, config, zip_sha), encoding="utf-8")
    written = WrittenJob(FARM, out, job.run_id, len(job.cases),
                         files={"test_spec": str(spec), "bundle_zip": str(out / ZIP_FILE), "job": str(record)})
    app = str(config.app_apk.resolve()) if config.app_apk else "app-debug.apk"
    test = str(config.test_apk.resolve()) if config.test_apk else "app-debug-androidTest.apk"
    written.uploads = [
        {"file": app, "type": "ANDROID_APP", "what": "the mobilekit app (debuggable build, so run-as can read its results)"},
        {"file": test, "type": "INSTRUMENTATION_TEST_PACKAGE", "what": "the app's androidTest package"},
        {"file": str(spec), "type": "INSTRUMENTATION_TEST_SPEC", "what": "this job's custom-environment test spec"},
        {"file": str(out / ZIP_FILE), "type": "S3 object, presigned", "what": f"the bundle (sha256 {zip_sha}); "
         "the spec downloads it from MOBILEKIT_BUNDLE_URL and checks the sha256"},
    ]
    written.commands = schedule_commands(config, app, test, str(spec), str(out / ZIP_FILE), job.run_id)
    (out / "schedule.sh").write_text(schedule_script(config, app, test, spec, job.run_id), encoding="utf-8")
    written.files["schedule"] = str(out / "schedule.sh")
    written.notes = [
        "Device Farm phones are on USB power: energy is recorded as invalid; latency, load time, memory, thermal "
        "status and CPU frequency residency are measured.",
        f"After the run, download the customer artifacts and `mobilekit runs import` them (they hold mobilekit-{job.run_id}/).",
    ]
    return written


# ---- the spec ------------------------------------------------------------------------------------------
def work_dir_expr(run_id: str) -> str:
    return f'"${{TMPDIR:-/tmp}}/mobilekit-{run_id}"'


def source_lib(run_id: str) -> str:
    return f'. {work_dir_expr(run_id)[:-1]}/lib.sh"'


def render_spec(job: FarmJob, config: AwsConfig, zip_sha: str) -> str:
    """The YAML text. Commands are literal blocks; every name in them was checked to hold no line break."""
    src = source_lib(job.run_id)
    install = [
        f"mkdir -p {work_dir_expr(job.run_id)}\n"
        f"cat > {work_dir_expr(job.run_id)[:-1]}/lib.sh\" <<'{LIB_MARK}'\n{render_lib(job, config, zip_sha)}{LIB_MARK}",
        f"{src}\nmkdir -p \"$MK_OUT\"\ncat > \"$MK_OUT/{JOB_FILE}\" <<'{JOB_MARK}'\n"
        f"{json.dumps(job.record(), ensure_ascii=True, separators=(',', ':'))}\n{JOB_MARK}",
        f"{src}\nmk_fetch_bundle",
    ]
    pre = [f"{src}\nmk_device_info", f"{src}\nmk_push_bundle"]
    if config.fixed_performance:
        pre.append(f"{src}\nmk_sh 'cmd power set-fixed-performance-mode-enabled true' || true")
    pre.append(f"{src}\nmk_thermal_status > \"$MK_WORK/thermal-baseline\"")
    test = []
    for c in job.cases:
        test.append((f"case {c.index}/{len(job.cases)}: {c.artifact} ({c.runtime}, {c.precision}), {c.threads} "
                     f"threads, repeat {c.repeat_index}",
                     f"{src}\nmk_case {shlex.quote(c.app_run_id)} {shlex.quote(_driver_line(job, c, config))}"))
    test.append(("fail the test phase when a case brought no result.json back", f"{src}\nmk_summary"))
    post = []
    if config.fixed_performance:
        post.append(f"{src}\nmk_sh 'cmd power set-fixed-performance-mode-enabled false' || true")
    post.append(f"{src}\nls -R \"$MK_OUT\"")
    lines = [
        "# AWS Device Farm custom-environment test spec, written by `mobilekit farm aws`.",
        f"# Bundle {_comment(job.bundle.name)} (content id {job.bundle.sha12}), {len(job.cases)} cases, job {job.run_id}.",
        "# Upload as INSTRUMENTATION_TEST_SPEC; see schedule.sh next to this file.",
        "version: 0.1",
        "",
        f"android_test_host: {config.test_host}",
        "",
        "phases:",
    ]
    for phase, cmds in (("install", install), ("pre_test", pre), ("test", test), ("post_test", post)):
        lines += [f"  {phase}:", "    commands:"]
        for cmd in cmds:
            if isinstance(cmd, tuple):
                lines.append(f"      # {_comment(cmd[0])}")
                cmd = cmd[1]
            lines += _literal_item(cmd, indent=6)
    lines += ["", "artifacts:", "  # Device Farm returns this folder as the customer artifacts; mobilekit-RUN/ inside it is the run.",
              "  - $DEVICEFARM_LOG_DIR", ""]
    return "\n".join(lines)


def _driver_line(job: FarmJob, case, config: AwsConfig) -> str:
    """The phone command that starts one case: the runner's ``am start``, or the app's instrumentation test.

    For ``instrumentation`` the line ends with the test package, which bash appends at run time from
    ``$DEVICEFARM_TEST_PACKAGE_NAME`` (see ``mk_case``).
    """
    if config.driver == "am-start":
        return job.am_start_line(case)
    p = job.plan
    args = ["am", "instrument", "-w", "-r", "-e", "bundle", job.remote_bundle, "-e", "artifact", case.artifact,
            "-e", "run_id", case.app_run_id, "-e", "warmup", str(p.warmup), "-e", "iterations", str(p.iterations),
            "-e", "threads", str(case.threads), "-e", "energy", "true", "-e", "timeout_s", str(int(p.timeout_s)),
            "-e", "class", INSTRUMENTATION_CLASS]
    return device_quote(args) + " @TEST_PACKAGE@"


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _literal_item(text: str, indent: int) -> list[str]:
    """A YAML sequence item holding ``text`` verbatim as a literal block scalar (``|-``)."""
    body = text.split("\n")
    for ln in body:
        if any(ord(c) < 32 and c != "\t" or ord(c) == 127 or c in "\x85\u2028\u2029\ufeff" for c in ln):
            raise MobilekitError(f"A test spec line holds a control character: {ln!r}")
    pad = " " * (indent + 2)
    indicator = "|2-" if body and body[0][:1] in (" ", "\t") else "|-"
    return [" " * indent + f"- {indicator}"] + [(pad + ln) if ln else "" for ln in body]


def render_lib(job: FarmJob, config: AwsConfig, zip_sha: str) -> str:
    """lib.sh: bash helpers for the host, sourced by every command of the spec (returned with a final newline)."""
    paths = [f"/sys/devices/system/cpu/cpu{i}/cpufreq/stats/time_in_state" for i in range(MAX_CPUS)]
    sysfs = ["/sys/class/power_supply/battery/status", "/sys/class/power_supply/battery/temp",
             "/sys/class/power_supply/battery/capacity", "/sys/class/power_supply/usb/online",
             "/sys/class/power_supply/ac/online"]
    state_parts = ["echo @@mobilekit:dumpsys-thermalservice", "dumpsys thermalservice",
                   "echo @@mobilekit:dumpsys-battery", "dumpsys battery"]
    for p in sysfs + paths:
        state_parts += [f"echo @@mobilekit-file:{p}", f"cat {device_quote([p])} 2>/dev/null"]
    state_line = " ; ".join(state_parts)
    push = [f'  mk_adb push "$MK_WORK/bundle/"{shlex.quote(name)} {shlex.quote(job.remote_bundle + "/" + name)} '
            ">/dev/null || return 1" for name in sorted(job.bundle.files)]
    v = {
        "MK_RUN": job.run_id, "MK_PKG": APP_PACKAGE, "MK_RESULTS": APP_RESULTS, "MK_REMOTE_BUNDLE": job.remote_bundle,
        "MK_ZIP_SHA256": zip_sha, "MK_BUNDLE_URL_DEFAULT": config.bundle_url,
        "MK_TIMEOUT_S": str(int(job.plan.timeout_s)), "MK_COOLDOWN_MAX_S": str(int(config.cooldown_max_s)),
        "MK_STATE_LINE": state_line,
    }
    head = "\n".join(f"{k}={shlex.quote(val)}" for k, val in v.items())
    return f"""# mobilekit farm helpers for job {job.run_id} (generated; bash on the Device Farm test host).
{head}
MK_WORK="${{TMPDIR:-/tmp}}/mobilekit-$MK_RUN"
MK_OUT="$DEVICEFARM_LOG_DIR/mobilekit-$MK_RUN"

mk_adb() {{ adb -s "$DEVICEFARM_DEVICE_UDID" "$@"; }}
# One command line for the phone's shell, already quoted for it (adb passes it on as it is).
mk_sh() {{ mk_adb shell "$1"; }}
mk_log() {{ echo "mobilekit: $*" >&2; }}

mk_fetch_bundle() {{
  local zip="${{MOBILEKIT_BUNDLE_ZIP:-}}" url="${{MOBILEKIT_BUNDLE_URL:-$MK_BUNDLE_URL_DEFAULT}}" got
  if [ -z "$zip" ]; then
    if [ -z "$url" ]; then
      mk_log "no bundle: set MOBILEKIT_BUNDLE_URL (a presigned URL of bundle.zip) on the run, see schedule.sh"
      return 1
    fi
    zip="$MK_WORK/bundle.zip"
    curl -sS --fail --retry 3 -o "$zip" "$url" || {{ mk_log "could not download the bundle"; return 1; }}
  fi
  got="$(sha256sum "$zip" | cut -d ' ' -f 1)"
  if [ "$got" != "$MK_ZIP_SHA256" ]; then
    mk_log "the bundle zip has sha256 $got, this job was written for $MK_ZIP_SHA256"
    return 1
  fi
  rm -rf "$MK_WORK/bundle" && mkdir -p "$MK_WORK/bundle" && unzip -q -o "$zip" -d "$MK_WORK/bundle"
}}

mk_device_info() {{
  mkdir -p "$MK_OUT"
  env | grep -E '^DEVICEFARM_(DEVICE_|TEST_PACKAGE_NAME=)' > "$MK_OUT/env.txt" || true
  mk_sh getprop > "$MK_OUT/getprop.txt" 2>&1
  mk_sh 'nproc ; cat /proc/meminfo' > "$MK_OUT/hardware.txt" 2>&1
  mk_sh "pm path $MK_PKG" > "$MK_OUT/app.txt" 2>&1
  if ! grep -q '^package:' "$MK_OUT/app.txt"; then
    mk_log "the app $MK_PKG is not installed on the phone: upload the mobilekit APK as the run's app"
    return 1
  fi
}}

mk_push_bundle() {{
  mk_sh "mkdir -p $MK_REMOTE_BUNDLE" >/dev/null
{chr(10).join(push)}
  mk_log "bundle pushed to $MK_REMOTE_BUNDLE"
}}

mk_state() {{ mk_sh "$MK_STATE_LINE" 2>&1 | tr -d '\\r'; }}
mk_thermal_status() {{
  mk_sh 'dumpsys thermalservice' 2>/dev/null | tr -d '\\r' | sed -n 's/.*Thermal Status: *\\([0-9][0-9]*\\).*/\\1/p' | head -n 1
}}

# Wait (at most MK_COOLDOWN_MAX_S) until the thermal status is back to its pre-test value; say what was reached.
mk_cooldown() {{
  local base now t0=$SECONDS
  base="$(cat "$MK_WORK/thermal-baseline" 2>/dev/null)"
  [ -n "$base" ] || base=0
  while :; do
    now="$(mk_thermal_status)"
    [ -n "$now" ] || now=0
    if [ "$now" -le "$base" ]; then echo "reached status=$now baseline=$base waited_s=$((SECONDS - t0))"; return 0; fi
    if [ $((SECONDS - t0)) -ge "$MK_COOLDOWN_MAX_S" ]; then
      echo "cap status=$now baseline=$base waited_s=$((SECONDS - t0))"; return 0
    fi
    sleep 5
  done
}}

# mk_case APP_RUN_ID AM_START_LINE: one case of the benchmark protocol; always returns 0 (the summary judges).
mk_case() {{
  local id="$1" am="$2" d="$MK_OUT/cases/$1" rdir="$MK_RESULTS/$1" state=timeout names t0
  mkdir -p "$d"
  mk_cooldown > "$d/cooldown.txt"
  mk_state > "$d/state-before.txt"
  mk_sh "rm -rf $rdir" >/dev/null 2>&1
  date -u +%Y-%m-%dT%H:%M:%SZ > "$d/started_utc.txt"
  case "$am" in
    *" @TEST_PACKAGE@") am="${{am% @TEST_PACKAGE@}} ${{DEVICEFARM_TEST_PACKAGE_NAME:-{TEST_PACKAGE}}}/{TEST_RUNNER}" ;;
  esac
  mk_sh "$am" > "$d/am_start.txt" 2>&1
  if grep -qE '^(Error|Exception)|INSTRUMENTATION_FAILED|shortMsg=Process crashed' "$d/am_start.txt"; then
    state=error; cp "$d/am_start.txt" "$d/error.txt"
  fi
  t0=$SECONDS
  while [ "$state" = timeout ] && [ $((SECONDS - t0)) -lt "$MK_TIMEOUT_S" ]; do
    names="$(mk_sh "ls -1 $rdir" 2>&1 | tr -d '\\r')"
    case "$names" in
      *"Permission denied"*) names="$(mk_sh "run-as $MK_PKG ls -1 files/mobilekit/$id" 2>&1 | tr -d '\\r')" ;;
    esac
    if printf '%s\\n' "$names" | grep -qx 'error'; then state=error; break; fi
    if printf '%s\\n' "$names" | grep -qx 'done'; then state=done; break; fi
    sleep 1
  done
  case "$state" in
    done)
      if ! mk_adb pull "$rdir/result.json" "$d/result.json" >/dev/null 2>&1 || [ ! -s "$d/result.json" ]; then
        mk_sh "run-as $MK_PKG cat files/mobilekit/$id/result.json" > "$d/result.json" 2>/dev/null
      fi ;;
    error)
      [ -s "$d/error.txt" ] || if ! mk_adb pull "$rdir/error" "$d/error.txt" >/dev/null 2>&1; then
        mk_sh "run-as $MK_PKG cat files/mobilekit/$id/error" > "$d/error.txt" 2>&1
      fi ;;
    *)
      mk_sh "am force-stop $MK_PKG" >/dev/null 2>&1
      echo "no done or error file from the app within $MK_TIMEOUT_S s; the app was stopped" > "$d/error.txt" ;;
  esac
  echo "$state" > "$d/status.txt"
  mk_state > "$d/state-after.txt"
  mk_log "case $id: $state"
  return 0
}}

mk_summary() {{
  local total=0 ok=0 d
  for d in "$MK_OUT"/cases/*/; do
    total=$((total + 1))
    if [ -s "$d/result.json" ]; then ok=$((ok + 1)); fi
  done
  echo "cases=$total with_result=$ok" | tee "$MK_OUT/summary.txt"
  [ "$total" -gt 0 ] && [ "$ok" -eq "$total" ]
}}
"""


# ---- scheduling --------------------------------------------------------------------------------------
def schedule_commands(config: AwsConfig, app: str, test: str, spec: str, zip_path: str, run_id: str) -> list[list[str]]:
    """The ``aws`` CLI calls that upload the job and schedule it (ARNs in capitals are filled in by the script)."""
    p = config.project_arn
    cmds = [
        ["aws", "s3", "cp", zip_path, f"s3://BUCKET/mobilekit/{run_id}/bundle.zip"],
        ["aws", "s3", "presign", f"s3://BUCKET/mobilekit/{run_id}/bundle.zip", "--expires-in", "86400"],
    ]
    for path, kind in ((app, "ANDROID_APP"), (test, "INSTRUMENTATION_TEST_PACKAGE"), (spec, "INSTRUMENTATION_TEST_SPEC")):
        cmds.append(["aws", "devicefarm", "create-upload", "--project-arn", p, "--name", Path(path).name, "--type", kind])
    env = json.dumps([{"name": "MOBILEKIT_BUNDLE_URL", "value": "BUNDLE_URL"}], separators=(",", ":"))
    cmds.append(["aws", "devicefarm", "schedule-run", "--project-arn", p, "--app-arn", "APP_UPLOAD_ARN",
                 "--device-pool-arn", config.device_pool_arn, "--name", config.name,
                 "--test", "type=INSTRUMENTATION,testPackageArn=TEST_UPLOAD_ARN,testSpecArn=SPEC_UPLOAD_ARN",
                 "--configuration", f'{{"environmentVariables":{env}}}'])
    return cmds


def _default(var: str, value: str) -> str:
    """``VAR`` from the environment, else the value given on the command line (placeholders are not values)."""
    if value == var:
        return f'{var}="${{{var}:-}}"'
    return f'{var}="${{{var}:-}}"; [ -n "${var}" ] || {var}={shlex.quote(value)}'


def schedule_script(config: AwsConfig, app: str, test: str, spec: Path, run_id: str) -> str:
    """schedule.sh: the same calls as a runnable script (each upload is PUT to its presigned URL, then polled)."""
    q = shlex.quote
    key = f"mobilekit/{run_id}/bundle.zip"
    return f"""#!/usr/bin/env bash
# Upload this mobilekit job to AWS Device Farm and schedule it. Needs the aws CLI, credentials, and
#   PROJECT_ARN, DEVICE_POOL_ARN (aws devicefarm list-projects / list-device-pools) and BUCKET (an S3 bucket).
# Written by `mobilekit farm aws`; every value is quoted once.
set -euo pipefail
cd "$(dirname "$0")"
{_default("PROJECT_ARN", config.project_arn)}
{_default("DEVICE_POOL_ARN", config.device_pool_arn)}
: "${{PROJECT_ARN:?set PROJECT_ARN}}" "${{DEVICE_POOL_ARN:?set DEVICE_POOL_ARN}}" "${{BUCKET:?set BUCKET}}"

upload() {{  # upload FILE TYPE -> prints the upload ARN once Device Farm has processed it
  local out arn url status
  out="$(aws devicefarm create-upload --project-arn "$PROJECT_ARN" --name "$(basename "$1")" --type "$2" --output json)"
  arn="$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["upload"]["arn"])')"
  url="$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["upload"]["url"])')"
  curl -sS --fail -T "$1" "$url" >&2
  for _ in $(seq 60); do
    status="$(aws devicefarm get-upload --arn "$arn" --query upload.status --output text)"
    [ "$status" = SUCCEEDED ] && {{ echo "$arn"; return 0; }}
    [ "$status" = FAILED ] && {{ aws devicefarm get-upload --arn "$arn" >&2; return 1; }}
    sleep 5
  done
  echo "upload of $1 did not finish" >&2; return 1
}}

# The bundle goes to S3; the spec downloads it from a presigned URL passed as a run environment variable.
aws s3 cp {q(ZIP_FILE)} "s3://$BUCKET/"{q(key)}
BUNDLE_URL="$(aws s3 presign "s3://$BUCKET/"{q(key)} --expires-in 86400)"
APP_UPLOAD_ARN="$(upload {q(app)} ANDROID_APP)"
TEST_UPLOAD_ARN="$(upload {q(test)} INSTRUMENTATION_TEST_PACKAGE)"
SPEC_UPLOAD_ARN="$(upload {q(spec.name)} INSTRUMENTATION_TEST_SPEC)"
CONFIG="$(python3 -c 'import json,sys; print(json.dumps({{"environmentVariables": [{{"name": "MOBILEKIT_BUNDLE_URL", "value": sys.argv[1]}}]}}))' "$BUNDLE_URL")"
aws devicefarm schedule-run --project-arn "$PROJECT_ARN" --app-arn "$APP_UPLOAD_ARN" \\
  --device-pool-arn "$DEVICE_POOL_ARN" --name {q(config.name)} \\
  --test "type=INSTRUMENTATION,testPackageArn=$TEST_UPLOAD_ARN,testSpecArn=$SPEC_UPLOAD_ARN" \\
  --configuration "$CONFIG"
echo "scheduled. When it finishes, download each job's Customer Artifacts zip" >&2
echo "(aws devicefarm list-artifacts --arn JOB_ARN --type FILE) and run: mobilekit runs import THAT.zip" >&2
"""
