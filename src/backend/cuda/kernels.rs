//! Generated kernels on the GPU: print (mathengine-codegen) -> compile to a cubin for the
//! device's architecture (NVRTC) -> load -> launch on the device's stream.
//!
//! Loaded kernels are cached in memory per backend, keyed by the kernel IR (shape-generic:
//! every size and constant is an argument), and their cubins on disk
//! ([`super::disk_cache`]), so a new process compiles nothing it compiled before.

use super::device::{driver_err, CudaBuffer, Device};
use super::disk_cache::DiskCache;
use crate::backend::BackendStats;
use cudarc::driver::{CudaFunction, LaunchConfig, PushKernelArg};
use cudarc::nvrtc::Ptx;
use mathengine_codegen::cuda::{print_kernel, THREADS_PER_BLOCK};
use mathengine_ir::{DType, Error, Kernel, Launch, Result, Scalar};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Loaded kernels kept in memory per backend; beyond this the cache starts over.
pub const CACHE_CAPACITY: usize = 1024;
/// Blocks per multiprocessor at most: enough to fill it, few enough that each thread of
/// the grid-stride loop handles several elements on large arrays.
const BLOCKS_PER_SM: u32 = 32;

/// Compiled kernels of one backend, with compile/hit counters.
pub(crate) struct KernelCache {
    loaded: Mutex<HashMap<Kernel, CudaFunction>>,
    /// Held while compiling, so two threads missing one kernel compile it once.
    compiling: Mutex<()>,
    disk: Option<DiskCache>,
    compiled: AtomicU64,
    hits: AtomicU64,
    compile_nanos: AtomicU64,
}

impl KernelCache {
    pub(crate) fn new(disk: Option<DiskCache>) -> KernelCache {
        KernelCache {
            loaded: Mutex::new(HashMap::default()),
            compiling: Mutex::new(()),
            disk,
            compiled: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            compile_nanos: AtomicU64::new(0),
        }
    }

    pub(crate) fn disk(&self) -> Option<&DiskCache> {
        self.disk.as_ref()
    }

    pub(crate) fn stats(&self) -> BackendStats {
        BackendStats {
            kernels_compiled: self.compiled.load(Ordering::Relaxed),
            cache_hits: self.hits.load(Ordering::Relaxed),
            compile_seconds: self.compile_nanos.load(Ordering::Relaxed) as f64 * 1e-9,
        }
    }

    /// Drop every loaded module (the disk cache stays), once queued work is done.
    pub(crate) fn clear(&self, dev: &Device) {
        let mut map = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        let _ = dev.synchronize();
        map.clear();
    }

    fn lookup(&self, kernel: &Kernel) -> Option<CudaFunction> {
        let f = self
            .loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(kernel)
            .cloned();
        if f.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        f
    }

    fn insert(&self, dev: &Device, kernel: &Kernel, f: &CudaFunction) {
        let mut map = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CACHE_CAPACITY {
            // Unload modules only once no queued launch can still use them.
            let _ = dev.synchronize();
            map.clear();
        }
        map.insert(kernel.clone(), f.clone());
    }

    /// The loaded entry point of `kernel`: from memory, else from the disk cache, else
    /// compiled by NVRTC (and stored on disk; a failed store is not an error).
    pub(crate) fn get(&self, dev: &Device, kernel: &Kernel) -> Result<CudaFunction> {
        if let Some(f) = self.lookup(kernel) {
            return Ok(f);
        }
        let _one_compiler = self.compiling.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = self.lookup(kernel) {
            return Ok(f);
        }
        let src = print_kernel(kernel);
        // NVRTC's options are part of what a cubin is made from (e.g. --fmad).
        let options = super::nvrtc::compile_options(dev.arch).join(" ");
        let key = DiskCache::key(&format!("{}\n// nvrtc {options}", src.code), dev.arch);
        if let Some(cubin) = self.disk.as_ref().and_then(|d| d.load(&key)) {
            // A cubin the driver rejects is treated like a missing one: recompile.
            if let Ok(f) = load(dev, cubin, &src.name) {
                self.hits.fetch_add(1, Ordering::Relaxed);
                self.insert(dev, kernel, &f);
                return Ok(f);
            }
        }
        let t0 = Instant::now();
        let cubin = super::nvrtc::compile_cubin(&src, dev.arch)?;
        self.compile_nanos
            .fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
        self.compiled.fetch_add(1, Ordering::Relaxed);
        if let Some(d) = &self.disk {
            let _ = d.store(&key, &cubin);
        }
        let f = load(dev, cubin, &src.name).map_err(|e| Error::Compile {
            kernel: src.name.clone(),
            msg: format!(
                "the driver rejected the cubin NVRTC built for sm_{}: {e}",
                dev.arch
            ),
        })?;
        self.insert(dev, kernel, &f);
        Ok(f)
    }
}

/// Load a cubin into the device's context and find its entry point.
fn load(dev: &Device, cubin: Vec<u8>, name: &str) -> Result<CudaFunction> {
    if name.is_empty()
        || name
            .bytes()
            .any(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
    {
        return Err(Error::invalid(
            "cuda load",
            format!("kernel name {name:?} is not a C identifier"),
        ));
    }
    dev.bind()?;
    let module = dev
        .ctx
        .load_module(Ptx::from_binary(cubin))
        .map_err(|e| driver_err("loading a kernel module", e))?;
    module
        .load_function(name)
        .map_err(|e| driver_err(&format!("finding kernel {name} in its module"), e))
}

/// One kernel argument, in the C type the printer declares for it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Arg {
    /// A buffer: its device address (`const T*` or `T*`).
    Ptr(u64),
    F64(f64),
    F32(f32),
    I64(i64),
    I32(i32),
    U8(u8),
}

/// Every argument of a launch in the printer's ABI order: input pointers, output
/// pointers, parameters by value (complex ones as two: re, im), then `len` and
/// `reduce_len`.
fn kernel_args(
    kernel: &Kernel,
    params: &[Scalar],
    inputs: &[u64],
    outputs: &[u64],
    len: i64,
    reduce_len: i64,
) -> Vec<Arg> {
    let mut args: Vec<Arg> = inputs.iter().chain(outputs).map(|&p| Arg::Ptr(p)).collect();
    for (s, &t) in params.iter().zip(&kernel.params) {
        match s.cast(t) {
            Scalar::Bool(v) => args.push(Arg::U8(u8::from(v))),
            Scalar::I32(v) => args.push(Arg::I32(v)),
            Scalar::I64(v) => args.push(Arg::I64(v)),
            Scalar::F32(v) => args.push(Arg::F32(v)),
            Scalar::F64(v) => args.push(Arg::F64(v)),
            Scalar::C64(z) => args.extend([Arg::F32(z.re), Arg::F32(z.im)]),
            Scalar::C128(z) => args.extend([Arg::F64(z.re), Arg::F64(z.im)]),
        }
    }
    args.extend([Arg::I64(len), Arg::I64(reduce_len)]);
    args
}

/// The shared launch contract ([`Launch::check`]): the kernel is the one `launch` was
/// lowered with, inputs match it in count, dtype and length, and a zero-size min/max
/// reduction (which has no identity) is refused.
pub(crate) fn check(kernel: &Kernel, launch: &Launch, inputs: &[&CudaBuffer]) -> Result<()> {
    use mathengine_ir::DeviceBuffer;
    launch.check(kernel, inputs.iter().map(|b| (b.dtype(), b.len())))
}

/// Queue `func` (the compiled `kernel`) over `inputs` on the device's stream; returns
/// the output buffers at once (the work runs asynchronously, in stream order).
pub(crate) fn launch(
    dev: &Arc<Device>,
    func: &CudaFunction,
    kernel: &Kernel,
    launch: &Launch,
    inputs: &[&CudaBuffer],
) -> Result<Vec<CudaBuffer>> {
    let outputs = kernel
        .output_dtypes
        .iter()
        .map(|&t: &DType| dev.buffer(t, launch.len))
        .collect::<Result<Vec<_>>>()?;
    if launch.len == 0 {
        return Ok(outputs);
    }
    let too_big = |what: &str, v: usize| {
        Error::invalid(
            format!("run kernel {}", kernel.name()),
            format!("{what} {v} does not fit the kernel's 64-bit index"),
        )
    };
    let len = i64::try_from(launch.len).map_err(|_| too_big("length", launch.len))?;
    let reduce_len = i64::try_from(launch.reduce_len)
        .map_err(|_| too_big("reduced length", launch.reduce_len))?;
    // Argument storage, complete before the first argument is pushed: the launch keeps
    // pointers to these values until it is submitted.
    let in_ptrs: Vec<u64> = inputs.iter().map(|b| b.ptr()).collect();
    let out_ptrs: Vec<u64> = outputs.iter().map(|b| b.ptr()).collect();
    let args = kernel_args(kernel, &launch.params, &in_ptrs, &out_ptrs, len, reduce_len);
    let blocks = launch
        .len
        .div_ceil(THREADS_PER_BLOCK as usize)
        .min((BLOCKS_PER_SM * dev.sm_count) as usize)
        .max(1) as u32;
    let cfg = LaunchConfig {
        grid_dim: (blocks, 1, 1),
        block_dim: (THREADS_PER_BLOCK, 1, 1),
        shared_mem_bytes: 0,
    };
    dev.bind()?;
    let mut builder = dev.stream.launch_builder(func);
    for a in &args {
        match a {
            Arg::Ptr(v) => builder.arg(v),
            Arg::F64(v) => builder.arg(v),
            Arg::F32(v) => builder.arg(v),
            Arg::I64(v) => builder.arg(v),
            Arg::I32(v) => builder.arg(v),
            Arg::U8(v) => builder.arg(v),
        };
    }
    // SAFETY: the arguments follow the printer's ABI exactly (a unit test below checks
    // them against the printed signature): input pointers (`const T*`, kernel.inputs
    // order; `check` confirmed the kernel is the one `launch` was lowered with and the
    // inputs have the counts, dtypes and lengths lowering recorded), output pointers
    // (`T*`, kernel.outputs order,
    // each `len` elements of its dtype), parameters by value in kernel.params order with
    // the printer's C types (double, float, long long, int, unsigned char; complex as
    // re, im), then `long long len, reduce_len`. Every value pushed lives in `args` until
    // `launch` returns. Lowering emits only loads whose index lies inside the input (of
    // the length `check` confirmed) for every output index below `len` (pad and
    // concatenate also clamp), and every allocation holds at least one element; stores cover 0..len of outputs of `len`
    // elements. The buffers outlive the kernel: inputs are held by the caller, and any
    // buffer dropped later is reused or freed only in stream order, after this kernel.
    unsafe { builder.launch(cfg) }
        .map_err(|e| driver_err(&format!("launching kernel {}", kernel.name()), e))?;
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mathengine_ir::graph::ScalarKey;
    use mathengine_ir::kernel::{Inst, Instr};
    use num_complex::{Complex32, Complex64};

    /// The parameter types of the printed entry point, e.g. `["const double*", "int"]`.
    fn printed_signature(kernel: &Kernel) -> Vec<String> {
        let src = print_kernel(kernel);
        let start = src
            .code
            .find(&format!("{}(", src.name))
            .expect("entry point")
            + src.name.len()
            + 1;
        let end = start
            + src.code[start..]
                .find(") {")
                .expect("end of the argument list");
        src.code[start..end]
            .split(',')
            .map(|a| {
                let words: Vec<&str> = a
                    .split_whitespace()
                    .filter(|w| *w != "__restrict__")
                    .collect();
                words[..words.len() - 1].join(" ")
            })
            .collect()
    }

    fn c_type(a: &Arg) -> &'static str {
        match a {
            Arg::Ptr(_) => "pointer",
            Arg::F64(_) => "double",
            Arg::F32(_) => "float",
            Arg::I64(_) => "long long",
            Arg::I32(_) => "int",
            Arg::U8(_) => "unsigned char",
        }
    }

    /// Inputs and parameters of every dtype, two outputs: the runner pushes exactly the
    /// arguments, in the order and C types, that the printer declares.
    #[test]
    fn launch_arguments_match_the_printed_signature() {
        let all = DType::ALL.to_vec();
        let mut body = vec![Instr {
            inst: Inst::Index,
            dtype: DType::I64,
        }];
        for (k, &t) in all.iter().enumerate() {
            body.push(Instr {
                inst: Inst::Load {
                    input: k as u32,
                    index: 0,
                },
                dtype: t,
            });
        }
        for (k, &t) in all.iter().enumerate() {
            body.push(Instr {
                inst: Inst::Param(k as u32),
                dtype: t,
            });
        }
        body.push(Instr {
            inst: Inst::Const(ScalarKey(Scalar::F64(1.0))),
            dtype: DType::F64,
        });
        let n = all.len() as u32;
        let kernel = Kernel {
            body,
            params: all.clone(),
            inputs: all.clone(),
            outputs: vec![1, 2 * n],
            output_dtypes: vec![DType::Bool, DType::C128],
            reduction: None,
        };
        let params = [
            Scalar::Bool(true),
            Scalar::I32(-3),
            Scalar::I64(1 << 40),
            Scalar::F32(0.5),
            Scalar::F64(0.25),
            Scalar::C64(Complex32::new(1.0, -2.0)),
            Scalar::C128(Complex64::new(3.0, -4.0)),
        ];
        let ins: Vec<u64> = (0..all.len() as u64).map(|k| 0x1000 * (k + 1)).collect();
        let args = kernel_args(&kernel, &params, &ins, &[0xA000, 0xB000], 10, 1);
        let printed = printed_signature(&kernel);
        let pushed: Vec<&str> = args.iter().map(c_type).collect();
        assert_eq!(printed.len(), pushed.len(), "{printed:?} vs {pushed:?}");
        for (p, a) in printed.iter().zip(&pushed) {
            if *a == "pointer" {
                assert!(p.ends_with('*'), "{printed:?} vs {pushed:?}");
            } else {
                assert_eq!(p, a, "{printed:?} vs {pushed:?}");
            }
        }
        // Inputs are const, outputs are not, in their orders.
        assert!(printed[..7].iter().all(|p| p.starts_with("const ")));
        assert_eq!(&printed[7..9], ["unsigned char*", "me_c128*"]);
        // The values: pointers, then parameters (bool as 1, complex as re, im), then sizes.
        assert_eq!(args[0], Arg::Ptr(0x1000));
        assert_eq!(args[8], Arg::Ptr(0xB000));
        assert_eq!(
            &args[9..],
            [
                Arg::U8(1),
                Arg::I32(-3),
                Arg::I64(1 << 40),
                Arg::F32(0.5),
                Arg::F64(0.25),
                Arg::F32(1.0),
                Arg::F32(-2.0),
                Arg::F64(3.0),
                Arg::F64(-4.0),
                Arg::I64(10),
                Arg::I64(1),
            ]
        );
    }
}
