//! The workloads of ../shared/WORKLOADS.md that the engine covers so far (W4, W5, W6),
//! one JSON object per line on stdout; a human-readable table on stderr.
//!
//! cargo bench --bench workloads -- [--only W4,W5] [--size N] [--quick] [--backend cpu,reference]

use mathengine::{Array, Engine};
use std::time::Instant;

struct Options {
    only: Option<Vec<String>>,
    size: Option<usize>,
    quick: bool,
    backends: Vec<String>,
}

fn parse_options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    Options {
        only: value("--only").map(|s| s.split(',').map(|w| w.trim().to_uppercase()).collect()),
        size: value("--size").and_then(|s| s.parse().ok()),
        quick: args.iter().any(|a| a == "--quick"),
        backends: value("--backend")
            .unwrap_or_else(|| "cpu".into())
            .split(',')
            .map(str::to_string)
            .collect(),
    }
}

/// Peak resident memory since the last reset, in MB (Linux; 0 elsewhere).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak_rss() {
    // "5" resets the peak RSS counter (Linux >= 4.0); harmless where unsupported.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Measurement {
    median_s: f64,
    min_s: f64,
    runs: usize,
    peak_rss_mb: f64,
}

/// Run `f` once to warm up, then `runs` times; `f` returns the seconds to count.
fn measure(runs: usize, mut f: impl FnMut() -> f64) -> Measurement {
    f();
    reset_peak_rss();
    let mut times: Vec<f64> = (0..runs).map(|_| f()).collect();
    times.sort_by(f64::total_cmp);
    Measurement {
        median_s: times[times.len() / 2],
        min_s: times[0],
        runs,
        peak_rss_mb: peak_rss_mb(),
    }
}

fn report(workload: &str, backend: &str, size: usize, m: &Measurement) {
    println!(
        "{{\"workload\":\"{workload}\",\"impl\":\"mathengine-{backend}\",\"size\":{size},\"median_s\":{:.6e},\"min_s\":{:.6e},\"runs\":{},\"peak_rss_mb\":{:.1}}}",
        m.median_s, m.min_s, m.runs, m.peak_rss_mb
    );
    eprintln!("{workload:<4} {backend:<10} size {size:>9}  median {:>10.3} ms  min {:>10.3} ms  peak RSS {:>7.1} MB", m.median_s * 1e3, m.min_s * 1e3, m.peak_rss_mb);
}

/// W4: y = sin(x)^2 + cos(x) * exp(-x*x), x = linspace(-3, 3, n).
fn w4(e: &Engine, n: usize, runs: usize) -> Measurement {
    measure(runs, || {
        let t0 = Instant::now();
        let x = e.linspace(-3.0, 3.0, n);
        let y = x.sin().square() + x.cos() * (-(&x * &x)).exp();
        y.eval().expect("W4 evaluates");
        t0.elapsed().as_secs_f64()
    })
}

/// W5: per-evaluation overhead of y = (x*2 + 1) * x on 1000 elements, built and
/// evaluated again and again (the kernel is cached after the first time).
fn w5(e: &Engine, n: usize, runs: usize, reps: usize) -> Measurement {
    measure(runs, || {
        let t0 = Instant::now();
        for _ in 0..reps {
            let x = e.linspace(0.0, 1.0, n);
            let y = (&x * 2.0 + 1.0) * &x;
            y.eval().expect("W5 evaluates");
        }
        t0.elapsed().as_secs_f64() / reps as f64
    })
}

/// W6: a never-seen 20-op expression (every third op adds sin(y), the others multiply
/// and add constants), from building it to its first result. The kernel cache is
/// cleared before each run, so every run compiles.
fn w6(e: &Engine, n: usize, runs: usize) -> Measurement {
    let mut k = 0u32;
    measure(runs, || {
        e.backend().clear_cache();
        k += 1;
        let t0 = Instant::now();
        let x = e.linspace(0.0, 1.0, n);
        let mut y: Array = x.clone();
        for i in 0..20 {
            y = match i % 3 {
                2 => &y + y.sin(),
                1 => &y + (0.5 + k as f64),
                _ => &y * 1.0001,
            };
        }
        y.to_vec::<f64>().expect("W6 evaluates");
        t0.elapsed().as_secs_f64()
    })
}

fn main() {
    let opts = parse_options();
    let wanted = |w: &str| {
        opts.only
            .as_ref()
            .is_none_or(|list| list.iter().any(|x| x == w))
    };
    let runs = if opts.quick { 1 } else { 7 };
    eprintln!(
        "mathengine workloads on {}",
        mathengine_codegen::isa_description()
    );
    for backend in &opts.backends {
        let e = match Engine::with_backend(backend) {
            Ok(e) => e,
            Err(err) => {
                eprintln!("skipping backend {backend}: {err}");
                continue;
            }
        };
        // The interpreter is for correctness: small sizes only.
        let slow = backend == "reference";
        if wanted("W4") {
            let n = opts
                .size
                .unwrap_or(if opts.quick || slow { 1 << 12 } else { 1 << 22 });
            report("W4", backend, n, &w4(&e, n, runs));
        }
        if wanted("W5") {
            let n = opts.size.unwrap_or(1000);
            let reps = if opts.quick { 10 } else { 2000 };
            report("W5", backend, n, &w5(&e, n, runs, reps));
        }
        if wanted("W6") {
            let n = opts.size.unwrap_or(1000);
            report("W6", backend, n, &w6(&e, n, runs.max(3)));
        }
    }
}
