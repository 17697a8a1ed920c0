"""``mobilekit sim``: serve a simulated Android phone over the ADB protocol until Ctrl-C."""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import click


@click.command("sim")
@click.option("--port", type=click.IntRange(0, 65535), default=5555, show_default=True,
              help="TCP port on 127.0.0.1 (0 picks a free one).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding the phone's file system (kept). Default: a temporary folder, removed on exit.")
@click.option("--serial", default="sim-0", show_default=True, help="The phone's ro.serialno.")
@click.option("--model", default="mobilekit SimPhone", show_default=True, help="The phone's ro.product.model.")
@click.option("--speed", type=float, default=1.0, show_default=True,
              help="Latency multiplier against this computer (2.0 = a phone twice as slow).")
@click.option("--faults", "faults_text", default="", metavar="LIST",
              help="Comma list of faults, e.g. slow=2.0,full_disk,answer_delay_ms=200 (see below).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the battery-current noise.")
@click.option("--current", "current", type=click.Choice(["uA-negative", "mA-positive"]), default="uA-negative",
              show_default=True, help="How sysfs current_now reads while discharging: Pixel-style µA below zero, "
                                      "or mA above zero as some vendors write it.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line (address, serial, root) instead of text.")
def sim(port: int, root: Path | None, serial: str, model: str, speed: float, faults_text: str, seed: int,
        current: str, as_json: bool) -> None:
    """Serve a simulated Android phone over ADB (a test double, not an emulator).

    It speaks the real ADB protocol on 127.0.0.1, so `adb` and `mobilekit bench` talk to it as to
    a phone reached over Wi-Fi. It runs the sample app's benchmark mode with this computer's
    runtimes and models the battery; every number it produces is simulated, and results say so
    ("simulated": true).

    \b
    Example:
      mobilekit sim --port 5555 &
      adb connect 127.0.0.1:5555
      mobilekit bench out/digits_cnn --device 127.0.0.1:5555
      mobilekit sim --faults slow=2.0 --port 5556     a regression to catch
      mobilekit sim --faults usb_charging,overheat     energy must be flagged invalid

    \b
    Faults: drop_after_bytes=N, drop_mid_case, full_disk, slow=F, answer_delay_ms=N, overheat,
    crash_benchmark, hostile_names, no_app, unauthorized, usb_charging, not_debuggable.
    """
    from mobilekit.device_runner.sim import DeviceProfile, Faults, SimulatedPhone

    faults = Faults.parse(faults_text)
    profile = DeviceProfile(current_unit="uA", current_negative_discharging=True) if current == "uA-negative" \
        else DeviceProfile(current_unit="mA", current_negative_discharging=False)
    temporary = root is None
    root_dir = Path(tempfile.mkdtemp(prefix="mobilekit-sim-")) if temporary else root
    phone = SimulatedPhone(root_dir, port=port, serial=serial, model=model, speed=speed, faults=faults, seed=seed,
                           profile=profile, preload_runtimes=True)
    stop = threading.Event()
    try:
        if not as_json:
            click.echo("loading the host runtimes the simulated app runs artifacts with (ExecuTorch, ONNX Runtime, torch)...", err=True)
        phone.start()
        if as_json:
            click.echo(json.dumps({"address": phone.address, "port": phone.port, "serial": serial, "model": model,
                                   "root": str(root_dir), "speed": speed, "faults": faults.active(),
                                   "simulated": True}), nl=True)
        else:
            click.echo("mobilekit simulated phone: a test double, not a real device; its numbers are simulated.")
            click.echo(f"  address  {phone.address}    serial {serial}    model {model}")
            click.echo(f"  root     {root_dir}{'  (temporary)' if temporary else ''}")
            click.echo(f"  speed    {speed}    faults {', '.join(faults.active()) or 'none'}")
            click.echo("Connect with:")
            click.echo(f"  adb connect {phone.address}")
            click.echo(f"  mobilekit bench BUNDLE --device {phone.address}")
            click.echo("Ctrl-C stops it.")
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    finally:
        phone.stop()
        if temporary:
            shutil.rmtree(root_dir, ignore_errors=True)
    if not as_json:
        click.echo("Simulated phone stopped.")
