//! any / all of a bool value, [`LANES`] elements at a time as i64x2 masks (a float64
//! comparison's own result), stopping at the first block that decides the result: a
//! true for any, a false for all. The scalar loop of `reduction.rs` folds the tail. The
//! result is a bool, so the order of the work cannot change it.

use crate::lanes::{dependence, Along};
use crate::translate::{Emitter, LaneValues};
use cranelift_codegen::ir::{types, Block, InstBuilder, Value};
use cranelift_frontend::Variable;
use mathengine_ir::graph::ReduceOp;
use mathengine_ir::DType;

/// Elements per iteration: four i64x2 masks.
const LANES: usize = 8;

impl Emitter<'_, '_> {
    /// Fold `value` from `r` while [`LANES`] elements fit below `r1`, leaving `r` at the
    /// first element not folded; when a block decides the result, set `acc` to it and
    /// jump to `finished`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fold_any_all_lanes(
        &mut self,
        op: ReduceOp,
        value: u32,
        o: Value,
        fixed: &[Option<LaneValues>],
        (r, r1): (Variable, Value),
        acc: Variable,
        finished: Block,
    ) {
        let (dep, unit) = dependence(self.kernel, Along::Reduced);
        let any = op == ReduceOp::Any;
        let head = self.b.create_block();
        let body = self.b.create_block();
        let decided = self.b.create_block();
        let rest = self.b.create_block();
        self.b.ins().jump(head, &[]);

        self.b.switch_to_block(head);
        self.branch_while_fits(r, LANES, r1, body, rest);

        self.b.switch_to_block(body);
        let rv = self.b.use_var(r);
        let lanes = self.emit_lanes(LANES, Along::Reduced, o, rv, fixed, &dep, &unit);
        let v = lanes[value as usize].clone().expect("computed");
        let masks = crate::vector::pack(self, &v, DType::Bool, LANES);
        let mut all = masks[0];
        for &m in &masks[1..] {
            all = if any {
                self.b.ins().bor(all, m)
            } else {
                self.b.ins().band(all, m)
            };
        }
        let settles = if any {
            self.b.ins().vany_true(all)
        } else {
            let every = self.b.ins().vall_true(all);
            self.b.ins().bxor_imm_s(every, 1)
        };
        let next = self.b.ins().iadd_imm_s(rv, LANES as i64);
        self.b.def_var(r, next);
        self.b.ins().brif(settles, decided, &[], head, &[]);

        self.b.switch_to_block(decided);
        let result = self.b.ins().iconst(types::I8, i64::from(any));
        self.b.def_var(acc, result);
        self.b.ins().jump(finished, &[]);

        self.b.switch_to_block(rest);
    }
}
