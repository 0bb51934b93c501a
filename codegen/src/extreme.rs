//! float64 min/max/argmin/argmax without index chains: one pass keeps each lane's best
//! value and whether a NaN went by (half the work per element of the indexed fold of
//! `minmax_simd.rs`); argmin/argmax then search for the first element equal to that
//! value, stopping there. Equal float64 values have equal bits except +0 and -0, so
//! min/max are the in-order result unless the result is a zero, and the first equal
//! element is the in-order argmin/argmax (a zero equals either zero, as the in-order
//! rule's ties). When a NaN went by (its bits and position decide) or the result is a
//! zero, the indexed fold runs instead.

use crate::lanes::{dependence, Along};
use crate::translate::{Emitter, LaneValues};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, Block, InstBuilder, Value};
use cranelift_frontend::Variable;
use mathengine_ir::graph::ReduceOp;
use mathengine_ir::DType;

/// Elements per iteration: four f64x2 registers.
const LANES: usize = 8;

impl Emitter<'_, '_> {
    /// `op` of float64 `value` over `r0..r1` into `acc` and `best` (the index), then on
    /// to `finished`; when this cannot give the in-order result (an empty range, a NaN,
    /// a zero min/max) it continues in a new block instead, where the caller emits the
    /// indexed fold.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn try_extreme_f64x2(
        &mut self,
        op: ReduceOp,
        value: u32,
        o: Value,
        fixed: &[Option<LaneValues>],
        (r0, r1): (Value, Value),
        (acc, best): (Variable, Variable),
        finished: Block,
    ) {
        let indexed = self.b.create_block();
        let (m, nan_seen) = self.extreme_value_f64x2(op, value, o, fixed, (r0, r1), indexed);
        self.b.def_var(acc, m);
        self.b.def_var(best, r0);
        if matches!(op, ReduceOp::Min | ReduceOp::Max) {
            let zero = self.b.ins().f64const(0.0);
            let is_zero = self.b.ins().fcmp(FloatCC::Equal, m, zero);
            let doubt = self.b.ins().bor(nan_seen, is_zero);
            self.b.ins().brif(doubt, indexed, &[], finished, &[]);
        } else {
            let search = self.b.create_block();
            self.b.ins().brif(nan_seen, indexed, &[], search, &[]);
            self.b.switch_to_block(search);
            self.first_equal_f64x2(value, o, fixed, (r0, r1), m, best, (finished, indexed));
        }
        self.b.switch_to_block(indexed);
    }

    /// The best value of `r0..r1` by `op`'s comparison (strictly better replaces) and
    /// whether a NaN was among them; an empty range goes to `empty`.
    fn extreme_value_f64x2(
        &mut self,
        op: ReduceOp,
        value: u32,
        o: Value,
        fixed: &[Option<LaneValues>],
        (r0, r1): (Value, Value),
        empty: Block,
    ) -> (Value, Value) {
        let fast = self.b.create_block();
        let head = self.b.create_block();
        let body = self.b.create_block();
        let lanes_done = self.b.create_block();
        let tail_head = self.b.create_block();
        let tail_body = self.b.create_block();
        let done = self.b.create_block();
        let some = self.b.ins().icmp(IntCC::SignedLessThan, r0, r1);
        self.b.ins().brif(some, fast, &[], empty, &[]);

        self.b.switch_to_block(fast);
        let (dep, unit) = dependence(self.kernel, Along::Reduced);
        let want_max = matches!(op, ReduceOp::Max | ReduceOp::ArgMax);
        let cc = if want_max {
            FloatCC::GreaterThan
        } else {
            FloatCC::LessThan
        };
        let start = if want_max {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        let start = self.b.ins().f64const(start);
        let regs = LANES / 2;
        let vals: Vec<Variable> = (0..regs)
            .map(|_| self.b.declare_var(types::F64X2))
            .collect();
        let nans: Vec<Variable> = (0..regs)
            .map(|_| self.b.declare_var(types::I64X2))
            .collect();
        let splat = self.b.ins().splat(types::F64X2, start);
        let zero = self.b.ins().iconst(types::I64, 0);
        let none = self.b.ins().splat(types::I64X2, zero);
        for k in 0..regs {
            self.b.def_var(vals[k], splat);
            self.b.def_var(nans[k], none);
        }
        let r = self.b.declare_var(types::I64);
        self.b.def_var(r, r0);
        self.b.ins().jump(head, &[]);

        // LANES elements at a time: each register keeps its lanes' best, and whether a
        // NaN went by.
        self.b.switch_to_block(head);
        self.branch_while_fits(r, LANES, r1, body, lanes_done);
        self.b.switch_to_block(body);
        let rv = self.b.use_var(r);
        let xs = self.values_f64x2(value, o, rv, fixed, (&dep, &unit));
        for k in 0..regs {
            let cur = self.b.use_var(vals[k]);
            let wins = self.b.ins().fcmp(cc, xs[k], cur);
            let mask = crate::vector::bitcast(self, types::F64X2, wins);
            let next = self.b.ins().bitselect(mask, xs[k], cur);
            self.b.def_var(vals[k], next);
            let nan = self.b.ins().fcmp(FloatCC::Unordered, xs[k], xs[k]);
            let seen = self.b.use_var(nans[k]);
            let seen = self.b.ins().bor(seen, nan);
            self.b.def_var(nans[k], seen);
        }
        self.advance_and_loop(r, LANES, head);

        // The lanes into one scalar best and one flag, then the rest one at a time.
        self.b.switch_to_block(lanes_done);
        let m = self.b.declare_var(types::F64);
        let nan_seen = self.b.declare_var(types::I8);
        self.b.def_var(m, start);
        let no = self.b.ins().iconst(types::I8, 0);
        self.b.def_var(nan_seen, no);
        for k in 0..regs {
            let reg = self.b.use_var(vals[k]);
            let flags = self.b.use_var(nans[k]);
            for lane in 0..2u8 {
                let x = self.b.ins().extractlane(reg, lane);
                self.keep_better(cc, m, x);
                let flag = self.b.ins().extractlane(flags, lane);
                let flag = self.b.ins().icmp_imm_s(IntCC::NotEqual, flag, 0);
                let seen = self.b.use_var(nan_seen);
                let seen = self.b.ins().bor(seen, flag);
                self.b.def_var(nan_seen, seen);
            }
        }
        self.b.ins().jump(tail_head, &[]);
        self.b.switch_to_block(tail_head);
        let rv = self.b.use_var(r);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, rv, r1);
        self.b.ins().brif(more, tail_body, &[], done, &[]);
        self.b.switch_to_block(tail_body);
        let rv = self.b.use_var(r);
        let x = self.reduced_value(value, o, rv, fixed).one();
        self.keep_better(cc, m, x);
        let nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
        let seen = self.b.use_var(nan_seen);
        let seen = self.b.ins().bor(seen, nan);
        self.b.def_var(nan_seen, seen);
        self.advance_and_loop(r, 1, tail_head);

        self.b.switch_to_block(done);
        (self.b.use_var(m), self.b.use_var(nan_seen))
    }

    /// Into `best`: the first index of `r0..r1` whose value equals `m`, then on to
    /// `found`; LANES at a time until a block holds one, then one by one. `missing` if
    /// none does (cannot happen for a value taken from the range; kept as a fallback).
    #[allow(clippy::too_many_arguments)]
    fn first_equal_f64x2(
        &mut self,
        value: u32,
        o: Value,
        fixed: &[Option<LaneValues>],
        (r0, r1): (Value, Value),
        m: Value,
        best: Variable,
        (found, missing): (Block, Block),
    ) {
        let (dep, unit) = dependence(self.kernel, Along::Reduced);
        let head = self.b.create_block();
        let body = self.b.create_block();
        let next_block = self.b.create_block();
        let one_head = self.b.create_block();
        let one_body = self.b.create_block();
        let one_next = self.b.create_block();
        let hit = self.b.create_block();
        let r = self.b.declare_var(types::I64);
        self.b.def_var(r, r0);
        let target = self.b.ins().splat(types::F64X2, m);
        self.b.ins().jump(head, &[]);

        self.b.switch_to_block(head);
        self.branch_while_fits(r, LANES, r1, body, one_head);
        self.b.switch_to_block(body);
        let rv = self.b.use_var(r);
        let xs = self.values_f64x2(value, o, rv, fixed, (&dep, &unit));
        let mut any = self.b.ins().fcmp(FloatCC::Equal, xs[0], target);
        for &x in &xs[1..] {
            let eq = self.b.ins().fcmp(FloatCC::Equal, x, target);
            any = self.b.ins().bor(any, eq);
        }
        let holds = self.b.ins().vany_true(any);
        // A block holding it: the one-by-one loop finds it from the block's start.
        self.b.ins().brif(holds, one_head, &[], next_block, &[]);
        self.b.switch_to_block(next_block);
        self.advance_and_loop(r, LANES, head);

        self.b.switch_to_block(one_head);
        let rv = self.b.use_var(r);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, rv, r1);
        self.b.ins().brif(more, one_body, &[], missing, &[]);
        self.b.switch_to_block(one_body);
        let rv = self.b.use_var(r);
        let x = self.reduced_value(value, o, rv, fixed).one();
        let eq = self.b.ins().fcmp(FloatCC::Equal, x, m);
        self.b.ins().brif(eq, hit, &[], one_next, &[]);
        self.b.switch_to_block(one_next);
        self.advance_and_loop(r, 1, one_head);

        self.b.switch_to_block(hit);
        let rv = self.b.use_var(r);
        self.b.def_var(best, rv);
        self.b.ins().jump(found, &[]);
    }

    /// The float64 values of `value` at reduced indices `r..r + LANES`, in registers.
    fn values_f64x2(
        &mut self,
        value: u32,
        o: Value,
        r: Value,
        fixed: &[Option<LaneValues>],
        (dep, unit): (&[bool], &[bool]),
    ) -> smallvec::SmallVec<[Value; 2]> {
        let lanes = self.emit_lanes(LANES, Along::Reduced, o, r, fixed, dep, unit);
        let v = lanes[value as usize].clone().expect("computed");
        crate::vector::pack(self, &v, DType::F64, LANES)
    }

    /// `m = x` when `x` is strictly better by `cc`.
    fn keep_better(&mut self, cc: FloatCC, m: Variable, x: Value) {
        let cur = self.b.use_var(m);
        let wins = self.b.ins().fcmp(cc, x, cur);
        let next = self.b.ins().select(wins, x, cur);
        self.b.def_var(m, next);
    }
}
