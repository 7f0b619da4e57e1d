#!/usr/bin/env bash
# Set-up for the llama.cpp side of the benchmark only (not the tutor's set-up).
#
# llama-cpp-python has no wheel for this platform on PyPI, so pip compiles llama.cpp
# from source: several minutes on two cores. It goes into the project's .venv with
# --no-deps so that pip never touches the pinned torch; its only missing run-time
# dependency is diskcache (numpy, jinja2 and typing-extensions are already there).
# The benchmark imports it in the same process as torch, so the engines run interleaved.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
VERSION=${LLAMA_CPP_VERSION:-0.3.36}

if "$BIN/python" -c "import llama_cpp" 2>/dev/null; then
    echo "llama-cpp-python already installed: $("$BIN/python" -c 'import llama_cpp; print(llama_cpp.__version__)')"
    exit 0
fi
# Native build for this CPU (AVX2/FMA here); no BLAS, no GPU: the plain CPU path a user
# running the GGUF on this laptop-class machine would get. The multimodal library, the
# tools, server, examples and tests are not needed by the benchmark and would more than
# double the build time.
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=ON -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF"}
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
"$BIN/python" -m pip install --no-deps --no-cache-dir "llama-cpp-python==$VERSION" "diskcache>=5.6"
"$BIN/python" -c "import llama_cpp; print('llama-cpp-python', llama_cpp.__version__, 'ready')"
