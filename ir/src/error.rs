//! The one error type of mathengine. Every message names the operation, the shapes or
//! dtypes involved, and what to do instead.

use crate::dtype::DType;

/// Shapes print as numpy prints them: `(3, 4)`.
pub fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    #[error("{op}: shapes {} and {} cannot be broadcast together; make every axis equal or 1 (e.g. with reshape or expand_dims)", fmt_shape(.lhs), fmt_shape(.rhs))]
    Broadcast {
        op: String,
        lhs: Vec<usize>,
        rhs: Vec<usize>,
    },
    #[error("{op}: shape {} does not fit {}: {hint}", fmt_shape(.got), fmt_shape(.expected))]
    Shape {
        op: String,
        got: Vec<usize>,
        expected: Vec<usize>,
        hint: String,
    },
    #[error("{op}: dtype {got} is not supported: {hint}")]
    DType {
        op: String,
        got: DType,
        hint: String,
    },
    #[error("{op}: axis {axis} is out of range for an array of {ndim} dimensions (shape {}); use -{ndim}..{ndim}", fmt_shape(.shape))]
    Axis {
        op: String,
        axis: isize,
        ndim: usize,
        shape: Vec<usize>,
    },
    #[error("{op}: {msg}")]
    Invalid { op: String, msg: String },
    #[error("backend '{name}' is not available: {reason}; backends available: {available}")]
    UnknownBackend {
        name: String,
        reason: String,
        available: String,
    },
    #[error("backend '{backend}' cannot run {what}: {reason}")]
    Unsupported {
        backend: String,
        what: String,
        reason: String,
    },
    #[error("compiling kernel {kernel} failed: {msg}")]
    Compile { kernel: String, msg: String },
    #[error("backend '{backend}': {msg}")]
    Backend { backend: String, msg: String },
}

impl Error {
    pub fn invalid(op: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Invalid {
            op: op.into(),
            msg: msg.into(),
        }
    }
    pub fn dtype(op: impl Into<String>, got: DType, hint: impl Into<String>) -> Self {
        Error::DType {
            op: op.into(),
            got,
            hint: hint.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
