//! complex128 functions computed on their parts in f64x2 registers (issue 13):
//! exp(z) = exp(re) (cos im + i sin im) with num-complex's corner cases, and |z|. Every
//! pair of special and ordinary parts, and random values, against the reference
//! interpreter: special results (zeros with their sign, infinities, NaN) exactly, the
//! rest within a few ulps of the result's magnitude.
//! Fixed seeds; `MATHENGINE_FRESH_SEED=1` draws a fresh one.

use mathengine::{Complex64, Engine};
use mathengine_ir::{BinaryOp, Op, UnaryOp};

#[path = "common/random.rs"]
mod random;
use random::values;

const SPECIAL_RE: [f64; 12] = [
    f64::NEG_INFINITY,
    -745.5,
    -1.0,
    -0.0,
    0.0,
    0.5,
    1.0,
    700.0,
    710.0,
    f64::INFINITY,
    f64::NAN,
    1e-310,
];
const SPECIAL_IM: [f64; 12] = [
    f64::NEG_INFINITY,
    -1e6,
    -3.0,
    -0.0,
    0.0,
    1e-300,
    2.0,
    1e6,
    1e22,
    f64::INFINITY,
    f64::NAN,
    std::f64::consts::FRAC_PI_2,
];

fn inputs() -> Vec<Complex64> {
    let mut z: Vec<Complex64> = Vec::new();
    for re in SPECIAL_RE {
        for im in SPECIAL_IM {
            z.push(Complex64::new(re, im));
        }
    }
    let s = random::seed("complex_vector", 0xc0_4e7);
    let (a, b) = (values(1001, s), values(1001, s ^ 1));
    z.extend(
        a.iter()
            .zip(&b)
            .map(|(x, y)| Complex64::new(5.0 * x, 100.0 * y)),
    );
    z
}

fn close(got: f64, want: f64, scale: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want == 0.0 || want.is_infinite() {
        return got.to_bits() == want.to_bits();
    }
    (got - want).abs() <= 8.0 * f64::EPSILON * scale
}

#[test]
fn exp_and_abs_of_complex128_match_the_reference() {
    let z = inputs();
    let eval = |backend: &str| {
        let e = Engine::with_backend(backend).unwrap();
        let x = e.from_vec(z.clone(), &[z.len()]).unwrap();
        let ex = e.exp(&x).unwrap().to_vec::<Complex64>().unwrap();
        let ab = e.abs(&x).unwrap().to_vec::<f64>().unwrap();
        (ex, ab)
    };
    let (got, want) = (eval("cpu"), eval("reference"));
    for (i, (g, w)) in got.0.iter().zip(&want.0).enumerate() {
        let scale = w.re.abs().max(w.im.abs());
        assert!(
            close(g.re, w.re, scale) && close(g.im, w.im, scale),
            "exp({}): cpu {g} vs reference {w}",
            z[i]
        );
    }
    for (i, (g, w)) in got.1.iter().zip(&want.1).enumerate() {
        assert!(
            close(*g, *w, w.abs()),
            "abs({}): cpu {g} vs reference {w}",
            z[i]
        );
    }
}

/// `x ** 2`, `x ** -1` and `|z| ** 2` are rewritten (square, reciprocal, re² + im²):
/// the same values as pow with the exponent as data (which calls pow), within an ulp,
/// specials exactly.
#[test]
fn powers_by_constants_match_pow() {
    let mut x: Vec<f64> = vec![0.0, -0.0, 1e-310, -1e-310, 1e200, -1e200, 3.0, -3.0];
    x.extend([f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 1.5e154, 0.1]);
    x.extend(
        values(200, random::seed("powers", 7))
            .iter()
            .map(|v| v * 1e3),
    );
    let e = Engine::with_backend("cpu").unwrap();
    let a = e.from_vec(x.clone(), &[x.len()]).unwrap();
    let exponent = |v: f64| e.from_vec(vec![v; x.len()], &[x.len()]).unwrap();
    for (k, fast) in [
        (2.0, e.pow(&a, &e.full(&[], 2.0)).unwrap()),
        (-1.0, e.pow(&a, &e.full(&[], -1.0)).unwrap()),
    ] {
        let got = fast.to_vec::<f64>().unwrap();
        let want = e.pow(&a, &exponent(k)).unwrap().to_vec::<f64>().unwrap();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                close(*g, *w, w.abs() / 8.0),
                "{}**{k}: {g} vs pow {w}",
                x[i]
            );
        }
    }
    // The rewrites happened: no pow nodes.
    let squared = e.pow(&a, &e.full(&[], 2.0)).unwrap();
    assert!(matches!(squared.node().op, Op::Unary(UnaryOp::Square)));
    let inverted = e.pow(&a, &e.full(&[], -1.0)).unwrap();
    assert!(matches!(inverted.node().op, Op::Unary(UnaryOp::Reciprocal)));
    let z: Vec<Complex64> = inputs();
    let zc = e.from_vec(z.clone(), &[z.len()]).unwrap();
    let got = e.pow(&e.abs(&zc).unwrap(), &e.full(&[], 2.0)).unwrap();
    assert!(
        matches!(got.node().op, Op::Binary(BinaryOp::Add)),
        "re² + im²"
    );
    let got = got.to_vec::<f64>().unwrap();
    for (i, g) in got.iter().enumerate() {
        let w = z[i].norm_sqr();
        assert!(close(*g, w, w.abs()), "|{}|**2: {g} vs {w}", z[i]);
    }
}
