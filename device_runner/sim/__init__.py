"""A simulated Android phone for proving the device runner without hardware (a test double, not an emulator).

It speaks the real ADB wire protocol on 127.0.0.1 (CNXN, RSA AUTH, OPEN/OKAY/WRTE/CLSE, ``shell:``,
``exec:``, ``sync:``), keeps a sandboxed file system, answers the shell commands the runner uses, runs
the sample app's benchmark mode with the host runtimes, and drains a modelled battery. Every figure it
produces is simulated and labelled so. See README.md in this folder.
"""

from __future__ import annotations

from .faults import Faults
from .phone import SimulatedPhone
from .profile import PACKAGE, DeviceProfile

__all__ = ["SimulatedPhone", "Faults", "DeviceProfile", "PACKAGE"]
