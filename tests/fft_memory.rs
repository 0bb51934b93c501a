//! Large buffers (offered to the kernel for huge pages, recycled by the pool) behave like
//! any other: fresh ones are zero, a pooled buffer's stale contents never leak into an
//! FFT that reuses it (the zero-padded passes write every element), and
//! `release_pooled_memory` hands them all back. One test: the pool is process-wide.

use mathengine::{Complex64, DType, Engine, Norm};
use mathengine_ir::buffer::{try_zeroed_vec, HUGE_PAGE_MIN_BYTES};
use mathengine_ir::pool::{max_pooled_bytes, DEFAULT_POOLED_BYTES, MAX_POOLED_BYTES_CAP};
use mathengine_ir::{DeviceBuffer, HostBuffer};
use std::f64::consts::TAU;

/// sum_{j < m} exp(-2πi jk/n): the DFT of m ones zero-padded to n.
fn dirichlet(m: usize, n: usize) -> Vec<Complex64> {
    (0..n)
        .map(|k| {
            (0..m).fold(Complex64::new(0.0, 0.0), |acc, j| {
                acc + Complex64::from_polar(1.0, -TAU * ((j * k) % n) as f64 / n as f64)
            })
        })
        .collect()
}

#[test]
fn huge_page_buffers_are_zeroed_reused_cleanly_and_released() {
    // Fresh large allocations are zero, written or not, again and again.
    let len = 3 * HUGE_PAGE_MIN_BYTES / 8 + 5;
    for _ in 0..3 {
        let mut v: Vec<f64> = try_zeroed_vec(len).expect("allocates");
        assert!(v.iter().all(|&x| x == 0.0), "fresh buffer is zero");
        v.iter_mut().for_each(|x| *x = 1.5);
    }
    let h = HostBuffer::try_zeros("test", DType::C128, len).expect("allocates");
    assert_eq!(h.len(), len);
    assert!(h
        .as_slice::<Complex64>()
        .expect("complex128")
        .iter()
        .all(|v| v.re == 0.0 && v.im == 0.0));
    drop(h);

    let cap = max_pooled_bytes();
    assert!((DEFAULT_POOLED_BYTES..=MAX_POOLED_BYTES_CAP).contains(&cap));

    // A padded fft2 whose output (512² complex128, 4 MiB) goes back to the pool...
    let e = Engine::new();
    mathengine::release_pooled_memory();
    let (m, n) = (256usize, 512usize);
    let noise: Vec<Complex64> = (0..m * m)
        .map(|i| Complex64::new((i % 13) as f64 - 6.0, (i % 5) as f64))
        .collect();
    let a = e.from_slice(&noise, &[m, m]).expect("input");
    let f = e
        .fft
        .fft2(&a, Some(&[n, n]), None, Norm::Backward)
        .expect("fft2");
    f.eval().expect("evaluates");
    drop(f);
    let pooled = mathengine::pooled_bytes();
    assert!(
        pooled >= n * n * 16,
        "the output was pooled: {pooled} bytes"
    );

    // ...is reused, stale, by the next one of that size, which must still be exact.
    let ones = e
        .from_vec(vec![Complex64::new(1.0, 0.0); m * m], &[m, m])
        .expect("ones");
    let g = e
        .fft
        .fft2(&ones, Some(&[n, n]), None, Norm::Backward)
        .expect("fft2")
        .to_vec::<Complex64>()
        .expect("read");
    let d = dirichlet(m, n);
    for (i, v) in g.iter().enumerate() {
        let want = d[i / n] * d[i % n];
        assert!(
            (v - want).norm() <= 1e-9 * (m * m) as f64,
            "element {i}: {v} vs {want}"
        );
    }
    drop(g);

    // Everything pooled goes back on request.
    let big = e.from_vec(vec![2.0f64; 1 << 20], &[1 << 20]).expect("big");
    let doubled = &big * 3.0;
    doubled.eval().expect("evaluates");
    drop(doubled);
    assert!(mathengine::pooled_bytes() >= 8 << 20);
    mathengine::release_pooled_memory();
    assert_eq!(mathengine::pooled_bytes(), 0);
}
