"""e.polynomials and e.coordinates against independent facts: closed forms, published
index tables, numpy.polynomial."""

import math

import numpy as np
import numpy.polynomial as P
import pytest


@pytest.fixture
def grid(e):
    x, y = e.coordinates.make_xy_grid(32, diameter=2)
    r, t = e.coordinates.cart_to_polar(x, y)
    return x, y, r, t, np.asarray(r), np.asarray(t)


def test_make_xy_grid_and_polar(e):
    x, y = e.coordinates.make_xy_grid(4, diameter=2)
    np.testing.assert_array_equal(np.asarray(x)[0], [-1.0, -0.5, 0.0, 0.5])
    np.testing.assert_array_equal(np.asarray(y)[:, 0], [-1.0, -0.5, 0.0, 0.5])
    x, y = e.coordinates.make_xy_grid((2, 3), dx=1)
    assert x.shape == (2, 3)
    np.testing.assert_array_equal(np.asarray(x)[0], [-1.0, 0.0, 1.0])
    x1, y1 = e.coordinates.make_xy_grid(5, dx=0.1, grid=False)
    assert x1.shape == (5,) and y1.shape == (5,)
    xn, yn = np.meshgrid(np.arange(-2, 3) * 0.1, np.arange(-2, 3) * 0.1)
    r, t = e.coordinates.cart_to_polar(xn, yn)
    np.testing.assert_allclose(np.asarray(r), np.hypot(xn, yn))
    np.testing.assert_allclose(np.asarray(t), np.arctan2(yn, xn))
    bx, by = e.coordinates.polar_to_cart(r, t)
    np.testing.assert_allclose(np.asarray(bx), xn, atol=1e-15)
    np.testing.assert_allclose(np.asarray(by), yn, atol=1e-15)
    np.testing.assert_array_equal(np.asarray(e.coordinates.fftrange(5, 2.0)), (np.arange(5) - 2) * 2.0)
    np.testing.assert_array_equal(np.asarray(e.coordinates.circle(0.15, r)), np.hypot(xn, yn) <= 0.15)


CLOSED = {
    (0, 0): lambda r, t: np.ones_like(r),
    (1, 1): lambda r, t: 2 * r * np.cos(t),
    (1, -1): lambda r, t: 2 * r * np.sin(t),
    (2, 0): lambda r, t: math.sqrt(3) * (2 * r**2 - 1),
    (2, -2): lambda r, t: math.sqrt(6) * r**2 * np.sin(2 * t),
    (3, 1): lambda r, t: math.sqrt(8) * (3 * r**3 - 2 * r) * np.cos(t),
    (4, 0): lambda r, t: math.sqrt(5) * (6 * r**4 - 6 * r**2 + 1),
    (4, 4): lambda r, t: math.sqrt(10) * r**4 * np.cos(4 * t),
}


@pytest.mark.parametrize("nm", sorted(CLOSED))
def test_zernike_closed_forms(e, grid, nm):
    _, _, r, t, rn, tn = grid
    n, m = nm
    want = CLOSED[nm](rn, tn)
    np.testing.assert_allclose(np.asarray(e.polynomials.zernike_nm(n, m, r, t)), want, atol=1e-12)
    unnorm = np.asarray(e.polynomials.zernike_nm(n, m, r, t, norm=False))
    np.testing.assert_allclose(unnorm * e.polynomials.zernike_norm(n, m), want, atol=1e-12)


def test_zernike_sequence_sum_and_derivatives(e, grid):
    x, y, r, t, rn, tn = grid
    nms = sorted(CLOSED)
    modes = e.polynomials.zernike_nm_sequence(nms, r, t)
    e.eval(*modes)
    for (n, m), z in zip(nms, modes):
        np.testing.assert_allclose(np.asarray(z), CLOSED[(n, m)](rn, tn), atol=1e-12)
    coefs = np.linspace(-1, 1, len(nms))
    want = sum(c * CLOSED[nm](rn, tn) for c, nm in zip(coefs, nms))
    np.testing.assert_allclose(np.asarray(e.polynomials.zernike_sum(coefs, nms, r, t)), want, atol=1e-11)
    np.testing.assert_allclose(np.asarray(e.polynomials.zernike_sum_xy(coefs, nms, x, y)), want, atol=1e-11)
    np.testing.assert_allclose(np.asarray(e.polynomials.sum_of_2d_modes(modes, coefs)), want, atol=1e-11)
    # d/dr and d/dt of Z(2, 0) = sqrt3 (2r^2 - 1): 4 sqrt3 r and 0
    dr, dt = e.polynomials.zernike_nm_der(2, 0, r, t)
    np.testing.assert_allclose(np.asarray(dr), 4 * math.sqrt(3) * rn, atol=1e-12)
    np.testing.assert_allclose(np.asarray(dt), 0 * rn, atol=1e-12)
    # Z(1, 1) = 2 r cos t: d/dt = -2 r sin t
    (dr, dt), = e.polynomials.zernike_nm_der_sequence([(1, 1)], r, t)
    np.testing.assert_allclose(np.asarray(dt), -2 * rn * np.sin(tn), atol=1e-12)


def test_index_tables(e):
    p = e.polynomials
    noll = {1: (0, 0), 2: (1, 1), 3: (1, -1), 4: (2, 0), 5: (2, -2), 6: (2, 2), 7: (3, -1),
            8: (3, 1), 11: (4, 0)}
    for j, nm in noll.items():
        assert p.noll_to_nm(j) == nm
        assert p.nm_to_noll(*nm) == j
    ansi = {0: (0, 0), 1: (1, -1), 2: (1, 1), 3: (2, -2), 4: (2, 0), 5: (2, 2), 12: (4, 0)}
    for j, nm in ansi.items():
        assert p.ansi_j_to_nm(j) == nm
        assert p.nm_to_ansi_j(*nm) == j
    fringe = {1: (0, 0), 2: (1, 1), 3: (1, -1), 4: (2, 0), 5: (2, 2), 6: (2, -2), 9: (4, 0)}
    for j, nm in fringe.items():
        assert p.fringe_to_nm(j) == nm
        assert p.nm_to_fringe(*nm) == j
    assert "defocus" in p.nm_to_name(2, 0).lower() or "power" in p.nm_to_name(2, 0).lower()
    with pytest.raises(ValueError):
        p.noll_to_nm(0)


X = np.linspace(-1, 1, 41)


def basis(n):
    c = np.zeros(n + 1)
    c[n] = 1
    return c


@pytest.mark.parametrize("n", [0, 1, 2, 5, 9])
def test_one_dimensional_families(e, n):
    p, x = e.polynomials, e.asarray(X)
    np.testing.assert_allclose(np.asarray(p.legendre(n, x)), P.legendre.legval(X, basis(n)), atol=1e-12)
    np.testing.assert_allclose(np.asarray(p.cheby1(n, x)), P.chebyshev.chebval(X, basis(n)), atol=1e-12)
    th = np.arccos(np.clip(X[1:-1], -1, 1))
    np.testing.assert_allclose(np.asarray(p.cheby2(n, x))[1:-1], np.sin((n + 1) * th) / np.sin(th), atol=1e-10)
    np.testing.assert_allclose(np.asarray(p.hermite_H(n, x)), P.hermite.hermval(X, basis(n)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(p.hermite_He(n, x)), P.hermite_e.hermeval(X, basis(n)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(p.laguerre(n, 0, x)), P.laguerre.lagval(X, basis(n)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(p.jacobi(n, 0, 0, x)), P.legendre.legval(X, basis(n)), atol=1e-12)
    np.testing.assert_allclose(np.asarray(p.legendre_der(n, x)),
                               P.legendre.legval(X, P.legendre.legder(basis(n))), atol=1e-10)
    np.testing.assert_allclose(np.asarray(p.cheby1_der(n, x)),
                               P.chebyshev.chebval(X, P.chebyshev.chebder(basis(n))), atol=1e-10)


def test_jacobi_closed_form_and_sums(e):
    p, x = e.polynomials, e.asarray(X)
    a, b = 0.5, 1.5
    np.testing.assert_allclose(np.asarray(p.jacobi(1, a, b, x)), (a + 1) + (a + b + 2) * (X - 1) / 2, atol=1e-14)
    np.testing.assert_allclose(np.asarray(p.jacobi_der(1, a, b, x)), np.full_like(X, (a + b + 2) / 2), atol=1e-14)
    seq = p.jacobi_sequence([0, 1, 3], a, b, x)
    assert len(seq) == 3
    np.testing.assert_allclose(np.asarray(seq[1]), np.asarray(p.jacobi(1, a, b, x)))
    coefs = [0.5, -1.0, 0.25, 2.0]
    np.testing.assert_allclose(np.asarray(p.legendre_sum(coefs, x)), P.legendre.legval(X, coefs), atol=1e-12)
    np.testing.assert_allclose(np.asarray(p.cheby1_sum(coefs, x)), P.chebyshev.chebval(X, coefs), atol=1e-12)


def test_forbes_low_orders(e):
    p = e.polynomials
    u = e.linspace(0, 1, 11)
    un = np.linspace(0, 1, 11)
    # prysm's Qbfs(n, r) includes the prefactor u^2 (1 - u^2), with x = u^2 = r^2:
    # Q_0 = 1, Q_1 = (13 - 16 x) / sqrt(19) (Forbes 2007).
    x = un**2
    pre = x * (1 - x)
    np.testing.assert_allclose(np.asarray(p.Qbfs(0, u)), pre, atol=1e-14)
    np.testing.assert_allclose(np.asarray(p.Qbfs(1, u)), pre * (13 - 16 * x) / math.sqrt(19), atol=1e-12)
    assert len(p.Qbfs_sequence([0, 1, 2], u)) == 3
    assert len(p.Qcon_sequence([0, 1, 2], u)) == 3
    r, t = e.coordinates.cart_to_polar(*e.coordinates.make_xy_grid(8, diameter=2))
    q = p.Q2d_sequence([(0, 0), (1, 1), (2, -2)], r, t)
    assert len(q) == 3 and q[0].shape == (8, 8)


def test_lstsq_fit_recovers_coefficients(e, grid):
    _, _, r, t, rn, _ = grid
    nms = [(2, 0), (2, 2), (3, 1), (4, 0)]
    modes = e.polynomials.zernike_nm_sequence(nms, r, t)
    coefs = np.array([0.3, -0.1, 0.05, 0.2])
    data = e.polynomials.sum_of_2d_modes(modes, coefs)
    mask = e.coordinates.circle(1.0, r)
    fit = e.polynomials.lstsq(modes, data, mask)
    np.testing.assert_allclose(fit, coefs, atol=1e-10)
    assert isinstance(fit, np.ndarray)


def test_xy_polynomial(e):
    x, y = e.coordinates.make_xy_grid(5, dx=0.5)
    xn, yn = np.asarray(x), np.asarray(y)
    np.testing.assert_allclose(np.asarray(e.polynomials.xy_polynomial(2, 3, x, y)), xn**2 * yn**3)
