//! Zernike polynomials on the unit disk, with prysm's conventions:
//!
//! Z_n^m(r, t) = N · R_n^|m|(r) · (cos(m t) for m >= 0, sin(|m| t) for m < 0),
//! R_n^|m|(r) = P_{(n-|m|)/2}^(0,|m|)(2r² - 1) · r^|m|,
//! N = sqrt(2(n+1) / (1 + δ_m0)) when `norm` (unit RMS over the disk), else 1.
//!
//! The Cartesian functions (`zernike_nm_der_xy`, `zernike_sum_xy`, `zernike_sum_der_xy`)
//! use the same polynomial written in x and y: Z_n^m = N · P_{(n-|m|)/2}^(0,|m|)(2(x²+y²)-1)
//! · Re/Im (x+iy)^|m| (Re for m >= 0, Im for m < 0), with no trigonometry and no
//! singularity at the origin.
//!
//! Index conversions (Noll and Fringe are 1-based, ANSI j is 0-based) and names follow
//! prysm's `zernike.py`.

use super::jacobi::recurrence_abc;
use super::{same_shape, Polynomials};
use crate::array::Array;
use mathengine_ir::{Error, Result};
use std::collections::BTreeMap;

/// Highest |m| whose cos/sin come from the Chebyshev recurrence; above it they are
/// evaluated directly.
const ANGULAR_RECURRENCE_MAX: usize = 10;

fn check_nm(op: &str, n: i32, m: i32) -> Result<()> {
    if n < 0 {
        return Err(Error::invalid(
            op,
            format!("radial order n = {n} is negative; n must be >= 0"),
        ));
    }
    if m.unsigned_abs() > n as u32 {
        return Err(Error::invalid(
            op,
            format!("(n, m) = ({n}, {m}): |m| must not exceed n"),
        ));
    }
    if (n - m.abs()) % 2 != 0 {
        return Err(Error::invalid(
            op,
            format!("(n, m) = ({n}, {m}): n - |m| must be even (n and m of the same parity)"),
        ));
    }
    Ok(())
}

/// Norm of Z_n^m (prysm's `zernike_norm`): sqrt(2(n+1) / (1 + δ_m0)). With it the modes
/// have unit RMS over the unit disk: (1/π) ∫∫ Z_i Z_j dA = δ_ij.
pub fn zernike_norm(n: i32, m: i32) -> f64 {
    let d = if m == 0 { 2.0 } else { 1.0 };
    (2.0 * (n as f64 + 1.0) / d).sqrt()
}

/// The per-|m| pieces shared by every mode of a set: the Jacobi recurrence in
/// x = 2r²-1 up to the largest order needed, r^|m|, cos(|m| t) and sin(|m| t).
struct Shared {
    /// |m| -> P_0..=P_max^(0,|m|)(x)
    radial: BTreeMap<u32, Vec<Array>>,
    /// |m| -> r^|m| · cos(|m| t), r^|m| · sin(|m| t) (built on demand).
    angular: BTreeMap<(u32, bool), Array>,
}

impl Polynomials {
    /// Check r, t and the modes; `r` and `t` as inexact arrays.
    fn polar_inputs(&self, op: &str, r: &Array, t: &Array) -> Result<(Array, Array)> {
        same_shape(op, r, t)?;
        Ok((self.prepare(op, r)?, self.prepare(op, t)?))
    }

    /// r^k by repeated multiplication (exact for small k, no pow), shared chain.
    fn r_powers(&self, r: &Array, max: u32) -> Result<Vec<Array>> {
        let e = self.engine();
        let mut p = vec![self.full_like(r, 1.0)];
        for k in 1..=max as usize {
            let next = if k == 1 {
                r.clone()
            } else {
                e.mul(&p[k - 1], r)?
            };
            p.push(next);
        }
        Ok(p)
    }

    /// The shared pieces for the modes `nms` (already validated).
    fn shared(&self, nms: &[(i32, i32)], r: &Array, t: &Array) -> Result<Shared> {
        let e = self.engine();
        let mut need: BTreeMap<u32, usize> = BTreeMap::new();
        for &(n, m) in nms {
            let am = m.unsigned_abs();
            let nj = ((n - m.abs()) / 2) as usize;
            let v = need.entry(am).or_insert(0);
            *v = (*v).max(nj);
        }
        let x = self.lin(&e.mul(r, r)?, 2.0, -1.0)?;
        let mut radial = BTreeMap::new();
        for (&am, &nj) in &need {
            radial.insert(
                am,
                self.three_term(&x, nj, |k| recurrence_abc(k, 0.0, am as f64))?,
            );
        }
        let max_m = need.keys().copied().max().unwrap_or(0);
        let pw = self.r_powers(r, max_m)?;
        let mut want: BTreeMap<(u32, bool), ()> = BTreeMap::new();
        for &(_, m) in nms {
            if m != 0 {
                want.insert((m.unsigned_abs(), m < 0), ());
            }
        }
        let trig = self.angular_terms(t, max_m)?;
        let mut angular = BTreeMap::new();
        for &(am, neg) in want.keys() {
            let (c, s) = &trig[am as usize];
            let a = if neg { s } else { c };
            angular.insert((am, neg), e.mul(&pw[am as usize], a)?);
        }
        Ok(Shared { radial, angular })
    }

    /// (cos(k t), sin(k t)) for k = 0..=max: cos t and sin t once, then the Chebyshev
    /// recurrences cos(kt) = 2 cos t cos((k-1)t) - cos((k-2)t) (likewise sin), so only
    /// two trigonometric functions are evaluated per element (up to k = 10, beyond which
    /// the directly evaluated functions are more accurate).
    fn angular_terms(&self, t: &Array, max: u32) -> Result<Vec<(Array, Array)>> {
        let e = self.engine();
        let mut out = vec![(self.full_like(t, 1.0), self.full_like(t, 0.0))];
        if max == 0 {
            return Ok(out);
        }
        let (c1, s1) = (e.cos(t)?, e.sin(t)?);
        let two_c1 = self.scale(&c1, 2.0)?;
        out.push((c1, s1));
        for k in 2..=max as usize {
            if k > ANGULAR_RECURRENCE_MAX {
                // The recurrence's rounding error grows with k: evaluate high orders directly.
                let arg = self.scale(t, k as f64)?;
                out.push((e.cos(&arg)?, e.sin(&arg)?));
                continue;
            }
            // cos 2t = 2cos²t + (-1): adding -1 rather than subtracting the constant 1
            // keeps a full-shape constant 1 (the piston mode) out of the operands,
            // which the scheduler would otherwise evaluate in a kernel of its own.
            let c = if k == 2 {
                self.lin(&e.mul(&two_c1, &out[1].0)?, 1.0, -1.0)?
            } else {
                e.sub(&e.mul(&two_c1, &out[k - 1].0)?, &out[k - 2].0)?
            };
            let s = if k == 2 {
                e.mul(&two_c1, &out[1].1)?
            } else {
                e.sub(&e.mul(&two_c1, &out[k - 1].1)?, &out[k - 2].1)?
            };
            out.push((c, s));
        }
        Ok(out)
    }

    fn mode_from(&self, s: &Shared, n: i32, m: i32, norm: bool) -> Result<Array> {
        let e = self.engine();
        let am = m.unsigned_abs();
        let nj = ((n - m.abs()) / 2) as usize;
        let jac = &s.radial[&am][nj];
        let scaled = if norm {
            self.scale(jac, zernike_norm(n, m))?
        } else {
            jac.clone()
        };
        if am == 0 {
            Ok(scaled)
        } else {
            e.mul(&scaled, &s.angular[&(am, m < 0)])
        }
    }

    /// The Zernike polynomial Z_n^m at polar coordinates (r, t), orthonormal (unit RMS
    /// over the unit disk) when `norm` (prysm's `zernike_nm`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(64, None, Some(2.0))?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let defocus = e.polynomials.zernike_nm(2, 0, &r, &t, true)?; // sqrt(3)(2r²-1)
    /// assert_eq!(defocus.shape(), &[64, 64]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_nm(&self, n: i32, m: i32, r: &Array, t: &Array, norm: bool) -> Result<Array> {
        check_nm("zernike_nm", n, m)?;
        let (r, t) = self.polar_inputs("zernike_nm", r, t)?;
        let s = self.shared(&[(n, m)], &r, &t)?;
        self.mode_from(&s, n, m, norm)
    }

    /// Z_n^m for every (n, m) in `nms`: one Jacobi recurrence per |m| (up to the largest
    /// n of that |m|), r^|m| and the angular terms are built once and shared, so
    /// `e.eval_all` of the result is one multi-output kernel.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(32, None, Some(2.0))?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let nms: Vec<(i32, i32)> = (1..=15).map(|j| e.polynomials.noll_to_nm(j)).collect::<Result<_, _>>()?;
    /// let modes = e.polynomials.zernike_nm_seq(&nms, &r, &t, true)?;
    /// e.eval_all(&modes.iter().collect::<Vec<_>>())?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_nm_seq(
        &self,
        nms: &[(i32, i32)],
        r: &Array,
        t: &Array,
        norm: bool,
    ) -> Result<Vec<Array>> {
        if nms.is_empty() {
            return Err(Error::invalid(
                "zernike_nm_seq",
                "the mode list is empty; give at least one (n, m)",
            ));
        }
        for &(n, m) in nms {
            check_nm("zernike_nm_seq", n, m)?;
        }
        let (r, t) = self.polar_inputs("zernike_nm_seq", r, t)?;
        let s = self.shared(nms, &r, &t)?;
        nms.iter()
            .map(|&(n, m)| self.mode_from(&s, n, m, norm))
            .collect()
    }

    /// The partial derivatives (dZ/dr, dZ/dt) of Z_n^m at (r, t) (prysm's
    /// `zernike_nm_der`): d/dr uses d/dx P_k^(0,|m|)(x) = (k+|m|+1)/2 P_{k-1}^(1,|m|+1)
    /// with x = 2r²-1, dx/dr = 4r.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 5);
    /// let t = e.zeros(&[5], mathengine::DType::F64);
    /// let (dr, _dt) = e.polynomials.zernike_nm_der(2, 0, &r, &t, false)?; // 4r
    /// assert!((dr.to_vec::<f64>()?[4] - 4.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_nm_der(
        &self,
        n: i32,
        m: i32,
        r: &Array,
        t: &Array,
        norm: bool,
    ) -> Result<(Array, Array)> {
        check_nm("zernike_nm_der", n, m)?;
        let (r, t) = self.polar_inputs("zernike_nm_der", r, t)?;
        let e = self.engine();
        let am = m.unsigned_abs();
        let nj = ((n - m.abs()) / 2) as usize;
        let x = self.lin(&e.mul(&r, &r)?, 2.0, -1.0)?;
        let jac = self.jacobi(nj, 0.0, am as f64, &x)?;
        // d/dr P(2r²-1) = 4r P'(x)
        let dv = e.mul(
            &self.scale(&r, 4.0)?,
            &self.jacobi_der(nj, 0.0, am as f64, &x)?,
        )?;
        let zn = if norm { zernike_norm(n, m) } else { 1.0 };
        if am == 0 {
            return Ok((self.scale(&dv, zn)?, self.full_like(&r, 0.0)));
        }
        let pw = self.r_powers(&r, am)?;
        let u = &pw[am as usize];
        // d/dr r^|m| = |m| r^(|m|-1)
        let du = self.scale(&pw[am as usize - 1], am as f64)?;
        let dr_radial = e.add(&e.mul(&jac, &du)?, &e.mul(u, &dv)?)?;
        let arg = self.scale(&t, am as f64)?;
        let (c, s) = (e.cos(&arg)?, e.sin(&arg)?);
        let (dr, dt) = if m < 0 {
            (e.mul(&dr_radial, &s)?, self.scale(&c, am as f64)?)
        } else {
            (e.mul(&dr_radial, &c)?, self.scale(&s, -(am as f64))?)
        };
        let dt = e.mul(&dt, &e.mul(u, &jac)?)?;
        Ok((self.scale(&dr, zn)?, self.scale(&dt, zn)?))
    }

    /// (dZ/dr, dZ/dt) for every (n, m) in `nms`. Built mode by mode, the Jacobi
    /// recurrences, powers of r and angular terms are still computed once: hash-consing
    /// makes the same operation on the same inputs the same node, so `e.eval_all` of all
    /// the outputs is one kernel that shares them.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(16, None, Some(2.0))?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let ders = e.polynomials.zernike_nm_der_seq(&[(2, 0), (3, 1)], &r, &t, true)?;
    /// assert_eq!(ders.len(), 2);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_nm_der_seq(
        &self,
        nms: &[(i32, i32)],
        r: &Array,
        t: &Array,
        norm: bool,
    ) -> Result<Vec<(Array, Array)>> {
        if nms.is_empty() {
            return Err(Error::invalid(
                "zernike_nm_der_seq",
                "the mode list is empty; give at least one (n, m)",
            ));
        }
        nms.iter()
            .map(|&(n, m)| self.zernike_nm_der(n, m, r, t, norm))
            .collect()
    }

    /// Σ_i `coefs[i]` · Z(`nms[i]`) at (r, t) without materialising any mode: the modes are
    /// grouped by (|m|, sign of m), each group's radial sum is evaluated by Clenshaw's
    /// method on the Jacobi recurrence, and the groups are combined with r^|m| and their
    /// angular terms. The result is one lazy array, fused into one kernel.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(64, None, Some(2.0))?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let w = e.polynomials.zernike_sum(&[0.1, -0.2], &[(2, 0), (3, 1)], &r, &t, true)?;
    /// w.eval()?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn zernike_sum(
        &self,
        coefs: &[f64],
        nms: &[(i32, i32)],
        r: &Array,
        t: &Array,
        norm: bool,
    ) -> Result<Array> {
        let groups = sum_groups("zernike_sum", coefs, nms, norm)?;
        let (r, t) = self.polar_inputs("zernike_sum", r, t)?;
        let e = self.engine();
        let x = self.lin(&e.mul(&r, &r)?, 2.0, -1.0)?;
        let max_m = groups.keys().map(|k| k.0).max().unwrap_or(0);
        let pw = self.r_powers(&r, max_m)?;
        let mut radial = Vec::new();
        for (&(am, neg), s) in &groups {
            if s.iter().any(|&v| v != 0.0) {
                let rad = self.clenshaw(s, &x, |k| recurrence_abc(k, 0.0, am as f64))?;
                let rad = if am == 0 {
                    rad
                } else {
                    e.mul(&rad, &pw[am as usize])?
                };
                radial.push((am, neg, rad));
            }
        }
        let trig = self.angular_terms(&t, max_m)?;
        let mut total: Option<Array> = None;
        for (am, neg, rad) in &radial {
            let term = if *am == 0 {
                rad.clone()
            } else {
                let (c, s) = &trig[*am as usize];
                e.mul(rad, if *neg { s } else { c })?
            };
            total = Some(match total {
                Some(acc) => e.add(&acc, &term)?,
                None => term,
            });
        }
        Ok(total.unwrap_or_else(|| self.full_like(&r, 0.0)))
    }

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
        check_nm(op, n, m)?;
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
            check_nm(op, n, m)?;
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

    /// Norm of Z_n^m: sqrt(2(n+1) / (1 + δ_m0)); see [`zernike_norm`].
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.zernike_norm(2, 0), 3f64.sqrt());
    /// ```
    pub fn zernike_norm(&self, n: i32, m: i32) -> f64 {
        zernike_norm(n, m)
    }

    /// Noll index j (1-based) to (n, m).
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.noll_to_nm(8)?, (3, 1));
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn noll_to_nm(&self, j: usize) -> Result<(i32, i32)> {
        noll_to_nm(j)
    }

    /// (n, m) to the Noll index (1-based).
    pub fn nm_to_noll(&self, n: i32, m: i32) -> Result<usize> {
        check_nm("nm_to_noll", n, m)?;
        let n_u = n as usize;
        let start = n_u * (n_u + 1) / 2 + 1;
        (start..start + n_u + 1)
            .find(|&j| noll_to_nm(j).ok() == Some((n, m)))
            .ok_or_else(|| Error::invalid("nm_to_noll", format!("internal: ({n}, {m}) not found")))
    }

    /// Fringe (University of Arizona) index (1-based) to (n, m), as prysm (which extends
    /// the 37-term table by the same pattern: index 37 is (6, 6) there, not (12, 0)).
    pub fn fringe_to_nm(&self, j: usize) -> Result<(i32, i32)> {
        if j == 0 {
            return Err(Error::invalid(
                "fringe_to_nm",
                "Fringe indices start at 1; 0 is not an index",
            ));
        }
        let mut s = (j as f64).sqrt().ceil() as i64;
        while s * s < j as i64 {
            s += 1;
        }
        while s > 1 && (s - 1) * (s - 1) >= j as i64 {
            s -= 1;
        }
        let half = s - 1; // (n + |m|) / 2
        let d = j as i64 - (half * half + 1);
        let n = half + d / 2;
        let m_abs = 2 * half - n;
        let m = if d % 2 == 1 { -m_abs } else { m_abs };
        Ok((n as i32, m as i32))
    }

    /// (n, m) to the Fringe index (1-based).
    pub fn nm_to_fringe(&self, n: i32, m: i32) -> Result<usize> {
        check_nm("nm_to_fringe", n, m)?;
        let am = m.abs() as i64;
        let h = (n as i64 + am) / 2;
        let base = (1 + h) * (1 + h) - 2 * am;
        let j = match m.signum() {
            0 => (1 + h) * (1 + h),
            1 => base,
            _ => base + 1,
        };
        Ok(j as usize)
    }

    /// ANSI (OSA) index j (0-based) to (n, m): j = (n(n+2) + m) / 2.
    pub fn ansi_j_to_nm(&self, j: usize) -> Result<(i32, i32)> {
        let mut n: usize = 0;
        while n * (n + 3) / 2 < j {
            n += 1;
        }
        let m = 2 * j as i64 - (n * (n + 2)) as i64;
        Ok((n as i32, m as i32))
    }

    /// (n, m) to the ANSI (OSA) index j (0-based).
    pub fn nm_to_ansi_j(&self, n: i32, m: i32) -> Result<usize> {
        check_nm("nm_to_ansi_j", n, m)?;
        Ok(((n * (n + 2) + m) / 2) as usize)
    }

    /// A human-readable name for (n, m), as prysm's `nm_to_name`: "Piston", "Tilt X",
    /// "Defocus", "Primary Coma Y", "Primary Astigmatism 00°", "Secondary Spherical", ...
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.nm_to_name(3, -1)?, "Primary Coma Y");
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn nm_to_name(&self, n: i32, m: i32) -> Result<String> {
        check_nm("nm_to_name", n, m)?;
        Ok(nm_to_name(n, m))
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

/// Check a weighted sum's coefficients and modes, and group them: (|m|, m < 0) -> the
/// dense Jacobi coefficients s[k], k = (n - |m|) / 2, with the norms folded in.
fn sum_groups(
    op: &str,
    coefs: &[f64],
    nms: &[(i32, i32)],
    norm: bool,
) -> Result<BTreeMap<(u32, bool), Vec<f64>>> {
    if nms.is_empty() {
        return Err(Error::invalid(
            op,
            "the mode list is empty; give at least one (n, m)",
        ));
    }
    if coefs.len() != nms.len() {
        return Err(Error::invalid(
            op,
            format!(
                "{} coefficients were given for {} modes; give one per mode",
                coefs.len(),
                nms.len()
            ),
        ));
    }
    for &(n, m) in nms {
        check_nm(op, n, m)?;
    }
    let mut groups: BTreeMap<(u32, bool), Vec<f64>> = BTreeMap::new();
    for (&c, &(n, m)) in coefs.iter().zip(nms) {
        let key = (m.unsigned_abs(), m < 0);
        let k = ((n - m.abs()) / 2) as usize;
        let s = groups.entry(key).or_default();
        if s.len() <= k {
            s.resize(k + 1, 0.0);
        }
        s[k] += c * if norm { zernike_norm(n, m) } else { 1.0 };
    }
    Ok(groups)
}

fn noll_to_nm(j: usize) -> Result<(i32, i32)> {
    if j == 0 {
        return Err(Error::invalid(
            "noll_to_nm",
            "Noll indices start at 1; 0 is not an index",
        ));
    }
    // n: the row with n(n+1)/2 < j <= (n+1)(n+2)/2
    let mut n: usize = 0;
    while (n + 1) * (n + 2) / 2 < j {
        n += 1;
    }
    // position in the row, 0..=n; |m| along the row: even n: 0, 2, 2, 4, 4, ...;
    // odd n: 1, 1, 3, 3, ...
    let k = j - n * (n + 1) / 2 - 1;
    let am = if n.is_multiple_of(2) {
        2 * k.div_ceil(2)
    } else {
        2 * (k / 2) + 1
    };
    let m = if am != 0 && !j.is_multiple_of(2) {
        -(am as i32)
    } else {
        am as i32
    };
    Ok((n as i32, m))
}

fn order_prefix(k: i32) -> String {
    match k {
        1 => "Primary".into(),
        2 => "Secondary".into(),
        3 => "Tertiary".into(),
        4 => "Quaternary".into(),
        5 => "Quinary".into(),
        _ => format!("{k}th"),
    }
}

fn nm_to_name(n: i32, m: i32) -> String {
    if n == 0 {
        return "Piston".into();
    }
    if n == 1 {
        return if m > 0 { "Tilt X" } else { "Tilt Y" }.into();
    }
    if m == 0 {
        if n == 2 {
            return "Defocus".into();
        }
        return format!("{} Spherical", order_prefix(n / 2 - 1));
    }
    let am = m.abs();
    let accessor = if am % 2 == 1 && n >= 3 {
        ((n - 3) / 2 + 1).abs()
    } else {
        n / am
    };
    let name = match am {
        1 => "Coma".to_string(),
        2 => "Astigmatism".into(),
        3 => "Trefoil".into(),
        4 => "Quadrafoil".into(),
        5 => "Pentafoil".into(),
        6 => "Hexafoil".into(),
        7 => "Septafoil".into(),
        8 => "Octafoil".into(),
        _ => format!("{am}-foil"),
    };
    let suffix = match (am % 2 == 1, m > 0) {
        (true, true) => "X",
        (true, false) => "Y",
        (false, true) => "00°",
        (false, false) => "45°",
    };
    format!("{} {} {}", order_prefix(accessor), name, suffix)
}
