//! float64 min/max/argmin/argmax of contiguous rows (a full reduction of an array in
//! memory, or one over its last axis) by precompiled loops at the CPU's full vector
//! width (AVX-512 or AVX2, `mathengine_codegen::wide_level`), with the JIT's rules
//! (codegen/src/extreme.rs): one pass keeps each lane's best value (with its first
//! index for argmin/argmax) and whether a NaN went by; the result is the best value
//! and the first index holding it. Equal
//! float64 values have equal bits except ±0, so that is the in-order result unless a
//! NaN went by or a min/max is a zero: then the launch goes to the JIT's indexed fold.

use mathengine_codegen::{wide_level, WideLevel};
use mathengine_ir::graph::ReduceOp;
use mathengine_ir::{DType, HostBuffer, Inst, Kernel, Launch, Result, Scalar};
use rayon::prelude::*;

/// Rows shorter than this keep the JIT.
const ROW_MIN: usize = 4096;
/// Elements per task when one row is split across threads.
const TASK: usize = 1 << 16;
/// Lanes of the value pass (two AVX-512 registers, four AVX2 ones).
const LANES: usize = 16;

/// The reduction, its row length and row count, when `kernel` is min/max/argmin/argmax
/// of a float64 input read as `rows` contiguous rows (element `o * rlen + r`).
pub(super) fn plan(kernel: &Kernel, launch: &Launch) -> Option<(ReduceOp, WideLevel)> {
    let op = kernel.reduction.as_ref()?.op;
    let arg = matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax);
    let (len, rlen) = (launch.len, launch.reduce_len);
    let row_stride = matches!(launch.params.as_slice(), [Scalar::I64(p)] if *p as usize == rlen);
    if !matches!(
        op,
        ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax
    ) || kernel.inputs != [DType::F64]
        || !row_stride
        || rlen < ROW_MIN
        || launch.input_lens != [len.checked_mul(rlen)?]
        || kernel.outputs != [5]
        || kernel.output_dtypes != [if arg { DType::I64 } else { DType::F64 }]
    {
        return None;
    }
    // index = Index * Param(0) + ReduceIndex; value = input 0 at index.
    let b = &kernel.body;
    let shape = b.len() == 6
        && b[0].inst == Inst::Index
        && b[1].inst == Inst::ReduceIndex
        && b[2].inst == Inst::Param(0)
        && b[3].inst == Inst::Binary(mathengine_ir::BinaryOp::Mul, 0, 2)
        && b[4].inst == Inst::Binary(mathengine_ir::BinaryOp::Add, 3, 1)
        && b[5].inst == (Inst::Load { input: 0, index: 4 });
    if !shape {
        return None;
    }
    Some((op, wide_level()?))
}

/// The reduction of every row, or None where the JIT must decide (a NaN, a zero
/// min/max).
pub(super) fn run(
    (op, level): (ReduceOp, WideLevel),
    input: &HostBuffer,
    len: usize,
    rlen: usize,
) -> Result<Option<HostBuffer>> {
    let x = input
        .as_slice::<f64>()
        .expect("plan accepted a float64 input");
    let max = matches!(op, ReduceOp::Max | ReduceOp::ArgMax);
    let arg = matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax);
    let init = if max {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    let row_result = |row: &[f64]| -> Option<(f64, usize)> {
        // (best, its first index, a NaN went by) of a piece; pieces combine in order,
        // a later one only replacing a strictly better value.
        let (best, at, nan) = if len == 1 {
            row.par_chunks(TASK)
                .enumerate()
                .map(|(k, c)| {
                    let (b, i, n) = pass(level, c, max, arg);
                    (b, k * TASK + i, n)
                })
                .reduce(
                    || (init, 0, false),
                    |(a, ia, na), (b, ib, nb)| {
                        let take = if max { b > a } else { b < a };
                        let first = take || (b == a && ib < ia);
                        if first {
                            (b, ib, na | nb)
                        } else {
                            (a, ia, na | nb)
                        }
                    },
                )
        } else {
            pass(level, row, max, arg)
        };
        if nan || (!arg && best == 0.0) {
            return None;
        }
        Some((best, at))
    };
    let results: Option<Vec<(f64, usize)>> = if len == 1 {
        row_result(x).map(|r| vec![r])
    } else {
        x.par_chunks(rlen).map(row_result).collect()
    };
    let Some(results) = results else {
        return Ok(None);
    };
    let mut out =
        mathengine_ir::pool::output_buffer(if arg { DType::I64 } else { DType::F64 }, len)?;
    match &mut out {
        HostBuffer::I64(v) => v
            .iter_mut()
            .zip(&results)
            .for_each(|(o, r)| *o = r.1 as i64),
        HostBuffer::F64(v) => v.iter_mut().zip(&results).for_each(|(o, r)| *o = r.0),
        _ => unreachable!("an i64 or f64 output buffer"),
    }
    Ok(Some(out))
}

/// (best, first index of it, a NaN went by) of `x`; the index only where `arg`.
fn pass(level: WideLevel, x: &[f64], max: bool, arg: bool) -> (f64, usize, bool) {
    // SAFETY: `level` is what `wide_level` detected on this CPU.
    unsafe {
        match (level, max, arg) {
            (WideLevel::Avx512, true, true) => avx512::<true, true>(x),
            (WideLevel::Avx512, true, false) => avx512::<true, false>(x),
            (WideLevel::Avx512, false, true) => avx512::<false, true>(x),
            (WideLevel::Avx512, false, false) => avx512::<false, false>(x),
            (WideLevel::Avx2, true, true) => avx2::<true, true>(x),
            (WideLevel::Avx2, true, false) => avx2::<true, false>(x),
            (WideLevel::Avx2, false, true) => avx2::<false, true>(x),
            (WideLevel::Avx2, false, false) => avx2::<false, false>(x),
        }
    }
}

/// Each lane's best value (strictly better replaces, as the JIT's pass) and whether a
/// NaN went by, lanes independent so that the compiler keeps them in vector registers;
/// then, where `ARG`, the first index holding the best value, a block of lanes at a
/// time (the piece is still in cache; tracking indices in the first pass measured
/// slower).
#[inline(always)]
fn lanes<const MAX: bool, const ARG: bool>(x: &[f64]) -> (f64, usize, bool) {
    let init = if MAX {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    let mut best = [init; LANES];
    let mut nan = [false; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for c in chunks {
        for j in 0..LANES {
            let v = c[j];
            let b = if MAX { v > best[j] } else { v < best[j] };
            best[j] = if b { v } else { best[j] };
            nan[j] |= v.is_nan();
        }
    }
    let mut m = init;
    let mut any_nan = nan.iter().any(|&n| n);
    for &v in best.iter().chain(tail) {
        if (MAX && v > m) || (!MAX && v < m) {
            m = v;
        }
        any_nan |= v.is_nan();
    }
    let at = if ARG && !any_nan {
        first_equal(x, m)
    } else {
        0
    };
    (m, at, any_nan)
}

/// The first index whose value equals `v` (the piece's best, so there is one unless
/// the piece is empty: 0 then).
#[inline(always)]
fn first_equal(x: &[f64], v: f64) -> usize {
    for (k, c) in x.chunks(LANES).enumerate() {
        if c.iter().fold(false, |a, &y| a | (y == v)) {
            return k * LANES + c.iter().position(|&y| y == v).unwrap_or(0);
        }
    }
    0
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,fma")]
fn avx512<const MAX: bool, const ARG: bool>(x: &[f64]) -> (f64, usize, bool) {
    lanes::<MAX, ARG>(x)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2<const MAX: bool, const ARG: bool>(x: &[f64]) -> (f64, usize, bool) {
    lanes::<MAX, ARG>(x)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx512<const MAX: bool, const ARG: bool>(x: &[f64]) -> (f64, usize, bool) {
    lanes::<MAX, ARG>(x)
}

#[cfg(not(target_arch = "x86_64"))]
fn avx2<const MAX: bool, const ARG: bool>(x: &[f64]) -> (f64, usize, bool) {
    lanes::<MAX, ARG>(x)
}
