"""Camera frames for the Android camera screen's JUnit tests: real photographs (scikit-image's bundled
pictures) as a phone's sensor would deliver them (YUV 4:2:0, turned by the sensor's mounting angle), and
what Python's preprocess (``ImagePreprocess.apply``, export/spec.py) makes of each, so the Java
frame-to-tensor code (android/app/.../core/CameraFrame.java) is checked against it.

The frame is made and read back with Pillow's own JFIF conversion (RGB <-> YCbCr, BT.601 full range), an
implementation independent of the Java one: upright photo -> turned counter-clockwise by the rotation
(the sensor's view) -> YCbCr -> chroma averaged over 2x2 blocks (4:2:0) -> written as raw Y, U, V planes.
The expected tensor is Pillow's decode of those planes (each chroma sample shared by its 2x2 block), turned
clockwise back upright, through ``ImagePreprocess.apply``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

ROTATIONS = (0, 90, 180, 270)
# Pillow's transpose constants turn counter-clockwise; the sensor frame is the upright picture turned
# counter-clockwise by the rotation, and turning it clockwise by the rotation makes it upright again.
_CCW = {90: "ROTATE_90", 180: "ROTATE_180", 270: "ROTATE_270"}
_CW = {90: "ROTATE_270", 180: "ROTATE_180", 270: "ROTATE_90"}

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")


def specs() -> dict:
    from mobilekit.export.models import digits
    from mobilekit.export.spec import ImagePreprocess

    return {
        # EfficientNet-Lite0 / ImageNet: keep the aspect ratio, cover 256, centre-crop 224
        "imagenet": ImagePreprocess(color="RGB", resize=(256, 256), crop=(224, 224), keep_aspect=True),
        # the digits bundle's own spec: L, invert, squash to 28x28
        "digits": digits.PREPROCESS,
        # squash a 4:3 frame to a square, then crop (no keep_aspect)
        "squash_crop": ImagePreprocess(color="RGB", resize=(240, 240), crop=(224, 224), mean=(0.5,), std=(0.5,)),
        # BGR, bicubic, keep_aspect to a landscape target
        "bgr_bicubic": ImagePreprocess(color="BGR", resize=(120, 160), interpolation="bicubic", keep_aspect=True,
                                       mean=(0.4, 0.45, 0.5), std=(0.25, 0.25, 0.25)),
    }


def _turn(img, degrees: int, table: dict):
    from PIL import Image

    return img if degrees == 0 else img.transpose(getattr(Image.Transpose, table[degrees]))


def to_yuv420(rgb) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A PIL RGB image -> Y (h, w), U and V (ceil(h/2), ceil(w/2)) uint8 planes (Pillow's JFIF YCbCr)."""
    ycc = np.asarray(rgb.convert("YCbCr"), dtype=np.int32)
    h, w = ycc.shape[:2]
    y = ycc[..., 0].astype(np.uint8)
    padded = np.pad(ycc[..., 1:], ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    blocks = padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2, 2)
    chroma = ((blocks.sum(axis=(1, 3)) + 2) // 4).astype(np.uint8)
    return y, chroma[..., 0], chroma[..., 1]


def from_yuv420(y: np.ndarray, u: np.ndarray, v: np.ndarray):
    """Pillow's decode of 4:2:0 planes: each chroma sample shared by its 2x2 block, YCbCr -> RGB."""
    from PIL import Image

    h, w = y.shape
    up = lambda c: np.repeat(np.repeat(c, 2, axis=0), 2, axis=1)[:h, :w]  # noqa: E731
    ycc = np.dstack([y, up(u), up(v)]).astype(np.uint8)
    return Image.fromarray(ycc, "YCbCr").convert("RGB")


def photo(name: str):
    """A scikit-image photograph as a PIL RGB image, cropped to even sides (camera frames are even)."""
    from PIL import Image
    from skimage import data

    arr = getattr(data, name)()
    arr = arr[..., :3] if arr.ndim == 3 else np.dstack([arr] * 3)
    h, w = arr.shape[:2]
    return Image.fromarray(np.ascontiguousarray(arr[: h - h % 2, : w - w % 2]), "RGB")


def write_camera_reference(out: Path, digit_png: Path | None = None) -> dict:
    """Writes frames/*.y|u|v, tensors/*.bin, upright/*.rgb and camera.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("frames", "tensors", "upright"):
        (out / sub).mkdir(exist_ok=True)
    frames, cases = [], []
    all_specs = specs()
    sources = [(name, photo(name)) for name in PHOTOS]
    if digit_png is not None:
        from PIL import Image

        with Image.open(digit_png) as im:  # a digit seen by a camera: 8x larger, grey paper
            d = im.convert("RGB")
        sources.append(("digit", d.resize((d.width * 8, d.height * 8), Image.NEAREST)))
    for name, upright in sources:
        for deg in ROTATIONS:
            if name == "digit" and deg not in (0, 90):
                continue
            sensor = _turn(upright, deg, _CCW)
            y, u, v = to_yuv420(sensor)
            key = f"{name}_r{deg}"
            for plane, arr in (("y", y), ("u", u), ("v", v)):
                arr.tofile(out / "frames" / f"{key}.{plane}")
            decoded = _turn(from_yuv420(y, u, v), deg, _CW)
            np.asarray(decoded, dtype=np.uint8).tofile(out / "upright" / f"{key}.rgb")
            frames.append({"name": key, "photo": name, "rotation": deg, "width": sensor.width,
                           "height": sensor.height, "upright": [decoded.width, decoded.height]})
            for spec_name, spec in all_specs.items():
                if name == "digit" and spec_name != "digits":
                    continue
                t = spec.apply(decoded)
                tensor = f"tensors/{key}.{spec_name}.bin"
                t.astype("<f4").tofile(out / tensor)
                cases.append({"frame": key, "spec_name": spec_name, "spec": spec.to_json(), "tensor": tensor,
                              "shape": list(t.shape)})
    doc = {"frames": frames, "cases": cases}
    if digit_png is not None:
        import torch

        from mobilekit.export.models import digits

        t = all_specs["digits"].apply(_decoded(out, frames, "digit_r90"))
        with torch.no_grad():
            doc["digit_eager_top1"] = int(digits.load_module()(torch.from_numpy(t[None])).argmax(1).item())
    (out / "camera.json").write_text(json.dumps(doc, indent=1))
    return doc


def _decoded(out: Path, frames: list, key: str):
    """The upright picture of a written frame, read back from upright/<key>.rgb."""
    from PIL import Image

    f = next(f for f in frames if f["name"] == key)
    w, h = f["upright"]
    return Image.fromarray(np.fromfile(out / "upright" / f"{key}.rgb", dtype=np.uint8).reshape(h, w, 3), "RGB")
