"""`e.linalg`: numpy.linalg's names and signatures on the engine (library steps)."""

import numpy as np

from ._array import Array
from ._engine import (EighResult, LstsqResult, QRResult, SVDResult, _Namespace, _axes,
                      _default_docs)


class Linalg(_Namespace):
    """numpy.linalg on mathengine: solve, inv, det, lstsq, qr, svd, eigh, eigvalsh,
    svdvals, norm, matmul, cholesky, matrix_transpose. Others fall back to numpy.linalg."""

    _numpy_module = np.linalg
    LinAlgError = np.linalg.LinAlgError

    # numpy.linalg's results for empty matrices (0x0, or a batch of none), which the
    # engine's kernels refuse: the packed outputs below, per kernel.
    _EMPTY = {"qr": lambda a: np.linalg.qr(a), "svd": lambda a: np.linalg.svd(a, full_matrices=False),
              "eigh": lambda a: np.linalg.eigh(a)}

    def _one(self, name, a):
        e = self._eng
        x = e._arr(a)
        if x.size == 0:
            return self._empty(name, x)
        return [Array._new(n, e) for n in e._core.linalg1(name, x._n)]

    def _two(self, name, a, b):
        e = self._eng
        x, y = e._pair(a, b)
        if 0 in x.shape or 0 in y.shape:
            fn = {"solve": np.linalg.solve, "lstsq": lambda p, q: np.linalg.lstsq(p, q)[0]}[name]
            return e._fallback(fn, f"numpy.linalg.{name}(empty)")(Array._new(x, e), Array._new(y, e))
        return Array._new(e._core.linalg2(name, x, y), e)

    def _empty(self, name, x):
        """numpy's result for an empty matrix (its kernels take no such input here)."""
        fn = self._EMPTY.get(name) or getattr(np.linalg, name)
        r = self._eng._fallback(fn, f"numpy.linalg.{name}(empty)")(x)
        return list(r) if isinstance(r, tuple) else [r]

    def solve(self, a, b):
        """x with a @ x = b."""
        return self._two("solve", a, b)

    def inv(self, a):
        return self._one("inv", a)[0]

    def det(self, a):
        return self._one("det", a)[0]

    def cholesky(self, a, /, *, upper=False):
        L = self._one("cholesky", a)[0]
        return self._eng.conj(self._eng.swapaxes(L, -1, -2)) if upper else L

    def qr(self, a, mode="reduced"):
        if mode != "reduced":
            return self.__getattr__("qr")(a, mode)
        return QRResult(*self._one("qr", a))

    def svd(self, a, full_matrices=True, compute_uv=True, hermitian=False):
        """The thin SVD when the matrix is square or full_matrices=False (lazy); a full
        SVD of a non-square matrix falls back to numpy."""
        e = self._eng
        x = e._arr(a)
        if full_matrices and x.shape[-1] != x.shape[-2] and compute_uv:
            return self.__getattr__("svd")(x, full_matrices=True, compute_uv=True)
        u, s, vh = self._one("svd", x)
        return SVDResult(u, s, vh) if compute_uv else s

    def svdvals(self, x, /):
        return self._one("svd", x)[1]

    def eigh(self, a, UPLO="L"):
        w, v = self._one("eigh", a)
        return EighResult(w, v)

    def eigvalsh(self, a, UPLO="L"):
        return self._one("eigh", a)[0]

    def lstsq(self, a, b, rcond=None):
        """numpy's (x, residuals, rank, s). x is lazy; rank needs the singular values, so
        they are evaluated."""
        e = self._eng
        A, B = e._arr(a), e._arr(b)
        x = self._two("lstsq", A, B)
        s = self.svdvals(A)
        m, n = A.shape[-2], A.shape[-1]
        sv = s.numpy()
        tol = (np.finfo(sv.dtype).eps * max(m, n) if rcond is None else rcond) * (sv.max() if sv.size else 0)
        rank = int((sv > tol).sum())
        if rank == n and m > n:
            r = B - e.matmul(A, x)
            residuals = e.sum(e.abs(r) ** 2, axis=0) if B.ndim > 1 else e.reshape(e.sum(e.abs(r) ** 2), [1])
        else:
            residuals = e.zeros((0,), dtype=sv.dtype)
        return LstsqResult(x, residuals, rank, s)

    def norm(self, x, ord=None, axis=None, keepdims=False):
        e = self._eng
        X = e._arr(x)
        ax = _axes(axis)
        r = Array._new(e._core.norm(X._n, ord, ax), e)
        if keepdims:
            nd = X.ndim
            axes = list(range(nd)) if ax is None else [a % nd for a in ax]
            shape = [1 if i in axes else n for i, n in enumerate(X.shape)]
            r = e.reshape(r, shape)
        return r

    def matmul(self, x1, x2, /):
        return self._two("matmul", x1, x2)

    def matrix_transpose(self, x, /):
        return self._eng.swapaxes(x, -1, -2)

    def vector_norm(self, x, /, *, axis=None, keepdims=False, ord=2):
        e = self._eng
        X = e._arr(x)
        if axis is None:
            X, axis = e.ravel(X), 0
        return self.norm(X, ord=ord, axis=axis, keepdims=keepdims)

    def matrix_norm(self, x, /, *, keepdims=False, ord="fro"):
        return self.norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


_default_docs(Linalg, "numpy.linalg")
