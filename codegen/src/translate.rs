//! Kernel IR -> Cranelift IR. One function per kernel:
//!
//! `fn(params: *const [u64; 2], inputs: *const *const u8, outputs: *const *mut u8,
//!     start: i64, end: i64, reduce_len: i64)`
//!
//! computes output elements `start..end`. Elementwise kernels run a main loop of
//! `vector_lanes` elements per iteration (f64 / f32 values in f64x2 / f32x4 registers, see
//! `vector.rs`) and a scalar tail loop; reduction kernels are emitted by
//! `reduction.rs`.

use crate::scalar::clif_type;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, FuncRef, InstBuilder, MemFlagsData, Signature, Type, Value,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_jit::JITModule;
use cranelift_module::{Linkage, Module};
use mathengine_ir::kernel::{Inst, Kernel};
use mathengine_ir::{DType, Scalar};
use smallvec::SmallVec;
use std::collections::HashMap;

/// Elements per iteration of the main loop of vectorised kernels (two f64x2 registers).
pub const VECTOR_LANES: usize = 8;
/// Elements per iteration when the kernel calls inline transcendentals: their code is
/// long enough to fill the pipelines alone, and unrolling it would multiply compile time.
pub const VECTOR_LANES_HEAVY: usize = 2;

/// Elements per main-loop iteration for `kernel` (1: no vector loop).
pub fn vector_lanes(kernel: &Kernel) -> usize {
    if !crate::vector::worth_vectorising(kernel) {
        return 1;
    }
    let heavy = kernel.body.iter().any(|i| match i.inst {
        Inst::Unary(op, _) => op.is_transcendental(),
        Inst::Binary(op, _, _) => matches!(
            op,
            mathengine_ir::BinaryOp::Atan2
                | mathengine_ir::BinaryOp::Hypot
                | mathengine_ir::BinaryOp::Pow
        ),
        _ => false,
    });
    if heavy {
        // One f32x4 register per iteration when the kernel has f32 values.
        VECTOR_LANES_HEAVY.max(crate::vector::heavy_lanes(kernel))
    } else {
        VECTOR_LANES
    }
}

/// The value of one element in one lane: a real scalar, or a complex one as (re, im).
#[derive(Clone, Copy, Debug)]
pub enum Elem {
    One(Value),
    Pair(Value, Value),
}

impl Elem {
    pub fn one(self) -> Value {
        match self {
            Elem::One(v) => v,
            Elem::Pair(..) => unreachable!("complex value used as a real one"),
        }
    }
    pub fn pair(self) -> (Value, Value) {
        match self {
            Elem::Pair(a, b) => (a, b),
            Elem::One(_) => unreachable!("real value used as a complex one"),
        }
    }
}

/// A value for every lane of the loop body: lane by lane, or packed in SIMD registers
/// (f64x2 / f32x4, or i64x2 / i32x4 masks for comparisons of f64 / f32).
#[derive(Clone, Debug)]
pub enum LaneValues {
    Lanes(SmallVec<[Elem; 4]>),
    Regs(SmallVec<[Value; 2]>),
}

pub struct Emitter<'m, 'f> {
    pub(crate) b: FunctionBuilder<'f>,
    module: &'m mut JITModule,
    pub(crate) ptr: Type,
    imports: HashMap<&'static str, FuncRef>,
    pub(crate) kernel: &'m Kernel,
    params: Vec<Elem>,
    inputs: Vec<Value>,
    pub(crate) outputs: Vec<Value>,
    /// sin and cos of the same register are computed together once.
    sin_cos: HashMap<Value, (Value, Value)>,
}

/// Which entry of a kernel `Emitter::emit_entry` builds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    Full,
    Partial,
    Rows,
    Band,
}

pub fn kernel_signature(ptr: Type, call_conv: cranelift_codegen::isa::CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    for t in [ptr, ptr, ptr, types::I64, types::I64, types::I64] {
        sig.params.push(AbiParam::new(t));
    }
    sig
}

impl<'m, 'f> Emitter<'m, 'f> {
    pub fn new(b: FunctionBuilder<'f>, module: &'m mut JITModule, kernel: &'m Kernel) -> Self {
        let ptr = module.target_config().pointer_type();
        Emitter {
            b,
            module,
            ptr,
            imports: HashMap::new(),
            kernel,
            params: Vec::new(),
            sin_cos: HashMap::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
        }
    }

    /// (sin x, cos x) of an f64x2 register, shared by every use in this loop body.
    /// `operand` is the IR value the register belongs to: both functions are computed
    /// together only when the kernel takes both of it.
    pub(crate) fn sin_cos(&mut self, x: Value, operand: u32) -> (Value, Value) {
        if let Some(&r) = self.sin_cos.get(&x) {
            return r;
        }
        let has = |op| {
            self.kernel
                .body
                .iter()
                .any(|i| i.inst == Inst::Unary(op, operand))
        };
        let (want_sin, want_cos) = (
            has(mathengine_ir::UnaryOp::Sin),
            has(mathengine_ir::UnaryOp::Cos),
        );
        let (s, c) = crate::math::sin_cos(self, x, want_sin, want_cos);
        let r = (s.unwrap_or(x), c.unwrap_or(x));
        self.sin_cos.insert(x, r);
        r
    }

    pub(crate) fn input_ptr(&self, k: u32) -> Value {
        self.inputs[k as usize]
    }

    /// A reference to runtime helper `name` with the given signature.
    pub(crate) fn import(
        &mut self,
        name: &'static str,
        params: &[Type],
        ret: Option<Type>,
    ) -> FuncRef {
        if let Some(&f) = self.imports.get(name) {
            return f;
        }
        let mut sig = self.module.make_signature();
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.extend(ret.map(AbiParam::new));
        let id = self
            .module
            .declare_function(name, Linkage::Import, &sig)
            .expect("helper signatures are consistent");
        let f = self.module.declare_func_in_func(id, self.b.func);
        self.imports.insert(name, f);
        f
    }

    /// Emit the whole function.
    pub fn emit(self) {
        self.emit_entry(Entry::Full)
    }

    /// Emit the partial entry of a reduction kernel (see `reduction.rs`):
    /// `fn(params, inputs, state: *mut u8, o, r0, r1)` folds output element `o` over the
    /// reduced range `r0..r1` and writes the accumulator to `state`.
    pub fn emit_partial(self) {
        self.emit_entry(Entry::Partial)
    }

    /// Emit the rows entry of a reduction over leading axes (see `rows.rs`):
    /// `fn(params, inputs, args: *const RowsArgs, _, _, _)`.
    pub fn emit_rows(self) {
        self.emit_entry(Entry::Rows)
    }

    /// Emit the band entry of an elementwise kernel (see `band.rs`):
    /// `fn(params, inputs, outputs, args: *mut BandArgs, _, _)`.
    pub fn emit_band_entry(self) {
        self.emit_entry(Entry::Band)
    }

    fn emit_entry(mut self, which: Entry) {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        let args: Vec<Value> = self.b.block_params(entry).to_vec();
        let (pp, ip, op, start, end, rlen) = (args[0], args[1], args[2], args[3], args[4], args[5]);
        let flags = MemFlagsData::trusted();
        for k in 0..self.kernel.params.len() {
            let t = self.kernel.params[k];
            let ty = clif_type(t);
            let off = 16 * k as i32;
            let v = self.b.ins().load(ty, flags, pp, off);
            self.params.push(if t.is_complex() {
                Elem::Pair(v, self.b.ins().load(ty, flags, pp, off + ty.bytes() as i32))
            } else {
                Elem::One(v)
            });
        }
        for k in 0..self.kernel.inputs.len() {
            let p = self.b.ins().load(self.ptr, flags, ip, 8 * k as i32);
            self.inputs.push(p);
        }
        if which == Entry::Rows {
            self.emit_rows_reduction(op);
        } else if which == Entry::Partial {
            // (params, inputs, state, o, r0, r1)
            self.emit_partial_reduction(op, start, end, rlen);
        } else {
            for k in 0..self.kernel.outputs.len() {
                let p = self.b.ins().load(self.ptr, flags, op, 8 * k as i32);
                self.outputs.push(p);
            }
            if which == Entry::Band {
                self.emit_band(start);
            } else if self.kernel.reduction.is_some() {
                self.emit_reduction(start, end, rlen);
            } else {
                self.emit_elementwise(start, end);
            }
        }
        self.b.seal_all_blocks();
        let config = self.module.target_config();
        self.b.finalize(config);
    }

    fn emit_elementwise(&mut self, start: Value, end: Value) {
        let i = self.b.declare_var(types::I64);
        self.b.def_var(i, start);
        let lanes = vector_lanes(self.kernel);
        let exit = self.b.create_block();
        if lanes > 1 {
            // Divisions of the index as induction variables (see `induction.rs`).
            let induction = self.induction_setup(start, end);
            let head = self.b.create_block();
            let body = self.b.create_block();
            let after = self.b.create_block();
            if let Some(ind) = &induction {
                let induced = self.b.create_block();
                self.b.ins().brif(ind.positive, induced, &[], head, &[]);
                self.emit_segmented_loop(ind, (i, end, lanes), induced, after);
            } else {
                self.b.ins().jump(head, &[]);
            }
            self.b.switch_to_block(head);
            let iv = self.b.use_var(i);
            let next = self.b.ins().iadd_imm_s(iv, lanes as i64);
            let fits = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, next, end);
            self.b.ins().brif(fits, body, &[], after, &[]);
            self.b.switch_to_block(body);
            let iv = self.b.use_var(i);
            let vals = self.emit_body(lanes, iv, None, None);
            self.store_outputs(&vals, iv, lanes);
            let next = self.b.ins().iadd_imm_s(iv, lanes as i64);
            self.b.def_var(i, next);
            self.b.ins().jump(head, &[]);
            self.b.switch_to_block(after);
        }
        let head = self.b.create_block();
        let body = self.b.create_block();
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        let iv = self.b.use_var(i);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, iv, end);
        self.b.ins().brif(more, body, &[], exit, &[]);
        self.b.switch_to_block(body);
        let iv = self.b.use_var(i);
        let vals = self.emit_body(1, iv, None, None);
        self.store_outputs(&vals, iv, 1);
        let next = self.b.ins().iadd_imm_s(iv, 1);
        self.b.def_var(i, next);
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(exit);
        self.b.ins().return_(&[]);
    }

    pub(crate) fn store_outputs(
        &mut self,
        vals: &[Option<LaneValues>],
        index: Value,
        lanes: usize,
    ) {
        for k in 0..self.kernel.outputs.len() {
            let v = self.kernel.outputs[k] as usize;
            let t = self.kernel.output_dtypes[k];
            let value = vals[v].clone().expect("outputs are computed");
            self.store(self.outputs[k], t, index, value, lanes);
        }
    }

    /// In a loop's head: go to `body` while `step` more elements from the counter `r`
    /// stay within `end`, else to `exit`.
    pub(crate) fn branch_while_fits(
        &mut self,
        r: Variable,
        step: usize,
        end: Value,
        body: Block,
        exit: Block,
    ) {
        let rv = self.b.use_var(r);
        let next = self.b.ins().iadd_imm_s(rv, step as i64);
        let fits = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, next, end);
        self.b.ins().brif(fits, body, &[], exit, &[]);
    }

    /// At the end of a loop's body: move the counter `r` on by `step`, back to `head`.
    pub(crate) fn advance_and_loop(&mut self, r: Variable, step: usize, head: Block) {
        let rv = self.b.use_var(r);
        let next = self.b.ins().iadd_imm_s(rv, step as i64);
        self.b.def_var(r, next);
        self.b.ins().jump(head, &[]);
    }

    fn elem_addr(&mut self, base: Value, t: DType, index: Value) -> Value {
        let off = self.b.ins().imul_imm_s(index, t.size() as i64);
        self.b.ins().iadd(base, off)
    }

    pub(crate) fn store(
        &mut self,
        base: Value,
        t: DType,
        index: Value,
        value: LaneValues,
        lanes: usize,
    ) {
        let addr = self.elem_addr(base, t, index);
        if let LaneValues::Regs(regs) = &value {
            if crate::vector::reg_type(t).is_some() {
                for (r, reg) in regs.iter().enumerate() {
                    self.b.ins().store(
                        MemFlagsData::new().with_notrap(),
                        *reg,
                        addr,
                        16 * r as i32,
                    );
                }
                return;
            }
        }
        let lanes_v = self.lanes(&value, t, lanes);
        let flags = MemFlagsData::trusted();
        let part = clif_type(t).bytes() as i32;
        for (j, s) in lanes_v.into_iter().enumerate() {
            let off = (j * t.size()) as i32;
            match s {
                Elem::One(x) => {
                    self.b.ins().store(flags, x, addr, off);
                }
                Elem::Pair(re, im) => {
                    self.b.ins().store(flags, re, addr, off);
                    self.b.ins().store(flags, im, addr, off + part);
                }
            }
        }
    }

    /// Per-lane scalars of `v`.
    pub(crate) fn lanes(&mut self, v: &LaneValues, t: DType, lanes: usize) -> SmallVec<[Elem; 4]> {
        match v {
            LaneValues::Lanes(l) => l.clone(),
            LaneValues::Regs(regs) => crate::vector::unpack(self, regs, t, lanes),
        }
    }

    /// Emit every instruction of the body for `lanes` consecutive elements starting at
    /// `index`. With `only`, emit just those marked (the others are in `have`).
    pub(crate) fn emit_body(
        &mut self,
        lanes: usize,
        index: Value,
        ridx: Option<Value>,
        only: Option<(&[bool], &[Option<LaneValues>])>,
    ) -> Vec<Option<LaneValues>> {
        let n = self.kernel.body.len();
        let mut vals: Vec<Option<LaneValues>> = match only {
            Some((_, have)) => have.to_vec(),
            None => vec![None; n],
        };
        for i in 0..n {
            if let Some((mask, _)) = only {
                if !mask[i] {
                    continue;
                }
            }
            let ins = &self.kernel.body[i];
            let v = self.emit_inst(&ins.inst, ins.dtype, lanes, index, ridx, &vals);
            vals[i] = Some(v);
        }
        vals
    }

    fn arg(&self, vals: &[Option<LaneValues>], v: u32) -> LaneValues {
        vals[v as usize].clone().expect("SSA operands come first")
    }

    pub(crate) fn dtype_of(&self, v: u32) -> DType {
        self.kernel.body[v as usize].dtype
    }

    pub(crate) fn emit_inst(
        &mut self,
        inst: &Inst,
        t: DType,
        lanes: usize,
        index: Value,
        ridx: Option<Value>,
        vals: &[Option<LaneValues>],
    ) -> LaneValues {
        if lanes > 1 {
            if let Some(v) = crate::vector::try_emit(self, inst, t, lanes, index, vals) {
                return v;
            }
        }
        let mut out: SmallVec<[Elem; 4]> = SmallVec::new();
        // Operands as lanes, converted once for all lanes.
        let operands: SmallVec<[SmallVec<[Elem; 4]>; 3]> = inst_operands(inst)
            .iter()
            .map(|&a| {
                let v = self.arg(vals, a);
                self.lanes(&v, self.dtype_of(a), lanes)
            })
            .collect();
        for j in 0..lanes {
            let s = match inst {
                Inst::Index => Elem::One(if j == 0 {
                    index
                } else {
                    self.b.ins().iadd_imm_s(index, j as i64)
                }),
                Inst::ReduceIndex => Elem::One(ridx.expect("reduce index only in reductions")),
                Inst::Param(k) => self.params[*k as usize],
                Inst::Const(c) => self.constant(c.0, t),
                Inst::Load { input, index: _ } => {
                    let idx = operands[0][j].one();
                    let base = self.inputs[*input as usize];
                    let addr = self.elem_addr(base, t, idx);
                    let ty = clif_type(t);
                    let flags = MemFlagsData::trusted().with_readonly();
                    let re = self.b.ins().load(ty, flags, addr, 0);
                    if t.is_complex() {
                        Elem::Pair(re, self.b.ins().load(ty, flags, addr, ty.bytes() as i32))
                    } else {
                        Elem::One(re)
                    }
                }
                Inst::Unary(op, a) => {
                    let at = self.dtype_of(*a);
                    self.scalar_unary(*op, at, t, operands[0][j])
                }
                Inst::Binary(op, a, _) => {
                    let at = self.dtype_of(*a);
                    self.scalar_binary(*op, at, operands[0][j], operands[1][j])
                }
                Inst::Select(..) => {
                    let c = operands[0][j].one();
                    match (operands[1][j], operands[2][j]) {
                        (Elem::One(a), Elem::One(b)) => Elem::One(self.b.ins().select(c, a, b)),
                        (Elem::Pair(ar, ai), Elem::Pair(br, bi)) => Elem::Pair(
                            self.b.ins().select(c, ar, br),
                            self.b.ins().select(c, ai, bi),
                        ),
                        _ => unreachable!("select operands share a dtype"),
                    }
                }
                Inst::Cast(a) => {
                    let at = self.dtype_of(*a);
                    self.scalar_cast(at, t, operands[0][j])
                }
                Inst::Random { dist, .. } => {
                    let name = match dist {
                        mathengine_ir::kernel::RandomDist::Uniform => "me_uniform",
                        mathengine_ir::kernel::RandomDist::Normal => "me_normal",
                    };
                    let f = self.import(name, &[types::I64, types::I64], Some(types::F64));
                    let call = self
                        .b
                        .ins()
                        .call(f, &[operands[0][j].one(), operands[1][j].one()]);
                    Elem::One(self.b.inst_results(call)[0])
                }
            };
            out.push(s);
        }
        LaneValues::Lanes(out)
    }

    pub(crate) fn constant(&mut self, c: Scalar, t: DType) -> Elem {
        let c = c.cast(t);
        let ty = clif_type(t);
        match c {
            Scalar::Bool(v) => Elem::One(self.b.ins().iconst(ty, v as i64)),
            Scalar::I32(v) => Elem::One(self.b.ins().iconst(ty, v as i64)),
            Scalar::I64(v) => Elem::One(self.b.ins().iconst(ty, v)),
            Scalar::F32(v) => Elem::One(self.b.ins().f32const(v)),
            Scalar::F64(v) => Elem::One(self.b.ins().f64const(v)),
            Scalar::C64(z) => Elem::Pair(self.b.ins().f32const(z.re), self.b.ins().f32const(z.im)),
            Scalar::C128(z) => Elem::Pair(self.b.ins().f64const(z.re), self.b.ins().f64const(z.im)),
        }
    }
}

/// The value operands of an instruction, in order.
pub fn inst_operands(inst: &Inst) -> SmallVec<[u32; 3]> {
    match inst {
        Inst::Index | Inst::ReduceIndex | Inst::Param(_) | Inst::Const(_) => SmallVec::new(),
        Inst::Load { index, .. } => smallvec::smallvec![*index],
        Inst::Unary(_, a) | Inst::Cast(a) => smallvec::smallvec![*a],
        Inst::Binary(_, a, b) => smallvec::smallvec![*a, *b],
        Inst::Select(c, a, b) => smallvec::smallvec![*c, *a, *b],
        Inst::Random { seed, counter, .. } => smallvec::smallvec![*seed, *counter],
    }
}
