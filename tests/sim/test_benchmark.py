"""The benchmark protocol end to end over ADB: push a bundle, am start, poll done, pull a schema-valid result."""

from __future__ import annotations

import json
import time

import pytest

from mobilekit import schemas

EXT = "/sdcard/Android/data/org.mobilekit.demo/files/mobilekit"
BUNDLE = "/data/local/tmp/mobilekit/tinybundle"


def push_bundle(device, bundle) -> None:
    for f in sorted(bundle.iterdir()):
        device.push(str(f), f"{BUNDLE}/{f.name}")


def start(device, run_id: str, artifact: str = "tiny.cpu.fp32.ptl", warmup: int = 2, iterations: int = 10,
          threads: int = 2, energy: bool = True) -> str:
    return device.shell(
        f"am start -W -S -n org.mobilekit.demo/.BenchmarkActivity --es bundle {BUNDLE} --es artifact {artifact} "
        f"--es run_id {run_id} --ei warmup {warmup} --ei iterations {iterations} --ei threads {threads} "
        f"--ez energy {str(energy).lower()}")


def wait_for(device, run_id: str, timeout_s: float = 60.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        out = device.shell(f"ls {EXT}/{run_id} 2>/dev/null")
        if "done" in out.split() or "error" in out.split():
            return out
        time.sleep(0.1)
    raise AssertionError(f"no done/error for {run_id} in {timeout_s} s")


def pull_json(device, tmp_path, path: str) -> dict:
    dst = tmp_path / "result.json"
    device.pull(path, str(dst))
    return json.loads(dst.read_text())


@pytest.mark.parametrize("kind", ["ptl", pytest.param("pte", marks=pytest.mark.slow)])
def test_benchmark_writes_a_schema_valid_result(device, phone, kind, request, tmp_path):
    bundle = request.getfixturevalue(f"{kind}_bundle")
    push_bundle(device, bundle)
    artifact = json.loads((bundle / "manifest.json").read_text())["artifacts"][0]
    out = start(device, "run-1", artifact=artifact["file"])
    assert out.splitlines()[:3] == ["Starting: Intent { cmp=org.mobilekit.demo/.BenchmarkActivity (has extras) }",
                                    "Status: ok", "LaunchState: COLD"]
    assert out.rstrip().endswith("Complete")
    listing = wait_for(device, "run-1")
    assert listing.split() == ["done", "result.json"]
    result = pull_json(device, tmp_path, f"{EXT}/run-1/result.json")
    assert schemas.errors(result, schemas.RESULT) == []
    assert result["simulated"] is True and result["run_id"] == "run-1"
    assert result["check"] == {"expected_top1": json.loads((bundle / "manifest.json").read_text())["sample"]["expected_top1"],
                               "got_top1": result["check"]["got_top1"], "ok": True, "compared": "top1"}
    assert len(result["latency_ms"]) == 10 and result["stats"]["min"] <= result["stats"]["p50"] <= result["stats"]["max"]
    assert result["artifact"]["runtime"] == artifact["runtime"] and result["artifact"]["backend"] == artifact["backend"]
    assert result["artifact"]["sha256"] == artifact["sha256"]
    # As the Android app: no energy arithmetic in the app, raw readings over the timed window instead,
    # which the runner's one algorithm turns into mJ per timed inference.
    assert result["energy"] is None
    window = (result["timing"]["timed_start_ms"], result["timing"]["timed_end_ms"])
    timed = result["power_samples"]["timed"]
    assert len(timed) >= 2 and all(window[0] - 200 <= s["t_ms"] <= window[1] + 200 for s in timed)
    assert all(s["sysfs_status"] == "Discharging" and s["usb_online"] == 0 for s in timed)
    from mobilekit.device_runner import power as runner_power

    e = runner_power.energy_from_app_samples(result)
    assert e is not None and e.samples == len(timed) and e.current_unit == "uA"
    assert result["config"]["threads_used"] == 2
    assert result["device_state"]["after"]["screen_on"] is True
    assert result["memory"]["pss_kb_after_load"] > result["memory"]["pss_kb_before"]
    assert result["device"]["model"] == "mobilekit SimPhone" and result["device"]["cores"] == 8
    # the internal copy, through run-as, is the same document
    internal = device.shell("run-as org.mobilekit.demo cat files/mobilekit/run-1/result.json")
    assert json.loads(internal) == result


def test_speed_and_slow_scale_latency(tmp_path, signer, ptl_bundle):
    from simclient import connect

    from mobilekit.device_runner.sim import SimulatedPhone

    medians = {}
    with SimulatedPhone(tmp_path / "p", speed=1.0) as phone:
        dev = connect(phone, signer)
        push_bundle(dev, ptl_bundle)
        for label, slow in (("warm", 1.0), ("base", 1.0), ("slow", 10.0)):
            phone.faults.slow = slow
            start(dev, label, iterations=30, energy=False)
            wait_for(dev, label)
            medians[label] = pull_json(dev, tmp_path, f"{EXT}/{label}/result.json")["stats"]["p50"]
        dev.close()
    assert medians["slow"] > 3.0 * medians["base"]  # 10x injected; host timing noise kept out of the way


def test_benchmark_errors(device, phone, ptl_bundle):
    push_bundle(device, ptl_bundle)
    start(device, "bad-artifact", artifact="missing.pte")
    assert wait_for(device, "bad-artifact").split() == ["error"]
    assert "not listed" in device.shell(f"cat {EXT}/bad-artifact/error")
    device.shell(f"rm {BUNDLE}/manifest.json")
    start(device, "no-manifest")
    wait_for(device, "no-manifest")
    assert "manifest.json: No such file or directory" in device.shell(f"cat {EXT}/no-manifest/error")


def test_force_stop_cancels(device, phone, ptl_bundle):
    push_bundle(device, ptl_bundle)
    phone.faults.slow = 200.0  # make the run long enough to stop
    start(device, "stopped", iterations=200)
    time.sleep(0.3)
    assert device.shell("pidof org.mobilekit.demo").strip().isdigit()
    device.shell("am force-stop org.mobilekit.demo")
    assert phone.app.wait(10)
    assert device.shell(f"ls {EXT}/stopped 2>/dev/null; echo :$?").strip().endswith(":1")
    assert device.shell("pidof org.mobilekit.demo; echo :$?") == ":1\n"


@pytest.mark.parametrize("suffix", [".onnx", ".ptl"])
def test_other_runtimes(device, phone, tmp_path, suffix):
    import hashlib

    import torch

    model = torch.nn.Sequential(torch.nn.Linear(4, 3)).eval()
    x = torch.ones(1, 4)
    art = tmp_path / f"m{suffix}"
    if suffix == ".onnx":
        pytest.importorskip("onnxruntime")
        torch.onnx.export(model, (x,), str(art), dynamo=False, input_names=["x"], output_names=["y"])
    else:
        torch.jit.script(model)._save_for_lite_interpreter(str(art))
    manifest = {"schema": "mobilekit.manifest/1", "name": "m", "created_utc": "2026-11-22T04:00:00Z",
                "source": {"model": "t", "torch": torch.__version__},
                "inputs": [{"name": "x", "dtype": "float32", "shape": [1, 4]}],
                "outputs": [{"name": "y", "dtype": "float32", "shape": [1, 3]}],
                "artifacts": [{"file": art.name, "runtime": "onnxruntime" if suffix == ".onnx" else "pytorch_mobile",
                               "backend": "cpu", "precision": "fp32", "platforms": ["android"],
                               "bytes": art.stat().st_size, "sha256": hashlib.sha256(art.read_bytes()).hexdigest()}],
                "sample": {"input": "x.bin", "expected_top1": int(model(x).argmax())}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "x.bin").write_bytes(x.numpy().astype("<f4").tobytes())
    for f in (art, tmp_path / "manifest.json", tmp_path / "x.bin"):
        device.push(str(f), f"{BUNDLE}/{f.name}")
    start(device, "rt", artifact=art.name, energy=False)
    wait_for(device, "rt")
    result = json.loads(device.shell(f"cat {EXT}/rt/result.json"))
    assert schemas.errors(result, schemas.RESULT) == [] and result["check"]["ok"] is True
    assert result["energy"] is None
