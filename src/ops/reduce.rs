//! Reductions over chosen axes (all when `axes` is None), numpy's semantics: sums of
//! bool/int give int64, min/max/argmin/argmax propagate NaN and refuse empty input.

use crate::array::Array;
use crate::engine::Engine;
use mathengine_ir::{shape, DType, Error, Op, ReduceOp, Result, Scalar, Shape};
use smallvec::smallvec;

impl Engine {
    /// Reduce `x` with `op` over `axes`; `keepdims` keeps them as length-1 axes.
    pub fn reduce(
        &self,
        op: ReduceOp,
        x: &Array,
        axes: Option<&[isize]>,
        keepdims: bool,
    ) -> Result<Array> {
        self.check_same_engine(op.name(), x)?;
        shape::check_shape(op.name(), x.shape())?;
        let axes = shape::normalize_axes(op.name(), axes, x.shape())?;
        let reduced: usize = axes.iter().map(|&a| x.shape()[a]).product();
        let empty_ok = matches!(
            op,
            ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Any | ReduceOp::All
        );
        if reduced == 0 && !empty_ok {
            return Err(Error::invalid(op.name(), format!("zero-size reduction over axes {} of shape {}: {} has no identity; check the array is not empty", mathengine_ir::error::fmt_tuple(&axes), mathengine_ir::error::fmt_shape(x.shape()), op.name())));
        }
        if x.dtype().is_complex()
            && matches!(
                op,
                ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax
            )
        {
            return Err(Error::dtype(
                op.name(),
                x.dtype(),
                "complex numbers are not ordered; reduce abs() or real() instead",
            ));
        }
        let out_dtype = match op {
            ReduceOp::Sum | ReduceOp::Prod if !x.dtype().is_inexact() => DType::I64,
            ReduceOp::ArgMin | ReduceOp::ArgMax => DType::I64,
            ReduceOp::Any | ReduceOp::All => DType::Bool,
            _ => x.dtype(),
        };
        let kept: Shape = (0..x.ndim())
            .filter(|d| !axes.contains(d))
            .map(|d| x.shape()[d])
            .collect();
        let out = if axes.is_empty() && !matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax) {
            // Reducing over no axes is the identity (after the dtype change).
            self.cast_node(&x.node, out_dtype)?
        } else {
            self.node(
                Op::Reduce {
                    op,
                    axes: axes.iter().copied().collect(),
                },
                out_dtype,
                kept,
                smallvec![x.node.clone()],
            )?
        };
        let out = self.wrap(out);
        if keepdims {
            let s: Vec<isize> = (0..x.ndim())
                .map(|d| {
                    if axes.contains(&d) {
                        1
                    } else {
                        x.shape()[d] as isize
                    }
                })
                .collect();
            self.reshape(&out, &s)
        } else {
            Ok(out)
        }
    }

    pub fn sum(&self, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.reduce(ReduceOp::Sum, x, axes, keepdims)
    }
    pub fn prod(&self, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.reduce(ReduceOp::Prod, x, axes, keepdims)
    }
    pub fn min(&self, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.reduce(ReduceOp::Min, x, axes, keepdims)
    }
    pub fn max(&self, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.reduce(ReduceOp::Max, x, axes, keepdims)
    }
    pub fn any(&self, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.reduce(ReduceOp::Any, x, axes, keepdims)
    }
    pub fn all(&self, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.reduce(ReduceOp::All, x, axes, keepdims)
    }

    /// Index of the smallest element along `axis` (of the flattened array when None);
    /// the first one on ties, the first NaN if there is one.
    pub fn argmin(&self, x: &Array, axis: Option<isize>) -> Result<Array> {
        self.arg_reduce(ReduceOp::ArgMin, x, axis)
    }
    /// Index of the largest element, as [`Engine::argmin`].
    pub fn argmax(&self, x: &Array, axis: Option<isize>) -> Result<Array> {
        self.arg_reduce(ReduceOp::ArgMax, x, axis)
    }

    fn arg_reduce(&self, op: ReduceOp, x: &Array, axis: Option<isize>) -> Result<Array> {
        match axis {
            None => {
                let flat = self.reshape(x, &[-1])?;
                self.reduce(op, &flat, Some(&[0]), false)
            }
            Some(a) => self.reduce(op, x, Some(&[a]), false),
        }
    }

    /// Arithmetic mean (float64 for integer input).
    pub fn mean(&self, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        let n = self.reduced_count("mean", x, axes)?;
        let t = x.dtype().to_inexact();
        let s = self.sum(&self.astype(x, t), axes, keepdims)?;
        self.div(
            &s,
            &self.wrap(self.const_node(Scalar::F64(n as f64), t, &[])),
        )
    }

    /// Variance: mean of |x - mean(x)|², divided by (n - ddof) instead of n.
    pub fn var(
        &self,
        x: &Array,
        axes: Option<&[isize]>,
        keepdims: bool,
        ddof: usize,
    ) -> Result<Array> {
        let n = self.reduced_count("var", x, axes)?;
        let t = x.dtype().to_inexact();
        let xf = self.astype(x, t);
        let m = self.mean(&xf, axes, true)?;
        let d = self.sub(&xf, &m)?;
        let sq = if t.is_complex() {
            self.square(&self.abs(&d)?)?
        } else {
            self.square(&d)?
        };
        let s = self.sum(&sq, axes, keepdims)?;
        let denom = n.saturating_sub(ddof) as f64;
        self.div(
            &s,
            &self.wrap(self.const_node(Scalar::F64(denom), t.real(), &[])),
        )
    }

    /// Standard deviation: `sqrt(var)`.
    pub fn std(
        &self,
        x: &Array,
        axes: Option<&[isize]>,
        keepdims: bool,
        ddof: usize,
    ) -> Result<Array> {
        // Errors name std (the user's call), not the var it is computed from.
        self.reduced_count("std", x, axes)?;
        self.sqrt(&self.var(x, axes, keepdims, ddof)?)
    }

    fn reduced_count(&self, op: &str, x: &Array, axes: Option<&[isize]>) -> Result<usize> {
        self.check_same_engine(op, x)?;
        shape::check_shape(op, x.shape())?;
        let axes = shape::normalize_axes(op, axes, x.shape())?;
        Ok(axes.iter().map(|&a| x.shape()[a]).product())
    }
}
