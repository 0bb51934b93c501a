//! Forbes' Q polynomials, with prysm's conventions (`prysm/polynomials/qpoly.py`):
//!
//! - Q^bfs (Forbes 2007, 2010), the slope-orthogonal deviations from a best-fit sphere:
//!   `qbfs(n, r)` = u²(1-u²) Q_n^bfs(u²) with u = `r` = ρ/ρ_max. The u²(1-u²) prefactor
//!   is included, as prysm's `Qbfs`. Q_n^bfs comes from the auxiliary polynomials
//!   P_0 = 2, P_1 = 6 - 8x, P_n = (2 - 4x) P_{n-1} - P_{n-2} (P_n(x) = 2 W_n(1 - 2x),
//!   shifted Chebyshev polynomials of the fourth kind) and
//!   Q_n = (P_n - g_{n-1} Q_{n-1} - h_{n-2} Q_{n-2}) / f_n (Forbes 2010, eqs. A.14-A.16).
//! - Q^con (Forbes 2007), the strong-asphere departures: `qcon(n, r)` =
//!   u⁴ P_n^(0,4)(2u² - 1), the u⁴ prefactor included, as prysm's `Qcon`.
//! - 2D-Q (Forbes 2012), the freeform basis: `q2d(n, m, r, t)` =
//!   u^|m| Q_n^|m|(u²) cos(m t) for m > 0, u^|m| Q_n^|m|(u²) sin(|m| t) for m < 0, and
//!   `qbfs(n, r)` for m = 0 (prysm's `Q2d`); Q_n^m = (P_n^m - g_{n-1}^m Q_{n-1}^m) / f_n^m
//!   with the recurrence P_{n+1}^m = (A_n^m + B_n^m x) P_n^m - C_n^m P_{n-1}^m (Forbes
//!   2012, eqs. A.3, A.13-A.18; P_2, P_3 of m = 1 written out).
//!
//! The bases are slope-orthonormal over the unit disk with the weight (1-u²)^(-1/2):
//! (1/π²) ∫_0^{2π} ∫_0^1 ∇f · ∇g (1-u²)^(-1/2) du dθ = δ, where ∇ is the gradient in
//! the normalised coordinates (u, θ). For the radial Q^bfs alone this is
//! (2/π) ∫_0^1 f'(u) g'(u) (1-u²)^(-1/2) du = δ (tests/forbes.rs checks both by quadrature).
//!
//! Sums are evaluated by Clenshaw's method after the change of basis from Q to the
//! auxiliary P (Forbes 2010 eqs. 3.2-3.5, 2012 appendix B; prysm's
//! `change_basis_Qbfs_to_Pn`, `change_of_basis_Q2d_to_Pnm`): no mode is materialised.
//!
//! One file per basis: `qbfs`, `qcon`, `q2d`; their recurrence and change-of-basis
//! coefficients (Forbes 2010, 2012) are in `coefficients`.

mod coefficients;
mod q2d;
mod qbfs;
mod qcon;

use super::Polynomials;
use crate::array::Array;
use mathengine_ir::simplify::const_value;
use mathengine_ir::{DType, Error, Result, Scalar};

// While a recurrence is built, a value that does not depend on the coordinates (P_0 = 2,
// a derivative's 0, ...) is a 0-d float64 constant array. Constant arithmetic folds in
// the graph's rewrite pass (`mathengine_ir::simplify`); the helpers below also keep
// such constants out of the array terms so that no node multiplies or adds a constant
// the rewrite pass cannot remove (x + 0.0 is not an exact identity).
impl Polynomials {
    /// The exact constant `k`, standing for a value that does not depend on the
    /// coordinates (broadcast when used with an array).
    fn constant(&self, k: f64) -> Array {
        self.engine().scalar(Scalar::F64(k))
    }

    /// Σ c_i v_i + k: constant terms add into `k` (f64 arithmetic), only array terms
    /// become graph nodes.
    fn linear_combination(&self, terms: &[(f64, &Array)], k: f64) -> Result<Array> {
        let e = self.engine();
        let mut konst = k;
        let mut acc: Option<Array> = None;
        for &(c, v) in terms {
            match exact_constant(v) {
                Some(a) => konst += c * a,
                None if c == 0.0 => {}
                None => {
                    acc = Some(match acc {
                        Some(s) if c == -1.0 => e.sub(&s, v)?,
                        Some(s) => e.add(&s, &self.scale(v, c)?)?,
                        None => self.scale(v, c)?,
                    })
                }
            }
        }
        Ok(match acc {
            Some(a) if konst != 0.0 => e.add(&a, &e.scalar_like(konst, &a))?,
            Some(a) => a,
            None => self.constant(konst),
        })
    }

    /// a · b; a constant factor scales the other (no node for a factor of 1).
    fn product(&self, a: &Array, b: &Array) -> Result<Array> {
        match (exact_constant(a), exact_constant(b)) {
            (Some(_), Some(_)) => self.engine().mul(a, b),
            (Some(p), None) => self.scale(b, p),
            (None, Some(q)) => self.scale(a, q),
            (None, None) => self.engine().mul(a, b),
        }
    }

    /// `v` as an array of `like`'s shape (a constant is broadcast; reads no memory).
    fn broadcast_like(&self, v: &Array, like: &Array) -> Array {
        match exact_constant(v) {
            Some(k) => self.full_like(like, k),
            None => v.clone(),
        }
    }

    /// [r⁰, r¹, ..., r^max] by repeated multiplication (one shared chain).
    fn power_chain(&self, r: &Array, max: usize) -> Result<Vec<Array>> {
        let mut out = vec![self.constant(1.0)];
        for k in 1..=max {
            let next = match k {
                1 => r.clone(),
                _ => self.product(&out[k - 1], r)?,
            };
            out.push(next);
        }
        Ok(out)
    }
}

/// The value of `v` if it is one of the 0-d float64 constants of [`Polynomials::constant`]
/// (or any such constant the rewrite pass folded to).
fn exact_constant(v: &Array) -> Option<f64> {
    if !v.shape().is_empty() || v.dtype() != DType::F64 {
        return None;
    }
    const_value(&v.node).map(|s| s.to_f64())
}

fn first(op: &str, mut v: Vec<Array>) -> Result<Array> {
    v.pop()
        .ok_or_else(|| Error::invalid(op, "internal: empty sequence"))
}
