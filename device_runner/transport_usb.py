"""ADB straight to a phone on a USB port, with adb-shell's USB transport (needs libusb1: ``mobilekit[usb]``).

A USB phone can be claimed by only one process: when Google's adb server is running it owns the phone,
and :func:`mobilekit.device_runner.connect.open_transport` goes through the server instead.
"""

from __future__ import annotations

from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner.keys import load_signer
from mobilekit.device_runner.transport_adbshell import AdbShellTransport

USB_HINT = "Install the USB extra: pip install 'mobilekit[usb]' (adb-shell[usb], libusb1), or start Google's adb server and let mobilekit use it."


def usb_available() -> bool:
    """Whether adb-shell's USB transport (libusb1) can be imported."""
    try:
        from adb_shell.transport.usb_transport import UsbTransport  # noqa: F401
    except ImportError:
        return False
    return True


class UsbTransport(AdbShellTransport):
    """A phone on USB, by serial number (``None``: the only one attached)."""

    own_stream_connection = False  # one USB claim per device: streams share the connection

    def __init__(self, serial: str | None = None, key_path: Path | None = None, timeout_s: float = 30.0,
                 auth_timeout_s: float = 60.0):
        if not usb_available():
            raise MobilekitError("Talking to a USB phone directly needs libusb1, which is not installed.", hint=USB_HINT)
        super().__init__(serial or "usb", lambda: load_signer(key_path), timeout_s, auth_timeout_s)
        self.serial = serial

    def _new_device(self):
        from adb_shell.adb_device import AdbDeviceUsb

        try:
            return AdbDeviceUsb(serial=self.serial, default_transport_timeout_s=self.timeout_s)
        except Exception as exc:  # noqa: BLE001 - UsbDeviceNotFoundError and libusb errors
            from mobilekit.device_runner.transport import DeviceNotFound

            raise DeviceNotFound(f"No USB phone {self.serial or ''} found: {exc}",
                                 hint="Check the cable, that USB debugging is on, and `mobilekit devices`.") from None
