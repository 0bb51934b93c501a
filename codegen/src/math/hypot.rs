//! hypot(x, y): the sum of squares exact (two-products), one correction step on the
//! square root.

use super::double_double::{two_prod, two_sum};
use super::slow_path::{out_of_safe_range, with_slow_path2};
use super::vec_ops::{fma, select, splat};
use crate::translate::Emitter;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

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
