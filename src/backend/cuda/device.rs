//! One CUDA device as the backend sees it: its context and the one stream all work runs
//! on, device memory with a pool of freed allocations, and the buffers handed to the
//! engine.
//!
//! Every backend of one device shares one [`Device`] (so buffers of `cuda:0` are
//! readable by all of them, in stream order): kernels, copies, cuFFT and cuBLAS are all
//! queued on the device's stream, which orders every use of every allocation. That is
//! why cudarc's per-allocation event tracking is switched off.

use cudarc::driver::result::DriverError;
use cudarc::driver::sys::CUdeviceptr;
use cudarc::driver::{result, sys, CudaContext, CudaStream};
use mathengine_ir::{DType, DeviceBuffer, Error, HostBuffer, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Every allocation has at least this many bytes, so that a kernel may read element 0 of
/// an empty input (lowering clamps out-of-range indices to 0 and selects the result
/// away) without touching unmapped memory.
pub const MIN_ALLOCATION: usize = 16;

/// A device error as the engine's error type, naming what was being done.
pub(crate) fn driver_err(what: &str, e: DriverError) -> Error {
    Error::Backend {
        backend: "cuda".into(),
        msg: format!("{what} failed: {e}"),
    }
}

/// A cuFFT/cuBLAS error as the engine's error type, naming what was being done.
pub(crate) fn lib_err(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::Backend {
        backend: "cuda".into(),
        msg: format!("{what} failed: {e:?}"),
    }
}

/// A block of device memory: a raw pointer and its size. Owned by a [`CudaBuffer`] or by
/// the pool; freed by [`Device::free`].
#[derive(Debug)]
pub(crate) struct DeviceMem {
    pub(crate) ptr: CUdeviceptr,
    pub(crate) bytes: usize,
}

/// Freed allocations waiting for a request of the same byte size.
#[derive(Default)]
struct Pool {
    free: HashMap<usize, Vec<DeviceMem>>,
    bytes: usize,
}

/// A CUDA device: context, stream, compute capability and memory pool.
pub struct Device {
    pub(crate) location: String,
    pub(crate) ctx: Arc<CudaContext>,
    pub(crate) stream: Arc<CudaStream>,
    /// Compute capability as major * 10 + minor (90 for sm_90).
    pub(crate) arch: u32,
    pub(crate) sm_count: u32,
    pub(crate) name: String,
    /// Whether libcufft / libcublas could be loaded (library ops need them).
    pub(crate) has_cufft: bool,
    pub(crate) has_cublas: bool,
    pool: Mutex<Pool>,
    max_pooled: usize,
    /// cuFFT plans and the cuBLAS handle, created on first use.
    pub(crate) fft: Mutex<super::fft::FftPlans>,
    pub(crate) blas: Mutex<Option<super::blas::BlasHandle>>,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Device({}, {}, sm_{})",
            self.location, self.name, self.arch
        )
    }
}

/// The process-wide device of each ordinal, created on first use and kept.
pub(crate) fn device(ordinal: usize) -> Result<Arc<Device>> {
    static DEVICES: OnceLock<Mutex<HashMap<usize, Arc<Device>>>> = OnceLock::new();
    let mut map = DEVICES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(d) = map.get(&ordinal) {
        return Ok(d.clone());
    }
    let d = Arc::new(Device::open(ordinal)?);
    map.insert(ordinal, d.clone());
    Ok(d)
}

impl Device {
    fn open(ordinal: usize) -> Result<Device> {
        let err = |what: &str, e: DriverError| driver_err(&format!("{what} (cuda:{ordinal})"), e);
        let ctx = CudaContext::new(ordinal).map_err(|e| err("creating the CUDA context", e))?;
        // SAFETY: all work of this context's slices, kernels and libraries goes to the one
        // stream created below, which orders it; no cudarc slice outlives a use on
        // another stream (we create none), so no events are needed.
        unsafe { ctx.disable_event_tracking() };
        let stream = ctx
            .new_stream()
            .map_err(|e| err("creating a CUDA stream", e))?;
        let (major, minor) = ctx
            .compute_capability()
            .map_err(|e| err("querying the compute capability", e))?;
        let sm_count = ctx
            .attribute(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)
            .map_err(|e| err("querying the multiprocessor count", e))?;
        let total = ctx
            .total_mem()
            .map_err(|e| err("querying the memory size", e))?;
        // SAFETY: these only try to load the shared libraries (cudarc panics on the first
        // call into a library it cannot load, so we ask before any).
        let has_cufft =
            std::panic::catch_unwind(|| unsafe { cudarc::cufft::sys::is_culib_present() });
        let has_cublas =
            std::panic::catch_unwind(|| unsafe { cudarc::cublas::sys::is_culib_present() });
        Ok(Device {
            has_cufft: has_cufft.unwrap_or(false),
            has_cublas: has_cublas.unwrap_or(false),
            location: format!("cuda:{ordinal}"),
            name: ctx.name().unwrap_or_else(|_| "unknown GPU".into()),
            ctx,
            stream,
            arch: (major.max(0) as u32) * 10 + minor.max(0) as u32,
            sm_count: sm_count.max(1) as u32,
            pool: Mutex::new(Pool::default()),
            max_pooled: total / 4,
            fft: Mutex::new(Default::default()),
            blas: Mutex::new(None),
        })
    }

    /// Make this device's context current on the calling thread (every driver call
    /// below needs it; the engine may call from any thread).
    pub(crate) fn bind(&self) -> Result<()> {
        self.ctx
            .bind_to_thread()
            .map_err(|e| driver_err("binding the CUDA context to this thread", e))
    }

    /// The raw stream handle for driver and library calls.
    pub(crate) fn cu_stream(&self) -> sys::CUstream {
        self.stream.cu_stream()
    }

    /// Wait for all queued work; reports errors of earlier asynchronous work (a kernel
    /// that faulted, ...).
    pub(crate) fn synchronize(&self) -> Result<()> {
        self.bind()?;
        self.stream
            .synchronize()
            .map_err(|e| driver_err(&format!("running queued work on {}", self.location), e))
    }

    fn raw_alloc(&self, bytes: usize) -> std::result::Result<CUdeviceptr, DriverError> {
        // SAFETY: the context is current (callers bind first) and the stream is live for
        // the process. The memory is uninitialised device bytes: outputs are written by
        // kernels or copies before they are read; the only other read is a clamped load
        // from the padding of an empty input, whose value a kernel selects away.
        unsafe {
            if self.ctx.has_async_alloc() {
                result::malloc_async(self.cu_stream(), bytes)
            } else {
                result::malloc_sync(bytes)
            }
        }
    }

    /// `bytes` of device memory (at least [`MIN_ALLOCATION`]): a pooled block of the same
    /// size if there is one, else a new one; on out-of-memory the pool is released and
    /// the allocation tried once more.
    pub(crate) fn alloc(&self, bytes: usize) -> Result<DeviceMem> {
        let bytes = bytes.max(MIN_ALLOCATION);
        {
            let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(m) = p.free.get_mut(&bytes).and_then(Vec::pop) {
                p.bytes -= bytes;
                return Ok(m);
            }
        }
        self.bind()?;
        let first = self.raw_alloc(bytes);
        let ptr = match first {
            Ok(p) => p,
            Err(DriverError(sys::CUresult::CUDA_ERROR_OUT_OF_MEMORY)) => {
                self.release_pool();
                // Pooled blocks freed on the stream return to the driver once it drains.
                self.synchronize()?;
                self.raw_alloc(bytes)
                    .map_err(|e| self.oom_error(bytes, e))?
            }
            Err(e) => return Err(self.oom_error(bytes, e)),
        };
        Ok(DeviceMem { ptr, bytes })
    }

    fn oom_error(&self, bytes: usize, e: DriverError) -> Error {
        let (free, total) = result::mem_get_info().unwrap_or((0, 0));
        Error::Backend {
            backend: "cuda".into(),
            msg: format!(
                "allocating {bytes} bytes ({:.1} MiB) on {} ({}) failed: {e}; {:.1} of {:.1} MiB \
                 are free after releasing pooled memory; free arrays you no longer need, \
                 evaluate in smaller pieces, or use the cpu backend",
                bytes as f64 / 1048576.0,
                self.location,
                self.name,
                free as f64 / 1048576.0,
                total as f64 / 1048576.0
            ),
        }
    }

    /// Give `mem` back to the driver (stream-ordered: work queued before still sees it).
    pub(crate) fn free(&self, mem: DeviceMem) {
        if self.bind().is_err() {
            return; // the context is gone (process teardown): nothing to free into
        }
        // SAFETY: `mem` came from `raw_alloc` on this context and is owned here, so it is
        // freed once; with async allocation the free is ordered after all work queued on
        // the stream (the only stream that uses it); without, we wait for that work first.
        let r = unsafe {
            if self.ctx.has_async_alloc() {
                result::free_async(mem.ptr, self.cu_stream())
            } else {
                self.stream
                    .synchronize()
                    .and_then(|_| result::free_sync(mem.ptr))
            }
        };
        self.ctx.record_err(r);
    }

    /// Keep `mem` for a later allocation of its size, or free it when the pool is full.
    /// Reuse is safe without waiting: later work on the stream runs after earlier work.
    pub(crate) fn recycle(&self, mem: DeviceMem) {
        let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        if p.bytes + mem.bytes <= self.max_pooled {
            p.bytes += mem.bytes;
            p.free.entry(mem.bytes).or_default().push(mem);
        } else {
            drop(p);
            self.free(mem);
        }
    }

    /// Bytes of freed allocations held for reuse.
    pub(crate) fn pooled_bytes(&self) -> usize {
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).bytes
    }

    /// Free every pooled allocation.
    pub(crate) fn release_pool(&self) {
        let blocks: Vec<DeviceMem> = {
            let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            p.bytes = 0;
            p.free.drain().flat_map(|(_, v)| v).collect()
        };
        for m in blocks {
            self.free(m);
        }
    }

    /// A new buffer of `len` elements of `dtype`, contents unset.
    pub(crate) fn buffer(self: &Arc<Self>, dtype: DType, len: usize) -> Result<CudaBuffer> {
        let bytes = len.checked_mul(dtype.size()).ok_or_else(|| {
            Error::invalid(
                "cuda alloc",
                format!("{len} elements of {dtype} overflow the address space"),
            )
        })?;
        Ok(CudaBuffer {
            mem: Some(self.alloc(bytes)?),
            dtype,
            len,
            device: self.clone(),
        })
    }

    /// Copy a host buffer to a new device buffer.
    pub(crate) fn upload(self: &Arc<Self>, host: &HostBuffer) -> Result<CudaBuffer> {
        let (dtype, len) = (host.dtype(), host.len());
        let buf = self.buffer(dtype, len)?;
        let bytes = len * dtype.size();
        if bytes > 0 {
            // SAFETY: every HostBuffer variant is a Vec of `len` plain values of
            // `dtype.size()` bytes with no padding (bool is one byte 0/1, complex is
            // #[repr(C)] re, im), so its storage is `bytes` initialised bytes.
            let src = unsafe { std::slice::from_raw_parts(host.as_ptr(), bytes) };
            self.bind()?;
            // SAFETY: the destination holds at least `bytes` bytes and is used only on
            // this stream; from pageable memory the call returns once `src` has been
            // staged, so `host` may be dropped afterwards.
            unsafe { result::memcpy_htod_async(buf.ptr(), src, self.cu_stream()) }
                .map_err(|e| driver_err("copying to the device", e))?;
        }
        Ok(buf)
    }

    /// Copy a device buffer to host memory, waiting for all work queued before.
    pub(crate) fn download(&self, buf: &CudaBuffer) -> Result<HostBuffer> {
        let (dtype, len) = (buf.dtype, buf.len);
        let bytes = len * dtype.size();
        self.bind()?;
        if dtype == DType::Bool {
            // Read raw bytes: a byte other than 0/1 would be an invalid `bool`.
            let mut raw = vec![0u8; len];
            if len > 0 {
                self.copy_to_host(&mut raw, buf.ptr())?;
            }
            return Ok(HostBuffer::Bool(raw.into_iter().map(|b| b != 0).collect()));
        }
        let mut host = HostBuffer::zeros(dtype, len);
        if bytes > 0 {
            // SAFETY: a non-bool HostBuffer of `len` elements is `bytes` bytes of ints,
            // floats or (re, im) float pairs, for which every bit pattern is valid.
            let dst = unsafe { std::slice::from_raw_parts_mut(host.as_mut_ptr(), bytes) };
            self.copy_to_host(dst, buf.ptr())?;
        }
        Ok(host)
    }

    fn copy_to_host(&self, dst: &mut [u8], src: CUdeviceptr) -> Result<()> {
        // SAFETY: `src` is a live allocation of at least `dst.len()` bytes used on this
        // stream; we synchronise before `dst` is read or dropped.
        unsafe { result::memcpy_dtoh_async(dst, src, self.cu_stream()) }
            .map_err(|e| driver_err("copying to the host", e))?;
        self.synchronize()
    }

    /// Queue `dst[..bytes] = 0`.
    pub(crate) fn memset_zero(&self, dst: CUdeviceptr, bytes: usize) -> Result<()> {
        if bytes == 0 {
            return Ok(());
        }
        self.bind()?;
        // SAFETY: callers pass a live allocation of at least `bytes` bytes.
        unsafe { result::memset_d8_async(dst, 0, bytes, self.cu_stream()) }
            .map_err(|e| driver_err("clearing device memory", e))
    }

    /// Queue a device-to-device copy of `bytes` bytes.
    pub(crate) fn copy_d2d(&self, dst: CUdeviceptr, src: CUdeviceptr, bytes: usize) -> Result<()> {
        if bytes == 0 {
            return Ok(());
        }
        self.bind()?;
        // SAFETY: callers pass live allocations of at least `bytes` bytes each.
        unsafe { result::memcpy_dtod_async(dst, src, bytes, self.cu_stream()) }
            .map_err(|e| driver_err("copying on the device", e))
    }

    /// Queue a strided copy of `height` rows of `width` bytes (row pitches in bytes).
    pub(crate) fn copy_2d(
        &self,
        dst: CUdeviceptr,
        dst_pitch: usize,
        src: CUdeviceptr,
        src_pitch: usize,
        width: usize,
        height: usize,
    ) -> Result<()> {
        if width == 0 || height == 0 {
            return Ok(());
        }
        self.bind()?;
        let copy = sys::CUDA_MEMCPY2D {
            srcXInBytes: 0,
            srcY: 0,
            srcMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_DEVICE,
            srcHost: std::ptr::null(),
            srcDevice: src,
            srcArray: std::ptr::null_mut(),
            srcPitch: src_pitch,
            dstXInBytes: 0,
            dstY: 0,
            dstMemoryType: sys::CUmemorytype::CU_MEMORYTYPE_DEVICE,
            dstHost: std::ptr::null_mut(),
            dstDevice: dst,
            dstArray: std::ptr::null_mut(),
            dstPitch: dst_pitch,
            WidthInBytes: width,
            Height: height,
        };
        // SAFETY: the descriptor is fully initialised; callers pass allocations that hold
        // `height` rows of `width` bytes at the given pitches.
        unsafe { sys::cuMemcpy2DAsync_v2(&copy, self.cu_stream()) }
            .result()
            .map_err(|e| driver_err("copying a strided block on the device", e))
    }
}

/// An array's elements in device memory: `len` elements of `dtype`, host layout
/// (complex interleaved, bool one byte). Returns its memory to the device's pool when
/// dropped.
pub struct CudaBuffer {
    mem: Option<DeviceMem>,
    dtype: DType,
    len: usize,
    device: Arc<Device>,
}

impl CudaBuffer {
    /// The device address of the first element.
    pub(crate) fn ptr(&self) -> CUdeviceptr {
        self.mem.as_ref().map_or(0, |m| m.ptr)
    }
    /// The device that owns this buffer.
    pub(crate) fn device(&self) -> &Arc<Device> {
        &self.device
    }
}

impl Drop for CudaBuffer {
    fn drop(&mut self) {
        if let Some(m) = self.mem.take() {
            self.device.recycle(m);
        }
    }
}

impl std::fmt::Debug for CudaBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CudaBuffer({} x {} on {})",
            self.len, self.dtype, self.device.location
        )
    }
}

impl DeviceBuffer for CudaBuffer {
    fn location(&self) -> &str {
        &self.device.location
    }
    fn dtype(&self) -> DType {
        self.dtype
    }
    fn len(&self) -> usize {
        self.len
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
