//! CUDA C -> cubin through NVRTC, loaded at run time.
//!
//! libnvrtc is opened by cudarc's dynamic loader (`libnvrtc.so`, `libnvrtc.so.13`, ...
//! on `LD_LIBRARY_PATH` or the system's library path; the PyPI wheel
//! `nvidia-cuda-nvrtc` carries it, see `.ci/install-nvrtc`). cudarc panics when the
//! library or one of its symbols is missing, so every entry point checks
//! [`nvrtc_available`] first and turns a panic into an error.
//!
//! Kernels compile to a cubin for one architecture (`sm_XX`), not to PTX: the driver
//! then never has to accept PTX newer than it knows.

use cudarc::nvrtc::{result, sys};
use mathengine_codegen::cuda::CudaSource;
use mathengine_ir::{Error, Result};
use std::ffi::{c_char, c_int, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

/// Whether libnvrtc can be loaded (never panics; the answer is computed once).
///
/// ```
/// use mathengine::backend::cuda::nvrtc::nvrtc_available;
/// if !nvrtc_available() {
///     println!("no NVRTC here: CUDA kernels cannot be compiled");
/// }
/// ```
pub fn nvrtc_available() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    *PRESENT.get_or_init(|| {
        // SAFETY: only tries to open the library by its candidate names.
        catch_unwind(|| unsafe { sys::is_culib_present() }).unwrap_or(false)
    })
}

/// NVRTC's version as (major, minor), or `None` when it cannot be loaded.
///
/// ```
/// use mathengine::backend::cuda::nvrtc::nvrtc_version;
/// if let Some((major, minor)) = nvrtc_version() {
///     assert!(major >= 11, "NVRTC {major}.{minor}");
/// }
/// ```
pub fn nvrtc_version() -> Option<(i32, i32)> {
    if !nvrtc_available() {
        return None;
    }
    catch_unwind(|| {
        let (mut major, mut minor): (c_int, c_int) = (0, 0);
        // SAFETY: two valid out-pointers.
        let status = unsafe { sys::nvrtcVersion(&mut major, &mut minor) };
        status.result().ok().map(|_| (major, minor))
    })
    .ok()
    .flatten()
}

/// The `sm_XX` architectures this NVRTC can compile for (e.g. `[75, 80, ..., 120]`);
/// empty when it cannot be loaded.
///
/// ```
/// use mathengine::backend::cuda::nvrtc::{nvrtc_available, supported_archs};
/// if nvrtc_available() {
///     assert!(supported_archs().contains(&90));
/// }
/// ```
pub fn supported_archs() -> Vec<u32> {
    if !nvrtc_available() {
        return Vec::new();
    }
    catch_unwind(|| {
        let mut n: c_int = 0;
        // SAFETY: a valid out-pointer; then a buffer of the size NVRTC reported.
        unsafe {
            sys::nvrtcGetNumSupportedArchs(&mut n).result().ok()?;
            let mut archs = vec![0 as c_int; n.max(0) as usize];
            sys::nvrtcGetSupportedArchs(archs.as_mut_ptr())
                .result()
                .ok()?;
            Some(archs.into_iter().map(|a| a as u32).collect())
        }
    })
    .ok()
    .flatten()
    .unwrap_or_default()
}

/// The options every kernel is compiled with, for `sm_{arch}`. NVRTC optimises at
/// full level by default; `--fmad=false` keeps `a * b + c` two roundings, as the
/// interpreter computes it (CUDA's math functions use their own explicit FMAs).
///
/// ```
/// use mathengine::backend::cuda::nvrtc::compile_options;
/// assert!(compile_options(90).contains(&"--gpu-architecture=sm_90".to_string()));
/// ```
pub fn compile_options(arch: u32) -> Vec<String> {
    vec![
        format!("--gpu-architecture=sm_{arch}"),
        "--std=c++17".into(),
        "--fmad=false".into(),
        "--device-as-default-execution-space".into(),
    ]
}

/// Compile CUDA C to a cubin for `sm_{arch}` (e.g. `arch = 90` for H100/H200) with
/// [`compile_options`]; returns the cubin's bytes, or `Error::Compile` with NVRTC's log.
///
/// ```
/// use mathengine::backend::cuda::nvrtc::{compile_cubin, nvrtc_available};
/// use mathengine_codegen::cuda::CudaSource;
/// let src = CudaSource {
///     name: "fill".into(),
///     code: r#"extern "C" __global__ void fill(double* out, long long len) {
///         for (long long i = threadIdx.x; i < len; i += blockDim.x) out[i] = 1.0;
///     }"#
///     .into(),
/// };
/// match compile_cubin(&src, 90) {
///     Ok(cubin) => assert!(cubin.starts_with(b"\x7fELF")),
///     Err(e) => assert!(!nvrtc_available(), "{e}"),
/// }
/// ```
pub fn compile_cubin(source: &CudaSource, arch: u32) -> Result<Vec<u8>> {
    let fail = |msg: String| Error::Compile {
        kernel: source.name.clone(),
        msg,
    };
    if !nvrtc_available() {
        return Err(fail(
            "libnvrtc is not loadable: install the CUDA toolkit or the PyPI wheel \
             nvidia-cuda-nvrtc (see .ci/install-nvrtc) and put its lib directory on \
             LD_LIBRARY_PATH"
                .into(),
        ));
    }
    let archs = supported_archs();
    if !archs.is_empty() && !archs.contains(&arch) {
        let (major, minor) = nvrtc_version().unwrap_or((0, 0));
        return Err(fail(format!(
            "NVRTC {major}.{minor} cannot compile for sm_{arch}; it supports sm_{}: use \
             a GPU of one of those architectures, or an NVRTC that knows sm_{arch}",
            archs
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(", sm_")
        )));
    }
    let code = CString::new(source.code.as_str())
        .map_err(|_| fail("the CUDA C source contains a NUL byte".into()))?;
    let file = CString::new(format!("{}.cu", source.name))
        .map_err(|_| fail("the kernel name contains a NUL byte".into()))?;
    match catch_unwind(AssertUnwindSafe(|| compile(&code, &file, arch))) {
        Ok(Ok(cubin)) => Ok(cubin),
        Ok(Err(msg)) => Err(fail(msg)),
        Err(_) => Err(fail(
            "libnvrtc lacks a function this program needs (nvrtcGetCUBIN needs NVRTC 11.1 \
             or newer): install a newer CUDA toolkit or nvidia-cuda-nvrtc"
                .into(),
        )),
    }
}

/// Destroys the program when compilation ends, however it ends.
struct Program(sys::nvrtcProgram);

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: created by create_program and destroyed only here.
        let _ = unsafe { result::destroy_program(self.0) };
    }
}

fn log_of(prog: &Program) -> String {
    // SAFETY: a live program.
    match unsafe { result::get_program_log(prog.0) } {
        Ok(log) => {
            let bytes: Vec<u8> = log
                .into_iter()
                .take_while(|&c| c != 0)
                .map(|c: c_char| c as u8)
                .collect();
            String::from_utf8_lossy(&bytes).trim_end().to_string()
        }
        Err(e) => format!("(no log: {e:?})"),
    }
}

/// The NVRTC calls; `Err` is the message for `Error::Compile`.
fn compile(code: &CString, file: &CString, arch: u32) -> std::result::Result<Vec<u8>, String> {
    let prog = Program(
        result::create_program(code, Some(file))
            .map_err(|e| format!("nvrtcCreateProgram failed: {e:?}"))?,
    );
    let options = compile_options(arch);
    // SAFETY: a live program; options are NUL-free ASCII.
    if let Err(e) = unsafe { result::compile_program(prog.0, &options) } {
        return Err(format!(
            "NVRTC {e:?} with options {}:\n{}",
            options.join(" "),
            log_of(&prog)
        ));
    }
    let mut size = 0usize;
    // SAFETY: a compiled program and a valid out-pointer; then a buffer of that size.
    unsafe { sys::nvrtcGetCUBINSize(prog.0, &mut size) }
        .result()
        .map_err(|e| format!("nvrtcGetCUBINSize failed: {e:?}"))?;
    if size == 0 {
        return Err(format!(
            "NVRTC produced no cubin for sm_{arch} (only PTX?):\n{}",
            log_of(&prog)
        ));
    }
    let mut cubin = vec![0u8; size];
    // SAFETY: `cubin` holds the `size` bytes NVRTC reported.
    unsafe { sys::nvrtcGetCUBIN(prog.0, cubin.as_mut_ptr() as *mut c_char) }
        .result()
        .map_err(|e| format!("nvrtcGetCUBIN failed: {e:?}"))?;
    Ok(cubin)
}
