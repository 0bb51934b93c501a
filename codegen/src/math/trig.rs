//! sin, cos and tan: x = n pi/2 + r with fdlibm's four-part pi/2 (exact for
//! |x| <= 1e5; beyond, libm), fdlibm's kernel polynomials on |r| <= pi/4, and the
//! quadrant n choosing and signing the result.

use super::double_double::{div_dd, two_sum};
use super::slow_path::with_slow_path;
use super::vec_ops::{fma, horner, isplat, keep_zero, select, splat, SHIFTER};
use crate::translate::Emitter;
use crate::vector::bitcast;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// sin(x) and/or cos(x): one range reduction serves both when both are wanted.
pub fn sin_cos(
    e: &mut Emitter,
    x: Value,
    want_sin: bool,
    want_cos: bool,
) -> (Option<Value>, Option<Value>) {
    let ax = e.b.ins().fabs(x);
    let limit = splat(e, 1e5);
    // Not (|x| <= limit): also true for NaN.
    let outside = e.b.ins().fcmp(FloatCC::UnorderedOrGreaterThan, ax, limit);
    match (want_sin, want_cos) {
        (true, true) => {
            let [s, c] = with_slow_path(e, x, outside, ["me_sin", "me_cos"], |e, x| {
                let (s, c) = sin_cos_fast(e, x, true, true);
                [s.expect("wanted"), c.expect("wanted")]
            });
            (Some(s), Some(c))
        }
        (true, false) => {
            let [s] = with_slow_path(e, x, outside, ["me_sin"], |e, x| {
                [sin_cos_fast(e, x, true, false).0.expect("wanted")]
            });
            (Some(s), None)
        }
        _ => {
            let [c] = with_slow_path(e, x, outside, ["me_cos"], |e, x| {
                [sin_cos_fast(e, x, false, true).1.expect("wanted")]
            });
            (None, Some(c))
        }
    }
}

/// The shared part of sin/cos/tan: x = n pi/2 + r, and sin r = r + r3 * ps,
/// cos r = w + cos_tail (each sum not yet rounded).
pub(super) struct TrigParts {
    r: Value,
    r3: Value,
    ps: Value,
    w: Value,
    cos_tail: Value,
    /// The quadrant n in the low bits of an i64x2.
    ti: Value,
}

pub(super) fn trig_parts(e: &mut Emitter, x: Value) -> TrigParts {
    let two_over_pi = splat(e, std::f64::consts::FRAC_2_PI);
    let sh = splat(e, SHIFTER);
    let t = fma(e, x, two_over_pi, sh);
    let n = e.b.ins().fsub(t, sh);
    let neg_n = e.b.ins().fneg(n);
    // pi/2 in four parts (fdlibm's e_rem_pio2 constants); the first three have 33
    // significant bits, so n * part is exact for |n| < 2^20.
    let mut r = x;
    for bits in [
        0x3FF921FB54400000u64,
        0x3DD0B4611A600000,
        0x3BA3198A2E000000,
        0x397B839A252049C1,
    ] {
        let c = splat(e, f64::from_bits(bits));
        r = fma(e, neg_n, c, r);
    }
    let z = e.b.ins().fmul(r, r);
    // sin(r) = r + r^3 * S(z), fdlibm's minimax S1..S6 on |r| <= pi/4.
    let ps = horner(e, z, &SIN_COEFS);
    let r3 = e.b.ins().fmul(z, r);
    // cos(r) = 1 - z/2 + z^2 * C(z), with the rounding error of 1 - z/2 carried
    // separately (fdlibm's __kernel_cos).
    let pc = horner(e, z, &COS_COEFS);
    let half = splat(e, 0.5);
    let hz = e.b.ins().fmul(half, z);
    let one = splat(e, 1.0);
    let w = e.b.ins().fsub(one, hz);
    let one_minus_w = e.b.ins().fsub(one, w);
    let tail = e.b.ins().fsub(one_minus_w, hz);
    let z2 = e.b.ins().fmul(z, z);
    let cos_tail = fma(e, z2, pc, tail);
    let ti = bitcast(e, types::I64X2, t);
    TrigParts {
        r,
        r3,
        ps,
        w,
        cos_tail,
        ti,
    }
}

pub(super) fn sin_cos_fast(
    e: &mut Emitter,
    x: Value,
    want_sin: bool,
    want_cos: bool,
) -> (Option<Value>, Option<Value>) {
    let TrigParts {
        r,
        r3,
        ps,
        w,
        cos_tail,
        ti,
    } = trig_parts(e, x);
    let sin_r = fma(e, r3, ps, r);
    let cos_r = e.b.ins().fadd(w, cos_tail);
    // Quadrant q = n mod 4: sin x = (q odd ? cos r : sin r), negated when q & 2;
    // cos x is sin of the next quadrant.
    let one_i = isplat(e, 1);
    let odd = e.b.ins().band(ti, one_i);
    let swap = e.b.ins().icmp(IntCC::Equal, odd, one_i);
    let swap = bitcast(e, types::F64X2, swap);
    let two_i = isplat(e, 2);
    let quadrant_sign = |e: &mut Emitter, q: Value, y: Value| {
        let sign = e.b.ins().band(q, two_i);
        let sign = e.b.ins().ishl_imm_s(sign, 62);
        let yi = bitcast(e, types::I64X2, y);
        let yi = e.b.ins().bxor(yi, sign);
        bitcast(e, types::F64X2, yi)
    };
    let sin_x = want_sin.then(|| {
        let y = e.b.ins().bitselect(swap, cos_r, sin_r);
        let y = quadrant_sign(e, ti, y);
        // sin(±0) = ±0: the polynomial would turn -0 into +0.
        let zero = splat(e, 0.0);
        let is_zero = e.b.ins().fcmp(FloatCC::Equal, x, zero);
        let is_zero = bitcast(e, types::F64X2, is_zero);
        e.b.ins().bitselect(is_zero, x, y)
    });
    let cos_x = want_cos.then(|| {
        let y = e.b.ins().bitselect(swap, sin_r, cos_r);
        let q1 = e.b.ins().iadd(ti, one_i);
        quadrant_sign(e, q1, y)
    });
    (sin_x, cos_x)
}

/// fdlibm's __kernel_sin coefficients S1..S6 (as published; the digits past f64's
/// precision round to the same doubles).
#[allow(clippy::excessive_precision)]
pub(super) const SIN_COEFS: [f64; 6] = [
    -1.666_666_666_666_663_243_48e-1,
    8.333_333_333_322_489_461_24e-3,
    -1.984_126_982_985_794_931_34e-4,
    2.755_731_370_707_006_767_89e-6,
    -2.505_076_025_340_686_341_95e-8,
    1.589_690_995_211_550_102_21e-10,
];

/// fdlibm's __kernel_cos coefficients C1..C6.
#[allow(clippy::excessive_precision)]
pub(super) const COS_COEFS: [f64; 6] = [
    4.166_666_666_666_660_190_37e-2,
    -1.388_888_888_887_410_957_49e-3,
    2.480_158_728_947_672_941_78e-5,
    -2.755_731_435_139_066_330_35e-7,
    2.087_572_321_298_174_827_90e-9,
    -1.135_964_755_778_819_482_65e-11,
];

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
        let one_i = isplat(e, 1);
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
