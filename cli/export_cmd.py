"""``mobilekit export`` and ``mobilekit validate``: the export side of the CLI, a thin layer over mobilekit.export."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import click
from rich.console import Console

from mobilekit.cli.tables import make_console, print_export_summary

TARGET_HELP = (
    "Comma list of targets: xnnpack (ExecuTorch .pte, recommended), coreml (iOS .mlpackage), "
    "onnx (ONNX Runtime QDQ INT8 + .ort), ptl (legacy PyTorch Mobile, qnnpack INT8). Default: all that work here."
)


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip()) if value else ()


def keep_float_options(values: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """``--keep-float`` values -> (auto mode, layer names): ``auto`` and ``none`` are modes, the rest layers."""
    layers = tuple(v for v in values if v not in ("auto", "none"))
    modes = {v for v in values if v in ("auto", "none")}
    if len(modes) > 1 or (modes and layers):
        raise click.UsageError("--keep-float takes either auto, none, or layer names, not a mix.")
    return (modes.pop() if modes else "fallback"), layers


def preprocess_options(opts):
    """The --preprocess/--resize/--crop/--mean/--std/--color options as PreprocessOptions."""
    from mobilekit.export.preprocess import PreprocessOptions, parse_floats, parse_hw

    return PreprocessOptions(
        preset=opts.get("preprocess"), resize=parse_hw(opts.get("resize"), "--resize"), crop=parse_hw(opts.get("crop"), "--crop"),
        mean=parse_floats(opts.get("mean"), "--mean"), std=parse_floats(opts.get("std"), "--std"), color=opts.get("color"),
    )


def build_config(**opts):
    """Turn command-line strings into an ExportConfig (bad values become a usage error naming the option)."""
    from mobilekit.export.config import DynamicInt8Config, ExportConfig, FidelityFloor, StaticInt8Config

    auto_mode, keep_layers = keep_float_options(tuple(opts.get("keep_float") or ()))
    try:
        if opts["mode"] == "dynamic":
            quant = DynamicInt8Config(granularity=opts["granularity"], keep_float=keep_layers)
        else:
            quant = StaticInt8Config(
                granularity=opts["granularity"], observer=opts["observer"],
                calibration_samples=opts["calibration_samples"], seed=opts["seed"], keep_float=keep_layers,
                bias_correction=opts.get("bias_correction", False), adaround=opts.get("adaround", False),
            )
        floor = FidelityFloor(min_sqnr_db=opts.get("min_sqnr", 20.0), min_agreement=opts.get("min_agreement", 0.90),
                              accuracy_budget=opts.get("accuracy_budget"), min_cosine=opts.get("min_cosine", 0.99),
                              min_cosine_4bit=opts.get("min_cosine_4bit", 0.98))
        emb = opts.get("embeddings")
        emb_bits = None if emb in (None, "default") else {"int8": 8, "int4": 4, "none": 0}[emb]
        qat = None
        if opts.get("qat"):
            from mobilekit.export.quant.qat import QatConfig

            qat = QatConfig(train=opts["qat"], steps=opts.get("qat_steps") or 150, lr=opts.get("qat_lr") or 1e-5)
        return ExportConfig(
            qat=qat, floor=floor, calibration_method=opts.get("calibration_method") or "fixed", auto_keep_float=auto_mode, eval_data=opts.get("eval_data"), preprocess=preprocess_options(opts),
            model=opts["model"], out_dir=opts["out"], targets=_csv(opts["targets"]), precisions=_csv(opts["quant"]),
            quant=quant, example_inputs=opts["example_input"], weights=opts["weights"], calibration=opts["calibration"],
            dynamic_batch=opts["dynamic_batch"], name=opts["name"], force=opts["force"], validate=opts["validate"],
            latency_iterations=opts["iterations"], coreml_min_ios=opts["coreml_min_ios"],
            onnx_calibration_method=opts["onnx_calibration"], embedding_bits=emb_bits, group_size=opts.get("group_size") or 32,
            tokenizer=opts.get("tokenizer"), output_kind=opts.get("output_kind"),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def run_export(config, console: Console, quiet: bool):
    """Run the pipeline with a live status line; calibration warnings are shown, not swallowed."""
    from mobilekit.export.pipeline import export_bundle

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        if quiet:
            result = export_bundle(config)
        else:
            with console.status("exporting...", spinner="dots") as status:
                result = export_bundle(config, progress=lambda msg: status.update(f"[bold]{msg}[/]..."))
    for w in caught:
        if w.category.__name__ == "CalibrationWarning":
            make_console(stderr=True).print(f"[yellow]warning:[/] {w.message}")
    return result


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("model")
@click.option("--targets", help=TARGET_HELP)
@click.option("--quant", help="Comma list of recipes, each its own artifact where a target supports it: fp32, fp16, int8 (static), "
              "int8dyn (dynamic INT8 + INT8 embedding tables), 8da4w (4-bit group-wise linear weights, dynamic 8-bit "
              "activations + INT4 embeddings), w8, w8a8, w4, w6 (Core ML), or auto (static for conv-heavy models, dynamic "
              "for linear/recurrent-heavy ones; prints why). Default: each target's defaults.")
@click.option("--embeddings", type=click.Choice(["default", "int8", "int4", "none"]), default="default", show_default=True,
              help="nn.Embedding tables in int8dyn/8da4w: weight-only INT8 (per row) or INT4 (per group), or float. default: int8 for int8dyn, int4 for 8da4w.")
@click.option("--group-size", type=int, default=32, show_default=True, help="8da4w: weights per scale along each row.")
@click.option("--tokenizer", type=click.Path(path_type=Path), help="Text models: a folder with tokenizer.json and vocab.txt (Hugging Face, BERT WordPiece); --calibration/--eval then take a .txt of sentences, one a line, and the bundle ships the vocabulary for the apps.")
@click.option("--output-kind", type=click.Choice(["classification", "embedding", "none"]), help="What output 0 is (user models; default guessed from its shape): embeddings are judged by cosine similarity.")
@click.option("--min-cosine", type=float, default=0.99, show_default=True, help="Fidelity floor for embedding outputs: cosine similarity with FP32 on every held-out sample.")
@click.option("--min-cosine-4bit", type=float, default=0.98, show_default=True, help="The same floor for 4-bit weight recipes (8da4w, Core ML w4).")
@click.option("--mode", type=click.Choice(["static", "dynamic"]), default="static", show_default=True, help="INT8 recipe: static (calibrated activations) or dynamic (runtime activation ranges).")
@click.option("--calibration", type=click.Path(path_type=Path), help="Image folder, .npy/.pt tensor file (N x input shape), .npz with one array per input (by name or order), or a .txt of sentences (with --tokenizer). Built-in models use their own data.")
@click.option("--calibration-samples", type=int, default=256, show_default=True)
@click.option("--observer", type=click.Choice(["histogram", "minmax", "moving_average_minmax", "percentile"]), default="histogram", show_default=True, help="How activation ranges are set from the calibration data.")
@click.option("--bias-correction", is_flag=True, help="Absorb the mean output shift that INT8 weights cause into each layer's bias (measured on the calibration data).")
@click.option("--adaround", is_flag=True, help="Learn whether each weight rounds up or down (AdaRound) so every layer's output on the calibration data stays close to FP32; about 3 minutes for EfficientNet-Lite0 on 2 cores.")
@click.option("--calibration-method", type=click.Choice(["fixed", "auto"]), default="fixed", show_default=True, help="auto: try histogram/minmax/percentile observers, with and without bias correction, on tuning data and keep the best (prints the comparison).")
@click.option("--granularity", type=click.Choice(["per_channel", "per_tensor"]), default="per_channel", show_default=True)
@click.option("--keep-float", multiple=True, metavar="LAYER|auto|none", help="Leave a layer (name from named_modules, see `mobilekit analyze`) or layer type (e.g. Linear) in float. Repeatable. 'auto' keeps the most damaging layers float until INT8 meets the floor (the default whenever plain INT8 misses it); 'none' forces plain INT8.")
@click.option("--eval", "eval_data", type=click.Path(path_type=Path), help="Held-out evaluation data: an image folder (class sub-folders give labels and accuracy) or .npy/.npz/.pt tensors (+ labels). Default: the model's own, else a quarter of --calibration held out.")
@click.option("--min-sqnr", type=float, default=20.0, show_default=True, help="Fidelity floor: SQNR (dB) vs FP32 on held-out data; below it an artifact is low_fidelity and export exits 1.")
@click.option("--min-agreement", type=float, default=0.90, show_default=True, help="Fidelity floor: top-1 agreement with FP32 (classifiers).")
@click.option("--accuracy-budget", type=float, help="Fidelity floor: most accuracy points an artifact may lose vs FP32 (needs labelled --eval data).")
@click.option("--qat", metavar="distill|MODULE:FUNCTION", help="Quantization-aware training for the XNNPACK and Core ML W8A8 artifacts: 'distill' fine-tunes the fake-quantized model to match FP32 on the calibration data (no labels needed); MODULE:FUNCTION calls your training loop with the prepared model.")
@click.option("--qat-steps", type=int, help="Steps of --qat distill (default 150).")
@click.option("--qat-lr", type=float, help="Learning rate of --qat distill (default 1e-5, Adam).")
@click.option("--preprocess", type=click.Choice(["imagenet", "unit", "symmetric"]), help="How an app turns a picture into the input (user models): imagenet = resize 256 keeping aspect, crop 224, ImageNet mean/std; unit = pixels/255; symmetric = pixels/127.5 - 1.")
@click.option("--resize", metavar="HxW", help="Override the preset's resize, e.g. 256x256.")
@click.option("--crop", metavar="HxW", help="Centre crop after resizing, e.g. 224x224.")
@click.option("--mean", metavar="A,B,C", help="Per-channel mean after scaling pixels to [0, 1].")
@click.option("--std", metavar="A,B,C", help="Per-channel std after scaling pixels to [0, 1].")
@click.option("--color", type=click.Choice(["RGB", "BGR", "L"]), help="Channel order the model expects.")
@click.option("--example-input", multiple=True, metavar="SHAPE:DTYPE", help="e.g. 1x3x224x224:float32; once per model input, in order.")
@click.option("--weights", type=click.Path(path_type=Path), help="A state_dict for module:factory models (loaded with weights_only=True).")
@click.option("--dynamic-batch", is_flag=True, help="Export with a dynamic batch dimension.")
@click.option("--name", help="Bundle name (default: the model's).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Parent folder of the bundle.")
@click.option("--force", is_flag=True, help="Replace an existing bundle of the same name.")
@click.option("--no-validate", "validate", is_flag=True, flag_value=False, default=True, help="Skip host validation.")
@click.option("--iterations", type=int, default=50, show_default=True, help="Host latency iterations per artifact.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--coreml-min-ios", type=click.Choice(["16", "17", "18"]), default="17", show_default=True, callback=lambda c, p, v: int(v))
@click.option("--onnx-calibration", type=click.Choice(["minmax", "entropy", "percentile"]), default="minmax", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON on stdout and nothing else.")
def export(as_json: bool, **opts) -> None:
    """Export MODEL to a bundle of quantized, validated mobile artifacts.

    MODEL is a built-in name (digits, efficientnet_lite0, mobilenet_v2, minilm, lstm_tagger), module:factory (a callable
    returning an nn.Module, with --example-input), or a .pt2 file saved with torch.export.save.

    \b
    Examples:
      mobilekit export digits
      mobilekit export efficientnet_lite0 --targets xnnpack,onnx      # a real ImageNet network
      mobilekit export digits --targets xnnpack --quant fp32,int8 --out out/
      mobilekit export mypkg.nets:make_net --example-input 1x3x224x224:float32 \\
          --weights net.pt --calibration images/ --keep-float classifier
      mobilekit export model.pt2 --calibration calib.npy
      mobilekit export digits --qat distill                         # recover accuracy without labels
      mobilekit export minilm --targets xnnpack,onnx --quant fp32,int8dyn,8da4w   # a sentence embedder
      mobilekit export mypkg.text:make_encoder --example-input 1x32:int64 --example-input 1x32:int64 \
          --tokenizer hf_model_dir/ --calibration sentences.txt --quant auto --output-kind embedding

    Every artifact is validated on held-out data against eager FP32. Below the fidelity floor
    (--min-sqnr, --min-agreement, --accuracy-budget, --min-cosine) it is marked low_fidelity in the table, the
    report and the manifest, and the apps warn before loading it. When plain INT8 misses the floor,
    the most damaging layers are kept in float automatically (recorded in the manifest).

    The bundle (out/<name>/) holds the artifacts, manifest.json (the contract the apps read),
    validation.json and report.html. Exit code 0: everything built and is good enough to ship;
    1: some artifacts failed or are low_fidelity (the rest are in the bundle); 2: a usage or input error.
    """
    try:
        config = build_config(**opts)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    console = make_console(stderr=as_json)
    result = run_export(config, console, quiet=as_json)
    if as_json:
        click.echo(json.dumps({"bundle": str(result.bundle_dir), "manifest": result.manifest, "timings_s": result.timings_s}, indent=2))
    else:
        print_export_summary(console, result.manifest, result.validation, result.bundle_dir)
    if result.failures or result.low_fidelity:
        sys.exit(1)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--no-run", is_flag=True, help="Only check the schema and checksums; do not run the artifacts.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
def validate(bundle: Path, no_run: bool, as_json: bool) -> None:
    """Check BUNDLE: manifest schema, every artifact's size and sha256, and the sample on the host.

    \b
    Example:
      mobilekit validate out/digits_cnn

    Each artifact with a runtime on this machine runs the bundled sample input and must reproduce
    the expected top-1 from export time. Exit code 1 when any check fails.
    """
    from rich.table import Table

    from mobilekit.export.bundle_check import check_bundle

    doc, checks = check_bundle(bundle, run=not no_run)
    failed = [c for c in checks if c.status == "failed"]
    if as_json:
        click.echo(json.dumps({"bundle": str(bundle), "name": doc["name"], "ok": not failed, "artifacts": [c.to_json() for c in checks]}, indent=2))
    else:
        table = Table(title=f"bundle {doc['name']}: schema ok", title_justify="left")
        for col in ("artifact", "check", "sample top-1", "SQNR vs export dB", "detail"):
            table.add_column(col)
        for c in checks:
            colour = {"ok": "green", "skipped": "yellow", "failed": "red"}[c.status]
            table.add_row(c.file, f"[{colour}]{c.status}[/]", "—" if c.top1 is None else str(c.top1),
                          "—" if c.sqnr_db is None else f"{c.sqnr_db:.1f}", c.detail)
        make_console().print(table)
    if failed:
        sys.exit(1)
