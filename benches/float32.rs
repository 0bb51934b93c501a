//! float32 elementwise functions and a fused float32 chain (issue 13) beside numpy, plus
//! the same chain in float64 as a check that the f64 path did not get slower. One JSON
//! object per line on stdout (mathengine, and numpy when `python3 -c 'import numpy'`
//! works, timed in the same run), a readable table on stderr.
//!
//! cargo bench --bench float32 -- [--runs N]

use mathengine::{Array, DType, Engine};
use std::time::Instant;

mod harness;
use harness::{measure, numpy_rows, report_impl, runs_arg};

const N: usize = 1 << 20;

/// Uniform values in [-3, 3), fixed seed.
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 6.0 - 3.0
        })
        .collect()
}

type Op = fn(&Engine, &Array, &Array) -> Array;

fn w4(x: &Array) -> Array {
    x.sin().square() + x.cos() * (-(x * x)).exp()
}

fn ops() -> Vec<(&'static str, Op)> {
    // (name, the operation on x (and y)); the f64 chain is the last row.
    vec![
        ("add_f32", |_, x, y| x + y),
        ("sin_f32", |_, x, _| x.sin()),
        ("cos_f32", |_, x, _| x.cos()),
        ("exp_f32", |_, x, _| x.exp()),
        ("log_f32", |e, x, _| e.log(&e.abs(x).unwrap()).unwrap()),
        ("tanh_f32", |e, x, _| e.tanh(x).unwrap()),
        ("arctan2_f32", |e, x, y| e.arctan2(x, y).unwrap()),
        ("w4_chain_f32", |_, x, _| w4(x)),
        ("w4_chain_f64", |_, x, _| w4(x)),
    ]
}

const NUMPY: &str = r#"
import json, sys, time
import numpy as np
runs = int(sys.argv[1])
rng = np.random.default_rng(5)
x = rng.uniform(-3, 3, 1 << 20).astype(np.float32)
y = rng.uniform(-3, 3, 1 << 20).astype(np.float32)
x64 = x.astype(np.float64)
def w4(x):
    return np.sin(x) ** 2 + np.cos(x) * np.exp(-(x * x))
ops = {
    "add_f32": lambda: x + y, "sin_f32": lambda: np.sin(x), "cos_f32": lambda: np.cos(x),
    "exp_f32": lambda: np.exp(x), "log_f32": lambda: np.log(np.abs(x)),
    "tanh_f32": lambda: np.tanh(x), "arctan2_f32": lambda: np.arctan2(x, y),
    "w4_chain_f32": lambda: w4(x), "w4_chain_f64": lambda: w4(x64),
}
"#;

fn main() {
    let runs = runs_arg(21);
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let x64 = e.from_vec(values(N, 0x5eed), &[N]).unwrap();
    let y64 = e.from_vec(values(N, 0xbeef), &[N]).unwrap();
    let (x32, y32) = (e.astype(&x64, DType::F32), e.astype(&y64, DType::F32));
    x32.eval().unwrap();
    y32.eval().unwrap();
    for (name, op) in ops() {
        let (x, y) = if name.ends_with("f64") {
            (&x64, &y64)
        } else {
            (&x32, &y32)
        };
        let r = measure(runs, || {
            let t0 = Instant::now();
            op(&e, x, y).eval().unwrap();
            t0.elapsed().as_secs_f64()
        });
        report_impl(name, "mathengine-cpu", N, &r);
    }
    numpy_rows(NUMPY, runs, Some(1 << 20));
}
