//! Full (and nearly full) reductions split across cores: the reduced range is cut into
//! fixed chunks of `SPLIT_CHUNK` elements, each folded by the kernel's partial entry on
//! any worker, and the chunk states are combined in chunk order (see
//! `mathengine_codegen::split`), so the result is the unsplit kernel's, bit for bit,
//! whatever the thread count.

use super::cpu::LaunchPtrs;
use mathengine_codegen::split::{PartialState, SplitReduction, SPLIT_CHUNK};
use mathengine_codegen::CompiledKernel;
use rayon::prelude::*;

/// Whether a reduction of `len` outputs over `rlen` elements each gains from splitting:
/// too few outputs to keep every core busy, and enough work to repay waking the pool.
/// Measured on the 2-core machine (docs/benchmarks/2026-12-06-everyday-2.md): a
/// float64 sum of 65536 took 11 us on one thread and 24 us split, so handing chunks to
/// the pool costs about 13 us, which the second core repays from about 2^18 elements.
pub(super) fn worth_splitting(len: usize, rlen: usize) -> bool {
    len < rayon::current_num_threads() && rlen >= MIN_SPLIT_CHUNKS * SPLIT_CHUNK
}

/// Chunks of reduced elements below which a reduction runs unsplit (see above).
const MIN_SPLIT_CHUNKS: usize = 16;

/// Run `compiled` over outputs `0..len`, each reduced over `0..rlen` in chunks, writing
/// output `o` at `out + o * split.output_size()`.
///
/// # Safety
/// As `CompiledKernel::call` for the whole launch (outputs `0..len`, reduced length
/// `rlen > 0`), with `out` the kernel's one output buffer of `len` elements.
pub(super) unsafe fn run(
    compiled: &CompiledKernel,
    split: SplitReduction,
    args: LaunchPtrs,
    out: *mut u8,
    len: usize,
    rlen: usize,
) {
    let chunks = rlen.div_ceil(SPLIT_CHUNK);
    let mut states: Vec<PartialState> = vec![[0; 4]; len * chunks];
    states.par_iter_mut().enumerate().for_each(|(k, state)| {
        let a = args;
        let (o, c) = (k / chunks, k % chunks);
        let r0 = c * SPLIT_CHUNK;
        let r1 = (r0 + SPLIT_CHUNK).min(rlen);
        // SAFETY: the caller's contract, for output `o < len` and a non-empty
        // sub-range of the reduced range.
        let ran = unsafe {
            compiled.call_partial(a.params, a.inputs, state, o as i64, r0 as i64, r1 as i64)
        };
        debug_assert!(ran, "a splittable kernel has a partial entry");
    });
    for (o, states) in states.chunks(chunks).enumerate() {
        // SAFETY: `out` holds `len` outputs of `output_size()` bytes; the states are the
        // partial entry's, one non-empty chunk each, in order.
        unsafe { split.combine(states, rlen, out.add(o * split.output_size())) };
    }
}
