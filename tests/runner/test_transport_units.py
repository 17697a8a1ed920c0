"""Quoting, exit codes over legacy shell, key handling, and the USB transport at import level."""

import os
import shlex
import stat

import pytest

from mobilekit.device_runner import keys
from mobilekit.device_runner.transport import ConnectionLost, quote, split_exit_code

HOSTILE = ["a b", "it's", 'say "hi"', "x;rm -rf /", "$(reboot)", "`id`", "tab\tnew\nline", "", "*", "back\\slash"]


@pytest.mark.parametrize("arg", HOSTILE)
def test_quote_round_trips_through_a_posix_shell_parser(arg):
    line = quote(["echo", arg, "--es", "bundle", "/data/local/tmp/mobilekit/x y"])
    assert shlex.split(line) == ["echo", arg, "--es", "bundle", "/data/local/tmp/mobilekit/x y"]


def test_quote_refuses_a_plain_string():
    with pytest.raises(TypeError):
        quote("ls -la")


def test_quote_runs_safely_in_a_real_sh(tmp_path):
    import subprocess

    marker = tmp_path / "pwned"
    arg = f"a; touch {marker}; echo 'q\"uote"
    out = subprocess.run(["sh", "-c", quote(["printf", "%s", arg]) + " ; echo :$?"], capture_output=True, text=True).stdout
    code, body = split_exit_code(out)
    assert code == 0 and body == arg and not marker.exists()


def test_split_exit_code():
    assert split_exit_code("hello\n:0\n") == (0, "hello\n")
    assert split_exit_code("no newline:1\n") == (1, "no newline")
    assert split_exit_code(":0\n") == (0, "")
    assert split_exit_code("a:1\nb\r\n:127\r\n") == (127, "a:1\nb\n")
    with pytest.raises(ConnectionLost):
        split_exit_code("output cut off mid-way")


def test_key_is_created_with_mode_600_and_reused(tmp_path, monkeypatch):
    path = tmp_path / "k" / "adbkey"
    monkeypatch.setenv(keys.ENV_KEY, str(path))
    assert keys.default_key_path() == path
    p = keys.ensure_key()
    assert p == path and path.exists() and path.with_name("adbkey.pub").exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = path.read_bytes()
    keys.load_signer()
    assert path.read_bytes() == before  # reused, not regenerated


def test_usb_transport_imports_and_explains_missing_libusb(monkeypatch):
    from mobilekit import MobilekitError
    from mobilekit.device_runner import transport_usb

    monkeypatch.setattr(transport_usb, "usb_available", lambda: False)
    with pytest.raises(MobilekitError, match="libusb1"):
        transport_usb.UsbTransport("R5CT30")


def test_key_creation_is_safe_from_many_threads(tmp_path):
    import threading

    path = tmp_path / "adbkey"
    signers = []
    threads = [threading.Thread(target=lambda: signers.append(keys.load_signer(path))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(signers) == 4 and len({s.GetPublicKey() for s in signers}) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adbkey", "adbkey.pub"]
