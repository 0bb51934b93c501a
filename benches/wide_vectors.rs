//! Would heavy elementwise work gain from vectors wider than Cranelift's 128-bit ones
//! (issue 13)? These machines have AVX-512; the JIT emits f32x4 / f64x2 only. The same
//! work, a degree-12 polynomial by Horner's rule (multiply, add: the core of every inline
//! transcendental), on 2^20 float32 values on one thread, four ways:
//!
//! - `jit-f32x4`: the engine's fused kernel;
//! - `rust-sse2`: a Rust loop compiled for baseline x86-64 (what a precompiled routine
//!   without run-time dispatch gets: 4 lanes);
//! - `rust-avx512`: the same loop compiled for AVX-512 (`#[target_feature]`, chosen at
//!   run time: 16 lanes);
//! - `rust-avx512-blocks`: the AVX-512 loop called on L1-sized blocks copied in and out
//!   of scratch, the way a fused kernel would hand a block to a precompiled routine.
//!
//! One JSON object per line on stdout:
//!
//! cargo bench --bench wide_vectors -- [--runs N]

use mathengine::{DType, Engine};
use std::hint::black_box;
use std::time::Instant;

mod harness;
use harness::{measure, report_impl, runs_arg};

const N: usize = 1 << 20;
/// Elements per block handed to a routine: 16 KiB of f32 in and out, inside L1.
const BLOCK: usize = 4096;
/// Horner coefficients, highest degree first (|x| < 1 keeps every term finite).
const COEFS: [f32; 13] = [
    0.01, -0.02, 0.03, -0.05, 0.08, -0.13, 0.21, -0.34, 0.55, -0.89, 1.44, -2.33, 3.77,
];

fn horner(x: &[f32], out: &mut [f32]) {
    for (o, &v) in out.iter_mut().zip(x) {
        let mut acc = COEFS[0];
        for &c in &COEFS[1..] {
            acc = acc * v + c;
        }
        *o = acc;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn horner_avx512(x: &[f32], out: &mut [f32]) {
    horner(x, out)
}

fn main() {
    let runs = runs_arg(21);
    let x: Vec<f32> = (0..N)
        .map(|i| ((i * 7919) % 2000) as f32 / 1000.0 - 1.0)
        .collect();
    let mut out = vec![0f32; N];

    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool");
    let e = Engine::with_backend("cpu").expect("cpu backend");
    let xa = e.from_vec(x.clone(), &[N]).expect("length matches");
    let r = one_thread.install(|| {
        measure(runs, || {
            let t0 = Instant::now();
            let mut acc = e.full(&[], COEFS[0]).astype(DType::F32);
            for &c in &COEFS[1..] {
                acc = &(&acc * &xa) + c as f64;
            }
            acc.eval().expect("evaluates");
            t0.elapsed().as_secs_f64()
        })
    });
    report_impl("horner12_f32", "jit-f32x4", N, &r);

    let r = measure(runs, || {
        let t0 = Instant::now();
        horner(black_box(&x), black_box(&mut out));
        t0.elapsed().as_secs_f64()
    });
    report_impl("horner12_f32", "rust-sse2", N, &r);

    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        let r = measure(runs, || {
            let t0 = Instant::now();
            // SAFETY: the CPU has AVX-512F (checked above).
            unsafe { horner_avx512(black_box(&x), black_box(&mut out)) };
            t0.elapsed().as_secs_f64()
        });
        report_impl("horner12_f32", "rust-avx512", N, &r);
        let (mut scratch_in, mut scratch_out) = (vec![0f32; BLOCK], vec![0f32; BLOCK]);
        let r = measure(runs, || {
            let t0 = Instant::now();
            for (xs, os) in x.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
                let n = xs.len();
                scratch_in[..n].copy_from_slice(xs);
                // SAFETY: as above.
                unsafe { horner_avx512(black_box(&scratch_in[..n]), &mut scratch_out[..n]) };
                os.copy_from_slice(&scratch_out[..n]);
            }
            black_box(&out);
            t0.elapsed().as_secs_f64()
        });
        report_impl("horner12_f32", "rust-avx512-blocks", N, &r);
    } else {
        eprintln!("no AVX-512 on this CPU: the avx512 rows are left out");
    }
}
