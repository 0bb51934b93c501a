#!/usr/bin/env bash
# The GPU checks of the CUDA backend, for a machine with an NVIDIA GPU and its driver.
#
#   scripts/gpu-check.sh            (from anywhere; runs in the repository root)
#
# 1. finds libnvrtc (and libcufft/libcublas) or installs them from PyPI into a venv
#    (.ci/install-nvrtc; best effort when the machine has no network);
# 2. builds the CUDA tests in release and runs them: tests/cuda_backend.rs (op table,
#    FFT, matmul, transfers, disk cache, memory pool on the GPU) and tests/cuda_nvrtc.rs
#    (every op-table and polynomial kernel compiled by NVRTC; required here);
# 3. runs the workloads W1-W4 on the cpu and cuda backends (W1/W2 are in the
#    polynomials bench, W3/W4 in the workloads bench).
#
# Environment: MATHENGINE_CUDA_CACHE_DIR (where cubins are cached; default: a fresh
# temporary directory, so the first run's compile times are real), SKIP_BENCH=1 (tests
# only), BENCH_ARGS (extra bench options, e.g. "--quick" or "--size 1024").
set -euo pipefail

cd "$(dirname "$0")/.."

echo "== GPU"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv
else
    echo "nvidia-smi not found; the tests will say whether a CUDA driver loads"
fi

has_lib() { # has_lib libname.so: on LD_LIBRARY_PATH or in the linker cache
    local d path="${LD_LIBRARY_PATH:-}"
    for d in ${path//:/ }; do
        compgen -G "$d/$1*" >/dev/null && return 0
    done
    ldconfig -p 2>/dev/null | grep -q "$1"
}

venv="${NVRTC_VENV:-/tmp/mathengine-nvrtc-venv}"
if ! has_lib libnvrtc.so; then
    echo "== installing NVRTC from PyPI into $venv"
    if dir="$(.ci/install-nvrtc "$venv" | tail -n 1)"; then
        export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    else
        echo "could not install NVRTC; cuda_nvrtc will fail and kernels fall back to the CPU"
    fi
fi
for pkg in cufft:nvidia-cufft cublas:nvidia-cublas; do
    lib="lib${pkg%%:*}.so"
    if ! has_lib "$lib" && [ -x "$venv/bin/python" ]; then
        echo "== installing ${pkg#*:} from PyPI into $venv (for $lib)"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${pkg#*:}" \
            || echo "could not install ${pkg#*:}; those library calls run on the CPU"
        found="$(find "$venv" -name "$lib.*" -path '*nvidia*' 2>/dev/null | sort | tail -n 1)"
        if [ -n "$found" ]; then
            LD_LIBRARY_PATH="$(dirname "$found")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
            export LD_LIBRARY_PATH
        fi
    fi
done
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"

if [ -z "${MATHENGINE_CUDA_CACHE_DIR:-}" ]; then
    MATHENGINE_CUDA_CACHE_DIR="$(mktemp -d /tmp/mathengine-cuda-cache.XXXXXX)"
    export MATHENGINE_CUDA_CACHE_DIR
fi
echo "MATHENGINE_CUDA_CACHE_DIR=$MATHENGINE_CUDA_CACHE_DIR"

echo "== build (release)"
cargo test --release --test cuda_backend --test cuda_nvrtc --no-run

echo "== tests"
MATHENGINE_REQUIRE_NVRTC=1 cargo test --release --test cuda_backend --test cuda_nvrtc \
    -- --nocapture

if [ "${SKIP_BENCH:-0}" != 1 ]; then
    echo "== benches (W1, W2: polynomials; W3, W4: workloads)"
    # shellcheck disable=SC2086 # BENCH_ARGS is a list of options
    cargo bench --bench polynomials -- --backend cpu,cuda --only W1,W2 ${BENCH_ARGS:-}
    # shellcheck disable=SC2086
    cargo bench --bench workloads -- --backend cpu,cuda --only W3,W4 ${BENCH_ARGS:-}
fi
echo "== done"
