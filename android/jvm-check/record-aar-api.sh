#!/usr/bin/env bash
# Records the real JVM signatures of the AAR APIs the Android app calls into aar-api.txt, by compiling the
# real sources (nothing is typed by hand):
#   - ExecuTorch's Kotlin Module/Tensor/EValue/MethodMetadata and extension.llm.LlmModule/LlmCallback
#     (extension/android/executorch_android/src/main/java) with the Kotlin compiler from Maven Central
#     (kotlinc-pom.xml), -Xjvm-default=all as ExecuTorch's build.gradle;
#   - onnxruntime-genai's Java API (src/java/src/main/java) with javac, at each given revision.
#   bash android/jvm-check/record-aar-api.sh EXECUTORCH_GIT EXECUTORCH_REV GENAI_GIT GENAI_REV... > aar-api.txt
# (git directories: a checkout or a bare mirror). check.sh then fails when a stand-in under executorch-api/
# or genai-api/ declares a member, or a class declaration, that is not in the file for every recorded source.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
et_git="$1"; et_rev="$2"; genai_git="$3"; shift 3
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mvn -B -q -f "$here/kotlinc-pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/kotlinc.txt" >&2
mvn -B -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >&2
jar() { tr ':' '\n' <"$work/cp.txt" | grep -E "$1" | head -1; }
ANDROID="$(jar '/org/robolectric/android-all/[^/]+/android-all-')"
FBJNI="$(jar '/fbjni-java-only-')"; NATIVELOADER="$(jar '/nativeloader-')"
STDLIB="$(tr ':' '\n' <"$work/kotlinc.txt" | grep '/kotlin-stdlib-' | head -1)"

mkdir -p "$work/et"
git -C "$et_git" archive "$et_rev" extension/android/executorch_android/src/main/java version.txt | tar -x -C "$work/et"
et_version="$(cat "$work/et/version.txt")"
src="$work/et/extension/android/executorch_android/src/main/java/org/pytorch/executorch"
java -cp "$(cat "$work/kotlinc.txt")" org.jetbrains.kotlin.cli.jvm.K2JVMCompiler -no-stdlib -no-reflect -nowarn \
  -Xjvm-default=all -jvm-target 11 -cp "$FBJNI:$NATIVELOADER:$ANDROID:$STDLIB" -d "$work/et/out" \
  "$src"/*.kt "$src"/annotations/*.kt "$src"/extension/llm/*.kt >&2
echo "# Public JVM members of the AAR APIs the app calls, from the real sources compiled here (record-aar-api.sh)."
echo "# SOURCE<TAB>CLASS<TAB>javap -public line. check.sh: every stand-in line must appear for every recorded source"
echo "# of its package."
echo "# executorch@${et_rev:0:12} = pytorch/executorch $(git -C "$et_git" rev-parse "$et_rev" 2>/dev/null | head -1), version.txt ${et_version}"
bash "$here/api-listing.sh" "executorch@${et_rev:0:12}" "$work/et/out" \
  org.pytorch.executorch.Module org.pytorch.executorch.Tensor org.pytorch.executorch.EValue \
  org.pytorch.executorch.MethodMetadata \
  org.pytorch.executorch.extension.llm.LlmModule org.pytorch.executorch.extension.llm.LlmCallback

for rev in "$@"; do
  d="$work/genai-$rev"; mkdir -p "$d"
  git -C "$genai_git" archive "$rev" src/java/src/main/java VERSION_INFO | tar -x -C "$d"
  javac -nowarn -d "$d/out" $(find "$d/src/java/src/main/java" -name '*.java') >&2
  echo "# genai@${rev:0:12} = microsoft/onnxruntime-genai $(git -C "$genai_git" rev-parse "$rev" 2>/dev/null | head -1), VERSION_INFO $(cat "$d/VERSION_INFO")"
  bash "$here/api-listing.sh" "genai@${rev:0:12}" "$d/out" \
    ai.onnxruntime.genai.GenAIException ai.onnxruntime.genai.Config ai.onnxruntime.genai.Model \
    ai.onnxruntime.genai.Tokenizer ai.onnxruntime.genai.TokenizerStream ai.onnxruntime.genai.Sequences \
    ai.onnxruntime.genai.GeneratorParams ai.onnxruntime.genai.Generator
done
