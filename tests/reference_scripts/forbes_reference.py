"""Independent reference values for Forbes' Q polynomials (tests/forbes.rs).

The recurrences of Forbes 2010/2012 (and prysm, and mathengine) are NOT used here.
Instead each basis is built from its definition: Gram-Schmidt orthonormalisation of
the monomials under the slope inner product, with exact rational Gram matrices and
50-digit arithmetic.

  Q^bfs: f_k(u) = u^2 (1-u^2) (-x)^k, x = u^2, and
         <f, g> = (2/pi) int_0^1 f'(u) g'(u) (1-u^2)^(-1/2) du
  2D-Q, m >= 1: f_k(u, t) = u^m (-x)^k cos(m t), and
         <f, g> = (1/pi^2) int_0^2pi int_0^1 grad f . grad g (1-u^2)^(-1/2) du dt
                = (1/pi) int_0^1 [f' g' + m^2 f g / u^2] (1-u^2)^(-1/2) du  (radial parts)

Gram-Schmidt on (-x)^k makes the coefficient of (-x)^n in Q_n positive, i.e. the
leading coefficient of Q_n has the sign (-1)^n (Q_1^bfs = (13 - 16x)/sqrt(19)).

The needed integrals are exact: for even p,
  (2/pi) int_0^1 u^p (1-u^2)^(-1/2) du = (p-1)!!/p!!.

Run:  python3 forbes_reference.py   (needs mpmath)  and paste the output into
tests/forbes.rs.
"""
from fractions import Fraction
import mpmath as mp

mp.mp.dps = 50


def J(p):
    """(2/pi) int_0^1 u^p / sqrt(1-u^2) du for even p >= 0, exactly."""
    assert p % 2 == 0 and p >= 0
    r = Fraction(1)
    for k in range(1, p + 1, 2):
        r *= Fraction(k, k + 1)
    return r


def poly_mul(a, b):
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def deriv(a):
    return [k * c for k, c in enumerate(a)][1:]


def integral(poly_u):
    """(2/pi) int_0^1 poly(u) (1-u^2)^(-1/2) du, poly with only even powers."""
    s = Fraction(0)
    for p, c in enumerate(poly_u):
        if c != 0:
            assert p % 2 == 0
            s += c * J(p)
    return s


def orthonormal(gram):
    """Rows: coefficients (in the basis) of the Gram-Schmidt orthonormal functions."""
    n = len(gram)
    G = mp.matrix(n, n)
    for i in range(n):
        for j in range(n):
            G[i, j] = mp.mpf(gram[i][j].numerator) / gram[i][j].denominator
    L = mp.cholesky(G)
    return mp.inverse(L)


def to_x_coefs(Linv, n):
    """Q_n as coefficients of x^k: the basis is (-x)^k."""
    return [Linv[n, k] * (-1) ** k for k in range(n + 1)]


def qbfs_basis(N):
    # f_k(u) = (-1)^k (u^(2k+2) - u^(2k+4)) as a polynomial in u
    fs = []
    for k in range(N + 1):
        p = [Fraction(0)] * (2 * k + 5)
        p[2 * k + 2] = Fraction((-1) ** k)
        p[2 * k + 4] = Fraction(-((-1) ** k))
        fs.append(p)
    d = [deriv(f) for f in fs]
    gram = [[integral(poly_mul(d[i], d[j])) for j in range(N + 1)] for i in range(N + 1)]
    return orthonormal(gram)


def q2d_basis(m, N):
    # f_k = (-1)^k u^(m+2k): <f_i, f_j> = (1/pi) int [f_i' f_j' + m^2 f_i f_j / u^2] w du
    # = (-1)^(i+j) [(m+2i)(m+2j) + m^2] J(2m+2i+2j-2) / 2
    gram = [[Fraction((-1) ** (i + j) * ((m + 2 * i) * (m + 2 * j) + m * m))
             * J(2 * m + 2 * i + 2 * j - 2) / 2
             for j in range(N + 1)] for i in range(N + 1)]
    return orthonormal(gram)


def horner(c, x):
    s = mp.mpf(0)
    for a in reversed(c):
        s = s * x + a
    return s


XS = [mp.mpf('0.04'), mp.mpf('0.25'), mp.mpf('0.49'), mp.mpf('0.81'), mp.mpf(1)]

if __name__ == '__main__':
    print('// x = u^2 at which the values below are given')
    print('const XS: [f64; 5] = [0.04, 0.25, 0.49, 0.81, 1.0];')
    N = 8
    Linv = qbfs_basis(N)
    print('/// Q_n^bfs(x) for n = 0..=8 (no u^2(1-u^2) prefactor), rows by n.')
    print('const QBFS_REF: [[f64; 5]; 9] = [')
    for n in range(N + 1):
        c = to_x_coefs(Linv, n)
        print('    [' + ', '.join(repr(float(horner(c, x))) for x in XS) + '],')
    print('];')
    print('/// coefficients of Q_2^bfs in powers of x')
    print('// ' + ', '.join(repr(float(v)) for v in to_x_coefs(Linv, 2)))
    M, N2 = 5, 6
    print(f'/// Q_n^m(x) for m = 1..={M} (rows of {N2 + 1} orders n), radial part only.')
    print('#[allow(clippy::approx_constant)] // Q_0^2 = 1/sqrt(2): data, not a stand-in for the constant')
    print(f'const Q2D_REF: [[[f64; 5]; {N2 + 1}]; {M}] = [')
    for m in range(1, M + 1):
        Linv = q2d_basis(m, N2)
        print('    [')
        for n in range(N2 + 1):
            c = to_x_coefs(Linv, n)
            print('        [' + ', '.join(repr(float(horner(c, x))) for x in XS) + '],')
        print('    ],')
    print('];')
