//! sinh, cosh and tanh, from exp's reduction carried in double-double (h = e^|x| / 2,
//! sinh = h - 1/(4h), cosh = h + 1/(4h)) and from expm1 (tanh).

use super::double_double::{div_dd, two_sum};
use super::exp::{expm1_core, pow2i, shifted_int, LN2_HI, LN2_LO};
use super::vec_ops::{copysign, factorial, fma, horner, isplat, select, splat, SHIFTER};
use crate::translate::Emitter;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

/// e^|x| / 2 as a double-double (hi, lo), for |x| clamped to 711 (so overflow gives
/// hi = inf).
pub(super) fn half_exp_abs(e: &mut Emitter, x: Value) -> (Value, Value) {
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
    let one_i = isplat(e, 1);
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
pub(super) fn h_pm_quarter_over_h(e: &mut Emitter, x: Value, minus: bool) -> Value {
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
