//! Element types, numpy's promotion rules, and a dynamically typed scalar.

use num_complex::{Complex32, Complex64};
use std::fmt;

/// The element type of an array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I32,
    I64,
    F32,
    F64,
    C64,
    C128,
}

impl DType {
    pub const ALL: [DType; 7] = [
        DType::Bool,
        DType::I32,
        DType::I64,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ];

    /// numpy's name for the type.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::C64 => "complex64",
            DType::C128 => "complex128",
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
        }
    }

    pub fn is_bool(self) -> bool {
        self == DType::Bool
    }
    pub fn is_int(self) -> bool {
        matches!(self, DType::I32 | DType::I64)
    }
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C64 | DType::C128)
    }
    /// Float or complex: the types transcendental functions are defined on.
    pub fn is_inexact(self) -> bool {
        self.is_float() || self.is_complex()
    }

    /// The real type of a complex type (and the type itself otherwise).
    pub fn real(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            t => t,
        }
    }

    /// The complex type with this real part precision.
    pub fn to_complex(self) -> DType {
        match self {
            DType::F32 | DType::C64 => DType::C64,
            _ => DType::C128,
        }
    }

    /// The type a float function (sin, sqrt, true division) returns for this input,
    /// as numpy does: integers and bools become float64.
    pub fn to_inexact(self) -> DType {
        if self.is_inexact() {
            self
        } else {
            DType::F64
        }
    }

    /// numpy's result type of a binary operation between two arrays.
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::*;
        if a == b {
            return a;
        }
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        match (lo, hi) {
            (Bool, t) => t,
            (I32, I64) => I64,
            // int32/int64 with float32 needs float64 to hold every integer exactly.
            (I32 | I64, F32) => F64,
            (I32 | I64, C64) => C128,
            (_, F64) => F64,
            (F32, C64) => C64,
            (_, C128) | (F64, C64) => C128,
            _ => hi,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value of any dtype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    C64(Complex32),
    C128(Complex64),
}

impl Scalar {
    pub fn dtype(&self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
            Scalar::C64(_) => DType::C64,
            Scalar::C128(_) => DType::C128,
        }
    }

    /// The value as complex128 (exact for every dtype but int64 beyond 2^53).
    pub fn to_c128(&self) -> Complex64 {
        match *self {
            Scalar::Bool(b) => Complex64::new(b as u8 as f64, 0.0),
            Scalar::I32(v) => Complex64::new(v as f64, 0.0),
            Scalar::I64(v) => Complex64::new(v as f64, 0.0),
            Scalar::F32(v) => Complex64::new(v as f64, 0.0),
            Scalar::F64(v) => Complex64::new(v, 0.0),
            Scalar::C64(v) => Complex64::new(v.re as f64, v.im as f64),
            Scalar::C128(v) => v,
        }
    }

    pub fn to_f64(&self) -> f64 {
        match *self {
            Scalar::I64(v) => v as f64,
            s => s.to_c128().re,
        }
    }

    pub fn to_i64(&self) -> i64 {
        match *self {
            Scalar::Bool(b) => b as i64,
            Scalar::I32(v) => v as i64,
            Scalar::I64(v) => v,
            // Rust's `as` saturates and maps NaN to 0, a defined result where C has none.
            s => s.to_f64() as i64,
        }
    }

    pub fn to_bool(&self) -> bool {
        match *self {
            Scalar::Bool(b) => b,
            Scalar::I32(v) => v != 0,
            Scalar::I64(v) => v != 0,
            s => {
                let c = s.to_c128();
                c.re != 0.0 || c.im != 0.0
            }
        }
    }

    /// Convert with numpy's `astype` semantics (complex to real drops the imaginary part).
    pub fn cast(&self, to: DType) -> Scalar {
        if self.dtype() == to {
            return *self;
        }
        match to {
            DType::Bool => Scalar::Bool(self.to_bool()),
            DType::I32 => Scalar::I32(match *self {
                Scalar::I64(v) => v as i32,
                s => s.to_f64() as i32,
            }),
            DType::I64 => Scalar::I64(self.to_i64()),
            DType::F32 => Scalar::F32(match *self {
                Scalar::I64(v) => v as f32,
                s => s.to_f64() as f32,
            }),
            DType::F64 => Scalar::F64(self.to_f64()),
            DType::C64 => Scalar::C64(match *self {
                Scalar::C64(z) => z,
                Scalar::C128(z) => Complex32::new(z.re as f32, z.im as f32),
                // Real values round once, exactly as a cast to float32 does.
                s => Complex32::new(f32::from_scalar(s.cast(DType::F32)), 0.0),
            }),
            DType::C128 => Scalar::C128(match *self {
                Scalar::I64(v) => Complex64::new(v as f64, 0.0),
                s => s.to_c128(),
            }),
        }
    }

    /// A key that hashes and compares bit-exactly (so -0.0 and 0.0, and NaNs, stay apart).
    pub fn bits(&self) -> (u8, u64, u64) {
        match *self {
            Scalar::Bool(b) => (0, b as u64, 0),
            Scalar::I32(v) => (1, v as u32 as u64, 0),
            Scalar::I64(v) => (2, v as u64, 0),
            Scalar::F32(v) => (3, v.to_bits() as u64, 0),
            Scalar::F64(v) => (4, v.to_bits(), 0),
            Scalar::C64(v) => (5, v.re.to_bits() as u64, v.im.to_bits() as u64),
            Scalar::C128(v) => (6, v.re.to_bits(), v.im.to_bits()),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(v) => write!(f, "{v}"),
            Scalar::I32(v) => write!(f, "{v}"),
            Scalar::I64(v) => write!(f, "{v}"),
            Scalar::F32(v) => write!(f, "{v:?}"),
            Scalar::F64(v) => write!(f, "{v:?}"),
            Scalar::C64(v) => write!(f, "{v}"),
            Scalar::C128(v) => write!(f, "{v}"),
        }
    }
}

/// Rust element types that can cross the host boundary.
pub trait Element: Copy + Send + Sync + 'static {
    const DTYPE: DType;
    fn to_scalar(self) -> Scalar;
    fn from_scalar(s: Scalar) -> Self;
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl From<$t> for Scalar {
            fn from(v: $t) -> Scalar {
                Scalar::$variant(v)
            }
        }
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn to_scalar(self) -> Scalar {
                Scalar::$variant(self)
            }
            fn from_scalar(s: Scalar) -> Self {
                match s.cast(DType::$variant) {
                    Scalar::$variant(v) => v,
                    _ => unreachable!("cast returns the requested dtype"),
                }
            }
        }
    };
}
element!(bool, Bool);
element!(i32, I32);
element!(i64, I64);
element!(f32, F32);
element!(f64, F64);
element!(Complex32, C64);
element!(Complex64, C128);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_matches_numpy() {
        use DType::*;
        assert_eq!(DType::promote(Bool, I32), I32);
        assert_eq!(DType::promote(I32, F32), F64);
        assert_eq!(DType::promote(I64, F32), F64);
        assert_eq!(DType::promote(F32, F64), F64);
        assert_eq!(DType::promote(F32, C64), C64);
        assert_eq!(DType::promote(F64, C64), C128);
        assert_eq!(DType::promote(I32, C64), C128);
        assert_eq!(DType::promote(Bool, F32), F32);
        for a in DType::ALL {
            for b in DType::ALL {
                assert_eq!(DType::promote(a, b), DType::promote(b, a));
            }
        }
    }
}
