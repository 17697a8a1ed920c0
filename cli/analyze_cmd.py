"""``mobilekit analyze``: rank a model's layers by the damage INT8 does to each, before exporting."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mobilekit.cli.tables import make_console


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("model")
@click.option("--example-input", multiple=True, metavar="SHAPE:DTYPE", help="As for export: e.g. 1x3x224x224:float32, once per input.")
@click.option("--weights", type=click.Path(path_type=Path), help="A state_dict for module:factory models (weights_only=True).")
@click.option("--calibration", type=click.Path(path_type=Path), help="Image folder or .npy/.pt tensors: sets activation ranges.")
@click.option("--eval", "eval_data", type=click.Path(path_type=Path), help="Held-out data the damage is measured on (default: the model's own, else a quarter of --calibration).")
@click.option("--preprocess", type=click.Choice(["imagenet", "unit", "symmetric"]), help="As for export (user models).")
@click.option("--resize", metavar="HxW")
@click.option("--crop", metavar="HxW")
@click.option("--mean", metavar="A,B,C")
@click.option("--std", metavar="A,B,C")
@click.option("--color", type=click.Choice(["RGB", "BGR", "L"]))
@click.option("--samples", type=int, default=24, show_default=True, help="Evaluation samples per layer (two forward passes each per layer).")
@click.option("--top", type=int, default=15, show_default=True, help="Rows in the table.")
@click.option("--out", type=click.Path(path_type=Path), help="Write analysis.json and analysis.html into this folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole ranking as JSON on stdout and nothing else.")
def analyze(model: str, samples: int, top: int, out: Path | None, as_json: bool, **opts) -> None:
    """Rank MODEL's conv/linear layers by the damage INT8 does to each one alone.

    One layer at a time, its weights (INT8 per-channel, as XNNPACK stores them) and then its input
    activation (INT8 per-tensor, range from calibration) are quantized while every other layer stays
    float; the output is compared with FP32 on held-out data. The worst layers are the ones to keep
    in float: pass their names to `mobilekit export --keep-float`, or let `--keep-float auto` do it.

    \b
    Examples:
      mobilekit analyze efficientnet_lite0
      mobilekit analyze mypkg.nets:make_net --example-input 1x3x224x224:float32 \\
          --weights net.pt --calibration images/ --preprocess imagenet --out analysis/
    """
    from mobilekit.cli.export_cmd import preprocess_options
    from mobilekit.export.calibration import load_calibration, load_eval_data
    from mobilekit.export.config import ExportConfig
    from mobilekit.export.errors import ExportError
    from mobilekit.export.loading import load_model
    from mobilekit.export.quant.sensitivity import analyze_layers

    if samples < 1:
        raise click.UsageError("--samples must be at least 1")
    try:
        config = ExportConfig(model=model, example_inputs=opts["example_input"], weights=opts["weights"],
                              calibration=opts["calibration"], eval_data=opts["eval_data"], preprocess=preprocess_options(opts))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    console = make_console(stderr=as_json)
    loaded = load_model(config)
    source = config.calibration
    if source is None and loaded.calibration is None:
        raise ExportError(
            f"Sensitivity analysis of {loaded.name} needs calibration data for the activation ranges.",
            hint="Pass --calibration with an image folder or a .npy/.pt file of inputs.",
        )
    with console.status("loading data...", spinner="dots") as status:
        calibration = load_calibration(loaded, source, 64, 0)
        if config.eval_data is not None:
            ev = load_eval_data(loaded, config.eval_data, samples)
            held, labels, data = list(ev.samples), ev.labels, ev.description
        elif loaded.eval_set is not None:
            ev = loaded.eval_set()
            held = list(ev.samples[:samples])
            labels = list(ev.labels[: len(held)]) if ev.labels is not None else None
            data = ev.description
        else:
            n_eval = max(1, len(calibration) // 4)
            held, calibration, labels = calibration[-n_eval:][:samples], calibration[:-n_eval], None
            data = f"{len(held)} samples held out of the calibration data"
        report = analyze_layers(
            loaded, calibration[:32], held, labels=labels, data=data,
            progress=lambda i, n, name: status.update(f"[bold]layer {min(i + 1, n)}/{n}[/] {name}"),
        )
    doc = {"model": loaded.name, **report.to_json()}
    if out is not None:
        _write(out, loaded.name, doc, top)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
        return
    _print_table(console, loaded.name, report, top)
    if out is not None:
        console.print(f"wrote [bold]{out / 'analysis.json'}[/] and [bold]{out / 'analysis.html'}[/]")


def _print_table(console, name: str, report, top: int) -> None:
    from rich.table import Table

    table = Table(title=f"{name}: INT8 damage per layer, worst first ({report.samples} held-out samples)", title_justify="left")
    for col, just in [("#", "right"), ("layer (--keep-float name)", "left"), ("type", "left"), ("params", "right"),
                      ("weights dB", "right"), ("activation dB", "right"), ("both dB", "right"),
                      ("top-1 agr (w / a)", "right")]:
        table.add_column(col, justify=just)
    for i, layer in enumerate(report.layers[:top]):
        agr = ("—" if layer.weight_agreement is None
               else f"{layer.weight_agreement:.3f} / {layer.activation_agreement:.3f}")
        table.add_row(str(i + 1), layer.name, layer.kind, f"{layer.params:,}", f"{layer.weight_sqnr_db:.1f}",
                      f"{layer.activation_sqnr_db:.1f}", f"{layer.combined_sqnr_db:.1f}", agr)
    table.caption = (f"SQNR of the model's output vs FP32 with only that layer quantized; lower = more damaging. "
                     f"Data: {report.data}")
    table.caption_justify = "left"
    console.print(table)
    worst = [layer.name for layer in report.layers[:2]]
    console.print(f"To keep the worst layers float: mobilekit export ... " + " ".join(f"--keep-float {n}" for n in worst)
                  + "   (or --keep-float auto)")


def _write(out: Path, name: str, doc: dict, top: int) -> None:
    import html

    from mobilekit.export.report import sensitivity_section

    out.mkdir(parents=True, exist_ok=True)
    (out / "analysis.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    page = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>mobilekit analyze: {html.escape(name)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;font-size:13px}"
        "th,td{border:1px solid #ddd;padding:4px 8px}td.n{text-align:right}</style></head><body>"
        f"<h1>INT8 sensitivity: <code>{html.escape(name)}</code></h1><p>{html.escape(doc['method'])}. "
        f"Measured on {doc['samples']} samples: {html.escape(doc['data'])}.</p>"
        + sensitivity_section(doc["layers"], top=top) + "</body></html>"
    )
    (out / "analysis.html").write_text(page, encoding="utf-8")
