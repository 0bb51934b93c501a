//! XY monomials x^m y^n (prysm's `xy.py`): values, sequences sharing one chain of
//! powers per axis, partial derivatives, and the Code V mono-index j <-> (m, n).
//!
//! `x` and `y` broadcast against each other as numpy does, so a separable grid
//! (x of shape (1, N), y of shape (N, 1)) works as well as a full meshgrid — prysm's
//! `cartesian_grid` optimisation, which here needs no flag.

use super::Polynomials;
use crate::array::Array;
use mathengine_ir::{shape, DType, Error, Result, Scalar};

impl Polynomials {
    /// `x` and `y` as inexact arrays, checked to broadcast; the common shape and dtype.
    fn mono_inputs(&self, op: &str, x: &Array, y: &Array) -> Result<(Array, Array, Vec<usize>)> {
        let x = self.prepare(op, x)?;
        let y = self.prepare(op, y)?;
        // One dtype for every term (numpy promotes x^m y^n the same way).
        let e = self.engine();
        let t = DType::promote(x.dtype(), y.dtype());
        let (x, y) = (e.astype(&x, t), e.astype(&y, t));
        let s = shape::broadcast_shapes(op, x.shape(), y.shape()).map_err(|_| {
            Error::invalid(
                op,
                format!(
                    "x of shape {:?} and y of shape {:?} do not broadcast together; give arrays of one shape (or a separable pair such as (1, N) and (N, 1))",
                    x.shape(),
                    y.shape()
                ),
            )
        })?;
        Ok((x, y, s.to_vec()))
    }

    /// A constant of the dtype x and y promote to, over `shape`.
    fn mono_const(&self, x: &Array, y: &Array, shape: &[usize], value: f64) -> Array {
        let e = self.engine();
        let t = DType::promote(x.dtype(), y.dtype());
        e.wrap(e.const_node(Scalar::F64(value), t, shape))
    }

    /// [1, z, z², ..., z^max] by repeated multiplication (one shared chain); `None`
    /// stands for the power 0 (an exact 1).
    fn mono_powers(&self, z: &Array, max: usize) -> Result<Vec<Option<Array>>> {
        let e = self.engine();
        let mut out: Vec<Option<Array>> = vec![None];
        for k in 1..=max {
            let next = match &out[k - 1] {
                None => z.clone(),
                Some(p) => e.mul(p, z)?,
            };
            out.push(Some(next));
        }
        Ok(out)
    }

    /// c · a · b with `None` factors meaning 1, broadcast to `shape`.
    fn mono_term(
        &self,
        x: &Array,
        y: &Array,
        shape: &[usize],
        c: f64,
        a: &Option<Array>,
        b: &Option<Array>,
    ) -> Result<Array> {
        let e = self.engine();
        if c == 0.0 {
            return Ok(self.mono_const(x, y, shape, 0.0));
        }
        let prod = match (a, b) {
            (None, None) => return Ok(self.mono_const(x, y, shape, c)),
            (Some(a), None) => a.clone(),
            (None, Some(b)) => b.clone(),
            (Some(a), Some(b)) => e.mul(a, b)?,
        };
        // One factor alone may not cover the broadcast shape (a separable grid).
        e.broadcast_to(&self.scale(&prod, c)?, shape)
    }

    /// The XY monomial x^m · y^n, elementwise and lazy (prysm's `xy(m, n, x, y)`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// let y = e.linspace(1.0, 3.0, 3);
    /// let v = e.polynomials.xy(2, 1, &x, &y)?.to_vec::<f64>()?; // x² y
    /// assert_eq!(v, vec![0.0, 2.0, 12.0]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn xy(&self, m: usize, n: usize, x: &Array, y: &Array) -> Result<Array> {
        let mut v = self.xy_seq(&[(m, n)], x, y)?;
        v.pop()
            .ok_or_else(|| Error::invalid("xy", "internal: empty sequence"))
    }

    /// x^m · y^n for every (m, n) in `mns`: the powers of x and of y are one chain of
    /// multiplications each, shared by every term, so `e.eval_all` of the result is one
    /// kernel (prysm's `xy_seq`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(16, None, Some(2.0))?;
    /// let terms = e.polynomials.xy_seq(&[(0, 0), (1, 0), (0, 1), (2, 1)], &x, &y)?;
    /// e.eval_all(&terms.iter().collect::<Vec<_>>())?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn xy_seq(&self, mns: &[(usize, usize)], x: &Array, y: &Array) -> Result<Vec<Array>> {
        let op = "xy_seq";
        check_mns(op, mns)?;
        let (x, y, s) = self.mono_inputs(op, x, y)?;
        let px = self.mono_powers(&x, mns.iter().map(|p| p.0).max().unwrap_or(0))?;
        let py = self.mono_powers(&y, mns.iter().map(|p| p.1).max().unwrap_or(0))?;
        mns.iter()
            .map(|&(m, n)| self.mono_term(&x, &y, &s, 1.0, &px[m], &py[n]))
            .collect()
    }

    /// The partial derivatives (∂/∂x, ∂/∂y) of x^m y^n: (m x^(m-1) y^n, n x^m y^(n-1))
    /// (prysm's `xy_der_x`, `xy_der_y`); a zero order gives an exact zero.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// let y = e.linspace(1.0, 3.0, 3);
    /// let (dx, dy) = e.polynomials.xy_der(2, 1, &x, &y)?;
    /// assert_eq!(dx.to_vec::<f64>()?, vec![0.0, 4.0, 12.0]); // 2 x y
    /// assert_eq!(dy.to_vec::<f64>()?, vec![0.0, 1.0, 4.0]); // x²
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn xy_der(&self, m: usize, n: usize, x: &Array, y: &Array) -> Result<(Array, Array)> {
        let mut v = self.xy_der_seq(&[(m, n)], x, y)?;
        v.pop()
            .ok_or_else(|| Error::invalid("xy_der", "internal: empty sequence"))
    }

    /// (∂/∂x, ∂/∂y) of x^m y^n for every (m, n) in `mns`, sharing the powers.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(8, None, Some(2.0))?;
    /// let ders = e.polynomials.xy_der_seq(&[(1, 0), (3, 2)], &x, &y)?;
    /// assert_eq!(ders[0].0.to_vec::<f64>()?, vec![1.0; 64]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn xy_der_seq(
        &self,
        mns: &[(usize, usize)],
        x: &Array,
        y: &Array,
    ) -> Result<Vec<(Array, Array)>> {
        let op = "xy_der_seq";
        check_mns(op, mns)?;
        let (x, y, s) = self.mono_inputs(op, x, y)?;
        let px = self.mono_powers(&x, mns.iter().map(|p| p.0).max().unwrap_or(0))?;
        let py = self.mono_powers(&y, mns.iter().map(|p| p.1).max().unwrap_or(0))?;
        mns.iter()
            .map(|&(m, n)| {
                let dx = if m == 0 {
                    self.mono_const(&x, &y, &s, 0.0)
                } else {
                    self.mono_term(&x, &y, &s, m as f64, &px[m - 1], &py[n])?
                };
                let dy = if n == 0 {
                    self.mono_const(&x, &y, &s, 0.0)
                } else {
                    self.mono_term(&x, &y, &s, n as f64, &px[m], &py[n - 1])?
                };
                Ok((dx, dy))
            })
            .collect()
    }

    /// Code V's XY mono-index j (1-based; j = 1 is piston, which Code V itself lacks) to
    /// the powers (m, n) of x^m y^n, as prysm's `xy_j_to_mn`: terms are ordered by total
    /// degree d = m + n, and within a degree from the pure x term down to the pure y
    /// term, so j = d(d+1)/2 + n + 1: X = 2, Y = 3, X² = 4, XY = 5, Y² = 6, X³ = 7, ...
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.xy_j_to_mn(8)?, (2, 1)); // X²Y is C8 in Code V
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn xy_j_to_mn(&self, j: usize) -> Result<(usize, usize)> {
        if j == 0 {
            return Err(Error::invalid(
                "xy_j_to_mn",
                "the XY index j starts at 1 (piston); 0 is not an index",
            ));
        }
        let k = (j - 1) as u128;
        let d = super::zernike::triangular_row(k);
        let n = k - d * (d + 1) / 2;
        // d <= k and n <= d, so both fit usize as j did
        Ok(((d - n) as usize, n as usize))
    }

    /// The powers (m, n) of x^m y^n to Code V's mono-index j (1-based), the inverse of
    /// [`Self::xy_j_to_mn`]: j = d(d+1)/2 + n + 1 with d = m + n.
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.xy_mn_to_j(5, 2)?, 31); // X⁵Y² is C31 in Code V
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    ///
    /// An error when j does not fit a `usize`.
    pub fn xy_mn_to_j(&self, m: usize, n: usize) -> Result<usize> {
        // d <= 2^65, so d(d+1)/2 + n + 1 < 2^130 may not fit u128 either: checked.
        let d = m as u128 + n as u128;
        let j = d
            .checked_mul(d + 1)
            .map(|t| t / 2 + n as u128 + 1)
            .and_then(|j| usize::try_from(j).ok());
        j.ok_or_else(|| {
            Error::invalid(
                "xy_mn_to_j",
                format!("(m, n) = ({m}, {n}): the index d(d+1)/2 + n + 1 (d = m + n) does not fit this platform's usize"),
            )
        })
    }
}

fn check_mns(op: &str, mns: &[(usize, usize)]) -> Result<()> {
    if mns.is_empty() {
        return Err(Error::invalid(
            op,
            "the list of (m, n) powers is empty; give at least one",
        ));
    }
    for &(m, n) in mns {
        super::check_order(op, "the power m", m as u64)?;
        super::check_order(op, "the power n", n as u64)?;
    }
    Ok(())
}
