"""Cool-down between cases: wait until the thermal status and the battery temperature are back to their
baseline (taken before the first case), polling, with a cap so a hot room cannot stall a run forever."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from mobilekit.device_runner.device import Device


@dataclass(frozen=True)
class Baseline:
    status: int
    battery_temp_c: float | None


@dataclass(frozen=True)
class Cooldown:
    waited_s: float
    reached: bool
    status: int | None
    battery_temp_c: float | None


def baseline(device: Device) -> Baseline:
    th = device.thermal()
    return Baseline(th.status or 0, device.battery().temp_c)


def is_cool(status: int | None, temp_c: float | None, base: Baseline, tolerance_c: float) -> bool:
    if status is not None and status > base.status:
        return False
    if temp_c is not None and base.battery_temp_c is not None and temp_c > base.battery_temp_c + tolerance_c:
        return False
    return True


def wait_until_cool(device: Device, base: Baseline, cap_s: float, tolerance_c: float = 1.0, poll_s: float = 2.0,
                    stop: threading.Event | None = None) -> Cooldown:
    """Poll ``dumpsys thermalservice`` and the battery temperature until both are at baseline or ``cap_s`` passes."""
    start = time.monotonic()
    while True:
        status = device.thermal().status
        temp = device.battery().temp_c
        waited = time.monotonic() - start
        if is_cool(status, temp, base, tolerance_c):
            return Cooldown(waited, True, status, temp)
        if waited >= cap_s or (stop is not None and stop.is_set()):
            return Cooldown(waited, False, status, temp)
        if stop is not None:
            stop.wait(poll_s)
        else:
            time.sleep(poll_s)
