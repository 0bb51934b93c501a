//! Fitting helpers on sets of 2-D modes, as prysm's `polynomials` module has them:
//! [`Polynomials::sum_of_2d_modes`], [`Polynomials::lstsq`],
//! [`Polynomials::normalize_modes`] and [`Polynomials::orthogonalize_modes`].
//!
//! Modes are given as a slice of arrays of one shape (prysm's `(k, m, n)` stack is a
//! list of k `(m, n)` arrays here). Samples are excluded from a fit without compacting
//! the arrays: an excluded sample becomes a zero row of the design matrix, which changes
//! neither the least-squares solution nor the span of the QR factor, so the masking
//! fuses with the modes' own evaluation and the library call sees one dense matrix.
//!
//! ```
//! use mathengine::Engine;
//! let e = Engine::new();
//! let (x, y) = e.coordinates.make_xy_grid(64, None, Some(2.0))?;
//! let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
//! let nms = [(1, 1), (1, -1), (2, 0)];
//! let modes = e.polynomials.zernike_nm_seq(&nms, &r, &t, true)?;
//! let wavefront = e.polynomials.sum_of_2d_modes(&modes, &[0.5, -0.25, 1.0])?;
//! let mask = e.coordinates.circle(1.0, &r)?;
//! let c = e.polynomials.lstsq(&modes, &wavefront, Some(&mask))?;
//! assert!((c[2] - 1.0).abs() < 1e-12);
//! # Ok::<(), mathengine::Error>(())
//! ```

use super::Polynomials;
use crate::array::Array;
use crate::ops::shape::Slice;
use mathengine_ir::error::fmt_shape;
use mathengine_ir::{DType, Error, Result};

/// What [`Polynomials::normalize_modes`] scales each mode to (prysm's `to=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormalizeTo {
    /// Unit RMS about the mean over the mask, i.e. unit standard deviation (prysm's
    /// `to='std'`).
    Rms,
    /// Unit peak-to-valley (max - min) over the mask (prysm's `to='ptp'`).
    Pv,
}

/// A norm below this is taken as zero and not divided by (prysm's "loophole for
/// piston": a constant mode has zero RMS and PV about its mean).
const ZERO_NORM: f64 = 1e-9;

impl Polynomials {
    /// Check `modes` is a non-empty list of arrays of one shape on this engine (real
    /// unless `complex_ok`); their shape.
    fn check_modes(&self, op: &str, modes: &[Array], complex_ok: bool) -> Result<Vec<usize>> {
        let e = self.engine();
        let first = modes
            .first()
            .ok_or_else(|| Error::invalid(op, "the mode list is empty; give at least one mode"))?;
        for (i, m) in modes.iter().enumerate() {
            e.check_same_engine(op, m)?;
            if m.shape() != first.shape() {
                return Err(Error::Shape {
                    op: op.into(),
                    got: m.shape().to_vec(),
                    expected: first.shape().to_vec(),
                    hint: format!(
                        "mode {i} has shape {} but mode 0 has {}; every mode must have one shape",
                        fmt_shape(m.shape()),
                        fmt_shape(first.shape())
                    ),
                });
            }
            if m.dtype().is_complex() && !complex_ok {
                return Err(Error::dtype(
                    op,
                    m.dtype(),
                    format!(
                        "mode {i} is complex; {op} works on real modes (fit the real and \
                         imaginary parts separately)"
                    ),
                ));
            }
        }
        Ok(first.shape().to_vec())
    }

    /// Check `a` (the data, or the mask when `mask`) has the modes' `shape`.
    fn check_like_modes(&self, op: &str, what: &str, a: &Array, shape: &[usize]) -> Result<()> {
        self.engine().check_same_engine(op, a)?;
        if a.shape() != shape {
            return Err(Error::Shape {
                op: op.into(),
                got: a.shape().to_vec(),
                expected: shape.to_vec(),
                hint: format!(
                    "the {what} has shape {} but the modes have {}; give them one shape",
                    fmt_shape(a.shape()),
                    fmt_shape(shape)
                ),
            });
        }
        Ok(())
    }

    /// Check `mask` is a boolean array of the modes' `shape`.
    fn check_mask(&self, op: &str, mask: &Array, shape: &[usize]) -> Result<()> {
        self.check_like_modes(op, "mask", mask, shape)?;
        if mask.dtype() != DType::Bool {
            return Err(Error::dtype(
                op,
                mask.dtype(),
                "the mask must be boolean (true = use the sample), e.g. \
                 e.coordinates.circle(1.0, &r); convert a numeric mask with e.not_equal(&m, &e.scalar(0.0))",
            ));
        }
        Ok(())
    }

    /// The number of true samples of a boolean array (evaluates it).
    fn count_true(&self, valid: &Array) -> Result<usize> {
        let n = self.engine().sum(valid, None, false)?.item::<i64>()?;
        Ok(n.max(0) as usize)
    }

    /// The design matrix `[samples, k]`: mode i, zero where `valid` is false, in column i.
    fn design_matrix(&self, modes: &[Array], valid: &Array, dtype: DType) -> Result<Array> {
        let e = self.engine();
        let n = valid.size() as isize;
        let cols = modes
            .iter()
            .map(|m| {
                let m = e.astype(m, dtype);
                e.reshape(&e.where_(valid, &m, &e.scalar_like(0.0, &m))?, &[n])
            })
            .collect::<Result<Vec<_>>>()?;
        e.stack(&cols.iter().collect::<Vec<_>>(), 1)
    }

    /// Σ_i `weights[i]` · `modes[i]` (prysm's `sum_of_2d_modes`), lazy: the weighted sum
    /// is a balanced tree of adds that fuses with the modes themselves, so a sum of
    /// generated modes (e.g. a Zernike sequence) is evaluated in one kernel. Integer
    /// modes become float64; the weights take the modes' dtype.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let a = e.from_vec(vec![1.0, 2.0], &[2])?;
    /// let b = e.from_vec(vec![10.0, 20.0], &[2])?;
    /// let s = e.polynomials.sum_of_2d_modes(&[a, b], &[2.0, 0.5])?;
    /// assert_eq!(s.to_vec::<f64>()?, vec![7.0, 14.0]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn sum_of_2d_modes(&self, modes: &[Array], weights: &[f64]) -> Result<Array> {
        let op = "sum_of_2d_modes";
        self.check_modes(op, modes, true)?;
        super::one_per_mode(op, "weights", weights.len(), modes.len())?;
        let e = self.engine();
        let mut terms = modes
            .iter()
            .zip(weights)
            .map(|(m, &w)| self.scale(&self.prepare(op, m)?, w))
            .collect::<Result<Vec<_>>>()?;
        // pairwise summation: depth log2(k), and a smaller rounding error than a chain
        while terms.len() > 1 {
            let mut next = Vec::with_capacity(terms.len().div_ceil(2));
            let mut it = terms.into_iter();
            while let Some(a) = it.next() {
                next.push(match it.next() {
                    Some(b) => e.add(&a, &b)?,
                    None => a,
                });
            }
            terms = next;
        }
        terms
            .pop()
            .ok_or_else(|| Error::invalid(op, "internal: empty sum"))
    }

    /// Least-squares fit of `modes` to `data` (prysm's `lstsq`): the coefficients c
    /// minimising Σ (data - Σ_i c_i modes_i)² over the valid samples, returned as a
    /// `Vec<f64>` (what prysm's users get as a small ndarray, and what
    /// [`Self::sum_of_2d_modes`] and [`Self::zernike_sum`] take back).
    ///
    /// A sample is valid where `data` is finite (NaN marks a point to ignore, as in
    /// prysm; ±inf is ignored too) and, if given, `mask` is true. The design matrix is
    /// solved by `e.linalg.lstsq` (Householder QR; for modes that are linearly dependent
    /// over the valid samples, the SVD's minimum-norm solution, as numpy's). The fit is
    /// computed in the modes' and data's precision (float32 stays float32 until the
    /// coefficients are read back).
    ///
    /// Errors: an empty mode list, modes, data or mask of different shapes, a mask that
    /// is not boolean, complex input, or fewer valid samples than modes.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(-1.0, 1.0, 5);
    /// let one = e.ones(&[5], mathengine::DType::F64);
    /// let nan = e.scalar(f64::NAN);
    /// // 3 + 2x with one sample marked invalid (NaN)
    /// let data = &x * 2.0 + 3.0;
    /// let data = e.where_(&e.equal(&x, &e.scalar(0.5))?, &nan, &data)?;
    /// let c = e.polynomials.lstsq(&[one, x], &data, None)?;
    /// assert!((c[0] - 3.0).abs() < 1e-14 && (c[1] - 2.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn lstsq(&self, modes: &[Array], data: &Array, mask: Option<&Array>) -> Result<Vec<f64>> {
        let op = "lstsq";
        let shape = self.check_modes(op, modes, false)?;
        self.check_like_modes(op, "data", data, &shape)?;
        if data.dtype().is_complex() {
            return Err(Error::dtype(
                op,
                data.dtype(),
                "the data is complex; fit the real and imaginary parts separately",
            ));
        }
        let e = self.engine();
        let data = self.prepare(op, data)?;
        // read twice (the count of valid samples, then the fit): compute it once
        data.eval()?;
        let mut valid = e.isfinite(&data)?;
        if let Some(mask) = mask {
            self.check_mask(op, mask, &shape)?;
            valid = e.logical_and(&valid, mask)?;
        }
        let count = self.count_true(&valid)?;
        if count < modes.len() {
            return Err(Error::invalid(
                op,
                format!(
                    "only {count} of {} samples are valid (finite data{}) for {} modes; a \
                     least-squares fit needs at least as many valid samples as modes",
                    data.size(),
                    if mask.is_some() {
                        " where the mask is true"
                    } else {
                        ""
                    },
                    modes.len()
                ),
            ));
        }
        let t = modes.iter().fold(data.dtype(), |t, m| {
            DType::promote(t, m.dtype().to_inexact())
        });
        let a = self.design_matrix(modes, &valid, t)?;
        let zero = e.scalar_like(0.0, &data);
        let b = e.reshape(&e.where_(&valid, &data, &zero)?, &[data.size() as isize])?;
        let c = e.linalg.lstsq(&a, &e.astype(&b, t))?;
        e.astype(&c, DType::F64).to_vec::<f64>()
    }

    /// Scale each mode to unit RMS or unit peak-to-valley over `mask` (prysm's
    /// `normalize_modes(modes, mask, to, remove_piston)`, `to='std'` being
    /// [`NormalizeTo::Rms`] and `'ptp'` [`NormalizeTo::Pv`]).
    ///
    /// The norm of a mode is its standard deviation (RMS about its mean) or its
    /// max - min over the masked samples; a norm below 1e-9 (a constant mode: piston) is
    /// left as 1. Each output is `(mode - mean) / norm` where `remove_piston` (the
    /// mean over the mask subtracted) and `mode / norm` otherwise, inside the mask, and 0
    /// outside it, as prysm returns for a stack of modes. Lazy: the means and norms are
    /// reductions in the graph; only the mask's sample count is evaluated (to refuse an
    /// empty mask).
    ///
    /// ```
    /// use mathengine::Engine;
    /// use mathengine::polynomials::fitting::NormalizeTo;
    /// let e = Engine::new();
    /// let m = e.from_vec(vec![1.0, 3.0, 5.0, 100.0], &[4])?;
    /// let mask = e.from_vec(vec![true, true, true, false], &[4])?;
    /// let out = e.polynomials.normalize_modes(&[m], &mask, NormalizeTo::Pv, true)?;
    /// assert_eq!(out[0].to_vec::<f64>()?, vec![-0.5, 0.0, 0.5, 0.0]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn normalize_modes(
        &self,
        modes: &[Array],
        mask: &Array,
        to: NormalizeTo,
        remove_piston: bool,
    ) -> Result<Vec<Array>> {
        let op = "normalize_modes";
        let shape = self.check_modes(op, modes, false)?;
        self.check_mask(op, mask, &shape)?;
        let count = self.count_true(mask)?;
        if count == 0 {
            return Err(Error::invalid(
                op,
                "the mask selects no sample; give a mask with at least one true element",
            ));
        }
        let e = self.engine();
        modes
            .iter()
            .map(|m| {
                let m = self.prepare(op, m)?;
                let c = |v: f64| e.scalar_like(v, &m);
                let n = c(count as f64);
                let inside = e.where_(mask, &m, &c(0.0))?;
                let mean = e.div(&e.sum(&inside, None, false)?, &n)?;
                let dev = e.sub(&m, &mean)?;
                let norm = match to {
                    NormalizeTo::Rms => {
                        let sq = e.where_(mask, &e.mul(&dev, &dev)?, &c(0.0))?;
                        e.sqrt(&e.div(&e.sum(&sq, None, false)?, &n)?)?
                    }
                    NormalizeTo::Pv => {
                        let hi = e.max(&e.where_(mask, &m, &c(f64::NEG_INFINITY))?, None, false)?;
                        let lo = e.min(&e.where_(mask, &m, &c(f64::INFINITY))?, None, false)?;
                        e.sub(&hi, &lo)?
                    }
                };
                let norm = e.where_(&e.less(&norm, &c(ZERO_NORM))?, &c(1.0), &norm)?;
                let num = if remove_piston { dev } else { m.clone() };
                e.where_(mask, &e.div(&num, &norm)?, &c(0.0))
            })
            .collect()
    }

    /// Orthonormalise `modes` over the samples where `mask` is true (prysm's
    /// `orthogonalize_modes`, a Gram–Schmidt process done by QR): with the masked
    /// samples of the modes as the columns of A = QR, the outputs are the columns of Q,
    /// signs flipped so that diag(R) > 0 (output i then correlates positively with
    /// mode i), placed back on the mask, 0 outside it.
    ///
    /// Output i spans the same space as modes 0..=i and the outputs are orthonormal
    /// under the sum over the mask: Σ_mask q_i q_j = δ_ij (so each has RMS
    /// 1/sqrt(count); scale by sqrt(count), or use [`Self::normalize_modes`], for unit
    /// RMS). Modes that are linearly dependent over the mask give meaningless outputs,
    /// as in prysm. Lazy apart from the mask's sample count (evaluated to refuse a mask
    /// with fewer samples than modes); the QR factorisation is one library step.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let a = e.from_vec(vec![1.0, 1.0, 1.0, 9.0], &[4])?;
    /// let b = e.from_vec(vec![1.0, 2.0, 3.0, 9.0], &[4])?;
    /// let mask = e.from_vec(vec![true, true, true, false], &[4])?;
    /// let q = e.polynomials.orthogonalize_modes(&[a, b], &mask)?;
    /// let s = 1.0 / 3f64.sqrt();
    /// let q0 = q[0].to_vec::<f64>()?;
    /// assert!((q0[0] - s).abs() < 1e-15 && q0[3] == 0.0);
    /// let q1 = q[1].to_vec::<f64>()?; // (b - mean) / |b - mean| = (-1, 0, 1) / sqrt2
    /// assert!((q1[2] - 0.5f64.sqrt()).abs() < 1e-15 && q1[1].abs() < 1e-15);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn orthogonalize_modes(&self, modes: &[Array], mask: &Array) -> Result<Vec<Array>> {
        let op = "orthogonalize_modes";
        let shape = self.check_modes(op, modes, false)?;
        self.check_mask(op, mask, &shape)?;
        let k = modes.len();
        let count = self.count_true(mask)?;
        if count < k {
            return Err(Error::invalid(
                op,
                format!(
                    "the mask selects {count} samples for {k} modes; at most as many modes \
                     as samples can be orthogonal"
                ),
            ));
        }
        let e = self.engine();
        let t = modes
            .iter()
            .fold(DType::F32, |t, m| DType::promote(t, m.dtype().to_inexact()));
        let a = self.design_matrix(modes, mask, t)?;
        let (q, r) = e.linalg.qr(&a)?;
        // sign(diag(R)), as a row that scales the columns of Q
        let diag = e.sum(
            &e.mul(&r, &e.astype(&e.eye(k, k, 0), t))?,
            Some(&[0]),
            false,
        )?;
        let q = e.mul(&q, &e.sign(&diag)?)?;
        let target: Vec<isize> = shape.iter().map(|&d| d as isize).collect();
        (0..k)
            .map(|i| {
                let col = e.slice(
                    &q,
                    &[Slice::all(), Slice::range(i as isize, i as isize + 1)],
                )?;
                let col = e.reshape(&col, &target)?;
                e.where_(mask, &col, &e.scalar_like(0.0, &col))
            })
            .collect()
    }
}
