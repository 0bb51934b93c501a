//! A backend defined outside mathengine, through its public API only: it logs every step
//! the engine hands it and counts them, and delegates the work to the built-in cpu
//! backend. Copy it as the starting point of a backend of your own (a device, a remote
//! worker, a profiler).
//!
//!     cargo run --example custom_backend
//!
//! It evaluates a fused elementwise expression, a reduction and an FFT (a library step)
//! on the logging backend, then the same on the default engine, and checks that both
//! give the same numbers.

use mathengine::backend::cpu::CpuBackend;
use mathengine::backend::{
    Backend, BackendStats, BufferRef, DeviceBuffer, HostBuffer, Kernel, Launch, LibraryCall,
    Result, Support,
};
use mathengine::{Array, Engine};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the logging backend saw.
#[derive(Default)]
pub struct Log {
    pub kernels: AtomicUsize,
    pub library_calls: AtomicUsize,
    pub lines: Mutex<Vec<String>>,
}

/// Logs each kernel and library call, then runs it on the cpu backend.
pub struct LoggingBackend {
    inner: CpuBackend,
    log: Arc<Log>,
    echo: bool,
}

impl LoggingBackend {
    /// A logging backend; with `echo`, each step is also printed to stderr.
    pub fn new(echo: bool) -> (LoggingBackend, Arc<Log>) {
        let log = Arc::new(Log::default());
        let b = LoggingBackend {
            inner: CpuBackend::new(),
            log: log.clone(),
            echo,
        };
        (b, log)
    }

    fn note(&self, line: String) {
        if self.echo {
            eprintln!("[logging] {line}");
        }
        self.log
            .lines
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }
}

impl Backend for LoggingBackend {
    fn name(&self) -> &str {
        "logging"
    }

    // Buffers live in host memory, like the cpu backend's, so they are shared with no
    // copy (the default `location` is "host" and the default `upload` keeps host data).

    fn download(&self, buf: &dyn DeviceBuffer) -> Result<HostBuffer> {
        self.inner.download(buf)
    }

    fn supports(&self, kernel: &Kernel) -> Support {
        self.inner.supports(kernel)
    }

    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> Result<Vec<BufferRef>> {
        self.log.kernels.fetch_add(1, Ordering::Relaxed);
        self.note(format!(
            "kernel {} over {} element(s), {} input buffer(s)",
            kernel.name(),
            launch.len,
            inputs.len()
        ));
        // The cpu backend checks the launch contract before it runs anything.
        self.inner.run_kernel(kernel, launch, inputs)
    }

    fn supports_library(&self, call: &LibraryCall) -> Support {
        self.inner.supports_library(call)
    }

    fn run_library(&self, call: &LibraryCall, inputs: &[BufferRef]) -> Result<Vec<BufferRef>> {
        self.log.library_calls.fetch_add(1, Ordering::Relaxed);
        self.note(format!(
            "library {} of {:?} -> {:?}",
            call.op.name(),
            call.input_shapes,
            call.output_shape
        ));
        self.inner.run_library(call, inputs)
    }

    fn stats(&self) -> BackendStats {
        self.inner.stats()
    }
}

/// The work: a fused elementwise chain, its sum, and |fft(x)|².
fn work(e: &Engine) -> Result<Vec<Vec<f64>>> {
    let x = e.linspace(-3.0, 3.0, 64);
    let y = e.add(
        &e.mul(&x.sin(), &x.sin())?,
        &e.mul(&x.cos(), &e.exp(&e.neg(&e.mul(&x, &x)?)?)?)?,
    )?;
    let total = e.sum(&y, None, false)?;
    let spectrum = e.fft.fft(&y, None, -1, mathengine::Norm::Backward)?;
    let power = e.square(&e.abs(&spectrum)?)?;
    e.eval_all([&y, &total, &power])?;
    [y, total, power].iter().map(Array::to_vec::<f64>).collect()
}

/// Runs the work on a logging backend and on the default engine; returns the log and
/// whether the results agree.
pub fn run(echo: bool) -> Result<(Arc<Log>, bool)> {
    let e = Engine::new();
    let (backend, log) = LoggingBackend::new(echo);
    e.change_backend(Box::new(backend) as Box<dyn Backend>)?;
    let logged = work(&e)?;
    let plain = work(&Engine::new())?;
    Ok((log, logged == plain))
}

#[allow(dead_code)]
fn main() -> Result<()> {
    let (log, same) = run(true)?;
    println!(
        "the logging backend ran {} kernel(s) and {} library call(s); results {} the cpu backend's",
        log.kernels.load(Ordering::Relaxed),
        log.library_calls.load(Ordering::Relaxed),
        if same { "equal" } else { "DIFFER from" }
    );
    if !same {
        std::process::exit(1);
    }
    Ok(())
}
