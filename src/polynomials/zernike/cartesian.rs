//! Zernike polynomials written in x and y: Cartesian derivatives and value+gradient
//! sums, with no trigonometry and no singularity at the origin.

use super::{check_mode, sum_groups, zernike_norm};
use crate::array::Array;
use crate::polynomials::jacobi::recurrence_abc;
use crate::polynomials::{same_shape, Polynomials};
use mathengine_ir::{Error, Result};
use std::collections::BTreeMap;

impl Polynomials {
    // ------------------------------------------------------------- Cartesian forms
    //
    // Z_n^m = N · P_k^(0,|m|)(u) · A(x, y), u = 2(x²+y²) - 1, k = (n - |m|) / 2,
    // A = Re (x+iy)^|m| for m >= 0 and Im (x+iy)^|m| for m < 0: a polynomial in x and
    // y, so its derivatives have no singularity at the origin and need no trigonometry:
    // ∂Z/∂x = N [4x P'(u) A + P(u) ∂A/∂x] (likewise y), with
    // ∂x Re z^a = a Re z^(a-1), ∂x Im z^a = a Im z^(a-1), ∂y Re z^a = -a Im z^(a-1) and
    // ∂y Im z^a = a Re z^(a-1) (z = x+iy, z^0 = 1).

    /// The Cartesian partial derivatives (∂Z/∂x, ∂Z/∂y) of Z_n^m at (x, y), orthonormal
    /// when `norm`. Evaluated from the polynomial form Z = N · P_k^(0,|m|)(2(x²+y²)-1) ·
    /// Re/Im (x+iy)^|m|: no trigonometric function, no division by r, exact (and finite)
    /// at the origin.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.from_vec(vec![0.0, 0.5], &[2])?;
    /// let y = e.from_vec(vec![0.0, 0.25], &[2])?;
    /// // Z(3,1) unnormalised = (3(x²+y²) - 2) x: ∂x = 9x² + 3y² - 2, ∂y = 6xy
    /// let (dx, dy) = e.polynomials.zernike_nm_der_xy(3, 1, &x, &y, false)?;
    /// assert_eq!(dx.to_vec::<f64>()?[0], -2.0);
    /// assert!((dx.to_vec::<f64>()?[1] - (9.0 * 0.25 + 3.0 * 0.0625 - 2.0)).abs() < 1e-14);
    /// assert!((dy.to_vec::<f64>()?[1] - 0.75).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_nm_der_xy(
        &self,
        n: i32,
        m: i32,
        x: &Array,
        y: &Array,
        norm: bool,
    ) -> Result<(Array, Array)> {
        let op = "zernike_nm_der_xy";
        check_mode(op, n, m)?;
        let (x, y) = xy_inputs(self, op, x, y)?;
        der_xy_modes(self, &[(n, m)], &x, &y, norm)?
            .pop()
            .ok_or_else(|| Error::invalid(op, "internal: no derivative built"))
    }

    /// (∂Z/∂x, ∂Z/∂y) for every (n, m) in `nms` (see [`Self::zernike_nm_der_xy`]): one
    /// Jacobi recurrence per |m| for the values and one for the derivatives, and one
    /// (x+iy)^k recurrence, are shared by all modes, so `e.eval_all` of every output is
    /// one multi-output kernel.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(32, None, Some(2.0))?;
    /// let nms: Vec<(i32, i32)> = (1..=15).map(|j| e.polynomials.noll_to_nm(j)).collect::<Result<_, _>>()?;
    /// let grads = e.polynomials.zernike_nm_der_xy_seq(&nms, &x, &y, true)?;
    /// let all: Vec<&mathengine::Array> = grads.iter().flat_map(|(dx, dy)| [dx, dy]).collect();
    /// e.eval_all(&all)?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_nm_der_xy_seq(
        &self,
        nms: &[(i32, i32)],
        x: &Array,
        y: &Array,
        norm: bool,
    ) -> Result<Vec<(Array, Array)>> {
        let op = "zernike_nm_der_xy_seq";
        if nms.is_empty() {
            return Err(Error::invalid(
                op,
                "the mode list is empty; give at least one (n, m)",
            ));
        }
        for &(n, m) in nms {
            check_mode(op, n, m)?;
        }
        let (x, y) = xy_inputs(self, op, x, y)?;
        der_xy_modes(self, nms, &x, &y, norm)
    }

    /// Σ_i `coefs[i]` · Z(`nms[i]`) at Cartesian (x, y): the algorithm of
    /// [`Self::zernike_sum`] (Clenshaw per (|m|, sign of m) group, no mode materialised,
    /// one fused kernel) with the angular terms from the (x+iy)^|m| recurrence instead of
    /// cos/sin of the angle, so no trigonometric function and no conversion to polar
    /// coordinates is needed.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(64, None, Some(2.0))?;
    /// let w = e.polynomials.zernike_sum_xy(&[0.1, -0.2], &[(2, 0), (3, 1)], &x, &y, true)?;
    /// assert_eq!(w.shape(), &[64, 64]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_sum_xy(
        &self,
        coefs: &[f64],
        nms: &[(i32, i32)],
        x: &Array,
        y: &Array,
        norm: bool,
    ) -> Result<Array> {
        let op = "zernike_sum_xy";
        let groups = sum_groups(op, coefs, nms, norm)?;
        let (x, y) = xy_inputs(self, op, x, y)?;
        let e = self.engine();
        let u = xy_u(self, &x, &y)?;
        let max_a = groups.keys().map(|k| k.0).max().unwrap_or(0);
        let pw = xy_powers(self, &x, &y, max_a)?;
        let mut terms = Vec::new();
        for (&(a, neg), s) in &groups {
            if s.iter().all(|&v| v == 0.0) {
                continue;
            }
            let rad = self.clenshaw(s, &u, |k| recurrence_abc(k, 0.0, a as f64))?;
            terms.push(if a == 0 {
                rad
            } else {
                e.mul(&rad, xy_angular(&pw, a, neg))?
            });
        }
        sum_terms(self, terms, &x)
    }

    /// The weighted sum W = Σ_i `coefs[i]` · Z(`nms[i]`) and its gradient, (W, ∂W/∂x,
    /// ∂W/∂y), at Cartesian (x, y), in one pass: per (|m|, sign of m) group, the radial
    /// sum R(u) and R'(u) come from one Clenshaw recurrence (value and derivative share
    /// it), the angular terms from the (x+iy)^|m| recurrence, and
    /// ∂W/∂x = 4x Σ R'·A + Σ R·∂A/∂x (likewise y). No trigonometry, no division by r:
    /// finite and exact at the origin. `e.eval_all` of the three is one kernel.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(64, None, Some(2.0))?;
    /// let nms = [(2, 0), (3, -1), (4, 2)];
    /// let (w, dwdx, dwdy) = e.polynomials.zernike_sum_der_xy(&[0.1, -0.2, 0.05], &nms, &x, &y, true)?;
    /// e.eval_all(&[&w, &dwdx, &dwdy])?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_sum_der_xy(
        &self,
        coefs: &[f64],
        nms: &[(i32, i32)],
        x: &Array,
        y: &Array,
        norm: bool,
    ) -> Result<(Array, Array, Array)> {
        let op = "zernike_sum_der_xy";
        let groups = sum_groups(op, coefs, nms, norm)?;
        let (x, y) = xy_inputs(self, op, x, y)?;
        let e = self.engine();
        let u = xy_u(self, &x, &y)?;
        let max_a = groups.keys().map(|k| k.0).max().unwrap_or(0);
        let pw = xy_powers(self, &x, &y, max_a)?;
        // W = Σ R·A; G = Σ R'·A; the angular-derivative terms Σ R·∂A
        let (mut w, mut g, mut ax, mut ay) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (&(a, neg), s) in &groups {
            if s.iter().all(|&v| v == 0.0) {
                continue;
            }
            let (rad, drad) = clenshaw_der(self, s, &u, |k| recurrence_abc(k, 0.0, a as f64))?;
            if a == 0 {
                w.push(rad);
                g.extend(drad);
                continue;
            }
            let ang = xy_angular(&pw, a, neg);
            w.push(e.mul(&rad, ang)?);
            if let Some(d) = drad {
                g.push(e.mul(&d, ang)?);
            }
            let c = a as f64;
            ax.extend(xy_angular_der_term(self, &pw, a, neg, false, &rad, c)?);
            ay.extend(xy_angular_der_term(self, &pw, a, neg, true, &rad, c)?);
        }
        if !g.is_empty() {
            let g = sum_terms(self, g, &x)?;
            ax.push(self.scale(&e.mul(&x, &g)?, 4.0)?);
            ay.push(self.scale(&e.mul(&y, &g)?, 4.0)?);
        }
        Ok((
            sum_terms(self, w, &x)?,
            sum_terms(self, ax, &x)?,
            sum_terms(self, ay, &x)?,
        ))
    }
}

/// Check x and y; both as inexact arrays.
fn xy_inputs(pl: &Polynomials, op: &str, x: &Array, y: &Array) -> Result<(Array, Array)> {
    same_shape(op, x, y)?;
    Ok((pl.prepare(op, x)?, pl.prepare(op, y)?))
}

/// (Re, Im) of (x+iy)^k for k = 1..=max (`[k - 1]`), by the complex product
/// recurrence Re_k = x Re_{k-1} - y Im_{k-1}, Im_k = x Im_{k-1} + y Re_{k-1}.
fn xy_powers(pl: &Polynomials, x: &Array, y: &Array, max: u32) -> Result<Vec<(Array, Array)>> {
    let e = pl.engine();
    let mut out: Vec<(Array, Array)> = Vec::with_capacity(max as usize);
    for _ in 0..max {
        let next = match out.last() {
            None => (x.clone(), y.clone()),
            Some((re, im)) => (
                e.sub(&e.mul(x, re)?, &e.mul(y, im)?)?,
                e.add(&e.mul(x, im)?, &e.mul(y, re)?)?,
            ),
        };
        out.push(next);
    }
    Ok(out)
}

/// u = 2(x² + y²) - 1, the argument of the radial Jacobi polynomials.
fn xy_u(pl: &Polynomials, x: &Array, y: &Array) -> Result<Array> {
    let e = pl.engine();
    pl.lin(&e.add(&e.mul(x, x)?, &e.mul(y, y)?)?, 2.0, -1.0)
}

/// The angular factor A of (|m| = a >= 1, m < 0 when `neg`).
fn xy_angular(pw: &[(Array, Array)], a: u32, neg: bool) -> &Array {
    let (re, im) = &pw[a as usize - 1];
    if neg {
        im
    } else {
        re
    }
}

/// `coef` · rad · ∂A/∂x (∂A/∂y when `wrt_y`) without the factor a (include it in
/// `coef`), for a >= 1; None when the term is exactly zero (∂x Im z = ∂y Re z = 0).
fn xy_angular_der_term(
    pl: &Polynomials,
    pw: &[(Array, Array)],
    a: u32,
    neg: bool,
    wrt_y: bool,
    rad: &Array,
    coef: f64,
) -> Result<Option<Array>> {
    // which part of z^(a-1), and its sign
    let (im_part, sign) = match (neg, wrt_y) {
        (false, false) => (false, 1.0),
        (true, false) => (true, 1.0),
        (false, true) => (true, -1.0),
        (true, true) => (false, 1.0),
    };
    let k = a as usize - 1;
    if k == 0 {
        // z^0 = 1: Re = 1, Im = 0
        return if im_part {
            Ok(None)
        } else {
            Ok(Some(pl.scale(rad, sign * coef)?))
        };
    }
    let (re, im) = &pw[k - 1];
    let f = if im_part { im } else { re };
    Ok(Some(pl.scale(&pl.engine().mul(rad, f)?, sign * coef)?))
}

/// The sum of `terms`, or an exact zero like `like` when there are none.
fn sum_terms(pl: &Polynomials, terms: Vec<Array>, like: &Array) -> Result<Array> {
    let e = pl.engine();
    let mut it = terms.into_iter();
    let Some(mut acc) = it.next() else {
        return Ok(pl.full_like(like, 0.0));
    };
    for t in it {
        acc = e.add(&acc, &t)?;
    }
    Ok(acc)
}

/// (∂Z/∂x, ∂Z/∂y) for validated modes at prepared (x, y), sharing the recurrences.
fn der_xy_modes(
    pl: &Polynomials,
    nms: &[(i32, i32)],
    x: &Array,
    y: &Array,
    norm: bool,
) -> Result<Vec<(Array, Array)>> {
    let e = pl.engine();
    let mut need: BTreeMap<u32, usize> = BTreeMap::new();
    for &(n, m) in nms {
        let k = ((n - m.abs()) / 2) as usize;
        let v = need.entry(m.unsigned_abs()).or_insert(0);
        *v = (*v).max(k);
    }
    let u = xy_u(pl, x, y)?;
    // P_k^(0,a)(u) (for the angular derivative term, a > 0) and, for dP/du,
    // P_{k-1}^(1,a+1)(u): dP_k^(0,a)/du = (k+a+1)/2 · P_{k-1}^(1,a+1) (DLMF 18.9.15).
    let mut val = BTreeMap::new();
    let mut der = BTreeMap::new();
    for (&a, &k) in &need {
        let af = a as f64;
        if a > 0 {
            val.insert(a, pl.three_term(&u, k, |j| recurrence_abc(j, 0.0, af))?);
        }
        if k > 0 {
            let shifted = pl.three_term(&u, k - 1, |j| recurrence_abc(j, 1.0, af + 1.0))?;
            der.insert(a, shifted);
        }
    }
    let max_a = need.keys().copied().max().unwrap_or(0);
    let pw = xy_powers(pl, x, y, max_a)?;
    let mut out = Vec::with_capacity(nms.len());
    for &(n, m) in nms {
        let (a, neg) = (m.unsigned_abs(), m < 0);
        let k = ((n - m.abs()) / 2) as usize;
        let zn = if norm { zernike_norm(n, m) } else { 1.0 };
        let (mut gx, mut gy) = (Vec::new(), Vec::new());
        if k > 0 {
            // 4 · dP/du · A = 2(k+a+1) P_{k-1}^(1,a+1) · A
            let c = 2.0 * (k as f64 + a as f64 + 1.0) * zn;
            let q = &der[&a][k - 1];
            let qa = if a == 0 {
                q.clone()
            } else {
                e.mul(q, xy_angular(&pw, a, neg))?
            };
            gx.push(pl.scale(&e.mul(x, &qa)?, c)?);
            gy.push(pl.scale(&e.mul(y, &qa)?, c)?);
        }
        if a > 0 {
            let pk = &val[&a][k];
            let c = a as f64 * zn;
            gx.extend(xy_angular_der_term(pl, &pw, a, neg, false, pk, c)?);
            gy.extend(xy_angular_der_term(pl, &pw, a, neg, true, pk, c)?);
        }
        out.push((sum_terms(pl, gx, x)?, sum_terms(pl, gy, x)?));
    }
    Ok(out)
}

/// Σ s_k P_k(x) and its derivative d/dx by Clenshaw's method (as `clenshaw`), the
/// derivative from the differentiated recurrence
/// d_k = a_k b_{k+1} + (a_k x + b_k) d_{k+1} - c_{k+1} d_{k+2}, which shares the
/// value's (a_k x + b_k) nodes. The derivative is None when it is exactly zero.
fn clenshaw_der(
    pl: &Polynomials,
    s: &[f64],
    x: &Array,
    coef: impl Fn(usize) -> (f64, f64, f64),
) -> Result<(Array, Option<Array>)> {
    let e = pl.engine();
    let len = s.iter().rposition(|&v| v != 0.0).map_or(0, |i| i + 1);
    // b_{k+1}, b_{k+2}, d_{k+1}, d_{k+2}; None stands for an exact zero.
    let (mut b1, mut b2): (Option<Array>, Option<Array>) = (None, None);
    let (mut d1, mut d2): (Option<Array>, Option<Array>) = (None, None);
    for k in (0..len).rev() {
        let (a, bb, _) = coef(k);
        let c = coef(k + 1).2;
        let l = if b1.is_some() {
            Some(pl.lin(x, a, bb)?)
        } else {
            None
        };
        // b_k = s_k + l b_{k+1} - c b_{k+2}
        let mut acc = match (&l, &b1) {
            (Some(l), Some(b)) => Some(e.mul(l, b)?),
            _ => None,
        };
        if let (Some(b), true) = (&b2, c != 0.0) {
            let t = pl.scale(b, c)?;
            acc = Some(match acc {
                Some(v) => e.sub(&v, &t)?,
                None => e.neg(&t)?,
            });
        }
        let bk = match acc {
            Some(v) if s[k] != 0.0 => e.add(&v, &e.scalar_like(s[k], x))?,
            Some(v) => v,
            None => pl.full_like(x, s[k]),
        };
        // d_k = a b_{k+1} + l d_{k+1} - c d_{k+2}
        let mut dacc = match &b1 {
            Some(b) => Some(pl.scale(b, a)?),
            None => None,
        };
        if let (Some(l), Some(d)) = (&l, &d1) {
            let t = e.mul(l, d)?;
            dacc = Some(match dacc {
                Some(v) => e.add(&v, &t)?,
                None => t,
            });
        }
        if let (Some(d), true) = (&d2, c != 0.0) {
            let t = pl.scale(d, c)?;
            dacc = Some(match dacc {
                Some(v) => e.sub(&v, &t)?,
                None => e.neg(&t)?,
            });
        }
        b2 = b1;
        b1 = Some(bk);
        d2 = d1;
        d1 = dacc;
    }
    Ok((b1.unwrap_or_else(|| pl.full_like(x, 0.0)), d1))
}
