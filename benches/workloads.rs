//! The workloads of docs/benchmarks/WORKLOADS.md that the engine covers so far (W3, W4, W5,
//! W6, and a plain 2-D FFT), one JSON object per line on stdout; a human-readable table
//! on stderr. (W1/W2, the Zernike workloads, are in benches/polynomials.rs.)
//!
//! cargo bench --bench workloads -- [--only W4,W5] [--size N] [--quick] [--backend cpu,reference]

use mathengine::{Array, Complex64, Engine, Norm};
use std::time::Instant;

mod harness;
use harness::{measure, parse_options, report, w3_pupil, Measurement};

/// W3: the PSF of an N×N pupil: P = (r <= 1) * exp(1j * 2π/λ * W), zero-padded to 2N,
/// F = fftshift(fft2(P)), |F|². The wavefront W here is the sum of four closed-form
/// orthonormal Zernike terms (defocus, astigmatism, coma, spherical) rather than W2's
/// 66 modes, so that this bench does not depend on the polynomial module.
fn w3(e: &Engine, n: usize, runs: usize) -> Measurement {
    measure(runs, || {
        let t0 = Instant::now();
        let pupil = w3_pupil(e, n);
        let f = e
            .fft
            .fft2(&pupil, Some(&[2 * n, 2 * n]), None, Norm::Backward)
            .expect("fft2");
        let psf = e
            .square(
                &e.abs(&e.fft.fftshift(&f, None).expect("shift"))
                    .expect("abs"),
            )
            .expect("square");
        psf.eval().expect("W3 evaluates");
        e.synchronize().expect("the backend finishes");
        t0.elapsed().as_secs_f64()
    })
}

/// fft2 of an N×N complex128 array already in memory.
fn fft2_alone(e: &Engine, n: usize, runs: usize) -> Measurement {
    let data: Vec<Complex64> = (0..n * n)
        .map(|i| Complex64::new((i % 7) as f64, (i % 3) as f64))
        .collect();
    let a = e.from_vec(data, &[n, n]).expect("input");
    measure(runs, || {
        let t0 = Instant::now();
        e.fft
            .fft2(&a, None, None, Norm::Backward)
            .expect("fft2")
            .eval()
            .expect("fft2 evaluates");
        e.synchronize().expect("the backend finishes");
        t0.elapsed().as_secs_f64()
    })
}

/// W4: y = sin(x)^2 + cos(x) * exp(-x*x), x = linspace(-3, 3, n).
fn w4(e: &Engine, n: usize, runs: usize) -> Measurement {
    measure(runs, || {
        let t0 = Instant::now();
        let x = e.linspace(-3.0, 3.0, n);
        let y = x.sin().square() + x.cos() * (-(&x * &x)).exp();
        y.eval().expect("W4 evaluates");
        e.synchronize().expect("the backend finishes");
        t0.elapsed().as_secs_f64()
    })
}

/// W5: per-evaluation overhead of y = (x*2 + 1) * x on 1000 elements, built and
/// evaluated again and again (the kernel is cached after the first time).
fn w5(e: &Engine, n: usize, runs: usize, reps: usize) -> Measurement {
    measure(runs, || {
        let t0 = Instant::now();
        for _ in 0..reps {
            let x = e.linspace(0.0, 1.0, n);
            let y = (&x * 2.0 + 1.0) * &x;
            y.eval().expect("W5 evaluates");
            e.synchronize().expect("the backend finishes");
        }
        t0.elapsed().as_secs_f64() / reps as f64
    })
}

/// W6: a never-seen 20-op expression (every third op adds sin(y), the others multiply
/// and add constants), from building it to its first result. The kernel cache is
/// cleared before each run, so every run compiles.
fn w6(e: &Engine, n: usize, runs: usize) -> Measurement {
    let mut k = 0u32;
    measure(runs, || {
        e.backend().clear_cache();
        k += 1;
        let t0 = Instant::now();
        let x = e.linspace(0.0, 1.0, n);
        let mut y: Array = x.clone();
        for i in 0..20 {
            y = match i % 3 {
                2 => &y + y.sin(),
                1 => &y + (0.5 + k as f64),
                _ => &y * 1.0001,
            };
        }
        y.to_vec::<f64>().expect("W6 evaluates");
        e.synchronize().expect("the backend finishes");
        t0.elapsed().as_secs_f64()
    })
}

fn main() {
    let opts = parse_options();
    let wanted = |w: &str| {
        opts.only
            .as_ref()
            .is_none_or(|list| list.iter().any(|x| x == w))
    };
    let runs = opts.runs();
    eprintln!(
        "mathengine workloads on {}",
        mathengine_codegen::isa_description()
    );
    for (backend, e) in opts.engines() {
        let backend = backend.as_str();
        // The interpreter is for correctness: small sizes only.
        let slow = backend == "reference";
        if wanted("W3") {
            let n = opts
                .size
                .unwrap_or(if opts.quick || slow { 32 } else { 512 });
            report("W3", backend, n, &w3(&e, n, runs));
        }
        if wanted("FFT2") {
            let n = opts
                .size
                .unwrap_or(if opts.quick || slow { 64 } else { 1024 });
            report("FFT2", backend, n, &fft2_alone(&e, n, runs));
        }
        if wanted("W4") {
            let n = opts
                .size
                .unwrap_or(if opts.quick || slow { 1 << 12 } else { 1 << 22 });
            report("W4", backend, n, &w4(&e, n, runs));
        }
        if wanted("W5") {
            let n = opts.size.unwrap_or(1000);
            let reps = if opts.quick { 10 } else { 2000 };
            report("W5", backend, n, &w5(&e, n, runs, reps));
        }
        if wanted("W6") {
            let n = opts.size.unwrap_or(1000);
            report("W6", backend, n, &w6(&e, n, runs.max(3)));
        }
    }
}
