"""What every farm job writer shares: the plan, the cases, the job record, the bundle zip and quoting.

A farm job is written from a :class:`FarmPlan` (a bundle and the same case choices as ``mobilekit bench``)
into an output folder. The cases come from :func:`mobilekit.device_runner.plan.expand`, exactly as the
runner expands them, with a placeholder device (the farm picks the real phones). Each case gets a fixed
app run id (``<run_id>-<index>``) so the importer can match what the farm brings back to what was asked.

The job record (``mobilekit-farm.json``, schema ``mobilekit.farm-job/1``) lists the bundle, the plan and
every case; it travels with the job and comes back in the farm's artifacts, so ``mobilekit runs import``
can label the run and key its cases like an ordinary run.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mobilekit import MobilekitError
from mobilekit.device_runner.device import APP_PACKAGE, APP_RESULTS, BENCH_ACTIVITY, DEVICE_ROOT, benchmark_intent
from mobilekit.device_runner.device import BundleChanged
from mobilekit.device_runner.plan import BenchPlan, Bundle, Case, expand, load_bundle
from mobilekit.device_runner.transport import quote as device_quote

JOB_SCHEMA = "mobilekit.farm-job/1"
JOB_FILE = "mobilekit-farm.json"
FARM_DEVICE = "farm-device"          # placeholder address while the farm has not picked a phone
# The instrumentation test the Android app ships for farms (android/README.md documents its name).
TEST_PACKAGE = f"{APP_PACKAGE}.test"
TEST_RUNNER = "androidx.test.runner.AndroidJUnitRunner"
FARM_ENERGY_REASON = ("{farm} phones are kept on USB power in the rack, so battery current measures charging, not "
                      "the phone's draw; energy from a farm run is not a measurement")


@dataclass(frozen=True)
class FarmPlan:
    """What to run on a farm: the bench plan's case choices, without devices (the farm supplies them)."""

    bundle: Path
    artifacts: tuple[str, ...] = ()
    runtimes: tuple[str, ...] = ()
    threads: tuple[int, ...] = (4,)
    warmup: int = 5
    iterations: int = 50
    repeats: int = 1
    timeout_s: float = 300.0        # per case: from `am start` to the app's done/error file

    def __post_init__(self):
        object.__setattr__(self, "bundle", Path(self.bundle))
        object.__setattr__(self, "artifacts", tuple(self.artifacts))
        object.__setattr__(self, "runtimes", tuple(self.runtimes))
        object.__setattr__(self, "threads", tuple(int(t) for t in self.threads))
        self.bench_plan()  # the same checks as `mobilekit bench` (thread counts, iterations, runtimes, ...)

    def bench_plan(self, devices: tuple[str, ...] = (FARM_DEVICE,)) -> BenchPlan:
        """This plan as a :class:`BenchPlan` on ``devices`` (energy on: the app records what it sees)."""
        return BenchPlan(bundle=self.bundle, devices=devices, artifacts=self.artifacts, runtimes=self.runtimes,
                         threads=self.threads, warmup=self.warmup, iterations=self.iterations, repeats=self.repeats,
                         timeout_s=self.timeout_s, energy=True)


@dataclass(frozen=True)
class FarmCase:
    """One case as a farm runs it: the app's run id and the intent extras of the benchmark protocol."""

    index: int
    app_run_id: str
    bundle_name: str
    artifact: str
    runtime: str
    backend: str
    precision: str
    artifact_bytes: int
    threads: int
    repeat_index: int

    def am_start_args(self, remote_bundle: str, warmup: int, iterations: int) -> list[str]:
        """The exact ``am start`` argument list ``mobilekit bench`` uses (DESIGN.md, the benchmark protocol)."""
        return benchmark_intent(remote_bundle, self.artifact, self.app_run_id, warmup=warmup, iterations=iterations,
                                threads=self.threads, energy=True)

    def case_key(self, address: str) -> str:
        """The same key format as :attr:`mobilekit.device_runner.plan.Case.case_key`."""
        return f"{address}|{self.bundle_name}/{self.artifact}|t{self.threads}|r{self.repeat_index}"


@dataclass(frozen=True)
class FarmJob:
    """A prepared job: its cases and bundle, ready for a writer to turn into one farm's files."""

    farm: str
    run_id: str
    plan: FarmPlan
    bundle: Bundle
    cases: tuple[FarmCase, ...]

    @property
    def remote_bundle(self) -> str:
        """Where the bundle lives on the phone: the runner's own place, keyed by the bundle's content id."""
        return f"{DEVICE_ROOT}/{self.bundle.sha12}"

    def results_dir(self, case: FarmCase) -> str:
        return f"{APP_RESULTS}/{case.app_run_id}"

    def am_start_line(self, case: FarmCase) -> str:
        """The ``am start`` command line for the phone's shell, every argument quoted once."""
        return device_quote(case.am_start_args(self.remote_bundle, self.plan.warmup, self.plan.iterations))

    def record(self) -> dict:
        """The job record (``mobilekit-farm.json``) that travels with the job and comes back with its results."""
        return {"schema": JOB_SCHEMA, "farm": self.farm, "run_id": self.run_id,
                "bundle": {"name": self.bundle.name, "sha12": self.bundle.sha12, "path": str(self.bundle.path),
                           "remote_dir": self.remote_bundle},
                "plan": self.plan.bench_plan().to_dict() | {"devices": []},
                "app": {"package": APP_PACKAGE, "activity": BENCH_ACTIVITY, "results_dir": APP_RESULTS},
                "cases": [asdict(c) for c in self.cases]}


@dataclass
class WrittenJob:
    """What a writer produced: the files, what to upload, and the commands to schedule the run."""

    farm: str
    out_dir: Path
    run_id: str
    cases: int
    files: dict[str, str] = field(default_factory=dict)         # role -> path written
    uploads: list[dict] = field(default_factory=list)           # {"file", "type", "what"}
    commands: list[list[str]] = field(default_factory=list)     # argument lists (also written as a shell script)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["out_dir"] = str(self.out_dir)
        d["commands_sh"] = [shell_line(c) for c in self.commands]
        return d


def new_job_id() -> str:
    from mobilekit.device_runner.bench import new_run_id

    return new_run_id()


def prepare_job(farm: str, plan: FarmPlan, run_id: str | None = None) -> FarmJob:
    """Load and check the bundle, expand the cases as ``mobilekit bench`` would, and number them."""
    bundle = load_bundle(plan.bundle)  # the runner's checks: every manifest path inside the bundle, every sha256
    cases: list[Case] = expand(plan.bench_plan(), [bundle])
    run_id = run_id or new_job_id()
    farm_cases = tuple(FarmCase(i + 1, f"{run_id}-{i + 1:03d}", c.bundle_name, c.artifact, c.runtime, c.backend,
                                c.precision, c.artifact_bytes, c.threads, c.repeat_index) for i, c in enumerate(cases))
    return FarmJob(farm, run_id, plan, bundle, farm_cases)


def safe_relative_name(name: str, what: str = "file") -> str:
    """``name`` if it obeys the manifest's path rule (``$defs/bundle_path``: relative, no ``..``, no control
    characters); else a user error. The same rule as :func:`mobilekit.export.manifest.bundle_path`."""
    from mobilekit.export.manifest import path_problem

    problem = path_problem(name)
    if problem:
        raise MobilekitError(f"Refusing the {what} name {name!r}: it {problem}; a farm job needs plain relative file names.",
                             hint="Rename the file in the bundle (and its manifest entry) and export again.")
    return name


def checked_bytes(bundle: Bundle, name: str) -> bytes:
    """A bundle file's bytes, only if they still have the sha256 the bundle was checked with (nothing else leaves
    for a farm: the same pin as :meth:`Device.push_files`)."""
    data = (bundle.path / name).read_bytes()
    if hashlib.sha256(data).hexdigest() != bundle.sha256.get(name):
        raise BundleChanged(f"{name} changed after the bundle was checked (sha256 differs); the job was not written.",
                            hint="Do not edit a bundle while a farm job is written from it; run the command again.")
    return data


def write_bundle_zip(job: FarmJob, dest: Path) -> str:
    """Zip the files the phone needs (the runner's push list) at the zip's top level; return its sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(job.bundle.files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))   # fixed time: same bundle, same zip
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, checked_bytes(job.bundle, name))
    return hashlib.sha256(dest.read_bytes()).hexdigest()


def write_job_record(job: FarmJob, out_dir: Path) -> Path:
    p = out_dir / JOB_FILE
    p.write_text(json.dumps(job.record(), indent=2) + "\n", encoding="utf-8")
    return p


def shell_line(args: list[str]) -> str:
    """One host shell command line (bash/sh), each argument quoted once."""
    return " ".join(shlex.quote(str(a)) for a in args)


def prepare_out_dir(out_dir: Path, force: bool) -> Path:
    """Create ``out_dir``; an existing non-empty folder is a user error unless ``force``."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise MobilekitError(f"{out_dir} exists and is not a folder.")
    if out_dir.exists() and any(out_dir.iterdir()) and not force:
        raise MobilekitError(f"{out_dir} already exists and is not empty.", hint="Pass --force to overwrite it, or --out another folder.")
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir


def check_file(path: Path | None, what: str, hint: str) -> Path | None:
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        raise MobilekitError(f"The {what} {path} does not exist.", hint=hint)
    return path
