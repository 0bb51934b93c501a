//! atan and atan2: fdlibm's reduction atan(u) = atan(c) + atan((u - c) / (1 + u c))
//! for c in {0, 1/2, 1, 3/2, inf}, computed with exact products and a corrected
//! division, and atan(c) as a double-double constant.

use super::double_double::{div_dd_pair, two_prod, two_sum};
use super::slow_path::{out_of_safe_range, with_slow_path, with_slow_path2};
use super::vec_ops::{copysign, fma, horner, select, splat};
use crate::translate::Emitter;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

/// atan(c) = hi + lo for c = 1/2, 1, 3/2 and atan(inf) = pi/2 (fdlibm s_atan.c; each
/// hi is the double nearest atan(c), checked in tests/ulp.rs).
pub(super) const ATAN_HI: [u64; 4] = [
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
pub(super) fn atan_parts(e: &mut Emitter, ay: Value, ax: Value) -> (Value, Value, Value) {
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
