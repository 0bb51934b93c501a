//! The hottest float32 functions with code of their own. exp is computed in f32x4
//! (`exp_f32`). sin, cos, log, tanh and arctan2 widen the four f32 lanes to two f64x2
//! registers, reduce the argument and evaluate a polynomial in f64 with only the terms
//! f32 needs (truncation below 2^-28 relative), and round once to f32 at the end: every
//! step before that rounding is far more precise than f32, so the result is within
//! 1 ulp of the correctly rounded one (usually equal). Lanes outside the fast range
//! (non-finite, |x| > 1e5 for sin/cos, x not positive normal for log, a zero,
//! infinite, NaN or subnormal operand of arctan2) send the vector to f32 libm, so
//! special values are libm's; exp and tanh need no slow path.

use super::slow_path::{with_slow_path, with_slow_path2};
use super::vec_ops::{factorial, fma, horner, isplat, splat, SHIFTER};
use super::widen::{demote, promote, widened2};
use crate::translate::Emitter;
use crate::vector::{bitcast, fsplat};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// sin(x) and/or cos(x) of an f32x4 register.
pub fn sin_cos_f32(
    e: &mut Emitter,
    x: Value,
    want_sin: bool,
    want_cos: bool,
) -> (Option<Value>, Option<Value>) {
    let ax = e.b.ins().fabs(x);
    let limit = fsplat(e, types::F32X4, 1e5);
    // Not (|x| <= limit): also true for NaN.
    let outside = e.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, ax, limit);
    let fast = |e: &mut Emitter, x: Value| {
        let (lo, hi) = promote(e, x);
        // Each by its own reduction by pi and one polynomial, so sin x has the same bits
        // whether or not the kernel also takes cos x (and the unused one is dropped).
        let (sl, cl) = (sin_wide(e, lo), cos_wide(e, lo));
        let (sh, ch) = (sin_wide(e, hi), cos_wide(e, hi));
        let s = demote(e, sl, sh);
        // sin(±0) = ±0 (the polynomial gives +0 for -0).
        let zero = fsplat(e, types::F32X4, 0.0);
        let is_zero = e.b.ins().fcmp(FloatCC::Equal, x, zero);
        let is_zero = bitcast(e, types::F32X4, is_zero);
        let s = e.b.ins().bitselect(is_zero, x, s);
        (s, demote(e, cl, ch))
    };
    match (want_sin, want_cos) {
        (true, true) => {
            let [s, c] = with_slow_path(e, x, outside, ["me_sinf", "me_cosf"], |e, x| {
                let (s, c) = fast(e, x);
                [s, c]
            });
            (Some(s), Some(c))
        }
        (true, false) => {
            let [s] = with_slow_path(e, x, outside, ["me_sinf"], |e, x| [fast(e, x).0]);
            (Some(s), None)
        }
        _ => {
            let [c] = with_slow_path(e, x, outside, ["me_cosf"], |e, x| [fast(e, x).1]);
            (None, Some(c))
        }
    }
}

/// sin x of an f64x2 holding f32 values with |x| <= 1e5, to f32 accuracy:
/// x = n pi + r, |r| <= pi/2, sin x = (-1)^n sin r.
fn sin_wide(e: &mut Emitter, x: Value) -> Value {
    let inv_pi = splat(e, std::f64::consts::FRAC_1_PI);
    let sh = splat(e, SHIFTER);
    let t = fma(e, x, inv_pi, sh);
    let n = e.b.ins().fsub(t, sh);
    let neg_n = e.b.ins().fneg(n);
    odd_sin(e, neg_n, x, t)
}

/// cos x likewise: x = (n + 1/2) pi + r, cos x = (-1)^(n+1) sin r.
fn cos_wide(e: &mut Emitter, x: Value) -> Value {
    let inv_pi = splat(e, std::f64::consts::FRAC_1_PI);
    let half = splat(e, -0.5);
    let sh = splat(e, SHIFTER);
    let u = fma(e, x, inv_pi, half);
    let t = e.b.ins().fadd(u, sh);
    let n = e.b.ins().fsub(t, sh);
    let m = e.b.ins().fsub(half, n);
    let one = isplat(e, 1);
    let ti = bitcast(e, types::I64X2, t);
    let ti = e.b.ins().iadd(ti, one);
    odd_sin(e, m, x, ti)
}

/// (-1)^q sin(x + m pi) for x + m pi in about [-pi/2, pi/2], with the parity q in the
/// low bit of `q` (as f64x2 or i64x2 bits). PI_HI has 33 bits, so m * PI_HI and the
/// first subtraction are exact for |m| < 2^19; the Taylor series to r^13 is below
/// 2^-30 of the result on |r| <= pi/2.
fn odd_sin(e: &mut Emitter, m: Value, x: Value, q: Value) -> Value {
    let pi_hi = splat(e, 2.0 * PIO2_HI);
    let pi_lo = splat(e, 2.0 * (std::f64::consts::FRAC_PI_2 - PIO2_HI + PIO2_TAIL));
    let r = fma(e, m, pi_hi, x);
    let r = fma(e, m, pi_lo, r);
    let z = e.b.ins().fmul(r, r);
    let coefs: Vec<f64> = (1..7)
        .map(|k| sign(k) / factorial(2 * k as u32 + 1))
        .collect();
    let p = horner(e, z, &coefs);
    let rz = e.b.ins().fmul(r, z);
    let y = fma(e, rz, p, r);
    let qi = bitcast(e, types::I64X2, q);
    let sign = e.b.ins().ishl_imm_s(qi, 63);
    let yi = bitcast(e, types::I64X2, y);
    let yi = e.b.ins().bxor(yi, sign);
    bitcast(e, types::F64X2, yi)
}

fn sign(k: usize) -> f64 {
    if k.is_multiple_of(2) {
        1.0
    } else {
        -1.0
    }
}

/// fdlibm's pi/2 parts: the first has 33 significant bits; PIO2_TAIL is the rest of
/// pi/2 below FRAC_PI_2 (so the low constant is pi/2 - PIO2_HI to about 2^-100).
pub(super) const PIO2_HI: f64 = f64::from_bits(0x3FF921FB54400000);
pub(super) const PIO2_TAIL: f64 = 6.123233995736766e-17;

/// e^x of an f32x4 register, in f32: x = n ln2 + r (n * LN2_HI_F32 and the first
/// subtraction exact), e^r by its Taylor polynomial to degree 7 (truncation below
/// 0.1 ulp on |r| <= ln2/2), and 2^n as two factors so that subnormal results are
/// rounded once. Error below 1.3 ulp, so within 1 ulp of the correctly rounded
/// value. x is clamped to [-104, 89] (beyond, the result is already 0 or inf); NaN
/// passes through the clamp and the arithmetic, so no slow path is needed.
pub fn exp_f32(e: &mut Emitter, x: Value) -> Value {
    let ty = types::F32X4;
    let xc = clamp_f32(e, x, -104.0, 89.0);
    let log2e = fsplat(e, ty, std::f64::consts::LOG2_E);
    let sh = fsplat(e, ty, SHIFTER_F32 as f64);
    let t = e.b.ins().fma(xc, log2e, sh);
    let n = e.b.ins().fsub(t, sh);
    let neg_n = e.b.ins().fneg(n);
    let ln2_hi = fsplat(e, ty, LN2_HI_F32 as f64);
    let ln2_lo = fsplat(
        e,
        ty,
        (std::f64::consts::LN_2 - LN2_HI_F32 as f64) as f32 as f64,
    );
    let r = e.b.ins().fma(neg_n, ln2_hi, xc);
    let r = e.b.ins().fma(neg_n, ln2_lo, r);
    let mut p = fsplat(e, ty, 1.0 / factorial(7));
    for k in (0..7).rev() {
        let c = fsplat(e, ty, 1.0 / factorial(k));
        p = e.b.ins().fma(p, r, c);
    }
    // n from the low mantissa bits of t; 2^n = 2^n1 * 2^n2, each a normal f32.
    let ti = bitcast(e, types::I32X4, t);
    let shi = e.b.ins().iconst(types::I32, SHIFTER_F32.to_bits() as i64);
    let shi = e.b.ins().splat(types::I32X4, shi);
    let ni = e.b.ins().isub(ti, shi);
    let n1 = e.b.ins().sshr_imm_s(ni, 1);
    let n2 = e.b.ins().isub(ni, n1);
    let bias = e.b.ins().iconst(types::I32, 127);
    let bias = e.b.ins().splat(types::I32X4, bias);
    let pow2 = |e: &mut Emitter, k: Value| {
        let b = e.b.ins().iadd(k, bias);
        let b = e.b.ins().ishl_imm_s(b, 23);
        bitcast(e, types::F32X4, b)
    };
    let s1 = pow2(e, n1);
    let s2 = pow2(e, n2);
    let y = e.b.ins().fmul(p, s1);
    e.b.ins().fmul(y, s2)
}

/// 1.5 * 2^23: adding it rounds an f32 to an integer held in the low mantissa bits.
pub(super) const SHIFTER_F32: f32 = 12582912.0;
/// ln 2 to 16 bits: n * LN2_HI_F32 is exact for |n| < 2^8.
pub(super) const LN2_HI_F32: f32 = 0.693_145_75;

/// min(max(x, lo), hi) for f32x4 with compares and selects (a NaN lane compares false
/// and stays NaN); cheaper than fmin/fmax, which order zeros and NaNs.
fn clamp_f32(e: &mut Emitter, x: Value, lo: f64, hi: f64) -> Value {
    let ty = e.b.func.dfg.value_type(x);
    let l = fsplat(e, ty, lo);
    let h = fsplat(e, ty, hi);
    let below = e.b.ins().fcmp(FloatCC::LessThan, x, l);
    let below = bitcast(e, ty, below);
    let x = e.b.ins().bitselect(below, l, x);
    let above = e.b.ins().fcmp(FloatCC::GreaterThan, x, h);
    let above = bitcast(e, ty, above);
    e.b.ins().bitselect(above, h, x)
}

/// Natural logarithm of an f32x4 register. Lanes that are not positive normal finite
/// numbers go to f32 libm (subnormals too, so they give libm's bits).
pub fn log_f32(e: &mut Emitter, x: Value) -> Value {
    let min_normal = fsplat(e, types::F32X4, f32::MIN_POSITIVE as f64);
    let inf = fsplat(e, types::F32X4, f64::INFINITY);
    let not_pos = e.b.ins().fcmp(FloatCC::UnorderedOrLessThan, x, min_normal);
    let is_inf = e.b.ins().fcmp(FloatCC::Equal, x, inf);
    let outside = e.b.ins().bor(not_pos, is_inf);
    let [y] = with_slow_path(e, x, outside, ["me_logf"], |e, x| {
        let (lo, hi) = promote(e, x);
        let a = log_wide(e, lo);
        let b = log_wide(e, hi);
        [demote(e, a, b)]
    });
    y
}

/// log x for positive normal finite f64 lanes, to f32 accuracy: x = 2^k m with
/// m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s) with s = (m - 1) / (m + 1).
fn log_wide(e: &mut Emitter, x: Value) -> Value {
    let (m, kf) = super::log::split_exponent(e, x);
    let one = splat(e, 1.0);
    let num = e.b.ins().fsub(m, one);
    let den = e.b.ins().fadd(m, one);
    let s = e.b.ins().fdiv(num, den);
    let z = e.b.ins().fmul(s, s);
    // 2 atanh(s) = 2s (1 + z/3 + z^2/5 + ...); |s| <= 0.172, so the terms past z^4/9
    // are below 2^-28 relative.
    let coefs: Vec<f64> = (0..5).map(|k| 2.0 / (2 * k + 1) as f64).collect();
    let p = horner(e, z, &coefs);
    let logm = e.b.ins().fmul(s, p);
    let ln2 = splat(e, std::f64::consts::LN_2);
    fma(e, kf, ln2, logm)
}

/// atan2 or hypot of f32x4 registers: `f64_routine` on the widened lanes, unless a
/// lane of either operand is NaN, ±Inf, ±0 or subnormal: then f32 libm (`helper`)
/// per lane, so those results are libm's bits.
pub fn binary_f32(
    e: &mut Emitter,
    x: Value,
    y: Value,
    helper: &'static str,
    f64_routine: fn(&mut Emitter, Value, Value) -> Value,
) -> Value {
    let outside_x = not_normal(e, x);
    let outside_y = not_normal(e, y);
    let outside = e.b.ins().bor(outside_x, outside_y);
    with_slow_path2(e, x, y, outside, helper, |e, x, y| {
        widened2(e, x, y, f64_routine)
    })
}

/// Lanes of an f32x4 that are NaN, infinite, zero or subnormal.
pub fn not_normal(e: &mut Emitter, x: Value) -> Value {
    let ax = e.b.ins().fabs(x);
    let min_normal = fsplat(e, types::F32X4, f32::MIN_POSITIVE as f64);
    let max = fsplat(e, types::F32X4, f32::MAX as f64);
    let small = e.b.ins().fcmp(FloatCC::UnorderedOrLessThan, ax, min_normal);
    let big = e.b.ins().fcmp(FloatCC::GreaterThan, ax, max);
    e.b.ins().bor(small, big)
}

/// tanh of an f32x4 register, in f64 to f32 accuracy: tanh |x| = m / (m + 2) with
/// m = e^(2|x|) - 1 from exp's reduction (2|x| = n ln2 + r, m = 2^n expm1(r) + (2^n - 1),
/// full relative precision for small x too), |x| clamped to 10 where tanh rounds to 1,
/// and the sign of x (so ±0 and subnormals come out exact and NaN stays NaN).
pub fn tanh_f32(e: &mut Emitter, x: Value) -> Value {
    let (lo, hi) = promote(e, x);
    let a = tanh_wide(e, lo);
    let b = tanh_wide(e, hi);
    let y = demote(e, a, b);
    super::vec_ops::copysign(e, y, x)
}

fn tanh_wide(e: &mut Emitter, x: Value) -> Value {
    let ax = e.b.ins().fabs(x);
    let lim = splat(e, 10.0);
    let big = e.b.ins().fcmp(FloatCC::GreaterThan, ax, lim);
    let big = bitcast(e, types::F64X2, big);
    let ax = e.b.ins().bitselect(big, lim, ax);
    let u = e.b.ins().fadd(ax, ax);
    let log2e = splat(e, std::f64::consts::LOG2_E);
    let sh = splat(e, SHIFTER);
    let t = fma(e, u, log2e, sh);
    let n = e.b.ins().fsub(t, sh);
    let neg_n = e.b.ins().fneg(n);
    let ln2 = splat(e, std::f64::consts::LN_2);
    let ln2_tail = splat(e, LN2_TAIL);
    let r = fma(e, neg_n, ln2, u);
    let r = fma(e, neg_n, ln2_tail, r);
    // expm1(r) = r + r^2 (1/2 + r/6 + ...): terms past r^9/9! are below 2^-30 of it.
    let coefs: Vec<f64> = (2..=9).map(|k| 1.0 / factorial(k)).collect();
    let p = horner(e, r, &coefs);
    let r2 = e.b.ins().fmul(r, r);
    let em_r = fma(e, r2, p, r);
    // 2^n for 0 <= n <= 29 from the bits of t.
    let ti = bitcast(e, types::I64X2, t);
    let shi = isplat(e, SHIFTER.to_bits() as i64);
    let ni = e.b.ins().isub(ti, shi);
    let bias = isplat(e, 1023);
    let b = e.b.ins().iadd(ni, bias);
    let b = e.b.ins().ishl_imm_s(b, 52);
    let scale = bitcast(e, types::F64X2, b);
    let one = splat(e, 1.0);
    let scale_m1 = e.b.ins().fsub(scale, one);
    let m = fma(e, scale, em_r, scale_m1);
    let two = splat(e, 2.0);
    let den = e.b.ins().fadd(m, two);
    e.b.ins().fdiv(m, den)
}

/// ln 2 - f64 LN_2.
pub(super) const LN2_TAIL: f64 = 2.319_046_813_846_3e-17;

/// atan2(y, x) for f64x2 lanes holding normal f32 values (the caller sends zeros,
/// infinities, NaNs and subnormals to libm), to f32 accuracy: with a = min(|x|, |y|),
/// b = max, s = a / b, or (a - b) / (a + b) + pi/4 when a > b tan(pi/8) (a - b and
/// a + b are exact for f32 operands); atan s by its Taylor series on |s| <= tan(pi/8)
/// (terms past s^23 below 2^-30 of it); then the octant and the sign of y.
pub fn atan2_wide(e: &mut Emitter, y: Value, x: Value) -> Value {
    let ay = e.b.ins().fabs(y);
    let ax = e.b.ins().fabs(x);
    let swap = e.b.ins().fcmp(FloatCC::GreaterThan, ay, ax);
    let swap = bitcast(e, types::F64X2, swap);
    let a = e.b.ins().bitselect(swap, ax, ay);
    let b = e.b.ins().bitselect(swap, ay, ax);
    let tan_pi_8 = splat(e, std::f64::consts::SQRT_2 - 1.0);
    let bt = e.b.ins().fmul(b, tan_pi_8);
    let far = e.b.ins().fcmp(FloatCC::GreaterThan, a, bt);
    let far = bitcast(e, types::F64X2, far);
    let diff = e.b.ins().fsub(a, b);
    let sum = e.b.ins().fadd(a, b);
    let num = e.b.ins().bitselect(far, diff, a);
    let den = e.b.ins().bitselect(far, sum, b);
    let s = e.b.ins().fdiv(num, den);
    let z = e.b.ins().fmul(s, s);
    let coefs: Vec<f64> = (1..12).map(|k| sign(k) / (2 * k + 1) as f64).collect();
    let p = horner(e, z, &coefs);
    let sz = e.b.ins().fmul(s, z);
    let at = fma(e, sz, p, s);
    let quarter = splat(e, std::f64::consts::FRAC_PI_4);
    let zero = splat(e, 0.0);
    let base = e.b.ins().bitselect(far, quarter, zero);
    let angle = e.b.ins().fadd(base, at);
    // |y| > |x|: pi/2 - angle; x < 0: pi - angle; then the sign of y.
    let half_pi = splat(e, std::f64::consts::FRAC_PI_2);
    let comp = e.b.ins().fsub(half_pi, angle);
    let angle = e.b.ins().bitselect(swap, comp, angle);
    let pi = splat(e, std::f64::consts::PI);
    let back = e.b.ins().fsub(pi, angle);
    let neg_x = e.b.ins().fcmp(FloatCC::LessThan, x, zero);
    let neg_x = bitcast(e, types::F64X2, neg_x);
    let angle = e.b.ins().bitselect(neg_x, back, angle);
    super::vec_ops::copysign(e, angle, y)
}
