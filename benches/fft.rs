//! FFT throughput: fft2 of an N×N complex128 (`FFT2`) and complex64 (`FFT2-C64`) array
//! already in memory, and the two passes of each alone (`FFT-ROWS`: the last axis,
//! `FFT-COLS`: axis 0; `FFT-ROWS-C64`, `FFT-COLS-C64`), one JSON object per line on stdout as the other
//! benches print (a readable line on stderr). `W3-PUPIL`, `W3-FFT`, `W3-PSF` time the
//! three phases of the PSF workload W3 (benches/workloads.rs) separately: the pupil
//! kernel, the zero-padded fft2, and |fftshift(F)|². The peers (scipy.fft with
//! workers=-1, numpy) are in benches/peers/fft.py.
//!
//! cargo bench --bench fft -- [--only FFT2,FFT2-C64,FFT-ROWS,FFT-COLS-C64,W3-PHASES,..]
//!     [--size N] [--quick]
//!
//! `W3-PHASES` runs W3 with a pupil of N/2 (its FFT is N×N, like FFT2's).
//!
//! Without `--size`, N = 1024, 2048 and 4096 (64 with `--quick`).

use mathengine::{Array, Complex32, Complex64, DType, Engine, Indexing, Norm};
use std::time::Instant;

mod harness;
use harness::{measure, parse_options, report, Measurement};

/// The same data as benches/peers: real part i % 7, imaginary part i % 3.
fn input_c128(e: &Engine, n: usize) -> Array {
    let data: Vec<Complex64> = (0..n * n)
        .map(|i| Complex64::new((i % 7) as f64, (i % 3) as f64))
        .collect();
    e.from_vec(data, &[n, n]).expect("input")
}

fn input_c64(e: &Engine, n: usize) -> Array {
    let data: Vec<Complex32> = (0..n * n)
        .map(|i| Complex32::new((i % 7) as f32, (i % 3) as f32))
        .collect();
    e.from_vec(data, &[n, n]).expect("input")
}

/// Time `transform(a)` evaluated, `runs` times after a warm-up.
fn time(e: &Engine, a: &Array, runs: usize, transform: impl Fn(&Array) -> Array) -> Measurement {
    a.eval().expect("the input evaluates");
    measure(runs, || {
        let t0 = Instant::now();
        transform(a).eval().expect("the transform evaluates");
        e.synchronize().expect("the backend finishes");
        t0.elapsed().as_secs_f64()
    })
}

/// W3's pupil on an N×N grid (the same expression as benches/workloads.rs).
fn pupil(e: &Engine, n: usize) -> Array {
    let dx = 2.0 / n as f64;
    let half = (n / 2) as f64;
    let x = e
        .arange(-half * dx, (n as f64 - half - 0.5) * dx, dx)
        .expect("grid axis");
    let xy = e.meshgrid(&[&x, &x], Indexing::Xy).expect("grid");
    let (gx, gy) = (&xy[0], &xy[1]);
    let r2 = gx * gx + gy * gy;
    let r = r2.sqrt();
    let t = e.arctan2(gy, gx).expect("angle");
    let w = (&r2 * 2.0 - 1.0) * (3f64.sqrt() * 0.1)
        + &r2 * (&t * 2.0).cos() * (6f64.sqrt() * 0.05)
        + (&r2 * &r * 3.0 - &r * 2.0) * t.cos() * (8f64.sqrt() * -0.02)
        + (&r2 * &r2 * 6.0 - &r2 * 6.0 + 1.0) * (5f64.sqrt() * 0.03);
    let k = std::f64::consts::TAU / 0.6328;
    let phase = e.astype(&(&w * k), DType::C128);
    let i_phase = e
        .mul(&phase, &e.scalar(Complex64::new(0.0, 1.0)))
        .expect("i phase");
    let field = e.exp(&i_phase).expect("exp");
    let mask = e.astype(
        &e.less_equal(&r, &e.scalar(1.0)).expect("mask"),
        DType::C128,
    );
    e.mul(&mask, &field).expect("pupil")
}

/// The three phases of W3 timed one at a time (the earlier ones run untimed first).
fn w3_phases(e: &Engine, n: usize, runs: usize, backend: &str) {
    let padded_fft2 = |p: &Array| {
        e.fft
            .fft2(p, Some(&[2 * n, 2 * n]), None, Norm::Backward)
            .expect("fft2")
    };
    let m = measure(runs, || {
        let t0 = Instant::now();
        pupil(e, n).eval().expect("pupil");
        t0.elapsed().as_secs_f64()
    });
    report("W3-PUPIL", backend, n, &m);
    let m = measure(runs, || {
        let p = pupil(e, n);
        p.eval().expect("pupil");
        let t0 = Instant::now();
        padded_fft2(&p).eval().expect("fft2");
        t0.elapsed().as_secs_f64()
    });
    report("W3-FFT", backend, n, &m);
    let m = measure(runs, || {
        let f = padded_fft2(&pupil(e, n));
        f.eval().expect("fft2");
        let t0 = Instant::now();
        let shifted = e.fft.fftshift(&f, None).expect("shift");
        let psf = e.square(&e.abs(&shifted).expect("abs")).expect("square");
        psf.eval().expect("psf");
        t0.elapsed().as_secs_f64()
    });
    report("W3-PSF", backend, n, &m);
}

fn main() {
    let opts = parse_options();
    let runs = opts.runs();
    let sizes = match opts.size {
        Some(n) => vec![n],
        None if opts.quick => vec![64],
        None => vec![1024, 2048, 4096],
    };
    eprintln!(
        "mathengine FFT bench on {}",
        mathengine_codegen::isa_description()
    );
    for (backend, e) in opts.engines() {
        let backend = backend.as_str();
        let fft = e.fft.clone();
        for &n in &sizes {
            if opts.wants("FFT2") {
                let a = input_c128(&e, n);
                let m = time(&e, &a, runs, |a| {
                    fft.fft2(a, None, None, Norm::Backward).expect("fft2")
                });
                report("FFT2", backend, n, &m);
            }
            if opts.wants("FFT2-C64") {
                let a = input_c64(&e, n);
                let m = time(&e, &a, runs, |a| {
                    fft.fft2(a, None, None, Norm::Backward).expect("fft2")
                });
                report("FFT2-C64", backend, n, &m);
            }
            for (name, c64, axis) in [
                ("FFT-ROWS", false, -1),
                ("FFT-COLS", false, 0),
                ("FFT-ROWS-C64", true, -1),
                ("FFT-COLS-C64", true, 0),
            ] {
                if opts.wants(name) {
                    let a = if c64 {
                        input_c64(&e, n)
                    } else {
                        input_c128(&e, n)
                    };
                    let m = time(&e, &a, runs, |a| {
                        fft.fft(a, None, axis, Norm::Backward).expect("one pass")
                    });
                    report(name, backend, n, &m);
                }
            }
            if opts.wants("W3-PHASES") {
                w3_phases(&e, n / 2, runs, backend);
            }
        }
    }
}
