//! min/max/argmin/argmax of float64 in [`LANES`] (value, index) chains held in f64x2 /
//! i64x2 registers, each folded by the rule of `reduction.rs` (replace when strictly
//! better or a NaN, unless the chain already holds a NaN). Chains 0..4 start as the four
//! scalar chains, the others as copies of them, and at the end each extra chain is
//! merged into the scalar chain it copied by the order-independent merge rule (first
//! NaN, else best value, else lowest index), so the result is numpy's: first NaN, first
//! index on ties.
//!
//! min and max (no index wanted) first try a pass without indices
//! ([`Emitter::try_extreme_f64x2`]): value chains and a NaN flag, half the work per
//! element. Equal float64 values have equal bits except +0 and -0, so its result is the
//! in-order one unless it is a zero or a NaN was seen; then the indexed fold runs.

use crate::lanes::{dependence, Along};
use crate::reduction::CHAINS;

/// Chains in registers: eight, four f64x2 registers, so four compare-and-select
/// dependency chains run side by side.
const LANES: usize = 2 * CHAINS;
use crate::translate::{Emitter, LaneValues};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, Block, InstBuilder, Value};
use cranelift_frontend::Variable;
use mathengine_ir::graph::ReduceOp;
use mathengine_ir::DType;

impl Emitter<'_, '_> {
    /// Fold elements `r..` (in steps of [`LANES`] while they fit below `r1`) into
    /// the [`CHAINS`] scalar `chains` (value, index); `r` is left at the first element
    /// not folded.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fold_ordered_f64x2(
        &mut self,
        op: ReduceOp,
        value: u32,
        o: Value,
        fixed: &[Option<LaneValues>],
        r: Variable,
        r1: Value,
        chains: &[(Variable, Variable)],
    ) {
        let (dep, unit) = dependence(self.kernel, Along::Reduced);
        let regs = LANES / 2;
        let vals: Vec<Variable> = (0..regs)
            .map(|_| self.b.declare_var(types::F64X2))
            .collect();
        let idxs: Vec<Variable> = (0..regs)
            .map(|_| self.b.declare_var(types::I64X2))
            .collect();
        for k in 0..regs {
            let (a, b) = (chains[(2 * k) % CHAINS], chains[(2 * k + 1) % CHAINS]);
            let (va, vb) = (self.b.use_var(a.0), self.b.use_var(b.0));
            let v = self.b.ins().scalar_to_vector(types::F64X2, va);
            let v = self.b.ins().insertlane(v, vb, 1);
            self.b.def_var(vals[k], v);
            let (ia, ib) = (self.b.use_var(a.1), self.b.use_var(b.1));
            let i = self.b.ins().scalar_to_vector(types::I64X2, ia);
            let i = self.b.ins().insertlane(i, ib, 1);
            self.b.def_var(idxs[k], i);
        }
        // The indices of each register's lanes, stepped by LANES per iteration.
        let at: Vec<Variable> = (0..regs)
            .map(|_| self.b.declare_var(types::I64X2))
            .collect();
        let r0 = self.b.use_var(r);
        for (k, &v) in at.iter().enumerate() {
            let lo = self.b.ins().iadd_imm_s(r0, 2 * k as i64);
            let hi = self.b.ins().iadd_imm_s(r0, 2 * k as i64 + 1);
            let x = self.b.ins().scalar_to_vector(types::I64X2, lo);
            let x = self.b.ins().insertlane(x, hi, 1);
            self.b.def_var(v, x);
        }
        let step = self.b.ins().iconst(types::I64, LANES as i64);
        let step = self.b.ins().splat(types::I64X2, step);
        let head = self.b.create_block();
        let body = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        self.branch_while_fits(r, LANES, r1, body, exit);

        self.b.switch_to_block(body);
        let rv = self.b.use_var(r);
        let lanes = self.emit_lanes(LANES, Along::Reduced, o, rv, fixed, &dep, &unit);
        let v = lanes[value as usize].clone().expect("computed");
        let xs = crate::vector::pack(self, &v, DType::F64, LANES);
        let cc = if matches!(op, ReduceOp::Max | ReduceOp::ArgMax) {
            FloatCC::UnorderedOrGreaterThan
        } else {
            FloatCC::UnorderedOrLessThan
        };
        for k in 0..regs {
            let cur = self.b.use_var(vals[k]);
            let wins = self.b.ins().fcmp(cc, xs[k], cur);
            let ordered = self.b.ins().fcmp(FloatCC::Ordered, cur, cur);
            let better = self.b.ins().band(wins, ordered);
            let mask = crate::vector::bitcast(self, types::F64X2, better);
            let n = self.b.ins().bitselect(mask, xs[k], cur);
            self.b.def_var(vals[k], n);
            let here = self.b.use_var(at[k]);
            let mask = crate::vector::bitcast(self, types::I64X2, better);
            let cur_i = self.b.use_var(idxs[k]);
            let ni = self.b.ins().bitselect(mask, here, cur_i);
            self.b.def_var(idxs[k], ni);
            let moved = self.b.ins().iadd(here, step);
            self.b.def_var(at[k], moved);
        }
        self.advance_and_loop(r, LANES, head);

        self.b.switch_to_block(exit);
        for j in 0..LANES {
            let (a, b) = chains[j % CHAINS];
            let v = self.b.use_var(vals[j / 2]);
            let x = self.b.ins().extractlane(v, (j % 2) as u8);
            let i = self.b.use_var(idxs[j / 2]);
            let xi = self.b.ins().extractlane(i, (j % 2) as u8);
            if j < CHAINS {
                self.b.def_var(a, x);
                self.b.def_var(b, xi);
            } else {
                self.merge_chain(op, DType::F64, &[a], b, x, xi);
            }
        }
    }
}

impl Emitter<'_, '_> {
    /// min or max of float64 `value` over `r0..r1` without indices, into `acc` (and
    /// `best` = `r0`), then on to `finished` when that is the in-order result; otherwise
    /// (an empty range, a NaN seen, a zero result) on in a new block, where the caller
    /// emits the indexed fold.
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
        let fast = self.b.create_block();
        let head = self.b.create_block();
        let body = self.b.create_block();
        let lanes_done = self.b.create_block();
        let tail_head = self.b.create_block();
        let tail_body = self.b.create_block();
        let done = self.b.create_block();
        let indexed = self.b.create_block();
        let some = self.b.ins().icmp(IntCC::SignedLessThan, r0, r1);
        self.b.ins().brif(some, fast, &[], indexed, &[]);

        self.b.switch_to_block(fast);
        let (dep, unit) = dependence(self.kernel, Along::Reduced);
        let want_max = op == ReduceOp::Max;
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
        let lanes = self.emit_lanes(LANES, Along::Reduced, o, rv, fixed, &dep, &unit);
        let v = lanes[value as usize].clone().expect("computed");
        let xs = crate::vector::pack(self, &v, DType::F64, LANES);
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

        // In-order exactly when no NaN went by and the result is not a zero.
        self.b.switch_to_block(done);
        let mv = self.b.use_var(m);
        self.b.def_var(acc, mv);
        self.b.def_var(best, r0);
        let zero = self.b.ins().f64const(0.0);
        let is_zero = self.b.ins().fcmp(FloatCC::Equal, mv, zero);
        let seen = self.b.use_var(nan_seen);
        let doubt = self.b.ins().bor(seen, is_zero);
        self.b.ins().brif(doubt, indexed, &[], finished, &[]);
        self.b.switch_to_block(indexed);
    }

    /// `m = x` when `x` is strictly better by `cc`.
    fn keep_better(&mut self, cc: FloatCC, m: Variable, x: Value) {
        let cur = self.b.use_var(m);
        let wins = self.b.ins().fcmp(cc, x, cur);
        let next = self.b.ins().select(wins, x, cur);
        self.b.def_var(m, next);
    }
}
