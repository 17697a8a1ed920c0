"""Pick the transport for ``--device SERIAL|HOST:PORT``: the adb server when it owns the phone, else direct.

A USB phone can be claimed by one process only, so when Google's adb server is running and lists the
phone, everything goes through the server. Otherwise a ``host:port`` is reached with adb-shell over TCP
and a bare serial with adb-shell over USB. ``via`` forces one of ``"server"``, ``"tcp"``, ``"usb"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner.transport import DeviceError, Transport

VIAS = ("auto", "server", "tcp", "usb")
_ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def is_address(spec: str) -> bool:
    """Whether ``spec`` is ``host:port`` (a network phone) rather than a USB serial."""
    return bool(_ADDRESS.match(spec))


@dataclass(frozen=True)
class Listed:
    """A phone this computer can see, before connecting to it."""

    spec: str
    state: str
    via: str
    model: str | None = None


def open_transport(spec: str, via: str = "auto", key_path: Path | None = None, timeout_s: float = 30.0,
                   server_port: int | None = None, auth_timeout_s: float = 60.0) -> Transport:
    """A connected :class:`Transport` to ``spec`` (a serial or ``host:port``)."""
    if via not in VIAS:
        raise MobilekitError(f"unknown transport {via!r}", hint=f"Use one of: {', '.join(VIAS)}.")
    from mobilekit.device_runner.transport_server import AdbServer, ServerTransport

    if via in ("auto", "server"):
        server = AdbServer(server_port)
        listed = None
        if server.running():
            listed = {d.serial: d.state for d in server.devices()}
        if listed is not None and spec in listed:
            t: Transport = ServerTransport(spec, server.port, timeout_s)
            t.connect()
            return t
        if via == "server":
            where = "is not running" if listed is None else f"does not list {spec!r}"
            raise MobilekitError(f"The adb server on port {server.port} {where}.",
                                 hint=f"Start it with `adb start-server` and, for a network phone, `adb connect {spec}`.")
    if via == "tcp" or (via == "auto" and is_address(spec)):
        from mobilekit.device_runner.transport_tcp import TcpTransport

        t = TcpTransport(spec, key_path=key_path, timeout_s=timeout_s, auth_timeout_s=auth_timeout_s)
    else:
        from mobilekit.device_runner.transport_usb import UsbTransport

        t = UsbTransport(spec, key_path=key_path, timeout_s=timeout_s, auth_timeout_s=auth_timeout_s)
    try:
        t.connect()
    except DeviceError:
        t.close()
        raise
    return t


def list_devices(extra: list[str] | tuple[str, ...] = (), server_port: int | None = None) -> list[Listed]:
    """Phones the adb server lists, plus the ``host:port`` addresses given (not connected to yet)."""
    from mobilekit.device_runner.transport_server import AdbServer

    out: list[Listed] = []
    server = AdbServer(server_port)
    if server.running():
        for d in server.devices():
            out.append(Listed(d.serial, d.state, "server", d.props.get("model")))
    seen = {x.spec for x in out}
    for spec in extra:
        if spec not in seen:
            out.append(Listed(spec, "unknown", "tcp" if is_address(spec) else "usb"))
    return out
