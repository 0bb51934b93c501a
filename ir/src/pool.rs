//! Recycling large host buffers. Evaluating the same graph again (a loop, a benchmark, a
//! fit) allocates outputs of the same sizes each time; fresh memory from the OS costs a
//! page fault and a kernel-side clear per 4 KiB page, which for a 138 MB result is more
//! than computing it. Dropped buffers of at least [`MIN_BYTES`] wait here (up to
//! [`max_pooled_bytes`] in all: an eighth of the machine's memory) for an output of the
//! same dtype and length. [`release_pooled_memory`] hands everything back.

use crate::buffer::HostBuffer;
use crate::dtype::DType;
use rustc_hash::FxHashMap;
use std::sync::Mutex;

/// Buffers smaller than this are left to the allocator, which recycles them well.
pub const MIN_BYTES: usize = 1 << 20;
/// The pool's cap on a machine whose memory size is unknown.
pub const DEFAULT_POOLED_BYTES: usize = 512 << 20;
/// The cap never goes above this, however large the machine.
pub const MAX_POOLED_BYTES_CAP: usize = 16 << 30;

/// The most memory the pool keeps: an eighth of physical memory, clamped to
/// [`DEFAULT_POOLED_BYTES`]..=[`MAX_POOLED_BYTES_CAP`] (3 GiB on a 24 GiB machine, enough
/// for the 2.2 GB of 66 2048² f64 outputs to be reused run after run).
pub fn max_pooled_bytes() -> usize {
    static CAP: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| {
        physical_memory_bytes().map_or(DEFAULT_POOLED_BYTES, |total| {
            (total / 8).clamp(DEFAULT_POOLED_BYTES, MAX_POOLED_BYTES_CAP)
        })
    })
}

/// The machine's physical memory in bytes, where the OS says.
fn physical_memory_bytes() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf only reads system configuration.
        let (pages, page) = unsafe {
            (
                libc::sysconf(libc::_SC_PHYS_PAGES),
                libc::sysconf(libc::_SC_PAGESIZE),
            )
        };
        if pages > 0 && page > 0 {
            return (pages as usize).checked_mul(page as usize);
        }
    }
    None
}

#[derive(Default)]
struct Pool {
    free: FxHashMap<(DType, usize), Vec<HostBuffer>>,
    bytes: usize,
}

fn pool() -> &'static Mutex<Pool> {
    static POOL: std::sync::OnceLock<Mutex<Pool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        stagger_large_allocations();
        Mutex::new(Pool::default())
    })
}

/// glibc serves allocations from 128 KiB up with a fresh mmap, so every large buffer
/// starts 16 bytes past a page boundary. A kernel writing many such outputs at once
/// (W1's 66 Zernike modes) then sends every store stream to the same L1 cache sets, and
/// runs 3-5x slower: from Python, W1 float64 at 512² took 31 ms this way against 7 ms
/// with the buffers on the heap, where successive chunks sit at staggered offsets.
/// glibc moves its mmap threshold up to the size of the largest mmapped chunk freed
/// (up to 32 MiB), which a program that once freed a large array has already done and
/// which the pool, keeping its buffers, would never do: one allocation of just under
/// 32 MiB, freed at once, does it here.
fn stagger_large_allocations() {
    if cfg!(all(target_os = "linux", target_env = "gnu")) {
        let size = (32 << 20) - (8 << 10);
        if let Ok(layout) = std::alloc::Layout::from_size_align(size, 8) {
            // SAFETY: a non-zero size; the block is freed with the same layout, unused.
            unsafe {
                let p = std::alloc::alloc(layout);
                if !p.is_null() {
                    std::alloc::dealloc(std::hint::black_box(p), layout);
                }
            }
        }
    }
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
    if p.bytes + bytes <= max_pooled_bytes() {
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
