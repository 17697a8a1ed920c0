"""Guards for the build settings that stopped the apps from building on the first try: one ExecuTorch
version everywhere (exporter, Android, iOS), AndroidX on, a Gradle wrapper that the Android Gradle plugin
supports, a Swift language mode Xcode accepts, and the activities' manifest entries (fast: text only)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
ANDROID = REPO / "android"
IOS = REPO / "ios"
A = "{http://schemas.android.com/apk/res/android}"

# Minimum Gradle for each Android Gradle plugin minor (developer.android.com/build/releases/gradle-plugin,
# "Compatibility": AGP 8.7 -> Gradle 8.9, ...). AGP 8.x runs on Gradle 8.x.
AGP_MIN_GRADLE = {(8, 2): (8, 2), (8, 3): (8, 4), (8, 4): (8, 6), (8, 5): (8, 7), (8, 6): (8, 7), (8, 7): (8, 9),
                  (8, 8): (8, 10, 2), (8, 9): (8, 11, 1), (8, 10): (8, 11, 1), (8, 11): (8, 13)}
# Xcode's SWIFT_VERSION build setting takes language modes, not compiler versions.
SWIFT_LANGUAGE_MODES = {"4.0", "4.2", "5.0", "6.0"}


def _v(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def versions() -> dict[str, str]:
    req = (REPO / "requirements.txt").read_text()
    gradle = dict(re.findall(r'def (\w+Version) = "([^"]+)"', (ANDROID / "app" / "build.gradle").read_text()))
    pom = (ANDROID / "jvm-check" / "pom.xml").read_text()
    java = (ANDROID / "app/src/main/java/org/mobilekit/demo/core/RuntimeVersions.java").read_text()
    swift = (IOS / "MobilekitCore/Sources/MobilekitCore/RuntimeVersions.swift").read_text()
    project = yaml.safe_load((IOS / "project.yml").read_text())
    return {
        "requirements.txt executorch==": re.search(r"^executorch==([\d.]+)\s*$", req, re.M).group(1),
        "android/app/build.gradle executorchVersion": gradle["executorchVersion"],
        "android/jvm-check/pom.xml executorch.version": re.search(r"<executorch.version>([^<]+)<", pom).group(1),
        "RuntimeVersions.java EXECUTORCH": re.search(r'EXECUTORCH = "([^"]+)"', java).group(1),
        "RuntimeVersions.swift executorch": re.search(r'executorch = "([^"]+)"', swift).group(1),
        "ios/project.yml ExecuTorch branch": re.fullmatch(r"swiftpm-([\d.]+)",
                                                          project["packages"]["ExecuTorch"]["branch"]).group(1),
    }


def test_one_executorch_version_everywhere():
    v = versions()
    assert len(set(v.values())) == 1, "ExecuTorch versions disagree (.pte files are not forward compatible):\n" + \
        "\n".join(f"  {k}: {x}" for k, x in v.items())


def test_onnxruntime_version_is_recorded_once():
    gradle = dict(re.findall(r'def (\w+Version) = "([^"]+)"', (ANDROID / "app" / "build.gradle").read_text()))
    pom = (ANDROID / "jvm-check" / "pom.xml").read_text()
    java = (ANDROID / "app/src/main/java/org/mobilekit/demo/core/RuntimeVersions.java").read_text()
    assert gradle["onnxruntimeVersion"] == re.search(r"<onnxruntime.version>([^<]+)<", pom).group(1) \
        == re.search(r'ONNXRUNTIME = "([^"]+)"', java).group(1)
    assert gradle["robolectricVersion"] == re.search(r"<robolectric.version>([^<]+)<", pom).group(1)


def test_onnxruntime_genai_version_is_the_exporters():
    """The app's GenAI runtime is the one whose builder wrote the bundle's model folder (requirements.txt)."""
    gradle = dict(re.findall(r'def (\w+Version) = "([^"]+)"', (ANDROID / "app" / "build.gradle").read_text()))
    req = re.search(r"^onnxruntime-genai==([\d.]+)\s*$", (REPO / "requirements.txt").read_text(), re.M).group(1)
    assert gradle["onnxruntimeGenaiVersion"] == req
    assert 'implementation "com.microsoft.onnxruntime:onnxruntime-genai-android:${onnxruntimeGenaiVersion}"' in \
        (ANDROID / "app" / "build.gradle").read_text()


def test_androidx_is_on():
    props = dict(l.split("=", 1) for l in (ANDROID / "gradle.properties").read_text().splitlines()
                 if "=" in l and not l.lstrip().startswith("#"))
    # executorch-android depends on androidx.core (core-ktx): AGP stops at sync without AndroidX.
    assert props.get("android.useAndroidX", "").strip() == "true"


def test_gradle_wrapper_matches_the_android_gradle_plugin():
    agp = re.search(r'id "com.android.application" version "([\d.]+)"', (ANDROID / "build.gradle").read_text()).group(1)
    props = (ANDROID / "gradle" / "wrapper" / "gradle-wrapper.properties").read_text()
    url = re.search(r"^distributionUrl=(.+)$", props, re.M).group(1).replace("\\:", ":")
    gradle = re.search(r"/gradle-([\d.]+)-(bin|all)\.zip$", url).group(1)
    minimum = AGP_MIN_GRADLE[_v(agp)[:2]]
    assert _v(gradle) >= minimum, f"AGP {agp} needs Gradle >= {'.'.join(map(str, minimum))}, the wrapper pins {gradle}"
    assert _v(gradle)[0] == _v(agp)[0] == 8, f"AGP {agp} with Gradle {gradle}: keep both on major 8"
    for script in ("gradlew", "gradlew.bat"):
        text = (ANDROID / script).read_text()
        assert "gradle-wrapper.properties" in text or "gradle-wrapper.jar" in text
    assert os.access(ANDROID / "gradlew", os.X_OK), "android/gradlew must be executable"
    assert "org.gradle.wrapper.GradleWrapperMain" in (ANDROID / "gradlew").read_text()


def test_swift_language_mode_is_one_xcode_accepts():
    project = yaml.safe_load((IOS / "project.yml").read_text())
    found = []

    def walk(node):
        if isinstance(node, dict):
            for k, val in node.items():
                if k == "SWIFT_VERSION":
                    found.append(str(val))
                walk(val)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    walk(project)
    assert found and all(v in SWIFT_LANGUAGE_MODES for v in found), f"SWIFT_VERSION {found}; Xcode takes {SWIFT_LANGUAGE_MODES}"
    tools = re.match(r"// swift-tools-version:\s*([\d.]+)", (IOS / "MobilekitCore" / "Package.swift").read_text())
    assert tools and _v(tools.group(1)) >= (5, 9)


def test_activities_in_the_manifest():
    root = ET.parse(ANDROID / "app/src/main/AndroidManifest.xml").getroot()
    acts = {a.get(f"{A}name"): a for a in root.iter("activity")}
    bench = acts[".BenchmarkActivity"]
    # Only the shell (which holds DUMP) and the app itself may start benchmarks.
    assert bench.get(f"{A}permission") == "android.permission.DUMP" and bench.get(f"{A}exported") == "true"
    assert bench.get(f"{A}showWhenLocked") == "true" and bench.get(f"{A}turnScreenOn") == "true"
    loop = acts[".GameLoopActivity"]
    f = loop.find("intent-filter")
    assert [a.get(f"{A}name") for a in f.iter("action")] == ["com.google.intent.action.TEST_LOOP"]
    assert [c.get(f"{A}name") for c in f.iter("category")] == ["android.intent.category.DEFAULT"]
    assert [d.get(f"{A}mimeType") for d in f.iter("data")] == ["application/javascript"]
    assert loop.get(f"{A}exported") == "true"
    for name in (".CameraActivity", ".ChatActivity"):  # reached from the demo screen only
        assert name in acts and acts[name].get(f"{A}exported") == "false", name
    perms = [p.get(f"{A}name") for p in root.iter("uses-permission")]
    assert "android.permission.CAMERA" in perms  # the live camera asks for it at run time
    feature = next(f for f in root.iter("uses-feature") if f.get(f"{A}name") == "android.hardware.camera.any")
    assert feature.get(f"{A}required") == "false"  # phones without a camera still install the app
    java = (ANDROID / "app/src/main/java/org/mobilekit/demo/BenchmarkActivity.java").read_text()
    assert "setShowWhenLocked(true)" in java and "requestDismissKeyguard" in java and "FLAG_KEEP_SCREEN_ON" in java


def test_instrumentation_test_reads_every_protocol_extra():
    bench_py = (REPO / "device_runner" / "bench.py").read_text()
    sent = {name for _kind, name in re.findall(r'"--e([siz])", "(\w+)"', bench_py)}
    it = (ANDROID / "app/src/androidTest/java/org/mobilekit/demo/BenchmarkInstrumentationTest.java").read_text()
    robo = (ANDROID / "app/src/test/java/org/mobilekit/demo/BenchmarkActivityTest.java").read_text()
    for name in sent:
        assert f'.putExtra("{name}"' in it, f"the instrumentation test does not pass {name}"
        assert f'.putExtra("{name}"' in robo, f"the Robolectric test does not pass {name}"
    assert 'testInstrumentationRunner "androidx.test.runner.AndroidJUnitRunner"' in \
        (ANDROID / "app" / "build.gradle").read_text()


def test_demo_bundles_are_generated_not_committed():
    build = (ANDROID / "app" / "build.gradle").read_text()
    assert 'tasks.register("copyDemoBundles", CopyDemoBundles)' in build
    assets = ANDROID / "app" / "src" / "main" / "assets"
    assert not any(p.suffix in (".pte", ".onnx", ".ort") for p in assets.rglob("*")) if assets.exists() else True


def _groovy_class(build: str, name: str) -> str:
    """The body of a class declared in a build script (brace-matched)."""
    start = build.index(f"abstract class {name} extends DefaultTask {{")
    depth, i = 0, build.index("{", start)
    for j in range(i, len(build)):
        depth += {"{": 1, "}": -1}.get(build[j], 0)
        if depth == 0:
            return build[start:j + 1]
    raise AssertionError(f"class {name} is not closed")


def test_copy_demo_bundles_fails_loudly_and_feeds_assets_through_the_variant_api():
    """Issue 15 #7 and #8 (parsed: Gradle and Google's Maven are not here). A Sync/Copy task without a `from`
    is NO-SOURCE and Gradle skips it, doFirst included, so the "no bundle" stop must live in a @TaskAction of a
    task whose inputs are not @SkipWhenEmpty; its output reaches the assets through
    androidComponents.onVariants { sources.assets.addGeneratedSourceDirectory(task) { it.outputDir } }, which
    wires the dependency for every consumer (merge, lint, release), not assets.srcDirs += and preBuild."""
    build = (ANDROID / "app" / "build.gradle").read_text()
    code = "\n".join(l.split("//")[0] for l in build.splitlines())  # comments out
    task = _groovy_class(code, "CopyDemoBundles")
    assert "@TaskAction" in task and "throw new GradleException(" in task
    action = task[task.index("@TaskAction"):]
    assert action.index("present.isEmpty()") < action.index("throw new GradleException(") < action.index("fs.sync")
    assert "SkipWhenEmpty" not in task and "doFirst" not in code and "Sync)" not in code and "Copy)" not in code
    assert "@OutputDirectory" in task and "DirectoryProperty getOutputDir()" in task and "@Input" in task
    assert re.search(r"androidComponents\s*\{\s*onVariants\(selector\(\)\.all\(\)\)\s*\{\s*variant\s*->\s*"
                     r"variant\.sources\.assets\?\.addGeneratedSourceDirectory\(copyDemoBundles\)\s*\{\s*it\.outputDir\s*\}",
                     code), "assets must come from addGeneratedSourceDirectory(copyDemoBundles) { it.outputDir }"
    assert "srcDirs" not in code and "preBuild" not in code
    # the shipped patterns are one list, used by the copy and by the task's inputs
    assert code.count("CopyDemoBundles.SHIPPED") == 1 and "child.include(SHIPPED)" in task


@pytest.mark.parametrize("path", ["android/README.md", "ios/README.md"])
def test_readmes_say_what_is_proven_here(path):
    text = (REPO / path).read_text()
    for word in ("compiled", "parsed"):
        assert word in text, f"{path} must say what is {word} here"
