//! Reductions over leading axes (a sum over axis 0 of a matrix) run row by row: the
//! kernel's rows entry (`mathengine_codegen::rows`) folds blocks of `ROW_BLOCK` rows into
//! an accumulator row with contiguous vector loads, and the blocks are combined per
//! output by the same binary counter as the per-output loop (pairwise summation); min
//! and max fold every row into one accumulator row started at +inf / -inf. Tasks
//! own disjoint groups of outputs and every output's order of operations is fixed, so
//! results do not depend on the grouping or the thread count.

use super::cpu::LaunchPtrs;
use mathengine_codegen::rows::{RowsArgs, ROW_BLOCK};
use mathengine_codegen::CompiledKernel;
use mathengine_ir::ReduceOp;
use rayon::prelude::*;

/// Outputs per task: the accumulator row (2 KiB) and its counter levels stay in L1.
const OUTPUTS_PER_TASK: usize = 256;

/// Whether a reduction of `len` outputs over `rlen` elements gains from the rows entry:
/// enough outputs to fill a vector loop, and something to fold.
pub(super) fn worth_rows(len: usize, rlen: usize) -> bool {
    len >= 4 && rlen >= 2
}

/// Run `compiled` (a float64 sum, product, min or max: `op`) over outputs `0..len`, each
/// reduced over `0..rlen`, writing float64 outputs to `out`. `serial`: on this thread.
///
/// # Safety
/// As `CompiledKernel::call` for the whole launch, with `out` the kernel's one float64
/// output buffer of `len` elements.
pub(super) unsafe fn run(
    compiled: &CompiledKernel,
    op: ReduceOp,
    args: LaunchPtrs,
    out: *mut f64,
    len: usize,
    rlen: usize,
    serial: bool,
) {
    // SAFETY: the caller's contract: `out` holds `len` float64 outputs.
    let out = unsafe { std::slice::from_raw_parts_mut(out, len) };
    let threads = if serial {
        1
    } else {
        rayon::current_num_threads()
    };
    // At least one task per thread where the outputs allow, never more than fit L1.
    let width = len
        .div_ceil(threads)
        .next_multiple_of(8)
        .clamp(8, OUTPUTS_PER_TASK);
    let task = |(k, chunk): (usize, &mut [f64])| {
        let a = args;
        // SAFETY: the caller's contract, for outputs `k * width ..` (within `len`).
        unsafe {
            match op {
                ReduceOp::Min | ReduceOp::Max => {
                    extreme_outputs(compiled, op == ReduceOp::Max, a, k * width, chunk, rlen)
                }
                _ => fold_outputs(compiled, op == ReduceOp::Prod, a, k * width, chunk, rlen),
            }
        };
    };
    if serial {
        out.chunks_mut(width).enumerate().for_each(task);
    } else {
        out.par_chunks_mut(width).enumerate().for_each(task);
    }
}

/// Outputs `o0 .. o0 + out.len()`: blocks of `ROW_BLOCK` rows folded by the kernel,
/// combined as a binary counter (block 2k+1 with block 2k, then pairs of pairs, ...),
/// then the occupied levels folded from the lowest up, as `reduction.rs` does.
unsafe fn fold_outputs(
    compiled: &CompiledKernel,
    prod: bool,
    a: LaunchPtrs,
    o0: usize,
    out: &mut [f64],
    rlen: usize,
) {
    let identity = if prod { 1.0 } else { 0.0 };
    let op = |x: f64, y: f64| if prod { x * y } else { x + y };
    let w = out.len();
    let mut acc = vec![identity; w];
    let mut levels: Vec<Vec<f64>> = Vec::new();
    let mut blocks: u64 = 0;
    for r0 in (0..rlen).step_by(ROW_BLOCK) {
        acc.fill(identity);
        let rows = RowsArgs {
            acc: acc.as_mut_ptr(),
            o0: o0 as i64,
            o1: (o0 + w) as i64,
            r0: r0 as i64,
            r1: (r0 + ROW_BLOCK).min(rlen) as i64,
        };
        // SAFETY: the caller's contract; `acc` holds one float64 per output.
        let ran = unsafe { compiled.call_rows(a.params, a.inputs, &rows) };
        debug_assert!(ran, "the runner checked for a rows entry");
        let (mut m, mut level) = (blocks, 0);
        while m & 1 == 1 {
            for (c, e) in acc.iter_mut().zip(&levels[level]) {
                *c = op(*e, *c);
            }
            level += 1;
            m >>= 1;
        }
        if levels.len() <= level {
            levels.push(vec![identity; w]);
        }
        levels[level].copy_from_slice(&acc);
        blocks += 1;
    }
    out.fill(identity);
    let (mut m, mut level) = (blocks, 0);
    while m != 0 {
        if m & 1 == 1 {
            for (c, e) in out.iter_mut().zip(&levels[level]) {
                *c = op(*e, *c);
            }
        }
        level += 1;
        m >>= 1;
    }
}

/// min (or max when `max`) of outputs `o0 .. o0 + out.len()`: every row folded in
/// order into `out`, started at +inf (-inf), which the first element replaces unless it
/// equals it: the in-order result, NaN included.
unsafe fn extreme_outputs(
    compiled: &CompiledKernel,
    max: bool,
    a: LaunchPtrs,
    o0: usize,
    out: &mut [f64],
    rlen: usize,
) {
    out.fill(if max {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    });
    let rows = RowsArgs {
        acc: out.as_mut_ptr(),
        o0: o0 as i64,
        o1: (o0 + out.len()) as i64,
        r0: 0,
        r1: rlen as i64,
    };
    // SAFETY: the caller's contract; `out` holds one float64 per output.
    let ran = unsafe { compiled.call_rows(a.params, a.inputs, &rows) };
    debug_assert!(ran, "the runner checked for a rows entry");
}
