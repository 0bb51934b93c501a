//! Zernike index conversions (Noll and Fringe are 1-based, ANSI j is 0-based) and mode
//! names, as prysm's `zernike.py`.

use super::{check_nm, zernike_norm};
use crate::polynomials::Polynomials;
use mathengine_ir::{Error, Result};

impl Polynomials {
    /// Norm of Z_n^m: sqrt(2(n+1) / (1 + δ_m0)); see [`zernike_norm`].
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.zernike_norm(2, 0), 3f64.sqrt());
    /// ```
    pub fn zernike_norm(&self, n: i32, m: i32) -> f64 {
        zernike_norm(n, m)
    }

    /// Noll index j (1-based) to (n, m).
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.noll_to_nm(8)?, (3, 1));
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn noll_to_nm(&self, j: usize) -> Result<(i32, i32)> {
        noll_to_nm(j)
    }

    /// (n, m) to the Noll index (1-based).
    pub fn nm_to_noll(&self, n: i32, m: i32) -> Result<usize> {
        let op = "nm_to_noll";
        check_nm(op, n, m)?;
        // Row n holds j = n(n+1)/2 + 1 + k, k = 0..=n; |m| along the row is 0, 2, 2, 4,
        // 4, ... (even n) or 1, 1, 3, 3, ... (odd n), and m < 0 exactly at odd j.
        let (nu, am) = (n as u128, m.unsigned_abs() as u128);
        let start = nu * (nu + 1) / 2 + 1;
        let j = if am == 0 {
            start
        } else {
            // k is am - 1 or am: the one whose j has the parity m's sign asks for
            let j = start + am - 1;
            if (j % 2 == 1) == (m < 0) {
                j
            } else {
                j + 1
            }
        };
        index_fits(op, n, m, j)
    }

    /// Fringe (University of Arizona) index (1-based) to (n, m), as prysm (which extends
    /// the 37-term table by the same pattern: index 37 is (6, 6) there, not (12, 0)).
    pub fn fringe_to_nm(&self, j: usize) -> Result<(i32, i32)> {
        let op = "fringe_to_nm";
        if j == 0 {
            return Err(Error::invalid(
                op,
                "Fringe indices start at 1; 0 is not an index",
            ));
        }
        // s = ceil(sqrt(j)): the block (s-1)² < j <= s² holds the modes with
        // (n + |m|) / 2 = s - 1.
        let j = j as u128;
        let root = isqrt(j);
        let s = if root * root == j { root } else { root + 1 };
        let half = s - 1; // (n + |m|) / 2
        let d = j - (half * half + 1);
        let n = half + d / 2;
        let m_abs = 2 * half - n;
        let neg = d % 2 == 1;
        mode_fits(op, j, n, m_abs, neg)
    }

    /// (n, m) to the Fringe index (1-based).
    pub fn nm_to_fringe(&self, n: i32, m: i32) -> Result<usize> {
        check_nm("nm_to_fringe", n, m)?;
        let am = m.abs() as i64;
        let h = (n as i64 + am) / 2;
        let base = (1 + h) * (1 + h) - 2 * am;
        let j = match m.signum() {
            0 => (1 + h) * (1 + h),
            1 => base,
            _ => base + 1,
        };
        Ok(j as usize)
    }

    /// ANSI (OSA) index j (0-based) to (n, m): j = (n(n+2) + m) / 2.
    pub fn ansi_j_to_nm(&self, j: usize) -> Result<(i32, i32)> {
        // Row n holds j = n(n+1)/2 ..= n(n+1)/2 + n, m = 2j - n(n+2) = -n, -n+2, ..., n.
        let j = j as u128;
        let n = triangular_row(j);
        let m = 2 * j as i128 - (n * (n + 2)) as i128;
        mode_fits("ansi_j_to_nm", j, n, m.unsigned_abs(), m < 0)
    }

    /// (n, m) to the ANSI (OSA) index j (0-based).
    pub fn nm_to_ansi_j(&self, n: i32, m: i32) -> Result<usize> {
        let op = "nm_to_ansi_j";
        check_nm(op, n, m)?;
        let (n128, m128) = (n as i128, m as i128);
        let j = (n128 * (n128 + 2) + m128) / 2;
        index_fits(op, n, m, j as u128)
    }

    /// A human-readable name for (n, m), as prysm's `nm_to_name`: "Piston", "Tilt X",
    /// "Defocus", "Primary Coma Y", "Primary Astigmatism 00°", "Secondary Spherical", ...
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// assert_eq!(e.polynomials.nm_to_name(3, -1)?, "Primary Coma Y");
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn nm_to_name(&self, n: i32, m: i32) -> Result<String> {
        check_nm("nm_to_name", n, m)?;
        Ok(nm_to_name(n, m))
    }
}

fn noll_to_nm(j: usize) -> Result<(i32, i32)> {
    if j == 0 {
        return Err(Error::invalid(
            "noll_to_nm",
            "Noll indices start at 1; 0 is not an index",
        ));
    }
    // n: the row with n(n+1)/2 < j <= (n+1)(n+2)/2
    let j = j as u128;
    let n = triangular_row(j - 1);
    // position in the row, 0..=n; |m| along the row: even n: 0, 2, 2, 4, 4, ...;
    // odd n: 1, 1, 3, 3, ...
    let k = j - n * (n + 1) / 2 - 1;
    let am = if n.is_multiple_of(2) {
        2 * k.div_ceil(2)
    } else {
        2 * (k / 2) + 1
    };
    mode_fits("noll_to_nm", j, n, am, am != 0 && j % 2 == 1)
}

/// The integer square root: the largest r with r² <= v.
pub(crate) fn isqrt(v: u128) -> u128 {
    // f64's estimate is within a few units for v < 2^128; correct it exactly.
    let mut r = (v as f64).sqrt() as u128;
    while r > 0 && r.checked_mul(r).is_none_or(|sq| sq > v) {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).is_some_and(|sq| sq <= v) {
        r += 1;
    }
    r
}

/// The largest d with d(d+1)/2 <= k: the row of k in a triangle of rows 0, 1, 2, ...
/// (row d starts at d(d+1)/2), in closed form (no loop over rows).
pub(crate) fn triangular_row(k: u128) -> u128 {
    // d(d+1)/2 <= k  <=>  (2d+1)² <= 8k+1
    (isqrt(8 * k + 1) - 1) / 2
}

/// (n, ±m) as i32, or an error when index `j` names a mode whose order does not fit i32.
fn mode_fits(op: &str, j: u128, n: u128, am: u128, neg: bool) -> Result<(i32, i32)> {
    match (i32::try_from(n), i32::try_from(am)) {
        (Ok(n), Ok(am)) => Ok((n, if neg { -am } else { am })),
        _ => Err(Error::invalid(
            op,
            format!(
                "index {j} names the mode of radial order n = {n}, which does not fit a 32-bit (n, m); give an index below that"
            ),
        )),
    }
}

/// The index `j` as usize, or an error when it does not fit.
fn index_fits(op: &str, n: i32, m: i32, j: u128) -> Result<usize> {
    usize::try_from(j).map_err(|_| {
        Error::invalid(
            op,
            format!("(n, m) = ({n}, {m}): the index {j} does not fit this platform's usize"),
        )
    })
}

fn order_prefix(k: i32) -> String {
    match k {
        1 => "Primary".into(),
        2 => "Secondary".into(),
        3 => "Tertiary".into(),
        4 => "Quaternary".into(),
        5 => "Quinary".into(),
        _ => format!("{k}th"),
    }
}

fn nm_to_name(n: i32, m: i32) -> String {
    if n == 0 {
        return "Piston".into();
    }
    if n == 1 {
        return if m > 0 { "Tilt X" } else { "Tilt Y" }.into();
    }
    if m == 0 {
        if n == 2 {
            return "Defocus".into();
        }
        return format!("{} Spherical", order_prefix(n / 2 - 1));
    }
    let am = m.abs();
    let accessor = if am % 2 == 1 && n >= 3 {
        ((n - 3) / 2 + 1).abs()
    } else {
        n / am
    };
    let name = match am {
        1 => "Coma".to_string(),
        2 => "Astigmatism".into(),
        3 => "Trefoil".into(),
        4 => "Quadrafoil".into(),
        5 => "Pentafoil".into(),
        6 => "Hexafoil".into(),
        7 => "Septafoil".into(),
        8 => "Octafoil".into(),
        _ => format!("{am}-foil"),
    };
    let suffix = match (am % 2 == 1, m > 0) {
        (true, true) => "X",
        (true, false) => "Y",
        (false, true) => "00°",
        (false, false) => "45°",
    };
    format!("{} {} {}", order_prefix(accessor), name, suffix)
}
