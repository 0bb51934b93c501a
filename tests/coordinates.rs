//! Coordinate grids and transforms against prysm's definitions written out by hand.

use mathengine::{Array, DType, Engine, Error};
use mathengine_ir::Op;
use std::f64::consts::PI;

fn v(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().expect("evaluates")
}

/// Whether any node below `a` holds data (a grid should be generators only).
fn reads_memory(a: &Array) -> bool {
    let mut stack = vec![a.node().clone()];
    while let Some(n) = stack.pop() {
        if matches!(n.op, Op::Data) {
            return true;
        }
        stack.extend(n.inputs());
    }
    false
}

#[test]
fn make_xy_grid_matches_prysm_sample_positions() {
    let e = Engine::new();
    for n in [1usize, 2, 4, 5, 8, 9, 512] {
        let (x, y) = e.coordinates.make_xy_grid(n, None, Some(2.0)).unwrap();
        assert_eq!(x.shape(), &[n, n]);
        assert_eq!(y.shape(), &[n, n]);
        assert!(
            !reads_memory(&x) && !reads_memory(&y),
            "the grid is generators"
        );
        let dx = 2.0 / n as f64;
        // prysm: fftrange(n) * dx, fftrange(n) = arange(-(n//2), -(n//2) + n)
        let want: Vec<f64> = (0..n).map(|i| (i as f64 - (n / 2) as f64) * dx).collect();
        let (xv, yv) = (v(&x), v(&y));
        for row in 0..n {
            for col in 0..n {
                assert_eq!(xv[row * n + col], want[col], "x[{row},{col}] (n={n})");
                assert_eq!(yv[row * n + col], want[row], "y[{row},{col}] (n={n})");
            }
        }
        // 0 is a sample, at index n/2
        assert_eq!(xv[n / 2], 0.0);
    }
    let (x, _) = e.coordinates.make_xy_grid(5, Some(0.25), None).unwrap();
    assert_eq!(v(&x)[..5], [-0.5, -0.25, 0.0, 0.25, 0.5]);
    // the diameter wins over dx, as in prysm
    let (x, _) = e
        .coordinates
        .make_xy_grid(4, Some(10.0), Some(2.0))
        .unwrap();
    assert_eq!(v(&x)[..4], [-1.0, -0.5, 0.0, 0.5]);
    // rectangular: (ny, nx), dx = diameter / max
    let (x, y) = e
        .coordinates
        .make_xy_grid_rect(2, 4, None, Some(4.0))
        .unwrap();
    assert_eq!(x.shape(), &[2, 4]);
    assert_eq!(v(&x), vec![-2.0, -1.0, 0.0, 1.0, -2.0, -1.0, 0.0, 1.0]);
    assert_eq!(v(&y), vec![-1.0, -1.0, -1.0, -1.0, 0.0, 0.0, 0.0, 0.0]);
}

#[test]
fn make_xy_grid_rejects_bad_spacing() {
    let e = Engine::new();
    for r in [
        e.coordinates.make_xy_grid(8, None, None),
        e.coordinates.make_xy_grid(8, Some(0.0), None),
        e.coordinates.make_xy_grid(8, Some(f64::NAN), None),
        e.coordinates.make_xy_grid(0, None, Some(2.0)),
    ] {
        assert!(matches!(r, Err(Error::Invalid { .. })), "{r:?}");
    }
}

#[test]
fn polar_transforms_round_trip_and_match_known_points() {
    let e = Engine::new();
    let x = e
        .from_vec(vec![1.0, 0.0, -1.0, 0.0, 3.0, -2.0], &[6])
        .unwrap();
    let y = e
        .from_vec(vec![0.0, 1.0, 0.0, -1.0, 4.0, -2.0], &[6])
        .unwrap();
    let (r, t) = e.coordinates.cart_to_polar(&x, &y).unwrap();
    let (rv, tv) = (v(&r), v(&t));
    let want_r = [1.0, 1.0, 1.0, 1.0, 5.0, 8f64.sqrt()];
    let want_t = [
        0.0,
        PI / 2.0,
        PI,
        -PI / 2.0,
        (4f64).atan2(3.0),
        -3.0 * PI / 4.0,
    ];
    for i in 0..6 {
        assert!((rv[i] - want_r[i]).abs() < 1e-15, "r[{i}] = {}", rv[i]);
        assert!((tv[i] - want_t[i]).abs() < 1e-15, "t[{i}] = {}", tv[i]);
    }
    let (gx, gy) = e.coordinates.make_xy_grid(33, None, Some(3.0)).unwrap();
    let (r, t) = e.coordinates.cart_to_polar(&gx, &gy).unwrap();
    let (bx, by) = e.coordinates.polar_to_cart(&r, &t).unwrap();
    for (a, b) in v(&bx).iter().zip(v(&gx)) {
        assert!((a - b).abs() < 1e-14);
    }
    for (a, b) in v(&by).iter().zip(v(&gy)) {
        assert!((a - b).abs() < 1e-14);
    }
    let short = e.linspace(0.0, 1.0, 3);
    assert!(matches!(
        e.coordinates.cart_to_polar(&x, &short),
        Err(Error::Invalid { .. })
    ));
    assert!(matches!(
        e.coordinates.polar_to_cart(&short, &x),
        Err(Error::Invalid { .. })
    ));
}

#[test]
fn circle_is_a_bool_mask_of_r_within_the_radius() {
    let e = Engine::new();
    let n = 64;
    let (x, y) = e.coordinates.make_xy_grid(n, None, Some(2.0)).unwrap();
    let (r, _) = e.coordinates.cart_to_polar(&x, &y).unwrap();
    let mask = e.coordinates.circle(1.0, &r).unwrap();
    assert_eq!(mask.dtype(), DType::Bool);
    let got = mask.to_vec::<bool>().unwrap();
    let want: Vec<bool> = (0..n * n)
        .map(|k| {
            let (i, j) = (k / n, k % n);
            let xs = (j as f64 - 32.0) / 32.0;
            let ys = (i as f64 - 32.0) / 32.0;
            xs.hypot(ys) <= 1.0
        })
        .collect();
    assert_eq!(got, want);
    // the boundary is included: (x, y) = (0, -1) is a sample (row 0, column n/2)
    assert!(got[n / 2]);
    assert!(!got[0]);
}

#[test]
fn grid_polar_and_mask_agree_between_cpu_and_reference() {
    let run = |e: &Engine| {
        let (x, y) = e.coordinates.make_xy_grid(17, None, Some(2.0)).unwrap();
        let (r, t) = e.coordinates.cart_to_polar(&x, &y).unwrap();
        let m = e.coordinates.circle(0.8, &r).unwrap();
        (v(&r), v(&t), m.to_vec::<bool>().unwrap())
    };
    let (a, b) = (
        run(&Engine::new()),
        run(&Engine::with_backend("reference").unwrap()),
    );
    for (p, q) in a.0.iter().zip(&b.0).chain(a.1.iter().zip(&b.1)) {
        assert!((p - q).abs() <= 1e-12 * q.abs().max(1.0), "{p} vs {q}");
    }
    assert_eq!(a.2, b.2);
}
