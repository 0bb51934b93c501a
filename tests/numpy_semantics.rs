//! Values where numpy defines the answer and mathengine used to differ: complex division
//! and reciprocal, sign of -0.0, maximum/minimum of ±0, the dtype of an integer
//! reciprocal, integer powers with a negative exponent, pad of an integer array with
//! NaN. Expected values are what numpy 2.4.6 printed (x86-64, Python 3), hard-coded.
//!
//! Each case runs on the reference interpreter and on the cpu backend (arrays long
//! enough for its f64x2 vector path too), and once as constants (folded when the graph
//! is built), so every place that implements the semantics is covered. The differences
//! kept on purpose are in docs/numpy-differences.md.

use mathengine::{Complex32, Complex64, DType, Engine, ErrorKind};

const BACKENDS: [&str; 2] = ["reference", "cpu"];

fn engines() -> Vec<Engine> {
    BACKENDS
        .iter()
        .map(|b| Engine::with_backend(b).expect("backend"))
        .collect()
}

/// `v` repeated to at least 19 elements (so the cpu backend runs its vector loop and
/// its scalar tail).
fn tiled<T: Clone>(v: &[T]) -> Vec<T> {
    let mut out = Vec::new();
    while out.len() < 19 {
        out.extend_from_slice(v);
    }
    out
}

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

/// Equal as numpy prints them: NaN equals NaN, zeros must have the same sign, finite
/// values within `rel` (0: bitwise).
fn same_f64(got: f64, want: f64, rel: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want == 0.0 {
        return got == 0.0 && got.is_sign_negative() == want.is_sign_negative();
    }
    got == want || (got - want).abs() <= rel * want.abs()
}

fn check_c128(what: &str, got: &[Complex64], want: &[Complex64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            same_f64(g.re, w.re, rel) && same_f64(g.im, w.im, rel),
            "{what}[{k}]: got {g}, numpy {w}"
        );
    }
}

fn check_f64(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(same_f64(g, w, 0.0), "{what}[{k}]: got {g:?}, numpy {w:?}");
    }
}

#[test]
fn complex_division_follows_numpy() {
    let inf = f64::INFINITY;
    let nan = f64::NAN;
    // (numerator, denominator, numpy's quotient)
    let cases = [
        (c(1.0, 1.0), c(0.0, 0.0), c(inf, inf)),
        (c(1.0, 0.0), c(0.0, 0.0), c(inf, nan)),
        (c(0.0, 0.0), c(0.0, 0.0), c(nan, nan)),
        (c(0.0, 1.0), c(0.0, 0.0), c(nan, inf)),
        (c(-1.0, 1.0), c(0.0, 0.0), c(-inf, inf)),
        (c(1.0, -1.0), c(0.0, 0.0), c(inf, -inf)),
        (c(inf, 1.0), c(0.0, 0.0), c(inf, inf)),
        (c(nan, 1.0), c(0.0, 0.0), c(nan, inf)),
        (c(1.0, 2.0), c(inf, 0.0), c(0.0, 0.0)),
        // |y|^2 overflows: the textbook formula gives nan+nanj, numpy's scaled one 0j.
        (c(1.0, 1.0), c(1e308, 1e308), c(0.0, 0.0)),
        (c(1e300, 1e300), c(1e-300, 1e-300), c(inf, 0.0)),
        (c(3.0, 4.0), c(1.0, 2.0), c(2.2, -0.4)),
    ];
    let (num, rest): (Vec<_>, Vec<_>) = cases.iter().map(|&(a, b, q)| (a, (b, q))).unzip();
    let (den, want): (Vec<_>, Vec<_>) = rest.into_iter().unzip();
    for e in engines() {
        let n = tiled(&num);
        let d = tiled(&den);
        let w = tiled(&want);
        let a = e.from_vec(n.clone(), &[n.len()]).expect("a");
        let b = e.from_vec(d, &[n.len()]).expect("b");
        let q = e
            .div(&a, &b)
            .expect("div")
            .to_vec::<Complex64>()
            .expect("q");
        check_c128(&format!("{}: divide", e.backend_name()), &q, &w, 4e-16);
        // A constant pair folds when the graph is built, with the same semantics.
        for &(x, y, want) in &cases {
            let q = e.div(&e.scalar(x), &e.scalar(y)).expect("div");
            let got = q.item::<Complex64>().expect("item");
            check_c128("folded divide", &[got], &[want], 4e-16);
        }
        // (1+1j) / 0 with a real zero: numpy promotes 0 to 0j.
        let z = e.from_vec(vec![c(1.0, 1.0)], &[1]).expect("z");
        let q = e.div(&z, &e.scalar(0.0f64)).expect("div");
        check_c128(
            "(1+1j)/0",
            &q.to_vec::<Complex64>().expect("q"),
            &[c(inf, inf)],
            0.0,
        );
    }
}

#[test]
fn complex64_division_by_zero_follows_numpy() {
    let inf = f32::INFINITY;
    for e in engines() {
        let a = e
            .from_vec(
                tiled(&[Complex32::new(1.0, 1.0), Complex32::new(-1.0, 0.0)]),
                &[20],
            )
            .expect("a");
        let q = e.div(&a, &e.scalar(Complex32::new(0.0, 0.0))).expect("div");
        let q = q.to_vec::<Complex32>().expect("q");
        assert_eq!((q[0].re, q[0].im), (inf, inf), "{}", e.backend_name());
        assert_eq!(q[1].re, -inf, "{}", e.backend_name());
        assert!(q[1].im.is_nan(), "{}", e.backend_name());
    }
}

#[test]
fn complex_reciprocal_follows_numpy() {
    let nan = f64::NAN;
    let x = [
        c(0.0, 0.0),
        c(1.0, 1.0),
        c(1e308, 1e308),
        c(f64::INFINITY, 0.0),
        c(3.0, 4.0),
    ];
    // numpy: [nan+nanj, 0.5-0.5j, 0.-0.j, 0.-0.j, 0.12-0.16j]
    let want = [
        c(nan, nan),
        c(0.5, -0.5),
        c(0.0, -0.0),
        c(0.0, -0.0),
        c(0.12, -0.16),
    ];
    for e in engines() {
        let a = e.from_vec(tiled(&x), &[20]).expect("a");
        let r = e
            .reciprocal(&a)
            .expect("reciprocal")
            .to_vec::<Complex64>()
            .expect("r");
        check_c128(
            &format!("{}: reciprocal", e.backend_name()),
            &r,
            &tiled(&want),
            4e-16,
        );
    }
}

#[test]
fn sign_of_negative_zero_is_positive_zero() {
    let x = [-0.0, 0.0, f64::NAN, -2.0, 3.5, f64::NEG_INFINITY];
    // numpy: sign([-0., 0., nan, -2., 3.5, -inf]) = [0., 0., nan, -1., 1., -1.], zeros +0.
    let want = [0.0, 0.0, f64::NAN, -1.0, 1.0, -1.0];
    for e in engines() {
        let a = e.from_vec(tiled(&x), &[24]).expect("a");
        let s = e.sign(&a).expect("sign").to_vec::<f64>().expect("s");
        check_f64(
            &format!("{}: sign f64", e.backend_name()),
            &s,
            &tiled(&want),
        );
        let s32 = e
            .sign(&a.astype(DType::F32))
            .expect("sign")
            .astype(DType::F64);
        let s32 = s32.to_vec::<f64>().expect("s");
        check_f64(
            &format!("{}: sign f32", e.backend_name()),
            &s32,
            &tiled(&want),
        );
        let folded = e
            .sign(&e.scalar(-0.0f64))
            .expect("sign")
            .item::<f64>()
            .expect("item");
        check_f64("folded sign", &[folded], &[0.0]);
    }
}

#[test]
fn maximum_and_minimum_of_signed_zeros_return_the_second_operand() {
    let nan = f64::NAN;
    let a = [0.0, -0.0, nan, 1.0, 2.0, -0.0];
    let b = [-0.0, 0.0, 1.0, nan, 2.0, -0.0];
    // numpy 2.4.6: maximum(a, b) = [-0., 0., nan, nan, 2., -0.]; minimum the same here.
    let want = [-0.0, 0.0, nan, nan, 2.0, -0.0];
    for e in engines() {
        let x = e.from_vec(tiled(&a), &[24]).expect("x");
        let y = e.from_vec(tiled(&b), &[24]).expect("y");
        for (name, r) in [
            ("maximum", e.maximum(&x, &y)),
            ("minimum", e.minimum(&x, &y)),
        ] {
            let got = r.expect(name).to_vec::<f64>().expect("vec");
            check_f64(
                &format!("{}: {name} f64", e.backend_name()),
                &got,
                &tiled(&want),
            );
        }
        let (x32, y32) = (x.astype(DType::F32), y.astype(DType::F32));
        let got = e.maximum(&x32, &y32).expect("max").astype(DType::F64);
        check_f64(
            "maximum f32",
            &got.to_vec::<f64>().expect("vec"),
            &tiled(&want),
        );
        // Fused with other work (the vector path of a larger kernel).
        let got = e.minimum(&(&x * 2.0), &(&y * 2.0)).expect("min");
        let want2: Vec<f64> = tiled(&want).iter().map(|w| w * 2.0).collect();
        check_f64("fused minimum", &got.to_vec::<f64>().expect("vec"), &want2);
        let folded = e
            .maximum(&e.scalar(0.0f64), &e.scalar(-0.0f64))
            .expect("max");
        check_f64(
            "folded maximum",
            &[folded.item::<f64>().expect("item")],
            &[-0.0],
        );
    }
}

#[test]
fn integer_reciprocal_keeps_the_integer_dtype() {
    let x: Vec<i64> = vec![-3, -2, -1, 0, 1, 2, 3, i64::MIN, i64::MAX];
    // numpy: reciprocal(int64) is int64 [0, 0, -1, -9223372036854775808, 1, 0, 0, 0, 0];
    // its 1/0 is C's undefined conversion of inf (x86-64 gives INT_MIN): mathengine
    // gives 0, as integer division by zero does (docs/numpy-differences.md).
    let want: Vec<i64> = vec![0, 0, -1, 0, 1, 0, 0, 0, 0];
    for e in engines() {
        let a = e.from_vec(tiled(&x), &[27]).expect("a");
        let r = e.reciprocal(&a).expect("reciprocal");
        assert_eq!(r.dtype(), DType::I64, "{}", e.backend_name());
        assert_eq!(
            r.to_vec::<i64>().expect("r"),
            tiled(&want),
            "{}",
            e.backend_name()
        );
        let a32 = a.astype(DType::I32);
        let r32 = e.reciprocal(&a32).expect("reciprocal");
        assert_eq!(r32.dtype(), DType::I32);
        // astype(int32) wraps i64::MIN to 0 and i64::MAX to -1 (as numpy's).
        let w32: Vec<i32> = tiled(&[0, 0, -1, 0, 1, 0, 0, 0, -1]);
        assert_eq!(r32.to_vec::<i32>().expect("r"), w32, "{}", e.backend_name());
        let folded = e.reciprocal(&e.scalar(-1i64)).expect("reciprocal");
        assert_eq!(folded.item::<i64>().expect("item"), -1);
    }
}

#[test]
fn integer_power_with_a_negative_constant_exponent_is_an_error() {
    for e in engines() {
        let a = e.from_vec(vec![2i64, 3], &[2]).expect("a");
        // numpy: ValueError: Integers to negative integer powers are not allowed.
        let err = e.pow(&a, &e.scalar(-1i64)).expect_err("negative exponent");
        assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
        let msg = err.to_string();
        assert!(msg.contains("power") && msg.contains("negative"), "{msg}");
        assert!(e.pow(&e.scalar(2i32), &e.scalar(-2i32)).is_err());
        // Non-negative constant exponents and float bases are fine.
        let sq = e.pow(&a, &e.scalar(2i64)).expect("square");
        assert_eq!(sq.to_vec::<i64>().expect("sq"), vec![4, 9]);
        let f = e
            .pow(&a.astype(DType::F64), &e.scalar(-1i64))
            .expect("float base");
        assert_eq!(f.to_vec::<f64>().expect("f"), vec![0.5, 1.0 / 3.0]);
    }
}

#[test]
fn pad_of_an_integer_array_with_a_non_finite_value_is_an_error() {
    for e in engines() {
        let a = e.from_vec(vec![1i64, 2, 3], &[3]).expect("a");
        // numpy: ValueError: cannot convert float NaN to integer; OverflowError for inf.
        for v in [f64::NAN, f64::INFINITY] {
            let err = e.pad(&a, &[(1, 1)], v).expect_err("non-finite pad value");
            assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
        }
        // numpy: pad([1, 2, 3], 1, constant_values=2.7) = [2, 1, 2, 3, 2] (truncated).
        let p = e.pad(&a, &[(1, 1)], 2.7f64).expect("pad");
        assert_eq!(p.to_vec::<i64>().expect("p"), vec![2, 1, 2, 3, 2]);
        // Floats pad with NaN as numpy does.
        let f = e
            .pad(&a.astype(DType::F64), &[(1, 0)], f64::NAN)
            .expect("pad");
        assert!(f.to_vec::<f64>().expect("f")[0].is_nan());
    }
}
