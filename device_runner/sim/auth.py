"""ADB public-key authentication, the phone's side: tokens, Android's key encoding, ``adb_keys``.

As adbd does (``daemon/auth.cpp``): the phone sends ``AUTH TOKEN`` with 20 random bytes; the host
answers ``AUTH SIGNATURE``, an RSA PKCS#1 v1.5 signature of the token *as if it were* a SHA-1 digest,
which verifies against a key in ``/data/misc/adb/adb_keys``; failing that, the host sends
``AUTH RSAPUBLICKEY`` (Android's binary RSAPublicKey struct, base64, then `` user@host``, NUL
terminated) and the user decides. Key material is never logged.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import struct
import threading
from pathlib import Path

from .protocol import TOKEN_SIZE

ANDROID_PUBKEY_MODULUS_SIZE = 2048 // 8
_STRUCT = struct.Struct(f"<II{ANDROID_PUBKEY_MODULUS_SIZE}s{ANDROID_PUBKEY_MODULUS_SIZE}sI")


class KeyFormatError(ValueError):
    """A public key that is not Android's RSAPublicKey encoding."""


def new_token() -> bytes:
    """A fresh random token for one ``AUTH TOKEN`` message."""
    return secrets.token_bytes(TOKEN_SIZE)


def decode_android_pubkey(text: bytes | str) -> tuple[int, int]:
    """``base64(RSAPublicKey) [user@host]`` -> ``(n, e)``; raises :class:`KeyFormatError` when malformed."""
    if isinstance(text, bytes):
        text = text.split(b"\0", 1)[0].decode("ascii", errors="replace")
    b64 = text.strip().split(" ", 1)[0] if text.strip() else ""
    try:
        raw = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError("public key is not base64") from exc
    if len(raw) != _STRUCT.size:
        raise KeyFormatError(f"public key is {len(raw)} bytes, expected {_STRUCT.size}")
    words, _n0inv, modulus, _rr, exponent = _STRUCT.unpack(raw)
    if words != ANDROID_PUBKEY_MODULUS_SIZE // 4:
        raise KeyFormatError(f"modulus of {words} words, expected {ANDROID_PUBKEY_MODULUS_SIZE // 4}")
    return int.from_bytes(modulus, "little"), exponent


def verify(token: bytes, signature: bytes, key: tuple[int, int]) -> bool:
    """Whether ``signature`` is ``key``'s PKCS#1 v1.5 signature of ``token`` taken as a SHA-1 digest."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

    n, e = key
    try:
        public = rsa.RSAPublicNumbers(e, n).public_key()
        public.verify(signature, token, padding.PKCS1v15(), utils.Prehashed(hashes.SHA1()))
        return True
    except (InvalidSignature, ValueError):
        return False


class AdbKeys:
    """The phone's ``adb_keys`` file: one Android public key a line, as "Always allow" stores them."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def keys(self) -> list[tuple[int, int]]:
        """Every well-formed key in the file (bad lines are skipped, as adbd does)."""
        try:
            lines = self.path.read_text(encoding="ascii", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(decode_android_pubkey(line))
            except KeyFormatError:
                continue
        return out

    def verify(self, token: bytes, signature: bytes) -> bool:
        """Whether any stored key verifies ``signature`` over ``token``."""
        return any(verify(token, signature, key) for key in self.keys())

    def allow(self, public_key: bytes) -> None:
        """Store a key as the user's "Always allow from this computer" would; raises on a malformed key."""
        line = public_key.split(b"\0", 1)[0].decode("ascii", errors="strict").strip()
        decode_android_pubkey(line)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            existing = self.path.read_text(encoding="ascii").splitlines() if self.path.exists() else []
            if line not in existing:
                with self.path.open("a", encoding="ascii") as fh:
                    fh.write(line + "\n")
