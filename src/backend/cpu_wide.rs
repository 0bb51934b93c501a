//! One-function kernels (`y = sin(x)`, `arctan2(a, b)` of contiguous float32 arrays,
//! `abs(z)` of complex128) run by a
//! precompiled wide-vector loop (`mathengine_codegen::wide_unary_f32`: AVX-512 or AVX2
//! on this CPU, the JIT's algorithms and bits) instead of the JIT's 128-bit code,
//! split across threads in blocks. Everything else, and CPUs without those features,
//! keeps the JIT.

use mathengine_codegen::{
    wide_binary_f32, wide_complex_abs, wide_unary_f32, ComplexAbsLoop, WideLoop, WideLoop2,
};
use mathengine_ir::UnaryOp;
use mathengine_ir::{DType, HostBuffer, Inst, Kernel, Launch, Result};
use num_complex::Complex64;
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
    /// |z| of complex128 (float64 result).
    ComplexAbs(ComplexAbsLoop),
}

/// The wide loop for `kernel` if it is `y[i] = f(x[i])` or `f(a[i], b[i])` on float32
/// with the inputs as long as y, f one the wide loops have.
pub(super) fn plan(kernel: &Kernel, launch: &Launch) -> Option<WideCall> {
    let n_in = kernel.inputs.len();
    let complex_abs = kernel.inputs == [DType::C128]
        && kernel.output_dtypes == [DType::F64]
        && kernel.body.len() == 3
        && kernel.body[2].inst == Inst::Unary(UnaryOp::Abs, 1);
    if complex_abs {
        let simple = kernel.reduction.is_none()
            && kernel.params.is_empty()
            && kernel.outputs == [2]
            && kernel.body[0].inst == Inst::Index
            && kernel.body[1].inst == (Inst::Load { input: 0, index: 0 })
            && launch.len >= WIDE_MIN
            && launch.input_lens == [launch.len];
        return simple
            .then(wide_complex_abs)
            .flatten()
            .map(WideCall::ComplexAbs);
    }
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
    if let WideCall::ComplexAbs(f) = f {
        return complex_abs(f, inputs[0]);
    }
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
        WideCall::ComplexAbs(_) => unreachable!("handled above"),
    }
    Ok(out)
}

fn complex_abs(f: ComplexAbsLoop, input: &HostBuffer) -> Result<HostBuffer> {
    let z = input
        .as_slice::<Complex64>()
        .expect("plan accepted a complex128 input");
    let mut out = mathengine_ir::pool::output_buffer(DType::F64, z.len())?;
    let HostBuffer::F64(y) = &mut out else {
        unreachable!("a float64 output buffer")
    };
    if z.len() <= SERIAL_MAX / 4 {
        f(z, y);
    } else {
        z.par_chunks(TASK / 4)
            .zip(y.par_chunks_mut(TASK / 4))
            .for_each(|(zs, ys)| f(zs, ys));
    }
    Ok(out)
}
