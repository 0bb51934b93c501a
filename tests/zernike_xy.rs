//! Cartesian Zernike derivatives and fused sums against independent facts: derivatives
//! written out by hand, central finite differences of the polar `zernike_nm`, the chain
//! rule applied to the polar `zernike_nm_der`, Jacobi values at -1 (DLMF 18.6.1) for the
//! origin, explicit weighted sums; plus fusion (one kernel), backend agreement, float32
//! and errors.

use mathengine::{Array, DType, Engine, Error};
use std::sync::atomic::Ordering;

#[path = "common/poly.rs"]
mod poly;
use poly::*;

/// Every (n, m) with n <= nmax, n ascending then m ascending.
fn modes(nmax: i32) -> Vec<(i32, i32)> {
    (0..=nmax)
        .flat_map(|n| (-n..=n).step_by(2).map(move |m| (n, m)))
        .collect()
}

fn norm_of(n: i32, m: i32) -> f64 {
    (2.0 * (n as f64 + 1.0) / if m == 0 { 2.0 } else { 1.0 }).sqrt()
}

/// Random sample points (x, y) in [-1.1, 1.1]², with the origin first.
fn sample_xy(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut xs = points(n, -1.1, 1.1, seed);
    let mut ys = points(n, -1.1, 1.1, seed + 1);
    xs[0] = 0.0;
    ys[0] = 0.0;
    (xs, ys)
}

/// The unnormalised (∂x, ∂y) of Z(n, m), differentiated by hand from
/// Z = R(ρ) · cos/sin(|m| t) written as a polynomial in x and y (p = x² + y²).
fn der_closed(n: i32, m: i32, x: f64, y: f64) -> Option<(f64, f64)> {
    let p = x * x + y * y;
    Some(match (n, m) {
        (0, 0) => (0.0, 0.0),
        // x, y
        (1, 1) => (1.0, 0.0),
        (1, -1) => (0.0, 1.0),
        // 2p - 1
        (2, 0) => (4.0 * x, 4.0 * y),
        // x² - y², 2xy
        (2, 2) => (2.0 * x, -2.0 * y),
        (2, -2) => (2.0 * y, 2.0 * x),
        // (3p - 2) x, (3p - 2) y
        (3, 1) => (9.0 * x * x + 3.0 * y * y - 2.0, 6.0 * x * y),
        (3, -1) => (6.0 * x * y, 3.0 * x * x + 9.0 * y * y - 2.0),
        // x³ - 3xy², 3x²y - y³
        (3, 3) => (3.0 * x * x - 3.0 * y * y, -6.0 * x * y),
        (3, -3) => (6.0 * x * y, 3.0 * x * x - 3.0 * y * y),
        // 6p² - 6p + 1
        (4, 0) => (24.0 * p * x - 12.0 * x, 24.0 * p * y - 12.0 * y),
        // (4p - 3) 2xy = 8x³y + 8xy³ - 6xy
        (4, -2) => (
            24.0 * x * x * y + 8.0 * y.powi(3) - 6.0 * y,
            8.0 * x.powi(3) + 24.0 * x * y * y - 6.0 * x,
        ),
        // (4p - 3)(x² - y²) = 4x⁴ - 4y⁴ - 3x² + 3y²
        (4, 2) => (16.0 * x.powi(3) - 6.0 * x, -16.0 * y.powi(3) + 6.0 * y),
        // x⁴ - 6x²y² + y⁴, 4x³y - 4xy³
        (4, 4) => (
            4.0 * x.powi(3) - 12.0 * x * y * y,
            -12.0 * x * x * y + 4.0 * y.powi(3),
        ),
        (4, -4) => (
            12.0 * x * x * y - 4.0 * y.powi(3),
            4.0 * x.powi(3) - 12.0 * x * y * y,
        ),
        // (10p² - 12p + 3) x
        (5, 1) => (
            40.0 * p * x * x - 24.0 * x * x + 10.0 * p * p - 12.0 * p + 3.0,
            (40.0 * p * y - 24.0 * y) * x,
        ),
        // (10p² - 12p + 3) y
        (5, -1) => (
            (40.0 * p * x - 24.0 * x) * y,
            40.0 * p * y * y - 24.0 * y * y + 10.0 * p * p - 12.0 * p + 3.0,
        ),
        _ => return None,
    })
}

#[test]
fn cartesian_derivatives_match_hand_derived_closed_forms() {
    let e = Engine::new();
    let (xs, ys) = sample_xy(50, 21);
    let (x, y) = (arr(&e, &xs), arr(&e, &ys));
    let mut checked = 0;
    for (n, m) in modes(5) {
        let Some(_) = der_closed(n, m, 0.0, 0.0) else {
            continue;
        };
        for norm in [false, true] {
            let (dx, dy) = e.polynomials.zernike_nm_der_xy(n, m, &x, &y, norm).unwrap();
            let c = if norm { norm_of(n, m) } else { 1.0 };
            let want: Vec<(f64, f64)> = xs
                .iter()
                .zip(&ys)
                .map(|(&x, &y)| der_closed(n, m, x, y).unwrap())
                .collect();
            let wx: Vec<f64> = want.iter().map(|w| c * w.0).collect();
            let wy: Vec<f64> = want.iter().map(|w| c * w.1).collect();
            assert_close(&format!("dZ({n},{m})/dx norm={norm}"), &v(&dx), &wx, 1e-13);
            assert_close(&format!("dZ({n},{m})/dy norm={norm}"), &v(&dy), &wy, 1e-13);
        }
        checked += 1;
    }
    assert_eq!(
        checked, 17,
        "every mode up to n = 5 but (5, ±3) and (5, ±5)"
    );
    // Z(2,0) = sqrt3 (2(x²+y²) - 1): ∂x = 4 sqrt3 x, exactly as the issue states
    let (dx, _) = e.polynomials.zernike_nm_der_xy(2, 0, &x, &y, true).unwrap();
    let want: Vec<f64> = xs.iter().map(|x| 4.0 * 3f64.sqrt() * x).collect();
    assert_close("dZ20/dx", &v(&dx), &want, 1e-14);
}

#[test]
fn cartesian_derivatives_match_finite_differences_of_zernike_nm() {
    let e = Engine::new();
    let (xs, ys) = sample_xy(80, 5);
    let h = 1e-6;
    let shifted = |dx: f64, dy: f64| -> (Array, Array) {
        let x = arr(&e, &xs.iter().map(|v| v + dx).collect::<Vec<_>>());
        let y = arr(&e, &ys.iter().map(|v| v + dy).collect::<Vec<_>>());
        e.coordinates.cart_to_polar(&x, &y).unwrap()
    };
    let (xp, xm, yp, ym) = (
        shifted(h, 0.0),
        shifted(-h, 0.0),
        shifted(0.0, h),
        shifted(0.0, -h),
    );
    let (x, y) = (arr(&e, &xs), arr(&e, &ys));
    let nms = modes(8);
    for norm in [true, false] {
        let ders = e
            .polynomials
            .zernike_nm_der_xy_seq(&nms, &x, &y, norm)
            .unwrap();
        for (&(n, m), (dx, dy)) in nms.iter().zip(&ders) {
            let z = |rt: &(Array, Array)| -> Vec<f64> {
                v(&e.polynomials.zernike_nm(n, m, &rt.0, &rt.1, norm).unwrap())
            };
            let fd = |p: Vec<f64>, q: Vec<f64>| -> Vec<f64> {
                p.iter().zip(q).map(|(a, b)| (a - b) / (2.0 * h)).collect()
            };
            let fx = fd(z(&xp), z(&xm));
            let fy = fd(z(&yp), z(&ym));
            assert_close(&format!("FD dZ({n},{m})/dx"), &v(dx), &fx, 2e-7);
            assert_close(&format!("FD dZ({n},{m})/dy"), &v(dy), &fy, 2e-7);
        }
    }
}

#[test]
fn cartesian_derivatives_follow_the_chain_rule_of_the_polar_ones() {
    let e = Engine::new();
    let rs = points(60, 0.05, 1.0, 31);
    let ts = points(60, -3.1, 3.1, 32);
    let xs: Vec<f64> = rs.iter().zip(&ts).map(|(r, t)| r * t.cos()).collect();
    let ys: Vec<f64> = rs.iter().zip(&ts).map(|(r, t)| r * t.sin()).collect();
    let (r, t) = (arr(&e, &rs), arr(&e, &ts));
    let (x, y) = (arr(&e, &xs), arr(&e, &ys));
    for (n, m) in modes(10) {
        let (dr, dt) = e.polynomials.zernike_nm_der(n, m, &r, &t, true).unwrap();
        let (dx, dy) = e.polynomials.zernike_nm_der_xy(n, m, &x, &y, true).unwrap();
        let (dr, dt) = (v(&dr), v(&dt));
        // ∂x = cos t ∂r - sin t / r ∂t, ∂y = sin t ∂r + cos t / r ∂t
        let wx: Vec<f64> = (0..rs.len())
            .map(|i| ts[i].cos() * dr[i] - ts[i].sin() / rs[i] * dt[i])
            .collect();
        let wy: Vec<f64> = (0..rs.len())
            .map(|i| ts[i].sin() * dr[i] + ts[i].cos() / rs[i] * dt[i])
            .collect();
        assert_close(&format!("chain dZ({n},{m})/dx"), &v(&dx), &wx, 1e-11);
        assert_close(&format!("chain dZ({n},{m})/dy"), &v(&dy), &wy, 1e-11);
    }
}

#[test]
fn cartesian_derivatives_are_finite_and_exact_at_the_origin() {
    let e = Engine::new();
    let zero = e.zeros(&[1], DType::F64);
    let nms = modes(12);
    let ders = e
        .polynomials
        .zernike_nm_der_xy_seq(&nms, &zero, &zero, true)
        .unwrap();
    for (&(n, m), (dx, dy)) in nms.iter().zip(&ders) {
        let (gx, gy) = (v(dx)[0], v(dy)[0]);
        assert!(gx.is_finite() && gy.is_finite(), "({n},{m}) at 0");
        // Only |m| = 1 has a gradient at the origin: Z(n, ±1) = N P_k^(0,1)(2ρ²-1) x (or
        // y), k = (n-1)/2, so its slope there is N P_k^(0,1)(-1) = N (-1)^k (k+1).
        let slope = if m.abs() == 1 {
            let k = (n - 1) / 2;
            norm_of(n, m) * if k % 2 == 0 { 1.0 } else { -1.0 } * (k + 1) as f64
        } else {
            0.0
        };
        let (wx, wy) = match m {
            1 => (slope, 0.0),
            -1 => (0.0, slope),
            _ => (0.0, 0.0),
        };
        assert!(
            (gx - wx).abs() < 1e-12,
            "dZ({n},{m})/dx(0) = {gx}, want {wx}"
        );
        assert!(
            (gy - wy).abs() < 1e-12,
            "dZ({n},{m})/dy(0) = {gy}, want {wy}"
        );
    }
    // and the sum's gradient at 0 is the weighted sum of those
    let coefs = points(nms.len(), -1.0, 1.0, 3);
    let (w, gx, gy) = e
        .polynomials
        .zernike_sum_der_xy(&coefs, &nms, &zero, &zero, true)
        .unwrap();
    let (mut wx, mut wy) = (0.0, 0.0);
    for (c, (dx, dy)) in coefs.iter().zip(&ders) {
        wx += c * v(dx)[0];
        wy += c * v(dy)[0];
    }
    assert!(v(&w)[0].is_finite());
    assert!((v(&gx)[0] - wx).abs() < 1e-12 && (v(&gy)[0] - wy).abs() < 1e-12);
}

// ------------------------------------------------------------------ sums and fusion

#[test]
fn derivative_sequence_is_one_kernel_and_equals_single_modes() {
    let (e, launches) = counting_engine();
    let (x, y) = e.coordinates.make_xy_grid(33, None, Some(2.2)).unwrap();
    let nms = modes(8);
    let ders = e
        .polynomials
        .zernike_nm_der_xy_seq(&nms, &x, &y, true)
        .unwrap();
    let flat: Vec<&Array> = ders.iter().flat_map(|(a, b)| [a, b]).collect();
    launches.store(0, Ordering::SeqCst);
    e.eval_all(&flat).unwrap();
    assert_eq!(
        launches.load(Ordering::SeqCst),
        1,
        "one kernel for 90 outputs"
    );
    for ((dx, dy), &(n, m)) in ders.iter().zip(&nms) {
        let (sx, sy) = e.polynomials.zernike_nm_der_xy(n, m, &x, &y, true).unwrap();
        assert_close(&format!("seq dZ({n},{m})/dx"), &v(dx), &v(&sx), 1e-12);
        assert_close(&format!("seq dZ({n},{m})/dy"), &v(dy), &v(&sy), 1e-12);
    }
}

/// Σ c_i f(i) elementwise, from evaluated single modes.
fn weighted(coefs: &[f64], parts: &[Vec<f64>]) -> Vec<f64> {
    let mut out = vec![0.0; parts[0].len()];
    for (c, p) in coefs.iter().zip(parts) {
        for (o, v) in out.iter_mut().zip(p) {
            *o += c * v;
        }
    }
    out
}

#[test]
fn sum_der_xy_equals_explicit_weighted_sums_and_is_one_kernel() {
    let (e, launches) = counting_engine();
    let (x, y) = e.coordinates.make_xy_grid(31, None, Some(2.0)).unwrap();
    let (r, t) = e.coordinates.cart_to_polar(&x, &y).unwrap();
    type Case = (Vec<(i32, i32)>, Vec<f64>);
    let cases: Vec<Case> = vec![
        (modes(10), points(66, -1.0, 1.0, 7)),
        // sparse, repeated and unordered modes
        (
            vec![(4, 0), (3, -1), (4, 0), (10, -6), (1, 1), (0, 0)],
            vec![0.5, -2.0, 0.25, 1.0, 0.3, 7.0],
        ),
    ];
    for (nms, coefs) in cases {
        for norm in [true, false] {
            let (w, gx, gy) = e
                .polynomials
                .zernike_sum_der_xy(&coefs, &nms, &x, &y, norm)
                .unwrap();
            launches.store(0, Ordering::SeqCst);
            e.eval_all(&[&w, &gx, &gy]).unwrap();
            assert_eq!(
                launches.load(Ordering::SeqCst),
                1,
                "value and gradient: one kernel"
            );
            let zs: Vec<Vec<f64>> = nms
                .iter()
                .map(|&(n, m)| v(&e.polynomials.zernike_nm(n, m, &r, &t, norm).unwrap()))
                .collect();
            let ders = e
                .polynomials
                .zernike_nm_der_xy_seq(&nms, &x, &y, norm)
                .unwrap();
            let dxs: Vec<Vec<f64>> = ders.iter().map(|d| v(&d.0)).collect();
            let dys: Vec<Vec<f64>> = ders.iter().map(|d| v(&d.1)).collect();
            assert_close("W", &v(&w), &weighted(&coefs, &zs), 1e-11);
            assert_close("dW/dx", &v(&gx), &weighted(&coefs, &dxs), 1e-11);
            assert_close("dW/dy", &v(&gy), &weighted(&coefs, &dys), 1e-11);
            // the Cartesian value-only sum is the polar sum
            let sxy = e
                .polynomials
                .zernike_sum_xy(&coefs, &nms, &x, &y, norm)
                .unwrap();
            launches.store(0, Ordering::SeqCst);
            let sxy = v(&sxy);
            assert_eq!(
                launches.load(Ordering::SeqCst),
                1,
                "zernike_sum_xy: one kernel"
            );
            let polar = e
                .polynomials
                .zernike_sum(&coefs, &nms, &r, &t, norm)
                .unwrap();
            assert_close("zernike_sum_xy", &sxy, &v(&polar), 1e-12);
        }
    }
    // all-zero coefficients: exact zeros
    let (w, gx, gy) = e
        .polynomials
        .zernike_sum_der_xy(&[0.0, 0.0], &[(2, 0), (3, 1)], &x, &y, true)
        .unwrap();
    for a in [w, gx, gy] {
        assert!(v(&a).iter().all(|&z| z == 0.0));
    }
}

#[test]
fn compiled_cpu_equals_reference_interpreter() {
    let cpu = Engine::new();
    let reference = Engine::with_backend("reference").unwrap();
    let nms = modes(9);
    let coefs = points(nms.len(), -0.5, 0.5, 9);
    let run = |e: &Engine| -> Vec<Vec<f64>> {
        let (x, y) = e.coordinates.make_xy_grid(19, None, Some(2.0)).unwrap();
        let mut out = Vec::new();
        for (dx, dy) in e
            .polynomials
            .zernike_nm_der_xy_seq(&nms, &x, &y, true)
            .unwrap()
        {
            out.push(dx);
            out.push(dy);
        }
        let (w, gx, gy) = e
            .polynomials
            .zernike_sum_der_xy(&coefs, &nms, &x, &y, true)
            .unwrap();
        out.extend([w, gx, gy]);
        out.push(
            e.polynomials
                .zernike_sum_xy(&coefs, &nms, &x, &y, false)
                .unwrap(),
        );
        out.iter().map(v).collect()
    };
    let (a, b) = (run(&cpu), run(&reference));
    for (i, (p, q)) in a.iter().zip(&b).enumerate() {
        assert_close(&format!("output {i}"), p, q, 1e-12);
    }
}

// -------------------------------------------------------------------------- float32

/// `got` (float32) within `tol` of `want` relative to the largest |want|.
fn assert_f32_close(what: &str, got: &Array, want: &Array, tol: f64) {
    assert_eq!(got.dtype(), DType::F32, "{what}: dtype");
    let g: Vec<f64> = got
        .to_vec::<f32>()
        .unwrap()
        .into_iter()
        .map(f64::from)
        .collect();
    let w = v(want);
    let scale = w.iter().fold(1.0f64, |s, x| s.max(x.abs()));
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        assert!(
            (a - b).abs() <= tol * scale,
            "{what}[{i}]: f32 {a} vs f64 {b} (scale {scale})"
        );
    }
}

/// Every node of the (unevaluated) graph behind `a` is float32: nothing is computed in
/// float64 and rounded at the end.
fn all_float32(what: &str, a: &Array) {
    let mut stack = vec![a.node().clone()];
    let mut seen = std::collections::HashSet::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.id) {
            continue;
        }
        assert_eq!(
            n.dtype,
            DType::F32,
            "{what}: a {:?} node is {}",
            n.op,
            n.dtype
        );
        stack.extend(n.inputs());
    }
}

/// `a` as a float32 array built from host data (a leaf: no float64 graph behind it).
fn f32_leaf(e: &Engine, a: &Array) -> Array {
    let data: Vec<f32> = v(a).into_iter().map(|x| x as f32).collect();
    e.from_vec(data, a.shape()).unwrap()
}

#[test]
fn float32_inputs_give_float32_results_close_to_float64() {
    let e = Engine::new();
    let (x, y) = e.coordinates.make_xy_grid(24, None, Some(2.0)).unwrap();
    let (r, t) = e.coordinates.cart_to_polar(&x, &y).unwrap();
    let (x32, y32) = (f32_leaf(&e, &x), f32_leaf(&e, &y));
    let (r32, t32) = (f32_leaf(&e, &r), f32_leaf(&e, &t));
    {
        let nms = modes(6);
        let p = &e.polynomials;
        let mut outs = p.zernike_nm_seq(&nms, &r32, &t32, true).unwrap();
        outs.push(
            p.zernike_sum(&[1.0, 2.0], &[(4, 2), (5, -1)], &r32, &t32, true)
                .unwrap(),
        );
        outs.push(
            p.zernike_sum_xy(&[1.0, 2.0], &[(4, 2), (5, -1)], &x32, &y32, true)
                .unwrap(),
        );
        for (dx, dy) in p.zernike_nm_der_xy_seq(&nms, &x32, &y32, true).unwrap() {
            outs.extend([dx, dy]);
        }
        let (w, gx, gy) = p
            .zernike_sum_der_xy(&[1.0, 2.0], &[(4, 2), (5, -1)], &x32, &y32, false)
            .unwrap();
        outs.extend([w, gx, gy]);
        for (i, o) in outs.iter().enumerate() {
            all_float32(&format!("output {i}"), o);
        }
    }
    let nms = modes(8);
    let coefs = points(nms.len(), -1.0, 1.0, 17);
    let tol = 1e-5;
    let p = &e.polynomials;
    assert_f32_close(
        "zernike_nm",
        &p.zernike_nm(6, -2, &r32, &t32, true).unwrap(),
        &p.zernike_nm(6, -2, &r, &t, true).unwrap(),
        tol,
    );
    let s32 = p.zernike_nm_seq(&nms, &r32, &t32, true).unwrap();
    let s64 = p.zernike_nm_seq(&nms, &r, &t, true).unwrap();
    for (i, (a, b)) in s32.iter().zip(&s64).enumerate() {
        assert_f32_close(&format!("zernike_nm_seq[{i}]"), a, b, tol);
    }
    assert_f32_close(
        "zernike_sum",
        &p.zernike_sum(&coefs, &nms, &r32, &t32, true).unwrap(),
        &p.zernike_sum(&coefs, &nms, &r, &t, true).unwrap(),
        tol,
    );
    assert_f32_close(
        "zernike_sum_xy",
        &p.zernike_sum_xy(&coefs, &nms, &x32, &y32, true).unwrap(),
        &p.zernike_sum_xy(&coefs, &nms, &x, &y, true).unwrap(),
        tol,
    );
    let d32 = p.zernike_nm_der_xy_seq(&nms, &x32, &y32, true).unwrap();
    let d64 = p.zernike_nm_der_xy_seq(&nms, &x, &y, true).unwrap();
    for (i, (a, b)) in d32.iter().zip(&d64).enumerate() {
        assert_f32_close(&format!("der_xy[{i}].x"), &a.0, &b.0, tol);
        assert_f32_close(&format!("der_xy[{i}].y"), &a.1, &b.1, tol);
    }
    let (dx32, _) = p.zernike_nm_der_xy(5, 3, &x32, &y32, false).unwrap();
    let (dx64, _) = p.zernike_nm_der_xy(5, 3, &x, &y, false).unwrap();
    assert_f32_close("zernike_nm_der_xy", &dx32, &dx64, tol);
    let a32 = p
        .zernike_sum_der_xy(&coefs, &nms, &x32, &y32, true)
        .unwrap();
    let a64 = p.zernike_sum_der_xy(&coefs, &nms, &x, &y, true).unwrap();
    assert_f32_close("sum_der_xy W", &a32.0, &a64.0, tol);
    assert_f32_close("sum_der_xy dx", &a32.1, &a64.1, tol);
    assert_f32_close("sum_der_xy dy", &a32.2, &a64.2, tol);
    // integer coordinates become float64
    let xi = e.arange_int(3);
    let (dx, _) = p.zernike_nm_der_xy(2, 0, &xi, &xi, false).unwrap();
    assert_eq!(dx.dtype(), DType::F64);
    assert_eq!(v(&dx), vec![0.0, 4.0, 8.0]);
}

// ------------------------------------------------------------------------ bad input

fn is_invalid<T: std::fmt::Debug>(r: mathengine::Result<T>, op: &str, needle: &str) {
    match r {
        Err(err @ Error::Invalid { .. }) => {
            let text = err.to_string();
            assert!(
                text.starts_with(op),
                "message {text:?} does not name {op:?}"
            );
            assert!(text.contains(needle), "message {text:?} lacks {needle:?}");
        }
        other => panic!("expected an Invalid error mentioning {needle:?}, got {other:?}"),
    }
}

#[test]
fn bad_input_gives_clear_errors() {
    let e = Engine::new();
    let p = &e.polynomials;
    let (x, y) = e.coordinates.make_xy_grid(8, None, Some(2.0)).unwrap();
    let short = e.linspace(0.0, 1.0, 8);
    let (d, ds) = ("zernike_nm_der_xy", "zernike_nm_der_xy_seq");
    is_invalid(
        p.zernike_nm_der_xy(2, 0, &x, &short, true),
        d,
        "different shapes",
    );
    is_invalid(
        p.zernike_nm_der_xy(2, 4, &x, &y, true),
        d,
        "|m| must not exceed n",
    );
    is_invalid(p.zernike_nm_der_xy(3, 0, &x, &y, true), d, "parity");
    is_invalid(p.zernike_nm_der_xy(-1, -1, &x, &y, true), d, "negative");
    is_invalid(p.zernike_nm_der_xy_seq(&[], &x, &y, true), ds, "empty");
    is_invalid(
        p.zernike_nm_der_xy_seq(&[(2, 0), (4, 1)], &x, &y, true),
        ds,
        "parity",
    );
    is_invalid(
        p.zernike_nm_der_xy_seq(&[(1, 1)], &short, &y, true),
        ds,
        "different shapes",
    );
    for (op, r) in [
        (
            "zernike_sum_xy",
            p.zernike_sum_xy(&[], &[], &x, &y, true).map(|_| ()),
        ),
        (
            "zernike_sum_der_xy",
            p.zernike_sum_der_xy(&[], &[], &x, &y, true).map(|_| ()),
        ),
    ] {
        is_invalid(r, op, "empty");
    }
    is_invalid(
        p.zernike_sum_xy(&[1.0], &[(2, 0), (4, 0)], &x, &y, true),
        "zernike_sum_xy",
        "one per mode",
    );
    is_invalid(
        p.zernike_sum_der_xy(&[1.0, 2.0, 3.0], &[(2, 0), (4, 0)], &x, &y, true),
        "zernike_sum_der_xy",
        "3 coefficients were given for 2 modes",
    );
    is_invalid(
        p.zernike_sum_der_xy(&[1.0], &[(3, 5)], &x, &y, true),
        "zernike_sum_der_xy",
        "|m| must not exceed n",
    );
    is_invalid(
        p.zernike_sum_xy(&[1.0], &[(2, 0)], &x, &short, true),
        "zernike_sum_xy",
        "different shapes",
    );
    is_invalid(
        p.zernike_sum_der_xy(&[1.0], &[(2, 0)], &short, &y, true),
        "zernike_sum_der_xy",
        "different shapes",
    );
    let other = Engine::new();
    let (ox, oy) = other.coordinates.make_xy_grid(8, None, Some(2.0)).unwrap();
    is_invalid(
        p.zernike_nm_der_xy(2, 0, &ox, &oy, true),
        d,
        "another Engine",
    );
}
