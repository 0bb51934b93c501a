//! One-function float32 kernels (`y = sin(x)`, `arctan2(a, b)` of contiguous arrays) run by a
//! precompiled wide-vector loop (`mathengine_codegen::wide_unary_f32`: AVX-512 or AVX2
//! on this CPU, the JIT's algorithms and bits) instead of the JIT's 128-bit code,
//! split across threads in blocks. Everything else, and CPUs without those features,
//! keeps the JIT.

use mathengine_codegen::{wide_binary_f32, wide_unary_f32, WideLoop, WideLoop2};
use mathengine_ir::{DType, HostBuffer, Inst, Kernel, Launch, Result};
use rayon::prelude::*;

/// Below this many elements the JIT runs (its compiled kernel is cached anyway, and
/// small launches keep exercising the code every fused kernel uses).
const WIDE_MIN: usize = 4096;
/// Elements per task when the launch is split across threads.
const TASK: usize = 32768;
/// One thread up to this many elements (waking the pool costs ~15 µs here).
const SERIAL_MAX: usize = 1 << 15;

/// A function with a wide loop, of one or two operands.
pub(super) enum WideCall {
    Unary(WideLoop),
    Binary(WideLoop2),
}

/// The wide loop for `kernel` if it is `y[i] = f(x[i])` or `f(a[i], b[i])` on float32
/// with the inputs as long as y, f one the wide loops have.
pub(super) fn plan(kernel: &Kernel, launch: &Launch) -> Option<WideCall> {
    let n_in = kernel.inputs.len();
    let f32_only =
        kernel.inputs.iter().all(|&t| t == DType::F32) && kernel.output_dtypes == [DType::F32];
    if !f32_only
        || !(1..=2).contains(&n_in)
        || kernel.reduction.is_some()
        || !kernel.params.is_empty()
        || kernel.outputs != [n_in as u32 + 1]
        || launch.len < WIDE_MIN
        || launch.input_lens.iter().any(|&n| n != launch.len)
    {
        return None;
    }
    let b = &kernel.body;
    let loads = (0..n_in).all(|k| {
        b.get(k + 1).map(|i| &i.inst)
            == Some(&Inst::Load {
                input: k as u32,
                index: 0,
            })
    });
    if b.len() != n_in + 2 || b[0].inst != Inst::Index || !loads {
        return None;
    }
    match b[n_in + 1].inst {
        Inst::Unary(op, 1) if n_in == 1 => wide_unary_f32(op).map(WideCall::Unary),
        Inst::Binary(op, 1, 2) if n_in == 2 => wide_binary_f32(op).map(WideCall::Binary),
        _ => None,
    }
}

/// `f` over the whole inputs into a new pooled float32 buffer.
pub(super) fn run(f: WideCall, inputs: &[&HostBuffer]) -> Result<HostBuffer> {
    let slice = |k: usize| {
        inputs[k]
            .as_slice::<f32>()
            .expect("plan accepted float32 inputs")
    };
    let a = slice(0);
    let mut out = mathengine_ir::pool::output_buffer(DType::F32, a.len())?;
    let HostBuffer::F32(y) = &mut out else {
        unreachable!("a float32 output buffer")
    };
    match f {
        WideCall::Unary(f) if a.len() <= SERIAL_MAX => f(a, y),
        WideCall::Unary(f) => a
            .par_chunks(TASK)
            .zip(y.par_chunks_mut(TASK))
            .for_each(|(xs, ys)| f(xs, ys)),
        WideCall::Binary(f) if a.len() <= SERIAL_MAX => f(a, slice(1), y),
        WideCall::Binary(f) => a
            .par_chunks(TASK)
            .zip(slice(1).par_chunks(TASK))
            .zip(y.par_chunks_mut(TASK))
            .for_each(|((xs, bs), ys)| f(xs, bs, ys)),
    }
    Ok(out)
}
