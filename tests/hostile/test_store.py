"""Issue 17, the results store (rows 9, 12 and "Also seen"): a database held locked by another process, files that
are not mobilekit databases, reading commands that must not create anything, and Markdown reports of hostile
strings."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from hostile_helpers import quick_plan

from mobilekit.cli.main import main
from mobilekit.device_runner.bench import Progress, resume_bench, run_bench
from mobilekit.device_runner.store import DEFAULT_TIMEOUT_S, Store, StoreBusy, StoreError


# --- row 9: another process holds the database locked during a bench ------------------------------------------

def test_row9_a_write_waits_long_by_default_and_the_wait_is_configurable(tmp_path, monkeypatch):
    with Store(tmp_path / "a.db") as s:
        assert s.timeout_s == DEFAULT_TIMEOUT_S >= 300  # a 45 s lock by another process is waited out
    monkeypatch.setenv("MOBILEKIT_DB_TIMEOUT_S", "7.5")
    with Store(tmp_path / "a.db") as s:
        assert s.timeout_s == 7.5


class _LockOnPush(Progress):
    """When the bench starts pushing, another connection takes the database's write lock for ``hold_s``."""

    def __init__(self, db, hold_s):
        self.db, self.hold_s, self.thread = db, hold_s, None
        self.locked = threading.Event()

    def message(self, address, text):
        if "pushing" in text and self.thread is None:
            self.thread = threading.Thread(target=self._hold)
            self.thread.start()
            self.locked.wait(10)

    def _hold(self):
        other = sqlite3.connect(str(self.db), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        self.locked.set()
        time.sleep(self.hold_s)
        other.execute("ROLLBACK")
        other.close()


def test_row9_a_lock_shorter_than_the_wait_loses_nothing(digits_bundle, sim_phone, tmp_path):
    phone = sim_phone()
    db = tmp_path / "runs.db"
    progress = _LockOnPush(db, hold_s=3.0)
    with Store(db, timeout_s=20) as store:
        s = run_bench(quick_plan(digits_bundle.bundle_dir, phone.address, threads=(1, 2)), store, progress=progress)
    progress.thread.join()
    assert (s.ok, s.failed, s.pending) == (2, 0, 0), s.failures


def test_row9_a_lock_longer_than_the_wait_stops_the_run_cleanly_and_resume_finishes_it(digits_bundle, sim_phone,
                                                                                        tmp_path, monkeypatch):
    phone = sim_phone()
    db = tmp_path / "runs.db"
    thread_errors = []
    monkeypatch.setattr(threading, "excepthook", lambda args: thread_errors.append(args.exc_value))
    progress = _LockOnPush(db, hold_s=4.0)
    with Store(db, timeout_s=1.0) as store:
        with pytest.raises(StoreBusy, match=r"(?s)stayed locked by another process for more than 1 s.*stopped: its phones "
                                            r"were restored.*--resume"):
            run_bench(quick_plan(digits_bundle.bundle_dir, phone.address, threads=(1, 2), energy=True), store,
                      progress=progress)
    progress.thread.join()
    assert thread_errors == []  # no traceback in a thread, no "internal error"
    assert not phone.fs.exists("/data/local/tmp/mobilekit/.lock")  # the phone was let go
    from mobilekit.device_runner.connect import open_transport

    t = open_transport(phone.address, via="tcp")
    try:
        assert "UPDATES STOPPED" not in t.run(["dumpsys", "battery"]).output  # and restored
    finally:
        t.close()
    with Store(db) as store:
        run_id = store.runs()[0]["run_id"]
        assert {c["status"] for c in store.cases(run_id)} == {"pending"}  # nothing claimed, nothing lost
        s = resume_bench(store, run_id)
        assert (s.ok, s.failed) == (2, 0)


def test_row9_the_cli_exit_code_for_a_locked_database_is_1(digits_bundle, sim_phone, tmp_path, capsys, monkeypatch):
    phone = sim_phone()
    db = tmp_path / "runs.db"
    Store(db).close()
    monkeypatch.setenv("MOBILEKIT_DB_TIMEOUT_S", "0.5")
    other = sqlite3.connect(str(db), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        code = main(["bench", str(digits_bundle.bundle_dir), "--device", phone.address, "--via", "tcp", "--db", str(db)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    err = capsys.readouterr().err
    assert code == 1 and "stayed locked by another process" in err and "Traceback" not in err


# --- row 12: files that are not a mobilekit database ----------------------------------------------------------

def _foreign(path):
    c = sqlite3.connect(str(path))
    c.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    c.commit()
    c.close()


@pytest.mark.parametrize("kind", ["text", "truncated", "foreign", "folder"])
def test_row12_runs_list_on_a_file_that_is_not_a_results_database(tmp_path, capsys, kind):
    db = tmp_path / "x.db"
    if kind == "text":
        db.write_text("hello, I am not SQLite " * 20)
    elif kind == "truncated":
        Store(tmp_path / "good.db").close()
        db.write_bytes((tmp_path / "good.db").read_bytes()[:100] + b"\x00" * 3000)
    elif kind == "foreign":
        _foreign(db)
    else:
        db.mkdir()
    before = db.read_bytes() if db.is_file() else None
    for args in (["runs", "list", "--db", str(db)], ["runs", "show", "R", "--db", str(db)],
                 ["bench", "--resume", "R", "--db", str(db)]):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert "Traceback" not in err and str(db) in err
    if before is not None:
        assert db.read_bytes() == before  # never written to
    if kind == "foreign":
        tables = {r[0] for r in sqlite3.connect(str(db)).execute("SELECT name FROM sqlite_master")}
        assert tables == {"customers"}


def test_row12_corrupt_json_inside_a_results_database_is_named(tmp_path, capsys):
    db = tmp_path / "r.db"
    with Store(db) as s:
        s.create_run("R1", {"bundle": "b", "devices": ["d"]}, "b", "b")
        s.add_pending_cases("R1", [{"case_key": "k", "address": "d", "artifact": "a.pte", "threads": 1, "repeat_index": 0}])
    c = sqlite3.connect(str(db))
    c.execute("UPDATE cases SET result_json='{not json' WHERE run_id='R1'")
    c.execute("UPDATE runs SET plan_json='[1, 2' WHERE run_id='R1'")
    c.commit()
    c.close()
    with Store(db) as s, pytest.raises(StoreError, match="corrupt JSON in case 'k'"):
        s.cases("R1")
    assert main(["runs", "show", "R1", "--db", str(db)]) == 2
    assert "corrupt JSON" in capsys.readouterr().err


# --- Also seen: reading commands create nothing ---------------------------------------------------------------

@pytest.mark.parametrize("args", [["runs", "list"], ["runs", "show", "R"], ["report", "R"], ["compare", "A", "B"]])
def test_reading_commands_never_create_a_database_or_its_folder(tmp_path, capsys, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "nope" / "none.db"
    assert main([*args, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"No results database at {db}" in err and "mobilekit bench" in err
    assert not (tmp_path / "nope").exists()


def test_a_markdown_report_keeps_no_link_from_a_device_string(tmp_path):
    from markdown_it import MarkdownIt

    from mobilekit.device_runner.report import write_report

    hostile = "[tap me](javascript:alert(1)) ![i](javascript:x) <a href='javascript:y'>z</a> *bold* `code` a|b"
    with Store(tmp_path / "r.db") as s:
        s.create_run("R1", {"bundle": "b", "devices": ["d"]}, hostile, "b")
        s.put_device("R1", "d", {"manufacturer": hostile, "model": hostile, "soc": hostile, "abis": [hostile]})
        s.add_pending_cases("R1", [{"case_key": "k", "address": "d", "artifact": hostile, "threads": 1, "repeat_index": 0}])
        s.finish_case("R1", "k", status="failed", error=hostile)
        md = write_report(s, "R1", tmp_path / "r.md", fmt="md")
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "javascript:" in md  # the text is still there to read
    assert "<a " not in html and "<img" not in html and "<em>" not in html and "<code>" not in html
    assert "&lt;a href=" in html  # raw HTML only as escaped text
    assert "<table>" in html and html.count("<tr>") >= 3  # the tables still parse: cell bars were escaped


def test_a_stored_plan_that_does_not_fit_is_refused_on_resume(tmp_path, capsys):
    db = tmp_path / "r.db"
    with Store(db) as s:
        s.create_run("R1", {"bundle": 5, "devices": "not a list", "threads": ["x"]}, "b", "b")
    assert main(["bench", "--resume", "R1", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "has a stored plan mobilekit cannot use" in err and "Traceback" not in err
