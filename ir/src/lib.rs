//! mathengine-ir: dtypes, shapes, the hash-consed array graph, the scheduler that cuts
//! it into fused kernels, the kernel IR, and the reference interpreter that defines
//! what every kernel means.
//!
//! Data flows one way: graph ([`graph`]) -> schedule ([`schedule`]) -> kernel IR
//! ([`kernel`], built by [`lower`]) -> a backend (the interpreter in [`interp`], or
//! compiled code from `mathengine-codegen`).

pub mod buffer;
pub mod dtype;
pub mod error;
pub mod graph;
pub mod interp;
pub mod kernel;
pub mod lower;
pub mod ops;
pub mod plan_cache;
pub mod pool;
pub mod random;
pub mod scalar_eval;
pub mod schedule;
pub mod shape;
pub mod simplify;

pub use buffer::{as_host, BufferRef, DeviceBuffer, ForeignHostBuffer, HostBuffer};
pub use dtype::{DType, Element, Scalar};
pub use error::{Error, ErrorKind, Result};
pub use graph::{Generator, Graph, LibraryOp, Node, NodeRef, Op, ReduceOp};
pub use kernel::{Inst, Instr, Kernel, Launch, LaunchArgs, ValueId};
pub use ops::{BinaryOp, UnaryOp};
pub use shape::Shape;
