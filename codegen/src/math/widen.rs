//! f32x4 <-> two f64x2: the route of the float32 functions that have no f32x4 code of
//! their own. The f64 routine's result (within 2 f64 ulps of libm) rounded once to f32
//! is within 1 f32 ulp of the correctly rounded value, and its special values are
//! libm's, as f32 libm's are.

use crate::translate::Emitter;
use crate::vector::bitcast;
use cranelift_codegen::ir::{types, ConstantData, InstBuilder, Value};

/// A byte shuffle of two 16-byte registers viewed as i8x16 (mask bytes 0-15 pick from
/// `a`, 16-31 from `b`); the result has `a`'s type.
fn shuffle_bytes(e: &mut Emitter, a: Value, b: Value, mask: [u8; 16]) -> Value {
    let ty = e.b.func.dfg.value_type(a);
    let imm = e.b.func.dfg.immediates.push(ConstantData::from(&mask[..]));
    let ab = bitcast(e, types::I8X16, a);
    let bb = bitcast(e, types::I8X16, b);
    let r = e.b.ins().shuffle(ab, bb, imm);
    bitcast(e, ty, r)
}

/// The four f32 lanes of `x` as two f64x2 registers (lanes 0-1, lanes 2-3), exactly.
pub(crate) fn promote(e: &mut Emitter, x: Value) -> (Value, Value) {
    let lo = e.b.ins().fvpromote_low(x);
    // Lanes 2-3 moved down (one pshufd).
    let high = shuffle_bytes(
        e,
        x,
        x,
        [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15],
    );
    let hi = e.b.ins().fvpromote_low(high);
    (lo, hi)
}

/// Two f64x2 registers rounded to f32 into one f32x4 (lanes of `lo` first).
pub(crate) fn demote(e: &mut Emitter, lo: Value, hi: Value) -> Value {
    let a = e.b.ins().fvdemote(lo);
    let b = e.b.ins().fvdemote(hi);
    // The low halves of both (one punpcklqdq).
    shuffle_bytes(
        e,
        a,
        b,
        [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
    )
}

/// `f` (an f64x2 routine) applied to the widened lanes of an f32x4 `x`, rounded once.
pub(crate) fn widened(
    e: &mut Emitter,
    x: Value,
    mut f: impl FnMut(&mut Emitter, Value) -> Value,
) -> Value {
    let (lo, hi) = promote(e, x);
    let a = f(e, lo);
    let b = f(e, hi);
    demote(e, a, b)
}

/// As `widened` for a binary routine.
pub(crate) fn widened2(
    e: &mut Emitter,
    x: Value,
    y: Value,
    mut f: impl FnMut(&mut Emitter, Value, Value) -> Value,
) -> Value {
    let (xl, xh) = promote(e, x);
    let (yl, yh) = promote(e, y);
    let a = f(e, xl, yl);
    let b = f(e, xh, yh);
    demote(e, a, b)
}
