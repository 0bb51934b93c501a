//! Every unary and binary operation on float32 inputs, on the cpu backend (f32x4 fast
//! path and scalar tail) against the reference interpreter: lengths 0, 1, 3, 4, 5 and
//! 1023 (empty, tail only, one vector plus tails, many vectors), special values placed
//! at every lane position. Exact operations must agree bitwise; inline transcendentals
//! within 2 ulps of the interpreter's f32 libm (each is within 1 ulp of the correctly
//! rounded value, `tests/ulp_f32.rs`), and exactly for NaN, ±Inf, ±0, subnormal and
//! huge (sin/cos/tan) arguments. `MATHENGINE_FRESH_SEED=1` draws new random inputs.

#[path = "common/random.rs"]
mod random;
#[path = "common/ulps.rs"]
mod ulps;
use mathengine::{Array, DType, Engine};
use mathengine_ir::{BinaryOp, UnaryOp};
use ulps::ulps_f32 as ulps;

const LENGTHS: [usize; 6] = [0, 1, 3, 4, 5, 1023];

fn seed() -> u64 {
    random::seed("float32_ops", 0xf32_2026)
}

const SPECIALS: [f32; 22] = [
    f32::NAN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    0.0,
    -0.0,
    1e-45,
    -1e-45,
    1e-40,
    f32::MIN_POSITIVE,
    f32::MAX,
    f32::MIN,
    1e5,
    -1e5,
    100_000.01,
    3.0e8,
    -1e30,
    1.0,
    -1.0,
    0.5,
    -2.5,
    88.8,
    -104.0,
];

/// `n` inputs: specials at the front (so short vectors see them in every lane), then
/// random values of mixed scales with specials sprinkled in.
fn inputs(n: usize, rng: &mut u64, rotate: usize) -> Vec<f32> {
    let mut next = || {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        *rng
    };
    (0..n)
        .map(|i| {
            let r = next();
            if i < SPECIALS.len() * 2 || r % 17 == 0 {
                SPECIALS[(i + rotate + (r >> 40) as usize) % SPECIALS.len()]
            } else {
                let mag = 10f32.powf(((r >> 11) % 1000) as f32 / 100.0 - 5.0);
                let m = ((r >> 20) & 0xffff) as f32 / 65536.0 * mag;
                if r & 1 == 0 {
                    m
                } else {
                    -m
                }
            }
        })
        .collect()
}

/// Values of an evaluated result as f64 (exact for f32 and bool), with its dtype.
fn values(r: &Array) -> (DType, Vec<f64>) {
    r.eval().expect("eval");
    let v = r.astype(DType::F64).to_vec::<f64>().expect("to_vec");
    (r.dtype(), v)
}

/// Compare one result; `special` marks inputs where even a transcendental is exact.
fn compare(what: &str, inexact: bool, got: &Array, want: &Array, special: &[bool]) {
    let (gt, g) = values(got);
    let (wt, w) = values(want);
    assert_eq!(gt, wt, "{what}: dtype");
    for i in 0..g.len() {
        let (a, b) = (g[i] as f32, w[i] as f32);
        let d = ulps(a, b);
        let sign_ok = a.is_nan() || a.is_sign_negative() == b.is_sign_negative();
        let ok = if inexact && !special[i] {
            d <= 2
        } else {
            d == 0 && sign_ok
        };
        assert!(ok, "{what}[{i}] of {}: cpu {a:e}, reference {b:e}", g.len());
    }
}

/// Inputs where the inline functions give libm's bits: non-finite, zero, subnormal,
/// and (for the trigonometric ones) |x| > 1e5.
fn is_special(x: f32, trig: bool) -> bool {
    !x.is_finite() || x.abs() < f32::MIN_POSITIVE || (trig && x.abs() > 1e5)
}

/// The functions computed inline (within an ulp, not libm's bits): the transcendental
/// ones except those still called from libm (cbrt, arcsin, arccos).
fn inexact_unary(op: UnaryOp) -> bool {
    use UnaryOp::*;
    op.is_transcendental() && !matches!(op, Cbrt | Asin | Acos)
}

/// The cpu's and the interpreter's results of one op: equal (see `compare`), or both
/// refused.
fn check_op(
    what: &str,
    inexact: bool,
    got: mathengine::Result<Array>,
    want: mathengine::Result<Array>,
    special: &[bool],
) {
    match (got, want) {
        (Ok(g), Ok(w)) => compare(what, inexact, &g, &w, special),
        (Err(_), Err(_)) => {}
        (g, w) => panic!("{what}: cpu ok {}, reference ok {}", g.is_ok(), w.is_ok()),
    }
}

#[test]
fn every_unary_op_on_f32_matches_the_interpreter() {
    let cpu = Engine::with_backend("cpu").expect("cpu");
    let reference = Engine::with_backend("reference").expect("reference");
    let mut rng = seed() | 1;
    for &n in &LENGTHS {
        let xs = inputs(n, &mut rng, n);
        let xc = cpu.from_vec(xs.clone(), &[n]).expect("x");
        let xr = reference.from_vec(xs.clone(), &[n]).expect("x");
        for &op in UnaryOp::ALL {
            let trig = matches!(op, UnaryOp::Sin | UnaryOp::Cos | UnaryOp::Tan);
            let special: Vec<bool> = xs.iter().map(|&x| is_special(x, trig)).collect();
            check_op(
                &format!("{}(f32, n={n})", op.name()),
                inexact_unary(op),
                cpu.unary(op, &xc),
                reference.unary(op, &xr),
                &special,
            );
        }
    }
}

#[test]
fn every_binary_op_on_f32_matches_the_interpreter() {
    let cpu = Engine::with_backend("cpu").expect("cpu");
    let reference = Engine::with_backend("reference").expect("reference");
    let mut rng = seed() ^ 0xb1 | 1;
    for &n in &LENGTHS {
        let xs = inputs(n, &mut rng, 0);
        let ys = inputs(n, &mut rng, 5);
        let special: Vec<bool> = xs
            .iter()
            .zip(&ys)
            .map(|(&x, &y)| is_special(x, false) || is_special(y, false))
            .collect();
        let (xc, yc) = (
            cpu.from_vec(xs.clone(), &[n]).expect("x"),
            cpu.from_vec(ys.clone(), &[n]).expect("y"),
        );
        let (xr, yr) = (
            reference.from_vec(xs.clone(), &[n]).expect("x"),
            reference.from_vec(ys.clone(), &[n]).expect("y"),
        );
        for &op in BinaryOp::ALL {
            let inexact = matches!(op, BinaryOp::Atan2 | BinaryOp::Hypot);
            check_op(
                &format!("{}(f32, n={n})", op.name()),
                inexact,
                cpu.binary(op, &xc, &yc),
                reference.binary(op, &xr, &yr),
                &special,
            );
        }
    }
}

/// A fused float32 chain with casts both ways, a select and a comparison, on the f32x4
/// path (lengths around the vector width) against the interpreter.
#[test]
fn fused_f32_chains_with_casts_and_selects_match_the_interpreter() {
    let cpu = Engine::with_backend("cpu").expect("cpu");
    let reference = Engine::with_backend("reference").expect("reference");
    let mut rng = seed() ^ 0xc4 | 1;
    for &n in &LENGTHS {
        let xs = inputs(n, &mut rng, 3);
        let run = |e: &Engine| {
            let x = e.from_vec(xs.clone(), &[n]).expect("x");
            // sin^2 + cos * exp(-x^2), in f32.
            let w4 = x.sin().square() + x.cos() * (-(&x * &x)).exp();
            // Through f64 and back, a comparison of f32 selecting f32 values.
            let wide = e.astype(&(e.astype(&x, DType::F64) * 3.0), DType::F32);
            let pos = e.binary(BinaryOp::Gt, &x, &wide).expect("gt");
            let pick = e.where_(&pos, &x, &(&wide + 1.0)).expect("where");
            (w4, pick)
        };
        let (gw, gp) = run(&cpu);
        let (ww, wp) = run(&reference);
        // The sum can cancel, so compare the chain with an absolute tolerance.
        let (g, w) = (values(&gw).1, values(&ww).1);
        for i in 0..n {
            let ok = (g[i].is_nan() && w[i].is_nan()) || (g[i] - w[i]).abs() <= 1e-6;
            assert!(
                ok,
                "w4 f32[{i}] of {n}: cpu {:e}, reference {:e}",
                g[i], w[i]
            );
        }
        compare(
            &format!("select f32 n={n}"),
            false,
            &gp,
            &wp,
            &vec![false; n],
        );
    }
}
