//! One-dimensional classical families by their three-term recurrences: Legendre,
//! Chebyshev of the first to fourth kinds, Hermite (probabilists' He and physicists' H)
//! and generalised Laguerre L_n^(α). Each has a value, a sequence (one shared
//! recurrence), a derivative and a derivative sequence.

use super::{max_order, Polynomials};
use crate::array::Array;
use mathengine_ir::{Error, Result};

/// A family with P_0 = 1 and P_{k+1} = (a_k x + b_k) P_k - c_k P_{k-1}.
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
        }
    }
}

impl Polynomials {
    fn family_seq(&self, op: &str, f: Family, ns: &[usize], x: &Array) -> Result<Vec<Array>> {
        let max = max_order(op, ns)?;
        let x = self.prepare(op, x)?;
        let all = self.three_term(&x, max, |k| f.coef(k))?;
        Ok(ns.iter().map(|&n| all[n].clone()).collect())
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
        Ok(ns.iter().map(|&n| d[n].clone()).collect())
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
        $value:ident, $seq:ident, $der:ident, $der_seq:ident,
        |$s:ident, $ns:ident, $x:ident| $der_body:expr;
    )*) => {
        impl Polynomials {
            $(
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
    legendre, legendre_seq, legendre_der, legendre_der_seq,
    |s, ns, x| s.jacobi_der_seq(ns, 0.0, 0.0, x);
    Cheby1, "Chebyshev polynomial of the first kind T_n",
    cheby1, cheby1_seq, cheby1_der, cheby1_der_seq,
    |s, ns, x| s.shifted_der_seq("cheby1_der_seq", Family::Cheby2, |n| n as f64, ns, x);
    Cheby2, "Chebyshev polynomial of the second kind U_n",
    cheby2, cheby2_seq, cheby2_der, cheby2_der_seq,
    |s, ns, x| s.family_der_seq("cheby2_der_seq", Family::Cheby2, ns, x);
    Cheby3, "Chebyshev polynomial of the third kind V_n",
    cheby3, cheby3_seq, cheby3_der, cheby3_der_seq,
    |s, ns, x| s.family_der_seq("cheby3_der_seq", Family::Cheby3, ns, x);
    Cheby4, "Chebyshev polynomial of the fourth kind W_n",
    cheby4, cheby4_seq, cheby4_der, cheby4_der_seq,
    |s, ns, x| s.family_der_seq("cheby4_der_seq", Family::Cheby4, ns, x);
    HermiteHe, "probabilists' Hermite polynomial He_n",
    hermite_he, hermite_he_seq, hermite_he_der, hermite_he_der_seq,
    |s, ns, x| s.shifted_der_seq("hermite_he_der_seq", Family::HermiteHe, |n| n as f64, ns, x);
    HermiteH, "physicists' Hermite polynomial H_n",
    hermite_h, hermite_h_seq, hermite_h_der, hermite_h_der_seq,
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
