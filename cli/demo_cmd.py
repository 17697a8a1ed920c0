"""``mobilekit demo``: the main job on the built-in digits model, with no arguments and no data.

Export to every target that works here, then benchmark the bundle on a simulated phone (a test double
that speaks the real ADB protocol; its figures are labelled simulated) and write the run's report.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click

from mobilekit.cli.tables import make_console, print_export_summary


def bench_on_simulated_phone(bundle: Path, db: Path, report: Path, console, quiet: bool, iterations: int):
    """Start a simulated phone, benchmark every Android artifact of ``bundle`` on it, write the report, stop it."""
    from mobilekit.cli.bench_cmd import RichProgress
    from mobilekit.device_runner.bench import run_bench
    from mobilekit.device_runner.plan import BenchPlan
    from mobilekit.device_runner.report import write_report
    from mobilekit.device_runner.sim import SimulatedPhone
    from mobilekit.device_runner.store import Store

    with tempfile.TemporaryDirectory(prefix="mobilekit-demo-phone-") as tmp, Store(db) as store:
        root = Path(tmp)
        (root / "phone").mkdir()
        with SimulatedPhone(root / "phone", serial="demo-sim", preload_runtimes=True) as phone:
            if not quiet:
                console.print(f"simulated phone (a test double, not hardware) listening on [bold]{phone.address}[/]")
            plan = BenchPlan(
                bundle=bundle, devices=(phone.address,), threads=(1, 4), warmup=3, iterations=iterations,
                energy=True, via="tcp", key_path=root / "adbkey", cooldown_max_s=10.0,
            )
            progress = None if quiet else RichProgress(console)
            if progress is None:
                summary = run_bench(plan, store)
            else:
                with progress.bars:
                    summary = run_bench(plan, store, progress=progress)
        write_report(store, summary.run_id, report, "html")
        if not quiet:
            from mobilekit.cli.runs_cmd import print_run

            print_run(store, summary.run_id, console)
    return summary


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Parent folder of the demo bundle.")
@click.option("--targets", help="Comma list of targets (default: every target that works on this machine).")
@click.option("--no-bench", "bench", is_flag=True, flag_value=False, default=True, help="Only export; skip the simulated-phone benchmark.")
@click.option("--iterations", default=2000, show_default=True, help="Timed runs per benchmark case on the simulated phone (long enough for ~10 Hz power sampling).")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest and run summary as JSON only.")
def demo(out: Path, targets: str | None, bench: bool, iterations: int, as_json: bool) -> None:
    """Export the built-in digits CNN to every target, then benchmark it on a simulated phone.

    \b
    Example:
      mobilekit demo
      mobilekit demo --out /tmp/demo --no-bench

    \b
    1. Exports the digits CNN (trained on scikit-learn's handwritten digits) to out/digits_cnn/
       (replacing an earlier demo bundle), validates each artifact on the held-out digits and
       prints the comparison table; out/digits_cnn/report.html shows it with plots.
    2. Starts a simulated Android phone (mobilekit's ADB-protocol test double, not hardware),
       benchmarks every Android artifact on it through the real ADB protocol with energy on,
       stores the run in out/runs.db and writes out/digits_cnn/bench-report.html. Its figures
       are labelled simulated everywhere; run `mobilekit bench` against a real phone for real ones.
    """
    from mobilekit.cli.export_cmd import _csv, run_export
    from mobilekit.export.config import ExportConfig

    config = ExportConfig(model="digits", out_dir=out, targets=_csv(targets), force=True)
    console = make_console(stderr=as_json)
    result = run_export(config, console, quiet=as_json)
    if not as_json:
        print_export_summary(console, result.manifest, result.validation, result.bundle_dir)
    summary = None
    report = result.bundle_dir / "bench-report.html"
    if bench:
        db = out / "runs.db"
        summary = bench_on_simulated_phone(result.bundle_dir, db, report, console, as_json, iterations)
        if not as_json:
            console.print(
                f"[bold]simulated[/] phone run {summary.run_id}: {summary.ok} ok, {summary.failed} failed · "
                f"report {report} · `mobilekit runs show {summary.run_id} --db {db}`"
            )
    if as_json:
        click.echo(json.dumps({
            "bundle": str(result.bundle_dir), "manifest": result.manifest,
            "bench": summary.to_dict() if summary else None, "bench_report": str(report) if summary else None,
        }, indent=2))
    if result.failures or (summary and (summary.failed or summary.pending)):
        sys.exit(1)
