//! `e.fft`: numpy's FFT functions on lazy arrays. The transforms run as library steps
//! (rustfft/realfft on the CPU); everything around them stays lazy and fuses: the
//! producer of an input (zero padding with `s=`, a complex exponential, ...) is one kernel
//! writing the FFT's input buffer, and normalisation, `fftshift` and `abs(..)**2` after
//! it fuse into the kernel that reads its result.

use crate::array::Array;
use crate::engine::{Engine, Inner};
use crate::ops::shape::Slice;
use mathengine_ir::graph::LibraryOp;
use mathengine_ir::{shape, DType, Error, Op, Result, Scalar};
use smallvec::smallvec;
use std::sync::Arc;

/// numpy's `norm=`: which direction carries the 1/n factor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Norm {
    /// Forward unscaled, inverse scaled by 1/n (numpy's default).
    #[default]
    Backward,
    /// Both scaled by 1/sqrt(n): the transform is unitary.
    Ortho,
    /// Forward scaled by 1/n, inverse unscaled.
    Forward,
}

impl Norm {
    fn factor(self, n: usize, inverse: bool) -> f64 {
        let n = n as f64;
        match (self, inverse) {
            (Norm::Backward, false) | (Norm::Forward, true) => 1.0,
            (Norm::Ortho, _) => 1.0 / n.sqrt(),
            (Norm::Backward, true) | (Norm::Forward, false) => 1.0 / n,
        }
    }
}

/// The `e.fft` namespace.
#[derive(Clone)]
pub struct Fft {
    inner: Arc<Inner>,
}

impl Fft {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        Fft { inner }
    }

    fn engine(&self) -> Engine {
        Engine::from_inner(self.inner.clone())
    }

    /// 1-D DFT along `axis`; `n` crops or zero-pads that axis first.
    pub fn fft(&self, x: &Array, n: Option<usize>, axis: isize, norm: Norm) -> Result<Array> {
        self.c2c(
            "fft",
            x,
            n.as_ref().map(std::slice::from_ref),
            Some(&[axis]),
            norm,
            false,
        )
    }
    /// 1-D inverse DFT.
    pub fn ifft(&self, x: &Array, n: Option<usize>, axis: isize, norm: Norm) -> Result<Array> {
        self.c2c(
            "ifft",
            x,
            n.as_ref().map(std::slice::from_ref),
            Some(&[axis]),
            norm,
            true,
        )
    }
    /// 2-D DFT over `axes` (the last two when None).
    pub fn fft2(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.c2c("fft2", x, s, Some(axes.unwrap_or(&[-2, -1])), norm, false)
    }
    /// 2-D inverse DFT.
    pub fn ifft2(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.c2c("ifft2", x, s, Some(axes.unwrap_or(&[-2, -1])), norm, true)
    }
    /// N-D DFT over `axes` (all when None; the last `s.len()` when only `s` is given).
    pub fn fftn(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.c2c("fftn", x, s, axes, norm, false)
    }
    /// N-D inverse DFT.
    pub fn ifftn(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.c2c("ifftn", x, s, axes, norm, true)
    }

    /// DFT of real input along `axis`: n/2 + 1 complex outputs.
    pub fn rfft(&self, x: &Array, n: Option<usize>, axis: isize, norm: Norm) -> Result<Array> {
        self.rfftn_impl(
            "rfft",
            x,
            n.as_ref().map(std::slice::from_ref),
            Some(&[axis]),
            norm,
        )
    }
    /// Inverse of `rfft`: `n` real outputs along `axis` (2*(m-1) when None).
    pub fn irfft(&self, x: &Array, n: Option<usize>, axis: isize, norm: Norm) -> Result<Array> {
        self.irfftn_impl(
            "irfft",
            x,
            n.as_ref().map(std::slice::from_ref),
            Some(&[axis]),
            norm,
        )
    }
    /// 2-D DFT of real input (half spectrum along the last of `axes`).
    pub fn rfft2(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.rfftn_impl("rfft2", x, s, Some(axes.unwrap_or(&[-2, -1])), norm)
    }
    /// Inverse of `rfft2`.
    pub fn irfft2(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.irfftn_impl("irfft2", x, s, Some(axes.unwrap_or(&[-2, -1])), norm)
    }
    /// N-D DFT of real input.
    pub fn rfftn(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.rfftn_impl("rfftn", x, s, axes, norm)
    }
    /// Inverse of `rfftn`.
    pub fn irfftn(
        &self,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        self.irfftn_impl("irfftn", x, s, axes, norm)
    }

    /// Sample frequencies of an `n`-point DFT with sample spacing `d` (numpy's fftfreq).
    pub fn fftfreq(&self, n: usize, d: f64) -> Result<Array> {
        let e = self.engine();
        if n == 0 || d == 0.0 || !d.is_finite() {
            return Err(Error::invalid(
                "fftfreq",
                format!("n = {n} and d = {d}: n must be positive and d finite and non-zero"),
            ));
        }
        let i = e.arange_int(n);
        let half = e.full(&[], n.div_ceil(2) as i64);
        let wrapped = e.sub(&i, &e.full(&[], n as i64))?;
        let k = e.where_(&e.less(&i, &half)?, &i, &wrapped)?;
        e.mul(&e.astype(&k, DType::F64), &e.scalar(1.0 / (n as f64 * d)))
    }

    /// Sample frequencies of `rfft` (the non-negative half).
    pub fn rfftfreq(&self, n: usize, d: f64) -> Result<Array> {
        let e = self.engine();
        if n == 0 || d == 0.0 || !d.is_finite() {
            return Err(Error::invalid(
                "rfftfreq",
                format!("n = {n} and d = {d}: n must be positive and d finite and non-zero"),
            ));
        }
        let k = e.astype(&e.arange_int(n / 2 + 1), DType::F64);
        e.mul(&k, &e.scalar(1.0 / (n as f64 * d)))
    }

    /// Move the zero frequency to the centre (a lazy roll by n/2 on each axis).
    pub fn fftshift(&self, x: &Array, axes: Option<&[isize]>) -> Result<Array> {
        self.shift(x, axes, false)
    }
    /// Undo `fftshift` (a roll by -(n/2)).
    pub fn ifftshift(&self, x: &Array, axes: Option<&[isize]>) -> Result<Array> {
        self.shift(x, axes, true)
    }

    fn shift(&self, x: &Array, axes: Option<&[isize]>, inverse: bool) -> Result<Array> {
        let e = self.engine();
        let axes = shape::normalize_axes(
            if inverse { "ifftshift" } else { "fftshift" },
            axes,
            x.shape(),
        )?;
        let mut y = x.clone();
        for a in axes {
            let half = (x.shape()[a] / 2) as isize;
            y = e.roll(&y, if inverse { -half } else { half }, Some(a as isize))?;
        }
        Ok(y)
    }

    /// Axes and lengths after numpy's rules for `s` and `axes`.
    fn plan_axes(
        op: &str,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
    ) -> Result<(Vec<usize>, Vec<usize>)> {
        let axes: Vec<usize> = match (axes, s) {
            (Some(a), _) => {
                let list = a
                    .iter()
                    .map(|&ax| shape::normalize_axis(op, ax, x.shape()))
                    .collect::<Result<Vec<_>>>()?;
                let mut sorted = list.clone();
                sorted.sort_unstable();
                sorted.dedup();
                if sorted.len() != list.len() {
                    return Err(Error::invalid(
                        op,
                        format!(
                            "repeated axis in axes {}; name each axis once",
                            mathengine_ir::error::fmt_tuple(a)
                        ),
                    ));
                }
                list
            }
            (None, Some(s)) => {
                if s.len() > x.ndim() {
                    return Err(Error::invalid(
                        op,
                        format!(
                            "s = {} has more entries than the array has axes ({})",
                            mathengine_ir::error::fmt_tuple(s),
                            x.ndim()
                        ),
                    ));
                }
                (x.ndim() - s.len()..x.ndim()).collect()
            }
            (None, None) => (0..x.ndim()).collect(),
        };
        let lens = match s {
            Some(s) if s.len() != axes.len() => {
                return Err(Error::invalid(
                    op,
                    format!(
                        "s = {} and axes {} differ in length; give one length per axis",
                        mathengine_ir::error::fmt_tuple(s),
                        mathengine_ir::error::fmt_tuple(&axes)
                    ),
                ))
            }
            Some(s) => s.to_vec(),
            None => axes.iter().map(|&a| x.shape()[a]).collect(),
        };
        if axes.is_empty() {
            return Err(Error::invalid(
                op,
                "no axes to transform; the array is 0-d or axes is empty",
            ));
        }
        if let Some(i) = lens.iter().position(|&n| n == 0) {
            return Err(Error::invalid(
                op,
                format!(
                    "length 0 along axis {} (shape {}): a DFT needs at least one point",
                    axes[i],
                    mathengine_ir::error::fmt_shape(x.shape())
                ),
            ));
        }
        let mut out: Vec<usize> = x.shape().to_vec();
        for (&a, &n) in axes.iter().zip(&lens) {
            out[a] = n;
        }
        shape::check_shape(op, &out)?;
        Ok((axes, lens))
    }

    /// Crop or zero-pad `axis` to `n` (lazy: fused into the kernel that feeds the FFT).
    fn resize(e: &Engine, x: &Array, axis: usize, n: usize) -> Result<Array> {
        let len = x.shape()[axis];
        if n < len {
            let mut sl = vec![Slice::all(); x.ndim()];
            sl[axis] = Slice::range(0, n as isize);
            e.slice(x, &sl)
        } else if n > len {
            let mut w = vec![(0, 0); x.ndim()];
            w[axis] = (0, n - len);
            e.pad(x, &w, Scalar::I64(0).cast(x.dtype()))
        } else {
            Ok(x.clone())
        }
    }

    fn scaled(y: Array, factor: f64) -> Result<Array> {
        if factor == 1.0 {
            Ok(y)
        } else {
            Ok(&y * factor)
        }
    }

    fn c2c(
        &self,
        op: &str,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
        inverse: bool,
    ) -> Result<Array> {
        let e = self.engine();
        e.check_same_engine(op, x)?;
        let (axes, lens) = Self::plan_axes(op, x, s, axes)?;
        let t = x.dtype().to_inexact().to_complex();
        let mut y = e.astype(x, t);
        // Cropping is a lazy slice; zero padding is done by the FFT step itself (it fills
        // its working buffer), so the producer kernel computes only the real samples.
        let mut out_shape = y.node.shape.clone();
        for (&a, &n) in axes.iter().zip(&lens) {
            if n < y.shape()[a] {
                y = Self::resize(&e, &y, a, n)?;
            }
            out_shape[a] = n;
        }
        let lib = LibraryOp::Fft {
            axes: axes.iter().copied().collect(),
            inverse,
        };
        let out = e.wrap(e.node(Op::Library(lib), t, out_shape, smallvec![y.node.clone()])?);
        Self::scaled(out, norm.factor(lens.iter().product(), inverse))
    }

    /// `LibraryOp` on the last axis only: move `axis` there (lazily) and back.
    fn along_last(
        e: &Engine,
        x: &Array,
        axis: usize,
        lib: LibraryOp,
        out_len: usize,
        out_t: DType,
    ) -> Result<Array> {
        let last = x.ndim() - 1;
        let mut perm: Vec<usize> = (0..x.ndim()).collect();
        perm.swap(axis, last);
        let moved = e.permute(x, &perm)?;
        let mut shape = moved.node.shape.clone();
        shape[last] = out_len;
        let y = e.wrap(e.node(
            Op::Library(lib),
            out_t,
            shape,
            smallvec![moved.node.clone()],
        )?);
        e.permute(&y, &perm)
    }

    fn rfftn_impl(
        &self,
        op: &str,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        let e = self.engine();
        e.check_same_engine(op, x)?;
        if x.dtype().is_complex() {
            return Err(Error::dtype(
                op,
                x.dtype(),
                "the input must be real; use fft/fftn for complex input",
            ));
        }
        let (axes, lens) = Self::plan_axes(op, x, s, axes)?;
        let real = x.dtype().to_inexact();
        let mut y = e.astype(x, real);
        for (&a, &n) in axes.iter().zip(&lens) {
            y = Self::resize(&e, &y, a, n)?;
        }
        let (&last_axis, rest) = axes
            .split_last()
            .expect("plan_axes returns at least one axis");
        let n_last = *lens.last().expect("one length per axis");
        let half = Self::along_last(
            &e,
            &y,
            last_axis,
            LibraryOp::Rfft,
            n_last / 2 + 1,
            real.to_complex(),
        )?;
        let out = if rest.is_empty() {
            half
        } else {
            let lib = LibraryOp::Fft {
                axes: rest.iter().copied().collect(),
                inverse: false,
            };
            e.wrap(e.node(
                Op::Library(lib),
                half.dtype(),
                half.node.shape.clone(),
                smallvec![half.node.clone()],
            )?)
        };
        Self::scaled(out, norm.factor(lens.iter().product(), false))
    }

    fn irfftn_impl(
        &self,
        op: &str,
        x: &Array,
        s: Option<&[usize]>,
        axes: Option<&[isize]>,
        norm: Norm,
    ) -> Result<Array> {
        let e = self.engine();
        e.check_same_engine(op, x)?;
        // The last axis's output length defaults to 2*(m-1); lengths of the others as given.
        let (axes, mut lens) = Self::plan_axes(op, x, s, axes)?;
        let (&last_axis, rest) = axes
            .split_last()
            .expect("plan_axes returns at least one axis");
        if s.is_none() {
            let m = x.shape()[last_axis];
            let n = 2 * (m.max(1) - 1);
            if n == 0 {
                return Err(Error::invalid(
                    op,
                    format!("{m} input points along axis {last_axis} give 0 outputs; pass n"),
                ));
            }
            *lens.last_mut().expect("one length per axis") = n;
        }
        let t = x.dtype().to_inexact().to_complex();
        let mut y = e.astype(x, t);
        for (&a, &n) in rest.iter().zip(&lens) {
            y = Self::resize(&e, &y, a, n)?;
        }
        if !rest.is_empty() {
            let lib = LibraryOp::Fft {
                axes: rest.iter().copied().collect(),
                inverse: true,
            };
            y = e.wrap(e.node(
                Op::Library(lib),
                t,
                y.node.shape.clone(),
                smallvec![y.node.clone()],
            )?);
        }
        let n_last = *lens.last().expect("one length per axis");
        y = Self::resize(&e, &y, last_axis, n_last / 2 + 1)?;
        let out = Self::along_last(
            &e,
            &y,
            last_axis,
            LibraryOp::Irfft { n: n_last },
            n_last,
            t.real(),
        )?;
        Self::scaled(out, norm.factor(lens.iter().product(), true))
    }
}
