//! Inline f64x2 approximations of the transcendental functions, emitted as Cranelift IR
//! so the hot functions keep the vector width instead of calling libm per lane.
//!
//! Method (the classical one, as in fdlibm/SLEEF): reduce the argument exactly or
//! nearly so (Cody-Waite constants), or with the reduction's rounding error carried in
//! a second double; evaluate a polynomial on the reduced range with fused
//! multiply-adds; rebuild the result with integer operations on the bits. Coefficients
//! are Taylor coefficients (exact rationals rounded once, computed here) or fdlibm's
//! published minimax ones, with enough terms that truncation stays far below half an
//! ulp on the reduced range. Any lane outside an approximation's fast range (non-finite,
//! zero, negative, subnormal, or |x| > 1e5 for sin/cos/tan, as each function says) sends
//! the whole vector to the libm helper, so special values come out as libm's; where an
//! approximation handles a special value itself (±0, ±Inf, NaN, subnormals) its comment
//! says how. Measured accuracy: `tests/ulp.rs` and docs/accuracy.md.
//!
//! One file per function family: `exp` (exp, exp2, expm1), `log` (log, log2, log10,
//! log1p), `trig` (sin, cos, tan), `inverse_trig` (atan, atan2), `hyperbolic` (sinh,
//! cosh, tanh), `hypot`; and the pieces they share: `vec_ops` (constants, Horner,
//! selection), `double_double` (two-sum, two-product, double-double division),
//! `slow_path` (the libm fallback); `complex` (complex128 functions on their parts).
//!
//! float32 (f32x4 registers): `f32` has sin, cos, exp, log, tanh and arctan2 of their
//! own (exp in f32, the others in f64 to f32 accuracy); `widen` runs every other
//! function's f64x2 routine on the widened lanes and rounds once. `wide_f32` has the
//! same float32 algorithms as precompiled loops for the widest registers the CPU has.

mod complex;
mod double_double;
mod exp;
mod f32;
mod hyperbolic;
mod hypot;
mod inverse_trig;
mod log;
mod slow_path;
mod trig;
mod vec_ops;
mod wide_f32;
mod wide_f64;
mod widen;

pub(crate) use complex::exp as complex_exp;
pub(crate) use exp::{exp, exp2, expm1};
pub(crate) use f32::{atan2_wide, binary_f32, exp_f32, log_f32, tanh_f32};
pub(crate) use hyperbolic::{cosh, sinh, tanh};
pub(crate) use hypot::hypot;
pub(crate) use inverse_trig::{atan, atan2};
pub(crate) use log::{log, log10, log1p, log2};
pub(crate) use trig::tan;
pub(crate) use vec_ops::copysign;
pub use wide_f32::{
    level as wide_level, wide_binary_f32, wide_unary_f32, Level as WideLevel, WideLoop, WideLoop2,
};
pub use wide_f64::{wide_complex_abs, ComplexAbsLoop};
pub(crate) use widen::{demote, promote, widened};

/// sin(x) and/or cos(x) of an f64x2 or f32x4 register.
pub(crate) fn sin_cos(
    e: &mut crate::translate::Emitter,
    x: cranelift_codegen::ir::Value,
    want_sin: bool,
    want_cos: bool,
) -> (
    Option<cranelift_codegen::ir::Value>,
    Option<cranelift_codegen::ir::Value>,
) {
    if e.b.func.dfg.value_type(x) == cranelift_codegen::ir::types::F32X4 {
        f32::sin_cos_f32(e, x, want_sin, want_cos)
    } else {
        trig::sin_cos(e, x, want_sin, want_cos)
    }
}
