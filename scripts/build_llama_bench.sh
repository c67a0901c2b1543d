#!/usr/bin/env bash
# Build llama.cpp's own llama-bench (and llama-batched-bench) from the llama-cpp-python sdist's
# vendored tree, with the flags the Python wheel is built with (scikit-build-core: Release,
# shared libraries, native CPU flags, OpenMP, no curl), so `advisor bench` and llama.cpp's own
# tools run the same kernels. Only the targets asked for are compiled.
#
# usage: scripts/build_llama_bench.sh [SRC_DIR] [BUILD_DIR]
#   SRC_DIR    llama.cpp source (default: /work/llama-src/llama_cpp_python-0.3.36/vendor/llama.cpp)
#   BUILD_DIR  where to build, outside the repository (default: /work/llama-bench-build)
# env: JOBS (default 2), NICE (default 10: the build shares the machine),
#      TARGETS (default "llama-bench"; "llama-bench llama-batched-bench" builds both)
# prints the path of each binary built, one a line, the last target's on the last line.
set -euo pipefail

SRC_DIR="${1:-/work/llama-src/llama_cpp_python-0.3.36/vendor/llama.cpp}"
BUILD_DIR="${2:-/work/llama-bench-build}"
JOBS="${JOBS:-2}"
NICE="${NICE:-10}"
TARGETS="${TARGETS:-llama-bench}"

if [[ ! -f "$SRC_DIR/CMakeLists.txt" ]]; then
    echo "error: no llama.cpp source at $SRC_DIR" >&2
    echo "hint: unpack the llama-cpp-python sdist and pass its vendor/llama.cpp folder" >&2
    exit 3
fi

cmake -S "$SRC_DIR" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=ON \
    -DGGML_NATIVE=ON \
    -DGGML_OPENMP=ON \
    -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_COMMON=ON \
    -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=OFF \
    -DLLAMA_BUILD_TOOLS=ON >&2

# shellcheck disable=SC2086  # TARGETS is a list of target names
nice -n "$NICE" cmake --build "$BUILD_DIR" --config Release --target $TARGETS -j "$JOBS" >&2

for target in $TARGETS; do
    echo "$BUILD_DIR/bin/$target"
done
