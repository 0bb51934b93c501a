"""Reference values for the 1-D Clenshaw sums of tests/polynomials_more.rs.

numpy.polynomial evaluates each series with its own Clenshaw code (legval, chebval,
hermeval, hermval, lagval); scipy.special gives U_n and L_n^(alpha) for the series
numpy lacks. Run:  python3 onedim_sums.py  (numpy, scipy)  and paste the output.
"""
import numpy as np
from numpy.polynomial import legendre, chebyshev, hermite_e, hermite, laguerre
from scipy import special

C = [0.3, -1.2, 0.7, 0.25, -0.5, 0.1, 0.05, -0.02]
XS = [-0.9, -0.35, 0.0, 0.4, 0.85]
XL = [0.1, 0.7, 1.5, 3.2, 6.0]


def row(name, vals):
    print(f'const {name}: [f64; 5] = [' + ', '.join(repr(float(v)) for v in vals) + '];')


print('const C: [f64; 8] = [' + ', '.join(repr(c) for c in C) + '];')
print('const XS: [f64; 5] = [' + ', '.join(repr(x) for x in XS) + '];')
print('const XL: [f64; 5] = [' + ', '.join(repr(x) for x in XL) + '];')
row('LEGVAL', legendre.legval(XS, C))
row('CHEBVAL', chebyshev.chebval(XS, C))
row('HERMEVAL', hermite_e.hermeval(XS, C))
row('HERMVAL', hermite.hermval(XS, C))
row('LAGVAL', laguerre.lagval(XL, C))
row('CHEBU', [sum(c * special.eval_chebyu(k, x) for k, c in enumerate(C)) for x in XS])
row('GENLAG_0_5', [sum(c * special.eval_genlaguerre(k, 0.5, x) for k, c in enumerate(C)) for x in XL])
row('GENLAG_2_5', [sum(c * special.eval_genlaguerre(k, 2.5, x) for k, c in enumerate(C)) for x in XL])
