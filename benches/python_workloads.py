#!/usr/bin/env python3
"""W1-W5 of docs/benchmarks/WORKLOADS.md run from Python on mathengine
(impl "mathengine-python"), printing one JSON object per line and per measurement on
stdout, as the Rust benches do; a readable table goes to stderr.

    target/py-venv/bin/python benches/python_workloads.py                 # all, N = 512
    target/py-venv/bin/python benches/python_workloads.py --only W4,W5 --size 1024
    target/py-venv/bin/python benches/python_workloads.py --quick         # smoke run

It also times numpy on W5 (the per-call cost of the same expression, "numpy-python")
so the per-operation overhead of building nodes from Python can be compared in one run.
Run it on a quiet machine: timings of a busy one mean nothing.
"""

import argparse
import json
import math
import resource
import sys
import time

import numpy as np

import mathengine


def measure(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times[0]


def emit(workload, impl, size, median, minimum, runs):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = dict(workload=workload, impl=impl, size=size, median_s=round(median, 9),
                min_s=round(minimum, 9), runs=runs, peak_rss_mb=round(rss))
    print(json.dumps(line, separators=(",", ":")), flush=True)
    print(f"{workload:<6} {impl:<20} {size:>9} median {median * 1e3:10.4f} ms  min {minimum * 1e3:10.4f} ms",
          file=sys.stderr)


def modes_n10():
    return [(n, m) for n in range(11) for m in range(-n, n + 1, 2)]


def grid(e, n):
    x, y = e.coordinates.make_xy_grid(n, diameter=2)
    return e.coordinates.cart_to_polar(x, y)


def w1(e, n):
    r, t = grid(e, n)
    modes = e.polynomials.zernike_nm_sequence(modes_n10(), r, t)
    e.eval(*modes)
    return modes


def w2(e, n):
    r, t = grid(e, n)
    nms = modes_n10()
    coefs = np.random.default_rng(0).normal(size=len(nms)) * 1e-2
    return e.polynomials.zernike_sum(coefs, nms, r, t).eval()


def w3(e, n):
    r, t = grid(e, n)
    w = (0.1 * e.polynomials.zernike_nm(2, 0, r, t) + 0.05 * e.polynomials.zernike_nm(2, 2, r, t)
         + 0.03 * e.polynomials.zernike_nm(3, 1, r, t) + 0.02 * e.polynomials.zernike_nm(4, 0, r, t))
    pupil = (r <= 1) * e.exp(1j * (2 * math.pi / 0.6328) * w)
    f = e.fft.fftshift(e.fft.fft2(pupil, s=(2 * n, 2 * n)))
    return (e.abs(f) ** 2).eval()


def w4(e, n):
    x = e.linspace(-3, 3, n)
    return (e.sin(x) ** 2 + e.cos(x) * e.exp(-x * x)).eval()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="W1,W2,W3,W4,W5")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    ap.add_argument("--backend", default="cpu")
    o = ap.parse_args(argv)
    only = set(o.only.split(","))
    n = 32 if o.quick else o.size
    runs = 1 if o.quick else 7
    e = mathengine.Engine(o.backend)
    impl = f"mathengine-python-{o.backend}" if o.backend != "cpu" else "mathengine-python"
    if "W1" in only:
        emit("W1", impl, n, *measure(lambda: w1(e, n), runs), runs)
    if "W2" in only:
        emit("W2", impl, n, *measure(lambda: w2(e, n), runs), runs)
    if "W3" in only:
        emit("W3", impl, n, *measure(lambda: w3(e, n), runs), runs)
    if "W4" in only:
        size = 1 << (12 if o.quick else 22)
        emit("W4", impl, size, *measure(lambda: w4(e, size), runs), runs)
    if "W5" in only:
        # One evaluation of y = (2x + 1) * x on 1000 elements: building the nodes from
        # Python and running the cached kernel, against numpy's per-call cost.
        reps = 100 if o.quick else 20000
        x = e.linspace(0, 1, 1000).eval()

        def me():
            for _ in range(reps):
                ((2 * x + 1) * x).eval()

        xn = np.linspace(0, 1, 1000)

        def npy():
            for _ in range(reps):
                (2 * xn + 1) * xn

        med, mn = measure(me, 1 if o.quick else 5)
        emit("W5", impl, 1000, med / reps, mn / reps, reps)
        med, mn = measure(npy, 1 if o.quick else 5)
        emit("W5", "numpy-python", 1000, med / reps, mn / reps, reps)
        # the cost of building one node from Python (no evaluation)
        def build():
            for _ in range(reps):
                x * 2.0

        med, mn = measure(build, 1 if o.quick else 5)
        emit("W5-node", impl, 1000, med / reps, mn / reps, reps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
