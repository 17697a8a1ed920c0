"""Calibration sources: image folders through the manifest preprocess, tensor files, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from mobilekit.export.calibration import CalibrationWarning, load_calibration
from mobilekit.export.config import ExportConfig
from mobilekit.export.errors import ExportError
from mobilekit.export.loading import load_model
from mobilekit.export.spec import ImagePreprocess, InputSpec


@pytest.fixture()
def small(user_models):
    return load_model(ExportConfig(model="usermodels:small", example_inputs=("1x3x16x16:float32",)))


def _images(folder, n, size=(20, 24)):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 255, (*size, 3), dtype=np.uint8)).save(folder / f"img_{i}.png")


def test_image_folder_follows_the_preprocess_spec(small, tmp_path):
    small.inputs = (InputSpec("image", "float32", (1, 3, 16, 16), "NCHW",
                              ImagePreprocess(color="RGB", resize=(16, 16), scale=1 / 255, mean=(0.5,), std=(0.25,))),)
    _images(tmp_path / "imgs", 6)
    samples = load_calibration(small, tmp_path / "imgs", count=4, seed=0)
    assert len(samples) == 4 and samples[0][0].shape == (1, 3, 16, 16)
    assert samples[0][0].min() >= -2.0 - 1e-6 and samples[0][0].max() <= 2.0 + 1e-6  # (x/255 - .5)/.25
    again = load_calibration(small, tmp_path / "imgs", count=4, seed=0)
    assert all(torch.equal(a[0], b[0]) for a, b in zip(samples, again))


def test_unreadable_images_are_skipped_and_named(small, tmp_path):
    _images(tmp_path / "imgs", 3)
    (tmp_path / "imgs" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.warns(CalibrationWarning) as record:
        samples = load_calibration(small, tmp_path / "imgs", count=10, seed=0)
    assert len(samples) == 3
    assert any("broken.png" in str(w.message) for w in record)


def test_empty_folder_is_a_clear_error(small, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ExportError, match="(?s)holds no images.*--calibration"):
        load_calibration(small, tmp_path / "empty", count=10)


def test_folder_of_only_unreadable_files(small, tmp_path):
    (tmp_path / "bad").mkdir()
    for i in range(3):
        (tmp_path / "bad" / f"x{i}.jpg").write_bytes(b"garbage")
    with pytest.warns(CalibrationWarning), pytest.raises(ExportError, match="No usable calibration images.*3 file"):
        load_calibration(small, tmp_path / "bad", count=10)


def test_npy_and_pt_tensor_files(small, tmp_path):
    np.save(tmp_path / "cal.npy", np.random.default_rng(0).standard_normal((7, 3, 16, 16)).astype(np.float32))
    torch.save(torch.randn(5, 3, 16, 16), tmp_path / "cal.pt")
    assert len(load_calibration(small, tmp_path / "cal.npy", count=100)) == 7
    assert len(load_calibration(small, tmp_path / "cal.npy", count=3)) == 3
    assert load_calibration(small, tmp_path / "cal.pt", count=100)[0][0].shape == (1, 3, 16, 16)


def test_tensor_file_with_the_wrong_shape(small, tmp_path):
    np.save(tmp_path / "cal.npy", np.zeros((4, 3, 8, 8), np.float32))
    with pytest.raises(ExportError, match=r"have shape \[4, 3, 8, 8\].*needs N x \[3, 16, 16\]"):
        load_calibration(small, tmp_path / "cal.npy", count=4)


def test_corrupt_tensor_file_is_named(small, tmp_path):
    (tmp_path / "cal.npy").write_bytes(b"nope")
    with pytest.raises(ExportError, match=r"cal.npy \(corrupt"):
        load_calibration(small, tmp_path / "cal.npy", count=4)


def test_user_model_without_data_says_what_to_pass(small):
    with pytest.raises(ExportError, match="(?s)needs calibration data.*--calibration"):
        load_calibration(small, None, count=4)


def test_python_iterable_source(small):
    samples = load_calibration(small, (torch.randn(1, 3, 16, 16) for _ in range(5)), count=3)
    assert len(samples) == 3 and isinstance(samples[0], tuple)
