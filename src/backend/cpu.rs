//! The cpu backend: kernels compiled to machine code by Cranelift (mathengine-codegen),
//! cached, and run over blocks of the index range on all cores.

use super::{host_inputs, Backend, BackendStats};
use mathengine_codegen::KernelCache;
use mathengine_ir::interp::check_arguments;
use mathengine_ir::schedule::LibraryCall;
use mathengine_ir::LibraryOp;
use mathengine_ir::{
    BufferRef, DType, DeviceBuffer, Error, HostBuffer, Kernel, Launch, Result, Scalar,
};
use rayon::prelude::*;
use std::sync::Arc;

/// Elements per parallel block: large enough that scheduling costs little, small enough
/// that both cores get work on a few-thousand-element array.
pub const BLOCK: usize = 8192;
/// Work (outputs times reduced length) below which a launch runs on the calling
/// thread: handing it to the pool costs more than it saves.
pub const SERIAL_BELOW: usize = 16384;
/// Work (elements times [`element_cost`]) below which an elementwise launch runs on
/// the calling thread. Waking the pool costs ~15 µs on these machines: split in
/// blocks, `x + 1` took 19 µs on 16384 elements and 37 µs on 65536 (numpy: 2 and 8 µs).
pub const SERIAL_WORK: usize = 1 << 19;
/// Compiled kernels kept in memory (least recently used are dropped beyond this).
pub const CACHE_CAPACITY: usize = 1024;

/// Every `CpuBackend` shares one process-wide cache: a kernel compiled for one engine
/// serves all of them.
pub struct CpuBackend {
    cache: Arc<KernelCache>,
}

fn shared_cache() -> Arc<KernelCache> {
    static CACHE: std::sync::OnceLock<Arc<KernelCache>> = std::sync::OnceLock::new();
    CACHE
        .get_or_init(|| Arc::new(KernelCache::new(CACHE_CAPACITY)))
        .clone()
}

impl Default for CpuBackend {
    fn default() -> Self {
        CpuBackend::new()
    }
}

impl CpuBackend {
    pub fn new() -> Self {
        CpuBackend {
            cache: shared_cache(),
        }
    }
}

/// Raw pointers of one launch made shareable across its worker threads (the runners in
/// cpu_rows, cpu_split and cpu_tiled take them too).
#[derive(Clone, Copy)]
pub(super) struct LaunchPtrs {
    pub(super) params: *const [u64; 2],
    pub(super) inputs: *const *const u8,
    pub(super) outputs: *const *mut u8,
}
// SAFETY: the pointed-to memory (params, input and output pointer arrays, and the
// buffers they point to) outlives the launch, which returns only after every task
// finished; inputs are only read, and every task writes a disjoint range of the outputs.
unsafe impl Send for LaunchPtrs {}
unsafe impl Sync for LaunchPtrs {}

/// A parameter in its 16-byte slot: the value's bytes in its dtype's representation.
fn param_slot(s: &Scalar, t: DType) -> [u64; 2] {
    match s.cast(t) {
        Scalar::Bool(v) => [v as u64, 0],
        Scalar::I32(v) => [v as u32 as u64, 0],
        Scalar::I64(v) => [v as u64, 0],
        Scalar::F32(v) => [v.to_bits() as u64, 0],
        Scalar::F64(v) => [v.to_bits(), 0],
        Scalar::C64(z) => [(z.re.to_bits() as u64) | ((z.im.to_bits() as u64) << 32), 0],
        Scalar::C128(z) => [z.re.to_bits(), z.im.to_bits()],
    }
}

impl Backend for CpuBackend {
    fn name(&self) -> &str {
        "cpu"
    }

    fn download(&self, buf: &dyn DeviceBuffer) -> Result<HostBuffer> {
        mathengine_ir::as_host(buf)
            .cloned()
            .ok_or_else(|| Error::Backend {
                backend: "cpu".into(),
                msg: format!("cannot download a buffer in '{}' memory", buf.location()),
            })
    }

    fn run_kernel(
        &self,
        kernel: &Arc<Kernel>,
        launch: &Launch,
        inputs: &[BufferRef],
    ) -> Result<Vec<BufferRef>> {
        let hosts = host_inputs(self.name(), inputs)?;
        // The launch contract (kernel, input counts, dtypes, lengths) before any
        // compiled code runs: see the SAFETY note below.
        check_arguments(kernel, launch, &hosts)?;
        if let Some(f) = super::cpu_wide::plan(kernel, launch) {
            return Ok(pooled(vec![super::cpu_wide::run(f, &hosts)?]));
        }
        if let Some(plan) = super::cpu_extreme::plan(kernel, launch) {
            let (len, rlen) = (launch.len, launch.reduce_len);
            // None: a NaN or a zero min/max, which the JIT's indexed fold decides.
            if let Some(out) = super::cpu_extreme::run(plan, hosts[0], len, rlen)? {
                return Ok(pooled(vec![out]));
            }
        }
        let mut outs: Vec<HostBuffer> = kernel
            .output_dtypes
            .iter()
            .map(|&t| mathengine_ir::pool::output_buffer(t, launch.len))
            .collect::<Result<_>>()?;
        let params: Vec<[u64; 2]> = launch
            .params
            .iter()
            .zip(&kernel.params)
            .map(|(s, &t)| param_slot(s, t))
            .collect();
        let in_ptrs: Vec<*const u8> = hosts.iter().map(|h| h.as_ptr()).collect();
        let out_ptrs: Vec<*mut u8> = outs.iter_mut().map(|h| h.as_mut_ptr()).collect();
        let ptrs = LaunchPtrs {
            params: params.as_ptr(),
            inputs: in_ptrs.as_ptr(),
            outputs: out_ptrs.as_ptr(),
        };
        let (len, rlen) = (launch.len, launch.reduce_len);
        if let Some(plan) = super::cpu_staged::plan(kernel, len, &self.cache)? {
            // SAFETY: `check_arguments` confirmed the launch contract (see `run` below);
            // `ptrs` hold the kernel's parameters, inputs and `len`-element outputs.
            unsafe { super::cpu_staged::run(&plan, ptrs, in_ptrs.len(), len) };
            return Ok(pooled(outs));
        }
        let compiled = self.cache.get(kernel)?;
        // A reduction's work per output is its reduced length.
        let block = if kernel.reduction.is_some() {
            (BLOCK / rlen.max(1)).max(1)
        } else {
            BLOCK
        };
        let run = |start: usize, end: usize| {
            let p = ptrs;
            // SAFETY: `check_arguments` confirmed that `kernel` is the kernel `launch` was
            // lowered with (a `Launch` is made only by lowering) and that the input
            // buffers have the dtypes and lengths lowering recorded. Lowering emits only
            // loads whose index lies inside its input for every output index below
            // `launch.len` and reduced index below `reduce_len` (movement ops map indices
            // into the operand's shape; pad and concatenate also clamp). Outputs have
            // `len` elements of their dtypes and each block writes only [start, end).
            // Params hold one 16-byte slot per `kernel.params` entry (count checked).
            unsafe {
                compiled.call(
                    p.params,
                    p.inputs,
                    p.outputs,
                    start as i64,
                    end as i64,
                    rlen as i64,
                )
            }
        };
        let split = compiled
            .split()
            .filter(|_| super::cpu_split::worth_splitting(len, rlen));
        let serial = len.saturating_mul(rlen.max(1)) < SERIAL_BELOW;
        if compiled.has_rows() && super::cpu_rows::worth_rows(len, rlen) {
            let op = kernel
                .reduction
                .as_ref()
                .map_or(mathengine_ir::ReduceOp::Sum, |r| r.op);
            // SAFETY: as for `run` above, over the whole launch; a kernel with a rows
            // entry has one float64 output of `len` elements.
            unsafe {
                super::cpu_rows::run(
                    &compiled,
                    op,
                    ptrs,
                    out_ptrs[0] as *mut f64,
                    len,
                    rlen,
                    serial,
                )
            };
        } else if let Some(split) = split {
            // SAFETY: as for `run` above, over the whole launch; the one output buffer
            // has `len` elements of the kernel's output dtype.
            unsafe { super::cpu_split::run(&compiled, split, ptrs, out_ptrs[0], len, rlen) };
        } else if len <= block
            || (kernel.reduction.is_none()
                && len.saturating_mul(element_cost(kernel)) < SERIAL_WORK)
        {
            run(0, len);
        } else if super::cpu_tiled::worth_tiling(len, launch.tile_cols) {
            // SAFETY: as for `run` above, over the whole launch.
            unsafe { super::cpu_tiled::run(&compiled, ptrs, len, launch.tile_cols) };
        } else {
            let blocks = len.div_ceil(block);
            (0..blocks)
                .into_par_iter()
                .for_each(|b| run(b * block, ((b + 1) * block).min(len)));
        }
        Ok(pooled(outs))
    }

    fn supports_library(&self, _call: &LibraryCall) -> super::Support {
        Ok(())
    }

    fn run_library(&self, call: &LibraryCall, inputs: &[BufferRef]) -> Result<Vec<BufferRef>> {
        let hosts = host_inputs(self.name(), inputs)?;
        // The shared library contract (operand counts, dtypes, lengths) first.
        call.check(hosts.iter().map(|h| (h.dtype(), h.len())))?;
        let out = match call.op {
            LibraryOp::Fft { .. } | LibraryOp::Rfft | LibraryOp::Irfft { .. } => {
                super::cpu_fft::run(call, hosts[0])?
            }
            _ => super::cpu_linalg::run(call, &hosts)?,
        };
        Ok(vec![
            Arc::new(mathengine_ir::pool::PooledBuffer::new(out)) as BufferRef
        ])
    }

    /// Drops every compiled kernel of the process-wide cache, and the pooled host buffers.
    fn clear_cache(&self) {
        self.cache.clear();
        mathengine_ir::pool::release_pooled_memory();
    }

    fn stats(&self) -> BackendStats {
        let s = self.cache.stats();
        BackendStats {
            kernels_compiled: s.kernels_compiled,
            cache_hits: s.cache_hits,
            compile_seconds: s.compile_seconds,
        }
    }
}

fn pooled(outs: Vec<HostBuffer>) -> Vec<BufferRef> {
    outs.into_iter()
        .map(|b| Arc::new(mathengine_ir::pool::PooledBuffer::new(b)) as BufferRef)
        .collect()
}

/// A rough cost of one element of an elementwise kernel: one per instruction, 32 per
/// libm-class function (sin, pow, a random draw), which take tens of cycles where an
/// add takes one. Only decides when a launch is worth splitting across threads.
fn element_cost(kernel: &Kernel) -> usize {
    use mathengine_ir::{BinaryOp, Inst};
    kernel
        .body
        .iter()
        .map(|i| match i.inst {
            Inst::Unary(op, _) if op.is_transcendental() => 32,
            Inst::Binary(BinaryOp::Pow | BinaryOp::Atan2 | BinaryOp::Hypot, ..) => 32,
            Inst::Random { .. } => 32,
            _ => 1,
        })
        .sum::<usize>()
        .max(1)
}
