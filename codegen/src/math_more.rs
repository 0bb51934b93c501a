//! More inline f64x2 approximations, built from the pieces of `math.rs`: exp2, expm1,
//! sinh, cosh, tanh (exp's reduction and 2^n scaling), tan (the sin/cos reduction),
//! log2, log10, log1p (log's reduction), atan, atan2 and hypot.
//!
//! Same method and rules as `math.rs`: exact reductions or reductions whose rounding
//! error is carried in a second double, Taylor coefficients computed here, and any lane
//! outside the fast range sends the vector to the libm helper (so special values are
//! libm's). Where an approximation handles a special value itself (±0, ±Inf, NaN,
//! subnormals) the comment says how; `tests/ulp.rs` checks them against libm.

use crate::math::{
    factorial, fma, horner, log_parts, pow2i, scale2, shifted_int, splat, with_slow_path, LogParts,
    COS_COEFS, LN2_HI, LN2_LO, SHIFTER, SIN_COEFS,
};
use crate::translate::Emitter;
use crate::vector::bitcast;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// ln 2 - f64 LN_2 (the low part of ln 2 after the double nearest it), from the
/// Cody-Waite pair: LN2_HI - LN_2 is exact (Sterbenz), adding LN2_LO rounds once.
fn ln2_tail() -> f64 {
    (LN2_HI - std::f64::consts::LN_2) + LN2_LO
}

/// `mask ? a : b` for an f64x2 comparison mask.
fn select(e: &mut Emitter, mask: Value, a: Value, b: Value) -> Value {
    let m = bitcast(e, types::F64X2, mask);
    e.b.ins().bitselect(m, a, b)
}

/// x where x == ±0 (keeps the sign of zero), y elsewhere.
fn keep_zero(e: &mut Emitter, x: Value, y: Value) -> Value {
    let zero = splat(e, 0.0);
    let is_zero = e.b.ins().fcmp(FloatCC::Equal, x, zero);
    select(e, is_zero, x, y)
}

/// min(max(x, lo), hi); NaN passes through.
fn clamp(e: &mut Emitter, x: Value, lo: f64, hi: f64) -> Value {
    let l = splat(e, lo);
    let h = splat(e, hi);
    let y = e.b.ins().fmax(x, l);
    e.b.ins().fmin(y, h)
}

/// |a| with the sign of b (Cranelift's x64 backend has no f64x2 fcopysign).
pub(crate) fn copysign(e: &mut Emitter, a: Value, b: Value) -> Value {
    let sign = splat(e, -0.0);
    let mag = e.b.ins().fabs(a);
    let sb = e.b.ins().band(b, sign);
    e.b.ins().bor(mag, sb)
}

/// Knuth's two-sum: (s, err) with s = fl(a + b) and a + b = s + err exactly.
fn two_sum(e: &mut Emitter, a: Value, b: Value) -> (Value, Value) {
    let s = e.b.ins().fadd(a, b);
    let bb = e.b.ins().fsub(s, a);
    let ab = e.b.ins().fsub(s, bb);
    let da = e.b.ins().fsub(a, ab);
    let db = e.b.ins().fsub(b, bb);
    (s, e.b.ins().fadd(da, db))
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
fn expm1_core(e: &mut Emitter, xc: Value, want_lo: bool) -> (Value, Value) {
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

/// e^|x| / 2 as a double-double (hi, lo), for |x| clamped to 711 (so overflow gives
/// hi = inf).
fn half_exp_abs(e: &mut Emitter, x: Value) -> (Value, Value) {
    let ax = e.b.ins().fabs(x);
    let lim = splat(e, 711.0);
    let xc = e.b.ins().fmin(ax, lim);
    // exp's reduction, with r's rounding error kept in rl.
    let log2e = splat(e, std::f64::consts::LOG2_E);
    let sh = splat(e, SHIFTER);
    let t = fma(e, xc, log2e, sh);
    let n = e.b.ins().fsub(t, sh);
    let neg_n = e.b.ins().fneg(n);
    let ln2_hi = splat(e, LN2_HI);
    let ln2_lo = splat(e, LN2_LO);
    let t1 = fma(e, neg_n, ln2_hi, xc);
    let r = fma(e, neg_n, ln2_lo, t1);
    let d = e.b.ins().fsub(t1, r);
    let rl = fma(e, neg_n, ln2_lo, d);
    // e^r = 1 + v, v = r * sum r^k / (k+1)!; (ph, pl) = 1 + v exactly (|v| < 1).
    let coefs: Vec<f64> = (0..=12).map(|k| 1.0 / factorial(k + 1)).collect();
    let acc = horner(e, r, &coefs);
    let v = e.b.ins().fmul(acc, r);
    let one = splat(e, 1.0);
    let ph = e.b.ins().fadd(one, v);
    let d1 = e.b.ins().fsub(one, ph);
    let pl = e.b.ins().fadd(d1, v);
    let pl = fma(e, rl, ph, pl);
    let ni = shifted_int(e, t);
    let one_i = crate::math::isplat(e, 1);
    let ni = e.b.ins().isub(ni, one_i);
    let n1 = e.b.ins().sshr_imm_s(ni, 1);
    let n2 = e.b.ins().isub(ni, n1);
    let s1 = pow2i(e, n1);
    let s2 = pow2i(e, n2);
    let hh = e.b.ins().fmul(ph, s1);
    let hh = e.b.ins().fmul(hh, s2);
    let hl = e.b.ins().fmul(pl, s1);
    let hl = e.b.ins().fmul(hl, s2);
    (hh, hl)
}

/// h ± 1/(4h) for h = e^|x|/2 = hh + hl, rounded once (up to the small terms' error);
/// inf where hh overflows.
fn h_pm_quarter_over_h(e: &mut Emitter, x: Value, minus: bool) -> Value {
    let (hh, hl) = half_exp_abs(e, x);
    let quarter = splat(e, 0.25);
    let q0 = e.b.ins().fdiv(quarter, hh);
    // 1/(4h) = q0 + ql: the division's residual and hl's effect, over hh.
    let neg_q0 = e.b.ins().fneg(q0);
    let res = fma(e, neg_q0, hh, quarter);
    let res = fma(e, neg_q0, hl, res);
    let ql = e.b.ins().fdiv(res, hh);
    let (q0, ql) = if minus {
        (neg_q0, e.b.ins().fneg(ql))
    } else {
        (q0, ql)
    };
    let (s, err) = two_sum(e, hh, q0);
    let tail = e.b.ins().fadd(hl, ql);
    let tail = e.b.ins().fadd(tail, err);
    let y = e.b.ins().fadd(s, tail);
    let inf = splat(e, f64::INFINITY);
    let over = e.b.ins().fcmp(FloatCC::Equal, hh, inf);
    select(e, over, hh, y)
}

/// sinh x.
pub fn sinh(e: &mut Emitter, x: Value) -> Value {
    // |x| < 1: the Taylor series x + x^3/3! + ... (keeps ±0 and subnormals exact).
    let z = e.b.ins().fmul(x, x);
    let coefs: Vec<f64> = (0..=9).map(|k| 1.0 / factorial(2 * k + 3)).collect();
    let ps = horner(e, z, &coefs);
    let x3 = e.b.ins().fmul(x, z);
    let small = fma(e, x3, ps, x);
    // Otherwise h - 1/(4h), h = e^|x| / 2, with the sign of x (±Inf -> ±Inf, NaN -> NaN).
    let big = h_pm_quarter_over_h(e, x, true);
    let big = copysign(e, big, x);
    let ax = e.b.ins().fabs(x);
    let one = splat(e, 1.0);
    let is_small = e.b.ins().fcmp(FloatCC::LessThan, ax, one);
    select(e, is_small, small, big)
}

/// cosh x = h + 1/(4h), h = e^|x| / 2 (no cancellation anywhere; cosh(±0) = 1,
/// ±Inf -> inf, NaN -> NaN).
pub fn cosh(e: &mut Emitter, x: Value) -> Value {
    h_pm_quarter_over_h(e, x, false)
}

/// tanh x = t / (t + 2), t = expm1(2|x|) as a double-double, with the sign of x. |x|
/// is clamped to 22, where tanh rounds to 1; ±0 and subnormals come out exact, NaN as
/// NaN.
pub fn tanh(e: &mut Emitter, x: Value) -> Value {
    let ax = e.b.ins().fabs(x);
    let lim = splat(e, 22.0);
    let axc = e.b.ins().fmin(ax, lim);
    let x2 = e.b.ins().fadd(axc, axc);
    let (th, tl) = expm1_core(e, x2, true);
    let two = splat(e, 2.0);
    let (dh, de) = two_sum(e, th, two);
    let dl = e.b.ins().fadd(de, tl);
    let y = div_dd(e, th, tl, dh, dl);
    copysign(e, y, x)
}

/// (nh + nl) / (dh + dl) for unevaluated sums, with the division's rounding error
/// corrected by one residual step.
fn div_dd(e: &mut Emitter, nh: Value, nl: Value, dh: Value, dl: Value) -> Value {
    let n = e.b.ins().fadd(nh, nl);
    let d = e.b.ins().fadd(dh, dl);
    let q0 = e.b.ins().fdiv(n, d);
    let neg_q0 = e.b.ins().fneg(q0);
    let res = fma(e, neg_q0, dh, nh);
    let res = e.b.ins().fadd(res, nl);
    let res = fma(e, neg_q0, dl, res);
    let corr = e.b.ins().fdiv(res, d);
    e.b.ins().fadd(q0, corr)
}

/// tan x: sin r / cos r in even quadrants, -cos r / sin r in odd ones, with
/// x = n pi/2 + (rh + rl) reduced as in `math::trig_parts` but with the rounding
/// error of r carried in rl, and both sin r and cos r as unevaluated sums.
pub fn tan(e: &mut Emitter, x: Value) -> Value {
    let ax = e.b.ins().fabs(x);
    let limit = splat(e, 1e5);
    let outside = e.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, ax, limit);
    let [y] = with_slow_path(e, x, outside, ["me_tan"], |e, x| {
        let two_over_pi = splat(e, std::f64::consts::FRAC_2_PI);
        let sh = splat(e, SHIFTER);
        let t = fma(e, x, two_over_pi, sh);
        let n = e.b.ins().fsub(t, sh);
        let neg_n = e.b.ins().fneg(n);
        // fdlibm's pi/2 parts; the first three have 33 bits, so n * part is exact for
        // |n| < 2^20 and x - n * PIO2_1 is exact (Sterbenz).
        let [p1, p2, p3, p4] = [
            0x3FF921FB54400000u64,
            0x3DD0B4611A600000,
            0x3BA3198A2E000000,
            0x397B839A252049C1,
        ]
        .map(|b| splat(e, f64::from_bits(b)));
        let r1 = fma(e, neg_n, p1, x);
        let np2 = e.b.ins().fmul(neg_n, p2);
        let (r2, e2) = two_sum(e, r1, np2);
        let rl = fma(e, neg_n, p3, e2);
        let rl = fma(e, neg_n, p4, rl);
        let (r, rl) = two_sum(e, r2, rl);
        let z = e.b.ins().fmul(r, r);
        // sin(r + rl) = r + (r^3 S(z) + rl cos r).
        let ps = horner(e, z, &SIN_COEFS);
        let r3 = e.b.ins().fmul(z, r);
        let half = splat(e, 0.5);
        let hz = e.b.ins().fmul(half, z);
        let one = splat(e, 1.0);
        let w = e.b.ins().fsub(one, hz);
        let st = e.b.ins().fmul(r3, ps);
        let sin_tail = fma(e, rl, w, st);
        // cos(r + rl) = w + ((1 - w) - z/2 + z^2 C(z) - rl r) (fdlibm's __kernel_cos).
        let pc = horner(e, z, &COS_COEFS);
        let one_minus_w = e.b.ins().fsub(one, w);
        let tail = e.b.ins().fsub(one_minus_w, hz);
        let z2 = e.b.ins().fmul(z, z);
        let tail = fma(e, z2, pc, tail);
        let neg_rl = e.b.ins().fneg(rl);
        let cos_tail = fma(e, neg_rl, r, tail);
        let ti = bitcast(e, types::I64X2, t);
        let one_i = crate::math::isplat(e, 1);
        let odd = e.b.ins().band(ti, one_i);
        let odd = e.b.ins().icmp(IntCC::Equal, odd, one_i);
        let nh = select(e, odd, w, r);
        let nl = select(e, odd, cos_tail, sin_tail);
        let dh = select(e, odd, r, w);
        let dl = select(e, odd, sin_tail, cos_tail);
        let q = div_dd(e, nh, nl, dh, dl);
        let nq = e.b.ins().fneg(q);
        let y = select(e, odd, nq, q);
        // tan(±0) = ±0.
        [keep_zero(e, x, y)]
    });
    y
}

/// Not a positive normal finite number: log's slow-path condition.
fn log_outside(e: &mut Emitter, x: Value) -> Value {
    let min_normal = splat(e, f64::MIN_POSITIVE);
    let max = splat(e, f64::MAX);
    let below = e.b.ins().fcmp(FloatCC::UnorderedOrLessThan, x, min_normal);
    let above = e.b.ins().fcmp(FloatCC::GreaterThan, x, max);
    e.b.ins().bor(below, above)
}

/// fdlibm (FreeBSD e_log2.c / e_log10.c) split of log(1 + f): hi = f - hfsq with
/// the low 32 bits cleared, lo = (f - hi) - hfsq + s (hfsq + R); hi + lo = log(1+f)
/// with hi * (a 33-bit constant) exact.
fn log_hi_lo(e: &mut Emitter, lp: &LogParts) -> (Value, Value) {
    let inner = e.b.ins().fadd(lp.hfsq, lp.rr);
    let r = e.b.ins().fmul(lp.s, inner);
    let hi = e.b.ins().fsub(lp.f, lp.hfsq);
    let hi_i = bitcast(e, types::I64X2, hi);
    let mask = crate::math::isplat(e, !0xFFFF_FFFFi64);
    let hi_i = e.b.ins().band(hi_i, mask);
    let hi = bitcast(e, types::F64X2, hi_i);
    let lo = e.b.ins().fsub(lp.f, hi);
    let lo = e.b.ins().fsub(lo, lp.hfsq);
    let lo = e.b.ins().fadd(lo, r);
    (hi, lo)
}

/// 1/ln 2 split as in FreeBSD e_log2.c: IVLN2_HI has 33 significant bits.
pub(crate) const IVLN2_HI: f64 = f64::from_bits(0x3FF7154765200000);
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

/// Knuth's two-product: (p, err) with p = fl(a b) and a b = p + err exactly.
fn two_prod(e: &mut Emitter, a: Value, b: Value) -> (Value, Value) {
    let p = e.b.ins().fmul(a, b);
    let neg_p = e.b.ins().fneg(p);
    (p, fma(e, a, b, neg_p))
}

/// (nh + nl) / (dh + dl) as q0 + corr (|corr| about an ulp of q0 at most).
fn div_dd_pair(e: &mut Emitter, nh: Value, nl: Value, dh: Value, dl: Value) -> (Value, Value) {
    let n = e.b.ins().fadd(nh, nl);
    let d = e.b.ins().fadd(dh, dl);
    let q0 = e.b.ins().fdiv(n, d);
    let neg_q0 = e.b.ins().fneg(q0);
    let res = fma(e, neg_q0, dh, nh);
    let res = e.b.ins().fadd(res, nl);
    let res = fma(e, neg_q0, dl, res);
    (q0, e.b.ins().fdiv(res, d))
}

/// atan(c) = hi + lo for c = 1/2, 1, 3/2 and atan(inf) = pi/2 (fdlibm s_atan.c; each
/// hi is the double nearest atan(c), checked in tests/ulp.rs).
const ATAN_HI: [u64; 4] = [
    0x3FDDAC670561BB4F,
    0x3FE921FB54442D18,
    0x3FEF730BD281F69B,
    0x3FF921FB54442D18,
];
const ATAN_LO: [u64; 4] = [
    0x3C7A2B7F222F65E2,
    0x3C81A62633145C07,
    0x3C7007887AF0CBBD,
    0x3C91A62633145C07,
];

/// atan(ay / ax) for ay, ax >= 0 finite (ax > 0 or ay > 0, no overflow in 3 ay,
/// 3 ax), as (hi, s, t): the angle is hi + (s + t), with |t| <= 0.44 and s small.
///
/// fdlibm's reduction: atan(u) = atan(c) + atan(t), t = (u - c) / (1 + u c) for c in
/// {0, 1/2, 1, 3/2, inf} by the range of u; t is computed from ay and ax with exact
/// products and sums and a corrected division, and atan(t) = t - t^3/3 + t^5/5 - ...
/// (Taylor, 22 terms: |t|^45 / 45 < 2^-57 for |t| <= 7/16).
fn atan_parts(e: &mut Emitter, ay: Value, ax: Value) -> (Value, Value, Value) {
    let u = e.b.ins().fdiv(ay, ax);
    let lt = |e: &mut Emitter, c: f64| {
        let cv = splat(e, c);
        e.b.ins().fcmp(FloatCC::LessThan, u, cv)
    };
    let in0 = lt(e, 7.0 / 16.0);
    let in1 = lt(e, 11.0 / 16.0);
    let in2 = lt(e, 19.0 / 16.0);
    let in3 = lt(e, 39.0 / 16.0);
    let zero = splat(e, 0.0);
    let two = splat(e, 2.0);
    let three = splat(e, 3.0);
    let ay2 = e.b.ins().fmul(two, ay);
    let ax2 = e.b.ins().fmul(two, ax);
    // Region 3 (c = 3/2): (2 ay - 3 ax) / (2 ax + 3 ay).
    let (p, pe) = two_prod(e, three, ax);
    let neg_p = e.b.ins().fneg(p);
    let (n3h, n3e) = two_sum(e, ay2, neg_p);
    let n3l = e.b.ins().fsub(n3e, pe);
    let (q, qe) = two_prod(e, three, ay);
    let (d3h, d3e) = two_sum(e, ax2, q);
    let d3l = e.b.ins().fadd(d3e, qe);
    // Region 4 (c = inf): -ax / ay.
    let neg_ax = e.b.ins().fneg(ax);
    let (nh, nl, dh, dl) = (neg_ax, zero, ay, zero);
    let nh = select(e, in3, n3h, nh);
    let nl = select(e, in3, n3l, nl);
    let dh = select(e, in3, d3h, dh);
    let dl = select(e, in3, d3l, dl);
    // Region 2 (c = 1): (ay - ax) / (ax + ay); the numerator is exact (Sterbenz).
    let n2 = e.b.ins().fsub(ay, ax);
    let (d2h, d2l) = two_sum(e, ax, ay);
    let nh = select(e, in2, n2, nh);
    let nl = select(e, in2, zero, nl);
    let dh = select(e, in2, d2h, dh);
    let dl = select(e, in2, d2l, dl);
    // Region 1 (c = 1/2): (2 ay - ax) / (2 ax + ay); the numerator is exact.
    let n1 = e.b.ins().fsub(ay2, ax);
    let (d1h, d1l) = two_sum(e, ax2, ay);
    let nh = select(e, in1, n1, nh);
    let dh = select(e, in1, d1h, dh);
    let dl = select(e, in1, d1l, dl);
    // Region 0 (c = 0): ay / ax.
    let nh = select(e, in0, ay, nh);
    let dh = select(e, in0, ax, dh);
    let dl = select(e, in0, zero, dl);
    let nl = select(e, in1, zero, nl);
    let (t, t_lo) = div_dd_pair(e, nh, nl, dh, dl);
    let c = |e: &mut Emitter, bits: [u64; 4]| {
        let mut v = splat(e, f64::from_bits(bits[3]));
        for (i, m) in [(2, in3), (1, in2), (0, in1)] {
            let ci = splat(e, f64::from_bits(bits[i]));
            v = select(e, m, ci, v);
        }
        select(e, in0, zero, v)
    };
    let hi = c(e, ATAN_HI);
    let lo = c(e, ATAN_LO);
    let z = e.b.ins().fmul(t, t);
    let coefs: Vec<f64> = (1..=22)
        .map(|k| {
            let c = 1.0 / (2 * k + 1) as f64;
            if k % 2 == 1 {
                -c
            } else {
                c
            }
        })
        .collect();
    let pz = horner(e, z, &coefs);
    let t3 = e.b.ins().fmul(t, z);
    let s = e.b.ins().fadd(lo, t_lo);
    let s = fma(e, t3, pz, s);
    (hi, s, t)
}

/// atan x (the sign of x restored at the end: ±0 and subnormals come out exact).
pub fn atan(e: &mut Emitter, x: Value) -> Value {
    let ax = e.b.ins().fabs(x);
    let max = splat(e, f64::MAX);
    // ±Inf and NaN -> libm.
    let outside = e.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, ax, max);
    let [y] = with_slow_path(e, x, outside, ["me_atan"], |e, x| {
        let ax = e.b.ins().fabs(x);
        let one = splat(e, 1.0);
        let (hi, s, t) = atan_parts(e, ax, one);
        let l = e.b.ins().fadd(s, t);
        let y = e.b.ins().fadd(hi, l);
        [copysign(e, y, x)]
    });
    y
}

/// Per lane `helper(x, y)` for a binary libm helper, when any lane is `outside`.
fn with_slow_path2(
    e: &mut Emitter,
    x: Value,
    y: Value,
    outside: Value,
    helper: &'static str,
    fast: impl FnOnce(&mut Emitter, Value, Value) -> Value,
) -> Value {
    let slow_block = e.b.create_block();
    let fast_block = e.b.create_block();
    let join = e.b.create_block();
    let result = e.b.append_block_param(join, types::F64X2);
    let any = e.b.ins().vany_true(outside);
    e.b.ins().brif(any, slow_block, &[], fast_block, &[]);

    e.b.switch_to_block(slow_block);
    let f = e.import(helper, &[types::F64, types::F64], Some(types::F64));
    let mut r = x;
    for lane in 0..2u8 {
        let a = e.b.ins().extractlane(x, lane);
        let b = e.b.ins().extractlane(y, lane);
        let call = e.b.ins().call(f, &[a, b]);
        let v = e.b.inst_results(call)[0];
        r = e.b.ins().insertlane(r, v, lane);
    }
    e.b.ins().jump(join, &[r.into()]);

    e.b.switch_to_block(fast_block);
    let v = fast(e, x, y);
    e.b.ins().jump(join, &[v.into()]);
    e.b.switch_to_block(join);
    result
}

/// Lanes where |v| is NaN, above 2^500, or below 2^-500 (zero included unless
/// `zero_ok`).
fn out_of_safe_range(e: &mut Emitter, v: Value, zero_ok: bool) -> Value {
    let av = e.b.ins().fabs(v);
    let big = splat(e, f64::from_bits((1023 + 500) << 52));
    let small = splat(e, f64::from_bits((1023 - 500) << 52));
    let over = e.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, av, big);
    let under = e.b.ins().fcmp(FloatCC::LessThan, av, small);
    let under = if zero_ok {
        let zero = splat(e, 0.0);
        let nz = e.b.ins().fcmp(FloatCC::NotEqual, av, zero);
        e.b.ins().band(under, nz)
    } else {
        under
    };
    e.b.ins().bor(over, under)
}

/// atan2(y, x). Lanes with a zero, infinite, NaN, huge or tiny operand (all of
/// atan2's special cases) go to libm.
pub fn atan2(e: &mut Emitter, y: Value, x: Value) -> Value {
    let oy = out_of_safe_range(e, y, false);
    let ox = out_of_safe_range(e, x, false);
    let outside = e.b.ins().bor(oy, ox);
    with_slow_path2(e, y, x, outside, "me_atan2", |e, y, x| {
        let ay = e.b.ins().fabs(y);
        let ax = e.b.ins().fabs(x);
        let (hi, s, t) = atan_parts(e, ay, ax);
        // x > 0: hi + (s + t); x < 0: pi - that = (PI_HI - hi) + ((err + PI_LO - s) - t).
        let pos_l = e.b.ins().fadd(s, t);
        let pi_hi = splat(e, f64::from_bits(0x400921FB54442D18));
        let pi_lo = splat(e, f64::from_bits(0x3CA1A62633145C07));
        let neg_hi = e.b.ins().fneg(hi);
        let (b, be) = two_sum(e, pi_hi, neg_hi);
        let nl = e.b.ins().fadd(be, pi_lo);
        let nl = e.b.ins().fsub(nl, s);
        let nl = e.b.ins().fsub(nl, t);
        let zero = splat(e, 0.0);
        let neg = e.b.ins().fcmp(FloatCC::LessThan, x, zero);
        let h = select(e, neg, b, hi);
        let l = select(e, neg, nl, pos_l);
        let r = e.b.ins().fadd(h, l);
        copysign(e, r, y)
    })
}

/// hypot(x, y) = sqrt(x^2 + y^2) with the sum of squares exact (two-products) and
/// one correction step on the square root. Lanes with a NaN, infinite, huge or tiny
/// nonzero operand go to libm; hypot(±0, ±0) = +0.
pub fn hypot(e: &mut Emitter, x: Value, y: Value) -> Value {
    let ox = out_of_safe_range(e, x, true);
    let oy = out_of_safe_range(e, y, true);
    let outside = e.b.ins().bor(ox, oy);
    with_slow_path2(e, x, y, outside, "me_hypot", |e, x, y| {
        let (xx, xe) = two_prod(e, x, x);
        let (yy, ye) = two_prod(e, y, y);
        let (sh, se) = two_sum(e, xx, yy);
        let sl = e.b.ins().fadd(xe, ye);
        let sl = e.b.ins().fadd(sl, se);
        let r = e.b.ins().sqrt(sh);
        // sqrt(sh + sl) = r + (sh - r^2 + sl) / (2 r).
        let neg_r = e.b.ins().fneg(r);
        let res = fma(e, neg_r, r, sh);
        let res = e.b.ins().fadd(res, sl);
        let two_r = e.b.ins().fadd(r, r);
        let corr = e.b.ins().fdiv(res, two_r);
        let h = e.b.ins().fadd(r, corr);
        let zero = splat(e, 0.0);
        let is_zero = e.b.ins().fcmp(FloatCC::Equal, sh, zero);
        select(e, is_zero, zero, h)
    })
}
