"""The export pipeline as named stages: load -> calibrate -> build(target, precision) -> validate -> bundle.

``export_bundle(config)`` runs them all and returns an :class:`ExportResult`; each stage is also a
function of its own. One target or precision failing is recorded in the manifest's ``failures`` and
never loses the artifacts that did build.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from mobilekit import MobilekitError
from mobilekit.export import manifest as manifest_io
from mobilekit.export.calibration import load_calibration, load_eval_data, split_tuning
from mobilekit.export.config import AUTO, SAMPLE_MIN_COSINE, AutoKeepFloat, ExportConfig, StaticInt8Config
from mobilekit.export.errors import ExportError
from mobilekit.export.loading import export_program, load_model
from mobilekit.export.report import write_report
from mobilekit.export.spec import EvalSet, LoadedModel, Sample
from mobilekit.export.targets import REGISTRY, get_target
from mobilekit.export.targets.base import Artifact, BuildContext, Target
from mobilekit.export.validate import degenerate_reason, eager_latency, reference_outputs, validate_artifact

Progress = Callable[[str], None]


@dataclass
class ExportResult:
    """What an export produced: the bundle folder, its manifest and validation documents, stage timings."""

    bundle_dir: Path
    manifest: dict
    validation: dict
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> list[dict]:
        return self.manifest.get("failures", [])

    @property
    def low_fidelity(self) -> list[str]:
        """Artifacts that built but missed the fidelity floor (export exits 1 for them too)."""
        return [a["file"] for a in self.manifest.get("artifacts", []) if (a.get("validation") or {}).get("status") == "low_fidelity"]


def prepare_bundle_dir(out_dir: Path, name: str, force: bool) -> Path:
    """Create ``out_dir/name``; an existing bundle is replaced only with ``force``."""
    bundle = Path(out_dir) / name
    if bundle.exists():
        if not force:
            raise ExportError(
                f"The output folder {bundle} already exists.",
                hint="Pass --force to replace it, or choose another --out.",
            )
        if not (bundle / manifest_io.MANIFEST).exists() and any(bundle.iterdir()):
            raise ExportError(
                f"{bundle} exists and is not a mobilekit bundle; refusing to delete it even with --force.",
                hint="Choose another --out.",
            )
        shutil.rmtree(bundle)
    try:
        bundle.mkdir(parents=True)
        probe = bundle / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ExportError(
            f"Cannot write the bundle to {bundle}: {exc.strerror or exc}.",
            hint="Choose a writable --out folder.",
        ) from exc
    return bundle


def plan_targets(config: ExportConfig) -> list[tuple[str, Target | None, tuple[str, ...], str | None]]:
    """(name, target or None, precisions, reason unavailable) for each requested or default target."""
    names = list(config.targets) or list(REGISTRY)
    plan = []
    for name in names:
        try:
            target = get_target(name)
        except MobilekitError as exc:
            if config.targets:
                if name not in REGISTRY:
                    raise
                plan.append((name, None, config.precisions or ("default",), str(exc)))
            continue
        reason = target.unavailable_reason()
        if config.precisions:
            precisions = tuple(p for p in config.precisions if p in target.precisions)
            if not precisions:
                if config.targets:
                    raise ExportError(
                        f"The {name} target builds {', '.join(target.precisions)}; none of --quant {','.join(config.precisions)}.",
                    )
                continue
        else:
            precisions = target.default_precisions
        if reason and not config.targets:
            continue  # a default target that cannot run here is left out quietly; asked-for ones fail loudly
        plan.append((name, target, precisions, reason))
    if not plan:
        raise ExportError("No target can build the requested precisions.", hint=f"Targets: {', '.join(REGISTRY)}.")
    return plan


# Why a target cannot express a recipe, in one line (what the CLI and validation.json say instead of
# silently building nothing for it).
NOT_EXPRESSIBLE = {
    ("coreml", "int8dyn"): "Core ML has no run-time (dynamic) activation quantization; --quant w8 gives INT8 linear weights",
    ("coreml", "8da4w"): "Core ML has no dynamic 8-bit activations; --quant w4 gives 4-bit weights (INT4 per block on iOS 18, palettized on iOS 17)",
    ("coreml", "int8"): "Core ML calls static INT8 w8a8 (--quant w8a8)",
    ("ptl", "8da4w"): "PyTorch Mobile's quantized engine (qnnpack) has no 4-bit weight kernels",
    ("ptl", "fp16"): "PyTorch Mobile runs FP32 or INT8",
    ("xnnpack", "fp16"): "mobilekit's XNNPACK artifacts are FP32 or quantized; FP16 is a Core ML precision",
}


def not_built(config: ExportConfig, plan) -> list[dict]:
    """(target, precision, reason) for each requested recipe a planned target cannot express."""
    if not config.precisions:
        return []
    out = []
    for name, target, precisions, _ in plan:
        if target is None:
            continue
        for p in config.precisions:
            if p not in precisions and p not in target.precisions:
                reason = NOT_EXPRESSIBLE.get((name, p), f"the {name} target does not build {p} "
                                                        f"(it builds {', '.join(target.precisions)})")
                out.append({"target": name, "precision": p, "reason": reason})
    return out


def evaluation_set(model: LoadedModel, config: ExportConfig, holdout: list[Sample] | None) -> EvalSet:
    """The held-out data for validation: ``--eval``, else the model's own, else a slice held out of the
    calibration data, else seeded random inputs (which only shows that an artifact runs)."""
    if config.eval_data is not None:
        return load_eval_data(model, config.eval_data, config.eval_samples)
    if model.eval_set is not None:
        ev = model.eval_set()
        n = min(len(ev.samples), config.eval_samples)
        labels = list(ev.labels[:n]) if ev.labels is not None else None
        texts = list(ev.texts[:n]) if ev.texts is not None else None
        return EvalSet(samples=list(ev.samples[:n]), labels=labels, description=ev.description, texts=texts)
    if holdout:
        return EvalSet(
            samples=holdout[: config.eval_samples],
            description=(
                f"{len(holdout[: config.eval_samples])} samples held out of the calibration data "
                f"({config.eval_fraction:.0%}; calibration never saw them). Pass --eval DATA for a separate held-out set."
            ),
        )
    integer = [i for i in model.inputs if i.is_integer]
    if integer:
        names = ", ".join(f"{i.name} ({i.dtype})" for i in integer)
        raise ExportError(
            f"{model.name} takes integer input(s) {names}, and no data was given to validate it on. Zeros or random ids "
            "would make every figure meaningless (an all-zero attention mask pools nothing).",
            hint="Pass --eval sentences.txt --tokenizer DIR (one sentence a line), or --eval data.npz with one array "
            "per input (np.savez('data.npz', " + ", ".join(f"{i.name}=..." for i in model.inputs) + ")). "
            "--calibration takes the same files; part of it is held out when --eval is not given.",
        )
    gen = torch.Generator().manual_seed(1234)
    samples = []
    for _ in range(min(32, config.eval_samples)):
        samples.append(
            tuple(torch.randn(t.shape, generator=gen).to(t.dtype) if t.dtype.is_floating_point else t.clone() for t in model.example_inputs)
        )
    return EvalSet(samples=samples, description="seeded random inputs at the example shape (no data was given)")


def write_sample(bundle: Path, model: LoadedModel, sample: Sample, text: str | None = None) -> dict:
    """Every input of one held-out sample (raw little-endian bytes) and every eager FP32 output, for on-device
    checks; ``input``/``expected_output`` keep naming the first ones (older apps read only those)."""
    inputs = []
    for i, (spec, t) in enumerate(zip(model.inputs, sample)):
        arr = t.contiguous().numpy()
        name = "sample_input.bin" if i == 0 else f"sample_input_{i}.bin"
        (bundle / name).write_bytes(arr.astype(arr.dtype.newbyteorder("<")).tobytes())
        inputs.append({"name": spec.name, "file": name, "dtype": spec.dtype, "shape": list(arr.shape)})
    with torch.no_grad():
        out = model.module(*sample)
    outs = [out] if isinstance(out, torch.Tensor) else list(out)
    outputs = []
    for i, (spec, t) in enumerate(zip(model.outputs, outs)):
        arr = t.detach().float().contiguous().numpy()
        name = "sample_output.bin" if i == 0 else f"sample_output_{i}.bin"
        (bundle / name).write_bytes(arr.astype("<f4").tobytes())
        outputs.append({"name": spec.name, "file": name, "shape": list(arr.shape)})
    first = outs[0].detach().float()
    top1 = int(first.reshape(first.shape[0], -1)[0].argmax()) if model.outputs[0].kind == "classification" else None
    return {"input": "sample_input.bin", "expected_top1": top1, "expected_output": "sample_output.bin",
            "inputs": inputs, "outputs": outputs, "text": text, "min_cosine": SAMPLE_MIN_COSINE}



def _failure(name: str, precision: str, exc: BaseException) -> dict:
    if isinstance(exc, MobilekitError):
        return {"target": name, "precision": precision, "error": exc.message, "hint": exc.hint}
    return {
        "target": name,
        "precision": precision,
        "error": f"internal error: {type(exc).__name__}: {exc}",
        "hint": "This is a mobilekit bug; please report it with the traceback (set MOBILEKIT_DEBUG=1 to see it).",
    }


def export_bundle(
    config: ExportConfig,
    *,
    calibration_data: Iterable[Sample] | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Run the whole export for ``config`` and write the bundle; returns the manifest and figures."""
    say = progress or (lambda message: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    say("loading model")
    model = load_model(config)
    timings["load"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    say("capturing the model with torch.export")
    exported = export_program(model)  # fails fast, for every target, when the model cannot be captured
    timings["torch_export"] = time.perf_counter() - t0
    auto_choice = None
    if AUTO in config.precisions:
        from mobilekit.export.quant.weights import choose_recipe

        auto_choice = choose_recipe(exported)
        say(f"--quant auto: {auto_choice.precision} ({auto_choice.reason})")
        precisions = tuple(dict.fromkeys(auto_choice.precision if p == AUTO else p for p in config.precisions))
        config = config.replace(precisions=precisions)

    plan = plan_targets(config)
    bundle = Path(config.out_dir) / model.name  # made (or replaced) once the held-out data pass their checks

    recipe = config.quant
    count = recipe.calibration_samples if isinstance(recipe, StaticInt8Config) else 0
    seed = recipe.seed if isinstance(recipe, StaticInt8Config) else 0
    calibration_source = calibration_data if calibration_data is not None else config.calibration
    cal_times: list[float] = []
    # With one data source, part of it is held out for validation (never calibrated on).
    split_for_eval = config.eval_data is None and model.eval_set is None and calibration_source is not None
    holdout: list[Sample] = []

    def calibration_loader() -> list[Sample]:
        t = time.perf_counter()
        say("loading calibration data")
        samples = load_calibration(model, calibration_source, count or 256, seed)
        if split_for_eval:
            if len(samples) < 2:
                raise ExportError(
                    "One calibration sample cannot be split into calibration and held-out evaluation data.",
                    hint="Give more samples, or pass --eval DATA with separate held-out data.",
                )
            n_eval = max(1, int(round(len(samples) * config.eval_fraction)))
            holdout.extend(samples[-n_eval:])
            samples = samples[:-n_eval]
        cal_times.append(time.perf_counter() - t)
        return samples

    if calibration_data is not None:
        source_label = "python iterable"
    elif config.calibration is not None:
        source_label = Path(config.calibration).name
    else:
        source_label = "built-in data" if model.calibration is not None else "none"
    ctx = BuildContext(
        model=model, config=config, bundle_dir=bundle, calibration_loader=calibration_loader, log=say,
        calibration_source=source_label,
    )
    ctx.cached("exported_fp32", lambda: exported)
    ctx.cached("fp32_module", lambda: model.module)  # stages below may swap in a tuned copy; the floor is about this one

    # The held-out data first: a model that cannot be judged on them stops here, before the bundle folder
    # is made and minutes of building.
    if split_for_eval:
        try:
            ctx.calibration_samples()  # the held-out slice comes from the calibration data
        except MobilekitError:
            if any(i.is_integer for i in model.inputs):
                raise  # integer inputs have no stand-in data to validate on
            # otherwise the unusable calibration data is recorded as the INT8 artifacts' failure
    eval_set = evaluation_set(model, config, holdout)
    reference = reference_outputs(model, eval_set) if config.validate else None
    degenerate = degenerate_reason(reference, eval_set) if reference is not None else None
    if degenerate:
        raise ExportError(
            f"Cannot validate {model.name}: {degenerate} ({eval_set.description}). Fidelity figures computed on it "
            "would mean nothing, so none are reported.",
            hint="Give real held-out data with --eval (sentences with --tokenizer, an .npz with one array per input, "
            "or an image folder), or check that the model's output depends on its input.",
        )
    prepare_bundle_dir(config.out_dir, model.name, config.force)

    keep_float_choice = None
    qat_record = None
    if config.qat is not None and _plans_static_int8(plan) and isinstance(config.quant, StaticInt8Config):
        t = time.perf_counter()
        qat_record = run_qat(ctx, say)
        timings["qat"] = time.perf_counter() - t
    recovery = None
    user_qat_graph = qat_record is not None and qat_record.get("train") != "distill"
    if _plans_static_int8(plan) and isinstance(config.quant, StaticInt8Config) and not user_qat_graph:
        if config.calibration_method == "auto" or config.quant.bias_correction or config.quant.adaround:
            recovery = _optional_stage("calibration_method", timings, lambda: run_recovery(ctx, say))
    # After distillation the fine-tuned model is checked against the floor like any other; a user's own
    # QAT loop hands over a finished Q/DQ graph, which only validation judges.
    if _wants_auto_keep_float(config, plan) and not user_qat_graph:
        keep_float_choice = _optional_stage("keep_float_auto", timings, lambda: auto_keep_float(ctx, say))

    built: list[tuple[Target, Artifact]] = []
    failures: list[dict] = []
    for name, target, precisions, reason in plan:
        for precision in precisions:
            if target is None or reason:
                failures.append({"target": name, "precision": precision, "error": reason or "unavailable", "hint": None})
                continue
            say(f"building {name} {precision}")
            t = time.perf_counter()
            try:
                artifact = target.build(ctx, precision)
                artifact.notes = list(artifact.notes) + target.check_artifact(artifact, ctx)
                _record_mixed_precision(artifact, keep_float_choice)
                _record_qat(artifact, qat_record)
                _record_recovery(artifact, recovery)
                built.append((target, artifact))
            except Exception as exc:  # one artifact failing never loses the others
                if os.environ.get("MOBILEKIT_DEBUG"):
                    traceback.print_exc()
                failures.append(_failure(name, precision, exc))
            timings[f"build:{name}:{precision}"] = time.perf_counter() - t
    if cal_times:
        timings["calibration_data"] = sum(cal_times)

    validation: dict = {
        "eval": {"samples": len(eval_set.samples), "description": eval_set.description},
        "model_notes": list(model.notes),
        "floor": config.floor.to_json(),
        "artifacts": {},
    }
    if auto_choice is not None:
        validation["recipe_auto"] = auto_choice.to_json()
    validation["not_built"] = not_built(config, plan)
    if keep_float_choice is not None:
        validation["keep_float_auto"] = {**keep_float_choice.to_json(), "layers": list(keep_float_choice.layers),
                                         "ranking": keep_float_choice.ranking}
    t = time.perf_counter()
    records = []
    if config.validate:
        say("validating on the host")
        eager = {"host_latency_ms": eager_latency(model, config.latency_iterations, config.latency_warmup)}
        if reference.labels is not None and model.outputs[0].kind == "classification":
            preds = np.concatenate([r.reshape(r.shape[0], -1) for r in reference.outputs]).argmax(axis=1)
            eager["accuracy"] = float(np.mean(preds == np.asarray(reference.labels)))
        validation["eager_fp32"] = eager
    for target, artifact in built:
        v = None
        if config.validate:
            say(f"validating {artifact.path.name}")
            outcome = validate_artifact(
                target, artifact, model, eval_set, reference,
                iterations=config.latency_iterations, warmup=config.latency_warmup,
                floor=config.floor, eager_accuracy=validation["eager_fp32"].get("accuracy"),
            )
            outcome.notes = list(artifact.notes) + outcome.notes
            v = outcome.to_json()
            validation["artifacts"][artifact.path.name] = v
        records.append(manifest_io.artifact_record(artifact, v))
    timings["validate"] = time.perf_counter() - t

    labels_file = None
    if model.labels:
        (bundle / "labels.txt").write_text("\n".join(model.labels) + "\n", encoding="utf-8")
        labels_file = "labels.txt"
    if model.tokenizer is not None:
        from mobilekit.export.text import copy_tokenizer_files

        copy_tokenizer_files(model.tokenizer, bundle)
    sample = write_sample(bundle, model, eval_set.samples[0], eval_set.texts[0] if eval_set.texts else None)
    validation["low_fidelity"] = [name for name, v in validation["artifacts"].items() if v.get("status") == "low_fidelity"]
    validation["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    doc = manifest_io.build_manifest(model, records, failures, labels_file=labels_file, sample=sample)
    (bundle / "validation.json").write_text(json.dumps(validation, indent=2) + "\n", encoding="utf-8")
    write_report(bundle, doc, validation)
    manifest_io.write_manifest(bundle, doc)
    return ExportResult(bundle_dir=bundle, manifest=doc, validation=validation, timings_s=timings)


STATIC_INT8_PRECISIONS = ("int8", "w8a8")


def _optional_stage(name: str, timings: dict, run):
    """Run a stage that only improves INT8 artifacts; a user error in it (e.g. no calibration data) is left
    for each INT8 artifact to report on its own, so the FP32 artifacts still build."""
    t = time.perf_counter()
    try:
        return run()
    except MobilekitError:
        return None
    finally:
        timings[name] = time.perf_counter() - t


def _plans_static_int8(plan) -> bool:
    return any(target is not None and not reason and set(precisions) & set(STATIC_INT8_PRECISIONS)
               for _, target, precisions, reason in plan)


def _wants_auto_keep_float(config: ExportConfig, plan) -> bool:
    """True when a static INT8 artifact is planned and the user did not fix the float layers themselves."""
    recipe = config.quant
    if not isinstance(recipe, StaticInt8Config) or config.auto_keep_float is AutoKeepFloat.OFF or recipe.keep_float:
        return False
    return _plans_static_int8(plan)


# Targets that build from the shared PT2E Q/DQ graph (and so from a QAT graph); the others quantize the
# float model with their own tools.
PT2E_CONSUMERS = {("xnnpack", "int8"), ("coreml", "w8a8")}


def run_qat(ctx: BuildContext, say: Progress) -> dict:
    """The QAT stage. distill: every INT8 target quantizes the fine-tuned model; a user loop: the PT2E
    targets build from its trained Q/DQ graph. FP32 artifacts always come from the original model."""
    from mobilekit.export.quant.qat import DISTILL, distill, qat_quantizer, quantize_qat

    samples, _ = tuning_split(ctx)  # the tuning samples that later choices are checked on stay unseen
    qat = ctx.config.qat
    say(f"quantization-aware training ({qat.train}) on {len(samples)} samples")
    if qat.train == DISTILL:
        student, losses = distill(ctx.model, samples, qat, log=say)
        _use_tuned_module(ctx, student)
        return {**qat.to_json(), "samples": len(samples), "first_loss": round(losses[0], 5), "last_loss": round(losses[-1], 5)}
    graph, record = quantize_qat(ctx.model, qat_quantizer(ctx.config.quant, ctx.model), samples, qat, log=say)
    ctx.replace_cached("pt2e_xnnpack", graph)
    return record


def _record_qat(artifact: Artifact, record: dict | None) -> None:
    """Mark the artifacts built from the QAT model or graph; say so on the ones that were not."""
    if record is None:
        return
    quant = artifact.quantization or {}
    if record["train"] == "distill" and quant.get("mode") == "static":
        quant["mode"] = "qat"
        quant["qat"] = record
    elif (artifact.target, artifact.precision) in PT2E_CONSUMERS:
        quant["mode"] = "qat"
        quant["qat"] = record
    elif quant.get("mode") == "static":
        artifact.notes.append(
            f"QAT ({record['train']}) applies to the ExecuTorch XNNPACK and Core ML W8A8 artifacts, which build from "
            f"the trained Q/DQ graph; the {artifact.target} target calibrates the float model with its own quantizer."
        )


def _quick(calibration: list[Sample]) -> list[Sample]:
    """At most 64 samples spread over ``calibration``: enough to compare candidates, which is all a choice needs
    (the chosen recipe is then built once on every sample)."""
    return calibration[:: max(1, len(calibration) // 64)][:64]


def _use_tuned_module(ctx: BuildContext, module: torch.nn.Module) -> None:
    """INT8 targets quantize ``module`` (distilled, bias-corrected or AdaRounded) from here on; the FP32
    artifacts keep the user's model, whose ExportedProgram is captured (cached) before the swap."""
    import dataclasses

    ctx.exported_fp32()
    ctx.model = dataclasses.replace(ctx.model, module=module, exported_program=None)


def tuning_split(ctx: BuildContext) -> tuple[list[Sample], list[Sample]]:
    """(calibration, tuning): a fifth of the calibration data held back, once, for the choices the
    pipeline makes itself (calibration method, layers kept float); validation data are never used."""
    cached = ctx.cached_or_none("tuning")
    if cached is not None:
        return ctx.calibration_samples(), cached
    calibration, tuning = split_tuning(ctx.calibration_samples())
    ctx.replace_cached("calibration", calibration)
    ctx.replace_cached("tuning", tuning)
    return calibration, tuning


def run_recovery(ctx: BuildContext, say: Progress) -> dict:
    """Bias correction (asked for, or chosen) and the observer choice of ``--calibration-method auto``."""
    import dataclasses

    from mobilekit.export.quant.pt2e import quantize_pt2e, xnnpack_quantizer
    from mobilekit.export.quant.recovery import bias_correction, choose_calibration

    calibration, tuning = tuning_split(ctx)
    recipe = ctx.config.quant
    record: dict = {}
    if recipe.adaround:
        from mobilekit.export.quant.recovery import adaround

        say("AdaRound: learning how to round each weight")
        rounded, _ = adaround(ctx.model, calibration[:16], log=say)
        _use_tuned_module(ctx, rounded)
        record["adaround"] = {"samples": min(16, len(calibration)), "steps_per_layer": 200}
    if ctx.config.calibration_method == "auto":
        quick = _quick(calibration)
        say("comparing calibration methods on tuning data")
        choice, corrected = choose_calibration(
            ctx.model, recipe, quick, tuning,
            lambda m, r, cal: quantize_pt2e(m, xnnpack_quantizer(r, m), cal), log=say,
            reference_module=ctx.cached_or_none("fp32_module"),
        )
        recipe = dataclasses.replace(recipe, observer=choice.observer, bias_correction=choice.bias_correction)
        record["calibration_choice"] = choice.to_json()
        if corrected is not None:
            _use_tuned_module(ctx, corrected)
    elif recipe.bias_correction:
        say("bias correction")
        corrected, _ = bias_correction(ctx.model, calibration[:32])
        _use_tuned_module(ctx, corrected)
    record["bias_correction"] = recipe.bias_correction
    ctx.config = ctx.config.replace(quant=recipe)
    return record


def _record_recovery(artifact: Artifact, record: dict | None) -> None:
    quant = artifact.quantization or {}
    if record is None or quant.get("mode") not in ("static", "qat"):
        return
    if record.get("bias_correction"):
        quant["bias_correction"] = True
    if "calibration_choice" in record:
        quant["calibration_choice"] = record["calibration_choice"]
    if "adaround" in record:
        quant["adaround"] = record["adaround"]


def auto_keep_float(ctx: BuildContext, say: Progress):
    """The mixed-precision stage: hold tuning samples out of calibration, choose layers, update the recipe."""
    import dataclasses

    from mobilekit.export.quant.mixed_precision import choose_keep_float
    from mobilekit.export.quant.pt2e import quantize_pt2e, xnnpack_quantizer

    calibration, tuning = tuning_split(ctx)
    recipe = ctx.config.quant

    quick = _quick(calibration)

    def quantize(r):
        key = "auto:plain" if not r.keep_float else f"auto:{','.join(r.keep_float)}"
        return ctx.cached(key, lambda: quantize_pt2e(ctx.model, xnnpack_quantizer(r, ctx.model), quick))

    say("checking plain INT8 against the fidelity floor")
    choice = choose_keep_float(ctx.model, recipe, quantize, calibration, tuning, ctx.config.floor, log=say,
                               reference_module=ctx.cached_or_none("fp32_module"))
    if quick is calibration or len(quick) == len(calibration):
        ctx.replace_cached("pt2e_xnnpack", quantize(dataclasses.replace(recipe, keep_float=choice.layers)))
    if choice.layers:
        ctx.replace_cached("keep_float_auto", tuple(choice.layers))
        ctx.config = ctx.config.replace(quant=dataclasses.replace(recipe, keep_float=choice.layers))
    return choice


def _record_mixed_precision(artifact: Artifact, choice) -> None:
    """Put the automatic keep-float record on every static INT8 artifact that honoured it."""
    quant = artifact.quantization or {}
    if choice is None or quant.get("mode") != "static":
        return
    quant["mixed_precision"] = {**choice.to_json(), "keep_float": list(choice.layers)}
