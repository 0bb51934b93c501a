//! Accuracy of the cpu backend's transcendental functions, in ULPs, against an
//! independent reference:
//! - f64: the platform libm, so the bound on the true error is the figure here plus
//!   libm's own error (glibc's log10, sinh and tanh are off by up to about 1.6 ulp at
//!   points where the inline versions are within 0.6, checked with mpmath, so a 2
//!   here can be mostly libm's);
//! - f32: the f64 libm result rounded to f32 (far more precise than f32).
//!
//! Special values (NaN, ±Inf, ±0, subnormals, huge sin/cos arguments) must match libm
//! exactly. Inputs are random with a fixed seed; `MATHENGINE_FRESH_SEED=1` draws a new
//! one (printed). `cargo test --release --test ulp -- --nocapture` prints the table.

#[path = "common/ulps.rs"]
mod ulps;
use mathengine::{Array, DType, Engine};

fn seed() -> u64 {
    if std::env::var("MATHENGINE_FRESH_SEED").is_ok_and(|v| v == "1") {
        let s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        eprintln!("ulp tests: fresh seed {s}");
        s
    } else {
        0x5eed_2026
    }
}

/// xorshift64*: a few lines, enough for test inputs.
struct Rng(u64);
impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
    /// Log-uniform magnitude in [10^a, 10^b], random sign if `signed`.
    fn log_uniform(&mut self, a: f64, b: f64, signed: bool) -> f64 {
        let m = 10f64.powf(self.uniform(a, b));
        if signed && self.next_f64() < 0.5 {
            -m
        } else {
            m
        }
    }
}

const SPECIALS: [f64; 12] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    1e300,
    -1e300,
    1e22,
    709.782712893384,
];

fn ulp_distance_f64(a: f64, b: f64) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    if a.is_nan() || b.is_nan() {
        return u64::MAX;
    }
    let key = |x: f64| {
        let i = x.to_bits() as i64;
        if i < 0 {
            i64::MIN - i
        } else {
            i
        }
    };
    key(a).abs_diff(key(b))
}

fn ulp_distance_f32(a: f32, b: f32) -> u64 {
    ulps::ulps_f32(a, b)
}

struct Case {
    name: &'static str,
    apply: fn(&Engine, &Array) -> Array,
    reference: fn(f64) -> f64,
    /// Input generator ranges: (lo, hi, log-uniform?).
    ranges: &'static [(f64, f64, bool)],
    /// Allowed ulps in f64 (vs libm) and f32 (vs f64 libm rounded).
    max_f64: u64,
    max_f32: u64,
}

fn cases() -> Vec<Case> {
    macro_rules! case {
        ($name:literal, $f:ident, $r:expr, $ranges:expr, $m64:expr, $m32:expr) => {
            Case {
                name: $name,
                apply: |e, x| e.$f(x).expect($name),
                reference: $r,
                ranges: $ranges,
                max_f64: $m64,
                max_f32: $m32,
            }
        };
    }
    const WIDE: &[(f64, f64, bool)] = &[
        (-10.0, 10.0, false),
        (-1e5, 1e5, false),
        (-300.0, 300.0, true),
    ];
    const POS: &[(f64, f64, bool)] = &[(0.0, 4.0, false), (-307.0, 308.0, true)];
    const UNIT: &[(f64, f64, bool)] = &[(-1.0, 1.0, false)];
    const EXP: &[(f64, f64, bool)] = &[(-745.0, 710.0, false), (-1.0, 1.0, false)];
    vec![
        case!("sin", sin, f64::sin, WIDE, 2, 1),
        case!("cos", cos, f64::cos, WIDE, 2, 1),
        case!("tan", tan, f64::tan, WIDE, 2, 1),
        case!("exp", exp, f64::exp, EXP, 2, 1),
        case!("exp2", exp2, f64::exp2, &[(-1075.0, 1024.0, false)], 2, 1),
        case!("expm1", expm1, f64::exp_m1, EXP, 2, 1),
        case!("log", log, f64::ln, POS, 2, 1),
        case!("log2", log2, f64::log2, POS, 2, 1),
        case!("log10", log10, f64::log10, POS, 2, 2),
        case!(
            "log1p",
            log1p,
            f64::ln_1p,
            &[(-1.0, 4.0, false), (-300.0, 300.0, true)],
            2,
            1
        ),
        case!("arcsin", arcsin, f64::asin, UNIT, 0, 1),
        case!("arccos", arccos, f64::acos, UNIT, 0, 1),
        case!("arctan", arctan, f64::atan, WIDE, 2, 1),
        case!(
            "sinh",
            sinh,
            f64::sinh,
            &[(-710.0, 710.0, false), (-1.0, 1.0, false)],
            2,
            2
        ),
        case!("cosh", cosh, f64::cosh, &[(-710.0, 710.0, false)], 2, 2),
        case!("tanh", tanh, f64::tanh, &[(-20.0, 20.0, false)], 2, 2),
        case!("cbrt", cbrt, f64::cbrt, WIDE, 0, 1),
        case!("sqrt", sqrt, f64::sqrt, POS, 0, 0),
    ]
}

fn inputs(c: &Case, rng: &mut Rng, per_range: usize) -> Vec<f64> {
    let mut xs: Vec<f64> = SPECIALS.to_vec();
    for &(lo, hi, log) in c.ranges {
        for _ in 0..per_range {
            xs.push(if log {
                rng.log_uniform(lo, hi, lo < 0.0 || c.name != "log")
            } else {
                rng.uniform(lo, hi)
            });
        }
    }
    xs
}

#[test]
fn transcendental_ulps_within_documented_bounds() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let mut rng = Rng(seed() | 1);
    let per_range = if cfg!(debug_assertions) {
        20_000
    } else {
        200_000
    };
    let mut failures = Vec::new();
    eprintln!("{:<8} {:>9} {:>9}", "function", "f64 ulps", "f32 ulps");
    for c in cases() {
        let xs = inputs(&c, &mut rng, per_range);
        let n = xs.len();
        let x = e.from_vec(xs.clone(), &[n]).expect("input");
        let got64 = (c.apply)(&e, &x).to_vec::<f64>().expect("f64 result");
        let got32 = (c.apply)(&e, &e.astype(&x, DType::F32))
            .to_vec::<f32>()
            .expect("f32 result");
        let (mut worst64, mut at64, mut worst32, mut at32) = (0u64, 0.0, 0u64, 0.0);
        for i in 0..n {
            let want = (c.reference)(xs[i]);
            let d = ulp_distance_f64(got64[i], want);
            if d > worst64 {
                (worst64, at64) = (d, xs[i]);
            }
            let x32 = xs[i] as f32;
            let want32 = (c.reference)(x32 as f64) as f32;
            let d = ulp_distance_f32(got32[i], want32);
            if d > worst32 {
                (worst32, at32) = (d, x32 as f64);
            }
        }
        eprintln!("{:<8} {:>9} {:>9}", c.name, worst64, worst32);
        if worst64 > c.max_f64 {
            failures.push(format!(
                "{} f64: {worst64} ulps at x = {at64:e} (bound {})",
                c.name, c.max_f64
            ));
        }
        if worst32 > c.max_f32 {
            failures.push(format!(
                "{} f32: {worst32} ulps at x = {at32:e} (bound {})",
                c.name, c.max_f32
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "accuracy bounds exceeded:\n{}",
        failures.join("\n")
    );
}

#[test]
fn special_values_match_libm_exactly() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let xs: Vec<f64> = SPECIALS
        .iter()
        .copied()
        .chain([1e5, -1e5, 1e5 + 1.0, 3.0e8, 1e-320])
        .collect();
    let n = xs.len();
    let x = e.from_vec(xs.clone(), &[n]).expect("input");
    for c in cases() {
        let got = (c.apply)(&e, &x).to_vec::<f64>().expect("result");
        for (i, &xv) in xs.iter().enumerate() {
            let want = (c.reference)(xv);
            let exact_special = xv.is_nan()
                || xv.is_infinite()
                || xv == 0.0
                || xv.abs() < f64::MIN_POSITIVE
                || xv.abs() > 1e5;
            if exact_special {
                assert!(
                    ulp_distance_f64(got[i], want) == 0
                        && (want.is_nan() || got[i].is_sign_negative() == want.is_sign_negative()),
                    "{}({xv:e}) = {:e}, libm gives {want:e}",
                    c.name,
                    got[i]
                );
            }
        }
    }
}

/// Binary functions: (x, y) pairs drawn independently from each range, plus every pair
/// of special values (which must match libm exactly).
struct Case2 {
    name: &'static str,
    apply: fn(&Engine, &Array, &Array) -> Array,
    reference: fn(f64, f64) -> f64,
    ranges: &'static [(f64, f64, bool)],
    max_f64: u64,
    max_f32: u64,
}

fn cases2() -> Vec<Case2> {
    const R: &[(f64, f64, bool)] = &[
        (-10.0, 10.0, false),
        (-1e5, 1e5, false),
        (-300.0, 300.0, true),
    ];
    vec![
        Case2 {
            name: "arctan2",
            apply: |e, y, x| e.arctan2(y, x).expect("arctan2"),
            reference: f64::atan2,
            ranges: R,
            max_f64: 2,
            max_f32: 1,
        },
        Case2 {
            name: "hypot",
            apply: |e, x, y| e.hypot(x, y).expect("hypot"),
            reference: f64::hypot,
            ranges: R,
            max_f64: 2,
            max_f32: 1,
        },
    ]
}

fn special_pairs() -> Vec<(f64, f64)> {
    let vals: Vec<f64> = SPECIALS
        .iter()
        .copied()
        .chain([1.0, -1.0, 1e-300])
        .collect();
    let mut v = Vec::new();
    for &a in &vals {
        for &b in &vals {
            v.push((a, b));
        }
    }
    v
}

#[test]
fn binary_ulps_within_documented_bounds() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let mut rng = Rng(seed() ^ 0xb1 | 1);
    let per_range = if cfg!(debug_assertions) {
        20_000
    } else {
        200_000
    };
    let specials = special_pairs();
    let mut failures = Vec::new();
    eprintln!("{:<8} {:>9} {:>9}", "function", "f64 ulps", "f32 ulps");
    for c in cases2() {
        let mut xs: Vec<f64> = specials.iter().map(|p| p.0).collect();
        let mut ys: Vec<f64> = specials.iter().map(|p| p.1).collect();
        for &(lo, hi, log) in c.ranges {
            for _ in 0..per_range {
                let mut draw = || {
                    if log {
                        rng.log_uniform(lo, hi, true)
                    } else {
                        rng.uniform(lo, hi)
                    }
                };
                xs.push(draw());
                ys.push(draw());
            }
        }
        let n = xs.len();
        let x = e.from_vec(xs.clone(), &[n]).expect("input");
        let y = e.from_vec(ys.clone(), &[n]).expect("input");
        let got64 = (c.apply)(&e, &x, &y).to_vec::<f64>().expect("f64 result");
        let got32 = (c.apply)(&e, &e.astype(&x, DType::F32), &e.astype(&y, DType::F32))
            .to_vec::<f32>()
            .expect("f32 result");
        let (mut worst64, mut at64, mut worst32, mut at32) = (0u64, (0.0, 0.0), 0u64, (0.0, 0.0));
        for i in 0..n {
            let want = (c.reference)(xs[i], ys[i]);
            let d = ulp_distance_f64(got64[i], want);
            if i < specials.len()
                && (d != 0
                    || (!want.is_nan() && got64[i].is_sign_negative() != want.is_sign_negative()))
            {
                failures.push(format!(
                    "{}({:e}, {:e}) = {:e}, libm gives {want:e}",
                    c.name, xs[i], ys[i], got64[i]
                ));
            }
            if d > worst64 {
                (worst64, at64) = (d, (xs[i], ys[i]));
            }
            let (x32, y32) = (xs[i] as f32, ys[i] as f32);
            let want32 = (c.reference)(x32 as f64, y32 as f64) as f32;
            let d = ulp_distance_f32(got32[i], want32);
            if d > worst32 {
                (worst32, at32) = (d, (x32 as f64, y32 as f64));
            }
        }
        eprintln!("{:<8} {:>9} {:>9}", c.name, worst64, worst32);
        if worst64 > c.max_f64 {
            failures.push(format!(
                "{} f64: {worst64} ulps at {at64:?} (bound {})",
                c.name, c.max_f64
            ));
        }
        if worst32 > c.max_f32 {
            failures.push(format!(
                "{} f32: {worst32} ulps at {at32:?} (bound {})",
                c.name, c.max_f32
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "accuracy bounds exceeded:\n{}",
        failures.join("\n")
    );
}

/// The split constants the inline code uses (copies of the bit patterns in
/// codegen/src/math/*.rs): hi + lo rounds to the double nearest the
/// constant (as std/libm give it), lo is small, and the pairs agree with each other to
/// far beyond double precision. (Checked against 300-bit values with mpmath
/// when written: relative errors 1e-33 for the atan/pi pairs, 5e-27 for the others.)
#[test]
fn split_constants_are_consistent() {
    let f = f64::from_bits;
    let ln2 = (f(0x3FE62E42FEE00000), f(0x3DEA39EF35793C76));
    let pairs = [
        (f(0x3FDDAC670561BB4F), f(0x3C7A2B7F222F65E2), 0.5f64.atan()),
        (
            f(0x3FE921FB54442D18),
            f(0x3C81A62633145C07),
            std::f64::consts::FRAC_PI_4,
        ),
        (f(0x3FEF730BD281F69B), f(0x3C7007887AF0CBBD), 1.5f64.atan()),
        (
            f(0x3FF921FB54442D18),
            f(0x3C91A62633145C07),
            std::f64::consts::FRAC_PI_2,
        ),
        (
            f(0x400921FB54442D18),
            f(0x3CA1A62633145C07),
            std::f64::consts::PI,
        ),
        (
            f(0x3FF7154765200000),
            f(0x3DE705FC2EEFA200),
            std::f64::consts::LOG2_E,
        ),
        (
            f(0x3FDBCB7B15200000),
            f(0x3DBB9438CA9AADD5),
            std::f64::consts::LOG10_E,
        ),
        (
            f(0x3FD34413509F6000),
            f(0x3D59FEF311F12B36),
            std::f64::consts::LOG10_2,
        ),
        (ln2.0, ln2.1, std::f64::consts::LN_2),
    ];
    for (hi, lo, want) in pairs {
        assert_eq!(hi + lo, want, "{hi:e} + {lo:e}");
        assert!(lo.abs() < hi.abs() * 1e-9, "{lo:e} small against {hi:e}");
    }
    // (1/ln2) * ln2 = 1, as a double-double product (p - 1 is exact).
    let a = (pairs[5].0, pairs[5].1);
    let p = a.0 * ln2.0;
    let err = a.0.mul_add(ln2.0, -p) + a.0 * ln2.1 + a.1 * ln2.0 + a.1 * ln2.1;
    assert!(((p - 1.0) + err).abs() < 1e-25, "1/ln2 * ln2 = 1");
    // log10(2) / (1/ln10) = ln 2: log10(2) = ln2 * (1/ln10).
    let (a, b) = ((pairs[7].0, pairs[7].1), (pairs[6].0, pairs[6].1));
    let p = ln2.0 * b.0;
    let prod = (
        p,
        ln2.0.mul_add(b.0, -p) + ln2.0 * b.1 + ln2.1 * b.0 + ln2.1 * b.1,
    );
    let diff = (prod.0 - a.0) + (prod.1 - a.1);
    assert!(diff.abs() < 1e-25 * a.0, "ln2 / ln10 = log10(2): {diff:e}");
    // atan(1) = pi/4, atan(inf) = pi/2, pi: the pi pairs are exact multiples.
    assert_eq!(
        (pairs[1].0 * 2.0, pairs[1].1 * 2.0),
        (pairs[3].0, pairs[3].1)
    );
    assert_eq!(
        (pairs[3].0 * 2.0, pairs[3].1 * 2.0),
        (pairs[4].0, pairs[4].1)
    );
}
