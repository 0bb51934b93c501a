//! The recurrence and change-of-basis coefficients of the Forbes bases (Forbes 2010,
//! eqs. A.14-A.16; 2012, eqs. A.3, A.13-A.18), computed in f64 when a graph is built.

/// f_n, g_n, h_n of the Q^bfs recurrence (Forbes 2010, eqs. A.14-A.16; prysm's
/// `f_qbfs`, `g_qbfs`, `h_qbfs`), for n = 0..=max.
pub(super) struct QbfsCoef {
    pub(super) f: Vec<f64>,
    pub(super) g: Vec<f64>,
    pub(super) h: Vec<f64>,
}

pub(super) fn qbfs_coef(max: usize) -> QbfsCoef {
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
pub(super) fn change_basis_qbfs_to_p(cs: &[f64]) -> Vec<f64> {
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
pub(super) fn q2d_abc(n: usize, m: usize) -> (f64, f64, f64) {
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
pub(super) fn q2d_gamma(n: usize, m: usize) -> f64 {
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
pub(super) fn q2d_big_fg(n: usize, m: usize) -> (f64, f64) {
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
pub(super) struct Q2dCoef {
    pub(super) f: Vec<f64>,
    pub(super) g: Vec<f64>,
}

pub(super) fn q2d_coef(m: usize, max: usize) -> Q2dCoef {
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
