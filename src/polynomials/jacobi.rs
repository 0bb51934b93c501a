//! Jacobi polynomials P_n^(α,β)(x) by the three-term recurrence (DLMF 18.9.1-2, as
//! prysm's `jacobi`), their derivatives via d/dx P_n^(α,β) = (n+α+β+1)/2 P_{n-1}^(α+1,β+1)
//! (DLMF 18.9.15), and weighted sums by Clenshaw's method.

use super::{check_order, max_order, Polynomials};
use crate::array::Array;
use mathengine_ir::{Error, Result};

/// The recurrence P_{n+1} = (A x + B) P_n - C P_{n-1} for order `n` (prysm's
/// `recurrence_abc`). For n = 0 it gives P_1 = A x + B.
pub fn recurrence_abc(n: usize, alpha: f64, beta: f64) -> (f64, f64, f64) {
    let n = n as f64;
    let ab = alpha + beta;
    if n == 0.0 {
        // P_1 = (α+1) + (α+β+2)(x-1)/2; written out to avoid 0/0 at α+β ∈ {0, -1}.
        return (ab / 2.0 + 1.0, (alpha - beta) / 2.0, 1.0);
    }
    let a = (2.0 * n + ab + 1.0) * (2.0 * n + ab + 2.0) / (2.0 * (n + 1.0) * (n + ab + 1.0));
    let b = (alpha * alpha - beta * beta) * (2.0 * n + ab + 1.0)
        / (2.0 * (n + 1.0) * (n + ab + 1.0) * (2.0 * n + ab));
    let c = (n + alpha) * (n + beta) * (2.0 * n + ab + 2.0)
        / ((n + 1.0) * (n + ab + 1.0) * (2.0 * n + ab));
    (a, b, c)
}

fn check_params(op: &str, alpha: f64, beta: f64) -> Result<()> {
    if !(alpha.is_finite() && beta.is_finite()) || alpha <= -1.0 || beta <= -1.0 {
        return Err(Error::invalid(
            op,
            format!("alpha = {alpha} and beta = {beta} must be finite and > -1"),
        ));
    }
    Ok(())
}

impl Polynomials {
    /// The Jacobi polynomials P_0..=P_max_n (all of them, sharing one recurrence).
    pub(crate) fn jacobi_all(
        &self,
        op: &str,
        max_n: usize,
        alpha: f64,
        beta: f64,
        x: &Array,
    ) -> Result<Vec<Array>> {
        check_params(op, alpha, beta)?;
        check_order(op, "the order n", max_n as u64)?;
        let x = self.prepare(op, x)?;
        self.three_term(&x, max_n, |k| recurrence_abc(k, alpha, beta))
    }

    /// Jacobi polynomial P_n^(α,β)(x), elementwise and lazy.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(-1.0, 1.0, 3);
    /// // P_1^(a,b)(x) = (a+1) + (a+b+2)(x-1)/2
    /// let p = e.polynomials.jacobi(1, 1.0, 2.0, &x)?.to_vec::<f64>()?;
    /// assert!((p[1] - (2.0 - 2.5)).abs() < 1e-15);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn jacobi(&self, n: usize, alpha: f64, beta: f64, x: &Array) -> Result<Array> {
        let mut all = self.jacobi_all("jacobi", n, alpha, beta, x)?;
        all.pop()
            .ok_or_else(|| Error::invalid("jacobi", "internal: empty recurrence"))
    }

    /// P_n^(α,β)(x) for every n in `ns` (any order, repeats allowed): one recurrence up
    /// to max(ns) is built and the requested orders are picked from it, so
    /// `e.eval_all` of the result runs one kernel.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(-1.0, 1.0, 101);
    /// let ps = e.polynomials.jacobi_seq(&[0, 3, 5], 0.5, 0.5, &x)?;
    /// e.eval_all(&ps.iter().collect::<Vec<_>>())?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn jacobi_seq(&self, ns: &[usize], alpha: f64, beta: f64, x: &Array) -> Result<Vec<Array>> {
        let max = max_order("jacobi_seq", ns)?;
        let all = self.jacobi_all("jacobi_seq", max, alpha, beta, x)?;
        Ok(ns.iter().map(|&n| all[n].clone()).collect())
    }

    /// d/dx P_n^(α,β)(x) = (n+α+β+1)/2 · P_{n-1}^(α+1,β+1)(x).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(-1.0, 1.0, 3);
    /// let d = e.polynomials.jacobi_der(2, 0.0, 0.0, &x)?.to_vec::<f64>()?; // 3x
    /// assert!((d[2] - 3.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn jacobi_der(&self, n: usize, alpha: f64, beta: f64, x: &Array) -> Result<Array> {
        let mut d = self.jacobi_der_seq(&[n], alpha, beta, x)?;
        d.pop()
            .ok_or_else(|| Error::invalid("jacobi_der", "internal: empty sequence"))
    }

    /// d/dx P_n^(α,β)(x) for every n in `ns`, sharing one (α+1, β+1) recurrence.
    pub fn jacobi_der_seq(
        &self,
        ns: &[usize],
        alpha: f64,
        beta: f64,
        x: &Array,
    ) -> Result<Vec<Array>> {
        let max = max_order("jacobi_der_seq", ns)?;
        check_params("jacobi_der_seq", alpha, beta)?;
        let xp = self.prepare("jacobi_der_seq", x)?;
        let shifted = self.jacobi_all(
            "jacobi_der_seq",
            max.saturating_sub(1),
            alpha + 1.0,
            beta + 1.0,
            &xp,
        )?;
        ns.iter()
            .map(|&n| {
                if n == 0 {
                    Ok(self.full_like(&xp, 0.0))
                } else {
                    self.scale(&shifted[n - 1], 0.5 * (n as f64 + alpha + beta + 1.0))
                }
            })
            .collect()
    }

    /// Σ_k `coefs[k]` · P_k^(α,β)(x) by Clenshaw's method: one fused pass, no mode is
    /// materialised (prysm's `jacobi_sum_clenshaw`).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(-1.0, 1.0, 3);
    /// // Legendre: 1·P_0 + 2·P_2 at x = 1 is 3
    /// let s = e.polynomials.jacobi_sum_clenshaw(&[1.0, 0.0, 2.0], 0.0, 0.0, &x)?;
    /// assert!((s.to_vec::<f64>()?[2] - 3.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn jacobi_sum_clenshaw(
        &self,
        coefs: &[f64],
        alpha: f64,
        beta: f64,
        x: &Array,
    ) -> Result<Array> {
        check_params("jacobi_sum_clenshaw", alpha, beta)?;
        if coefs.is_empty() {
            return Err(Error::invalid(
                "jacobi_sum_clenshaw",
                "the coefficient list is empty; give at least one",
            ));
        }
        let x = self.prepare("jacobi_sum_clenshaw", x)?;
        self.clenshaw(coefs, &x, |k| recurrence_abc(k, alpha, beta))
    }
}
