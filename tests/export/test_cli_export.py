"""`mobilekit export` / `validate` from the command line: summaries, exit codes and the errors users hit."""

from __future__ import annotations

import json

import pytest

from mobilekit.cli.main import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


SMALL = ["usermodels:small", "--example-input", "1x3x16x16:float32", "--targets", "xnnpack", "--iterations", "2"]


def test_help_teaches_with_examples(capsys):
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0 and "mobilekit export digits" in out and "--example-input" in out and "module:factory" in out
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "demo" in out and "bench" in out


def test_precision_failure_keeps_the_rest_and_is_recorded(user_models, capsys):
    # No calibration data for a user model: INT8 cannot be built, FP32 still is; exit code 1.
    code, out, err = run(capsys, "export", *SMALL, "--out", "out")
    assert code == 1
    assert "failed xnnpack int8" in out and "needs calibration data" in out
    doc = json.loads((user_models / "out/small/manifest.json").read_text())
    assert [a["precision"] for a in doc["artifacts"]] == ["fp32"]
    assert doc["failures"][0]["precision"] == "int8" and "--calibration" in doc["failures"][0]["hint"]
    # The op XNNPACK could not take is named, with why, and that it costs speed.
    assert "portable CPU kernels (slower): aten_mean_dim" in out and "keepdim=True" in out


def test_output_folder_exists_needs_force(user_models, capsys):
    (user_models / "out/small").mkdir(parents=True)
    (user_models / "out/small/manifest.json").write_text("{}")
    code, _, err = run(capsys, "export", *SMALL, "--out", "out")
    assert code == 2 and "already exists" in err and "--force" in err and "Traceback" not in err


def test_output_folder_not_writable(user_models, capsys):
    (user_models / "a-file").write_text("x")
    code, _, err = run(capsys, "export", *SMALL, "--out", "a-file/sub")
    assert code == 2 and "Cannot write the bundle to a-file/sub/small" in err and "writable --out" in err


def test_calibration_folder_empty(user_models, capsys):
    (user_models / "calib").mkdir()
    code, out, _ = run(capsys, "export", *SMALL, "--calibration", "calib", "--out", "out")
    assert code == 1 and "holds no images" in out


def test_user_errors_are_messages_not_tracebacks(user_models, capsys):
    code, _, err = run(capsys, "export", "usermodels:broken", "--example-input", "1x3:float32")
    assert code == 2 and "raised RuntimeError: weights server unreachable" in err and "Traceback" not in err
    code, _, err = run(capsys, "export", "usermodels:data_dependent", "--example-input", "1x4:float32")
    assert code == 2 and "torch.export could not capture" in err and "usermodels.py" in err


def test_keep_float_typo_is_caught(user_models, capsys, tmp_path):
    import numpy as np

    np.save(tmp_path / "cal.npy", np.zeros((4, 3, 16, 16), np.float32))
    code, out, _ = run(capsys, "export", *SMALL, "--calibration", str(tmp_path / "cal.npy"), "--keep-float", "fcc", "--out", "out")
    assert code == 1 and "--keep-float names 'fcc'" in out


def test_bad_option_value_is_a_usage_error(capsys):
    code, _, err = run(capsys, "export", "digits", "--quant", "int3")
    assert code == 2 and "unknown precision 'int3'" in err


def test_json_output_is_only_json(user_models, capsys, tmp_path):
    import numpy as np

    np.save(tmp_path / "cal.npy", np.random.default_rng(0).standard_normal((8, 3, 16, 16)).astype(np.float32))
    code, out, _ = run(capsys, "export", *SMALL, "--calibration", str(tmp_path / "cal.npy"), "--out", "out", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["manifest"]["name"] == "small" and len(doc["manifest"]["artifacts"]) == 2
    code, out, _ = run(capsys, "validate", "out/small", "--json")
    assert code == 0 and json.loads(out)["ok"] is True


def test_validate_names_a_corrupt_manifest(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text("[1, 2")
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 2 and "manifest.json is corrupt" in err
