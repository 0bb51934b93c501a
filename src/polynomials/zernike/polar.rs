//! Zernike polynomials at polar coordinates (r, t): values, sequences sharing one
//! Jacobi recurrence per |m|, radial/azimuthal derivatives and Clenshaw weighted sums.

use super::{check_mode, sum_groups, zernike_norm};
use crate::array::Array;
use crate::polynomials::jacobi::recurrence_abc;
use crate::polynomials::{same_shape, Polynomials};
use mathengine_ir::{Error, Result};
use std::collections::BTreeMap;

/// Highest |m| whose cos/sin come from the Chebyshev recurrence; above it they are
/// evaluated directly.
const ANGULAR_RECURRENCE_MAX: usize = 10;

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
        check_mode("zernike_nm", n, m)?;
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
            check_mode("zernike_nm_seq", n, m)?;
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
        check_mode("zernike_nm_der", n, m)?;
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
}
