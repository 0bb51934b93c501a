//! Polynomials against independent facts: closed forms, explicit sums, orthonormality by
//! quadrature, published index tables, finite differences; plus fusion (one kernel for
//! a 66-mode sequence) and backend agreement (compiled cpu == reference interpreter).

use mathengine::{Array, DType, Engine, Error};
use std::f64::consts::PI;
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

// ---------------------------------------------------------------- Zernike closed forms

/// Unnormalised Zernike polynomials written out from the textbook radial formulas.
fn zernike_closed(n: i32, m: i32, r: f64, t: f64) -> Option<f64> {
    let radial = match (n, m.abs()) {
        (0, 0) => 1.0,
        (1, 1) => r,
        (2, 0) => 2.0 * r * r - 1.0,
        (2, 2) => r * r,
        (3, 1) => 3.0 * r.powi(3) - 2.0 * r,
        (3, 3) => r.powi(3),
        (4, 0) => 6.0 * r.powi(4) - 6.0 * r * r + 1.0,
        (4, 2) => 4.0 * r.powi(4) - 3.0 * r * r,
        (4, 4) => r.powi(4),
        (5, 1) => 10.0 * r.powi(5) - 12.0 * r.powi(3) + 3.0 * r,
        (5, 3) => 5.0 * r.powi(5) - 4.0 * r.powi(3),
        (6, 0) => 20.0 * r.powi(6) - 30.0 * r.powi(4) + 12.0 * r * r - 1.0,
        (6, 2) => 15.0 * r.powi(6) - 20.0 * r.powi(4) + 6.0 * r * r,
        (8, 0) => 70.0 * r.powi(8) - 140.0 * r.powi(6) + 90.0 * r.powi(4) - 20.0 * r * r + 1.0,
        _ => return None,
    };
    let ang = if m >= 0 {
        (m as f64 * t).cos()
    } else {
        (-m as f64 * t).sin()
    };
    Some(radial * ang)
}

#[test]
fn zernike_matches_closed_forms_normalised_and_not() {
    let e = Engine::new();
    let rs = points(200, 0.0, 1.2, 1);
    let ts = points(200, -PI, PI, 2);
    let (r, t) = (arr(&e, &rs), arr(&e, &ts));
    for (n, m) in modes(8) {
        if zernike_closed(n, m, 0.5, 0.5).is_none() {
            continue;
        }
        // prysm's norm: sqrt(2(n+1)/(1+δ_m0)), written out here independently
        let norm = if m == 0 {
            ((n + 1) as f64).sqrt()
        } else {
            (2.0 * (n + 1) as f64).sqrt()
        };
        assert!((e.polynomials.zernike_norm(n, m) - norm).abs() < 1e-15);
        for normed in [false, true] {
            let z = e.polynomials.zernike_nm(n, m, &r, &t, normed).unwrap();
            let want: Vec<f64> = rs
                .iter()
                .zip(&ts)
                .map(|(&r, &t)| {
                    zernike_closed(n, m, r, t).unwrap() * if normed { norm } else { 1.0 }
                })
                .collect();
            assert_close(&format!("Z({n},{m}) norm={normed}"), &v(&z), &want, 1e-12);
        }
    }
    // two named ones from the issue, spelled out
    let z20 = v(&e.polynomials.zernike_nm(2, 0, &r, &t, true).unwrap());
    let z31 = v(&e.polynomials.zernike_nm(3, 1, &r, &t, true).unwrap());
    for i in 0..rs.len() {
        let (r, t) = (rs[i], ts[i]);
        assert!((z20[i] - 3f64.sqrt() * (2.0 * r * r - 1.0)).abs() < 1e-13);
        assert!((z31[i] - 8f64.sqrt() * (3.0 * r.powi(3) - 2.0 * r) * t.cos()).abs() < 1e-12);
    }
}

// ------------------------------------------------------------ orthonormality (quadrature)

/// Gauss-Legendre nodes and weights on [-1, 1] by Newton's method on the explicit
/// Legendre recurrence (test-local, not the library's).
fn gauss_legendre(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    for i in 0..n {
        let mut z = (PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
        loop {
            let (mut p0, mut p1) = (1.0, z);
            for k in 2..=n {
                let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
                p0 = p1;
                p1 = p2;
            }
            let dp = n as f64 * (z * p1 - p0) / (z * z - 1.0);
            let dz = p1 / dp;
            z -= dz;
            if dz.abs() < 1e-16 {
                let (mut p0, mut p1) = (1.0, z);
                for k in 2..=n {
                    let p2 = ((2 * k - 1) as f64 * z * p1 - (k - 1) as f64 * p0) / k as f64;
                    p0 = p1;
                    p1 = p2;
                }
                let dp = n as f64 * (z * p1 - p0) / (z * z - 1.0);
                x[i] = z;
                w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
                break;
            }
        }
    }
    (x, w)
}

#[test]
fn zernike_modes_are_orthonormal_over_the_unit_disk() {
    // (1/π) ∫∫ Z_i Z_j r dr dt = δ_ij (prysm's norm=True: unit RMS). Radial Gauss-Legendre
    // on [0, 1] (exact for the degree <= 21 integrand), equispaced in t (exact for trig
    // polynomials of degree < nt).
    let e = Engine::new();
    let (gx, gw) = gauss_legendre(16);
    let nt = 48;
    let (mut rs, mut ts, mut ws) = (vec![], vec![], vec![]);
    for (x, w) in gx.iter().zip(&gw) {
        let r = 0.5 * (x + 1.0);
        for k in 0..nt {
            rs.push(r);
            ts.push(2.0 * PI * k as f64 / nt as f64);
            ws.push(0.5 * w * r * (2.0 * PI / nt as f64) / PI);
        }
    }
    let (r, t) = (arr(&e, &rs), arr(&e, &ts));
    let nms = modes(10);
    let zs = e.polynomials.zernike_nm_seq(&nms, &r, &t, true).unwrap();
    e.eval_all(&zs.iter().collect::<Vec<_>>()).unwrap();
    let vals: Vec<Vec<f64>> = zs.iter().map(v).collect();
    for i in 0..nms.len() {
        for j in 0..=i {
            let ip: f64 = (0..rs.len()).map(|k| vals[i][k] * vals[j][k] * ws[k]).sum();
            let want = if i == j { 1.0 } else { 0.0 };
            assert!(
                (ip - want).abs() < 1e-10,
                "<Z{:?}, Z{:?}> = {ip}, want {want}",
                nms[i],
                nms[j]
            );
        }
    }
}

// --------------------------------------------------------- sequences, sums, one kernel

fn polar_grid(e: &Engine, n: usize) -> (Array, Array) {
    let (x, y) = e.coordinates.make_xy_grid(n, None, Some(2.0)).unwrap();
    e.coordinates.cart_to_polar(&x, &y).unwrap()
}

#[test]
fn zernike_seq_equals_single_mode_for_every_mode() {
    let e = Engine::new();
    let (r, t) = polar_grid(&e, 17);
    let nms = modes(10);
    for norm in [true, false] {
        let zs = e.polynomials.zernike_nm_seq(&nms, &r, &t, norm).unwrap();
        e.eval_all(&zs.iter().collect::<Vec<_>>()).unwrap();
        for (z, &(n, m)) in zs.iter().zip(&nms) {
            let single = e.polynomials.zernike_nm(n, m, &r, &t, norm).unwrap();
            assert_close(&format!("seq Z({n},{m})"), &v(z), &v(&single), 1e-12);
        }
    }
}

#[test]
fn zernike_seq_of_66_modes_is_one_multi_output_kernel() {
    let (e, launches) = counting_engine();
    let (r, t) = polar_grid(&e, 33);
    let zs = e
        .polynomials
        .zernike_nm_seq(&modes(10), &r, &t, true)
        .unwrap();
    assert_eq!(zs.len(), 66);
    e.eval_all(&zs.iter().collect::<Vec<_>>()).unwrap();
    assert_eq!(
        launches.load(Ordering::SeqCst),
        1,
        "one kernel launch for 66 modes"
    );
    assert!(zs.iter().all(|z| z.is_evaluated()));
    // (The compile cache and its counters are process-wide and tests run in parallel,
    // so the number compiled is reported by the bench, which runs alone: 1.)
    // the values are those of the single-mode function
    let z = e.polynomials.zernike_nm(10, -4, &r, &t, true).unwrap();
    let idx = modes(10).iter().position(|&nm| nm == (10, -4)).unwrap();
    assert_close("Z(10,-4)", &v(&zs[idx]), &v(&z), 1e-12);
}

#[test]
fn zernike_sum_equals_explicit_weighted_sum_and_is_one_kernel() {
    let (e, launches) = counting_engine();
    let (r, t) = polar_grid(&e, 31);
    let nms = modes(10);
    let coefs = points(nms.len(), -1.0, 1.0, 7);
    for norm in [true, false] {
        let s = e
            .polynomials
            .zernike_sum(&coefs, &nms, &r, &t, norm)
            .unwrap();
        launches.store(0, Ordering::SeqCst);
        let got = v(&s);
        assert_eq!(launches.load(Ordering::SeqCst), 1, "the sum is one kernel");
        let mut want = vec![0.0; got.len()];
        for (c, &(n, m)) in coefs.iter().zip(&nms) {
            let z = v(&e.polynomials.zernike_nm(n, m, &r, &t, norm).unwrap());
            for (w, zi) in want.iter_mut().zip(z) {
                *w += c * zi;
            }
        }
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() < 1e-11, "sum[{i}]: {g} vs {w}");
        }
    }
    // sparse, repeated and unordered modes
    let nms = [(4, 0), (3, -1), (4, 0), (10, -6)];
    let coefs = [0.5, -2.0, 0.25, 1.0];
    let s = v(&e
        .polynomials
        .zernike_sum(&coefs, &nms, &r, &t, true)
        .unwrap());
    let mut want = vec![0.0; s.len()];
    for (c, &(n, m)) in coefs.iter().zip(&nms) {
        let z = v(&e.polynomials.zernike_nm(n, m, &r, &t, true).unwrap());
        for (w, zi) in want.iter_mut().zip(z) {
            *w += c * zi;
        }
    }
    assert_close("sparse sum", &s, &want, 1e-12);
}

#[test]
fn compiled_cpu_equals_reference_interpreter() {
    let cpu = Engine::new();
    let reference = Engine::with_backend("reference").unwrap();
    let nms = modes(10);
    let coefs = points(nms.len(), -0.01, 0.01, 3);
    let run = |e: &Engine| -> Vec<Vec<f64>> {
        let (r, t) = polar_grid(e, 21);
        let mut zs = e.polynomials.zernike_nm_seq(&nms, &r, &t, true).unwrap();
        zs.push(
            e.polynomials
                .zernike_sum(&coefs, &nms, &r, &t, true)
                .unwrap(),
        );
        let (dr, dt) = e.polynomials.zernike_nm_der(7, -3, &r, &t, true).unwrap();
        zs.push(dr);
        zs.push(dt);
        let x = e.linspace(-1.0, 1.0, 101);
        zs.extend(
            e.polynomials
                .jacobi_seq(&[0, 1, 5, 9], 0.5, 1.5, &x)
                .unwrap(),
        );
        zs.extend(e.polynomials.hermite_h_seq(&[3, 7], &x).unwrap());
        zs.push(e.polynomials.cheby4_der(6, &x).unwrap());
        zs.iter().map(v).collect()
    };
    let (a, b) = (run(&cpu), run(&reference));
    assert_eq!(reference.backend_name(), "reference");
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_close(&format!("output {i}"), x, y, 1e-12);
    }
}

// ------------------------------------------------------------------ Zernike derivatives

#[test]
fn zernike_derivatives_match_finite_differences_and_closed_forms() {
    let e = Engine::new();
    let rs = points(60, 0.05, 1.0, 11);
    let ts = points(60, -PI, PI, 12);
    let h = 1e-6;
    let shift =
        |xs: &[f64], d: f64| -> Array { arr(&e, &xs.iter().map(|x| x + d).collect::<Vec<_>>()) };
    let (r, t) = (arr(&e, &rs), arr(&e, &ts));
    for (n, m) in modes(8) {
        for norm in [true, false] {
            let (dr, dt) = e.polynomials.zernike_nm_der(n, m, &r, &t, norm).unwrap();
            let z = |r: &Array, t: &Array| v(&e.polynomials.zernike_nm(n, m, r, t, norm).unwrap());
            let fd_r: Vec<f64> = z(&shift(&rs, h), &t)
                .iter()
                .zip(z(&shift(&rs, -h), &t))
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect();
            let fd_t: Vec<f64> = z(&r, &shift(&ts, h))
                .iter()
                .zip(z(&r, &shift(&ts, -h)))
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect();
            assert_close(&format!("dZ({n},{m})/dr"), &v(&dr), &fd_r, 1e-7);
            assert_close(&format!("dZ({n},{m})/dt"), &v(&dt), &fd_t, 1e-7);
        }
    }
    // Z(3,1) = sqrt8 (3r³-2r) cos t: dr = sqrt8 (9r²-2) cos t, dt = -sqrt8 (3r³-2r) sin t
    let (dr, dt) = e.polynomials.zernike_nm_der(3, 1, &r, &t, true).unwrap();
    let s8 = 8f64.sqrt();
    let want_r: Vec<f64> = rs
        .iter()
        .zip(&ts)
        .map(|(r, t)| s8 * (9.0 * r * r - 2.0) * t.cos())
        .collect();
    let want_t: Vec<f64> = rs
        .iter()
        .zip(&ts)
        .map(|(r, t)| -s8 * (3.0 * r.powi(3) - 2.0 * r) * t.sin())
        .collect();
    assert_close("dZ31/dr", &v(&dr), &want_r, 1e-12);
    assert_close("dZ31/dt", &v(&dt), &want_t, 1e-12);
    // rotationally symmetric: dt is zero; Z(4,0) = sqrt5(6r⁴-6r²+1): dr = sqrt5(24r³-12r)
    let (dr, dt) = e.polynomials.zernike_nm_der(4, 0, &r, &t, true).unwrap();
    let want: Vec<f64> = rs
        .iter()
        .map(|r| 5f64.sqrt() * (24.0 * r.powi(3) - 12.0 * r))
        .collect();
    assert_close("dZ40/dr", &v(&dr), &want, 1e-12);
    assert!(v(&dt).iter().all(|&x| x == 0.0));
}

#[test]
fn zernike_derivative_sequence_equals_single_modes() {
    let e = Engine::new();
    let (r, t) = polar_grid(&e, 15);
    let nms = modes(6);
    let ders = e
        .polynomials
        .zernike_nm_der_seq(&nms, &r, &t, true)
        .unwrap();
    let flat: Vec<&Array> = ders.iter().flat_map(|(a, b)| [a, b]).collect();
    e.eval_all(&flat).unwrap();
    for ((dr, dt), &(n, m)) in ders.iter().zip(&nms) {
        let (sr, st) = e.polynomials.zernike_nm_der(n, m, &r, &t, true).unwrap();
        assert_close(&format!("dr({n},{m})"), &v(dr), &v(&sr), 1e-12);
        assert_close(&format!("dt({n},{m})"), &v(dt), &v(&st), 1e-12);
    }
    assert!(e.polynomials.zernike_nm_der_seq(&[], &r, &t, true).is_err());
}

// ---------------------------------------------------------------- index conversions

/// Noll's table (J. Opt. Soc. Am. 66, 207 (1976)), j = 1..=36.
const NOLL: [(i32, i32); 36] = [
    (0, 0),
    (1, 1),
    (1, -1),
    (2, 0),
    (2, -2),
    (2, 2),
    (3, -1),
    (3, 1),
    (3, -3),
    (3, 3),
    (4, 0),
    (4, 2),
    (4, -2),
    (4, 4),
    (4, -4),
    (5, 1),
    (5, -1),
    (5, 3),
    (5, -3),
    (5, 5),
    (5, -5),
    (6, 0),
    (6, -2),
    (6, 2),
    (6, -4),
    (6, 4),
    (6, -6),
    (6, 6),
    (7, -1),
    (7, 1),
    (7, -3),
    (7, 3),
    (7, -5),
    (7, 5),
    (7, -7),
    (7, 7),
];

/// The Fringe (University of Arizona) table, index 1..=36.
const FRINGE: [(i32, i32); 36] = [
    (0, 0),
    (1, 1),
    (1, -1),
    (2, 0),
    (2, 2),
    (2, -2),
    (3, 1),
    (3, -1),
    (4, 0),
    (3, 3),
    (3, -3),
    (4, 2),
    (4, -2),
    (5, 1),
    (5, -1),
    (6, 0),
    (4, 4),
    (4, -4),
    (5, 3),
    (5, -3),
    (6, 2),
    (6, -2),
    (7, 1),
    (7, -1),
    (8, 0),
    (5, 5),
    (5, -5),
    (6, 4),
    (6, -4),
    (7, 3),
    (7, -3),
    (8, 2),
    (8, -2),
    (9, 1),
    (9, -1),
    (10, 0),
];

/// The ANSI Z80.28 / OSA table, j = 0..=20.
const ANSI: [(i32, i32); 21] = [
    (0, 0),
    (1, -1),
    (1, 1),
    (2, -2),
    (2, 0),
    (2, 2),
    (3, -3),
    (3, -1),
    (3, 1),
    (3, 3),
    (4, -4),
    (4, -2),
    (4, 0),
    (4, 2),
    (4, 4),
    (5, -5),
    (5, -3),
    (5, -1),
    (5, 1),
    (5, 3),
    (5, 5),
];

#[test]
fn index_conversions_match_published_tables() {
    let p = Engine::new().polynomials;
    for (i, &nm) in NOLL.iter().enumerate() {
        assert_eq!(p.noll_to_nm(i + 1).unwrap(), nm, "Noll {}", i + 1);
        assert_eq!(p.nm_to_noll(nm.0, nm.1).unwrap(), i + 1);
    }
    for (i, &nm) in FRINGE.iter().enumerate() {
        assert_eq!(p.fringe_to_nm(i + 1).unwrap(), nm, "Fringe {}", i + 1);
        assert_eq!(p.nm_to_fringe(nm.0, nm.1).unwrap(), i + 1);
    }
    for (j, &nm) in ANSI.iter().enumerate() {
        assert_eq!(p.ansi_j_to_nm(j).unwrap(), nm, "ANSI {j}");
        assert_eq!(p.nm_to_ansi_j(nm.0, nm.1).unwrap(), j);
    }
    // round trips well past the tables
    for j in 1..500 {
        let (n, m) = p.noll_to_nm(j).unwrap();
        assert_eq!(p.nm_to_noll(n, m).unwrap(), j);
        let (n, m) = p.fringe_to_nm(j).unwrap();
        assert_eq!(p.nm_to_fringe(n, m).unwrap(), j);
        let (n, m) = p.ansi_j_to_nm(j).unwrap();
        assert_eq!(p.nm_to_ansi_j(n, m).unwrap(), j);
    }
    assert!(matches!(p.noll_to_nm(0), Err(Error::Invalid { .. })));
    assert!(matches!(p.fringe_to_nm(0), Err(Error::Invalid { .. })));
    assert!(matches!(p.nm_to_noll(3, 2), Err(Error::Invalid { .. })));
}

#[test]
fn names_follow_prysm() {
    let p = Engine::new().polynomials;
    let table = [
        ((0, 0), "Piston"),
        ((1, 1), "Tilt X"),
        ((1, -1), "Tilt Y"),
        ((2, 0), "Defocus"),
        ((2, 2), "Primary Astigmatism 00°"),
        ((2, -2), "Primary Astigmatism 45°"),
        ((3, 1), "Primary Coma X"),
        ((3, -1), "Primary Coma Y"),
        ((3, 3), "Primary Trefoil X"),
        ((3, -3), "Primary Trefoil Y"),
        ((4, 0), "Primary Spherical"),
        ((4, 2), "Secondary Astigmatism 00°"),
        ((4, 4), "Primary Quadrafoil 00°"),
        ((5, 1), "Secondary Coma X"),
        ((5, -3), "Secondary Trefoil Y"),
        ((6, 0), "Secondary Spherical"),
        ((8, 0), "Tertiary Spherical"),
        ((7, -1), "Tertiary Coma Y"),
        ((10, 0), "Quaternary Spherical"),
        ((14, 0), "6th Spherical"),
        ((9, 9), "Quaternary 9-foil X"), // prysm counts odd-m orders from n = 3
    ];
    for ((n, m), name) in table {
        assert_eq!(p.nm_to_name(n, m).unwrap(), name, "({n}, {m})");
    }
}

// ------------------------------------------------------------------------ bad input

#[test]
fn bad_input_gives_clear_errors() {
    let e = Engine::new();
    let p = &e.polynomials;
    let (r, t) = polar_grid(&e, 8);
    is_invalid(p.zernike_nm(-2, 0, &r, &t, true), "negative");
    is_invalid(p.zernike_nm(2, 4, &r, &t, true), "|m| must not exceed n");
    is_invalid(p.zernike_nm(3, 0, &r, &t, true), "parity");
    is_invalid(p.zernike_nm_seq(&[], &r, &t, true), "empty");
    is_invalid(p.zernike_nm_seq(&[(2, 0), (2, 1)], &r, &t, true), "parity");
    is_invalid(p.zernike_sum(&[], &[], &r, &t, true), "empty");
    is_invalid(
        p.zernike_sum(&[1.0], &[(2, 0), (4, 0)], &r, &t, true),
        "one per mode",
    );
    is_invalid(p.zernike_nm_der(1, 3, &r, &t, true), "|m|");
    let short = e.linspace(0.0, 1.0, 8);
    is_invalid(p.zernike_nm(2, 0, &r, &short, true), "different shapes");
    is_invalid(
        p.zernike_nm_seq(&[(2, 0)], &short, &t, true),
        "different shapes",
    );
    let x = e.linspace(-1.0, 1.0, 5);
    is_invalid(p.jacobi(2, -1.0, 0.0, &x), "> -1");
    is_invalid(p.jacobi_seq(&[], 0.0, 0.0, &x), "empty");
    is_invalid(p.jacobi_sum_clenshaw(&[], 0.0, 0.0, &x), "empty");
    is_invalid(p.legendre_seq(&[], &x), "empty");
    is_invalid(p.laguerre(2, -2.0, &x), "> -1");
    is_invalid(p.nm_to_name(2, 1), "parity");
    let other = Engine::new();
    assert!(p.jacobi(2, 0.0, 0.0, &other.linspace(0.0, 1.0, 3)).is_err());
}

// --------------------------------------------------------------------------- Jacobi

fn binom(z: f64, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (z - i as f64) / (i + 1) as f64)
}

/// The explicit sum (DLMF 18.5.8):
/// P_n^(a,b)(x) = Σ_s C(n+a, n-s) C(n+b, s) ((x-1)/2)^s ((x+1)/2)^(n-s).
fn jacobi_explicit(n: usize, a: f64, b: f64, x: f64) -> f64 {
    (0..=n)
        .map(|s| {
            binom(n as f64 + a, n - s)
                * binom(n as f64 + b, s)
                * ((x - 1.0) / 2.0).powi(s as i32)
                * ((x + 1.0) / 2.0).powi((n - s) as i32)
        })
        .sum()
}

#[test]
fn jacobi_matches_the_explicit_sum() {
    let e = Engine::new();
    let xs = points(64, -1.0, 1.0, 5);
    let x = arr(&e, &xs);
    for (a, b) in [
        (0.0, 0.0),
        (0.5, 0.5),
        (-0.5, -0.5),
        (1.0, 3.0),
        (0.0, 7.0),
        (2.5, -0.3),
    ] {
        let ns: Vec<usize> = (0..=12).collect();
        let seq = e.polynomials.jacobi_seq(&ns, a, b, &x).unwrap();
        e.eval_all(&seq.iter().collect::<Vec<_>>()).unwrap();
        for (&n, p) in ns.iter().zip(&seq) {
            let want: Vec<f64> = xs.iter().map(|&x| jacobi_explicit(n, a, b, x)).collect();
            assert_close(&format!("P_{n}^({a},{b})"), &v(p), &want, 1e-11);
            let single = e.polynomials.jacobi(n, a, b, &x).unwrap();
            assert_close("jacobi == jacobi_seq", &v(&single), &v(p), 0.0);
        }
        // P_n^(a,b)(1) = C(n+a, n)
        let one = arr(&e, &[1.0]);
        for n in 0..10 {
            let p = v(&e.polynomials.jacobi(n, a, b, &one).unwrap())[0];
            assert_close("P(1)", &[p], &[binom(n as f64 + a, n)], 1e-12);
        }
    }
    // P_2^(a,b) written out
    let (a, b) = (1.5, 0.25);
    let p2 = v(&e.polynomials.jacobi(2, a, b, &x).unwrap());
    let want: Vec<f64> = xs
        .iter()
        .map(|&x| {
            let u = (x - 1.0) / 2.0;
            (a + 1.0) * (a + 2.0) / 2.0
                + (a + 2.0) * (a + b + 3.0) * u
                + (a + b + 3.0) * (a + b + 4.0) / 2.0 * u * u
        })
        .collect();
    assert_close("P_2 explicit", &p2, &want, 1e-13);
}

#[test]
fn jacobi_derivatives_and_clenshaw_sums() {
    let e = Engine::new();
    let xs = points(40, -0.99, 0.99, 9);
    let x = arr(&e, &xs);
    let h = 1e-6;
    for (a, b) in [(0.0, 0.0), (0.0, 3.0), (1.5, 0.5)] {
        let ns: Vec<usize> = (0..=9).collect();
        let ders = e.polynomials.jacobi_der_seq(&ns, a, b, &x).unwrap();
        for (&n, d) in ns.iter().zip(&ders) {
            let fd: Vec<f64> = xs
                .iter()
                .map(|&x| {
                    (jacobi_explicit(n, a, b, x + h) - jacobi_explicit(n, a, b, x - h)) / (2.0 * h)
                })
                .collect();
            assert_close(&format!("dP_{n}^({a},{b})"), &v(d), &fd, 1e-7);
            let single = e.polynomials.jacobi_der(n, a, b, &x).unwrap();
            assert_close("der == der_seq", &v(&single), &v(d), 0.0);
        }
        let coefs = points(9, -1.0, 1.0, 4);
        let s = v(&e.polynomials.jacobi_sum_clenshaw(&coefs, a, b, &x).unwrap());
        let want: Vec<f64> = xs
            .iter()
            .map(|&x| {
                coefs
                    .iter()
                    .enumerate()
                    .map(|(k, c)| c * jacobi_explicit(k, a, b, x))
                    .sum()
            })
            .collect();
        assert_close("clenshaw", &s, &want, 1e-12);
    }
}

// ------------------------------------------------------------------- 1-D families

#[test]
fn one_dimensional_families_match_closed_forms() {
    let e = Engine::new();
    let p = &e.polynomials;
    let xs = points(50, -1.0, 1.0, 21);
    let x = arr(&e, &xs);
    let check = |what: &str, got: Array, f: &dyn Fn(f64) -> f64, tol: f64| {
        let want: Vec<f64> = xs.iter().map(|&x| f(x)).collect();
        assert_close(what, &v(&got), &want, tol);
    };
    check(
        "P2",
        p.legendre(2, &x).unwrap(),
        &|x| (3.0 * x * x - 1.0) / 2.0,
        1e-14,
    );
    check(
        "P3",
        p.legendre(3, &x).unwrap(),
        &|x| (5.0 * x.powi(3) - 3.0 * x) / 2.0,
        1e-14,
    );
    check(
        "P4",
        p.legendre(4, &x).unwrap(),
        &|x| (35.0 * x.powi(4) - 30.0 * x * x + 3.0) / 8.0,
        1e-14,
    );
    check(
        "P4'",
        p.legendre_der(4, &x).unwrap(),
        &|x| (140.0 * x.powi(3) - 60.0 * x) / 8.0,
        1e-13,
    );
    for n in 0..15usize {
        let nf = n as f64;
        check(
            &format!("T{n}"),
            p.cheby1(n, &x).unwrap(),
            &|x| (nf * x.acos()).cos(),
            1e-12,
        );
        check(
            &format!("U{n}"),
            p.cheby2(n, &x).unwrap(),
            &|x| {
                let th = x.acos();
                ((nf + 1.0) * th).sin() / th.sin()
            },
            1e-11,
        );
        check(
            &format!("V{n}"),
            p.cheby3(n, &x).unwrap(),
            &|x| {
                let th = x.acos();
                ((nf + 0.5) * th).cos() / (th / 2.0).cos()
            },
            1e-11,
        );
        check(
            &format!("W{n}"),
            p.cheby4(n, &x).unwrap(),
            &|x| {
                let th = x.acos();
                ((nf + 0.5) * th).sin() / (th / 2.0).sin()
            },
            1e-11,
        );
        // T_n' = n U_{n-1}, checked against d/dθ: dT/dx = n sin(nθ)/sin θ
        check(
            &format!("T{n}'"),
            p.cheby1_der(n, &x).unwrap(),
            &|x| {
                let th = x.acos();
                nf * (nf * th).sin() / th.sin()
            },
            1e-10,
        );
    }
    let hx = arr(&e, &points(50, -4.0, 4.0, 22));
    let hxs = v(&hx);
    let check_h = |what: &str, got: Array, f: &dyn Fn(f64) -> f64| {
        let want: Vec<f64> = hxs.iter().map(|&x| f(x)).collect();
        assert_close(what, &v(&got), &want, 1e-13);
    };
    check_h("He3", p.hermite_he(3, &hx).unwrap(), &|x| {
        x.powi(3) - 3.0 * x
    });
    check_h("He4", p.hermite_he(4, &hx).unwrap(), &|x| {
        x.powi(4) - 6.0 * x * x + 3.0
    });
    check_h("He4'", p.hermite_he_der(4, &hx).unwrap(), &|x| {
        4.0 * x.powi(3) - 12.0 * x
    });
    check_h("H3", p.hermite_h(3, &hx).unwrap(), &|x| {
        8.0 * x.powi(3) - 12.0 * x
    });
    check_h("H4", p.hermite_h(4, &hx).unwrap(), &|x| {
        16.0 * x.powi(4) - 48.0 * x * x + 12.0
    });
    check_h("H4'", p.hermite_h_der(4, &hx).unwrap(), &|x| {
        64.0 * x.powi(3) - 96.0 * x
    });
    let lx = arr(&e, &points(50, 0.0, 10.0, 23));
    let lxs = v(&lx);
    for alpha in [0.0, 0.5, 2.0] {
        for n in 0..10usize {
            // L_n^(α)(x) = Σ_k (-1)^k C(n+α, n-k) x^k / k!
            let f = |x: f64| -> f64 {
                (0..=n)
                    .map(|k| {
                        let fact: f64 = (1..=k).map(|i| i as f64).product();
                        (-1f64).powi(k as i32) * binom(n as f64 + alpha, n - k) * x.powi(k as i32)
                            / fact
                    })
                    .sum()
            };
            let want: Vec<f64> = lxs.iter().map(|&x| f(x)).collect();
            assert_close(
                &format!("L{n}^{alpha}"),
                &v(&p.laguerre(n, alpha, &lx).unwrap()),
                &want,
                1e-11,
            );
            // d/dx L_n^(α) = -L_{n-1}^(α+1), the right side from the explicit sum
            let want_d: Vec<f64> = lxs
                .iter()
                .map(|&x| {
                    -(0..n)
                        .map(|k| {
                            let fact: f64 = (1..=k).map(|i| i as f64).product();
                            (-1f64).powi(k as i32)
                                * binom((n - 1) as f64 + alpha + 1.0, n - 1 - k)
                                * x.powi(k as i32)
                                / fact
                        })
                        .sum::<f64>()
                })
                .collect();
            assert_close(
                &format!("L{n}^{alpha}'"),
                &v(&p.laguerre_der(n, alpha, &lx).unwrap()),
                &want_d,
                1e-11,
            );
        }
    }
}

#[test]
fn one_dimensional_derivatives_match_finite_differences() {
    let e = Engine::new();
    let p = &e.polynomials;
    let xs = points(30, -0.95, 0.95, 31);
    let h = 1e-6;
    let x = arr(&e, &xs);
    let xp = arr(&e, &xs.iter().map(|x| x + h).collect::<Vec<_>>());
    let xm = arr(&e, &xs.iter().map(|x| x - h).collect::<Vec<_>>());
    type Val =
        fn(&mathengine::polynomials::Polynomials, usize, &Array) -> mathengine::Result<Array>;
    let fams: [(&str, Val, Val); 7] = [
        (
            "legendre",
            |p, n, x| p.legendre(n, x),
            |p, n, x| p.legendre_der(n, x),
        ),
        (
            "cheby1",
            |p, n, x| p.cheby1(n, x),
            |p, n, x| p.cheby1_der(n, x),
        ),
        (
            "cheby2",
            |p, n, x| p.cheby2(n, x),
            |p, n, x| p.cheby2_der(n, x),
        ),
        (
            "cheby3",
            |p, n, x| p.cheby3(n, x),
            |p, n, x| p.cheby3_der(n, x),
        ),
        (
            "cheby4",
            |p, n, x| p.cheby4(n, x),
            |p, n, x| p.cheby4_der(n, x),
        ),
        (
            "hermite_he",
            |p, n, x| p.hermite_he(n, x),
            |p, n, x| p.hermite_he_der(n, x),
        ),
        (
            "hermite_h",
            |p, n, x| p.hermite_h(n, x),
            |p, n, x| p.hermite_h_der(n, x),
        ),
    ];
    for (name, val, der) in fams {
        for n in 0..10 {
            let fd: Vec<f64> = v(&val(p, n, &xp).unwrap())
                .iter()
                .zip(v(&val(p, n, &xm).unwrap()))
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect();
            assert_close(
                &format!("{name}_der({n})"),
                &v(&der(p, n, &x).unwrap()),
                &fd,
                1e-6,
            );
        }
        // sequences pick from one recurrence
        let ns = [7, 0, 3, 3];
        let seq_fn = match name {
            "legendre" => p.legendre_seq(&ns, &x),
            "cheby1" => p.cheby1_seq(&ns, &x),
            "cheby2" => p.cheby2_seq(&ns, &x),
            "cheby3" => p.cheby3_seq(&ns, &x),
            "cheby4" => p.cheby4_seq(&ns, &x),
            "hermite_he" => p.hermite_he_seq(&ns, &x),
            _ => p.hermite_h_seq(&ns, &x),
        }
        .unwrap();
        for (&n, s) in ns.iter().zip(&seq_fn) {
            assert_close(
                &format!("{name}_seq({n})"),
                &v(s),
                &v(&val(p, n, &x).unwrap()),
                0.0,
            );
        }
    }
}

#[test]
fn float32_inputs_stay_float32_and_ints_become_float64() {
    let e = Engine::new();
    let x32 = e.linspace(-1.0, 1.0, 9).astype(DType::F32);
    let p = e.polynomials.legendre(3, &x32).unwrap();
    assert_eq!(p.dtype(), DType::F32);
    let got = p.to_vec::<f32>().unwrap();
    let xs = v(&e.linspace(-1.0, 1.0, 9));
    for (g, x) in got.iter().zip(xs) {
        assert!((*g as f64 - (5.0 * x.powi(3) - 3.0 * x) / 2.0).abs() < 1e-5);
    }
    let (r, t) = (
        e.linspace(0.0, 1.0, 9).astype(DType::F32),
        e.linspace(0.0, 3.0, 9).astype(DType::F32),
    );
    let z = e.polynomials.zernike_nm(4, 2, &r, &t, true).unwrap();
    assert_eq!(z.dtype(), DType::F32);
    let xi = e.arange_int(4);
    let h = e.polynomials.hermite_he(2, &xi).unwrap();
    assert_eq!(v(&h), vec![-1.0, 0.0, 3.0, 8.0]);
}
