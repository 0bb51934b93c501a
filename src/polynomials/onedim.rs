//! One-dimensional classical families by their three-term recurrences: Legendre,
//! Chebyshev of the first to fourth kinds, Hermite (probabilists' He and physicists' H),
//! generalised Laguerre L_n^(α) and Dickson polynomials of the first and second kinds
//! D_n(x, α), E_n(x, α) (prysm's `dickson1`, `dickson2`). Each has a value, a sequence
//! (one shared recurrence), a derivative, a derivative sequence and a weighted sum
//! Σ c_k P_k(x) by Clenshaw's method (`*_sum`, no mode materialised).

use super::{max_order, Polynomials};
use crate::array::Array;
use mathengine_ir::{Error, Result};

/// A family with P_0 = 1 and P_{k+1} = (a_k x + b_k) P_k - c_k P_{k-1}, times a
/// constant [`Family::lead`] (2 for Dickson's first kind, whose D_0 is 2).
#[derive(Clone, Copy, Debug)]
enum Family {
    Legendre,
    Cheby1,
    Cheby2,
    Cheby3,
    Cheby4,
    HermiteHe,
    HermiteH,
    Laguerre(f64),
    /// D_n(x, α) = 2 R_n with R_0 = 1, R_1 = x/2, R_{k+1} = x R_k - α R_{k-1}.
    Dickson1(f64),
    /// E_0 = 1, E_1 = x, E_{k+1} = x E_k - α E_{k-1}.
    Dickson2(f64),
}

impl Family {
    fn coef(self, k: usize) -> (f64, f64, f64) {
        let kf = k as f64;
        match self {
            Family::Legendre => ((2.0 * kf + 1.0) / (kf + 1.0), 0.0, kf / (kf + 1.0)),
            Family::Cheby1 => (if k == 0 { 1.0 } else { 2.0 }, 0.0, 1.0),
            Family::Cheby2 => (2.0, 0.0, 1.0),
            Family::Cheby3 => (2.0, if k == 0 { -1.0 } else { 0.0 }, 1.0),
            Family::Cheby4 => (2.0, if k == 0 { 1.0 } else { 0.0 }, 1.0),
            Family::HermiteHe => (1.0, 0.0, kf),
            Family::HermiteH => (2.0, 0.0, 2.0 * kf),
            Family::Laguerre(a) => (
                -1.0 / (kf + 1.0),
                (2.0 * kf + 1.0 + a) / (kf + 1.0),
                (kf + a) / (kf + 1.0),
            ),
            Family::Dickson1(a) => (if k == 0 { 0.5 } else { 1.0 }, 0.0, a),
            Family::Dickson2(a) => (1.0, 0.0, a),
        }
    }

    /// The constant every member of the recurrence is multiplied by.
    fn lead(self) -> f64 {
        match self {
            Family::Dickson1(_) => 2.0,
            _ => 1.0,
        }
    }
}

impl Polynomials {
    fn family_seq(&self, op: &str, f: Family, ns: &[usize], x: &Array) -> Result<Vec<Array>> {
        let max = max_order(op, ns)?;
        let x = self.prepare(op, x)?;
        let all = self.three_term(&x, max, |k| f.coef(k))?;
        ns.iter().map(|&n| self.scale(&all[n], f.lead())).collect()
    }

    /// Σ `coefs[k]` P_k(x) by Clenshaw's backward recurrence (no P_k is built).
    fn family_sum(&self, op: &str, f: Family, coefs: &[f64], x: &Array) -> Result<Array> {
        check_coefs(op, coefs)?;
        let x = self.prepare(op, x)?;
        let lead = f.lead();
        let s: Vec<f64> = coefs.iter().map(|&c| c * lead).collect();
        self.clenshaw(&s, &x, |k| f.coef(k))
    }

    /// Derivatives by differentiating the recurrence:
    /// P'_{k+1} = a_k P_k + (a_k x + b_k) P'_k - c_k P'_{k-1}.
    fn family_der_seq(&self, op: &str, f: Family, ns: &[usize], x: &Array) -> Result<Vec<Array>> {
        let max = max_order(op, ns)?;
        let x = self.prepare(op, x)?;
        let e = self.engine();
        let p = self.three_term(&x, max, |k| f.coef(k))?;
        let mut d: Vec<Array> = vec![self.full_like(&x, 0.0)];
        for k in 0..max {
            let (a, b, c) = f.coef(k);
            let next = if k == 0 {
                self.full_like(&x, a)
            } else {
                let t = e.add(&self.scale(&p[k], a)?, &e.mul(&self.lin(&x, a, b)?, &d[k])?)?;
                if c == 0.0 {
                    t
                } else {
                    e.sub(&t, &self.scale(&d[k - 1], c)?)?
                }
            };
            d.push(next);
        }
        ns.iter().map(|&n| self.scale(&d[n], f.lead())).collect()
    }

    /// d/dx for families with a closed derivative relation P_n' = s(n) · Q_{n-1}.
    fn shifted_der_seq(
        &self,
        op: &str,
        q: Family,
        scale: impl Fn(usize) -> f64,
        ns: &[usize],
        x: &Array,
    ) -> Result<Vec<Array>> {
        let max = max_order(op, ns)?;
        let x = self.prepare(op, x)?;
        let all = self.three_term(&x, max.saturating_sub(1), |k| q.coef(k))?;
        ns.iter()
            .map(|&n| {
                if n == 0 {
                    Ok(self.full_like(&x, 0.0))
                } else {
                    self.scale(&all[n - 1], scale(n))
                }
            })
            .collect()
    }

    fn first(op: &str, mut v: Vec<Array>) -> Result<Array> {
        v.pop()
            .ok_or_else(|| Error::invalid(op, "internal: empty sequence"))
    }
}

macro_rules! family_api {
    ($(
        $family:ident, $title:literal,
        $value:ident, $seq:ident, $der:ident, $der_seq:ident, $sum:ident,
        |$s:ident, $ns:ident, $x:ident| $der_body:expr;
    )*) => {
        impl Polynomials {
            $(
                #[doc = concat!("Σ_k `coefs[k]` · (", $title, ")_k(x) by Clenshaw's method: one ",
                    "fused pass, no mode materialised.\n\n",
                    "```\n",
                    "use mathengine::Engine;\n",
                    "let e = Engine::new();\n",
                    "let x = e.linspace(-1.0, 1.0, 5);\n",
                    "let s = e.polynomials.", stringify!($sum), "(&[0.5, 0.0, 2.0], &x)?.to_vec::<f64>()?;\n",
                    "let p0 = e.polynomials.", stringify!($value), "(0, &x)?.to_vec::<f64>()?;\n",
                    "let p2 = e.polynomials.", stringify!($value), "(2, &x)?.to_vec::<f64>()?;\n",
                    "for i in 0..5 {\n",
                    "    assert!((s[i] - (0.5 * p0[i] + 2.0 * p2[i])).abs() < 1e-12);\n",
                    "}\n",
                    "# Ok::<(), mathengine::Error>(())\n",
                    "```")]
                pub fn $sum(&self, coefs: &[f64], x: &Array) -> Result<Array> {
                    self.family_sum(stringify!($sum), Family::$family, coefs, x)
                }

                #[doc = concat!($title, " of order `n` at `x`, elementwise and lazy.")]
                pub fn $value(&self, n: usize, x: &Array) -> Result<Array> {
                    Self::first(stringify!($value), self.$seq(&[n], x)?)
                }

                #[doc = concat!($title, " of every order in `ns`, from one shared recurrence ",
                    "(`e.eval_all` of the result is one kernel).")]
                pub fn $seq(&self, ns: &[usize], x: &Array) -> Result<Vec<Array>> {
                    self.family_seq(stringify!($seq), Family::$family, ns, x)
                }

                #[doc = concat!("d/dx of the ", $title, " of order `n`.")]
                pub fn $der(&self, n: usize, x: &Array) -> Result<Array> {
                    Self::first(stringify!($der), self.$der_seq(&[n], x)?)
                }

                #[doc = concat!("d/dx of the ", $title, " of every order in `ns`, sharing one recurrence.")]
                pub fn $der_seq(&self, ns: &[usize], x: &Array) -> Result<Vec<Array>> {
                    let ($s, $ns, $x) = (self, ns, x);
                    $der_body
                }
            )*
        }
    };
}

family_api! {
    Legendre, "Legendre polynomial P_n",
    legendre, legendre_seq, legendre_der, legendre_der_seq, legendre_sum,
    |s, ns, x| s.jacobi_der_seq(ns, 0.0, 0.0, x);
    Cheby1, "Chebyshev polynomial of the first kind T_n",
    cheby1, cheby1_seq, cheby1_der, cheby1_der_seq, cheby1_sum,
    |s, ns, x| s.shifted_der_seq("cheby1_der_seq", Family::Cheby2, |n| n as f64, ns, x);
    Cheby2, "Chebyshev polynomial of the second kind U_n",
    cheby2, cheby2_seq, cheby2_der, cheby2_der_seq, cheby2_sum,
    |s, ns, x| s.family_der_seq("cheby2_der_seq", Family::Cheby2, ns, x);
    Cheby3, "Chebyshev polynomial of the third kind V_n",
    cheby3, cheby3_seq, cheby3_der, cheby3_der_seq, cheby3_sum,
    |s, ns, x| s.family_der_seq("cheby3_der_seq", Family::Cheby3, ns, x);
    Cheby4, "Chebyshev polynomial of the fourth kind W_n",
    cheby4, cheby4_seq, cheby4_der, cheby4_der_seq, cheby4_sum,
    |s, ns, x| s.family_der_seq("cheby4_der_seq", Family::Cheby4, ns, x);
    HermiteHe, "probabilists' Hermite polynomial He_n",
    hermite_he, hermite_he_seq, hermite_he_der, hermite_he_der_seq, hermite_he_sum,
    |s, ns, x| s.shifted_der_seq("hermite_he_der_seq", Family::HermiteHe, |n| n as f64, ns, x);
    HermiteH, "physicists' Hermite polynomial H_n",
    hermite_h, hermite_h_seq, hermite_h_der, hermite_h_der_seq, hermite_h_sum,
    |s, ns, x| s.shifted_der_seq("hermite_h_der_seq", Family::HermiteH, |n| 2.0 * n as f64, ns, x);
}

impl Polynomials {
    /// Generalised Laguerre polynomial L_n^(α)(x) (α > -1), elementwise and lazy.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// let l = e.polynomials.laguerre(2, 0.0, &x)?.to_vec::<f64>()?; // (x²-4x+2)/2
    /// assert!((l[2] - (-1.0)).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn laguerre(&self, n: usize, alpha: f64, x: &Array) -> Result<Array> {
        Self::first("laguerre", self.laguerre_seq(&[n], alpha, x)?)
    }

    /// L_n^(α)(x) for every n in `ns`, from one shared recurrence.
    pub fn laguerre_seq(&self, ns: &[usize], alpha: f64, x: &Array) -> Result<Vec<Array>> {
        check_alpha("laguerre_seq", alpha)?;
        self.family_seq("laguerre_seq", Family::Laguerre(alpha), ns, x)
    }

    /// d/dx L_n^(α)(x) = -L_{n-1}^(α+1)(x).
    pub fn laguerre_der(&self, n: usize, alpha: f64, x: &Array) -> Result<Array> {
        Self::first("laguerre_der", self.laguerre_der_seq(&[n], alpha, x)?)
    }

    /// d/dx L_n^(α)(x) for every n in `ns`, sharing one L^(α+1) recurrence.
    pub fn laguerre_der_seq(&self, ns: &[usize], alpha: f64, x: &Array) -> Result<Vec<Array>> {
        check_alpha("laguerre_der_seq", alpha)?;
        self.shifted_der_seq(
            "laguerre_der_seq",
            Family::Laguerre(alpha + 1.0),
            |_| -1.0,
            ns,
            x,
        )
    }
}

impl Polynomials {
    /// Σ_k `coefs[k]` · L_k^(α)(x) by Clenshaw's method (one fused pass).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// // 1·L_0 + 1·L_1 = 1 + (1 - x) = 2 - x
    /// let s = e.polynomials.laguerre_sum(&[1.0, 1.0], 0.0, &x)?.to_vec::<f64>()?;
    /// assert!((s[2] - 0.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn laguerre_sum(&self, coefs: &[f64], alpha: f64, x: &Array) -> Result<Array> {
        check_alpha("laguerre_sum", alpha)?;
        self.family_sum("laguerre_sum", Family::Laguerre(alpha), coefs, x)
    }

    /// Dickson polynomial of the first kind D_n(x, α) (prysm's `dickson1(n, alpha, x)`):
    /// D_0 = 2, D_1 = x, D_n = x D_{n-1} - α D_{n-2}. α = 0 gives the monomials x^n
    /// (n ≥ 1), α = 1 gives D_n(2x, 1) = 2 T_n(x), and D_n(u + α/u, α) = u^n + (α/u)^n.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// let d = e.polynomials.dickson1(2, 3.0, &x)?.to_vec::<f64>()?; // x² - 2α
    /// assert!((d[2] - (4.0 - 6.0)).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson1(&self, n: usize, alpha: f64, x: &Array) -> Result<Array> {
        Self::first("dickson1", self.dickson1_seq(&[n], alpha, x)?)
    }

    /// D_n(x, α) for every n in `ns`, from one shared recurrence (`e.eval_all` of the
    /// result is one kernel).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(-1.0, 1.0, 11);
    /// let ds = e.polynomials.dickson1_seq(&[0, 2, 5], -1.0, &x)?;
    /// e.eval_all(&ds.iter().collect::<Vec<_>>())?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson1_seq(&self, ns: &[usize], alpha: f64, x: &Array) -> Result<Vec<Array>> {
        check_finite("dickson1_seq", alpha)?;
        self.family_seq("dickson1_seq", Family::Dickson1(alpha), ns, x)
    }

    /// d/dx D_n(x, α), from the differentiated recurrence
    /// D'_n = D_{n-1} + x D'_{n-1} - α D'_{n-2}.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// let d = e.polynomials.dickson1_der(3, 1.0, &x)?.to_vec::<f64>()?; // 3x² - 3α
    /// assert!((d[2] - 9.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson1_der(&self, n: usize, alpha: f64, x: &Array) -> Result<Array> {
        Self::first("dickson1_der", self.dickson1_der_seq(&[n], alpha, x)?)
    }

    /// d/dx D_n(x, α) for every n in `ns`, sharing one recurrence.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 1.0, 4);
    /// let ds = e.polynomials.dickson1_der_seq(&[1, 4], 0.5, &x)?;
    /// assert_eq!(ds[0].to_vec::<f64>()?, vec![1.0; 4]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson1_der_seq(&self, ns: &[usize], alpha: f64, x: &Array) -> Result<Vec<Array>> {
        check_finite("dickson1_der_seq", alpha)?;
        self.family_der_seq("dickson1_der_seq", Family::Dickson1(alpha), ns, x)
    }

    /// Σ_k `coefs[k]` · D_k(x, α) by Clenshaw's method (one fused pass).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// // 1·D_0 + 1·D_2 = 2 + x² - 2α
    /// let s = e.polynomials.dickson1_sum(&[1.0, 0.0, 1.0], 0.5, &x)?.to_vec::<f64>()?;
    /// assert!((s[2] - 5.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson1_sum(&self, coefs: &[f64], alpha: f64, x: &Array) -> Result<Array> {
        check_finite("dickson1_sum", alpha)?;
        self.family_sum("dickson1_sum", Family::Dickson1(alpha), coefs, x)
    }

    /// Dickson polynomial of the second kind E_n(x, α) (prysm's `dickson2(n, alpha, x)`):
    /// E_0 = 1, E_1 = x, E_n = x E_{n-1} - α E_{n-2}; α = 1 gives E_n(2x, 1) = U_n(x),
    /// and E_n(u + α/u, α) = (u^(n+1) - (α/u)^(n+1)) / (u - α/u).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// let d = e.polynomials.dickson2(2, 3.0, &x)?.to_vec::<f64>()?; // x² - α
    /// assert!((d[2] - 1.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson2(&self, n: usize, alpha: f64, x: &Array) -> Result<Array> {
        Self::first("dickson2", self.dickson2_seq(&[n], alpha, x)?)
    }

    /// E_n(x, α) for every n in `ns`, from one shared recurrence.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(-1.0, 1.0, 11);
    /// let es = e.polynomials.dickson2_seq(&[1, 3], 2.0, &x)?;
    /// assert_eq!(es.len(), 2);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson2_seq(&self, ns: &[usize], alpha: f64, x: &Array) -> Result<Vec<Array>> {
        check_finite("dickson2_seq", alpha)?;
        self.family_seq("dickson2_seq", Family::Dickson2(alpha), ns, x)
    }

    /// d/dx E_n(x, α).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// let d = e.polynomials.dickson2_der(2, 3.0, &x)?.to_vec::<f64>()?; // 2x
    /// assert!((d[2] - 4.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson2_der(&self, n: usize, alpha: f64, x: &Array) -> Result<Array> {
        Self::first("dickson2_der", self.dickson2_der_seq(&[n], alpha, x)?)
    }

    /// d/dx E_n(x, α) for every n in `ns`, sharing one recurrence.
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 1.0, 4);
    /// let ds = e.polynomials.dickson2_der_seq(&[0, 1], 0.5, &x)?;
    /// assert_eq!(ds[1].to_vec::<f64>()?, vec![1.0; 4]);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson2_der_seq(&self, ns: &[usize], alpha: f64, x: &Array) -> Result<Vec<Array>> {
        check_finite("dickson2_der_seq", alpha)?;
        self.family_der_seq("dickson2_der_seq", Family::Dickson2(alpha), ns, x)
    }

    /// Σ_k `coefs[k]` · E_k(x, α) by Clenshaw's method (one fused pass).
    ///
    /// ```
    /// use mathengine::Engine;
    /// let e = Engine::new();
    /// let x = e.linspace(0.0, 2.0, 3);
    /// // 1·E_0 + 1·E_1 = 1 + x
    /// let s = e.polynomials.dickson2_sum(&[1.0, 1.0], 0.5, &x)?.to_vec::<f64>()?;
    /// assert!((s[2] - 3.0).abs() < 1e-14);
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn dickson2_sum(&self, coefs: &[f64], alpha: f64, x: &Array) -> Result<Array> {
        check_finite("dickson2_sum", alpha)?;
        self.family_sum("dickson2_sum", Family::Dickson2(alpha), coefs, x)
    }
}

fn check_finite(op: &str, alpha: f64) -> Result<()> {
    if alpha.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(
            op,
            format!("alpha = {alpha} must be a finite number"),
        ))
    }
}

/// A weighted sum needs at least one coefficient.
pub(crate) fn check_coefs(op: &str, coefs: &[f64]) -> Result<()> {
    if coefs.is_empty() {
        return Err(Error::invalid(
            op,
            "the coefficient list is empty; give at least one (coefs[k] weights order k)",
        ));
    }
    Ok(())
}

fn check_alpha(op: &str, alpha: f64) -> Result<()> {
    if alpha.is_finite() && alpha > -1.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            op,
            format!("alpha = {alpha} must be finite and > -1"),
        ))
    }
}
