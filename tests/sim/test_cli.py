"""``mobilekit sim``: help that teaches, user errors as messages, and a foreground phone that stops on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from click.testing import CliRunner
from simclient import connect

from mobilekit.cli.main import main
from mobilekit.cli.sim_cmd import sim


def test_help_teaches():
    out = CliRunner().invoke(sim, ["--help"]).output
    assert "adb connect 127.0.0.1:5555" in out and "mobilekit bench" in out and "test double" in out
    assert "usb_charging" in out and "--faults" in out


def test_unknown_fault_is_a_message(capsys):
    assert main(["sim", "--faults", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "unknown fault 'bogus'" in err and "known faults:" in err and "Traceback" not in err


def test_foreground_phone(tmp_path, signer):
    proc = subprocess.Popen([sys.executable, "-m", "mobilekit.cli.main", "sim", "--port", "0", "--json",
                             "--root", str(tmp_path / "root"), "--serial", "cli-1", "--faults", "slow=2",
                             "--current", "mA-positive"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert info["simulated"] is True and info["serial"] == "cli-1" and info["faults"] == ["slow=2.0"]

        class Addr:
            port = info["port"]

        dev = connect(Addr, signer)
        assert dev.shell("getprop ro.serialno") == "cli-1\n"
        assert 0 < int(dev.shell("cat /sys/class/power_supply/battery/current_now")) < 1000  # mA, positive
        dev.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    assert (tmp_path / "root" / "data" / "local" / "tmp").is_dir()  # --root is kept
