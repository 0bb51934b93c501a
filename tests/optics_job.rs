//! The README's main job (`examples/optics`) run end to end on a small grid: its
//! pictures exist and are valid PNGs of the expected size, its fit recovers the input
//! coefficients, and bad options end with a one-line error and a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `cargo run --example optics -- args` in this test's profile (trybuild-style: cargo
/// may be run from inside a test).
fn optics(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--quiet", "--example", "optics"]);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    cmd.arg("--").args(args);
    cmd.output().expect("cargo could not be started")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mathengine-optics-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn png_size(path: &Path) -> (u32, u32) {
    let img =
        image::open(path).unwrap_or_else(|e| panic!("{} is not a valid PNG: {e}", path.display()));
    (img.width(), img.height())
}

#[test]
fn the_job_writes_its_pictures_and_recovers_the_coefficients() {
    let dir = out_dir("ok");
    let out = optics(&[
        "--size",
        "64",
        "--noll",
        "4=30,8=-25",
        "--fringe",
        "9=12",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "optics failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Strehl ratio"), "{stdout}");
    assert!(
        stdout.contains("compile"),
        "step timings missing:\n{stdout}"
    );

    // A 64² grid is drawn 4x enlarged (256 px) plus its colour bar and labels.
    for name in ["wavefront.png", "mtf.png"] {
        let (w, h) = png_size(&dir.join(name));
        assert!(
            (256 + 40..800).contains(&w) && (256 + 20..400).contains(&h),
            "{name}: {w}x{h}"
        );
    }
    // The PSF crop is ±32 λ/D at padding 2: 128 samples, drawn 2x.
    let (w, h) = png_size(&dir.join("psf.png"));
    assert!(
        (256 + 40..600).contains(&w) && (256 + 20..400).contains(&h),
        "psf: {w}x{h}"
    );
    // 36 tiles of 96 px in 6 columns.
    let (w, h) = png_size(&dir.join("zernike_modes.png"));
    assert!(w >= 6 * 96 && h >= 6 * 96, "modes chart: {w}x{h}");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let fitted = summary["fitted"].as_array().unwrap();
    assert_eq!(fitted.len(), 36, "Noll 1..36 are fitted");
    // Noll 4 = (2,0), Noll 8 = (3,1), Fringe 9 = (4,0).
    let expected = [((2, 0), 30.0), ((3, 1), -25.0), ((4, 0), 12.0)];
    for f in fitted {
        let nm = (
            f["n"].as_i64().unwrap() as i32,
            f["m"].as_i64().unwrap() as i32,
        );
        let want = expected
            .iter()
            .find(|(k, _)| *k == nm)
            .map_or(0.0, |&(_, c)| c);
        let got = f["nm"].as_f64().unwrap();
        assert!(
            (got - want).abs() < 1e-8,
            "mode {nm:?}: fitted {got}, input {want}"
        );
    }
    let strehl = summary["strehl"].as_f64().unwrap();
    assert!(strehl > 0.0 && strehl < 1.0, "Strehl ratio {strehl}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_options_end_with_a_one_line_error() {
    let dir = out_dir("bad");
    let cases: [&[&str]; 6] = [
        &["--size", "0"],
        &["--size", "-5"],
        &["--noll", "0=10"],
        &["--fringe", "4=abc"],
        &["--backend", "no-such-backend"],
        &["--padding", "1"],
    ];
    for args in cases {
        let mut all = args.to_vec();
        all.extend(["--out", dir.to_str().unwrap()]);
        let out = optics(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert_eq!(
            out.status.code().map(|c| c != 101),
            Some(true),
            "{args:?} panicked:\n{stderr}"
        );
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{args:?}: not one line:\n{stderr}"
        );
        assert!(stderr.starts_with("optics: "), "{args:?}: {stderr}");
    }
}
