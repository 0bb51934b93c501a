//! The FFT functions against a naive DFT (many sizes, primes and 1 included), round
//! trips, Parseval, every norm mode, rfft vs fft of real input, fftshift against its
//! definition, axes other than the last, fusion at the edges, and bad input.

#[path = "common/random.rs"]
mod random;
use mathengine::{Array, Complex64, DType, Engine, Error, Norm};
use random::Rng;

const TOL: f64 = 1e-9;

/// The textbook O(n²) DFT along the last axis of rows of length n.
fn naive_dft(x: &[Complex64], n: usize, inverse: bool) -> Vec<Complex64> {
    let sign = if inverse { 1.0 } else { -1.0 };
    x.chunks(n)
        .flat_map(|row| {
            (0..n).map(move |k| {
                row.iter()
                    .enumerate()
                    .fold(Complex64::new(0.0, 0.0), |acc, (j, &v)| {
                        let ang = sign * std::f64::consts::TAU * ((j * k) % n) as f64 / n as f64;
                        acc + v * Complex64::new(ang.cos(), ang.sin())
                    })
            })
        })
        .collect()
}

fn assert_close(got: &[Complex64], want: &[Complex64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().map(|v| v.norm()).fold(1.0, f64::max);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).norm() <= tol * scale,
            "{what}: element {i}: {g} vs {w}"
        );
    }
}

fn c128(e: &Engine, v: &[Complex64], shape: &[usize]) -> Array {
    e.from_slice(v, shape).expect("input")
}

#[test]
fn fft_matches_the_naive_dft_at_many_sizes() {
    let e = Engine::new();
    let mut rng = Rng(0x1234_5678);
    for n in [
        1usize, 2, 3, 4, 5, 7, 8, 13, 16, 17, 31, 64, 97, 100, 127, 128, 243, 256, 1000, 1009,
    ] {
        let x = rng.complex(n);
        let a = c128(&e, &x, &[n]);
        let f = e
            .fft
            .fft(&a, None, -1, Norm::Backward)
            .expect("fft")
            .to_vec::<Complex64>()
            .expect("read");
        assert_close(&f, &naive_dft(&x, n, false), TOL, &format!("fft n={n}"));
        let i = e
            .fft
            .ifft(&a, None, -1, Norm::Backward)
            .expect("ifft")
            .to_vec::<Complex64>()
            .expect("read");
        let want: Vec<Complex64> = naive_dft(&x, n, true)
            .iter()
            .map(|v| v / n as f64)
            .collect();
        assert_close(&i, &want, TOL, &format!("ifft n={n}"));
    }
}

#[test]
fn round_trips_and_parseval() {
    let e = Engine::new();
    let mut rng = Rng(42);
    for shape in [vec![64usize], vec![7, 12], vec![5, 3, 8]] {
        let n: usize = shape.iter().product();
        let x = rng.complex(n);
        let a = c128(&e, &x, &shape);
        let f = e.fft.fftn(&a, None, None, Norm::Backward).expect("fftn");
        let back = e
            .fft
            .ifftn(&f, None, None, Norm::Backward)
            .expect("ifftn")
            .to_vec::<Complex64>()
            .expect("read");
        assert_close(&back, &x, TOL, &format!("round trip {shape:?}"));
        // Parseval: sum |x|^2 = sum |X|^2 / n.
        let ex: f64 = x.iter().map(|v| v.norm_sqr()).sum();
        let ef: f64 = f
            .to_vec::<Complex64>()
            .expect("read")
            .iter()
            .map(|v| v.norm_sqr())
            .sum::<f64>()
            / n as f64;
        assert!(
            (ex - ef).abs() <= 1e-9 * ex,
            "Parseval {shape:?}: {ex} vs {ef}"
        );
    }
}

#[test]
fn every_norm_mode() {
    let e = Engine::new();
    let x = Rng(7).complex(12);
    let a = c128(&e, &x, &[12]);
    let raw = naive_dft(&x, 12, false);
    for (norm, scale) in [
        (Norm::Backward, 1.0),
        (Norm::Ortho, 1.0 / 12f64.sqrt()),
        (Norm::Forward, 1.0 / 12.0),
    ] {
        let f = e
            .fft
            .fft(&a, None, 0, norm)
            .expect("fft")
            .to_vec::<Complex64>()
            .expect("read");
        let want: Vec<Complex64> = raw.iter().map(|v| v * scale).collect();
        assert_close(&f, &want, TOL, &format!("{norm:?}"));
        let back = e
            .fft
            .ifft(&c128(&e, &f, &[12]), None, 0, norm)
            .expect("ifft")
            .to_vec::<Complex64>()
            .expect("read");
        assert_close(&back, &x, TOL, &format!("{norm:?} round trip"));
    }
}

#[test]
fn fft2_over_leading_axes_and_s_padding() {
    let e = Engine::new();
    let x = Rng(3).complex(6 * 5);
    let a = c128(&e, &x, &[6, 5]);
    // Axis 0 only: transform the columns.
    let f0 = e
        .fft
        .fft(&a, None, 0, Norm::Backward)
        .expect("fft axis 0")
        .to_vec::<Complex64>()
        .expect("read");
    let cols: Vec<Complex64> = (0..5)
        .flat_map(|c| (0..6).map(move |r| (r, c)))
        .map(|(r, c)| x[r * 5 + c])
        .collect();
    let fc = naive_dft(&cols, 6, false);
    let want: Vec<Complex64> = (0..6)
        .flat_map(|r| (0..5).map(move |c| (r, c)))
        .map(|(r, c)| fc[c * 6 + r])
        .collect();
    assert_close(&f0, &want, TOL, "axis 0");
    // s = (8, 7): zero-padded at the end, like numpy.
    let f = e
        .fft
        .fft2(&a, Some(&[8, 7]), None, Norm::Backward)
        .expect("fft2");
    assert_eq!(f.shape(), &[8, 7]);
    let mut padded = vec![Complex64::new(0.0, 0.0); 56];
    for r in 0..6 {
        for c in 0..5 {
            padded[r * 7 + c] = x[r * 5 + c];
        }
    }
    let rows = naive_dft(&padded, 7, false);
    let cols: Vec<Complex64> = (0..7)
        .flat_map(|c| (0..8).map(move |r| (r, c)))
        .map(|(r, c)| rows[r * 7 + c])
        .collect();
    let fc = naive_dft(&cols, 8, false);
    let want: Vec<Complex64> = (0..8)
        .flat_map(|r| (0..7).map(move |c| (r, c)))
        .map(|(r, c)| fc[c * 8 + r])
        .collect();
    assert_close(
        &f.to_vec::<Complex64>().expect("read"),
        &want,
        TOL,
        "fft2 s=(8,7)",
    );
    // Cropping with s.
    let g = e.fft.fft(&a, Some(3), -1, Norm::Backward).expect("cropped");
    assert_eq!(g.shape(), &[6, 3]);
}

#[test]
fn rfft_equals_the_first_half_of_fft_of_real_input() {
    let e = Engine::new();
    let mut rng = Rng(11);
    for n in [1usize, 2, 5, 8, 9, 16, 31] {
        let x: Vec<f64> = (0..3 * n).map(|_| rng.next()).collect();
        let a = e.from_slice(&x, &[3, n]).expect("input");
        let r = e.fft.rfft(&a, None, -1, Norm::Backward).expect("rfft");
        assert_eq!(r.shape(), &[3, n / 2 + 1]);
        let full = e
            .fft
            .fft(&a, None, -1, Norm::Backward)
            .expect("fft")
            .to_vec::<Complex64>()
            .expect("read");
        let want: Vec<Complex64> = full
            .chunks(n)
            .flat_map(|row| row[..n / 2 + 1].to_vec())
            .collect();
        assert_close(
            &r.to_vec::<Complex64>().expect("read"),
            &want,
            TOL,
            &format!("rfft n={n}"),
        );
        if n > 1 {
            let back = e
                .fft
                .irfft(&r, Some(n), -1, Norm::Backward)
                .expect("irfft")
                .to_vec::<f64>()
                .expect("read");
            for (g, w) in back.iter().zip(&x) {
                assert!((g - w).abs() < 1e-12, "irfft n={n}: {g} vs {w}");
            }
        }
    }
    // rfft2 along a leading axis too, against fftn.
    let x: Vec<f64> = (0..4 * 6).map(|_| rng.next()).collect();
    let a = e.from_slice(&x, &[4, 6]).expect("input");
    let r = e
        .fft
        .rfft2(&a, None, Some(&[1, 0]), Norm::Backward)
        .expect("rfft2 axes (1, 0)");
    assert_eq!(r.shape(), &[3, 6]);
    let full = e
        .fft
        .fft2(&a, None, None, Norm::Backward)
        .expect("fft2")
        .to_vec::<Complex64>()
        .expect("read");
    let want: Vec<Complex64> = (0..3)
        .flat_map(|i| (0..6).map(move |j| (i, j)))
        .map(|(i, j)| full[i * 6 + j])
        .collect();
    assert_close(
        &r.to_vec::<Complex64>().expect("read"),
        &want,
        TOL,
        "rfft2 over (1, 0)",
    );
    let back = e
        .fft
        .irfft2(&r, Some(&[6, 4]), Some(&[1, 0]), Norm::Backward)
        .expect("irfft2")
        .to_vec::<f64>()
        .expect("read");
    for (g, w) in back.iter().zip(&x) {
        assert!((g - w).abs() < 1e-12, "irfft2: {g} vs {w}");
    }
}

#[test]
fn fftshift_and_fftfreq_follow_their_definitions() {
    let e = Engine::new();
    for n in [1usize, 4, 5, 8, 9] {
        let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let a = e.from_slice(&x, &[n]).expect("input");
        let s = e
            .fft
            .fftshift(&a, None)
            .expect("shift")
            .to_vec::<f64>()
            .expect("read");
        // numpy: fftshift(x)[i] = x[(i - n//2) mod n] ... i.e. a roll by n//2.
        let want: Vec<f64> = (0..n).map(|i| x[(i + n - n / 2) % n]).collect();
        assert_eq!(s, want, "fftshift n={n}");
        let back = e
            .fft
            .ifftshift(&e.from_slice(&s, &[n]).expect("in"), None)
            .expect("ishift")
            .to_vec::<f64>()
            .expect("read");
        assert_eq!(back, x, "ifftshift n={n}");
        let f = e
            .fft
            .fftfreq(n, 0.5)
            .expect("fftfreq")
            .to_vec::<f64>()
            .expect("read");
        let want: Vec<f64> = (0..n).map(|i| if i < n.div_ceil(2) { i as f64 } else { i as f64 - n as f64 } / (n as f64 * 0.5)).collect();
        assert_eq!(f, want, "fftfreq n={n}");
        let r = e
            .fft
            .rfftfreq(n, 2.0)
            .expect("rfftfreq")
            .to_vec::<f64>()
            .expect("read");
        assert_eq!(
            r,
            (0..n / 2 + 1)
                .map(|i| i as f64 / (n as f64 * 2.0))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn psf_pipeline_fuses_at_the_edges() {
    // mask * exp(1j*phase), zero-padded 2x, fft2, fftshift, |.|^2: the producer is one
    // kernel writing the FFT's (padded) input, the consumer one kernel reading its result.
    let e = Engine::new();
    let n = 32;
    let x = e.linspace(-1.0, 1.0, n);
    let xy = e
        .meshgrid(&[&x, &x], mathengine::Indexing::Xy)
        .expect("grid");
    let r2 = &xy[0] * &xy[0] + &xy[1] * &xy[1];
    let mask = e.astype(
        &e.less_equal(&r2, &e.scalar(1.0)).expect("mask"),
        DType::C128,
    );
    let phase = e.astype(&(&r2 * 3.0), DType::C128);
    let field = e
        .mul(
            &mask,
            &e.exp(
                &e.mul(&phase, &e.scalar(Complex64::new(0.0, 1.0)))
                    .expect("i phase"),
            )
            .expect("exp"),
        )
        .expect("field");
    let spectrum = e
        .fft
        .fft2(&field, Some(&[2 * n, 2 * n]), None, Norm::Backward)
        .expect("fft2");
    let psf = e
        .square(
            &e.abs(&e.fft.fftshift(&spectrum, None).expect("shift"))
                .expect("abs"),
        )
        .expect("square");
    let steps = mathengine_ir::schedule::schedule(&[psf.node().clone()]);
    let kinds: Vec<&str> = steps
        .iter()
        .map(|s| {
            if s.kernel().is_some() {
                "kernel"
            } else {
                "library"
            }
        })
        .collect();
    assert_eq!(
        kinds,
        ["kernel", "library", "kernel"],
        "producer, FFT, consumer"
    );
    // The same result as the unfused computation, step by step with eval in between.
    let fused = psf.to_vec::<f64>().expect("psf");
    let field_v = field.to_vec::<Complex64>().expect("field");
    let mut padded = vec![Complex64::new(0.0, 0.0); 4 * n * n];
    for r in 0..n {
        for c in 0..n {
            padded[r * 2 * n + c] = field_v[r * n + c];
        }
    }
    let p = e.from_slice(&padded, &[2 * n, 2 * n]).expect("padded");
    let f = e.fft.fft2(&p, None, None, Norm::Backward).expect("fft2");
    f.eval().expect("eval");
    let s = e.fft.fftshift(&f, None).expect("shift");
    s.eval().expect("eval");
    let unfused = e
        .square(&e.abs(&s).expect("abs"))
        .expect("sq")
        .to_vec::<f64>()
        .expect("read");
    for (a, b) in fused.iter().zip(&unfused) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }
}

#[test]
fn reference_backend_falls_back_to_the_cpu_for_ffts() {
    let e = Engine::with_backend("reference").expect("reference");
    let x = Rng(5).complex(16);
    let f = e
        .fft
        .fft(&c128(&e, &x, &[16]), None, 0, Norm::Backward)
        .expect("fft")
        .to_vec::<Complex64>()
        .expect("read");
    assert_close(&f, &naive_dft(&x, 16, false), TOL, "fft on reference");
    assert!(
        e.fallback_count() >= 1,
        "the FFT step ran on the CPU fallback"
    );
}

#[test]
fn single_precision_stays_single() {
    let e = Engine::new();
    let x: Vec<f32> = (0..16).map(|i| (i as f32 * 0.3).sin()).collect();
    let a = e.from_slice(&x, &[16]).expect("input");
    let f = e.fft.fft(&a, None, 0, Norm::Backward).expect("fft");
    assert_eq!(f.dtype(), DType::C64);
    let back = e.fft.ifft(&f, None, 0, Norm::Backward).expect("ifft");
    let back = e.real(&back).expect("real").to_vec::<f32>().expect("read");
    for (g, w) in back.iter().zip(&x) {
        assert!((g - w).abs() < 1e-5, "{g} vs {w}");
    }
}

#[test]
fn bad_input_is_an_error() {
    let e = Engine::new();
    let a = e.zeros(&[4, 4], DType::C128);
    assert!(matches!(
        e.fft.fft(&a, None, 2, Norm::Backward),
        Err(Error::Axis { .. })
    ));
    assert!(matches!(
        e.fft.fft2(&a, Some(&[4]), Some(&[0, 1]), Norm::Backward),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        e.fft.fft(&a, Some(0), 0, Norm::Backward),
        Err(Error::Invalid { .. })
    ));
    let empty = e.zeros(&[0], DType::C128);
    let err = e
        .fft
        .fft(&empty, None, 0, Norm::Backward)
        .expect_err("empty input");
    assert!(err.to_string().contains("(0,)"), "{err}");
    assert!(matches!(
        e.fft.rfft(&a, None, 0, Norm::Backward),
        Err(Error::DType { .. })
    ));
    assert!(matches!(
        e.fft.fftn(&a, None, Some(&[0, 0]), Norm::Backward),
        Err(Error::Invalid { .. })
    ));
}
