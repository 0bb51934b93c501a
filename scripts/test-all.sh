#!/usr/bin/env bash
# Every test of the project, Rust and Python, in one command (what CI runs):
#   scripts/test-all.sh
# 1. the Rust workspace's tests (debug build; dependencies are optimised, see Cargo.toml);
# 2. the hostile-input suites once more in a release build, where integer overflow does
#    not trap: a size that wrapped would show up as a wrong answer instead of a panic;
#    and the wide loops at their AVX2 level;
# 3. the Python package: built into a virtual environment (target/py-venv) and tested with
#    pytest against numpy.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace
cargo test --release --test hostile_creation --test hostile_math --test hostile_fft_linalg \
    --test hostile_backends --test threads
# The wide loops (float32 functions, float64 min/max, complex |z|) once more at their
# AVX2 level (the run above used the widest this CPU has), against the JIT, libm and the
# interpreter.
MATHENGINE_WIDE=avx2 cargo test --release --test wide_f32 --test ulp_f32 --test staged_f32 \
    --test extreme_wide --test wide_complex_abs
scripts/test-python.sh
