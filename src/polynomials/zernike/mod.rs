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
//!
//! The family is split by concern: `polar` (Z_n^m at (r, t), sequences, derivatives
//! and weighted sums), `cartesian` (the same polynomials written in x and y:
//! derivatives and value+gradient sums without trigonometry) and `indices` (Noll,
//! Fringe and ANSI index conversions and mode names).

mod cartesian;
mod indices;
mod polar;

pub(crate) use indices::triangular_row;

use super::check_order;
use mathengine_ir::{Error, Result};
use std::collections::BTreeMap;

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

/// [`check_nm`], and the order bounded by [`MAX_ORDER`](super::MAX_ORDER): for the
/// functions that build a graph of the mode (not the index conversions).
fn check_mode(op: &str, n: i32, m: i32) -> Result<()> {
    check_nm(op, n, m)?;
    check_order(op, "the radial order n", n as u64)
}

/// Norm of Z_n^m (prysm's `zernike_norm`): sqrt(2(n+1) / (1 + δ_m0)). With it the modes
/// have unit RMS over the unit disk: (1/π) ∫∫ Z_i Z_j dA = δ_ij.
pub fn zernike_norm(n: i32, m: i32) -> f64 {
    let d = if m == 0 { 2.0 } else { 1.0 };
    (2.0 * (n as f64 + 1.0) / d).sqrt()
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
    super::one_per_mode(op, "coefficients", coefs.len(), nms.len())?;
    for &(n, m) in nms {
        check_mode(op, n, m)?;
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
