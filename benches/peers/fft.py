"""The peers of benches/fft.rs: scipy.fft (workers=-1) and numpy on the same N×N inputs
(real part i % 7, imaginary part i % 3), complex128 (FFT2), complex64 (FFT2-C64), and the
two passes of the complex128 fft2 alone (FFT-ROWS: the last axis, FFT-COLS: axis 0), and
the three phases of W3 with a pupil of N/2 (W3-PUPIL, W3-FFT, W3-PSF; the grid r, t is
computed once beforehand, as in workloads.py). Same JSON lines as the Rust benches on
stdout, readable lines on stderr.

    python3 benches/peers/fft.py [--only FFT2,FFT2-C64] [--size N] [--impl scipy,numpy]

Without --size, N = 1024, 2048 and 4096.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from workloads import grid, measure, report, w3_wavefront  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="FFT2,FFT2-C64,FFT-ROWS,FFT-COLS,W3-PHASES")
    ap.add_argument("--size", type=int)
    ap.add_argument("--impl", default="scipy,numpy")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    only = [w.strip().upper() for w in args.only.split(",")]
    impls = args.impl.split(",")
    sizes = [args.size] if args.size else [1024, 2048, 4096]
    peers = {}
    if "scipy" in impls:
        import scipy.fft as sfft
        peers["scipy"] = (lambda a, **kw: sfft.fft2(a, workers=-1, **kw),
                          lambda a, axis: sfft.fft(a, axis=axis, workers=-1))
    if "numpy" in impls:
        peers["numpy"] = (np.fft.fft2, lambda a, axis: np.fft.fft(a, axis=axis))
    for n in sizes:
        i = np.arange(n * n)
        a = ((i % 7) + 1j * (i % 3)).reshape(n, n)
        a64 = a.astype(np.complex64)
        for name, (fft2, fft1) in peers.items():
            if "FFT2" in only:
                report("FFT2", name, n, measure(lambda: fft2(a), args.runs))
            if "FFT2-C64" in only:
                report("FFT2-C64", name, n, measure(lambda: fft2(a64), args.runs))
            if "FFT-ROWS" in only:
                report("FFT-ROWS", name, n, measure(lambda: fft1(a, -1), args.runs))
            if "FFT-COLS" in only:
                report("FFT-COLS", name, n, measure(lambda: fft1(a, 0), args.runs))
            if "W3-PHASES" in only:
                w3_phases(n // 2, fft2, name, args.runs)


def w3_phases(n, fft2, name, runs):
    _, _, r, t = grid(n)

    def pupil():
        return (r <= 1) * np.exp(1j * 2 * np.pi / 0.6328 * w3_wavefront(np, r, t))
    p = pupil()
    f = fft2(p, s=(2 * n, 2 * n))
    report("W3-PUPIL", name, n, measure(pupil, runs))
    report("W3-FFT", name, n, measure(lambda: fft2(p, s=(2 * n, 2 * n)), runs))
    report("W3-PSF", name, n, measure(lambda: np.abs(np.fft.fftshift(f)) ** 2, runs))


if __name__ == "__main__":
    main()
