//! Buffers: where an evaluated array's elements live.

use crate::dtype::{DType, Element, Scalar};
use num_complex::{Complex32, Complex64};
use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

/// A backend's storage for one contiguous, row-major array.
///
/// Host backends (cpu, reference) share [`HostBuffer`]; a device backend has its own
/// type and moves data through `upload`/`download` of its `Backend`.
pub trait DeviceBuffer: Any + Send + Sync + Debug {
    /// The memory space, e.g. `"host"` or `"cuda:0"`. Buffers in the same space can be
    /// read by every backend that works in it without a copy.
    fn location(&self) -> &str;
    fn dtype(&self) -> DType;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn as_any(&self) -> &dyn Any;
}

pub type BufferRef = Arc<dyn DeviceBuffer>;

/// Elements in host memory, one variant per dtype.
#[derive(Clone, Debug, PartialEq)]
pub enum HostBuffer {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C64(Vec<Complex32>),
    C128(Vec<Complex64>),
}

macro_rules! each_variant {
    ($self:expr, $v:ident => $body:expr) => {
        match $self {
            HostBuffer::Bool($v) => $body,
            HostBuffer::I32($v) => $body,
            HostBuffer::I64($v) => $body,
            HostBuffer::F32($v) => $body,
            HostBuffer::F64($v) => $body,
            HostBuffer::C64($v) => $body,
            HostBuffer::C128($v) => $body,
        }
    };
}

impl HostBuffer {
    /// A zero-filled buffer.
    pub fn zeros(dtype: DType, len: usize) -> HostBuffer {
        match dtype {
            DType::Bool => HostBuffer::Bool(vec![false; len]),
            DType::I32 => HostBuffer::I32(vec![0; len]),
            DType::I64 => HostBuffer::I64(vec![0; len]),
            DType::F32 => HostBuffer::F32(vec![0.0; len]),
            DType::F64 => HostBuffer::F64(vec![0.0; len]),
            DType::C64 => HostBuffer::C64(vec![Complex32::new(0.0, 0.0); len]),
            DType::C128 => HostBuffer::C128(vec![Complex64::new(0.0, 0.0); len]),
        }
    }

    /// A zero-filled buffer, or an out-of-memory error naming the bytes requested
    /// (`op` names the user's call) when the allocator cannot provide them.
    pub fn try_zeros(op: &str, dtype: DType, len: usize) -> crate::error::Result<HostBuffer> {
        let oom = || {
            crate::error::Error::out_of_memory(
                op,
                format!("an array of {len} {dtype} elements"),
                len,
                dtype.size(),
            )
        };
        Ok(match dtype {
            DType::Bool => HostBuffer::Bool(try_zeroed_vec(len).ok_or_else(oom)?),
            DType::I32 => HostBuffer::I32(try_zeroed_vec(len).ok_or_else(oom)?),
            DType::I64 => HostBuffer::I64(try_zeroed_vec(len).ok_or_else(oom)?),
            DType::F32 => HostBuffer::F32(try_zeroed_vec(len).ok_or_else(oom)?),
            DType::F64 => HostBuffer::F64(try_zeroed_vec(len).ok_or_else(oom)?),
            DType::C64 => HostBuffer::C64(try_zeroed_vec(len).ok_or_else(oom)?),
            DType::C128 => HostBuffer::C128(try_zeroed_vec(len).ok_or_else(oom)?),
        })
    }

    pub fn from_scalars(dtype: DType, values: impl IntoIterator<Item = Scalar>) -> HostBuffer {
        let it = values.into_iter().map(move |s| s.cast(dtype));
        match dtype {
            DType::Bool => HostBuffer::Bool(it.map(bool::from_scalar).collect()),
            DType::I32 => HostBuffer::I32(it.map(i32::from_scalar).collect()),
            DType::I64 => HostBuffer::I64(it.map(i64::from_scalar).collect()),
            DType::F32 => HostBuffer::F32(it.map(f32::from_scalar).collect()),
            DType::F64 => HostBuffer::F64(it.map(f64::from_scalar).collect()),
            DType::C64 => HostBuffer::C64(it.map(Complex32::from_scalar).collect()),
            DType::C128 => HostBuffer::C128(it.map(Complex64::from_scalar).collect()),
        }
    }

    pub fn from_vec<T: Element>(v: Vec<T>) -> HostBuffer {
        // Each Element type maps to exactly one variant; go through Any to pick it.
        let any: Box<dyn Any> = Box::new(v);
        let any = match any.downcast::<Vec<bool>>() {
            Ok(v) => return HostBuffer::Bool(*v),
            Err(a) => a,
        };
        let any = match any.downcast::<Vec<i32>>() {
            Ok(v) => return HostBuffer::I32(*v),
            Err(a) => a,
        };
        let any = match any.downcast::<Vec<i64>>() {
            Ok(v) => return HostBuffer::I64(*v),
            Err(a) => a,
        };
        let any = match any.downcast::<Vec<f32>>() {
            Ok(v) => return HostBuffer::F32(*v),
            Err(a) => a,
        };
        let any = match any.downcast::<Vec<f64>>() {
            Ok(v) => return HostBuffer::F64(*v),
            Err(a) => a,
        };
        let any = match any.downcast::<Vec<Complex32>>() {
            Ok(v) => return HostBuffer::C64(*v),
            Err(a) => a,
        };
        match any.downcast::<Vec<Complex64>>() {
            Ok(v) => HostBuffer::C128(*v),
            Err(_) => unreachable!("Element is implemented only for the seven dtypes"),
        }
    }

    /// The elements as `T`, if `T` is exactly this buffer's dtype.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        let any: &dyn Any = each_variant!(self, v => v as &dyn Any);
        any.downcast_ref::<Vec<T>>().map(|v| v.as_slice())
    }

    pub fn get(&self, i: usize) -> Scalar {
        match self {
            HostBuffer::Bool(v) => Scalar::Bool(v[i]),
            HostBuffer::I32(v) => Scalar::I32(v[i]),
            HostBuffer::I64(v) => Scalar::I64(v[i]),
            HostBuffer::F32(v) => Scalar::F32(v[i]),
            HostBuffer::F64(v) => Scalar::F64(v[i]),
            HostBuffer::C64(v) => Scalar::C64(v[i]),
            HostBuffer::C128(v) => Scalar::C128(v[i]),
        }
    }

    /// Raw pointer to the first element, for compiled kernels.
    pub fn as_ptr(&self) -> *const u8 {
        each_variant!(self, v => v.as_ptr() as *const u8)
    }
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        each_variant!(self, v => v.as_mut_ptr() as *mut u8)
    }
}

impl DeviceBuffer for HostBuffer {
    fn location(&self) -> &str {
        "host"
    }
    fn dtype(&self) -> DType {
        match self {
            HostBuffer::Bool(_) => DType::Bool,
            HostBuffer::I32(_) => DType::I32,
            HostBuffer::I64(_) => DType::I64,
            HostBuffer::F32(_) => DType::F32,
            HostBuffer::F64(_) => DType::F64,
            HostBuffer::C64(_) => DType::C64,
            HostBuffer::C128(_) => DType::C128,
        }
    }
    fn len(&self) -> usize {
        each_variant!(self, v => v.len())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Element types whose all-zero bit pattern is a valid value (false, 0, +0.0, 0+0i).
pub trait Zeroable: Copy {}
impl Zeroable for bool {}
impl Zeroable for i32 {}
impl Zeroable for i64 {}
impl Zeroable for f32 {}
impl Zeroable for f64 {}
impl Zeroable for Complex32 {}
impl Zeroable for Complex64 {}

/// `len` zeros, or `None` if the allocation fails or its size overflows. Like
/// `vec![0; len]` it asks the allocator for zeroed memory (which the OS provides lazily),
/// but reports a failure instead of aborting the process.
pub fn try_zeroed_vec<T: Zeroable>(len: usize) -> Option<Vec<T>> {
    if len == 0 || std::mem::size_of::<T>() == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(len).ok()?;
    // SAFETY: the layout has a non-zero size (len > 0, T is not zero-sized).
    let p = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if p.is_null() {
        return None;
    }
    advise_huge_pages(p as *mut u8, layout.size());
    // SAFETY: `p` was allocated by the global allocator with the layout of `len` T's
    // (what `Vec` uses for capacity `len`), and all-zero bytes are a valid `T`
    // (`Zeroable`), so all `len` elements are initialised.
    Some(unsafe { Vec::from_raw_parts(p, len, len) })
}

/// Allocations from this size up are offered to the kernel for transparent huge pages.
pub const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

/// Ask Linux to back the pages of `[p, p + bytes)` with 2 MiB transparent huge pages
/// (`madvise(MADV_HUGEPAGE)`; THP's default mode "madvise" uses them only where asked).
/// Fresh memory then costs one fault and one clear per 2 MiB instead of per 4 KiB, and
/// strided passes over it (FFT columns) miss the TLB far less. Only the whole 4 KiB pages
/// inside the allocation are named, and the kernel uses huge pages for the 2 MiB-aligned
/// parts of those: the layout stays `Vec`'s own (its `drop` frees with the element's
/// alignment, so a 2 MiB-aligned layout could not be handed to a `Vec`). Advice only: a
/// refusal (an old kernel, THP off) leaves ordinary pages, and the contents are untouched.
fn advise_huge_pages(p: *mut u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    if bytes >= HUGE_PAGE_MIN_BYTES {
        const PAGE: usize = 4096;
        let start = (p as usize).next_multiple_of(PAGE);
        let end = (p as usize + bytes) / PAGE * PAGE;
        if end > start {
            // SAFETY: the range lies inside one live allocation of ours; MADV_HUGEPAGE
            // changes how its pages are backed, never their contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (p, bytes);
}

/// An empty vector with room for `len` elements, or an out-of-memory error naming the
/// bytes requested.
pub fn try_with_capacity<T>(op: &str, what: &str, len: usize) -> crate::error::Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| crate::error::Error::out_of_memory(op, what, len, std::mem::size_of::<T>()))?;
    Ok(v)
}

/// The host buffer behind a buffer reference, if it lives in host memory.
pub fn as_host(buf: &dyn DeviceBuffer) -> Option<&HostBuffer> {
    let any = buf.as_any();
    any.downcast_ref::<HostBuffer>()
        .or_else(|| {
            any.downcast_ref::<crate::pool::PooledBuffer>()
                .map(|p| p.host())
        })
        .or_else(|| any.downcast_ref::<ForeignHostBuffer>().map(|f| f.host()))
}

/// Host memory owned by another library (a numpy array), read in place without a copy.
/// `owner` keeps that memory alive; the elements are never freed or written through
/// this buffer.
pub struct ForeignHostBuffer {
    host: std::mem::ManuallyDrop<HostBuffer>,
    _owner: Box<dyn Any + Send + Sync>,
}

impl ForeignHostBuffer {
    /// Wrap `len` elements of `dtype` at `ptr`.
    ///
    /// # Safety
    /// `ptr` must be non-null, aligned for `dtype`, and point to `len` initialised
    /// elements (bools 0 or 1) that stay valid, and are not written, for as long as
    /// `owner` lives. The memory is only read; it is never freed or reallocated here.
    pub unsafe fn new(
        dtype: DType,
        ptr: *const u8,
        len: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> ForeignHostBuffer {
        if len == 0 {
            return ForeignHostBuffer {
                host: std::mem::ManuallyDrop::new(HostBuffer::zeros(dtype, 0)),
                _owner: owner,
            };
        }
        // A Vec over borrowed memory: ManuallyDrop guarantees it is never dropped, so it
        // never frees or grows; it is only read through `&HostBuffer`.
        unsafe fn view<T>(ptr: *const u8, len: usize) -> Vec<T> {
            unsafe { Vec::from_raw_parts(ptr as *mut T, len, len) }
        }
        let host = unsafe {
            match dtype {
                DType::Bool => HostBuffer::Bool(view(ptr, len)),
                DType::I32 => HostBuffer::I32(view(ptr, len)),
                DType::I64 => HostBuffer::I64(view(ptr, len)),
                DType::F32 => HostBuffer::F32(view(ptr, len)),
                DType::F64 => HostBuffer::F64(view(ptr, len)),
                DType::C64 => HostBuffer::C64(view(ptr, len)),
                DType::C128 => HostBuffer::C128(view(ptr, len)),
            }
        };
        ForeignHostBuffer {
            host: std::mem::ManuallyDrop::new(host),
            _owner: owner,
        }
    }

    pub fn host(&self) -> &HostBuffer {
        &self.host
    }
}

impl Debug for ForeignHostBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ForeignHostBuffer({}, {} elements)",
            self.host.dtype(),
            self.host.len()
        )
    }
}

impl DeviceBuffer for ForeignHostBuffer {
    fn location(&self) -> &str {
        "host"
    }
    fn dtype(&self) -> DType {
        self.host.dtype()
    }
    fn len(&self) -> usize {
        self.host.len()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
