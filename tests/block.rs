//! `Engine::block` (src/ops/block.rs): a block of a lazy array equals the same slice of
//! the whole array, bit for bit where the arithmetic is the same, and library kernels
//! below it (FFTs, matrix products) run on the block's part of their operands only —
//! checked by the logging backend of examples/custom_backend.rs, which records the
//! shapes every library call receives. `check_chunks` names the axis a chunking would
//! cut through an FFT.

// One range per axis: a one-element list of ranges is a 1-D block, not a mistake.
#![allow(clippy::single_range_in_vec_init)]

#[allow(dead_code)]
#[path = "../examples/custom_backend.rs"]
mod custom_backend;

use custom_backend::{Log, LoggingBackend};
use mathengine::Norm;
use mathengine::{Array, Complex64, DType, Engine, ErrorKind, Slice};
use std::ops::Range;
use std::sync::Arc;

fn logging_engine() -> (Engine, Arc<Log>) {
    let (backend, log) = LoggingBackend::new(false);
    let e = Engine::new();
    e.change_backend(Box::new(backend) as Box<dyn mathengine::Backend>)
        .unwrap();
    (e, log)
}

/// Library calls logged since the last call, then cleared.
fn library_lines(log: &Log) -> Vec<String> {
    let mut lines = log.lines.lock().unwrap();
    let lib: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("library"))
        .cloned()
        .collect();
    lines.clear();
    lib
}

/// Deterministic values in [-1, 1) (a fixed LCG: the test needs variety, not quality).
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

fn complex(e: &Engine, shape: &[usize], seed: u64) -> Array {
    let n = shape.iter().product();
    let re = values(n, seed);
    let im = values(n, seed + 1);
    let z: Vec<Complex64> = re
        .into_iter()
        .zip(im)
        .map(|(r, i)| Complex64::new(r, i))
        .collect();
    e.from_vec(z, shape).unwrap()
}

fn slice_of(e: &Engine, x: &Array, ranges: &[Range<usize>]) -> Array {
    let s: Vec<Slice> = ranges
        .iter()
        .map(|r| Slice::new(Some(r.start as isize), Some(r.end as isize), 1))
        .collect();
    e.slice(x, &s).unwrap()
}

fn bits_f(a: &Array) -> Vec<u64> {
    a.astype(mathengine::DType::F64)
        .to_vec::<f64>()
        .unwrap()
        .into_iter()
        .map(f64::to_bits)
        .collect()
}

#[test]
fn a_block_of_a_generated_grid_equals_the_slice() {
    let e = Engine::new();
    let x = e.reshape(&e.linspace(-1.0, 1.0, 64), &[1, 64]).unwrap();
    let y = e.reshape(&e.linspace(-1.0, 1.0, 48), &[48, 1]).unwrap();
    let r2 = &(&x * &x) + &(&y * &y);
    let w = e.sin(&(&r2 * 3.0)).unwrap();
    for ranges in [
        vec![0..48, 0..64],
        vec![5..17, 9..10],
        vec![0..0, 3..64],
        vec![47..48, 63..64],
    ] {
        let got = e.block(&w, &ranges).unwrap();
        assert_eq!(got.shape(), [ranges[0].len(), ranges[1].len()]);
        assert_eq!(
            bits_f(&got),
            bits_f(&slice_of(&e, &w, &ranges)),
            "{ranges:?}"
        );
    }
}

/// `build`'s array in two engines: the slice `ranges` of the whole array from one, the
/// block from the other (a logging one). Returns both, as complex128 values, and the
/// library calls the block made.
fn whole_and_block(
    build: impl Fn(&Engine) -> Array,
    ranges: &[Range<usize>],
) -> (Vec<Complex64>, Vec<Complex64>, Vec<String>) {
    let reference = Engine::new();
    let whole = build(&reference);
    let want = slice_of(&reference, &whole, ranges);
    let (e, log) = logging_engine();
    let got = e.block(&build(&e), ranges).unwrap();
    let shape: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
    assert_eq!(got.shape(), &shape[..]);
    let c = |a: &Array| a.astype(DType::C128).to_vec::<Complex64>().unwrap();
    let got = c(&got);
    (c(&want), got, library_lines(&log))
}

fn same_bits(a: &[Complex64], b: &[Complex64]) -> bool {
    let bits = |v: &[Complex64]| -> Vec<(u64, u64)> {
        v.iter().map(|z| (z.re.to_bits(), z.im.to_bits())).collect()
    };
    bits(a) == bits(b)
}

#[test]
fn a_block_of_a_fft_batch_transforms_only_its_own_entries() {
    let (want, got, lines) = whole_and_block(
        |e| {
            let x = complex(e, &[4, 16, 12], 7);
            let f = e.fft.fft2(&x, None, Some(&[1, 2]), Norm::Backward).unwrap();
            let f = e.fft.fftshift(&f, Some(&[1, 2])).unwrap();
            let a = e.abs(&f).unwrap();
            &(&a * &a) * 2.0
        },
        &[1..3, 0..16, 4..12],
    );
    assert!(same_bits(&want, &got));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("[[2, 16, 12]]"), "{lines:?}");
}

#[test]
fn a_block_of_a_padded_fft_batch_keeps_the_padding() {
    let (want, got, lines) = whole_and_block(
        |e| {
            let x = complex(e, &[3, 8, 8], 11);
            e.fft.fft2(&x, Some(&[16, 16]), None, Norm::Ortho).unwrap()
        },
        &[2..3, 0..16, 0..16],
    );
    assert!(same_bits(&want, &got));
    assert!(lines[0].contains("[[1, 8, 8]]"), "{lines:?}");
}

#[test]
fn a_block_cutting_a_transformed_axis_is_still_right_and_check_chunks_names_it() {
    let build = |e: &Engine| {
        let x = complex(e, &[4, 16, 16], 3);
        let f = e.fft.fft2(&x, None, None, Norm::Backward).unwrap();
        e.abs(&f).unwrap()
    };
    let (want, got, lines) = whole_and_block(build, &[0..4, 0..8, 0..16]);
    assert!(same_bits(&want, &got));
    assert!(lines[0].contains("[[4, 16, 16]]"), "{lines:?}");

    let e = Engine::new();
    let y = build(&e);
    e.check_chunks(&y, &[true, false, false]).unwrap();
    let err = e.check_chunks(&y, &[false, true, false]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let msg = err.to_string();
    assert!(msg.contains("check_chunks"), "{msg}");
    assert!(msg.contains("axis 1 of the array"), "{msg}");
    assert!(msg.contains("fft"), "{msg}");
    assert!(msg.contains("chunks={1: -1}"), "{msg}");
    // Through a transpose the message names the user's axis, not the FFT's.
    let t = e.permute(&y, &[2, 0, 1]).unwrap();
    let msg = e
        .check_chunks(&t, &[true, false, false])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("axis 0 of the array, which is axis 2 of a fft"),
        "{msg}"
    );
    e.check_chunks(&t, &[false, true, false]).unwrap();
    // A reshape above the FFT stops the selection: chunking through it is refused too.
    let flat = e.reshape(&y, &[64, 16]).unwrap();
    let msg = e
        .check_chunks(&flat, &[true, false])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("reshape") && msg.contains("axis 0 of the array"),
        "{msg}"
    );
    // Once the FFT is evaluated it is data, which any chunking may cut.
    y.eval().unwrap();
    e.check_chunks(&y, &[true, true, true]).unwrap();
}

#[test]
fn a_block_of_a_matrix_product_multiplies_only_its_rows_and_columns() {
    let (want, got, lines) = whole_and_block(
        |e| {
            let a = e.from_vec(values(6 * 5, 1), &[6, 5]).unwrap();
            let b = e.from_vec(values(5 * 7, 2), &[5, 7]).unwrap();
            e.linalg.matmul(&a, &b).unwrap()
        },
        &[2..4, 1..6],
    );
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).norm() <= 1e-14 * (1.0 + w.norm()), "{g} vs {w}");
    }
    assert!(lines[0].contains("[[2, 5], [5, 5]]"), "{lines:?}");
}

#[test]
fn a_block_of_a_reduced_fft_and_of_its_transpose() {
    let spectrum = |e: &Engine| {
        let x = complex(e, &[8, 32], 5);
        e.fft.fft(&x, None, -1, Norm::Backward).unwrap()
    };
    let (want, got, lines) = whole_and_block(
        |e| {
            e.sum(&e.abs(&spectrum(e)).unwrap(), Some(&[-1]), false)
                .unwrap()
        },
        &[2..5],
    );
    assert!(same_bits(&want, &got));
    assert!(lines[0].contains("[[3, 32]]"), "{lines:?}");

    let (want, got, lines) = whole_and_block(|e| e.transpose(&spectrum(e)), &[0..32, 6..8]);
    assert!(same_bits(&want, &got));
    assert!(lines[0].contains("[[2, 32]]"), "{lines:?}");
}

#[test]
fn a_block_of_a_batched_solve_solves_only_its_problems() {
    let (want, got, lines) = whole_and_block(
        |e| {
            let eye = e.eye(4, 4, 0);
            let m = e.from_vec(values(3 * 4 * 4, 9), &[3, 4, 4]).unwrap();
            let a = &m + &(&eye * 4.0); // diagonally dominant: well conditioned
            let b = e.from_vec(values(3 * 4 * 5, 4), &[3, 4, 5]).unwrap();
            e.linalg.solve(&a, &b).unwrap()
        },
        &[1..2, 0..4, 2..4],
    );
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).norm() <= 1e-13 * (1.0 + w.norm()), "{g} vs {w}");
    }
    assert!(lines[0].contains("[[1, 4, 4], [1, 4, 2]]"), "{lines:?}");
}

#[test]
fn bad_ranges_are_clear_errors() {
    let e = Engine::new();
    let x = e.zeros(&[4, 5], mathengine::DType::F64);
    for ranges in [
        vec![0..4],
        vec![0..4, 0..6],
        vec![Range { start: 3, end: 2 }, 0..5],
    ] {
        let err = e.block(&x, &ranges).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{ranges:?}");
        assert!(err.to_string().contains("block"), "{err}");
    }
    let err = e.check_chunks(&x, &[true]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let other = Engine::new();
    let y = other.zeros(&[4, 5], mathengine::DType::F64);
    assert!(e.block(&y, &[0..1, 0..1]).is_err());
}
