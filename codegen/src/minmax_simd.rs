//! min/max/argmin/argmax of float64 in [`LANES`] (value, index) chains held in f64x2 /
//! i64x2 registers, each folded by the rule of `reduction.rs` (replace when strictly
//! better or a NaN, unless the chain already holds a NaN). Chains 0..4 start as the four
//! scalar chains, the others as copies of them, and at the end each extra chain is
//! merged into the scalar chain it copied by the order-independent merge rule (first
//! NaN, else best value, else lowest index), so the result is numpy's: first NaN, first
//! index on ties.
//! `extreme.rs` tries a faster pass without indices first; this fold is the exact
//! fallback.

use crate::lanes::{dependence, Along};
use crate::reduction::CHAINS;

/// Chains in registers: eight, four f64x2 registers, so four compare-and-select
/// dependency chains run side by side.
const LANES: usize = 2 * CHAINS;
use crate::translate::{Emitter, LaneValues};
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
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
