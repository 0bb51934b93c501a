"""The peers' side of docs/benchmarks/WORKLOADS.md (W1-W6, and FFT2: an fft2 alone): prysm 0.21.1,
numpy, numexpr, JAX on the CPU (float64, jit), numba (parallel, hand-fused) and scipy.fft run
the same work as `cargo bench --bench polynomials` / `--bench workloads`, printing the same
JSON lines on stdout (readable lines on stderr).

    python3 benches/peers/workloads.py [--only W1,W4] [--impl numpy,jax] [--size 512] [--quick]

`--size` is N for W1-W3 (FFT2 uses 2N); W4-W6 have fixed sizes. Peers that are not
installed are skipped with a note on stderr, and so are those `--impl` does not name. Peak RSS is reset before each measurement
(Linux /proc/self/clear_refs), so each line's peak is that workload's own.
"""
import json
import math
import os
import sys
import time

import numpy as np

# JAX must be told before it is imported.
os.environ.setdefault("JAX_ENABLE_X64", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")


def optional(name):
    try:
        return __import__(name)
    except ImportError:
        print(f"{name} not installed: skipped", file=sys.stderr)
        return None


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def measure(fn, runs):
    """Median and minimum seconds of `runs` calls after one warm-up (which compiles)."""
    fn()
    reset_peak_rss()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], times[0], runs


def report(workload, impl, size, result, per=1):
    median, best, runs = result
    median, best = median / per, best / per
    print(json.dumps({"workload": workload, "impl": impl, "size": size, "median_s": median,
                      "min_s": best, "runs": runs, "peak_rss_mb": round(peak_rss_mb(), 1)}),
          flush=True)
    print(f"{workload:<4} {impl:<10} size {size:>9}  median {median * 1e3:10.3f} ms  "
          f"min {best * 1e3:10.3f} ms", file=sys.stderr)


# ---- the grid and the Zernike modes of W1/W2 -------------------------------------------

def grid(n):
    """prysm's make_xy_grid(n, diameter=2): x = (arange(n) - n//2) * 2/n."""
    x = (np.arange(n) - n // 2) * (2.0 / n)
    gx, gy = np.meshgrid(x, x)
    return gx, gy, np.hypot(gx, gy), np.arctan2(gy, gx)


NMS = [(n, m) for n in range(11) for m in range(-n, n + 1, 2)]
# numpy.random.default_rng(0).normal(size=66) * 1e-2, as WORKLOADS.md says.
W2_COEFS = np.random.default_rng(0).normal(size=66) * 1e-2


def zernike_norm(n, m):
    return math.sqrt(2 * (n + 1) / (1 + (m == 0)))


def jacobi_abc(k, alpha, beta):
    """P_{k+1} = (a x + b) P_k - c P_{k-1} for Jacobi P^(alpha, beta)."""
    if k == 0:  # P_1 = ((alpha + beta + 2) x + alpha - beta) / 2
        return (alpha + beta + 2) / 2, (alpha - beta) / 2, 0.0
    a = 2 * (k + 1) * (k + alpha + beta + 1) * (2 * k + alpha + beta)
    b = (2 * k + alpha + beta + 1) * (alpha * alpha - beta * beta)
    c = (2 * k + alpha + beta) * (2 * k + alpha + beta + 1) * (2 * k + alpha + beta + 2)
    d = 2 * (k + alpha) * (k + beta) * (2 * k + alpha + beta + 2)
    return c / a, b / a, d / a


def modes_by_hand(xp, r, t, out=None):
    """All 66 modes with one Jacobi recurrence per |m| shared by every n (numpy or jax.numpy).
    Returns the list of modes in NMS order (written into `out` when given)."""
    x = 2 * r * r - 1
    result = {}
    for am in range(11):
        rm = r ** am
        cos, sin = xp.cos(am * t), xp.sin(am * t)
        p_prev, p = None, xp.ones_like(x)
        for k in range((10 - am) // 2 + 1):
            n = am + 2 * k
            if k > 0:
                a, b, c = jacobi_abc(k - 1, 0.0, am)
                p, p_prev = (a * x + b) * p - (c * p_prev if p_prev is not None else 0), p
            radial = p * rm
            if am == 0:
                result[(n, 0)] = radial * zernike_norm(n, 0)
            else:
                result[(n, am)] = radial * cos * zernike_norm(n, am)
                result[(n, -am)] = radial * sin * zernike_norm(n, -am)
    modes = [result[nm] for nm in NMS]
    if out is not None:
        for i, mode in enumerate(modes):
            out[i] = mode
    return modes


def numba_kernels(numba):
    @numba.njit(parallel=True, fastmath=False)
    def w1(r, t, out, norms):
        n_pix = r.size
        rf, tf = r.ravel(), t.ravel()
        o = out.reshape(66, n_pix)
        for i in numba.prange(n_pix):
            rr, tt = rf[i], tf[i]
            x = 2 * rr * rr - 1
            rm = 1.0
            for am in range(11):
                c, s = math.cos(am * tt), math.sin(am * tt)
                p_prev, p = 0.0, 1.0
                for k in range((10 - am) // 2 + 1):
                    n = am + 2 * k
                    if k == 1:
                        p, p_prev = ((am + 2) * x - am) / 2, p
                    elif k > 1:
                        kk = k - 1
                        aa = 2 * (kk + 1) * (kk + am + 1) * (2 * kk + am)
                        cc = (2 * kk + am + 1) * (2 * kk + am) * (2 * kk + am + 2)
                        bb = (2 * kk + am + 1) * (0.0 - am * am)
                        dd = 2 * kk * (kk + am) * (2 * kk + am + 2)
                        p, p_prev = ((cc / aa) * x + bb / aa) * p - (dd / aa) * p_prev, p
                    base = n * (n + 1) // 2  # index of (n, -n) in NMS
                    if am == 0:
                        o[base + n // 2, i] = p * norms[base + n // 2]
                    else:
                        j_pos = base + (n + am) // 2
                        j_neg = base + (n - am) // 2
                        o[j_pos, i] = p * rm * c * norms[j_pos]
                        o[j_neg, i] = p * rm * s * norms[j_neg]
                rm *= rr
        return out

    @numba.njit(parallel=True, fastmath=False)
    def w2(r, t, coefs, norms, out):
        n_pix = r.size
        rf, tf, of = r.ravel(), t.ravel(), out.ravel()
        for i in numba.prange(n_pix):
            rr, tt = rf[i], tf[i]
            x = 2 * rr * rr - 1
            rm = 1.0
            acc = 0.0
            for am in range(11):
                c, s = math.cos(am * tt), math.sin(am * tt)
                p_prev, p = 0.0, 1.0
                for k in range((10 - am) // 2 + 1):
                    n = am + 2 * k
                    if k == 1:
                        p, p_prev = ((am + 2) * x - am) / 2, p
                    elif k > 1:
                        kk = k - 1
                        aa = 2 * (kk + 1) * (kk + am + 1) * (2 * kk + am)
                        cc = (2 * kk + am + 1) * (2 * kk + am) * (2 * kk + am + 2)
                        bb = (2 * kk + am + 1) * (0.0 - am * am)
                        dd = 2 * kk * (kk + am) * (2 * kk + am + 2)
                        p, p_prev = ((cc / aa) * x + bb / aa) * p - (dd / aa) * p_prev, p
                    base = n * (n + 1) // 2
                    if am == 0:
                        acc += coefs[base + n // 2] * norms[base + n // 2] * p
                    else:
                        j_pos = base + (n + am) // 2
                        j_neg = base + (n - am) // 2
                        acc += p * rm * (coefs[j_pos] * norms[j_pos] * c
                                         + coefs[j_neg] * norms[j_neg] * s)
                rm *= rr
            of[i] = acc
        return out

    return w1, w2


def bench_zernike(n, runs, wanted, peers):
    gx, gy, r, t = grid(n)
    norms = np.array([zernike_norm(*nm) for nm in NMS])
    prysm, jax, numba = peers["prysm"], peers["jax"], peers["numba"]
    if prysm is not None:
        from prysm.polynomials import sum_of_2d_modes, zernike_nm_sequence
        from prysm.coordinates import cart_to_polar, make_xy_grid

        def prysm_modes():
            x, y = make_xy_grid(n, diameter=2)
            rr, tt = cart_to_polar(x, y)
            return np.asarray(list(zernike_nm_sequence(NMS, rr, tt, norm=True)))
        if wanted("W1"):
            report("W1", "prysm", n, measure(prysm_modes, runs))
        if wanted("W2"):
            report("W2", "prysm", n, measure(lambda: sum_of_2d_modes(prysm_modes(), W2_COEFS), runs))
    if wanted("W1") and peers["numpy"]:
        out = np.empty((66, n, n))
        report("W1", "numpy", n, measure(lambda: modes_by_hand(np, r, t, out), runs))
    if wanted("W2") and peers["numpy"]:
        report("W2", "numpy", n, measure(
            lambda: np.tensordot(np.asarray(modes_by_hand(np, r, t)), W2_COEFS, axes=(0, 0)), runs))
    if jax is not None:
        import jax.numpy as jnp
        jr, jt = jnp.asarray(r), jnp.asarray(t)
        j_w1 = jax.jit(lambda r, t: jnp.stack(modes_by_hand(jnp, r, t)))
        jc = jnp.asarray(W2_COEFS)
        # The weighted sum written term by term, so XLA fuses it into one loop rather
        # than materialising the 66 modes for a tensordot.
        j_w2 = jax.jit(lambda r, t, c: sum(c[i] * z for i, z in enumerate(modes_by_hand(jnp, r, t))))
        if wanted("W1"):
            report("W1", "jax", n, measure(lambda: j_w1(jr, jt).block_until_ready(), runs))
        if wanted("W2"):
            report("W2", "jax", n, measure(lambda: j_w2(jr, jt, jc).block_until_ready(), runs))
    if numba is not None:
        k1, k2 = numba_kernels(numba)
        if wanted("W1"):
            report("W1", "numba", n, measure(lambda: k1(r, t, np.empty((66, n, n)), norms), runs))
        if wanted("W2"):
            report("W2", "numba", n, measure(lambda: k2(r, t, W2_COEFS, norms, np.empty((n, n))), runs))


# ---- W3 (PSF) and FFT2 --------------------------------------------------------------------

def w3_wavefront(xp, r, t):
    """The four closed-form orthonormal terms the mathengine W3 bench uses."""
    r2 = r * r
    return ((2 * r2 - 1) * math.sqrt(3) * 0.1 + r2 * xp.cos(2 * t) * math.sqrt(6) * 0.05
            + (3 * r2 * r - 2 * r) * xp.cos(t) * math.sqrt(8) * -0.02
            + (6 * r2 * r2 - 6 * r2 + 1) * math.sqrt(5) * 0.03)


def bench_psf(n, runs, wanted, peers):
    sfft, jax = peers["scipy.fft"], peers["jax"]
    _, _, r, t = grid(n)

    def numpy_psf(fft2):
        def run():
            p = (r <= 1) * np.exp(1j * 2 * np.pi / 0.6328 * w3_wavefront(np, r, t))
            f = np.fft.fftshift(fft2(p, s=(2 * n, 2 * n)))
            return np.abs(f) ** 2
        return run
    if wanted("W3"):
        if peers["numpy"]:
            report("W3", "numpy", n, measure(numpy_psf(np.fft.fft2), runs))
        if sfft is not None:
            report("W3", "scipy", n, measure(
                numpy_psf(lambda a, s: sfft.fft2(a, s=s, workers=-1)), runs))
        if jax is not None:
            import jax.numpy as jnp

            @jax.jit
            def j_psf(r, t):
                p = (r <= 1) * jnp.exp(1j * 2 * jnp.pi / 0.6328 * w3_wavefront(jnp, r, t))
                f = jnp.fft.fftshift(jnp.fft.fft2(p, s=(2 * n, 2 * n)))
                return jnp.abs(f) ** 2
            jr, jt = jnp.asarray(r), jnp.asarray(t)
            report("W3", "jax", n, measure(lambda: j_psf(jr, jt).block_until_ready(), runs))
    if wanted("FFT2"):
        nf = 2 * n
        a = (np.arange(nf * nf) % 7 + 1j * (np.arange(nf * nf) % 3)).reshape(nf, nf)
        if peers["numpy"]:
            report("FFT2", "numpy", nf, measure(lambda: np.fft.fft2(a), runs))
        if sfft is not None:
            report("FFT2", "scipy", nf, measure(lambda: sfft.fft2(a, workers=-1), runs))


# ---- W4-W6 ------------------------------------------------------------------------------

def bench_elementwise(quick, runs, wanted, peers):
    ne, jax, numba = peers["numexpr"], peers["jax"], peers["numba"]
    n4 = 1 << 12 if quick else 1 << 22
    if wanted("W4"):
        def w4_numpy():
            x = np.linspace(-3, 3, n4)
            return np.sin(x) ** 2 + np.cos(x) * np.exp(-x * x)
        if peers["numpy"]:
            report("W4", "numpy", n4, measure(w4_numpy, runs))
        if ne is not None:
            def w4_ne():
                x = np.linspace(-3, 3, n4)
                return ne.evaluate("sin(x)**2 + cos(x)*exp(-x*x)")
            report("W4", "numexpr", n4, measure(w4_ne, runs))
        if jax is not None:
            import jax.numpy as jnp

            @jax.jit
            def w4_jax():
                x = jnp.linspace(-3, 3, n4)
                return jnp.sin(x) ** 2 + jnp.cos(x) * jnp.exp(-x * x)
            report("W4", "jax", n4, measure(lambda: w4_jax().block_until_ready(), runs))
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
            report("W4", "numba", n4, measure(lambda: w4_kernel(n4), runs))

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
        if peers["numpy"]:
            report("W5", "numpy", 1000, measure(loop(w5_numpy), runs), per=reps)
        if ne is not None:
            def w5_ne():
                x = np.linspace(0, 1, 1000)
                return ne.evaluate("(x*2 + 1)*x")
            report("W5", "numexpr", 1000, measure(loop(w5_ne), runs), per=reps)
        if jax is not None:
            import jax.numpy as jnp

            @jax.jit
            def w5_jax():
                x = jnp.linspace(0, 1, 1000)
                return (x * 2 + 1) * x
            report("W5", "jax", 1000, measure(loop(lambda: w5_jax().block_until_ready()), runs),
                   per=reps)

    if wanted("W6"):
        # A never-seen 20-op expression: every run builds and compiles a fresh function.
        counter = [0]

        def expression(xp, k):
            def f(x):
                y = x
                for i in range(20):
                    y = [lambda v: v * 1.0001, lambda v: v + (0.5 + k), lambda v: v + xp.sin(v)][i % 3](y)
                return y
            return f
        w6_runs = 3 if quick else 5
        if jax is not None:
            import jax.numpy as jnp
            x = jnp.linspace(0, 1, 1000)

            def w6_jax():
                counter[0] += 1
                return jax.jit(expression(jnp, counter[0]))(x).block_until_ready()
            report("W6", "jax", 1000, measure(w6_jax, w6_runs))
        if numba is not None:
            def w6_numba():
                counter[0] += 1
                body = ["y = x[i]"]
                for i in range(20):
                    body.append(["y = y * 1.0001", f"y = y + {0.5 + counter[0]}",
                                 "y = y + np.sin(y)"][i % 3])
                src = ("def f(x, out):\n    for i in range(x.shape[0]):\n        "
                       + "\n        ".join(body) + "\n        out[i] = y\n")
                ns = {"np": np}
                exec(src, ns)
                f = numba.njit(ns["f"])
                xs = np.linspace(0, 1, 1000)
                out = np.empty_like(xs)
                f(xs, out)
                return out
            report("W6", "numba", 1000, measure(w6_numba, w6_runs))


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    only = args[args.index("--only") + 1].upper().split(",") if "--only" in args else None
    size = int(args[args.index("--size") + 1]) if "--size" in args else (32 if quick else 512)

    def wanted(w):
        return only is None or w in only
    runs = 1 if quick else 7
    impls = args[args.index("--impl") + 1].split(",") if "--impl" in args else None
    # Only the peers asked for are imported, so a process's peak RSS is its peers' own.
    peers = {name: optional(name) if impls is None or name in impls else None
             for name in ["prysm", "numexpr", "jax", "numba"]}
    peers["scipy.fft"] = None
    if impls is None or "scipy" in impls:
        try:
            import scipy.fft as sfft
            peers["scipy.fft"] = sfft
        except ImportError:
            print("scipy not installed: skipped", file=sys.stderr)
    peers["numpy"] = impls is None or "numpy" in impls
    if peers["jax"] is not None:
        peers["jax"].config.update("jax_enable_x64", True)

    bench_zernike(size, runs, wanted, peers)
    bench_psf(size, runs, wanted, peers)
    if only is None or any(w in only for w in ["W4", "W5", "W6"]):
        bench_elementwise(quick, runs, wanted, peers)


if __name__ == "__main__":
    main()
