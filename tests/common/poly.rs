#![allow(dead_code)] // each test file uses its own part

//! Helpers shared by the polynomial test files: reading results, comparing them, a
//! deterministic point generator, and the cpu backend with a kernel-launch counter
//! (compile-cache counters are process-wide, so launches are what a test running beside
//! others can count exactly).

use mathengine::backend::cpu::CpuBackend;
use mathengine::{Array, Backend, BackendStats, Engine, Error, HostBuffer};
use mathengine_ir::{BufferRef, DeviceBuffer, Kernel, Launch};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub fn v(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().expect("evaluates")
}

pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs() / w.abs().max(1.0);
        assert!(
            err <= tol,
            "{what}[{i}]: got {g}, want {w} (error {err:e} > {tol:e})"
        );
    }
}

/// Deterministic points in [lo, hi] (a small LCG; no dependence on the engine).
pub fn points(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            lo + (hi - lo) * ((s >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

pub fn arr(e: &Engine, data: &[f64]) -> Array {
    e.from_slice(data, &[data.len()]).expect("array")
}

pub fn is_invalid<T: std::fmt::Debug>(r: mathengine::Result<T>, needle: &str) {
    match r {
        Err(Error::Invalid { msg, .. }) => {
            assert!(msg.contains(needle), "message {msg:?} lacks {needle:?}")
        }
        other => panic!("expected an Invalid error mentioning {needle:?}, got {other:?}"),
    }
}

/// The compiled cpu backend, counting kernel launches.
pub struct Counting {
    pub cpu: CpuBackend,
    pub launches: Arc<AtomicUsize>,
}

impl Backend for Counting {
    fn name(&self) -> &str {
        "counting-cpu"
    }
    fn download(&self, buf: &dyn DeviceBuffer) -> mathengine::Result<HostBuffer> {
        self.cpu.download(buf)
    }
    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> mathengine::Result<Vec<BufferRef>> {
        self.launches.fetch_add(1, Ordering::SeqCst);
        self.cpu.run_kernel(kernel, launch, inputs)
    }
    fn stats(&self) -> BackendStats {
        self.cpu.stats()
    }
}

pub fn counting_engine() -> (Engine, Arc<AtomicUsize>) {
    let launches = Arc::new(AtomicUsize::new(0));
    let e = Engine::new();
    e.change_backend(Box::new(Counting {
        cpu: CpuBackend::new(),
        launches: launches.clone(),
    }) as Box<dyn Backend>)
        .unwrap();
    (e, launches)
}
