"""mobilekit.export: a PyTorch model -> a bundle of quantized, validated mobile artifacts.

Python API (what ``mobilekit export``/``validate``/``demo`` call)::

    from mobilekit.export import ExportConfig, StaticInt8Config, export_bundle

    result = export_bundle(ExportConfig(model="digits", targets=("xnnpack",), out_dir="out"))
    result.bundle_dir, result.manifest["artifacts"], result.failures, result.timings_s

    # a user's model: module:factory with an example input, calibrated on an image folder
    export_bundle(ExportConfig(model="mypkg.nets:make_net", example_inputs=("1x3x224x224:float32",),
                               calibration="images/", quant=StaticInt8Config(observer="minmax")))

    # the fidelity gate, held-out data, and label-free QAT
    export_bundle(ExportConfig(model="efficientnet_lite0", floor=FidelityFloor(min_sqnr_db=25.0),
                               qat=QatConfig(train="distill")))

Stages, one module each: ``config`` (typed settings), ``loading`` (built-in, module:factory, .pt2),
``calibration`` (image folders, tensor files, iterables; ``--eval`` data), ``preprocess`` (presets),
``quantize`` (PT2E recipes), ``fused_activations`` (conv+ReLU6 patterns), ``sensitivity`` (per-layer
damage), ``mixed_precision`` (automatic keep-float), ``qat`` (distillation, your loop), ``targets/``
(xnnpack, coreml, coreml_pte, onnx, ptl behind one interface), ``validate`` (host fidelity and latency),
``manifest`` (the contract), ``report`` (report.html), ``pipeline`` (the stages in order),
``bundle_check`` (``mobilekit validate``). Importing this package is cheap; torch loads on first use.
"""

from __future__ import annotations

_LAZY = {
    "ExportConfig": "mobilekit.export.config",
    "StaticInt8Config": "mobilekit.export.config",
    "DynamicInt8Config": "mobilekit.export.config",
    "export_bundle": "mobilekit.export.pipeline",
    "ExportResult": "mobilekit.export.pipeline",
    "ExportError": "mobilekit.export.errors",
    "FidelityFloor": "mobilekit.export.config",
    "QatConfig": "mobilekit.export.quant.qat",
    "PreprocessOptions": "mobilekit.export.preprocess",
    "analyze_layers": "mobilekit.export.quant.sensitivity",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mobilekit.export' has no attribute {name!r}")
