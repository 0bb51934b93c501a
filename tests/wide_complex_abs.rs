//! |z| of complex128 arrays of 4096 elements or more, which the cpu backend runs with a
//! precompiled wide loop (codegen/src/math/wide_f64.rs): bit for bit against the JIT
//! (the same call on chunks of 2000 elements, below the loop's minimum) on parts of
//! every magnitude and sign, and libm's hypot exactly where a part is NaN, infinite,
//! huge or tiny. `MATHENGINE_WIDE=avx2` runs the AVX2 loop (scripts/test-all.sh);
//! `MATHENGINE_FRESH_SEED=1` draws new values.

#[path = "common/random.rs"]
mod random;
use mathengine::{Complex64, Engine};

fn abs(e: &Engine, z: &[Complex64]) -> Vec<f64> {
    let a = e.from_vec(z.to_vec(), &[z.len()]).unwrap();
    e.abs(&a).unwrap().to_vec::<f64>().unwrap()
}

#[test]
fn complex_abs_loop_matches_the_jit() {
    let e = Engine::with_backend("cpu").unwrap();
    let seed = random::seed("wide_complex_abs", 0xab5c_0128);
    for n in [4096, 4097, 8191, 40_001] {
        let u = random::values(3 * n, seed ^ n as u64);
        // Parts from 1e-30 to 1e30 and zeros, both signs.
        let part = |v: f64, w: f64| {
            if w > 0.9 {
                0.0
            } else {
                v.signum() * 10f64.powf(30.0 * w)
            }
        };
        let z: Vec<Complex64> = (0..n)
            .map(|i| Complex64::new(part(u[i], u[n + i]), part(u[n + i], u[2 * n + i])))
            .collect();
        let wide = abs(&e, &z);
        let jit: Vec<f64> = z.chunks(2000).flat_map(|c| abs(&e, c)).collect();
        for i in 0..n {
            assert!(
                wide[i].to_bits() == jit[i].to_bits(),
                "|{}| at {i} of {n}: wide {:e}, jit {:e}",
                z[i],
                wide[i],
                jit[i]
            );
        }
    }
}

#[test]
fn complex_abs_specials_are_libms() {
    let e = Engine::with_backend("cpu").unwrap();
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        1e-310,
        1e300,
        -1e-200,
        f64::MAX,
        2.5,
    ];
    let n = 10_000;
    let mut z = vec![Complex64::new(3.0, -4.0); n];
    for (k, (a, b)) in specials
        .iter()
        .flat_map(|a| specials.iter().map(move |b| (*a, *b)))
        .enumerate()
    {
        z[k * 97 % n] = Complex64::new(a, b);
    }
    let got = abs(&e, &z);
    for (i, v) in z.iter().enumerate() {
        let want = v.re.hypot(v.im);
        let same = (want.is_nan() && got[i].is_nan()) || want.to_bits() == got[i].to_bits();
        let special = |p: f64| !(1e-150..=1e150).contains(&p.abs()) && p != 0.0;
        if special(v.re) || special(v.im) {
            assert!(same, "|{v}| = {:e}, libm gives {want:e}", got[i]);
        }
    }
}
