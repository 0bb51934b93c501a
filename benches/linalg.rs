//! The linear-algebra workloads (LSTSQ, MATMUL), one JSON object per line on stdout (the
//! format of docs/benchmarks/WORKLOADS.md) and a readable line on stderr:
//!
//! - LSTSQ: least squares of a 262144×66 float64 matrix against one right-hand side (the
//!   shape of the Zernike fit: 512² samples, 66 modes), random fixed-seed data;
//! - MATMUL: a 1024×1024 float64 matrix product.
//!
//! The operands are evaluated before timing; each run builds the lazy call and evaluates
//! it (the result is dropped, so the next run computes it again).
//!
//! cargo bench --bench linalg -- [--only LSTSQ,MATMUL] [--size N] [--quick] [--backend cpu]

use mathengine::{Array, Engine};
use std::time::Instant;

mod harness;
use harness::{measure, parse_options, report, Measurement};

/// xorshift64*: deterministic values in [-0.5, 0.5).
fn random(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect()
}

fn input(e: &Engine, seed: u64, shape: &[usize]) -> Array {
    let a = e
        .from_vec(random(seed, shape.iter().product()), shape)
        .expect("input");
    a.eval().expect("input evaluates");
    a
}

/// LSTSQ: x = lstsq(A, b) for A m×66.
fn lstsq(e: &Engine, m: usize, runs: usize) -> Measurement {
    let a = input(e, 0x5EED_0001, &[m, 66]);
    let b = input(e, 0x5EED_0002, &[m]);
    measure(runs, || {
        let t0 = Instant::now();
        let x = e.linalg.lstsq(&a, &b).expect("lstsq");
        let v = x.to_vec::<f64>().expect("lstsq evaluates");
        assert_eq!(v.len(), 66);
        t0.elapsed().as_secs_f64()
    })
}

/// MATMUL: A @ B for n×n float64 matrices.
fn matmul(e: &Engine, n: usize, runs: usize) -> Measurement {
    let a = input(e, 0x5EED_0003, &[n, n]);
    let b = input(e, 0x5EED_0004, &[n, n]);
    measure(runs, || {
        let t0 = Instant::now();
        e.linalg
            .matmul(&a, &b)
            .expect("matmul")
            .eval()
            .expect("matmul evaluates");
        e.synchronize().expect("the backend finishes");
        t0.elapsed().as_secs_f64()
    })
}

fn main() {
    let opts = parse_options();
    let runs = opts.runs();
    eprintln!(
        "mathengine linalg on {} with {} threads",
        mathengine_codegen::isa_description(),
        rayon::current_num_threads()
    );
    for (backend, e) in opts.engines() {
        let backend = backend.as_str();
        if opts.wants("LSTSQ") {
            let m = opts
                .size
                .unwrap_or(if opts.quick { 1 << 12 } else { 1 << 18 });
            report("LSTSQ", backend, m, &lstsq(&e, m, runs));
        }
        if opts.wants("MATMUL") {
            let n = opts.size.unwrap_or(if opts.quick { 128 } else { 1024 });
            report("MATMUL", backend, n, &matmul(&e, n, runs));
        }
    }
}
