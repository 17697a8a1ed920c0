"""Issue 17, the terminal (rows 1, 13, 19): one exit-code path, checked through the installed console script as a
user runs it, and one sanitiser for every outside string that reaches the terminal."""

from __future__ import annotations

import json

import pytest
from hostile_helpers import free_port, run_mobilekit

from mobilekit.cli.main import exit_code, main
from mobilekit.cli.terminal import clean, safe

PTE = "digits_cnn.xnnpack.fp32.pte"
HOSTILE_MODEL = "Pixel\x1b]0;pwned\x07 [bold red]OWNED[/] \x1b[2J\u202egnp.exe\x9b31m"


# --- row 1 and 19: the console script's exit codes -------------------------------------------------------------

def test_row1_the_console_script_exits_1_when_cases_fail_and_2_when_refused(digits_bundle, tmp_path):
    dead = f"127.0.0.1:{free_port()}"
    r = run_mobilekit("bench", str(digits_bundle.bundle_dir), "--device", dead, "--via", "tcp", "--no-energy",
                      "--artifact", PTE, "--db", str(tmp_path / "r.db"), cwd=tmp_path)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "0 ok, 1 failed" in r.stderr and "Traceback" not in r.stderr
    r = run_mobilekit("bench", str(digits_bundle.bundle_dir), "--device", dead, "--threads", "four", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr  # a usage error
    (tmp_path / "junk.db").write_text("not sqlite")
    r = run_mobilekit("runs", "list", "--db", str(tmp_path / "junk.db"), cwd=tmp_path)
    assert r.returncode == 2 and "is not a usable mobilekit results database" in r.stderr and "Traceback" not in r.stderr
    r = run_mobilekit("--version", cwd=tmp_path)
    assert r.returncode == 0 and "mobilekit" in r.stdout


def test_row19_a_truncated_pt2_gives_one_clear_message_and_exit_2(user_models, tmp_path):
    import torch

    import usermodels

    ep = torch.export.export(usermodels.small().eval(), (torch.randn(1, 3, 8, 8),))
    torch.export.save(ep, tmp_path / "net.pt2")
    data = (tmp_path / "net.pt2").read_bytes()
    (tmp_path / "trunc.pt2").write_bytes(data[: len(data) // 3])
    r = run_mobilekit("export", "trunc.pt2", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "perhaps truncated" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3, r.stderr  # the message and its hint, no logged torch traceback


@pytest.mark.parametrize("returned, code", [(None, 0), (0, 0), (1, 1), (2, 2), (True, 0), ("text", 0), ({"a": 1}, 0)])
def test_only_ctx_exit_codes_become_exit_codes(returned, code):
    assert exit_code(returned) == code


# --- row 13: device strings on the terminal --------------------------------------------------------------------

def _no_raw_controls(text: str) -> None:
    for c in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert c not in text, repr(c)


def test_the_sanitiser_shows_controls_as_escapes_and_escapes_markup():
    assert clean("a\x1b[2Jb\x07\u202e") == "a\\x1b[2Jb\\x07\\u202e"
    assert clean("one\ntwo\tthree") == "one\\ntwo\\tthree"
    assert clean("error\nhint", keep_newlines=True) == "error\nhint"
    assert safe("[bold]x[/]") == "\\[bold]x\\[/]"
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(safe(HOSTILE_MODEL))
    out = console.export_text()
    _no_raw_controls(out)
    assert "[bold red]OWNED[/]" in out and "\\x1b]0;pwned\\x07" in out


def test_row13_devices_bench_and_runs_print_a_hostile_model_name_inertly(digits_bundle, sim_phone, tmp_path, capsys,
                                                                        monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # wide tables: a cell is not wrapped, so the text can be looked for
    phone = sim_phone(model=HOSTILE_MODEL)
    db = tmp_path / "r.db"
    assert main(["devices", "--device", phone.address]) == 0
    out = capsys.readouterr()
    _no_raw_controls(out.out + out.err)
    assert "[bold red]OWNED[/]" in out.out  # shown as text, not rendered as markup
    assert main(["bench", str(digits_bundle.bundle_dir), "--device", phone.address, "--via", "tcp", "--no-energy",
                 "--artifact", PTE, "--iterations", "5", "--warmup", "1", "--db", str(db)]) == 0
    out = capsys.readouterr()
    _no_raw_controls(out.out + out.err)
    assert "OWNED" in out.out
    run_id = json.loads(_json(["runs", "list", "--db", str(db), "--json"], capsys))[0]["run_id"]
    for args in (["runs", "show", run_id, "--db", str(db)], ["runs", "list", "--db", str(db)],
                 ["compare", run_id, run_id, "--db", str(db)]):
        assert main(args) == 0, args
        out = capsys.readouterr()
        _no_raw_controls(out.out + out.err)
    shown = _json(["runs", "show", run_id, "--db", str(db), "--json"], capsys)
    assert "\\u001b]0;pwned" in shown  # machines still get the exact string, JSON-escaped


def _json(args, capsys) -> str:
    assert main(args) == 0
    return capsys.readouterr().out


def test_row13_error_messages_are_sanitised_too(tmp_path, capsys):
    bad = tmp_path / "bundle\x1b]0;pwned\x07"
    bad.mkdir()
    assert main(["bench", str(bad), "--device", "127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    _no_raw_controls(err)
    assert "\\x1b]0;pwned\\x07 is not a mobilekit bundle" in err
