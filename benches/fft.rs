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

use mathengine::{Array, Complex32, Complex64, Engine, Norm};
use std::time::Instant;

mod harness;
use harness::{measure, parse_options, report, w3_pupil, Measurement};

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

/// The three phases of W3 timed one at a time (the earlier ones run untimed first).
fn w3_phases(e: &Engine, n: usize, runs: usize, backend: &str) {
    let padded_fft2 = |p: &Array| {
        e.fft
            .fft2(p, Some(&[2 * n, 2 * n]), None, Norm::Backward)
            .expect("fft2")
    };
    let m = measure(runs, || {
        let t0 = Instant::now();
        w3_pupil(e, n).eval().expect("pupil");
        t0.elapsed().as_secs_f64()
    });
    report("W3-PUPIL", backend, n, &m);
    let m = measure(runs, || {
        let p = w3_pupil(e, n);
        p.eval().expect("pupil");
        let t0 = Instant::now();
        padded_fft2(&p).eval().expect("fft2");
        t0.elapsed().as_secs_f64()
    });
    report("W3-FFT", backend, n, &m);
    let m = measure(runs, || {
        let f = padded_fft2(&w3_pupil(e, n));
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
