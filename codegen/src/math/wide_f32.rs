//! Precompiled float32 loops for kernels that are one function of one contiguous
//! array (`y = sin(x)`, numpy's most common float32 call): the same algorithms as the
//! JIT's f32x4 code in `f32` (the same constants, operations and fused multiply-adds,
//! so the same bits), written as scalar Rust that the compiler vectorises for the
//! widest registers the CPU has (AVX-512: eight f64 or sixteen f32 lanes, where
//! Cranelift's x86-64 backend stops at 128 bits), chosen at run time. Lanes outside a
//! function's fast range get the libm helper's value, as the JIT's slow path gives
//! them. Without AVX2 and FMA there is no wide loop and the JIT runs.

use super::f32::{LN2_HI_F32, LN2_TAIL, PIO2_HI, PIO2_TAIL, SHIFTER_F32};
use super::vec_ops::{factorial, SHIFTER};
use crate::runtime;
use mathengine_ir::{BinaryOp, UnaryOp};

/// A loop writing `f(x[i])` to `y[i]` (slices of equal length).
pub type WideLoop = fn(&[f32], &mut [f32]);
/// A loop writing `f(a[i], b[i])` to `y[i]` (slices of equal length).
pub type WideLoop2 = fn(&[f32], &[f32], &mut [f32]);

/// The wide loop for the binary `op` on this CPU, if there is one (arctan2).
pub fn wide_binary_f32(op: BinaryOp) -> Option<WideLoop2> {
    if op != BinaryOp::Atan2 {
        return None;
    }
    Some(match level()? {
        Level::Avx512 => |a: &[f32], b: &[f32], y: &mut [f32]| {
            // SAFETY: `level` detected avx512f/avx512dq/avx512vl and fma.
            unsafe { avx512_2(a, b, y) }
        },
        Level::Avx2 => |a: &[f32], b: &[f32], y: &mut [f32]| {
            // SAFETY: `level` detected avx2 and fma.
            unsafe { avx2_2(a, b, y) }
        },
    })
}

/// The wide loop for `op` on this CPU, if there is one.
pub fn wide_unary_f32(op: UnaryOp) -> Option<WideLoop> {
    let level = level()?;
    // Each (function, libm helper) pair monomorphised per level, so the element
    // function is inlined into the loop the compiler vectorises.
    macro_rules! pick {
        ($f:ident, $libm:path) => {
            Some(match level {
                Level::Avx512 => |x: &[f32], y: &mut [f32]| {
                    // SAFETY: `level` detected avx512f/avx512dq/avx512vl and fma.
                    unsafe { avx512(x, y, $f, $libm) }
                },
                Level::Avx2 => |x: &[f32], y: &mut [f32]| {
                    // SAFETY: `level` detected avx2 and fma.
                    unsafe { avx2(x, y, $f, $libm) }
                },
            })
        };
    }
    match op {
        UnaryOp::Sin => pick!(sin, runtime::me_sinf),
        UnaryOp::Cos => pick!(cos, runtime::me_cosf),
        UnaryOp::Exp => pick!(exp, runtime::me_expf),
        UnaryOp::Log => pick!(log, runtime::me_logf),
        UnaryOp::Tanh => pick!(tanh, runtime::me_tanhf),
        _ => None,
    }
}

/// The vector extensions a precompiled wide loop may use on this CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// avx512f, avx512dq, avx512vl and fma.
    Avx512,
    /// avx2 and fma.
    Avx2,
}

/// The widest level this CPU has, lowered by `MATHENGINE_WIDE=avx2` or turned off
/// by `MATHENGINE_WIDE=off` (read once; for comparing the levels and the JIT).
pub fn level() -> Option<Level> {
    static LEVEL: std::sync::OnceLock<Option<Level>> = std::sync::OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = std::env::var("MATHENGINE_WIDE").unwrap_or_default();
        let best = detected()?;
        match (cap.as_str(), best) {
            ("off", _) => None,
            ("avx2", _) => Some(Level::Avx2),
            _ => Some(best),
        }
    })
}

#[cfg(target_arch = "x86_64")]
fn detected() -> Option<Level> {
    let fma = std::is_x86_feature_detected!("fma");
    if fma
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl")
    {
        Some(Level::Avx512)
    } else if fma && std::is_x86_feature_detected!("avx2") {
        Some(Level::Avx2)
    } else {
        None
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detected() -> Option<Level> {
    None
}

/// One element's fast-range value, and whether x is outside the fast range (then the
/// libm helper's value replaces it).
trait Element: Fn(f32) -> (f32, bool) + Copy {}
impl<F: Fn(f32) -> (f32, bool) + Copy> Element for F {}

/// Blocks small enough that a block with an out-of-range element is redone cheaply.
const BLOCK: usize = 1024;

#[inline(always)]
fn run(x: &[f32], y: &mut [f32], f: impl Element, libm: extern "C" fn(f32) -> f32) {
    for (xs, ys) in x.chunks(BLOCK).zip(y.chunks_mut(BLOCK)) {
        let mut outside = false;
        for (a, b) in xs.iter().zip(ys.iter_mut()) {
            let (v, out) = f(*a);
            *b = v;
            outside |= out;
        }
        if outside {
            fix_outside(xs, ys, f, libm);
        }
    }
}

/// The libm helper's value for each element outside `f`'s fast range. The JIT sends
/// a whole register to libm when one lane is outside; here only that element goes.
#[cold]
fn fix_outside(xs: &[f32], ys: &mut [f32], f: impl Element, libm: extern "C" fn(f32) -> f32) {
    for (a, b) in xs.iter().zip(ys.iter_mut()) {
        if f(*a).1 {
            *b = libm(*a);
        }
    }
}

/// `run` for arctan2: a block with an operand outside the fast range is redone by the
/// libm helper for those elements.
#[inline(always)]
fn run_atan2(a: &[f32], b: &[f32], y: &mut [f32]) {
    let blocks = a.chunks(BLOCK).zip(b.chunks(BLOCK));
    for ((aa, bb), ys) in blocks.zip(y.chunks_mut(BLOCK)) {
        let mut outside = false;
        for ((p, q), o) in aa.iter().zip(bb).zip(ys.iter_mut()) {
            let (v, out) = atan2(*p, *q);
            *o = v;
            outside |= out;
        }
        if outside {
            fix_atan2(aa, bb, ys);
        }
    }
}

#[cold]
fn fix_atan2(a: &[f32], b: &[f32], y: &mut [f32]) {
    for ((p, q), o) in a.iter().zip(b).zip(y.iter_mut()) {
        if atan2(*p, *q).1 {
            *o = runtime::me_atan2f(*p, *q);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
fn avx512_2(a: &[f32], b: &[f32], y: &mut [f32]) {
    run_atan2(a, b, y)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2_2(a: &[f32], b: &[f32], y: &mut [f32]) {
    run_atan2(a, b, y)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512_2(a: &[f32], b: &[f32], y: &mut [f32]) {
    run_atan2(a, b, y)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2_2(a: &[f32], b: &[f32], y: &mut [f32]) {
    run_atan2(a, b, y)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
fn avx512(x: &[f32], y: &mut [f32], f: impl Element, libm: extern "C" fn(f32) -> f32) {
    run(x, y, f, libm)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2(x: &[f32], y: &mut [f32], f: impl Element, libm: extern "C" fn(f32) -> f32) {
    run(x, y, f, libm)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512(x: &[f32], y: &mut [f32], f: impl Element, libm: extern "C" fn(f32) -> f32) {
    run(x, y, f, libm)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2(x: &[f32], y: &mut [f32], f: impl Element, libm: extern "C" fn(f32) -> f32) {
    run(x, y, f, libm)
}

/// c[0] + z (c[1] + z (c[2] + ...)) with fused multiply-adds, as `vec_ops::horner`.
#[inline(always)]
fn horner(z: f64, coefs: &[f64]) -> f64 {
    let mut acc = coefs[coefs.len() - 1];
    for &c in coefs.iter().rev().skip(1) {
        acc = acc.mul_add(z, c);
    }
    acc
}

/// f32's sin/cos fast range (`f32::sin_cos_f32`).
const TRIG_LIMIT: f32 = 1e5;

#[inline(always)]
fn sin(x: f32) -> (f32, bool) {
    let xd = x as f64;
    let t = xd.mul_add(std::f64::consts::FRAC_1_PI, SHIFTER);
    let n = t - SHIFTER;
    let s = odd_sin(-n, xd, t.to_bits()) as f32;
    // sin(±0) = ±0.
    let s = if x == 0.0 { x } else { s };
    (s, x.abs() > TRIG_LIMIT || x.is_nan())
}

#[inline(always)]
fn cos(x: f32) -> (f32, bool) {
    let xd = x as f64;
    let u = xd.mul_add(std::f64::consts::FRAC_1_PI, -0.5);
    let t = u + SHIFTER;
    let n = t - SHIFTER;
    let c = odd_sin(-0.5 - n, xd, t.to_bits().wrapping_add(1)) as f32;
    (c, x.abs() > TRIG_LIMIT || x.is_nan())
}

/// `f32::odd_sin`: (-1)^q sin(x + m pi), q the low bit of `q`.
#[inline(always)]
fn odd_sin(m: f64, x: f64, q: u64) -> f64 {
    let pi_hi = 2.0 * PIO2_HI;
    let pi_lo = 2.0 * (std::f64::consts::FRAC_PI_2 - PIO2_HI + PIO2_TAIL);
    let r = m.mul_add(pi_hi, x);
    let r = m.mul_add(pi_lo, r);
    let z = r * r;
    let coefs = [
        -1.0 / factorial(3),
        1.0 / factorial(5),
        -1.0 / factorial(7),
        1.0 / factorial(9),
        -1.0 / factorial(11),
        1.0 / factorial(13),
    ];
    let p = horner(z, &coefs);
    let rz = r * z;
    let y = rz.mul_add(p, r);
    f64::from_bits(y.to_bits() ^ (q << 63))
}

/// `f32::exp_f32` in scalar form (no slow path: NaN and the clamp handle every input).
#[inline(always)]
fn exp(x: f32) -> (f32, bool) {
    // The clamp to [-104, 89] as compares and selects (NaN passes through).
    let xc = if x < -104.0 { -104.0 } else { x };
    let xc = if xc > 89.0 { 89.0 } else { xc };
    let log2e = std::f64::consts::LOG2_E as f32;
    let t = xc.mul_add(log2e, SHIFTER_F32);
    let n = t - SHIFTER_F32;
    let neg_n = -n;
    let ln2_lo = (std::f64::consts::LN_2 - LN2_HI_F32 as f64) as f32;
    let r = neg_n.mul_add(LN2_HI_F32, xc);
    let r = neg_n.mul_add(ln2_lo, r);
    let mut p = (1.0 / factorial(7)) as f32;
    for k in (0..7).rev() {
        p = p.mul_add(r, (1.0 / factorial(k)) as f32);
    }
    let ni = (t.to_bits() as i32).wrapping_sub(SHIFTER_F32.to_bits() as i32);
    let n1 = ni >> 1;
    let n2 = ni - n1;
    let pow2 = |k: i32| f32::from_bits(((k + 127) << 23) as u32);
    (p * pow2(n1) * pow2(n2), false)
}

/// `f32::log_f32`: x = 2^k m, log m = 2 atanh((m - 1) / (m + 1)) in f64; lanes not
/// positive normal finite go to libm.
#[inline(always)]
fn log(x: f32) -> (f32, bool) {
    let outside = x < f32::MIN_POSITIVE || x.is_nan() || x == f32::INFINITY;
    let xd = x as f64;
    // `log::split_exponent`.
    let xi = xd.to_bits() as i64;
    let d = xi.wrapping_sub(0x3FE6A09E667F3BCD);
    let k = d >> 52;
    let m = f64::from_bits(xi.wrapping_sub(k << 52) as u64);
    let kf = f64::from_bits(k.wrapping_add(SHIFTER.to_bits() as i64) as u64) - SHIFTER;
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let coefs = [2.0, 2.0 / 3.0, 2.0 / 5.0, 2.0 / 7.0, 2.0 / 9.0];
    let p = horner(z, &coefs);
    let logm = s * p;
    (kf.mul_add(std::f64::consts::LN_2, logm) as f32, outside)
}

/// `f32::tanh_f32`: tanh |x| = m / (m + 2), m = e^(2|x|) - 1, with x's sign.
#[inline(always)]
fn tanh(x: f32) -> (f32, bool) {
    let ax = (x as f64).abs();
    let ax = if ax > 10.0 { 10.0 } else { ax };
    let u = ax + ax;
    let t = u.mul_add(std::f64::consts::LOG2_E, SHIFTER);
    let n = t - SHIFTER;
    let neg_n = -n;
    let r = neg_n.mul_add(std::f64::consts::LN_2, u);
    let r = neg_n.mul_add(LN2_TAIL, r);
    let coefs = [
        1.0 / factorial(2),
        1.0 / factorial(3),
        1.0 / factorial(4),
        1.0 / factorial(5),
        1.0 / factorial(6),
        1.0 / factorial(7),
        1.0 / factorial(8),
        1.0 / factorial(9),
    ];
    let p = horner(r, &coefs);
    let em_r = (r * r).mul_add(p, r);
    let ni = (t.to_bits() as i64).wrapping_sub(SHIFTER.to_bits() as i64);
    let scale = f64::from_bits(((ni + 1023) << 52) as u64);
    let m = scale.mul_add(em_r, scale - 1.0);
    let y = (m / (m + 2.0)) as f32;
    (
        f32::from_bits(y.to_bits() & 0x7fff_ffff | x.to_bits() & 0x8000_0000),
        false,
    )
}

/// `f32::binary_f32` with `f32::atan2_wide`: arctan2(y, x) in f64 on the octant's
/// reduced ratio; an operand that is NaN, infinite, zero or subnormal goes to libm.
#[inline(always)]
fn atan2(y: f32, x: f32) -> (f32, bool) {
    let not_normal = |v: f32| v.abs() < f32::MIN_POSITIVE || v.is_nan() || v.abs() > f32::MAX;
    let outside = not_normal(y) || not_normal(x);
    let (y, x) = (y as f64, x as f64);
    let (ay, ax) = (y.abs(), x.abs());
    let swap = ay > ax;
    let a = if swap { ax } else { ay };
    let b = if swap { ay } else { ax };
    let far = a > b * (std::f64::consts::SQRT_2 - 1.0);
    let num = if far { a - b } else { a };
    let den = if far { a + b } else { b };
    let s = num / den;
    let z = s * s;
    let mut coefs = [0.0; 11];
    for (k, c) in coefs.iter_mut().enumerate() {
        let k = k + 1;
        *c = if k % 2 == 0 { 1.0 } else { -1.0 } / (2 * k + 1) as f64;
    }
    let p = horner(z, &coefs);
    let at = (s * z).mul_add(p, s);
    let base = if far {
        std::f64::consts::FRAC_PI_4
    } else {
        0.0
    };
    let angle = base + at;
    let angle = if swap {
        std::f64::consts::FRAC_PI_2 - angle
    } else {
        angle
    };
    let angle = if x < 0.0 {
        std::f64::consts::PI - angle
    } else {
        angle
    };
    (angle.copysign(y) as f32, outside)
}
