"""Real photographs that installed packages ship, as calibration and held-out evaluation pictures.

scikit-image's ``skimage.data`` and scikit-learn's ``load_sample_images`` carry about twenty real
photographs (a cat, a cup of coffee, a rocket, an astronaut, a flower, coins, a clock, textures,
micrographs, a telescope field, ...). No download happens: these files are inside the wheels.

The photographs are split by *picture* into a calibration set and an evaluation set, so no
evaluation crop ever shares a pixel with a calibration crop. Each photograph yields several crops
(seeded position, scale and mirror), and every crop then goes through the model's manifest
preprocess exactly as an app would do it.
"""

from __future__ import annotations

import functools

import numpy as np

# Evaluation uses photographs of things an ImageNet classifier has classes for (a cat, a cup of coffee,
# a rocket, a flower, a camera, a clock): on pictures outside its classes (printed text, micrographs,
# gravel) its top-1 is an argmax over near-equal scores, and "top-1 agreement with FP32" there measures
# noise, not quantization damage. Calibration uses the other photographs, scenes and textures alike
# (synthetic test patterns such as checkerboard or colorwheel are never used).
CALIBRATION_PHOTOS = (
    "skimage:astronaut", "sklearn:china.jpg", "skimage:coins", "skimage:hubble_deep_field", "skimage:moon",
    "skimage:immunohistochemistry", "skimage:brick", "skimage:grass",
)
EVAL_PHOTOS = (
    "skimage:chelsea", "skimage:coffee", "skimage:rocket", "sklearn:flower.jpg", "skimage:camera", "skimage:clock",
)


@functools.lru_cache(maxsize=None)
def photo(ref: str):
    """One photograph as an RGB PIL image, by ``skimage:<name>`` or ``sklearn:<file>``."""
    from PIL import Image

    source, _, name = ref.partition(":")
    if source == "skimage":
        import skimage.data

        arr = getattr(skimage.data, name)()
    elif source == "sklearn":
        from sklearn.datasets import load_sample_images

        images = load_sample_images()
        names = [p.rsplit("/", 1)[-1] for p in images.filenames]
        arr = images.images[names.index(name)]
    else:  # pragma: no cover - a programming error in the lists above
        raise ValueError(f"unknown photo source {ref!r}")
    arr = np.asarray(arr)
    if arr.dtype != np.uint8:
        arr = (255 * (arr.astype(np.float64) - arr.min()) / max(float(np.ptp(arr)), 1e-9)).astype(np.uint8)
    image = Image.fromarray(arr)
    return image.convert("RGB")


def crops(photos: tuple[str, ...], count: int, seed: int, *, min_scale: float = 0.4):
    """``count`` crops cycling over ``photos``: a seeded square-ish window (``min_scale``..1 of the
    shorter side), sometimes mirrored. Returns PIL images; crop ``i`` is fixed by (seed, i)."""
    from PIL import ImageOps

    out = []
    for i in range(count):
        img = photo(photos[i % len(photos)])
        rng = np.random.default_rng([seed, i])
        w, h = img.size
        side = int(min(w, h) * rng.uniform(min_scale, 1.0))
        aspect = rng.uniform(0.8, 1.25)
        cw, ch = min(w, int(side * aspect)), min(h, side)
        left = int(rng.integers(0, w - cw + 1))
        top = int(rng.integers(0, h - ch + 1))
        crop = img.crop((left, top, left + cw, top + ch))
        if rng.random() < 0.5:
            crop = ImageOps.mirror(crop)
        out.append(crop)
    return out


def describe(photos: tuple[str, ...]) -> str:
    return ", ".join(p.split(":", 1)[1].removesuffix(".jpg") for p in photos)
