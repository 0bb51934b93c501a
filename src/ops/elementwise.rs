//! Elementwise operations: numpy broadcasting and promotion. Every node is first offered
//! to the rewrite pass of `mathengine_ir::simplify` (constant folding and exact
//! identities), so no simplification rule lives here.

use crate::array::Array;
use crate::engine::Engine;
use mathengine_ir::graph::ScalarKey;
use mathengine_ir::simplify::{self, Rewrite};
use mathengine_ir::{shape, BinaryOp, DType, NodeRef, Op, Result, Scalar, UnaryOp};
use smallvec::smallvec;

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

    /// The node a rewrite of `mathengine_ir::simplify` stands for (`dtype` and `shape`
    /// are the replaced node's).
    fn rewritten(&self, r: Rewrite, dtype: DType, shape: &[usize]) -> NodeRef {
        match r {
            Rewrite::Const(v) => self.const_node(v, dtype, shape),
            Rewrite::Operand(n) => n,
        }
    }

    /// `x` converted to `dtype` (no node if it already is).
    pub(crate) fn cast_node(&self, x: &NodeRef, dtype: DType) -> Result<NodeRef> {
        if x.dtype == dtype {
            return Ok(x.clone());
        }
        if let Some(Rewrite::Const(v)) = simplify::cast(x) {
            return Ok(self.const_node(v, dtype, &x.shape));
        }
        self.node(Op::Cast, dtype, x.shape.clone(), smallvec![x.clone()])
    }

    /// `x` broadcast to `shape` (no node if it already has it).
    pub(crate) fn expand_node(&self, x: &NodeRef, shape: &[usize]) -> Result<NodeRef> {
        if &x.shape[..] == shape {
            return Ok(x.clone());
        }
        if let Some(Rewrite::Const(v)) = simplify::expand(x) {
            return Ok(self.const_node(v, x.dtype, shape));
        }
        self.node(Op::Expand, x.dtype, shape.into(), smallvec![x.clone()])
    }

    /// Convert to `dtype` with numpy's `astype` semantics (complex to real keeps the real part).
    pub fn astype(&self, x: &Array, dtype: DType) -> Array {
        // astype cannot fail, so an array of another engine is cast in its own engine:
        // the result still belongs there, and the next call mixing engines refuses it.
        if self.check_same_engine("astype", x).is_err() {
            return x.engine().astype(x, dtype);
        }
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
        if op == UnaryOp::Square {
            if let Some(r) = self.abs_squared(&xin)? {
                return Ok(r);
            }
        }
        if let Some(r) = simplify::unary(op, &xin, sig.out) {
            return Ok(self.wrap(self.rewritten(r, sig.out, &xin.shape)));
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
        // numpy raises ValueError for an integer power with a negative integer exponent.
        // A constant exponent is refused here; an array of exponents computed at run
        // time gives the truncated 1/b^n instead (docs/numpy-differences.md).
        if op == BinaryOp::Pow && sig.compute.is_int() {
            if let Some(v) = simplify::const_value(&y).filter(|v| v.to_i64() < 0) {
                return Err(mathengine_ir::Error::invalid(
                    op.name(),
                    format!(
                        "integers to negative integer powers are not allowed ({} base, exponent {v}); convert the base to float first, e.g. astype(float64), as numpy requires",
                        a.dtype()
                    ),
                ));
            }
        }
        if let Some(r) = simplify::binary(op, &x, &y, sig.out, &out_shape) {
            return Ok(self.wrap(self.rewritten(r, sig.out, &out_shape)));
        }
        if op == BinaryOp::Pow && x.shape[..] == out_shape[..] {
            if let Some(r) = self.power_by_constant(&x, &y, sig.compute)? {
                return Ok(r);
            }
        }
        let x = self.expand_node(&x, &out_shape)?;
        let y = self.expand_node(&y, &out_shape)?;
        Ok(self.wrap(self.node(Op::Binary(op), sig.out, out_shape, smallvec![x, y])?))
    }

    /// |z|² of complex `z` as re² + im² (no square root), if `x` is |z|.
    fn abs_squared(&self, x: &NodeRef) -> Result<Option<Array>> {
        let Op::Unary(UnaryOp::Abs) = x.op else {
            return Ok(None);
        };
        let z = self.wrap(x.inputs()[0].clone());
        if !z.dtype().is_complex() {
            return Ok(None);
        }
        let re = self.unary(UnaryOp::Real, &z)?;
        let im = self.unary(UnaryOp::Imag, &z)?;
        let re2 = self.unary(UnaryOp::Square, &re)?;
        let im2 = self.unary(UnaryOp::Square, &im)?;
        self.add(&re2, &im2).map(Some)
    }

    /// `x ** y` for the constant exponents numpy also special-cases, without a call to
    /// pow per element: 2 is a square (of |z|: re² + im², see `abs_squared`), -1 a
    /// reciprocal for floats. Both are exactly what a correctly rounded pow gives.
    fn power_by_constant(&self, x: &NodeRef, y: &NodeRef, compute: DType) -> Result<Option<Array>> {
        let Some(v) = simplify::const_value(y).map(|v| v.to_c128()) else {
            return Ok(None);
        };
        if v == num_complex::Complex64::new(2.0, 0.0) {
            return self.unary(UnaryOp::Square, &self.wrap(x.clone())).map(Some);
        }
        if v == num_complex::Complex64::new(-1.0, 0.0) && compute.is_inexact() {
            return self
                .unary(UnaryOp::Reciprocal, &self.wrap(x.clone()))
                .map(Some);
        }
        Ok(None)
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
        if let Some(picked) = simplify::select(&c, &x, &y) {
            return Ok(self.wrap(picked.clone()));
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
        self.check_same_engine("complex", re)?;
        self.check_same_engine("complex", im)?;
        let t = DType::promote(re.dtype().to_inexact(), im.dtype().to_inexact()).to_complex();
        let i =
            self.wrap(self.const_node(Scalar::C128(num_complex::Complex64::new(0.0, 1.0)), t, &[]));
        self.add(&self.astype(re, t), &self.mul(&self.astype(im, t), &i)?)
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
