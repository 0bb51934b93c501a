//! A precompiled loop for |z| of complex128 arrays (`np.abs(z)`): `hypot::hypot` on
//! (re, im) written as scalar Rust (the same operations and fused multiply-adds, so the
//! JIT's bits) that the compiler vectorises for AVX-512 or AVX2, chosen at run time
//! (`wide_f32::level`). Elements with a part outside the fast range (NaN, infinite,
//! huge, tiny nonzero) get the libm helper's value, as the JIT's slow path gives them.

use super::wide_f32::{level, Level};
use crate::runtime;
use num_complex::Complex64;

/// A loop writing |z[i]| to `y[i]` (slices of equal length).
pub type ComplexAbsLoop = fn(&[Complex64], &mut [f64]);

/// The |z| loop on this CPU, if it has AVX2 and FMA.
pub fn wide_complex_abs() -> Option<ComplexAbsLoop> {
    Some(match level()? {
        Level::Avx512 => |z: &[Complex64], y: &mut [f64]| {
            // SAFETY: `level` detected avx512f/avx512dq/avx512vl and fma.
            unsafe { avx512(z, y) }
        },
        Level::Avx2 => |z: &[Complex64], y: &mut [f64]| {
            // SAFETY: `level` detected avx2 and fma.
            unsafe { avx2(z, y) }
        },
    })
}

/// Blocks small enough that a block with an out-of-range element is redone cheaply.
const BLOCK: usize = 512;

#[inline(always)]
fn run(z: &[Complex64], y: &mut [f64]) {
    for (zs, ys) in z.chunks(BLOCK).zip(y.chunks_mut(BLOCK)) {
        let mut outside = false;
        for (v, o) in zs.iter().zip(ys.iter_mut()) {
            let (h, out) = hypot(v.re, v.im);
            *o = h;
            outside |= out;
        }
        if outside {
            fix_outside(zs, ys);
        }
    }
}

#[cold]
fn fix_outside(zs: &[Complex64], ys: &mut [f64]) {
    for (v, o) in zs.iter().zip(ys.iter_mut()) {
        if hypot(v.re, v.im).1 {
            *o = runtime::me_hypot(v.re, v.im);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
fn avx512(z: &[Complex64], y: &mut [f64]) {
    run(z, y)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2(z: &[Complex64], y: &mut [f64]) {
    run(z, y)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512(z: &[Complex64], y: &mut [f64]) {
    run(z, y)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2(z: &[Complex64], y: &mut [f64]) {
    run(z, y)
}

/// `slow_path::out_of_safe_range` with zeros allowed: NaN, |v| > 2^500, or a nonzero
/// |v| < 2^-500.
#[inline(always)]
fn out_of_safe_range(v: f64) -> bool {
    let av = v.abs();
    let big = f64::from_bits((1023 + 500) << 52);
    let small = f64::from_bits((1023 - 500) << 52);
    av > big || av.is_nan() || (av < small && av != 0.0)
}

/// `hypot::hypot`: the sum of squares exact by two-products and two-sum, one
/// correction step on the square root; hypot(±0, ±0) = +0.
#[inline(always)]
fn hypot(x: f64, y: f64) -> (f64, bool) {
    let outside = out_of_safe_range(x) || out_of_safe_range(y);
    let xx = x * x;
    let xe = x.mul_add(x, -xx);
    let yy = y * y;
    let ye = y.mul_add(y, -yy);
    let sh = xx + yy;
    let bb = sh - xx;
    let ab = sh - bb;
    let se = (xx - ab) + (yy - bb);
    let sl = (xe + ye) + se;
    let r = sh.sqrt();
    let res = (-r).mul_add(r, sh) + sl;
    let h = r + res / (r + r);
    (if sh == 0.0 { 0.0 } else { h }, outside)
}
