//! 2D-Q (Forbes 2012), the freeform basis (prysm's `Q2d`): values, sequences,
//! derivatives and Clenshaw sums, one radial recurrence per |m|.

use super::coefficients::{q2d_abc, q2d_coef};
use super::first;
use crate::array::Array;
use crate::polynomials::{check_order, same_shape, Polynomials};
use mathengine_ir::{Error, Result};
use std::collections::BTreeMap;

impl Polynomials {
    /// Q_0^m..=Q_max^m of 2D-Q at x = u² (no u^m, no angular factor) and, when `der`,
    /// dQ/dx (prysm's `_q2d_radial_recurrence`); also the auxiliary P_0..=P_3 (those that
    /// exist), which the Clenshaw sums start from.
    fn q2d_aux(&self, x: &Array, m: usize, max: usize, der: bool) -> Result<Q2dAux> {
        let c = q2d_coef(m, max);
        let mf = m as f64;
        let mut p = vec![self.constant(0.5)];
        let mut dp = vec![self.constant(0.0)];
        // The explicit starts: P_1 for every m, P_2 and P_3 for m = 1.
        let explicit = if m == 1 { 3 } else { 1 };
        for n in 1..=max.min(explicit) {
            let (pn, dpn) = match (m, n) {
                (1, 1) => (self.lin(x, -0.5, 1.0)?, self.constant(-0.5)),
                (1, 2) => {
                    // (3 - x(12 - 8x)) / 6
                    let inner = self.lin(x, 4.0 / 3.0, -2.0)?;
                    (
                        self.lin(&self.engine().mul(x, &inner)?, 1.0, 0.5)?,
                        self.lin(x, 8.0 / 3.0, -2.0)?,
                    )
                }
                (1, _) => {
                    // (5 - x(60 - x(120 - 64x))) / 10
                    let e = self.engine();
                    let inner = self.lin(&e.mul(x, &self.lin(x, -6.4, 12.0)?)?, 1.0, -6.0)?;
                    let d = self.lin(&e.mul(x, &self.lin(x, -19.2, 24.0)?)?, 1.0, -6.0)?;
                    (self.lin(&e.mul(x, &inner)?, 1.0, 0.5)?, d)
                }
                _ => (self.lin(x, 1.0 - mf, mf - 0.5)?, self.constant(1.0 - mf)),
            };
            p.push(pn);
            dp.push(if der { dpn } else { self.constant(0.0) });
        }
        for n in (explicit + 1)..=max {
            let (a, b, cc) = q2d_abc(n - 1, m);
            let l = self.lin(x, b, a)?;
            let pn = self.linear_combination(
                &[(1.0, &self.product(&l, &p[n - 1])?), (-cc, &p[n - 2])],
                0.0,
            )?;
            let dpn = if der {
                let t = self.product(&l, &dp[n - 1])?;
                self.linear_combination(&[(b, &p[n - 1]), (1.0, &t), (-cc, &dp[n - 2])], 0.0)?
            } else {
                self.constant(0.0)
            };
            p.push(pn);
            dp.push(dpn);
        }
        let mut q = vec![self.constant(0.5 / c.f[0])];
        let mut dq = vec![self.constant(0.0)];
        for n in 1..=max {
            let inv = 1.0 / c.f[n];
            q.push(self.linear_combination(&[(inv, &p[n]), (-c.g[n - 1] * inv, &q[n - 1])], 0.0)?);
            dq.push(if der {
                self.linear_combination(&[(inv, &dp[n]), (-c.g[n - 1] * inv, &dq[n - 1])], 0.0)?
            } else {
                self.constant(0.0)
            });
        }
        p.truncate(explicit + 1);
        Ok(Q2dAux { q, dq, p })
    }

    /// The 2D-Q (freeform) polynomial of radial order `n` and azimuthal order `m` at polar
    /// coordinates (r, t), r = ρ/ρ_max (prysm's `Q2d(n, m, r, t)`): u^m Q_n^m(u²) cos(m t)
    /// for m > 0, u^|m| Q_n^|m|(u²) sin(|m| t) for m < 0, and [`Self::qbfs`]`(n, r)`
    /// (with its u²(1-u²) prefactor) for m = 0. Every prefactor is included.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 3);
    /// let t = e.zeros(&[3], mathengine::DType::F64);
    /// let q = e.polynomials.q2d(0, 2, &r, &t)?.to_vec::<f64>()?; // Q_0^2 = 1/√2: u²/√2
    /// assert!((q[2] - 0.5f64.sqrt()).abs() < 1e-15);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn q2d(&self, n: i32, m: i32, r: &Array, t: &Array) -> Result<Array> {
        first("q2d", self.q2d_seq(&[(n, m)], r, t)?)
    }

    fn q2d_inputs(
        &self,
        op: &str,
        nms: &[(i32, i32)],
        r: &Array,
        t: &Array,
    ) -> Result<(Array, Array)> {
        if nms.is_empty() {
            return Err(Error::invalid(
                op,
                "the mode list is empty; give at least one (n, m)",
            ));
        }
        for &(n, m) in nms {
            if n < 0 {
                return Err(Error::invalid(
                    op,
                    format!("(n, m) = ({n}, {m}): the radial order n is negative; n must be >= 0"),
                ));
            }
            check_order(op, "the radial order n", n as u64)?;
            check_order(op, "the azimuthal order |m|", m.unsigned_abs() as u64)?;
        }
        same_shape(op, r, t)?;
        Ok((self.prepare(op, r)?, self.prepare(op, t)?))
    }

    /// |m| -> largest n asked for.
    fn q2d_plan(nms: &[(i32, i32)]) -> BTreeMap<usize, usize> {
        let mut need = BTreeMap::new();
        for &(n, m) in nms {
            let v = need.entry(m.unsigned_abs() as usize).or_insert(0usize);
            *v = (*v).max(n as usize);
        }
        need
    }

    /// cos(m t) for m > 0, sin(|m| t) for m < 0 (built once per (|m|, sign) by
    /// hash-consing).
    fn q2d_trig(&self, t: &Array, m: i32) -> Result<Array> {
        let e = self.engine();
        let arg = self.scale(t, m.unsigned_abs() as f64)?;
        if m > 0 {
            e.cos(&arg)
        } else {
            e.sin(&arg)
        }
    }

    /// The 2D-Q polynomials for every (n, m) in `nms`: one radial recurrence per |m| (up
    /// to the largest n of that |m|), the powers of r and the angular terms are built once
    /// and shared, so `e.eval_all` of the result is one multi-output kernel (prysm's
    /// `Q2d_seq`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(32, None, Some(2.0))?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let modes = e.polynomials.q2d_seq(&[(0, 0), (1, 0), (0, 1), (0, -1), (2, 3)], &r, &t)?;
    /// e.eval_all(&modes.iter().collect::<Vec<_>>())?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn q2d_seq(&self, nms: &[(i32, i32)], r: &Array, t: &Array) -> Result<Vec<Array>> {
        let op = "q2d_seq";
        let (r, t) = self.q2d_inputs(op, nms, r, t)?;
        let e = self.engine();
        let x = e.mul(&r, &r)?;
        let plan = Self::q2d_plan(nms);
        let max_m = plan.keys().copied().max().unwrap_or(0);
        let pw = self.power_chain(&r, max_m)?;
        let mut radial: BTreeMap<usize, Vec<Array>> = BTreeMap::new();
        for (&am, &nmax) in &plan {
            let q = if am == 0 {
                let (q, _) = self.qbfs_aux(&x, nmax, false)?;
                q.iter()
                    .map(|qn| self.bfs_times(&x, qn))
                    .collect::<Result<Vec<_>>>()?
            } else {
                let aux = self.q2d_aux(&x, am, nmax, false)?;
                aux.q
                    .iter()
                    .map(|qn| self.product(&pw[am], qn))
                    .collect::<Result<Vec<_>>>()?
            };
            radial.insert(am, q);
        }
        nms.iter()
            .map(|&(n, m)| {
                let rad = &radial[&(m.unsigned_abs() as usize)][n as usize];
                if m == 0 {
                    Ok(self.broadcast_like(rad, &r))
                } else {
                    let trig = self.q2d_trig(&t, m)?;
                    Ok(self.broadcast_like(&self.product(rad, &trig)?, &r))
                }
            })
            .collect()
    }

    /// The partial derivatives (∂/∂r, ∂/∂t) of [`Self::q2d`] (prysm's `Q2d_der`). With
    /// F(r) = r^|m| Q(r²): ∂/∂r = F'(r) · trig, F' = |m| r^(|m|-1) Q + 2 r^(|m|+1) Q',
    /// ∂/∂t = F · d(trig)/dt; for m = 0 they are ([`Self::qbfs_der`], 0).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 3);
    /// let t = e.zeros(&[3], mathengine::DType::F64);
    /// let (dr, dt) = e.polynomials.q2d_der(0, 1, &r, &t)?; // Q_0^1 = 1: d/dr (u cos t) = cos t
    /// assert_eq!(dr.to_vec::<f64>()?, vec![1.0; 3]);
    /// assert_eq!(dt.to_vec::<f64>()?, vec![0.0; 3]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn q2d_der(&self, n: i32, m: i32, r: &Array, t: &Array) -> Result<(Array, Array)> {
        let mut v = self.q2d_der_seq(&[(n, m)], r, t)?;
        v.pop()
            .ok_or_else(|| Error::invalid("q2d_der", "internal: empty sequence"))
    }

    /// (∂/∂r, ∂/∂t) of the 2D-Q polynomials for every (n, m) in `nms`, sharing the
    /// recurrences per |m| (prysm's `Q2d_der_seq`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(16, None, Some(2.0))?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let ders = e.polynomials.q2d_der_seq(&[(2, 0), (1, -2)], &r, &t)?;
    /// assert_eq!(ders.len(), 2);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn q2d_der_seq(
        &self,
        nms: &[(i32, i32)],
        r: &Array,
        t: &Array,
    ) -> Result<Vec<(Array, Array)>> {
        let op = "q2d_der_seq";
        let (r, t) = self.q2d_inputs(op, nms, r, t)?;
        let e = self.engine();
        let x = e.mul(&r, &r)?;
        let plan = Self::q2d_plan(nms);
        let max_m = plan.keys().copied().max().unwrap_or(0);
        let pw = self.power_chain(&r, max_m + 1)?;
        // |m| -> (F_n, F_n') for n = 0..=max
        let mut radial: BTreeMap<usize, Vec<(Array, Array)>> = BTreeMap::new();
        for (&am, &nmax) in &plan {
            let mut v = Vec::with_capacity(nmax + 1);
            if am == 0 {
                let (q, dq) = self.qbfs_aux(&x, nmax, true)?;
                let pre = e.mul(&x, &self.lin(&x, -1.0, 1.0)?)?;
                let one_m_2x = self.lin(&x, -2.0, 1.0)?;
                let two_r = self.scale(&r, 2.0)?;
                for n in 0..=nmax {
                    let f = self.product(&pre, &q[n])?;
                    let a = self.product(&one_m_2x, &q[n])?;
                    let b = self.product(&pre, &dq[n])?;
                    let fp = self.product(
                        &two_r,
                        &self.linear_combination(&[(1.0, &a), (1.0, &b)], 0.0)?,
                    )?;
                    v.push((f, fp));
                }
            } else {
                let aux = self.q2d_aux(&x, am, nmax, true)?;
                for n in 0..=nmax {
                    let f = self.product(&pw[am], &aux.q[n])?;
                    let a = self.product(&pw[am - 1], &aux.q[n])?;
                    let b = self.product(&pw[am + 1], &aux.dq[n])?;
                    let fp = self.linear_combination(&[(am as f64, &a), (2.0, &b)], 0.0)?;
                    v.push((f, fp));
                }
            }
            radial.insert(am, v);
        }
        nms.iter()
            .map(|&(n, m)| {
                let am = m.unsigned_abs() as usize;
                let (f, fp) = &radial[&am][n as usize];
                if m == 0 {
                    return Ok((self.broadcast_like(fp, &r), self.full_like(&r, 0.0)));
                }
                let trig = self.q2d_trig(&t, m)?;
                // d/dt cos(mt) = -m sin(mt); d/dt sin(|m|t) = |m| cos(|m|t)
                let dtrig = self.q2d_trig(&t, -m)?;
                let dsign = if m > 0 { -(am as f64) } else { am as f64 };
                let dr = self.product(fp, &trig)?;
                let dt = self.linear_combination(&[(dsign, &self.product(f, &dtrig)?)], 0.0)?;
                Ok((self.broadcast_like(&dr, &r), self.broadcast_like(&dt, &r)))
            })
            .collect()
    }

    /// Σ_i `coefs[i]` · Q2d(`nms[i]`) at (r, t), the 2D-Q freeform departure without base
    /// sphere (prysm's `Q2d_nm_c_to_a_b` + `compute_z_Q2d`): the modes are grouped by
    /// (|m|, sign of m), each group's radial sum goes to the auxiliary P^m basis
    /// (`change_of_basis_Q2d_to_Pnm`) and is summed by Clenshaw's method, then the groups
    /// are combined with u^|m| and their angular terms; m = 0 is the Q^bfs sum. Repeated
    /// modes add. No mode is materialised; the result is one lazy array.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let (x, y) = e.coordinates.make_xy_grid(64, None, Some(2.0))?;
    /// let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    /// let z = e.polynomials.q2d_sum(&[1e-3, -2e-3, 5e-4], &[(0, 0), (2, 1), (1, -3)], &r, &t)?;
    /// z.eval()?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn q2d_sum(
        &self,
        coefs: &[f64],
        nms: &[(i32, i32)],
        r: &Array,
        t: &Array,
    ) -> Result<Array> {
        let op = "q2d_sum";
        let (r, t) = self.q2d_inputs(op, nms, r, t)?;
        crate::polynomials::one_per_mode(op, "coefficients", coefs.len(), nms.len())?;
        let e = self.engine();
        let x = e.mul(&r, &r)?;
        // (|m|, m < 0) -> dense coefficients by n
        let mut groups: BTreeMap<(usize, bool), Vec<f64>> = BTreeMap::new();
        for (&c, &(n, m)) in coefs.iter().zip(nms) {
            let s = groups
                .entry((m.unsigned_abs() as usize, m < 0))
                .or_default();
            let n = n as usize;
            if s.len() <= n {
                s.resize(n + 1, 0.0);
            }
            s[n] += c;
        }
        let max_m = groups.keys().map(|k| k.0).max().unwrap_or(0);
        let pw = self.power_chain(&r, max_m)?;
        let mut total: Option<Array> = None;
        for (&(am, neg), cs) in &groups {
            if cs.iter().all(|&c| c == 0.0) {
                continue;
            }
            let term = if am == 0 {
                let pre = e.mul(&x, &self.lin(&x, -1.0, 1.0)?)?;
                e.mul(&pre, &self.qbfs_radial_sum(cs, &x)?)?
            } else {
                let s = self.q2d_radial_sum(cs, am, &x)?;
                let m = if neg { -(am as i32) } else { am as i32 };
                let trig = self.q2d_trig(&t, m)?;
                let v = self.product(&self.product(&s, &pw[am])?, &trig)?;
                self.broadcast_like(&v, &r)
            };
            total = Some(match total {
                Some(acc) => e.add(&acc, &term)?,
                None => term,
            });
        }
        Ok(total.unwrap_or_else(|| self.full_like(&r, 0.0)))
    }

    /// Σ_n c_n Q_n^m(x) for m >= 1: the P-basis coefficients d_n, then Clenshaw's
    /// backward recurrence over the range where P_{k+1} = (A_k + B_k x) P_k - C_k P_{k-1}
    /// holds (k >= 1, or k >= 3 for m = 1), joined to the explicit starting P's:
    /// Σ_{k<k0} d_k P_k + b_{k0} P_{k0} - C_{k0} b_{k0+1} P_{k0-1}.
    fn q2d_radial_sum(&self, cs: &[f64], m: usize, x: &Array) -> Result<Array> {
        let len = cs.iter().rposition(|&v| v != 0.0).map_or(0, |i| i + 1);
        if len == 0 {
            return Ok(self.constant(0.0));
        }
        let coef = q2d_coef(m, len - 1);
        // change of basis, d_N = c_N / f_N, d_n = (c_n - g_n d_{n+1}) / f_n
        let mut d = vec![0.0; len];
        for n in (0..len).rev() {
            let next = if n + 1 < len { d[n + 1] } else { 0.0 };
            d[n] = (cs[n] - coef.g[n] * next) / coef.f[n];
        }
        let k0 = if m == 1 { 3 } else { 1 };
        let aux = self.q2d_aux(x, m, (len - 1).min(k0), false)?;
        let p = &aux.p;
        let mut terms: Vec<(f64, Array)> = Vec::new();
        for (k, &dk) in d.iter().enumerate().take(len.min(k0)) {
            terms.push((dk, p[k].clone()));
        }
        if len > k0 {
            // b_{k+1}, b_{k+2}
            let mut b1 = self.constant(0.0);
            let mut b2 = self.constant(0.0);
            for k in (k0..len).rev() {
                let (a, b, _) = q2d_abc(k, m);
                let (_, _, c1) = if k + 1 < len {
                    q2d_abc(k + 1, m)
                } else {
                    (0.0, 0.0, 0.0)
                };
                let l = self.lin(x, b, a)?;
                let bk =
                    self.linear_combination(&[(1.0, &self.product(&l, &b1)?), (-c1, &b2)], d[k])?;
                b2 = b1;
                b1 = bk;
            }
            let (_, _, c0) = q2d_abc(k0, m);
            terms.push((1.0, self.product(&b1, &p[k0])?));
            terms.push((-c0, self.product(&b2, &p[k0 - 1])?));
        }
        let refs: Vec<(f64, &Array)> = terms.iter().map(|(c, v)| (*c, v)).collect();
        self.linear_combination(&refs, 0.0)
    }
}

struct Q2dAux {
    q: Vec<Array>,
    dq: Vec<Array>,
    /// The explicit starting P_0..=P_k0 (those up to the order asked for).
    p: Vec<Array>,
}
