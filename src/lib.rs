//! # mathengine
//!
//! Lazy array math, fused and compiled, with the backend chosen when a graph runs.
//!
//! Calls like [`Engine::add`] or [`Engine::sin`] build a graph; nothing runs until a
//! result is needed ([`Array::eval`], [`Array::to_vec`], [`Engine::eval_all`]). Then the
//! graph is cut into fused kernels (one pass over memory each) and run on the engine's
//! current backend, selected by name with [`Engine::change_backend`].
//!
//! ```
//! use mathengine::{Engine, DType};
//! let e = Engine::new();
//! let x = e.linspace(-1.0, 1.0, 1024);
//! let y = &x * &x + x.sin();                    // lazy
//! let v: Vec<f64> = y.to_vec()?;                // fused, evaluated, read back
//! assert!((v[0] - (1.0 + (-1f64).sin())).abs() < 1e-15);
//! e.change_backend("reference")?;               // later graphs run on the interpreter
//! # Ok::<(), mathengine::Error>(())
//! ```
//!
//! Crate layout follows the data: `mathengine_ir` (graph, scheduler, kernel IR,
//! interpreter) -> `mathengine_codegen` (compiled kernels) -> this crate (API, backends).

pub mod array;
pub mod backend;
pub mod coordinates;
pub mod engine;
pub mod fft;
pub mod linalg;
pub mod operators;
pub mod ops;
pub mod options;
pub mod polynomials;
pub mod serialize;

pub use array::Array;
pub use backend::{Backend, BackendStats};
pub use engine::{AsArray, BackendChoice, Engine, MAX_PENDING_DEPTH};
pub use fft::Norm;
pub use linalg::NormOrd;
pub use mathengine_ir::pool::{pooled_bytes, release_pooled_memory};
pub use mathengine_ir::{DType, Element, Error, ErrorKind, HostBuffer, ReduceOp, Result, Scalar};
pub use num_complex::{Complex32, Complex64};
pub use ops::creation::Indexing;
pub use ops::shape::Slice;
pub use options::{Axes, FftArgs};
