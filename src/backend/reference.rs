//! The reference backend: the kernel-IR interpreter. Slow and exact; the oracle every
//! other backend is tested against, and always available.

use super::{host_inputs, Backend};
use mathengine_ir::{interp, BufferRef, DeviceBuffer, HostBuffer, Kernel, Launch, Result};
use std::sync::Arc;

#[derive(Debug, Default, Clone, Copy)]
pub struct ReferenceBackend;

impl ReferenceBackend {
    pub fn new() -> Self {
        ReferenceBackend
    }
}

impl Backend for ReferenceBackend {
    fn name(&self) -> &str {
        "reference"
    }

    fn download(&self, buf: &dyn DeviceBuffer) -> Result<HostBuffer> {
        mathengine_ir::as_host(buf)
            .cloned()
            .ok_or_else(|| mathengine_ir::Error::Backend {
                backend: "reference".into(),
                msg: format!("cannot download a buffer in '{}' memory", buf.location()),
            })
    }

    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> Result<Vec<BufferRef>> {
        let hosts = host_inputs(self.name(), inputs)?;
        let outs = interp::run_kernel(kernel, launch, &hosts)?;
        Ok(outs.into_iter().map(|b| Arc::new(b) as BufferRef).collect())
    }
}
