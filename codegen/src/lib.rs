//! mathengine-codegen: kernel IR -> machine code with Cranelift, and kernel IR -> CUDA C
//! ([`cuda::print_kernel`]).
//!
//! [`jit::compile`] turns a [`mathengine_ir::Kernel`] into a [`jit::CompiledKernel`];
//! [`cache::KernelCache`] keeps compiled kernels (bounded, thread-safe, compile once).
//! Inside: `translate` (loops, loads, stores), `scalar` (one lane of every op), `vector`
//! (the f64x2 fast path), `math` (inline exp/sin/cos/log), `math_more` (more inline
//! functions built from math's pieces), `runtime` (helpers kernels call).

pub mod cache;
pub mod cuda;
pub mod jit;
mod math;
mod math_more;
pub mod runtime;
mod scalar;
mod translate;
mod vector;

pub use cache::{CacheStats, KernelCache};
pub use jit::{compile, isa_description, CompiledKernel};
