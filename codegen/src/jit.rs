//! Compiling one kernel: its own `JITModule`, so its machine code is freed exactly when
//! the last user of the `CompiledKernel` drops it.

use crate::split::{PartialState, SplitReduction};
use crate::translate::{kernel_signature, Emitter};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};
use mathengine_ir::{Error, Kernel, Result};
use std::sync::{Mutex, OnceLock};

/// The entry point of a compiled kernel (see `translate.rs` for the ABI).
pub type KernelFn =
    unsafe extern "C" fn(*const [u64; 2], *const *const u8, *const *mut u8, i64, i64, i64);

/// Machine code for one kernel.
pub struct CompiledKernel {
    func: KernelFn,
    /// A reduction kernel's partial entry (`Emitter::emit_partial`): the same ABI types,
    /// read as (params, inputs, state, o, r0, r1).
    partial: Option<KernelFn>,
    /// How the partial entry's states combine, where the kernel is splittable.
    split: Option<SplitReduction>,
    /// A leading-axes reduction's rows entry (`rows.rs`), read as (params, inputs,
    /// args: *const RowsArgs, _, _, _).
    rows: Option<KernelFn>,
    /// An index-dividing elementwise kernel's band entry (`band.rs`), read as (params,
    /// inputs, outputs, args: *mut BandArgs, _, _).
    band: Option<KernelFn>,
    name: String,
    // Kept only to free the code on drop.
    module: Mutex<Option<JITModule>>,
}

// SAFETY: the finalised code is immutable and reentrant; the module is only touched in
// `drop`, when no other reference exists.
unsafe impl Send for CompiledKernel {}
unsafe impl Sync for CompiledKernel {}

impl CompiledKernel {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Run output elements `start..end`.
    ///
    /// # Safety
    /// `params` must hold one 16-byte slot per kernel parameter (value in the low bytes
    /// in its dtype's representation, complex as re then im); `inputs`/`outputs` one
    /// pointer per kernel input/output to buffers of the kernel's dtypes, long enough
    /// for every index the kernel computes (`end` outputs; inputs as the launch's
    /// shapes imply); `reduce_len` the reduced length of a reduction kernel.
    pub unsafe fn call(
        &self,
        params: *const [u64; 2],
        inputs: *const *const u8,
        outputs: *const *mut u8,
        start: i64,
        end: i64,
        reduce_len: i64,
    ) {
        (self.func)(params, inputs, outputs, start, end, reduce_len)
    }

    /// The combination of this kernel's partial states, where it is splittable
    /// (see `split.rs`).
    pub fn split(&self) -> Option<SplitReduction> {
        self.partial.and(self.split)
    }

    /// Fold output element `o` over the reduced range `r0..r1` into `state`.
    /// Returns `false` (doing nothing) for a kernel without a partial entry.
    ///
    /// # Safety
    /// As [`CompiledKernel::call`] for output `o` (`o < len`) and reduced indices
    /// `r0..r1` within the launch's reduced length; for min/max/argmin/argmax the
    /// range must not be empty.
    pub unsafe fn call_partial(
        &self,
        params: *const [u64; 2],
        inputs: *const *const u8,
        state: &mut PartialState,
        o: i64,
        r0: i64,
        r1: i64,
    ) -> bool {
        match self.partial {
            Some(f) => {
                let state = state.as_mut_ptr() as *mut u8 as *const *mut u8;
                f(params, inputs, state, o, r0, r1);
                true
            }
            None => false,
        }
    }
}

impl CompiledKernel {
    /// Whether this kernel has a band entry (see `band.rs`).
    pub fn has_band(&self) -> bool {
        self.band.is_some()
    }

    /// Compute output rows `args.i0..args.i1` of the band of columns from `args.j0`;
    /// sets `args.handled` (0: nothing computed, the caller must). Returns `false` for
    /// a kernel without a band entry.
    ///
    /// # Safety
    /// As [`CompiledKernel::call`] for every output `i * cols + j0 + k` (`k < BAND`) of
    /// those rows, all below the launch's length.
    pub unsafe fn call_band(
        &self,
        params: *const [u64; 2],
        inputs: *const *const u8,
        outputs: *const *mut u8,
        args: &mut crate::band::BandArgs,
    ) -> bool {
        match self.band {
            Some(f) => {
                let a = args as *mut crate::band::BandArgs as i64;
                f(params, inputs, outputs, a, 0, 0);
                true
            }
            None => false,
        }
    }

    /// Whether this kernel has a rows entry (see `rows.rs`).
    pub fn has_rows(&self) -> bool {
        self.rows.is_some()
    }

    /// Fold rows `args.r0..args.r1` into `args.acc[o - o0]` for outputs `o0..o1`, in
    /// row order. Returns `false` (doing nothing) for a kernel without a rows entry.
    ///
    /// # Safety
    /// As [`CompiledKernel::call`] for outputs `o0..o1` and reduced indices `r0..r1`
    /// within the launch; `acc` valid for `o1 - o0` float64 reads and writes.
    pub unsafe fn call_rows(
        &self,
        params: *const [u64; 2],
        inputs: *const *const u8,
        args: &crate::rows::RowsArgs,
    ) -> bool {
        match self.rows {
            Some(f) => {
                let a = args as *const crate::rows::RowsArgs as *const *mut u8;
                f(params, inputs, a, 0, 0, 0);
                true
            }
            None => false,
        }
    }
}

impl Drop for CompiledKernel {
    fn drop(&mut self) {
        if let Some(m) = self
            .module
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            // SAFETY: `self` is the last reference, so no call into this code is running.
            unsafe { m.free_memory() };
        }
    }
}

fn isa() -> std::result::Result<OwnedTargetIsa, String> {
    static ISA: OnceLock<std::result::Result<OwnedTargetIsa, String>> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        // The IR verifier costs a sixth of compile time; debug builds (tests) keep it.
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        for (k, v) in [
            ("opt_level", "speed"),
            ("use_colocated_libcalls", "false"),
            ("is_pic", "false"),
            ("enable_verifier", verify),
        ] {
            flags.set(k, v).map_err(|e| e.to_string())?;
        }
        // Native flags (SSE4.1, AVX, FMA, ...): without them fma becomes a libm call.
        let builder = cranelift_native::builder().map_err(|e| e.to_string())?;
        builder
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())
    })
    .clone()
}

/// The target and its enabled features, e.g. for cache keys and reports.
pub fn isa_description() -> String {
    match isa() {
        Ok(isa) => {
            let enabled: Vec<String> = isa
                .isa_flags()
                .iter()
                .filter(|f| f.as_bool().unwrap_or(false))
                .map(|f| f.name.to_string())
                .collect();
            format!("{} [{}]", isa.triple(), enabled.join(","))
        }
        Err(e) => format!("unavailable: {e}"),
    }
}

/// Compile `kernel` to machine code. Errors (and Cranelift panics) name the kernel.
pub fn compile(kernel: &Kernel) -> Result<CompiledKernel> {
    let name = kernel.name();
    let err = |msg: String| Error::Compile {
        kernel: name.clone(),
        msg,
    };
    if let Some(bad) = kernel
        .body
        .iter()
        .find(|i| matches!(i.inst, mathengine_ir::Inst::ReduceIndex) && kernel.reduction.is_none())
    {
        return Err(err(format!("{:?} outside a reduction", bad.inst)));
    }
    let isa = isa().map_err(|e| err(format!("no native code generator for this machine: {e}")))?;
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(kernel, isa)));
    match built {
        Ok(Ok((module, func, partial, rows, band))) => Ok(CompiledKernel {
            func,
            partial,
            rows,
            band,
            split: SplitReduction::of(kernel),
            name,
            module: Mutex::new(Some(module)),
        }),
        Ok(Err(msg)) => Err(err(msg)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "code generator panicked".into());
            Err(err(format!("code generator panicked: {msg}")))
        }
    }
}

type Built = (
    JITModule,
    KernelFn,
    Option<KernelFn>,
    Option<KernelFn>,
    Option<KernelFn>,
);

fn build(kernel: &Kernel, isa: OwnedTargetIsa) -> std::result::Result<Built, String> {
    let mut jb = JITBuilder::with_isa(isa, default_libcall_names());
    for (name, ptr) in crate::runtime::all_symbols() {
        jb.symbol(name, ptr);
    }
    let mut module = JITModule::new(jb);
    let mut ctx = module.make_context();
    let call_conv = module.target_config().default_call_conv;
    let ptr = module.target_config().pointer_type();
    ctx.func.signature = kernel_signature(ptr, call_conv);
    let mut fbc = FunctionBuilderContext::new();
    {
        let b = FunctionBuilder::new(&mut ctx.func, &mut fbc);
        Emitter::new(b, &mut module, kernel).emit();
    }
    let dump = std::env::var_os("MATHENGINE_DUMP_ASM").is_some();
    ctx.set_disasm(dump);
    let id = module
        .declare_function("kernel", Linkage::Export, &ctx.func.signature)
        .map_err(|e| e.to_string())?;
    module
        .define_function(id, &mut ctx)
        .map_err(|e| format!("{e:?}"))?;
    if dump {
        // A debugging aid: the machine code of every kernel compiled, on stderr.
        if let Some(code) = ctx.compiled_code().and_then(|c| c.vcode.clone()) {
            eprintln!("=== kernel {}\n{code}", kernel.name());
        }
    }
    module.clear_context(&mut ctx);
    // A reduction also gets its partial entry, for splitting the reduced range.
    let partial_id = if kernel.reduction.is_some() {
        ctx.func.signature = kernel_signature(ptr, call_conv);
        {
            let b = FunctionBuilder::new(&mut ctx.func, &mut fbc);
            Emitter::new(b, &mut module, kernel).emit_partial();
        }
        let pid = module
            .declare_function("partial", Linkage::Export, &ctx.func.signature)
            .map_err(|e| e.to_string())?;
        module
            .define_function(pid, &mut ctx)
            .map_err(|e| format!("{e:?}"))?;
        module.clear_context(&mut ctx);
        Some(pid)
    } else {
        None
    };
    // A float64 sum or product over leading axes also gets its rows entry.
    let rows_id = if crate::rows::has_rows_entry(kernel) {
        ctx.func.signature = kernel_signature(ptr, call_conv);
        {
            let b = FunctionBuilder::new(&mut ctx.func, &mut fbc);
            Emitter::new(b, &mut module, kernel).emit_rows();
        }
        let rid = module
            .declare_function("rows", Linkage::Export, &ctx.func.signature)
            .map_err(|e| e.to_string())?;
        module
            .define_function(rid, &mut ctx)
            .map_err(|e| format!("{e:?}"))?;
        module.clear_context(&mut ctx);
        Some(rid)
    } else {
        None
    };
    // An elementwise kernel that divides its index also gets its band entry.
    let band_id = if crate::band::has_band_entry(kernel) {
        ctx.func.signature = kernel_signature(ptr, call_conv);
        {
            let b = FunctionBuilder::new(&mut ctx.func, &mut fbc);
            Emitter::new(b, &mut module, kernel).emit_band_entry();
        }
        let bid = module
            .declare_function("band", Linkage::Export, &ctx.func.signature)
            .map_err(|e| e.to_string())?;
        module
            .define_function(bid, &mut ctx)
            .map_err(|e| format!("{e:?}"))?;
        module.clear_context(&mut ctx);
        Some(bid)
    } else {
        None
    };
    module.finalize_definitions().map_err(|e| e.to_string())?;
    let code = module.get_finalized_function(id);
    // SAFETY: the function was declared with exactly this signature.
    let func: KernelFn = unsafe { std::mem::transmute::<*const u8, KernelFn>(code) };
    let partial = partial_id.map(|pid| {
        let code = module.get_finalized_function(pid);
        // SAFETY: declared with the same signature as `kernel`.
        unsafe { std::mem::transmute::<*const u8, KernelFn>(code) }
    });
    let rows = rows_id.map(|rid| {
        let code = module.get_finalized_function(rid);
        // SAFETY: declared with the same signature as `kernel`.
        unsafe { std::mem::transmute::<*const u8, KernelFn>(code) }
    });
    let band = band_id.map(|bid| {
        let code = module.get_finalized_function(bid);
        // SAFETY: declared with the same signature as `kernel`.
        unsafe { std::mem::transmute::<*const u8, KernelFn>(code) }
    });
    Ok((module, func, partial, rows, band))
}
