//! A backend written outside the crate (examples/custom_backend.rs, compiled here as a
//! module) plugs into an engine through the public API, receives every kernel and
//! library step, and gives the cpu backend's results.

#[allow(dead_code)]
#[path = "../examples/custom_backend.rs"]
mod custom_backend;

use custom_backend::LoggingBackend;
use mathengine::backend::Backend;
use mathengine::Engine;
use std::sync::atomic::Ordering;

#[test]
fn the_example_backend_runs_every_step_and_matches_the_cpu_backend() {
    let (log, same) = custom_backend::run(false).expect("the example's work runs");
    assert!(
        same,
        "the logging backend's results differ from the cpu backend's"
    );
    assert!(
        log.kernels.load(Ordering::Relaxed) >= 2,
        "kernels reached the backend"
    );
    assert_eq!(
        log.library_calls.load(Ordering::Relaxed),
        1,
        "the FFT reached the backend"
    );
    let lines = log.lines.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.starts_with("library fft")),
        "{lines:?}"
    );
}

#[test]
fn a_custom_backend_can_be_the_fallback() {
    // The reference backend has no library kernels: its FFT step goes to the fallback,
    // which is now the logging backend.
    let e = Engine::new();
    let (backend, log) = LoggingBackend::new(false);
    e.set_fallback_backend(Box::new(backend) as Box<dyn Backend>)
        .expect("a custom fallback");
    assert_eq!(e.fallback_backend().name(), "logging");
    e.change_backend("reference").unwrap();
    let x = e.linspace(0.0, 1.0, 16);
    let f = e.fft.fft(&x, None, -1, mathengine::Norm::Backward).unwrap();
    f.eval().unwrap();
    assert_eq!(f.shape(), &[16]);
    assert!(e.fallback_count() >= 1);
    assert_eq!(
        log.library_calls.load(Ordering::Relaxed),
        1,
        "the FFT ran on the fallback"
    );
}

/// In a build without the `cuda` feature, selecting "cuda" is an error that says how to
/// get it (this test runs only in such a build: `cargo test --no-default-features`).
#[cfg(not(feature = "cuda"))]
#[test]
fn selecting_cuda_without_the_feature_says_how_to_get_it() {
    let err = Engine::with_backend("cuda").expect_err("no cuda backend in this build");
    let msg = err.to_string();
    assert!(msg.contains("`cuda` cargo feature"), "{msg}");
    assert!(!mathengine::backend::cuda::cuda_available());
}
