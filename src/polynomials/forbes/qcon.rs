//! Q^con (Forbes 2007): the strong-asphere departures u⁴ P_n^(0,4)(2u² - 1) (prysm's
//! `Qcon`).

use super::first;
use crate::array::Array;
use crate::polynomials::jacobi::recurrence_abc;
use crate::polynomials::onedim::check_coefs;
use crate::polynomials::{max_order, Polynomials};
use mathengine_ir::Result;

impl Polynomials {
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
}
