"""What the simulated phone claims to be: build properties, CPU layout and battery/power constants.

One frozen dataclass, so a test can describe a different vendor (``current_unit="mA"``, positive
while discharging) without touching the model code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PACKAGE = "org.mobilekit.demo"
APP_UID = 10187  # shown as u0a187, as Android names app uids in batterystats


def _little() -> tuple[int, ...]:
    return (300000, 576000, 864000, 1152000, 1401600, 1612800, 1804800)


def _mid() -> tuple[int, ...]:
    return (500000, 902400, 1401600, 1804800, 2150400, 2400000)


def _big() -> tuple[int, ...]:
    return (500000, 1017600, 1708800, 2246400, 2745600, 3014400)


@dataclass(frozen=True)
class DeviceProfile:
    """Properties and constants of one simulated phone model (units in the names)."""

    manufacturer: str = "mobilekit"
    model: str = "mobilekit SimPhone"
    device: str = "simphone"
    product: str = "simphone"
    soc_manufacturer: str = "mobilekit"
    soc_model: str = "SimSoC 8-core (simulated)"
    board_platform: str = "simsoc"
    hardware: str = "simsoc"
    abi: str = "arm64-v8a"
    abilist: str = "arm64-v8a,armeabi-v7a,armeabi"
    sdk: int = 34
    release: str = "14"
    build_id: str = "MKSIM.261122.001"
    # CPU: 4 little + 3 mid + 1 big core; cpufreq tables in kHz
    cpu_freqs_khz: tuple[tuple[int, ...], ...] = field(
        default_factory=lambda: (_little(),) * 4 + (_mid(),) * 3 + (_big(),))
    mem_total_kb: int = 7_812_500
    storage_total_kb: int = 115_360_220
    storage_used_kb: int = 38_450_112
    # battery and power model
    battery_capacity_mah: float = 4500.0
    start_level_pct: float = 80.0
    ambient_c: float = 25.0
    idle_w: float = 0.45
    per_thread_w: float = 0.75
    internal_resistance_ohm: float = 0.12
    usb_charge_ma: float = 1500.0
    current_unit: str = "uA"  # "uA" (Pixels) or "mA" (some vendors)
    current_negative_discharging: bool = True  # Pixels: negative while discharging
    noise_pct: float = 1.0
    # The shortest inference this phone runs at speed 1, in ms (a runtime's dispatch and a cold cache): the
    # host can run a tiny test model in microseconds, far faster than any phone, and a case that short is
    # too brief to sample power at ~10 Hz. 0 means no floor.
    min_inference_ms: float = 0.0
    thermal_r_k_per_w: float = 8.0
    thermal_tau_s: float = 300.0
    app_version_name: str = "0.1.0"
    app_version_code: int = 1
    base_pss_kb: int = 48_000

    def __post_init__(self) -> None:
        if self.current_unit not in ("uA", "mA"):
            raise ValueError(f"current_unit must be 'uA' or 'mA', got {self.current_unit!r}")
        if self.battery_capacity_mah <= 0:
            raise ValueError("battery_capacity_mah must be > 0")
        if self.min_inference_ms < 0:
            raise ValueError("min_inference_ms must be >= 0")

    @property
    def cores(self) -> int:
        return len(self.cpu_freqs_khz)

    def properties(self, serial: str) -> dict[str, str]:
        """The ``getprop`` table (``ro.mobilekit.simulated=1`` says what this phone is)."""
        return {
            "ro.product.manufacturer": self.manufacturer,
            "ro.product.brand": self.manufacturer,
            "ro.product.model": self.model,
            "ro.product.device": self.device,
            "ro.product.name": self.product,
            "ro.soc.manufacturer": self.soc_manufacturer,
            "ro.soc.model": self.soc_model,
            "ro.board.platform": self.board_platform,
            "ro.hardware": self.hardware,
            "ro.product.cpu.abi": self.abi,
            "ro.product.cpu.abilist": self.abilist,
            "ro.build.version.sdk": str(self.sdk),
            "ro.build.version.release": self.release,
            "ro.build.id": self.build_id,
            "ro.build.type": "user",
            "ro.build.fingerprint": f"{self.manufacturer}/{self.product}/{self.device}:{self.release}/{self.build_id}/1:user/release-keys",
            "ro.serialno": serial,
            "ro.boot.serialno": serial,
            "ro.debuggable": "0",
            "ro.secure": "1",
            "ro.adb.secure": "1",
            "persist.sys.timezone": "UTC",
            "sys.boot_completed": "1",
            "ro.mobilekit.simulated": "1",
        }
