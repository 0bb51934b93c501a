#!/usr/bin/env bash
# Build the Python package into a virtual environment and run its pytest suite:
#   scripts/test-python.sh [pytest arguments]
# The venv is target/py-venv (created on first use; later runs reuse it). The extension
# is built by maturin through `pip install ./python` with cargo's dev profile, in the
# workspace's target/, so the dependencies `cargo test` already compiled are reused.
# MATHENGINE_FRESH_SEED=1 gives the property tests fresh random inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=target/py-venv
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
# Tools for the build and the tests (a no-op once installed).
"$VPY" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9,<2" numpy pytest hypothesis scipy prysm==0.21.1 "dask[distributed]"

# Build and install the package the way a user does (`pip install ./python`), without
# build isolation (maturin is in the venv) and with cargo's dev profile.
MATURIN_PEP517_ARGS="--profile dev" VIRTUAL_ENV="$PWD/$VENV" PATH="$PWD/$VENV/bin:$PATH" \
    "$VPY" -m pip install --quiet --disable-pip-version-check --no-build-isolation \
    --no-deps --force-reinstall ./python

# Run from the tests folder so `import mathengine` finds the installed package, not the
# source folder.
cd python/tests
exec "../../$VPY" -m pytest -q "$@" .
