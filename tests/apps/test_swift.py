"""The iOS Swift, compiled and tested for real on Linux (scripts/swift.sh: Swift 6.0.3 from Debian trixie in a
chroot), and the stand-in modules it compiles against checked against the real sources.

- ``test_swift_build_and_test``: ``swift build`` + ``swift test`` of every Swift package under ios/, with the
  camera frames and the MiniLM vocab handed in (tests/apps/ios_swift_data.py): 0 failures, 0 skipped; the
  result.json files the benchmark-case tests write validate against schemas/result.schema.json.
- ``test_a_missing_import_fails_the_build``: ExecuTorchRunner.swift without ``import MobilekitCore`` (issue 15's
  defect 1) on a temporary copy does not compile.
- ``test_stand_ins_declare_only_real_signatures``: every public declaration in ios/MobilekitCore/StandIns names its
  real source; Swift ones appear verbatim in pytorch/executorch's files (vendored, sha256-pinned), Objective-C ones
  quote a header declaration whose Swift name is the stand-in's.
- ``test_llm_fixtures_validate``: the hand-written LLM manifest/prompts the Swift tests read are valid bundles.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PKG = REPO / "ios" / "MobilekitCore"
STAND_INS = PKG / "StandIns"
UPSTREAM = STAND_INS / "upstream" / "executorch"
FIXTURES = PKG / "Tests" / "MobilekitCoreTests" / "Fixtures"
SCHEMAS = REPO / "schemas"


def _can_run_swift() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        msg = "scripts/swift.sh needs root and apt-get (debootstrap, chroot)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


def _swift(*args: str, env: dict | None = None, timeout: int = 1500) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(REPO / "scripts" / "swift.sh"), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)


XCTEST_TOTAL = re.compile(r"Test Suite 'All tests' (passed|failed) at .*\n\s+Executed (\d+) tests?, with "
                          r"(?:(\d+) tests? skipped and )?(\d+) failures?")


@pytest.mark.slow
def test_swift_build_and_test(tmp_path):
    _can_run_swift()
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from ios_swift_data import write_all

    data = tmp_path / "data"
    write_all(data)
    out = tmp_path / "out"
    proc = _swift("test", env={"MOBILEKIT_SWIFT_DATA": str(data), "MOBILEKIT_SWIFT_OUT": str(out)})
    log = proc.stdout + proc.stderr
    (tmp_path / "swift.log").write_text(log)
    assert proc.returncode == 0, log[-6000:]
    totals = XCTEST_TOTAL.findall(log)
    assert totals, log[-3000:]
    packages = sorted(p.parent.relative_to(REPO) for p in (REPO / "ios").rglob("Package.swift")
                      if "upstream" not in p.parts and ".build" not in p.parts)
    assert len(totals) == len(packages), (totals, packages)
    for status, executed, skipped, failures in totals:
        assert status == "passed" and int(failures) == 0 and int(skipped or 0) == 0, totals
        assert int(executed) >= 40, totals
    assert " skipped " not in log.replace("0 tests skipped", ""), "a Swift test was skipped"
    # The camera test compared every frame (it prints its worst difference).
    worst = re.search(r"camera frames: (\d+) cases, worst difference ([0-9.e-]+) pixel steps", log)
    assert worst and int(worst.group(1)) >= 16 and float(worst.group(2)) <= 1 / 255, log[-2000:]
    # What the benchmark mode wrote is what the runner reads.
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SCHEMAS / "result.schema.json").read_text())
    for name in ("model-result.json", "llm-result.json"):
        result = json.loads((out / name).read_text())
        jsonschema.validate(result, schema)
        assert "simulated" not in result
    llm = json.loads((out / "llm-result.json").read_text())
    assert llm["config"]["kind"] == "llm" and len(llm["llm"]["generations"]) == 4
    assert llm["llm"]["generations"][0]["check"] == {"expected_tokens": 3, "text_equal": True, "ok": True}


@pytest.mark.slow
def test_a_missing_import_fails_the_build(tmp_path):
    """Issue 15's defect 1: ExecuTorchRunner uses InputTensor from MobilekitCore; without the import Xcode stopped
    with "cannot find type 'InputTensor' in scope". The Linux build must stop the same way."""
    _can_run_swift()
    copy = tmp_path / "checkout"
    shutil.copytree(REPO / "ios", copy / "ios", ignore=shutil.ignore_patterns(".build", "Generated"))
    runner = copy / "ios" / "MobilekitCore" / "Sources" / "MobilekitApp" / "ExecuTorchRunner.swift"
    text = runner.read_text()
    assert "import MobilekitCore\n" in text
    runner.write_text(text.replace("import MobilekitCore\n", ""))
    proc = _swift("--src", str(copy), "build")
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert "cannot find type 'InputTensor' in scope" in log, log[-3000:]
    assert "ExecuTorchRunner.swift" in log


# ---- stand-in signatures --------------------------------------------------------------------------------------

REAL = re.compile(r"^\s*/// real: (?P<file>[^:\s]+)(?::\s*(?P<text>.+))?$")
PUBLIC = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:public|open)\s+(?!extension\b)")
IN_PUBLIC_EXT = re.compile(r"^\s*(?:func|static|var|let|init|convenience|subscript)\b")
CASE = re.compile(r"^\s*case\s+`?(\w+)`?")


def _norm(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+([),])", r"\1", text)
    return re.sub(r",\s*\)", ")", text)


def _signature(lines: list[str], i: int) -> str:
    """The declaration starting at line i, up to its body's `{` (or the line end), whitespace-normalised."""
    out = []
    depth = 0
    for line in lines[i:]:
        for ch in line:
            if ch == "{" and depth == 0:
                return _norm(" ".join(out + [line[:line.index("{")]]))
            depth += ch == "("
            depth -= ch == ")"
        out.append(line)
        if depth == 0 and not line.rstrip().endswith(","):
            break
    return _norm(" ".join(out))


def _declarations(path: Path):
    """(line number, signature, real-file, real-text) for every public declaration and enum case."""
    lines = path.read_text().splitlines()
    ext_depth = []  # brace depth of open `public extension` blocks
    depth = 0
    for i, line in enumerate(lines):
        code = line.split("//")[0]
        in_ext = bool(ext_depth) and depth == ext_depth[-1] + 1
        if re.match(r"^\s*public extension\b", code):
            ext_depth.append(depth)
        elif PUBLIC.match(code) or CASE.match(code) or (in_ext and IN_PUBLIC_EXT.match(code)):
            j = i - 1
            while j >= 0 and lines[j].strip().startswith("@"):
                j -= 1
            m = REAL.match(lines[j]) if j >= 0 else None
            yield i + 1, _signature(lines, i), (m.group("file") if m else None), (m.group("text") if m else None)
        depth += code.count("{") - code.count("}")
        while ext_depth and depth <= ext_depth[-1]:
            ext_depth.pop()


def _swift_name_of_objc(text: str) -> tuple[str, list[str]] | None:
    """The Swift base name and argument labels an Objective-C declaration imports as, where the header says it
    (NS_SWIFT_NAME) or the rule is mechanical (init-with selectors, properties); None otherwise."""
    named = re.search(r"NS_SWIFT_NAME\((\w+)\(([\w:]*)\)\)", text)
    if named:
        return named.group(1), [p for p in named.group(2).split(":") if p and p != "_"]
    prop = re.match(r"@property\s*\(([^)]*)\)[^;]*?\**\s*(\w+)\s*(?:NS_\w+(?:\([^)]*\))?\s*)*;?$", text)
    if prop:
        getter = re.search(r"getter=(\w+)", prop.group(1))
        return (getter.group(1) if getter else prop.group(2)), []
    init = re.match(r"-\s*\(instancetype\)\s*initWith(\w+):", text)
    if init:
        parts = re.findall(r"(\w+):\(", text)
        labels = [init.group(1)[0].lower() + init.group(1)[1:]] + [p for p in parts[1:] if p != "error"]
        return "init", labels
    return None


def _swift_name_of_decl(sig: str) -> tuple[str, list[str]] | None:
    m = re.search(r"\b(?:func\s+`?(\w+)`?|(init))\s*(?:<[^>]*>)?\((.*)\)", sig)
    if m:
        name = m.group(1) or "init"
        params = re.split(r",\s*(?![^()\[\]<>]*[)\]>])", m.group(3)) if m.group(3).strip() else []
        labels = [p.strip().split(":")[0].split()[0] for p in params]
        return name, [lab for lab in labels if lab != "_"]
    v = re.search(r"\bvar\s+(\w+)", sig)
    if v:
        return v.group(1), []
    return None


def _upstream_text(name: str) -> str:
    return _norm((UPSTREAM / name).read_text())


def test_vendored_upstream_sources_are_verbatim():
    """The pytorch/executorch files the stand-ins are checked against are the recorded ones (sha256)."""
    lines = [ln for ln in (UPSTREAM / "SOURCES.txt").read_text().splitlines() if ln and not ln.startswith("#")]
    assert len(lines) >= 8
    for line in lines:
        path, digest = line.split()
        assert hashlib.sha256((UPSTREAM / Path(path).name).read_bytes()).hexdigest() == digest, path


def test_stand_ins_declare_only_real_signatures():
    problems = []
    count = 0
    for path in sorted(STAND_INS.glob("*/*.swift")):
        for line, sig, real_file, real_text in _declarations(path):
            count += 1
            where = f"{path.relative_to(REPO)}:{line}: {sig}"
            if real_file is None:
                problems.append(f"{where}: no `/// real:` line names its source")
                continue
            vendored = (UPSTREAM / real_file).is_file()
            if real_text is None:
                # A Swift declaration: it must be the real one, word for word.
                if not vendored or not real_file.endswith(".swift"):
                    problems.append(f"{where}: `/// real: {real_file}` without text must name a vendored Swift file")
                    continue
                bare = re.sub(r"^(public|open)\s+", "", sig)
                if bare not in _upstream_text(real_file):
                    problems.append(f"{where}: not found in {real_file}")
                continue
            if vendored and _norm(real_text) not in _upstream_text(real_file):
                problems.append(f"{where}: {real_file} has no declaration {real_text!r}")
                continue
            if real_file.endswith(".swiftinterface"):
                bare = re.sub(r"\b(CoreML|Swift|Foundation)\.", "", real_text)
                if re.sub(r"^public\s+", "", sig) not in _norm(bare) and sig not in _norm(bare):
                    problems.append(f"{where}: differs from the interface's {real_text!r}")
                continue
            objc = _swift_name_of_objc(real_text)
            decl = _swift_name_of_decl(sig)
            if objc and decl and objc != decl:
                problems.append(f"{where}: the header imports as {objc}, the stand-in declares {decl}")
    assert count >= 100, count
    assert not problems, "\n".join(problems)


def test_the_checker_catches_an_invented_member(tmp_path):
    """The signature check is not vacuous: a made-up method, a renamed label and a wrong Swift-side text fail."""
    fake = tmp_path / "Fake.swift"
    fake.write_text("public extension Module {\n  /// real: ExecuTorch+Module.swift\n"
                    "  func forward(_ inputs: [ValueConvertible], threads: Int) throws -> [Value] { fatalError() }\n}\n"
                    "public class Module {\n  /// real: ExecuTorchModule.h: - (BOOL)loadMethod:(NSString *)methodName"
                    " error:(NSError **)error NS_SWIFT_NAME(load(_:));\n"
                    "  public func load(method: String) throws { fatalError() }\n}\n")
    found = list(_declarations(fake))
    forward = next(d for d in found if "forward" in d[1])
    assert re.sub(r"^(public|open)\s+", "", forward[1]) not in _upstream_text("ExecuTorch+Module.swift")
    load = next(d for d in found if "load" in d[1])
    assert _swift_name_of_objc(load[3]) == ("load", []) and _swift_name_of_decl(load[1]) == ("load", ["method"])
    real_init = "- (instancetype)initWithModelPath:(NSString *)modelPath tokenizerPath:(NSString *)tokenizerPath " \
                "specialTokens:(NSArray<NSString *> *)specialTokens NS_DESIGNATED_INITIALIZER;"
    assert _swift_name_of_objc(real_init) == ("init", ["modelPath", "tokenizerPath", "specialTokens"])


def test_llm_fixtures_validate():
    jsonschema = pytest.importorskip("jsonschema")
    manifest = json.loads((FIXTURES / "llm" / "manifest.json").read_text())
    jsonschema.validate(manifest, json.loads((SCHEMAS / "manifest.schema.json").read_text()))
    prompts = json.loads((FIXTURES / "llm" / "prompts.json").read_text())
    jsonschema.validate(prompts, json.loads((SCHEMAS / "prompts.schema.json").read_text()))
    art = manifest["artifacts"][0]
    data = (FIXTURES / "llm" / art["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == art["sha256"] and len(data) == art["bytes"]
    tok = json.loads((FIXTURES / "llm" / "tokenizer.json").read_text())
    special = {t["id"]: t["content"] for t in tok["added_tokens"]}
    assert set(manifest["llm"]["eos_ids"]) <= set(special)
    for p in prompts["prompts"]:
        for e in p.get("expected", []):
            assert any(a["file"] == e["file"] for a in manifest["artifacts"])
    # The tiny tokenizer's ids agree with the tokenizers library, when it is installed (it is in the pinned env).
    tokenizers = pytest.importorskip("tokenizers")
    t = tokenizers.Tokenizer.from_str((FIXTURES / "llm" / "tokenizer.json").read_text())
    assert t.encode("hi there", add_special_tokens=False).ids == [6, 11]
    assert t.encode("<|im_start|>hi there<|im_end|>", add_special_tokens=False).ids == [12, 6, 11, 13]
    assert t.encode("hi\n", add_special_tokens=False).ids == [6, 15]


def _swift_string(literal: str) -> str:
    r"""A Swift string literal's value (the escapes the path tests use: backslash and u{N})."""
    return re.sub(r"\\u\{([0-9A-Fa-f]+)\}|\\\\", lambda m: chr(int(m.group(1), 16)) if m.group(1) else "\\", literal)


def test_swift_path_cases_agree_with_the_schema_pattern():
    """BundlePathTests' good and bad paths are what schemas/manifest.schema.json's bundle_path pattern says
    ("~/x" and "C:x" match the pattern but are refused by every reader as absolute: export.manifest.path_problem)."""
    schema = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    rule = schema["$defs"]["bundle_path"]
    pattern = re.compile(rule["pattern"])
    text = (PKG / "Tests" / "MobilekitCoreTests" / "BundlePathTests.swift").read_text()

    def cases(name):
        block = re.search(rf"for {name} in \[(.*?)\] \{{", text, re.S).group(1)
        literals = re.sub(r'String\(repeating: "a", count: (\d+)\)', "", block)
        found = [_swift_string(m) for m in re.findall(r'"((?:[^"\\]|\\.)*)"', literals)]
        found += ["a" * int(n) for n in re.findall(r'String\(repeating: "a", count: (\d+)\)', block)]
        return found

    bad, good = cases("bad"), cases("good")
    assert len(bad) >= 12 and len(good) >= 5 and "a\\b" in bad and "a\x00b" in bad
    for p in good:
        assert pattern.fullmatch(p) and len(p) <= rule["maxLength"], p
    for p in bad:
        ok = pattern.fullmatch(p) and len(p) <= rule["maxLength"]
        assert not ok or p in ("~/x", "C:x"), repr(p)


def test_swift_folder_digest_is_the_exporters():
    """SHA256Tests.exportersFolderDigest is what export.manifest.sha256_path gives for the fixture .mlpackage."""
    from mobilekit.export.manifest import sha256_path

    text = (PKG / "Tests" / "MobilekitCoreTests" / "SHA256AndBundleStoreTests.swift").read_text()
    recorded = re.search(r'exportersFolderDigest = "([0-9a-f]{64})"', text).group(1)
    assert sha256_path(FIXTURES / "m.coreml.fp16.mlpackage") == recorded
