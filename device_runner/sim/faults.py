"""The ways the simulated phone can be told to misbehave, switchable while it runs.

Every component reads ``phone.faults`` live, so a test can write ``phone.faults.slow = 2.0`` between
two benchmark cases. ``Faults.parse("slow=2,full_disk")`` reads the CLI's ``--faults`` list.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from mobilekit import MobilekitError


@dataclass
class Faults:
    """Misbehaviours of the simulated phone; all off by default.

    drop_after_bytes: every ADB connection is cut after this phone has sent it N bytes (handshake included).
    drop_mid_case: the next benchmark drops every ADB connection half-way; the run still finishes and
        writes its files, as a real phone would. One-shot: it switches itself off when it fires.
    full_disk: every write fails with "No space left on device"; ``df`` shows almost nothing free.
    slow: benchmark latencies are multiplied by this factor (a regression to catch).
    answer_delay_ms: every shell/exec answer is delayed by this many milliseconds.
    overheat: the battery heats fast under load and cools slowly, so the thermal status climbs.
    crash_benchmark: the app writes ``error`` with a crash message instead of a result.
    hostile_names: result directories also list names such as ``../../evil`` and names with newlines.
    no_app: the benchmark app is not installed (``pm install`` of an APK installs it and clears this).
    unauthorized: the RSA key dialog is never answered: no signature is accepted, no key is stored.
    usb_charging: the cable is in: sysfs says Charging and current flows into the battery.
    not_debuggable: the app is a release build, so ``run-as`` refuses it.
    """

    drop_after_bytes: int | None = None
    drop_mid_case: bool = False
    full_disk: bool = False
    slow: float = 1.0
    answer_delay_ms: int = 0
    overheat: bool = False
    crash_benchmark: bool = False
    hostile_names: bool = False
    no_app: bool = False
    unauthorized: bool = False
    usb_charging: bool = False
    not_debuggable: bool = False

    def __post_init__(self) -> None:
        if self.slow <= 0:
            raise ValueError(f"slow must be > 0, got {self.slow}")
        if self.answer_delay_ms < 0:
            raise ValueError(f"answer_delay_ms must be >= 0, got {self.answer_delay_ms}")
        if self.drop_after_bytes is not None and self.drop_after_bytes < 0:
            raise ValueError(f"drop_after_bytes must be >= 0, got {self.drop_after_bytes}")

    @classmethod
    def names(cls) -> list[str]:
        """Every fault name, as ``--faults`` accepts them."""
        return [f.name for f in fields(cls)]

    @classmethod
    def parse(cls, text: str | None) -> "Faults":
        """``"slow=2.0,full_disk,answer_delay_ms=50"`` -> :class:`Faults`; unknown names list the known ones."""
        out = cls()
        types = {f.name: f.type for f in fields(cls)}
        for item in (text or "").split(","):
            item = item.strip()
            if not item:
                continue
            name, _, value = item.partition("=")
            name = name.strip().replace("-", "_")
            if name not in types:
                raise MobilekitError(f"unknown fault {name!r}", hint="known faults: " + ", ".join(cls.names()))
            kind = str(types[name])
            try:
                if "bool" in kind:
                    parsed: object = value.strip().lower() not in ("0", "false", "no", "off") if value else True
                elif "float" in kind:
                    parsed = float(value)
                else:
                    parsed = int(value)
            except ValueError:
                raise MobilekitError(f"fault {name} needs a number, got {value!r}", hint=f"for example {name}=2") from None
            setattr(out, name, parsed)
        try:
            out.__post_init__()
        except ValueError as exc:
            raise MobilekitError(str(exc)) from None
        return out

    def active(self) -> list[str]:
        """The faults that are on, as ``name`` or ``name=value`` strings."""
        default = Faults()
        out = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(default, f.name):
                out.append(f.name if value is True else f"{f.name}={value}")
        return out
