//! complex128 functions on the parts held in f64x2 registers (the real parts of two
//! elements in one register, their imaginary parts in another).

use super::vec_ops::{select, splat};
use crate::translate::Emitter;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, Value};

/// exp(re + i im) = exp(re) (cos im + i sin im), with the corner cases of num-complex's
/// `Complex::exp` (the interpreter's): re = -inf with im not finite gives 0;
/// re = +inf with im zero or not finite gives (+inf, im, NaN for an infinite im); a NaN
/// re with a zero im is returned as it is.
pub(crate) fn exp(e: &mut Emitter, re: Value, im: Value) -> (Value, Value) {
    let r = super::exp(e, re);
    let (s, c) = super::sin_cos(e, im, true, true);
    let (s, c) = (s.expect("wanted"), c.expect("wanted"));
    let mut out_re = e.b.ins().fmul(r, c);
    let mut out_im = e.b.ins().fmul(r, s);

    let (inf, zero, nan) = (splat(e, f64::INFINITY), splat(e, 0.0), splat(e, f64::NAN));
    let neg_inf = splat(e, f64::NEG_INFINITY);
    let abs_im = e.b.ins().fabs(im);
    let im_finite = e.b.ins().fcmp(FloatCC::LessThan, abs_im, inf);
    let im_not_finite = e.b.ins().bnot(im_finite);
    let im_zero = e.b.ins().fcmp(FloatCC::Equal, im, zero);
    let im_inf = e.b.ins().fcmp(FloatCC::Equal, abs_im, inf);

    let re_neg_inf = e.b.ins().fcmp(FloatCC::Equal, re, neg_inf);
    let to_zero = e.b.ins().band(re_neg_inf, im_not_finite);
    out_re = select(e, to_zero, zero, out_re);
    out_im = select(e, to_zero, zero, out_im);

    let re_pos_inf = e.b.ins().fcmp(FloatCC::Equal, re, inf);
    let flat = e.b.ins().bor(im_zero, im_not_finite);
    let keep_inf = e.b.ins().band(re_pos_inf, flat);
    let im_or_nan = select(e, im_inf, nan, im);
    out_re = select(e, keep_inf, re, out_re);
    out_im = select(e, keep_inf, im_or_nan, out_im);

    let re_nan = e.b.ins().fcmp(FloatCC::Unordered, re, re);
    let as_is = e.b.ins().band(re_nan, im_zero);
    out_re = select(e, as_is, re, out_re);
    out_im = select(e, as_is, im, out_im);
    (out_re, out_im)
}
