//! The precompiled wide float32 loops (`y = f(x)` of one contiguous float32 array of at
//! least 4096 elements: sin, cos, exp, log, tanh) against the JIT, which runs them
//! below 4096 elements (here on chunks of 2000): bit for bit on values
//! in the fast ranges, at every length around the loops' blocks and the thread split
//! (except the JIT's scalar tail, the last elements after its vector loop, which calls
//! libm for some functions: within an ulp there);
//! and special values (NaN, ±Inf, ±0, subnormals, huge arguments) exactly as f32 libm
//! gives them, wherever they sit in a large array. `MATHENGINE_FRESH_SEED=1` draws new
//! values.

#[path = "common/random.rs"]
mod random;
#[path = "common/ulps.rs"]
mod ulps;
use mathengine::{Array, Engine};
use ulps::SPECIALS_F32 as SPECIALS;

type Op = fn(&Engine, &Array) -> Array;

/// A function, its f32 libm, and the range its random values come from.
struct Case(&'static str, Op, fn(f32) -> f32, (f64, f64));

fn ops() -> Vec<Case> {
    vec![
        Case("sin", |e, x| e.sin(x).unwrap(), f32::sin, (-1e5, 1e5)),
        Case("cos", |e, x| e.cos(x).unwrap(), f32::cos, (-1e5, 1e5)),
        Case("exp", |e, x| e.exp(x).unwrap(), f32::exp, (-110.0, 95.0)),
        Case("log", |e, x| e.log(x).unwrap(), f32::ln, (1e-30, 1e30)),
        Case("tanh", |e, x| e.tanh(x).unwrap(), f32::tanh, (-12.0, 12.0)),
    ]
}

/// `n` values spread over `range` (log-spaced magnitudes for log's wide range), with
/// small ones mixed in so every reduction branch is hit.
fn inputs(n: usize, range: (f64, f64), seed: u64) -> Vec<f32> {
    let u = random::values(n, seed);
    u.iter()
        .enumerate()
        .map(|(i, &v)| {
            let t = (v + 1.0) / 2.0;
            let x = if range.0 > 0.0 {
                (range.0.ln() + t * (range.1.ln() - range.0.ln())).exp()
            } else if i % 5 == 0 {
                v * 4.0
            } else {
                range.0 + t * (range.1 - range.0)
            };
            x as f32
        })
        .collect()
}

/// `op` on chunks of 2000 elements (below the wide loops' 4096 and a multiple of the
/// JIT's vector step): the JIT's values, whose scalar tail is again the last n % 8.
fn jit_reference(e: &Engine, op: Op, xs: &[f32]) -> Vec<f32> {
    xs.chunks(2000)
        .flat_map(|c| {
            let x = e.from_vec(c.to_vec(), &[c.len()]).unwrap();
            op(e, &x).to_vec::<f32>().unwrap()
        })
        .collect()
}

#[test]
fn wide_loops_match_the_jit_bit_for_bit() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let seed = random::seed("wide_f32", 0x051d_ef32);
    // Around the wide minimum (4096), the loop's 1024-blocks, one thread's maximum
    // (32768) and the 32768-element tasks.
    for n in [4096, 4097, 5119, 32767, 32768, 32769, 100_003] {
        for Case(name, op, _, range) in ops() {
            let xs = inputs(n, range, seed ^ n as u64);
            let x = e.from_vec(xs.clone(), &[n]).unwrap();
            let wide = op(&e, &x).to_vec::<f32>().unwrap();
            let jit = jit_reference(&e, op, &xs);
            for i in 0..n {
                let in_jit_tail = i >= n - n % 8;
                let d = ulps::ulps_f32(wide[i], jit[i]);
                assert!(
                    d == 0 || (in_jit_tail && d <= 1),
                    "{name}({:e}) at {i} of {n}: wide {:e}, jit {:e}",
                    xs[i],
                    wide[i],
                    jit[i]
                );
            }
        }
    }
}

#[test]
fn special_values_in_a_large_array_are_libms() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let n = 50_000;
    for Case(name, op, libm, range) in ops() {
        let mut xs = inputs(n, range, 7);
        // Every special at a few places: block starts and ends, a task boundary, the tail.
        let spots = [0, 1, 1023, 1024, 2047, 32767, 32768, n - 1];
        for (k, &s) in SPECIALS.iter().enumerate() {
            for (j, &p) in spots.iter().enumerate() {
                xs[(p + 97 * (k * spots.len() + j)) % n] = s;
            }
        }
        let x = e.from_vec(xs.clone(), &[n]).unwrap();
        let got = op(&e, &x).to_vec::<f32>().unwrap();
        for (i, &v) in xs.iter().enumerate() {
            if SPECIALS.iter().any(|s| s.to_bits() == v.to_bits()) {
                let want = libm(v);
                let same = (want.is_nan() && got[i].is_nan()) || want.to_bits() == got[i].to_bits();
                assert!(same, "{name}({v:e}) = {:e}, libm gives {want:e}", got[i]);
            }
        }
    }
}

/// arctan2's wide loop (two contiguous float32 operands): bit for bit against the JIT
/// on normal operands of every sign and ratio; and libm's value for every pair with a
/// special operand, in a large array.
#[test]
fn arctan2_loop_matches_the_jit_and_libm() {
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let seed = random::seed("wide_f32_atan2", 0x07a2_f32a);
    let atan2 = |a: &[f32], b: &[f32]| -> Vec<f32> {
        let n = a.len();
        let y = e.from_vec(a.to_vec(), &[n]).unwrap();
        let x = e.from_vec(b.to_vec(), &[n]).unwrap();
        e.arctan2(&y, &x).unwrap().to_vec::<f32>().unwrap()
    };
    for n in [4096, 4099, 32768, 50_001] {
        // Magnitudes from 1e-3 to 1e3 so every octant and ratio shows up.
        let mag = |v: f64, w: f64| (v.signum() * 10f64.powf(3.0 * w)) as f32;
        let u = random::values(2 * n, seed ^ n as u64);
        let a: Vec<f32> = (0..n).map(|i| mag(u[i], u[2 * n - 1 - i])).collect();
        let b: Vec<f32> = (0..n).map(|i| mag(u[n + i], u[i])).collect();
        let wide = atan2(&a, &b);
        let jit: Vec<f32> = a
            .chunks(2000)
            .zip(b.chunks(2000))
            .flat_map(|(p, q)| atan2(p, q))
            .collect();
        for i in 0..n {
            let d = ulps::ulps_f32(wide[i], jit[i]);
            assert!(
                d == 0 || (i >= n - n % 8 && d <= 1),
                "arctan2({:e}, {:e}) at {i} of {n}: wide {:e}, jit {:e}",
                a[i],
                b[i],
                wide[i],
                jit[i]
            );
        }
    }
    let n = SPECIALS.len() * SPECIALS.len() + 5000;
    let mut a = vec![0.5f32; n];
    let mut b = vec![-2.0f32; n];
    for (k, (p, q)) in SPECIALS
        .iter()
        .flat_map(|p| SPECIALS.iter().map(move |q| (*p, *q)))
        .enumerate()
    {
        a[k * 23 % n] = p;
        b[k * 23 % n] = q;
    }
    let got = atan2(&a, &b);
    for i in 0..n {
        let want = a[i].atan2(b[i]);
        let special = |v: f32| !v.is_normal();
        if special(a[i]) || special(b[i]) {
            let same = (want.is_nan() && got[i].is_nan()) || want.to_bits() == got[i].to_bits();
            assert!(
                same,
                "arctan2({:e}, {:e}) = {:e}, libm gives {want:e}",
                a[i], b[i], got[i]
            );
        }
    }
}
