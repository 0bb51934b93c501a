//! Complex FFTs with cuFFT.
//!
//! The operand is copied (zero-padded at the end of each axis, numpy's `s=`) into the
//! output buffer, which is then transformed in place. Axes are grouped into runs of up to
//! three adjacent axes; each run is one cuFFT "plan many" over the contiguous block of
//! those axes, batched over the axes after it (stride = their size, distance 1) or, when
//! there are none, over the axes before it (distance = the block size). A run with axes
//! both before and after it executes the plan once per index of the leading axes.
//! Plans are cached per device, keyed by sizes, layout, batch and precision. rfft and
//! irfft are not done here: the engine runs them on the CPU.

use super::device::{lib_err, CudaBuffer, Device};
use cudarc::cufft::result as fft;
use cudarc::cufft::sys as fft_sys;
use mathengine_ir::schedule::{LibraryCall, LibraryCallArgs};
use mathengine_ir::{DType, Error, LibraryOp, Result};
use std::collections::HashMap;
use std::sync::Arc;

/// The most plan executions one FFT step may take (a run of axes with axes both before
/// and after it executes once per leading index); beyond it the CPU does the step.
pub const MAX_FFT_EXECS: usize = 4096;
/// The most padded copies (one per index of all but the last two axes) one FFT step
/// may take to embed a smaller operand.
pub const MAX_EMBED_COPIES: usize = 4096;
/// Plans kept per device; the cache is emptied when it would grow beyond this.
const MAX_PLANS: usize = 256;

/// A cuFFT plan, destroyed when dropped.
struct FftPlan(fft_sys::cufftHandle);

impl Drop for FftPlan {
    fn drop(&mut self) {
        // SAFETY: the handle came from cufftCreate and is destroyed only here.
        let _ = unsafe { fft::destroy(self.0) };
    }
}

/// One plan layout: `n` (the run's lengths), element stride, batch distance, batch size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct PlanKey {
    n: Vec<i64>,
    stride: i64,
    dist: i64,
    batch: i64,
    double: bool,
}

/// One group of adjacent axes: a plan, executed `execs` times `step` elements apart.
#[derive(Clone, Debug, PartialEq)]
struct Pass {
    key: PlanKey,
    execs: usize,
    step: usize,
}

/// The cuFFT plans of one device.
#[derive(Default)]
pub(crate) struct FftPlans {
    plans: HashMap<PlanKey, FftPlan>,
}

impl FftPlans {
    pub(crate) fn clear(&mut self) {
        self.plans.clear();
    }
}

/// The passes of a complex FFT over `axes` of an array of `shape`; `None` when cuFFT
/// cannot do it within [`MAX_FFT_EXECS`] executions.
fn fft_passes(shape: &[usize], axes: &[usize], double: bool) -> Option<Vec<Pass>> {
    if axes.iter().any(|&a| a >= shape.len()) {
        return None;
    }
    let total: usize = shape.iter().product();
    if total == 0 {
        return Some(Vec::new());
    }
    // Transforms along different axes commute, so sorting is free; a repeated axis
    // stays repeated (numpy transforms it twice) by starting a new run.
    let mut sorted: Vec<usize> = axes.iter().copied().filter(|&a| shape[a] > 1).collect();
    sorted.sort_unstable();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for a in sorted {
        match runs.last_mut() {
            Some((first, count)) if *first + *count == a && *count < 3 => *count += 1,
            _ => runs.push((a, 1)),
        }
    }
    let mut execs = 0;
    let passes: Vec<Pass> = runs
        .into_iter()
        .map(|(a, r)| {
            let n: Vec<i64> = shape[a..a + r].iter().map(|&d| d as i64).collect();
            let block: usize = shape[a..a + r].iter().product();
            let inner: usize = shape[a + r..].iter().product();
            let outer: usize = shape[..a].iter().product();
            let pass = if inner == 1 {
                Pass {
                    key: PlanKey {
                        n,
                        stride: 1,
                        dist: block as i64,
                        batch: outer as i64,
                        double,
                    },
                    execs: 1,
                    step: 0,
                }
            } else {
                Pass {
                    key: PlanKey {
                        n,
                        stride: inner as i64,
                        dist: 1,
                        batch: inner as i64,
                        double,
                    },
                    execs: outer,
                    step: block * inner,
                }
            };
            execs += pass.execs;
            pass
        })
        .collect();
    (execs <= MAX_FFT_EXECS).then_some(passes)
}

/// Whether cuFFT can run the FFT step `call` (complex, any axes, padding allowed).
pub(crate) fn supports(call: &LibraryCallArgs) -> bool {
    match &call.op {
        LibraryOp::Fft { axes, .. } => fft_shapes(call, axes).is_some(),
        _ => false,
    }
}

/// (input shape, output shape, double precision) of a supported FFT call.
fn fft_shapes<'a>(call: &'a LibraryCallArgs, axes: &[usize]) -> Option<(&'a [usize], bool)> {
    let t = call.output_dtype;
    let input = call.input_shapes.first()?;
    let out = &call.output_shape[..];
    let ok = t.is_complex()
        && call.input_dtypes.as_slice() == [t]
        && input.len() == out.len()
        && !out.is_empty()
        && input.iter().zip(out).all(|(i, o)| i <= o)
        && embed_copies(input, out) <= MAX_EMBED_COPIES;
    let double = t == DType::C128;
    (ok && fft_passes(out, axes, double).is_some()).then_some((&input[..], double))
}

/// 2-D copies needed to embed `input` in the corner of `out` (0 if no padding).
fn embed_copies(input: &[usize], out: &[usize]) -> usize {
    if input == out || input.len() < 3 {
        return usize::from(input != out);
    }
    input[..input.len() - 2].iter().product()
}

/// Queue the FFT step `call` of `input` into a new buffer.
pub(crate) fn run_fft(
    dev: &Arc<Device>,
    call: &LibraryCall,
    input: &CudaBuffer,
) -> Result<CudaBuffer> {
    let LibraryOp::Fft { axes, inverse } = &call.op else {
        return Err(Error::invalid(call.op.name(), "internal: not an FFT"));
    };
    let unsupported = || Error::Unsupported {
        backend: "cuda".into(),
        what: call.op.name().into(),
        reason: format!(
            "cuFFT cannot transform axes {axes:?} of shape {} ({})",
            mathengine_ir::error::fmt_shape(&call.output_shape),
            call.output_dtype
        ),
    };
    let (in_shape, double) = fft_shapes(call, axes).ok_or_else(unsupported)?;
    let out_shape = &call.output_shape[..];
    let t = call.output_dtype;
    let esize = t.size();
    let len: usize = out_shape.iter().product();
    let out = dev.buffer(t, len)?;
    embed(dev, &out, input, in_shape, out_shape, esize)?;
    let passes = fft_passes(out_shape, axes, double).ok_or_else(unsupported)?;
    // cuFFT's CUFFT_FORWARD (-1) and CUFFT_INVERSE (+1): the exponent's sign.
    let direction = if *inverse { 1 } else { -1 };
    dev.bind()?;
    let mut plans = dev.fft.lock().unwrap_or_else(|e| e.into_inner());
    for pass in &passes {
        if !plans.plans.contains_key(&pass.key) {
            if plans.plans.len() >= MAX_PLANS {
                // Destroy plans only once no queued transform can still use them.
                dev.synchronize()?;
                plans.plans.clear();
            }
            let plan = make_plan(dev, &pass.key)?;
            plans.plans.insert(pass.key.clone(), plan);
        }
        let plan = plans.plans[&pass.key].0;
        for i in 0..pass.execs {
            let p = out.ptr() + (i * pass.step * esize) as u64;
            // SAFETY: the plan's layout addresses `batch` transforms of the run's lengths
            // inside the `step`-element block starting at `p`, all within `out` (the
            // passes are derived from its shape); in-place execution is allowed; the plan
            // runs on the device's stream, after the embedding copy queued above.
            let r = unsafe {
                if double {
                    fft::exec_z2z(plan, p as *mut _, p as *mut _, direction)
                } else {
                    fft::exec_c2c(plan, p as *mut _, p as *mut _, direction)
                }
            };
            r.map_err(|e| lib_err("cuFFT execution", e))?;
        }
    }
    Ok(out)
}

fn make_plan(dev: &Device, key: &PlanKey) -> Result<FftPlan> {
    let plan = FftPlan(fft::create().map_err(|e| lib_err("creating a cuFFT plan", e))?);
    let mut n = key.n.clone();
    let mut inembed = key.n.clone();
    let mut onembed = key.n.clone();
    let kind = if key.double {
        fft_sys::cufftType::CUFFT_Z2Z
    } else {
        fft_sys::cufftType::CUFFT_C2C
    };
    // SAFETY: the handle is fresh; `n`/`inembed`/`onembed` hold `rank` lengths and
    // outlive the call; the stream belongs to the device's current context.
    unsafe {
        fft::set_stream(plan.0, dev.cu_stream() as _)
            .map_err(|e| lib_err("setting the cuFFT stream", e))?;
        fft::make_plan_many64(
            plan.0,
            n.len() as i32,
            n.as_mut_ptr(),
            inembed.as_mut_ptr(),
            key.stride,
            key.dist,
            onembed.as_mut_ptr(),
            key.stride,
            key.dist,
            kind,
            key.batch,
        )
    }
    .map_err(|e| {
        lib_err(
            &format!(
                "planning a cuFFT transform of lengths {:?} (stride {}, distance {}, batch {})",
                key.n, key.stride, key.dist, key.batch
            ),
            e,
        )
    })?;
    Ok(plan)
}

/// One strided block copy: `height` rows of `width` bytes, rows `src_pitch` bytes apart
/// from byte `src` of the input to rows `dst_pitch` apart from byte `dst` of the output.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Copy2d {
    dst: usize,
    dst_pitch: usize,
    src: usize,
    src_pitch: usize,
    width: usize,
    height: usize,
}

/// The copies that put an array of shape `ins` in the leading corner of one of shape
/// `outs` (every axis at least as long): one per block of the last two axes.
fn embed_plan(ins: &[usize], outs: &[usize], esize: usize) -> Vec<Copy2d> {
    let in_len: usize = ins.iter().product();
    let d = ins.len();
    if in_len == 0 || d == 0 {
        return Vec::new();
    }
    if d == 1 {
        let width = in_len * esize;
        return vec![Copy2d {
            dst: 0,
            dst_pitch: width,
            src: 0,
            src_pitch: width,
            width,
            height: 1,
        }];
    }
    let (rows, row) = (ins[d - 2], ins[d - 1]);
    let out_strides = mathengine_ir::shape::strides(outs);
    let blocks: usize = ins[..d - 2].iter().product();
    (0..blocks)
        .map(|b| {
            // The multi-index of block b over the leading axes, and its output offset.
            let (mut rem, mut dst) = (b, 0);
            for k in (0..d - 2).rev() {
                dst += (rem % ins[k]) * out_strides[k];
                rem /= ins[k];
            }
            Copy2d {
                dst: dst * esize,
                dst_pitch: outs[d - 1] * esize,
                src: b * rows * row * esize,
                src_pitch: row * esize,
                width: row * esize,
                height: rows,
            }
        })
        .collect()
}

/// Copy `input` (shape `ins`) into the leading corner of `out` (shape `outs`), zeros
/// elsewhere.
fn embed(
    dev: &Device,
    out: &CudaBuffer,
    input: &CudaBuffer,
    ins: &[usize],
    outs: &[usize],
    esize: usize,
) -> Result<()> {
    if ins == outs {
        return dev.copy_d2d(
            out.ptr(),
            input.ptr(),
            ins.iter().product::<usize>() * esize,
        );
    }
    dev.memset_zero(out.ptr(), outs.iter().product::<usize>() * esize)?;
    for c in embed_plan(ins, outs, esize) {
        let (dst, src) = (out.ptr() + c.dst as u64, input.ptr() + c.src as u64);
        if c.height == 1 {
            dev.copy_d2d(dst, src, c.width)?;
        } else {
            dev.copy_2d(dst, c.dst_pitch, src, c.src_pitch, c.width, c.height)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: &[i64], stride: i64, dist: i64, batch: i64) -> PlanKey {
        PlanKey {
            n: n.to_vec(),
            stride,
            dist,
            batch,
            double: true,
        }
    }

    #[test]
    fn trailing_axes_are_one_batched_plan() {
        let p = fft_passes(&[4, 8, 16], &[1, 2], true).unwrap();
        assert_eq!(
            p,
            vec![Pass {
                key: key(&[8, 16], 1, 128, 4),
                execs: 1,
                step: 0
            }]
        );
    }

    #[test]
    fn leading_axis_is_batched_over_the_inner_axes() {
        let p = fft_passes(&[5, 6], &[0], true).unwrap();
        assert_eq!(
            p,
            vec![Pass {
                key: key(&[5], 6, 1, 6),
                execs: 1,
                step: 30
            }]
        );
    }

    #[test]
    fn middle_axis_executes_once_per_leading_index() {
        let p = fft_passes(&[3, 5, 7], &[1], true).unwrap();
        assert_eq!(
            p,
            vec![Pass {
                key: key(&[5], 7, 1, 7),
                execs: 3,
                step: 35
            }]
        );
    }

    #[test]
    fn axes_are_grouped_in_runs_of_at_most_three() {
        let p = fft_passes(&[2, 3, 4, 5, 6], &[4, 0, 1, 2, 3], true).unwrap();
        let runs: Vec<Vec<i64>> = p.iter().map(|p| p.key.n.clone()).collect();
        assert_eq!(runs, vec![vec![2, 3, 4], vec![5, 6]]);
        // Separated axes are separate passes; length-1 axes are skipped.
        let p = fft_passes(&[4, 1, 6], &[0, 1, 2], true).unwrap();
        let runs: Vec<Vec<i64>> = p.iter().map(|p| p.key.n.clone()).collect();
        assert_eq!(runs, vec![vec![4], vec![6]]);
        // A repeated axis is transformed twice.
        let p = fft_passes(&[8], &[0, 0], true).unwrap();
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn empty_arrays_and_bad_axes() {
        assert_eq!(fft_passes(&[0, 4], &[1], true), Some(Vec::new()));
        assert_eq!(fft_passes(&[4], &[1], true), None);
        // Too many executions: a middle axis under a huge leading axis.
        assert_eq!(fft_passes(&[MAX_FFT_EXECS + 1, 4, 2], &[1], true), None);
    }

    #[test]
    fn embedding_copies() {
        assert_eq!(embed_copies(&[4, 4], &[4, 4]), 0);
        assert_eq!(embed_copies(&[3, 4], &[8, 8]), 1);
        assert_eq!(embed_copies(&[2, 3, 4], &[2, 8, 8]), 2);
    }

    /// Run the copies on host bytes (what cuMemcpy2D does).
    fn simulate_embed(input: &[u8], ins: &[usize], outs: &[usize]) -> Vec<u8> {
        let mut out = vec![0u8; outs.iter().product()];
        if ins == outs {
            return input.to_vec();
        }
        for c in embed_plan(ins, outs, 1) {
            for r in 0..c.height {
                let (d, s) = (c.dst + r * c.dst_pitch, c.src + r * c.src_pitch);
                out[d..d + c.width].copy_from_slice(&input[s..s + c.width]);
            }
        }
        out
    }

    #[test]
    fn embedding_puts_the_input_in_the_leading_corner() {
        let cases: [(&[usize], &[usize]); 6] = [
            (&[5], &[13]),
            (&[3, 5], &[8, 5]),
            (&[3, 5], &[3, 9]),
            (&[2, 3, 4], &[2, 7, 9]),
            (&[2, 3, 4, 5], &[3, 4, 6, 5]),
            (&[0, 4], &[2, 4]),
        ];
        for (ins, outs) in cases {
            let n: usize = ins.iter().product();
            let input: Vec<u8> = (0..n).map(|i| (i % 251) as u8 + 1).collect();
            let got = simulate_embed(&input, ins, outs);
            // Reference: element by element through the multi-index.
            let out_strides = mathengine_ir::shape::strides(outs);
            let in_strides = mathengine_ir::shape::strides(ins);
            let mut want = vec![0u8; outs.iter().product()];
            for (i, &v) in input.iter().enumerate() {
                let dst: usize = (0..ins.len())
                    .map(|k| (i / in_strides[k]) % ins[k] * out_strides[k])
                    .sum();
                want[dst] = v;
            }
            assert_eq!(got, want, "{ins:?} into {outs:?}");
        }
    }

    type C = num_complex::Complex64;

    /// A naive DFT of every line along `axis` of `data` (row-major `shape`).
    fn dft_axis(data: &[C], shape: &[usize], axis: usize, sign: f64) -> Vec<C> {
        let n = shape[axis];
        let inner: usize = shape[axis + 1..].iter().product();
        let mut out = data.to_vec();
        for (i, o) in out.iter_mut().enumerate() {
            let k = (i / inner) % n;
            let base = i - k * inner;
            *o = (0..n)
                .map(|x| {
                    let w = sign * 2.0 * std::f64::consts::PI * (k * x) as f64 / n as f64;
                    data[base + x * inner] * C::from_polar(1.0, w)
                })
                .sum();
        }
        out
    }

    /// Execute the passes as cuFFT's advanced layout defines them: element `x` of
    /// transform `b` of execution `e` is at `e*step + b*dist + (x flattened over n)*stride`.
    fn simulate_passes(data: &[C], passes: &[Pass], sign: f64) -> Vec<C> {
        let mut data = data.to_vec();
        for p in passes {
            let n: Vec<usize> = p.key.n.iter().map(|&v| v as usize).collect();
            let block: usize = n.iter().product();
            for e in 0..p.execs {
                for b in 0..p.key.batch as usize {
                    let at =
                        |x: usize| e * p.step + b * p.key.dist as usize + x * p.key.stride as usize;
                    let line: Vec<C> = (0..block).map(|x| data[at(x)]).collect();
                    let mut t = line;
                    for axis in 0..n.len() {
                        t = dft_axis(&t, &n, axis, sign);
                    }
                    for (x, v) in t.into_iter().enumerate() {
                        data[at(x)] = v;
                    }
                }
            }
        }
        data
    }

    #[test]
    fn passes_compute_the_dft_over_the_axes() {
        let cases: [(&[usize], &[usize]); 9] = [
            (&[8], &[0]),
            (&[3, 5], &[0]),
            (&[3, 5], &[1]),
            (&[3, 5], &[0, 1]),
            (&[2, 3, 4], &[1]),
            (&[2, 3, 4], &[0, 2]),
            (&[2, 3, 4, 5], &[1, 2]),
            (&[2, 3, 4, 5], &[0, 1, 2, 3]),
            (&[4, 1, 3], &[0, 1, 2, 0]),
        ];
        for (shape, axes) in cases {
            let n: usize = shape.iter().product();
            let data: Vec<C> = (0..n)
                .map(|i| C::new((i as f64 * 0.37).sin(), (i as f64 * 0.91).cos()))
                .collect();
            for sign in [-1.0, 1.0] {
                let mut want = data.clone();
                for &a in axes {
                    want = dft_axis(&want, shape, a, sign);
                }
                let passes = fft_passes(shape, axes, true).unwrap();
                let got = simulate_passes(&data, &passes, sign);
                let err = got
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (a - b).norm())
                    .fold(0.0, f64::max);
                assert!(err < 1e-9, "{shape:?} axes {axes:?}: error {err}");
            }
        }
    }
}
