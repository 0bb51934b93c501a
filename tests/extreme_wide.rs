//! float64 min/max/argmin/argmax of rows of 4096 or more elements in memory (a full
//! reduction, or one over the last axis), which the cpu backend runs with precompiled
//! wide loops (src/backend/cpu_extreme.rs), against the reference interpreter, exactly:
//! the best value at the start, the end, across the 65536-element pieces a row is
//! split into, repeated (the first index wins), infinities everywhere, and the cases
//! handed back to the JIT (a NaN anywhere, a ±0 min/max). `MATHENGINE_WIDE=avx2` runs
//! the AVX2 loops (scripts/test-all.sh); `MATHENGINE_FRESH_SEED=1` draws new values.

#[path = "common/random.rs"]
mod random;
use mathengine::{Array, Engine};

fn results(e: &Engine, data: &[f64], shape: &[usize]) -> Vec<(Vec<f64>, Vec<i64>)> {
    let x = e.from_vec(data.to_vec(), shape).unwrap();
    let axes: Vec<Option<isize>> = if shape.len() == 1 {
        vec![None]
    } else {
        vec![None, Some(-1)]
    };
    axes.into_iter()
        .map(|axis| {
            let ax = axis.map(|a| vec![a]);
            let values = |a: Array| a.to_vec::<f64>().unwrap();
            let idx = |a: Array| a.to_vec::<i64>().unwrap();
            let mut v = values(e.max(&x, ax.as_deref(), false).unwrap());
            v.extend(values(e.min(&x, ax.as_deref(), false).unwrap()));
            let mut i = idx(e.argmax(&x, axis).unwrap());
            i.extend(idx(e.argmin(&x, axis).unwrap()));
            (v, i)
        })
        .collect()
}

fn check(name: &str, data: &[f64], shape: &[usize]) {
    let cpu = Engine::with_backend("cpu").unwrap();
    let reference = Engine::with_backend("reference").unwrap();
    let got = results(&cpu, data, shape);
    let want = results(&reference, data, shape);
    for ((gv, gi), (wv, wi)) in got.iter().zip(&want) {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(gv), bits(wv), "{name}: min/max values");
        assert_eq!(gi, wi, "{name}: argmin/argmax");
    }
}

#[test]
fn wide_extremes_match_the_interpreter() {
    let seed = random::seed("extreme_wide", 0xe87e_3e5a);
    for n in [4096, 4099, 65535, 65536, 65537, 200_003] {
        let base = random::values(n, seed ^ n as u64);
        check("random", &base, &[n]);
        for (what, at) in [
            ("first", 0),
            ("last", n - 1),
            ("piece edge", 65536.min(n - 1)),
        ] {
            let mut d = base.clone();
            d[at] = 5.0;
            d[(at + n / 2) % n] = -5.0;
            check(what, &d, &[n]);
        }
        // Repeated best values: the first of them wins.
        let mut d = base.clone();
        for k in [n / 3, n / 5, n - 2, 70_000 % n] {
            d[k] = 7.0;
            d[(k + 11) % n] = -7.0;
        }
        check("repeated", &d, &[n]);
        check("all -inf", &vec![f64::NEG_INFINITY; n], &[n]);
        check("all +inf", &vec![f64::INFINITY; n], &[n]);
        // Handed to the JIT: a NaN, zeros as the extreme (their sign decides).
        let mut d = base.clone();
        d[n / 2] = f64::NAN;
        check("nan", &d, &[n]);
        let zeros: Vec<f64> = (0..n)
            .map(|i| if i % 3 == 0 { -0.0 } else { 0.0 })
            .collect();
        check("signed zeros", &zeros, &[n]);
        let neg: Vec<f64> = base.iter().map(|v| -v.abs() - 1.0).collect();
        let mut d = neg.clone();
        d[n - 3] = -0.0;
        check("zero max", &d, &[n]);
        // Zeros of both signs where lanes would meet them out of order: -0 first in
        // memory (lane 1), +0 later in lane 0.
        let mut d = neg.clone();
        d[1] = -0.0;
        d[16] = 0.0;
        check("zero max out of lane order", &d, &[n]);
    }
}

#[test]
fn wide_extremes_over_the_last_axis() {
    let seed = random::seed("extreme_wide_rows", 0x05a1_10e5);
    for (rows, cols) in [(3, 4096), (7, 5000), (2, 70_000)] {
        let mut d = random::values(rows * cols, seed ^ cols as u64);
        d[cols + 17] = 3.0;
        d[cols + 4000] = 3.0;
        check("rows", &d, &[rows, cols]);
        d[2 * cols - 1] = f64::NAN;
        check("rows with a nan", &d, &[rows, cols]);
    }
}
