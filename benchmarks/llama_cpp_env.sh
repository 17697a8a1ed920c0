#!/usr/bin/env bash
# A separate, cached Python environment with llama-cpp-python (llama.cpp built from its PyPI sdist with
# cmake), for the LLM peer benchmark and the tokenizer golden generator only. It is NOT part of the pinned
# environment (requirements.txt) and no test needs it: the golden ids it produces are committed.
#
#   bash benchmarks/llama_cpp_env.sh python benchmarks/llm_decode.py ...
#   bash benchmarks/llama_cpp_env.sh --path        # prints the environment's python, building it if needed
#
# The build takes several minutes on 2 cores; it is done once per machine and version
# (~/.cache/mobilekit/llama-cpp/<version>, override with MOBILEKIT_LLAMA_CPP_ROOT).
set -euo pipefail
version="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
root="${MOBILEKIT_LLAMA_CPP_ROOT:-$HOME/.cache/mobilekit/llama-cpp}"
env="$root/$version"
mkdir -p "$root"
exec 9>"$root/.lock-$version"
flock 9
if [ ! -f "$env/.complete" ]; then
  echo "llama_cpp_env: building llama-cpp-python $version into $env (llama.cpp from source, several minutes)..." >&2
  rm -rf "$env"
  python3 -m venv "$env"
  "$env/bin/python" -m pip install --quiet --upgrade pip
  # CPU build for this host (AVX2 etc. detected by GGML_NATIVE); the log is kept for the benchmark's note.
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON -DLLAMA_CURL=OFF}" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    "$env/bin/python" -m pip install --no-cache-dir --no-binary llama-cpp-python "llama-cpp-python==$version" \
    >"$root/build-$version.log" 2>&1 || { echo "llama_cpp_env: build failed, see $root/build-$version.log" >&2; tail -20 "$root/build-$version.log" >&2; exit 1; }
  "$env/bin/python" -m pip install --quiet psutil
  touch "$env/.complete"
fi
flock -u 9
if [ "${1:-}" = "--path" ]; then
  echo "$env/bin/python"
  exit 0
fi
exec "$env/bin/$1" "${@:2}"
