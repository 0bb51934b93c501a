//! FFTs on the CPU with rustfft/realfft: plans cached per (length, direction, precision)
//! by the crates' planners, rows transformed in parallel on the engine's thread pool, and
//! a cache-friendly transpose (the `transpose` crate) to bring other axes into rows.
//! Transforms are unnormalised; the `e.fft` functions scale lazily (fused downstream).

use mathengine_ir::schedule::LibraryCall;
use mathengine_ir::{DeviceBuffer, Error, HostBuffer, LibraryOp, Result};
use num_complex::Complex;
use rayon::prelude::*;
use realfft::RealFftPlanner;
use rustfft::{Fft, FftNum, FftPlanner};
use std::sync::{Arc, Mutex, OnceLock};

/// Elements per parallel task: enough work to amortise scheduling.
const TASK_ELEMENTS: usize = 1 << 14;

/// f32 or f64, with process-wide planners (they cache plans and twiddles).
trait Precision: FftNum + Default {
    fn planner() -> &'static Mutex<FftPlanner<Self>>;
    fn real_planner() -> &'static Mutex<RealFftPlanner<Self>>;
}

macro_rules! precision {
    ($t:ty) => {
        impl Precision for $t {
            fn planner() -> &'static Mutex<FftPlanner<$t>> {
                static P: OnceLock<Mutex<FftPlanner<$t>>> = OnceLock::new();
                P.get_or_init(|| Mutex::new(FftPlanner::new()))
            }
            fn real_planner() -> &'static Mutex<RealFftPlanner<$t>> {
                static P: OnceLock<Mutex<RealFftPlanner<$t>>> = OnceLock::new();
                P.get_or_init(|| Mutex::new(RealFftPlanner::new()))
            }
        }
    };
}
precision!(f32);
precision!(f64);

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
    let shape = &call.input_shape;
    let bad = || {
        Error::dtype(
            call.op.name(),
            input.dtype(),
            "FFT kernels take complex64/complex128 (or float32/float64 for rfft)",
        )
    };
    Ok(match (&call.op, input) {
        (LibraryOp::Fft { axes, inverse }, HostBuffer::C128(v)) => {
            HostBuffer::C128(fft_axes(v.clone(), shape, axes, *inverse))
        }
        (LibraryOp::Fft { axes, inverse }, HostBuffer::C64(v)) => {
            HostBuffer::C64(fft_axes(v.clone(), shape, axes, *inverse))
        }
        (LibraryOp::Rfft, HostBuffer::F64(v)) => HostBuffer::C128(rfft_rows(v, shape)),
        (LibraryOp::Rfft, HostBuffer::F32(v)) => HostBuffer::C64(rfft_rows(v, shape)),
        (LibraryOp::Irfft { n }, HostBuffer::C128(v)) => HostBuffer::F64(irfft_rows(v, shape, *n)),
        (LibraryOp::Irfft { n }, HostBuffer::C64(v)) => HostBuffer::F32(irfft_rows(v, shape, *n)),
        _ => return Err(bad()),
    })
}

/// Transform every row of length `n` in place, rows in parallel.
fn rows_in_place<T: Precision>(data: &mut [Complex<T>], n: usize, fft: &Arc<dyn Fft<T>>) {
    let rows_per_task = (TASK_ELEMENTS / n).max(1);
    data.par_chunks_mut(n * rows_per_task).for_each(|chunk| {
        let mut scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        fft.process_with_scratch(chunk, &mut scratch);
    });
}

fn fft_axes<T: Precision>(
    mut data: Vec<Complex<T>>,
    shape: &[usize],
    axes: &[usize],
    inverse: bool,
) -> Vec<Complex<T>> {
    if data.is_empty() {
        return data;
    }
    for &axis in axes {
        let n = shape[axis];
        if n <= 1 {
            continue;
        }
        let fft = plan::<T>(n, inverse);
        let inner: usize = shape[axis + 1..].iter().product();
        if inner == 1 {
            rows_in_place(&mut data, n, &fft);
            continue;
        }
        // Each [n, inner] block: transpose to [inner, n], transform rows, transpose back.
        let mut tmp = vec![Complex::default(); n * inner];
        for block in data.chunks_mut(n * inner) {
            transpose::transpose(block, &mut tmp, inner, n);
            rows_in_place(&mut tmp, n, &fft);
            transpose::transpose(&tmp, block, n, inner);
        }
    }
    data
}

fn rfft_rows<T: Precision>(data: &[T], shape: &[usize]) -> Vec<Complex<T>> {
    let n = shape.last().copied().unwrap_or(1);
    let m = n / 2 + 1;
    let rows = data.len().checked_div(n).unwrap_or(0);
    let mut out = vec![Complex::default(); rows * m];
    if rows == 0 {
        return out;
    }
    let r2c = T::real_planner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .plan_fft_forward(n);
    let rows_per_task = (TASK_ELEMENTS / n).max(1);
    out.par_chunks_mut(m * rows_per_task)
        .zip(data.par_chunks(n * rows_per_task))
        .for_each(|(o, i)| {
            let mut input = i.to_vec();
            let mut scratch = r2c.make_scratch_vec();
            for (orow, irow) in o.chunks_mut(m).zip(input.chunks_mut(n)) {
                r2c.process_with_scratch(irow, orow, &mut scratch)
                    .expect("buffer lengths match the plan");
            }
        });
    out
}

fn irfft_rows<T: Precision>(data: &[Complex<T>], shape: &[usize], n: usize) -> Vec<T> {
    let m = n / 2 + 1;
    debug_assert_eq!(
        shape.last().copied(),
        Some(m),
        "the graph pads or crops to n/2 + 1"
    );
    let rows = data.len() / m.max(1);
    let mut out = vec![T::default(); rows * n];
    if rows == 0 || n == 0 {
        return out;
    }
    let c2r = T::real_planner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .plan_fft_inverse(n);
    let rows_per_task = (TASK_ELEMENTS / n).max(1);
    out.par_chunks_mut(n * rows_per_task)
        .zip(data.par_chunks(m * rows_per_task))
        .for_each(|(o, i)| {
            let mut input = i.to_vec();
            let mut scratch = c2r.make_scratch_vec();
            for (orow, irow) in o.chunks_mut(n).zip(input.chunks_mut(m)) {
                // numpy ignores the imaginary parts of the DC (and Nyquist) terms; realfft
                // reports them as an error after computing the same result, so that is fine.
                let _ = c2r.process_with_scratch(irow, orow, &mut scratch);
            }
        });
    out
}
