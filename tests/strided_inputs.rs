//! Elementwise kernels over permuted and strided operands (issue 13): the cpu backend
//! walks transposed reads in tiles and replaces divisions of the index by induction
//! variables, so every element must still equal the reference interpreter's, exactly
//! (the operations are the same; only the order of the work changes). Shapes are odd
//! so tiles, vector lanes and parallel blocks all have ragged edges.
//! Fixed seeds; `MATHENGINE_FRESH_SEED=1` draws a fresh one.

use mathengine::{Array, DType, Engine, Result, Slice};

#[path = "common/random.rs"]
mod random;
use random::{in_pool, values};

fn seed() -> u64 {
    random::seed("strided_inputs", 0x57_21de)
}

type Case = fn(&Engine, &Array) -> Result<Array>;

/// `case(x)` for `x` of `shape` on the cpu backend (1 and 3 threads) and the reference
/// interpreter: same shape, same bits (within 1e-13 relative where `what` names a sum or
/// a transcendental function, which the cpu computes in another order or inline).
fn check(what: &str, shape: &[usize], case: Case) {
    let exact = !["sum", "mixed", "exp"].iter().any(|w| what.contains(w));
    let n: usize = shape.iter().product();
    let data = values(n, seed() ^ n as u64);
    let eval = |backend: &str| {
        let e = Engine::with_backend(backend).unwrap();
        let x = e.from_vec(data.clone(), shape).unwrap();
        let y = case(&e, &x).unwrap();
        let bits: Vec<u64> = y
            .astype(DType::F64)
            .to_vec::<f64>()
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect();
        (y.shape().to_vec(), bits)
    };
    let want = eval("reference");
    for t in [1, 3] {
        let got = in_pool(t, || eval("cpu"));
        assert_eq!(got.0, want.0, "{what} {shape:?}: shape on {t} threads");
        let close = |a: &u64, b: &u64| {
            let (x, y) = (f64::from_bits(*a), f64::from_bits(*b));
            a == b || (!exact && (x - y).abs() <= 1e-13 * (1.0 + y.abs()))
        };
        let bad = got.1.iter().zip(&want.1).position(|(a, b)| !close(a, b));
        assert!(
            bad.is_none(),
            "{what} {shape:?} on {t} threads: element {bad:?} differs from the reference"
        );
    }
}

#[test]
fn transposed_operands_match_the_reference() {
    let t_plus_1: Case = |e, x| Ok(e.transpose(x) + 1.0);
    for shape in [
        &[37, 1029][..],
        &[1029, 37],
        &[1, 5000],
        &[5000, 1],
        &[16, 16],
        &[17, 9000],
        &[300, 301],
    ] {
        check("transpose + 1", shape, t_plus_1);
    }
    // Transposed and plain operands in one kernel, and a transposed one in a reduction.
    let mixed: Case = |e, x| Ok(e.transpose(x) * 2.0 + e.sin(&e.transpose(x))?);
    check("mixed", &[129, 257], mixed);
    // Divisors unrelated to the output rows (the band entry declines, rows run one by
    // one): a transpose reshaped to rows of 100.
    let reshaped: Case = |e, x| Ok(e.transpose(x).reshape(&[96, 100])? + 1.0);
    check("reshaped transpose", &[120, 80], reshaped);
    let sum_t: Case = |e, x| e.sum(&e.transpose(x), Some(&[1]), false);
    check("sum of transpose", &[129, 257], sum_t);
}

#[test]
fn permuted_3d_operands_match_the_reference() {
    let cases: [(&str, Case); 5] = [
        ("perm 2,0,1", |e, x| Ok(e.permute(x, &[2, 0, 1])? + 1.0)),
        ("perm 1,2,0", |e, x| Ok(e.permute(x, &[1, 2, 0])? * 3.0)),
        ("perm 0,2,1", |e, x| Ok(e.permute(x, &[0, 2, 1])? - 0.5)),
        ("perm 2,1,0 exp", |e, x| e.exp(&e.permute(x, &[2, 1, 0])?)),
        ("perm of perm", |e, x| {
            let p = e.permute(x, &[1, 0, 2])?;
            Ok(e.permute(&(&p + 1.0), &[2, 0, 1])? * 2.0)
        }),
    ];
    for shape in [&[20, 30, 40][..], &[3, 37, 101], &[65, 2, 70]] {
        for (what, case) in cases {
            check(what, shape, case);
        }
    }
}

#[test]
fn stepped_slices_match_the_reference() {
    let cases: [(&str, Case); 5] = [
        ("step 2", |e, x| {
            Ok(e.slice(x, &[Slice::new(None, None, 2)])? + 1.0)
        }),
        ("step 3", |e, x| {
            Ok(e.slice(x, &[Slice::new(Some(1), None, 3)])? * 2.0)
        }),
        ("step -1", |e, x| {
            Ok(e.slice(x, &[Slice::new(None, None, -1)])? + 1.0)
        }),
        ("step -3 from 5", |e, x| {
            Ok(e.slice(x, &[Slice::new(Some(-5), None, -3)])? + 1.0)
        }),
        ("sum of step 2", |e, x| {
            e.sum(&e.slice(x, &[Slice::new(None, None, 2)])?, None, false)
        }),
    ];
    for n in [1, 7, 8191, 8192, 8193, 100_003] {
        for (what, case) in cases {
            check(what, &[n], case);
        }
    }
    let two_d: [(&str, Case); 2] = [
        ("rows step 2, cols step -1", |e, x| {
            let s = [Slice::new(None, None, 2), Slice::new(None, None, -1)];
            Ok(e.slice(x, &s)? + 1.0)
        }),
        ("transpose of step 3", |e, x| {
            let s = [Slice::new(None, None, 3), Slice::all()];
            Ok(e.transpose(&e.slice(x, &s)?) + 1.0)
        }),
    ];
    for (what, case) in two_d {
        check(what, &[301, 77], case);
    }
}

/// Broadcast operands make the elementwise loop divide its index (row, column): it
/// divides once per row segment and steps inside the row. Row lengths straddle the
/// vector width and the 8192-element parallel block, so calls start and end mid-row
/// and rows are shorter, equal to and longer than a call.
#[test]
fn broadcast_operands_match_the_reference() {
    let outer: Case = |e, x| {
        let first_row = e.slice(x, &[Slice::new(Some(0), Some(1), 1), Slice::all()])?;
        let first_col = e.slice(x, &[Slice::all(), Slice::new(Some(0), Some(1), 1)])?;
        e.add(&e.mul(x, &first_row)?, &first_col)
    };
    for shape in [
        &[5000, 1][..],
        &[4000, 2],
        &[3000, 3],
        &[1500, 7],
        &[1200, 8],
        &[1100, 9],
        &[9, 4095],
        &[5, 4096],
        &[3, 8193],
        &[2, 20000],
    ] {
        check("outer", shape, outer);
    }
    // 3-D: the middle index is a remainder of a quotient.
    let middle: Case = |e, x| {
        let plane = e.slice(
            x,
            &[Slice::new(Some(0), Some(1), 1), Slice::all(), Slice::all()],
        )?;
        let line = e.slice(
            x,
            &[Slice::all(), Slice::all(), Slice::new(Some(1), Some(2), 1)],
        )?;
        e.sub(&e.add(x, &plane)?, &line)
    };
    for shape in [&[3, 5, 7][..], &[7, 100, 31], &[2, 3, 9000], &[40, 41, 9]] {
        check("middle", shape, middle);
    }
    // Terms of the row alone (computed once per row segment): arithmetic and a select
    // on a column, next to the varying part.
    let row_terms: Case = |e, x| {
        let col = e.slice(x, &[Slice::all(), Slice::new(Some(0), Some(1), 1)])?;
        let term = e.where_(
            &e.greater(&col, &e.full(&[], 0.0))?,
            &(&col * 2.0 + 1.0),
            &col,
        )?;
        e.mul(x, &term)
    };
    for shape in [&[5000, 3][..], &[9, 4095], &[3, 8193], &[100, 100]] {
        check("row terms", shape, row_terms);
    }
}
