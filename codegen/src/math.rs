//! Inline f64x2 approximations of exp, sin, cos and log, emitted as Cranelift IR so the
//! hot transcendentals keep the vector width instead of calling libm per lane.
//!
//! Method (the classical one, as in fdlibm/SLEEF): reduce the argument exactly or
//! nearly so (Cody-Waite constants), evaluate a polynomial on the reduced range with
//! fused multiply-adds, and rebuild the result with integer operations on the bits.
//! Coefficients are Taylor coefficients (exact rationals rounded once), with enough
//! terms that truncation stays far below half an ulp on the reduced range. Arguments
//! outside the fast range (non-finite, zero, negative, subnormal, or |x| > 1e5 for
//! sin/cos) send the whole vector to libm, so special values come out as libm's.
//! Measured accuracy: see `tests/ulp.rs` and the README.

use crate::translate::Emitter;
use crate::vector::bitcast;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// 1.5 * 2^52: adding it rounds a double to an integer held in the low mantissa bits.
pub(crate) const SHIFTER: f64 = 6755399441055744.0;

pub(crate) fn splat(e: &mut Emitter, v: f64) -> Value {
    let c = e.b.ins().f64const(v);
    e.b.ins().splat(types::F64X2, c)
}

pub(crate) fn isplat(e: &mut Emitter, v: i64) -> Value {
    let c = e.b.ins().iconst(types::I64, v);
    e.b.ins().splat(types::I64X2, c)
}

pub(crate) fn fma(e: &mut Emitter, a: Value, b: Value, c: Value) -> Value {
    e.b.ins().fma(a, b, c)
}

/// Horner's rule with FMA: c[0] + x*(c[1] + x*(c[2] + ...)).
pub(crate) fn horner(e: &mut Emitter, x: Value, coefs: &[f64]) -> Value {
    let mut acc = splat(e, *coefs.last().expect("non-empty"));
    for &c in coefs.iter().rev().skip(1) {
        let cv = splat(e, c);
        acc = fma(e, acc, x, cv);
    }
    acc
}

pub(crate) fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// Compute `fast(x)` (one result per helper) unless a lane is `outside`, then call the
/// libm helpers per lane instead.
pub(crate) fn with_slow_path<const N: usize>(
    e: &mut Emitter,
    x: Value,
    outside: Value,
    helpers: [&'static str; N],
    fast: impl FnOnce(&mut Emitter, Value) -> [Value; N],
) -> [Value; N] {
    let slow_block = e.b.create_block();
    let fast_block = e.b.create_block();
    let join = e.b.create_block();
    let results: Vec<Value> = (0..N)
        .map(|_| e.b.append_block_param(join, types::F64X2))
        .collect();
    let any = e.b.ins().vany_true(outside);
    e.b.ins().brif(any, slow_block, &[], fast_block, &[]);

    e.b.switch_to_block(slow_block);
    let mut slow = Vec::new();
    for helper in helpers {
        let f = e.import(helper, &[types::F64], Some(types::F64));
        let mut r = x;
        for lane in 0..2u8 {
            let a = e.b.ins().extractlane(x, lane);
            let call = e.b.ins().call(f, &[a]);
            let y = e.b.inst_results(call)[0];
            r = e.b.ins().insertlane(r, y, lane);
        }
        slow.push(r.into());
    }
    e.b.ins().jump(join, &slow);

    e.b.switch_to_block(fast_block);
    let ys: Vec<_> = fast(e, x).into_iter().map(|y| y.into()).collect();
    e.b.ins().jump(join, &ys);
    e.b.switch_to_block(join);
    results.try_into().expect("N results")
}

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
pub(crate) fn exp_parts(e: &mut Emitter, xc: Value) -> (Value, Value) {
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
pub(crate) fn shifted_int(e: &mut Emitter, t: Value) -> Value {
    let ti = bitcast(e, types::I64X2, t);
    let shi = isplat(e, SHIFTER.to_bits() as i64);
    e.b.ins().isub(ti, shi)
}

/// 2^k as f64x2 for an i64x2 k in [-1022, 1023].
pub(crate) fn pow2i(e: &mut Emitter, k: Value) -> Value {
    let bias = isplat(e, 1023);
    let b = e.b.ins().iadd(k, bias);
    let b = e.b.ins().ishl_imm_s(b, 52);
    bitcast(e, types::F64X2, b)
}

/// p * 2^n, with 2^n split in two factors so n up to +-2000 stays representable;
/// over/underflow happen (rounded once) in the last multiplication.
pub(crate) fn scale2(e: &mut Emitter, p: Value, ni: Value) -> Value {
    let n1 = e.b.ins().sshr_imm_s(ni, 1);
    let n2 = e.b.ins().isub(ni, n1);
    let s1 = pow2i(e, n1);
    let s2 = pow2i(e, n2);
    let y = e.b.ins().fmul(p, s1);
    e.b.ins().fmul(y, s2)
}

/// ln 2 in two parts (Cody-Waite): LN2_HI has 32 significant bits, so n * LN2_HI is
/// exact for |n| < 2^21; LN2_HI + LN2_LO = ln 2 to about 2^-88 relative.
pub(crate) const LN2_HI: f64 = f64::from_bits(0x3FE62E42FEE00000);
pub(crate) const LN2_LO: f64 = f64::from_bits(0x3DEA39EF35793C76);

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
struct TrigParts {
    r: Value,
    r3: Value,
    ps: Value,
    w: Value,
    cos_tail: Value,
    /// The quadrant n in the low bits of an i64x2.
    ti: Value,
}

fn trig_parts(e: &mut Emitter, x: Value) -> TrigParts {
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

fn sin_cos_fast(
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
pub(crate) const SIN_COEFS: [f64; 6] = [
    -1.666_666_666_666_663_243_48e-1,
    8.333_333_333_322_489_461_24e-3,
    -1.984_126_982_985_794_931_34e-4,
    2.755_731_370_707_006_767_89e-6,
    -2.505_076_025_340_686_341_95e-8,
    1.589_690_995_211_550_102_21e-10,
];

/// fdlibm's __kernel_cos coefficients C1..C6.
#[allow(clippy::excessive_precision)]
pub(crate) const COS_COEFS: [f64; 6] = [
    4.166_666_666_666_660_190_37e-2,
    -1.388_888_888_887_410_957_49e-3,
    2.480_158_728_947_672_941_78e-5,
    -2.755_731_435_139_066_330_35e-7,
    2.087_572_321_298_174_827_90e-9,
    -1.135_964_755_778_819_482_65e-11,
];

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
pub(crate) struct LogParts {
    pub kf: Value,
    pub f: Value,
    pub s: Value,
    pub hfsq: Value,
    pub rr: Value,
}

pub(crate) fn log_parts(e: &mut Emitter, x: Value) -> LogParts {
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
