//! The `Backend` trait: what the engine needs from a place that runs kernels.
//!
//! A backend owns buffers in one memory space, runs kernel IR (compiled or
//! interpreted), and may lack some operations: it says so through `supports`, and the
//! engine runs that step on its fallback backend instead (the cpu backend unless
//! [`Engine::set_fallback_backend`](crate::Engine::set_fallback_backend) chose another),
//! moving data as needed.
//!
//! Everything a backend written outside this crate needs is re-exported here: the
//! buffer types ([`BufferRef`], [`DeviceBuffer`], [`HostBuffer`], [`as_host`]), the
//! kernel IR ([`Kernel`], [`Launch`], read through [`LaunchArgs`]) and library calls
//! ([`LibraryCall`], read through [`LibraryCallArgs`], and [`LibraryOp`]). A backend that
//! runs kernels in code that is not bounds-checked calls [`Launch::check`] (or
//! [`LibraryCall::check`]) first: the one shared check of counts, dtypes and lengths.
//! `examples/custom_backend.rs` is a complete backend defined outside the crate.

pub mod cpu;
mod cpu_extreme;
mod cpu_fft;
mod cpu_linalg;
mod cpu_rows;
mod cpu_split;
mod cpu_staged;
mod cpu_tiled;
mod cpu_wide;
#[cfg(feature = "cuda")]
pub mod cuda;
/// The cuda backend is compiled only with the `cuda` cargo feature (on by default);
/// without it this module says so when "cuda" is selected.
#[cfg(not(feature = "cuda"))]
#[path = "cuda_disabled.rs"]
pub mod cuda;
pub mod reference;

pub use mathengine_ir::schedule::{LibraryCall, LibraryCallArgs};
pub use mathengine_ir::{
    as_host, BufferRef, DType, DeviceBuffer, Error, HostBuffer, Kernel, Launch, LaunchArgs,
    LibraryOp, Result, Scalar,
};
use std::sync::Arc;

/// What [`Backend::supports`] and [`Backend::supports_library`] answer: `Ok(())`, or the
/// reason the backend cannot run the step (the engine then runs it on its fallback).
pub type Support = std::result::Result<(), String>;

/// Counters a backend keeps about its compiled-kernel cache.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BackendStats {
    /// Kernels compiled since the backend was created.
    pub kernels_compiled: u64,
    /// Kernel runs served by a previously compiled kernel.
    pub cache_hits: u64,
    /// Total time spent compiling, in seconds.
    pub compile_seconds: f64,
}

/// A place that runs kernels. Implement it to plug a device of your own into an
/// [`Engine`](crate::Engine) with `change_backend(Box::new(MyBackend))`.
///
/// ```
/// use mathengine::{Backend, Engine};
/// use mathengine::backend::reference::ReferenceBackend;
/// let e = Engine::new();
/// e.change_backend(Box::new(ReferenceBackend::new()) as Box<dyn Backend>)?;
/// assert_eq!(e.backend_name(), "reference");
/// # Ok::<(), mathengine::Error>(())
/// ```
pub trait Backend: Send + Sync {
    /// The name users select it by, e.g. `"cpu"`.
    fn name(&self) -> &str;

    /// The memory space of this backend's buffers; buffers of the same location are
    /// shared with no copy. Host-memory backends return `"host"`.
    fn location(&self) -> &str {
        "host"
    }

    /// Copy host data into a buffer of this backend.
    fn upload(&self, host: &HostBuffer) -> Result<BufferRef> {
        Ok(Arc::new(host.clone()))
    }

    /// Copy one of this backend's buffers to host memory.
    fn download(&self, buf: &dyn DeviceBuffer) -> Result<HostBuffer>;

    /// `Ok(())` if this backend can run `kernel`; otherwise the reason, and the engine
    /// runs the kernel on the CPU instead.
    fn supports(&self, kernel: &Kernel) -> Support {
        let _ = kernel;
        Ok(())
    }

    /// Run `kernel` with `launch`'s sizes and parameters over `inputs` (buffers of this
    /// backend, in `kernel.inputs` order); returns one new buffer per output.
    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> Result<Vec<BufferRef>>;

    /// `Ok(())` if this backend runs the library operation `call` (FFT, matmul, ...);
    /// otherwise the reason, and the engine runs it on its fallback backend and moves
    /// the data.
    fn supports_library(&self, call: &LibraryCall) -> Support {
        Err(format!(
            "backend '{}' has no library kernel for {}",
            self.name(),
            call.op.name()
        ))
    }

    /// Run a library operation on `inputs` (buffers of this backend, in operand order);
    /// returns its result buffers (one).
    ///
    /// The result layout is part of the contract: [`LibraryOp`]'s documentation gives
    /// each operation's. The decompositions with several results return them packed
    /// along the last axis, each part row-major:
    ///
    /// - `Qr` of `[..., m, n]`, k = min(m, n): Q (m×k) then R (k×n), so the last axis
    ///   has m·k + k·n elements;
    /// - `Svd` of `[..., m, n]`, k = min(m, n): U (m×k), then the singular values S (k,
    ///   descending), then Vᴴ (k×n);
    /// - `Eigh` of a Hermitian `[..., n, n]` (lower triangle read): the eigenvalues (n,
    ///   ascending) then the eigenvectors (n×n, one per column).
    ///
    /// FFTs are unnormalised (the API scales lazily afterwards); `Fft` zero-pads the input
    /// at the end of each axis to the output shape.
    fn run_library(&self, call: &LibraryCall, inputs: &[BufferRef]) -> Result<Vec<BufferRef>> {
        let _ = inputs;
        Err(Error::Unsupported {
            backend: self.name().into(),
            what: call.op.name().into(),
            reason: "this backend has no library kernels".into(),
        })
    }

    /// Compile-cache counters (zero for backends that do not compile).
    fn stats(&self) -> BackendStats {
        BackendStats::default()
    }

    /// Wait until every operation queued so far has finished (a no-op for backends that
    /// run synchronously). Reading data back synchronises by itself; call this to time
    /// asynchronous work.
    fn synchronize(&self) -> Result<()> {
        Ok(())
    }

    /// Drop compiled kernels and pooled memory this backend holds (a no-op for
    /// backends without either). Later runs compile again.
    fn clear_cache(&self) {}
}

/// The host buffers behind `inputs`, or an error naming the backend that got a foreign one.
pub fn host_inputs<'a>(backend: &str, inputs: &'a [BufferRef]) -> Result<Vec<&'a HostBuffer>> {
    inputs
        .iter()
        .map(|b| {
            mathengine_ir::as_host(b.as_ref()).ok_or_else(|| mathengine_ir::Error::Backend {
                backend: backend.into(),
                msg: format!(
                    "got a buffer in '{}' memory; the engine should have moved it to host memory",
                    b.location()
                ),
            })
        })
        .collect()
}
