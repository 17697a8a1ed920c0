"""``mobilekit farm aws|firebase|stf``: the same benchmark on device farms; a thin layer over device_runner.farms."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from mobilekit import MobilekitError
from mobilekit.cli.bench_cmd import RichProgress, _csv, _ints


def plan_options(f):
    """The case choices every farm command shares with `mobilekit bench`."""
    for opt in reversed([
        click.option("--artifact", "artifacts", multiple=True, help="Only these artifact files of the bundle (repeatable)."),
        click.option("--runtime", "runtimes", multiple=True, help="Only artifacts for these runtimes (executorch, onnxruntime, pytorch_mobile)."),
        click.option("--threads", default="4", show_default=True, help="Comma list of thread counts, e.g. 1,4."),
        click.option("--warmup", default=5, show_default=True, help="Untimed runs before timing."),
        click.option("--iterations", default=50, show_default=True, help="Timed runs per case."),
        click.option("--repeats", default=1, show_default=True, help="Run every case this many times (interleaved)."),
        click.option("--timeout", "timeout_s", default=300.0, show_default=True, help="Seconds per case before giving up."),
        click.option("--json", "as_json", is_flag=True, help="Print JSON only."),
    ]):
        f = opt(f)
    return f


def _farm_plan(bundle, artifacts, runtimes, threads, warmup, iterations, repeats, timeout_s):
    from mobilekit.device_runner.farms.base import FarmPlan

    return FarmPlan(bundle=bundle, artifacts=tuple(a for s in artifacts for a in _csv(s)),
                    runtimes=tuple(r for s in runtimes for r in _csv(s)), threads=_ints(threads), warmup=warmup,
                    iterations=iterations, repeats=repeats, timeout_s=timeout_s)


def _print_job(written, as_json: bool) -> None:
    from mobilekit.device_runner.farms.base import shell_line

    from mobilekit.cli.terminal import clean

    if as_json:
        click.echo(json.dumps(written.to_dict(), indent=2))
        return
    click.echo(clean(f"{written.farm} job {written.run_id}: {written.cases} cases, written to {written.out_dir}"))
    for role, path in written.files.items():
        click.echo(clean(f"  {role:10s} {path}"))
    click.echo("upload:")
    for u in written.uploads:
        click.echo(clean(f"  {u['type']:30s} {u['file']}  ({u['what']})"))
    click.echo("commands:")
    for c in written.commands:
        click.echo("  " + clean(shell_line(c)))
    for n in written.notes:
        click.echo("note: " + clean(n))


@click.group()
def farm() -> None:
    """Run a bundle's benchmark on a device farm (AWS Device Farm, Firebase Test Lab, DeviceFarmer/STF).

    `aws` and `firebase` write a ready-to-upload job (the farm runs it; bring the results home with
    `mobilekit runs import`); `stf` leases phones from your own STF rack and runs `mobilekit bench`
    on them directly. Farm phones are plugged in: energy from them is stored as invalid, with the reason.

    \b
    Examples:
      mobilekit farm aws out/digits_cnn --out farm-aws --app-apk app-debug.apk --test-apk app-debug-androidTest.apk
      mobilekit farm firebase out/digits_cnn --out farm-ftl --device model=redfin,version=30
      STF_TOKEN=... mobilekit farm stf out/digits_cnn --url https://stf.example.org --token-env STF_TOKEN --count 2
      mobilekit runs import Customer_Artifacts.zip
    """


@farm.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the job files.")
@click.option("--app-apk", type=click.Path(path_type=Path), default=None, help="The mobilekit app APK (debuggable).")
@click.option("--test-apk", type=click.Path(path_type=Path), default=None, help="The app's androidTest APK.")
@click.option("--bundle-url", default="", help="A presigned https URL of bundle.zip to bake in (schedule.sh passes one anyway).")
@click.option("--project-arn", default="PROJECT_ARN", help="Device Farm project ARN for the commands.")
@click.option("--device-pool-arn", default="DEVICE_POOL_ARN", help="Device pool ARN for the commands.")
@click.option("--driver", type=click.Choice(["am-start", "instrumentation"]), default="am-start", show_default=True,
              help="Start each case with the runner's `am start` or through the app's instrumentation test.")
@click.option("--cooldown-max", "cooldown_max_s", default=120.0, show_default=True, help="Longest wait (s) for the thermal status to settle between cases.")
@click.option("--force", is_flag=True, help="Overwrite a non-empty --out folder.")
@plan_options
def aws(bundle, out_dir, app_apk, test_apk, bundle_url, project_arn, device_pool_arn, driver, cooldown_max_s, force,
        artifacts, runtimes, threads, warmup, iterations, repeats, timeout_s, as_json) -> None:
    """Write an AWS Device Farm job: custom-environment test spec, bundle zip, upload list, schedule.sh.

    The spec (testspec.yml) pushes the bundle, runs every case of the plan through the app's benchmark
    mode with the runner's intent extras, waits for done/error with --timeout, records thermal, battery
    and CPU-frequency state before and after each case, and pulls every result.json (run-as as the
    fallback) into $DEVICEFARM_LOG_DIR/mobilekit-RUN/. Import the customer artifacts afterwards.

    \b
    Examples:
      mobilekit farm aws out/digits_cnn --out farm-aws --threads 1,4
      mobilekit farm aws out/digits_cnn --out farm-aws --app-apk app-debug.apk --test-apk app-debug-androidTest.apk \\
          --project-arn arn:aws:devicefarm:us-west-2:123:project:abc --device-pool-arn arn:...:devicepool:abc/def
      PROJECT_ARN=... DEVICE_POOL_ARN=... BUCKET=my-bucket bash farm-aws/schedule.sh
    """
    from mobilekit.device_runner.farms.aws import AwsConfig, write_aws_job

    plan = _farm_plan(bundle, artifacts, runtimes, threads, warmup, iterations, repeats, timeout_s)
    written = write_aws_job(plan, AwsConfig(out_dir, app_apk=app_apk, test_apk=test_apk, bundle_url=bundle_url,
                                            project_arn=project_arn, device_pool_arn=device_pool_arn, driver=driver,
                                            cooldown_max_s=cooldown_max_s, force=force))
    _print_job(written, as_json)


@farm.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the job files.")
@click.option("--app-apk", type=click.Path(path_type=Path), default=None, help="The mobilekit app APK.")
@click.option("--test-apk", type=click.Path(path_type=Path), default=None, help="The app's androidTest APK (instrumentation mode).")
@click.option("--device", "devices", multiple=True, metavar="model=M,version=V", help="A Test Lab device (repeatable).")
@click.option("--results-bucket", default="", help="Cloud Storage bucket for the results (default: Test Lab's).")
@click.option("--test-timeout", default="30m", show_default=True, help="Test Lab timeout per execution (physical devices: up to 45m).")
@click.option("--force", is_flag=True, help="Overwrite a non-empty --out folder.")
@plan_options
def firebase(bundle, out_dir, app_apk, test_apk, devices, results_bucket, test_timeout, force,
             artifacts, runtimes, threads, warmup, iterations, repeats, timeout_s, as_json) -> None:
    """Write a Firebase Test Lab job: a gcloud argument file (game-loop and instrumentation), plan.json, the bundle.

    args.yaml holds `gcloud firebase test android run` arguments with --other-files for the bundle and the
    plan and --directories-to-pull for the app's results folder. game-loop runs every case in one
    execution (scenario k = case k); case-N runs one case through the instrumentation test.

    \b
    Examples:
      mobilekit farm firebase out/digits_cnn --out farm-ftl --device model=redfin,version=30
      cd farm-ftl && gcloud firebase test android run args.yaml:game-loop
      gcloud storage cp -r gs://BUCKET/mobilekit-RUN firebase-results && mobilekit runs import firebase-results
    """
    from mobilekit.device_runner.farms.firebase import FirebaseConfig, write_firebase_job

    plan = _farm_plan(bundle, artifacts, runtimes, threads, warmup, iterations, repeats, timeout_s)
    written = write_firebase_job(plan, FirebaseConfig(out_dir, app_apk=app_apk, test_apk=test_apk, devices=devices,
                                                      results_bucket=results_bucket, timeout=test_timeout, force=force))
    _print_job(written, as_json)


@farm.command()
@click.argument("bundle", type=click.Path(path_type=Path), required=False)
@click.option("--url", required=True, help="The STF server, e.g. https://stf.example.org")
@click.option("--token-env", required=True, metavar="VAR", help="Name of the environment variable holding the STF access token.")
@click.option("--serial", "serials", multiple=True, help="Lease this phone (repeatable); default: the first free --count.")
@click.option("--count", default=1, show_default=True, help="How many free phones to lease when no --serial is given.")
@click.option("--lease-minutes", default=60.0, show_default=True, help="STF takes the phones back after this, should mobilekit die.")
@click.option("--list", "list_only", is_flag=True, help="Only list the server's phones (no lease).")
@click.option("--energy/--no-energy", default=True, show_default=True, help="Measure battery power (invalid while the rack charges the phone).")
@click.option("--via", type=click.Choice(["auto", "server", "tcp"]), default="auto", show_default=True, help="How to reach the remote ADB address.")
@click.option("--key", type=click.Path(path_type=Path), default=None, help="ADB key file (its .pub must be in STF's ADB keys).")
@click.option("--db", type=click.Path(path_type=Path), default=None, help="Results database (default $MOBILEKIT_DB or ~/.local/share/mobilekit/runs.db).")
@plan_options
def stf(bundle, url, token_env, serials, count, lease_minutes, list_only, energy, via, key, db,
        artifacts, runtimes, threads, warmup, iterations, repeats, timeout_s, as_json) -> None:
    """Lease phones from a DeviceFarmer/STF server, run `mobilekit bench` on them, release them.

    Leases over STF's REST API (Bearer token read from the variable named by --token-env; it is never
    printed), remote-connects each phone, runs the ordinary bench over the host:port STF gives, and
    releases every phone when the run ends, fails or is interrupted (Ctrl-C, SIGTERM). The run is
    stored like any other, labelled `stf`. Add this computer's ADB public key in STF first.

    \b
    Examples:
      export STF_TOKEN=...        # STF Settings -> Keys -> Access Tokens
      mobilekit farm stf --url https://stf.example.org --token-env STF_TOKEN --list
      mobilekit farm stf out/digits_cnn --url https://stf.example.org --token-env STF_TOKEN --count 2 --threads 1,4
      mobilekit farm stf out/digits_cnn --url https://stf.example.org --token-env STF_TOKEN --serial R5CT30 --json
    """
    from rich.console import Console
    from mobilekit.cli.terminal import safe

    from mobilekit.device_runner.farms.stf import StfClient, StfConfig, run_on_stf
    from mobilekit.device_runner.plan import BenchPlan
    from mobilekit.device_runner.store import Store

    token = os.environ.get(token_env or "")
    if not token:
        raise MobilekitError(f"The environment variable {token_env} is not set (or empty).",
                             hint=f"Export your STF access token first: export {token_env}=... (STF Settings -> Keys).")
    config = StfConfig(url=url, token=token, serials=tuple(s for spec in serials for s in _csv(spec)), count=count,
                       lease_minutes=lease_minutes)
    client = StfClient(config.url, config.token, config.http_timeout_s)
    err = Console(stderr=True)
    if list_only:
        devs = client.devices()
        if as_json:
            click.echo(json.dumps(devs, indent=2))
        else:
            from mobilekit.cli.terminal import clean

            for d in devs:  # the STF server's strings: sanitised for the terminal
                free = d.get("present") and d.get("ready") and not d.get("using") and not d.get("owner")
                click.echo(f"{clean(d.get('serial'))}\t{clean(d.get('manufacturer') or '')} {clean(d.get('model') or '')}\t"
                           f"SDK {clean(d.get('sdk'))}\t" + ("free" if free else "busy"))
        return
    if bundle is None:
        raise MobilekitError("Which bundle?", hint="mobilekit farm stf BUNDLE --url URL --token-env VAR")

    def plan_factory(addresses):
        return BenchPlan(bundle=bundle, devices=addresses, artifacts=tuple(a for s in artifacts for a in _csv(s)),
                         runtimes=tuple(r for s in runtimes for r in _csv(s)), threads=_ints(threads), warmup=warmup,
                         iterations=iterations, repeats=repeats, energy=energy, timeout_s=timeout_s, via=via,
                         key_path=key)

    _farm_plan(bundle, artifacts, runtimes, threads, warmup, iterations, repeats, timeout_s)  # check before leasing
    say = (lambda s: None) if as_json else (lambda s: err.print("stf: " + safe(s)))
    progress = None if as_json else RichProgress(err)
    with Store(db) as store:
        if progress is None:
            summary, leases = run_on_stf(plan_factory, store, config, None, say, client=client)
        else:
            with progress.bars:
                summary, leases = run_on_stf(plan_factory, store, config, progress, say, client=client)
        if as_json:
            click.echo(json.dumps({**summary.to_dict(), "farm": "stf", "leases": [l.to_dict() for l in leases]}, indent=2))
        else:
            from mobilekit.cli.runs_cmd import print_run

            print_run(store, summary.run_id, Console())
            err.print(f"run [bold]{summary.run_id}[/] on STF: {summary.ok} ok, {summary.failed} failed of {summary.total}")
    if summary.failed or summary.pending or not all(l.released for l in leases):
        click.get_current_context().exit(1)
