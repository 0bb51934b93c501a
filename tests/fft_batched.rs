//! The batched FFT passes (src/backend/cpu_fft/) against a naive DFT: lengths 1, 2,
//! primes, powers of two and 2^k·3·5·7, odd shapes, every combination and order of axes,
//! `s=` that pads and crops (the zero-padded first pass reads only the lines that hold
//! data), column passes wide enough for several tiles with ragged edges, complex64 within
//! single-precision tolerance, and rfftn/irfftn over every axis combination.
//!
//! Data come from a fixed seed; `MATHENGINE_FRESH_SEED=1` draws a fresh one (printed).

#[path = "common/random.rs"]
mod random;
use mathengine::{Array, Complex32, Complex64, Engine, Norm};
use random::Rng;
use std::f64::consts::TAU;

/// Odd: xorshift must not start from zero.
fn seed() -> u64 {
    random::seed("fft_batched", 0x0ff7_5eed_u64) | 1
}

fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * shape[d + 1];
    }
    s
}

/// `x` (shape `from`) cropped or zero-padded at the end of each axis to `to`.
fn resize(x: &[Complex64], from: &[usize], to: &[usize]) -> Vec<Complex64> {
    let (fs, ts) = (strides(from), strides(to));
    let len: usize = to.iter().product();
    (0..len)
        .map(|i| {
            let mut src = 0;
            for d in 0..to.len() {
                let k = i / ts[d] % to[d];
                if k >= from[d] {
                    return Complex64::new(0.0, 0.0);
                }
                src += k * fs[d];
            }
            x[src]
        })
        .collect()
}

/// The textbook DFT along `axis` (twiddles from a table of exact angles).
fn naive_axis(x: &[Complex64], shape: &[usize], axis: usize, inverse: bool) -> Vec<Complex64> {
    let n = shape[axis];
    let sign = if inverse { 1.0 } else { -1.0 };
    let w: Vec<Complex64> = (0..n)
        .map(|k| Complex64::from_polar(1.0, sign * TAU * k as f64 / n as f64))
        .collect();
    let stride = strides(shape)[axis];
    let mut out = vec![Complex64::new(0.0, 0.0); x.len()];
    for (i, o) in out.iter_mut().enumerate() {
        let k = i / stride % n;
        let base = i - k * stride;
        *o = (0..n).fold(Complex64::new(0.0, 0.0), |acc, j| {
            acc + x[base + j * stride] * w[(j * k) % n]
        });
    }
    out
}

fn naive(x: &[Complex64], shape: &[usize], axes: &[usize], inverse: bool) -> Vec<Complex64> {
    axes.iter()
        .fold(x.to_vec(), |acc, &a| naive_axis(&acc, shape, a, inverse))
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

/// Every non-empty subset of `0..ndim`, in increasing and in decreasing order.
fn axis_combinations(ndim: usize) -> Vec<Vec<usize>> {
    let mut all = Vec::new();
    for mask in 1..(1usize << ndim) {
        let axes: Vec<usize> = (0..ndim).filter(|d| mask >> d & 1 == 1).collect();
        if axes.len() > 1 {
            all.push(axes.iter().rev().copied().collect());
        }
        all.push(axes);
    }
    all
}

/// fftn and ifftn of `x` over `axes` with lengths `s` against the naive DFT of the
/// cropped or padded input.
fn check_c2c(e: &Engine, x: &[Complex64], shape: &[usize], axes: &[usize], s: Option<&[usize]>) {
    let a: Array = e.from_slice(x, shape).expect("input");
    let iaxes: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
    let mut out_shape = shape.to_vec();
    if let Some(s) = s {
        for (&d, &n) in axes.iter().zip(s) {
            out_shape[d] = n;
        }
    }
    let padded = resize(x, shape, &out_shape);
    for inverse in [false, true] {
        let f = if inverse {
            e.fft.ifftn(&a, s, Some(&iaxes), Norm::Forward)
        } else {
            e.fft.fftn(&a, s, Some(&iaxes), Norm::Backward)
        }
        .expect("fftn");
        assert_eq!(f.shape(), &out_shape[..]);
        let got = f.to_vec::<Complex64>().expect("read");
        let want = naive(&padded, &out_shape, axes, inverse);
        let what = format!("shape {shape:?} axes {axes:?} s {s:?} inverse {inverse}");
        assert_close(&got, &want, 1e-10, &what);
    }
}

#[test]
fn one_dimensional_lengths_of_every_kind() {
    let e = Engine::new();
    let mut rng = Rng(seed());
    // 1, 2, primes, powers of two, 2^k·3·5·7.
    for n in [
        1usize, 2, 3, 5, 7, 11, 13, 17, 31, 61, 4, 8, 32, 128, 512, 210, 420, 840,
    ] {
        let x = rng.complex(n);
        check_c2c(&e, &x, &[n], &[0], None);
    }
}

#[test]
fn every_axis_combination_of_odd_shapes() {
    let e = Engine::new();
    let mut rng = Rng(seed() ^ 1);
    for shape in [
        vec![3usize, 5, 7],
        vec![1, 7, 1],
        vec![2, 1, 3, 4],
        vec![6, 10, 2],
        vec![4, 4, 4],
    ] {
        let x = rng.complex(shape.iter().product());
        for axes in axis_combinations(shape.len()) {
            check_c2c(&e, &x, &shape, &axes, None);
        }
    }
}

#[test]
fn padded_and_cropped_lengths() {
    let e = Engine::new();
    let mut rng = Rng(seed() ^ 2);
    let shape = [5usize, 6, 7];
    let x = rng.complex(shape.iter().product());
    for (axes, s) in [
        (vec![1usize, 2], vec![12usize, 14]),
        (vec![2, 1], vec![14, 12]),
        (vec![0, 2], vec![11, 3]),
        (vec![0, 1, 2], vec![8, 6, 9]),
        (vec![0, 1, 2], vec![3, 13, 7]),
        (vec![0], vec![16]),
        (vec![1], vec![2]),
        (vec![2, 0], vec![1, 1]),
        (vec![0, 1], vec![1, 9]),
    ] {
        check_c2c(&e, &x, &shape, &axes, Some(&s));
    }
    // The PSF's case: an N×N corner of a 2N×2N array.
    let x = rng.complex(24 * 24);
    check_c2c(&e, &x, &[24, 24], &[0, 1], Some(&[48, 48]));
    check_c2c(&e, &x, &[24, 24], &[1, 0], Some(&[48, 47]));
}

#[test]
fn column_passes_of_many_tiles_with_ragged_edges() {
    let e = Engine::new();
    let mut rng = Rng(seed() ^ 3);
    // Columns not a multiple of a tile or a cache line, lengths with large prime
    // factors, and a middle axis whose lines interleave with a trailing one.
    for (shape, axes) in [
        (vec![64usize, 203], vec![0usize]),
        (vec![210, 67], vec![0, 1]),
        (vec![97, 130], vec![1, 0]),
        (vec![9, 48, 33], vec![1]),
        (vec![5, 37, 3, 11], vec![1, 3]),
        (vec![2048, 5], vec![0]),
    ] {
        let x = rng.complex(shape.iter().product());
        check_c2c(&e, &x, &shape, &axes, None);
    }
    let x = rng.complex(40 * 70);
    check_c2c(&e, &x, &[40, 70], &[0, 1], Some(&[96, 100]));
    check_c2c(&e, &x, &[40, 70], &[0], Some(&[130]));
}

#[test]
fn complex64_within_single_precision() {
    let e = Engine::new();
    let mut rng = Rng(seed() ^ 4);
    for (shape, axes, s) in [
        (vec![64usize, 48], vec![0usize, 1], None),
        (vec![30, 7, 9], vec![0, 2], None),
        (vec![17, 33], vec![1, 0], Some(vec![40usize, 64])),
        (vec![1000], vec![0], None),
    ] {
        let x = rng.complex(shape.iter().product());
        let x32: Vec<Complex32> = x
            .iter()
            .map(|v| Complex32::new(v.re as f32, v.im as f32))
            .collect();
        // The reference from the rounded input, so only the transform's error counts.
        let x64: Vec<Complex64> = x32
            .iter()
            .map(|v| Complex64::new(v.re as f64, v.im as f64))
            .collect();
        let a = e.from_slice(&x32, &shape).expect("input");
        let iaxes: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
        let f = e
            .fft
            .fftn(&a, s.as_deref(), Some(&iaxes), Norm::Backward)
            .expect("fftn");
        assert_eq!(f.dtype(), mathengine::DType::C64);
        let got: Vec<Complex64> = f
            .to_vec::<Complex32>()
            .expect("read")
            .iter()
            .map(|v| Complex64::new(v.re as f64, v.im as f64))
            .collect();
        let mut out_shape = shape.clone();
        if let Some(s) = &s {
            for (&d, &n) in axes.iter().zip(s) {
                out_shape[d] = n;
            }
        }
        let want = naive(&resize(&x64, &shape, &out_shape), &out_shape, &axes, false);
        // ~ log2(n) roundings of 2^-24 relative to the largest output.
        assert_close(&got, &want, 2e-6, &format!("complex64 {shape:?} {axes:?}"));
    }
}

#[test]
fn rfftn_and_irfftn_over_every_axis_combination() {
    let e = Engine::new();
    let mut rng = Rng(seed() ^ 5);
    let shape = [4usize, 5, 6];
    let x: Vec<f64> = (0..shape.iter().product::<usize>())
        .map(|_| rng.next())
        .collect();
    let xc: Vec<Complex64> = x.iter().map(|&v| Complex64::new(v, 0.0)).collect();
    let a = e.from_slice(&x, &shape).expect("input");
    for axes in axis_combinations(3) {
        let iaxes: Vec<isize> = axes.iter().map(|&d| d as isize).collect();
        let last = *axes.last().expect("non-empty");
        for s in [
            None,
            Some(axes.iter().map(|&d| shape[d] + 1).collect::<Vec<_>>()),
        ] {
            let r = e
                .fft
                .rfftn(&a, s.as_deref(), Some(&iaxes), Norm::Backward)
                .expect("rfftn");
            let mut full_shape = shape.to_vec();
            if let Some(s) = &s {
                for (&d, &n) in axes.iter().zip(s) {
                    full_shape[d] = n;
                }
            }
            let full = naive(&resize(&xc, &shape, &full_shape), &full_shape, &axes, false);
            let mut half_shape = full_shape.clone();
            half_shape[last] = full_shape[last] / 2 + 1;
            assert_eq!(r.shape(), &half_shape[..], "rfftn {axes:?} {s:?}");
            let want = resize(&full, &full_shape, &half_shape);
            let got = r.to_vec::<Complex64>().expect("read");
            assert_close(&got, &want, 1e-10, &format!("rfftn {axes:?} s {s:?}"));
            // irfftn with the full lengths gives the (padded) input back.
            let back = e
                .fft
                .irfftn(
                    &r,
                    Some(&lengths(&full_shape, &axes)[..]),
                    Some(&iaxes),
                    Norm::Backward,
                )
                .expect("irfftn")
                .to_vec::<f64>()
                .expect("read");
            let want_back = resize(&xc, &shape, &full_shape);
            for (i, (g, w)) in back.iter().zip(&want_back).enumerate() {
                assert!(
                    (g - w.re).abs() < 1e-12,
                    "irfftn {axes:?} s {s:?}: element {i}: {g} vs {}",
                    w.re
                );
            }
        }
    }
}

/// The lengths of `shape` along `axes`.
fn lengths(full: &[usize], axes: &[usize]) -> Vec<usize> {
    axes.iter().map(|&d| full[d]).collect()
}

#[test]
fn irfftn_matches_the_naive_inverse_of_a_hermitian_spectrum() {
    let e = Engine::new();
    let mut rng = Rng(seed() ^ 6);
    // A real signal's spectrum, so that the half spectrum determines it.
    let shape = [6usize, 9];
    let x: Vec<Complex64> = (0..54).map(|_| Complex64::new(rng.next(), 0.0)).collect();
    let full = naive(&x, &shape, &[0, 1], false);
    let half = resize(&full, &shape, &[6, 5]);
    let h = e.from_slice(&half, &[6, 5]).expect("half spectrum");
    let back = e
        .fft
        .irfft2(&h, Some(&[6, 9]), None, Norm::Backward)
        .expect("irfft2")
        .to_vec::<f64>()
        .expect("read");
    for (i, (g, w)) in back.iter().zip(&x).enumerate() {
        assert!(
            (g - w.re).abs() < 1e-12,
            "irfft2 element {i}: {g} vs {}",
            w.re
        );
    }
}
