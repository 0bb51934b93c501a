//! One-function float32 kernels (`y = sin(x)` of a contiguous array) run by a
//! precompiled wide-vector loop (`mathengine_codegen::wide_unary_f32`: AVX-512 or AVX2
//! on this CPU, the JIT's algorithms and bits) instead of the JIT's 128-bit code,
//! split across threads in blocks. Everything else, and CPUs without those features,
//! keeps the JIT.

use mathengine_codegen::{wide_unary_f32, WideLoop};
use mathengine_ir::{DType, HostBuffer, Inst, Kernel, Launch, Result};
use rayon::prelude::*;

/// Below this many elements the JIT runs (its compiled kernel is cached anyway, and
/// small launches keep exercising the code every fused kernel uses).
const WIDE_MIN: usize = 4096;
/// Elements per task when the launch is split across threads.
const TASK: usize = 32768;
/// One thread up to this many elements (waking the pool costs ~15 µs here).
const SERIAL_MAX: usize = 1 << 15;

/// The wide loop for `kernel` if it is `y[i] = f(x[i])` on float32 with x as long as
/// y, f one the wide loops have.
pub(super) fn plan(kernel: &Kernel, launch: &Launch) -> Option<WideLoop> {
    let f32_only = kernel.inputs == [DType::F32] && kernel.output_dtypes == [DType::F32];
    if !f32_only
        || kernel.reduction.is_some()
        || !kernel.params.is_empty()
        || kernel.outputs != [2]
        || launch.len < WIDE_MIN
        || launch.input_lens != [launch.len]
    {
        return None;
    }
    match kernel.body.as_slice() {
        [index, load, f]
            if index.inst == Inst::Index
                && load.inst == (Inst::Load { input: 0, index: 0 })
                && load.dtype == DType::F32
                && f.dtype == DType::F32 =>
        {
            match f.inst {
                Inst::Unary(op, 1) => wide_unary_f32(op),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `f` over the whole input into a new pooled float32 buffer.
pub(super) fn run(f: WideLoop, input: &HostBuffer) -> Result<HostBuffer> {
    let x = input
        .as_slice::<f32>()
        .expect("plan accepted a float32 input");
    let mut out = mathengine_ir::pool::output_buffer(DType::F32, x.len())?;
    let HostBuffer::F32(y) = &mut out else {
        unreachable!("a float32 output buffer")
    };
    if x.len() <= SERIAL_MAX {
        f(x, y);
    } else {
        x.par_chunks(TASK)
            .zip(y.par_chunks_mut(TASK))
            .for_each(|(xs, ys)| f(xs, ys));
    }
    Ok(out)
}
