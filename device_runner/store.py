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


class Store:
    """A SQLite results database, safe to share between the per-device threads of one run."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self.transaction():
            for stmt in SCHEMA.split(";"):
                if stmt.strip():
                    self.db.execute(stmt)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row["value"]) > SCHEMA_VERSION:
                raise MobilekitError(f"{self.path} was written by a newer mobilekit (schema {row['value']}).",
                                     hint="Upgrade mobilekit or use another --db file.")
            self._migrate()

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
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

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
        row = self.db.execute("SELECT * FROM runs WHERE run_id=?", (run_id,)).fetchone()
        if row is None:
            raise MobilekitError(f"No run {run_id!r} in {self.path}.", hint="List the stored runs with `mobilekit runs list`.")
        d = dict(row)
        d["plan"] = json.loads(d.pop("plan_json"))
        farm_json = d.pop("farm_json", None)
        d["farm_info"] = json.loads(farm_json) if farm_json else None
        return d

    def runs(self, limit: int = 50) -> list[dict]:
        rows = self.db.execute(
            "SELECT r.run_id, r.created_utc, r.finished_utc, r.status, r.bundle_name, r.farm, "
            "SUM(CASE WHEN c.status='ok' THEN 1 ELSE 0 END) AS ok, "
            "SUM(CASE WHEN c.status='failed' THEN 1 ELSE 0 END) AS failed, COUNT(c.case_id) AS cases, "
            "MAX(c.simulated) AS simulated "
            "FROM runs r LEFT JOIN cases c ON c.run_id = r.run_id GROUP BY r.run_id, r.created_utc, r.finished_utc, "
            "r.status, r.bundle_name, r.farm ORDER BY r.created_utc DESC, r.run_id DESC LIMIT ?", (limit,)).fetchall()
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
                info = json.loads(row["info_json"])
                info.update(extra)
                db.execute("UPDATE devices SET info_json=? WHERE run_id=? AND address=?", (json.dumps(info), run_id, address))

    def devices(self, run_id: str) -> list[dict]:
        rows = self.db.execute("SELECT * FROM devices WHERE run_id=? ORDER BY address", (run_id,)).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["info"] = json.loads(d.pop("info_json"))
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
            rows = self.db.execute("SELECT * FROM device_notes ORDER BY address, what").fetchall()
        else:
            rows = self.db.execute("SELECT * FROM device_notes WHERE address=? ORDER BY what", (address,)).fetchall()
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
        rows = self.db.execute(q, (run_id, status) if status else (run_id,)).fetchall()
        out = []
        for r in rows:
            d = dict(r)
            for k in ("energy_json", "thermal_json", "cpufreq_json", "result_json"):
                d[k[:-5]] = json.loads(d.pop(k)) if d.get(k) else None
            out.append(d)
        return out

    def latencies(self, case_id: int) -> list[float]:
        rows = self.db.execute("SELECT latency_ms FROM latency_samples WHERE case_id=? ORDER BY idx", (case_id,))
        return [r[0] for r in rows]

    def energy_samples(self, case_id: int, phase: str) -> list[tuple[int, int, int]]:
        rows = self.db.execute("SELECT t_ms, current_raw, voltage_raw FROM energy_samples WHERE case_id=? AND phase=? "
                               "ORDER BY idx", (case_id, phase))
        return [tuple(r) for r in rows]
