"""e.fft and e.linalg against numpy.fft / numpy.linalg."""

import numpy as np
import pytest


def close(got, want, tol=1e-10):
    got = np.asarray(got)
    assert got.shape == np.shape(want)
    assert got.dtype == np.asarray(want).dtype, (got.dtype, np.asarray(want).dtype)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
def test_fft_family(e, rng, norm):
    x = rng.standard_normal((6, 8)) + 1j * rng.standard_normal((6, 8))
    r = rng.standard_normal((6, 8))
    X, R = e.asarray(x), e.asarray(r)
    close(e.fft.fft(X, norm=norm), np.fft.fft(x, norm=norm))
    close(e.fft.ifft(X, n=5, axis=0, norm=norm), np.fft.ifft(x, n=5, axis=0, norm=norm))
    close(e.fft.fft2(X, norm=norm), np.fft.fft2(x, norm=norm))
    close(e.fft.ifft2(X, s=(8, 10), norm=norm), np.fft.ifft2(x, s=(8, 10), norm=norm))
    close(e.fft.fftn(X, axes=(0,), norm=norm), np.fft.fftn(x, axes=(0,), norm=norm))
    close(e.fft.ifftn(X, norm=norm), np.fft.ifftn(x, norm=norm))
    close(e.fft.rfft(R, norm=norm), np.fft.rfft(r, norm=norm))
    close(e.fft.irfft(X, norm=norm), np.fft.irfft(x, norm=norm))
    close(e.fft.rfft2(R, norm=norm), np.fft.rfft2(r, norm=norm))
    close(e.fft.irfft2(X, s=(6, 8), norm=norm), np.fft.irfft2(x, s=(6, 8), norm=norm))
    close(e.fft.rfftn(R, norm=norm), np.fft.rfftn(r, norm=norm))
    close(e.fft.irfftn(X, norm=norm), np.fft.irfftn(x, norm=norm))


def test_fft_helpers(e, rng):
    x = rng.standard_normal((5, 6))
    close(e.fft.fftfreq(7, 0.5), np.fft.fftfreq(7, 0.5))
    close(e.fft.rfftfreq(8), np.fft.rfftfreq(8))
    close(e.fft.fftshift(e.asarray(x)), np.fft.fftshift(x))
    close(e.fft.ifftshift(e.asarray(x), axes=1), np.fft.ifftshift(x, axes=1))
    close(e.fft.fft(e.asarray(x.astype(np.float32))), np.fft.fft(x.astype(np.float32)), tol=1e-4)
    # padded FFT of a pupil (the PSF pattern)
    p = np.zeros((16, 16))
    p[4:12, 4:12] = 1
    close(e.fft.fftshift(e.fft.fft2(e.asarray(p), s=(64, 64))), np.fft.fftshift(np.fft.fft2(p, s=(64, 64))))


def test_linalg(e, rng):
    a = rng.standard_normal((5, 5))
    spd = a @ a.T + 5 * np.eye(5)
    b = rng.standard_normal((5, 2))
    A, S, B = e.asarray(a), e.asarray(spd), e.asarray(b)
    close(e.linalg.solve(A, B), np.linalg.solve(a, b))
    close(e.linalg.inv(A), np.linalg.inv(a))
    close(e.linalg.det(A), np.linalg.det(a))
    close(e.linalg.cholesky(S), np.linalg.cholesky(spd))
    close(e.linalg.cholesky(S, upper=True), np.linalg.cholesky(spd).T)
    w, v = e.linalg.eigh(S)
    wn, _ = np.linalg.eigh(spd)
    close(w, wn)
    close((v * w) @ v.T, spd)  # V diag(w) V^T
    close(e.linalg.eigvalsh(S), wn)
    q, r = e.linalg.qr(A)
    close(q @ r, a)
    close(q.T @ q, np.eye(5))
    u, s, vh = e.linalg.svd(A)
    close(s, np.linalg.svd(a)[1])
    close((u * s) @ vh, a)
    close(e.linalg.svd(A, compute_uv=False), np.linalg.svd(a, compute_uv=False))
    tall = rng.standard_normal((8, 3))
    y = rng.standard_normal(8)
    x, res, rank, sv = e.linalg.lstsq(tall, y)
    xn, resn, rankn, svn = np.linalg.lstsq(tall, y)
    close(x, xn)
    close(res, resn)
    assert rank == rankn
    close(sv, svn)
    u, s, vh = e.linalg.svd(e.asarray(tall))  # full_matrices of a non-square: numpy fallback
    assert u.shape == (8, 8)
    for ord_ in [None, "fro", "nuc", 1, -1, 2, np.inf]:
        close(e.linalg.norm(A, ord=ord_), np.linalg.norm(a, ord=ord_))
    for ord_ in [None, 1, 2, np.inf, 0, 3]:
        close(e.linalg.norm(e.asarray(y), ord=ord_), np.linalg.norm(y, ord=ord_))
    close(e.linalg.norm(A, axis=1), np.linalg.norm(a, axis=1))
    close(e.linalg.norm(A, axis=0, keepdims=True), np.linalg.norm(a, axis=0, keepdims=True))
    close(e.linalg.matmul(A, B), a @ b)
    close(e.dot(A, B), np.dot(a, b))
    close(e.linalg.vector_norm(A), np.linalg.vector_norm(a))
    close(e.linalg.matrix_norm(A), np.linalg.matrix_norm(a))
