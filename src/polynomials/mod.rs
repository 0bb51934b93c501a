//! Orthogonal polynomials as lazy graphs: every recurrence step is a graph node, so a
//! whole evaluation (or a sequence of orders sharing one recurrence) fuses into one
//! kernel. Reached as `e.polynomials`.
//!
//! Families, each split into its own file:
//! - [`jacobi`]: Jacobi P_n^(α,β) (value, sequence, derivative, Clenshaw sums),
//! - [`zernike`]: Zernike polynomials on the unit disk (prysm's conventions): polar forms
//!   with fused weighted sums (`zernike/polar.rs`), Cartesian derivatives and
//!   value+gradient sums without trigonometry (`zernike/cartesian.rs`), and the index
//!   conversions (Noll, Fringe, ANSI) and names (`zernike/indices.rs`),
//! - [`onedim`]: Legendre, Chebyshev (first to fourth kinds), Hermite (He and H),
//!   Laguerre and Dickson (first and second kinds), with Clenshaw sums,
//! - [`xy`]: XY monomials x^m y^n and Code V's XY index,
//! - [`forbes`]: Forbes' Q^bfs, Q^con and 2D-Q (freeform) polynomials, with sums, one
//!   file per basis and one for their coefficient tables,
//! - [`fitting`]: sums of 2-D modes, masked least-squares fits, and normalising and
//!   orthogonalising modes over a mask (prysm's `sum_of_2d_modes`, `lstsq`, ...).
//!
//! Orders are bounded by [`MAX_ORDER`]: a larger order is an error, not an unbounded
//! graph. Recurrence coefficients are Rust `f64` constants computed when the graph is built;
//! the graph itself holds only the arithmetic, so evaluating `e.eval_all(&seq)` runs one
//! multi-output kernel that computes each recurrence once per element.
//!
//! ```
//! use mathengine::Engine;
//! let e = Engine::new();
//! let x = e.linspace(-1.0, 1.0, 5);
//! let p2 = e.polynomials.legendre(2, &x)?;          // (3x²-1)/2
//! assert!((p2.to_vec::<f64>()?[0] - 1.0).abs() < 1e-15);
//! # Ok::<(), mathengine::Error>(())
//! ```

pub mod fitting;
pub mod forbes;
pub mod jacobi;
pub mod onedim;
pub mod xy;
pub mod zernike;

use crate::array::Array;
use crate::engine::{Engine, Inner};
use mathengine_ir::{DType, Error, Result, Scalar};
use std::sync::Arc;

/// The `e.polynomials` namespace.
#[derive(Clone)]
pub struct Polynomials {
    inner: Arc<Inner>,
}

impl Polynomials {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Polynomials { inner }
    }

    /// The engine this namespace builds graphs in.
    pub fn engine(&self) -> Engine {
        Engine::from_inner(self.inner.clone())
    }

    /// `x` as an inexact array (integers and bools become float64), checked to belong
    /// to this engine.
    pub(crate) fn prepare(&self, op: &str, x: &Array) -> Result<Array> {
        let e = self.engine();
        e.check_same_engine(op, x)?;
        if x.dtype().is_inexact() {
            Ok(x.clone())
        } else {
            Ok(e.astype(x, DType::F64))
        }
    }

    /// A constant `value` with `like`'s (inexact) dtype and shape: reads no memory.
    pub(crate) fn full_like(&self, like: &Array, value: f64) -> Array {
        let e = self.engine();
        let t = if like.dtype().is_inexact() {
            like.dtype()
        } else {
            DType::F64
        };
        e.wrap(e.const_node(Scalar::F64(value), t, like.shape()))
    }

    /// `x * c` (no node when `c == 1`).
    pub(crate) fn scale(&self, x: &Array, c: f64) -> Result<Array> {
        if c == 1.0 {
            return Ok(x.clone());
        }
        let e = self.engine();
        e.mul(x, &e.scalar_like(c, x))
    }

    /// `x * a + b` (no node for `a == 1` or `b == 0`).
    pub(crate) fn lin(&self, x: &Array, a: f64, b: f64) -> Result<Array> {
        let e = self.engine();
        let ax = self.scale(x, a)?;
        if b == 0.0 {
            Ok(ax)
        } else {
            e.add(&ax, &e.scalar_like(b, x))
        }
    }

    /// The values of a three-term recurrence P_0 = 1,
    /// P_{k+1} = (a_k x + b_k) P_k - c_k P_{k-1} (c_0 unused), for k = 0..=max_n.
    /// Every P_k is a graph node built once; sequences pick from the result.
    pub(crate) fn three_term(
        &self,
        x: &Array,
        max_n: usize,
        coef: impl Fn(usize) -> (f64, f64, f64),
    ) -> Result<Vec<Array>> {
        let e = self.engine();
        let mut out = Vec::with_capacity(max_n + 1);
        out.push(self.full_like(x, 1.0));
        for k in 0..max_n {
            let (a, b, c) = coef(k);
            let l = self.lin(x, a, b)?;
            let next = if k == 0 {
                l
            } else {
                let first = e.mul(&l, &out[k])?;
                if c == 0.0 {
                    first
                } else {
                    e.sub(&first, &self.scale(&out[k - 1], c)?)?
                }
            };
            out.push(next);
        }
        Ok(out)
    }

    /// Σ s_k P_k(x) by Clenshaw's backward recurrence, for P_k of [`Self::three_term`]
    /// with the same `coef`: b_k = s_k + (a_k x + b_k) b_{k+1} - c_{k+1} b_{k+2},
    /// the sum is b_0. Zero trailing coefficients cost nothing.
    pub(crate) fn clenshaw(
        &self,
        s: &[f64],
        x: &Array,
        coef: impl Fn(usize) -> (f64, f64, f64),
    ) -> Result<Array> {
        let e = self.engine();
        let len = s.iter().rposition(|&v| v != 0.0).map_or(0, |i| i + 1);
        if len == 0 {
            return Ok(self.full_like(x, 0.0));
        }
        // b_{k+1}, b_{k+2}; None stands for an exact zero.
        let mut b1: Option<Array> = None;
        let mut b2: Option<Array> = None;
        for k in (0..len).rev() {
            let mut acc: Option<Array> = None;
            if let Some(b) = &b1 {
                let (a, bb, _) = coef(k);
                acc = Some(e.mul(&self.lin(x, a, bb)?, b)?);
            }
            if let Some(b) = &b2 {
                let (_, _, c) = coef(k + 1);
                if c != 0.0 {
                    let t = self.scale(b, c)?;
                    acc = Some(match acc {
                        Some(a) => e.sub(&a, &t)?,
                        None => e.neg(&t)?,
                    });
                }
            }
            let bk = match acc {
                Some(a) if s[k] != 0.0 => e.add(&a, &e.scalar_like(s[k], x))?,
                Some(a) => a,
                None => self.full_like(x, s[k]),
            };
            b2 = b1;
            b1 = Some(bk);
        }
        b1.ok_or_else(|| Error::invalid("clenshaw", "internal: empty sum"))
    }
}

/// Check two arrays have the same shape (polar coordinates, mostly).
pub(crate) fn same_shape(op: &str, a: &Array, b: &Array) -> Result<()> {
    if a.shape() == b.shape() {
        Ok(())
    } else {
        Err(Error::invalid(
            op,
            format!(
                "the coordinate arrays have different shapes {:?} and {:?}; give r and t (or x and y) of one shape (broadcast_to first)",
                a.shape(),
                b.shape()
            ),
        ))
    }
}

/// The highest polynomial order (and Zernike/2D-Q azimuthal order |m|) a graph is built
/// for. A recurrence of order n is n graph nodes (and Forbes' coefficient tables are
/// O(n·m) to compute), so an order far above any optical use would build a graph without
/// bound; orders above this are refused with an error instead.
pub const MAX_ORDER: usize = 4096;

/// Check that a weighted sum got one weight per mode: `given` values named `what`
/// ("coefficients", "weights") for `modes` modes.
pub(crate) fn one_per_mode(op: &str, what: &str, given: usize, modes: usize) -> Result<()> {
    if given == modes {
        return Ok(());
    }
    Err(Error::invalid(
        op,
        format!("{given} {what} were given for {modes} modes; give one per mode"),
    ))
}

/// `Ok` if the order `n` is at most [`MAX_ORDER`]; otherwise an error naming `op`.
pub(crate) fn check_order(op: &str, what: &str, n: u64) -> Result<()> {
    if n <= MAX_ORDER as u64 {
        Ok(())
    } else {
        Err(Error::invalid(
            op,
            format!(
                "{what} = {n} is above the supported maximum of {MAX_ORDER} (a recurrence of that order would build a graph of that many nodes); use an order <= {MAX_ORDER}"
            ),
        ))
    }
}

/// Maximum of `ns`, or an error for an empty list or an order above [`MAX_ORDER`].
pub(crate) fn max_order(op: &str, ns: &[usize]) -> Result<usize> {
    let max = ns
        .iter()
        .copied()
        .max()
        .ok_or_else(|| Error::invalid(op, "the list of orders is empty; give at least one"))?;
    check_order(op, "the order n", max as u64)?;
    Ok(max)
}
