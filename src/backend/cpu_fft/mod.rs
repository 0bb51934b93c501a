//! FFTs on the CPU with rustfft/realfft. Plans are cached per (length, direction,
//! precision) by the crates' planners (which pick AVX/SSE code for the CPU at run time).
//!
//! - `lines.rs`: complex DFTs over any set of axes, one pass per axis. A pass over the
//!   contiguous axis transforms batches of rows in place; a pass over any other axis
//!   gathers a few adjacent columns into a cache-resident scratch, transforms them as one
//!   batch and scatters them back (never transposing the whole array). Zero padding
//!   (numpy's `s=`) is never materialised: the first pass reads the input directly and
//!   transforms only the lines that hold data, later passes read only the non-zero part
//!   of each line.
//! - `real.rs`: real-to-complex and complex-to-real DFTs along the last axis, batched.
//!
//! Results come from the buffer pool (`mathengine_ir::pool`), so a loop that transforms
//! arrays of one size reuses one buffer instead of faulting in fresh pages every time.
//! Transforms are unnormalised; the `e.fft` functions scale lazily (fused downstream).

mod lines;
mod real;

use mathengine_ir::schedule::LibraryCall;
use mathengine_ir::{DType, DeviceBuffer, Error, HostBuffer, LibraryOp, Result};
use num_complex::Complex;
use realfft::RealFftPlanner;
use rustfft::{Fft, FftNum, FftPlanner};
use std::sync::{Arc, Mutex, OnceLock};

/// Elements per parallel task: enough work to amortise scheduling.
const TASK_ELEMENTS: usize = 1 << 14;

/// A pointer shared by the tasks of one pass (each touches disjoint elements).
#[derive(Clone, Copy)]
struct SharedMut<T>(*mut T);
// SAFETY: see the uses: tasks access disjoint elements only.
unsafe impl<T> Send for SharedMut<T> {}
unsafe impl<T> Sync for SharedMut<T> {}

/// f32 or f64, with process-wide planners (they cache plans and twiddles).
trait Precision: FftNum + Default {
    fn planner() -> &'static Mutex<FftPlanner<Self>>;
    fn real_planner() -> &'static Mutex<RealFftPlanner<Self>>;
    /// A buffer of `n` complex elements for a transform to overwrite completely: pooled
    /// (stale contents) or fresh (zeros).
    fn complex_output(op: &str, n: usize) -> Result<Vec<Complex<Self>>>;
    /// The same for `n` real elements.
    fn real_output(op: &str, n: usize) -> Result<Vec<Self>>;
}

/// The vector inside a pooled output buffer of the expected variant.
macro_rules! take {
    ($op:expr, $dtype:expr, $n:expr, $variant:ident) => {
        match mathengine_ir::pool::output_buffer($dtype, $n)? {
            HostBuffer::$variant(v) => Ok(v),
            other => Err(Error::internal(
                $op,
                format!(
                    "the buffer pool returned {} for a {} buffer",
                    other.dtype(),
                    $dtype
                ),
            )),
        }
    };
}

macro_rules! precision {
    ($t:ty, $real:ident, $complex:ident) => {
        impl Precision for $t {
            fn planner() -> &'static Mutex<FftPlanner<$t>> {
                static P: OnceLock<Mutex<FftPlanner<$t>>> = OnceLock::new();
                P.get_or_init(|| Mutex::new(FftPlanner::new()))
            }
            fn real_planner() -> &'static Mutex<RealFftPlanner<$t>> {
                static P: OnceLock<Mutex<RealFftPlanner<$t>>> = OnceLock::new();
                P.get_or_init(|| Mutex::new(RealFftPlanner::new()))
            }
            fn complex_output(op: &str, n: usize) -> Result<Vec<Complex<$t>>> {
                take!(op, DType::$complex, n, $complex)
            }
            fn real_output(op: &str, n: usize) -> Result<Vec<$t>> {
                take!(op, DType::$real, n, $real)
            }
        }
    };
}
precision!(f32, F32, C64);
precision!(f64, F64, C128);

fn plan<T: Precision>(n: usize, inverse: bool) -> Arc<dyn Fft<T>> {
    let mut p = T::planner().lock().unwrap_or_else(|e| e.into_inner());
    if inverse {
        p.plan_fft_inverse(n)
    } else {
        p.plan_fft_forward(n)
    }
}

/// Run a library FFT on host data.
pub fn run(call: &LibraryCall, input: &HostBuffer) -> Result<HostBuffer> {
    let shape = &call.input_shapes[0];
    let out = &call.output_shape;
    let op = call.op.name();
    Ok(match (&call.op, input) {
        (LibraryOp::Fft { axes, inverse }, HostBuffer::C128(v)) => {
            HostBuffer::C128(lines::c2c(op, v, shape, out, axes, *inverse)?)
        }
        (LibraryOp::Fft { axes, inverse }, HostBuffer::C64(v)) => {
            HostBuffer::C64(lines::c2c(op, v, shape, out, axes, *inverse)?)
        }
        (LibraryOp::Rfft, HostBuffer::F64(v)) => HostBuffer::C128(real::rfft_rows(op, v, shape)?),
        (LibraryOp::Rfft, HostBuffer::F32(v)) => HostBuffer::C64(real::rfft_rows(op, v, shape)?),
        (LibraryOp::Irfft { n }, HostBuffer::C128(v)) => {
            HostBuffer::F64(real::irfft_rows(op, v, shape, *n)?)
        }
        (LibraryOp::Irfft { n }, HostBuffer::C64(v)) => {
            HostBuffer::F32(real::irfft_rows(op, v, shape, *n)?)
        }
        _ => {
            return Err(Error::dtype(
                op,
                input.dtype(),
                "FFT kernels take complex64/complex128 (or float32/float64 for rfft)",
            ))
        }
    })
}
