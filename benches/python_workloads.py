#!/usr/bin/env python3
"""W1-W5 of docs/benchmarks/WORKLOADS.md run from Python on mathengine
(impl "mathengine-python"), printing one JSON object per line and per measurement on
stdout, as the Rust benches do (benches/workloads.rs, benches/polynomials.rs: the same
graphs, built the same way); a readable table goes to stderr.

    PY=target/py-bench-venv/bin/python   # a release build: benches/report.py makes it
    $PY benches/python_workloads.py                 # W1-W5 (and W2-XY), N = 512
    $PY benches/python_workloads.py --only W4,W5 --size 1024
    $PY benches/python_workloads.py --quick         # smoke run
    $PY benches/python_workloads.py --dtype float32 # W1-f32, W2-f32, W3-c64, W4-f32 beside numpy

With --dtype float32 the grids are float32 (W3's pupil complex64) and each workload is
reported as W1-f32, W2-f32, W3-c64 and W4-f32, for mathengine and for numpy written by hand
(the same code as benches/peers/workloads.py's float64 numpy rows, on float32 arrays; numpy 2
keeps float32 through Python scalars and its FFT keeps complex64), timed in the same run.

Besides the workloads it prints "W5" for numpy ("numpy-python": the same expression per
call) and "NODE" (the cost of building one node from Python, `x * 2.0`, in seconds per
node), so Python's overhead can be judged in one run. A debug build of the extension
(scripts/test-python.sh makes one) is refused unless --allow-debug: its timings say
nothing. Run it on a quiet machine.
"""

import argparse
import json
import math
import resource
import sys
import time

import numpy as np

import mathengine

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent / "peers"))
import workloads as numpy_peer  # noqa: E402  (benches/peers/workloads.py: the numpy code)


def measure(fn, runs, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        del result  # freed outside the clock, as the Rust benches drop their outputs
    times.sort()
    return times[len(times) // 2], times[0]


def emit(workload, impl, size, median, minimum, runs):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = dict(workload=workload, impl=impl, size=size, median_s=round(median, 9),
                min_s=round(minimum, 9), runs=runs, peak_rss_mb=round(rss),
                build=mathengine._mathengine.build_profile)
    print(json.dumps(line, separators=(",", ":")), flush=True)
    print(f"{workload:<6} {impl:<20} {size:>9} median {median * 1e3:10.4f} ms  min {minimum * 1e3:10.4f} ms",
          file=sys.stderr)


def modes_n10():
    return [(n, m) for n in range(11) for m in range(-n, n + 1, 2)]


def grid(e, n, dtype=np.float64):
    x, y = e.coordinates.make_xy_grid(n, diameter=2)
    return e.coordinates.cart_to_polar(x.astype(dtype), y.astype(dtype))


def w1(e, n, dtype=np.float64):
    r, t = grid(e, n, dtype)
    modes = e.polynomials.zernike_nm_sequence(modes_n10(), r, t)
    e.eval(*modes)
    return modes


W2_COEFS = np.random.default_rng(0).normal(size=66) * 1e-2


def w2(e, n, dtype=np.float64):
    r, t = grid(e, n, dtype)
    return e.polynomials.zernike_sum(W2_COEFS.astype(dtype), modes_n10(), r, t).eval()


def w2_xy(e, n):
    x, y = e.coordinates.make_xy_grid(n, diameter=2)
    return e.polynomials.zernike_sum_xy(W2_COEFS, modes_n10(), x, y).eval()


def w3(e, n, dtype=np.float64):
    # benches/workloads.rs's W3, node for node: four closed-form orthonormal terms.
    dx = 2.0 / n
    half = n // 2
    ax = e.arange(-half * dx, (n - half - 0.5) * dx, dx).astype(dtype)
    gx, gy = e.meshgrid(ax, ax)
    cdtype = np.result_type(dtype, np.complex64)
    r2 = gx * gx + gy * gy
    r = e.sqrt(r2)
    t = e.arctan2(gy, gx)
    w = ((r2 * 2.0 - 1.0) * (math.sqrt(3) * 0.1)
         + r2 * e.cos(t * 2.0) * (math.sqrt(6) * 0.05)
         + (r2 * r * 3.0 - r * 2.0) * e.cos(t) * (math.sqrt(8) * -0.02)
         + (r2 * r2 * 6.0 - r2 * 6.0 + 1.0) * (math.sqrt(5) * 0.03))
    phase = (w * (2 * math.pi / 0.6328)).astype(cdtype)
    pupil = (r <= 1.0).astype(cdtype) * e.exp(phase * 1j)
    f = e.fft.fft2(pupil, s=(2 * n, 2 * n))
    return e.square(e.abs(e.fft.fftshift(f))).eval()


def w4(e, n, dtype=np.float64):
    x = e.linspace(-3, 3, n).astype(dtype)
    return (e.sin(x) ** 2 + e.cos(x) * e.exp(-x * x)).eval()


def numpy_workloads(n, dtype):
    """numpy's W1-W4 on `dtype` grids, as benches/peers/workloads.py writes them."""
    gx, gy, r, t = (a.astype(dtype) for a in numpy_peer.grid(n))
    coefs = numpy_peer.W2_COEFS.astype(dtype)

    def psf(fft2=np.fft.fft2):
        w = numpy_peer.w3_wavefront(np, r, t)
        p = (r <= 1) * np.exp(1j * dtype(2 * np.pi / 0.6328) * w)
        f = np.fft.fftshift(fft2(p, s=(2 * n, 2 * n)))
        return np.abs(f) ** 2

    def w4(size):
        x = np.linspace(-3, 3, size).astype(dtype)
        return np.sin(x) ** 2 + np.cos(x) * np.exp(-x * x)

    return {
        "W1": lambda: numpy_peer.modes_by_hand(np, r, t),
        "W2": lambda: np.tensordot(np.asarray(numpy_peer.modes_by_hand(np, r, t)), coefs,
                                   axes=(0, 0)),
        "W3": psf,
        "W4": w4,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="W1,W2,W3,W4,W5")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--quick", action="store_true", help="small sizes, one repetition")
    ap.add_argument("--backend", default="cpu")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"],
                    help="float32: W1-W4 on float32 grids (W3 complex64), numpy beside")
    ap.add_argument("--allow-debug", action="store_true", help="time a debug build anyway")
    o = ap.parse_args(argv)
    if mathengine._mathengine.build_profile != "release" and not o.allow_debug:
        print("python_workloads: this mathengine is a debug build (scripts/test-python.sh's); "
              "benchmark a release build (benches/report.py makes target/py-bench-venv) or pass "
              "--allow-debug", file=sys.stderr)
        return 2
    only = set(o.only.split(","))
    n = 32 if o.quick else o.size
    runs = 1 if o.quick else 7
    e = mathengine.Engine(o.backend)
    impl = f"mathengine-python-{o.backend}" if o.backend != "cpu" else "mathengine-python"
    if o.dtype == "float32":
        return float32_rows(e, impl, only, n, runs, o.quick)
    if "W1" in only:
        emit("W1", impl, n, *measure(lambda: w1(e, n), runs), runs)
    if "W2" in only:
        emit("W2", impl, n, *measure(lambda: w2(e, n), runs), runs)
        emit("W2-XY", impl, n, *measure(lambda: w2_xy(e, n), runs), runs)
    if "W3" in only:
        emit("W3", impl, n, *measure(lambda: w3(e, n), runs), runs)
    if "W4" in only:
        size = 1 << (12 if o.quick else 22)
        emit("W4", impl, size, *measure(lambda: w4(e, size), runs), runs)
    if "W5" in only:
        # One evaluation of y = (2x + 1) * x on 1000 elements: building the nodes from
        # Python and running the cached kernel, against numpy's per-call cost.
        reps = 100 if o.quick else 20000

        def me():  # as benches/workloads.rs: x is a generator node, rebuilt each time
            for _ in range(reps):
                x = e.linspace(0, 1, 1000)
                ((x * 2.0 + 1.0) * x).eval()

        def npy():  # as benches/peers/workloads.py's numpy W5: linspace included
            for _ in range(reps):
                xn = np.linspace(0, 1, 1000)
                (xn * 2.0 + 1.0) * xn

        med, mn = measure(me, 1 if o.quick else 5)
        emit("W5", impl, 1000, med / reps, mn / reps, reps)
        med, mn = measure(npy, 1 if o.quick else 5)
        emit("W5", "numpy-python", 1000, med / reps, mn / reps, reps)
        # the cost of building one node from Python (no evaluation): NODE, seconds per node
        x = e.linspace(0, 1, 1000)

        def build():
            for _ in range(reps):
                x * 2.0

        med, mn = measure(build, 1 if o.quick else 5)
        emit("NODE", impl, 1000, med / reps, mn / reps, reps)
    return 0


try:
    import scipy.fft as scipy_fft
except ImportError:
    scipy_fft = None


def float32_rows(e, impl, only, n, runs, quick):
    """W1-f32, W2-f32, W3-c64 and W4-f32 (issue 13), mathengine and numpy side by side."""
    dtype = np.float32
    npy = numpy_workloads(n, dtype)
    for w, name in (("W1", "W1-f32"), ("W2", "W2-f32"), ("W3", "W3-c64")):
        if w in only:
            me = {"W1": w1, "W2": w2, "W3": w3}[w]
            emit(name, impl, n, *measure(lambda: me(e, n, dtype), runs), runs)
            emit(name, "numpy", n, *measure(npy[w], runs), runs)
    if "W3" in only and scipy_fft is not None:  # the faster FFT peer, all cores
        emit("W3-c64", "scipy", n, *measure(lambda: npy["W3"](
            lambda a, s: scipy_fft.fft2(a, s=s, workers=-1)), runs), runs)
    if "W4" in only:
        size = 1 << (12 if quick else 22)
        emit("W4-f32", impl, size, *measure(lambda: w4(e, size, dtype), runs), runs)
        emit("W4-f32", "numpy", size, *measure(lambda: npy["W4"](size), runs), runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
