"""This computer's ADB RSA key: reuse ``~/.android/adbkey`` (the one the adb tool uses) or create it.

The path can be overridden with ``MOBILEKIT_ADB_KEY`` (tests point it at a temporary folder so they never
touch the real home). Key material is never logged or put in an error message; only the path is.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from mobilekit import MobilekitError

ENV_KEY = "MOBILEKIT_ADB_KEY"
_LOCK = threading.Lock()  # the per-device threads of a run may all ask for the key at once


def default_key_path() -> Path:
    """``$MOBILEKIT_ADB_KEY`` if set, else ``~/.android/adbkey`` (shared with Google's adb)."""
    env = os.environ.get(ENV_KEY)
    return Path(env).expanduser() if env else Path.home() / ".android" / "adbkey"


def ensure_key(path: Path | None = None) -> Path:
    """Return the private key path, creating the key pair (mode 600) with adb-shell's ``keygen`` if absent.

    The pair is generated in a temporary folder next to the key and moved into place, so a concurrent
    reader (another thread, or Google's adb) never sees a half-written key.
    """
    path = Path(path) if path else default_key_path()
    pub = path.with_name(path.name + ".pub")
    with _LOCK:
        if path.exists() or path.is_symlink():
            check_private_key(path)  # before anything is written next to it
            if not pub.exists():
                from adb_shell.auth.keygen import write_public_keyfile

                try:
                    write_public_keyfile(str(path), str(pub))
                except OSError as exc:
                    raise MobilekitError(f"Could not write the ADB public key {pub} ({exc.strerror or exc}).",
                                         hint=f"Make {pub.parent} writable, or point {ENV_KEY} (--key) at another key file.") from None
            return path
        from adb_shell.auth.keygen import keygen

        path.parent.mkdir(parents=True, exist_ok=True)
        old = os.umask(0o077)
        try:
            with tempfile.TemporaryDirectory(dir=path.parent, prefix=".adbkey-") as tmp:
                tmp_key = Path(tmp) / "adbkey"
                keygen(str(tmp_key))
                os.chmod(tmp_key, 0o600)
                os.replace(tmp_key.with_name("adbkey.pub"), pub)
                os.replace(tmp_key, path)
        finally:
            os.umask(old)
    return path


def check_private_key(path: Path) -> None:
    """Refuse (a :class:`MobilekitError` naming the path, never the contents) a file that is not an RSA private key
    in PEM form, the format of adb's own ``~/.android/adbkey``."""
    hint = (f"Pass --key the private key file adb uses (~/.android/adbkey, PEM), point {ENV_KEY} at one, or name a "
            "file that does not exist yet to have a new key pair created there.")
    if path.is_dir():
        raise MobilekitError(f"The ADB key {path} is a folder, not a key file.", hint=hint)
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise MobilekitError(f"Could not read the ADB key {path} ({exc.strerror or type(exc).__name__}).", hint=hint) from None
    except (ValueError, TypeError) as exc:  # not PEM, encrypted, or an unsupported key
        what = "is protected by a passphrase" if "password" in str(exc).lower() else "is not a PEM private key"
        raise MobilekitError(f"The ADB key {path} {what}.", hint=hint) from None
    except Exception as exc:  # noqa: BLE001 - cryptography's UnsupportedAlgorithm and friends
        raise MobilekitError(f"The ADB key {path} cannot be used ({type(exc).__name__}).", hint=hint) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise MobilekitError(f"The ADB key {path} is not an RSA key (ADB keys are RSA).", hint=hint)


def load_signer(path: Path | None = None):
    """A ``PythonRSASigner`` for the key at ``path`` (created if missing), for ``AdbDevice.connect``."""
    from adb_shell.auth.sign_pythonrsa import PythonRSASigner

    path = ensure_key(path)
    try:
        priv = path.read_text()
        pub = path.with_name(path.name + ".pub").read_text()
        return PythonRSASigner(pub, priv)
    except Exception as exc:  # noqa: BLE001 - any failure to read the pair is the user's file, not a bug
        raise MobilekitError(
            f"Could not read the ADB key {path} ({type(exc).__name__}).",
            hint=f"Move it away to have a new one created, or point {ENV_KEY} at another key file.",
        ) from None
