"""ADB transport framing, as adbd speaks it: 24-byte little-endian headers and their payloads.

Constants and layout follow AOSP ``packages/modules/adb`` (``adb.h``, ``docs/dev/protocol.md``):
``command, arg0, arg1, data_length, data_check, magic = command ^ 0xffffffff``. ``data_check`` is the
byte sum of the payload for protocol versions below ``A_VERSION_SKIP_CHECKSUM`` and 0 from it on.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER = struct.Struct("<6I")


def _cmd(name: bytes) -> int:
    return struct.unpack("<I", name)[0]


A_SYNC = _cmd(b"SYNC")
A_CNXN = _cmd(b"CNXN")
A_AUTH = _cmd(b"AUTH")
A_OPEN = _cmd(b"OPEN")
A_OKAY = _cmd(b"OKAY")
A_CLSE = _cmd(b"CLSE")
A_WRTE = _cmd(b"WRTE")
A_STLS = _cmd(b"STLS")
KNOWN = {A_SYNC, A_CNXN, A_AUTH, A_OPEN, A_OKAY, A_CLSE, A_WRTE, A_STLS}

A_VERSION_MIN = 0x01000000
A_VERSION_SKIP_CHECKSUM = 0x01000001
A_VERSION = 0x01000001

MAX_PAYLOAD_V1 = 4 * 1024  # CNXN and AUTH payloads must fit this before maxdata is known
MAX_PAYLOAD = 1024 * 1024  # the largest payload adbd accepts on read
DEVICE_MAXDATA = 256 * 1024  # what this phone offers in its CNXN (the client may ask for less)

AUTH_TOKEN = 1
AUTH_SIGNATURE = 2
AUTH_RSAPUBLICKEY = 3
TOKEN_SIZE = 20


class ProtocolError(Exception):
    """The peer broke the framing (bad magic, unknown command, oversized payload): the connection closes."""


def name_of(command: int) -> str:
    """``A_CNXN`` -> ``"CNXN"`` for messages and logs."""
    return struct.pack("<I", command).decode("latin-1")


def checksum(data: bytes) -> int:
    """The legacy payload check: the sum of all bytes, modulo 2**32."""
    return sum(data) & 0xFFFFFFFF


@dataclass(frozen=True)
class Message:
    """One ADB message: header fields and its payload."""

    command: int
    arg0: int
    arg1: int
    data: bytes = b""

    def pack(self, version: int = A_VERSION_MIN) -> bytes:
        """Header plus payload, with ``data_check`` as the negotiated ``version`` wants it."""
        check = 0 if version >= A_VERSION_SKIP_CHECKSUM else checksum(self.data)
        return HEADER.pack(self.command, self.arg0, self.arg1, len(self.data), check, self.command ^ 0xFFFFFFFF) + self.data

    def __repr__(self) -> str:
        return f"Message({name_of(self.command)}, {self.arg0:#x}, {self.arg1:#x}, {len(self.data)} bytes)"


def parse_header(raw: bytes) -> tuple[int, int, int, int, int]:
    """Unpack and check a 24-byte header: returns ``(command, arg0, arg1, data_length, data_check)``."""
    command, arg0, arg1, length, check, magic = HEADER.unpack(raw)
    if magic != command ^ 0xFFFFFFFF:
        raise ProtocolError(f"bad magic {magic:#x} for command {command:#x}")
    if command not in KNOWN:
        raise ProtocolError(f"unknown command {command:#x}")
    if length > MAX_PAYLOAD:
        raise ProtocolError(f"payload of {length} bytes is over {MAX_PAYLOAD}")
    return command, arg0, arg1, length, check
