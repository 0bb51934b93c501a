//! Q^bfs (Forbes 2007, 2010): the slope-orthogonal deviations from a best-fit sphere,
//! with the u²(1-u²) prefactor (prysm's `Qbfs`).

use super::coefficients::{change_basis_qbfs_to_p, qbfs_coef};
use super::first;
use crate::array::Array;
use crate::polynomials::onedim::check_coefs;
use crate::polynomials::{max_order, Polynomials};
use mathengine_ir::Result;

impl Polynomials {
    /// Q_0..=Q_max of Q^bfs at x = u² (without the u²(1-u²) prefactor) and, when `der`,
    /// dQ_n/dx (prysm's `_qbfs_aux_recurrence`).
    pub(super) fn qbfs_aux(
        &self,
        x: &Array,
        max: usize,
        der: bool,
    ) -> Result<(Vec<Array>, Vec<Array>)> {
        let c = qbfs_coef(max);
        let lin = self.lin(x, -4.0, 2.0)?;
        let mut p = vec![self.constant(2.0)];
        let mut dp = vec![self.constant(0.0)];
        let mut q = vec![self.constant(1.0)];
        let mut dq = vec![self.constant(0.0)];
        for n in 1..=max {
            let (pn, dpn) = if n == 1 {
                (self.lin(x, -8.0, 6.0)?, self.constant(-8.0))
            } else {
                let pn = self.linear_combination(
                    &[(1.0, &self.product(&lin, &p[n - 1])?), (-1.0, &p[n - 2])],
                    0.0,
                )?;
                let dpn = if der {
                    let t = self.product(&lin, &dp[n - 1])?;
                    self.linear_combination(
                        &[(-4.0, &p[n - 1]), (1.0, &t), (-1.0, &dp[n - 2])],
                        0.0,
                    )?
                } else {
                    self.constant(0.0)
                };
                (pn, dpn)
            };
            let inv = 1.0 / c.f[n];
            let hq = if n >= 2 { c.h[n - 2] } else { 0.0 };
            let qn = {
                let prev2 = if n >= 2 {
                    q[n - 2].clone()
                } else {
                    self.constant(0.0)
                };
                self.linear_combination(
                    &[
                        (inv, &pn),
                        (-c.g[n - 1] * inv, &q[n - 1]),
                        (-hq * inv, &prev2),
                    ],
                    0.0,
                )?
            };
            let dqn = if der {
                let prev2 = if n >= 2 {
                    dq[n - 2].clone()
                } else {
                    self.constant(0.0)
                };
                self.linear_combination(
                    &[
                        (inv, &dpn),
                        (-c.g[n - 1] * inv, &dq[n - 1]),
                        (-hq * inv, &prev2),
                    ],
                    0.0,
                )?
            } else {
                self.constant(0.0)
            };
            p.push(pn);
            dp.push(dpn);
            q.push(qn);
            dq.push(dqn);
        }
        Ok((q, dq))
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
    pub(super) fn bfs_times(&self, x: &Array, q: &Array) -> Result<Array> {
        let one_m_x = self.lin(x, -1.0, 1.0)?;
        let v = self.product(&x.clone(), &self.product(&one_m_x, q)?)?;
        Ok(self.broadcast_like(&v, x))
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
        let one_m_2x = self.lin(&x, -2.0, 1.0)?;
        let (pre, two_r) = (pre, self.scale(&r, 2.0)?);
        ns.iter()
            .map(|&n| {
                let a = self.product(&one_m_2x, &q[n])?;
                let b = self.product(&pre, &dq[n])?;
                let inner = self.linear_combination(&[(1.0, &a), (1.0, &b)], 0.0)?;
                Ok(self.broadcast_like(&self.product(&two_r, &inner)?, &x))
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
    pub(super) fn qbfs_radial_sum(&self, coefs: &[f64], x: &Array) -> Result<Array> {
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
}
