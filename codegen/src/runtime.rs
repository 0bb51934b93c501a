//! Functions compiled kernels call: libm per lane (where no inline approximation is
//! emitted), complex functions, and the Philox generator. `extern "C"` so Cranelift
//! can call them; each is a thin wrapper over the scalar semantics in
//! `mathengine_ir::scalar_eval`, so compiled results match the interpreter bitwise.

use mathengine_ir::dtype::Scalar;
use mathengine_ir::ops::{BinaryOp, UnaryOp};
use mathengine_ir::{random, scalar_eval};
use num_complex::{Complex32, Complex64};

macro_rules! unary_f64 {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(
            pub extern "C" fn $name(x: f64) -> f64 {
                match scalar_eval::unary(UnaryOp::$op, Scalar::F64(x)) {
                    Scalar::F64(v) => v,
                    _ => unreachable!(),
                }
            }
        )*
        /// (op, symbol, address) of every f64 unary helper.
        pub fn unary_f64_symbols() -> Vec<(UnaryOp, &'static str, *const u8)> {
            vec![$((UnaryOp::$op, stringify!($name), $name as *const u8)),*]
        }
    };
}
unary_f64!(
    me_cbrt => Cbrt, me_exp => Exp, me_expm1 => Expm1, me_exp2 => Exp2, me_log => Log,
    me_log1p => Log1p, me_log2 => Log2, me_log10 => Log10, me_sin => Sin, me_cos => Cos,
    me_tan => Tan, me_asin => Asin, me_acos => Acos, me_atan => Atan, me_sinh => Sinh,
    me_cosh => Cosh, me_tanh => Tanh, me_angle => Angle,
);

macro_rules! unary_f32 {
    ($($name:ident => $op:ident),* $(,)?) => {
        $(
            pub extern "C" fn $name(x: f32) -> f32 {
                match scalar_eval::unary(UnaryOp::$op, Scalar::F32(x)) {
                    Scalar::F32(v) => v,
                    _ => unreachable!(),
                }
            }
        )*
        pub fn unary_f32_symbols() -> Vec<(UnaryOp, &'static str, *const u8)> {
            vec![$((UnaryOp::$op, stringify!($name), $name as *const u8)),*]
        }
    };
}
unary_f32!(
    me_cbrtf => Cbrt, me_expf => Exp, me_expm1f => Expm1, me_exp2f => Exp2, me_logf => Log,
    me_log1pf => Log1p, me_log2f => Log2, me_log10f => Log10, me_sinf => Sin, me_cosf => Cos,
    me_tanf => Tan, me_asinf => Asin, me_acosf => Acos, me_atanf => Atan, me_sinhf => Sinh,
    me_coshf => Cosh, me_tanhf => Tanh, me_anglef => Angle,
);

macro_rules! binary_float {
    ($t:ty, $v:ident, $sym:ident, $($name:ident => $op:ident),* $(,)?) => {
        $(
            pub extern "C" fn $name(a: $t, b: $t) -> $t {
                match scalar_eval::binary(BinaryOp::$op, Scalar::$v(a), Scalar::$v(b)) {
                    Scalar::$v(v) => v,
                    _ => unreachable!(),
                }
            }
        )*
        pub fn $sym() -> Vec<(BinaryOp, &'static str, *const u8)> {
            vec![$((BinaryOp::$op, stringify!($name), $name as *const u8)),*]
        }
    };
}
binary_float!(f64, F64, binary_f64_symbols, me_pow => Pow, me_fmod => Fmod, me_atan2 => Atan2, me_hypot => Hypot);
binary_float!(f32, F32, binary_f32_symbols, me_powf => Pow, me_fmodf => Fmod, me_atan2f => Atan2, me_hypotf => Hypot);

/// Complex unary op `op` (as its `UnaryOp` discriminant) on (re, im); writes (re, im) to `out`.
///
/// # Safety
/// `out` points to two writable elements.
pub unsafe extern "C" fn me_cunary(op: u32, re: f64, im: f64, out: *mut f64) {
    let op = UnaryOp::ALL[op as usize];
    let r = scalar_eval::unary(op, Scalar::C128(Complex64::new(re, im))).to_c128();
    // SAFETY: the caller passes a stack slot of two f64.
    unsafe {
        *out = r.re;
        *out.add(1) = r.im;
    }
}

/// As `me_cunary` for complex64 (computed in complex64, as the interpreter does).
///
/// # Safety
/// `out` points to two writable elements.
pub unsafe extern "C" fn me_cunaryf(op: u32, re: f32, im: f32, out: *mut f32) {
    let op = UnaryOp::ALL[op as usize];
    let r = scalar_eval::unary(op, Scalar::C64(Complex32::new(re, im)));
    let (a, b) = match r {
        Scalar::C64(z) => (z.re, z.im),
        Scalar::F32(v) => (v, 0.0),
        _ => unreachable!(),
    };
    // SAFETY: the caller passes a stack slot of two f32.
    unsafe {
        *out = a;
        *out.add(1) = b;
    }
}

/// Complex binary op on (a, b); writes (re, im) to `out`.
///
/// # Safety
/// `out` points to two writable elements.
pub unsafe extern "C" fn me_cbinary(op: u32, ar: f64, ai: f64, br: f64, bi: f64, out: *mut f64) {
    let op = BinaryOp::ALL[op as usize];
    let r = scalar_eval::binary(
        op,
        Scalar::C128(Complex64::new(ar, ai)),
        Scalar::C128(Complex64::new(br, bi)),
    )
    .to_c128();
    // SAFETY: the caller passes a stack slot of two f64.
    unsafe {
        *out = r.re;
        *out.add(1) = r.im;
    }
}

///
/// # Safety
/// `out` points to two writable elements.
pub unsafe extern "C" fn me_cbinaryf(op: u32, ar: f32, ai: f32, br: f32, bi: f32, out: *mut f32) {
    let op = BinaryOp::ALL[op as usize];
    let r = scalar_eval::binary(
        op,
        Scalar::C64(Complex32::new(ar, ai)),
        Scalar::C64(Complex32::new(br, bi)),
    );
    let z = match r {
        Scalar::C64(z) => z,
        _ => unreachable!(),
    };
    // SAFETY: the caller passes a stack slot of two f32.
    unsafe {
        *out = z.re;
        *out.add(1) = z.im;
    }
}

pub extern "C" fn me_uniform(seed: i64, counter: i64) -> f64 {
    random::uniform(seed as u64, counter as u64)
}
pub extern "C" fn me_normal(seed: i64, counter: i64) -> f64 {
    random::normal(seed as u64, counter as u64)
}

/// Every helper's (symbol, address), for the JIT's symbol table.
pub fn all_symbols() -> Vec<(&'static str, *const u8)> {
    let mut v: Vec<(&'static str, *const u8)> = Vec::new();
    v.extend(unary_f64_symbols().into_iter().map(|(_, n, p)| (n, p)));
    v.extend(unary_f32_symbols().into_iter().map(|(_, n, p)| (n, p)));
    v.extend(binary_f64_symbols().into_iter().map(|(_, n, p)| (n, p)));
    v.extend(binary_f32_symbols().into_iter().map(|(_, n, p)| (n, p)));
    v.push(("me_cunary", me_cunary as *const u8));
    v.push(("me_cunaryf", me_cunaryf as *const u8));
    v.push(("me_cbinary", me_cbinary as *const u8));
    v.push(("me_cbinaryf", me_cbinaryf as *const u8));
    v.push(("me_uniform", me_uniform as *const u8));
    v.push(("me_normal", me_normal as *const u8));
    v
}
