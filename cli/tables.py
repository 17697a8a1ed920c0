"""Rich tables shared by the export-side commands (export, validate, demo)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from mobilekit.cli.terminal import safe
from mobilekit.export.report import HOST_LATENCY_NOTE
from mobilekit.export.targets.delegation import HARMLESS


def make_console(stderr: bool = False) -> Console:
    """A console that keeps tables readable when output is piped (no terminal width to detect)."""
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=150)


def _f(x, fmt: str) -> str:
    return "—" if x is None else format(x, fmt)


def artifact_table(manifest: dict, validation: dict | None = None) -> Table:
    """One row per artifact: size and ratio to the FP32 .pte, host latency, fidelity, validation status."""
    arts = manifest["artifacts"]
    fp32 = next((a for a in arts if a.get("target") == "xnnpack" and a["precision"] == "fp32"), None)
    table = Table(title=safe(f"bundle {manifest['name']}"), title_justify="left")
    for col, just in [
        ("artifact", "left"), ("runtime/backend", "left"), ("prec", "left"), ("KiB", "right"), ("×FP32", "right"),
        ("host p50 ms", "right"), ("top-1 agr", "right"), ("SQNR dB", "right"), ("cos min", "right"), ("accuracy", "right"),
        ("check", "left"),
    ]:
        table.add_column(col, justify=just)
    eager = (validation or {}).get("eager_fp32")
    if eager:
        table.add_row(
            "[dim]eager PyTorch (reference)[/]", "torch", "fp32", "", "",
            _f(eager["host_latency_ms"]["p50"], ".3f"), "1.000", "∞", "1.0000", _f(eager.get("accuracy"), ".4f"), "",
            style="dim",
        )
    for a in arts:
        v = a.get("validation") or {}
        lat = (v.get("host_latency_ms") or {}).get("p50")
        status = v.get("status", "—")
        colour = {"ok": "green", "skipped": "yellow", "failed": "red", "low_fidelity": "bold red"}.get(status, "white")
        if status == "low_fidelity":
            status = "LOW FIDELITY"
        if v.get("estimate"):
            status += " (estimate)"
        table.add_row(
            safe(a["file"]) + (" [dim](legacy)[/]" if a.get("legacy") else ""),
            safe(f"{a['runtime']}/{a['backend']}"),
            safe(a["precision"]),
            f"{a['bytes'] / 1024:.1f}",
            _f(a["bytes"] / fp32["bytes"] if fp32 else None, ".3f"),
            _f(lat, ".3f"),
            _f(v.get("top1_agreement"), ".4f"),
            _f(v.get("sqnr_db"), ".1f"),
            _f(v.get("cosine_min"), ".4f"),
            _f(v.get("accuracy"), ".4f"),
            f"[{colour}]{status}[/]",
        )
    table.caption = HOST_LATENCY_NOTE
    table.caption_justify = "left"
    return table


def print_export_summary(console: Console, manifest: dict, validation: dict, bundle) -> None:
    """The table, the delegation lines, failures and where the bundle is."""
    auto = validation.get("recipe_auto")
    if auto:
        console.print(f"[bold]--quant auto[/] chose {auto['precision']}: {auto['reason']}")
    console.print(artifact_table(manifest, validation))
    for nb in validation.get("not_built") or []:
        console.print(f"[yellow]not built[/] {nb['target']} {nb['precision']}: {nb['reason']}")
    for a in manifest["artifacts"]:
        d = a.get("delegation")
        if d:
            off = {op: n for op, n in d.get("non_delegated_ops", {}).items() if op not in HARMLESS}
            line = f"[bold]{a['file']}[/]: {d['delegated_nodes']} nodes delegated to {a['backend']}"
            if off:
                line += ", on portable CPU kernels (slower): " + "; ".join(
                    f"{op} ×{n} ({d.get('reasons', {}).get(op, 'no kernel in the delegate')})" for op, n in off.items()
                )
            console.print(line)
        v = a.get("validation") or {}
        if v.get("status") == "low_fidelity":
            console.print(f"[bold red]{a['file']}: NOT good enough to ship.[/] {v.get('reason')}")
        mixed = (a.get("quantization") or {}).get("mixed_precision")
        if mixed and mixed.get("keep_float"):
            console.print(
                f"[bold]{a['file']}[/]: kept {len(mixed['keep_float'])} layer(s) in float automatically because plain INT8 "
                f"missed the fidelity floor ({', '.join(mixed['keep_float'][:4])}{' ...' if len(mixed['keep_float']) > 4 else ''}; "
                f"~{mixed['extra_bytes_estimate'] / 1024:.0f} KiB more than all-INT8)"
            )
        if v.get("estimate"):
            console.print(f"[yellow]{a['file']}: fidelity is an {v['estimate']}[/]")
        if v.get("status") == "skipped":
            console.print(f"[yellow]{a['file']}: validation skipped: {v.get('reason')}[/]")
    choice = next(((a.get("quantization") or {}).get("calibration_choice") for a in manifest["artifacts"]
                   if (a.get("quantization") or {}).get("calibration_choice")), None)
    if choice:
        console.print("calibration methods compared on tuning data (held out of calibration):")
        for c in choice["candidates"]:
            kept = c["observer"] == choice["observer"] and c["bias_correction"] == choice["bias_correction"]
            agr = "" if c.get("top1_agreement") is None else f", top-1 agreement {c['top1_agreement']:.3f}"
            console.print(f"  {'[bold green]→[/]' if kept else ' '} {c['observer']:<10} "
                          f"{'+ bias correction' if c['bias_correction'] else '                 '}  SQNR {c['sqnr_db']:.1f} dB{agr}")
    for f in manifest.get("failures", []):
        console.print(f"[red]failed[/] {f['target']} {f['precision']}: {f['error']}" + (f"\n  {f['hint']}" if f.get("hint") else ""))
    console.print(f"bundle: [bold]{bundle}[/] (manifest.json, report.html, validation.json)")
