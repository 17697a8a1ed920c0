"""``mobilekit runs``, ``mobilekit compare`` and ``mobilekit report``: reading the results store."""

from __future__ import annotations

import json
from pathlib import Path

import click

DB_OPTION = click.option("--db", type=click.Path(path_type=Path), default=None,
                         help="Results database (default $MOBILEKIT_DB or ~/.local/share/mobilekit/runs.db).")


def _fmt(v, nd=3) -> str:
    return "" if v is None else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def print_run(store, run_id: str, console) -> None:
    """The per-case summary table of one run (simulated results marked)."""
    from mobilekit.cli.terminal import safe
    from rich.table import Table

    from mobilekit.device_runner.report import collect

    data = collect(store, run_id)
    title = f"run {run_id}" + (f" — farm: {data['farm']}" if data.get("farm") else "") + \
        (" — SIMULATED phone results" if data["simulated"] else "")
    table = Table(title=safe(title))
    for col in ("device", "artifact", "threads", "rep", "status", "p50 ms", "p90 ms", "mJ/inf", "check", "note"):
        table.add_column(col)
    for r in data["rows"]:
        note = r["error"] or r["energy_note"] or ""
        table.add_row(safe(r["device"]), safe(r["artifact"]), safe(r["threads"]), safe(r["repeat"]),
                      "[green]ok[/]" if r["status"] == "ok" else f"[red]{safe(r['status'])}[/]",
                      safe(_fmt(r["p50_ms"])), safe(_fmt(r["p90_ms"])), safe(_fmt(r["mj_per_inference"])),
                      safe(str(r["check_ok"])), safe(str(note)[:120]))
    console.print(table)


@click.group()
def runs() -> None:
    """List, show and import stored benchmark runs.

    \b
    Examples:
      mobilekit runs list
      mobilekit runs show 20261122T043000Z-1a2b3c --json
      mobilekit runs import Customer_Artifacts.zip        # a device farm's results
    """


@runs.command("list")
@DB_OPTION
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
def list_(db, limit, as_json) -> None:
    """The most recent runs, newest first."""
    from rich.console import Console
    from mobilekit.cli.terminal import safe
    from rich.table import Table

    from mobilekit.device_runner.store import Store

    with Store(db, create=False) as store:
        rows = store.runs(limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="runs")
    for col in ("run", "created", "bundle", "status", "ok", "failed", "kind"):
        table.add_column(col)
    for r in rows:
        kind = ", ".join(x for x in (safe(str(r["farm"])) if r.get("farm") else "",
                                     "simulated" if r["simulated"] else "") if x)
        table.add_row(safe(r["run_id"]), safe(r["created_utc"]), safe(r["bundle_name"]), safe(r["status"]),
                      safe(r["ok"] or 0), safe(r["failed"] or 0), kind)
    Console().print(table)


@runs.command()
@click.argument("run_id")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON only (run, devices, cases with their result JSON).")
def show(run_id, db, as_json) -> None:
    """One run: its devices and every case."""
    from rich.console import Console

    from mobilekit.device_runner.store import Store

    with Store(db, create=False) as store:
        if as_json:
            click.echo(json.dumps({"run": store.run(run_id), "devices": store.devices(run_id),
                                   "cases": store.cases(run_id)}, indent=2, default=str))
            return
        print_run(store, run_id, Console())


@runs.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--farm", default=None, help="Label for the farm, when the artifacts do not say (e.g. firebase-test-lab).")
@click.option("--run-id", default=None, help="Store under this run id (default: the farm job's own id).")
@click.option("--json", "as_json", is_flag=True, help="Print the import summary as JSON only.")
def import_(path, db, farm, run_id, as_json) -> None:
    """Bring a device farm's results (a folder or zip) into the store as a run.

    Reads what `mobilekit farm aws` jobs leave in Device Farm's customer artifacts (mobilekit-RUN/
    folders: job record, getprop, per-case result.json and thermal/cpufreq dumps) and loose
    result.json files such as Firebase Test Lab's pulled directories. Nothing is extracted to disk
    and no name in the archive is trusted; a corrupt result.json is named and skipped, the others
    are imported. Energy is stored as invalid with the reason (farm phones are plugged in).

    \b
    Examples:
      mobilekit runs import Customer_Artifacts.zip
      mobilekit runs import ./gs-results --farm firebase-test-lab --json
      mobilekit report RUN_ID        # then report or compare it like any other run
    """
    from rich.console import Console
    from mobilekit.cli.terminal import safe

    from mobilekit.device_runner.farms.importer import import_artifacts
    from mobilekit.device_runner.store import Store

    with Store(db) as store:
        summary = import_artifacts(path, store, farm=farm, run_id=run_id)
        if as_json:
            click.echo(json.dumps(summary.to_dict(), indent=2))
        else:
            print_run(store, summary.run_id, Console())
            err = Console(stderr=True)
            for s in summary.skipped:
                err.print(f"[yellow]skipped[/] {safe(s['path'])}: {safe(s['reason'])}")
            err.print(f"imported run [bold]{safe(summary.run_id)}[/] from {safe(summary.farm)}: {summary.devices} "
                      f"device(s), {summary.ok} ok, {summary.failed} failed, {len(summary.skipped)} file(s) skipped "
                      f"· stored in {store.path}")
    if summary.ok == 0:
        click.get_current_context().exit(1)


@click.command()
@click.argument("old_run")
@click.argument("new_run")
@DB_OPTION
@click.option("--min-effect", default=0.10, show_default=True, help="Smallest p50 change worth flagging (0.10 = 10%).")
@click.option("--alpha", default=0.01, show_default=True, help="Significance level of the Mann-Whitney U test.")
@click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON only.")
def compare(old_run, new_run, db, min_effect, alpha, seed, as_json) -> None:
    """Compare two runs case by case, flagging regressions.

    Cases are matched on artifact, runtime, precision, threads and device model. A case is flagged only
    when its p50 moved by at least --min-effect AND the seeded bootstrap 95% interval of the p50 ratio
    excludes 1 AND the Mann-Whitney U test agrees (p < --alpha), so host noise on an unchanged setup is
    not flagged.

    Exit code: 0 when no regression is flagged, 1 when at least one is (use it in CI), 2 on bad input.

    \b
    Example:
      mobilekit compare 20261121T090000Z-aaaaaa 20261122T090000Z-bbbbbb
    """
    from rich.console import Console
    from mobilekit.cli.terminal import safe
    from rich.table import Table

    from mobilekit.device_runner.compare import compare_runs, has_regression
    from mobilekit.device_runner.store import Store

    with Store(db, create=False) as store:
        results = compare_runs(store, old_run, new_run, min_effect=min_effect, alpha=alpha, seed=seed)
    if as_json:
        click.echo(json.dumps({"old": old_run, "new": new_run, "min_effect": min_effect, "alpha": alpha,
                               "regression": has_regression(results), "cases": [c.to_dict() for c in results]}, indent=2))
    else:
        table = Table(title=safe(f"{old_run} -> {new_run}"))
        for col in ("verdict", "case", "old p50 ms", "new p50 ms", "ratio", "95% CI", "MWU p"):
            table.add_column(col, no_wrap=col == "verdict")
        colors = {"regression": "red", "improvement": "green"}
        for c in results:
            v = f"[{colors[c.verdict]}]{c.verdict}[/]" if c.verdict in colors else c.verdict
            table.add_row(v, safe(c.label), _fmt(c.old_p50_ms), _fmt(c.new_p50_ms), _fmt(c.ratio, 2),
                          f"{c.ci_low:.2f}-{c.ci_high:.2f}" if c.ci_low is not None else "",
                          f"{c.p_value:.2g}" if c.p_value is not None else "")
        Console().print(table)
    if has_regression(results):
        click.get_current_context().exit(1)


@click.command()
@click.argument("run_id")
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["html", "csv", "md"]), default="html", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Output file (default: report-RUN.FORMAT).")
def report(run_id, db, fmt, out) -> None:
    """Write a run's report as HTML, CSV or Markdown.

    The HTML is one self-contained file (inline SVG plots: latency distributions per artifact and
    device, FP32 vs INT8, energy per inference, size vs latency; device details; no network needed).

    \b
    Examples:
      mobilekit report 20261122T043000Z-1a2b3c                 # report-<run>.html
      mobilekit report 20261122T043000Z-1a2b3c --format csv --out results.csv
    """
    from mobilekit.device_runner.report import write_report
    from mobilekit.device_runner.store import Store

    out = out or Path(f"report-{run_id}.{fmt}")
    with Store(db, create=False) as store:
        write_report(store, run_id, out, fmt=fmt)
    click.echo(str(out))
