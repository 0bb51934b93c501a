//! mathengine-codegen: kernel IR -> machine code with Cranelift, and kernel IR -> CUDA C
//! ([`cuda::print_kernel`]).
//!
//! [`jit::compile`] turns a [`mathengine_ir::Kernel`] into a [`jit::CompiledKernel`];
//! [`cache::KernelCache`] keeps compiled kernels (bounded, thread-safe, compile once).
//! Inside: `translate` (the function, loops, loads, stores), `reduction` (the loops of
//! reduction kernels), `scalar` (one lane of every op), `vector` (the f64x2 / f32x4 fast path),
//! `split` (combining the partial states of a reduction split across threads),
//! `rows` (reductions over leading axes walked row by row), `induction` (divisions of
//! the index in the vector loop as induction variables), `band` (elementwise kernels
//! over bands of columns, for transposed operands), `any_all` (any/all in masks, stopping early),
//! `extreme` (float64 min/max/argmin/argmax without index chains),
//! `math` (inline f64x2 and f32x4 transcendentals, one file per function family, and
//! precompiled wide float32 loops for one-function kernels), `runtime`
//! (helpers kernels call).

mod any_all;
pub mod band;
pub mod cache;
pub mod cuda;
mod extreme;
mod induction;
pub mod jit;
mod lanes;
mod math;
mod minmax_simd;
mod reduction;
pub mod rows;
pub mod runtime;
mod scalar;
pub mod split;
mod translate;
mod vector;

pub use cache::{CacheStats, KernelCache};
pub use jit::{compile, isa_description, CompiledKernel};
pub use math::{
    wide_binary_f32, wide_complex_abs, wide_level, wide_unary_f32, ComplexAbsLoop, WideLevel,
    WideLoop, WideLoop2,
};
