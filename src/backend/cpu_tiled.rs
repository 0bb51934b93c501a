//! Elementwise kernels that read an operand across its memory order (`transpose(m) + 1`).
//! A kernel with a band entry runs in bands of 8 output columns (`run_bands`): each
//! band reads 8 rows of the transposed operand front to back. Other kernels are walked
//! in tiles: the output, seen as (rows, cols), is cut into bands of
//! [`TILE_ROWS`] rows (one task each) and each band into tiles of [`TILE_COLS`]
//! columns, run one row segment per call. A tile reads a (TILE_COLS x TILE_ROWS) block
//! of the transposed operand, a few cache lines per input row that the tile's
//! next rows reuse, where a plain row-by-row walk would touch a new line per element.
//! Each output element is computed by the same code either way, so only speed changes.

use super::cpu::LaunchPtrs;
use mathengine_codegen::band::{BandArgs, BAND};
use mathengine_codegen::CompiledKernel;
use rayon::prelude::*;

/// Output rows per band (and per tile): with 8-byte elements, four cache lines of each
/// input row a tile reads.
const TILE_ROWS: usize = 32;
/// Output columns per tile (one call each row): the tile's input block, 64 rows of
/// 256 bytes, stays in L1.
const TILE_COLS: usize = 64;

/// Output rows per call of a kernel's band entry (see `mathengine_codegen::band`):
/// transpose(m) + 1 on 1024² took 0.42 ms with 64, 0.44 with 256, 0.49 with 1024.
const BAND_ROWS: usize = 64;

/// Whether an output of `len` elements in rows of `cols` gains from tiles: both sides
/// long enough for a tile to reuse what it reads.
pub(super) fn worth_tiling(len: usize, cols: usize) -> bool {
    cols >= 16 && len / cols.max(1) >= 16 && len.is_multiple_of(cols)
}

/// Run `compiled` over outputs `0..len` in tiles of rows of `cols`.
///
/// # Safety
/// As `CompiledKernel::call` for the whole launch (outputs `0..len`).
pub(super) unsafe fn run(compiled: &CompiledKernel, args: LaunchPtrs, len: usize, cols: usize) {
    let rows = len / cols;
    if compiled.has_band() {
        // SAFETY: the caller's contract.
        unsafe { run_bands(compiled, args, rows, cols) };
        return;
    }
    let band = |b: usize| {
        let a = args;
        let (i0, i1) = (b * TILE_ROWS, ((b + 1) * TILE_ROWS).min(rows));
        for j0 in (0..cols).step_by(TILE_COLS) {
            let j1 = (j0 + TILE_COLS).min(cols);
            for i in i0..i1 {
                let (start, end) = (i * cols + j0, i * cols + j1);
                // SAFETY: the caller's contract; `start..end` lies inside `0..len`.
                unsafe {
                    compiled.call(a.params, a.inputs, a.outputs, start as i64, end as i64, 1)
                };
            }
        }
    };
    (0..rows.div_ceil(TILE_ROWS)).into_par_iter().for_each(band);
}

/// The output in bands of `BAND` columns and `BAND_ROWS` rows, one call of the band
/// entry each (a band it declines runs row by row), then the columns left over.
///
/// # Safety
/// As `run`, for an output of `rows * cols` elements.
unsafe fn run_bands(compiled: &CompiledKernel, args: LaunchPtrs, rows: usize, cols: usize) {
    let bands = cols / BAND;
    let chunks = rows.div_ceil(BAND_ROWS);
    let row_range = |c: usize| (c * BAND_ROWS, ((c + 1) * BAND_ROWS).min(rows));
    (0..bands * chunks).into_par_iter().for_each(|t| {
        let a = args;
        let (j0, (i0, i1)) = ((t % bands) * BAND, row_range(t / bands));
        let mut band = BandArgs {
            i0: i0 as i64,
            i1: i1 as i64,
            j0: j0 as i64,
            cols: cols as i64,
            handled: 0,
        };
        // SAFETY: the caller's contract; every output of the band lies below `len`.
        unsafe { compiled.call_band(a.params, a.inputs, a.outputs, &mut band) };
        if band.handled == 0 {
            for i in i0..i1 {
                let start = (i * cols + j0) as i64;
                // SAFETY: as above.
                unsafe {
                    compiled.call(a.params, a.inputs, a.outputs, start, start + BAND as i64, 1)
                };
            }
        }
    });
    let left = bands * BAND;
    if left < cols {
        (0..chunks).into_par_iter().for_each(|c| {
            let a = args;
            let (i0, i1) = row_range(c);
            for i in i0..i1 {
                let (start, end) = ((i * cols + left) as i64, ((i + 1) * cols) as i64);
                // SAFETY: as above.
                unsafe { compiled.call(a.params, a.inputs, a.outputs, start, end, 1) };
            }
        });
    }
}
