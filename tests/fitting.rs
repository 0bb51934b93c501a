//! Fitting helpers (`sum_of_2d_modes`, `lstsq`, `normalize_modes`,
//! `orthogonalize_modes`) against independent facts: explicit sums on the host, the
//! Clenshaw Zernike sum, fit round trips from known coefficients, means, RMS and PV
//! computed here on the host, Gram matrices and refits; plus fusion and errors.

use mathengine::backend::cpu::CpuBackend;
use mathengine::polynomials::fitting::NormalizeTo;
use mathengine::{Array, Backend, DType, Engine, Error};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[path = "common/poly.rs"]
mod poly;
use poly::*;

fn b(a: &Array) -> Vec<bool> {
    a.to_vec::<bool>().expect("evaluates")
}

/// (n, m) of Noll indices 1..=j.
fn noll(e: &Engine, j: usize) -> Vec<(i32, i32)> {
    (1..=j)
        .map(|j| e.polynomials.noll_to_nm(j).unwrap())
        .collect()
}

/// An n×n grid over [-1, 1)², its polar coordinates and the unit-circle mask.
fn disk(e: &Engine, n: usize) -> (Array, Array, Array) {
    let (x, y) = e.coordinates.make_xy_grid(n, None, Some(2.0)).unwrap();
    let (r, t) = e.coordinates.cart_to_polar(&x, &y).unwrap();
    let mask = e.coordinates.circle(1.0, &r).unwrap();
    (r, t, mask)
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

// ------------------------------------------------------------------- sum_of_2d_modes

#[test]
fn sum_of_2d_modes_is_the_weighted_sum_and_one_kernel() {
    let launches = Arc::new(AtomicUsize::new(0));
    let e = Engine::new();
    e.change_backend(Box::new(Counting {
        cpu: CpuBackend::new(),
        launches: launches.clone(),
    }) as Box<dyn Backend>)
        .unwrap();
    let (r, t, _) = disk(&e, 48);
    let nms = noll(&e, 36);
    let w = points(nms.len(), -1.0, 1.0, 41);
    let modes = e.polynomials.zernike_nm_seq(&nms, &r, &t, true).unwrap();
    let s = e.polynomials.sum_of_2d_modes(&modes, &w).unwrap();
    launches.store(0, Ordering::SeqCst);
    s.eval().unwrap();
    assert_eq!(launches.load(Ordering::SeqCst), 1, "modes and sum fuse");
    let s = v(&s);
    // the explicit sum on the host
    let mut want = vec![0.0; s.len()];
    for (c, m) in w.iter().zip(&modes) {
        for (o, x) in want.iter_mut().zip(v(m)) {
            *o += c * x;
        }
    }
    assert!(max_abs_diff(&s, &want) < 1e-12);
    // and the Clenshaw sum, which never forms a mode
    let clenshaw = v(&e.polynomials.zernike_sum(&w, &nms, &r, &t, true).unwrap());
    assert!(max_abs_diff(&s, &clenshaw) < 1e-11);
    // integer modes become float64; one mode and weight 1 is the mode itself
    let i = e.arange_int(4);
    let s = e
        .polynomials
        .sum_of_2d_modes(&[i.clone(), i], &[0.5, 0.25])
        .unwrap();
    assert_eq!(s.dtype(), DType::F64);
    assert_eq!(v(&s), vec![0.0, 0.75, 1.5, 2.25]);
    let f = e.from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
    let s = e.polynomials.sum_of_2d_modes(&[f], &[3.0]).unwrap();
    assert_eq!(s.to_vec::<f32>().unwrap(), vec![3.0, 6.0]);
}

// ----------------------------------------------------------------------------- lstsq

#[test]
fn lstsq_recovers_noll_1_to_36_on_a_nan_masked_128_grid() {
    let e = Engine::new();
    let (r, t, mask) = disk(&e, 128);
    let nms = noll(&e, 36);
    let coefs = points(nms.len(), -1.0, 1.0, 5);
    let modes = e.polynomials.zernike_nm_seq(&nms, &r, &t, true).unwrap();
    // the wavefront from the Clenshaw sum, NaN outside the unit circle
    let w = e
        .polynomials
        .zernike_sum(&coefs, &nms, &r, &t, true)
        .unwrap();
    let nan = e.scalar(f64::NAN);
    let data = e.where_(&mask, &w, &nan).unwrap();
    let c = e.polynomials.lstsq(&modes, &data, None).unwrap();
    assert_eq!(c.len(), 36);
    let err = max_abs_diff(&c, &coefs);
    assert!(err < 1e-10, "NaN-masked fit: max coefficient error {err:e}");
    // NaN-masked modes too (as prysm users often have them): excluded samples are
    // never read
    let nan_modes: Vec<Array> = modes
        .iter()
        .map(|m| e.where_(&mask, m, &nan).unwrap())
        .collect();
    let c = e.polynomials.lstsq(&nan_modes, &data, None).unwrap();
    assert!(max_abs_diff(&c, &coefs) < 1e-10);
}

#[test]
fn lstsq_with_an_explicit_boolean_mask() {
    let e = Engine::new();
    let (r, t, mask) = disk(&e, 128);
    let nms = noll(&e, 36);
    let coefs = points(nms.len(), -0.5, 0.5, 6);
    let modes = e.polynomials.zernike_nm_seq(&nms, &r, &t, true).unwrap();
    let w = e
        .polynomials
        .zernike_sum(&coefs, &nms, &r, &t, true)
        .unwrap();
    // garbage outside the circle: only the mask keeps it out of the fit
    let data = e.where_(&mask, &w, &e.scalar(123.0)).unwrap();
    let c = e.polynomials.lstsq(&modes, &data, Some(&mask)).unwrap();
    let err = max_abs_diff(&c, &coefs);
    assert!(err < 1e-10, "masked fit: max coefficient error {err:e}");
    let unmasked = e.polynomials.lstsq(&modes, &data, None).unwrap();
    assert!(max_abs_diff(&unmasked, &coefs) > 1e-3, "the mask matters");
    // NaNs inside the mask (a dead row of the detector) are excluded as well
    let x = e.coordinates.make_xy_grid(128, None, Some(2.0)).unwrap().1;
    let dead = e.less(&e.abs(&x).unwrap(), &e.scalar(0.05)).unwrap();
    let holed = e.where_(&dead, &e.scalar(f64::NAN), &data).unwrap();
    let c = e.polynomials.lstsq(&modes, &holed, Some(&mask)).unwrap();
    assert!(max_abs_diff(&c, &coefs) < 1e-10);
    // float32 modes and data: the fit runs in float32
    let m32: Vec<Array> = modes.iter().map(|m| m.astype(DType::F32)).collect();
    let c = e
        .polynomials
        .lstsq(&m32, &data.astype(DType::F32), Some(&mask))
        .unwrap();
    assert!(max_abs_diff(&c, &coefs) < 1e-4);
}

// ------------------------------------------------------------------- normalize_modes

/// (mean, population std, max - min) of `a` over `mask`, on the host.
fn stats(a: &[f64], mask: &[bool]) -> (f64, f64, f64) {
    let sel: Vec<f64> = a.iter().zip(mask).filter(|p| *p.1).map(|p| *p.0).collect();
    let n = sel.len() as f64;
    let mean = sel.iter().sum::<f64>() / n;
    let var = sel.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let hi = sel.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lo = sel.iter().cloned().fold(f64::INFINITY, f64::min);
    (mean, var.sqrt(), hi - lo)
}

#[test]
fn normalize_modes_gives_unit_rms_or_pv_over_the_mask() {
    let e = Engine::new();
    let (r, t, mask) = disk(&e, 96);
    let mb = b(&mask);
    let nms = noll(&e, 15);
    // unnormalised modes: RMS and PV far from 1
    let modes = e.polynomials.zernike_nm_seq(&nms, &r, &t, false).unwrap();
    let raw: Vec<Vec<f64>> = modes.iter().map(v).collect();
    for to in [NormalizeTo::Rms, NormalizeTo::Pv] {
        for remove_piston in [true, false] {
            let out = e
                .polynomials
                .normalize_modes(&modes, &mask, to, remove_piston)
                .unwrap();
            for (i, (o, m)) in out.iter().zip(&raw).enumerate() {
                let o = v(o);
                assert!(
                    o.iter().zip(&mb).all(|(x, &k)| k || *x == 0.0),
                    "zero outside the mask"
                );
                let (mean, std, pv) = stats(m, &mb);
                let norm = match to {
                    NormalizeTo::Rms => std,
                    NormalizeTo::Pv => pv,
                };
                if i == 0 {
                    // piston: zero RMS and PV, left unscaled (prysm's loophole)
                    assert!(norm < 1e-9);
                    let want = if remove_piston { 0.0 } else { 1.0 };
                    assert!(o
                        .iter()
                        .zip(&mb)
                        .all(|(x, &k)| !k || (x - want).abs() < 1e-12));
                    continue;
                }
                let (omean, ostd, opv) = stats(&o, &mb);
                let got = match to {
                    NormalizeTo::Rms => ostd,
                    NormalizeTo::Pv => opv,
                };
                assert!((got - 1.0).abs() < 1e-12, "mode {i} {to:?}: {got}");
                let want_mean = if remove_piston { 0.0 } else { mean / norm };
                assert!((omean - want_mean).abs() < 1e-12, "mode {i} mean {omean}");
                // elementwise: (m - mean) / norm or m / norm
                let shift = if remove_piston { mean } else { 0.0 };
                for ((x, y), &k) in o.iter().zip(m).zip(&mb) {
                    if k {
                        assert!((x - (y - shift) / norm).abs() < 1e-12);
                    }
                }
            }
        }
    }
}

// --------------------------------------------------------------- orthogonalize_modes

#[test]
fn orthogonalize_modes_is_orthonormal_over_the_mask_and_keeps_the_span() {
    let e = Engine::new();
    let (r, t, mask) = disk(&e, 64);
    let mb = b(&mask);
    let count = mb.iter().filter(|&&k| k).count();
    let nms = noll(&e, 21);
    let modes = e.polynomials.zernike_nm_seq(&nms, &r, &t, true).unwrap();
    let q = e.polynomials.orthogonalize_modes(&modes, &mask).unwrap();
    assert_eq!(q.len(), modes.len());
    let qs: Vec<Vec<f64>> = q.iter().map(v).collect();
    let ms: Vec<Vec<f64>> = modes.iter().map(v).collect();
    let dot = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .zip(&mb)
            .filter(|p| *p.1)
            .map(|((x, y), _)| x * y)
            .sum()
    };
    // the sampled Zernikes are not orthogonal on the grid: the test is not vacuous
    let raw_off = dot(&ms[3], &ms[10]) / count as f64;
    assert!(raw_off.abs() > 1e-6, "sampled Z4·Z11 = {raw_off}");
    for i in 0..q.len() {
        assert!(qs[i].iter().zip(&mb).all(|(x, &k)| k || *x == 0.0));
        for j in 0..q.len() {
            let g = dot(&qs[i], &qs[j]);
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((g - want).abs() < 1e-10, "Gram[{i}][{j}] = {g}");
        }
        // signs: diag(R) > 0, i.e. output i correlates positively with mode i
        assert!(dot(&qs[i], &ms[i]) > 0.0);
    }
    // Gram–Schmidt's first step: the normalised piston, 1/sqrt(count) on the mask
    let q0 = 1.0 / (count as f64).sqrt();
    assert!(qs[0]
        .iter()
        .zip(&mb)
        .all(|(x, &k)| !k || (x - q0).abs() < 1e-13));
    // the span is unchanged: each original mode is refit exactly from the outputs
    for (j, m) in modes.iter().enumerate() {
        let c = e.polynomials.lstsq(&q, m, Some(&mask)).unwrap();
        // mode j only needs outputs 0..=j (triangular R)
        assert!(c[j + 1..].iter().all(|x| x.abs() < 1e-9), "mode {j}: {c:?}");
        let back = v(&e.polynomials.sum_of_2d_modes(&q, &c).unwrap());
        for ((x, y), &k) in back.iter().zip(&ms[j]).zip(&mb) {
            if k {
                assert!((x - y).abs() < 1e-10, "mode {j} refit: {x} vs {y}");
            }
        }
    }
}

// ------------------------------------------------------------------------ bad input

fn err_of<T: std::fmt::Debug>(r: mathengine::Result<T>) -> Error {
    match r {
        Err(e) => e,
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// The error names `op` first and mentions `needle`.
fn names(r: mathengine::Result<impl std::fmt::Debug>, op: &str, needle: &str) -> Error {
    let err = err_of(r);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{op}:")),
        "{text:?} does not name {op:?}"
    );
    assert!(text.contains(needle), "{text:?} lacks {needle:?}");
    err
}

#[test]
fn bad_input_gives_clear_errors() {
    let e = Engine::new();
    let p = &e.polynomials;
    let (r, t, mask) = disk(&e, 16);
    let modes = p.zernike_nm_seq(&noll(&e, 4), &r, &t, true).unwrap();
    let data = p.sum_of_2d_modes(&modes, &[1.0, 2.0, 3.0, 4.0]).unwrap();
    let small = e.zeros(&[8, 8], DType::F64);
    let small_mask = e.ones(&[8, 8], DType::Bool);

    // empty mode lists
    names(p.sum_of_2d_modes(&[], &[]), "sum_of_2d_modes", "empty");
    names(p.lstsq(&[], &data, None), "lstsq", "empty");
    names(
        p.normalize_modes(&[], &mask, NormalizeTo::Rms, true),
        "normalize_modes",
        "empty",
    );
    names(
        p.orthogonalize_modes(&[], &mask),
        "orthogonalize_modes",
        "empty",
    );
    // wrong weight count
    names(
        p.sum_of_2d_modes(&modes, &[1.0, 2.0]),
        "sum_of_2d_modes",
        "2 weights were given for 4 modes",
    );
    // shape mismatches: modes among themselves, data, mask
    let mixed = [modes[0].clone(), small.clone()];
    let e1 = names(
        p.sum_of_2d_modes(&mixed, &[1.0, 1.0]),
        "sum_of_2d_modes",
        "mode 1",
    );
    assert!(matches!(e1, Error::Shape { .. }));
    names(p.lstsq(&mixed, &data, None), "lstsq", "one shape");
    let e2 = names(
        p.lstsq(&modes, &small, None),
        "lstsq",
        "the data has shape (8, 8)",
    );
    assert!(matches!(e2, Error::Shape { .. }));
    names(p.lstsq(&modes, &data, Some(&small_mask)), "lstsq", "mask");
    names(
        p.normalize_modes(&modes, &small_mask, NormalizeTo::Pv, true),
        "normalize_modes",
        "mask",
    );
    names(
        p.orthogonalize_modes(&modes, &small_mask),
        "orthogonalize_modes",
        "mask",
    );
    // a mask that is not boolean
    let numeric = e.astype(&mask, DType::F64);
    let e3 = names(p.lstsq(&modes, &data, Some(&numeric)), "lstsq", "boolean");
    assert!(matches!(e3, Error::DType { .. }));
    names(
        p.orthogonalize_modes(&modes, &numeric),
        "orthogonalize_modes",
        "boolean",
    );
    // too few valid samples
    let idx = e.arange_int(256).reshape(&[16, 16]).unwrap();
    let three = e.less(&idx, &e.scalar(3i64)).unwrap();
    names(
        p.lstsq(&modes, &data, Some(&three)),
        "lstsq",
        "only 3 of 256 samples are valid",
    );
    let all_nan = e.full(&[16, 16], f64::NAN);
    names(p.lstsq(&modes, &all_nan, None), "lstsq", "only 0 of 256");
    names(
        p.orthogonalize_modes(&modes, &three),
        "orthogonalize_modes",
        "3 samples for 4 modes",
    );
    let none = e.zeros(&[16, 16], DType::Bool);
    names(
        p.normalize_modes(&modes, &none, NormalizeTo::Rms, true),
        "normalize_modes",
        "no sample",
    );
    // complex modes or data
    let z = e.complex(&modes[1], &modes[2]).unwrap();
    let e4 = names(
        p.lstsq(std::slice::from_ref(&z), &data, None),
        "lstsq",
        "complex",
    );
    assert!(matches!(e4, Error::DType { .. }));
    names(p.lstsq(&modes, &z, None), "lstsq", "complex");
    // another engine's arrays
    let other = Engine::new();
    let foreign = other.zeros(&[16, 16], DType::F64);
    names(p.lstsq(&modes, &foreign, None), "lstsq", "another Engine");
}
