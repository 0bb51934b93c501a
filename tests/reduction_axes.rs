//! Reductions over every axis (issue 13): sums over leading axes run row by row on the
//! cpu backend (contiguous vector loads, pairwise over blocks of rows), the others per
//! output. Every result is compared with the reference interpreter, and must be
//! bit-identical whatever the thread count. Shapes straddle the row block (256), the
//! vector width, the task width (256 outputs) and the parallel block (8192).
//! Fixed seeds; `MATHENGINE_FRESH_SEED=1` draws a fresh one.

use mathengine::{Array, DType, Engine, Result};

#[path = "common/random.rs"]
mod random;
use random::{in_pool, values};

fn seed() -> u64 {
    random::seed("reduction_axes", 0xa7e5_0013)
}

type Named = Vec<(String, Array)>;

/// sum, prod (of factors near 1), mean, var, std and a fused sum of squares over
/// `axes` (None: all), with and without keepdims; min/max/argmax/argmin per axis.
fn reductions(e: &Engine, x: &Array, axes: Option<&[isize]>) -> Result<Named> {
    let mut out: Named = Vec::new();
    for keep in [false, true] {
        let k = if keep { "keep" } else { "" };
        out.push((format!("sum{k}"), e.sum(x, axes, keep)?));
        let near_one = x * 1e-3 + 1.0;
        out.push((format!("prod{k}"), e.prod(&near_one, axes, keep)?));
        out.push((format!("mean{k}"), e.mean(x, axes, keep)?));
        out.push((format!("var{k}"), e.var(x, axes, keep, 0)?));
        out.push((format!("std{k}"), e.std(x, axes, keep, 1)?));
        out.push((format!("sumsq{k}"), e.sum(&(x * x + 0.5), axes, keep)?));
    }
    // min/max/argmin/argmax over an empty axis raise, as numpy does.
    let non_empty = |a: isize| x.shape()[a.rem_euclid(x.ndim() as isize) as usize] > 0;
    if let Some(&[a]) = axes.filter(|a| a.len() == 1 && non_empty(a[0])) {
        out.push(("max".into(), e.max(x, Some(&[a]), false)?));
        out.push(("min".into(), e.min(x, Some(&[a]), false)?));
        out.push(("argmax".into(), e.argmax(x, Some(a))?));
        out.push(("argmin".into(), e.argmin(x, Some(a))?));
    }
    Ok(out)
}

fn data_of(a: &Array) -> (Vec<usize>, Vec<f64>) {
    (
        a.shape().to_vec(),
        a.astype(DType::F64).to_vec::<f64>().unwrap(),
    )
}

/// Every axis and pair of axes of `shape`, and all of them.
fn axis_sets(ndim: usize) -> Vec<Option<Vec<isize>>> {
    let mut sets = vec![None];
    for a in 0..ndim as isize {
        sets.push(Some(vec![a]));
        for b in a + 1..ndim as isize {
            sets.push(Some(vec![a, b]));
        }
    }
    sets
}

/// cpu on 1, 2 and 3 threads (bit-identical), against the reference interpreter.
fn check(shape: &[usize], data: &[f64]) {
    for axes in axis_sets(shape.len()) {
        let what = format!("shape {shape:?} axes {axes:?}");
        let run = || {
            let e = Engine::with_backend("cpu").unwrap();
            let x = e.from_vec(data.to_vec(), shape).unwrap();
            reductions(&e, &x, axes.as_deref())
                .unwrap()
                .iter()
                .map(|(n, a)| (n.clone(), data_of(a)))
                .collect::<Vec<_>>()
        };
        let one = in_pool(1, run);
        for t in [2, 3] {
            let many = in_pool(t, run);
            for ((name, a), (_, b)) in one.iter().zip(&many) {
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(a.0, b.0, "{what} {name}: shape on {t} threads");
                assert_eq!(bits(&a.1), bits(&b.1), "{what} {name}: {t} threads vs 1");
            }
        }
        let e = Engine::with_backend("reference").unwrap();
        let x = e.from_vec(data.to_vec(), shape).unwrap();
        let reference = reductions(&e, &x, axes.as_deref()).unwrap();
        let reduced: usize = match &axes {
            None => shape.iter().product(),
            Some(a) => a.iter().map(|&d| shape[d as usize]).product(),
        };
        let tol = 1e-14 * (reduced as f64 + 4.0);
        for ((name, (got_shape, got)), (_, want)) in one.iter().zip(&reference) {
            let (want_shape, want) = data_of(want);
            assert_eq!(got_shape, &want_shape, "{what} {name}: shape");
            if name.starts_with("arg") || name.starts_with("max") || name.starts_with("min") {
                assert_eq!(got, &want, "{what} {name}");
                continue;
            }
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                // Sums of values in [-1, 1) (or squares, or factors near 1): an absolute
                // bound scaled by the reduced length covers any summation order.
                let scale = 1.0 + w.abs();
                assert!(
                    (g - w).abs() <= tol * scale || (g.is_nan() && w.is_nan()),
                    "{what} {name}[{i}]: cpu {g} vs reference {w}"
                );
            }
        }
    }
}

#[test]
fn every_axis_of_small_arrays_matches_the_reference() {
    let s = seed();
    let shapes: [&[usize]; 9] = [
        &[0],
        &[1],
        &[7],
        &[5, 0],
        &[3, 5],
        &[37, 1029],
        &[2, 3, 4],
        &[9, 1, 13],
        &[3, 4, 5, 6],
    ];
    for shape in shapes {
        let n: usize = shape.iter().product();
        check(shape, &values(n, s ^ n as u64));
    }
}

#[test]
fn leading_axes_around_block_boundaries_match_the_reference() {
    let s = seed();
    // Rows straddle the row block (256) and its powers of two; columns the vector
    // width (4), the task width (256) and short tails.
    for (rows, cols) in [
        (1, 9),
        (2, 4),
        (255, 5),
        (256, 8),
        (257, 3),
        (513, 17),
        (1025, 259),
        (8193, 2),
        (7, 8193),
    ] {
        let data = values(rows * cols, s ^ (rows * 31 + cols) as u64);
        check(&[rows, cols], &data);
    }
    check(&[300, 2, 7], &values(4200, s ^ 3));
}

#[test]
fn leading_axes_keep_nan_and_infinity() {
    let (rows, cols) = (600, 11);
    let mut data = values(rows * cols, seed() ^ 5);
    data[3 * cols + 2] = f64::NAN;
    data[500 * cols + 4] = f64::INFINITY;
    data[7 * cols + 4] = f64::NEG_INFINITY;
    data[599 * cols + 9] = f64::INFINITY;
    let e = Engine::with_backend("cpu").unwrap();
    let x = e.from_vec(data.clone(), &[rows, cols]).unwrap();
    let got = e
        .sum(&x, Some(&[0]), false)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    assert!(got[2].is_nan());
    assert!(got[4].is_nan(), "inf + -inf is NaN");
    assert_eq!(got[9], f64::INFINITY);
    assert!(got
        .iter()
        .enumerate()
        .all(|(i, v)| [2, 4, 9].contains(&i) || v.is_finite()));
    // min/max over the leading axis (the rows entry): NaN wins, zeros of either sign
    // keep the first one met, exactly as the reference interpreter.
    data[10 * cols] = -0.0;
    data[20 * cols] = 0.0;
    for r in 0..rows {
        data[r * cols + 10] = if r % 2 == 0 { -0.0 } else { 0.0 };
    }
    let extremes = |backend: &str| {
        let e = Engine::with_backend(backend).unwrap();
        let x = e.from_vec(data.clone(), &[rows, cols]).unwrap();
        let bits = |a: Array| -> Vec<u64> {
            a.to_vec::<f64>()
                .unwrap()
                .iter()
                .map(|v| v.to_bits())
                .collect()
        };
        (
            bits(e.max(&x, Some(&[0]), false).unwrap()),
            bits(e.min(&x, Some(&[0]), false).unwrap()),
        )
    };
    assert_eq!(extremes("cpu"), extremes("reference"));
}

/// Ties and NaNs planted at every pair of positions of short rows (each lane of the
/// eight register chains and the scalar tail): numpy's first index and first NaN,
/// exactly as the reference interpreter.
#[test]
fn ties_and_nans_in_every_lane_match_the_reference() {
    let n = 21;
    let mut rows: Vec<f64> = Vec::new();
    let mut count = 0;
    for a in 0..n {
        for b in a + 1..n {
            for plant in [5.0, -5.0, f64::NAN] {
                let mut row = values(n, (a * n + b) as u64);
                row[a] = plant;
                row[b] = if plant.is_nan() { f64::NAN } else { plant };
                rows.extend(row);
                count += 1;
            }
        }
    }
    let eval = |backend: &str| {
        let e = Engine::with_backend(backend).unwrap();
        let x = e.from_vec(rows.clone(), &[count, n]).unwrap();
        let f = |a: Array| a.astype(DType::F64).to_vec::<f64>().unwrap();
        [
            f(e.argmax(&x, Some(1)).unwrap()),
            f(e.argmin(&x, Some(1)).unwrap()),
            f(e.max(&x, Some(&[1]), false).unwrap()),
            f(e.min(&x, Some(&[1]), false).unwrap()),
        ]
        .map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
    };
    let (got, want) = (eval("cpu"), eval("reference"));
    for (k, name) in ["argmax", "argmin", "max", "min"].iter().enumerate() {
        assert_eq!(got[k], want[k], "{name} of planted rows");
    }
}

/// min/max first fold without indices and fall back to the indexed fold when the result
/// could depend on which element came first: zeros of both signs as the extreme, NaNs
/// of different bits. Planted at every pair of positions of rows of 37 (every lane of the
/// vector chains and the scalar tail) and in a long vector: the first one met, as the
/// reference interpreter.
#[test]
fn zeros_of_both_signs_and_nan_payloads_keep_the_first_met() {
    let n = 37;
    let neg_nan = f64::from_bits(f64::NAN.to_bits() | (1 << 63));
    let mut rows: Vec<f64> = Vec::new();
    let mut count = 0;
    for a in 0..n {
        for b in a + 1..n {
            for (first, second) in [
                (0.0, -0.0),
                (-0.0, 0.0),
                (f64::NAN, neg_nan),
                (neg_nan, f64::NAN),
            ] {
                // Below zero everywhere else, so a zero is the max; above for the min.
                for sign in [-1.0, 1.0] {
                    let mut row: Vec<f64> = values(n, (a * n + b) as u64)
                        .iter()
                        .map(|v| sign * (v.abs() + 0.5))
                        .collect();
                    row[a] = first;
                    row[b] = second;
                    rows.extend(row);
                    count += 1;
                }
            }
        }
    }
    let eval = |backend: &str| {
        let e = Engine::with_backend(backend).unwrap();
        let x = e.from_vec(rows.clone(), &[count, n]).unwrap();
        let flat = e.from_vec(rows.clone(), &[count * n]).unwrap();
        let lazy = &x * 1.0;
        [
            e.max(&x, Some(&[1]), false).unwrap(),
            e.min(&x, Some(&[1]), false).unwrap(),
            e.max(&lazy, Some(&[1]), false).unwrap(),
            e.min(&lazy, Some(&[1]), false).unwrap(),
            e.max(&flat, None, false).unwrap(),
            e.min(&flat, None, false).unwrap(),
            e.argmax(&x, Some(1)).unwrap().astype(DType::F64),
            e.argmin(&lazy, Some(1)).unwrap().astype(DType::F64),
            e.argmax(&flat, None).unwrap().astype(DType::F64),
        ]
        .map(|a| {
            a.to_vec::<f64>()
                .unwrap()
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        })
    };
    let (got, want) = (eval("cpu"), eval("reference"));
    for (k, name) in [
        "max",
        "min",
        "max lazy",
        "min lazy",
        "max all",
        "min all",
        "argmax",
        "argmin lazy",
        "argmax all",
    ]
    .iter()
    .enumerate()
    {
        let bad = got[k].iter().zip(&want[k]).position(|(g, w)| g != w);
        assert!(bad.is_none(), "{name} of planted rows: row {bad:?} differs");
    }
}

/// any/all fold eight elements at a time and stop at the first block that decides: a
/// single deciding element at every position of rows of 29 (every lane and the scalar
/// tail), none at all, and over a lazy comparison and a stored bool array, as the
/// reference interpreter.
#[test]
fn any_and_all_find_a_single_deciding_element_anywhere() {
    let n = 29;
    let mut rows: Vec<f64> = Vec::new();
    for at in 0..=n {
        // One element above 0.5 at `at` (none when at == n); the rest below.
        rows.extend((0..n).map(|i| if i == at { 0.75 } else { 0.25 }));
    }
    let count = n + 1;
    let eval = |backend: &str| {
        let e = Engine::with_backend(backend).unwrap();
        let x = e.from_vec(rows.clone(), &[count, n]).unwrap();
        let high = e.greater(&x, &e.full(&[], 0.5)).unwrap();
        let low = e.less(&x, &e.full(&[], 0.5)).unwrap();
        let stored = e
            .from_vec(high.to_vec::<bool>().unwrap(), &[count, n])
            .unwrap();
        let flat = e
            .greater(&x.reshape(&[-1]).unwrap(), &e.full(&[], 0.5))
            .unwrap();
        [
            e.any(&high, Some(&[1]), false).unwrap(),
            e.all(&low, Some(&[1]), false).unwrap(),
            e.any(&stored, Some(&[1]), false).unwrap(),
            e.all(&stored, Some(&[1]), false).unwrap(),
            e.any(&flat, None, false).unwrap(),
            e.all(&flat, None, false).unwrap(),
        ]
        .map(|a| a.to_vec::<bool>().unwrap())
    };
    let (got, want) = (eval("cpu"), eval("reference"));
    assert_eq!(got, want);
    assert_eq!(
        got[0].iter().filter(|&&b| b).count(),
        n,
        "one row has no true"
    );
}
