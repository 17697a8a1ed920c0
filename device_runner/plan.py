"""A benchmark plan: which bundle artifacts, runtimes, thread counts and devices, how many times, and how.

:class:`BenchPlan` is a frozen dataclass validated in ``__post_init__``; :func:`expand` turns it and the
bundle's manifest into the list of :class:`Case` records the runner executes (repeats interleaved, so a
slow drift of the phone spreads over all cases instead of hitting the last ones).
"""

from __future__ import annotations

import hashlib
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
    """A bundle folder as the runner needs it: the manifest, the files to push and a content id.

    ``sha256`` pins every file to push: an artifact's value is the manifest's own (checked against the file when
    the bundle was loaded), every other file's is what it held then. :meth:`Device.push_files` pushes nothing
    whose local copy no longer matches."""

    path: Path
    manifest: dict
    files: tuple[str, ...]      # relative names to push
    sha12: str = field(default="")
    sha256: dict = field(default_factory=dict, compare=False)  # name -> hex digest

    @property
    def name(self) -> str:
        return self.manifest.get("name", self.path.name)


def phone_files(manifest: dict) -> list[str]:
    """Every file of a bundle the app on a phone reads: the manifest, labels, sample inputs and outputs, the
    tokenizer's and the LLM's files, and each benchmarkable Android artifact with its extra files."""
    sample = manifest.get("sample") or {}
    tok = manifest.get("tokenizer") or {}
    llm = manifest.get("llm") or {}
    names = ["manifest.json", manifest.get("labels"), sample.get("input"), sample.get("expected_output"),
             *[e.get("file") for e in sample.get("inputs") or []], *[e.get("file") for e in sample.get("outputs") or []],
             tok.get("vocab"), tok.get("file"), (llm.get("tokenizer") or {}).get("file"), llm.get("prompts")]
    for a in android_artifacts(manifest):
        names.append(a["file"])
        names.extend(a.get("extra_files") or [])
    return list(dict.fromkeys(n for n in names if n))


def android_artifacts(manifest: dict) -> list[dict]:
    """The artifacts ``mobilekit bench`` can run: Android ones for a runtime of the benchmark app."""
    return [a for a in manifest["artifacts"] if "android" in a["platforms"] and a["runtime"] in RUNTIMES]


def load_bundle(path: Path) -> Bundle:
    """Read and check a bundle before anything of it goes to a phone, refusing it (:class:`BundleError`, exit 2)
    when its manifest is not the contract, names a path outside the bundle, or a file it names is missing or does
    not match its size and sha256 (the same checks as ``mobilekit validate``)."""
    from mobilekit.export.manifest import BundleError, bundle_path, read_manifest, verify_files

    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise MobilekitError(f"{path} is not a mobilekit bundle (no manifest.json).",
                             hint="Make one with `mobilekit export ...` or try `mobilekit demo`.")
    from mobilekit.device_runner.device import BundleChanged, sha256_file

    manifest_sha = sha256_file(path / "manifest.json")
    manifest = read_manifest(path)  # the one path rule and the schema
    if sha256_file(path / "manifest.json") != manifest_sha:
        raise BundleChanged(f"{path / 'manifest.json'} changed while it was being checked.", hint="Run the command again.")
    names = phone_files(manifest)
    for n in names:
        p = bundle_path(path, n, f"{n!r} (a file the app reads)")
        if not p.is_file():
            what = "a folder, not a file the app can load" if p.is_dir() else "missing"
            raise BundleError(f"The bundle {path} lists {n} but that file is {what}.",
                              hint="Export the bundle again (or copy it again whole): `mobilekit validate BUNDLE` "
                              "checks every file.")
    bad = [c for c in verify_files(path, manifest, android_artifacts(manifest)) if not c.ok]
    if bad:
        raise BundleError(f"The bundle {path} does not match its manifest, so nothing was pushed: "
                          + "; ".join(f"{c.file}: {c.problem}" for c in bad) + ".",
                          hint="The files changed after export or were damaged in transit: export the bundle again "
                          "or copy it again whole (`mobilekit validate BUNDLE` shows every check).")
    recorded = {a["file"]: a["sha256"] for a in android_artifacts(manifest)}
    recorded["manifest.json"] = manifest_sha  # pushed as the bytes that were checked
    sha = {n: recorded.get(n) or sha256_file(path / n) for n in names}
    h = hashlib.sha256()
    for n in sorted(names):
        h.update(n.encode() + b"\0")
        h.update(bytes.fromhex(sha[n]))
    return Bundle(path, manifest, tuple(names), h.hexdigest()[:12], sha)


def expand(plan: BenchPlan, bundles: list[Bundle]) -> list[Case]:
    """The plan's cases, repeats outermost, then bundles and artifacts, then thread counts, for every device."""
    selected: list[tuple[Bundle, dict]] = []
    known: set[str] = set()
    for bundle in bundles:
        arts = [a for a in android_artifacts(bundle.manifest) if a["file"] in bundle.files]
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
