//! Reductions over leading axes (axis 0 of a matrix, the first axes of an array), walked
//! row by row: for a block of consecutive outputs, the reduced range is the outer loop
//! and the outputs the inner, contiguous one, each output accumulated in memory. The
//! per-output loop of `reduction.rs` would read such an input down its columns, one
//! cache line per element.
//!
//! The rows entry folds rows `r0..r1` into an accumulator row (`acc[o - o0]` for outputs
//! `o0..o1`) in order, one f64x2 register per two outputs; the runner cuts the reduced
//! range into blocks of [`ROW_BLOCK`] rows, starts each block's accumulators at the
//! identity and combines the blocks pairwise (a binary counter per output, as
//! `reduction.rs` does), so the error stays that of pairwise summation and an output's
//! result never depends on how the outputs were grouped or on the thread count.
//!
//! min and max need no blocks: the runner starts the accumulators at -inf / +inf and
//! the entry folds every row in order with the per-output loop's rule (replace when
//! strictly better or a NaN; a NaN stays), which is the in-order result.
//!
//! Only float64 sums, products, minima and maxima of kernels whose every
//! output-dependent load reads `output index + something independent of it` get the
//! entry: those loads become vector loads.

use crate::lanes::{dependence, Along};
use crate::translate::Emitter;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use mathengine_ir::graph::ReduceOp;
use mathengine_ir::kernel::{Inst, Kernel};
use mathengine_ir::DType;

/// Rows folded in order into one accumulator row before the pairwise combination:
/// the same block length as the per-output loop.
pub const ROW_BLOCK: usize = crate::reduction::SUM_BLOCK as usize;

/// Outputs per iteration of the vector loop (two f64x2 registers).
const LANES: usize = 4;

/// The rows entry's arguments, passed by pointer as its third argument.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RowsArgs {
    /// One float64 accumulator per output `o0..o1`.
    pub acc: *mut f64,
    pub o0: i64,
    pub o1: i64,
    pub r0: i64,
    pub r1: i64,
}

/// Whether `kernel` gets a rows entry: a float64 sum, product, min or max with one output whose
/// output-dependent loads all read consecutive elements for consecutive outputs (and
/// there is at least one).
pub fn has_rows_entry(kernel: &Kernel) -> bool {
    let Some(red) = &kernel.reduction else {
        return false;
    };
    let value_t = kernel.body.get(red.value as usize).map(|i| i.dtype);
    if !matches!(
        red.op,
        ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Min | ReduceOp::Max
    ) || value_t != Some(DType::F64)
        || kernel.output_dtypes != [DType::F64]
    {
        return false;
    }
    let (dep, unit) = dependence(kernel, Along::Output);
    let mut loads = kernel.body.iter().filter_map(|i| match i.inst {
        Inst::Load { index, .. } if dep[index as usize] => Some(unit[index as usize]),
        _ => None,
    });
    let first = loads.next();
    first == Some(true) && loads.all(|u| u)
}

impl Emitter<'_, '_> {
    /// The rows entry: `fn(params, inputs, args: *const RowsArgs, _, _, _)` folds rows
    /// `r0..r1` into `acc[o - o0]` for outputs `o0..o1`, in row order.
    pub(crate) fn emit_rows_reduction(&mut self, args: Value) {
        let red = self.kernel.reduction.clone().expect("reduction kernel");
        let (dep, unit) = dependence(self.kernel, Along::Output);
        let by_row: Vec<bool> = dep.iter().map(|d| !d).collect();
        let n = self.kernel.body.len();
        let flags = MemFlagsData::trusted();
        let acc = self.b.ins().load(self.ptr, flags, args, 0);
        let o0 = self.b.ins().load(types::I64, flags, args, 8);
        let o1 = self.b.ins().load(types::I64, flags, args, 16);
        let r0 = self.b.ins().load(types::I64, flags, args, 24);
        let r1 = self.b.ins().load(types::I64, flags, args, 32);
        let op = red.op;

        let r = self.b.declare_var(types::I64);
        let o = self.b.declare_var(types::I64);
        self.b.def_var(r, r0);
        let row_head = self.b.create_block();
        let row_body = self.b.create_block();
        let vec_head = self.b.create_block();
        let vec_body = self.b.create_block();
        let tail_head = self.b.create_block();
        let tail_body = self.b.create_block();
        let row_next = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(row_head, &[]);

        self.b.switch_to_block(row_head);
        let rv = self.b.use_var(r);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, rv, r1);
        self.b.ins().brif(more, row_body, &[], exit, &[]);

        // What depends only on the row: once per row.
        self.b.switch_to_block(row_body);
        let rv = self.b.use_var(r);
        let fixed = self.emit_body(1, o0, Some(rv), Some((&by_row, &vec![None; n])));
        self.b.def_var(o, o0);
        self.b.ins().jump(vec_head, &[]);

        self.b.switch_to_block(vec_head);
        let ov = self.b.use_var(o);
        let next = self.b.ins().iadd_imm_s(ov, LANES as i64);
        let fits = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, next, o1);
        self.b.ins().brif(fits, vec_body, &[], tail_head, &[]);

        self.b.switch_to_block(vec_body);
        let ov = self.b.use_var(o);
        let rv = self.b.use_var(r);
        let vals = self.emit_lanes(LANES, Along::Output, ov, rv, &fixed, &dep, &unit);
        let v = vals[red.value as usize].clone().expect("computed");
        let regs = crate::vector::pack(self, &v, DType::F64, LANES);
        let rel = self.b.ins().isub(ov, o0);
        let off = self.b.ins().imul_imm_s(rel, 8);
        let addr = self.b.ins().iadd(acc, off);
        let vflags = MemFlagsData::new().with_notrap();
        for (k, &x) in regs.iter().enumerate() {
            let a = self.b.ins().load(types::F64X2, vflags, addr, 16 * k as i32);
            let a = self.row_fold(op, a, x);
            self.b.ins().store(vflags, a, addr, 16 * k as i32);
        }
        let next = self.b.ins().iadd_imm_s(ov, LANES as i64);
        self.b.def_var(o, next);
        self.b.ins().jump(vec_head, &[]);

        self.b.switch_to_block(tail_head);
        let ov = self.b.use_var(o);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, ov, o1);
        self.b.ins().brif(more, tail_body, &[], row_next, &[]);

        self.b.switch_to_block(tail_body);
        let ov = self.b.use_var(o);
        let rv = self.b.use_var(r);
        let vals = self.emit_lanes(1, Along::Output, ov, rv, &fixed, &dep, &unit);
        let v = vals[red.value as usize].clone().expect("computed");
        let x = self.lanes(&v, DType::F64, 1)[0].one();
        let rel = self.b.ins().isub(ov, o0);
        let off = self.b.ins().imul_imm_s(rel, 8);
        let addr = self.b.ins().iadd(acc, off);
        let a = self.b.ins().load(types::F64, flags, addr, 0);
        let a = self.row_fold(op, a, x);
        self.b.ins().store(flags, a, addr, 0);
        let next = self.b.ins().iadd_imm_s(ov, 1);
        self.b.def_var(o, next);
        self.b.ins().jump(tail_head, &[]);

        self.b.switch_to_block(row_next);
        let rv = self.b.use_var(r);
        let next = self.b.ins().iadd_imm_s(rv, 1);
        self.b.def_var(r, next);
        self.b.ins().jump(row_head, &[]);

        self.b.switch_to_block(exit);
        self.b.ins().return_(&[]);
    }

    /// `acc` op `x` (f64 or f64x2): sum, product, or min/max by the rule of
    /// `reduction.rs` (x replaces acc when strictly better or a NaN, unless acc is NaN).
    fn row_fold(&mut self, op: ReduceOp, acc: Value, x: Value) -> Value {
        match op {
            ReduceOp::Prod => self.b.ins().fmul(acc, x),
            ReduceOp::Sum => self.b.ins().fadd(acc, x),
            _ => {
                let cc = if op == ReduceOp::Max {
                    FloatCC::UnorderedOrGreaterThan
                } else {
                    FloatCC::UnorderedOrLessThan
                };
                let wins = self.b.ins().fcmp(cc, x, acc);
                let ordered = self.b.ins().fcmp(FloatCC::Ordered, acc, acc);
                let better = self.b.ins().band(wins, ordered);
                if self.b.func.dfg.value_type(acc).is_vector() {
                    let mask = crate::vector::bitcast(self, types::F64X2, better);
                    self.b.ins().bitselect(mask, x, acc)
                } else {
                    self.b.ins().select(better, x, acc)
                }
            }
        }
    }
}
