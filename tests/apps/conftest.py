"""Fixtures for the app checks: one digits bundle with ExecuTorch + ONNX Runtime artifacts, and the
Python reference data (PNG pictures and the tensors ``ImagePreprocess.apply`` makes of them) that the
Java and Swift code must reproduce."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def apps_bundle(tmp_path_factory) -> Path:
    """digits_cnn exported to ExecuTorch (xnnpack) and ONNX Runtime (about a minute)."""
    from mobilekit.export.config import ExportConfig
    from mobilekit.export.pipeline import export_bundle

    out = tmp_path_factory.mktemp("apps-bundle")
    export_bundle(ExportConfig(model="digits", out_dir=out, targets=("xnnpack", "onnx"),
                               latency_iterations=5, latency_warmup=1))
    bundle = out / "digits_cnn"
    manifest = json.loads((bundle / "manifest.json").read_text())
    runtimes = {a["runtime"] for a in manifest["artifacts"]}
    assert {"executorch", "onnxruntime"} <= runtimes, f"export built only {runtimes}: {manifest.get('failures')}"
    return bundle


# Pictures that are not digits, each through another preprocess spec: up/down-scaling, crop, BGR,
# per-channel mean/std, alpha, palette, nearest, bicubic, same size.
SYNTHETIC = [
    # name, mode, (width, height), preprocess
    ("rgb_up_crop", "RGB", (13, 9), dict(color="RGB", resize=(32, 24), crop=(28, 20))),
    ("bgr_down", "RGB", (97, 61), dict(color="BGR", resize=(24, 16), mean=(0.4, 0.5, 0.6), std=(0.2, 0.25, 0.3))),
    ("rgba_invert", "RGBA", (40, 30), dict(color="RGB", resize=(20, 20), invert=True, mean=(0.5,), std=(0.5,))),
    ("l_from_rgb_bicubic", "RGB", (50, 35), dict(color="L", resize=(28, 28), interpolation="bicubic",
                                                  mean=(0.1307,), std=(0.3081,))),
    ("l_from_rgb_bicubic_up", "RGB", (11, 7), dict(color="L", resize=(30, 40), interpolation="bicubic",
                                                    mean=(0.5,), std=(0.25,))),
    ("nearest_up", "RGB", (23, 17), dict(color="RGB", resize=(40, 30), interpolation="nearest")),
    ("nearest_down", "RGB", (64, 48), dict(color="RGB", resize=(10, 7), interpolation="nearest")),
    ("palette", "P", (33, 21), dict(color="RGB", resize=(16, 16))),
    ("gray_same_size", "L", (28, 28), dict(color="L", resize=(28, 28), mean=(0.5,), std=(0.5,), invert=True)),
    ("big_down_crop", "RGB", (300, 200), dict(color="RGB", resize=(224, 224), crop=(200, 200))),
]


def write_reference(ref: Path) -> dict:
    """Write PNGs, their preprocessed tensors, the eager FP32 predictions and a stats sample into ``ref``."""
    import numpy as np
    import torch
    from PIL import Image

    from mobilekit.export.models import digits
    from mobilekit.export.spec import ImagePreprocess

    (ref / "tensors").mkdir(parents=True, exist_ok=True)
    cases = []
    pictures = digits.write_digit_images(ref / "digits", "test")
    tensors = []
    for i, (path, label) in enumerate(pictures):
        with Image.open(path) as im:
            t = digits.PREPROCESS.apply(im)
        tensors.append(t)
        name = f"tensors/digit_{i:04d}.bin"
        t.astype("<f4").tofile(ref / name)
        cases.append({"name": f"digit_{i:04d}", "png": str(path.relative_to(ref)), "tensor": name,
                      "spec": digits.PREPROCESS.to_json(), "label": int(label)})
    with torch.no_grad():
        eager = digits.load_module()(torch.from_numpy(np.stack(tensors))).argmax(1).tolist()
    for case, top1 in zip(cases, eager):
        case["eager_top1"] = int(top1)

    rng = np.random.default_rng(0)
    (ref / "pictures").mkdir(exist_ok=True)
    for name, mode, (w, h), kw in SYNTHETIC:
        # Smooth structure plus noise, so both interpolation and rounding are exercised.
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), ((xx + yy) * 7) % 256], -1)
        noise = rng.integers(0, 256, size=(h, w, 3))
        rgb = np.where(rng.random((h, w, 1)) < 0.3, noise, base).astype(np.uint8)
        if mode == "RGBA":
            img = Image.fromarray(np.dstack([rgb, rng.integers(0, 256, size=(h, w), dtype=np.uint8)]), "RGBA")
        elif mode == "P":
            img = Image.fromarray(rgb, "RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
        elif mode == "L":
            img = Image.fromarray(rgb[..., 0], "L")
        else:
            img = Image.fromarray(rgb, "RGB")
        png = f"pictures/{name}.png"
        img.save(ref / png, format="PNG")
        spec = ImagePreprocess(**kw)
        with Image.open(ref / png) as im:
            t = spec.apply(im)
        tensor = f"tensors/{name}.bin"
        t.astype("<f4").tofile(ref / tensor)
        cases.append({"name": name, "png": png, "tensor": tensor, "spec": spec.to_json(), "shape": list(t.shape)})
    (ref / "index.json").write_text(json.dumps({"cases": cases}, indent=1))

    values = rng.gamma(2.0, 0.5, size=57) + 0.2
    stats = {"values": values.tolist(), "p50": float(np.percentile(values, 50)),
             "p90": float(np.percentile(values, 90)), "p99": float(np.percentile(values, 99)),
             "mean": float(values.mean()), "std": float(values.std()), "min": float(values.min()),
             "max": float(values.max())}
    (ref / "stats.json").write_text(json.dumps(stats))
    return {"digits": len(pictures), "synthetic": len(SYNTHETIC)}


@pytest.fixture(scope="session")
def apps_reference(tmp_path_factory) -> Path:
    ref = tmp_path_factory.mktemp("apps-reference")
    write_reference(ref)
    return ref
