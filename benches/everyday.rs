//! Everyday operations (issue 13) beside numpy: full reductions, reductions over each
//! axis (sum, mean, std, max), a transposed operand, a stepped slice, where/clip/any,
//! and small sizes around the thread-pool crossover. One JSON object per line on stdout (mathengine, a plain
//! Rust loop where one is meaningful, and numpy when `python3 -c 'import numpy'` works),
//! a readable table on stderr.
//!
//! cargo bench --bench everyday -- [--runs N]

use mathengine::{Array, Engine};
use std::time::Instant;

mod harness;
use harness::{measure, numpy_rows, report_impl, runs_arg};

const N: usize = 1 << 20;
const M: usize = 1024;

/// Uniform values in [-1, 1), fixed seed.
fn values(n: usize) -> Vec<f64> {
    let mut s = 0x5eedu64;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

type Op = fn(&Engine, &Array) -> Array;

/// The elements an operation reads: the number ending its name (`plus_1_16384`), else N.
fn elements(name: &str) -> usize {
    name.rsplit('_')
        .next()
        .and_then(|t| t.parse().ok())
        .filter(|&n| n > 1)
        .unwrap_or(N)
}

fn ops() -> Vec<(&'static str, bool, Op)> {
    // (name, operand is the 1024x1024 matrix, the operation)
    vec![
        ("sum", false, |e, x| e.sum(x, None, false).unwrap()),
        ("max", false, |e, x| e.max(x, None, false).unwrap()),
        ("argmax", false, |e, x| e.argmax(x, None).unwrap()),
        ("argmin", false, |e, x| e.argmin(x, None).unwrap()),
        ("sum_axis0", true, |e, x| {
            e.sum(x, Some(&[0]), false).unwrap()
        }),
        ("sum_axis1", true, |e, x| {
            e.sum(x, Some(&[1]), false).unwrap()
        }),
        ("transpose_plus_1", true, |e, x| e.transpose(x) + 1.0),
        // The same, timed against numpy writing a C-ordered result as we do (numpy's
        // m.T + 1 keeps the transposed layout: an F-ordered result, no transpose).
        ("transpose_plus_1_c_order", true, |e, x| {
            e.transpose(x) + 1.0
        }),
        ("mean_axis0", true, |e, x| {
            e.mean(x, Some(&[0]), false).unwrap()
        }),
        ("mean_axis1", true, |e, x| {
            e.mean(x, Some(&[1]), false).unwrap()
        }),
        ("std_axis0", true, |e, x| {
            e.std(x, Some(&[0]), false, 0).unwrap()
        }),
        ("std_axis1", true, |e, x| {
            e.std(x, Some(&[1]), false, 0).unwrap()
        }),
        ("max_axis0", true, |e, x| {
            e.max(x, Some(&[0]), false).unwrap()
        }),
        ("step2_plus_1", false, |e, x| {
            let s = [mathengine::Slice::new(None, None, 2)];
            e.slice(x, &s).unwrap() + 1.0
        }),
        ("where_positive", false, |e, x| {
            let zero = e.full(&[], 0.0f64);
            let c = e.greater(x, &zero).unwrap();
            e.where_(&c, x, &zero).unwrap()
        }),
        ("clip", false, |e, x| {
            let (lo, hi) = (e.full(&[], -0.5f64), e.full(&[], 0.5f64));
            e.clip(x, &lo, &hi).unwrap()
        }),
        ("any_positive", false, |e, x| {
            let c = e.greater(x, &e.full(&[], 0.999_999f64)).unwrap();
            e.any(&c, None, false).unwrap()
        }),
        ("small_sum_1000", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(1000), 1)];
            e.sum(&e.slice(x, &s).unwrap(), None, false).unwrap()
        }),
        ("small_plus_1_4096", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(4096), 1)];
            e.slice(x, &s).unwrap() + 1.0
        }),
        ("plus_1_16384", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(16384), 1)];
            e.slice(x, &s).unwrap() + 1.0
        }),
        ("plus_1_65536", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(65536), 1)];
            e.slice(x, &s).unwrap() + 1.0
        }),
        ("sum_65536", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(65536), 1)];
            e.sum(&e.slice(x, &s).unwrap(), None, false).unwrap()
        }),
        ("plus_1_262144", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(262144), 1)];
            e.slice(x, &s).unwrap() + 1.0
        }),
        ("sin_16384", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(16384), 1)];
            e.sin(&e.slice(x, &s).unwrap()).unwrap()
        }),
        ("sin_65536", false, |e, x| {
            let s = [mathengine::Slice::new(None, Some(65536), 1)];
            e.sin(&e.slice(x, &s).unwrap()).unwrap()
        }),
        // A row broadcast down the matrix, alone and summed (a multi-index per element).
        ("plus_row", true, |e, x| {
            let row = [
                mathengine::Slice::new(None, Some(1), 1),
                mathengine::Slice::all(),
            ];
            e.add(x, &e.slice(x, &row).unwrap()).unwrap()
        }),
        // Complex: the optics pupil pattern |exp(i m)|² and exp(i m) alone.
        ("abs2_exp_1j", true, |e, x| {
            let i = e.full(&[], mathengine::Complex64::new(0.0, 1.0));
            let z = e.exp(&e.mul(x, &i).unwrap()).unwrap();
            e.pow(&e.abs(&z).unwrap(), &e.full(&[], 2.0)).unwrap()
        }),
        ("exp_1j", true, |e, x| {
            let i = e.full(&[], mathengine::Complex64::new(0.0, 1.0));
            e.exp(&e.mul(x, &i).unwrap()).unwrap()
        }),
        ("sum_plus_row", true, |e, x| {
            let row = [
                mathengine::Slice::new(None, Some(1), 1),
                mathengine::Slice::all(),
            ];
            let y = e.add(x, &e.slice(x, &row).unwrap()).unwrap();
            e.sum(&y, None, false).unwrap()
        }),
    ]
}

const NUMPY: &str = r#"
import json, sys, time
import numpy as np
runs = int(sys.argv[1])
s = np.random.default_rng(5).uniform(-1, 1, 1 << 20)
m = s.reshape(1024, 1024)
ops = {
    "sum": lambda: s.sum(), "max": lambda: s.max(), "argmax": lambda: s.argmax(),
    "argmin": lambda: s.argmin(), "sum_axis0": lambda: m.sum(axis=0),
    "sum_axis1": lambda: m.sum(axis=1), "transpose_plus_1": lambda: m.T + 1,
    "transpose_plus_1_c_order": lambda: np.add(m.T, 1.0, order="C"),
    "mean_axis0": lambda: m.mean(axis=0), "mean_axis1": lambda: m.mean(axis=1),
    "std_axis0": lambda: m.std(axis=0), "std_axis1": lambda: m.std(axis=1),
    "max_axis0": lambda: m.max(axis=0), "step2_plus_1": lambda: s[::2] + 1,
    "where_positive": lambda: np.where(s > 0, s, 0.0), "clip": lambda: np.clip(s, -0.5, 0.5),
    "any_positive": lambda: (s > 0.999999).any(), "small_sum_1000": lambda: s[:1000].sum(),
    "small_plus_1_4096": lambda: s[:4096] + 1, "plus_1_16384": lambda: s[:16384] + 1,
    "plus_1_65536": lambda: s[:65536] + 1, "sum_65536": lambda: s[:65536].sum(),
    "plus_1_262144": lambda: s[:262144] + 1, "sin_16384": lambda: np.sin(s[:16384]),
    "sin_65536": lambda: np.sin(s[:65536]), "plus_row": lambda: m + m[:1],
    "sum_plus_row": lambda: (m + m[:1]).sum(),
    "abs2_exp_1j": lambda: np.abs(np.exp(1j * m)) ** 2, "exp_1j": lambda: np.exp(1j * m),
}
def size_of(name):
    last = name.rsplit("_", 1)[-1]
    return int(last) if last.isdigit() and int(last) > 1 else s.size
"#;

fn main() {
    let runs = runs_arg(21);
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let data = values(N);
    let v = e.from_vec(data.clone(), &[N]).unwrap();
    let m = e.from_vec(data.clone(), &[M, M]).unwrap();
    for (name, matrix, op) in ops() {
        let x = if matrix { &m } else { &v };
        let r = measure(runs, || {
            let t0 = Instant::now();
            op(&e, x).eval().unwrap();
            t0.elapsed().as_secs_f64()
        });
        report_impl(name, "mathengine-cpu", elements(name), &r);
    }
    // Plain Rust loops: what one core does without vectors or threads.
    let r = measure(runs, || {
        let t0 = Instant::now();
        let s: f64 = std::hint::black_box(&data).iter().sum();
        std::hint::black_box(s);
        t0.elapsed().as_secs_f64()
    });
    report_impl("sum", "rust-loop-1core", N, &r);
    numpy_rows(NUMPY, runs, None);
}
