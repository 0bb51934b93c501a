//! Accuracy of compiled sums against an exact reference (issue: float32 sums on cpu
//! drifted by 3.75 in 100000 for 1e6 x 0.1f32, where numpy is off by 0.0078).
//!
//! The cpu backend sums pairwise over blocks (error ~ (256 + log2(n/256)) ulps) and
//! accumulates float32 and complex64 sums in float64 / complex128, rounding once: the
//! result is the float32 nearest the exact sum (or next to it), at least as accurate as
//! numpy's pairwise float32 sum. The references here are sums in float64 of the exact
//! float32 values (exact to far below a float32 ulp at these sizes) or closed forms.
//! Values numpy 2.4.6 printed are noted beside each case.

use mathengine::{DType, Engine, Scalar};

fn cpu() -> Engine {
    Engine::with_backend("cpu").expect("cpu backend")
}

/// Distance in float32 ulps between `got` and the exact value `want` (in float64).
fn f32_ulps(got: f32, want: f64) -> f64 {
    let nearest = want as f32;
    let ulp = (f32::from_bits(nearest.abs().to_bits() + 1) - nearest.abs()) as f64;
    (got as f64 - want).abs() / ulp
}

#[test]
fn float32_sum_of_a_million_tenths_is_numpy_accurate() {
    let e = cpu();
    let n = 1_000_000usize;
    let x = e.from_vec(vec![0.1f32; n], &[n]).expect("x");
    let got = x
        .sum(None, false)
        .expect("sum")
        .item::<f32>()
        .expect("item");
    // Exact: n * f32(0.1) = 100000.00149011612 (numpy 2.4.6: 100000.01, i.e. 100000.0078).
    let exact = n as f64 * 0.1f32 as f64;
    assert!(f32_ulps(got, exact) <= 1.0, "sum = {got}, exact {exact}");
    assert_eq!(got, 100000.0, "the float32 nearest the exact sum");
}

#[test]
fn float32_sum_of_1e8_elements_from_a_generator() {
    let e = cpu();
    let n = 100_000_000usize;
    // `full` is a generator: the sum kernel computes the values, nothing is stored.
    let x = e.full(&[n], Scalar::F32(0.1));
    assert_eq!(x.dtype(), DType::F32);
    let got = x
        .sum(None, false)
        .expect("sum")
        .item::<f32>()
        .expect("item");
    // Exact: 10000000.149011612 (numpy 2.4.6: 1.0000002e+07, two ulps high).
    let exact = n as f64 * 0.1f32 as f64;
    assert!(f32_ulps(got, exact) <= 1.0, "sum = {got}, exact {exact}");
}

#[test]
fn float32_sum_of_varying_values_matches_the_exact_sum() {
    let e = cpu();
    for n in [1usize, 7, 255, 256, 257, 8191, 8193, 65537, 1_000_003] {
        // Values of both signs and several magnitudes, exactly representable in f32.
        let v: Vec<f32> = (0..n)
            .map(|i| {
                let t = (i as f32 * 0.618_034).fract() - 0.3;
                t * if i % 7 == 0 { 1000.0 } else { 1.0 }
            })
            .collect();
        let exact: f64 = v.iter().map(|&x| x as f64).sum();
        let x = e.from_vec(v, &[n]).expect("x");
        let got = x
            .sum(None, false)
            .expect("sum")
            .item::<f32>()
            .expect("item");
        assert!(
            f32_ulps(got, exact) <= 1.0,
            "n = {n}: sum = {got}, exact {exact}"
        );
    }
}

#[test]
fn float64_sum_of_1e8_elements_is_pairwise_accurate() {
    let e = cpu();
    let n = 100_000_000usize;
    // linspace(0, 1, n) sums to n / 2 up to the rounding of its elements (each within
    // half an ulp of i/(n-1): the error of the sum from them is below n * 2^-54).
    let x = e.linspace(0.0, 1.0, n);
    let got = x
        .sum(None, false)
        .expect("sum")
        .item::<f64>()
        .expect("item");
    let exact = n as f64 / 2.0;
    let rel = (got - exact).abs() / exact;
    // Pairwise summation: a few hundred ulps at most; a running sum would be ~1e-9.
    assert!(
        rel < 1e-13,
        "sum = {got}, exact {exact}, relative error {rel:e}"
    );
}

#[test]
fn complex64_sum_accumulates_both_parts_accurately() {
    let e = cpu();
    let n = 1_000_000usize;
    let x = e.full(&[n], Scalar::C64(num_complex::Complex32::new(0.1, -0.1)));
    let got = x
        .sum(None, false)
        .expect("sum")
        .to_vec::<num_complex::Complex32>()
        .expect("vec")[0];
    let exact = n as f64 * 0.1f32 as f64;
    assert!(f32_ulps(got.re, exact) <= 1.0, "re = {}", got.re);
    assert!(f32_ulps(-got.im, exact) <= 1.0, "im = {}", got.im);
}

#[test]
fn float64_sums_agree_with_the_interpreter_around_block_boundaries() {
    let cpu = cpu();
    let reference = Engine::with_backend("reference").expect("reference backend");
    for n in [
        0usize, 1, 2, 255, 256, 257, 511, 512, 513, 767, 1024, 8191, 8192, 8193, 65537,
    ] {
        let v: Vec<f64> = (0..n)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) / 7.0)
            .collect();
        let exact: f64 = v.iter().sum();
        let a = cpu.from_vec(v.clone(), &[n]).expect("a");
        let b = reference.from_vec(v, &[n]).expect("b");
        let got = a
            .sum(None, false)
            .expect("sum")
            .item::<f64>()
            .expect("item");
        let want = b
            .sum(None, false)
            .expect("sum")
            .item::<f64>()
            .expect("item");
        let tol = 1e-12 * (1.0 + exact.abs());
        assert!(
            (got - want).abs() <= tol,
            "n = {n}: cpu {got}, interpreter {want}"
        );
        let x = 1.0f64 + 1e-3;
        let p = cpu.from_vec(vec![x; n], &[n]).expect("p");
        let prod = cpu
            .prod(&p, None, false)
            .expect("prod")
            .item::<f64>()
            .expect("item");
        // x^n = exp(n log x), log x from the exact x - 1 (powi's repeated squaring
        // would itself be off by n ulps).
        let want = (n as f64 * (x - 1.0).ln_1p()).exp();
        assert!(
            (prod - want).abs() <= 1e-12 * want,
            "n = {n}: prod {prod}, want {want}"
        );
    }
}
