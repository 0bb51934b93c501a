//! Recycling large host buffers. Evaluating the same graph again (a loop, a benchmark, a
//! fit) allocates outputs of the same sizes each time; fresh memory from the OS costs a
//! page fault and a kernel-side clear per 4 KiB page, which for a 138 MB result is more
//! than computing it. Dropped buffers of at least [`MIN_BYTES`] wait here (up to
//! [`MAX_POOLED_BYTES`] in all) for an output of the same dtype and length.
//! [`release_pooled_memory`] hands everything back.

use crate::buffer::HostBuffer;
use crate::dtype::DType;
use rustc_hash::FxHashMap;
use std::sync::Mutex;

/// Buffers smaller than this are left to the allocator, which recycles them well.
pub const MIN_BYTES: usize = 1 << 20;
/// The most memory the pool keeps.
pub const MAX_POOLED_BYTES: usize = 512 << 20;

#[derive(Default)]
struct Pool {
    free: FxHashMap<(DType, usize), Vec<HostBuffer>>,
    bytes: usize,
}

fn pool() -> &'static Mutex<Pool> {
    static POOL: std::sync::OnceLock<Mutex<Pool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| Mutex::new(Pool::default()))
}

/// A buffer for a kernel to overwrite completely: recycled when one of this dtype and
/// length is pooled (its contents are then stale), zeroed otherwise. An allocation the
/// system cannot satisfy is an out-of-memory error, not an abort.
pub fn output_buffer(dtype: DType, len: usize) -> crate::error::Result<HostBuffer> {
    if dtype.size().saturating_mul(len) >= MIN_BYTES {
        let mut p = pool().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(buf) = p.free.get_mut(&(dtype, len)).and_then(Vec::pop) {
            p.bytes -= dtype.size() * len;
            return Ok(buf);
        }
    }
    HostBuffer::try_zeros("evaluate", dtype, len)
}

/// Keep `buf` for reuse if it is large and the pool has room; otherwise free it.
pub fn recycle(buf: HostBuffer) {
    let (dtype, len) = (
        crate::buffer::DeviceBuffer::dtype(&buf),
        crate::buffer::DeviceBuffer::len(&buf),
    );
    let bytes = dtype.size() * len;
    if bytes < MIN_BYTES {
        return;
    }
    let mut p = pool().lock().unwrap_or_else(|e| e.into_inner());
    if p.bytes + bytes <= MAX_POOLED_BYTES {
        p.bytes += bytes;
        p.free.entry((dtype, len)).or_default().push(buf);
    }
}

/// Bytes currently pooled.
pub fn pooled_bytes() -> usize {
    pool().lock().unwrap_or_else(|e| e.into_inner()).bytes
}

/// Free every pooled buffer.
pub fn release_pooled_memory() {
    let mut p = pool().lock().unwrap_or_else(|e| e.into_inner());
    p.free.clear();
    p.bytes = 0;
}

/// A host buffer that goes back to the pool when its last user drops it.
#[derive(Debug)]
pub struct PooledBuffer(HostBuffer);

impl PooledBuffer {
    pub fn new(buf: HostBuffer) -> Self {
        PooledBuffer(buf)
    }
    pub fn host(&self) -> &HostBuffer {
        &self.0
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        let empty = HostBuffer::zeros(crate::buffer::DeviceBuffer::dtype(&self.0), 0);
        recycle(std::mem::replace(&mut self.0, empty));
    }
}

impl crate::buffer::DeviceBuffer for PooledBuffer {
    fn location(&self) -> &str {
        "host"
    }
    fn dtype(&self) -> DType {
        self.0.dtype()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
