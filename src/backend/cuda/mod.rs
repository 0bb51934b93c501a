//! The CUDA backend: kernel IR printed to CUDA C (`mathengine_codegen::cuda`), compiled
//! by NVRTC for the device's architecture, run through the CUDA driver API (cudarc).
//!
//! Select it with `e.change_backend("cuda")`. On a machine without a CUDA driver that
//! returns an error (cudarc loads the libraries at run time, so the crate builds and
//! runs everywhere). Modules: `device` (context, stream, memory pool, buffers),
//! `kernels` (print -> NVRTC -> cubin, cached in memory and in [`disk_cache`]), `fft`
//! (cuFFT), `blas` (cuBLAS). What this backend lacks (other library ops; kernels when
//! libnvrtc is missing) the engine runs on the CPU.
//!
//! All work is queued on one stream per device and runs asynchronously; reading a
//! result (`download`) waits for it. Freed buffers are pooled per device for reuse by
//! allocations of the same size; `clear_cache` releases them.

mod blas;
mod device;
pub mod disk_cache;
mod fft;
mod kernels;
pub mod nvrtc;

pub use device::CudaBuffer;

use super::{Backend, BackendStats};
use device::Device;
use disk_cache::DiskCache;
use mathengine_ir::schedule::LibraryCall;
use mathengine_ir::{
    BufferRef, DeviceBuffer, Error, HostBuffer, Kernel, Launch, LibraryOp, Result,
};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The backends a machine without CUDA offers instead (for error messages).
const FALLBACK_BACKENDS: &str = "cpu, reference";

/// Why CUDA cannot be used here (`None` when a driver and at least one device were
/// found). Checked once per process, without panicking when libcuda is missing.
///
/// ```
/// use mathengine::backend::cuda::cuda_unavailable_reason;
/// match cuda_unavailable_reason() {
///     None => println!("CUDA is available"),
///     Some(why) => println!("no CUDA: {why}"),
/// }
/// ```
pub fn cuda_unavailable_reason() -> Option<String> {
    static REASON: OnceLock<Option<String>> = OnceLock::new();
    REASON.get_or_init(probe).clone()
}

/// Whether a CUDA driver and at least one device are present.
///
/// ```
/// use mathengine::backend::cuda::cuda_available;
/// let e = mathengine::Engine::new();
/// assert_eq!(e.change_backend("cuda").is_ok(), cuda_available());
/// ```
pub fn cuda_available() -> bool {
    cuda_unavailable_reason().is_none()
}

fn probe() -> Option<String> {
    use cudarc::driver::result;
    // SAFETY: only tries to load libcuda; cudarc panics on the first driver call when it
    // cannot, so nothing else is called before this says it can.
    let present = std::panic::catch_unwind(|| unsafe { cudarc::driver::sys::is_culib_present() });
    if !present.unwrap_or(false) {
        return Some("no CUDA driver found".into());
    }
    let count = std::panic::catch_unwind(|| -> std::result::Result<i32, _> {
        result::init()?;
        result::device::get_count()
    });
    match count {
        Ok(Ok(n)) if n > 0 => None,
        Ok(Ok(_)) => Some("the CUDA driver found no CUDA device".into()),
        Ok(Err(e)) => Some(format!("the CUDA driver failed to start ({e})")),
        Err(_) => Some("the CUDA driver library lacks a required function (too old?)".into()),
    }
}

fn unavailable(name: &str, reason: String) -> Error {
    Error::UnknownBackend {
        name: name.into(),
        reason,
        available: FALLBACK_BACKENDS.into(),
    }
}

/// Runs kernels and FFT/matmul library calls on one NVIDIA GPU.
///
/// ```
/// use mathengine::backend::cuda::CudaBackend;
/// use mathengine::{Backend, Engine};
/// match CudaBackend::new() {
///     Ok(gpu) => {
///         let e = Engine::new();
///         e.change_backend(Box::new(gpu) as Box<dyn Backend>)?;
///         let x = e.linspace(0.0, 1.0, 1000);
///         assert_eq!(x.sin().to_vec::<f64>()?.len(), 1000);
///     }
///     Err(err) => println!("{err}"), // no CUDA here
/// }
/// # Ok::<(), mathengine::Error>(())
/// ```
pub struct CudaBackend {
    name: String,
    device: Arc<Device>,
    kernels: kernels::KernelCache,
    /// Whether libnvrtc loaded: without it kernels fall back to the CPU.
    nvrtc: bool,
}

impl CudaBackend {
    /// The backend of device 0, caching cubins in [`DiskCache::default_dir`].
    ///
    /// ```
    /// use mathengine::backend::cuda::{cuda_available, CudaBackend};
    /// assert_eq!(CudaBackend::new().is_ok(), cuda_available());
    /// ```
    pub fn new() -> Result<CudaBackend> {
        Self::with_ordinal(0)
    }

    /// The backend of device `ordinal` (named `"cuda"` for 0, `"cuda:N"` otherwise).
    ///
    /// ```
    /// use mathengine::backend::cuda::CudaBackend;
    /// // There is never a device 1000.
    /// assert!(CudaBackend::with_ordinal(1000).is_err());
    /// ```
    pub fn with_ordinal(ordinal: usize) -> Result<CudaBackend> {
        Self::with_cache_dir(ordinal, DiskCache::default_dir())
    }

    /// The backend of device `ordinal` caching cubins in `cache_dir` (`None`: in memory
    /// only).
    ///
    /// ```
    /// use mathengine::backend::cuda::CudaBackend;
    /// let dir = std::env::temp_dir().join("my-cubins");
    /// if let Ok(gpu) = CudaBackend::with_cache_dir(0, Some(dir.clone())) {
    ///     assert_eq!(gpu.cache_dir(), Some(dir.as_path()));
    /// }
    /// ```
    pub fn with_cache_dir(ordinal: usize, cache_dir: Option<PathBuf>) -> Result<CudaBackend> {
        let name = if ordinal == 0 {
            "cuda".to_string()
        } else {
            format!("cuda:{ordinal}")
        };
        if let Some(reason) = cuda_unavailable_reason() {
            return Err(unavailable(&name, reason));
        }
        let count = cudarc::driver::result::device::get_count()
            .unwrap_or(0)
            .max(0) as usize;
        if ordinal >= count {
            return Err(unavailable(
                &name,
                format!("there is no CUDA device {ordinal} ({count} found)"),
            ));
        }
        let device = std::panic::catch_unwind(|| device::device(ordinal))
            .unwrap_or_else(|_| Err(unavailable(&name, "the CUDA driver failed".into())))?;
        Ok(CudaBackend {
            name,
            device,
            kernels: kernels::KernelCache::new(cache_dir.map(DiskCache::new)),
            nvrtc: std::panic::catch_unwind(nvrtc::nvrtc_available).unwrap_or(false),
        })
    }

    /// The device's compute capability as major * 10 + minor (90 for an H100/H200).
    ///
    /// ```
    /// # if let Ok(gpu) = mathengine::backend::cuda::CudaBackend::new() {
    /// assert!(gpu.arch() >= 50);
    /// # }
    /// ```
    pub fn arch(&self) -> u32 {
        self.device.arch
    }

    /// The GPU's name, e.g. "NVIDIA H200".
    ///
    /// ```
    /// # if let Ok(gpu) = mathengine::backend::cuda::CudaBackend::new() {
    /// println!("running on {}", gpu.device_name());
    /// # }
    /// ```
    pub fn device_name(&self) -> &str {
        &self.device.name
    }

    /// The directory cubins are cached in, if any.
    ///
    /// ```
    /// # if let Ok(gpu) = mathengine::backend::cuda::CudaBackend::with_cache_dir(0, None) {
    /// assert_eq!(gpu.cache_dir(), None);
    /// # }
    /// ```
    pub fn cache_dir(&self) -> Option<&std::path::Path> {
        self.kernels.disk().map(DiskCache::dir)
    }

    /// Bytes of freed device buffers the device keeps for reuse (shared by every
    /// backend of the device; [`Backend::clear_cache`] releases them).
    ///
    /// ```
    /// # if let Ok(gpu) = mathengine::backend::cuda::CudaBackend::new() {
    /// use mathengine::Backend;
    /// gpu.clear_cache();
    /// assert_eq!(gpu.pooled_bytes(), 0);
    /// # }
    /// ```
    pub fn pooled_bytes(&self) -> usize {
        self.device.pooled_bytes()
    }

    /// `buf` as a buffer of this backend's device, or an error naming where it lives.
    fn own<'a>(&self, buf: &'a dyn DeviceBuffer) -> Result<&'a CudaBuffer> {
        buf.as_any()
            .downcast_ref::<CudaBuffer>()
            .filter(|b| Arc::ptr_eq(b.device(), &self.device))
            .ok_or_else(|| Error::Backend {
                backend: self.name.clone(),
                msg: format!(
                    "got a buffer in '{}' memory, not '{}'; the engine should have moved it",
                    buf.location(),
                    self.device.location
                ),
            })
    }

    fn own_all<'a>(&self, inputs: &'a [BufferRef]) -> Result<Vec<&'a CudaBuffer>> {
        inputs.iter().map(|b| self.own(b.as_ref())).collect()
    }
}

fn refs(bufs: Vec<CudaBuffer>) -> Vec<BufferRef> {
    bufs.into_iter().map(|b| Arc::new(b) as BufferRef).collect()
}

impl Backend for CudaBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn location(&self) -> &str {
        &self.device.location
    }

    fn upload(&self, host: &HostBuffer) -> Result<BufferRef> {
        Ok(Arc::new(self.device.upload(host)?))
    }

    fn download(&self, buf: &dyn DeviceBuffer) -> Result<HostBuffer> {
        self.device.download(self.own(buf)?)
    }

    fn supports(&self, _kernel: &Kernel) -> std::result::Result<(), String> {
        if self.nvrtc {
            Ok(())
        } else {
            Err(
                "libnvrtc was not found, so CUDA kernels cannot be compiled; install the \
                 CUDA toolkit's NVRTC (or the nvidia-cuda-nvrtc wheel) and put it on the \
                 library path"
                    .into(),
            )
        }
    }

    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> Result<Vec<BufferRef>> {
        self.supports(kernel).map_err(|reason| Error::Unsupported {
            backend: self.name.clone(),
            what: kernel.name(),
            reason,
        })?;
        let inputs = self.own_all(inputs)?;
        kernels::check(kernel, launch, &inputs)?;
        let func = self.kernels.get(&self.device, kernel)?;
        let outs = kernels::launch(&self.device, &func, kernel, launch, &inputs)?;
        Ok(refs(outs))
    }

    fn supports_library(&self, call: &LibraryCall) -> super::Support {
        let (library, available, fits) = match call.op {
            LibraryOp::Fft { .. } => ("cuFFT", self.device.has_cufft, fft::supports(call)),
            LibraryOp::MatMul => ("cuBLAS", self.device.has_cublas, blas::supports(call)),
            _ => {
                return Err(format!(
                    "no GPU library kernel for {}; the engine runs it on its fallback backend",
                    call.op.name()
                ))
            }
        };
        if !available {
            Err(format!("{library} could not be loaded on this machine"))
        } else if !fits {
            Err(format!(
                "{library} does not take operands {:?} of shapes {:?}",
                call.input_dtypes, call.input_shapes
            ))
        } else {
            Ok(())
        }
    }

    fn run_library(&self, call: &LibraryCall, inputs: &[BufferRef]) -> Result<Vec<BufferRef>> {
        let inputs = self.own_all(inputs)?;
        // The shared library contract (operand counts, dtypes, lengths) before any
        // device code runs.
        call.check(inputs.iter().map(|b| {
            use mathengine_ir::DeviceBuffer;
            (b.dtype(), b.len())
        }))?;
        if let Err(reason) = self.supports_library(call) {
            return Err(Error::Unsupported {
                backend: self.name.clone(),
                what: call.op.name().into(),
                reason,
            });
        }
        let out = match (&call.op, inputs.as_slice()) {
            (LibraryOp::Fft { .. }, [x]) => fft::run_fft(&self.device, call, x)?,
            (LibraryOp::MatMul, [a, b]) => blas::run_matmul(&self.device, call, a, b)?,
            _ => {
                return Err(Error::invalid(
                    call.op.name(),
                    format!("internal: {} operands given", inputs.len()),
                ))
            }
        };
        Ok(refs(vec![out]))
    }

    fn stats(&self) -> BackendStats {
        self.kernels.stats()
    }

    /// Drops this backend's loaded kernels, the device's cuFFT plans and its pooled
    /// memory (the disk cache stays: later runs load from it instead of compiling).
    fn synchronize(&self) -> Result<()> {
        self.device.synchronize()
    }

    fn clear_cache(&self) {
        // Synchronises first: no queued work still uses the modules or plans dropped.
        self.kernels.clear(&self.device);
        self.device
            .fft
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.device.release_pool();
        // Freed blocks go back to the driver once the stream drains (so tools such as
        // nvidia-smi show them free); a failure here resurfaces on the next call.
        let _ = self.device.synchronize();
    }
}
