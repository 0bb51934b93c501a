"""The peers' side of W3-W6 and FFT2 (../shared/WORKLOADS.md): numpy, numexpr and numba run
the same work as `cargo bench --bench workloads`, printing the same JSON lines.

    python3 benches/peers/workloads.py [--only W4,W5] [--quick]

Peers that are not installed are skipped with a note on stderr.
"""
import json
import resource
import sys
import time

import numpy as np


def measure(fn, runs):
    fn()  # warm-up (and JIT compilation for numba)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times[0]


def report(workload, impl, size, median, best, runs):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"workload": workload, "impl": impl, "size": size, "median_s": median,
                      "min_s": best, "runs": runs, "peak_rss_mb": round(peak, 1)}), flush=True)
    print(f"{workload:<4} {impl:<10} size {size:>9}  median {median * 1e3:10.3f} ms  min {best * 1e3:10.3f} ms",
          file=sys.stderr)


def w4_numpy(n):
    x = np.linspace(-3, 3, n)
    return np.sin(x) ** 2 + np.cos(x) * np.exp(-x * x)


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    only = None
    if "--only" in args:
        only = args[args.index("--only") + 1].upper().split(",")
    wanted = lambda w: only is None or w in only
    runs = 1 if quick else 7
    n4 = 1 << 12 if quick else 1 << 22

    try:
        import numexpr as ne
    except ImportError:
        ne = None
        print("numexpr not installed: skipped", file=sys.stderr)
    try:
        import numba
    except ImportError:
        numba = None
        print("numba not installed: skipped", file=sys.stderr)

    if wanted("W4"):
        report("W4", "numpy", n4, *measure(lambda: w4_numpy(n4), runs), runs)
        if ne is not None:
            def w4_ne():
                x = np.linspace(-3, 3, n4)
                return ne.evaluate("sin(x)**2 + cos(x)*exp(-x*x)")
            report("W4", "numexpr", n4, *measure(w4_ne, runs), runs)
        if numba is not None:
            @numba.njit(parallel=True, fastmath=False)
            def w4_kernel(n):
                out = np.empty(n)
                step = 6.0 / (n - 1)
                for i in numba.prange(n):
                    x = -3.0 + i * step
                    s = np.sin(x)
                    out[i] = s * s + np.cos(x) * np.exp(-x * x)
                return out
            report("W4", "numba", n4, *measure(lambda: w4_kernel(n4), runs), runs)

    if wanted("W3") or wanted("FFT2"):
        try:
            import scipy.fft as sfft
        except ImportError:
            sfft = None
            print("scipy not installed: W3/FFT2 with numpy only", file=sys.stderr)
        n3 = 32 if quick else 512
        nf = 64 if quick else 1024

        def pupil(n):
            x = (np.arange(n) - n // 2) * (2.0 / n)
            gx, gy = np.meshgrid(x, x)
            r2 = gx * gx + gy * gy
            r = np.sqrt(r2)
            t = np.arctan2(gy, gx)
            w = ((2 * r2 - 1) * np.sqrt(3) * 0.1 + r2 * np.cos(2 * t) * np.sqrt(6) * 0.05
                 + (3 * r2 * r - 2 * r) * np.cos(t) * np.sqrt(8) * -0.02
                 + (6 * r2 * r2 - 6 * r2 + 1) * np.sqrt(5) * 0.03)
            return (r <= 1) * np.exp(1j * 2 * np.pi / 0.6328 * w)

        def psf(fft2):
            def run():
                p = pupil(n3)
                padded = np.zeros((2 * n3, 2 * n3), dtype=np.complex128)
                padded[:n3, :n3] = p
                f = np.fft.fftshift(fft2(padded))
                return np.abs(f) ** 2
            return run
        if wanted("W3"):
            report("W3", "numpy", n3, *measure(psf(np.fft.fft2), runs), runs)
            if sfft is not None:
                report("W3", "scipy", n3, *measure(psf(lambda a: sfft.fft2(a, workers=-1)), runs), runs)
        if wanted("FFT2"):
            a = (np.arange(nf * nf) % 7 + 1j * (np.arange(nf * nf) % 3)).reshape(nf, nf)
            report("FFT2", "numpy", nf, *measure(lambda: np.fft.fft2(a), runs), runs)
            if sfft is not None:
                report("FFT2", "scipy", nf, *measure(lambda: sfft.fft2(a, workers=-1), runs), runs)

    if wanted("W5"):
        reps = 10 if quick else 2000

        def loop(fn):
            def run():
                for _ in range(reps):
                    fn()
            return run

        def w5_numpy():
            x = np.linspace(0, 1, 1000)
            return (x * 2 + 1) * x
        m, b = measure(loop(w5_numpy), runs)
        report("W5", "numpy", 1000, m / reps, b / reps, runs)
        if ne is not None:
            def w5_ne():
                x = np.linspace(0, 1, 1000)
                return ne.evaluate("(x*2 + 1)*x")
            m, b = measure(loop(w5_ne), runs)
            report("W5", "numexpr", 1000, m / reps, b / reps, runs)

    if wanted("W6") and numba is not None:
        # A never-seen 20-op expression compiled by numba: a fresh function each run.
        counter = [0]

        def w6():
            counter[0] += 1
            k = counter[0]
            body = ["y = x[i]"]
            for i in range(20):
                body.append(["y = y * 1.0001", f"y = y + {0.5 + k}", "y = y + np.sin(y)"][i % 3])
            src = "def f(x, out):\n    for i in range(x.shape[0]):\n        " + "\n        ".join(body) + "\n        out[i] = y\n"
            ns = {"np": np}
            exec(src, ns)
            f = numba.njit(ns["f"])
            x = np.linspace(0, 1, 1000)
            out = np.empty_like(x)
            f(x, out)
            return out
        report("W6", "numba", 1000, *measure(w6, 3 if quick else 5), 3 if quick else 5)


if __name__ == "__main__":
    main()
