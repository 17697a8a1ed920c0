"""The results store: one SQLite file of runs, devices, cases and their samples (plain SQL, PostgreSQL-ready).

Default ``~/.local/share/mobilekit/runs.db``; ``MOBILEKIT_DB`` or ``--db FILE`` override it. Every case is
written in its own transaction the moment it finishes, so a crash loses at most the case in flight. The
schema version is kept in ``meta``; columns are TEXT/INTEGER/REAL only and JSON is stored as TEXT.
``device_notes`` remembers device state the runner changed (``dumpsys battery unplug``, fixed performance
mode) until it is restored, so a run killed outright is repaired by the next run on that phone.

Schema 2 adds ``runs.farm`` and ``runs.farm_json``: the device farm a run came from (``mobilekit runs
import``, ``mobilekit farm stf``) and what is known about it; a schema-1 file gains the two columns when
opened (the migration only adds nullable columns, so nothing stored before changes).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from mobilekit import MobilekitError

SCHEMA_VERSION = 2
ENV_DB = "MOBILEKIT_DB"
ENV_TIMEOUT = "MOBILEKIT_DB_TIMEOUT_S"
DEFAULT_TIMEOUT_S = 600.0  # a write waits this long for another process's lock before the run stops cleanly


class StoreError(MobilekitError):
    """The results database cannot be used: missing (for a command that only reads), not a mobilekit store,
    or corrupt. A user mistake to fix (exit 2); the message names the file."""


class StoreBusy(StoreError):
    """Another process held the database's write lock for longer than the store waits (``timeout_s``)."""

    exit_code = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  created_utc TEXT NOT NULL,
  finished_utc TEXT,
  status TEXT NOT NULL,               -- running, finished, failed, interrupted
  bundle_name TEXT,
  bundle_path TEXT,
  plan_json TEXT NOT NULL,
  note TEXT,
  farm TEXT,                          -- device farm label (aws-device-farm, firebase-test-lab, stf), NULL: local
  farm_json TEXT
);
CREATE TABLE IF NOT EXISTS devices (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  address TEXT NOT NULL,              -- what --device said: serial or host:port
  serial TEXT,
  manufacturer TEXT,
  model TEXT,
  soc TEXT,
  abis TEXT,
  android_sdk INTEGER,
  cores INTEGER,
  simulated INTEGER NOT NULL DEFAULT 0,
  info_json TEXT NOT NULL,
  PRIMARY KEY (run_id, address)
);
CREATE TABLE IF NOT EXISTS cases (
  case_id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  case_key TEXT NOT NULL,
  address TEXT NOT NULL,
  bundle_name TEXT,
  artifact TEXT NOT NULL,
  runtime TEXT,
  backend TEXT,
  precision TEXT,
  artifact_bytes INTEGER,
  threads INTEGER NOT NULL,
  repeat_index INTEGER NOT NULL,
  status TEXT NOT NULL,               -- pending, ok, failed
  error TEXT,
  started_utc TEXT,
  finished_utc TEXT,
  simulated INTEGER NOT NULL DEFAULT 0,
  p50_ms REAL, p90_ms REAL, p99_ms REAL, mean_ms REAL, min_ms REAL, max_ms REAL,
  load_ms REAL,
  mj_per_inference REAL,
  energy_valid INTEGER,
  energy_json TEXT,
  thermal_json TEXT,
  cpufreq_json TEXT,
  result_json TEXT,
  UNIQUE (run_id, case_key)
);
CREATE TABLE IF NOT EXISTS latency_samples (
  case_id INTEGER NOT NULL REFERENCES cases(case_id),
  idx INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  PRIMARY KEY (case_id, idx)
);
CREATE TABLE IF NOT EXISTS energy_samples (
  case_id INTEGER NOT NULL REFERENCES cases(case_id),
  phase TEXT NOT NULL,                -- idle or case
  idx INTEGER NOT NULL,
  t_ms INTEGER NOT NULL,
  current_raw INTEGER NOT NULL,
  voltage_raw INTEGER NOT NULL,
  PRIMARY KEY (case_id, phase, idx)
);
CREATE TABLE IF NOT EXISTS device_notes (
  address TEXT NOT NULL,
  what TEXT NOT NULL,                 -- battery_unplugged, fixed_performance_mode
  run_id TEXT,
  since_utc TEXT NOT NULL,
  PRIMARY KEY (address, what)
);
"""


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_db_path() -> Path:
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "mobilekit" / "runs.db"


def default_timeout_s() -> float:
    """How long a write waits for another process's lock: ``$MOBILEKIT_DB_TIMEOUT_S``, else 600 s."""
    try:
        return max(0.0, float(os.environ.get(ENV_TIMEOUT) or DEFAULT_TIMEOUT_S))
    except ValueError:
        raise MobilekitError(f"${ENV_TIMEOUT} must be a number of seconds, got {os.environ.get(ENV_TIMEOUT)!r}.") from None


class Store:
    """A SQLite results database, safe to share between the per-device threads of one run.

    ``create=False`` (the commands that only read: runs list/show, compare, report) refuses a file that does not
    exist instead of making one and its folders. A file that is not SQLite, is corrupt, or is someone else's SQLite
    database is refused with :class:`StoreError` (never written to); stored JSON is parsed with the same care.
    Writes wait up to ``timeout_s`` for another process's lock, then raise :class:`StoreBusy`."""

    def __init__(self, path: Path | str | None = None, *, create: bool = True, timeout_s: float | None = None):
        self.path = Path(path) if path else default_db_path()
        self.timeout_s = default_timeout_s() if timeout_s is None else float(timeout_s)
        if not create and not self.path.is_file():
            what = "is a folder, not a database file" if self.path.is_dir() else "does not exist"
            raise StoreError(f"No results database at {self.path}: it {what}.",
                             hint=f"Check --db (or ${ENV_DB}); `mobilekit bench` creates the database on its first run.")
        if create:
            if self.path.is_dir():
                raise StoreError(f"The results database {self.path} is a folder, not a database file.",
                                 hint="Pass --db a file name, e.g. --db runs.db.")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=self.timeout_s)
        self.db.row_factory = sqlite3.Row
        try:
            self._open()
        except BaseException:
            self.db.close()
            raise

    def _open(self) -> None:
        try:
            tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and not {"meta", "runs"} <= tables:
                raise StoreError(f"{self.path} is an SQLite database, but not a mobilekit results store (it holds "
                                 f"{', '.join(sorted(tables)[:5])}); it was left untouched.",
                                 hint="Pass --db a mobilekit results file, or a new file name.")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise self._error(exc, "open") from None
        with self.transaction():
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    self.db.execute(stmt)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif not str(row["value"]).isdigit():
                raise StoreError(f"{self.path} records a schema version {row['value']!r}, not a number: it is corrupt.",
                                 hint="Use another --db file.")
            elif int(row["value"]) > SCHEMA_VERSION:
                raise MobilekitError(f"{self.path} was written by a newer mobilekit (schema {row['value']}).",
                                     hint="Upgrade mobilekit or use another --db file.")
            self._migrate()

    def _error(self, exc: sqlite3.Error, what: str) -> StoreError:
        """An sqlite3 exception as the store's error: a lock held too long, or a file that is not a results store."""
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
            return StoreBusy(f"The results database {self.path} stayed locked by another process for more than "
                             f"{self.timeout_s:.0f} s ({what}: {text}).",
                             hint=f"Find the process holding it (another mobilekit bench, a DB browser), or raise ${ENV_TIMEOUT}.")
        return StoreError(f"{self.path} is not a usable mobilekit results database ({what}: {type(exc).__name__}: {text}).",
                          hint="It is corrupt or not a results store: pass --db another file (a new name starts an empty one).")

    def _read(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """A read query; corruption and locks become :class:`StoreError`."""
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc, "read") from None

    def _json(self, text, where: str):
        """Stored JSON (databases are shared and copied around: never trusted to parse)."""
        if text is None or text == "":
            return None
        try:
            return json.loads(text)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"{self.path} holds corrupt JSON in {where} ({exc}).",
                             hint="The database was damaged or edited: use another --db file.") from None

    def _migrate(self) -> None:
        """Bring an older file up to SCHEMA_VERSION (inside the opening transaction)."""
        cols = {r["name"] for r in self.db.execute("PRAGMA table_info(runs)")}
        for col in ("farm", "farm_json"):
            if col not in cols:
                self.db.execute(f"ALTER TABLE runs ADD COLUMN {col} TEXT")
        self.db.execute("UPDATE meta SET value=? WHERE key='schema_version' AND CAST(value AS INTEGER) < ?",
                        (str(SCHEMA_VERSION), SCHEMA_VERSION))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; waits up to ``timeout_s`` for the lock (then :class:`StoreBusy`)."""
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc, "write") from None
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException as exc:
                if self.db.in_transaction:
                    try:
                        self.db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc, "write") from None
                raise

    # ---- runs --------------------------------------------------------------------------------
    def create_run(self, run_id: str, plan: dict, bundle_name: str | None, bundle_path: str | None) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO runs(run_id, created_utc, status, bundle_name, bundle_path, plan_json) "
                       "VALUES (?, ?, 'running', ?, ?, ?)", (run_id, utc_now(), bundle_name, bundle_path, json.dumps(plan)))

    def set_run_status(self, run_id: str, status: str, note: str | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET status=?, finished_utc=?, note=COALESCE(?, note) WHERE run_id=?",
                       (status, utc_now() if status != "running" else None, note, run_id))

    def set_run_farm(self, run_id: str, farm: str, info: dict | None = None) -> None:
        """Label a run with the device farm it ran on (and what is known about that farm's job)."""
        with self.transaction() as db:
            db.execute("UPDATE runs SET farm=?, farm_json=? WHERE run_id=?", (farm, json.dumps(info or {}), run_id))

    def run(self, run_id: str) -> dict:
        rows = self._read("SELECT * FROM runs WHERE run_id=?", (run_id,))
        row = rows[0] if rows else None
        if row is None:
            raise MobilekitError(f"No run {run_id!r} in {self.path}.", hint="List the stored runs with `mobilekit runs list`.")
        d = dict(row)
        d["plan"] = self._json(d.pop("plan_json"), f"run {run_id}'s plan")
        if not isinstance(d["plan"], dict):
            raise StoreError(f"{self.path} holds no usable plan for run {run_id}.", hint="Use another --db file.")
        d["farm_info"] = self._json(d.pop("farm_json", None), f"run {run_id}'s farm")
        return d

    def runs(self, limit: int = 50) -> list[dict]:
        rows = self._read(
            "SELECT r.run_id, r.created_utc, r.finished_utc, r.status, r.bundle_name, r.farm, "
            "SUM(CASE WHEN c.status='ok' THEN 1 ELSE 0 END) AS ok, "
            "SUM(CASE WHEN c.status='failed' THEN 1 ELSE 0 END) AS failed, COUNT(c.case_id) AS cases, "
            "MAX(c.simulated) AS simulated "
            "FROM runs r LEFT JOIN cases c ON c.run_id = r.run_id GROUP BY r.run_id, r.created_utc, r.finished_utc, "
            "r.status, r.bundle_name, r.farm ORDER BY r.created_utc DESC, r.run_id DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    # ---- devices and notes -------------------------------------------------------------------
    def put_device(self, run_id: str, address: str, info: dict) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM devices WHERE run_id=? AND address=?", (run_id, address))
            db.execute("INSERT INTO devices(run_id, address, serial, manufacturer, model, soc, abis, android_sdk, cores, "
                       "simulated, info_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (run_id, address, info.get("serial"), info.get("manufacturer"), info.get("model"), info.get("soc"),
                        ",".join(info.get("abis") or ()), info.get("android_sdk"), info.get("cores"),
                        int(bool(info.get("simulated"))), json.dumps(info)))

    def update_device_info(self, run_id: str, address: str, extra: dict) -> None:
        with self.transaction() as db:
            row = db.execute("SELECT info_json FROM devices WHERE run_id=? AND address=?", (run_id, address)).fetchone()
            if row:
                info = self._json(row["info_json"], f"device {address!r} of run {run_id}") or {}
                info.update(extra)
                db.execute("UPDATE devices SET info_json=? WHERE run_id=? AND address=?", (json.dumps(info), run_id, address))

    def devices(self, run_id: str) -> list[dict]:
        rows = self._read("SELECT * FROM devices WHERE run_id=? ORDER BY address", (run_id,))
        out = []
        for r in rows:
            d = dict(r)
            d["info"] = self._json(d.pop("info_json"), f"device {d.get('address')!r} of run {run_id}") or {}
            out.append(d)
        return out

    def add_note(self, address: str, what: str, run_id: str | None) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM device_notes WHERE address=? AND what=?", (address, what))
            db.execute("INSERT INTO device_notes(address, what, run_id, since_utc) VALUES (?,?,?,?)",
                       (address, what, run_id, utc_now()))

    def clear_note(self, address: str, what: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM device_notes WHERE address=? AND what=?", (address, what))

    def notes(self, address: str | None = None) -> list[dict]:
        if address is None:
            rows = self._read("SELECT * FROM device_notes ORDER BY address, what")
        else:
            rows = self._read("SELECT * FROM device_notes WHERE address=? ORDER BY what", (address,))
        return [dict(r) for r in rows]

    # ---- cases -------------------------------------------------------------------------------
    def add_pending_cases(self, run_id: str, cases: list[dict]) -> None:
        """Insert the plan's cases as ``pending`` (existing keys are left alone, so resuming is idempotent)."""
        with self.transaction() as db:
            for c in cases:
                db.execute("INSERT INTO cases(run_id, case_key, address, bundle_name, artifact, runtime, backend, "
                           "precision, artifact_bytes, threads, repeat_index, status) VALUES (?,?,?,?,?,?,?,?,?,?,?, "
                           "'pending') ON CONFLICT (run_id, case_key) DO NOTHING",
                           (run_id, c["case_key"], c["address"], c.get("bundle_name"), c["artifact"], c.get("runtime"), c.get("backend"),
                            c.get("precision"), c.get("artifact_bytes"), c["threads"], c["repeat_index"]))

    def finish_case(self, run_id: str, case_key: str, *, status: str, error: str | None = None,
                    result: dict | None = None, energy: dict | None = None, thermal: dict | None = None,
                    cpufreq: dict | None = None, started_utc: str | None = None,
                    idle_samples: list | None = None, case_samples: list | None = None) -> int:
        """Record one finished case (ok or failed) and its samples in one transaction; returns its case_id."""
        stats = (result or {}).get("stats") or {}
        with self.transaction() as db:
            row = db.execute("SELECT case_id FROM cases WHERE run_id=? AND case_key=?", (run_id, case_key)).fetchone()
            if row is None:
                raise KeyError(f"case {case_key} is not in run {run_id}")
            cid = row["case_id"]
            db.execute("DELETE FROM latency_samples WHERE case_id=?", (cid,))
            db.execute("DELETE FROM energy_samples WHERE case_id=?", (cid,))
            db.execute(
                "UPDATE cases SET status=?, error=?, started_utc=?, finished_utc=?, simulated=?, p50_ms=?, p90_ms=?, "
                "p99_ms=?, mean_ms=?, min_ms=?, max_ms=?, load_ms=?, mj_per_inference=?, energy_valid=?, energy_json=?, "
                "thermal_json=?, cpufreq_json=?, result_json=? WHERE case_id=?",
                (status, error, started_utc, utc_now(), int(bool((result or {}).get("simulated"))),
                 stats.get("p50"), stats.get("p90"), stats.get("p99"), stats.get("mean"), stats.get("min"), stats.get("max"),
                 (result or {}).get("load_ms"),
                 (energy or {}).get("mj_per_inference") if (energy or {}).get("valid") else None,
                 None if energy is None else int(bool(energy.get("valid"))),
                 json.dumps(energy) if energy is not None else None,
                 json.dumps(thermal) if thermal is not None else None,
                 json.dumps(cpufreq) if cpufreq is not None else None,
                 json.dumps(result) if result is not None else None, cid))
            if result:
                db.executemany("INSERT INTO latency_samples(case_id, idx, latency_ms) VALUES (?,?,?)",
                               [(cid, i, float(v)) for i, v in enumerate(result.get("latency_ms") or [])])
            for phase, samples in (("idle", idle_samples or []), ("case", case_samples or [])):
                db.executemany("INSERT INTO energy_samples(case_id, phase, idx, t_ms, current_raw, voltage_raw) "
                               "VALUES (?,?,?,?,?,?)",
                               [(cid, phase, i, s.t_ms, s.current_raw, s.voltage_raw) for i, s in enumerate(samples)])
        return cid

    def cases(self, run_id: str, status: str | None = None) -> list[dict]:
        q = "SELECT * FROM cases WHERE run_id=?" + (" AND status=?" if status else "") + " ORDER BY case_id"
        rows = self._read(q, (run_id, status) if status else (run_id,))
        out = []
        for r in rows:
            d = dict(r)
            for k in ("energy_json", "thermal_json", "cpufreq_json", "result_json"):
                d[k[:-5]] = self._json(d.pop(k), f"case {d.get('case_key')!r} ({k})")
            out.append(d)
        return out

    def latencies(self, case_id: int) -> list[float]:
        rows = self._read("SELECT latency_ms FROM latency_samples WHERE case_id=? ORDER BY idx", (case_id,))
        return [r[0] for r in rows]

    def energy_samples(self, case_id: int, phase: str) -> list[tuple[int, int, int]]:
        rows = self._read("SELECT t_ms, current_raw, voltage_raw FROM energy_samples WHERE case_id=? AND phase=? "
                          "ORDER BY idx", (case_id, phase))
        return [tuple(r) for r in rows]
