//! Real-to-complex (`rfft`) and complex-to-real (`irfft`) DFTs along the last axis with
//! realfft: batches of rows per task, one input-row copy and one scratch per thread
//! (realfft uses its input as workspace, and the step's input is shared).

use super::{Precision, TASK_ELEMENTS};
use mathengine_ir::{Error, Result};
use num_complex::Complex;
use rayon::prelude::*;

fn too_large(op: &str) -> Error {
    Error::internal(op, "transform output too large")
}

/// Rows of `n` reals (`n` the last of `shape`) to rows of `n/2 + 1` complex values.
pub(super) fn rfft_rows<T: Precision>(
    op: &str,
    data: &[T],
    shape: &[usize],
) -> Result<Vec<Complex<T>>> {
    let n = shape.last().copied().unwrap_or(1);
    let m = n / 2 + 1;
    let rows = data.len().checked_div(n).unwrap_or(0);
    let len = rows.checked_mul(m).ok_or_else(|| too_large(op))?;
    let mut out = T::complex_output(op, len)?;
    if rows == 0 {
        return Ok(out);
    }
    let r2c = T::real_planner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .plan_fft_forward(n);
    let rows_per_task = (TASK_ELEMENTS / n).max(1);
    out.par_chunks_mut(m * rows_per_task)
        .zip(data.par_chunks(n * rows_per_task))
        .for_each_init(
            || (vec![T::default(); n], r2c.make_scratch_vec()),
            |(row, scratch), (o, i)| {
                for (orow, irow) in o.chunks_mut(m).zip(i.chunks(n)) {
                    row.copy_from_slice(irow);
                    // Lengths match the plan by construction; realfft reports nothing else.
                    let _ = r2c.process_with_scratch(row, orow, scratch);
                }
            },
        );
    Ok(out)
}

/// Rows of `n/2 + 1` complex values (the last of `shape`) to rows of `n` reals.
pub(super) fn irfft_rows<T: Precision>(
    op: &str,
    data: &[Complex<T>],
    shape: &[usize],
    n: usize,
) -> Result<Vec<T>> {
    let m = n / 2 + 1;
    if shape.last().copied() != Some(m) {
        return Err(Error::internal(
            op,
            format!("irfft input rows must hold n/2 + 1 = {m} values"),
        ));
    }
    let rows = data.len() / m;
    let len = rows.checked_mul(n).ok_or_else(|| too_large(op))?;
    let mut out = T::real_output(op, len)?;
    if rows == 0 || n == 0 {
        return Ok(out);
    }
    let c2r = T::real_planner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .plan_fft_inverse(n);
    let rows_per_task = (TASK_ELEMENTS / n).max(1);
    out.par_chunks_mut(n * rows_per_task)
        .zip(data.par_chunks(m * rows_per_task))
        .for_each_init(
            || (vec![Complex::default(); m], c2r.make_scratch_vec()),
            |(row, scratch), (o, i)| {
                for (orow, irow) in o.chunks_mut(n).zip(i.chunks(m)) {
                    row.copy_from_slice(irow);
                    // numpy ignores the imaginary parts of the DC (and Nyquist) terms;
                    // realfft reports them as an error after computing that same result.
                    let _ = c2r.process_with_scratch(row, orow, scratch);
                }
            },
        );
    Ok(out)
}
