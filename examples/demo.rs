//! The README's first command: a small optics job on the default backend (the compiled
//! `cpu`; `--backend reference` runs the interpreter). A wavefront from Noll-indexed
//! Zernike coefficients on an N×N pupil, its point-spread function (zero-padded FFT),
//! the Strehl ratio, and a least-squares fit of the coefficients back from the wavefront.
//!
//! cargo run --release --example demo [-- --size 512 --backend cpu]

use mathengine::{Array, DType, Engine, Norm};
use std::error::Error;
use std::time::Instant;

/// (Noll index, coefficient in waves RMS): defocus, astigmatism, coma, spherical.
const INPUT: [(usize, f64); 4] = [(4, 0.10), (5, 0.05), (8, -0.02), (11, 0.03)];
/// Modes fitted: Noll 1..=FIT_MODES.
const FIT_MODES: usize = 15;

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

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn run() -> Result<(), Box<dyn Error>> {
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
        "mathengine demo on backend '{}': {n}x{n} pupil",
        e.backend_name()
    );

    // The grid is made of generator nodes: no memory is read to evaluate on it.
    let (x, y) = e.coordinates.make_xy_grid(n, None, Some(2.0))?;
    let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    let inside = e.astype(&e.coordinates.circle(1.0, &r)?, DType::F64);
    let nms = INPUT
        .iter()
        .map(|&(j, _)| e.polynomials.noll_to_nm(j))
        .collect::<Result<Vec<_>, _>>()?;
    let coefs: Vec<f64> = INPUT.iter().map(|&(_, c)| c).collect();

    // 1. The wavefront: one fused kernel (Clenshaw sums, no mode materialised).
    let t0 = Instant::now();
    let before = e.stats();
    let wavefront = e.mul(
        &e.polynomials.zernike_sum(&coefs, &nms, &r, &t, true)?,
        &inside,
    )?;
    wavefront.eval()?;
    let compiled = e.stats().compile_seconds - before.compile_seconds;
    let rms = e
        .sqrt(&e.div(
            &e.sum(&e.square(&wavefront)?, None, false)?,
            &e.sum(&inside, None, false)?,
        )?)?
        .item::<f64>()?;
    println!("  wavefront: rms {rms:.5} waves (input coefficients are orthonormal: sqrt(sum c^2) = {:.5})", coefs.iter().map(|c| c * c).sum::<f64>().sqrt());
    println!(
        "    {:.1} ms ({:.1} ms of it compiling)",
        ms(t0),
        compiled * 1e3
    );

    // 2. The PSF: pupil -> zero-padded 2x FFT -> |.|^2, fftshifted; the Strehl ratio
    //    against the unaberrated pupil's peak.
    let t0 = Instant::now();
    let psf = |phase: &Array| -> Result<Array, Box<dyn Error>> {
        let i_phase = e.mul(
            &e.astype(&(phase * std::f64::consts::TAU), DType::C128),
            &e.scalar(mathengine::Complex64::new(0.0, 1.0)),
        )?;
        let pupil = e.mul(&e.astype(&inside, DType::C128), &e.exp(&i_phase)?)?;
        let f = e
            .fft
            .fft2(&pupil, Some(&[2 * n, 2 * n]), None, Norm::Backward)?;
        Ok(e.square(&e.abs(&e.fft.fftshift(&f, None)?)?)?)
    };
    let aberrated = psf(&wavefront)?;
    let perfect = psf(&e.mul(&wavefront, &e.scalar(0.0))?)?;
    let (pa, pp) = (
        e.max(&aberrated, None, false)?,
        e.max(&perfect, None, false)?,
    );
    e.eval_all(&[&pa, &pp])?;
    let strehl = pa.item::<f64>()? / pp.item::<f64>()?;
    println!("  PSF ({}x{} after zero padding): Strehl ratio {strehl:.4} (Marechal estimate exp(-(2 pi rms)^2) = {:.4})", 2 * n, 2 * n, (-(std::f64::consts::TAU * rms).powi(2)).exp());
    println!("    {:.1} ms", ms(t0));

    // 3. Fit Noll 1..=FIT_MODES back by least squares over the pupil (outside it the
    //    rows are zero and do not count).
    let t0 = Instant::now();
    let fit_nms = (1..=FIT_MODES)
        .map(|j| e.polynomials.noll_to_nm(j))
        .collect::<Result<Vec<_>, _>>()?;
    let modes = e.polynomials.zernike_nm_seq(&fit_nms, &r, &t, true)?;
    let masked = modes
        .iter()
        .map(|m| e.mul(m, &inside))
        .collect::<Result<Vec<_>, _>>()?;
    let design = e.reshape(
        &e.stack(&masked.iter().collect::<Vec<_>>(), -1)?,
        &[(n * n) as isize, FIT_MODES as isize],
    )?;
    let fitted = e
        .linalg
        .lstsq(&design, &e.reshape(&wavefront, &[(n * n) as isize, 1])?)?
        .to_vec::<f64>()?;
    println!("  fit of Noll 1..{FIT_MODES} ({:.1} ms):", ms(t0));
    println!(
        "    {:>5} {:>6} {:<28} {:>10} {:>12}",
        "noll", "(n,m)", "name", "input", "fitted"
    );
    for (j, &(nn, m)) in fit_nms.iter().enumerate() {
        let input = INPUT
            .iter()
            .find(|&&(k, _)| k == j + 1)
            .map_or(0.0, |&(_, c)| c);
        let name = e.polynomials.nm_to_name(nn, m)?;
        println!(
            "    {:>5} {:>6} {:<28} {:>10.5} {:>12.2e}",
            j + 1,
            format!("({nn},{m})"),
            name,
            input,
            fitted[j]
        );
    }
    let worst = fit_nms
        .iter()
        .enumerate()
        .map(|(j, _)| {
            let input = INPUT
                .iter()
                .find(|&&(k, _)| k == j + 1)
                .map_or(0.0, |&(_, c)| c);
            (fitted[j] - input).abs()
        })
        .fold(0.0, f64::max);
    println!("    largest |fitted - input| = {worst:.1e}");

    let s = e.stats();
    println!(
        "  backend '{}': {} kernels compiled ({:.1} ms), {} cache hits",
        e.backend_name(),
        s.kernels_compiled,
        s.compile_seconds * 1e3,
        s.cache_hits
    );
    if worst > 1e-8 {
        return Err(format!("the fit is off by {worst:e}").into());
    }
    Ok(())
}
