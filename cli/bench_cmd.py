"""``mobilekit devices`` and ``mobilekit bench``: a thin layer over mobilekit.device_runner."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click

from mobilekit import MobilekitError


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


def _ints(value: str | None) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in _csv(value))
    except ValueError:
        raise click.BadParameter(f"expected a comma list of integers such as 1,4, got {value!r}") from None


@click.command()
@click.option("--device", "extra", multiple=True, metavar="HOST:PORT", help="Also probe this network phone (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
@click.option("--key", type=click.Path(path_type=Path), default=None, help="ADB key file (default ~/.android/adbkey, or $MOBILEKIT_ADB_KEY).")
def devices(extra: tuple[str, ...], as_json: bool, key: Path | None) -> None:
    """List the phones this computer can reach over ADB.

    Lists what a running adb server sees (USB phones and `adb connect`ed ones) and probes every
    --device HOST:PORT given, showing model, Android version, SoC and battery.

    \b
    Examples:
      mobilekit devices
      mobilekit devices --device 192.168.1.23:5555 --json
    """
    from mobilekit.device_runner.connect import list_devices, open_transport
    from mobilekit.device_runner.device import Device
    from mobilekit.device_runner.transport import DeviceError

    if key is not None and (key.exists() or key.is_symlink()):
        from mobilekit.device_runner.keys import check_private_key

        check_private_key(key)  # a file that is not a key: one message, exit 2, before any phone is probed
    out = []
    for d in list_devices(extra):
        row = {"device": d.spec, "state": d.state, "via": d.via, "model": d.model}
        if d.state in ("device", "unknown"):
            try:
                t = open_transport(d.spec, via="server" if d.via == "server" else "auto", key_path=key, timeout_s=10)
                try:
                    dev = Device(t)
                    info = dev.info()
                    bat = dev.battery()
                    row.update(state="device", model=info.label, android_sdk=info.android_sdk, soc=info.soc,
                               abis=list(info.abis), cores=info.cores, battery_pct=bat.level_pct, power=bat.source,
                               simulated=info.simulated)
                finally:
                    t.close()
            except DeviceError as exc:
                row.update(state="error", error=exc.message, hint=exc.hint)
        out.append(row)
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    if not out:
        click.echo("No phones found. Plug one in with USB debugging on (and run `adb start-server`), or pass "
                   "--device HOST:PORT for a phone on Wi-Fi debugging.", err=True)
        return
    from mobilekit.cli.terminal import safe

    table = Table(title="Phones")
    for col in ("device", "state", "model", "SDK", "SoC", "battery", "via"):
        table.add_column(col)
    for r in out:  # every cell is the phone's or the adb server's text: sanitised, markup escaped
        table.add_row(safe(r["device"]), safe(r["state"]) if r["state"] != "error" else f"[red]{safe(r['error'])}[/]",
                      safe(r.get("model") or ""), safe(r.get("android_sdk") or ""), safe(r.get("soc") or ""),
                      safe(f"{r['battery_pct']:.0f}% ({r['power']})") if r.get("battery_pct") is not None else "",
                      safe(r["via"]))
    Console().print(table)


class RichProgress:
    """One rich progress bar per device on stderr."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bars = Progress(TextColumn("[bold]{task.fields[device]}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), TextColumn("{task.description}"), console=console)
        self.tasks: dict[str, int] = {}
        self.lock = threading.Lock()

    def device_start(self, address: str, total: int) -> None:
        from mobilekit.cli.terminal import safe

        with self.lock:
            self.tasks[address] = self.bars.add_task("connecting", total=total, device=safe(address))

    def case_done(self, address: str, case_key: str, status: str, message: str | None) -> None:
        from mobilekit.cli.terminal import safe

        with self.lock:  # messages carry the phone's own text (am start, error files): sanitised
            desc = f"[red]failed: {safe(str(message)[:60])}[/]" if status != "ok" else safe(case_key.split("|", 1)[-1])
            self.bars.update(self.tasks[address], advance=1, description=desc)

    def message(self, address: str, text: str) -> None:
        from mobilekit.cli.terminal import safe

        with self.lock:
            self.bars.update(self.tasks[address], description=safe(text))


BENCH_HELP = """Benchmark a bundle on one or more phones through the app's headless benchmark mode.

\b
Examples:
  mobilekit bench out/digits_cnn --device 192.168.1.23:5555
  mobilekit bench out/digits_cnn --device R5CT30 --device 127.0.0.1:5555 --threads 1,4 --repeats 3
  mobilekit bench out/digits_cnn --device R5CT30 --apk app-debug.apk --no-energy --json
  mobilekit bench out/digits_cnn out/mobilenet_v2 --device R5CT30 --artifact digits_cnn.xnnpack.int8.pte
  mobilekit bench --resume 20261122T043000Z-1a2b3c      # re-run only the cases that did not finish

Each case is stored in the results database the moment it finishes (--db, $MOBILEKIT_DB, default
~/.local/share/mobilekit/runs.db); see them with `mobilekit runs show RUN` and `mobilekit report RUN`.
Energy is measured from the battery's sysfs current and voltage (~10 Hz, idle baseline subtracted); it is
only valid with the cable out (Wi-Fi debugging). Exit code 0 when every case ran, 1 when some failed.
"""


@click.command(help=BENCH_HELP)
@click.argument("bundles", nargs=-1, type=click.Path(path_type=Path))
@click.option("--device", "devices_", multiple=True, metavar="SERIAL|HOST:PORT", help="A phone to run on (repeatable; comma lists work too).")
@click.option("--artifact", "artifacts", multiple=True, help="Only these artifact files of the bundle (repeatable).")
@click.option("--runtime", "runtimes", multiple=True, help="Only artifacts for these runtimes (executorch, onnxruntime, pytorch_mobile).")
@click.option("--threads", default="4", show_default=True, help="Comma list of thread counts, e.g. 1,4.")
@click.option("--warmup", default=5, show_default=True, help="Untimed runs before timing.")
@click.option("--iterations", default=50, show_default=True, help="Timed runs per case.")
@click.option("--repeats", default=1, show_default=True, help="Run every case this many times (interleaved).")
@click.option("--energy/--no-energy", default=True, show_default=True, help="Measure battery power around each case.")
@click.option("--apk", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="Install or upgrade the benchmark app from this APK first.")
@click.option("--timeout", "timeout_s", default=300.0, show_default=True, help="Seconds per case before giving up.")
@click.option("--cooldown-max", "cooldown_max_s", default=120.0, show_default=True, help="Longest wait (s) for the phone to cool down between cases.")
@click.option("--min-battery", "min_battery", default=20.0, show_default=True, help="Do not start a case below this battery level (%).")
@click.option("--via", type=click.Choice(["auto", "server", "tcp", "usb"]), default="auto", show_default=True,
              help="How to reach phones: auto uses a running adb server when it owns the phone, else adb-shell directly.")
@click.option("--key", type=click.Path(path_type=Path), default=None, help="ADB key file (default ~/.android/adbkey, or $MOBILEKIT_ADB_KEY).")
@click.option("--db", type=click.Path(path_type=Path), default=None, help="Results database (default $MOBILEKIT_DB or ~/.local/share/mobilekit/runs.db).")
@click.option("--resume", "resume", metavar="RUN_ID", help="Re-run the unfinished cases of a stored run.")
@click.option("--json", "as_json", is_flag=True, help="Print only the run summary as JSON.")
def bench(bundles, devices_, artifacts, runtimes, threads, warmup, iterations, repeats, energy, apk, timeout_s,
          cooldown_max_s, min_battery, via, key, db, resume, as_json) -> None:
    from rich.console import Console

    from mobilekit.device_runner.bench import resume_bench, run_bench
    from mobilekit.device_runner.plan import BenchPlan
    from mobilekit.cli.terminal import safe
    from mobilekit.device_runner.store import Store

    err = Console(stderr=True)
    progress = None if as_json else RichProgress(err)
    store = Store(db, create=not resume)  # --resume only reads an existing database
    try:
        if resume:
            if bundles or devices_:
                raise MobilekitError("--resume takes the plan from the stored run; drop BUNDLE and --device.")
            runner = lambda p: resume_bench(store, resume, progress=p)  # noqa: E731
        else:
            if not bundles:
                raise MobilekitError("Which bundle?", hint="mobilekit bench BUNDLE --device SERIAL|HOST:PORT (or --resume RUN_ID).")
            plan = BenchPlan(bundle=bundles[0], more_bundles=bundles[1:], devices=tuple(d for spec in devices_ for d in _csv(spec)),
                             artifacts=tuple(a for spec in artifacts for a in _csv(spec)),
                             runtimes=tuple(r for spec in runtimes for r in _csv(spec)), threads=_ints(threads),
                             warmup=warmup, iterations=iterations, repeats=repeats, energy=energy, apk=apk,
                             timeout_s=timeout_s, cooldown_max_s=cooldown_max_s, min_battery_pct=min_battery, via=via,
                             key_path=key)
            runner = lambda p: run_bench(plan, store, progress=p)  # noqa: E731
        if progress is None:
            summary = runner(None)
        else:
            with progress.bars:
                summary = runner(progress)
        if as_json:
            click.echo(json.dumps(summary.to_dict(), indent=2))
        else:
            from mobilekit.cli.runs_cmd import print_run

            print_run(store, summary.run_id, Console())
            err.print(f"run [bold]{summary.run_id}[/]: {summary.ok} ok, {summary.failed} failed of {summary.total} "
                      f"cases · stored in {safe(store.path)}")
            if summary.failed:
                err.print(f"re-run the unfinished cases with: mobilekit bench --resume {summary.run_id}"
                          + (f" --db {db}" if db else ""))
        if summary.failed or summary.pending:
            click.get_current_context().exit(1)
    finally:
        store.close()
