//! Error-free transformations and double-double division: a result carried as an
//! unevaluated sum hi + lo, so a reduction or a quotient rounds once at the end.

use super::vec_ops::fma;
use crate::translate::Emitter;
use cranelift_codegen::ir::{InstBuilder, Value};

/// Knuth's two-sum: (s, err) with s = fl(a + b) and a + b = s + err exactly.
pub(super) fn two_sum(e: &mut Emitter, a: Value, b: Value) -> (Value, Value) {
    let s = e.b.ins().fadd(a, b);
    let bb = e.b.ins().fsub(s, a);
    let ab = e.b.ins().fsub(s, bb);
    let da = e.b.ins().fsub(a, ab);
    let db = e.b.ins().fsub(b, bb);
    (s, e.b.ins().fadd(da, db))
}

/// Knuth's two-product: (p, err) with p = fl(a b) and a b = p + err exactly.
pub(super) fn two_prod(e: &mut Emitter, a: Value, b: Value) -> (Value, Value) {
    let p = e.b.ins().fmul(a, b);
    let neg_p = e.b.ins().fneg(p);
    (p, fma(e, a, b, neg_p))
}

/// (nh + nl) / (dh + dl) for unevaluated sums, with the division's rounding error
/// corrected by one residual step.
pub(super) fn div_dd(e: &mut Emitter, nh: Value, nl: Value, dh: Value, dl: Value) -> Value {
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

/// (nh + nl) / (dh + dl) as q0 + corr (|corr| about an ulp of q0 at most).
pub(super) fn div_dd_pair(
    e: &mut Emitter,
    nh: Value,
    nl: Value,
    dh: Value,
    dl: Value,
) -> (Value, Value) {
    let n = e.b.ins().fadd(nh, nl);
    let d = e.b.ins().fadd(dh, dl);
    let q0 = e.b.ins().fdiv(n, d);
    let neg_q0 = e.b.ins().fneg(q0);
    let res = fma(e, neg_q0, dh, nh);
    let res = e.b.ins().fadd(res, nl);
    let res = fma(e, neg_q0, dl, res);
    (q0, e.b.ins().fdiv(res, d))
}
