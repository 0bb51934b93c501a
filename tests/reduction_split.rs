//! Reductions split across threads (issue 13): the cpu backend folds chunks of the
//! reduced range on several workers and combines them in a fixed order, so every result
//! must be bit-identical whatever the thread count (1 thread never splits), and equal
//! to the reference interpreter (exactly for min/max/argmin/argmax/any/all, within a
//! few ulps for sums, whose pairwise order differs from the interpreter's).
//!
//! Sizes straddle the pairwise block (256), the parallel block (8192) and the split
//! chunk (16384), and reach 2^20 (+3) so the chunk-level counter carries several levels.
//! Data come from a fixed-seed generator; `MATHENGINE_FRESH_SEED=1` draws a fresh seed.

use mathengine::{Array, DType, Engine, Result};
use num_complex::Complex64;

const CHUNK: usize = 16384;
const SIZES: [usize; 12] = [
    1,
    7,
    8191,
    8192,
    8193,
    2 * CHUNK - 1,
    2 * CHUNK,
    2 * CHUNK + 1,
    5 * CHUNK + 77,
    1_000_003,
    1 << 20,
    (1 << 20) + 3,
];
const THREADS: [usize; 3] = [2, 3, 8];

#[path = "common/random.rs"]
mod random;
use random::{in_pool, values};

fn seed() -> u64 {
    random::seed("reduction_split", 0x5eed_5917)
}

/// The result's elements as raw bits, for exact comparison.
fn bits(a: &Array) -> Vec<u64> {
    match a.dtype() {
        DType::F64 => a
            .to_vec::<f64>()
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect(),
        DType::F32 => a
            .to_vec::<f32>()
            .unwrap()
            .iter()
            .map(|v| v.to_bits() as u64)
            .collect(),
        DType::I64 => a
            .to_vec::<i64>()
            .unwrap()
            .iter()
            .map(|&v| v as u64)
            .collect(),
        DType::I32 => a
            .to_vec::<i32>()
            .unwrap()
            .iter()
            .map(|&v| v as u32 as u64)
            .collect(),
        DType::Bool => a
            .to_vec::<bool>()
            .unwrap()
            .iter()
            .map(|&v| v as u64)
            .collect(),
        DType::C128 => a
            .to_vec::<Complex64>()
            .unwrap()
            .iter()
            .flat_map(|z| [z.re.to_bits(), z.im.to_bits()])
            .collect(),
        t => panic!("no bits for {t:?}"),
    }
}

fn as_f64(a: &Array) -> Vec<f64> {
    a.astype(DType::F64).to_vec::<f64>().unwrap()
}

/// Every reduction of `x` the split path handles.
fn reductions(e: &Engine, x: &Array) -> Result<Vec<(&'static str, Array)>> {
    let mut out = vec![
        ("sum", e.sum(x, None, false)?),
        ("sum_sq_plus_1", e.sum(&(x * x + 1.0), None, false)?),
        ("max", e.max(x, None, false)?),
        ("min", e.min(x, None, false)?),
        ("argmax", e.argmax(x, None)?),
        ("argmin", e.argmin(x, None)?),
    ];
    if x.dtype().is_float() {
        // Factors near 1 keep a million-element product finite.
        let near_one = x * 1e-6 + 1.0;
        out.push(("prod", e.prod(&near_one, None, false)?));
        let positive = e.greater(x, &e.full(&[], 0.0f64))?;
        out.push(("any", e.any(&positive, None, false)?));
        out.push(("all", e.all(&positive, None, false)?));
        let nonzero = e.not_equal(x, &e.full(&[], 7.0f64))?;
        out.push(("all_true", e.all(&nonzero, None, false)?));
    }
    Ok(out)
}

/// Evaluate `make` on a fresh cpu engine in pools of 1 and of [`THREADS`] threads and
/// require the same bits everywhere; returns the single-thread results.
fn same_across_threads(
    what: &str,
    make: impl Fn(&Engine) -> Result<Vec<(&'static str, Array)>> + Sync,
) -> Vec<(&'static str, Vec<u64>)> {
    let run = || {
        let e = Engine::with_backend("cpu").unwrap();
        make(&e)
            .unwrap()
            .into_iter()
            .map(|(name, a)| (name, bits(&a)))
            .collect::<Vec<_>>()
    };
    let one = in_pool(1, run);
    for t in THREADS {
        let many = in_pool(t, run);
        for ((name, a), (_, b)) in one.iter().zip(&many) {
            assert_eq!(a, b, "{what}: {name} on {t} threads differs from 1 thread");
        }
    }
    one
}

#[test]
fn full_reductions_are_bit_identical_across_thread_counts() {
    let s = seed();
    for n in SIZES {
        let data = values(n, s ^ n as u64);
        for t in [DType::F64, DType::F32, DType::I64, DType::I32] {
            same_across_threads(&format!("n={n} {t:?}"), |e| {
                let x = e.from_vec(data.clone(), &[n])?;
                let x = if t.is_float() {
                    x.astype(t)
                } else {
                    (&x * 1000.0).astype(t)
                };
                reductions(e, &x)
            });
        }
        same_across_threads(&format!("n={n} complex"), |e| {
            let z: Vec<Complex64> = data
                .iter()
                .zip(data.iter().rev())
                .map(|(&a, &b)| Complex64::new(a, b))
                .collect();
            let z = e.from_vec(z, &[n])?;
            Ok(vec![
                ("csum", e.sum(&z, None, false)?),
                (
                    "c64sum",
                    e.sum(&z.astype(DType::C64), None, false)?
                        .astype(DType::C128),
                ),
            ])
        });
    }
}

#[test]
fn split_results_match_the_reference_interpreter() {
    let s = seed();
    for n in [2 * CHUNK + 1, 5 * CHUNK + 77, 1_000_003] {
        let data = values(n, s ^ 0x77 ^ n as u64);
        let cpu = in_pool(4, || {
            let e = Engine::with_backend("cpu").unwrap();
            let x = e.from_vec(data.clone(), &[n]).unwrap();
            let r = reductions(&e, &x).unwrap();
            r.iter().map(|(k, a)| (*k, as_f64(a))).collect::<Vec<_>>()
        });
        let e = Engine::with_backend("reference").unwrap();
        let x = e.from_vec(data.clone(), &[n]).unwrap();
        let reference = reductions(&e, &x).unwrap();
        for ((name, got), (_, want)) in cpu.iter().zip(&reference) {
            let want = as_f64(want);
            if name.starts_with("sum") || *name == "prod" {
                let tol = 1e-12 * (1.0 + want[0].abs()) * (n as f64).log2();
                assert!(
                    (got[0] - want[0]).abs() <= tol,
                    "n={n} {name}: {} vs reference {}",
                    got[0],
                    want[0]
                );
            } else {
                assert_eq!(got, &want, "n={n} {name}");
            }
        }
    }
}

/// Values the checks below plant into an otherwise uniform array.
fn planted(n: usize, plants: &[(usize, f64)]) -> Vec<f64> {
    let mut v = values(n, 42);
    for &(i, x) in plants {
        v[i] = x;
    }
    v
}

fn arg_and_value(e: &Engine, x: &Array) -> (i64, i64, f64, f64) {
    (
        e.argmax(x, None).unwrap().item::<i64>().unwrap(),
        e.argmin(x, None).unwrap().item::<i64>().unwrap(),
        e.max(x, None, false).unwrap().item::<f64>().unwrap(),
        e.min(x, None, false).unwrap().item::<f64>().unwrap(),
    )
}

#[test]
fn ties_pick_the_first_index_across_chunks() {
    let n = 10 * CHUNK + 5;
    // The extremes appear twice, in different chunks, and once more at the very end.
    let data = planted(
        n,
        &[
            (3 * CHUNK + 11, 5.0),
            (7 * CHUNK, 5.0),
            (n - 1, 5.0),
            (CHUNK + 1, -5.0),
            (9 * CHUNK + 3, -5.0),
        ],
    );
    for t in [1, 2, 3, 8] {
        let got = in_pool(t, || {
            let e = Engine::with_backend("cpu").unwrap();
            arg_and_value(&e, &e.from_vec(data.clone(), &[n]).unwrap())
        });
        assert_eq!(
            got,
            ((3 * CHUNK + 11) as i64, (CHUNK + 1) as i64, 5.0, -5.0),
            "{t} threads"
        );
    }
}

#[test]
fn the_first_nan_wins_across_chunks() {
    let n = 10 * CHUNK + 5;
    // A NaN after a larger value, a second NaN in a later chunk, and extremes around them.
    let first_nan = 4 * CHUNK + 9;
    let data = planted(
        n,
        &[
            (CHUNK, 9.0),
            (first_nan, f64::NAN),
            (6 * CHUNK, f64::NAN),
            (8 * CHUNK, -9.0),
        ],
    );
    for t in [1, 2, 3, 8] {
        let (amax, amin, max, min) = in_pool(t, || {
            let e = Engine::with_backend("cpu").unwrap();
            arg_and_value(&e, &e.from_vec(data.clone(), &[n]).unwrap())
        });
        assert_eq!(
            (amax, amin),
            (first_nan as i64, first_nan as i64),
            "{t} threads"
        );
        assert!(max.is_nan() && min.is_nan(), "{t} threads");
    }
    // A NaN as the very first element of a later chunk, and as the last element.
    for at in [3 * CHUNK, n - 1] {
        let data = planted(n, &[(at, f64::NAN)]);
        let (amax, amin, _, _) = in_pool(8, || {
            let e = Engine::with_backend("cpu").unwrap();
            arg_and_value(&e, &e.from_vec(data.clone(), &[n]).unwrap())
        });
        assert_eq!((amax, amin), (at as i64, at as i64));
    }
}

#[test]
fn few_outputs_over_long_rows_split_too() {
    // Two and three rows of a long axis: fewer outputs than threads, each row split.
    for (rows, cols) in [(2usize, 3 * CHUNK + 1), (3, 2 * CHUNK)] {
        let data = values(rows * cols, 9);
        same_across_threads(&format!("{rows}x{cols}"), |e| {
            let x = e.from_vec(data.clone(), &[rows, cols])?;
            let xt = e.transpose(&e.from_vec(data.clone(), &[cols, rows])?);
            Ok(vec![
                ("sum1", e.sum(&x, Some(&[1]), false)?),
                ("max1", e.max(&x, Some(&[1]), false)?),
                ("argmax1", e.argmax(&x, Some(1))?),
                ("sum_t", e.sum(&xt, Some(&[1]), false)?),
                ("argmin_t", e.argmin(&xt, Some(1))?),
            ])
        });
    }
}

#[test]
fn small_ranges_keep_first_index_and_nan_rules_in_every_chain_position() {
    // The kernel folds four interleaved chains: plant ties and NaNs at every pair of
    // positions of short ranges, so each pair of chains (and the tail) meets.
    let e = Engine::with_backend("cpu").unwrap();
    let r = Engine::with_backend("reference").unwrap();
    for n in 1..=11usize {
        for i in 0..n {
            for j in i..n {
                for plant in [5.0, -5.0, f64::NAN] {
                    let mut v: Vec<f64> = (0..n).map(|k| (k as f64 * 0.37).sin()).collect();
                    v[i] = plant;
                    v[j] = plant;
                    let got = arg_and_value(&e, &e.from_vec(v.clone(), &[n]).unwrap());
                    let want = arg_and_value(&r, &r.from_vec(v.clone(), &[n]).unwrap());
                    assert_eq!((got.0, got.1), (want.0, want.1), "n={n} {plant} at {i},{j}");
                    let iv: Vec<i64> = v
                        .iter()
                        .map(|x| if x.is_nan() { 9 } else { (x * 10.0) as i64 })
                        .collect();
                    for (eng, name) in [(&e, "cpu"), (&r, "reference")] {
                        let x = eng.from_vec(iv.clone(), &[n]).unwrap();
                        let a = eng.argmax(&x, None).unwrap().item::<i64>().unwrap();
                        let b = eng.argmin(&x, None).unwrap().item::<i64>().unwrap();
                        let first_max = iv
                            .iter()
                            .position(|&y| y == *iv.iter().max().unwrap())
                            .unwrap();
                        let first_min = iv
                            .iter()
                            .position(|&y| y == *iv.iter().min().unwrap())
                            .unwrap();
                        assert_eq!(
                            (a, b),
                            (first_max as i64, first_min as i64),
                            "{name} n={n} ints {iv:?}"
                        );
                    }
                }
            }
        }
    }
}
