//! e^x, 2^x and e^x - 1: x = n ln 2 + r (Cody-Waite), a Taylor polynomial for e^r,
//! and 2^n rebuilt from integer operations on the bits.

use super::double_double::two_sum;
use super::vec_ops::{clamp, factorial, fma, horner, isplat, keep_zero, splat, SHIFTER};
use crate::translate::Emitter;
use crate::vector::bitcast;
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// e^x.
pub fn exp(e: &mut Emitter, x: Value) -> Value {
    // Clamp so the scale factors below stay finite; overflow/underflow then come out of
    // the final multiplications as inf/0 (NaN passes through fmin/fmax).
    let hi = splat(e, 710.0);
    let lo = splat(e, -746.0);
    let xc = e.b.ins().fmin(x, hi);
    let xc = e.b.ins().fmax(xc, lo);
    let (p, ni) = exp_parts(e, xc);
    scale2(e, p, ni)
}

/// e^x = p * 2^n for a clamped (|x| < 1100, or NaN) x: returns (p, n as i64x2), with
/// p = e^r, r = x - n ln 2 in [-ln2/2, ln2/2].
pub(super) fn exp_parts(e: &mut Emitter, xc: Value) -> (Value, Value) {
    let log2e = splat(e, std::f64::consts::LOG2_E);
    let sh = splat(e, SHIFTER);
    let t = fma(e, xc, log2e, sh);
    let n = e.b.ins().fsub(t, sh);
    let neg_n = e.b.ins().fneg(n);
    let ln2_hi = splat(e, LN2_HI);
    let ln2_lo = splat(e, LN2_LO);
    let r = fma(e, neg_n, ln2_hi, xc);
    let r = fma(e, neg_n, ln2_lo, r);
    let coefs: Vec<f64> = (0..=13).map(|k| 1.0 / factorial(k)).collect();
    let p = horner(e, r, &coefs);
    (p, shifted_int(e, t))
}

/// The integer n held in the low mantissa bits of `t = y + SHIFTER`, as i64x2.
pub(super) fn shifted_int(e: &mut Emitter, t: Value) -> Value {
    let ti = bitcast(e, types::I64X2, t);
    let shi = isplat(e, SHIFTER.to_bits() as i64);
    e.b.ins().isub(ti, shi)
}

/// 2^k as f64x2 for an i64x2 k in [-1022, 1023].
pub(super) fn pow2i(e: &mut Emitter, k: Value) -> Value {
    let bias = isplat(e, 1023);
    let b = e.b.ins().iadd(k, bias);
    let b = e.b.ins().ishl_imm_s(b, 52);
    bitcast(e, types::F64X2, b)
}

/// p * 2^n, with 2^n split in two factors so n up to +-2000 stays representable;
/// over/underflow happen (rounded once) in the last multiplication.
pub(super) fn scale2(e: &mut Emitter, p: Value, ni: Value) -> Value {
    let n1 = e.b.ins().sshr_imm_s(ni, 1);
    let n2 = e.b.ins().isub(ni, n1);
    let s1 = pow2i(e, n1);
    let s2 = pow2i(e, n2);
    let y = e.b.ins().fmul(p, s1);
    e.b.ins().fmul(y, s2)
}

/// ln 2 in two parts (Cody-Waite): LN2_HI has 32 significant bits, so n * LN2_HI is
/// exact for |n| < 2^21; LN2_HI + LN2_LO = ln 2 to about 2^-88 relative.
pub(super) const LN2_HI: f64 = f64::from_bits(0x3FE62E42FEE00000);
pub(crate) const LN2_LO: f64 = f64::from_bits(0x3DEA39EF35793C76);

/// ln 2 - f64 LN_2 (the low part of ln 2 after the double nearest it), from the
/// Cody-Waite pair: LN2_HI - LN_2 is exact (Sterbenz), adding LN2_LO rounds once.
pub(super) fn ln2_tail() -> f64 {
    (LN2_HI - std::f64::consts::LN_2) + LN2_LO
}

/// 2^x.
pub fn exp2(e: &mut Emitter, x: Value) -> Value {
    // x = n + r exactly, |r| <= 1/2; 2^r = e^a with a = r ln 2 carried as a + da.
    // Clamping keeps the scale factors finite; NaN, ±Inf, ±0 and subnormals come out
    // of the same arithmetic as libm's (NaN, inf/0, 1).
    let xc = clamp(e, x, -1100.0, 1100.0);
    let sh = splat(e, SHIFTER);
    let t = e.b.ins().fadd(xc, sh);
    let n = e.b.ins().fsub(t, sh);
    let r = e.b.ins().fsub(xc, n);
    let ln2 = splat(e, std::f64::consts::LN_2);
    let ln2_tail = splat(e, ln2_tail());
    let a = e.b.ins().fmul(r, ln2);
    let neg_a = e.b.ins().fneg(a);
    let da = fma(e, r, ln2, neg_a);
    let da = fma(e, r, ln2_tail, da);
    let coefs: Vec<f64> = (0..=13).map(|k| 1.0 / factorial(k)).collect();
    let p = horner(e, a, &coefs);
    let p = fma(e, p, da, p);
    let ni = shifted_int(e, t);
    scale2(e, p, ni)
}

/// e^x - 1 for x already clamped to [-38, 710] (or NaN); -0 comes out as +0. With
/// `want_lo`, also the rounding error of the result (for |x| < 700).
///
/// x = n ln 2 + (rh + rl); e^x - 1 = 2^n ((1 - 2^-n) + expm1(r)), where the sum is
/// done with two-sums so that only its final rounding (and the small tail's error)
/// counts. For x <= -38 the result rounds to -1, as at the clamp.
pub(super) fn expm1_core(e: &mut Emitter, xc: Value, want_lo: bool) -> (Value, Value) {
    let log2e = splat(e, std::f64::consts::LOG2_E);
    let sh = splat(e, SHIFTER);
    let t = fma(e, xc, log2e, sh);
    let n = e.b.ins().fsub(t, sh);
    let neg_n = e.b.ins().fneg(n);
    let ln2_hi = splat(e, LN2_HI);
    let ln2_lo = splat(e, LN2_LO);
    let t1 = fma(e, neg_n, ln2_hi, xc); // exact
    let rh = fma(e, neg_n, ln2_lo, t1);
    let d = e.b.ins().fsub(t1, rh); // exact
    let rl = fma(e, neg_n, ln2_lo, d);
    // expm1(rh) = rh + rh^2 * Q(rh), Q = sum rh^k / (k+2)!; |rh| <= 0.35.
    let coefs: Vec<f64> = (0..=14).map(|k| 1.0 / factorial(k + 2)).collect();
    let q = horner(e, rh, &coefs);
    let z = e.b.ins().fmul(rh, rh);
    let u = e.b.ins().fmul(z, q);
    // expm1(rh + rl) ~ expm1(rh) + rl (1 + rh).
    let b = fma(e, rl, rh, rl);
    let b = e.b.ins().fadd(b, u);
    // c = 1 - 2^-n with its rounding error; 2^-n built from two factors (n <= 1025).
    let ni = shifted_int(e, t);
    let n1 = e.b.ins().sshr_imm_s(ni, 1);
    let n2 = e.b.ins().isub(ni, n1);
    let m1 = e.b.ins().ineg(n1);
    let m2 = e.b.ins().ineg(n2);
    let p1 = pow2i(e, m1);
    let p2 = pow2i(e, m2);
    let p = e.b.ins().fmul(p1, p2);
    let one = splat(e, 1.0);
    let neg_p = e.b.ins().fneg(p);
    let (c, cerr) = two_sum(e, one, neg_p);
    let (hi, lo) = two_sum(e, c, rh);
    let tail = e.b.ins().fadd(lo, cerr);
    let tail = e.b.ins().fadd(tail, b);
    let s = e.b.ins().fadd(hi, tail);
    let s1 = pow2i(e, n1);
    let s2 = pow2i(e, n2);
    let y = e.b.ins().fmul(s, s1);
    let y = e.b.ins().fmul(y, s2);
    if !want_lo {
        return (y, y);
    }
    // The rounding error of s, scaled the same way (exact while no under/overflow).
    let hs = e.b.ins().fsub(hi, s);
    let s_lo = e.b.ins().fadd(hs, tail);
    let y_lo = e.b.ins().fmul(s_lo, s1);
    let y_lo = e.b.ins().fmul(y_lo, s2);
    (y, y_lo)
}

/// e^x - 1.
pub fn expm1(e: &mut Emitter, x: Value) -> Value {
    // -Inf clamps to -38 (result -1), +Inf to 710 (overflow to inf), NaN passes.
    let xc = clamp(e, x, -38.0, 710.0);
    let (y, _) = expm1_core(e, xc, false);
    keep_zero(e, x, y)
}
