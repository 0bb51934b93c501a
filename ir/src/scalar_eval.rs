//! Scalar semantics of every elementwise operation: the definition the reference
//! interpreter and constant folding use, and that compiled code must reproduce.
//! Floats follow IEEE 754 and the platform libm (as numpy does); integers wrap.

use crate::dtype::Scalar;
use crate::ops::{BinaryOp, UnaryOp};
use num_complex::Complex;

/// numpy's `sign` for floats: NaN stays NaN, both zeros give +0.0.
fn fsign<F: num_like::Float>(x: F) -> F {
    if x.is_nan() {
        x
    } else if x == F::ZERO {
        F::ZERO
    } else if x > F::ZERO {
        F::ONE
    } else {
        -F::ONE
    }
}

/// numpy's `maximum`/`minimum`: NaN in either operand gives NaN (the first operand's
/// if both are NaN); on ties (+0.0 and -0.0 compare equal) numpy 2.x returns the second
/// operand.
fn fmax_nan<F: num_like::Float>(a: F, b: F, take_max: bool) -> F {
    if a.is_nan() {
        a
    } else if b.is_nan() {
        b
    } else if take_max {
        if a > b {
            a
        } else {
            b
        }
    } else if a < b {
        a
    } else {
        b
    }
}

/// numpy's complex division (Smith's method, as numpy's loops): scaled by the larger
/// part of the divisor, so that |y| near the overflow or underflow threshold does not
/// overflow, and x / 0 gives an infinity or NaN part by part ((1+1j)/0 = inf+infj).
fn cdiv<F: num_like::Float>(x: Complex<F>, y: Complex<F>) -> Complex<F> {
    let (ar, ai) = (x.re, x.im);
    let (br, bi) = (y.re, y.im);
    let (abs_br, abs_bi) = (br.abs(), bi.abs());
    if abs_br >= abs_bi {
        if abs_br == F::ZERO && abs_bi == F::ZERO {
            Complex::new(ar / abs_br, ai / abs_br)
        } else {
            let rat = bi / br;
            let scl = F::ONE / (br + bi * rat);
            Complex::new((ar + ai * rat) * scl, (ai - ar * rat) * scl)
        }
    } else {
        let rat = br / bi;
        let scl = F::ONE / (bi + br * rat);
        Complex::new((ar * rat + ai) * scl, (ai * rat - ar) * scl)
    }
}

/// numpy's complex reciprocal (as numpy's loops): 1/0 is nan+nanj, 1/(inf+0j) is 0-0j.
fn cinv<F: num_like::Float>(z: Complex<F>) -> Complex<F> {
    if z.im.abs() <= z.re.abs() {
        let r = z.im / z.re;
        let d = z.re + z.im * r;
        Complex::new(F::ONE / d, -r / d)
    } else {
        let r = z.re / z.im;
        let d = z.re * r + z.im;
        Complex::new(r / d, -F::ONE / d)
    }
}

/// Integer power with wrapping multiplication; negative exponents give the truncated
/// quotient 1/b^n (1, ±1 for base ±1, 0 otherwise), as C integer division would. (numpy
/// raises ValueError; the API refuses a constant negative exponent, an array of
/// exponents computed at run time gets this: docs/numpy-differences.md.)
fn ipow<I: num_like::Int>(b: I, e: I) -> I {
    if e < I::ZERO {
        return if b == I::ONE {
            I::ONE
        } else if b == I::ZERO - I::ONE {
            if e.is_odd() {
                b
            } else {
                I::ONE
            }
        } else {
            I::ZERO
        };
    }
    let (mut result, mut base, mut e) = (I::ONE, b, e);
    while e > I::ZERO {
        if e.is_odd() {
            result = result.wmul(base);
        }
        base = base.wmul(base);
        e = e.half();
    }
    result
}

macro_rules! float_unary {
    ($op:expr, $x:expr, $t:ty) => {{
        let x: $t = $x;
        use UnaryOp::*;
        match $op {
            Neg => -x,
            Abs => x.abs(),
            Sign => fsign(x),
            Sqrt => x.sqrt(),
            Cbrt => x.cbrt(),
            Square => x * x,
            Reciprocal => 1.0 / x,
            Exp => x.exp(),
            Expm1 => x.exp_m1(),
            Exp2 => x.exp2(),
            Log => x.ln(),
            Log1p => x.ln_1p(),
            Log2 => x.log2(),
            Log10 => x.log10(),
            Sin => x.sin(),
            Cos => x.cos(),
            Tan => x.tan(),
            Asin => x.asin(),
            Acos => x.acos(),
            Atan => x.atan(),
            Sinh => x.sinh(),
            Cosh => x.cosh(),
            Tanh => x.tanh(),
            Floor => x.floor(),
            Ceil => x.ceil(),
            Round => x.round_ties_even(),
            Trunc => x.trunc(),
            Real | Conj => x,
            Imag => 0.0,
            // numpy: angle(x) = arctan2(0, x), so -0.0 -> pi and NaN -> NaN.
            Angle => (0.0 as $t).atan2(x),
            IsNan | IsInf | IsFinite | Not => unreachable!("boolean results are handled earlier"),
        }
    }};
}

macro_rules! float_binary {
    ($op:expr, $a:expr, $b:expr, $t:ty, $v:ident) => {{
        let (a, b): ($t, $t) = ($a, $b);
        use BinaryOp::*;
        match $op {
            Add => Scalar::$v(a + b),
            Sub => Scalar::$v(a - b),
            Mul => Scalar::$v(a * b),
            Div => Scalar::$v(a / b),
            Pow => Scalar::$v(a.powf(b)),
            Fmod => Scalar::$v(a % b),
            Maximum => Scalar::$v(fmax_nan(a, b, true)),
            Minimum => Scalar::$v(fmax_nan(a, b, false)),
            Atan2 => Scalar::$v(a.atan2(b)),
            Hypot => Scalar::$v(a.hypot(b)),
            Copysign => Scalar::$v(a.copysign(b)),
            Eq => Scalar::Bool(a == b),
            Ne => Scalar::Bool(a != b),
            Lt => Scalar::Bool(a < b),
            Le => Scalar::Bool(a <= b),
            Gt => Scalar::Bool(a > b),
            Ge => Scalar::Bool(a >= b),
            And | Or | Xor => unreachable!("logical operations compute on bool"),
        }
    }};
}

macro_rules! int_binary {
    ($op:expr, $a:expr, $b:expr, $v:ident) => {{
        let (a, b) = ($a, $b);
        use BinaryOp::*;
        match $op {
            Add => Scalar::$v(a.wrapping_add(b)),
            Sub => Scalar::$v(a.wrapping_sub(b)),
            Mul => Scalar::$v(a.wrapping_mul(b)),
            // numpy returns 0 for integer division by zero (with a warning).
            Fmod => Scalar::$v(if b == 0 { 0 } else { a.wrapping_rem(b) }),
            Div => Scalar::$v(if b == 0 { 0 } else { a.wrapping_div(b) }),
            Pow => Scalar::$v(ipow(a, b)),
            Maximum => Scalar::$v(a.max(b)),
            Minimum => Scalar::$v(a.min(b)),
            Eq => Scalar::Bool(a == b),
            Ne => Scalar::Bool(a != b),
            Lt => Scalar::Bool(a < b),
            Le => Scalar::Bool(a <= b),
            Gt => Scalar::Bool(a > b),
            Ge => Scalar::Bool(a >= b),
            Atan2 | Hypot | Copysign | And | Or | Xor => {
                unreachable!("signature() routes {} elsewhere", $op.name())
            }
        }
    }};
}

macro_rules! complex_unary {
    ($op:expr, $z:expr, $c:ident, $r:ident) => {{
        let z = $z;
        use UnaryOp::*;
        match $op {
            Neg => Scalar::$c(-z),
            Abs => Scalar::$r(z.norm()),
            Sign => Scalar::$c(if z.re == 0.0 && z.im == 0.0 {
                z
            } else {
                z / z.norm()
            }),
            Sqrt => Scalar::$c(z.sqrt()),
            Square => Scalar::$c(z * z),
            Reciprocal => Scalar::$c(cinv(z)),
            Exp => Scalar::$c(z.exp()),
            Log => Scalar::$c(z.ln()),
            Sin => Scalar::$c(z.sin()),
            Cos => Scalar::$c(z.cos()),
            Real => Scalar::$r(z.re),
            Imag => Scalar::$r(z.im),
            Conj => Scalar::$c(z.conj()),
            Angle => Scalar::$r(z.arg()),
            _ => unreachable!("signature() rejects complex {}", $op.name()),
        }
    }};
}

macro_rules! complex_binary {
    ($op:expr, $x:expr, $y:expr, $c:ident) => {{
        let (x, y) = ($x, $y);
        use BinaryOp::*;
        match $op {
            Add => Scalar::$c(x + y),
            Sub => Scalar::$c(x - y),
            Mul => Scalar::$c(x * y),
            Div => Scalar::$c(cdiv(x, y)),
            // numpy: x**0 is 1, and 0**y is 0 for real y > 0.
            Pow if y.re == 0.0 && y.im == 0.0 => Scalar::$c(Complex::new(1.0, 0.0)),
            Pow if x.re == 0.0 && x.im == 0.0 && y.im == 0.0 && y.re > 0.0 => {
                Scalar::$c(Complex::new(0.0, 0.0))
            }
            Pow => Scalar::$c(x.powc(y)),
            Eq => Scalar::Bool(x == y),
            Ne => Scalar::Bool(x != y),
            _ => unreachable!("signature() rejects complex {}", $op.name()),
        }
    }};
}

/// Apply a unary operation to an operand already of its compute dtype.
pub fn unary(op: UnaryOp, x: Scalar) -> Scalar {
    use UnaryOp::*;
    match op {
        Not => return Scalar::Bool(!x.to_bool()),
        IsNan | IsInf | IsFinite => {
            let c = x.to_c128();
            let nan = c.re.is_nan() || c.im.is_nan();
            let inf = c.re.is_infinite() || c.im.is_infinite();
            return Scalar::Bool(match op {
                IsNan => nan,
                IsInf => inf,
                _ => !nan && !inf,
            });
        }
        _ => {}
    }
    match x {
        Scalar::F64(v) => Scalar::F64(float_unary!(op, v, f64)),
        Scalar::F32(v) => Scalar::F32(float_unary!(op, v, f32)),
        Scalar::C128(z) => complex_unary!(op, z, C128, F64),
        Scalar::C64(z) => complex_unary!(op, z, C64, F32),
        Scalar::I64(v) => Scalar::I64(int_unary(op, v)),
        Scalar::I32(v) => Scalar::I32(int_unary(op, v as i64) as i32),
        Scalar::Bool(b) => match op {
            Real | Conj | Floor | Ceil | Round | Trunc => Scalar::Bool(b),
            Imag => Scalar::Bool(false),
            _ => unreachable!("signature() rejects bool {}", op.name()),
        },
    }
}

fn int_unary(op: UnaryOp, v: i64) -> i64 {
    use UnaryOp::*;
    match op {
        Neg => v.wrapping_neg(),
        Abs => v.wrapping_abs(),
        Sign => v.signum(),
        Square => v.wrapping_mul(v),
        // numpy keeps the integer dtype: 1/x truncated (1, -1 or 0). numpy's 1/0 is
        // C's undefined float-to-int conversion of inf (INT_MIN on x86-64); we give 0,
        // as integer division by zero does (docs/numpy-differences.md).
        Reciprocal => match v {
            1 => 1,
            -1 => -1,
            _ => 0,
        },
        Floor | Ceil | Round | Trunc | Real | Conj => v,
        Imag => 0,
        _ => unreachable!("signature() promotes int {} to float", op.name()),
    }
}

/// Apply a binary operation to operands already of its compute dtype.
pub fn binary(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    use BinaryOp::*;
    if op.is_logical() {
        let (x, y) = (a.to_bool(), b.to_bool());
        return Scalar::Bool(match op {
            And => x && y,
            Or => x || y,
            _ => x != y,
        });
    }
    match (a, b) {
        (Scalar::F64(x), Scalar::F64(y)) => float_binary!(op, x, y, f64, F64),
        (Scalar::F32(x), Scalar::F32(y)) => float_binary!(op, x, y, f32, F32),
        (Scalar::I64(x), Scalar::I64(y)) => int_binary!(op, x, y, I64),
        (Scalar::I32(x), Scalar::I32(y)) => int_binary!(op, x, y, I32),
        (Scalar::C128(x), Scalar::C128(y)) => complex_binary!(op, x, y, C128),
        (Scalar::C64(x), Scalar::C64(y)) => complex_binary!(op, x, y, C64),
        (Scalar::Bool(x), Scalar::Bool(y)) => Scalar::Bool(match op {
            Eq => x == y,
            Ne => x != y,
            Lt => !x & y,
            Le => x <= y,
            Gt => x & !y,
            Ge => x >= y,
            Maximum => x | y,
            Minimum => x & y,
            _ => unreachable!("signature() rejects bool {}", op.name()),
        }),
        _ => unreachable!("operands of {} must share a dtype", op.name()),
    }
}

/// The small numeric traits the helpers above need, for f32/f64 and i32/i64.
mod num_like {
    pub trait Float:
        Copy
        + PartialOrd
        + core::ops::Neg<Output = Self>
        + core::ops::Add<Output = Self>
        + core::ops::Sub<Output = Self>
        + core::ops::Mul<Output = Self>
        + core::ops::Div<Output = Self>
    {
        const ZERO: Self;
        const ONE: Self;
        fn is_nan(self) -> bool;
        fn abs(self) -> Self;
    }
    impl Float for f32 {
        const ZERO: Self = 0.0;
        const ONE: Self = 1.0;
        fn is_nan(self) -> bool {
            f32::is_nan(self)
        }
        fn abs(self) -> Self {
            f32::abs(self)
        }
    }
    impl Float for f64 {
        const ZERO: Self = 0.0;
        const ONE: Self = 1.0;
        fn is_nan(self) -> bool {
            f64::is_nan(self)
        }
        fn abs(self) -> Self {
            f64::abs(self)
        }
    }
    pub trait Int: Copy + PartialOrd + core::ops::Sub<Output = Self> {
        const ZERO: Self;
        const ONE: Self;
        fn is_odd(self) -> bool;
        fn half(self) -> Self;
        fn wmul(self, o: Self) -> Self;
    }
    macro_rules! int {
        ($t:ty) => {
            impl Int for $t {
                const ZERO: Self = 0;
                const ONE: Self = 1;
                fn is_odd(self) -> bool {
                    self & 1 == 1
                }
                fn half(self) -> Self {
                    self >> 1
                }
                fn wmul(self, o: Self) -> Self {
                    self.wrapping_mul(o)
                }
            }
        };
    }
    int!(i32);
    int!(i64);
}
