//! Stands in for the cuda backend when mathengine is built without the `cuda` feature
//! (`--no-default-features`): no CUDA crate is compiled, and selecting "cuda" is an
//! error that says how to get it.

use super::Backend;
use mathengine_ir::{BufferRef, DeviceBuffer, Error, HostBuffer, Kernel, Launch, Result};
use std::sync::Arc;

const REASON: &str = "mathengine was built without the `cuda` cargo feature; build it with default features (or `--features cuda`) to use NVIDIA GPUs";

/// Why "cuda" cannot be selected: always, in a build without the feature.
pub fn cuda_unavailable_reason() -> Option<String> {
    Some(REASON.into())
}

/// False: this build has no cuda backend.
pub fn cuda_available() -> bool {
    false
}

/// Never constructed: [`CudaBackend::new`] always returns the error saying how to build
/// with the `cuda` feature.
pub struct CudaBackend(());

impl CudaBackend {
    pub fn new() -> Result<CudaBackend> {
        Err(Error::UnknownBackend {
            name: "cuda".into(),
            reason: REASON.into(),
            available: "cpu, reference".into(),
        })
    }
}

impl Backend for CudaBackend {
    fn name(&self) -> &str {
        "cuda"
    }
    fn download(&self, _buf: &dyn DeviceBuffer) -> Result<HostBuffer> {
        Err(Error::invalid("cuda", REASON))
    }
    fn run_kernel(
        &self,
        _kernel: &Arc<Kernel>,
        _launch: &Launch,
        _inputs: &[BufferRef],
    ) -> Result<Vec<BufferRef>> {
        Err(Error::invalid("cuda", REASON))
    }
}
