"""Deterministic synthetic pictures for models that ship without data (the ``mobilenet_v2`` stand-in).

Smooth colour noise: a coarse random grid, upscaled bicubically, with a little fine grain on top.
It has the low-frequency structure of photos, so activations reach realistic ranges, and it costs
no download. Picture ``i`` of (``seed``, ``stream``) is always the same, whatever ``count`` is asked for;
separate streams (calibration, evaluation, ...) never share a picture.
"""

from __future__ import annotations

import numpy as np


def smooth_noise_picture(seed: int, index: int, size: tuple[int, int] = (320, 240), stream: int = 0):
    """One RGB PIL picture of ``size`` (width, height), fixed by (stream, seed, index)."""
    from PIL import Image

    rng = np.random.default_rng([stream, seed, index])
    grid = int(rng.integers(3, 17))
    coarse = rng.integers(0, 256, size=(grid, grid, 3), dtype=np.uint8)
    smooth = np.asarray(Image.fromarray(coarse, mode="RGB").resize(size, resample=Image.BICUBIC), dtype=np.float32)
    grain = rng.normal(0.0, 8.0, size=smooth.shape).astype(np.float32)
    return Image.fromarray(np.clip(smooth + grain, 0, 255).astype(np.uint8), mode="RGB")


def smooth_noise_pictures(count: int, seed: int, size: tuple[int, int] = (320, 240), stream: int = 0) -> list:
    """Pictures 0..count-1 of (``stream``, ``seed``)."""
    return [smooth_noise_picture(seed, i, size, stream) for i in range(count)]
