//! Elementwise operations: numpy broadcasting and promotion, exact simplifications
//! (`x*1`, `x+(-0.0)`, `x-0`, `x/1`), and constant folding.

use crate::array::Array;
use crate::engine::Engine;
use mathengine_ir::graph::ScalarKey;
use mathengine_ir::{scalar_eval, shape, BinaryOp, DType, NodeRef, Op, Result, Scalar, UnaryOp};
use smallvec::smallvec;

fn const_value(n: &NodeRef) -> Option<Scalar> {
    match &n.op {
        Op::Const(v) => Some(v.0),
        _ => None,
    }
}

impl Engine {
    /// A constant array: `value` (converted to `dtype`) broadcast over `shape`. Reads no memory.
    pub(crate) fn const_node(&self, value: Scalar, dtype: DType, shape: &[usize]) -> NodeRef {
        self.inner.graph.intern(
            Op::Const(ScalarKey(value.cast(dtype))),
            dtype,
            shape.into(),
            smallvec![],
        )
    }

    /// `x` converted to `dtype` (no node if it already is).
    pub(crate) fn cast_node(&self, x: &NodeRef, dtype: DType) -> Result<NodeRef> {
        if x.dtype == dtype {
            return Ok(x.clone());
        }
        if let Some(v) = const_value(x) {
            return Ok(self.const_node(v, dtype, &x.shape));
        }
        self.node(Op::Cast, dtype, x.shape.clone(), smallvec![x.clone()])
    }

    /// `x` broadcast to `shape` (no node if it already has it).
    pub(crate) fn expand_node(&self, x: &NodeRef, shape: &[usize]) -> Result<NodeRef> {
        if &x.shape[..] == shape {
            return Ok(x.clone());
        }
        if let Some(v) = const_value(x) {
            return Ok(self.const_node(v, x.dtype, shape));
        }
        self.node(Op::Expand, x.dtype, shape.into(), smallvec![x.clone()])
    }

    /// Convert to `dtype` with numpy's `astype` semantics (complex to real keeps the real part).
    pub fn astype(&self, x: &Array, dtype: DType) -> Array {
        // Cast never fails: every dtype converts to every other.
        self.wrap(
            self.cast_node(&x.node, dtype)
                .expect("a cast node cannot fail to build"),
        )
    }

    /// Apply a unary operation (the named methods below call this).
    pub fn unary(&self, op: UnaryOp, x: &Array) -> Result<Array> {
        self.check_same_engine(op.name(), x)?;
        let sig = op.signature(x.dtype())?;
        let xin = self.cast_node(&x.node, sig.compute)?;
        if let Some(v) = const_value(&xin) {
            return Ok(self.wrap(self.const_node(scalar_eval::unary(op, v), sig.out, &xin.shape)));
        }
        if matches!(
            op,
            UnaryOp::Real
                | UnaryOp::Conj
                | UnaryOp::Floor
                | UnaryOp::Ceil
                | UnaryOp::Round
                | UnaryOp::Trunc
        ) && sig.compute == sig.out
            && !sig.out.is_inexact()
        {
            return Ok(self.wrap(xin));
        }
        Ok(self.wrap(self.node(Op::Unary(op), sig.out, xin.shape.clone(), smallvec![xin])?))
    }

    /// Apply a binary operation with numpy broadcasting and promotion.
    pub fn binary(&self, op: BinaryOp, a: &Array, b: &Array) -> Result<Array> {
        self.check_same_engine(op.name(), a)?;
        self.check_same_engine(op.name(), b)?;
        let sig = op.signature(a.dtype(), b.dtype())?;
        let out_shape = shape::broadcast_shapes(op.name(), a.shape(), b.shape())?;
        let x = self.cast_node(&a.node, sig.compute)?;
        let y = self.cast_node(&b.node, sig.compute)?;
        if let (Some(u), Some(v)) = (const_value(&x), const_value(&y)) {
            return Ok(self.wrap(self.const_node(
                scalar_eval::binary(op, u, v),
                sig.out,
                &out_shape,
            )));
        }
        if let Some(same) = identity_operand(op, &x, &y, sig.out, &out_shape) {
            return Ok(self.wrap(same));
        }
        let x = self.expand_node(&x, &out_shape)?;
        let y = self.expand_node(&y, &out_shape)?;
        Ok(self.wrap(self.node(Op::Binary(op), sig.out, out_shape, smallvec![x, y])?))
    }

    /// `cond ? a : b` elementwise, broadcasting all three (numpy's `where`).
    pub fn where_(&self, cond: &Array, a: &Array, b: &Array) -> Result<Array> {
        for x in [cond, a, b] {
            self.check_same_engine("where", x)?;
        }
        let s = shape::broadcast_shapes("where", cond.shape(), a.shape())?;
        let s = shape::broadcast_shapes("where", &s, b.shape())?;
        let t = DType::promote(a.dtype(), b.dtype());
        let c = self.expand_node(&self.cast_node(&cond.node, DType::Bool)?, &s)?;
        let x = self.expand_node(&self.cast_node(&a.node, t)?, &s)?;
        let y = self.expand_node(&self.cast_node(&b.node, t)?, &s)?;
        if let Some(v) = const_value(&c) {
            return Ok(self.wrap(if v.to_bool() { x } else { y }));
        }
        Ok(self.wrap(self.node(Op::Where, t, s, smallvec![c, x, y])?))
    }

    /// Limit every element to `[lo, hi]` (NaN stays NaN), as numpy's `clip`.
    pub fn clip(&self, x: &Array, lo: &Array, hi: &Array) -> Result<Array> {
        self.minimum(&self.maximum(x, lo)?, hi)
    }

    /// A 0-d array holding `value`, typed for use with `like` as numpy types Python
    /// scalars: it takes `like`'s dtype when `like` is float or complex, and float64 otherwise.
    pub fn scalar_like(&self, value: f64, like: &Array) -> Array {
        let t = if like.dtype().is_inexact() {
            like.dtype()
        } else {
            DType::F64
        };
        self.wrap(self.const_node(Scalar::F64(value), t, &[]))
    }

    /// A 0-d array of exactly this value and dtype.
    pub fn scalar(&self, value: impl Into<Scalar>) -> Array {
        let v: Scalar = value.into();
        self.wrap(self.const_node(v, v.dtype(), &[]))
    }

    /// `re + 1j*im` as a complex array (complex128 unless both are float32).
    pub fn complex(&self, re: &Array, im: &Array) -> Result<Array> {
        let t = DType::promote(re.dtype().to_inexact(), im.dtype().to_inexact()).to_complex();
        let i =
            self.wrap(self.const_node(Scalar::C128(num_complex::Complex64::new(0.0, 1.0)), t, &[]));
        self.add(&self.astype(re, t), &self.mul(&self.astype(im, t), &i)?)
    }
}

/// If `op(x, y)` is exactly one operand (x*1, 1*x, x+(-0.0), x-0, x/1, ...), that operand.
/// Only when no broadcasting or conversion happens. `x + 0.0` is not exact (-0.0 + 0.0 = +0.0).
fn identity_operand(
    op: BinaryOp,
    x: &NodeRef,
    y: &NodeRef,
    out: DType,
    shape: &[usize],
) -> Option<NodeRef> {
    let is = |n: &NodeRef, want: f64, neg_zero: bool| -> bool {
        match const_value(n) {
            Some(v) => {
                let c = v.to_c128();
                c.im == 0.0
                    && c.re == want
                    && (!neg_zero || !v.dtype().is_inexact() || c.re.is_sign_negative())
            }
            None => false,
        }
    };
    // Complex x*1 is not x: (inf+0j)*(1+0j) = inf+nanj.
    if out.is_complex() {
        return None;
    }
    let keeps = |n: &NodeRef| n.dtype == out && &n.shape[..] == shape;
    use BinaryOp::*;
    match op {
        Mul if is(y, 1.0, false) && keeps(x) => Some(x.clone()),
        Mul if is(x, 1.0, false) && keeps(y) => Some(y.clone()),
        Div if is(y, 1.0, false) && keeps(x) => Some(x.clone()),
        Add if is(y, 0.0, true) && keeps(x) => Some(x.clone()),
        Add if is(x, 0.0, true) && keeps(y) => Some(y.clone()),
        Sub if is(y, 0.0, false)
            && !const_value(y).is_some_and(|v| v.to_c128().re.is_sign_negative())
            && keeps(x) =>
        {
            Some(x.clone())
        }
        _ => None,
    }
}

macro_rules! unary_fns {
    ($($name:ident => $op:ident),* $(,)?) => {
        impl Engine {
            $(
                #[doc = concat!("numpy's `", stringify!($name), "`, elementwise.")]
                pub fn $name(&self, x: &Array) -> Result<Array> {
                    self.unary(UnaryOp::$op, x)
                }
            )*
        }
    };
}
unary_fns!(
    neg => Neg, abs => Abs, sign => Sign, sqrt => Sqrt, cbrt => Cbrt, square => Square,
    reciprocal => Reciprocal, exp => Exp, expm1 => Expm1, exp2 => Exp2, log => Log,
    log1p => Log1p, log2 => Log2, log10 => Log10, sin => Sin, cos => Cos, tan => Tan,
    arcsin => Asin, arccos => Acos, arctan => Atan, sinh => Sinh, cosh => Cosh, tanh => Tanh,
    floor => Floor, ceil => Ceil, round => Round, trunc => Trunc, isnan => IsNan,
    isinf => IsInf, isfinite => IsFinite, logical_not => Not, real => Real, imag => Imag,
    conj => Conj, angle => Angle,
);

macro_rules! binary_fns {
    ($($name:ident => $op:ident),* $(,)?) => {
        impl Engine {
            $(
                #[doc = concat!("numpy's `", stringify!($name), "`, elementwise with broadcasting.")]
                pub fn $name(&self, a: &Array, b: &Array) -> Result<Array> {
                    self.binary(BinaryOp::$op, a, b)
                }
            )*
        }
    };
}
binary_fns!(
    add => Add, sub => Sub, mul => Mul, div => Div, pow => Pow, fmod => Fmod,
    maximum => Maximum, minimum => Minimum, arctan2 => Atan2, hypot => Hypot,
    copysign => Copysign, equal => Eq, not_equal => Ne, less => Lt, less_equal => Le,
    greater => Gt, greater_equal => Ge, logical_and => And, logical_or => Or,
    logical_xor => Xor,
);
