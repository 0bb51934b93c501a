"""W2-like weighted Zernike sum at 8192² and a batch of PSFs, chunked on a Dask
LocalCluster of worker processes (docs/dask.md).

    target/py-venv/bin/python examples/dask_psf.py [n] [workers]
"""

import sys
import time

import numpy as np
from dask.diagnostics import ProgressBar  # noqa: F401  (local schedulers)
from distributed import Client, LocalCluster, progress

import mathengine as me
from mathengine.dask import to_dask

E = me.engine


def wavefront(n):
    """A weighted sum of rotationally symmetric Zernike terms on a generated grid."""
    x = E.linspace(-1.0, 1.0, n).reshape(1, n)
    y = E.linspace(-1.0, 1.0, n).reshape(n, 1)
    r2 = x * x + y * y
    z2 = 2.0 * r2 - 1.0
    z4 = (6.0 * r2 - 6.0) * r2 + 1.0
    z6 = ((20.0 * r2 - 30.0) * r2 + 12.0) * r2 - 1.0
    w = 0.5 * z2 + 0.25 * z4 + 0.125 * z6
    return E.where(r2 <= 1.0, w, 0.0)


def psf_batch(batch, n):
    """`batch` PSFs (one per defocus weight), one FFT per block: chunk the batch axis."""
    x = E.linspace(-1.0, 1.0, n).reshape(1, 1, n)
    y = E.linspace(-1.0, 1.0, n).reshape(1, n, 1)
    k = E.linspace(0.0, 2.0, batch).reshape(batch, 1, 1)
    r2 = x * x + y * y
    pupil = E.where(r2 <= 1.0, E.exp(1j * (2.0 * np.pi) * k * (2.0 * r2 - 1.0)), 0.0)
    f = E.fft.fft2(pupil, axes=(-2, -1))
    return (f * E.conj(f)).real


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8192
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                      dashboard_address=None, host="127.0.0.1") as cluster, Client(cluster):
        w = to_dask(wavefront(n), chunks=(n // 8, n))
        t = time.perf_counter()
        rms = w.std().persist()
        progress(rms)
        print(f"\nW2-like {n}x{n}, {workers} workers: std {float(rms.compute()):.6f} "
              f"in {time.perf_counter() - t:.2f} s")
        p = to_dask(psf_batch(16, 1024), chunks=(2, 1024, 1024))
        t = time.perf_counter()
        peaks = p.max(axis=(1, 2)).persist()
        progress(peaks)
        print(f"\n16 PSFs 1024x1024: peaks {np.asarray(peaks.compute())[:3]}... "
              f"in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
