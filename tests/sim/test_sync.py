"""The sync service: push/pull/stat/list with adb-shell (v1) and a raw client (v2 forms)."""

from __future__ import annotations

import os
import stat
import struct

import pytest

from mobilekit.device_runner.sim import protocol as p


def test_push_pull_binary_and_stat(device, tmp_path):
    data = bytes(range(256)) * 7 + b"\0\r\n\xff"
    src = tmp_path / "blob.bin"
    src.write_bytes(data)
    device.push(str(src), "/data/local/tmp/mk/blob.bin", mtime=1_700_000_000)  # parent made like adbd
    mode, size, mtime = device.stat("/data/local/tmp/mk/blob.bin")
    assert stat.S_ISREG(mode) and size == len(data) and mtime == 1_700_000_000
    dst = tmp_path / "back.bin"
    device.pull("/data/local/tmp/mk/blob.bin", str(dst))
    assert dst.read_bytes() == data


def test_push_pull_one_megabyte(device, tmp_path):
    data = os.urandom(1024 * 1024)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    device.push(str(src), "/data/local/tmp/big.bin")
    dst = tmp_path / "big.back"
    device.pull("/data/local/tmp/big.bin", str(dst))
    assert dst.read_bytes() == data
    assert device.shell("sha256sum /data/local/tmp/big.bin").split()[0] == __import__("hashlib").sha256(data).hexdigest()


def test_names_with_spaces_and_quotes(device, tmp_path):
    name = "it's a \"quoted\" file.txt"
    src = tmp_path / "q.txt"
    src.write_text("quoted\n")
    device.push(str(src), f"/data/local/tmp/{name}")
    names = [f.filename.decode() for f in device.list("/data/local/tmp")]
    assert name in names and "." in names and ".." in names  # adbd's readdir lists . and ..
    dst = tmp_path / "q.back"
    device.pull(f"/data/local/tmp/{name}", str(dst))
    assert dst.read_text() == "quoted\n"
    assert device.shell(f"cat '/data/local/tmp/it'\\''s a \"quoted\" file.txt'") == "quoted\n"


def test_stat_missing_is_zero_and_pull_missing_fails(device, tmp_path):
    assert device.stat("/data/local/tmp/nope") == (0, 0, 0)
    with pytest.raises(Exception, match="No such file or directory"):
        device.pull("/data/local/tmp/nope", str(tmp_path / "x"))


def test_push_outside_writable_areas_fails(device, tmp_path):
    src = tmp_path / "a"
    src.write_text("a")
    with pytest.raises(Exception, match="Permission denied"):
        device.push(str(src), "/data/data/org.mobilekit.demo/files/a")
    with pytest.raises(Exception, match="create file"):
        device.push(str(src), "/sys/class/power_supply/battery/capacity")


def test_pull_live_sysfs(device, tmp_path):
    dst = tmp_path / "cap"
    device.pull("/sys/class/power_supply/battery/capacity", str(dst))
    assert 0 <= int(dst.read_text()) <= 100


def _req(kind: bytes, path: bytes) -> bytes:
    return kind + struct.pack("<I", len(path)) + path


def _sync(raw, payload: bytes, n: int | None = None) -> bytes:
    local, remote = raw.open("sync:")
    raw.write(local, remote, payload)
    return raw.read_stream(local, remote, n)


def test_v2_stat_list_send_recv(raw, phone):
    phone.sh("echo hello > /data/local/tmp/v2.txt")
    got = _sync(raw, _req(b"STA2", b"/data/local/tmp/v2.txt"), 72)
    fields = struct.unpack("<IIQQIIIIQqqq", got[:72])
    assert got[:4] == b"STA2" and fields[1] == 0 and fields[8] == 6 and stat.S_ISREG(fields[4]) and fields[6] == 2000
    missing = _sync(raw, _req(b"LST2", b"/no/where"), 72)
    assert struct.unpack("<IIQQIIIIQqqq", missing)[1] == 2  # ENOENT on the wire

    listing = _sync(raw, _req(b"LIS2", b"/data/local/tmp") + b"QUIT\0\0\0\0")
    names, off = [], 0
    while listing[off:off + 4] == b"DNT2":
        namelen = struct.unpack("<I", listing[off + 72:off + 76])[0]
        names.append(listing[off + 76:off + 76 + namelen].decode())
        off += 76 + namelen
    assert listing[off:off + 4] == b"DONE" and "v2.txt" in names

    local, remote = raw.open("sync:")
    path = b"/data/local/tmp/snd2.bin"
    raw.write(local, remote, b"SND2" + struct.pack("<I", len(path)) + path + b"SND2" + struct.pack("<II", 0o644, 0))
    raw.write(local, remote, b"DATA" + struct.pack("<I", 5) + b"12345" + b"DONE" + struct.pack("<I", 1_700_000_001))
    assert raw.read_stream(local, remote, 8) == b"OKAY\0\0\0\0"
    raw.write(local, remote, b"RCV2" + struct.pack("<I", len(path)) + path + b"RCV2" + struct.pack("<I", 0))
    assert raw.read_stream(local, remote, 21) == b"DATA" + struct.pack("<I", 5) + b"12345" + b"DONE\0\0\0\0"
    raw.write(local, remote, b"RCV2" + struct.pack("<I", len(path)) + path + b"RCV2" + struct.pack("<I", 1))
    fail = raw.read_stream(local, remote)
    assert fail.startswith(b"FAIL") and b"unknown flags: 1" in fail  # brotli was not advertised


def test_sync_quit_closes(raw):
    local, remote = raw.open("sync:")
    raw.write(local, remote, b"QUIT\0\0\0\0")
    cmd, a0, a1, _ = raw.recv()
    assert (cmd, a1) == (p.A_CLSE, local)
