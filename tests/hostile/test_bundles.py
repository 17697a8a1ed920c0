"""Issue 17, bundles from elsewhere (rows 3, 4, 11, 17, 18): one path rule for every manifest path (schema and code,
used by validate, bench and the farms) and one sha256 check before anything is pushed."""

from __future__ import annotations

import json
import os

import pytest
from hostile_helpers import quick_plan

from mobilekit import schemas
from mobilekit.cli.main import main
from mobilekit.device_runner.bench import run_bench
from mobilekit.device_runner.plan import load_bundle
from mobilekit.device_runner.store import Store
from mobilekit.export import manifest as manifest_io
from mobilekit.export.bundle_check import check_bundle

PTE = "digits_cnn.xnnpack.fp32.pte"
SECRET = "top secret: never on a phone"


@pytest.fixture()
def secret(tmp_path):
    p = tmp_path / "SECRET"
    p.write_text(SECRET)
    return p


def _phone_holds_secret(phone) -> bool:
    for dirpath, _, files in os.walk(phone.root):
        for f in files:
            try:
                if SECRET.encode() in open(os.path.join(dirpath, f), "rb").read():
                    return True
            except OSError:
                pass
    return False


def _edits(secret):
    rel = "../" * 6 + str(secret).lstrip("/")  # climbs from the bundle to the same file
    return {
        "labels_absolute": lambda d: d.update(labels=str(secret)),
        "labels_dotdot": lambda d: d.update(labels=rel),
        "extra_files_dotdot": lambda d: d["artifacts"][0].update(extra_files=[rel]),
        "sample_input_absolute": lambda d: d["sample"].update(input=str(secret)),
        "sample_inputs_file_absolute": lambda d: d["sample"].update(
            inputs=[{"name": d["inputs"][0]["name"], "file": str(secret), "dtype": "float32", "shape": d["inputs"][0]["shape"]}]),
        "artifact_dotdot": lambda d: d["artifacts"][0].update(file=".."),
    }


EDITS = ["labels_absolute", "labels_dotdot", "extra_files_dotdot", "sample_input_absolute", "sample_inputs_file_absolute",
         "artifact_dotdot"]


@pytest.mark.parametrize("edit", EDITS)
def test_rows3_11_18_a_path_outside_the_bundle_is_refused_by_validate(bundle_copy, secret, edit, capsys):
    bundle = bundle_copy(_edits(secret)[edit])
    with pytest.raises(manifest_io.BundleError, match="A manifest may only name plain relative paths inside its own bundle"):
        check_bundle(bundle)
    assert main(["validate", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "inside its own bundle" in err


@pytest.mark.parametrize("edit", EDITS)
def test_row3_bench_refuses_it_before_anything_reaches_the_phone(bundle_copy, secret, edit, sim_phone, tmp_path):
    bundle = bundle_copy(_edits(secret)[edit])
    phone = sim_phone()
    with Store(tmp_path / "runs.db") as store, pytest.raises(manifest_io.BundleError, match="inside its own bundle"):
        run_bench(quick_plan(bundle, phone.address), store)
    assert not _phone_holds_secret(phone)
    assert not phone.fs.exists("/data/local/tmp/mobilekit")


def test_row3_a_symlink_out_of_the_bundle_is_refused(bundle_copy, secret, sim_phone, tmp_path, capsys):
    bundle = bundle_copy()
    (bundle / "labels.txt").unlink()
    (bundle / "labels.txt").symlink_to(secret)
    with pytest.raises(manifest_io.BundleError, match="resolves outside the bundle .* through a symbolic link"):
        load_bundle(bundle)
    phone = sim_phone()
    assert main(["bench", str(bundle), "--device", phone.address, "--via", "tcp", "--no-energy"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not _phone_holds_secret(phone)


def test_a_symlink_inside_a_folder_artifact_is_refused(bundle_copy, secret):
    def edit(d):
        d["artifacts"].append({**d["artifacts"][0], "file": "x.mlpackage", "platforms": ["ios"], "runtime": "coreml"})

    bundle = bundle_copy(edit)
    (bundle / "x.mlpackage" / "Data").mkdir(parents=True)
    (bundle / "x.mlpackage" / "Data" / "weights.bin").symlink_to(secret)
    with pytest.raises(manifest_io.BundleError, match="x.mlpackage.*resolves outside the bundle"):
        manifest_io.read_manifest(bundle)


def test_a_symlink_that_stays_inside_the_bundle_is_fine(bundle_copy):
    bundle = bundle_copy()
    (bundle / "labels-real.txt").write_text((bundle / "labels.txt").read_text())
    (bundle / "labels.txt").unlink()
    (bundle / "labels.txt").symlink_to("labels-real.txt")
    assert load_bundle(bundle).files


def test_row4_a_flipped_byte_is_refused_before_pushing(bundle_copy, sim_phone, tmp_path, capsys):
    bundle = bundle_copy()
    data = bytearray((bundle / PTE).read_bytes())
    data[len(data) // 2] ^= 0x01
    (bundle / PTE).write_bytes(bytes(data))
    with pytest.raises(manifest_io.BundleError, match=rf"does not match its manifest, so nothing was pushed: {PTE}: sha256"):
        load_bundle(bundle)
    phone = sim_phone()
    assert main(["bench", str(bundle), "--device", phone.address, "--via", "tcp", "--no-energy", "--artifact", PTE]) == 2
    assert "nothing was pushed" in capsys.readouterr().err
    assert not phone.fs.exists("/data/local/tmp/mobilekit")


def test_row4_a_file_changed_after_the_check_is_not_pushed(bundle_copy, sim_phone):
    from mobilekit.device_runner.connect import open_transport
    from mobilekit.device_runner.device import BundleChanged, Device

    bundle = bundle_copy()
    b = load_bundle(bundle)
    (bundle / "labels.txt").write_text("changed after the check\n")
    phone = sim_phone()
    t = open_transport(phone.address, via="tcp")
    try:
        files = {bundle / n: f"/data/local/tmp/mobilekit/{b.sha12}/{n}" for n in b.files}
        with pytest.raises(BundleChanged, match="labels.txt changed after the bundle was checked"):
            Device(t).push_files(files, expected={bundle / n: b.sha256[n] for n in b.files})
    finally:
        t.close()
    assert not phone.fs.exists(f"/data/local/tmp/mobilekit/{b.sha12}")


@pytest.mark.parametrize("select", [(), (PTE,)])
def test_row17_a_deleted_artifact_is_named_not_skipped(bundle_copy, tmp_path, select, capsys):
    bundle = bundle_copy()
    (bundle / PTE).unlink()
    with pytest.raises(manifest_io.BundleError, match=f"lists {PTE} but that file is missing"):
        load_bundle(bundle)
    args = ["bench", str(bundle), "--device", "127.0.0.1:1", "--via", "tcp"] + [x for a in select for x in ("--artifact", a)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"lists {PTE} but that file is missing" in err and "No bundle has an Android artifact" not in err


def test_row18_dot_names_are_refused_by_the_schema_and_the_name_too(digits_bundle):
    doc = json.loads((digits_bundle.bundle_dir / "manifest.json").read_text())
    for bad in (".", ".."):
        d = json.loads(json.dumps(doc))
        d["artifacts"][0]["file"] = bad
        d["name"] = bad
        problems = "\n".join(schemas.errors(d, schemas.MANIFEST))
        assert "artifacts/0/file" in problems and "name:" in problems


VALUES = {"ok": ["labels.txt", "tok/vocab.txt", ".hidden", "..x", "a b.bin"],
          "bad": ["/etc/passwd", "../x", "a/../../x", "a/./b", "./a", "a//b", "a/", "", "a\\..\\b", "C\\x", "a\nb",
                  "\x1b]0;x\x07", ".", ".."]}

LLM = {"architecture": "llama", "tokenizer": {"file": "tokenizer.json"}, "bos_id": 1, "eos_ids": [2], "max_seq_len": 8,
       "vocab_size": 10, "kv_cache": {"dtype": "float32", "bytes_per_token": 4},
       "prompt_format": {"user": "{content}", "assistant_prefix": ""}, "prompts": "prompts.json"}


def _setters():
    def sample_io(group, d, v):
        d["sample"][group] = [{"name": "x", "file": v, "dtype": "float32", "shape": [1]} if group == "inputs"
                              else {"name": "x", "file": v}]
    return {
        "labels": lambda d, v: d.update(labels=v),
        "validation": lambda d, v: d.update(validation=v),
        "report": lambda d, v: d.update(report=v),
        "sample.input": lambda d, v: d["sample"].update(input=v),
        "sample.expected_output": lambda d, v: d["sample"].update(expected_output=v),
        "sample.inputs[0].file": lambda d, v: sample_io("inputs", d, v),
        "sample.outputs[0].file": lambda d, v: sample_io("outputs", d, v),
        "artifacts[0].file": lambda d, v: d["artifacts"][0].update(file=v),
        "artifacts[0].extra_files[0]": lambda d, v: d["artifacts"][0].update(extra_files=[v]),
        "tokenizer.vocab": lambda d, v: d.update(tokenizer={"kind": "wordpiece", "vocab": v, "max_length": 8,
                                                            "inputs": {"input_ids": "x"}}),
        "tokenizer.file": lambda d, v: d.update(tokenizer={"kind": "wordpiece", "vocab": "vocab.txt", "file": v,
                                                           "max_length": 8, "inputs": {"input_ids": "x"}}),
        "llm.tokenizer.file": lambda d, v: d.update(llm={**LLM, "tokenizer": {"file": v}}),
        "llm.prompts": lambda d, v: d.update(llm={**LLM, "prompts": v}),
    }


@pytest.mark.parametrize("value", VALUES["ok"] + VALUES["bad"])
def test_the_schema_and_the_code_apply_the_same_rule_to_every_path_field(digits_bundle, value):
    """Every path field of the manifest obeys one rule, in the schema (what the apps check) and in code (validate,
    bench, farms): each field alone, set to the value, is refused by both or by neither."""
    base = json.loads((digits_bundle.bundle_dir / "manifest.json").read_text())
    assert schemas.errors(base, schemas.MANIFEST) == []
    covered = set()
    for field, setter in _setters().items():
        doc = json.loads(json.dumps(base))
        setter(doc, value)
        entries = [(w, kind) for w, v, kind in manifest_io.manifest_paths(doc) if w == field]
        assert len(entries) == 1, field
        kind = entries[0][1]
        code_bad = manifest_io.path_problem(value, kind) is not None
        schema_bad = schemas.errors(doc, schemas.MANIFEST) != []
        assert code_bad == schema_bad, (field, value, schemas.errors(doc, schemas.MANIFEST))
        assert code_bad == (value in VALUES["bad"] or (kind == "bundle_file" and "/" in value)), (field, value)
        covered.add(field)
    assert covered == {w for w, _, _ in manifest_io.manifest_paths(_everything())}


def _everything() -> dict:
    doc = {"labels": "a", "validation": "a", "report": "a", "sample": {"input": "a", "expected_output": "a",
           "inputs": [{"file": "a"}], "outputs": [{"file": "a"}]}, "artifacts": [{"file": "a", "extra_files": ["a"]}],
           "tokenizer": {"vocab": "a", "file": "a"}, "llm": {"tokenizer": {"file": "a"}, "prompts": "a"}}
    return doc


def test_farm_jobs_use_the_same_rule_and_pin(bundle_copy, secret, tmp_path):
    from mobilekit.device_runner.farms.aws import AwsConfig, write_aws_job
    from mobilekit.device_runner.farms.base import FarmPlan
    from mobilekit.device_runner.farms.firebase import FirebaseConfig, write_firebase_job

    bundle = bundle_copy(_edits(secret)["labels_dotdot"])
    with pytest.raises(manifest_io.BundleError, match="inside its own bundle"):
        write_aws_job(FarmPlan(bundle), AwsConfig(tmp_path / "aws"))
    with pytest.raises(manifest_io.BundleError, match="inside its own bundle"):
        write_firebase_job(FarmPlan(bundle), FirebaseConfig(tmp_path / "ftl"))
    assert not (tmp_path / "aws").exists() and not (tmp_path / "ftl").exists()
    good = bundle_copy(name="good")
    data = bytearray((good / PTE).read_bytes())
    data[100] ^= 0xFF
    (good / PTE).write_bytes(bytes(data))
    with pytest.raises(manifest_io.BundleError, match="does not match its manifest"):
        write_aws_job(FarmPlan(good), AwsConfig(tmp_path / "aws2"))
