//! Linear algebra on the CPU with faer: one call per matrix of a batch (the leading axes),
//! results packed as `LibraryOp` documents.

use mathengine_ir::schedule::LibraryCall;
use mathengine_ir::{Error, HostBuffer, Result};

/// Run a linear-algebra library operation on host operands.
pub fn run(call: &LibraryCall, _inputs: &[&HostBuffer]) -> Result<HostBuffer> {
    Err(Error::Unsupported {
        backend: "cpu".into(),
        what: call.op.name().into(),
        reason: "linear algebra is not implemented yet".into(),
    })
}
