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


def test_transient_errors_are_retried_after_a_reconnect(monkeypatch):
    from runner_helpers import FakeTransport

    from mobilekit.device_runner import transport as tr

    monkeypatch.setattr(tr.time, "sleep", lambda s: None)
    t = FakeTransport(answers={"echo": "hi"})
    calls = {"shell": 0, "connect": 0}
    real_shell, real_connect = t._shell, t.connect

    def flaky(command, timeout_s):
        calls["shell"] += 1
        if calls["shell"] < 3:
            raise tr.ConnectionLost("cable out")
        return real_shell(command, timeout_s)

    def counting_connect():
        calls["connect"] += 1
        real_connect()

    t._shell, t.connect = flaky, counting_connect
    assert t.run(["echo", "hi"]).output == "hi\n"
    assert calls == {"shell": 3, "connect": 2}
    calls["shell"] = -10  # keeps failing: gives up after `retries`, naming the call
    with pytest.raises(tr.ConnectionLost, match="cable out"):
        t.run(["echo", "hi"])
    calls["shell"] = 0
    with pytest.raises(tr.ConnectionLost):  # retry=False: one attempt
        t.run(["echo", "hi"], retry=False)
    assert calls["shell"] == 1


def test_a_phone_that_answers_too_slowly_times_out(tmp_path):
    pytest.importorskip("mobilekit.device_runner.sim")
    from mobilekit.device_runner.sim import Faults, SimulatedPhone
    from mobilekit.device_runner.transport import DeviceTimeout
    from mobilekit.device_runner.transport_tcp import TcpTransport

    with SimulatedPhone(tmp_path / "p", faults=Faults(answer_delay_ms=3000)) as phone:
        t = TcpTransport(phone.address, timeout_s=0.5)
        t.retries, t.backoff_s = 2, 0.05
        with pytest.raises(DeviceTimeout, match="timed out"):
            t.run(["echo", "x"])
        t.close()


@pytest.mark.parametrize("own_connection", [True, False], ids=["tcp-own-connection", "shared-connection-as-usb"])
def test_sampler_stream_runs_alongside_other_calls_and_closes(tmp_path, own_connection):
    pytest.importorskip("mobilekit.device_runner.sim")
    import time

    from mobilekit.device_runner.device import Device
    from mobilekit.device_runner.power import SAMPLER_PATH, Sampler, push_sampler
    from mobilekit.device_runner.sim import SimulatedPhone
    from mobilekit.device_runner.transport_tcp import TcpTransport

    with SimulatedPhone(tmp_path / "p") as phone:
        t = TcpTransport(phone.address, timeout_s=10)
        t.own_stream_connection = own_connection  # False: the multiplexed path USB phones use
        dev = Device(t)
        push_sampler(dev)
        assert dev.sh("test", "-f", SAMPLER_PATH).ok
        s = Sampler(dev).start()
        for _ in range(5):  # other calls while the stream runs
            assert dev.sh("echo", "ping").output.strip() == "ping"
            time.sleep(0.1)
        samples = s.stop()
        assert len(samples) >= 3 and s.error is None
        assert all(x.voltage_raw > 3_000_000 for x in samples)
        assert dev.sh("echo", "after").output.strip() == "after"  # the connection is still usable
        t.close()
