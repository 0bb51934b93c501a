//! `+ - * / -x` on arrays and with f64 scalars (typed as numpy types Python floats:
//! an f32 array stays f32). They panic on shape mismatch with the same message the
//! `Engine` method returns as an error; use `e.add(&a, &b)?` to handle it.

use crate::array::Array;
use std::ops::{Add, Div, Mul, Neg, Sub};

macro_rules! binop {
    ($tr:ident, $m:ident, $f:ident) => {
        impl $tr<&Array> for &Array {
            type Output = Array;
            fn $m(self, rhs: &Array) -> Array {
                self.engine.$f(self, rhs).unwrap_or_else(|e| panic!("{e}"))
            }
        }
        impl $tr<Array> for Array {
            type Output = Array;
            fn $m(self, rhs: Array) -> Array {
                (&self).$m(&rhs)
            }
        }
        impl $tr<&Array> for Array {
            type Output = Array;
            fn $m(self, rhs: &Array) -> Array {
                (&self).$m(rhs)
            }
        }
        impl $tr<Array> for &Array {
            type Output = Array;
            fn $m(self, rhs: Array) -> Array {
                self.$m(&rhs)
            }
        }
        impl $tr<f64> for &Array {
            type Output = Array;
            fn $m(self, rhs: f64) -> Array {
                let s = self.engine.scalar_like(rhs, self);
                self.$m(&s)
            }
        }
        impl $tr<f64> for Array {
            type Output = Array;
            fn $m(self, rhs: f64) -> Array {
                (&self).$m(rhs)
            }
        }
        impl $tr<&Array> for f64 {
            type Output = Array;
            fn $m(self, rhs: &Array) -> Array {
                let s = rhs.engine.scalar_like(self, rhs);
                (&s).$m(rhs)
            }
        }
        impl $tr<Array> for f64 {
            type Output = Array;
            fn $m(self, rhs: Array) -> Array {
                self.$m(&rhs)
            }
        }
    };
}
binop!(Add, add, add);
binop!(Sub, sub, sub);
binop!(Mul, mul, mul);
binop!(Div, div, div);

impl Neg for &Array {
    type Output = Array;
    fn neg(self) -> Array {
        Array::neg(self)
    }
}
impl Neg for Array {
    type Output = Array;
    fn neg(self) -> Array {
        Array::neg(&self)
    }
}
