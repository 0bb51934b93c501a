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

use super::jacobi::recurrence_abc;
use super::onedim::check_coefs;
use super::{max_order, same_shape, Polynomials};
use crate::array::Array;
use mathengine_ir::{Error, Result};
use std::collections::BTreeMap;

/// A value while a recurrence is built: an exact constant (folded in Rust) or an array.
#[derive(Clone)]
enum V {
    K(f64),
    A(Array),
}

impl Polynomials {
    /// Σ c_i v_i + k: constants fold in Rust, only array terms become graph nodes.
    fn fb_lin(&self, terms: &[(f64, &V)], k: f64) -> Result<V> {
        let e = self.engine();
        let mut konst = k;
        let mut acc: Option<Array> = None;
        for &(c, v) in terms {
            match v {
                V::K(a) => konst += c * a,
                V::A(_) if c == 0.0 => {}
                V::A(a) => {
                    acc = Some(match acc {
                        Some(s) if c == -1.0 => e.sub(&s, a)?,
                        Some(s) => e.add(&s, &self.scale(a, c)?)?,
                        None => self.scale(a, c)?,
                    })
                }
            }
        }
        Ok(match acc {
            Some(a) if konst != 0.0 => V::A(e.add(&a, &e.scalar_like(konst, &a))?),
            Some(a) => V::A(a),
            None => V::K(konst),
        })
    }

    fn fb_mul(&self, a: &V, b: &V) -> Result<V> {
        Ok(match (a, b) {
            (V::K(p), V::K(q)) => V::K(p * q),
            (V::K(p), V::A(q)) | (V::A(q), V::K(p)) => V::A(self.scale(q, *p)?),
            (V::A(p), V::A(q)) => V::A(self.engine().mul(p, q)?),
        })
    }

    fn fb_arr(&self, v: &V, like: &Array) -> Array {
        match v {
            V::K(k) => self.full_like(like, *k),
            V::A(a) => a.clone(),
        }
    }

    /// [r⁰, r¹, ..., r^max] by repeated multiplication (one shared chain).
    fn fb_pow_chain(&self, r: &Array, max: usize) -> Result<Vec<V>> {
        let mut out = vec![V::K(1.0)];
        for k in 1..=max {
            let next = match k {
                1 => V::A(r.clone()),
                _ => self.fb_mul(&out[k - 1], &V::A(r.clone()))?,
            };
            out.push(next);
        }
        Ok(out)
    }

    /// Q_0..=Q_max of Q^bfs at x = u² (without the u²(1-u²) prefactor) and, when `der`,
    /// dQ_n/dx (prysm's `_qbfs_aux_recurrence`).
    fn qbfs_aux(&self, x: &Array, max: usize, der: bool) -> Result<(Vec<V>, Vec<V>)> {
        let c = qbfs_coef(max);
        let lin = V::A(self.lin(x, -4.0, 2.0)?);
        let mut p = vec![V::K(2.0)];
        let mut dp = vec![V::K(0.0)];
        let mut q = vec![V::K(1.0)];
        let mut dq = vec![V::K(0.0)];
        for n in 1..=max {
            let (pn, dpn) = if n == 1 {
                (V::A(self.lin(x, -8.0, 6.0)?), V::K(-8.0))
            } else {
                let pn = self.fb_lin(
                    &[(1.0, &self.fb_mul(&lin, &p[n - 1])?), (-1.0, &p[n - 2])],
                    0.0,
                )?;
                let dpn = if der {
                    let t = self.fb_mul(&lin, &dp[n - 1])?;
                    self.fb_lin(&[(-4.0, &p[n - 1]), (1.0, &t), (-1.0, &dp[n - 2])], 0.0)?
                } else {
                    V::K(0.0)
                };
                (pn, dpn)
            };
            let inv = 1.0 / c.f[n];
            let hq = if n >= 2 { c.h[n - 2] } else { 0.0 };
            let qn = {
                let prev2 = if n >= 2 { q[n - 2].clone() } else { V::K(0.0) };
                self.fb_lin(
                    &[
                        (inv, &pn),
                        (-c.g[n - 1] * inv, &q[n - 1]),
                        (-hq * inv, &prev2),
                    ],
                    0.0,
                )?
            };
            let dqn = if der {
                let prev2 = if n >= 2 { dq[n - 2].clone() } else { V::K(0.0) };
                self.fb_lin(
                    &[
                        (inv, &dpn),
                        (-c.g[n - 1] * inv, &dq[n - 1]),
                        (-hq * inv, &prev2),
                    ],
                    0.0,
                )?
            } else {
                V::K(0.0)
            };
            p.push(pn);
            dp.push(dpn);
            q.push(qn);
            dq.push(dqn);
        }
        Ok((q, dq))
    }

    /// Q_0^m..=Q_max^m of 2D-Q at x = u² (no u^m, no angular factor) and, when `der`,
    /// dQ/dx (prysm's `_q2d_radial_recurrence`); also the auxiliary P_0..=P_3 (those that
    /// exist), which the Clenshaw sums start from.
    fn q2d_aux(&self, x: &Array, m: usize, max: usize, der: bool) -> Result<Q2dAux> {
        let c = q2d_coef(m, max);
        let mf = m as f64;
        let mut p = vec![V::K(0.5)];
        let mut dp = vec![V::K(0.0)];
        // The explicit starts: P_1 for every m, P_2 and P_3 for m = 1.
        let explicit = if m == 1 { 3 } else { 1 };
        for n in 1..=max.min(explicit) {
            let (pn, dpn) = match (m, n) {
                (1, 1) => (self.lin(x, -0.5, 1.0)?, V::K(-0.5)),
                (1, 2) => {
                    // (3 - x(12 - 8x)) / 6
                    let inner = self.lin(x, 4.0 / 3.0, -2.0)?;
                    (
                        self.lin(&self.engine().mul(x, &inner)?, 1.0, 0.5)?,
                        V::A(self.lin(x, 8.0 / 3.0, -2.0)?),
                    )
                }
                (1, _) => {
                    // (5 - x(60 - x(120 - 64x))) / 10
                    let e = self.engine();
                    let inner = self.lin(&e.mul(x, &self.lin(x, -6.4, 12.0)?)?, 1.0, -6.0)?;
                    let d = self.lin(&e.mul(x, &self.lin(x, -19.2, 24.0)?)?, 1.0, -6.0)?;
                    (self.lin(&e.mul(x, &inner)?, 1.0, 0.5)?, V::A(d))
                }
                _ => (self.lin(x, 1.0 - mf, mf - 0.5)?, V::K(1.0 - mf)),
            };
            p.push(V::A(pn));
            dp.push(if der { dpn } else { V::K(0.0) });
        }
        for n in (explicit + 1)..=max {
            let (a, b, cc) = q2d_abc(n - 1, m);
            let l = V::A(self.lin(x, b, a)?);
            let pn = self.fb_lin(
                &[(1.0, &self.fb_mul(&l, &p[n - 1])?), (-cc, &p[n - 2])],
                0.0,
            )?;
            let dpn = if der {
                let t = self.fb_mul(&l, &dp[n - 1])?;
                self.fb_lin(&[(b, &p[n - 1]), (1.0, &t), (-cc, &dp[n - 2])], 0.0)?
            } else {
                V::K(0.0)
            };
            p.push(pn);
            dp.push(dpn);
        }
        let mut q = vec![V::K(0.5 / c.f[0])];
        let mut dq = vec![V::K(0.0)];
        for n in 1..=max {
            let inv = 1.0 / c.f[n];
            q.push(self.fb_lin(&[(inv, &p[n]), (-c.g[n - 1] * inv, &q[n - 1])], 0.0)?);
            dq.push(if der {
                self.fb_lin(&[(inv, &dp[n]), (-c.g[n - 1] * inv, &dq[n - 1])], 0.0)?
            } else {
                V::K(0.0)
            });
        }
        p.truncate(explicit + 1);
        Ok(Q2dAux { q, dq, p })
    }

    /// r (normalised radius) prepared, x = r², and the prefactor x(1-x) of Q^bfs.
    fn bfs_inputs(&self, op: &str, r: &Array) -> Result<(Array, Array, Array)> {
        let e = self.engine();
        let r = self.prepare(op, r)?;
        let x = e.mul(&r, &r)?;
        let pre = e.mul(&x, &self.lin(&x, -1.0, 1.0)?)?;
        Ok((r, x, pre))
    }

    /// x(1-x) · q as x · ((1-x) · q): no output is then an operand of another output
    /// (x(1-x) itself is the n = 0 member), so a sequence stays one kernel.
    fn bfs_times(&self, x: &Array, q: &V) -> Result<Array> {
        let one_m_x = V::A(self.lin(x, -1.0, 1.0)?);
        let v = self.fb_mul(&V::A(x.clone()), &self.fb_mul(&one_m_x, q)?)?;
        Ok(self.fb_arr(&v, x))
    }

    /// The Q^bfs polynomial of order `n` at normalised radius `r` = ρ/ρ_max, **including**
    /// the u²(1-u²) prefactor: u²(1-u²) Q_n^bfs(u²) with u = r (prysm's `Qbfs(n, r)`).
    /// Q_0^bfs = 1, Q_1^bfs = (13 - 16x)/√19, Q_2^bfs = √(2/95) (29 - 4x(25 - 19x)).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 3);
    /// let q = e.polynomials.qbfs(1, &r)?.to_vec::<f64>()?;
    /// let x: f64 = 0.25; // r = 0.5
    /// assert!((q[1] - x * (1.0 - x) * (13.0 - 16.0 * x) / 19f64.sqrt()).abs() < 1e-15);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qbfs(&self, n: usize, r: &Array) -> Result<Array> {
        first("qbfs", self.qbfs_seq(&[n], r)?)
    }

    /// u²(1-u²) Q_n^bfs(u²) for every n in `ns`, from one shared recurrence
    /// (`e.eval_all` of the result is one kernel; prysm's `Qbfs_seq`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 33);
    /// let qs = e.polynomials.qbfs_seq(&[0, 1, 2, 7], &r)?;
    /// e.eval_all(&qs.iter().collect::<Vec<_>>())?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qbfs_seq(&self, ns: &[usize], r: &Array) -> Result<Vec<Array>> {
        let op = "qbfs_seq";
        let max = max_order(op, ns)?;
        let (_, x, _) = self.bfs_inputs(op, r)?;
        let (q, _) = self.qbfs_aux(&x, max, false)?;
        ns.iter().map(|&n| self.bfs_times(&x, &q[n])).collect()
    }

    /// d/dr of [`Self::qbfs`]: 2r [(1 - 2x) Q_n(x) + x(1-x) Q_n'(x)] with x = r² (prysm's
    /// `Qbfs_der`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 3);
    /// let d = e.polynomials.qbfs_der(0, &r)?.to_vec::<f64>()?; // 2r - 4r³
    /// assert!((d[1] - 0.5).abs() < 1e-15);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qbfs_der(&self, n: usize, r: &Array) -> Result<Array> {
        first("qbfs_der", self.qbfs_der_seq(&[n], r)?)
    }

    /// d/dr of u²(1-u²) Q_n^bfs(u²) for every n in `ns`, sharing one recurrence (and its
    /// differentiated twin).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 9);
    /// let ds = e.polynomials.qbfs_der_seq(&[0, 3], &r)?;
    /// assert_eq!(ds.len(), 2);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qbfs_der_seq(&self, ns: &[usize], r: &Array) -> Result<Vec<Array>> {
        let op = "qbfs_der_seq";
        let max = max_order(op, ns)?;
        let (r, x, pre) = self.bfs_inputs(op, r)?;
        let (q, dq) = self.qbfs_aux(&x, max, true)?;
        let one_m_2x = V::A(self.lin(&x, -2.0, 1.0)?);
        let (pre, two_r) = (V::A(pre), V::A(self.scale(&r, 2.0)?));
        ns.iter()
            .map(|&n| {
                let a = self.fb_mul(&one_m_2x, &q[n])?;
                let b = self.fb_mul(&pre, &dq[n])?;
                let inner = self.fb_lin(&[(1.0, &a), (1.0, &b)], 0.0)?;
                Ok(self.fb_arr(&self.fb_mul(&two_r, &inner)?, &x))
            })
            .collect()
    }

    /// Σ_n `coefs[n]` · u²(1-u²) Q_n^bfs(u²), the Q^bfs surface departure without base
    /// sphere or the 1/φ factor (prysm's `compute_z_Qbfs`): the coefficients are carried
    /// to the auxiliary P_n (Forbes 2010 eqs. 3.2-3.5) and summed by Clenshaw's method.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 5);
    /// let s = e.polynomials.qbfs_sum(&[0.5, -0.25, 0.125], &r)?.to_vec::<f64>()?;
    /// let mut want = vec![0.0; 5];
    /// for (n, c) in [0.5, -0.25, 0.125].iter().enumerate() {
    ///     let q = e.polynomials.qbfs(n, &r)?.to_vec::<f64>()?;
    ///     for i in 0..5 { want[i] += c * q[i]; }
    /// }
    /// for i in 0..5 { assert!((s[i] - want[i]).abs() < 1e-14); }
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qbfs_sum(&self, coefs: &[f64], r: &Array) -> Result<Array> {
        let op = "qbfs_sum";
        check_coefs(op, coefs)?;
        let (_, x, pre) = self.bfs_inputs(op, r)?;
        let s = self.qbfs_radial_sum(coefs, &x)?;
        self.engine().mul(&pre, &s)
    }

    /// Σ c_n Q_n^bfs(x) (no prefactor): P-basis coefficients b_n, then Clenshaw on
    /// R_n = P_n / 2 (R_0 = 1, R_1 = 3 - 4x, R_{k+1} = (2 - 4x) R_k - R_{k-1}).
    fn qbfs_radial_sum(&self, coefs: &[f64], x: &Array) -> Result<Array> {
        let b = change_basis_qbfs_to_p(coefs);
        let s: Vec<f64> = b.iter().map(|v| 2.0 * v).collect();
        self.clenshaw(&s, x, |k| {
            if k == 0 {
                (-4.0, 3.0, 0.0)
            } else {
                (-4.0, 2.0, 1.0)
            }
        })
    }

    /// The Q^con polynomial of order `n` at normalised radius `r`, **including** the u⁴
    /// prefactor: u⁴ P_n^(0,4)(2u² - 1) with u = r (prysm's `Qcon(n, r)`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 3);
    /// let q = e.polynomials.qcon(1, &r)?.to_vec::<f64>()?; // u⁴ (6u² - 5)
    /// assert!((q[2] - 1.0).abs() < 1e-15);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qcon(&self, n: usize, r: &Array) -> Result<Array> {
        first("qcon", self.qcon_seq(&[n], r)?)
    }

    /// r, x = r², 2x - 1 and u⁴ = x² for Q^con.
    fn con_inputs(&self, op: &str, r: &Array) -> Result<(Array, Array, Array, Array)> {
        let e = self.engine();
        let r = self.prepare(op, r)?;
        let x = e.mul(&r, &r)?;
        Ok((r, self.lin(&x, 2.0, -1.0)?, e.mul(&x, &x)?, x))
    }

    /// u⁴ P_n^(0,4)(2u² - 1) for every n in `ns`, from one shared Jacobi recurrence
    /// (prysm's `Qcon_seq`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 33);
    /// let qs = e.polynomials.qcon_seq(&[0, 4, 9], &r)?;
    /// e.eval_all(&qs.iter().collect::<Vec<_>>())?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qcon_seq(&self, ns: &[usize], r: &Array) -> Result<Vec<Array>> {
        let op = "qcon_seq";
        let max = max_order(op, ns)?;
        let (_, xx, _, x) = self.con_inputs(op, r)?;
        let p = self.three_term(&xx, max, |k| recurrence_abc(k, 0.0, 4.0))?;
        let e = self.engine();
        // x · (x · P_n): u⁴ = x·x is then the n = 0 member and no operand of the others.
        ns.iter().map(|&n| e.mul(&x, &e.mul(&x, &p[n])?)).collect()
    }

    /// d/dr of [`Self::qcon`]: 4u³ P_n(2u²-1) + 4u⁵ P_n'(2u²-1) (prysm's `Qcon_der`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 3);
    /// let d = e.polynomials.qcon_der(0, &r)?.to_vec::<f64>()?; // 4u³
    /// assert!((d[2] - 4.0).abs() < 1e-15);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qcon_der(&self, n: usize, r: &Array) -> Result<Array> {
        first("qcon_der", self.qcon_der_seq(&[n], r)?)
    }

    /// d/dr of u⁴ P_n^(0,4)(2u² - 1) for every n in `ns`, sharing the recurrences.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 9);
    /// let ds = e.polynomials.qcon_der_seq(&[1, 2], &r)?;
    /// assert_eq!(ds.len(), 2);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qcon_der_seq(&self, ns: &[usize], r: &Array) -> Result<Vec<Array>> {
        let op = "qcon_der_seq";
        let max = max_order(op, ns)?;
        let (r, xx, _, x) = self.con_inputs(op, r)?;
        let e = self.engine();
        let p = self.three_term(&xx, max, |k| recurrence_abc(k, 0.0, 4.0))?;
        // P_n' = (n + 5)/2 · P_{n-1}^(1,5) (DLMF 18.9.15)
        let shifted =
            self.three_term(&xx, max.saturating_sub(1), |k| recurrence_abc(k, 1.0, 5.0))?;
        let four_r3 = self.scale(&e.mul(&x, &r)?, 4.0)?;
        ns.iter()
            .map(|&n| {
                let inner = if n == 0 {
                    p[0].clone()
                } else {
                    let dp = self.scale(&shifted[n - 1], 0.5 * (n as f64 + 5.0))?;
                    e.add(&p[n], &e.mul(&x, &dp)?)?
                };
                e.mul(&four_r3, &inner)
            })
            .collect()
    }

    /// Σ_n `coefs[n]` · u⁴ P_n^(0,4)(2u² - 1), the Q^con departure (prysm's
    /// `compute_z_zprime_Qcon`, sag part), by Clenshaw's method.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let r = e.linspace(0.0, 1.0, 3);
    /// let s = e.polynomials.qcon_sum(&[1.0, 1.0], &r)?.to_vec::<f64>()?; // u⁴ (6u² - 4)
    /// assert!((s[2] - 2.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn qcon_sum(&self, coefs: &[f64], r: &Array) -> Result<Array> {
        let op = "qcon_sum";
        check_coefs(op, coefs)?;
        let (_, xx, u4, _) = self.con_inputs(op, r)?;
        let s = self.clenshaw(coefs, &xx, |k| recurrence_abc(k, 0.0, 4.0))?;
        self.engine().mul(&u4, &s)
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
        let pw = self.fb_pow_chain(&r, max_m)?;
        let mut radial: BTreeMap<usize, Vec<V>> = BTreeMap::new();
        for (&am, &nmax) in &plan {
            let q = if am == 0 {
                let (q, _) = self.qbfs_aux(&x, nmax, false)?;
                q.iter()
                    .map(|qn| Ok(V::A(self.bfs_times(&x, qn)?)))
                    .collect::<Result<Vec<_>>>()?
            } else {
                let aux = self.q2d_aux(&x, am, nmax, false)?;
                aux.q
                    .iter()
                    .map(|qn| self.fb_mul(&pw[am], qn))
                    .collect::<Result<Vec<_>>>()?
            };
            radial.insert(am, q);
        }
        nms.iter()
            .map(|&(n, m)| {
                let rad = &radial[&(m.unsigned_abs() as usize)][n as usize];
                if m == 0 {
                    Ok(self.fb_arr(rad, &r))
                } else {
                    let trig = V::A(self.q2d_trig(&t, m)?);
                    Ok(self.fb_arr(&self.fb_mul(rad, &trig)?, &r))
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
        let pw = self.fb_pow_chain(&r, max_m + 1)?;
        // |m| -> (F_n, F_n') for n = 0..=max
        let mut radial: BTreeMap<usize, Vec<(V, V)>> = BTreeMap::new();
        for (&am, &nmax) in &plan {
            let mut v = Vec::with_capacity(nmax + 1);
            if am == 0 {
                let (q, dq) = self.qbfs_aux(&x, nmax, true)?;
                let pre = V::A(e.mul(&x, &self.lin(&x, -1.0, 1.0)?)?);
                let one_m_2x = V::A(self.lin(&x, -2.0, 1.0)?);
                let two_r = V::A(self.scale(&r, 2.0)?);
                for n in 0..=nmax {
                    let f = self.fb_mul(&pre, &q[n])?;
                    let a = self.fb_mul(&one_m_2x, &q[n])?;
                    let b = self.fb_mul(&pre, &dq[n])?;
                    let fp = self.fb_mul(&two_r, &self.fb_lin(&[(1.0, &a), (1.0, &b)], 0.0)?)?;
                    v.push((f, fp));
                }
            } else {
                let aux = self.q2d_aux(&x, am, nmax, true)?;
                for n in 0..=nmax {
                    let f = self.fb_mul(&pw[am], &aux.q[n])?;
                    let a = self.fb_mul(&pw[am - 1], &aux.q[n])?;
                    let b = self.fb_mul(&pw[am + 1], &aux.dq[n])?;
                    let fp = self.fb_lin(&[(am as f64, &a), (2.0, &b)], 0.0)?;
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
                    return Ok((self.fb_arr(fp, &r), self.full_like(&r, 0.0)));
                }
                let trig = V::A(self.q2d_trig(&t, m)?);
                // d/dt cos(mt) = -m sin(mt); d/dt sin(|m|t) = |m| cos(|m|t)
                let dtrig = V::A(self.q2d_trig(&t, -m)?);
                let dsign = if m > 0 { -(am as f64) } else { am as f64 };
                let dr = self.fb_mul(fp, &trig)?;
                let dt = self.fb_lin(&[(dsign, &self.fb_mul(f, &dtrig)?)], 0.0)?;
                Ok((self.fb_arr(&dr, &r), self.fb_arr(&dt, &r)))
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
        let pw = self.fb_pow_chain(&r, max_m)?;
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
                let trig = V::A(self.q2d_trig(&t, m)?);
                let v = self.fb_mul(&self.fb_mul(&s, &pw[am])?, &trig)?;
                self.fb_arr(&v, &r)
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
    fn q2d_radial_sum(&self, cs: &[f64], m: usize, x: &Array) -> Result<V> {
        let len = cs.iter().rposition(|&v| v != 0.0).map_or(0, |i| i + 1);
        if len == 0 {
            return Ok(V::K(0.0));
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
        let mut terms: Vec<(f64, V)> = Vec::new();
        for (k, &dk) in d.iter().enumerate().take(len.min(k0)) {
            terms.push((dk, p[k].clone()));
        }
        if len > k0 {
            // b_{k+1}, b_{k+2}
            let mut b1 = V::K(0.0);
            let mut b2 = V::K(0.0);
            for k in (k0..len).rev() {
                let (a, b, _) = q2d_abc(k, m);
                let (_, _, c1) = if k + 1 < len {
                    q2d_abc(k + 1, m)
                } else {
                    (0.0, 0.0, 0.0)
                };
                let l = V::A(self.lin(x, b, a)?);
                let bk = self.fb_lin(&[(1.0, &self.fb_mul(&l, &b1)?), (-c1, &b2)], d[k])?;
                b2 = b1;
                b1 = bk;
            }
            let (_, _, c0) = q2d_abc(k0, m);
            terms.push((1.0, self.fb_mul(&b1, &p[k0])?));
            terms.push((-c0, self.fb_mul(&b2, &p[k0 - 1])?));
        }
        let refs: Vec<(f64, &V)> = terms.iter().map(|(c, v)| (*c, v)).collect();
        self.fb_lin(&refs, 0.0)
    }
}

struct Q2dAux {
    q: Vec<V>,
    dq: Vec<V>,
    /// The explicit starting P_0..=P_k0 (those up to the order asked for).
    p: Vec<V>,
}

fn first(op: &str, mut v: Vec<Array>) -> Result<Array> {
    v.pop()
        .ok_or_else(|| Error::invalid(op, "internal: empty sequence"))
}

/// f_n, g_n, h_n of the Q^bfs recurrence (Forbes 2010, eqs. A.14-A.16; prysm's
/// `f_qbfs`, `g_qbfs`, `h_qbfs`), for n = 0..=max.
struct QbfsCoef {
    f: Vec<f64>,
    g: Vec<f64>,
    h: Vec<f64>,
}

fn qbfs_coef(max: usize) -> QbfsCoef {
    let mut f = vec![2.0];
    let mut g = vec![-0.5];
    let mut h = vec![-0.5]; // -n(n-1) / (2 f_0) at n = 2
    for n in 1..=max {
        let nf = n as f64;
        let fnv = if n == 1 {
            19f64.sqrt() / 2.0
        } else {
            (nf * (nf + 1.0) + 3.0 - g[n - 1] * g[n - 1] - h[n - 2] * h[n - 2]).sqrt()
        };
        f.push(fnv);
        g.push(-(1.0 + g[n - 1] * h[n - 1]) / fnv);
        h.push(-(nf + 2.0) * (nf + 1.0) / (2.0 * fnv));
    }
    QbfsCoef { f, g, h }
}

/// The Q^bfs coefficients `cs` carried to the auxiliary basis P_n (prysm's
/// `change_basis_Qbfs_to_Pn`): b_n = (c_n - g_n b_{n+1} - h_n b_{n+2}) / f_n.
fn change_basis_qbfs_to_p(cs: &[f64]) -> Vec<f64> {
    let len = cs.len();
    let c = qbfs_coef(len.saturating_sub(1));
    let mut b = vec![0.0; len + 2];
    for n in (0..len).rev() {
        b[n] = (cs[n] - c.g[n] * b[n + 1] - c.h[n] * b[n + 2]) / c.f[n];
    }
    b.truncate(len);
    b
}

/// (A_n, B_n, C_n) of P_{n+1}^m = (A_n + B_n x) P_n^m - C_n P_{n-1}^m (Forbes 2012,
/// eq. A.3; prysm's `abc_q2d`).
fn q2d_abc(n: usize, m: usize) -> (f64, f64, f64) {
    let (n, m) = (n as f64, m as f64);
    let d = (4.0 * n * n - 1.0) * (m + n - 2.0) * (m + 2.0 * n - 3.0);
    let a = (2.0 * n - 1.0)
        * (m + 2.0 * n - 2.0)
        * (4.0 * n * (m + n - 2.0) + (m - 3.0) * (2.0 * m - 1.0))
        / d;
    let b =
        -2.0 * (2.0 * n - 1.0) * (m + 2.0 * n - 3.0) * (m + 2.0 * n - 2.0) * (m + 2.0 * n - 1.0)
            / d;
    let c = n * (2.0 * n - 3.0) * (m + 2.0 * n - 1.0) * (2.0 * m + 2.0 * n - 3.0) / d;
    (a, b, c)
}

/// prysm's `gamma(n, m)` (the γ_n^m of Forbes 2012, appendix A), for n >= 1, m >= 2.
fn q2d_gamma(n: usize, m: usize) -> f64 {
    // γ_1^2 = 3/8, γ_1^m = (2m - 1) / (2(m - 2)) γ_1^(m-1)
    let mut g = 3.0 / 8.0;
    for mm in 3..=m {
        let mm = mm as f64;
        g *= (2.0 * mm - 1.0) / (2.0 * (mm - 2.0));
    }
    // γ_n^m = n(2m + 2n - 3) / ((m + n - 3)(2n - 1)) γ_(n-1)^m
    let mf = m as f64;
    for k in 2..=n {
        let k = k as f64;
        g *= k * (2.0 * mf + 2.0 * k - 3.0) / ((mf + k - 3.0) * (2.0 * k - 1.0));
    }
    g
}

/// F_n^m and G_n^m of Forbes 2012 (eqs. A.13, A.15; prysm's `F_q2d`, `G_q2d`).
fn q2d_big_fg(n: usize, m: usize) -> (f64, f64) {
    let (nf, mf) = (n as f64, m as f64);
    if n == 0 {
        // (2m-1)!! / (2^(m+1) (m-1)!) and m² (2m-3)!! / (2^(m+1) (m-1)!), as products
        // of ratios (no overflow): both carry W = Π_{k=1}^{m-1} (2k-1)/(2k).
        let w: f64 = (1..m)
            .map(|k| (2 * k - 1) as f64 / (2 * k) as f64)
            .product();
        return (mf * mf / 4.0 * w, (2.0 * mf - 1.0) / 4.0 * w);
    }
    if m == 1 {
        let delta = if n == 1 { 1.0 } else { 0.0 };
        let f = (4.0 * (nf - 1.0).powi(2) * nf * nf + 1.0) / (8.0 * (2.0 * nf - 1.0).powi(2))
            + 11.0 / 32.0 * delta;
        let g =
            -(2.0 * nf * nf - 1.0) * (nf * nf - 1.0) / (8.0 * (4.0 * nf * nf - 1.0)) - delta / 24.0;
        return (f, g);
    }
    let chi = mf + nf - 2.0;
    let fnum =
        2.0 * nf * chi * (3.0 - 5.0 * mf + 4.0 * nf * chi) + mf * mf * (3.0 - mf + 4.0 * nf * chi);
    let fden =
        (mf + 2.0 * nf - 3.0) * (mf + 2.0 * nf - 2.0) * (mf + 2.0 * nf - 1.0) * (2.0 * nf - 1.0);
    let gnum = (2.0 * nf * (mf + nf - 1.0) - mf) * ((nf + 1.0) * (2.0 * mf + 2.0 * nf - 1.0));
    let gden = (mf + 2.0 * nf - 2.0) * (mf + 2.0 * nf - 1.0) * (mf + 2.0 * nf) * (2.0 * nf + 1.0);
    let gam = q2d_gamma(n, m);
    (fnum / fden * gam, -gnum / gden * gam)
}

/// f_n^m and g_n^m (Forbes 2012, eq. A.18; prysm's `f_q2d`, `g_q2d`) for n = 0..=max:
/// f_0 = √F_0, g_n = G_n / f_n, f_n = √(F_n - g_{n-1}²).
struct Q2dCoef {
    f: Vec<f64>,
    g: Vec<f64>,
}

fn q2d_coef(m: usize, max: usize) -> Q2dCoef {
    let mut f: Vec<f64> = Vec::with_capacity(max + 1);
    let mut g: Vec<f64> = Vec::with_capacity(max + 1);
    for n in 0..=max {
        let (big_f, big_g) = q2d_big_fg(n, m);
        let fv = if n == 0 {
            big_f.sqrt()
        } else {
            (big_f - g[n - 1] * g[n - 1]).sqrt()
        };
        f.push(fv);
        g.push(big_g / fv);
    }
    Q2dCoef { f, g }
}
