//! The op table: one case per behaviour of the public API, with the expected result
//! written down from closed forms, IEEE 754 / numpy rules or hand computation — never
//! by calling mathengine. The same table runs against every backend
//! (`check_backend("reference")` and `check_backend("cpu")` in tests/op_table.rs).
//!
//! Tolerances are in units in the last place (ULPs) of the expected value:
//! - `EXACT` (0): bitwise equal, with NaN matching any NaN and the sign of zero checked.
//! - `LIBM` (2): transcendental functions. The closed form can sit up to 1 ulp from the
//!   correctly rounded result because the input (e.g. `FRAC_PI_6`) is itself rounded, and
//!   an implementation may be 1 ulp off the correctly rounded result.
//!
//! Whatever the tolerance, an expected NaN, ±Inf or ±0 must be matched exactly (NaN by
//! any NaN, zeros with their sign): special values are never "close enough".
//!
//! Case names start with the numpy name of what they test (`sin/special`,
//! `power/int`, `sum/axes`), which `check_coverage` uses to prove every op has cases.

use mathengine::{Array, Complex32, Complex64, DType, Engine, Indexing, Result, Slice};
use mathengine_ir::{BinaryOp, ReduceOp, UnaryOp};
use std::f64::consts::{
    E, FRAC_1_SQRT_2, FRAC_PI_2, FRAC_PI_3, FRAC_PI_4, FRAC_PI_6, LN_2, PI, SQRT_2,
};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Builds the array a case checks.
pub type Builder = fn(&Engine) -> Result<Array>;

/// Expected (or read back) elements, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C64(Vec<Complex32>),
    C128(Vec<Complex64>),
}

impl Values {
    pub fn dtype(&self) -> DType {
        match self {
            Values::Bool(_) => DType::Bool,
            Values::I32(_) => DType::I32,
            Values::I64(_) => DType::I64,
            Values::F32(_) => DType::F32,
            Values::F64(_) => DType::F64,
            Values::C64(_) => DType::C64,
            Values::C128(_) => DType::C128,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Bool(v) => v.len(),
            Values::I32(v) => v.len(),
            Values::I64(v) => v.len(),
            Values::F32(v) => v.len(),
            Values::F64(v) => v.len(),
            Values::C64(v) => v.len(),
            Values::C128(v) => v.len(),
        }
    }

    /// Read `a` back as the dtype of `self`.
    fn read_like(&self, a: &Array) -> Result<Values> {
        Ok(match self {
            Values::Bool(_) => Values::Bool(a.to_vec()?),
            Values::I32(_) => Values::I32(a.to_vec()?),
            Values::I64(_) => Values::I64(a.to_vec()?),
            Values::F32(_) => Values::F32(a.to_vec()?),
            Values::F64(_) => Values::F64(a.to_vec()?),
            Values::C64(_) => Values::C64(a.to_vec()?),
            Values::C128(_) => Values::C128(a.to_vec()?),
        })
    }

    /// `(index, expected, got)` for every element that does not match within `ulps`.
    fn mismatches(&self, got: &Values, ulps: u32) -> Vec<(usize, String, String)> {
        fn collect<T: std::fmt::Debug>(
            e: &[T],
            g: &[T],
            ok: impl Fn(&T, &T) -> bool,
        ) -> Vec<(usize, String, String)> {
            e.iter()
                .zip(g)
                .enumerate()
                .filter(|(_, (a, b))| !ok(a, b))
                .map(|(i, (a, b))| (i, format!("{a:?}"), format!("{b:?}")))
                .collect()
        }
        match (self, got) {
            (Values::Bool(e), Values::Bool(g)) => collect(e, g, |a, b| a == b),
            (Values::I32(e), Values::I32(g)) => collect(e, g, |a, b| a == b),
            (Values::I64(e), Values::I64(g)) => collect(e, g, |a, b| a == b),
            (Values::F32(e), Values::F32(g)) => collect(e, g, |a, b| f32_close(*a, *b, ulps)),
            (Values::F64(e), Values::F64(g)) => collect(e, g, |a, b| f64_close(*a, *b, ulps)),
            (Values::C64(e), Values::C64(g)) => collect(e, g, |a, b| {
                f32_close(a.re, b.re, ulps) && f32_close(a.im, b.im, ulps)
            }),
            (Values::C128(e), Values::C128(g)) => collect(e, g, |a, b| {
                f64_close(a.re, b.re, ulps) && f64_close(a.im, b.im, ulps)
            }),
            _ => vec![(0, format!("{self:?}"), format!("{got:?}"))],
        }
    }
}

/// Position of `x` on a line where adjacent floats are adjacent integers (±0 both at 0).
fn f64_ordinal(x: f64) -> i128 {
    let b = x.to_bits() as i64;
    if b < 0 {
        -((b & i64::MAX) as i128)
    } else {
        b as i128
    }
}
fn f32_ordinal(x: f32) -> i64 {
    let b = x.to_bits() as i32;
    if b < 0 {
        -((b & i32::MAX) as i64)
    } else {
        b as i64
    }
}

/// See the module docs: NaN matches NaN; special values and zeros are exact.
pub fn f64_close(expected: f64, got: f64, ulps: u32) -> bool {
    if expected.is_nan() {
        return got.is_nan();
    }
    if ulps == 0 || expected == 0.0 || expected.is_infinite() {
        return expected.to_bits() == got.to_bits();
    }
    if !got.is_finite() {
        return false;
    }
    (f64_ordinal(expected) - f64_ordinal(got)).unsigned_abs() <= ulps as u128
}
pub fn f32_close(expected: f32, got: f32, ulps: u32) -> bool {
    if expected.is_nan() {
        return got.is_nan();
    }
    if ulps == 0 || expected == 0.0 || expected.is_infinite() {
        return expected.to_bits() == got.to_bits();
    }
    if !got.is_finite() {
        return false;
    }
    (f32_ordinal(expected) - f32_ordinal(got)).unsigned_abs() <= ulps as u64
}

/// One row of the table.
pub struct Case {
    pub name: &'static str,
    pub build: Builder,
    pub shape: Vec<usize>,
    pub expected: Values,
    pub ulps: u32,
}

// Library bugs found while writing this table. Their cases are skipped by
// `check_backend` and run by `check_known_bug` (ignored tests in tests/op_table.rs);
// delete an entry once its bug is fixed.
/// Matches every backend in `KNOWN_BUGS`.
const ANY: &str = "*";

/// (backend or `ANY`, case name, bug) for every case that fails today because of a
/// library bug; empty now that every bug the table found is fixed.
pub const KNOWN_BUGS: &[(&str, &str, &str)] = &[];

fn known_bug(backend: &str, name: &str) -> Option<&'static str> {
    KNOWN_BUGS
        .iter()
        .find(|(b, n, _)| *n == name && (*b == ANY || *b == backend))
        .map(|(_, _, bug)| *bug)
}

const EXACT: u32 = 0;
const LIBM: u32 = 2;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;
/// The smallest subnormal, 2^-1074.
const MIN_SUB: f64 = 5e-324;
/// The smallest normal, 2^-1022.
const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
/// 3π/4 rounded to nearest (2.35619449019234492885...).
const FRAC_3PI_4: f64 = 2.356194490192345;
/// sinh(1), cosh(1), tanh(1) rounded to nearest (1.17520119364380145688...,
/// 1.54308063481524377847..., 0.76159415595576488811...).
const SINH_1: f64 = 1.1752011936438014;
const COSH_1: f64 = 1.5430806348152437;
const TANH_1: f64 = 0.7615941559557649;
/// e - 1 rounded to nearest (1.71828182845904523536...).
const E_M1: f64 = 1.718281828459045;
/// ln(2^-1074) = -1074 ln 2 = -744.44007192138126...
const LN_MIN_SUB: f64 = -744.4400719213812;

/// 2^k exactly, for -1074 <= k <= 1023 (subnormal below -1022).
fn pow2(k: i32) -> f64 {
    assert!((-1074..=1023).contains(&k), "2^{k} is not a finite f64");
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

// ---- builders' helpers: 1-D arrays from literals ----

fn f64s(e: &Engine, v: &[f64]) -> Result<Array> {
    e.from_vec(v.to_vec(), &[v.len()])
}
fn f32s(e: &Engine, v: &[f32]) -> Result<Array> {
    e.from_vec(v.to_vec(), &[v.len()])
}
fn i32s(e: &Engine, v: &[i32]) -> Result<Array> {
    e.from_vec(v.to_vec(), &[v.len()])
}
fn i64s(e: &Engine, v: &[i64]) -> Result<Array> {
    e.from_vec(v.to_vec(), &[v.len()])
}
fn bools(e: &Engine, v: &[bool]) -> Result<Array> {
    e.from_vec(v.to_vec(), &[v.len()])
}
fn c128s(e: &Engine, v: &[(f64, f64)]) -> Result<Array> {
    let data: Vec<Complex64> = v.iter().map(|&(re, im)| Complex64::new(re, im)).collect();
    e.from_vec(data, &[v.len()])
}
fn c64s(e: &Engine, v: &[(f32, f32)]) -> Result<Array> {
    let data: Vec<Complex32> = v.iter().map(|&(re, im)| Complex32::new(re, im)).collect();
    e.from_vec(data, &[v.len()])
}
/// `g[a, b, c] = 12a + 4b + c`, shape (2, 3, 4), float64, from host data.
fn grid(e: &Engine) -> Result<Array> {
    e.from_vec((0..24).map(|i| i as f64).collect(), &[2, 3, 4])
}
/// `0, 1, ..., n-1` as float64 host data.
fn iota(e: &Engine, n: usize) -> Result<Array> {
    e.from_vec((0..n).map(|i| i as f64).collect(), &[n])
}
/// `[[0, 1, 2], [3, 4, 5]]` as float64 host data.
fn m23(e: &Engine) -> Result<Array> {
    e.from_vec(vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3])
}

// ---- expected values ----

fn f64v(v: &[f64]) -> Values {
    Values::F64(v.to_vec())
}
fn f32v(v: &[f32]) -> Values {
    Values::F32(v.to_vec())
}
fn i32v(v: &[i32]) -> Values {
    Values::I32(v.to_vec())
}
fn i64v(v: &[i64]) -> Values {
    Values::I64(v.to_vec())
}
fn boolv(v: &[bool]) -> Values {
    Values::Bool(v.to_vec())
}
fn c128v(v: &[(f64, f64)]) -> Values {
    Values::C128(v.iter().map(|&(re, im)| Complex64::new(re, im)).collect())
}
fn c64v(v: &[(f32, f32)]) -> Values {
    Values::C64(v.iter().map(|&(re, im)| Complex32::new(re, im)).collect())
}
/// Float64 values of an index formula over `shape` (row-major).
fn f64_from_index(shape: &[usize], f: impl Fn(&[usize]) -> f64) -> Values {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..n {
        out.push(f(&idx));
        for d in (0..shape.len()).rev() {
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Values::F64(out)
}

fn case(name: &'static str, shape: &[usize], expected: Values, ulps: u32, build: Builder) -> Case {
    Case {
        name,
        build,
        shape: shape.to_vec(),
        expected,
        ulps,
    }
}

/// Every case of the table.
pub fn cases() -> Vec<Case> {
    let mut c = Vec::new();
    unary_cases(&mut c);
    rounding_and_predicate_cases(&mut c);
    binary_cases(&mut c);
    comparison_and_logic_cases(&mut c);
    complex_cases(&mut c);
    dtype_cases(&mut c);
    creation_cases(&mut c);
    shape_cases(&mut c);
    reduction_cases(&mut c);
    subnormal_cases(&mut c);
    c
}

fn unary_cases(c: &mut Vec<Case>) {
    c.push(case(
        "negative/f64",
        &[7],
        f64v(&[-1.5, 2.0, -0.0, 0.0, -INF, INF, NAN]),
        EXACT,
        |e| e.neg(&f64s(e, &[1.5, -2.0, 0.0, -0.0, INF, -INF, NAN])?),
    ));
    c.push(case(
        "negative/i32-wraps",
        &[5],
        i32v(&[-3, 4, 0, i32::MIN, -i32::MAX]),
        EXACT,
        |e| e.neg(&i32s(e, &[3, -4, 0, i32::MIN, i32::MAX])?),
    ));
    c.push(case(
        "negative/i64",
        &[3],
        i64v(&[-5, 6, i64::MIN]),
        EXACT,
        |e| e.neg(&i64s(e, &[5, -6, i64::MIN])?),
    ));
    c.push(case("negative/f32", &[2], f32v(&[-1.5, 0.0]), EXACT, |e| {
        e.neg(&f32s(e, &[1.5, -0.0])?)
    }));
    c.push(case(
        "negative/operator",
        &[3],
        f64v(&[-1.0, 0.0, -INF]),
        EXACT,
        |e| Ok(-&f64s(e, &[1.0, -0.0, INF])?),
    ));
    c.push(case(
        "abs/f64",
        &[6],
        f64v(&[1.5, 2.0, 0.0, INF, NAN, MIN_SUB]),
        EXACT,
        |e| e.abs(&f64s(e, &[-1.5, 2.0, -0.0, -INF, NAN, -MIN_SUB])?),
    ));
    c.push(case(
        "abs/i32-min-wraps",
        &[4],
        i32v(&[5, 7, 0, i32::MIN]),
        EXACT,
        |e| e.abs(&i32s(e, &[-5, 7, 0, i32::MIN])?),
    ));
    c.push(case("abs/i64", &[2], i64v(&[5, i64::MAX]), EXACT, |e| {
        e.abs(&i64s(e, &[-5, -i64::MAX])?)
    }));
    c.push(case(
        "sign/f64",
        &[8],
        // numpy 2.x: sign(-0.0) is +0.0.
        f64v(&[-1.0, 1.0, 0.0, 0.0, NAN, -1.0, 1.0, 1.0]),
        EXACT,
        |e| e.sign(&f64s(e, &[-3.0, 2.5, -0.0, 0.0, NAN, -INF, INF, MIN_SUB])?),
    ));
    c.push(case("sign/i64", &[3], i64v(&[-1, 0, 1]), EXACT, |e| {
        e.sign(&i64s(e, &[-7, 0, 9])?)
    }));
    c.push(case(
        "sqrt/f64",
        &[10],
        f64v(&[2.0, 1.5, 0.0, -0.0, NAN, INF, NAN, pow2(-537), SQRT_2, NAN]),
        EXACT,
        |e| {
            e.sqrt(&f64s(
                e,
                &[4.0, 2.25, 0.0, -0.0, -1.0, INF, NAN, MIN_SUB, 2.0, -INF],
            )?)
        },
    ));
    c.push(case(
        "sqrt/f32",
        &[3],
        f32v(&[2.0, std::f32::consts::SQRT_2, -0.0]),
        EXACT,
        |e| e.sqrt(&f32s(e, &[4.0, 2.0, -0.0])?),
    ));
    c.push(case(
        "sqrt/i64-gives-f64",
        &[2],
        f64v(&[2.0, 3.0]),
        EXACT,
        |e| e.sqrt(&i64s(e, &[4, 9])?),
    ));
    c.push(case(
        "cbrt/f64",
        &[8],
        f64v(&[3.0, -2.0, 0.0, -0.0, INF, -INF, NAN, 0.5]),
        LIBM,
        |e| e.cbrt(&f64s(e, &[27.0, -8.0, 0.0, -0.0, INF, -INF, NAN, 0.125])?),
    ));
    c.push(case(
        "square/f64",
        &[6],
        f64v(&[9.0, 2.25, 0.0, INF, NAN, INF]),
        EXACT,
        |e| e.square(&f64s(e, &[3.0, -1.5, -0.0, -INF, NAN, 1e200])?),
    ));
    // 46341^2 = 2147488281 wraps to 2147488281 - 2^32.
    c.push(case(
        "square/i32-wraps",
        &[2],
        i32v(&[9, -2147479015]),
        EXACT,
        |e| e.square(&i32s(e, &[-3, 46341])?),
    ));
    c.push(case(
        "reciprocal/f64",
        &[7],
        f64v(&[0.5, -0.25, INF, -INF, 0.0, -0.0, NAN]),
        EXACT,
        |e| e.reciprocal(&f64s(e, &[2.0, -4.0, 0.0, -0.0, INF, -INF, NAN])?),
    ));
    c.push(case(
        "exp/f64",
        &[9],
        f64v(&[1.0, 1.0, E, 0.0, INF, NAN, INF, 0.0, 2.0]),
        LIBM,
        |e| {
            e.exp(&f64s(
                e,
                &[0.0, -0.0, 1.0, -INF, INF, NAN, 710.0, -746.0, LN_2],
            )?)
        },
    ));
    c.push(case(
        "exp/f32",
        &[2],
        f32v(&[1.0, std::f32::consts::E]),
        LIBM,
        |e| e.exp(&f32s(e, &[0.0, 1.0])?),
    ));
    c.push(case(
        "expm1/f64",
        &[7],
        f64v(&[0.0, -0.0, 1e-20, -1.0, INF, NAN, E_M1]),
        LIBM,
        |e| e.expm1(&f64s(e, &[0.0, -0.0, 1e-20, -INF, INF, NAN, 1.0])?),
    ));
    c.push(case(
        "exp2/f64",
        &[5],
        f64v(&[SQRT_2, 0.0, INF, NAN, 0.25]),
        LIBM,
        |e| e.exp2(&f64s(e, &[0.5, -INF, INF, NAN, -2.0])?),
    ));
    // Integral powers of two are exact, down into the subnormals.
    c.push(case(
        "exp2/integers-exact",
        &[7],
        f64v(&[1.0, 8.0, 0.5, INF, MIN_SUB, MIN_NORMAL, 0.0]),
        EXACT,
        |e| {
            e.exp2(&f64s(
                e,
                &[0.0, 3.0, -1.0, 1024.0, -1074.0, -1022.0, -1080.0],
            )?)
        },
    ));
    c.push(case(
        "log/f64",
        &[8],
        f64v(&[0.0, 1.0, -INF, -INF, NAN, INF, NAN, NAN]),
        LIBM,
        |e| e.log(&f64s(e, &[1.0, E, 0.0, -0.0, -1.0, INF, NAN, -INF])?),
    ));
    c.push(case("log/f32", &[2], f32v(&[0.0, 1.0]), LIBM, |e| {
        e.log(&f32s(e, &[1.0, std::f32::consts::E])?)
    }));
    c.push(case(
        "log1p/f64",
        &[9],
        f64v(&[0.0, -0.0, -INF, 1e-20, INF, NAN, NAN, NAN, 1.0]),
        LIBM,
        |e| {
            e.log1p(&f64s(
                e,
                &[0.0, -0.0, -1.0, 1e-20, INF, -INF, NAN, -2.0, E_M1],
            )?)
        },
    ));
    c.push(case(
        "log2/f64",
        &[8],
        f64v(&[0.0, 3.0, -1.0, -INF, INF, NAN, NAN, -1074.0]),
        LIBM,
        |e| e.log2(&f64s(e, &[1.0, 8.0, 0.5, 0.0, INF, NAN, -1.0, MIN_SUB])?),
    ));
    c.push(case(
        "log10/f64",
        &[7],
        f64v(&[0.0, 3.0, -2.0, -INF, INF, NAN, NAN]),
        LIBM,
        |e| e.log10(&f64s(e, &[1.0, 1000.0, 0.01, 0.0, INF, NAN, -1.0])?),
    ));
    c.push(case(
        "sin/f64",
        &[9],
        f64v(&[0.0, -0.0, 0.5, 1.0, -1.0, NAN, NAN, NAN, -0.5]),
        LIBM,
        |e| {
            e.sin(&f64s(
                e,
                &[
                    0.0, -0.0, FRAC_PI_6, FRAC_PI_2, -FRAC_PI_2, INF, -INF, NAN, -FRAC_PI_6,
                ],
            )?)
        },
    ));
    // sin(fl(pi)) = pi - fl(pi) = 1.2246467991473531772e-16 to first order.
    c.push(case(
        "sin/at-rounded-pi",
        &[2],
        f64v(&[1.2246467991473532e-16, -1.2246467991473532e-16]),
        LIBM,
        |e| e.sin(&f64s(e, &[PI, -PI])?),
    ));
    c.push(case("sin/f32", &[3], f32v(&[0.0, 0.5, 1.0]), LIBM, |e| {
        e.sin(&f32s(
            e,
            &[
                0.0,
                std::f32::consts::FRAC_PI_6,
                std::f32::consts::FRAC_PI_2,
            ],
        )?)
    }));
    c.push(case(
        "sin/linspace-generator",
        &[5],
        f64v(&[-1.0, -FRAC_1_SQRT_2, 0.0, FRAC_1_SQRT_2, 1.0]),
        LIBM,
        |e| e.sin(&e.linspace(-FRAC_PI_2, FRAC_PI_2, 5)),
    ));
    c.push(case(
        "cos/f64",
        &[7],
        f64v(&[1.0, 1.0, 0.5, -1.0, NAN, NAN, -1.0]),
        LIBM,
        |e| e.cos(&f64s(e, &[0.0, -0.0, FRAC_PI_3, PI, INF, NAN, -PI])?),
    ));
    // cos(fl(pi/2)) = pi/2 - fl(pi/2) = 6.123233995736766e-17 to first order.
    c.push(case(
        "cos/at-rounded-half-pi",
        &[1],
        f64v(&[6.123233995736766e-17]),
        LIBM,
        |e| e.cos(&f64s(e, &[FRAC_PI_2])?),
    ));
    c.push(case(
        "tan/f64",
        &[6],
        f64v(&[0.0, -0.0, 1.0, -1.0, NAN, NAN]),
        LIBM,
        |e| e.tan(&f64s(e, &[0.0, -0.0, FRAC_PI_4, -FRAC_PI_4, INF, NAN])?),
    ));
    c.push(case(
        "arcsin/f64",
        &[9],
        f64v(&[
            0.0, -0.0, FRAC_PI_2, -FRAC_PI_2, FRAC_PI_6, NAN, NAN, NAN, NAN,
        ]),
        LIBM,
        |e| {
            e.arcsin(&f64s(
                e,
                &[
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    1.0000000000000002,
                    -2.0,
                    NAN,
                    INF,
                ],
            )?)
        },
    ));
    c.push(case(
        "arccos/f64",
        &[6],
        f64v(&[0.0, PI, FRAC_PI_2, FRAC_PI_3, NAN, NAN]),
        LIBM,
        |e| e.arccos(&f64s(e, &[1.0, -1.0, 0.0, 0.5, 2.0, NAN])?),
    ));
    c.push(case(
        "arctan/f64",
        &[7],
        f64v(&[0.0, -0.0, FRAC_PI_4, -FRAC_PI_4, FRAC_PI_2, -FRAC_PI_2, NAN]),
        LIBM,
        |e| e.arctan(&f64s(e, &[0.0, -0.0, 1.0, -1.0, INF, -INF, NAN])?),
    ));
    c.push(case(
        "sinh/f64",
        &[8],
        f64v(&[0.0, -0.0, SINH_1, -SINH_1, INF, -INF, NAN, INF]),
        LIBM,
        |e| e.sinh(&f64s(e, &[0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 1000.0])?),
    ));
    c.push(case(
        "cosh/f64",
        &[8],
        f64v(&[1.0, 1.0, COSH_1, COSH_1, INF, INF, NAN, INF]),
        LIBM,
        |e| e.cosh(&f64s(e, &[0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 1000.0])?),
    ));
    // tanh(±20) = ±(1 - 8.5e-18) rounds to ±1.
    c.push(case(
        "tanh/f64",
        &[9],
        f64v(&[0.0, -0.0, TANH_1, -TANH_1, 1.0, -1.0, NAN, 1.0, -1.0]),
        LIBM,
        |e| {
            e.tanh(&f64s(
                e,
                &[0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 20.0, -20.0],
            )?)
        },
    ));
    c.push(case("tanh/f32", &[2], f32v(&[0.7615942, 1.0]), LIBM, |e| {
        e.tanh(&f32s(e, &[1.0, f32::INFINITY])?)
    }));
}

fn rounding_and_predicate_cases(c: &mut Vec<Case>) {
    c.push(case(
        "floor/f64",
        &[12],
        f64v(&[
            1.0,
            -2.0,
            -0.0,
            -1.0,
            0.0,
            2.0,
            INF,
            -INF,
            NAN,
            4503599627370497.0,
            0.0,
            -1.0,
        ]),
        EXACT,
        |e| {
            e.floor(&f64s(
                e,
                &[
                    1.5,
                    -1.5,
                    -0.0,
                    -0.5,
                    0.5,
                    2.0,
                    INF,
                    -INF,
                    NAN,
                    4503599627370497.0,
                    MIN_SUB,
                    -MIN_SUB,
                ],
            )?)
        },
    ));
    c.push(case("floor/f32", &[2], f32v(&[-2.0, 2.0]), EXACT, |e| {
        e.floor(&f32s(e, &[-1.5, 2.5])?)
    }));
    c.push(case(
        "floor/i64-stays-int",
        &[2],
        i64v(&[-3, 4]),
        EXACT,
        |e| e.floor(&i64s(e, &[-3, 4])?),
    ));
    c.push(case(
        "floor/bool-stays-bool",
        &[2],
        boolv(&[true, false]),
        EXACT,
        |e| e.floor(&bools(e, &[true, false])?),
    ));
    c.push(case(
        "round/bool-constant",
        &[2],
        boolv(&[true, true]),
        EXACT,
        |e| e.round(&e.full(&[2], true)),
    ));
    c.push(case(
        "floor/int-constant",
        &[2],
        i64v(&[-3, -3]),
        EXACT,
        |e| e.floor(&e.full(&[2], -3i64)),
    ));
    c.push(case(
        "ceil/f64",
        &[9],
        f64v(&[2.0, -1.0, -0.0, -0.0, 1.0, INF, NAN, 1.0, -0.0]),
        EXACT,
        |e| {
            e.ceil(&f64s(
                e,
                &[1.5, -1.5, -0.5, -0.0, 0.2, INF, NAN, MIN_SUB, -MIN_SUB],
            )?)
        },
    ));
    c.push(case(
        "ceil/i32-stays-int",
        &[2],
        i32v(&[-3, 4]),
        EXACT,
        |e| e.ceil(&i32s(e, &[-3, 4])?),
    ));
    // numpy rounds half to even; round(-0.5) is -0.0.
    c.push(case(
        "round/f64-half-to-even",
        &[13],
        f64v(&[
            0.0,
            2.0,
            2.0,
            -0.0,
            -2.0,
            -2.0,
            4.0,
            -4.0,
            -0.0,
            NAN,
            INF,
            0.0,
            4503599627370497.0,
        ]),
        EXACT,
        |e| {
            e.round(&f64s(
                e,
                &[
                    0.5,
                    1.5,
                    2.5,
                    -0.5,
                    -1.5,
                    -2.5,
                    3.7,
                    -3.7,
                    -0.0,
                    NAN,
                    INF,
                    0.49999999999999994,
                    4503599627370497.0,
                ],
            )?)
        },
    ));
    c.push(case(
        "round/f32",
        &[3],
        f32v(&[2.0, 4.0, -0.0]),
        EXACT,
        |e| e.round(&f32s(e, &[2.5, 3.5, -0.25])?),
    ));
    c.push(case(
        "round/i64-stays-int",
        &[2],
        i64v(&[7, -7]),
        EXACT,
        |e| e.round(&i64s(e, &[7, -7])?),
    ));
    c.push(case(
        "trunc/f64",
        &[7],
        f64v(&[1.0, -1.0, -0.0, INF, NAN, -0.0, 0.0]),
        EXACT,
        |e| e.trunc(&f64s(e, &[1.7, -1.7, -0.3, INF, NAN, -0.0, 0.3])?),
    ));
    c.push(case("trunc/i32-stays-int", &[1], i32v(&[-9]), EXACT, |e| {
        e.trunc(&i32s(e, &[-9])?)
    }));
    c.push(case(
        "isnan/f64",
        &[8],
        boolv(&[false, false, false, false, false, true, false, false]),
        EXACT,
        |e| {
            e.isnan(&f64s(
                e,
                &[0.0, -0.0, 1.0, INF, -INF, NAN, MIN_SUB, f64::MAX],
            )?)
        },
    ));
    c.push(case(
        "isinf/f64",
        &[8],
        boolv(&[false, false, false, true, true, false, false, false]),
        EXACT,
        |e| {
            e.isinf(&f64s(
                e,
                &[0.0, -0.0, 1.0, INF, -INF, NAN, MIN_SUB, f64::MAX],
            )?)
        },
    ));
    c.push(case(
        "isfinite/f64",
        &[8],
        boolv(&[true, true, true, false, false, false, true, true]),
        EXACT,
        |e| {
            e.isfinite(&f64s(
                e,
                &[0.0, -0.0, 1.0, INF, -INF, NAN, MIN_SUB, f64::MAX],
            )?)
        },
    ));
    c.push(case(
        "isnan/f32",
        &[3],
        boolv(&[false, true, false]),
        EXACT,
        |e| e.isnan(&f32s(e, &[1.0, f32::NAN, f32::INFINITY])?),
    ));
    c.push(case(
        "isnan/i64",
        &[2],
        boolv(&[false, false]),
        EXACT,
        |e| e.isnan(&i64s(e, &[0, i64::MIN])?),
    ));
    c.push(case(
        "isfinite/i32",
        &[2],
        boolv(&[true, true]),
        EXACT,
        |e| e.isfinite(&i32s(e, &[0, i32::MAX])?),
    ));
    c.push(case(
        "isnan/c128",
        &[4],
        boolv(&[false, true, false, true]),
        EXACT,
        |e| {
            e.isnan(&c128s(
                e,
                &[(1.0, 2.0), (NAN, 0.0), (0.0, INF), (INF, NAN)],
            )?)
        },
    ));
    c.push(case(
        "isinf/c128",
        &[4],
        boolv(&[false, false, true, true]),
        EXACT,
        |e| {
            e.isinf(&c128s(
                e,
                &[(1.0, 2.0), (NAN, 0.0), (0.0, INF), (INF, NAN)],
            )?)
        },
    ));
    c.push(case(
        "isfinite/c128",
        &[4],
        boolv(&[true, false, false, false]),
        EXACT,
        |e| {
            e.isfinite(&c128s(
                e,
                &[(1.0, 2.0), (NAN, 0.0), (0.0, INF), (INF, NAN)],
            )?)
        },
    ));
    c.push(case(
        "logical_not/bool",
        &[2],
        boolv(&[false, true]),
        EXACT,
        |e| e.logical_not(&bools(e, &[true, false])?),
    ));
    // NaN is truthy, -0.0 is falsy.
    c.push(case(
        "logical_not/f64",
        &[4],
        boolv(&[true, true, false, false]),
        EXACT,
        |e| e.logical_not(&f64s(e, &[0.0, -0.0, NAN, 2.0])?),
    ));
    c.push(case(
        "logical_not/i64",
        &[2],
        boolv(&[true, false]),
        EXACT,
        |e| e.logical_not(&i64s(e, &[0, -3])?),
    ));
}

fn binary_cases(c: &mut Vec<Case>) {
    c.push(case(
        "add/f64",
        &[9],
        f64v(&[
            3.75,
            0.0,
            -0.0,
            0.0,
            NAN,
            INF,
            NAN,
            INF,
            0.30000000000000004,
        ]),
        EXACT,
        |e| {
            e.add(
                &f64s(e, &[1.5, -0.0, -0.0, 0.0, INF, INF, NAN, 1e308, 0.1])?,
                &f64s(e, &[2.25, 0.0, -0.0, -0.0, -INF, 1.0, 1.0, 1e308, 0.2])?,
            )
        },
    ));
    c.push(case(
        "add/i64-wraps",
        &[2],
        i64v(&[i64::MIN, -2]),
        EXACT,
        |e| e.add(&i64s(e, &[i64::MAX, -5])?, &i64s(e, &[1, 3])?),
    ));
    c.push(case(
        "add/i32-wraps",
        &[2],
        i32v(&[i32::MIN, -3]),
        EXACT,
        |e| e.add(&i32s(e, &[i32::MAX, 7])?, &i32s(e, &[1, -10])?),
    ));
    // 0.1f32 + 0.2f32 = 0.300000004470348... rounds to 0.3f32; 3e38 + 3e38 overflows.
    c.push(case(
        "add/f32",
        &[3],
        f32v(&[0.3, f32::INFINITY, 1.75]),
        EXACT,
        |e| e.add(&f32s(e, &[0.1, 3e38, 1.5])?, &f32s(e, &[0.2, 3e38, 0.25])?),
    ));
    c.push(case(
        "add/operator-scalar",
        &[3],
        f64v(&[3.0, 2.0, INF]),
        EXACT,
        |e| Ok(&f64s(e, &[1.0, 0.0, INF])? + 2.0),
    ));
    c.push(case(
        "subtract/f64",
        &[7],
        f64v(&[2.5, 0.0, -0.0, 0.0, NAN, 0.0, -INF]),
        EXACT,
        |e| {
            e.sub(
                &f64s(e, &[5.0, 0.0, -0.0, -0.0, INF, 1.0, -INF])?,
                &f64s(e, &[2.5, 0.0, 0.0, -0.0, INF, 1.0, INF])?,
            )
        },
    ));
    c.push(case(
        "subtract/i32-wraps",
        &[2],
        i32v(&[i32::MAX, -1]),
        EXACT,
        |e| e.sub(&i32s(e, &[i32::MIN, 2])?, &i32s(e, &[1, 3])?),
    ));
    c.push(case(
        "subtract/scalar-on-left",
        &[3],
        f64v(&[0.0, -1.0, 1.5]),
        EXACT,
        |e| Ok(1.0 - &f64s(e, &[1.0, 2.0, -0.5])?),
    ));
    c.push(case(
        "multiply/f64",
        &[8],
        f64v(&[7.0, -0.0, -0.0, NAN, 0.0, INF, pow2(-1023), NAN]),
        EXACT,
        |e| {
            e.mul(
                &f64s(e, &[2.0, -0.0, 0.0, INF, -3.0, 1e200, MIN_NORMAL, NAN])?,
                &f64s(e, &[3.5, 5.0, -1.0, 0.0, -0.0, 1e200, 0.5, 0.0])?,
            )
        },
    ));
    // i64::MAX * 2 = 2^64 - 2 wraps to -2.
    c.push(case(
        "multiply/i64-wraps",
        &[2],
        i64v(&[-2, -20]),
        EXACT,
        |e| e.mul(&i64s(e, &[i64::MAX, -4])?, &i64s(e, &[2, 5])?),
    ));
    c.push(case(
        "multiply/operator",
        &[2],
        f64v(&[6.0, -0.0]),
        EXACT,
        |e| Ok(&f64s(e, &[2.0, 0.0])? * &f64s(e, &[3.0, -4.0])?),
    ));
    c.push(case(
        "divide/f64",
        &[9],
        f64v(&[0.25, INF, -INF, NAN, -0.0, NAN, 3.5, pow2(-1024), -0.0]),
        EXACT,
        |e| {
            e.div(
                &f64s(e, &[1.0, 1.0, -1.0, 0.0, 0.0, INF, 7.0, MIN_NORMAL, -0.0])?,
                &f64s(e, &[4.0, 0.0, 0.0, 0.0, -1.0, INF, 2.0, 4.0, INF])?,
            )
        },
    ));
    c.push(case(
        "divide/f32",
        &[1],
        f32v(&[0.333_333_34]),
        EXACT,
        |e| e.div(&f32s(e, &[1.0])?, &f32s(e, &[3.0])?),
    ));
    // True division of integers gives float64: arange(5) / 2.
    c.push(case(
        "divide/int-arange-gives-f64",
        &[5],
        f64v(&[0.0, 0.5, 1.0, 1.5, 2.0]),
        EXACT,
        |e| e.div(&e.arange_int(5), &i64s(e, &[2])?),
    ));
    c.push(case(
        "divide/i32-by-zero",
        &[3],
        f64v(&[INF, -INF, NAN]),
        EXACT,
        |e| e.div(&i32s(e, &[1, -1, 0])?, &i32s(e, &[0, 0, 0])?),
    ));
    c.push(case(
        "divide/operator",
        &[2],
        f64v(&[0.5, -INF]),
        EXACT,
        |e| Ok(&f64s(e, &[1.0, -1.0])? / 2.0 / &f64s(e, &[1.0, 0.0])?),
    ));
    c.push(case(
        "power/f64",
        &[6],
        f64v(&[1024.0, 0.5, 2.0, -8.0, 0.01, 2.0]),
        LIBM,
        |e| {
            e.pow(
                &f64s(e, &[2.0, 2.0, 4.0, -2.0, 10.0, 0.25])?,
                &f64s(e, &[10.0, -1.0, 0.5, 3.0, -2.0, -0.5])?,
            )
        },
    ));
    // C99 Annex F / numpy special cases of pow.
    c.push(case(
        "power/special",
        &[17],
        f64v(&[
            NAN, INF, 1.0, 0.0, 1.0, 1.0, 1.0, INF, 0.0, -INF, -0.0, 0.0, 0.0, -INF, INF, 0.0, INF,
        ]),
        EXACT,
        |e| {
            e.pow(
                &f64s(
                    e,
                    &[
                        -8.0, 0.0, 0.0, 0.0, NAN, 1.0, -1.0, 2.0, 0.5, -0.0, -0.0, -0.0, INF, -INF,
                        -INF, 2.0, 0.5,
                    ],
                )?,
                &f64s(
                    e,
                    &[
                        1.0 / 3.0,
                        -1.0,
                        0.0,
                        2.0,
                        0.0,
                        NAN,
                        INF,
                        INF,
                        INF,
                        -1.0,
                        3.0,
                        2.0,
                        -1.0,
                        3.0,
                        2.0,
                        -INF,
                        -INF,
                    ],
                )?,
            )
        },
    ));
    // Integer powers wrap; negative exponents give the truncated 1/b^n (documented).
    c.push(case(
        "power/i64",
        &[10],
        i64v(&[1024, 1, -8, 1, 7, i64::MIN, 1, -1, 1, 0]),
        EXACT,
        |e| {
            e.pow(
                &i64s(e, &[2, 3, -2, 0, 7, 2, 1, -1, -1, 5])?,
                &i64s(e, &[10, 0, 3, 0, 1, 63, -3, -3, -2, -1])?,
            )
        },
    ));
    // 3^21 = 10460353203 = 2 * 2^32 + 1870418611.
    c.push(case(
        "power/i32-wraps",
        &[2],
        i32v(&[1870418611, 1]),
        EXACT,
        |e| e.pow(&i32s(e, &[3, -1])?, &i32s(e, &[21, 4])?),
    ));
    // fmod takes the sign of the dividend; it is exact.
    c.push(case(
        "fmod/f64",
        &[10],
        f64v(&[-1.0, 1.0, -1.0, 1.0, 1.5, -0.0, NAN, NAN, 1.0, -0.0]),
        EXACT,
        |e| {
            e.fmod(
                &f64s(e, &[-7.0, 7.0, -7.0, 7.0, 5.5, -0.0, INF, 1.0, 1.0, -1.0])?,
                &f64s(e, &[3.0, -3.0, -3.0, 3.0, 2.0, 1.0, 1.0, 0.0, INF, 1.0])?,
            )
        },
    ));
    // numpy gives 0 for integer division by zero.
    c.push(case(
        "fmod/i64",
        &[6],
        i64v(&[-1, 1, -1, 0, 0, 1]),
        EXACT,
        |e| {
            e.fmod(
                &i64s(e, &[-7, 7, -7, 5, i64::MIN, 9])?,
                &i64s(e, &[3, -3, -3, 0, -1, 4])?,
            )
        },
    ));
    c.push(case("fmod/i32", &[2], i32v(&[-1, 0]), EXACT, |e| {
        e.fmod(&i32s(e, &[-7, 7])?, &i32s(e, &[2, 0])?)
    }));
    // NaN in either operand wins; on ±0 ties the first operand is returned.
    c.push(case(
        "maximum/f64",
        &[8],
        // numpy 2.x: on ties (+0 vs -0) the second operand.
        f64v(&[NAN, NAN, 2.0, 0.0, -0.0, INF, 2.0, 3.0]),
        EXACT,
        |e| {
            e.maximum(
                &f64s(e, &[NAN, 1.0, 1.0, -0.0, 0.0, -INF, 2.0, 3.0])?,
                &f64s(e, &[1.0, NAN, 2.0, 0.0, -0.0, INF, 2.0, -1.0])?,
            )
        },
    ));
    c.push(case(
        "minimum/f64",
        &[7],
        // numpy 2.x: on ties (+0 vs -0) the second operand.
        f64v(&[NAN, NAN, 2.0, 0.0, -0.0, -INF, MIN_SUB]),
        EXACT,
        |e| {
            e.minimum(
                &f64s(e, &[NAN, 1.0, 3.0, -0.0, 0.0, -INF, MIN_SUB])?,
                &f64s(e, &[1.0, NAN, 2.0, 0.0, -0.0, INF, 1.0])?,
            )
        },
    ));
    c.push(case("maximum/i32", &[2], i32v(&[2, 5]), EXACT, |e| {
        e.maximum(&i32s(e, &[-3, 5])?, &i32s(e, &[2, -7])?)
    }));
    c.push(case(
        "minimum/i64",
        &[2],
        i64v(&[-3, i64::MIN]),
        EXACT,
        |e| e.minimum(&i64s(e, &[-3, i64::MAX])?, &i64s(e, &[2, i64::MIN])?),
    ));
    c.push(case(
        "maximum/i32-f32-gives-f64",
        &[2],
        f64v(&[1.5, 3.0]),
        EXACT,
        |e| e.maximum(&i32s(e, &[1, 3])?, &f32s(e, &[1.5, -2.0])?),
    ));
    c.push(case(
        "minimum/f32",
        &[2],
        f32v(&[f32::NAN, -1.0]),
        EXACT,
        |e| e.minimum(&f32s(e, &[f32::NAN, 2.0])?, &f32s(e, &[1.0, -1.0])?),
    ));
    c.push(case(
        "arctan2/quadrants-and-zeros",
        &[22],
        f64v(&[
            FRAC_PI_4,
            FRAC_3PI_4,
            -FRAC_3PI_4,
            -FRAC_PI_4,
            0.0,
            -0.0,
            PI,
            -PI,
            FRAC_PI_2,
            -FRAC_PI_2,
            0.0,
            -0.0,
            FRAC_PI_4,
            FRAC_3PI_4,
            -FRAC_PI_4,
            -FRAC_3PI_4,
            0.0,
            -PI,
            NAN,
            NAN,
            PI,
            -PI,
        ]),
        LIBM,
        |e| {
            e.arctan2(
                &f64s(
                    e,
                    &[
                        1.0, 1.0, -1.0, -1.0, 0.0, -0.0, 0.0, -0.0, 1.0, -1.0, 0.0, -0.0, INF, INF,
                        -INF, -INF, 1.0, -1.0, NAN, 1.0, 0.0, -0.0,
                    ],
                )?,
                &f64s(
                    e,
                    &[
                        1.0, -1.0, -1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 0.0, 0.0, 0.0, 0.0, INF, -INF,
                        INF, -INF, INF, -INF, 1.0, NAN, -0.0, -0.0,
                    ],
                )?,
            )
        },
    ));
    c.push(case(
        "arctan2/i64-gives-f64",
        &[1],
        f64v(&[FRAC_PI_4]),
        LIBM,
        |e| e.arctan2(&i64s(e, &[3])?, &i64s(e, &[3])?),
    ));
    // hypot(±Inf, NaN) is +Inf (C99 Annex F).
    c.push(case(
        "hypot/f64",
        &[9],
        f64v(&[
            5.0,
            13.0,
            INF,
            INF,
            5.0,
            0.0,
            SQRT_2 * 1e300,
            INF,
            5.0 * MIN_SUB,
        ]),
        LIBM,
        |e| {
            e.hypot(
                &f64s(
                    e,
                    &[3.0, 5.0, INF, NAN, -3.0, 0.0, 1e300, -INF, 3.0 * MIN_SUB],
                )?,
                &f64s(
                    e,
                    &[4.0, 12.0, NAN, INF, -4.0, -0.0, 1e300, 1.0, 4.0 * MIN_SUB],
                )?,
            )
        },
    ));
    c.push(case(
        "copysign/f64",
        &[6],
        f64v(&[-1.0, 1.0, 2.0, -0.0, -INF, 3.0]),
        EXACT,
        |e| {
            e.copysign(
                &f64s(e, &[1.0, 1.0, -2.0, 0.0, INF, -3.0])?,
                &f64s(e, &[-0.0, 0.0, 3.0, -1.0, -1.0, INF])?,
            )
        },
    ));
    c.push(case(
        "copysign/i64-gives-f64",
        &[2],
        f64v(&[-1.0, 2.0]),
        EXACT,
        |e| e.copysign(&i64s(e, &[1, -2])?, &i64s(e, &[-1, 1])?),
    ));
    c.push(case(
        "where/basic",
        &[3],
        f64v(&[1.0, 20.0, 3.0]),
        EXACT,
        |e| {
            e.where_(
                &bools(e, &[true, false, true])?,
                &f64s(e, &[1.0, 2.0, 3.0])?,
                &f64s(e, &[10.0, 20.0, 30.0])?,
            )
        },
    ));
    // cond (3,1), a (1,), b (2,) broadcast to (3, 2).
    c.push(case(
        "where/broadcast",
        &[3, 2],
        f64v(&[7.0, 7.0, 1.0, 2.0, 7.0, 7.0]),
        EXACT,
        |e| {
            e.where_(
                &e.from_vec(vec![true, false, true], &[3, 1])?,
                &f64s(e, &[7.0])?,
                &f64s(e, &[1.0, 2.0])?,
            )
        },
    ));
    c.push(case(
        "where/i32-f32-gives-f64",
        &[2],
        f64v(&[1.0, 0.5]),
        EXACT,
        |e| {
            e.where_(
                &bools(e, &[true, false])?,
                &i32s(e, &[1, 2])?,
                &f32s(e, &[0.25, 0.5])?,
            )
        },
    ));
    // A float condition is true where non-zero; NaN is true, -0.0 false.
    c.push(case(
        "where/float-condition",
        &[4],
        f64v(&[2.0, 1.0, 2.0, 1.0]),
        EXACT,
        |e| {
            let one = f64s(e, &[1.0])?;
            let two = f64s(e, &[2.0])?;
            e.where_(&f64s(e, &[0.0, NAN, -0.0, 3.0])?, &one, &two)
        },
    ));
    c.push(case(
        "clip/f64",
        &[6],
        f64v(&[-1.0, 0.5, 1.0, NAN, -0.0, 1.0]),
        EXACT,
        |e| {
            e.clip(
                &f64s(e, &[-2.0, 0.5, 3.0, NAN, -0.0, INF])?,
                &f64s(e, &[-1.0])?,
                &f64s(e, &[1.0])?,
            )
        },
    ));
    // lo (2,1), hi (3,), x (3,) -> (2, 3).
    c.push(case(
        "clip/broadcast-bounds",
        &[2, 3],
        f64v(&[0.0, 1.0, 2.0, 1.0, 1.0, 2.0]),
        EXACT,
        |e| {
            e.clip(
                &f64s(e, &[-5.0, 1.0, 5.0])?,
                &e.from_vec(vec![0.0, 1.0], &[2, 1])?,
                &f64s(e, &[3.0, 3.0, 2.0])?,
            )
        },
    ));
    c.push(case("clip/i64", &[3], i64v(&[0, 3, 10]), EXACT, |e| {
        e.clip(&i64s(e, &[-4, 3, 99])?, &i64s(e, &[0])?, &i64s(e, &[10])?)
    }));
}

fn comparison_and_logic_cases(c: &mut Vec<Case>) {
    fn a(e: &Engine) -> Result<Array> {
        f64s(e, &[1.0, 2.0, NAN, -0.0, INF, 3.0, NAN, MIN_SUB])
    }
    fn b(e: &Engine) -> Result<Array> {
        f64s(e, &[2.0, 2.0, NAN, 0.0, INF, 1.0, 1.0, 0.0])
    }
    c.push(case(
        "equal/f64",
        &[8],
        boolv(&[false, true, false, true, true, false, false, false]),
        EXACT,
        |e| e.equal(&a(e)?, &b(e)?),
    ));
    c.push(case(
        "not_equal/f64",
        &[8],
        boolv(&[true, false, true, false, false, true, true, true]),
        EXACT,
        |e| e.not_equal(&a(e)?, &b(e)?),
    ));
    c.push(case(
        "less/f64",
        &[8],
        boolv(&[true, false, false, false, false, false, false, false]),
        EXACT,
        |e| e.less(&a(e)?, &b(e)?),
    ));
    c.push(case(
        "less_equal/f64",
        &[8],
        boolv(&[true, true, false, true, true, false, false, false]),
        EXACT,
        |e| e.less_equal(&a(e)?, &b(e)?),
    ));
    c.push(case(
        "greater/f64",
        &[8],
        boolv(&[false, false, false, false, false, true, false, true]),
        EXACT,
        |e| e.greater(&a(e)?, &b(e)?),
    ));
    c.push(case(
        "greater_equal/f64",
        &[8],
        boolv(&[false, true, false, true, true, true, false, true]),
        EXACT,
        |e| e.greater_equal(&a(e)?, &b(e)?),
    ));
    c.push(case(
        "less/i64",
        &[3],
        boolv(&[true, false, false]),
        EXACT,
        |e| e.less(&i64s(e, &[1, 5, i64::MAX])?, &i64s(e, &[2, 5, i64::MIN])?),
    ));
    c.push(case(
        "greater_equal/i32",
        &[3],
        boolv(&[false, true, true]),
        EXACT,
        |e| e.greater_equal(&i32s(e, &[1, 5, -3])?, &i32s(e, &[2, 5, -4])?),
    ));
    c.push(case(
        "equal/i64-f64",
        &[2],
        boolv(&[true, false]),
        EXACT,
        |e| e.equal(&i64s(e, &[3, 3])?, &f64s(e, &[3.0, 3.5])?),
    ));
    // false < true.
    c.push(case(
        "less/bool",
        &[4],
        boolv(&[false, true, false, false]),
        EXACT,
        |e| {
            e.less(
                &bools(e, &[false, false, true, true])?,
                &bools(e, &[false, true, false, true])?,
            )
        },
    ));
    c.push(case(
        "greater/bool",
        &[4],
        boolv(&[false, false, true, false]),
        EXACT,
        |e| {
            e.greater(
                &bools(e, &[false, false, true, true])?,
                &bools(e, &[false, true, false, true])?,
            )
        },
    ));
    c.push(case(
        "equal/c128",
        &[3],
        boolv(&[true, false, true]),
        EXACT,
        |e| {
            e.equal(
                &c128s(e, &[(1.0, 2.0), (1.0, 2.0), (-0.0, 0.0)])?,
                &c128s(e, &[(1.0, 2.0), (1.0, -2.0), (0.0, -0.0)])?,
            )
        },
    ));
    c.push(case(
        "not_equal/c128",
        &[2],
        boolv(&[false, true]),
        EXACT,
        |e| {
            e.not_equal(
                &c128s(e, &[(1.0, 2.0), (NAN, 0.0)])?,
                &c128s(e, &[(1.0, 2.0), (NAN, 0.0)])?,
            )
        },
    ));
    fn p(e: &Engine) -> Result<Array> {
        bools(e, &[true, true, false, false])
    }
    fn q(e: &Engine) -> Result<Array> {
        bools(e, &[true, false, true, false])
    }
    c.push(case(
        "logical_and/bool",
        &[4],
        boolv(&[true, false, false, false]),
        EXACT,
        |e| e.logical_and(&p(e)?, &q(e)?),
    ));
    c.push(case(
        "logical_or/bool",
        &[4],
        boolv(&[true, true, true, false]),
        EXACT,
        |e| e.logical_or(&p(e)?, &q(e)?),
    ));
    c.push(case(
        "logical_xor/bool",
        &[4],
        boolv(&[false, true, true, false]),
        EXACT,
        |e| e.logical_xor(&p(e)?, &q(e)?),
    ));
    c.push(case(
        "logical_and/f64-truthiness",
        &[4],
        boolv(&[false, true, false, true]),
        EXACT,
        |e| {
            e.logical_and(
                &f64s(e, &[0.0, NAN, -0.0, 2.0])?,
                &f64s(e, &[1.0, 1.0, 1.0, -INF])?,
            )
        },
    ));
    c.push(case(
        "logical_or/i64",
        &[4],
        boolv(&[true, true, true, false]),
        EXACT,
        |e| e.logical_or(&i64s(e, &[0, 2, -1, 0])?, &i64s(e, &[1, 0, 3, 0])?),
    ));
    c.push(case(
        "logical_xor/mixed",
        &[3],
        boolv(&[true, false, true]),
        EXACT,
        |e| {
            e.logical_xor(
                &bools(e, &[true, true, false])?,
                &f64s(e, &[0.0, 0.5, NAN])?,
            )
        },
    ));
}

fn complex_cases(c: &mut Vec<Case>) {
    fn z(e: &Engine) -> Result<Array> {
        c128s(e, &[(3.0, 4.0), (-1.0, 0.0), (0.0, -2.0)])
    }
    c.push(case(
        "real/c128",
        &[3],
        f64v(&[3.0, -1.0, 0.0]),
        EXACT,
        |e| e.real(&z(e)?),
    ));
    c.push(case(
        "imag/c128",
        &[3],
        f64v(&[4.0, 0.0, -2.0]),
        EXACT,
        |e| e.imag(&z(e)?),
    ));
    c.push(case(
        "conj/c128",
        &[3],
        c128v(&[(3.0, -4.0), (-1.0, -0.0), (0.0, 2.0)]),
        EXACT,
        |e| e.conj(&z(e)?),
    ));
    c.push(case(
        "real/f64-identity",
        &[2],
        f64v(&[1.5, -0.0]),
        EXACT,
        |e| e.real(&f64s(e, &[1.5, -0.0])?),
    ));
    c.push(case(
        "imag/f64-zeros",
        &[2],
        f64v(&[0.0, 0.0]),
        EXACT,
        |e| e.imag(&f64s(e, &[1.5, -0.0])?),
    ));
    c.push(case(
        "conj/f64-identity",
        &[2],
        f64v(&[1.5, -INF]),
        EXACT,
        |e| e.conj(&f64s(e, &[1.5, -INF])?),
    ));
    c.push(case("real/c64", &[1], f32v(&[1.5]), EXACT, |e| {
        e.real(&c64s(e, &[(1.5, -2.0)])?)
    }));
    c.push(case(
        "angle/c128",
        &[6],
        f64v(&[FRAC_PI_4, PI, -PI, -FRAC_PI_2, 0.0, 0.0]),
        LIBM,
        |e| {
            e.angle(&c128s(
                e,
                &[
                    (1.0, 1.0),
                    (-1.0, 0.0),
                    (-1.0, -0.0),
                    (0.0, -2.0),
                    (0.0, 0.0),
                    (3.0, 0.0),
                ],
            )?)
        },
    ));
    // numpy: angle(x) = arctan2(0, x), so angle(-0.0) = pi.
    c.push(case(
        "angle/f64",
        &[6],
        f64v(&[0.0, PI, PI, 0.0, NAN, PI]),
        LIBM,
        |e| e.angle(&f64s(e, &[1.0, -1.0, -0.0, 0.0, NAN, -INF])?),
    ));
    c.push(case(
        "abs/c128",
        &[5],
        f64v(&[5.0, 13.0, 0.0, INF, INF]),
        LIBM,
        |e| {
            e.abs(&c128s(
                e,
                &[
                    (3.0, 4.0),
                    (-5.0, 12.0),
                    (-0.0, 0.0),
                    (INF, NAN),
                    (NAN, -INF),
                ],
            )?)
        },
    ));
    c.push(case("abs/c64", &[1], f32v(&[5.0]), LIBM, |e| {
        e.abs(&c64s(e, &[(-3.0, 4.0)])?)
    }));
    c.push(case(
        "add/c128",
        &[2],
        c128v(&[(4.0, 1.0), (0.0, 0.0)]),
        EXACT,
        |e| {
            e.add(
                &c128s(e, &[(1.0, 2.0), (-0.0, 0.0)])?,
                &c128s(e, &[(3.0, -1.0), (0.0, -0.0)])?,
            )
        },
    ));
    c.push(case(
        "subtract/c128",
        &[1],
        c128v(&[(-2.0, 3.0)]),
        EXACT,
        |e| e.sub(&c128s(e, &[(1.0, 2.0)])?, &c128s(e, &[(3.0, -1.0)])?),
    ));
    // (1+2i)(3-i) = 5+5i; i*i = -1.
    c.push(case(
        "multiply/c128",
        &[2],
        c128v(&[(5.0, 5.0), (-1.0, 0.0)]),
        EXACT,
        |e| {
            e.mul(
                &c128s(e, &[(1.0, 2.0), (0.0, 1.0)])?,
                &c128s(e, &[(3.0, -1.0), (0.0, 1.0)])?,
            )
        },
    ));
    c.push(case(
        "multiply/c64",
        &[1],
        c64v(&[(5.0, 5.0)]),
        EXACT,
        |e| e.mul(&c64s(e, &[(1.0, 2.0)])?, &c64s(e, &[(3.0, -1.0)])?),
    ));
    // (1+2i)/(3-i) = (1+7i)/10; (4+2i)/2 = 2+i.
    c.push(case(
        "divide/c128",
        &[2],
        c128v(&[(0.1, 0.7), (2.0, 1.0)]),
        LIBM,
        |e| {
            e.div(
                &c128s(e, &[(1.0, 2.0), (4.0, 2.0)])?,
                &c128s(e, &[(3.0, -1.0), (2.0, 0.0)])?,
            )
        },
    ));
    // numpy: (inf+0j)*(1+0j) = (inf*1 - 0*0) + (inf*0 + 0*1)j = inf+nanj, the same
    // whether the ones are data or a constant.
    c.push(case(
        "multiply/c128-inf-times-ones",
        &[1],
        c128v(&[(INF, NAN)]),
        EXACT,
        |e| e.mul(&c128s(e, &[(INF, 0.0)])?, &c128s(e, &[(1.0, 0.0)])?),
    ));
    c.push(case(
        "multiply/c128-inf-times-constant-one",
        &[1],
        c128v(&[(INF, NAN)]),
        EXACT,
        |e| {
            e.mul(
                &c128s(e, &[(INF, 0.0)])?,
                &e.scalar(Complex64::new(1.0, 0.0)),
            )
        },
    ));
    c.push(case(
        "divide/c128-inf-by-constant-one",
        &[1],
        c128v(&[(INF, NAN)]),
        EXACT,
        |e| {
            e.div(
                &c128s(e, &[(INF, 0.0)])?,
                &e.scalar(Complex64::new(1.0, 0.0)),
            )
        },
    ));
    c.push(case(
        "mean/c128-single-infinity",
        &[],
        c128v(&[(INF, NAN)]),
        EXACT,
        |e| e.mean(&c128s(e, &[(INF, 0.0)])?, None, false),
    ));
    c.push(case(
        "negative/c128",
        &[1],
        c128v(&[(-1.0, 0.0)]),
        EXACT,
        |e| e.neg(&c128s(e, &[(1.0, -0.0)])?),
    ));
    c.push(case(
        "square/c128",
        &[1],
        c128v(&[(-3.0, 4.0)]),
        EXACT,
        |e| e.square(&c128s(e, &[(1.0, 2.0)])?),
    ));
    c.push(case(
        "reciprocal/c128",
        &[1],
        c128v(&[(0.0, -0.5)]),
        EXACT,
        |e| e.reciprocal(&c128s(e, &[(0.0, 2.0)])?),
    ));
    // numpy 2: sign(z) = z / |z|, and 0 for 0.
    c.push(case(
        "sign/c128",
        &[3],
        c128v(&[(0.6, 0.8), (0.0, 0.0), (0.0, -1.0)]),
        LIBM,
        |e| e.sign(&c128s(e, &[(3.0, 4.0), (0.0, 0.0), (0.0, -2.0)])?),
    ));
    // exp(ln2 + i*pi) = 2 cos(fl(pi)) + 2i sin(fl(pi)) = -2 + 2(pi - fl(pi)) i.
    c.push(case(
        "exp/c128",
        &[4],
        c128v(&[
            (1.0, 0.0),
            (E, 0.0),
            (-2.0, 2.4492935982947064e-16),
            (6.123233995736766e-17, 1.0),
        ]),
        LIBM,
        |e| {
            e.exp(&c128s(
                e,
                &[(0.0, 0.0), (1.0, 0.0), (LN_2, PI), (0.0, FRAC_PI_2)],
            )?)
        },
    ));
    // The branch cut follows the sign of the imaginary zero.
    c.push(case(
        "log/c128",
        &[6],
        c128v(&[
            (0.0, 0.0),
            (0.0, PI),
            (0.0, FRAC_PI_2),
            (1.0, 0.0),
            (0.0, -PI),
            (-INF, 0.0),
        ]),
        LIBM,
        |e| {
            e.log(&c128s(
                e,
                &[
                    (1.0, 0.0),
                    (-1.0, 0.0),
                    (0.0, 1.0),
                    (E, 0.0),
                    (-1.0, -0.0),
                    (0.0, 0.0),
                ],
            )?)
        },
    ));
    c.push(case(
        "sqrt/c128",
        &[6],
        c128v(&[
            (0.0, 2.0),
            (0.0, -2.0),
            (2.0, 1.0),
            (1.0, 1.0),
            (0.0, 0.0),
            (2.0, 0.0),
        ]),
        LIBM,
        |e| {
            e.sqrt(&c128s(
                e,
                &[
                    (-4.0, 0.0),
                    (-4.0, -0.0),
                    (3.0, 4.0),
                    (0.0, 2.0),
                    (0.0, 0.0),
                    (4.0, 0.0),
                ],
            )?)
        },
    ));
    // sin(i) = i sinh(1); sin(pi/2) = 1.
    c.push(case(
        "sin/c128",
        &[2],
        c128v(&[(0.0, SINH_1), (1.0, 0.0)]),
        LIBM,
        |e| e.sin(&c128s(e, &[(0.0, 1.0), (FRAC_PI_2, 0.0)])?),
    ));
    // cos(i) = cosh(1) - 0i (numpy prints (1.5430806348152437-0j)).
    c.push(case(
        "cos/c128",
        &[1],
        c128v(&[(COSH_1, -0.0)]),
        LIBM,
        |e| e.cos(&c128s(e, &[(0.0, 1.0)])?),
    ));
    // x**0 = 1, 0**2 = 0, 1**2 = 1.
    c.push(case(
        "power/c128",
        &[3],
        c128v(&[(1.0, 0.0), (0.0, 0.0), (1.0, 0.0)]),
        LIBM,
        |e| {
            e.pow(
                &c128s(e, &[(2.0, 3.0), (0.0, 0.0), (1.0, 0.0)])?,
                &c128s(e, &[(0.0, 0.0), (2.0, 0.0), (2.0, 0.0)])?,
            )
        },
    ));
    c.push(case(
        "complex/from-parts",
        &[2],
        c128v(&[(1.0, -2.0), (-0.5, 3.0)]),
        EXACT,
        |e| e.complex(&f64s(e, &[1.0, -0.5])?, &f64s(e, &[-2.0, 3.0])?),
    ));
}

fn dtype_cases(c: &mut Vec<Case>) {
    c.push(case(
        "promote/i32+f32-gives-f64",
        &[2],
        f64v(&[1.5, 2.25]),
        EXACT,
        |e| e.add(&i32s(e, &[1, 2])?, &f32s(e, &[0.5, 0.25])?),
    ));
    // 16777217 is not a float32 but is a float64: float64 is needed to hold int32.
    c.push(case(
        "promote/i32+f32-keeps-int-precision",
        &[1],
        f64v(&[16777217.0]),
        EXACT,
        |e| e.add(&i32s(e, &[16777216])?, &f32s(e, &[1.0])?),
    ));
    c.push(case(
        "promote/i32+i64-gives-i64",
        &[2],
        i64v(&[2147483648, -1]),
        EXACT,
        |e| e.add(&i32s(e, &[i32::MAX, 0])?, &i64s(e, &[1, -1])?),
    ));
    c.push(case(
        "promote/bool+i32-gives-i32",
        &[2],
        i32v(&[6, 5]),
        EXACT,
        |e| e.add(&bools(e, &[true, false])?, &i32s(e, &[5, 5])?),
    ));
    c.push(case(
        "promote/bool+f32-gives-f32",
        &[2],
        f32v(&[1.5, 0.5]),
        EXACT,
        |e| e.add(&bools(e, &[true, false])?, &f32s(e, &[0.5, 0.5])?),
    ));
    // 0.1f32 is 0.100000001490116119384765625 exactly.
    c.push(case(
        "promote/f32+f64-gives-f64",
        &[1],
        f64v(&[0.100_000_001_490_116_12]),
        EXACT,
        |e| e.add(&f32s(e, &[0.1])?, &f64s(e, &[0.0])?),
    ));
    c.push(case(
        "promote/f32+c64-gives-c64",
        &[1],
        c64v(&[(1.5, 2.0)]),
        EXACT,
        |e| e.add(&f32s(e, &[0.5])?, &c64s(e, &[(1.0, 2.0)])?),
    ));
    c.push(case(
        "promote/f64+c64-gives-c128",
        &[1],
        c128v(&[(1.1, 2.0)]),
        EXACT,
        |e| e.add(&f64s(e, &[0.1])?, &c64s(e, &[(1.0, 2.0)])?),
    ));
    c.push(case(
        "promote/i64+c64-gives-c128",
        &[1],
        c128v(&[(16777217.0, 0.5)]),
        EXACT,
        |e| e.add(&i64s(e, &[16777217])?, &c64s(e, &[(0.0, 0.5)])?),
    ));
    c.push(case(
        "promote/f32-times-scalar-stays-f32",
        &[2],
        f32v(&[3.0, -0.5]),
        EXACT,
        |e| Ok(&f32s(e, &[1.5, -0.25])? * 2.0),
    ));
    c.push(case(
        "promote/i64-times-scalar-gives-f64",
        &[2],
        f64v(&[1.5, -0.5]),
        EXACT,
        |e| Ok(&i64s(e, &[3, -1])? * 0.5),
    ));
    c.push(case(
        "promote/c64-plus-scalar-stays-c64",
        &[1],
        c64v(&[(2.0, 1.0)]),
        EXACT,
        |e| Ok(&c64s(e, &[(1.0, 1.0)])? + 1.0),
    ));
    // astype truncates towards zero.
    c.push(case(
        "astype/f64-to-i32",
        &[5],
        i32v(&[1, -1, 2, 0, -2]),
        EXACT,
        |e| Ok(e.astype(&f64s(e, &[1.9, -1.9, 2.5, -0.0, -2.5])?, DType::I32)),
    ));
    c.push(case(
        "astype/f64-to-i64",
        &[3],
        i64v(&[1, -1, 4503599627370497]),
        EXACT,
        |e| Ok(f64s(e, &[1.9, -1.9, 4503599627370497.0])?.astype(DType::I64)),
    ));
    c.push(case(
        "astype/f64-to-bool",
        &[5],
        boolv(&[false, false, true, true, true]),
        EXACT,
        |e| Ok(e.astype(&f64s(e, &[0.0, -0.0, NAN, 2.0, MIN_SUB])?, DType::Bool)),
    ));
    c.push(case(
        "astype/bool-to-f64",
        &[2],
        f64v(&[1.0, 0.0]),
        EXACT,
        |e| Ok(e.astype(&bools(e, &[true, false])?, DType::F64)),
    ));
    c.push(case(
        "astype/bool-to-i32",
        &[2],
        i32v(&[0, 1]),
        EXACT,
        |e| Ok(e.astype(&bools(e, &[false, true])?, DType::I32)),
    ));
    // int64 -> int32 keeps the low 32 bits.
    c.push(case(
        "astype/i64-to-i32-wraps",
        &[3],
        i32v(&[5, -1, i32::MIN]),
        EXACT,
        |e| Ok(e.astype(&i64s(e, &[4294967301, -1, 2147483648])?, DType::I32)),
    ));
    c.push(case(
        "astype/f64-to-f32-rounds",
        &[6],
        f32v(&[
            0.1,
            f32::INFINITY,
            0.0,
            -0.0,
            f32::MAX,
            f32::from_bits(1 << 9),
        ]),
        EXACT,
        |e| {
            Ok(e.astype(
                &f64s(e, &[0.1, 1e40, 1e-46, -0.0, f32::MAX as f64, pow2(-140)])?,
                DType::F32,
            ))
        },
    ));
    c.push(case(
        "astype/f32-to-f64-exact",
        &[2],
        f64v(&[0.100_000_001_490_116_12, pow2(-149)]),
        EXACT,
        |e| Ok(e.astype(&f32s(e, &[0.1, f32::from_bits(1)])?, DType::F64)),
    ));
    // 2^53 + 1 rounds to even (2^53); 2^24 + 1 rounds to 2^24 in float32.
    c.push(case(
        "astype/i64-to-f64-rounds",
        &[1],
        f64v(&[9007199254740992.0]),
        EXACT,
        |e| Ok(e.astype(&i64s(e, &[9007199254740993])?, DType::F64)),
    ));
    c.push(case(
        "astype/i64-to-f32-rounds",
        &[1],
        f32v(&[16777216.0]),
        EXACT,
        |e| Ok(e.astype(&i64s(e, &[16777217])?, DType::F32)),
    ));
    c.push(case(
        "astype/f64-to-c128",
        &[2],
        c128v(&[(1.5, 0.0), (-0.0, 0.0)]),
        EXACT,
        |e| Ok(e.astype(&f64s(e, &[1.5, -0.0])?, DType::C128)),
    ));
    c.push(case(
        "astype/c128-to-f64-keeps-real",
        &[1],
        f64v(&[3.0]),
        EXACT,
        |e| Ok(e.astype(&c128s(e, &[(3.0, 4.0)])?, DType::F64)),
    ));
    c.push(case(
        "astype/c128-to-c64",
        &[1],
        c64v(&[(0.1, 0.2)]),
        EXACT,
        |e| Ok(e.astype(&c128s(e, &[(0.1, 0.2)])?, DType::C64)),
    ));
    c.push(case(
        "astype/c128-to-bool",
        &[3],
        boolv(&[true, false, false]),
        EXACT,
        |e| {
            Ok(e.astype(
                &c128s(e, &[(0.0, 1.0), (0.0, 0.0), (-0.0, 0.0)])?,
                DType::Bool,
            ))
        },
    ));
    c.push(case(
        "astype/i32-to-c64",
        &[1],
        c64v(&[(-7.0, 0.0)]),
        EXACT,
        |e| Ok(e.astype(&i32s(e, &[-7])?, DType::C64)),
    ));
    c.push(case(
        "astype/i32-to-i64",
        &[1],
        i64v(&[i32::MIN as i64]),
        EXACT,
        |e| Ok(e.astype(&i32s(e, &[i32::MIN])?, DType::I64)),
    ));
    c.push(case(
        "astype/same-dtype",
        &[2],
        f64v(&[-0.0, NAN]),
        EXACT,
        |e| Ok(e.astype(&f64s(e, &[-0.0, NAN])?, DType::F64)),
    ));
    c.push(case(
        "astype/generator-to-i32",
        &[4],
        i32v(&[0, 1, 2, 3]),
        EXACT,
        |e| Ok(e.astype(&e.arange(0.0, 4.0, 1.0)?, DType::I32)),
    ));
}

fn creation_cases(c: &mut Vec<Case>) {
    c.push(case("zeros/f64", &[2, 3], f64v(&[0.0; 6]), EXACT, |e| {
        Ok(e.zeros(&[2, 3], DType::F64))
    }));
    c.push(case("zeros/i32", &[3], i32v(&[0; 3]), EXACT, |e| {
        Ok(e.zeros(&[3], DType::I32))
    }));
    c.push(case("zeros/size-0", &[0, 4], f64v(&[]), EXACT, |e| {
        Ok(e.zeros(&[0, 4], DType::F64))
    }));
    c.push(case("zeros/0-d", &[], f64v(&[0.0]), EXACT, |e| {
        Ok(e.zeros(&[], DType::F64))
    }));
    c.push(case(
        "ones/c128",
        &[2],
        c128v(&[(1.0, 0.0), (1.0, 0.0)]),
        EXACT,
        |e| Ok(e.ones(&[2], DType::C128)),
    ));
    c.push(case("ones/bool", &[2], boolv(&[true, true]), EXACT, |e| {
        Ok(e.ones(&[2], DType::Bool))
    }));
    c.push(case("ones/i64", &[1, 2], i64v(&[1, 1]), EXACT, |e| {
        Ok(e.ones(&[1, 2], DType::I64))
    }));
    c.push(case("ones/f32", &[2], f32v(&[1.0, 1.0]), EXACT, |e| {
        Ok(e.ones(&[2], DType::F32))
    }));
    c.push(case("full/i64", &[2, 2], i64v(&[7; 4]), EXACT, |e| {
        Ok(e.full(&[2, 2], 7i64))
    }));
    c.push(case(
        "full/negative-zero",
        &[3],
        f64v(&[-0.0; 3]),
        EXACT,
        |e| Ok(e.full(&[3], -0.0)),
    ));
    c.push(case("full/nan", &[2], f64v(&[NAN; 2]), EXACT, |e| {
        Ok(e.full(&[2], NAN))
    }));
    c.push(case("full/f32", &[2], f32v(&[2.5; 2]), EXACT, |e| {
        Ok(e.full(&[2], 2.5f32))
    }));
    c.push(case("full/bool", &[2], boolv(&[true; 2]), EXACT, |e| {
        Ok(e.full(&[2], true))
    }));
    c.push(case("full/c64", &[1], c64v(&[(1.0, -1.0)]), EXACT, |e| {
        Ok(e.full(&[1], Complex32::new(1.0, -1.0)))
    }));
    c.push(case(
        "full/i32-plus-data",
        &[2],
        i32v(&[8, 9]),
        EXACT,
        |e| e.add(&e.full(&[2], 7i32), &i32s(e, &[1, 2])?),
    ));
    c.push(case(
        "arange/unit-step",
        &[5],
        f64v(&[0.0, 1.0, 2.0, 3.0, 4.0]),
        EXACT,
        |e| e.arange(0.0, 5.0, 1.0),
    ));
    c.push(case(
        "arange/fractional-step",
        &[4],
        f64v(&[1.0, 1.25, 1.5, 1.75]),
        EXACT,
        |e| e.arange(1.0, 2.0, 0.25),
    ));
    c.push(case(
        "arange/negative-step",
        &[3],
        f64v(&[5.0, 3.0, 1.0]),
        EXACT,
        |e| e.arange(5.0, 0.0, -2.0),
    ));
    c.push(case("arange/empty", &[0], f64v(&[]), EXACT, |e| {
        e.arange(0.0, 0.0, 1.0)
    }));
    c.push(case(
        "arange/stop-below-start-is-empty",
        &[0],
        f64v(&[]),
        EXACT,
        |e| e.arange(3.0, 1.0, 1.0),
    ));
    // Element i is start + i*step: 3*0.1 = 0.30000000000000004 (as numpy).
    c.push(case(
        "arange/tenths",
        &[10],
        f64v(&[
            0.0,
            0.1,
            0.2,
            0.30000000000000004,
            0.4,
            0.5,
            0.6000000000000001,
            0.7000000000000001,
            0.8,
            0.9,
        ]),
        EXACT,
        |e| e.arange(0.0, 1.0, 0.1),
    ));
    c.push(case("arange/int", &[4], i64v(&[0, 1, 2, 3]), EXACT, |e| {
        Ok(e.arange_int(4))
    }));
    c.push(case("arange/int-empty", &[0], i64v(&[]), EXACT, |e| {
        Ok(e.arange_int(0))
    }));
    c.push(case(
        "linspace/quarters",
        &[5],
        f64v(&[0.0, 0.25, 0.5, 0.75, 1.0]),
        EXACT,
        |e| Ok(e.linspace(0.0, 1.0, 5)),
    ));
    c.push(case(
        "linspace/one-point",
        &[1],
        f64v(&[-1.0]),
        EXACT,
        |e| Ok(e.linspace(-1.0, 1.0, 1)),
    ));
    c.push(case("linspace/empty", &[0], f64v(&[]), EXACT, |e| {
        Ok(e.linspace(0.0, 1.0, 0))
    }));
    c.push(case(
        "linspace/decreasing",
        &[3],
        f64v(&[1.0, 0.5, 0.0]),
        EXACT,
        |e| Ok(e.linspace(1.0, 0.0, 3)),
    ));
    // step = 0.3/3 = 0.09999999999999999; element i = i*step; the last is exactly stop.
    c.push(case(
        "linspace/last-is-stop",
        &[4],
        f64v(&[0.0, 0.09999999999999999, 0.19999999999999998, 0.3]),
        EXACT,
        |e| Ok(e.linspace(0.0, 0.3, 4)),
    ));
    c.push(case(
        "eye/square",
        &[3, 3],
        f64v(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]),
        EXACT,
        |e| Ok(e.eye(3, 3, 0)),
    ));
    c.push(case(
        "eye/upper",
        &[2, 4],
        f64v(&[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
        EXACT,
        |e| Ok(e.eye(2, 4, 1)),
    ));
    c.push(case(
        "eye/lower",
        &[3, 2],
        f64v(&[0.0, 0.0, 1.0, 0.0, 0.0, 1.0]),
        EXACT,
        |e| Ok(e.eye(3, 2, -1)),
    ));
    c.push(case(
        "eye/off-the-matrix",
        &[2, 2],
        f64v(&[0.0; 4]),
        EXACT,
        |e| Ok(e.eye(2, 2, 5)),
    ));
    // x = [1,2,3], y = [10,20]: xy indexing gives (2,3) grids, ij gives (3,2).
    c.push(case(
        "meshgrid/xy-first",
        &[2, 3],
        f64v(&[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]),
        EXACT,
        |e| {
            let g = e.meshgrid(
                &[&f64s(e, &[1.0, 2.0, 3.0])?, &f64s(e, &[10.0, 20.0])?],
                Indexing::Xy,
            )?;
            Ok(g[0].clone())
        },
    ));
    c.push(case(
        "meshgrid/xy-second",
        &[2, 3],
        f64v(&[10.0, 10.0, 10.0, 20.0, 20.0, 20.0]),
        EXACT,
        |e| {
            let g = e.meshgrid(
                &[&f64s(e, &[1.0, 2.0, 3.0])?, &f64s(e, &[10.0, 20.0])?],
                Indexing::Xy,
            )?;
            Ok(g[1].clone())
        },
    ));
    c.push(case(
        "meshgrid/ij-first",
        &[3, 2],
        f64v(&[1.0, 1.0, 2.0, 2.0, 3.0, 3.0]),
        EXACT,
        |e| {
            let g = e.meshgrid(
                &[&f64s(e, &[1.0, 2.0, 3.0])?, &f64s(e, &[10.0, 20.0])?],
                Indexing::Ij,
            )?;
            Ok(g[0].clone())
        },
    ));
    c.push(case(
        "meshgrid/ij-second",
        &[3, 2],
        f64v(&[10.0, 20.0, 10.0, 20.0, 10.0, 20.0]),
        EXACT,
        |e| {
            let g = e.meshgrid(
                &[&f64s(e, &[1.0, 2.0, 3.0])?, &f64s(e, &[10.0, 20.0])?],
                Indexing::Ij,
            )?;
            Ok(g[1].clone())
        },
    ));
    c.push(case(
        "meshgrid/three-inputs-ij",
        &[2, 1, 2],
        f64v(&[5.0, 6.0, 5.0, 6.0]),
        EXACT,
        |e| {
            let g = e.meshgrid(
                &[
                    &f64s(e, &[1.0, 2.0])?,
                    &f64s(e, &[3.0])?,
                    &f64s(e, &[5.0, 6.0])?,
                ],
                Indexing::Ij,
            )?;
            Ok(g[2].clone())
        },
    ));
    c.push(case(
        "meshgrid/generators",
        &[2, 2],
        f64v(&[0.0, 1.0, 0.0, 1.0]),
        EXACT,
        |e| {
            let g = e.meshgrid(
                &[&e.linspace(0.0, 1.0, 2), &e.arange(5.0, 7.0, 1.0)?],
                Indexing::Xy,
            )?;
            Ok(g[0].clone())
        },
    ));
    // Uniform numbers lie in [0, 1) and average 1/2 (sd of the mean of 10^4: 0.0029).
    c.push(case(
        "random_uniform/range-and-mean",
        &[],
        boolv(&[true]),
        EXACT,
        |e| {
            let u = e.random_uniform(42, &[10_000]);
            let inside = e.logical_and(
                &e.greater_equal(&u, &e.scalar(0.0))?,
                &e.less(&u, &e.scalar(1.0))?,
            )?;
            let all_inside = e.all(&inside, None, false)?;
            let mean_ok = e.less(&e.abs(&(e.mean(&u, None, false)? - 0.5))?, &e.scalar(0.015))?;
            e.logical_and(&all_inside, &mean_ok)
        },
    ));
    c.push(case(
        "random_normal/moments",
        &[],
        boolv(&[true]),
        EXACT,
        |e| {
            let z = e.random_normal(7, &[10_000]);
            let mean_ok = e.less(&e.abs(&e.mean(&z, None, false)?)?, &e.scalar(0.05))?;
            let sd_ok = e.less(
                &e.abs(&(e.std(&z, None, false, 0)? - 1.0))?,
                &e.scalar(0.05),
            )?;
            e.logical_and(&mean_ok, &sd_ok)
        },
    ));
    c.push(case(
        "random_uniform/seeds-differ",
        &[],
        boolv(&[true]),
        EXACT,
        |e| {
            let a = e.random_uniform(1, &[64]);
            let b = e.random_uniform(2, &[64]);
            e.any(&e.not_equal(&a, &b)?, None, false)
        },
    ));
}

fn shape_cases(c: &mut Vec<Case>) {
    c.push(case(
        "reshape/infer",
        &[4, 6],
        f64_from_index(&[4, 6], |i| (6 * i[0] + i[1]) as f64),
        EXACT,
        |e| e.reshape(&grid(e)?, &[4, -1]),
    ));
    c.push(case("reshape/size-0", &[3, 0], f64v(&[]), EXACT, |e| {
        e.reshape(&e.from_vec(Vec::<f64>::new(), &[0, 3])?, &[3, -1])
    }));
    c.push(case("reshape/to-0-d", &[], f64v(&[7.5]), EXACT, |e| {
        e.reshape(&e.from_vec(vec![7.5], &[1, 1])?, &[])
    }));
    // permute(g, [2,0,1])[i,j,k] = g[j,k,i] = 12j + 4k + i, then flattened.
    c.push(case(
        "reshape/of-permuted",
        &[24],
        f64_from_index(&[4, 2, 3], |i| (12 * i[1] + 4 * i[2] + i[0]) as f64),
        EXACT,
        |e| e.reshape(&e.permute(&grid(e)?, &[2, 0, 1])?, &[-1]),
    ));
    c.push(case(
        "permute/3d",
        &[4, 2, 3],
        f64_from_index(&[4, 2, 3], |i| (12 * i[1] + 4 * i[2] + i[0]) as f64),
        EXACT,
        |e| e.permute(&grid(e)?, &[2, 0, 1]),
    ));
    c.push(case(
        "permute/swap-last",
        &[2, 4, 3],
        f64_from_index(&[2, 4, 3], |i| (12 * i[0] + 4 * i[2] + i[1]) as f64),
        EXACT,
        |e| e.permute(&grid(e)?, &[0, 2, 1]),
    ));
    c.push(case(
        "transpose/2d",
        &[3, 2],
        f64v(&[0.0, 3.0, 1.0, 4.0, 2.0, 5.0]),
        EXACT,
        |e| Ok(m23(e)?.t()),
    ));
    c.push(case(
        "slice/negative-step",
        &[3],
        f64v(&[8.0, 5.0, 2.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(Some(8), Some(1), -3)]),
    ));
    c.push(case(
        "slice/reverse",
        &[10],
        f64v(&[9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(None, None, -1)]),
    ));
    c.push(case(
        "slice/negative-start",
        &[3],
        f64v(&[7.0, 8.0, 9.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(Some(-3), None, 1)]),
    ));
    c.push(case(
        "slice/stop-past-end",
        &[3],
        f64v(&[1.0, 5.0, 9.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(Some(1), Some(100), 4)]),
    ));
    c.push(case("slice/empty-range", &[0], f64v(&[]), EXACT, |e| {
        e.slice(&iota(e, 10)?, &[Slice::range(5, 2)])
    }));
    c.push(case(
        "slice/prefix",
        &[3],
        f64v(&[0.0, 1.0, 2.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(None, Some(3), 1)]),
    ));
    c.push(case(
        "slice/first-row",
        &[1, 3],
        f64v(&[0.0, 1.0, 2.0]),
        EXACT,
        |e| e.slice(&m23(e)?, &[Slice::range(0, 1)]),
    ));
    c.push(case(
        "slice/step-minus-4",
        &[3],
        f64v(&[9.0, 5.0, 1.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(None, None, -4)]),
    ));
    // Python: list(range(10))[9:-12:-2] == [9, 7, 5, 3, 1].
    c.push(case(
        "slice/negative-stop-before-start",
        &[5],
        f64v(&[9.0, 7.0, 5.0, 3.0, 1.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(Some(9), Some(-12), -2)]),
    ));
    c.push(case(
        "slice/start-before-begin",
        &[3],
        f64v(&[0.0, 1.0, 2.0]),
        EXACT,
        |e| e.slice(&iota(e, 10)?, &[Slice::new(Some(-100), Some(3), 1)]),
    ));
    c.push(case(
        "slice/odd-length-step-2",
        &[3],
        f64v(&[1.0, 3.0, 5.0]),
        EXACT,
        |e| e.slice(&iota(e, 7)?, &[Slice::new(Some(1), None, 2)]),
    ));
    c.push(case(
        "slice/odd-length-step-3",
        &[3],
        f64v(&[0.0, 3.0, 6.0]),
        EXACT,
        |e| e.slice(&iota(e, 7)?, &[Slice::new(None, None, 3)]),
    ));
    // g[::-1, 1:, ::2][a,b,c] = g[1-a, 1+b, 2c].
    c.push(case(
        "slice/3d-mixed",
        &[2, 2, 2],
        f64_from_index(&[2, 2, 2], |i| {
            (12 * (1 - i[0]) + 4 * (1 + i[1]) + 2 * i[2]) as f64
        }),
        EXACT,
        |e| {
            e.slice(
                &grid(e)?,
                &[
                    Slice::new(None, None, -1),
                    Slice::new(Some(1), None, 1),
                    Slice::new(None, None, 2),
                ],
            )
        },
    ));
    c.push(case(
        "slice/size-1-axis",
        &[1, 3],
        f64v(&[4.0, 2.0, 0.0]),
        EXACT,
        |e| {
            e.slice(
                &e.from_vec(vec![0.0, 1.0, 2.0, 3.0, 4.0], &[1, 5])?,
                &[Slice::range(0, 1), Slice::new(None, None, -2)],
            )
        },
    ));
    c.push(case("slice/of-size-0", &[0], f64v(&[]), EXACT, |e| {
        e.slice(&iota(e, 0)?, &[Slice::new(None, None, -1)])
    }));
    c.push(case(
        "slice/of-transposed",
        &[2, 2],
        f64v(&[2.0, 5.0, 0.0, 3.0]),
        EXACT,
        |e| e.slice(&m23(e)?.t(), &[Slice::new(None, None, -2)]),
    ));
    c.push(case(
        "slice/generator",
        &[3],
        f64v(&[4.0, 2.0, 0.0]),
        EXACT,
        |e| e.slice(&e.arange(0.0, 5.0, 1.0)?, &[Slice::new(None, None, -2)]),
    ));
    c.push(case(
        "flip/odd-length",
        &[5],
        f64v(&[4.0, 3.0, 2.0, 1.0, 0.0]),
        EXACT,
        |e| e.flip(&iota(e, 5)?, None),
    ));
    c.push(case(
        "flip/axis-1",
        &[2, 3],
        f64v(&[2.0, 1.0, 0.0, 5.0, 4.0, 3.0]),
        EXACT,
        |e| e.flip(&m23(e)?, Some(&[1])),
    ));
    c.push(case(
        "flip/negative-axis",
        &[2, 3],
        f64v(&[3.0, 4.0, 5.0, 0.0, 1.0, 2.0]),
        EXACT,
        |e| e.flip(&m23(e)?, Some(&[-2])),
    ));
    c.push(case(
        "flip/all-axes",
        &[2, 3],
        f64v(&[5.0, 4.0, 3.0, 2.0, 1.0, 0.0]),
        EXACT,
        |e| e.flip(&m23(e)?, None),
    ));
    c.push(case("flip/size-1", &[1], f64v(&[7.0]), EXACT, |e| {
        e.flip(&f64s(e, &[7.0])?, None)
    }));
    c.push(case("flip/size-0", &[0, 2], f64v(&[]), EXACT, |e| {
        e.flip(&e.from_vec(Vec::<f64>::new(), &[0, 2])?, Some(&[0]))
    }));
    c.push(case("flip/i32", &[3], i32v(&[3, 2, 1]), EXACT, |e| {
        e.flip(&i32s(e, &[1, 2, 3])?, Some(&[0]))
    }));
    c.push(case(
        "roll/forward",
        &[5],
        f64v(&[3.0, 4.0, 0.0, 1.0, 2.0]),
        EXACT,
        |e| e.roll(&iota(e, 5)?, 2, Some(0)),
    ));
    c.push(case(
        "roll/backward",
        &[5],
        f64v(&[1.0, 2.0, 3.0, 4.0, 0.0]),
        EXACT,
        |e| e.roll(&iota(e, 5)?, -1, Some(0)),
    ));
    c.push(case(
        "roll/more-than-length",
        &[5],
        f64v(&[3.0, 4.0, 0.0, 1.0, 2.0]),
        EXACT,
        |e| e.roll(&iota(e, 5)?, 7, Some(-1)),
    ));
    c.push(case(
        "roll/axis-1",
        &[2, 3],
        f64v(&[2.0, 0.0, 1.0, 5.0, 3.0, 4.0]),
        EXACT,
        |e| e.roll(&m23(e)?, 1, Some(1)),
    ));
    c.push(case(
        "roll/axis-0",
        &[2, 3],
        f64v(&[3.0, 4.0, 5.0, 0.0, 1.0, 2.0]),
        EXACT,
        |e| e.roll(&m23(e)?, 1, Some(-2)),
    ));
    c.push(case(
        "roll/flattened",
        &[2, 3],
        f64v(&[5.0, 0.0, 1.0, 2.0, 3.0, 4.0]),
        EXACT,
        |e| e.roll(&m23(e)?, 1, None),
    ));
    c.push(case("roll/size-0", &[0], f64v(&[]), EXACT, |e| {
        e.roll(&iota(e, 0)?, 3, Some(0))
    }));
    c.push(case(
        "pad/1d",
        &[6],
        f64v(&[0.0, 0.0, 1.0, 2.0, 3.0, 0.0]),
        EXACT,
        |e| e.pad(&f64s(e, &[1.0, 2.0, 3.0])?, &[(2, 1)], 0.0),
    ));
    c.push(case(
        "pad/2d",
        &[3, 4],
        f64v(&[
            -1.0, -1.0, -1.0, -1.0, 1.0, 2.0, -1.0, -1.0, 3.0, 4.0, -1.0, -1.0,
        ]),
        EXACT,
        |e| {
            e.pad(
                &e.from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?,
                &[(1, 0), (0, 2)],
                -1.0,
            )
        },
    ));
    c.push(case(
        "pad/nan-value",
        &[3],
        f64v(&[NAN, 1.0, NAN]),
        EXACT,
        |e| e.pad(&f64s(e, &[1.0])?, &[(1, 1)], NAN),
    ));
    c.push(case(
        "pad/negative-zero-value",
        &[2],
        f64v(&[-0.0, 1.0]),
        EXACT,
        |e| e.pad(&f64s(e, &[1.0])?, &[(1, 0)], -0.0),
    ));
    c.push(case("pad/of-size-0", &[2], f64v(&[5.0, 5.0]), EXACT, |e| {
        e.pad(&iota(e, 0)?, &[(1, 1)], 5.0)
    }));
    c.push(case("pad/i32", &[3], i32v(&[7, 1, 7]), EXACT, |e| {
        e.pad(&i32s(e, &[1])?, &[(1, 1)], 7i32)
    }));
    c.push(case(
        "pad/then-flip",
        &[4],
        f64v(&[9.0, 2.0, 1.0, 9.0]),
        EXACT,
        |e| e.flip(&e.pad(&f64s(e, &[1.0, 2.0])?, &[(1, 1)], 9.0)?, None),
    ));
    c.push(case(
        "concatenate/single-array",
        &[2, 3],
        f64v(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
        EXACT,
        |e| e.concatenate(&[&m23(e)?], 1),
    ));
    c.push(case(
        "concatenate/1d",
        &[5],
        f64v(&[1.0, 2.0, 3.0, 4.0, 5.0]),
        EXACT,
        |e| e.concatenate(&[&f64s(e, &[1.0, 2.0])?, &f64s(e, &[3.0, 4.0, 5.0])?], 0),
    ));
    c.push(case(
        "concatenate/axis-1",
        &[2, 3],
        f64v(&[1.0, 3.0, 4.0, 2.0, 5.0, 6.0]),
        EXACT,
        |e| {
            e.concatenate(
                &[
                    &e.from_vec(vec![1.0, 2.0], &[2, 1])?,
                    &e.from_vec(vec![3.0, 4.0, 5.0, 6.0], &[2, 2])?,
                ],
                1,
            )
        },
    ));
    c.push(case(
        "concatenate/negative-axis",
        &[2, 3],
        f64v(&[1.0, 3.0, 4.0, 2.0, 5.0, 6.0]),
        EXACT,
        |e| {
            e.concatenate(
                &[
                    &e.from_vec(vec![1.0, 2.0], &[2, 1])?,
                    &e.from_vec(vec![3.0, 4.0, 5.0, 6.0], &[2, 2])?,
                ],
                -1,
            )
        },
    ));
    c.push(case(
        "concatenate/with-size-0",
        &[2],
        f64v(&[1.0, 2.0]),
        EXACT,
        |e| e.concatenate(&[&iota(e, 0)?, &f64s(e, &[1.0, 2.0])?, &iota(e, 0)?], 0),
    ));
    c.push(case(
        "concatenate/promotes",
        &[3],
        f64v(&[1.0, 0.5, 2.0]),
        EXACT,
        |e| e.concatenate(&[&i32s(e, &[1])?, &f32s(e, &[0.5])?, &i64s(e, &[2])?], 0),
    ));
    c.push(case(
        "concatenate/three-2d-axis-0",
        &[4, 2],
        f64v(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
        EXACT,
        |e| {
            e.concatenate(
                &[
                    &e.from_vec(vec![0.0, 1.0], &[1, 2])?,
                    &e.from_vec(vec![2.0, 3.0, 4.0, 5.0], &[2, 2])?,
                    &e.from_vec(vec![6.0, 7.0], &[1, 2])?,
                ],
                0,
            )
        },
    ));
    c.push(case(
        "stack/axis-0",
        &[2, 2],
        f64v(&[1.0, 2.0, 3.0, 4.0]),
        EXACT,
        |e| e.stack(&[&f64s(e, &[1.0, 2.0])?, &f64s(e, &[3.0, 4.0])?], 0),
    ));
    c.push(case(
        "stack/axis-1",
        &[2, 2],
        f64v(&[1.0, 3.0, 2.0, 4.0]),
        EXACT,
        |e| e.stack(&[&f64s(e, &[1.0, 2.0])?, &f64s(e, &[3.0, 4.0])?], 1),
    ));
    c.push(case(
        "stack/negative-axis",
        &[2, 2],
        f64v(&[1.0, 3.0, 2.0, 4.0]),
        EXACT,
        |e| e.stack(&[&f64s(e, &[1.0, 2.0])?, &f64s(e, &[3.0, 4.0])?], -1),
    ));
    c.push(case(
        "broadcast_to/row",
        &[2, 3],
        f64v(&[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]),
        EXACT,
        |e| e.broadcast_to(&f64s(e, &[1.0, 2.0, 3.0])?, &[2, 3]),
    ));
    c.push(case(
        "broadcast_to/column",
        &[3, 4],
        f64_from_index(&[3, 4], |i| i[0] as f64),
        EXACT,
        |e| e.broadcast_to(&e.from_vec(vec![0.0, 1.0, 2.0], &[3, 1])?, &[3, 4]),
    ));
    c.push(case(
        "broadcast_to/from-0-d",
        &[2, 2],
        f64v(&[-0.0; 4]),
        EXACT,
        |e| e.broadcast_to(&e.from_vec(vec![-0.0], &[])?, &[2, 2]),
    ));
    c.push(case("broadcast_to/size-0", &[0], f64v(&[]), EXACT, |e| {
        e.broadcast_to(&f64s(e, &[1.0])?, &[0])
    }));
    c.push(case(
        "broadcast/column-plus-row",
        &[3, 4],
        f64_from_index(&[3, 4], |i| (10 * i[0] + i[1]) as f64),
        EXACT,
        |e| {
            e.add(
                &e.from_vec(vec![0.0, 10.0, 20.0], &[3, 1])?,
                &f64s(e, &[0.0, 1.0, 2.0, 3.0])?,
            )
        },
    ));
    // (2,1,3) * (4,1) -> (2,4,3): a[i,0,k] * b[j,0].
    c.push(case(
        "broadcast/rank-3",
        &[2, 4, 3],
        f64_from_index(&[2, 4, 3], |i| ((3 * i[0] + i[2]) * (i[1] + 1)) as f64),
        EXACT,
        |e| {
            e.mul(
                &e.from_vec((0..6).map(|i| i as f64).collect(), &[2, 1, 3])?,
                &e.from_vec(vec![1.0, 2.0, 3.0, 4.0], &[4, 1])?,
            )
        },
    ));
    c.push(case(
        "broadcast/size-0-with-size-1",
        &[0],
        f64v(&[]),
        EXACT,
        |e| e.add(&iota(e, 0)?, &f64s(e, &[1.0])?),
    ));
    c.push(case(
        "broadcast/0-d-with-vector",
        &[2],
        f64v(&[3.0, 4.0]),
        EXACT,
        |e| e.add(&e.from_vec(vec![2.0], &[])?, &f64s(e, &[1.0, 2.0])?),
    ));
    c.push(case(
        "broadcast/roll-of-broadcast",
        &[2, 3],
        f64v(&[2.0, 0.0, 1.0, 2.0, 0.0, 1.0]),
        EXACT,
        |e| {
            let b = e.broadcast_to(&f64s(e, &[0.0, 1.0, 2.0])?, &[2, 3])?;
            e.roll(&b, 1, Some(1))
        },
    ));
    c.push(case(
        "expand_dims/front",
        &[1, 3],
        f64v(&[1.0, 2.0, 3.0]),
        EXACT,
        |e| e.expand_dims(&f64s(e, &[1.0, 2.0, 3.0])?, 0),
    ));
    c.push(case(
        "expand_dims/back",
        &[3, 1],
        f64v(&[1.0, 2.0, 3.0]),
        EXACT,
        |e| e.expand_dims(&f64s(e, &[1.0, 2.0, 3.0])?, -1),
    ));
    c.push(case(
        "squeeze/all",
        &[3],
        f64v(&[1.0, 2.0, 3.0]),
        EXACT,
        |e| e.squeeze(&e.from_vec(vec![1.0, 2.0, 3.0], &[1, 3, 1])?, None),
    ));
    c.push(case(
        "squeeze/one-axis",
        &[1, 3],
        f64v(&[1.0, 2.0, 3.0]),
        EXACT,
        |e| e.squeeze(&e.from_vec(vec![1.0, 2.0, 3.0], &[1, 3, 1])?, Some(&[-1])),
    ));
}

fn reduction_cases(c: &mut Vec<Case>) {
    c.push(case("sum/all", &[], f64v(&[276.0]), EXACT, |e| {
        e.sum(&grid(e)?, None, false)
    }));
    c.push(case(
        "sum/axis-0",
        &[3, 4],
        f64_from_index(&[3, 4], |i| (2 * (4 * i[0] + i[1]) + 12) as f64),
        EXACT,
        |e| e.sum(&grid(e)?, Some(&[0]), false),
    ));
    // sum over a, c of 12a + 4b + c = 48 + 32b + 12.
    c.push(case(
        "sum/axes-0-2",
        &[3],
        f64v(&[60.0, 92.0, 124.0]),
        EXACT,
        |e| e.sum(&grid(e)?, Some(&[0, 2]), false),
    ));
    c.push(case(
        "sum/axes-keepdims",
        &[1, 3, 1],
        f64v(&[60.0, 92.0, 124.0]),
        EXACT,
        |e| e.sum(&grid(e)?, Some(&[2, 0]), true),
    ));
    c.push(case(
        "sum/last-axis",
        &[2, 3],
        f64_from_index(&[2, 3], |i| (48 * i[0] + 16 * i[1] + 6) as f64),
        EXACT,
        |e| e.sum(&grid(e)?, Some(&[-1]), false),
    ));
    c.push(case(
        "sum/all-keepdims",
        &[1, 1, 1],
        f64v(&[276.0]),
        EXACT,
        |e| e.sum(&grid(e)?, None, true),
    ));
    c.push(case(
        "sum/of-permuted",
        &[4],
        f64_from_index(&[4], |i| (60 + 6 * i[0]) as f64),
        EXACT,
        |e| e.sum(&e.permute(&grid(e)?, &[2, 0, 1])?, Some(&[1, 2]), false),
    ));
    c.push(case("sum/empty", &[], f64v(&[0.0]), EXACT, |e| {
        e.sum(&iota(e, 0)?, None, false)
    }));
    c.push(case(
        "sum/over-size-0-axis",
        &[3],
        f64v(&[0.0; 3]),
        EXACT,
        |e| e.sum(&e.from_vec(Vec::<f64>::new(), &[3, 0])?, Some(&[1]), false),
    ));
    c.push(case(
        "sum/over-size-1-axis",
        &[3],
        f64v(&[1.0, -2.0, 3.0]),
        EXACT,
        |e| {
            e.sum(
                &e.from_vec(vec![1.0, -2.0, 3.0], &[1, 3])?,
                Some(&[0]),
                false,
            )
        },
    ));
    c.push(case(
        "sum/i32-gives-i64",
        &[],
        i64v(&[4294967294]),
        EXACT,
        |e| e.sum(&i32s(e, &[i32::MAX, i32::MAX])?, None, false),
    ));
    c.push(case("sum/i64-wraps", &[], i64v(&[i64::MIN]), EXACT, |e| {
        e.sum(&i64s(e, &[i64::MAX, 1])?, None, false)
    }));
    c.push(case("sum/bool-counts", &[], i64v(&[2]), EXACT, |e| {
        e.sum(&bools(e, &[true, false, true])?, None, false)
    }));
    c.push(case("sum/f32-stays-f32", &[], f32v(&[3.5]), EXACT, |e| {
        e.sum(&f32s(e, &[1.5, 2.0])?, None, false)
    }));
    c.push(case(
        "sum/infinities",
        &[2],
        f64v(&[NAN, INF]),
        EXACT,
        |e| {
            e.sum(
                &e.from_vec(vec![INF, -INF, INF, 1.0], &[2, 2])?,
                Some(&[1]),
                false,
            )
        },
    ));
    c.push(case("sum/c128", &[], c128v(&[(4.0, -1.0)]), EXACT, |e| {
        e.sum(&c128s(e, &[(1.0, 2.0), (3.0, -3.0)])?, None, false)
    }));
    c.push(case("sum/generator", &[], f64v(&[4950.0]), EXACT, |e| {
        e.sum(&e.arange(0.0, 100.0, 1.0)?, None, false)
    }));
    c.push(case(
        "sum/of-broadcast",
        &[3],
        f64v(&[0.0, 4.0, 8.0]),
        EXACT,
        |e| {
            let b = e.broadcast_to(&e.from_vec(vec![0.0, 1.0, 2.0], &[3, 1])?, &[3, 4])?;
            e.sum(&b, Some(&[1]), false)
        },
    ));
    c.push(case(
        "sum/then-elementwise",
        &[2, 3],
        f64v(&[-1.0, 0.0, 1.0, -1.0, 0.0, 1.0]),
        EXACT,
        |e| {
            let x = m23(e)?;
            let m = e.div(&e.sum(&x, Some(&[1]), true)?, &f64s(e, &[3.0])?)?;
            e.sub(&x, &m)
        },
    ));
    c.push(case("prod/all", &[], f64v(&[24.0]), EXACT, |e| {
        e.prod(&f64s(e, &[1.0, 2.0, 3.0, 4.0])?, None, false)
    }));
    c.push(case("prod/axis-1", &[2], f64v(&[6.0, 120.0]), EXACT, |e| {
        e.prod(
            &e.from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?,
            Some(&[1]),
            false,
        )
    }));
    c.push(case("prod/empty", &[], f64v(&[1.0]), EXACT, |e| {
        e.prod(&iota(e, 0)?, None, false)
    }));
    c.push(case("prod/zero-times-inf", &[], f64v(&[NAN]), EXACT, |e| {
        e.prod(&f64s(e, &[0.0, INF])?, None, false)
    }));
    c.push(case(
        "prod/i32-gives-i64",
        &[],
        i64v(&[4611686014132420609]),
        EXACT,
        |e| e.prod(&i32s(e, &[i32::MAX, i32::MAX])?, None, false),
    ));
    c.push(case("mean/all", &[], f64v(&[11.5]), EXACT, |e| {
        e.mean(&grid(e)?, None, false)
    }));
    // mean over b of 12a + 4b + c = 12a + 4 + c.
    c.push(case(
        "mean/axis-1",
        &[2, 4],
        f64_from_index(&[2, 4], |i| (12 * i[0] + 4 + i[1]) as f64),
        EXACT,
        |e| e.mean(&grid(e)?, Some(&[1]), false),
    ));
    c.push(case(
        "mean/keepdims",
        &[2, 1, 1],
        f64v(&[5.5, 17.5]),
        EXACT,
        |e| e.mean(&grid(e)?, Some(&[1, 2]), true),
    ));
    c.push(case("mean/i64-gives-f64", &[], f64v(&[1.5]), EXACT, |e| {
        e.mean(&i64s(e, &[1, 2])?, None, false)
    }));
    c.push(case("mean/f32-stays-f32", &[], f32v(&[1.5]), EXACT, |e| {
        e.mean(&f32s(e, &[1.0, 2.0])?, None, false)
    }));
    c.push(case("mean/empty-is-nan", &[], f64v(&[NAN]), EXACT, |e| {
        e.mean(&iota(e, 0)?, None, false)
    }));
    c.push(case("mean/c128", &[], c128v(&[(2.0, -1.0)]), EXACT, |e| {
        e.mean(&c128s(e, &[(1.0, 0.0), (3.0, -2.0)])?, None, false)
    }));
    c.push(case("min/all", &[], f64v(&[1.0]), EXACT, |e| {
        e.min(
            &f64s(e, &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])?,
            None,
            false,
        )
    }));
    c.push(case("max/all", &[], f64v(&[9.0]), EXACT, |e| {
        e.max(
            &f64s(e, &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])?,
            None,
            false,
        )
    }));
    c.push(case(
        "min/nan-propagates",
        &[2],
        f64v(&[NAN, NAN]),
        EXACT,
        |e| {
            e.min(
                &e.from_vec(vec![1.0, NAN, 3.0, NAN, -INF, 0.0], &[2, 3])?,
                Some(&[1]),
                false,
            )
        },
    ));
    c.push(case("max/nan-propagates", &[], f64v(&[NAN]), EXACT, |e| {
        e.max(&f64s(e, &[INF, 1.0, NAN, 3.0])?, None, false)
    }));
    c.push(case("min/infinities", &[], f64v(&[-INF]), EXACT, |e| {
        e.min(&f64s(e, &[2.0, -INF, INF])?, None, false)
    }));
    c.push(case(
        "max/axes-1-2",
        &[2],
        f64v(&[11.0, 23.0]),
        EXACT,
        |e| e.max(&grid(e)?, Some(&[1, 2]), false),
    ));
    c.push(case(
        "min/axes-keepdims",
        &[2, 1, 1],
        f64v(&[0.0, 12.0]),
        EXACT,
        |e| e.min(&grid(e)?, Some(&[1, 2]), true),
    ));
    c.push(case("min/i32", &[], i32v(&[i32::MIN]), EXACT, |e| {
        e.min(&i32s(e, &[0, i32::MIN, 5])?, None, false)
    }));
    c.push(case("max/i64-axis-0", &[3], i64v(&[4, 5, 6]), EXACT, |e| {
        e.max(
            &e.from_vec(vec![1i64, 5, 3, 4, 2, 6], &[2, 3])?,
            Some(&[0]),
            false,
        )
    }));
    c.push(case("max/bool", &[], boolv(&[true]), EXACT, |e| {
        e.max(&bools(e, &[false, true, false])?, None, false)
    }));
    c.push(case("max/f32", &[], f32v(&[2.5]), EXACT, |e| {
        e.max(&f32s(e, &[-1.0, 2.5, 2.0])?, None, false)
    }));
    c.push(case("argmin/first-of-ties", &[], i64v(&[1]), EXACT, |e| {
        e.argmin(&f64s(e, &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 9.0])?, None)
    }));
    c.push(case("argmax/first-of-ties", &[], i64v(&[5]), EXACT, |e| {
        e.argmax(&f64s(e, &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 9.0])?, None)
    }));
    c.push(case("argmax/first-nan", &[], i64v(&[1]), EXACT, |e| {
        e.argmax(&f64s(e, &[1.0, NAN, 3.0, NAN])?, None)
    }));
    c.push(case("argmin/first-nan", &[], i64v(&[2]), EXACT, |e| {
        e.argmin(&f64s(e, &[1.0, -INF, NAN, NAN])?, None)
    }));
    c.push(case(
        "argmax/signed-zeros-tie",
        &[],
        i64v(&[0]),
        EXACT,
        |e| e.argmax(&f64s(e, &[0.0, -0.0])?, None),
    ));
    c.push(case("argmin/axis-0", &[3], i64v(&[0, 1, 0]), EXACT, |e| {
        e.argmin(
            &e.from_vec(vec![1.0, 5.0, 3.0, 4.0, 2.0, 6.0], &[2, 3])?,
            Some(0),
        )
    }));
    c.push(case("argmax/axis-1", &[2], i64v(&[1, 2]), EXACT, |e| {
        e.argmax(
            &e.from_vec(vec![1.0, 5.0, 3.0, 4.0, 2.0, 6.0], &[2, 3])?,
            Some(-1),
        )
    }));
    c.push(case("argmax/flattened-2d", &[], i64v(&[5]), EXACT, |e| {
        e.argmax(
            &e.from_vec(vec![1.0, 5.0, 3.0, 4.0, 2.0, 6.0], &[2, 3])?,
            None,
        )
    }));
    c.push(case("argmin/i64", &[], i64v(&[2]), EXACT, |e| {
        e.argmin(&i64s(e, &[3, 0, i64::MIN, i64::MIN])?, None)
    }));
    c.push(case(
        "argmax/of-permuted",
        &[3],
        i64v(&[1, 1, 1]),
        EXACT,
        |e| e.argmax(&m23(e)?.t(), Some(1)),
    ));
    c.push(case(
        "any/f64-truthiness",
        &[2],
        boolv(&[true, false]),
        EXACT,
        |e| {
            e.any(
                &e.from_vec(vec![0.0, -0.0, NAN, 0.0, -0.0, 0.0], &[2, 3])?,
                Some(&[1]),
                false,
            )
        },
    ));
    c.push(case(
        "all/f64",
        &[3],
        boolv(&[true, false, true]),
        EXACT,
        |e| {
            e.all(
                &e.from_vec(vec![1.0, -0.0, NAN, INF, 2.0, -1.0], &[2, 3])?,
                Some(&[0]),
                false,
            )
        },
    ));
    c.push(case("any/empty", &[], boolv(&[false]), EXACT, |e| {
        e.any(&iota(e, 0)?, None, false)
    }));
    c.push(case("all/empty", &[], boolv(&[true]), EXACT, |e| {
        e.all(&iota(e, 0)?, None, false)
    }));
    c.push(case(
        "all/bool-keepdims",
        &[1, 2],
        boolv(&[false, true]),
        EXACT,
        |e| {
            e.all(
                &e.from_vec(vec![true, true, false, true], &[2, 2])?,
                Some(&[0]),
                true,
            )
        },
    ));
    // [1,2,3,4]: deviations ±1.5, ±0.5, squares sum to 5.
    c.push(case("var/population", &[], f64v(&[1.25]), EXACT, |e| {
        e.var(&f64s(e, &[1.0, 2.0, 3.0, 4.0])?, None, false, 0)
    }));
    c.push(case("var/ddof-1", &[], f64v(&[5.0 / 3.0]), EXACT, |e| {
        e.var(&f64s(e, &[1.0, 2.0, 3.0, 4.0])?, None, false, 1)
    }));
    c.push(case(
        "var/last-axis",
        &[2, 3],
        f64v(&[1.25; 6]),
        EXACT,
        |e| e.var(&grid(e)?, Some(&[2]), false, 0),
    ));
    c.push(case(
        "var/first-axis-keepdims",
        &[1, 3, 4],
        f64v(&[36.0; 12]),
        EXACT,
        |e| e.var(&grid(e)?, Some(&[0]), true, 0),
    ));
    c.push(case("var/i64-gives-f64", &[], f64v(&[0.25]), EXACT, |e| {
        e.var(&i64s(e, &[1, 2])?, None, false, 0)
    }));
    // Deviations ±(3+4i) have modulus 5.
    c.push(case("var/c128-gives-f64", &[], f64v(&[25.0]), EXACT, |e| {
        e.var(&c128s(e, &[(3.0, 4.0), (-3.0, -4.0)])?, None, false, 0)
    }));
    // sqrt(1.25) = sqrt(5)/2, correctly rounded either way.
    c.push(case(
        "std/population",
        &[],
        f64v(&[1.118033988749895]),
        EXACT,
        |e| e.std(&f64s(e, &[1.0, 2.0, 3.0, 4.0])?, None, false, 0),
    ));
    c.push(case(
        "std/first-axis",
        &[3, 4],
        f64v(&[6.0; 12]),
        EXACT,
        |e| e.std(&grid(e)?, Some(&[0]), false, 0),
    ));
    c.push(case("std/f32", &[], f32v(&[0.5]), EXACT, |e| {
        e.std(&f32s(e, &[1.0, 2.0])?, None, false, 0)
    }));
}

/// Subnormal inputs and outputs are IEEE's, not flushed to zero.
fn subnormal_cases(c: &mut Vec<Case>) {
    c.push(case(
        "add/subnormals",
        &[3],
        f64v(&[pow2(-1073), f64::from_bits(0x000F_FFFF_FFFF_FFFF), 0.0]),
        EXACT,
        |e| {
            e.add(
                &f64s(e, &[MIN_SUB, MIN_NORMAL, MIN_SUB])?,
                &f64s(e, &[MIN_SUB, -MIN_SUB, -MIN_SUB])?,
            )
        },
    ));
    c.push(case(
        "multiply/subnormal-to-normal",
        &[2],
        f64v(&[pow2(-1022), pow2(-1000)]),
        EXACT,
        |e| {
            e.mul(
                &f64s(e, &[pow2(-1050), MIN_SUB])?,
                &f64s(e, &[pow2(28), pow2(74)])?,
            )
        },
    ));
    c.push(case(
        "greater/subnormal-vs-zero",
        &[2],
        boolv(&[true, false]),
        EXACT,
        |e| e.greater(&f64s(e, &[MIN_SUB, -MIN_SUB])?, &f64s(e, &[0.0, -0.0])?),
    ));
    c.push(case(
        "multiply/f32-subnormal",
        &[2],
        f32v(&[f32::from_bits(2), f32::from_bits(1 << 22)]),
        EXACT,
        |e| {
            e.mul(
                &f32s(e, &[f32::from_bits(1), f32::MIN_POSITIVE])?,
                &f32s(e, &[2.0, 0.5])?,
            )
        },
    ));
    // For |x| this small, sin x, tan x, ... round to x itself.
    fn tiny(e: &Engine) -> Result<Array> {
        f64s(e, &[1e-300, -MIN_SUB, 3.0 * MIN_SUB, -1e-310])
    }
    const TINY: [f64; 4] = [1e-300, -MIN_SUB, 3.0 * MIN_SUB, -1e-310];
    c.push(case("sin/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.sin(&tiny(e)?)
    }));
    c.push(case("tan/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.tan(&tiny(e)?)
    }));
    c.push(case("arcsin/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.arcsin(&tiny(e)?)
    }));
    c.push(case("arctan/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.arctan(&tiny(e)?)
    }));
    c.push(case("sinh/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.sinh(&tiny(e)?)
    }));
    c.push(case("tanh/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.tanh(&tiny(e)?)
    }));
    c.push(case("expm1/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.expm1(&tiny(e)?)
    }));
    c.push(case("log1p/tiny", &[4], f64v(&TINY), EXACT, |e| {
        e.log1p(&tiny(e)?)
    }));
    c.push(case(
        "log/subnormal",
        &[1],
        f64v(&[LN_MIN_SUB]),
        LIBM,
        |e| e.log(&f64s(e, &[MIN_SUB])?),
    ));
    c.push(case(
        "cos/tiny-is-one",
        &[2],
        f64v(&[1.0, 1.0]),
        EXACT,
        |e| e.cos(&f64s(e, &[MIN_SUB, -1e-300])?),
    ));
    c.push(case(
        "exp/tiny-is-one",
        &[2],
        f64v(&[1.0, 1.0]),
        EXACT,
        |e| e.exp(&f64s(e, &[MIN_SUB, -MIN_SUB])?),
    ));
    c.push(case(
        "sum/subnormals",
        &[],
        f64v(&[pow2(-1072)]),
        EXACT,
        |e| e.sum(&f64s(e, &[MIN_SUB; 4])?, None, false),
    ));
}

/// Run one case on `e`; `Err` describes the failure.
fn run_case(e: &Engine, c: &Case) -> std::result::Result<(), String> {
    let n: usize = c.shape.iter().product();
    if c.expected.len() != n {
        return Err(format!(
            "table error: {} expected values for shape {:?}",
            c.expected.len(),
            c.shape
        ));
    }
    let a = (c.build)(e).map_err(|err| format!("building the array failed: {err}"))?;
    if a.shape() != &c.shape[..] {
        return Err(format!(
            "shape: expected {:?}, got {:?}",
            c.shape,
            a.shape()
        ));
    }
    if a.dtype() != c.expected.dtype() {
        return Err(format!(
            "dtype: expected {}, got {}",
            c.expected.dtype(),
            a.dtype()
        ));
    }
    let got = c
        .expected
        .read_like(&a)
        .map_err(|err| format!("evaluating failed: {err}"))?;
    let bad = c.expected.mismatches(&got, c.ulps);
    if bad.is_empty() {
        return Ok(());
    }
    let detail: Vec<String> = bad
        .iter()
        .map(|(i, want, have)| format!("[{i}] expected {want}, got {have}"))
        .collect();
    Err(format!(
        "{} of {} elements differ (tolerance {} ulp): {}\n    expected {:?}\n    got      {:?}",
        bad.len(),
        n,
        c.ulps,
        detail.join("; "),
        c.expected,
        got
    ))
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// Run `selected` cases, each on a fresh engine using `backend`; the failures.
fn run_cases(backend: &str, selected: &[&Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for c in selected {
        let e = Engine::with_backend(backend)
            .unwrap_or_else(|err| panic!("cannot create an engine on backend '{backend}': {err}"));
        match catch_unwind(AssertUnwindSafe(|| run_case(&e, c))) {
            Ok(Ok(())) => {}
            Ok(Err(msg)) => failures.push(format!("{}: {msg}", c.name)),
            Err(p) => failures.push(format!("{}: panicked: {}", c.name, panic_message(p))),
        }
    }
    failures
}

/// Run every case of the table (but those of `KNOWN_BUGS`) on a fresh engine using
/// `backend`, and panic once with every failure (case name, expected, got).
pub fn check_backend(backend: &str) {
    let all = cases();
    let selected: Vec<&Case> = all
        .iter()
        .filter(|c| known_bug(backend, c.name).is_none())
        .collect();
    let skipped = all.len() - selected.len();
    if skipped > 0 {
        eprintln!("op table: {skipped} cases skipped for known library bugs (see KNOWN_BUGS)");
    }
    let failures = run_cases(backend, &selected);
    if !failures.is_empty() {
        panic!(
            "{} of {} op-table cases failed on backend '{backend}':\n  {}",
            failures.len(),
            selected.len(),
            failures.join("\n  ")
        );
    }
}

/// Run the cases that `KNOWN_BUGS` ties to `bug`; panics while any of them fails.
pub fn check_known_bug(backend: &str, bug: &str) {
    let all = cases();
    let selected: Vec<&Case> = all
        .iter()
        .filter(|c| known_bug(backend, c.name) == Some(bug))
        .collect();
    assert!(!selected.is_empty(), "no case is marked with bug {bug:?}");
    let failures = run_cases(backend, &selected);
    if !failures.is_empty() {
        panic!(
            "{} of {} cases of a known bug fail on backend '{backend}' ({bug}):\n  {}",
            failures.len(),
            selected.len(),
            failures.join("\n  ")
        );
    }
}

/// Check the table itself: unique names, and at least one case for every elementwise
/// op, reduction, shape op, creation function and result dtype.
pub fn check_coverage() {
    let all = cases();
    let mut problems = Vec::new();
    let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    for w in names.windows(2) {
        if w[0] == w[1] {
            problems.push(format!("duplicate case name {}", w[0]));
        }
    }
    let has = |prefix: &str| all.iter().any(|c| c.name.split('/').next() == Some(prefix));
    let reductions = [
        ReduceOp::Sum,
        ReduceOp::Prod,
        ReduceOp::Min,
        ReduceOp::Max,
        ReduceOp::ArgMin,
        ReduceOp::ArgMax,
        ReduceOp::Any,
        ReduceOp::All,
    ];
    let required: Vec<&str> = UnaryOp::ALL
        .iter()
        .map(|op| op.name())
        .chain(BinaryOp::ALL.iter().map(|op| op.name()))
        .chain(reductions.iter().map(|op| op.name()))
        .chain([
            "mean",
            "var",
            "std",
            "where",
            "clip",
            "astype",
            "promote",
            "complex",
            "zeros",
            "ones",
            "full",
            "arange",
            "linspace",
            "eye",
            "meshgrid",
            "random_uniform",
            "random_normal",
            "reshape",
            "permute",
            "transpose",
            "slice",
            "flip",
            "roll",
            "pad",
            "concatenate",
            "stack",
            "broadcast_to",
            "broadcast",
            "expand_dims",
            "squeeze",
        ])
        .collect();
    for name in required {
        if !has(name) {
            problems.push(format!("no case named {name}/..."));
        }
    }
    for t in DType::ALL {
        if !all.iter().any(|c| c.expected.dtype() == t) {
            problems.push(format!("no case returns {t}"));
        }
    }
    for (_, name, _) in KNOWN_BUGS {
        if !all.iter().any(|c| c.name == *name) {
            problems.push(format!("KNOWN_BUGS names {name}, which is not a case"));
        }
    }
    for c in &all {
        let n: usize = c.shape.iter().product();
        if c.expected.len() != n {
            problems.push(format!(
                "{}: {} expected values for shape {:?}",
                c.name,
                c.expected.len(),
                c.shape
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "op table problems:\n  {}",
        problems.join("\n  ")
    );
}
