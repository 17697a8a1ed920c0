"""Issue 17, the runner against phones (rows 7, 15, 16): names from the sync service, key files that are not keys,
and one benchmark per phone at a time (a lock on the phone, so two hosts see it)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from hostile_helpers import quick_plan

from mobilekit import MobilekitError
from mobilekit.cli.main import main
from mobilekit.device_runner.bench import run_bench
from mobilekit.device_runner.connect import open_transport
from mobilekit.device_runner.device import Device
from mobilekit.device_runner.lock import LOCK_DIR, OWNER, DeviceBusy, DeviceLock
from mobilekit.device_runner.store import Store

PTE = "digits_cnn.xnnpack.fp32.pte"


def test_row7_a_phone_whose_app_is_not_debuggable_still_returns_results(digits_bundle, sim_phone, tmp_path):
    """Without run-as, result.json is pulled from /sdcard over the sync service, whose names adb-shell hands over as
    bytearray: they must arrive as 'result.json', not "bytearray(b'result.json')"."""
    from mobilekit.device_runner.sim import Faults

    phone = sim_phone(faults=Faults(not_debuggable=True))
    with Store(tmp_path / "runs.db") as store:
        s = run_bench(quick_plan(digits_bundle.bundle_dir, phone.address), store)
        assert (s.ok, s.failed) == (1, 0), s.failures


def test_row7_listed_names_are_text(sim_phone):
    phone = sim_phone()
    t = open_transport(phone.address, via="tcp")
    try:
        t.run(["mkdir", "-p", "/data/local/tmp/x"]).check("mkdir")
        t.run(["touch", "/data/local/tmp/x/result.json"]).check("touch")
        names = [e.name for e in t.list("/data/local/tmp/x")]
    finally:
        t.close()
    assert names == ["result.json"] and all(type(n) is str for n in names)


# --- row 15: --key FILE that is not a key -----------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"not a key\n", b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", None])
def test_row15_a_key_file_that_is_not_a_key_is_one_message_and_nothing_is_written(tmp_path, capsys, content):
    key = tmp_path / "key"
    if content is None:
        key.mkdir()
    else:
        key.write_bytes(content)
    assert main(["devices", "--key", str(key), "--device", "127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"The ADB key {key}" in err and "--key" in err
    assert not (tmp_path / "key.pub").exists()  # nothing written next to a file that is not ours
    assert content is None or key.read_bytes() == content


def test_row15_bench_refuses_a_bad_key_before_any_phone(digits_bundle, tmp_path, capsys):
    (tmp_path / "key").write_text("hello")
    code = main(["bench", str(digits_bundle.bundle_dir), "--device", "127.0.0.1:9", "--key", str(tmp_path / "key"),
                 "--db", str(tmp_path / "r.db")])
    assert code == 2 and "is not a PEM private key" in capsys.readouterr().err
    assert not (tmp_path / "r.db").exists() or Store(tmp_path / "r.db").runs() == []


# --- row 16: one benchmark per phone --------------------------------------------------------------------------

def _owner(phone):
    return json.loads(phone.fs.read_bytes(OWNER, "shell"))


def _write_lock(phone, **owner):
    phone.fs.mkdir(LOCK_DIR, parents=True)
    phone.fs.write_bytes(OWNER, (json.dumps(owner) + "\n").encode(), "shell")


def test_row16_a_second_bench_on_a_busy_phone_is_refused_with_device_busy(digits_bundle, sim_phone, tmp_path, capsys):
    phone = sim_phone()
    db = tmp_path / "runs.db"
    first: dict = {}

    def bench_a():
        with Store(db) as store:
            first["summary"] = run_bench(quick_plan(digits_bundle.bundle_dir, phone.address, iterations=400,
                                                    threads=(1, 2)), store)

    a = threading.Thread(target=bench_a)
    a.start()
    deadline = time.monotonic() + 60
    while not phone.fs.exists(OWNER) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert phone.fs.exists(OWNER), "the first bench never took the phone's lock"
    code = main(["bench", str(digits_bundle.bundle_dir), "--device", phone.address, "--via", "tcp", "--no-energy",
                 "--artifact", PTE, "--iterations", "5", "--warmup", "1", "--db", str(db)])
    err = capsys.readouterr().err
    a.join(120)
    assert code == 2, err
    assert "device busy" in err and f"{phone.address} is being benchmarked by run" in err and "Traceback" not in err
    s = first["summary"]
    assert (s.ok, s.failed) == (2, 0), s.failures  # the first run was not disturbed
    assert not phone.fs.exists(LOCK_DIR)  # and it let go of the phone


def test_row16_a_lock_from_another_host_is_seen_and_a_stale_one_is_taken_over(digits_bundle, sim_phone, tmp_path):
    phone = sim_phone()
    _write_lock(phone, host="ci-runner-7", pid=4242, run_id="R-other", token="t" * 16, since_utc="2026-12-04T03:00:00Z",
                ttl_s=600)
    with Store(tmp_path / "runs.db") as store:
        with pytest.raises(DeviceBusy, match="run R-other of mobilekit on host ci-runner-7 .pid 4242."):
            run_bench(quick_plan(digits_bundle.bundle_dir, phone.address), store)
        assert _owner(phone)["run_id"] == "R-other"  # a busy phone is left exactly as it was
        _write_lock(phone, host="ci-runner-7", pid=4242, run_id="R-old", token="u" * 16, since_utc="2026-12-04T03:00:00Z",
                    ttl_s=1)
        time.sleep(2.1)
        s = run_bench(quick_plan(digits_bundle.bundle_dir, phone.address), store)
        assert (s.ok, s.failed) == (1, 0), s.failures
        note = store.devices(s.run_id)[0]["info"]["device_lock"]
        assert "took over a stale device lock" in note and "has not renewed it" in note and "R-old" in note


def test_row16_the_lock_of_a_killed_run_on_this_host_is_taken_over_at_once(digits_bundle, sim_phone, tmp_path):
    import socket

    phone = sim_phone()
    _write_lock(phone, host=socket.gethostname(), pid=2 ** 22 + 12345, run_id="R-killed", token="v" * 16,
                since_utc="2026-12-04T03:00:00Z", ttl_s=600)
    with Store(tmp_path / "runs.db") as store:
        s = run_bench(quick_plan(digits_bundle.bundle_dir, phone.address), store)
        assert (s.ok, s.failed) == (1, 0)
        assert "is no longer running" in store.devices(s.run_id)[0]["info"]["device_lock"]


def test_row16_an_orphan_lock_folder_without_owner_is_busy_then_stale(sim_phone):
    phone = sim_phone()
    phone.fs.mkdir(LOCK_DIR, parents=True)
    t = open_transport(phone.address, via="tcp")
    try:
        dev = Device(t)
        with pytest.raises(DeviceBusy, match="its owner record is being written"):
            DeviceLock(dev, "R1", 600, "now").acquire()
        import os

        old = time.time() - 120
        os.utime(phone.fs.host(LOCK_DIR), (old, old))
        lock = DeviceLock(dev, "R1", 600, "now")
        lock.acquire()
        assert lock.held and "no readable owner record" in lock.note
    finally:
        t.close()


def test_row16_a_runner_that_lost_its_lock_stops_using_the_phone(sim_phone):
    phone = sim_phone()
    t = open_transport(phone.address, via="tcp")
    try:
        dev = Device(t)
        mine = DeviceLock(dev, "R-mine", 600, "now")
        mine.acquire()
        mine.refresh()
        phone.fs.write_bytes(OWNER, b'{"host":"h2","pid":1,"run_id":"R-thief","token":"x","since_utc":"s","ttl_s":9}\n',
                             "shell")
        with pytest.raises(MobilekitError, match="lost the device lock .* R-thief"):
            mine.refresh()
        mine.release()
        assert phone.fs.exists(OWNER)  # never removes a lock that is not its own
    finally:
        t.close()


def test_row16_one_busy_phone_of_two_fails_its_cases_and_the_other_runs(digits_bundle, sim_phone, tmp_path):
    busy, free = sim_phone(), sim_phone()
    _write_lock(busy, host="elsewhere", pid=1, run_id="R-other", token="w" * 16, since_utc="x", ttl_s=600)
    with Store(tmp_path / "runs.db") as store:
        s = run_bench(quick_plan(digits_bundle.bundle_dir, busy.address, free.address), store)
        assert (s.ok, s.failed) == (1, 1)
        assert "device busy" in s.failures[0]["error"] and busy.address in s.failures[0]["case_key"]


def test_a_file_pulled_from_a_phone_is_refused_when_it_is_far_too_big(sim_phone, tmp_path):
    from mobilekit.device_runner.device import FileTooLarge

    phone = sim_phone()
    phone.fs.mkdir("/data/local/tmp/res", parents=True)
    phone.fs.write_bytes("/data/local/tmp/res/result.json", b"x" * 5000, "shell")
    t = open_transport(phone.address, via="tcp")
    try:
        with pytest.raises(FileTooLarge, match="5,000 bytes, more than the 4,096"):
            Device(t).pull_dir("/data/local/tmp/res", tmp_path / "pulled", max_bytes=4096)
    finally:
        t.close()
    assert not (tmp_path / "pulled" / "result.json").exists()


def test_row16_mkdir_on_the_simulated_phone_is_atomic_across_sessions(sim_phone):
    """The lock relies on mkdir failing for all but one of several racing shells, as on a phone."""
    phone = sim_phone()
    results = []

    def race():
        t = open_transport(phone.address, via="tcp")
        try:
            results.append(t.run(["mkdir", "/data/local/tmp/race"]))
        finally:
            t.close()

    threads = [threading.Thread(target=race) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert len(results) == 6 and sum(r.ok for r in results) == 1
    assert all("File exists" in r.output for r in results if not r.ok)
