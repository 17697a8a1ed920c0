"""ADB straight to a phone over TCP (wireless debugging, ``adb tcpip``, device farms, the simulated phone).

Uses adb-shell's ``AdbDevice`` with a TCP transport that reports a closed socket at once (adb-shell's
own ``TcpTransport`` would spin on empty reads until its read timeout), authenticating with this
computer's RSA key (:mod:`~mobilekit.device_runner.keys`).
"""

from __future__ import annotations

from pathlib import Path

from mobilekit.device_runner.keys import load_signer
from mobilekit.device_runner.transport_adbshell import AdbShellTransport


def parse_address(address: str) -> tuple[str, int]:
    """``"host:port"`` -> ``("host", port)``; the port defaults to 5555 as in ``adb connect``."""
    host, _, port = address.rpartition(":")
    if not host:
        return address, 5555
    if not port.isdigit():
        raise ValueError(f"not a host:port address: {address!r}")
    return host.strip("[]"), int(port)


def _eof_tcp_transport(host: str, port: int):
    from adb_shell.transport.tcp_transport import TcpTransport

    class EofTcpTransport(TcpTransport):
        """adb-shell's TCP transport, but a peer that closed the socket raises instead of returning b''."""

        def bulk_read(self, numbytes, transport_timeout_s):
            data = super().bulk_read(numbytes, transport_timeout_s)
            if not data:
                raise ConnectionResetError("the phone closed the connection")
            return data

    return EofTcpTransport(host, port)


class TcpTransport(AdbShellTransport):
    """A phone at ``host:port`` reached directly with adb-shell."""

    def __init__(self, address: str, key_path: Path | None = None, timeout_s: float = 30.0, auth_timeout_s: float = 30.0):
        self.host, self.port = parse_address(address)
        super().__init__(f"{self.host}:{self.port}", lambda: load_signer(key_path), timeout_s, auth_timeout_s)

    def _new_device(self):
        from adb_shell.adb_device import AdbDevice

        return AdbDevice(_eof_tcp_transport(self.host, self.port), default_transport_timeout_s=self.timeout_s)
