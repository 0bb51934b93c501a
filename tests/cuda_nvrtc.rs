//! Every kernel of the op table and of the polynomial workloads, printed as CUDA C and
//! compiled by NVRTC to cubins for sm_90 and sm_80 — so a CUDA codegen error fails CI on
//! machines without a GPU (CI installs NVRTC from PyPI: `.ci/install-nvrtc`).
//!
//! Kernels are captured by a test backend that prints every kernel the engine runs and
//! then lets the CPU backend run it. Without libnvrtc the tests print "skipped: libnvrtc
//! not found" and pass, unless `MATHENGINE_REQUIRE_NVRTC=1`, where they fail.
//!
//! An ignored test (`cargo test --test cuda_nvrtc -- --ignored`, a few minutes, needs
//! `c++`) also runs every printed kernel on the host — compiled as C++ with stand-ins for
//! CUDA's built-ins — and compares its outputs with the CPU backend's, element by element.

// The op table is shared with tests/op_table.rs, which uses the rest of its helpers.
#[allow(unused_imports)]
mod common;

use mathengine::backend::cpu::CpuBackend;
use mathengine::backend::cuda::nvrtc::{compile_cubin, nvrtc_available, nvrtc_version};
use mathengine::{Array, Backend, BackendStats, Engine};
use mathengine_codegen::cuda::{print_kernel, CudaSource};
use mathengine_ir::schedule::LibraryCall;
use mathengine_ir::{BufferRef, DeviceBuffer, HostBuffer, Kernel, Launch, Result};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Architectures every kernel is compiled for: Hopper (H100/H200) and Ampere (A100).
const ARCHS: [u32; 2] = [90, 80];

/// Printed kernels by entry name (a name is unique per source).
type Captured = Arc<Mutex<BTreeMap<String, String>>>;

/// Prints every kernel it is asked to run into `captured`, then runs it on the CPU.
struct PrintingBackend {
    cpu: CpuBackend,
    captured: Captured,
}

impl Backend for PrintingBackend {
    fn name(&self) -> &str {
        "cuda-printer"
    }
    fn upload(&self, host: &HostBuffer) -> Result<BufferRef> {
        self.cpu.upload(host)
    }
    fn download(&self, buf: &dyn DeviceBuffer) -> Result<HostBuffer> {
        self.cpu.download(buf)
    }
    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> Result<Vec<BufferRef>> {
        let CudaSource { name, code } = print_kernel(kernel);
        let mut captured = self.captured.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = captured.insert(name.clone(), code.clone()) {
            assert_eq!(old, code, "two different kernels are both named {name}");
        }
        drop(captured);
        self.cpu.run_kernel(kernel, launch, inputs)
    }
    fn supports_library(&self, call: &LibraryCall) -> mathengine::backend::Support {
        self.cpu.supports_library(call)
    }
    fn run_library(&self, call: &LibraryCall, inputs: &[BufferRef]) -> Result<Vec<BufferRef>> {
        self.cpu.run_library(call, inputs)
    }
    fn stats(&self) -> BackendStats {
        self.cpu.stats()
    }
}

/// An engine whose kernels are captured into `captured`.
fn printing_engine(captured: &Captured) -> Engine {
    let e = Engine::new();
    let backend = PrintingBackend {
        cpu: CpuBackend::new(),
        captured: captured.clone(),
    };
    e.change_backend(Box::new(backend) as Box<dyn Backend>)
        .expect("a custom backend is accepted");
    e
}

/// `false` (after saying why) when NVRTC is missing and not required; panics when it is
/// missing and `MATHENGINE_REQUIRE_NVRTC=1`.
fn nvrtc_or_skip() -> bool {
    if nvrtc_available() {
        return true;
    }
    if std::env::var("MATHENGINE_REQUIRE_NVRTC").is_ok_and(|v| v == "1") {
        panic!(
            "MATHENGINE_REQUIRE_NVRTC=1 but libnvrtc cannot be loaded: run .ci/install-nvrtc \
             and put the directory it prints on LD_LIBRARY_PATH"
        );
    }
    eprintln!("skipped: libnvrtc not found");
    false
}

/// Compile every captured kernel for every architecture (on all cores); panics with
/// the source and NVRTC's log of each failure. Returns the number of kernels.
fn compile_all(what: &str, captured: &Captured) -> usize {
    let kernels: Vec<(String, String)> = captured
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(n, c)| (n.clone(), c.clone()))
        .collect();
    let jobs: Vec<(&(String, String), u32)> = kernels
        .iter()
        .flat_map(|k| ARCHS.iter().map(move |&a| (k, a)))
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&((name, code), arch)) = jobs.get(j) else {
                    break;
                };
                let src = CudaSource {
                    name: name.clone(),
                    code: code.clone(),
                };
                match compile_cubin(&src, arch) {
                    Ok(cubin) if cubin.starts_with(b"\x7fELF") => {}
                    Ok(_) => failures
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!("{name} (sm_{arch}): the cubin is not an ELF image")),
                    Err(e) => failures
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!(
                            "{name} (sm_{arch}): {e}\n--- CUDA C ---\n{}",
                            numbered(code)
                        )),
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    assert!(
        failures.is_empty(),
        "{} of {} compilations of {what} failed:\n\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n\n")
    );
    let (major, minor) = nvrtc_version().unwrap_or((0, 0));
    eprintln!(
        "{what}: {} kernels compiled with NVRTC {major}.{minor} for sm_{}",
        kernels.len(),
        ARCHS.map(|a| a.to_string()).join(" and sm_")
    );
    kernels.len()
}

/// Source lines with numbers, to read NVRTC's `(line): error` messages against.
fn numbered(code: &str) -> String {
    code.lines()
        .enumerate()
        .map(|(i, l)| format!("{:4} {l}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_op_table_kernel_compiles_with_nvrtc() {
    if !nvrtc_or_skip() {
        return;
    }
    let captured = Captured::default();
    let cases = common::op_table::cases();
    let mut failed = Vec::new();
    for c in &cases {
        let e = printing_engine(&captured);
        if let Err(err) = (c.build)(&e).and_then(|a| a.eval().map(|_| ())) {
            failed.push(format!("{}: {err}", c.name));
        }
    }
    assert!(
        failed.is_empty(),
        "op-table cases failed to evaluate on the printing backend:\n  {}",
        failed.join("\n  ")
    );
    let n = compile_all("the op table", &captured);
    // Hundreds of cases share kernels, but far more than a hundred distinct ones remain.
    assert!(
        n >= 100,
        "only {n} kernels captured from {} cases",
        cases.len()
    );
}

/// Every (n, m) with n <= 10 (the 66 modes of WORKLOADS.md's W1).
fn modes() -> Vec<(i32, i32)> {
    (0..=10)
        .flat_map(|n| (-n..=n).step_by(2).map(move |m| (n, m)))
        .collect()
}

fn eval_all(e: &Engine, arrays: &[Array]) {
    e.eval_all(&arrays.iter().collect::<Vec<_>>())
        .expect("workload evaluates");
}

/// Evaluate the polynomial workloads on `e`: W1, W2, Zernike derivatives, and the 1-D
/// families with their derivatives and Clenshaw sums.
fn run_workloads(e: &Engine) {
    let (x, y) = e
        .coordinates
        .make_xy_grid(32, None, Some(2.0))
        .expect("grid");
    let (r, t) = e.coordinates.cart_to_polar(&x, &y).expect("polar");
    let nms = modes();
    let p = &e.polynomials;
    // W1: all 66 modes in one eval_all; W2: their weighted sum.
    eval_all(e, &p.zernike_nm_seq(&nms, &r, &t, true).expect("W1"));
    let coefs: Vec<f64> = (0..nms.len()).map(|k| 1e-2 * (k as f64).sin()).collect();
    eval_all(e, &[p.zernike_sum(&coefs, &nms, &r, &t, true).expect("W2")]);
    let ders = p.zernike_nm_der_seq(&nms[..15], &r, &t, true).expect("der");
    let flat: Vec<Array> = ders.into_iter().flat_map(|(a, b)| [a, b]).collect();
    eval_all(e, &flat);
    // The 1-D families, their derivatives and Clenshaw sums.
    let u = e.linspace(-1.0, 1.0, 257);
    let ns: Vec<usize> = (0..=12).collect();
    eval_all(e, &p.jacobi_seq(&ns, 0.5, -0.25, &u).expect("jacobi"));
    eval_all(e, &p.jacobi_der_seq(&ns, 1.5, 2.0, &u).expect("jacobi der"));
    eval_all(e, &p.legendre_seq(&ns, &u).expect("legendre"));
    eval_all(e, &p.legendre_der_seq(&ns, &u).expect("legendre der"));
    eval_all(e, &p.cheby1_seq(&ns, &u).expect("cheby1"));
    eval_all(e, &p.cheby1_der_seq(&ns, &u).expect("cheby1 der"));
    eval_all(e, &p.cheby2_seq(&ns, &u).expect("cheby2"));
    eval_all(e, &p.cheby3_seq(&ns, &u).expect("cheby3"));
    eval_all(e, &p.cheby4_seq(&ns, &u).expect("cheby4"));
    eval_all(e, &p.hermite_he_seq(&ns, &u).expect("hermite_he"));
    eval_all(e, &p.hermite_h_der_seq(&ns, &u).expect("hermite_h der"));
    eval_all(e, &p.laguerre_seq(&ns, 0.5, &u).expect("laguerre"));
    eval_all(
        e,
        &[p.jacobi_sum_clenshaw(&coefs[..13], 0.0, 1.0, &u)
            .expect("clenshaw")],
    );
}

#[test]
fn every_polynomial_workload_kernel_compiles_with_nvrtc() {
    if !nvrtc_or_skip() {
        return;
    }
    let captured = Captured::default();
    run_workloads(&printing_engine(&captured));
    let n = compile_all("the polynomial workloads", &captured);
    assert!(n >= 5, "only {n} kernels captured from the workloads");
}

#[test]
fn a_bad_source_is_a_compile_error_with_the_log() {
    if !nvrtc_or_skip() {
        return;
    }
    let src = CudaSource {
        name: "broken".into(),
        code: "extern \"C\" __global__ void broken(double* out) { out[0] = undefined_name; }"
            .into(),
    };
    let err = compile_cubin(&src, 90).expect_err("an undefined name must not compile");
    let msg = err.to_string();
    assert!(
        msg.contains("broken") && msg.contains("undefined_name"),
        "the error names the kernel and carries NVRTC's log: {msg}"
    );
    let err = compile_cubin(&src, 7).expect_err("sm_7 does not exist");
    assert!(err.to_string().contains("sm_7"), "{err}");
}

/// Runs the printed CUDA C on the host: each kernel compiled by the system C++ compiler
/// (with a few lines that stand in for CUDA's built-ins, one thread covering the grid),
/// run as a process, and its outputs compared with the CPU backend's. This checks the
/// printer's semantics — casts, integer rules, NaN handling, complex formulas, Philox,
/// reductions — where no GPU is present; math functions are the host libm's here.
mod host_exec {
    use super::*;
    use mathengine::backend::cpu::CpuBackend;
    use mathengine::DType;
    use mathengine::{Backend, Scalar};
    use mathengine_ir::kernel::Inst;
    use mathengine_ir::UnaryOp;
    use mathengine_ir::{BufferRef, DeviceBuffer, HostBuffer, Launch, Result};
    use std::fmt::Write as _;
    use std::path::PathBuf;
    use std::process::Command;
    use std::sync::{Arc, Mutex};

    const SHIM: &str = r#"#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>
using std::isfinite; using std::isinf; using std::isnan; using std::signbit;
#define __device__
#define __forceinline__ inline
#define __global__
#define __launch_bounds__(n)
struct me_dim { long long x; };
static const me_dim blockIdx{0}, blockDim{1}, gridDim{1}, threadIdx{0};
static inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
static inline float __int_as_float(int v) { float f; std::memcpy(&f, &v, 4); return f; }
"#;

    /// The kernel's launch arguments read from a file: lengths, then each input
    /// (element count and bytes), then each parameter in a 16-byte slot.
    fn driver(k: &Kernel, name: &str) -> String {
        let mut s = String::from("int main(int argc, char** argv) {\n");
        s += "  FILE* f = std::fopen(argv[1], \"rb\"); long long len, rlen, n;\n";
        s += "  if (std::fread(&len, 8, 1, f) != 1 || std::fread(&rlen, 8, 1, f) != 1) return 2;\n";
        let mut args = Vec::new();
        for (j, &t) in k.inputs.iter().enumerate() {
            let _ = writeln!(s, "  if (std::fread(&n, 8, 1, f) != 1) return 2;");
            let _ = writeln!(
                s,
                "  std::vector<unsigned char> in{j}(n * {} + 16); if (std::fread(in{j}.data(), 1, n * {}, f) != (size_t)(n * {})) return 2;",
                t.size(),
                t.size(),
                t.size()
            );
            args.push(format!("(const {}*)in{j}.data()", elem(t)));
        }
        for (j, &t) in k.output_dtypes.iter().enumerate() {
            let _ = writeln!(
                s,
                "  std::vector<unsigned char> out{j}(len * {} + 16);",
                t.size()
            );
            args.push(format!("({}*)out{j}.data()", elem(t)));
        }
        for (j, &t) in k.params.iter().enumerate() {
            let _ = writeln!(
                s,
                "  unsigned char s{j}[16]; if (std::fread(s{j}, 1, 16, f) != 16) return 2;"
            );
            let c = elem(t.real());
            if t.is_complex() {
                let _ = writeln!(s, "  {c} p{j}_re, p{j}_im; std::memcpy(&p{j}_re, s{j}, sizeof({c})); std::memcpy(&p{j}_im, s{j} + sizeof({c}), sizeof({c}));");
                args.push(format!("p{j}_re, p{j}_im"));
            } else {
                let _ = writeln!(s, "  {c} p{j}; std::memcpy(&p{j}, s{j}, sizeof({c}));");
                args.push(format!("p{j}"));
            }
        }
        args.push("len, rlen".into());
        let _ = writeln!(s, "  {name}({});", args.join(", "));
        s += "  FILE* g = std::fopen(argv[2], \"wb\");\n";
        for (j, &t) in k.output_dtypes.iter().enumerate() {
            let _ = writeln!(s, "  std::fwrite(out{j}.data(), 1, len * {}, g);", t.size());
        }
        s += "  std::fclose(g); return 0;\n}\n";
        s
    }

    fn elem(t: DType) -> &'static str {
        match t {
            DType::Bool => "unsigned char",
            DType::I32 => "int",
            DType::I64 => "long long",
            DType::F32 => "float",
            DType::F64 => "double",
            DType::C64 => "me_c64",
            DType::C128 => "me_c128",
        }
    }

    fn bytes(b: &HostBuffer) -> &[u8] {
        let n = b.len() * b.dtype().size();
        // SAFETY: a host buffer holds len() elements of its dtype, contiguous.
        unsafe { std::slice::from_raw_parts(b.as_ptr(), n) }
    }

    fn slot(s: &Scalar, t: DType) -> [u8; 16] {
        let mut o = [0u8; 16];
        match s.cast(t) {
            Scalar::Bool(v) => o[0] = v as u8,
            Scalar::I32(v) => o[..4].copy_from_slice(&v.to_le_bytes()),
            Scalar::I64(v) => o[..8].copy_from_slice(&v.to_le_bytes()),
            Scalar::F32(v) => o[..4].copy_from_slice(&v.to_le_bytes()),
            Scalar::F64(v) => o[..8].copy_from_slice(&v.to_le_bytes()),
            Scalar::C64(z) => {
                o[..4].copy_from_slice(&z.re.to_le_bytes());
                o[4..8].copy_from_slice(&z.im.to_le_bytes());
            }
            Scalar::C128(z) => {
                o[..8].copy_from_slice(&z.re.to_le_bytes());
                o[8..].copy_from_slice(&z.im.to_le_bytes());
            }
        }
        o
    }

    /// Bitwise equal, or (with `ulps` > 0) within `ulps` of each other as floats; NaN
    /// matches NaN.
    fn close(a: Scalar, b: Scalar, ulps: u32, rel: f64) -> bool {
        let near = |x: f64, y: f64, x_ord: i128, y_ord: i128, ulps: u32| {
            if x.is_nan() || y.is_nan() {
                return x.is_nan() && y.is_nan();
            }
            if rel > 0.0 && (x - y).abs() <= rel * x.abs().max(y.abs()).max(1.0) {
                return true;
            }
            x.to_bits() == y.to_bits()
                || (ulps > 0 && (x_ord - y_ord).unsigned_abs() <= ulps as u128)
        };
        let o64 = |v: f64| {
            let b = v.to_bits() as i64;
            if b < 0 {
                -((b & i64::MAX) as i128)
            } else {
                b as i128
            }
        };
        let o32 = |v: f32| {
            let b = v.to_bits() as i32;
            if b < 0 {
                -((b & i32::MAX) as i128)
            } else {
                b as i128
            }
        };
        let f32s = |x: f32, y: f32| {
            x.to_bits() == y.to_bits() || near(x as f64, y as f64, o32(x), o32(y), ulps)
        };
        let f64s = |x: f64, y: f64| near(x, y, o64(x), o64(y), ulps);
        match (a, b) {
            (Scalar::F32(x), Scalar::F32(y)) => f32s(x, y),
            (Scalar::F64(x), Scalar::F64(y)) => f64s(x, y),
            (Scalar::C64(x), Scalar::C64(y)) => f32s(x.re, y.re) && f32s(x.im, y.im),
            (Scalar::C128(x), Scalar::C128(y)) => f64s(x.re, y.re) && f64s(x.im, y.im),
            _ => a == b,
        }
    }

    /// Whether results may differ from the CPU's by a few ulps: the CPU has its own
    /// inline approximations of transcendental functions, the host its libm.
    fn uses_libm(k: &Kernel) -> bool {
        use mathengine_ir::BinaryOp as B;
        k.body.iter().any(|i| match i.inst {
            Inst::Unary(op, a) => {
                op.is_transcendental()
                    || (k.body[a as usize].dtype.is_complex()
                        && !matches!(
                            op,
                            UnaryOp::Neg | UnaryOp::Conj | UnaryOp::Real | UnaryOp::Imag
                        ))
                    || matches!(op, UnaryOp::Angle)
            }
            Inst::Binary(op, ..) => matches!(op, B::Pow | B::Atan2 | B::Hypot),
            Inst::Random { .. } => true,
            _ => false,
        })
    }

    pub struct HostExec {
        cpu: CpuBackend,
        /// Relative tolerance (of max(1, |x|)) for kernels whose rounding differences
        /// are amplified (recurrences over many terms); 0 for none.
        pub rel: f64,
        dir: PathBuf,
        pub mismatches: Arc<Mutex<Vec<String>>>,
        pub kernels: Arc<Mutex<std::collections::BTreeSet<String>>>,
    }

    impl HostExec {
        pub fn new(dir: PathBuf) -> Self {
            std::fs::create_dir_all(&dir).expect("work dir");
            HostExec {
                cpu: CpuBackend::new(),
                rel: 0.0,
                dir,
                mismatches: Default::default(),
                kernels: Default::default(),
            }
        }

        fn run_host(
            &self,
            k: &Kernel,
            launch: &Launch,
            inputs: &[&HostBuffer],
        ) -> std::result::Result<Vec<HostBuffer>, String> {
            let src = print_kernel(k);
            let exe = self.dir.join(&src.name);
            let cpp = self.dir.join(format!("{}.cpp", src.name));
            let code = format!("{SHIM}{}\n{}", src.code, driver(k, &src.name));
            // Built before from the same text (the shim and driver included): reuse it.
            let fresh = exe.exists() && std::fs::read_to_string(&cpp).is_ok_and(|c| c == code);
            if !fresh {
                std::fs::write(&cpp, code).map_err(|e| e.to_string())?;
                let out = Command::new("c++")
                    .args(["-std=c++17", "-O1", "-ffp-contract=off", "-w", "-o"])
                    .arg(&exe)
                    .arg(&cpp)
                    .output()
                    .map_err(|e| e.to_string())?;
                if !out.status.success() {
                    return Err(format!(
                        "c++ failed:\n{}",
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
            self.kernels.lock().unwrap().insert(src.name.clone());
            let mut blob = Vec::new();
            blob.extend((launch.len as i64).to_le_bytes());
            blob.extend((launch.reduce_len as i64).to_le_bytes());
            for b in inputs {
                blob.extend((b.len() as i64).to_le_bytes());
                blob.extend(bytes(b));
            }
            for (s, &t) in launch.params.iter().zip(&k.params) {
                blob.extend(slot(s, t));
            }
            let id = format!("{:?}", std::thread::current().id())
                .replace(|c: char| !c.is_alphanumeric(), "");
            let (inp, outp) = (
                self.dir.join(format!("in{id}")),
                self.dir.join(format!("out{id}")),
            );
            std::fs::write(&inp, &blob).map_err(|e| e.to_string())?;
            let st = Command::new(&exe)
                .arg(&inp)
                .arg(&outp)
                .status()
                .map_err(|e| e.to_string())?;
            if !st.success() {
                return Err(format!("{} exited with {st}", src.name));
            }
            let raw = std::fs::read(&outp).map_err(|e| e.to_string())?;
            let mut at = 0;
            let mut outs = Vec::new();
            for &t in &k.output_dtypes {
                let mut h = HostBuffer::zeros(t, launch.len);
                let n = launch.len * t.size();
                // SAFETY: h holds launch.len elements of t.
                unsafe {
                    std::ptr::copy_nonoverlapping(raw[at..at + n].as_ptr(), h.as_mut_ptr(), n)
                };
                at += n;
                outs.push(h);
            }
            Ok(outs)
        }
    }

    impl Backend for HostExec {
        fn name(&self) -> &str {
            "cuda-on-host"
        }
        fn download(&self, buf: &dyn DeviceBuffer) -> Result<HostBuffer> {
            self.cpu.download(buf)
        }
        fn run_kernel(
            &self,
            kernel: &Arc<Kernel>,
            launch: &Launch,
            inputs: &[BufferRef],
        ) -> Result<Vec<BufferRef>> {
            let want = self.cpu.run_kernel(kernel, launch, inputs)?;
            let hosts: Vec<&HostBuffer> = inputs
                .iter()
                .map(|b| mathengine_ir::as_host(b.as_ref()).expect("host"))
                .collect();
            let ulps = if uses_libm(kernel) { 4 } else { 0 };
            match self.run_host(kernel, launch, &hosts) {
                Err(e) => self
                    .mismatches
                    .lock()
                    .unwrap()
                    .push(format!("{}: {e}", kernel.name())),
                Ok(got) => {
                    for (o, (w, g)) in want.iter().zip(&got).enumerate() {
                        let w = mathengine_ir::as_host(w.as_ref()).expect("host");
                        let bad: Vec<String> = (0..w.len())
                            .filter(|&j| !close(w.get(j), g.get(j), ulps, self.rel))
                            .take(4)
                            .map(|j| format!("[{j}] cpu {:?} host {:?}", w.get(j), g.get(j)))
                            .collect();
                        if !bad.is_empty() {
                            self.mismatches.lock().unwrap().push(format!(
                                "output {o} of\n{kernel}params {:?}\n  {}",
                                launch.params,
                                bad.join("\n  ")
                            ));
                        }
                    }
                }
            }
            Ok(want)
        }
        fn supports_library(
            &self,
            call: &mathengine_ir::schedule::LibraryCall,
        ) -> mathengine::backend::Support {
            self.cpu.supports_library(call)
        }
        fn run_library(
            &self,
            call: &mathengine_ir::schedule::LibraryCall,
            inputs: &[BufferRef],
        ) -> Result<Vec<BufferRef>> {
            self.cpu.run_library(call, inputs)
        }
    }
}

#[test]
#[ignore = "needs a C++ compiler; minutes: cargo test --test cuda_nvrtc -- --ignored"]
fn printed_cuda_runs_on_the_host_like_the_cpu_backend() {
    use host_exec::HostExec;
    let dir = std::env::temp_dir().join("mathengine-cuda-on-host");
    let first = HostExec::new(dir.clone());
    let (mismatches, kernels) = (first.mismatches.clone(), first.kernels.clone());
    let engine = |rel: f64| {
        let e = Engine::new();
        let mut b = HostExec::new(dir.clone());
        b.rel = rel;
        b.mismatches = mismatches.clone();
        b.kernels = kernels.clone();
        e.change_backend(Box::new(b) as Box<dyn Backend>)
            .expect("backend");
        e
    };
    for c in &common::op_table::cases() {
        if let Err(err) = (c.build)(&engine(0.0)).and_then(|a| a.eval().map(|_| ())) {
            let msg = format!("{}: {err}", c.name);
            mismatches.lock().unwrap().push(msg);
        }
    }
    // Polynomial recurrences amplify the few-ulp differences between the CPU's
    // arctan2/sin/cos and libm's: compare to 1e-13 there.
    run_workloads(&engine(1e-13));
    let m = mismatches.lock().unwrap();
    eprintln!("{} kernels ran on the host", kernels.lock().unwrap().len());
    assert!(m.is_empty(), "{} mismatches:\n{}", m.len(), m.join("\n\n"));
}
