//! log, log2, log10 and log1p: x = 2^k (1 + f) from the bits, log(1 + f) from
//! s = f / (2 + f) and an odd series in s (fdlibm's method), and the hi/lo splits of
//! FreeBSD's e_log2.c / e_log10.c for the other bases.

use super::double_double::two_sum;
use super::exp::{LN2_HI, LN2_LO};
use super::slow_path::with_slow_path;
use super::vec_ops::{fma, horner, isplat, keep_zero, splat, SHIFTER};
use crate::translate::Emitter;
use crate::vector::bitcast;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// Natural logarithm.
pub fn log(e: &mut Emitter, x: Value) -> Value {
    let min_normal = splat(e, f64::MIN_POSITIVE);
    let max = splat(e, f64::MAX);
    let below = e.b.ins().fcmp(FloatCC::UnorderedOrLessThan, x, min_normal);
    let above = e.b.ins().fcmp(FloatCC::GreaterThan, x, max);
    let outside = e.b.ins().bor(below, above);
    let [y] = with_slow_path(e, x, outside, ["me_log"], |e, x| {
        let LogParts { kf, f, s, hfsq, rr } = log_parts(e, x);
        let inner = e.b.ins().fadd(hfsq, rr);
        let ln2_hi = splat(e, LN2_HI);
        let ln2_lo = splat(e, LN2_LO);
        let klo = e.b.ins().fmul(kf, ln2_lo);
        let sr = fma(e, s, inner, klo);
        let a = e.b.ins().fsub(hfsq, sr);
        let a = e.b.ins().fsub(a, f);
        let khi = e.b.ins().fmul(kf, ln2_hi);
        [e.b.ins().fsub(khi, a)]
    });
    y
}

/// x = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2)), for positive normal finite x;
/// s = f / (2 + f), hfsq = f^2 / 2, and log(1 + f) = f - (hfsq - s (hfsq + rr)).
pub(super) struct LogParts {
    pub kf: Value,
    pub f: Value,
    pub s: Value,
    pub hfsq: Value,
    pub rr: Value,
}

/// x = 2^k m with m in [sqrt(1/2), sqrt(2)), for positive normal finite f64 lanes:
/// returns (m, k as a double).
pub(super) fn split_exponent(e: &mut Emitter, x: Value) -> (Value, Value) {
    let xi = bitcast(e, types::I64X2, x);
    let off = isplat(e, 0x3FE6A09E667F3BCD);
    let d = e.b.ins().isub(xi, off);
    let k = e.b.ins().sshr_imm_s(d, 52);
    let k_shifted = e.b.ins().ishl_imm_s(k, 52);
    let mi = e.b.ins().isub(xi, k_shifted);
    let m = bitcast(e, types::F64X2, mi);
    // k as a double: add it to the mantissa of 1.5 * 2^52, subtract 1.5 * 2^52.
    let shi = isplat(e, SHIFTER.to_bits() as i64);
    let kb = e.b.ins().iadd(k, shi);
    let kb = bitcast(e, types::F64X2, kb);
    let sh = splat(e, SHIFTER);
    let kf = e.b.ins().fsub(kb, sh);
    (m, kf)
}

pub(super) fn log_parts(e: &mut Emitter, x: Value) -> LogParts {
    let (m, kf) = split_exponent(e, x);
    let one = splat(e, 1.0);
    let two = splat(e, 2.0);
    let f = e.b.ins().fsub(m, one);
    let den = e.b.ins().fadd(two, f);
    let s = e.b.ins().fdiv(f, den);
    let z = e.b.ins().fmul(s, s);
    // R = z*(2/3 + 2z/5 + 2z^2/7 + ...).
    let coefs: Vec<f64> = (1..=11).map(|k| 2.0 / (2 * k + 1) as f64).collect();
    let poly = horner(e, z, &coefs);
    let rr = e.b.ins().fmul(z, poly);
    let half = splat(e, 0.5);
    let hf = e.b.ins().fmul(half, f);
    let hfsq = e.b.ins().fmul(hf, f);
    LogParts { kf, f, s, hfsq, rr }
}

/// Not a positive normal finite number: log's slow-path condition.
pub(super) fn log_outside(e: &mut Emitter, x: Value) -> Value {
    let min_normal = splat(e, f64::MIN_POSITIVE);
    let max = splat(e, f64::MAX);
    let below = e.b.ins().fcmp(FloatCC::UnorderedOrLessThan, x, min_normal);
    let above = e.b.ins().fcmp(FloatCC::GreaterThan, x, max);
    e.b.ins().bor(below, above)
}

/// fdlibm (FreeBSD e_log2.c / e_log10.c) split of log(1 + f): hi = f - hfsq with
/// the low 32 bits cleared, lo = (f - hi) - hfsq + s (hfsq + R); hi + lo = log(1+f)
/// with hi * (a 33-bit constant) exact.
pub(super) fn log_hi_lo(e: &mut Emitter, lp: &LogParts) -> (Value, Value) {
    let inner = e.b.ins().fadd(lp.hfsq, lp.rr);
    let r = e.b.ins().fmul(lp.s, inner);
    let hi = e.b.ins().fsub(lp.f, lp.hfsq);
    let hi_i = bitcast(e, types::I64X2, hi);
    let mask = isplat(e, !0xFFFF_FFFFi64);
    let hi_i = e.b.ins().band(hi_i, mask);
    let hi = bitcast(e, types::F64X2, hi_i);
    let lo = e.b.ins().fsub(lp.f, hi);
    let lo = e.b.ins().fsub(lo, lp.hfsq);
    let lo = e.b.ins().fadd(lo, r);
    (hi, lo)
}

/// 1/ln 2 split as in FreeBSD e_log2.c: IVLN2_HI has 33 significant bits.
pub(super) const IVLN2_HI: f64 = f64::from_bits(0x3FF7154765200000);
pub(crate) const IVLN2_LO: f64 = f64::from_bits(0x3DE705FC2EEFA200);
/// 1/ln 10 and log10(2) split as in FreeBSD e_log10.c.
pub(crate) const IVLN10_HI: f64 = f64::from_bits(0x3FDBCB7B15200000);
pub(crate) const IVLN10_LO: f64 = f64::from_bits(0x3DBB9438CA9AADD5);
pub(crate) const LOG10_2_HI: f64 = f64::from_bits(0x3FD34413509F6000);
pub(crate) const LOG10_2_LO: f64 = f64::from_bits(0x3D59FEF311F12B36);

/// log2 x = k + log(1+f) / ln 2 (FreeBSD e_log2.c).
pub fn log2(e: &mut Emitter, x: Value) -> Value {
    let outside = log_outside(e, x);
    let [y] = with_slow_path(e, x, outside, ["me_log2"], |e, x| {
        let lp = log_parts(e, x);
        let (hi, lo) = log_hi_lo(e, &lp);
        let c_hi = splat(e, IVLN2_HI);
        let c_lo = splat(e, IVLN2_LO);
        let val_hi = e.b.ins().fmul(hi, c_hi);
        let lh = e.b.ins().fadd(lo, hi);
        let lo_hi = e.b.ins().fmul(lo, c_hi);
        let val_lo = fma(e, lh, c_lo, lo_hi);
        // w = k + val_hi, its rounding error folded into val_lo.
        let w = e.b.ins().fadd(lp.kf, val_hi);
        let kw = e.b.ins().fsub(lp.kf, w);
        let kw = e.b.ins().fadd(kw, val_hi);
        let val_lo = e.b.ins().fadd(val_lo, kw);
        [e.b.ins().fadd(val_lo, w)]
    });
    y
}

/// log10 x = k log10(2) + log(1+f) / ln 10 (FreeBSD e_log10.c).
pub fn log10(e: &mut Emitter, x: Value) -> Value {
    let outside = log_outside(e, x);
    let [y] = with_slow_path(e, x, outside, ["me_log10"], |e, x| {
        let lp = log_parts(e, x);
        let (hi, lo) = log_hi_lo(e, &lp);
        let c_hi = splat(e, IVLN10_HI);
        let c_lo = splat(e, IVLN10_LO);
        let l2_hi = splat(e, LOG10_2_HI);
        let l2_lo = splat(e, LOG10_2_LO);
        let val_hi = e.b.ins().fmul(hi, c_hi);
        let y2 = e.b.ins().fmul(lp.kf, l2_hi);
        let lh = e.b.ins().fadd(lo, hi);
        let lo_hi = e.b.ins().fmul(lo, c_hi);
        let val_lo = fma(e, lh, c_lo, lo_hi);
        let val_lo = fma(e, lp.kf, l2_lo, val_lo);
        let w = e.b.ins().fadd(y2, val_hi);
        let kw = e.b.ins().fsub(y2, w);
        let kw = e.b.ins().fadd(kw, val_hi);
        let val_lo = e.b.ins().fadd(val_lo, kw);
        [e.b.ins().fadd(val_lo, w)]
    });
    y
}

/// log(1 + x) = log(u) + c/u, u + c = 1 + x exactly (two-sum).
pub fn log1p(e: &mut Emitter, x: Value) -> Value {
    let one = splat(e, 1.0);
    let u = e.b.ins().fadd(one, x);
    // u not positive normal finite (x <= -1, Inf, NaN) -> libm.
    let outside = log_outside(e, u);
    let [y] = with_slow_path(e, x, outside, ["me_log1p"], |e, x| {
        let one = splat(e, 1.0);
        let (u, c) = two_sum(e, one, x);
        let cu = e.b.ins().fdiv(c, u);
        let LogParts { kf, f, s, hfsq, rr } = log_parts(e, u);
        let inner = e.b.ins().fadd(hfsq, rr);
        let ln2_hi = splat(e, LN2_HI);
        let ln2_lo = splat(e, LN2_LO);
        let klo = fma(e, kf, ln2_lo, cu);
        let sr = fma(e, s, inner, klo);
        let a = e.b.ins().fsub(hfsq, sr);
        let a = e.b.ins().fsub(a, f);
        let khi = e.b.ins().fmul(kf, ln2_hi);
        let y = e.b.ins().fsub(khi, a);
        // log1p(±0) = ±0.
        [keep_zero(e, x, y)]
    });
    y
}
