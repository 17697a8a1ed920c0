"""``mobilekit demo``: the main job on the built-in digits model, with no arguments and no data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mobilekit.cli.tables import make_console, print_export_summary


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Parent folder of the demo bundle.")
@click.option("--targets", help="Comma list of targets (default: every target that works on this machine).")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON only.")
def demo(out: Path, targets: str | None, as_json: bool) -> None:
    """Export the built-in digits CNN (trained on scikit-learn's handwritten digits) to every target.

    \b
    Example:
      mobilekit demo
      mobilekit demo --out /tmp/demo

    Writes out/digits_cnn/ (replacing an earlier demo bundle) with the ExecuTorch .pte files and
    the other targets' artifacts, validates each on the host against the held-out digits, and
    prints the comparison table. Open out/digits_cnn/report.html to see it as a page.
    """
    from mobilekit.cli.export_cmd import _csv, run_export
    from mobilekit.export.config import ExportConfig

    config = ExportConfig(model="digits", out_dir=out, targets=_csv(targets), force=True)
    console = make_console(stderr=as_json)
    result = run_export(config, console, quiet=as_json)
    if as_json:
        click.echo(json.dumps({"bundle": str(result.bundle_dir), "manifest": result.manifest}, indent=2))
    else:
        print_export_summary(console, result.manifest, result.validation, result.bundle_dir)
    if result.failures:
        sys.exit(1)
