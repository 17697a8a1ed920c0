"""The iOS app (ios/), the checks that need no Swift toolchain: every Swift file parses (tree-sitter-swift; the
SwiftUI views are only parsed, everything else is also compiled and tested by tests/apps/test_swift.py), the
Codable structs decode/encode exactly the keys the JSON Schemas define (each struct names its schema object in a
`// schema:` line), and the XcodeGen project.yml parses and points at real paths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IOS = REPO / "ios"
SCHEMAS = REPO / "schemas"
CORE = IOS / "MobilekitCore" / "Sources" / "MobilekitCore"
MARKER = re.compile(r"^//\s*schema:\s*(\S+?\.schema\.json)(#\S*)$")


def _parser():
    tree_sitter = pytest.importorskip("tree_sitter")
    tree_sitter_swift = pytest.importorskip("tree_sitter_swift")
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))


def _swift_files() -> list[Path]:
    return sorted(IOS.rglob("*.swift"))


def _text(src: bytes, node) -> str:
    return src[node.start_byte:node.end_byte].decode()


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def test_every_swift_file_parses():
    parser = _parser()
    files = _swift_files()
    assert len(files) >= 12, files
    problems = []
    for path in files:
        src = path.read_bytes()
        tree = parser.parse(src)
        for node in _walk(tree.root_node):
            if node.type == "ERROR" or node.is_missing:
                line = node.start_point[0] + 1
                snippet = src.splitlines()[line - 1].decode().strip() if line <= len(src.splitlines()) else ""
                problems.append(f"{path.relative_to(REPO)}:{line}: {'missing ' + node.type if node.is_missing else 'syntax error'}: {snippet}")
    assert not problems, "\n".join(problems)


def _resolve(schema: dict, pointer: str) -> dict:
    node = schema
    for part in [p for p in pointer.lstrip("#").split("/") if p]:
        node = node[int(part)] if isinstance(node, list) else node[part]
        while isinstance(node, dict) and "$ref" in node:
            node = _resolve(schema, node["$ref"])
    return node


def _structs(parser, path: Path):
    """(struct name, schema file, pointer, {key: (swift name, optional)}) for each marked struct."""
    src = path.read_bytes()
    tree = parser.parse(src)
    out = []
    for node in _walk(tree.root_node):
        if node.type != "class_declaration" or not any(c.type == "struct" for c in node.children):
            continue
        prev = node.prev_named_sibling
        marker = MARKER.match(_text(src, prev).strip()) if prev is not None and prev.type == "comment" else None
        if not marker:
            continue
        name = _text(src, next(c for c in node.children if c.type == "type_identifier"))
        body = next(c for c in node.children if c.type == "class_body")
        props: dict[str, bool] = {}
        coding_keys: dict[str, str] | None = None
        for member in body.named_children:
            if member.type == "property_declaration":
                text = _text(src, member)
                if re.search(r"\bstatic\b", text.split("=")[0]) or any(c.type == "computed_property" for c in member.children):
                    continue
                ident = next(c for c in _walk(member) if c.type == "simple_identifier")
                ann = next((c for c in member.children if c.type == "type_annotation"), None)
                optional = ann is not None and any(c.type == "optional_type" for c in ann.children)
                props[_text(src, ident)] = optional
            elif member.type == "class_declaration" and "CodingKeys" in _text(src, member).split("{")[0]:
                coding_keys = {}
                for entry in (n for n in _walk(member) if n.type == "enum_entry"):
                    for case, raw in re.findall(r'(\w+)(?:\s*=\s*"([^"]+)")?', _text(src, entry).replace("case", "", 1)):
                        coding_keys[case] = raw or case
        if coding_keys is None:
            keys = {p: (p, opt) for p, opt in props.items()}
        else:
            missing = set(props) - set(coding_keys)
            assert not missing, f"{path.name} {name}: stored properties not in CodingKeys: {missing}"
            unknown = set(coding_keys) - set(props)
            assert not unknown, f"{path.name} {name}: CodingKeys without a property: {unknown}"
            keys = {raw: (case, props[case]) for case, raw in coding_keys.items()}
        out.append((name, marker.group(1), marker.group(2), keys))
    return out


def test_swift_codable_keys_match_the_schemas():
    parser = _parser()
    seen = {}
    for path in sorted(CORE.glob("*.swift")):
        for name, schema_file, pointer, keys in _structs(parser, path):
            schema = json.loads((SCHEMAS / schema_file).read_text())
            obj = _resolve(schema, pointer)
            allowed = set(obj.get("properties", {}))
            unknown = set(keys) - allowed
            assert not unknown, f"{name} ({schema_file}{pointer}) has keys the schema does not define: {unknown}"
            source = path.read_text()
            for req in obj.get("required", []):
                assert req in keys, f"{name} lacks required {schema_file}{pointer} field {req!r}"
                prop = keys[req][0]
                nullable = "null" in (obj["properties"][req].get("type") or [])
                written_as_null = f"c.encode({prop}, forKey: .{prop})" in source  # encode, not encodeIfPresent
                # The app only reads manifests (a null decodes into an optional); what it writes must write null.
                assert not keys[req][1] or (nullable and (written_as_null or schema_file != "result.schema.json")), \
                    f"{name}.{prop} is optional but {req!r} is required (nullable ones must be encoded as null)"
            seen[name] = (schema_file, pointer, keys)
    expected = {"Manifest", "Source", "Input", "ImagePreprocess", "Output", "Postprocess", "Artifact", "Sample",
                "BenchmarkResult", "AppInfo", "Device", "ArtifactInfo", "Config", "Stats", "Memory", "Energy",
                "Thermal", "Check", "SampleInput", "SampleOutput", "Tokenizer", "TokenizerInputs",
                "LLM", "LLMTokenizer", "KVCache", "PromptFormat", "PromptsFile", "Prompt", "Expected",
                "LLMSection", "Generation", "LLMCheck", "Summary"}
    assert expected <= set(seen), f"structs without a schema marker: {expected - set(seen)}"
    result_keys = seen["BenchmarkResult"][2]
    assert "simulated" not in result_keys, "the iOS app is real hardware: no 'simulated' key"
    result_schema = json.loads((SCHEMAS / "result.schema.json").read_text())
    # every top-level result field the app can fill is declared (no silent drops)
    assert set(result_schema["properties"]) - set(result_keys) == {"simulated"}


def test_benchmark_arguments_mirror_the_android_extras():
    text = (CORE / "BenchmarkArguments.swift").read_text()
    for name in ("bundle", "artifact", "run_id", "warmup", "iterations", "threads", "energy"):
        assert f'values["{name}"]' in text or f'integer("{name}"' in text, name


def test_project_yml_parses_and_points_at_real_paths():
    yaml = pytest.importorskip("yaml")
    spec = yaml.safe_load((IOS / "project.yml").read_text())
    assert spec["name"] == "MobilekitDemo"
    for name, pkg in spec["packages"].items():
        if "path" in pkg:
            assert (IOS / pkg["path"] / "Package.swift").is_file(), name
        else:
            assert pkg["url"].startswith("https://github.com/") and pkg.get("branch"), name
    gradle = (REPO / "android" / "app" / "build.gradle").read_text()
    et_version = re.search(r'def executorchVersion = "([^"]+)"', gradle).group(1)
    assert spec["packages"]["ExecuTorch"]["branch"] == f"swiftpm-{et_version}", "iOS and Android ExecuTorch versions"
    covered = set()
    for tname, target in spec["targets"].items():
        for source in target["sources"]:
            path = IOS / (source["path"] if isinstance(source, dict) else source)
            if isinstance(source, dict) and source.get("optional"):
                # generated before the build (the demo bundles): its script must exist instead
                assert "Generated" in source["path"] and (IOS / "scripts" / "copy-demo-bundles.sh").is_file()
                continue
            assert path.is_dir(), f"{tname}: {path} does not exist"
            covered |= set(path.rglob("*.swift"))
        for dep in target.get("dependencies", []):
            if "package" in dep:
                assert dep["package"] in spec["packages"], dep
        info = target.get("info")
        if info:
            assert (IOS / info["path"]).parent.is_dir()
    app = spec["targets"]["MobilekitDemo"]
    assert app["settings"]["base"]["PRODUCT_BUNDLE_IDENTIFIER"] == "org.mobilekit.demo"
    assert "-all_load" in app["settings"]["base"]["OTHER_LDFLAGS"]
    assert app["info"]["properties"]["UIFileSharingEnabled"] is True
    demo_sources = set((IOS / "MobilekitDemo").rglob("*.swift"))
    assert demo_sources and demo_sources <= covered
    tests = set((IOS / "MobilekitCore" / "Tests").rglob("*.swift"))
    assert len(tests) >= 3 and tests <= covered
    deps = {(d.get("package"), d.get("product")) for d in app["dependencies"]}
    for product in ("backend_coreml", "executorch_llm", "kernels_llm"):  # defect 2; the LLM runner
        assert ("ExecuTorch", product) in deps, product
    assert ("MobilekitCore", "MobilekitApp") in deps
    script = app["preBuildScripts"][0]  # defect 5: declared input/output, sandboxing stated, a team note
    assert script["inputFiles"] and script["outputFiles"]
    assert app["settings"]["base"]["ENABLE_USER_SCRIPT_SANDBOXING"] == "NO"
    assert "DEVELOPMENT_TEAM" in app["settings"]["base"]
    assert app["info"]["properties"]["NSCameraUsageDescription"]


APP = IOS / "MobilekitCore" / "Sources" / "MobilekitApp"


def test_no_inference_on_the_main_thread():
    core_ml = (APP / "CoreMLRunner.swift").read_text()
    assert "DispatchQueue(label:" in core_ml and "queue.sync" in core_ml  # one owner, a serial queue
    engine = (APP / "InferenceEngine.swift").read_text()
    assert "queue.async" in engine and ".run(x)" in engine.split("final class InferenceEngine")[1]
    bench = (IOS / "MobilekitDemo" / "BenchmarkMode.swift").read_text()
    assert "AppBenchmark.queue.async" in bench
    chat = (IOS / "MobilekitDemo" / "ChatView.swift").read_text()
    assert "queue.async" in chat


def test_views_stay_thin():
    """The SwiftUI files (not compiled on Linux) hold no runtime calls: ExecuTorch, Core ML and the capture session
    are used only in MobilekitApp, which swift build compiles against the stand-ins."""
    for path in (IOS / "MobilekitDemo").glob("*.swift"):
        text = path.read_text()
        imports = set(re.findall(r"^import (\w+)", text, re.M))
        assert not imports & {"ExecuTorch", "ExecuTorchLLM", "CoreML"}, (path.name, imports)
        for call in ("Module(", "TextRunner(", "MLModel(", "AVCaptureDeviceInput(", "Preprocess(spec"):
            assert call not in text, (path.name, call)


def test_swift_and_java_preprocess_share_pillows_constants():
    """The Swift port is not compiled here; at least it must use the constants the Java one (proven
    bit-exact against Pillow on the JVM) uses."""
    swift = (CORE / "Preprocess.swift").read_text()
    java = (REPO / "android/app/src/main/java/org/mobilekit/demo/core/Preprocess.java").read_text()
    for needle in ("r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16", "32 - 8 - 2", "-0.5",
                   "(((x - 5) * x + 8) * x - 4) * a", "center - support + 0.5", "center + support + 0.5",
                   "(x + xmin", "* 0.5"):
        assert needle in swift and needle in java, needle
    coreml = (REPO / "export" / "targets" / "coreml.py").read_text()
    assert "bias = [(255.0 * pre.scale - m) / std for m in means]" in coreml  # what ImageTypeFold mirrors
    assert "(255.0 * spec.scale - $0) / std" in swift


def test_swift_knows_the_text_model_contract():
    """Multi-input, integer-input models: the Swift decoders carry every new manifest/result field the app
    uses, the tokenizer is Foundation-only, and the Swift tests mirror the Java goldens."""
    parser = _parser()
    fields = {name: set(keys) for path in sorted(CORE.glob("*.swift")) for name, _, _, keys in _structs(parser, path)}
    assert {"role", "preprocess"} <= fields["Input"]
    assert {"inputs", "outputs", "text", "min_cosine", "expected_output"} <= fields["Sample"]
    assert "normalize" in fields["Postprocess"] and "tokenizer" in fields["Manifest"]
    schema = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    assert fields["Tokenizer"] == set(schema["$defs"]["tokenizer"]["properties"])
    result = json.loads((SCHEMAS / "result.schema.json").read_text())
    assert fields["Check"] == set(result["properties"]["check"]["properties"])
    tok = (CORE / "WordPieceTokenizer.swift").read_text()
    imports = set(re.findall(r"^import (\w+)", tok, re.M))
    assert imports == {"Foundation"}, imports
    for name in ("Manifest.swift", "BenchmarkResult.swift"):
        assert set(re.findall(r"^import (\w+)", (CORE / name).read_text(), re.M)) <= {"Foundation"}, name
    java = (REPO / "android/app/src/main/java/org/mobilekit/demo/core/WordPieceTokenizer.java").read_text()
    for ranges in ("0x4E00", "0x2F800", "0xFFFD", "33", "58", "91", "123"):
        assert ranges in tok and ranges in java, ranges
    tests = IOS / "MobilekitCore" / "Tests" / "MobilekitCoreTests"
    swift_test = (tests / "WordPieceTokenizerTests.swift").read_text()
    assert "tests/apps/data/wordpiece_golden.json" in swift_test and "MOBILEKIT_VOCAB" in swift_test
    assert (REPO / "tests/apps/data/wordpiece_golden.json").is_file()
    demo = IOS / "MobilekitDemo"
    assert "func run(inputs: [InputTensor])" in (CORE / "BenchmarkCase.swift").read_text()
    for runner in ("ExecuTorchRunner.swift", "CoreMLRunner.swift"):
        assert "func run(inputs: [InputTensor]) throws -> [Float]" in (APP / runner).read_text(), runner
    assert "multiArrayConstraint" in (APP / "CoreMLRunner.swift").read_text()  # the model's declared int type
    bench = (CORE / "BenchmarkCase.swift").read_text()
    assert "readSampleInputs" in bench and "BenchmarkResult.Check(manifest:" in bench
    content = (demo / "ContentView.swift").read_text()
    assert "TextField(" in content and "missingTokenizerMessage" in content
    assert "WordPieceTokenizer.load" in (APP / "InferenceEngine.swift").read_text()


def test_two_buttons_in_one_form_row_are_borderless():
    """Defect 3: two default-style buttons in one Form row both fire on a tap anywhere in the row. Every HStack
    holding more than one Button in the SwiftUI files gives each `.buttonStyle(.borderless)`."""
    for path in (IOS / "MobilekitDemo").glob("*.swift"):
        text = path.read_text()
        for m in re.finditer(r"HStack \{", text):
            depth, i = 1, m.end()
            while depth and i < len(text):
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            body = text[m.end():i]
            buttons = len(re.findall(r"\bButton\(", body))
            if buttons > 1 and "Form" in text.split("HStack")[0]:
                assert body.count(".buttonStyle(.borderless)") >= buttons, (path.name, body[:200])
