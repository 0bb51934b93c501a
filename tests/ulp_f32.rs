//! Accuracy of the cpu backend's float32 functions (f32x4 code: sin, cos, exp, log of
//! their own, the others through the f64 routines on widened lanes), in ULPs against
//! the f64 libm result rounded to f32 (far more precise than f32), over a dense sweep:
//! every `STRIDE`-th float32 bit pattern of each function's range plus random values.
//! Special values (NaN, ±Inf, ±0, subnormals, huge sin/cos/tan arguments) must match
//! f32 libm exactly, as numpy's do. `MATHENGINE_FRESH_SEED=1` draws a new seed
//! (printed); `cargo test --release --test ulp_f32 -- --nocapture` prints the table.

#[path = "common/random.rs"]
mod random;
#[path = "common/ulps.rs"]
mod ulps;
use mathengine::{Array, Engine};
use ulps::{ulps_f32 as ulps, SPECIALS_F32 as SPECIALS};

fn seed() -> u64 {
    random::seed("ulp_f32", 0x05ee_df32)
}

struct Case {
    name: &'static str,
    apply: fn(&Engine, &Array) -> Array,
    reference: fn(f64) -> f64,
    libm: fn(f32) -> f32,
    /// The swept range [lo, hi] of x.
    range: (f32, f32),
    max_ulps: u64,
}

fn cases() -> Vec<Case> {
    macro_rules! case {
        ($name:literal, $f:ident, $r:expr, $l:expr, $range:expr, $max:expr) => {
            Case {
                name: $name,
                apply: |e, x| e.$f(x).expect($name),
                reference: $r,
                libm: $l,
                range: $range,
                max_ulps: $max,
            }
        };
    }
    vec![
        case!("sin", sin, f64::sin, f32::sin, (-1e5, 1e5), 1),
        case!("cos", cos, f64::cos, f32::cos, (-1e5, 1e5), 1),
        case!("tan", tan, f64::tan, f32::tan, (-1e5, 1e5), 1),
        case!("exp", exp, f64::exp, f32::exp, (-104.0, 89.0), 1),
        case!("exp2", exp2, f64::exp2, f32::exp2, (-150.0, 128.0), 1),
        case!("expm1", expm1, f64::exp_m1, f32::exp_m1, (-20.0, 89.0), 1),
        case!("log", log, f64::ln, f32::ln, (0.0, f32::MAX), 1),
        case!("log2", log2, f64::log2, f32::log2, (0.0, f32::MAX), 1),
        case!("log10", log10, f64::log10, f32::log10, (0.0, f32::MAX), 1),
        case!("log1p", log1p, f64::ln_1p, f32::ln_1p, (-1.0, f32::MAX), 1),
        case!("sinh", sinh, f64::sinh, f32::sinh, (-90.0, 90.0), 1),
        case!("cosh", cosh, f64::cosh, f32::cosh, (-90.0, 90.0), 1),
        case!("tanh", tanh, f64::tanh, f32::tanh, (-10.0, 10.0), 1),
        case!("arctan", arctan, f64::atan, f32::atan, (-1e10, 1e10), 1),
    ]
}

/// Every `stride`-th float32 between lo and hi (in bit-pattern order, both signs).
fn sweep(lo: f32, hi: f32, stride: u32) -> Vec<f32> {
    let mut v = Vec::new();
    let mut push_half = |from: f32, to: f32, neg: bool| {
        // Magnitudes in [from, to] (from >= 0).
        let (a, b) = (from.to_bits(), to.to_bits());
        let mut bits = a;
        while bits <= b {
            let x = f32::from_bits(bits);
            v.push(if neg { -x } else { x });
            bits = match bits.checked_add(stride) {
                Some(n) => n,
                None => break,
            };
        }
    };
    if hi > 0.0 {
        push_half(lo.max(0.0), hi, false);
    }
    if lo < 0.0 {
        push_half(hi.min(0.0).abs(), -lo, true);
    }
    v
}

fn stride() -> u32 {
    if cfg!(debug_assertions) {
        4099
    } else {
        257
    }
}

/// Random values of the range, their bit patterns offset from the sweep's.
fn random(lo: f32, hi: f32, n: usize, rng: &mut u64) -> Vec<f32> {
    (0..n)
        .map(|_| {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            let u = (*rng >> 11) as f64 / (1u64 << 53) as f64;
            (lo as f64 + (hi as f64 - lo as f64) * u) as f32
        })
        .collect()
}

#[test]
fn f32_ulps_within_documented_bounds() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let mut rng = seed() | 1;
    let mut failures = Vec::new();
    eprintln!(
        "{:<8} {:>10} {:>9}  worst at",
        "function", "inputs", "f32 ulps"
    );
    for c in cases() {
        let mut xs = sweep(c.range.0, c.range.1, stride());
        xs.extend(random(c.range.0, c.range.1, xs.len() / 4, &mut rng));
        let n = xs.len();
        let x = e.from_vec(xs.clone(), &[n]).expect("input");
        let got = (c.apply)(&e, &x).to_vec::<f32>().expect("f32 result");
        let (mut worst, mut at) = (0u64, 0.0f32);
        for i in 0..n {
            let want = (c.reference)(xs[i] as f64) as f32;
            let d = ulps(got[i], want);
            if d > worst {
                (worst, at) = (d, xs[i]);
            }
        }
        eprintln!("{:<8} {n:>10} {worst:>9}  {at:e}", c.name);
        if worst > c.max_ulps {
            failures.push(format!(
                "{}: {worst} ulps at x = {at:e} (bound {})",
                c.name, c.max_ulps
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "f32 bounds exceeded:\n{}",
        failures.join("\n")
    );
}

#[test]
fn f32_special_values_match_libm_exactly() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    // Each special in every lane position of a vector, and in the scalar tail.
    let xs: Vec<f32> = (0..4)
        .flat_map(|k| {
            let mut v = vec![0.5f32; 4];
            v.extend(SPECIALS.iter().flat_map(|&s| {
                let mut w = [0.25f32; 4];
                w[k] = s;
                w
            }));
            v
        })
        .chain(SPECIALS)
        .collect();
    let n = xs.len();
    let x = e.from_vec(xs.clone(), &[n]).expect("input");
    for c in cases() {
        let got = (c.apply)(&e, &x).to_vec::<f32>().expect("result");
        for (i, &xv) in xs.iter().enumerate() {
            let trig = matches!(c.name, "sin" | "cos" | "tan");
            let exact = !xv.is_finite() || xv.abs() < f32::MIN_POSITIVE || (trig && xv.abs() > 1e5);
            let want = if exact {
                (c.libm)(xv)
            } else {
                (c.reference)(xv as f64) as f32
            };
            let d = ulps(got[i], want);
            let sign_ok = want.is_nan() || want.is_sign_negative() == got[i].is_sign_negative();
            assert!(
                if exact {
                    d == 0 && sign_ok
                } else {
                    d <= c.max_ulps
                },
                "{}({xv:e}) = {:e}, libm gives {want:e}",
                c.name,
                got[i]
            );
        }
    }
}

struct Case2 {
    name: &'static str,
    apply: fn(&Engine, &Array, &Array) -> Array,
    reference: fn(f64, f64) -> f64,
    libm: fn(f32, f32) -> f32,
}

fn cases2() -> Vec<Case2> {
    vec![
        Case2 {
            name: "arctan2",
            apply: |e, y, x| e.arctan2(y, x).expect("arctan2"),
            reference: f64::atan2,
            libm: f32::atan2,
        },
        Case2 {
            name: "hypot",
            apply: |e, x, y| e.hypot(x, y).expect("hypot"),
            reference: f64::hypot,
            libm: f32::hypot,
        },
    ]
}

#[test]
fn f32_binary_ulps_and_special_pairs() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let mut rng = seed() ^ 0xb1 | 1;
    let n = if cfg!(debug_assertions) {
        40_000
    } else {
        1_000_000
    };
    for c in cases2() {
        let mut xs = random(-1e4, 1e4, n, &mut rng);
        let mut ys = random(-1e4, 1e4, n, &mut rng);
        // Mixed scales: one operand shrunk by up to 2^-40.
        for (i, x) in xs.iter_mut().take(n / 2).enumerate() {
            *x *= (2f32).powi(-((i % 41) as i32));
        }
        let specials: Vec<f32> = SPECIALS.iter().copied().chain([1.0, -1.0]).collect();
        let first_special = xs.len();
        for &a in &specials {
            for &b in &specials {
                xs.push(a);
                ys.push(b);
            }
        }
        let m = xs.len();
        let x = e.from_vec(xs.clone(), &[m]).expect("x");
        let y = e.from_vec(ys.clone(), &[m]).expect("y");
        let got = (c.apply)(&e, &x, &y).to_vec::<f32>().expect("result");
        let mut worst = 0;
        for i in 0..m {
            let plain = |v: f32| v.is_finite() && v != 0.0;
            if i < first_special || (plain(xs[i]) && plain(ys[i])) {
                let want = (c.reference)(xs[i] as f64, ys[i] as f64) as f32;
                worst = worst.max(ulps(got[i], want));
            } else {
                let want = (c.libm)(xs[i], ys[i]);
                assert!(
                    ulps(got[i], want) == 0,
                    "{}({:e}, {:e}) = {:e}, libm gives {want:e}",
                    c.name,
                    xs[i],
                    ys[i],
                    got[i]
                );
            }
        }
        eprintln!("{:<8} {m:>10} {worst:>9}", c.name);
        assert!(worst <= 1, "{}: {worst} ulps", c.name);
    }
}
