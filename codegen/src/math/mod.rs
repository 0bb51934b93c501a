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
//! `slow_path` (the libm fallback).

mod double_double;
mod exp;
mod hyperbolic;
mod hypot;
mod inverse_trig;
mod log;
mod slow_path;
mod trig;
mod vec_ops;

pub(crate) use exp::{exp, exp2, expm1};
pub(crate) use hyperbolic::{cosh, sinh, tanh};
pub(crate) use hypot::hypot;
pub(crate) use inverse_trig::{atan, atan2};
pub(crate) use log::{log, log10, log1p, log2};
pub(crate) use trig::{sin_cos, tan};
pub(crate) use vec_ops::copysign;
