"""A benchmark plan: which bundle artifacts, runtimes, thread counts and devices, how many times, and how.

:class:`BenchPlan` is a frozen dataclass validated in ``__post_init__``; :func:`expand` turns it and the
bundle's manifest into the list of :class:`Case` records the runner executes (repeats interleaved, so a
slow drift of the phone spreads over all cases instead of hitting the last ones).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from mobilekit import MobilekitError

RUNTIMES = ("executorch", "onnxruntime", "pytorch_mobile")


@dataclass(frozen=True)
class BenchPlan:
    """What to benchmark where. Devices are serials or ``host:port`` addresses."""

    bundle: Path
    devices: tuple[str, ...]
    more_bundles: tuple[Path, ...] = ()      # further bundles benchmarked in the same run
    artifacts: tuple[str, ...] = ()          # file names; empty: every Android artifact in the manifest
    runtimes: tuple[str, ...] = ()           # empty: every runtime present
    threads: tuple[int, ...] = (4,)
    warmup: int = 5
    iterations: int = 50
    repeats: int = 1
    energy: bool = True
    timeout_s: float = 300.0                 # per case, from `am start` to the app's done/error file
    cooldown_max_s: float = 120.0            # cap on waiting for thermal status/battery temperature to settle
    cooldown_tolerance_c: float = 1.0        # battery temperature may be this much above its baseline
    min_battery_pct: float = 20.0
    baseline_s: float | None = None          # idle baseline length; None: the expected case length (1-10 s)
    fixed_performance: bool = True
    apk: Path | None = None
    via: str = "auto"                        # auto, server, tcp, usb
    key_path: Path | None = None
    connect_timeout_s: float = 30.0
    auth_timeout_s: float = 60.0             # time for a person to tap "Allow" on the phone's USB debugging dialog

    def __post_init__(self):
        object.__setattr__(self, "bundle", Path(self.bundle))
        object.__setattr__(self, "more_bundles", tuple(Path(b) for b in self.more_bundles))
        if len(set(self.bundles)) != len(self.bundles):
            raise MobilekitError("A bundle is listed twice.")
        object.__setattr__(self, "devices", tuple(self.devices))
        object.__setattr__(self, "artifacts", tuple(self.artifacts))
        object.__setattr__(self, "runtimes", tuple(self.runtimes))
        object.__setattr__(self, "threads", tuple(int(t) for t in self.threads))
        if self.apk is not None:
            object.__setattr__(self, "apk", Path(self.apk))
        if self.key_path is not None:
            object.__setattr__(self, "key_path", Path(self.key_path))
        if not self.devices:
            raise MobilekitError("No device given.", hint="Pass --device SERIAL or --device HOST:PORT (see `mobilekit devices`).")
        if len(set(self.devices)) != len(self.devices):
            raise MobilekitError(f"A device is listed twice: {', '.join(self.devices)}.")
        if not self.threads or any(t < 0 for t in self.threads):
            raise MobilekitError(f"Thread counts must be 0 (runtime default) or more, got {self.threads}.")
        if self.warmup < 0 or self.iterations < 1 or self.repeats < 1:
            raise MobilekitError(f"Need warmup >= 0, iterations >= 1, repeats >= 1 (got {self.warmup}, "
                                 f"{self.iterations}, {self.repeats}).")
        if self.timeout_s <= 0:
            raise MobilekitError(f"--timeout must be positive, got {self.timeout_s}.")
        unknown = [r for r in self.runtimes if r not in RUNTIMES]
        if unknown:
            raise MobilekitError(f"Unknown runtime {unknown[0]!r}.", hint=f"Android runtimes: {', '.join(RUNTIMES)}.")

    @property
    def bundles(self) -> tuple[Path, ...]:
        return (self.bundle, *self.more_bundles)

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("bundle", "apk", "key_path"):
            d[k] = None if d[k] is None else str(d[k])
        for k in ("devices", "artifacts", "runtimes", "threads"):
            d[k] = list(d[k])
        d["more_bundles"] = [str(b) for b in self.more_bundles]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "BenchPlan":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass(frozen=True)
class Case:
    """One (device, artifact, threads, repeat) to run."""

    address: str
    bundle: str          # the bundle's sha12 (content id): where it lives on the phone
    bundle_name: str
    artifact: str
    runtime: str
    backend: str
    precision: str
    artifact_bytes: int
    threads: int
    repeat_index: int
    host_p50_ms: float | None = None

    @property
    def case_key(self) -> str:
        return f"{self.address}|{self.bundle_name}/{self.artifact}|t{self.threads}|r{self.repeat_index}"

    def to_row(self) -> dict:
        d = asdict(self)
        d["case_key"] = self.case_key
        return d


@dataclass(frozen=True)
class Bundle:
    """A bundle folder as the runner needs it: the manifest, the files to push and a content id."""

    path: Path
    manifest: dict
    files: tuple[str, ...]      # relative names to push
    sha12: str = field(default="")

    @property
    def name(self) -> str:
        return self.manifest.get("name", self.path.name)


def load_bundle(path: Path) -> Bundle:
    """Read and check ``manifest.json``; list the files the phone needs (Android artifacts + sample + labels)."""
    from mobilekit.schemas import MANIFEST, errors

    path = Path(path)
    mf = path / "manifest.json"
    if not mf.is_file():
        raise MobilekitError(f"{path} is not a mobilekit bundle (no manifest.json).",
                             hint="Make one with `mobilekit export ...` or try `mobilekit demo`.")
    try:
        manifest = json.loads(mf.read_text())
    except json.JSONDecodeError as exc:
        raise MobilekitError(f"{mf} is not valid JSON: {exc}") from None
    problems = errors(manifest, MANIFEST)
    if problems:
        raise MobilekitError(f"{mf} does not match the manifest schema:\n  " + "\n  ".join(problems[:10]))
    names = ["manifest.json"]
    for extra in (manifest.get("labels"), (manifest.get("sample") or {}).get("input"),
                  (manifest.get("sample") or {}).get("expected_output")):
        if extra:
            names.append(extra)
    for a in manifest["artifacts"]:
        if "android" in a["platforms"] and (path / a["file"]).is_file():
            names.append(a["file"])
            names.extend(a.get("extra_files") or [])
    for n in names:
        if not (path / n).is_file():
            raise MobilekitError(f"The bundle {path} lists {n} but the file is missing.")
    h = hashlib.sha256()
    for n in sorted(set(names)):
        h.update(n.encode() + b"\0")
        h.update(hashlib.sha256((path / n).read_bytes()).digest())
    return Bundle(path, manifest, tuple(dict.fromkeys(names)), h.hexdigest()[:12])


def expand(plan: BenchPlan, bundles: list[Bundle]) -> list[Case]:
    """The plan's cases, repeats outermost, then bundles and artifacts, then thread counts, for every device."""
    selected: list[tuple[Bundle, dict]] = []
    known: set[str] = set()
    for bundle in bundles:
        arts = [a for a in bundle.manifest["artifacts"] if "android" in a["platforms"] and a["file"] in bundle.files]
        known |= {a["file"] for a in arts}
        if plan.artifacts:
            arts = [a for a in arts if a["file"] in plan.artifacts]
        if plan.runtimes:
            arts = [a for a in arts if a["runtime"] in plan.runtimes]
        selected += [(bundle, a) for a in arts]
    missing = [x for x in plan.artifacts if x not in known]
    if missing:
        raise MobilekitError(f"No bundle has an Android artifact {missing[0]!r}.",
                             hint=f"Android artifacts: {', '.join(sorted(known)) or 'none'}.")
    if not selected:
        where = ", ".join(str(b.path) for b in bundles)
        raise MobilekitError(f"Nothing to run: no Android artifact in {where} matches the selection.")
    cases = []
    for address in plan.devices:
        for r in range(plan.repeats):
            for bundle, a in selected:
                host = ((a.get("validation") or {}).get("host_latency_ms") or {}).get("p50")
                for t in plan.threads:
                    cases.append(Case(address, bundle.sha12, bundle.name, a["file"], a["runtime"], a["backend"],
                                      a["precision"], a["bytes"], t, r, host))
    return cases
