"""prysm's documented workflows on numpy and on mathengine (`mathengine.prysm`), side by
side in one process (docs/prysm.md). One JSON object per line on stdout, in the format of
the other benches, for benches/report.py:

    python benches/prysm_workflows.py [--size N] [--runs R] [--quick]

PRYSM-W1: 66 Zernike modes (n <= 10) by prysm's make_xy_grid, cart_to_polar and
zernike_nm_sequence, every mode evaluated. PRYSM-W2: W1 plus sum_of_2d_modes with 66
weights. PRYSM-PSF: W2 plus the circle pupil, Wavefront.from_amp_and_phase(...)
.focus(50, Q=2).intensity and otf.mtf_from_psf. Medians after one warm-up run.
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np

import mathengine
import mathengine.prysm as mp

try:
    from prysm import coordinates, geometry, otf, polynomials, propagation
except ImportError:  # pragma: no cover - the report says so and goes on
    print("prysm_workflows: prysm is not installed; no rows", file=sys.stderr)
    sys.exit(0)

NMS = [(n, m) for n in range(11) for m in range(-n, n + 1, 2)]
COEFS = np.random.default_rng(0).normal(size=len(NMS)) * 1e-2


def w1(n):
    x, y = coordinates.make_xy_grid(n, diameter=2)
    r, t = coordinates.cart_to_polar(x, y)
    return list(polynomials.zernike_nm_sequence(NMS, r, t))


def w2(n):
    return [polynomials.sum_of_2d_modes(w1(n), COEFS)]


def psf(n):
    x, y = coordinates.make_xy_grid(n, diameter=2)
    r, t = coordinates.cart_to_polar(x, y)
    phs = polynomials.sum_of_2d_modes(list(polynomials.zernike_nm_sequence(NMS, r, t)), COEFS)
    wf = propagation.Wavefront.from_amp_and_phase(geometry.circle(1, r), phs, 0.55, 2 / n)
    p = wf.focus(50, Q=2).intensity
    return [p.data, otf.mtf_from_psf(p).data]


def timed(fn, n, runs, materialize):
    materialize(fn(n))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        materialize(fn(n))
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n, runs = (32, 1) if args.quick else (args.size, args.runs)
    e = mathengine.engine
    for name, fn in (("PRYSM-W1", w1), ("PRYSM-W2", w2), ("PRYSM-PSF", psf)):
        med, low = timed(fn, n, runs, lambda out: None)
        print(json.dumps({"workload": name, "impl": "prysm-numpy", "size": n,
                          "median_s": med, "min_s": low, "runs": runs}), flush=True)
        with mp.use_mathengine(e):
            med, low = timed(fn, n, runs, lambda out: e.eval(*out))
        print(json.dumps({"workload": name, "impl": "prysm-mathengine", "size": n,
                          "median_s": med, "min_s": low, "runs": runs}), flush=True)
    fallbacks = e.stats()["numpy_fallback_names"]
    print(f"prysm_workflows: numpy fallbacks on mathengine: {fallbacks or 'none'}", file=sys.stderr)


if __name__ == "__main__":
    main()
