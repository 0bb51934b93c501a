"""`e.polynomials`: prysm.polynomials' names and signatures, evaluated lazily and fused
(a sequence of modes is one multi-output kernel when evaluated together)."""

import operator

import numpy as np

from ._array import Array
from ._engine import _Namespace, _default_docs, _extent


def _small(v):
    """A Zernike/Q index (n or m): an integer that fits 32 bits, ValueError otherwise."""
    v = operator.index(v)
    if not -(1 << 31) < v < (1 << 31):
        raise ValueError(f"polynomial index {v} is out of range (|index| < 2**31)")
    return v


def _family(name, prysm_name=None):
    pn = prysm_name or name

    def value(self, n, x):
        return self._1d(name, [n], x, False)[0]

    def sequence(self, ns, x):
        return self._1d(name, list(ns), x, False)

    def der(self, n, x):
        return self._1d(name, [n], x, True)[0]

    def der_sequence(self, ns, x):
        return self._1d(name, list(ns), x, True)

    def sum_(self, coefs, x):
        e = self._eng
        return Array._new(e._core.poly1d_sum(name + "_sum", [float(c) for c in coefs], e._arr(x)._n), e)

    value.__doc__ = f"prysm's {pn}(n, x): the order-n polynomial at x (lazy)."
    sequence.__doc__ = f"prysm's {pn}_sequence(ns, x): a list, one array per order (one fused kernel)."
    der.__doc__ = f"prysm's {pn}_der(n, x): d/dx."
    der_sequence.__doc__ = f"prysm's {pn}_der_sequence(ns, x)."
    sum_.__doc__ = f"sum_k coefs[k] * {pn}(k, x) by Clenshaw's recurrence (no mode materialised)."
    return {pn: value, pn + "_sequence": sequence, pn + "_seq": sequence, pn + "_der": der,
            pn + "_der_sequence": der_sequence, pn + "_der_seq": der_sequence, pn + "_sum": sum_}


def _alpha_family(name):
    def value(self, n, alpha, x):
        return self._alpha(name, [n], alpha, x, False)[0]

    def sequence(self, ns, alpha, x):
        return self._alpha(name, list(ns), alpha, x, False)

    def der(self, n, alpha, x):
        return self._alpha(name, [n], alpha, x, True)[0]

    def der_sequence(self, ns, alpha, x):
        return self._alpha(name, list(ns), alpha, x, True)

    value.__doc__ = f"prysm's {name}(n, alpha, x) (lazy)."
    return {name: value, name + "_sequence": sequence, name + "_seq": sequence,
            name + "_der": der, name + "_der_sequence": der_sequence, name + "_der_seq": der_sequence}


class Polynomials(_Namespace):
    """prysm.polynomials on mathengine: Zernike (polar and Cartesian), Jacobi, Legendre,
    Chebyshev (four kinds), Hermite, Laguerre, Dickson, Forbes Q (Qbfs, Qcon, Q2d), xy
    monomials, index conversions, sum_of_2d_modes and lstsq fitting."""

    def _1d(self, name, ns, x, der):
        e = self._eng
        return [Array._new(n, e) for n in e._core.poly1d(name + ("_der_seq" if der else "_seq"),
                                                           [_extent(v, "polynomial orders") for v in ns], e._arr(x)._n, der)]

    def _alpha(self, name, ns, alpha, x, der):
        e = self._eng
        return [Array._new(n, e) for n in e._core.poly_alpha(
            name + ("_der_seq" if der else "_seq"), [_extent(v, "polynomial orders") for v in ns], float(alpha), e._arr(x)._n, der)]

    # ---- Zernike ----

    def _rt(self, r, t):
        e = self._eng
        R, T = e.broadcast_arrays(r, t)
        return R._n, T._n

    def zernike_nm(self, n, m, r, t, norm=True):
        """Zernike polynomial Z_n^m at polar (r, t); unit RMS over the disc when norm."""
        return self.zernike_nm_sequence([(n, m)], r, t, norm)[0]

    def zernike_nm_sequence(self, nms, r, t, norm=True):
        """Zernike polynomials for every (n, m) in `nms` (a list; one fused kernel when
        evaluated together, e.g. with e.eval(*modes))."""
        e = self._eng
        R, T = self._rt(r, t)
        return [Array._new(x, e) for x in e._core.zernike_seq(
            [(_small(n), _small(m)) for n, m in nms], R, T, bool(norm), False)]

    zernike_nm_seq = zernike_nm_sequence

    def zernike_nm_der(self, n, m, r, t, norm=True):
        """(dZ/dr, dZ/dt) of Z_n^m."""
        return self.zernike_nm_der_sequence([(n, m)], r, t, norm)[0]

    def zernike_nm_der_sequence(self, nms, r, t, norm=True):
        e = self._eng
        R, T = self._rt(r, t)
        flat = [Array._new(x, e) for x in e._core.zernike_seq(
            [(_small(n), _small(m)) for n, m in nms], R, T, bool(norm), True)]
        return [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]

    zernike_nm_der_seq = zernike_nm_der_sequence

    def zernike_sum(self, coefs, nms, r, t, norm=True):
        """sum_k coefs[k] * Z_{nms[k]} at polar (r, t), fused into one pass."""
        e = self._eng
        R, T = self._rt(r, t)
        return Array._new(e._core.zernike_sum([float(c) for c in coefs],
                                              [(_small(n), _small(m)) for n, m in nms], R, T, bool(norm), False), e)

    def zernike_sum_xy(self, coefs, nms, x, y, norm=True):
        """As zernike_sum, on Cartesian (x, y) (no trigonometric functions)."""
        e = self._eng
        X, Y = self._rt(x, y)
        return Array._new(e._core.zernike_sum([float(c) for c in coefs],
                                              [(_small(n), _small(m)) for n, m in nms], X, Y, bool(norm), True), e)

    def zernike_norm(self, n, m):
        return self._eng._core.zernike_norm(_small(n), _small(m))

    def noll_to_nm(self, idx):
        return self._eng._core.j_to_nm("noll", _extent(idx, "mode indices"))

    def nm_to_noll(self, n, m):
        return self._eng._core.nm_to_j("noll", _small(n), _small(m))

    def fringe_to_nm(self, idx):
        return self._eng._core.j_to_nm("fringe", _extent(idx, "mode indices"))

    def nm_to_fringe(self, n, m):
        return self._eng._core.nm_to_j("fringe", _small(n), _small(m))

    def ansi_j_to_nm(self, idx):
        return self._eng._core.j_to_nm("ansi", _extent(idx, "mode indices"))

    def nm_to_ansi_j(self, n, m):
        return self._eng._core.nm_to_j("ansi", _small(n), _small(m))

    def nm_to_name(self, n, m):
        return self._eng._core.nm_to_name(_small(n), _small(m))

    # ---- Jacobi ----

    def jacobi(self, n, alpha, beta, x):
        """Jacobi polynomial P_n^(alpha, beta)(x)."""
        return self.jacobi_sequence([n], alpha, beta, x)[0]

    def jacobi_sequence(self, ns, alpha, beta, x):
        e = self._eng
        return [Array._new(v, e) for v in e._core.jacobi([_extent(n, "polynomial orders") for n in ns], float(alpha), float(beta),
                                                          e._arr(x)._n, False)]

    jacobi_seq = jacobi_sequence

    def jacobi_der(self, n, alpha, beta, x):
        return self.jacobi_der_sequence([n], alpha, beta, x)[0]

    def jacobi_der_sequence(self, ns, alpha, beta, x):
        e = self._eng
        return [Array._new(v, e) for v in e._core.jacobi([_extent(n, "polynomial orders") for n in ns], float(alpha), float(beta),
                                                          e._arr(x)._n, True)]

    jacobi_der_seq = jacobi_der_sequence

    # ---- Forbes Q2d, xy ----

    def Q2d(self, n, m, r, t):
        """Forbes' 2-D Q polynomial Q_n^m at normalised polar (r, t)."""
        return self.Q2d_sequence([(n, m)], r, t)[0]

    def Q2d_sequence(self, nms, r, t):
        e = self._eng
        R, T = self._rt(r, t)
        return [Array._new(v, e) for v in e._core.q2d_seq([(_small(n), _small(m)) for n, m in nms], R, T, False)]

    def Q2d_der(self, n, m, r, t):
        return self.Q2d_der_sequence([(n, m)], r, t)[0]

    def Q2d_der_sequence(self, nms, r, t):
        e = self._eng
        R, T = self._rt(r, t)
        flat = [Array._new(v, e) for v in e._core.q2d_seq([(_small(n), _small(m)) for n, m in nms], R, T, True)]
        return [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]

    def Q2d_sum(self, coefs, nms, r, t):
        e = self._eng
        R, T = self._rt(r, t)
        return Array._new(e._core.q2d_sum([float(c) for c in coefs], [(_small(n), _small(m)) for n, m in nms], R, T), e)

    def xy_polynomial(self, m, n, x, y):
        """The monomial x^m y^n."""
        return self.xy_polynomial_sequence([(m, n)], x, y)[0]

    def xy_polynomial_sequence(self, mns, x, y):
        e = self._eng
        X, Y = self._rt(x, y)
        return [Array._new(v, e) for v in e._core.xy_seq([(_small(m), _small(n)) for m, n in mns], X, Y)]

    # ---- fitting ----

    def sum_of_2d_modes(self, modes, weights):
        """sum_k weights[k] * modes[k] (one fused pass)."""
        e = self._eng
        return Array._new(e._core.sum_of_2d_modes([e._arr(m)._n for m in modes],
                                                  [float(w) for w in np.asarray(weights).ravel()]), e)

    def lstsq(self, modes, data, mask=None):
        """Least-squares coefficients of `data` in the basis `modes` (where `mask` is
        true, and data is finite), as a numpy float64 array (prysm's lstsq)."""
        e = self._eng
        return np.asarray(e._core.fit_lstsq([e._arr(m)._n for m in modes], e._arr(data)._n,
                                            None if mask is None else e._arr(mask)._n))


for _n, _pn in [("legendre", None), ("cheby1", None), ("cheby2", None), ("cheby3", None),
                ("cheby4", None), ("hermite_he", "hermite_He"), ("hermite_h", "hermite_H"),
                ("qbfs", "Qbfs"), ("qcon", "Qcon")]:
    for _k, _f in _family(_n, _pn).items():
        _f.__name__ = _k
        setattr(Polynomials, _k, _f)
for _n in ("laguerre", "dickson1", "dickson2"):
    for _k, _f in _alpha_family(_n).items():
        _f.__name__ = _k
        setattr(Polynomials, _k, _f)


_default_docs(Polynomials, "prysm.polynomials")
