//! The main job: a small optics study on the default backend (the compiled `cpu`).
//!
//! 1. an N×N circular pupil with a wavefront made of Zernike modes (coefficients in nm
//!    RMS, orthonormal modes, chosen by Noll or Fringe index),
//! 2. its PSF (zero-padded FFT, |.|²), the Strehl ratio and the MTF,
//! 3. a least-squares fit of Zernike coefficients back from the wavefront,
//! 4. PNG pictures: the wavefront, the PSF (log scale), the MTF and the first 36
//!    Zernike modes, plus `summary.json` with the numbers,
//! 5. what each step cost, compiling and running.
//!
//! ```text
//! cargo run --release --example optics
//! cargo run --release --example optics -- --size 256 --noll 4=50,8=-30 --fringe 9=20 \
//!     --wavelength 0.55 --padding 4 --backend reference --out /tmp/optics
//! ```

mod render;

use mathengine::{Array, DType, Engine, Norm};
use render::{Field, MapStyle};
use std::path::{Path, PathBuf};
use std::time::Instant;

type BoxError = Box<dyn std::error::Error>;

const HELP: &str = "\
usage: optics [--size N] [--noll J=C,...] [--fringe J=C,...] [--wavelength UM]
              [--padding Q] [--backend cpu|reference|cuda] [--out DIR]
  --size N        pupil samples across (default 512)
  --noll J=C      Zernike coefficient C (nm RMS) of Noll index J; repeatable, comma lists
  --fringe J=C    the same by Fringe index
                  (default: Noll 4=30, 5=20, 8=-25, 11=15)
  --wavelength UM wavelength in micrometres (default 0.6328)
  --padding Q     zero padding factor of the PSF's FFT, an integer 2..=8 (default 2)
  --backend NAME  where graphs run (default cpu)
  --out DIR       where the pictures go (default target/optics)";

/// Modes charted, Noll 1..=CHART_MODES.
const CHART_MODES: usize = 36;
/// Samples across each chart tile.
const CHART_TILE: usize = 96;
/// Highest radial order accepted in coefficients (Noll 231).
const MAX_ORDER: i32 = 20;

#[derive(Debug)]
enum Index {
    Noll(usize),
    Fringe(usize),
}

struct Options {
    size: usize,
    coefficients: Vec<(Index, f64)>,
    wavelength_um: f64,
    padding: usize,
    backend: String,
    out: PathBuf,
}

fn main() {
    match parse_options() {
        Ok(Some(options)) => {
            if let Err(err) = run(&options) {
                eprintln!("optics: {err}");
                std::process::exit(1);
            }
        }
        Ok(None) => println!("{HELP}"),
        Err(err) => {
            eprintln!("optics: {err} (--help lists the options)");
            std::process::exit(2);
        }
    }
}

/// The options, or None for `--help`.
fn parse_options() -> Result<Option<Options>, BoxError> {
    use lexopt::prelude::*;
    let mut o = Options {
        size: 512,
        coefficients: Vec::new(),
        wavelength_um: 0.6328,
        padding: 2,
        backend: "cpu".into(),
        out: PathBuf::from("target/optics"),
    };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("size") => {
                let v: String = parser.value()?.parse()?;
                o.size = v
                    .parse()
                    .ok()
                    .filter(|n| (8..=8192).contains(n))
                    .ok_or(format!("--size must be an integer in 8..=8192, got {v:?}"))?;
            }
            Long("noll") => {
                parse_coefficients(&parser.value()?.parse::<String>()?, Index::Noll, &mut o)?
            }
            Long("fringe") => {
                parse_coefficients(&parser.value()?.parse::<String>()?, Index::Fringe, &mut o)?
            }
            Long("wavelength") => {
                let v: String = parser.value()?.parse()?;
                o.wavelength_um = v
                    .parse()
                    .ok()
                    .filter(|w: &f64| w.is_finite() && *w > 0.0)
                    .ok_or(format!(
                        "--wavelength must be a positive number of micrometres, got {v:?}"
                    ))?;
            }
            Long("padding") => {
                let v: String = parser.value()?.parse()?;
                o.padding = v
                    .parse()
                    .ok()
                    .filter(|q| (2..=8).contains(q))
                    .ok_or(format!(
                    "--padding must be an integer in 2..=8 (below 2 the MTF aliases), got {v:?}"
                ))?;
            }
            Long("backend") => o.backend = parser.value()?.parse()?,
            Long("out") => o.out = parser.value()?.into(),
            Short('h') | Long("help") => return Ok(None),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if o.coefficients.is_empty() {
        o.coefficients = vec![
            (Index::Noll(4), 30.0),
            (Index::Noll(5), 20.0),
            (Index::Noll(8), -25.0),
            (Index::Noll(11), 15.0),
        ];
    }
    Ok(Some(o))
}

/// `4=30,8=-25` appended to the options' coefficients.
fn parse_coefficients(
    list: &str,
    index: fn(usize) -> Index,
    o: &mut Options,
) -> Result<(), BoxError> {
    for item in list.split(',').filter(|s| !s.is_empty()) {
        let parsed = item.split_once('=').and_then(|(j, c)| {
            let c: f64 = c.trim().parse().ok().filter(|c: &f64| c.is_finite())?;
            Some((j.trim().parse::<usize>().ok()?, c))
        });
        let (j, c) = parsed.ok_or(format!(
            "a coefficient is written INDEX=NANOMETRES, e.g. 4=30; got {item:?}"
        ))?;
        o.coefficients.push((index(j), c));
    }
    Ok(())
}

/// Wall time and the part of it spent compiling, for one step.
struct Step<'a> {
    engine: &'a Engine,
    start: Instant,
    compile_before: f64,
}

impl<'a> Step<'a> {
    fn start(engine: &'a Engine) -> Self {
        Step {
            engine,
            start: Instant::now(),
            compile_before: engine.stats().compile_seconds,
        }
    }
    fn finish(self, what: &str) {
        let total = self.start.elapsed().as_secs_f64() * 1e3;
        let compile = (self.engine.stats().compile_seconds - self.compile_before) * 1e3;
        println!(
            "  {what:<34} {total:>8.1} ms  (compile {compile:>6.1} ms, run {:>8.1} ms)",
            total - compile
        );
    }
}

fn run(o: &Options) -> Result<(), BoxError> {
    let e = Engine::with_backend(&o.backend)?;
    let n = o.size;
    let p = &e.polynomials;

    // Every coefficient as (n, m), checked, merged per mode.
    let mut input: Vec<((i32, i32), f64)> = Vec::new();
    for (index, c) in &o.coefficients {
        let nm = match *index {
            Index::Noll(j) => p.noll_to_nm(j)?,
            Index::Fringe(j) => p.fringe_to_nm(j)?,
        };
        if nm.0 > MAX_ORDER {
            return Err(format!(
                "{index:?} is of radial order {} > {MAX_ORDER}; use a lower index",
                nm.0
            )
            .into());
        }
        match input.iter_mut().find(|(k, _)| *k == nm) {
            Some((_, sum)) => *sum += c,
            None => input.push((nm, *c)),
        }
    }
    let highest_noll = input
        .iter()
        .map(|&((nn, m), _)| p.nm_to_noll(nn, m))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .max()
        .unwrap_or(1);
    let fit_modes = highest_noll.max(CHART_MODES);
    std::fs::create_dir_all(&o.out)
        .map_err(|err| format!("cannot create the output directory {:?}: {err}", o.out))?;

    println!(
        "mathengine optics job on backend '{}': {n}x{n} pupil, wavelength {} um, padding {}x",
        e.backend_name(),
        o.wavelength_um,
        o.padding
    );

    // 1. The wavefront: one fused kernel over generator nodes (no grid in memory).
    let step = Step::start(&e);
    let (x, y) = e.coordinates.make_xy_grid(n, None, Some(2.0))?;
    let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    let inside = e.coordinates.circle(1.0, &r)?;
    let inside_f = e.astype(&inside, DType::F64);
    let (nms, coefs): (Vec<_>, Vec<_>) = input.iter().copied().unzip();
    let wavefront = e.mul(&p.zernike_sum(&coefs, &nms, &r, &t, true)?, &inside_f)?;
    let samples = e.sum(&inside_f, None, false)?;
    let rms = e.sqrt(&e.div(&e.sum(&e.square(&wavefront)?, None, false)?, &samples)?)?;
    e.eval_all(&[&wavefront, &rms, &samples])?;
    let (rms, samples) = (rms.item::<f64>()?, samples.item::<f64>()?);
    step.finish("wavefront (Zernike sum)");

    // 2. PSF = |FFT(zero-padded pupil)|²; the unaberrated peak is (samples in pupil)², so
    //    the Strehl ratio needs no second FFT. MTF = |FFT(PSF)| / its value at 0.
    let step = Step::start(&e);
    let big = o.padding * n;
    let k = std::f64::consts::TAU / (o.wavelength_um * 1e3);
    let phase = e.astype(&(&wavefront * k), DType::C128);
    let pupil = e.mul(
        &e.astype(&inside_f, DType::C128),
        &e.exp(&e.mul(&phase, &e.scalar(mathengine::Complex64::new(0.0, 1.0)))?)?,
    )?;
    let field = e
        .fft
        .fft2(&pupil, Some(&[big, big]), None, Norm::Backward)?;
    let psf = e.square(&e.abs(&field)?)?;
    let psf_peak = e.max(&psf, None, false)?;
    let psf_log = e.log10(&e.maximum(
        &e.div(&e.fft.fftshift(&psf, None)?, &e.scalar(samples * samples))?,
        &e.scalar(1e-7),
    )?)?;
    e.eval_all(&[&psf_log, &psf_peak])?;
    let strehl = psf_peak.item::<f64>()? / (samples * samples);
    step.finish("PSF (padded FFT, |.|^2)");

    let step = Step::start(&e);
    let otf = e
        .fft
        .fft2(&e.astype(&psf, DType::C128), None, None, Norm::Backward)?;
    let mtf = e.fft.fftshift(&e.abs(&otf)?, None)?;
    let mtf = e.div(&mtf, &e.max(&mtf, None, false)?)?;
    mtf.eval()?;
    step.finish("MTF (FFT of the PSF)");

    // 3. The fit: Noll 1..=fit_modes, least squares over the pupil (rows outside it are
    //    zero and do not count).
    let step = Step::start(&e);
    let fit_nms = (1..=fit_modes)
        .map(|j| p.noll_to_nm(j))
        .collect::<Result<Vec<_>, _>>()?;
    let modes = p.zernike_nm_seq(&fit_nms, &r, &t, true)?;
    let masked = modes
        .iter()
        .map(|m| e.mul(m, &inside_f))
        .collect::<Result<Vec<_>, _>>()?;
    let design = e.reshape(
        &e.stack(&masked.iter().collect::<Vec<_>>(), -1)?,
        &[(n * n) as isize, fit_modes as isize],
    )?;
    let fitted = e
        .linalg
        .lstsq(&design, &e.reshape(&wavefront, &[(n * n) as isize, 1])?)?
        .to_vec::<f64>()?;
    step.finish(&format!("fit of Noll 1..{fit_modes}"));

    // 4. Pictures.
    let step = Step::start(&e);
    let images = write_pictures(&e, o, &wavefront, &inside, &psf_log, &mtf)?;
    step.finish("pictures (modes chart + PNG encoding)");

    println!(
        "  wavefront rms {rms:.3} nm (sqrt(sum c^2) = {:.3} nm); Strehl ratio {strehl:.4} \
         (Marechal estimate {:.4})",
        coefs.iter().map(|c| c * c).sum::<f64>().sqrt(),
        (-(k * rms).powi(2)).exp()
    );
    print_mtf(&mtf.to_vec::<f64>()?, big, n)?;

    println!(
        "  {:>5} {:>7} {:<24} {:>12} {:>12}",
        "noll", "(n,m)", "name", "input nm", "fitted nm"
    );
    let mut worst: f64 = 0.0;
    for (j, (&(nn, m), &c)) in fit_nms.iter().zip(&fitted).enumerate() {
        let given = input.iter().find(|(k, _)| *k == (nn, m)).map(|&(_, c)| c);
        worst = worst.max((c - given.unwrap_or(0.0)).abs());
        if given.is_some() || c.abs() > 1e-6 {
            println!(
                "  {:>5} {:>7} {:<24} {:>12.6} {:>12.6}",
                j + 1,
                format!("({nn},{m})"),
                p.nm_to_name(nn, m)?,
                given.unwrap_or(0.0),
                c
            );
        }
    }
    println!("  (the other fitted coefficients are below 1e-6 nm); largest |fitted - input| = {worst:.1e} nm");
    write_summary(o, &input, &fit_nms, &fitted, strehl, rms, &images)?;

    let s = e.stats();
    println!(
        "  backend '{}': {} kernels compiled in {:.1} ms, {} cache hits",
        e.backend_name(),
        s.kernels_compiled,
        s.compile_seconds * 1e3,
        s.cache_hits
    );
    println!("  pictures and summary.json in {}", o.out.display());
    if worst > 1e-8 {
        return Err(format!("the fit is off by {worst:e} nm (tolerance 1e-8)").into());
    }
    Ok(())
}

/// The MTF along x and y at a few fractions of the cutoff D/λ, next to the
/// diffraction-limited one.
fn print_mtf(mtf: &[f64], big: usize, n: usize) -> Result<(), BoxError> {
    let centre = big / 2;
    println!(
        "  MTF  at nu/cutoff: {:>8} {:>8} {:>8}",
        "x", "y", "perfect"
    );
    for nu in [0.1, 0.25, 0.5, 0.75] {
        // The pupil spans n samples, so the cutoff is n samples from the centre.
        let k = (nu * n as f64).round() as usize;
        let perfect = 2.0 / std::f64::consts::PI * (nu.acos() - nu * (1.0 - nu * nu).sqrt());
        println!(
            "             {nu:>5}: {:>8.4} {:>8.4} {:>8.4}",
            mtf[centre * big + centre + k],
            mtf[(centre + k) * big + centre],
            perfect
        );
    }
    Ok(())
}

fn write_pictures(
    e: &Engine,
    o: &Options,
    wavefront: &Array,
    inside: &Array,
    psf_log: &Array,
    mtf: &Array,
) -> Result<Vec<PathBuf>, BoxError> {
    let n = o.size;
    let big = o.padding * n;
    let nan = e.scalar(f64::NAN);
    let mut written = Vec::new();
    let mut save = |img: image::RgbImage, name: &str| -> Result<(), BoxError> {
        let path = o.out.join(name);
        img.save(&path)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        written.push(path);
        Ok(())
    };

    // The wavefront, NaN (grey) outside the pupil, on a symmetric diverging map.
    let w = e.where_(inside, wavefront, &nan)?.to_vec::<f64>()?;
    let (lo, hi) = render::finite_range(&w);
    let extent = lo.abs().max(hi.abs()).max(1e-12);
    save(
        render::map(
            &Field {
                values: &w,
                width: n,
                height: n,
            },
            &MapStyle {
                title: "wavefront",
                gradient: colorous::RED_BLUE,
                range: (-extent, extent),
                unit: "nm",
                scale_bar: Some((n as f64 / 4.0, "D/4".into())),
            },
        ),
        "wavefront.png",
    )?;

    // The PSF's centre, ±32 λ/D at most (one sample is 1/padding λ/D).
    let half = (32 * o.padding).min(big / 2);
    let psf = crop_centre(&psf_log.to_vec::<f64>()?, big, half);
    save(
        render::map(
            &Field {
                values: &psf,
                width: 2 * half,
                height: 2 * half,
            },
            &MapStyle {
                title: "PSF, log10 of I / I_perfect peak",
                gradient: colorous::INFERNO,
                range: (-7.0, 0.0),
                unit: "",
                scale_bar: Some(((10 * o.padding) as f64, "10 λ/D".into())),
            },
        ),
        "psf.png",
    )?;

    // The MTF out to the cutoff (n samples from the centre).
    let mtf = crop_centre(&mtf.to_vec::<f64>()?, big, n.min(big / 2));
    let side = 2 * n.min(big / 2);
    save(
        render::map(
            &Field {
                values: &mtf,
                width: side,
                height: side,
            },
            &MapStyle {
                title: "MTF",
                gradient: colorous::VIRIDIS,
                range: (0.0, 1.0),
                unit: "",
                scale_bar: Some((n as f64 / 2.0, "D/(2λ)".into())),
            },
        ),
        "mtf.png",
    )?;

    save(modes_chart(e)?, "zernike_modes.png")?;
    Ok(written)
}

/// The (2·half)² samples around the centre of a big×big row-major field.
fn crop_centre(values: &[f64], big: usize, half: usize) -> Vec<f64> {
    let c = big / 2;
    (c - half..c + half)
        .flat_map(|row| {
            values[row * big + c - half..row * big + c + half]
                .iter()
                .copied()
        })
        .collect()
}

/// Noll 1..=36 on their own small grid, evaluated as one multi-output kernel.
fn modes_chart(e: &Engine) -> Result<image::RgbImage, BoxError> {
    let p = &e.polynomials;
    let (x, y) = e.coordinates.make_xy_grid(CHART_TILE, None, Some(2.0))?;
    let (r, t) = e.coordinates.cart_to_polar(&x, &y)?;
    let inside = e.coordinates.circle(1.0, &r)?;
    let nms = (1..=CHART_MODES)
        .map(|j| p.noll_to_nm(j))
        .collect::<Result<Vec<_>, _>>()?;
    let nan = e.scalar(f64::NAN);
    let modes = p
        .zernike_nm_seq(&nms, &r, &t, true)?
        .iter()
        .map(|m| e.where_(&inside, m, &nan))
        .collect::<Result<Vec<_>, _>>()?;
    e.eval_all(&modes.iter().collect::<Vec<_>>())?;
    let mut tiles = Vec::new();
    for (j, (mode, &(nn, m))) in modes.iter().zip(&nms).enumerate() {
        let v = mode.to_vec::<f64>()?;
        let (lo, hi) = render::finite_range(&v);
        let extent = lo.abs().max(hi.abs()).max(1e-12);
        let field = Field {
            values: &v,
            width: CHART_TILE,
            height: CHART_TILE,
        };
        tiles.push((
            format!("Z{} ({nn},{m})", j + 1),
            render::plain(&field, colorous::RED_BLUE, (-extent, extent)),
        ));
    }
    Ok(render::chart("Zernike modes, Noll 1..36", &tiles, 6))
}

/// The numbers of the run as JSON, for scripts and tests.
fn write_summary(
    o: &Options,
    input: &[((i32, i32), f64)],
    fit_nms: &[(i32, i32)],
    fitted: &[f64],
    strehl: f64,
    rms: f64,
    images: &[PathBuf],
) -> Result<(), BoxError> {
    let input_json: Vec<String> = input
        .iter()
        .map(|&((n, m), c)| format!("{{\"n\":{n},\"m\":{m},\"nm\":{c:e}}}"))
        .collect();
    let fitted_json: Vec<String> = fit_nms
        .iter()
        .zip(fitted)
        .map(|(&(n, m), c)| format!("{{\"n\":{n},\"m\":{m},\"nm\":{c:e}}}"))
        .collect();
    let names: Vec<String> = images
        .iter()
        .filter_map(|p| p.file_name().map(|f| format!("{:?}", f.to_string_lossy())))
        .collect();
    let json = format!(
        "{{\"size\":{},\"padding\":{},\"wavelength_um\":{},\"rms_nm\":{rms:e},\"strehl\":{strehl:e},\
         \"input\":[{}],\"fitted\":[{}],\"images\":[{}]}}\n",
        o.size,
        o.padding,
        o.wavelength_um,
        input_json.join(","),
        fitted_json.join(","),
        names.join(",")
    );
    let path: &Path = &o.out.join("summary.json");
    std::fs::write(path, json).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    Ok(())
}
