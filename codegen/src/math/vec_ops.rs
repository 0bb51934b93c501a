//! f64x2 building blocks shared by every inline function: constants in every lane,
//! fused multiply-add, Horner's rule, lane selection, clamping and sign handling.

use crate::translate::Emitter;
use crate::vector::bitcast;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};

/// 1.5 * 2^52: adding it rounds a double to an integer held in the low mantissa bits.
pub(super) const SHIFTER: f64 = 6755399441055744.0;

pub(super) fn splat(e: &mut Emitter, v: f64) -> Value {
    let c = e.b.ins().f64const(v);
    e.b.ins().splat(types::F64X2, c)
}

pub(super) fn isplat(e: &mut Emitter, v: i64) -> Value {
    let c = e.b.ins().iconst(types::I64, v);
    e.b.ins().splat(types::I64X2, c)
}

pub(super) fn fma(e: &mut Emitter, a: Value, b: Value, c: Value) -> Value {
    e.b.ins().fma(a, b, c)
}

/// Horner's rule with FMA: c[0] + x*(c[1] + x*(c[2] + ...)).
pub(super) fn horner(e: &mut Emitter, x: Value, coefs: &[f64]) -> Value {
    let mut acc = splat(e, *coefs.last().expect("non-empty"));
    for &c in coefs.iter().rev().skip(1) {
        let cv = splat(e, c);
        acc = fma(e, acc, x, cv);
    }
    acc
}

pub(super) fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

/// `mask ? a : b` for an f64x2 comparison mask.
pub(super) fn select(e: &mut Emitter, mask: Value, a: Value, b: Value) -> Value {
    let m = bitcast(e, types::F64X2, mask);
    e.b.ins().bitselect(m, a, b)
}

/// x where x == ±0 (keeps the sign of zero), y elsewhere.
pub(super) fn keep_zero(e: &mut Emitter, x: Value, y: Value) -> Value {
    let zero = splat(e, 0.0);
    let is_zero = e.b.ins().fcmp(FloatCC::Equal, x, zero);
    select(e, is_zero, x, y)
}

/// min(max(x, lo), hi); NaN passes through.
pub(super) fn clamp(e: &mut Emitter, x: Value, lo: f64, hi: f64) -> Value {
    let l = splat(e, lo);
    let h = splat(e, hi);
    let y = e.b.ins().fmax(x, l);
    e.b.ins().fmin(y, h)
}

/// |a| with the sign of b, for f64x2 or f32x4 (Cranelift's x64 backend has no vector
/// fcopysign).
pub(crate) fn copysign(e: &mut Emitter, a: Value, b: Value) -> Value {
    let ty = e.b.func.dfg.value_type(a);
    let sign = crate::vector::fsplat(e, ty, -0.0);
    let mag = e.b.ins().fabs(a);
    let sb = e.b.ins().band(b, sign);
    e.b.ins().bor(mag, sb)
}
