//! Complex DFTs over a set of axes of a row-major array, one pass per axis, with the
//! input zero-padded at the end of each axis to the output's shape (numpy's `s=`).
//!
//! The output buffer holds data only inside a *region* (a box at the origin): at first
//! the input's extent, and after a pass over an axis, that axis's full length. A pass
//! transforms the lines along its axis that cross the region (the others are all zero
//! and stay zero), reading only the region's part of each line and treating the rest as
//! zeros. The first pass reads straight from the input, so padding is never copied;
//! once every transformed axis has had its pass, the region is the whole output.

use super::{plan, Precision, SharedMut, TASK_ELEMENTS};
use mathengine_ir::{shape, Error, Result};
use num_complex::Complex;
use rayon::prelude::*;
use rustfft::Fft;
use std::sync::Arc;

/// Bytes of columns a column pass gathers into one scratch: about half a core's L2
/// (1 MiB on the machine this was tuned on), leaving room for rustfft's own scratch.
const TILE_BYTES: usize = 512 << 10;
/// The most columns one tile gathers.
const MAX_TILE_COLS: usize = 64;
/// Tiles start on cache-line boundaries where they can, so no two threads write one line.
const CACHE_LINE: usize = 64;

/// `input` (row-major, `in_shape`) zero-padded at the end of each axis to `out_shape`,
/// then transformed (unnormalised) along each of `axes`.
pub(super) fn c2c<T: Precision>(
    op: &str,
    input: &[Complex<T>],
    in_shape: &[usize],
    out_shape: &[usize],
    axes: &[usize],
    inverse: bool,
) -> Result<Vec<Complex<T>>> {
    let internal = |what: &str| Error::internal(op, what.to_string());
    // The passes index both buffers through raw pointers: shapes and lengths must agree.
    if in_shape.len() != out_shape.len()
        || in_shape.iter().zip(out_shape).any(|(i, o)| i > o)
        || shape::checked_numel(in_shape) != Some(input.len())
        || axes.iter().any(|&a| a >= out_shape.len())
    {
        return Err(internal("transform shapes do not match their buffers"));
    }
    let len = shape::checked_numel(out_shape).ok_or_else(|| internal("output too large"))?;
    let mut out = T::complex_output(op, len)?;
    if len == 0 {
        return Ok(out);
    }
    // Axes of length 1 are their own DFT. The contiguous axis first: its pass is the
    // cheap one and, with padding, halves the lines every later pass has to read.
    let mut passes: Vec<usize> = axes.iter().copied().filter(|&a| out_shape[a] > 1).collect();
    passes.sort_unstable_by(|a, b| b.cmp(a));
    passes.dedup();
    // Padding along an axis that no pass transforms (not made by `e.fft`, but allowed
    // by the step's contract), an empty input, or no pass at all: materialise the padded
    // input and transform it in place.
    let pads_untransformed =
        (0..in_shape.len()).any(|d| in_shape[d] < out_shape[d] && !passes.contains(&d));
    let mut region = in_shape.to_vec();
    let mut first = Some(input);
    if passes.is_empty() || pads_untransformed || input.is_empty() {
        embed(input, in_shape, &mut out, out_shape);
        region = out_shape.to_vec();
        first = None;
    }
    let dst = SharedMut(out.as_mut_ptr());
    for &axis in &passes {
        let fft = plan::<T>(out_shape[axis], inverse);
        let (src, src_shape, in_place) = match first.take() {
            Some(input) => (input.as_ptr(), in_shape, false),
            None => (dst.0 as *const Complex<T>, out_shape, true),
        };
        let geometry = Geometry::new(src_shape, out_shape, &region, axis, in_place);
        // SAFETY: `src` points to the elements of `src_shape` (the input, checked above,
        // or `out`, which holds `out_shape`'s elements), and `dst` to `out`; `Geometry`
        // only names lines inside both shapes, and every task touches its own lines.
        unsafe {
            if axis + 1 == out_shape.len() {
                rows_pass(&fft, src, dst, &geometry);
            } else {
                columns_pass(&fft, src, dst, &geometry);
            }
        }
        region[axis] = out_shape[axis];
    }
    Ok(out)
}

/// `input` copied into the leading corner of `out` (all of it written: zeros elsewhere).
fn embed<T: Precision>(
    input: &[Complex<T>],
    in_shape: &[usize],
    out: &mut [Complex<T>],
    out_shape: &[usize],
) {
    if in_shape == out_shape {
        out.copy_from_slice(input);
        return;
    }
    out.fill(Complex::default());
    let row = in_shape.last().copied().unwrap_or(1);
    if row == 0 || input.is_empty() {
        return;
    }
    let out_strides = shape::strides(out_shape);
    let in_strides = shape::strides(in_shape);
    for (k, src) in input.chunks(row).enumerate() {
        let mut dst = 0;
        let mut rem = k * row;
        for d in 0..in_shape.len() {
            dst += rem / in_strides[d] * out_strides[d];
            rem %= in_strides[d];
        }
        out[dst..dst + row].copy_from_slice(src);
    }
}

/// The lines of one pass: where each run of adjacent lines starts in the source and the
/// destination, how many elements of each line hold data, and the strides along it.
struct Geometry {
    /// The axes that index runs, outermost first: (extent in the region, source stride,
    /// destination stride).
    run_axes: Vec<(usize, usize, usize)>,
    /// Number of runs (the product of the extents).
    runs: usize,
    /// Adjacent lines per run (consecutive addresses in both buffers).
    run_len: usize,
    /// Elements of each line that hold data (the rest are zeros).
    filled: usize,
    /// The transform's length.
    n: usize,
    src_stride: usize,
    dst_stride: usize,
    /// Whether the source is the destination (a pass after the first).
    in_place: bool,
}

impl Geometry {
    fn new(
        src_shape: &[usize],
        out_shape: &[usize],
        region: &[usize],
        axis: usize,
        in_place: bool,
    ) -> Self {
        let ndim = out_shape.len();
        let src_strides = shape::strides(src_shape);
        let dst_strides = shape::strides(out_shape);
        // Trailing axes merge into runs of adjacent lines while the region spans them
        // whole in both buffers; the first axis it does not span ends the run.
        let mut first_run_axis = ndim;
        let mut run_len = 1;
        while first_run_axis > axis + 1 {
            let d = first_run_axis - 1;
            run_len *= region[d];
            first_run_axis = d;
            if region[d] != src_shape[d] || region[d] != out_shape[d] {
                break;
            }
        }
        let run_axes: Vec<(usize, usize, usize)> = (0..first_run_axis)
            .filter(|&d| d != axis)
            .map(|d| (region[d], src_strides[d], dst_strides[d]))
            .collect();
        Geometry {
            runs: run_axes.iter().map(|a| a.0).product(),
            run_axes,
            run_len,
            filled: region[axis],
            n: out_shape[axis],
            src_stride: src_strides[axis],
            dst_stride: dst_strides[axis],
            in_place,
        }
    }

    /// (source offset, destination offset) of the first line of run `i` (< `runs`).
    fn run(&self, mut i: usize) -> (usize, usize) {
        let (mut src, mut dst) = (0, 0);
        for &(extent, s, d) in self.run_axes.iter().rev() {
            let k = i % extent;
            i /= extent;
            src += k * s;
            dst += k * d;
        }
        (src, dst)
    }
}

/// The pass over the contiguous axis: batches of rows, each copied into place (padded
/// with zeros) when it comes from the input, then transformed in place.
///
/// # Safety
/// `src` and `dst` hold every element `geometry` names; tasks write disjoint rows.
unsafe fn rows_pass<T: Precision>(
    fft: &Arc<dyn Fft<T>>,
    src: *const Complex<T>,
    dst: SharedMut<Complex<T>>,
    g: &Geometry,
) {
    let n = g.n;
    let copy = !(g.in_place && g.filled == n);
    let src = SharedMut(src as *mut Complex<T>);
    let rows_per_task = (TASK_ELEMENTS / n).max(1);
    let tasks = g.runs.div_ceil(rows_per_task);
    (0..tasks).into_par_iter().for_each_init(
        || vec![Complex::default(); fft.get_inplace_scratch_len()],
        |scratch, task| {
            let (s, d) = (src, dst);
            let first = task * rows_per_task;
            let rows: Vec<(usize, usize)> = (first..g.runs.min(first + rows_per_task))
                .map(|i| g.run(i))
                .collect();
            let mut start = 0;
            while start < rows.len() {
                // A span of rows adjacent in the destination: one batched call.
                let mut end = start + 1;
                while end < rows.len() && rows[end].1 == rows[end - 1].1 + n {
                    end += 1;
                }
                // SAFETY: each row lies inside its buffer (the caller's contract);
                // this task alone touches these destination rows.
                unsafe {
                    if copy {
                        for &(so, dof) in &rows[start..end] {
                            let line = std::slice::from_raw_parts_mut(d.0.add(dof), n);
                            if !g.in_place {
                                let from = std::slice::from_raw_parts(s.0.add(so), g.filled);
                                line[..g.filled].copy_from_slice(from);
                            }
                            line[g.filled..].fill(Complex::default());
                        }
                    }
                    let span =
                        std::slice::from_raw_parts_mut(d.0.add(rows[start].1), (end - start) * n);
                    fft.process_with_scratch(span, scratch);
                }
                start = end;
            }
        },
    );
}

/// Columns per tile: as many as fit [`TILE_BYTES`], whole cache lines where possible.
fn tile_cols<T>(n: usize) -> usize {
    let size = std::mem::size_of::<Complex<T>>();
    let per_line = (CACHE_LINE / size).max(1);
    let cols = (TILE_BYTES / (n * size)).clamp(1, MAX_TILE_COLS);
    if cols >= per_line {
        cols / per_line * per_line
    } else {
        cols
    }
}

/// The pass over a non-contiguous axis: tiles of adjacent columns gathered into a
/// scratch (one line after another), transformed as one batch, and scattered back.
///
/// # Safety
/// `src` and `dst` hold every element `geometry` names; tasks touch disjoint columns.
unsafe fn columns_pass<T: Precision>(
    fft: &Arc<dyn Fft<T>>,
    src: *const Complex<T>,
    dst: SharedMut<Complex<T>>,
    g: &Geometry,
) {
    let n = g.n;
    let width = tile_cols::<T>(n);
    let size = std::mem::size_of::<Complex<T>>();
    // Start tiles on cache-line boundaries when every line of the pass is aligned alike.
    let aligned_rows = (g.dst_stride * size).is_multiple_of(CACHE_LINE);
    let mut tiles: Vec<(usize, usize, usize)> = Vec::new();
    for r in 0..g.runs {
        let dof = g.run(r).1;
        let addr = dst.0 as usize + dof * size;
        let mut lead = if aligned_rows && addr.is_multiple_of(size) {
            ((CACHE_LINE - addr % CACHE_LINE) % CACHE_LINE) / size
        } else {
            0
        };
        let mut c = 0;
        while c < g.run_len {
            let w = if lead > 0 { lead.min(width) } else { width }.min(g.run_len - c);
            tiles.push((r, c, w));
            c += w;
            lead = 0;
        }
    }
    // Lines of the scratch one cache line apart from a power-of-two stride, so that the
    // gather and scatter do not pile every line of a tile into one L1 set.
    let ld = n + (CACHE_LINE / size).max(1);
    let src = SharedMut(src as *mut Complex<T>);
    tiles.par_iter().for_each_init(
        || {
            (
                vec![Complex::default(); width * ld],
                vec![Complex::default(); fft.get_inplace_scratch_len()],
            )
        },
        |(buf, scratch), &(run, c0, w)| {
            let (s, d) = (src, dst);
            let (so, dof) = g.run(run);
            let tile = Tile { n, ld, w };
            // SAFETY: columns c0..c0 + w of this run lie inside both buffers for rows
            // 0..filled (source) and 0..n (destination); no other tile touches them.
            unsafe {
                tile.gather(s.0.add(so + c0), g.src_stride, g.filled, buf);
                for line in buf.chunks_mut(ld).take(w) {
                    fft.process_with_scratch(&mut line[..n], scratch);
                }
                tile.scatter(buf, d.0.add(dof + c0), g.dst_stride);
            }
        },
    );
}

/// Rows per block of a gather or scatter: each scratch line then gets a whole cache line
/// (or two) per visit instead of one element.
const ROW_BLOCK: usize = 8;

/// `w` columns of length `n` held in a scratch as lines `ld` elements apart.
struct Tile {
    n: usize,
    ld: usize,
    w: usize,
}

impl Tile {
    /// Columns `0..w` of rows `0..filled` (row `r` at `from + r * stride`) into the
    /// scratch lines, zero beyond `filled`.
    ///
    /// # Safety
    /// Every `from + r * stride + c` (r < filled, c < w) is readable; `buf` holds `w`
    /// lines.
    unsafe fn gather<T: Precision>(
        &self,
        from: *const Complex<T>,
        stride: usize,
        filled: usize,
        buf: &mut [Complex<T>],
    ) {
        let (ld, w) = (self.ld, self.w);
        assert!(buf.len() >= w * ld && filled <= self.n && self.n <= ld);
        let out = buf.as_mut_ptr();
        for r0 in (0..filled).step_by(ROW_BLOCK) {
            let rows = ROW_BLOCK.min(filled - r0);
            for c in 0..w {
                for k in 0..rows {
                    // SAFETY: the caller's contract; c * ld + r0 + k < w * ld.
                    unsafe { *out.add(c * ld + r0 + k) = *from.add((r0 + k) * stride + c) };
                }
            }
        }
        if filled < self.n {
            for line in buf.chunks_mut(ld).take(w) {
                line[filled..self.n].fill(Complex::default());
            }
        }
    }

    /// The scratch lines written back as columns `0..w` of rows `0..n`.
    ///
    /// # Safety
    /// Every `to + r * stride + c` (r < n, c < w) is writable and touched by no one else;
    /// `buf` holds `w` lines.
    unsafe fn scatter<T: Precision>(&self, buf: &[Complex<T>], to: *mut Complex<T>, stride: usize) {
        let (n, ld, w) = (self.n, self.ld, self.w);
        assert!(buf.len() >= w * ld && n <= ld);
        let from = buf.as_ptr();
        for r0 in (0..n).step_by(ROW_BLOCK) {
            let rows = ROW_BLOCK.min(n - r0);
            for k in 0..rows {
                let row = (r0 + k) * stride;
                for c in 0..w {
                    // SAFETY: the caller's contract; c * ld + r0 + k < w * ld.
                    unsafe { *to.add(row + c) = *from.add(c * ld + r0 + k) };
                }
            }
        }
    }
}
