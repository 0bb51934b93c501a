//! Reductions over several trailing axes of a lazy operand read by multi-index (a
//! broadcast, a generated grid) run in two stages, over rows and then over the row
//! results (`Engine::reduce`), so no element's multi-index is divided out of a flat
//! index. Results are compared with the reference interpreter reducing the same values
//! evaluated first (one stage), and must be bit-identical on 1 and 3 threads.
//! Fixed seeds; `MATHENGINE_FRESH_SEED=1` draws a fresh one.

use mathengine::{Array, DType, Engine, Result, Slice};
use mathengine_ir::Op;

#[path = "common/random.rs"]
mod random;
use random::{in_pool, values};

fn seed() -> u64 {
    random::seed("reduction_two_stage", 0x2_57a9e)
}

/// `x + x[0:1] * x[..., 0:1]`-like: every trailing axis broadcast somewhere.
fn broadcast_of(e: &Engine, x: &Array) -> Result<Array> {
    let nd = x.ndim();
    let mut first = vec![Slice::all(); nd];
    first[0] = Slice::new(Some(0), Some(1), 1);
    let mut last = vec![Slice::all(); nd];
    last[nd - 1] = Slice::new(Some(0), Some(1), 1);
    let a = e.slice(x, &first)?;
    let b = e.slice(x, &last)?;
    e.add(x, &e.mul(&a, &b)?)
}

type Named = Vec<(String, Array)>;
/// Each result's name, shape and values.
type Results = [(String, (Vec<usize>, Vec<f64>))];

fn reductions(e: &Engine, x: &Array, axes: Option<&[isize]>) -> Result<Named> {
    let mut out: Named = Vec::new();
    let non_empty = x.size() > 0;
    for keep in [false, true] {
        let k = if keep { "keep" } else { "" };
        out.push((format!("sum{k}"), e.sum(x, axes, keep)?));
        out.push((format!("prod{k}"), e.prod(&(x * 1e-3 + 1.0), axes, keep)?));
        out.push((format!("mean{k}"), e.mean(x, axes, keep)?));
        out.push((format!("var{k}"), e.var(x, axes, keep, 0)?));
        out.push((
            format!("f32sum{k}"),
            e.sum(&x.astype(DType::F32), axes, keep)?,
        ));
        let ints = (x * 1000.0).astype(DType::I64);
        out.push((format!("intsum{k}"), e.sum(&ints, axes, keep)?));
        let positive = e.greater(x, &e.full(&[], 0.5))?;
        out.push((format!("any{k}"), e.any(&positive, axes, keep)?));
        out.push((format!("all{k}"), e.all(&positive, axes, keep)?));
        if non_empty {
            out.push((format!("max{k}"), e.max(x, axes, keep)?));
            out.push((format!("min{k}"), e.min(x, axes, keep)?));
        }
    }
    Ok(out)
}

fn as_f64(a: &Array) -> (Vec<usize>, Vec<f64>) {
    (
        a.shape().to_vec(),
        a.astype(DType::F64).to_vec::<f64>().unwrap(),
    )
}

fn check(shape: &[usize]) {
    let n: usize = shape.iter().product();
    let data = values(n, seed() ^ n as u64);
    let nd = shape.len() as isize;
    let mut axis_sets: Vec<Option<Vec<isize>>> = vec![None];
    for first in 0..nd - 1 {
        axis_sets.push(Some((first..nd).collect()));
    }
    for axes in axis_sets {
        let what = format!("shape {shape:?} axes {axes:?}");
        let lazy = || {
            let e = Engine::with_backend("cpu").unwrap();
            let x = e.from_vec(data.clone(), shape).unwrap();
            let y = broadcast_of(&e, &x).unwrap();
            let r = reductions(&e, &y, axes.as_deref()).unwrap();
            r.iter()
                .map(|(name, a)| (name.clone(), as_f64(a)))
                .collect::<Vec<_>>()
        };
        let one = in_pool(1, lazy);
        let three = in_pool(3, lazy);
        let bits = |r: &Results| -> Vec<Vec<u64>> {
            r.iter()
                .map(|(_, (_, v))| v.iter().map(|x| x.to_bits()).collect())
                .collect()
        };
        assert_eq!(bits(&one), bits(&three), "{what}: 3 threads differ from 1");
        // The reference: the broadcast evaluated first, then reduced in one stage.
        let e = Engine::with_backend("reference").unwrap();
        let x = e.from_vec(data.clone(), shape).unwrap();
        let y = broadcast_of(&e, &x).unwrap();
        let y = e.from_vec(y.to_vec::<f64>().unwrap(), shape).unwrap();
        let want = reductions(&e, &y, axes.as_deref()).unwrap();
        let reduced: usize = match &axes {
            None => n,
            Some(a) => a.iter().map(|&d| shape[d as usize]).product(),
        };
        for ((name, (got_shape, got)), (_, w)) in one.iter().zip(&want) {
            let (want_shape, want) = as_f64(w);
            assert_eq!(got_shape, &want_shape, "{what} {name}: shape");
            // Exact: integer sums, any/all, min/max. Sums of values below 2 in size: an
            // absolute bound scaled by the reduced length covers any order (float32: the
            // reference interpreter adds in float32, the cpu in float64).
            let tol = match name.trim_end_matches("keep") {
                "intsum" | "any" | "all" | "max" | "min" => 0.0,
                "f32sum" => 2.4e-7 * (reduced as f64 + 4.0),
                _ => 1e-14 * (reduced as f64 + 4.0),
            };
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                assert!(
                    (g - w).abs() <= tol * (1.0 + w.abs()) || (g.is_nan() && w.is_nan()),
                    "{what} {name}[{i}]: two stages {g} vs one stage {w}"
                );
            }
        }
    }
}

#[test]
fn trailing_axes_of_broadcasts_match_one_stage_reductions() {
    for shape in [
        &[2, 64][..],
        &[3, 100],
        &[257, 129],
        &[5, 7, 100],
        &[2, 3, 4, 65],
        &[4, 0, 80],
        // Not split: rows shorter than 64, or one row.
        &[100, 63],
        &[1, 500],
    ] {
        check(shape);
    }
}

/// The split is what ran: the full sum of a broadcast reduces the row sums.
#[test]
fn a_full_sum_of_a_broadcast_reduces_row_sums() {
    let e = Engine::with_backend("cpu").unwrap();
    let x = e.from_vec(values(300, seed()), &[3, 100]).unwrap();
    let y = broadcast_of(&e, &x).unwrap();
    let s = e.sum(&y, None, false).unwrap();
    let inner = s.node().inputs()[0].clone();
    assert!(
        matches!(inner.op, Op::Reduce { .. }),
        "one stage: {:?}",
        inner.op
    );
    // An evaluated operand is read flat, in one stage.
    let z = e.from_vec(values(300, seed()), &[3, 100]).unwrap();
    let s = e.sum(&z, None, false).unwrap();
    assert!(matches!(s.node().op, Op::Reduce { .. }));
    assert!(!matches!(s.node().inputs()[0].op, Op::Reduce { .. }));
}

/// A generated grid too large for its row results to be stored (2^28 rows) is reduced
/// in one stage, which needs no memory: splitting must not turn a sum that runs into
/// an out-of-memory error.
#[test]
fn a_huge_generated_grid_stays_one_stage() {
    let e = Engine::with_backend("cpu").unwrap();
    let rows = e
        .linspace(0.0, 1.0, 1 << 28)
        .reshape(&[1 << 28, 1])
        .unwrap();
    let cols = e.linspace(0.0, 1.0, 64).reshape(&[1, 64]).unwrap();
    let grid = e.add(&rows, &cols).unwrap();
    let s = e.sum(&grid, None, false).unwrap();
    assert!(!matches!(s.node().inputs()[0].op, Op::Reduce { .. }));
    // Just below the limit the split is made.
    let rows = e
        .linspace(0.0, 1.0, 1 << 20)
        .reshape(&[1 << 20, 1])
        .unwrap();
    let s = e.sum(&e.add(&rows, &cols).unwrap(), None, false).unwrap();
    assert!(matches!(s.node().inputs()[0].op, Op::Reduce { .. }));
}

/// A full reduction of a lazy transpose reduces the operand in its memory order: the
/// same values (up to the order of additions) as reducing the transposed array stored.
#[test]
fn a_full_reduction_of_a_transpose_reads_the_operand() {
    let (rows, cols) = (37, 300);
    let data = values(rows * cols, seed() ^ 11);
    let stored_t: Vec<f64> = (0..cols)
        .flat_map(|c| (0..rows).map(move |r| (r, c)))
        .map(|(r, c)| data[r * cols + c])
        .collect();
    let e = Engine::with_backend("cpu").unwrap();
    let m = e.from_vec(data.clone(), &[rows, cols]).unwrap();
    let t = e.transpose(&m);
    let f = Engine::with_backend("reference").unwrap();
    let want_t = f.from_vec(stored_t, &[cols, rows]).unwrap();
    for keep in [false, true] {
        let got = [
            e.sum(&t, None, keep).unwrap(),
            e.max(&t, None, keep).unwrap(),
            e.min(&t, None, keep).unwrap(),
            e.mean(&t, None, keep).unwrap(),
        ];
        let want = [
            f.sum(&want_t, None, keep).unwrap(),
            f.max(&want_t, None, keep).unwrap(),
            f.min(&want_t, None, keep).unwrap(),
            f.mean(&want_t, None, keep).unwrap(),
        ];
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.shape(), w.shape());
            let (g, w) = (g.to_vec::<f64>().unwrap()[0], w.to_vec::<f64>().unwrap()[0]);
            assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()), "{g} vs {w}");
        }
    }
    // The reduction reads m: no transpose left in the graph.
    let s = e.sum(&t, None, false).unwrap();
    let reads = s.node().inputs()[0].clone();
    assert!(!matches!(reads.op, Op::Permute(_)), "{:?}", reads.op);
    // argmax keeps the transposed order (an index into the transpose).
    let got = e.argmax(&t, None).unwrap().to_vec::<i64>().unwrap();
    let want = f.argmax(&want_t, None).unwrap().to_vec::<i64>().unwrap();
    assert_eq!(got, want);
}
