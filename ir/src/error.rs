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

/// A list printed as a numpy tuple: `(1, -1)`, `(3,)`, `()`.
pub fn fmt_tuple<T: std::fmt::Display>(items: &[T]) -> String {
    match items {
        [one] => format!("({one},)"),
        _ => format!(
            "({})",
            items
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
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
    /// An allocation that cannot be satisfied (numpy raises `MemoryError`).
    #[error("{op}: out of memory: {what} needs {bytes} bytes, which cannot be allocated; use smaller arrays or process the data in pieces")]
    OutOfMemory {
        op: String,
        what: String,
        bytes: u128,
    },
    /// A broken internal invariant: a mathengine bug, never the user's input.
    #[error("{op}: internal error: {msg} (this is a mathengine bug; please report it)")]
    Internal { op: String, msg: String },
}

/// The classes of [`Error`], for callers that map errors to their own kinds (Python
/// maps them to `ValueError`, `TypeError`, `MemoryError`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Shapes, axes, broadcasting, and other invalid values (numpy's `ValueError`).
    Shape,
    /// A dtype the operation does not accept (numpy's `TypeError`).
    DType,
    /// Any other invalid argument (numpy's `ValueError`).
    Invalid,
    /// The backend asked for does not exist or cannot start here.
    BackendUnavailable,
    /// A backend cannot run an operation, failed to compile or to run it.
    Backend,
    /// An allocation failed (numpy's `MemoryError`).
    OutOfMemory,
    /// A mathengine bug.
    Internal,
}

impl Error {
    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Broadcast { .. } | Error::Shape { .. } | Error::Axis { .. } => ErrorKind::Shape,
            Error::DType { .. } => ErrorKind::DType,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::UnknownBackend { .. } => ErrorKind::BackendUnavailable,
            Error::Unsupported { .. } | Error::Compile { .. } | Error::Backend { .. } => {
                ErrorKind::Backend
            }
            Error::OutOfMemory { .. } => ErrorKind::OutOfMemory,
            Error::Internal { .. } => ErrorKind::Internal,
        }
    }
    pub fn internal(op: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Internal {
            op: op.into(),
            msg: msg.into(),
        }
    }
    /// `what` of `count` elements of `elem_bytes` bytes each cannot be allocated.
    pub fn out_of_memory(
        op: impl Into<String>,
        what: impl Into<String>,
        count: usize,
        elem_bytes: usize,
    ) -> Self {
        Error::OutOfMemory {
            op: op.into(),
            what: what.into(),
            bytes: count as u128 * elem_bytes as u128,
        }
    }
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
