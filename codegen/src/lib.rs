//! mathengine-codegen: kernel IR -> machine code with Cranelift, and kernel IR -> CUDA C
//! ([`cuda::print_kernel`]).
//!
//! [`jit::compile`] turns a [`mathengine_ir::Kernel`] into a [`jit::CompiledKernel`];
//! [`cache::KernelCache`] keeps compiled kernels (bounded, thread-safe, compile once).
//! Inside: `translate` (the function, loops, loads, stores), `reduction` (the loops of
//! reduction kernels), `scalar` (one lane of every op), `vector` (the f64x2 fast path),
//! `split` (combining the partial states of a reduction split across threads),
//! `math` (inline f64x2 transcendentals, one file per function family), `runtime`
//! (helpers kernels call).

pub mod cache;
pub mod cuda;
pub mod jit;
mod math;
mod reduction;
pub mod runtime;
mod scalar;
pub mod split;
mod translate;
mod vector;

pub use cache::{CacheStats, KernelCache};
pub use jit::{compile, isa_description, CompiledKernel};
