//! Graph serialisation (src/serialize.rs): every case of the op table is exported from
//! one engine, imported into another and evaluated there; the values must equal the
//! sender's bit for bit. Corrupt, truncated and newer-version bytes must give an Err.

#[allow(unused_imports)] // only the table of cases is used here
mod common;

use mathengine::serialize::FORMAT_VERSION;
use mathengine::{Array, DType, Engine, Result, Slice};

/// The elements as raw bits, so NaNs and signed zeros compare exactly.
fn bits(a: &Array) -> Result<Vec<u64>> {
    Ok(match a.dtype() {
        DType::Bool => a.to_vec::<bool>()?.into_iter().map(|x| x as u64).collect(),
        DType::I32 => a
            .to_vec::<i32>()?
            .into_iter()
            .map(|x| x as u32 as u64)
            .collect(),
        DType::I64 => a.to_vec::<i64>()?.into_iter().map(|x| x as u64).collect(),
        DType::F32 => a
            .to_vec::<f32>()?
            .into_iter()
            .map(|x| x.to_bits() as u64)
            .collect(),
        DType::F64 => a.to_vec::<f64>()?.into_iter().map(f64::to_bits).collect(),
        DType::C64 => a
            .to_vec::<mathengine::Complex32>()?
            .into_iter()
            .flat_map(|x| [x.re.to_bits() as u64, x.im.to_bits() as u64])
            .collect(),
        DType::C128 => a
            .to_vec::<mathengine::Complex64>()?
            .into_iter()
            .flat_map(|x| [x.re.to_bits(), x.im.to_bits()])
            .collect(),
    })
}

fn round_trip_all(backend: &str) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in common::op_table::cases() {
        let sender = Engine::with_backend(backend).unwrap();
        let receiver = Engine::with_backend(backend).unwrap();
        // Cases that are expected to fail (errors under test) build nothing to ship.
        let Ok(a) = (case.build)(&sender) else {
            continue;
        };
        let bytes = match sender.export_graph(&[&a]) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{}: export: {e}", case.name));
                continue;
            }
        };
        let got = match receiver.import_graph(&bytes) {
            Ok(mut v) => v.remove(0),
            Err(e) => {
                failures.push(format!("{}: import: {e}", case.name));
                continue;
            }
        };
        if got.shape() != a.shape() || got.dtype() != a.dtype() {
            failures.push(format!("{}: shape/dtype differ", case.name));
            continue;
        }
        match (bits(&a), bits(&got)) {
            (Ok(x), Ok(y)) if x == y => checked += 1,
            (Ok(_), Ok(_)) => failures.push(format!("{}: values differ", case.name)),
            (Err(_), Err(_)) => checked += 1, // same evaluation error on both sides
            (x, y) => failures.push(format!("{}: {:?} vs {:?}", case.name, x.err(), y.err())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    assert!(checked > 100, "only {checked} cases round-tripped");
}

#[test]
fn every_op_table_case_round_trips_bit_for_bit() {
    round_trip_all("reference");
}

#[test]
fn generated_grids_ship_parameters_not_pixels() -> Result<()> {
    let e = Engine::new();
    let x = e.linspace(-1.0, 1.0, 4096).reshape(&[1, 4096])?;
    let y = e.linspace(-1.0, 1.0, 4096).reshape(&[4096, 1])?;
    let r2 = &(&x * &x) + &(&y * &y);
    let bytes = e.export_graph(&[&r2])?;
    assert!(
        bytes.len() < 1024,
        "{} bytes for a generated 4096² graph",
        bytes.len()
    );
    let f = Engine::new();
    let back = f.import_graph(&bytes)?.remove(0);
    // A block of the grid is enough to compare: only its pixels are computed.
    let rows = [Slice {
        start: Some(100),
        stop: Some(102),
        step: 1,
    }];
    assert_eq!(bits(&f.slice(&back, &rows)?)?, bits(&e.slice(&r2, &rows)?)?);
    Ok(())
}

#[test]
fn evaluated_buffers_and_shared_nodes_ship_once() -> Result<()> {
    let e = Engine::new();
    let data: Vec<f64> = (0..1000).map(|i| i as f64 * 0.5).collect();
    let a = e.from_vec(data, &[1000])?;
    let b = a.sin();
    let c = &b + &b.cos();
    let bytes = e.export_graph(&[&b, &c])?;
    assert!(
        bytes.len() < 8000 + 400,
        "data written more than once: {} bytes",
        bytes.len()
    );
    let f = Engine::new();
    let back = f.import_graph(&bytes)?;
    assert_eq!(bits(&back[0])?, bits(&b)?);
    assert_eq!(bits(&back[1])?, bits(&c)?);
    Ok(())
}

#[test]
fn corrupt_truncated_and_newer_bytes_are_refused() -> Result<()> {
    let e = Engine::new();
    let a = e.from_vec(vec![1.0f64, 2.0, 3.0], &[3])?;
    let y = (&a * &a).sum(None, false)?;
    let bytes = e.export_graph(&[&y])?;
    let f = Engine::new();
    for cut in 0..bytes.len() {
        let err = f.import_graph(&bytes[..cut]).unwrap_err().to_string();
        assert!(err.contains("import_graph"), "{err}");
    }
    let mut newer = bytes.clone();
    newer[4..8].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = f.import_graph(&newer).unwrap_err().to_string();
    assert!(err.contains("version"), "{err}");
    let err = f.import_graph(b"not a graph").unwrap_err().to_string();
    assert!(err.contains("magic"), "{err}");
    // Every single-byte corruption gives Ok or Err, never a panic.
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0xff;
        let _ = f
            .import_graph(&bad)
            .and_then(|v| v.iter().try_for_each(|x| x.eval().map(|_| ())));
    }
    Ok(())
}

#[test]
fn lazy_batched_fft_round_trips_on_the_cpu_backend() -> Result<()> {
    use mathengine::Norm;
    let e = Engine::new();
    let x = e.linspace(-1.0, 1.0, 64).reshape(&[1, 64])?;
    let k = e.linspace(1.0, 4.0, 4).reshape(&[4, 1])?;
    let field = (&x * &k).sin().astype(DType::C128);
    let spectrum = e.fft.fft(&field, None, -1, Norm::Backward)?;
    let power = e.fft.rfft(&(&x * &k), None, -1, Norm::Backward)?;
    let bytes = e.export_graph(&[&spectrum, &power])?;
    let f = Engine::new();
    let back = f.import_graph(&bytes)?;
    assert_eq!(bits(&back[0])?, bits(&spectrum)?);
    assert_eq!(bits(&back[1])?, bits(&power)?);
    Ok(())
}
