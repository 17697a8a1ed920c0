"""The adb host-protocol client against a small fake adb server (fast; the real server is in test_adb_server.py)."""

import socket
import struct
import threading

import pytest

from mobilekit.device_runner.transport import DeviceNotFound, DeviceUnauthorized
from mobilekit.device_runner.transport_server import AdbServer, ServerTransport, parse_devices_l

DEVICES = "emulator-5554          device product:sdk_gphone64 model:sdk_gphone64_x86_64 device:emu64x transport_id:1\n" \
          "R5CT30                 unauthorized usb:1-1 transport_id:2\n"


def _read(c, n):
    b = b""
    while len(b) < n:
        chunk = c.recv(n - len(b))
        if not chunk:
            raise EOFError
        b += chunk
    return b


def _serve(conn):
    with conn:
        req = _read(conn, int(_read(conn, 4), 16)).decode()
        if req == "host:version":
            conn.sendall(b"OKAY" + b"0004" + b"0029")
        elif req == "host:devices-l":
            conn.sendall(b"OKAY" + b"%04x" % len(DEVICES) + DEVICES.encode())
        elif req.startswith("host:transport:"):
            serial = req.split(":", 2)[2]
            if serial == "R5CT30":
                msg = b"device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set"
                conn.sendall(b"FAIL" + b"%04x" % len(msg) + msg)
                return
            if serial != "emulator-5554":
                msg = b"device 'x' not found"
                conn.sendall(b"FAIL" + b"%04x" % len(msg) + msg)
                return
            conn.sendall(b"OKAY")
            svc = _read(conn, int(_read(conn, 4), 16)).decode()
            conn.sendall(b"OKAY")
            if svc.startswith("shell:"):
                conn.sendall(f"ran[{svc[6:]}]\n:0\n".encode())
            elif svc == "sync:":
                ident, n = _read(conn, 4), struct.unpack("<I", _read(conn, 4))[0]
                _read(conn, n)
                if ident == b"STAT":
                    conn.sendall(b"STAT" + struct.pack("<III", 0o100644, 42, 1700000000))


@pytest.fixture
def fake_server():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    stop = threading.Event()

    def loop():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=_serve, args=(conn,), daemon=True).start()

    th = threading.Thread(target=loop, daemon=True)
    th.start()
    yield srv.getsockname()[1]
    stop.set()
    th.join()
    srv.close()


def test_parse_devices_l():
    d = parse_devices_l("List of devices attached\n" + DEVICES)
    assert [(x.serial, x.state) for x in d] == [("emulator-5554", "device"), ("R5CT30", "unauthorized")]
    assert d[0].props["model"] == "sdk_gphone64_x86_64"


def test_version_devices_shell_stat(fake_server):
    s = AdbServer(fake_server)
    assert s.running() and s.version() == 0x29
    assert [d.serial for d in s.devices()] == ["emulator-5554", "R5CT30"]
    t = ServerTransport("emulator-5554", fake_server)
    t.connect()
    r = t.run(["echo", "a b;c"])
    assert r.ok and r.output == "ran[echo 'a b;c' ; echo :$?]\n"
    st = t.stat("/data/local/tmp/x")
    assert st.exists and st.size_bytes == 42


def test_unauthorized_and_unknown(fake_server):
    with pytest.raises(DeviceUnauthorized, match="Allow USB debugging"):
        ServerTransport("R5CT30", fake_server).connect()
    with pytest.raises(DeviceNotFound):
        ServerTransport("nope", fake_server).connect()


def test_no_server_is_not_running():
    from runner_helpers import free_port

    assert not AdbServer(free_port()).running()
