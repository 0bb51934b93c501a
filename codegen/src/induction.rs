//! Divisions of the output index in the vector loop of elementwise kernels, without a
//! division per element. Lowering turns a flat index into a multi-index with
//! `index / stride` and `index % extent` (a transposed or broadcast operand, a slice);
//! an integer division costs tens of cycles. Inside one row of every divisor every
//! quotient is constant and every remainder steps by one: the elementwise loop walks
//! its range in such segments and divides only at a segment's start, once per row
//! (`emit_segmented_loop`; a 4096² broadcast `x + y` took 56 ms when each element
//! divided, as every 8192-element call crossed a row). What depends only on the
//! quotients (a broadcast column's load, a term of the row, a 3-D array's middle index)
//! is computed once per segment too. The band entry (`band.rs`) needs its whole call
//! inside one row (`Induction::no_wrap`).

use crate::translate::{Elem, Emitter, LaneValues};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::Variable;
use mathengine_ir::kernel::Inst;
use mathengine_ir::{BinaryOp, DType};

/// One divisor of the output index: its quotient and remainder at the loop's index.
pub(crate) struct Divisor {
    pub(crate) divisor: Value,
    pub(crate) quotient: Variable,
    pub(crate) remainder: Variable,
}

/// The induction variables of one elementwise loop.
pub(crate) struct Induction {
    pub(crate) divisors: Vec<Divisor>,
    /// For each body value: `Some((divisor, is_quotient))` when it is `index / p` or
    /// `index % p` with `p` a parameter.
    uses: Vec<Option<(usize, bool)>>,
    /// The call's range stays inside one row of every divisor.
    pub(crate) no_wrap: Value,
    /// Every divisor is positive (the segmented loop's condition).
    pub(crate) positive: Value,
    /// For each body value: whether it changes inside a row segment (it depends on a
    /// remainder or on the index other than through a quotient). The others are
    /// computed once per segment: a broadcast operand's load, a term of the row alone.
    varies: Vec<bool>,
}

impl Emitter<'_, '_> {
    /// Quotients and remainders of `start` for every `index / param` and
    /// `index % param` of the body; `None` when the body has none.
    pub(crate) fn induction_setup(&mut self, start: Value, end: Value) -> Option<Induction> {
        let body = &self.kernel.body;
        let mut params: Vec<u32> = Vec::new();
        let mut uses = vec![None; body.len()];
        for (i, ins) in body.iter().enumerate() {
            let Inst::Binary(op @ (BinaryOp::Div | BinaryOp::Fmod), a, p) = ins.inst else {
                continue;
            };
            let (Inst::Index, Inst::Param(k)) = (&body[a as usize].inst, &body[p as usize].inst)
            else {
                continue;
            };
            if ins.dtype != DType::I64 {
                continue;
            }
            let d = match params.iter().position(|q| q == k) {
                Some(d) => d,
                None => {
                    params.push(*k);
                    params.len() - 1
                }
            };
            uses[i] = Some((d, op == BinaryOp::Div));
        }
        if params.is_empty() {
            return None;
        }
        let mut varies = vec![false; body.len()];
        for (i, ins) in body.iter().enumerate() {
            varies[i] = match (&ins.inst, uses[i]) {
                (_, Some((_, is_quotient))) => !is_quotient,
                (Inst::Index, None) => true,
                (inst, None) => crate::translate::inst_operands(inst)
                    .iter()
                    .any(|&a| varies[a as usize]),
            };
        }
        let mut no_wrap = self.b.ins().iconst(types::I8, 1);
        let mut all_positive = self.b.ins().iconst(types::I8, 1);
        let len = self.b.ins().isub(end, start);
        let mut divisors = Vec::new();
        for &param in &params {
            let divisor = self.constant_param(param);
            let positive = self
                .b
                .ins()
                .icmp_imm_s(IntCC::SignedGreaterThan, divisor, 0);
            // The scalar semantics (safe for any divisor); exact once it is positive.
            let q = self.scalar_binary(
                BinaryOp::Div,
                DType::I64,
                Elem::One(start),
                Elem::One(divisor),
            );
            let r = self.scalar_binary(
                BinaryOp::Fmod,
                DType::I64,
                Elem::One(start),
                Elem::One(divisor),
            );
            let last = self.b.ins().iadd(r.one(), len);
            let fits = self
                .b
                .ins()
                .icmp(IntCC::SignedLessThanOrEqual, last, divisor);
            all_positive = self.b.ins().band(all_positive, positive);
            let ok = self.b.ins().band(positive, fits);
            no_wrap = self.b.ins().band(no_wrap, ok);
            let quotient = self.b.declare_var(types::I64);
            let remainder = self.b.declare_var(types::I64);
            self.b.def_var(quotient, q.one());
            self.b.def_var(remainder, r.one());
            divisors.push(Divisor {
                divisor,
                quotient,
                remainder,
            });
        }
        Some(Induction {
            divisors,
            uses,
            no_wrap,
            positive: all_positive,
            varies,
        })
    }

    fn constant_param(&mut self, k: u32) -> Value {
        // Parameter values are loaded at the entry; an `Inst::Param` lane reads them.
        let zero = self.zero_index();
        let v = self.emit_inst(&Inst::Param(k), DType::I64, 1, zero, None, &[]);
        match v {
            LaneValues::Lanes(l) => l[0].one(),
            LaneValues::Regs(_) => unreachable!("an i64 parameter is one lane"),
        }
    }

    fn zero_index(&mut self) -> Value {
        self.b.ins().iconst(types::I64, 0)
    }

    /// The loop of a call whose divisors are all positive, at block `head` (entered
    /// with `ind`'s quotients and remainders those of `i`), on to `after` at `end`. The
    /// range is walked in segments that stay inside one row of every divisor: in a
    /// segment every quotient is constant and every remainder steps by one, so the
    /// body divides nothing; `lanes` elements per iteration, then one at a time to the
    /// segment's end. Only the next segment's start is divided (once per row).
    pub(crate) fn emit_segmented_loop(
        &mut self,
        ind: &Induction,
        (i, end, lanes): (Variable, Value, usize),
        head: cranelift_codegen::ir::Block,
        after: cranelift_codegen::ir::Block,
    ) {
        let segment = self.b.create_block();
        let vector_head = self.b.create_block();
        let vector_body = self.b.create_block();
        let tail_head = self.b.create_block();
        let tail_body = self.b.create_block();
        let next_row = self.b.create_block();
        let seg_end = self.b.declare_var(types::I64);

        self.b.switch_to_block(head);
        let iv = self.b.use_var(i);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, iv, end);
        self.b.ins().brif(more, segment, &[], after, &[]);

        // The segment ends at the call's end or the nearest row end of a divisor.
        self.b.switch_to_block(segment);
        let iv = self.b.use_var(i);
        let mut stop = end;
        for d in &ind.divisors {
            let r = self.b.use_var(d.remainder);
            let left = self.b.ins().isub(d.divisor, r);
            let row_end = self.b.ins().iadd(iv, left);
            stop = self.b.ins().smin(stop, row_end);
        }
        self.b.def_var(seg_end, stop);
        let fixed = self.segment_invariants(ind, iv);
        self.b.ins().jump(vector_head, &[]);

        for (head, body, width) in [(vector_head, vector_body, lanes), (tail_head, tail_body, 1)] {
            let exit = if width == lanes { tail_head } else { next_row };
            self.b.switch_to_block(head);
            let iv = self.b.use_var(i);
            let next = self.b.ins().iadd_imm_s(iv, width as i64);
            let stop = self.b.use_var(seg_end);
            let fits = self.b.ins().icmp(IntCC::SignedLessThanOrEqual, next, stop);
            self.b.ins().brif(fits, body, &[], exit, &[]);
            self.b.switch_to_block(body);
            let iv = self.b.use_var(i);
            let vals = self.emit_body_induced(width, iv, ind, Some(&fixed));
            self.store_outputs(&vals, iv, width);
            let next = self.b.ins().iadd_imm_s(iv, width as i64);
            self.b.def_var(i, next);
            self.b.ins().jump(head, &[]);
        }

        // A row of some divisor ended: divide the new start once.
        self.b.switch_to_block(next_row);
        let iv = self.b.use_var(i);
        for d in &ind.divisors {
            let q = self.b.ins().sdiv(iv, d.divisor);
            let r = self.b.ins().srem(iv, d.divisor);
            self.b.def_var(d.quotient, q);
            self.b.def_var(d.remainder, r);
        }
        self.b.ins().jump(head, &[]);
    }

    /// The values that do not change inside the segment starting at `index` (one lane
    /// each), computed once at its start from its quotients.
    fn segment_invariants(&mut self, ind: &Induction, index: Value) -> Vec<Option<LaneValues>> {
        let n = self.kernel.body.len();
        let mut have: Vec<Option<LaneValues>> = vec![None; n];
        let mut mask = vec![false; n];
        for i in 0..n {
            match ind.uses[i] {
                Some((d, true)) => {
                    let q = self.b.use_var(ind.divisors[d].quotient);
                    have[i] = Some(LaneValues::Lanes(smallvec::smallvec![Elem::One(q)]));
                }
                Some((_, false)) => {}
                None => mask[i] = !ind.varies[i],
            }
        }
        let mut vals = self.emit_body(1, index, None, Some((&mask, &have)));
        for (i, v) in vals.iter_mut().enumerate() {
            if ind.varies[i] || ind.uses[i].is_some() {
                *v = None;
            }
        }
        vals
    }

    /// The body for `lanes` consecutive elements from `index`, the divisions of the
    /// index taken from `ind` (constant quotients, remainders stepping by one), whose
    /// remainders then move on by `lanes`; values in `fixed` (a segment's invariants,
    /// one lane each) are not computed again.
    pub(crate) fn emit_body_induced(
        &mut self,
        lanes: usize,
        index: Value,
        ind: &Induction,
        fixed: Option<&[Option<LaneValues>]>,
    ) -> Vec<Option<LaneValues>> {
        let mut per_lane: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
        for d in &ind.divisors {
            let q = self.b.use_var(d.quotient);
            let r = self.b.use_var(d.remainder);
            let rs: Vec<Value> = (0..lanes)
                .map(|j| {
                    if j == 0 {
                        r
                    } else {
                        self.b.ins().iadd_imm_s(r, j as i64)
                    }
                })
                .collect();
            let next = self.b.ins().iadd_imm_s(r, lanes as i64);
            self.b.def_var(d.remainder, next);
            per_lane.push((vec![q; lanes], rs));
        }
        let n = self.kernel.body.len();
        let mut have: Vec<Option<LaneValues>> = vec![None; n];
        let mut mask = vec![true; n];
        for (i, u) in ind.uses.iter().enumerate() {
            if let Some((d, is_q)) = *u {
                let src = if is_q { &per_lane[d].0 } else { &per_lane[d].1 };
                have[i] = Some(LaneValues::Lanes(
                    src.iter().map(|&v| Elem::One(v)).collect(),
                ));
                mask[i] = false;
            }
        }
        for (i, v) in fixed.unwrap_or(&[]).iter().enumerate() {
            if let Some(LaneValues::Lanes(l)) = v {
                have[i] = Some(LaneValues::Lanes((0..lanes).map(|_| l[0]).collect()));
                mask[i] = false;
            }
        }
        self.emit_body(lanes, index, None, Some((&mask, &have)))
    }
}
