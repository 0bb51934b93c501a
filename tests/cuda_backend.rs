//! The CUDA backend. Without a CUDA driver: selecting it is a clean error naming the
//! backends there are. With a GPU: the shared op table, FFT and matmul against the CPU
//! backend, transfers, the on-disk kernel cache and the device memory pool.
//! (The disk cache's own tests run everywhere: `cargo test --lib disk_cache`.)

#[allow(unused_imports)] // check_coverage is for tests/op_table.rs
mod common;

use mathengine::backend::cuda::disk_cache::DiskCache;
use mathengine::backend::cuda::nvrtc::nvrtc_available;
use mathengine::backend::cuda::{cuda_available, cuda_unavailable_reason, CudaBackend};
use mathengine::{Array, Backend, Complex32, Complex64, DType, Engine, HostBuffer, Norm};
use mathengine_ir::DeviceBuffer;
use std::sync::{Mutex, MutexGuard};

/// GPU tests share one device (and its memory pool): run them one at a time.
fn gpu_lock() -> Option<MutexGuard<'static, ()>> {
    static LOCK: Mutex<()> = Mutex::new(());
    if !cuda_available() {
        println!(
            "skipped: no CUDA device ({})",
            cuda_unavailable_reason().unwrap_or_default()
        );
        return None;
    }
    Some(LOCK.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Kernels run on the GPU only where NVRTC can compile them.
fn kernels_on_gpu() -> bool {
    if !nvrtc_available() {
        println!("note: libnvrtc not found, kernels fall back to the CPU");
    }
    nvrtc_available()
}

fn cuda_engine() -> Engine {
    Engine::with_backend("cuda").expect("cuda is available")
}

#[test]
fn selecting_cuda_without_a_driver_is_an_error() {
    let e = Engine::new();
    let result = e.change_backend("cuda");
    match cuda_unavailable_reason() {
        None => {
            result.expect("a CUDA device is present, so selecting it works");
            assert_eq!(e.backend_name(), "cuda");
        }
        Some(reason) => {
            let msg = result.expect_err("no CUDA here").to_string();
            assert!(msg.contains(&reason), "{msg}");
            assert!(
                msg.ends_with("backends available: cpu, reference"),
                "the message lists the backends there are: {msg}"
            );
            if reason == "no CUDA driver found" {
                assert_eq!(
                    msg,
                    "backend 'cuda' is not available: no CUDA driver found; \
                     backends available: cpu, reference"
                );
            }
            // The engine keeps working on its previous backend.
            assert_eq!(e.backend_name(), "cpu");
            assert_eq!(e.linspace(0.0, 1.0, 3).to_vec::<f64>().unwrap()[2], 1.0);
            // Constructing the backend directly says the same.
            let direct = CudaBackend::new().err().expect("no CUDA here").to_string();
            assert!(direct.contains(&reason), "{direct}");
            // "cuda" is not offered where it cannot run.
            let other = e.change_backend("nope").unwrap_err().to_string();
            assert!(
                other.ends_with("backends available: cpu, reference"),
                "{other}"
            );
        }
    }
}

#[test]
fn op_table_cuda() {
    let Some(_g) = gpu_lock() else { return };
    kernels_on_gpu();
    common::check_backend("cuda");
}

/// Deterministic values in [-1, 1) (a 64-bit LCG; the data need not be random, only
/// irregular).
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
        })
        .collect()
}

fn complex_array(e: &Engine, shape: &[usize], t: DType, seed: u64) -> Array {
    let n: usize = shape.iter().product();
    let (re, im) = (values(n, seed), values(n, seed + 1));
    match t {
        DType::C128 => {
            let v: Vec<Complex64> = re
                .iter()
                .zip(&im)
                .map(|(&a, &b)| Complex64::new(a, b))
                .collect();
            e.from_vec(v, shape).unwrap()
        }
        DType::C64 => {
            let v: Vec<Complex32> = re
                .iter()
                .zip(&im)
                .map(|(&a, &b)| Complex32::new(a as f32, b as f32))
                .collect();
            e.from_vec(v, shape).unwrap()
        }
        DType::F32 => e
            .from_vec(re.iter().map(|&a| a as f32).collect(), shape)
            .unwrap(),
        _ => e.from_vec(re, shape).unwrap(),
    }
}

/// Elements as complex128 (any float or complex dtype).
fn as_c128(a: &Array) -> Vec<Complex64> {
    match a.dtype() {
        DType::C128 => a.to_vec::<Complex64>().unwrap(),
        DType::C64 => a
            .to_vec::<Complex32>()
            .unwrap()
            .into_iter()
            .map(|z| Complex64::new(z.re as f64, z.im as f64))
            .collect(),
        DType::F32 => a
            .to_vec::<f32>()
            .unwrap()
            .into_iter()
            .map(|x| Complex64::new(x as f64, 0.0))
            .collect(),
        _ => a
            .astype(DType::F64)
            .to_vec::<f64>()
            .unwrap()
            .into_iter()
            .map(|x| Complex64::new(x, 0.0))
            .collect(),
    }
}

/// max |got - want| <= tol * max(1, max |want|).
fn assert_close(what: &str, got: &[Complex64], want: &[Complex64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    let scale = want.iter().map(|z| z.norm()).fold(1.0, f64::max);
    let err = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).norm())
        .fold(0.0, f64::max);
    assert!(
        err <= tol * scale,
        "{what}: max error {err:e} > {tol:e} * {scale:e}"
    );
}

type Transform = fn(&Engine, &Array) -> mathengine::Result<Array>;

/// FFT cases: (name, input shape, transform).
fn fft_cases() -> Vec<(&'static str, Vec<usize>, Transform)> {
    let fft1 = |e: &Engine, x: &Array| e.fft.fft(x, None, -1, Norm::Backward);
    vec![
        ("fft n=1", vec![1], fft1),
        ("fft n=2", vec![2], fft1),
        ("fft n=97 (prime)", vec![97], fft1),
        ("fft n=1000", vec![1000], fft1),
        ("fft rows of [7, 12]", vec![7, 12], fft1),
        ("ifft axis 0 of [9, 4]", vec![9, 4], |e, x| {
            e.fft.ifft(x, None, 0, Norm::Backward)
        }),
        ("fft axis 1 of [3, 5, 7]", vec![3, 5, 7], |e, x| {
            e.fft.fft(x, None, 1, Norm::Ortho)
        }),
        ("fft2 of [6, 10]", vec![6, 10], |e, x| {
            e.fft.fft2(x, None, None, Norm::Backward)
        }),
        ("ifft2 of [4, 6, 10]", vec![4, 6, 10], |e, x| {
            e.fft.ifft2(x, None, None, Norm::Forward)
        }),
        ("fftn axes (0, 2) of [3, 5, 7]", vec![3, 5, 7], |e, x| {
            e.fft.fftn(x, None, Some(&[0, 2]), Norm::Backward)
        }),
        ("fftn all of [2, 3, 4, 5]", vec![2, 3, 4, 5], |e, x| {
            e.fft.fftn(x, None, None, Norm::Backward)
        }),
        ("fft padded n=13 of [5]", vec![5], |e, x| {
            e.fft.fft(x, Some(13), 0, Norm::Backward)
        }),
        ("fft padded n=8 axis 0 of [3, 5]", vec![3, 5], |e, x| {
            e.fft.fft(x, Some(8), 0, Norm::Backward)
        }),
        ("fft2 padded s=(16, 20) of [6, 10]", vec![6, 10], |e, x| {
            e.fft.fft2(x, Some(&[16, 20]), None, Norm::Backward)
        }),
        (
            "fft2 padded s=(8, 9) of [2, 5, 7]",
            vec![2, 5, 7],
            |e, x| e.fft.fft2(x, Some(&[8, 9]), None, Norm::Backward),
        ),
        ("fft of an empty array", vec![0, 4], fft1),
        // rfft is not a cuFFT step here: the engine runs it on the CPU and moves data.
        ("rfft (cpu fallback) of [4, 9]", vec![4, 9], |e, x| {
            e.fft.rfft(&x.real(), None, -1, Norm::Backward)
        }),
    ]
}

#[test]
fn fft_matches_the_cpu_backend() {
    let Some(_g) = gpu_lock() else { return };
    for (t, tol) in [(DType::C128, 1e-13), (DType::C64, 1e-5)] {
        for (k, (name, shape, f)) in fft_cases().into_iter().enumerate() {
            let cpu = Engine::new();
            let gpu = cuda_engine();
            let want = as_c128(&f(&cpu, &complex_array(&cpu, &shape, t, k as u64)).unwrap());
            let y = f(&gpu, &complex_array(&gpu, &shape, t, k as u64))
                .unwrap_or_else(|e| panic!("{name} ({t}): {e}"));
            let got = as_c128(&y);
            assert_close(&format!("{name} ({t})"), &got, &want, tol);
        }
    }
}

#[test]
fn fft_runs_on_the_gpu() {
    let Some(_g) = gpu_lock() else { return };
    if !kernels_on_gpu() {
        return;
    }
    // A library call is made only by scheduling: take the one of a 64x48 fft2.
    let probe = Engine::new();
    let z = probe
        .from_vec(vec![Complex64::new(0.0, 0.0); 64 * 48], &[64, 48])
        .unwrap();
    let f = probe.fft.fft2(&z, None, None, Norm::Backward).unwrap();
    let call = mathengine_ir::schedule::schedule(&[f.node().clone()])
        .into_iter()
        .find_map(|s| match s.work {
            mathengine_ir::schedule::Work::Library(c) => Some(c),
            _ => None,
        })
        .expect("fft2 schedules a library call");
    if CudaBackend::new().unwrap().supports_library(&call).is_err() {
        println!("skipped: libcufft not found, FFTs run on the CPU");
        return;
    }
    let e = cuda_engine();
    // A closed form: the DFT of a unit impulse at 0 is all ones.
    let mut v = vec![Complex64::new(0.0, 0.0); 64 * 48];
    v[0] = Complex64::new(1.0, 0.0);
    let x = e.from_vec(v, &[64, 48]).unwrap();
    let y = e.fft.fft2(&x, None, None, Norm::Backward).unwrap();
    let got = y.to_vec::<Complex64>().unwrap();
    assert!(got
        .iter()
        .all(|z| (z - Complex64::new(1.0, 0.0)).norm() < 1e-15));
    assert_eq!(e.fallback_count(), 0, "the FFT step ran on the GPU");
}

#[test]
fn matmul_matches_the_cpu_backend() {
    let Some(_g) = gpu_lock() else { return };
    let shapes: [(&[usize], &[usize]); 7] = [
        (&[3, 4], &[4, 5]),
        (&[1, 1], &[1, 1]),
        (&[2, 3, 4], &[2, 4, 5]),
        (&[64, 33], &[33, 17]),
        (&[3, 0], &[0, 2]),
        (&[0, 3], &[3, 2]),
        (&[2, 2, 1, 7], &[2, 2, 7, 3]),
    ];
    let cases = [
        (DType::F64, 1e-14),
        (DType::F32, 1e-5),
        (DType::C128, 1e-14),
        (DType::C64, 1e-5),
    ];
    for (t, tol) in cases {
        for (k, (sa, sb)) in shapes.iter().enumerate() {
            let name = format!("{sa:?} @ {sb:?} ({t})");
            let cpu = Engine::new();
            let gpu = cuda_engine();
            let run = |e: &Engine| {
                let a = complex_array(e, sa, t, 2 * k as u64);
                let b = complex_array(e, sb, t, 2 * k as u64 + 1);
                e.linalg.matmul(&a, &b)
            };
            let want = as_c128(&run(&cpu).unwrap());
            let got = as_c128(&run(&gpu).unwrap_or_else(|e| panic!("{name}: {e}")));
            let scale = sa.last().copied().unwrap_or(1).max(1) as f64;
            assert_close(&name, &got, &want, tol * scale);
        }
    }
    // A closed form: A @ I = A, exactly.
    let e = cuda_engine();
    let a = complex_array(&e, &[5, 7], DType::F64, 9);
    let i = e.eye(7, 7, 0);
    let prod = e.linalg.matmul(&a, &i).unwrap().to_vec::<f64>().unwrap();
    assert_eq!(prod, a.to_vec::<f64>().unwrap());
}

#[test]
fn transfers_round_trip_every_dtype() {
    let Some(_g) = gpu_lock() else { return };
    let b = CudaBackend::new().unwrap();
    for n in [0usize, 1, 3, 1000, 1 << 20] {
        let v = values(n, n as u64);
        let hosts = [
            HostBuffer::Bool(v.iter().map(|&x| x > 0.0).collect()),
            HostBuffer::I32(v.iter().map(|&x| (x * 1e9) as i32).collect()),
            HostBuffer::I64(v.iter().map(|&x| (x * 1e18) as i64).collect()),
            HostBuffer::F32(v.iter().map(|&x| x as f32).collect()),
            HostBuffer::F64(v.clone()),
            HostBuffer::C64(
                v.iter()
                    .map(|&x| Complex32::new(x as f32, -x as f32))
                    .collect(),
            ),
            HostBuffer::C128(v.iter().map(|&x| Complex64::new(x, 1.0 / x)).collect()),
        ];
        for h in hosts {
            let dev = b.upload(&h).unwrap();
            assert_eq!(dev.location(), "cuda:0");
            assert_eq!((dev.dtype(), dev.len()), (h.dtype(), n));
            let back = b.download(dev.as_ref()).unwrap();
            assert_eq!(back, h, "{} x {n}", h.dtype());
        }
    }
    // A host buffer is not the backend's to download.
    assert!(b.download(&HostBuffer::F64(vec![1.0])).is_err());
    // Arrays move between engines' backends through the host.
    let e = cuda_engine();
    let x = e.from_vec(vec![1.5f64, -2.0, 3.25], &[3]).unwrap();
    let y = (&x * &x).eval().unwrap().to_vec::<f64>().unwrap();
    assert_eq!(y, vec![2.25, 4.0, 10.5625]);
    e.change_backend("cpu").unwrap();
    assert_eq!((&x + 1.0).to_vec::<f64>().unwrap(), vec![2.5, -1.0, 4.25]);
}

/// A fresh empty directory under the system temp dir.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "mathengine-cuda-test-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Engine on a new cuda backend caching in `dir`; evaluates a few kernels.
fn run_with_cache(dir: &std::path::Path) -> (Vec<f64>, mathengine::BackendStats) {
    let e = Engine::new();
    let b = CudaBackend::with_cache_dir(0, Some(dir.to_path_buf())).unwrap();
    e.change_backend(Box::new(b) as Box<dyn Backend>).unwrap();
    let x = e.linspace(-3.0, 3.0, 10_001);
    let y = (&x.sin() * &x.cos() + (-&x * &x).exp()) * 2.0;
    let s = y.sum(None, false).unwrap();
    let mut v = y.to_vec::<f64>().unwrap();
    v.push(s.item::<f64>().unwrap());
    (v, e.stats())
}

#[test]
fn disk_cache_serves_a_fresh_backend() {
    let Some(_g) = gpu_lock() else { return };
    if !kernels_on_gpu() {
        return;
    }
    let dir = temp_dir("disk-cache");
    let (first, s1) = run_with_cache(&dir);
    assert!(s1.kernels_compiled >= 1, "{s1:?}");
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        files as u64, s1.kernels_compiled,
        "one cubin per compiled kernel"
    );

    // A new backend (as in a new process) loads every kernel from disk.
    let (second, s2) = run_with_cache(&dir);
    assert_eq!(s2.kernels_compiled, 0, "{s2:?}");
    assert!(s2.cache_hits >= s1.kernels_compiled, "{s2:?}");
    assert_eq!(first, second);

    // Corrupt files are ignored and recompiled, not errors.
    for f in std::fs::read_dir(&dir).unwrap() {
        std::fs::write(f.unwrap().path(), b"not a cubin").unwrap();
    }
    let (third, s3) = run_with_cache(&dir);
    assert_eq!(s3.kernels_compiled, s1.kernels_compiled, "{s3:?}");
    assert_eq!(first, third);
    // ... and repaired.
    let (_, s4) = run_with_cache(&dir);
    assert_eq!(s4.kernels_compiled, 0, "{s4:?}");

    // The key is the one DiskCache computes for this device's architecture.
    let arch = CudaBackend::new().unwrap().arch();
    assert!(arch >= 50, "sm_{arch}");
    assert_ne!(DiskCache::key("x", arch), DiskCache::key("x", arch + 1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pool_reuses_and_releases_device_memory() {
    let Some(_g) = gpu_lock() else { return };
    if !kernels_on_gpu() {
        return;
    }
    let probe = CudaBackend::new().unwrap();
    probe.clear_cache();
    assert_eq!(probe.pooled_bytes(), 0);
    let n = 1 << 20; // 8 MiB of f64
    let bytes = n * 8;
    {
        let e = cuda_engine();
        let y = e.linspace(0.0, 1.0, n).sin();
        y.eval().unwrap();
    } // engine and array dropped: the buffer goes to the pool
    assert_eq!(probe.pooled_bytes(), bytes);
    {
        // An allocation of the same size takes it back.
        let e = cuda_engine();
        let y = e.linspace(0.0, 2.0, n).cos();
        y.eval().unwrap();
        assert_eq!(probe.pooled_bytes(), 0);
        assert!((y.to_vec::<f64>().unwrap()[n - 1] - 2f64.cos()).abs() < 1e-15);
    }
    assert_eq!(probe.pooled_bytes(), bytes);
    probe.clear_cache();
    assert_eq!(probe.pooled_bytes(), 0);
    probe.synchronize().unwrap();
}

#[test]
fn out_of_memory_is_an_error_naming_the_size() {
    let Some(_g) = gpu_lock() else { return };
    if !kernels_on_gpu() {
        return;
    }
    let e = cuda_engine();
    let n = 1usize << 42; // 32 TiB of f64: more than any GPU has
    let err = e
        .linspace(0.0, 1.0, n)
        .sin()
        .eval()
        .unwrap_err()
        .to_string();
    assert!(err.contains(&format!("{} bytes", n * 8)), "{err}");
    assert!(err.contains("cuda:0"), "{err}");
    // The device still works.
    assert_eq!(
        e.linspace(0.0, 1.0, 3).sin().to_vec::<f64>().unwrap()[0],
        0.0
    );
}
