//! The README's first command: evaluate Zernike polynomials on a grid, fused into
//! one kernel, on the default backend (or the one named by `--backend NAME`).
//!
//! cargo run --release --example demo [-- --backend reference --size 256]

use mathengine::{Engine, Indexing};
use std::time::Instant;

fn main() {
    if let Err(msg) = run() {
        eprintln!("demo: {msg}");
        std::process::exit(2);
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = match arg(&args, "--size") {
        Some(s) => s
            .parse()
            .ok()
            .filter(|&n| n > 1)
            .ok_or(format!("--size must be an integer > 1, got {s:?}"))?,
        None => 512,
    };
    let e = Engine::new();
    if let Some(b) = arg(&args, "--backend") {
        e.change_backend(b.as_str())?;
    }
    println!(
        "mathengine demo: Zernike modes on a {n}x{n} grid, backend '{}'",
        e.backend_name()
    );

    // prysm's make_xy_grid(n, diameter=2): x = (arange(n) - n//2) * 2/n, so 0 is a sample.
    let dx = 2.0 / n as f64;
    let half = (n / 2) as f64;
    let x1 = e.arange(-half * dx, (n as f64 - half) * dx - dx / 2.0, dx)?;
    let xy = e.meshgrid(&[&x1, &x1], Indexing::Xy)?;
    let (x, y) = (&xy[0], &xy[1]);
    let r2 = x * x + y * y;
    let r = r2.sqrt();
    let t = e.arctan2(y, x)?;

    // Orthonormal Zernike terms by closed form: defocus Z(2,0), astigmatism Z(2,2),
    // coma Z(3,1) and primary spherical Z(4,0).
    let defocus = (&r2 * 2.0 - 1.0) * 3f64.sqrt();
    let astig = &r2 * (&t * 2.0).cos() * 6f64.sqrt();
    let coma = (&r2 * &r * 3.0 - &r * 2.0) * t.cos() * 8f64.sqrt();
    let spherical = (&r2 * &r2 * 6.0 - &r2 * 6.0 + 1.0) * 5f64.sqrt();
    let wavefront = &defocus * 0.1 + &astig * 0.05 + &coma * -0.02 + &spherical * 0.03;
    let inside = e.less_equal(&r, &e.scalar(1.0))?;
    let masked = e.where_(&inside, &wavefront, &e.scalar(0.0))?;
    let rms = e.sqrt(&e.mean(&e.square(&masked)?, None, false)?)?;
    let pv = e.max(&masked, None, false)? - e.min(&masked, None, false)?;

    let start = Instant::now();
    e.eval_all(&[&masked, &rms, &pv])?;
    let first = start.elapsed();
    let rms_v: f64 = rms.item()?;
    let pv_v: f64 = pv.item()?;
    let w = masked.to_vec::<f64>()?;
    println!(
        "  wavefront: {} samples, rms {rms_v:.6}, peak-to-valley {pv_v:.6}",
        w.len()
    );
    println!(
        "  centre value {:.6} (closed form {:.6})",
        w[(n / 2) * n + n / 2],
        -0.1 * 3f64.sqrt() + 0.03 * 5f64.sqrt()
    );
    println!(
        "  evaluated in {:.1} ms (first run, including compilation)",
        first.as_secs_f64() * 1e3
    );
    let s = e.stats();
    println!(
        "  backend stats: {} kernels compiled, {} cache hits, {:.1} ms compiling",
        s.kernels_compiled,
        s.cache_hits,
        s.compile_seconds * 1e3
    );
    Ok(())
}
