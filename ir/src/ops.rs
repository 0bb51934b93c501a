//! The elementwise operations, and which dtypes each accepts and returns.

use crate::dtype::DType;
use crate::error::{Error, Result};

macro_rules! op_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name { $($variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// numpy's name for the operation.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }
        }
    };
}

op_enum!(
    /// Operations of one operand.
    UnaryOp {
        Neg => "negative", Abs => "abs", Sign => "sign", Sqrt => "sqrt", Cbrt => "cbrt",
        Square => "square", Reciprocal => "reciprocal", Exp => "exp", Expm1 => "expm1",
        Exp2 => "exp2", Log => "log", Log1p => "log1p", Log2 => "log2", Log10 => "log10",
        Sin => "sin", Cos => "cos", Tan => "tan", Asin => "arcsin", Acos => "arccos",
        Atan => "arctan", Sinh => "sinh", Cosh => "cosh", Tanh => "tanh", Floor => "floor",
        Ceil => "ceil", Round => "round", Trunc => "trunc", IsNan => "isnan", IsInf => "isinf",
        IsFinite => "isfinite", Not => "logical_not", Real => "real", Imag => "imag",
        Conj => "conj", Angle => "angle",
    }
);

op_enum!(
    /// Operations of two operands of one (promoted) dtype.
    BinaryOp {
        Add => "add", Sub => "subtract", Mul => "multiply", Div => "divide", Pow => "power",
        Fmod => "fmod", Maximum => "maximum", Minimum => "minimum", Atan2 => "arctan2",
        Hypot => "hypot", Copysign => "copysign", Eq => "equal", Ne => "not_equal",
        Lt => "less", Le => "less_equal", Gt => "greater", Ge => "greater_equal",
        And => "logical_and", Or => "logical_or", Xor => "logical_xor",
    }
);

/// How an operation treats dtypes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The dtype the operands are converted to before the operation.
    pub compute: DType,
    /// The dtype of the result.
    pub out: DType,
}

impl UnaryOp {
    /// True for the functions a compiler expands into polynomial approximations.
    pub fn is_transcendental(self) -> bool {
        use UnaryOp::*;
        matches!(
            self,
            Cbrt | Exp
                | Expm1
                | Exp2
                | Log
                | Log1p
                | Log2
                | Log10
                | Sin
                | Cos
                | Tan
                | Asin
                | Acos
                | Atan
                | Sinh
                | Cosh
                | Tanh
        )
    }

    /// Operand and result dtypes for an input of dtype `x`, or an error naming the fix.
    pub fn signature(self, x: DType) -> Result<Signature> {
        use UnaryOp::*;
        let same = |t: DType| Ok(Signature { compute: t, out: t });
        let to_bool = |t: DType| {
            Ok(Signature {
                compute: t,
                out: DType::Bool,
            })
        };
        let bad = |hint: &str| Err(Error::dtype(self.name(), x, hint));
        match self {
            Not => Ok(Signature { compute: DType::Bool, out: DType::Bool }),
            IsNan | IsInf | IsFinite => to_bool(x),
            Real | Imag | Abs | Angle if x.is_complex() => Ok(Signature { compute: x, out: x.real() }),
            Real | Conj => same(x),
            Imag => Ok(Signature { compute: x, out: x }),
            Angle => Ok(Signature { compute: x.to_inexact(), out: x.to_inexact() }),
            Neg | Abs | Sign | Square if x.is_bool() => {
                bad("arithmetic on bool is not defined; use astype(int64) first")
            }
            Neg | Abs | Sign | Square => same(x),
            Floor | Ceil | Round | Trunc if x.is_complex() => {
                bad("rounding is defined on real numbers; apply it to real() and imag()")
            }
            Floor | Ceil | Round | Trunc if !x.is_float() => same(x),
            // numpy keeps the integer dtype (1/x truncated).
            Reciprocal if x.is_int() => same(x),
            Cbrt | Expm1 | Exp2 | Log1p | Log2 | Log10 | Tan | Asin | Acos | Atan | Sinh
            | Cosh | Tanh
                if x.is_complex() =>
            {
                bad("this function is implemented for real dtypes; complex supports sqrt, exp, log, sin, cos")
            }
            _ => same(x.to_inexact()),
        }
    }
}

impl BinaryOp {
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }
    pub fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or | BinaryOp::Xor)
    }

    /// Operand and result dtypes for operands of dtypes `a` and `b`.
    pub fn signature(self, a: DType, b: DType) -> Result<Signature> {
        use BinaryOp::*;
        if self.is_logical() {
            return Ok(Signature {
                compute: DType::Bool,
                out: DType::Bool,
            });
        }
        let t = DType::promote(a, b);
        let bad = |hint: &str| Err(Error::dtype(self.name(), t, hint));
        match self {
            Eq | Ne => Ok(Signature { compute: t, out: DType::Bool }),
            _ if t.is_complex() && !matches!(self, Add | Sub | Mul | Div | Pow) => {
                bad("complex numbers support add, subtract, multiply, divide, power, equal, not_equal")
            }
            Lt | Le | Gt | Ge => Ok(Signature { compute: t, out: DType::Bool }),
            Div | Atan2 | Hypot | Copysign => {
                let f = t.to_inexact();
                Ok(Signature { compute: f, out: f })
            }
            // numpy: maximum/minimum of bools are logical or/and.
            Maximum | Minimum if t.is_bool() => Ok(Signature { compute: t, out: t }),
            _ if t.is_bool() => bad("arithmetic on bool is not defined; use logical_or/logical_and, or astype(int64) first"),
            _ => Ok(Signature { compute: t, out: t }),
        }
    }
}
