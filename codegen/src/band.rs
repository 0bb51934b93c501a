//! The band entry of an elementwise kernel that divides its index (a transposed
//! operand): output rows `i0..i1` of one band of [`BAND`] columns starting at `j0`, in
//! an output of `cols` columns, one vector iteration per row. The band reads
//! [`BAND`] rows of a transposed operand front to back, where a walk along output rows
//! would read one element of every operand row. The quotients and remainders of the
//! index (see `induction.rs`) are divided once per call and stepped by `cols` per row.
//!
//! The entry handles a call only when no row of the band crosses a row of any divisor
//! (the divisor divides `cols` with the band inside one of its rows, or is a multiple
//! of `cols`, as every stride and extent lowering divides by is); otherwise it writes 0
//! to `handled` and computes nothing, and the runner walks the band row by row.

use crate::translate::{Elem, Emitter};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use mathengine_ir::kernel::{Inst, Kernel};
use mathengine_ir::{BinaryOp, DType};

/// Output columns per band: one iteration of the vector loop.
pub const BAND: usize = crate::translate::VECTOR_LANES;

/// The band entry's arguments, passed by pointer as its fourth argument.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct BandArgs {
    pub i0: i64,
    pub i1: i64,
    pub j0: i64,
    pub cols: i64,
    /// Written by the entry: 1 when it computed the band, 0 when the runner must.
    pub handled: i64,
}

/// Whether `kernel` gets a band entry: elementwise, vectorised [`BAND`] wide, and
/// dividing its index by a parameter.
pub fn has_band_entry(kernel: &Kernel) -> bool {
    kernel.reduction.is_none()
        && crate::translate::vector_lanes(kernel) == BAND
        && kernel.body.iter().any(|i| match i.inst {
            Inst::Binary(BinaryOp::Div | BinaryOp::Fmod, a, p) => {
                i.dtype == DType::I64
                    && kernel.body[a as usize].inst == Inst::Index
                    && matches!(kernel.body[p as usize].inst, Inst::Param(_))
            }
            _ => false,
        })
}

impl Emitter<'_, '_> {
    /// `fn(params, inputs, outputs, args: *mut BandArgs, _, _)`.
    pub(crate) fn emit_band(&mut self, args: Value) {
        let flags = MemFlagsData::trusted();
        let i0 = self.b.ins().load(types::I64, flags, args, 0);
        let i1 = self.b.ins().load(types::I64, flags, args, 8);
        let j0 = self.b.ins().load(types::I64, flags, args, 16);
        let cols = self.b.ins().load(types::I64, flags, args, 24);
        let row0 = self.b.ins().imul(i0, cols);
        let first = self.b.ins().iadd(row0, j0);
        let first_end = self.b.ins().iadd_imm_s(first, BAND as i64);
        let ind = self
            .induction_setup(first, first_end)
            .expect("a band entry divides its index");
        // Every row stays inside one row of each divisor: the first row does, and the
        // step keeps the remainder (cols % p == 0), or p is a multiple of cols and the
        // band lies inside the output row.
        let band_end = self.b.ins().iadd_imm_s(j0, BAND as i64);
        let in_row = self
            .b
            .ins()
            .icmp(IntCC::SignedLessThanOrEqual, band_end, cols);
        let mut ok = self.b.ins().band(ind.no_wrap, in_row);
        let mut steps = Vec::new();
        for d in &ind.divisors {
            let p = d.divisor;
            let dq = self.scalar_binary(BinaryOp::Div, DType::I64, Elem::One(cols), Elem::One(p));
            let dr = self.scalar_binary(BinaryOp::Fmod, DType::I64, Elem::One(cols), Elem::One(p));
            let (dq, dr) = (dq.one(), dr.one());
            let keeps = self.b.ins().icmp_imm_s(IntCC::Equal, dr, 0);
            let multiple =
                self.scalar_binary(BinaryOp::Fmod, DType::I64, Elem::One(p), Elem::One(cols));
            let multiple = self.b.ins().icmp_imm_s(IntCC::Equal, multiple.one(), 0);
            let fine = self.b.ins().bor(keeps, multiple);
            ok = self.b.ins().band(ok, fine);
            steps.push((dq, dr));
        }
        let okw = self.b.ins().uextend(types::I64, ok);
        self.b.ins().store(flags, okw, args, 32);

        let i = self.b.declare_var(types::I64);
        self.b.def_var(i, i0);
        let head = self.b.create_block();
        let body = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().brif(ok, head, &[], exit, &[]);

        self.b.switch_to_block(head);
        let iv = self.b.use_var(i);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, iv, i1);
        self.b.ins().brif(more, body, &[], exit, &[]);

        self.b.switch_to_block(body);
        let iv = self.b.use_var(i);
        let row = self.b.ins().imul(iv, cols);
        let index = self.b.ins().iadd(row, j0);
        let rows_at: Vec<(Value, Value)> = ind
            .divisors
            .iter()
            .map(|d| (self.b.use_var(d.quotient), self.b.use_var(d.remainder)))
            .collect();
        let vals = self.emit_body_induced(BAND, index, &ind, None);
        self.store_outputs(&vals, index, BAND);
        // The next row: remainder + cols % p (one wrap at most), quotient + cols / p.
        for ((d, &(dq, dr)), &(q, r)) in ind.divisors.iter().zip(&steps).zip(&rows_at) {
            let r = self.b.ins().iadd(r, dr);
            let wraps = self
                .b
                .ins()
                .icmp(IntCC::SignedGreaterThanOrEqual, r, d.divisor);
            let less = self.b.ins().isub(r, d.divisor);
            let r = self.b.ins().select(wraps, less, r);
            let carry = self.b.ins().uextend(types::I64, wraps);
            let q = self.b.ins().iadd(q, dq);
            let q = self.b.ins().iadd(q, carry);
            self.b.def_var(d.quotient, q);
            self.b.def_var(d.remainder, r);
        }
        let next = self.b.ins().iadd_imm_s(iv, 1);
        self.b.def_var(i, next);
        self.b.ins().jump(head, &[]);

        self.b.switch_to_block(exit);
        self.b.ins().return_(&[]);
    }
}
