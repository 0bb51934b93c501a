//! What every bench binary shares: options, timing (warm-up, then the median and
//! minimum of several runs), peak RSS, and the JSON line format of
//! docs/benchmarks/WORKLOADS.md (stdout) with a readable line on stderr.
//!
//! Options: `--only W1,W4` `--size N` `--quick` `--backend cpu,reference`.

// Each bench binary uses its own part of this module.
#![allow(dead_code)]

use mathengine::{Array, Complex64, DType, Engine, Indexing};

pub struct Options {
    pub only: Option<Vec<String>>,
    pub size: Option<usize>,
    pub quick: bool,
    pub backends: Vec<String>,
}

pub fn parse_options() -> Options {
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

pub struct Measurement {
    pub median_s: f64,
    pub min_s: f64,
    pub runs: usize,
    pub peak_rss_mb: f64,
}

/// The `--runs N` argument, or `default`.
pub fn runs_arg(default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// Run `f` once to warm up, then `runs` times; `f` returns the seconds to count.
pub fn measure(runs: usize, mut f: impl FnMut() -> f64) -> Measurement {
    // Start from an empty buffer pool, so each workload's peak RSS is its own.
    mathengine::release_pooled_memory();
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

pub fn report(workload: &str, backend: &str, size: usize, m: &Measurement) {
    report_impl(workload, &format!("mathengine-{backend}"), size, m);
}

/// A JSON line for any implementation (`impl` as given, e.g. a hardware floor).
pub fn report_impl(workload: &str, implementation: &str, size: usize, m: &Measurement) {
    println!(
        "{{\"workload\":\"{workload}\",\"impl\":\"{implementation}\",\"size\":{size},\"median_s\":{:.6e},\"min_s\":{:.6e},\"runs\":{},\"peak_rss_mb\":{:.1}}}",
        m.median_s, m.min_s, m.runs, m.peak_rss_mb
    );
    eprintln!("{workload:<4} {implementation:<20} size {size:>9}  median {:>10.3} ms  min {:>10.3} ms  peak RSS {:>7.1} MB", m.median_s * 1e3, m.min_s * 1e3, m.peak_rss_mb);
}

impl Options {
    /// An engine per `--backend` name (backends not available here are skipped, saying so).
    pub fn engines(&self) -> Vec<(String, mathengine::Engine)> {
        self.backends
            .iter()
            .filter_map(|b| match mathengine::Engine::with_backend(b) {
                Ok(e) => Some((b.clone(), e)),
                Err(err) => {
                    eprintln!("skipping backend {b}: {err}");
                    None
                }
            })
            .collect()
    }

    /// Whether workload `w` was asked for (all when `--only` is absent).
    pub fn wants(&self, w: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|list| list.iter().any(|x| x == w))
    }
    /// Repetitions: 7, or 1 with `--quick`.
    pub fn runs(&self) -> usize {
        if self.quick {
            1
        } else {
            7
        }
    }
}

/// Run a Python script that times numpy (argument: the number of runs) and prints one
/// JSON object per line; each is printed as a row of impl "numpy" (with `size` when the
/// script gives none). Skipped, said on stderr, where `python3` has no numpy.
/// The timing loop appended to every `numpy_rows` script: each of the script's `ops`
/// once to warm up, then `runs` times; a JSON line each (with `size_of(name)` where the
/// script defines it).
const NUMPY_TIMING: &str = r#"
import json, time
for name, f in ops.items():
    f()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter(); f(); t.append(time.perf_counter() - t0)
    t.sort()
    row = {"workload": name, "median_s": t[len(t) // 2], "min_s": t[0], "runs": runs}
    if "size_of" in globals():
        row["size"] = size_of(name)
    print(json.dumps(row))
"#;

pub fn numpy_rows(script: &str, runs: usize, size: Option<usize>) {
    let script = format!("{script}\n{NUMPY_TIMING}");
    let out = std::process::Command::new("python3")
        .args(["-c", &script, &runs.to_string()])
        .output();
    let tag = match size {
        Some(n) => format!("{{\"impl\":\"numpy\",\"size\":{n},"),
        None => "{\"impl\":\"numpy\",".to_string(),
    };
    match out {
        Ok(o) if o.status.success() => {
            for line in String::from_utf8_lossy(&o.stdout).lines() {
                let line = line.replacen('{', &tag, 1);
                println!("{line}");
                eprintln!("numpy {line}");
            }
        }
        _ => eprintln!("numpy: python3 with numpy not available, skipped"),
    }
}

/// W3's pupil on an N×N grid (benches/workloads.rs and benches/fft.rs): four closed-form
/// orthonormal Zernike terms (defocus, astigmatism, coma, spherical) as the phase, a
/// unit circle as the amplitude.
pub fn w3_pupil(e: &Engine, n: usize) -> Array {
    let dx = 2.0 / n as f64;
    let half = (n / 2) as f64;
    let x = e
        .arange(-half * dx, (n as f64 - half - 0.5) * dx, dx)
        .expect("grid axis");
    let xy = e.meshgrid(&[&x, &x], Indexing::Xy).expect("grid");
    let (gx, gy) = (&xy[0], &xy[1]);
    let r2 = gx * gx + gy * gy;
    let r = r2.sqrt();
    let t = e.arctan2(gy, gx).expect("angle");
    let w = (&r2 * 2.0 - 1.0) * (3f64.sqrt() * 0.1)
        + &r2 * (&t * 2.0).cos() * (6f64.sqrt() * 0.05)
        + (&r2 * &r * 3.0 - &r * 2.0) * t.cos() * (8f64.sqrt() * -0.02)
        + (&r2 * &r2 * 6.0 - &r2 * 6.0 + 1.0) * (5f64.sqrt() * 0.03);
    let k = std::f64::consts::TAU / 0.6328;
    let phase = e.astype(&(&w * k), DType::C128);
    let i_phase = e
        .mul(&phase, &e.scalar(Complex64::new(0.0, 1.0)))
        .expect("i phase");
    let field = e.exp(&i_phase).expect("exp");
    let mask = e.astype(
        &e.less_equal(&r, &e.scalar(1.0)).expect("mask"),
        DType::C128,
    );
    e.mul(&mask, &field).expect("pupil")
}
