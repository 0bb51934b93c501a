//! The loops of a reduction kernel: per output element, the instructions that do not
//! depend on the reduce index once, then the reduced range folded into an accumulator.
//!
//! Sums and products are pairwise: the range is cut into blocks of [`SUM_BLOCK`]
//! elements, each folded by [`CHAINS`] interleaved accumulators (combined pairwise at
//! the block's end), and the block results are combined as a binary
//! counter (block 2k+1 with block 2k, then those pairs with each other, ...), so the
//! rounding error grows like (SUM_BLOCK + log2(n / SUM_BLOCK)) ulps, as numpy's pairwise
//! sum. float32 and complex64 sums accumulate in float64 / complex128
//! ([`accumulator_dtype`]) and round once at the end. min/max/argmin/argmax of reals
//! fold [`CHAINS`] interleaved (value, index) chains merged at the end, any/all fold in
//! order; both give exactly the in-order result with the interpreter's NaN and
//! first-index rules.
//!
//! A reduction kernel also has a partial entry (one output over a sub-range, its
//! accumulator written to a state) so a runner can split the reduced range across
//! threads; `split.rs` combines the states in this file's order.

use crate::scalar::clif_type;
use crate::translate::{Elem, Emitter, LaneValues};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, Value,
};
use cranelift_frontend::Variable;
use mathengine_ir::graph::ReduceOp;
use mathengine_ir::{BinaryOp, DType, Scalar};

/// Block length of the pairwise summation in reductions: each block is folded in
/// order, the blocks are combined pairwise.
pub const SUM_BLOCK: i64 = 256;

/// Bytes of the accumulator state the partial entry writes: the value (up to a
/// complex128) at offset 0, the chosen index (i64) at [`STATE_INDEX_OFFSET`].
pub const STATE_BYTES: usize = 32;
/// Offset of the chosen element's index in a partial state.
pub const STATE_INDEX_OFFSET: i32 = 16;

/// Independent accumulator chains inside one pairwise block (the block's value is
/// the chains combined pairwise): four hide the latency of a floating-point add.
pub(crate) const CHAINS: usize = 4;

/// Levels of the pairwise combination: enough for 2^64 blocks.
pub const LEVELS: u32 = 64;

/// The dtype a reduction accumulates in for values of dtype `t`: float64 for float32
/// sums and complex128 for complex64 sums (so a float32 sum is accurate to its last
/// bit even for billions of elements), `t` otherwise.
pub fn accumulator_dtype(op: ReduceOp, t: DType) -> DType {
    match (op, t) {
        (ReduceOp::Sum, DType::F32) => DType::F64,
        (ReduceOp::Sum, DType::C64) => DType::C128,
        _ => t,
    }
}

/// The value a product or sum starts from, and the operation that folds it.
fn pairwise_op(op: ReduceOp) -> (Scalar, BinaryOp) {
    if op == ReduceOp::Prod {
        (Scalar::I64(1), BinaryOp::Mul)
    } else {
        (Scalar::I64(0), BinaryOp::Add)
    }
}

impl Emitter<'_, '_> {
    pub(crate) fn emit_reduction(&mut self, start: Value, end: Value, rlen: Value) {
        let red = self.kernel.reduction.clone().expect("reduction kernel");
        let vt = self.dtype_of(red.value);
        let out_t = self.kernel.output_dtypes[0];
        let varies = self.kernel.varies_with_reduce_index();
        let invariant: Vec<bool> = varies.iter().map(|v| !v).collect();
        let o = self.b.declare_var(types::I64);
        self.b.def_var(o, start);
        let pairwise = matches!(red.op, ReduceOp::Sum | ReduceOp::Prod);
        let at = accumulator_dtype(red.op, vt);
        // The pairwise levels: one accumulator per level, in a stack slot.
        let levels = pairwise.then(|| {
            let bytes = LEVELS * at.size() as u32;
            self.b.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                bytes,
                4,
            ))
        });

        let outer_head = self.b.create_block();
        let outer_body = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(outer_head, &[]);
        self.b.switch_to_block(outer_head);
        let ov = self.b.use_var(o);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, ov, end);
        self.b.ins().brif(more, outer_body, &[], exit, &[]);

        self.b.switch_to_block(outer_body);
        let ov = self.b.use_var(o);
        let fixed = self.emit_body(1, ov, None, Some((&invariant, &vec![None; varies.len()])));
        let zero = self.b.ins().iconst(types::I64, 0);
        let result = match levels {
            Some(slot) => {
                let levels = self.b.ins().stack_addr(self.ptr, slot, 0);
                let total = self.fold_pairwise(red.op, red.value, ov, &fixed, levels, zero, rlen);
                self.scalar_cast(at, vt, total)
            }
            None => {
                let (acc, best) = self.fold_in_order(red.op, red.value, ov, &fixed, zero, rlen);
                if matches!(red.op, ReduceOp::ArgMin | ReduceOp::ArgMax) {
                    Elem::One(best)
                } else {
                    acc
                }
            }
        };
        let ov = self.b.use_var(o);
        let result = LaneValues::Lanes(smallvec::smallvec![result]);
        self.store(self.outputs[0], out_t, ov, result, 1);
        let next = self.b.ins().iadd_imm_s(ov, 1);
        self.b.def_var(o, next);
        self.b.ins().jump(outer_head, &[]);

        self.b.switch_to_block(exit);
        self.b.ins().return_(&[]);
    }

    /// The partial entry: fold output `o` over `r0..r1` and write the accumulator to
    /// `state` ([`STATE_BYTES`]: the value in the accumulator dtype at offset 0, and for
    /// min/max/argmin/argmax the index of the chosen element as an i64 at offset 16).
    pub(crate) fn emit_partial_reduction(&mut self, state: Value, o: Value, r0: Value, r1: Value) {
        let red = self.kernel.reduction.clone().expect("reduction kernel");
        let vt = self.dtype_of(red.value);
        let varies = self.kernel.varies_with_reduce_index();
        let invariant: Vec<bool> = varies.iter().map(|v| !v).collect();
        let fixed = self.emit_body(1, o, None, Some((&invariant, &vec![None; varies.len()])));
        let zero = self.b.ins().iconst(types::I64, 0);
        if matches!(red.op, ReduceOp::Sum | ReduceOp::Prod) {
            let at = accumulator_dtype(red.op, vt);
            let bytes = LEVELS * at.size() as u32;
            let slot = self.b.create_sized_stack_slot(StackSlotData::new(
                StackSlotKind::ExplicitSlot,
                bytes,
                4,
            ));
            let levels = self.b.ins().stack_addr(self.ptr, slot, 0);
            let total = self.fold_pairwise(red.op, red.value, o, &fixed, levels, r0, r1);
            self.store_level(state, zero, at, total);
        } else {
            let (acc, best) = self.fold_in_order(red.op, red.value, o, &fixed, r0, r1);
            self.store_level(state, zero, vt, acc);
            self.b
                .ins()
                .store(MemFlagsData::trusted(), best, state, STATE_INDEX_OFFSET);
        }
        self.b.ins().return_(&[]);
    }

    /// The reduced value `value` at reduce index `r` of output `o` (the invariant part
    /// already in `fixed`).
    pub(crate) fn reduced_value(
        &mut self,
        value: u32,
        o: Value,
        r: Value,
        fixed: &[Option<LaneValues>],
    ) -> Elem {
        let varies = self.kernel.varies_with_reduce_index();
        let vt = self.dtype_of(value);
        let vals = self.emit_body(1, o, Some(r), Some((&varies, fixed)));
        let v = vals[value as usize].clone().expect("computed");
        self.lanes(&v, vt, 1)[0]
    }

    /// Sum or product of `value` over `r0..r1`, pairwise over blocks of [`SUM_BLOCK`],
    /// in the accumulator dtype. `levels` points to [`LEVELS`] accumulators of scratch.
    #[allow(clippy::too_many_arguments)]
    fn fold_pairwise(
        &mut self,
        op: ReduceOp,
        value: u32,
        o: Value,
        fixed: &[Option<LaneValues>],
        levels: Value,
        r0: Value,
        r1: Value,
    ) -> Elem {
        let vt = self.dtype_of(value);
        let at = accumulator_dtype(op, vt);
        let (identity, bop) = pairwise_op(op);
        let parts = if at.is_complex() { 2 } else { 1 };
        let aty = clif_type(at);
        // Independent accumulators within a block: element r goes to chain r % CHAINS
        // (the tail to chain 0), so the adds do not wait on each other.
        let chains: Vec<Vec<Variable>> = (0..CHAINS)
            .map(|_| (0..parts).map(|_| self.b.declare_var(aty)).collect())
            .collect();
        // float64: the four chains as two f64x2 registers (lanes 0, 1 and 2, 3), the
        // same additions in the same order.
        let vector = at == DType::F64 && vt == DType::F64;
        let vchains: Vec<Variable> = if vector {
            (0..CHAINS / 2)
                .map(|_| self.b.declare_var(types::F64X2))
                .collect()
        } else {
            Vec::new()
        };
        let (dep_r, unit_r) = crate::lanes::dependence(self.kernel, crate::lanes::Along::Reduced);
        let carry: Vec<Variable> = (0..parts).map(|_| self.b.declare_var(aty)).collect();
        let r = self.b.declare_var(types::I64);
        let blocks = self.b.declare_var(types::I64);
        let m = self.b.declare_var(types::I64);
        let level = self.b.declare_var(types::I64);
        self.b.def_var(r, r0);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.def_var(blocks, zero);

        let blk_head = self.b.create_block();
        let blk_init = self.b.create_block();
        let unrolled_head = self.b.create_block();
        let unrolled_body = self.b.create_block();
        let unrolled_exit = self.b.create_block();
        let inner_head = self.b.create_block();
        let inner_body = self.b.create_block();
        let blk_end = self.b.create_block();
        let merge_head = self.b.create_block();
        let merge_body = self.b.create_block();
        let push = self.b.create_block();
        let finish = self.b.create_block();
        let fin_head = self.b.create_block();
        let fin_body = self.b.create_block();
        let fin_add = self.b.create_block();
        let fin_next = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().jump(blk_head, &[]);

        // One block of up to SUM_BLOCK elements, folded in order.
        self.b.switch_to_block(blk_head);
        let rv = self.b.use_var(r);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, rv, r1);
        self.b.ins().brif(more, blk_init, &[], finish, &[]);

        self.b.switch_to_block(blk_init);
        for chain in &chains {
            let id = self.constant(identity, at);
            self.set_parts(chain, id);
        }
        for &vc in &vchains {
            let id = self.constant(identity, at).one();
            let id = self.b.ins().splat(types::F64X2, id);
            self.b.def_var(vc, id);
        }
        let rv = self.b.use_var(r);
        let bend = self.b.ins().iadd_imm_s(rv, SUM_BLOCK);
        let bend = self.b.ins().smin(bend, r1);
        self.b.ins().jump(unrolled_head, &[]);

        // CHAINS elements at a time while they fit in the block.
        self.b.switch_to_block(unrolled_head);
        self.branch_while_fits(r, CHAINS, bend, unrolled_body, unrolled_exit);

        self.b.switch_to_block(unrolled_body);
        let rv = self.b.use_var(r);
        if vector {
            let vals = self.emit_lanes(
                CHAINS,
                crate::lanes::Along::Reduced,
                o,
                rv,
                fixed,
                &dep_r,
                &unit_r,
            );
            let v = vals[value as usize].clone().expect("computed");
            let regs = crate::vector::pack(self, &v, DType::F64, CHAINS);
            for (&vc, &x) in vchains.iter().zip(&regs) {
                let cur = self.b.use_var(vc);
                let next = if bop == BinaryOp::Mul {
                    self.b.ins().fmul(cur, x)
                } else {
                    self.b.ins().fadd(cur, x)
                };
                self.b.def_var(vc, next);
            }
        } else {
            for (j, chain) in chains.iter().enumerate() {
                let rj = self.b.ins().iadd_imm_s(rv, j as i64);
                let v = self.reduced_value(value, o, rj, fixed);
                let v = self.scalar_cast(vt, at, v);
                let cur = self.get_parts(chain, at);
                let next = self.scalar_binary(bop, at, cur, v);
                self.set_parts(chain, next);
            }
        }
        self.advance_and_loop(r, CHAINS, unrolled_head);

        // Vector chains back to the scalar ones for the rest of the block.
        self.b.switch_to_block(unrolled_exit);
        for (j, chain) in chains.iter().enumerate() {
            if let Some(&vc) = vchains.get(j / 2) {
                let reg = self.b.use_var(vc);
                let lane = self.b.ins().extractlane(reg, (j % 2) as u8);
                self.b.def_var(chain[0], lane);
            }
        }
        self.b.ins().jump(inner_head, &[]);

        // The rest of the block, one at a time into chain 0.
        self.b.switch_to_block(inner_head);
        let rv = self.b.use_var(r);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, rv, bend);
        self.b.ins().brif(more, inner_body, &[], blk_end, &[]);

        self.b.switch_to_block(inner_body);
        let rv = self.b.use_var(r);
        let v = self.reduced_value(value, o, rv, fixed);
        let v = self.scalar_cast(vt, at, v);
        let cur = self.get_parts(&chains[0], at);
        let next = self.scalar_binary(bop, at, cur, v);
        self.set_parts(&chains[0], next);
        let next = self.b.ins().iadd_imm_s(rv, 1);
        self.b.def_var(r, next);
        self.b.ins().jump(inner_head, &[]);

        // Binary counter: while the low bit of the count of earlier blocks is set, fold
        // that level's accumulator into the carry and move up a level; store the carry
        // at the first free level.
        // The block's value: the chains combined pairwise, (c0 op c1) op (c2 op c3).
        self.b.switch_to_block(blk_end);
        let c: Vec<Elem> = chains.iter().map(|ch| self.get_parts(ch, at)).collect();
        let lo = self.scalar_binary(bop, at, c[0], c[1]);
        let hi = self.scalar_binary(bop, at, c[2], c[3]);
        let done_blk = self.scalar_binary(bop, at, lo, hi);
        self.set_parts(&carry, done_blk);
        let n = self.b.use_var(blocks);
        self.b.def_var(m, n);
        self.b.def_var(level, zero);
        self.b.ins().jump(merge_head, &[]);

        self.b.switch_to_block(merge_head);
        let mv = self.b.use_var(m);
        let bit = self.b.ins().band_imm_s(mv, 1);
        self.b.ins().brif(bit, merge_body, &[], push, &[]);

        self.b.switch_to_block(merge_body);
        let lv = self.b.use_var(level);
        let earlier = self.load_level(levels, lv, at);
        let c = self.get_parts(&carry, at);
        let sum = self.scalar_binary(bop, at, earlier, c);
        self.set_parts(&carry, sum);
        let next = self.b.ins().iadd_imm_s(lv, 1);
        self.b.def_var(level, next);
        let mv = self.b.use_var(m);
        let next = self.b.ins().sshr_imm_s(mv, 1);
        self.b.def_var(m, next);
        self.b.ins().jump(merge_head, &[]);

        self.b.switch_to_block(push);
        let lv = self.b.use_var(level);
        let c = self.get_parts(&carry, at);
        self.store_level(levels, lv, at, c);
        let n = self.b.use_var(blocks);
        let n = self.b.ins().iadd_imm_s(n, 1);
        self.b.def_var(blocks, n);
        self.b.ins().jump(blk_head, &[]);

        // The total: the identity, then each occupied level from the lowest (the latest
        // elements) up, folded in.
        self.b.switch_to_block(finish);
        let id = self.constant(identity, at);
        self.set_parts(&carry, id);
        let n = self.b.use_var(blocks);
        self.b.def_var(m, n);
        self.b.def_var(level, zero);
        self.b.ins().jump(fin_head, &[]);

        self.b.switch_to_block(fin_head);
        let mv = self.b.use_var(m);
        let any = self.b.ins().icmp_imm_s(IntCC::NotEqual, mv, 0);
        self.b.ins().brif(any, fin_body, &[], done, &[]);

        self.b.switch_to_block(fin_body);
        let mv = self.b.use_var(m);
        let bit = self.b.ins().band_imm_s(mv, 1);
        self.b.ins().brif(bit, fin_add, &[], fin_next, &[]);

        self.b.switch_to_block(fin_add);
        let lv = self.b.use_var(level);
        let earlier = self.load_level(levels, lv, at);
        let c = self.get_parts(&carry, at);
        let sum = self.scalar_binary(bop, at, earlier, c);
        self.set_parts(&carry, sum);
        self.b.ins().jump(fin_next, &[]);

        self.b.switch_to_block(fin_next);
        let lv = self.b.use_var(level);
        let next = self.b.ins().iadd_imm_s(lv, 1);
        self.b.def_var(level, next);
        let mv = self.b.use_var(m);
        let next = self.b.ins().sshr_imm_s(mv, 1);
        self.b.def_var(m, next);
        self.b.ins().jump(fin_head, &[]);

        self.b.switch_to_block(done);
        self.get_parts(&carry, at)
    }

    fn level_addr(&mut self, levels: Value, level: Value, t: DType) -> Value {
        let off = self.b.ins().imul_imm_s(level, t.size() as i64);
        self.b.ins().iadd(levels, off)
    }

    fn load_level(&mut self, levels: Value, level: Value, t: DType) -> Elem {
        let addr = self.level_addr(levels, level, t);
        let ty = clif_type(t);
        let flags = MemFlagsData::trusted();
        let a = self.b.ins().load(ty, flags, addr, 0);
        if t.is_complex() {
            Elem::Pair(a, self.b.ins().load(ty, flags, addr, ty.bytes() as i32))
        } else {
            Elem::One(a)
        }
    }

    fn store_level(&mut self, levels: Value, level: Value, t: DType, v: Elem) {
        let addr = self.level_addr(levels, level, t);
        let ty = clif_type(t);
        let flags = MemFlagsData::trusted();
        match v {
            Elem::One(a) => {
                self.b.ins().store(flags, a, addr, 0);
            }
            Elem::Pair(a, b) => {
                self.b.ins().store(flags, a, addr, 0);
                self.b.ins().store(flags, b, addr, ty.bytes() as i32);
            }
        }
    }

    /// min/max/argmin/argmax/any/all of `value` over `r0..r1`, in order: the value (or
    /// the accumulated bool) and the index of the chosen element. min/max/argmin/argmax
    /// start from the element at `r0` (the range is not empty: the runner refuses
    /// empty ones).
    fn fold_in_order(
        &mut self,
        op: ReduceOp,
        value: u32,
        o: Value,
        fixed: &[Option<LaneValues>],
        r0: Value,
        r1: Value,
    ) -> (Elem, Value) {
        let vt = self.dtype_of(value);
        let parts = if vt.is_complex() { 2 } else { 1 };
        let vty = clif_type(vt);
        let acc: Vec<Variable> = (0..parts).map(|_| self.b.declare_var(vty)).collect();
        let best = self.b.declare_var(types::I64);
        let r = self.b.declare_var(types::I64);
        self.b.def_var(best, r0);
        let finished = self.b.create_block();
        if needs_first_of(op) && vt == DType::F64 {
            self.try_extreme_f64x2(op, value, o, fixed, (r0, r1), (acc[0], best), finished);
        }
        let needs_first = needs_first_of(op);
        if needs_first {
            // An empty range reads nothing: the first element only when there is one.
            let first = self.b.create_block();
            let start = self.b.create_block();
            let init = self.constant(Scalar::I64(0), vt);
            self.set_parts(&acc, init);
            self.b.def_var(r, r0);
            let some = self.b.ins().icmp(IntCC::SignedLessThan, r0, r1);
            self.b.ins().brif(some, first, &[], start, &[]);
            self.b.switch_to_block(first);
            let s = self.reduced_value(value, o, r0, fixed);
            self.set_parts(&acc, s);
            let next = self.b.ins().iadd_imm_s(r0, 1);
            self.b.def_var(r, next);
            self.b.ins().jump(start, &[]);
            self.b.switch_to_block(start);
        } else {
            let init = if op == ReduceOp::All {
                Scalar::Bool(true)
            } else {
                Scalar::I64(0)
            };
            let s = self.constant(init, vt);
            self.set_parts(&acc, s);
            self.b.def_var(r, r0);
            if vt == DType::Bool {
                self.fold_any_all_lanes(op, value, o, fixed, (r, r1), acc[0], finished);
            }
        }

        // min/max/argmin/argmax of reals: CHAINS interleaved (value, index) chains, all
        // starting from the first element, merged at the end by (first NaN, else best
        // value, else lowest index): the in-order result, without the serial chain.
        let chained = needs_first && !vt.is_complex();
        let mut chains = vec![(acc.clone(), best)];
        if chained {
            for _ in 1..CHAINS {
                let a: Vec<Variable> = (0..parts).map(|_| self.b.declare_var(vty)).collect();
                let first = self.get_parts(&acc, vt);
                self.set_parts(&a, first);
                let bi = self.b.declare_var(types::I64);
                let b0 = self.b.use_var(best);
                self.b.def_var(bi, b0);
                chains.push((a, bi));
            }
            if vt == DType::F64 {
                // The chains in f64x2 registers (see `minmax_simd.rs`).
                let ch: Vec<(Variable, Variable)> =
                    chains.iter().map(|(a, b)| (a[0], *b)).collect();
                self.fold_ordered_f64x2(op, value, o, fixed, r, r1, &ch);
            }
            let unrolled_head = self.b.create_block();
            let unrolled_body = self.b.create_block();
            let scalar_loop = self.b.create_block();
            self.b.ins().jump(unrolled_head, &[]);
            self.b.switch_to_block(unrolled_head);
            self.branch_while_fits(r, CHAINS, r1, unrolled_body, scalar_loop);
            self.b.switch_to_block(unrolled_body);
            let rv = self.b.use_var(r);
            for (j, (a, bi)) in chains.iter().enumerate() {
                let rj = self.b.ins().iadd_imm_s(rv, j as i64);
                let v = self.reduced_value(value, o, rj, fixed);
                self.fold_ordered(op, vt, a, *bi, v, rj);
            }
            self.advance_and_loop(r, CHAINS, unrolled_head);
            self.b.switch_to_block(scalar_loop);
        }

        let head = self.b.create_block();
        let body = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        let rv = self.b.use_var(r);
        let more = self.b.ins().icmp(IntCC::SignedLessThan, rv, r1);
        self.b.ins().brif(more, body, &[], done, &[]);

        self.b.switch_to_block(body);
        let rv = self.b.use_var(r);
        let v = self.reduced_value(value, o, rv, fixed);
        self.fold_ordered(op, vt, &acc, best, v, rv);
        let next = self.b.ins().iadd_imm_s(rv, 1);
        self.b.def_var(r, next);
        self.b.ins().jump(head, &[]);

        self.b.switch_to_block(done);
        if chained {
            for (a, bi) in &chains[1..] {
                let (x, xi) = (self.b.use_var(a[0]), self.b.use_var(*bi));
                self.merge_chain(op, vt, &acc, best, x, xi);
            }
        }
        self.b.ins().jump(finished, &[]);
        self.b.switch_to_block(finished);
        (self.get_parts(&acc, vt), self.b.use_var(best))
    }

    /// Merge another chain's (value `x`, index `xi`) into (`acc`, `best`): a NaN wins
    /// over a number, the lower index over an equal (or another NaN), else the better
    /// value.
    pub(crate) fn merge_chain(
        &mut self,
        op: ReduceOp,
        t: DType,
        acc: &[Variable],
        best: Variable,
        x: Value,
        xi: Value,
    ) {
        let want_max = matches!(op, ReduceOp::Max | ReduceOp::ArgMax);
        let cur = self.b.use_var(acc[0]);
        let bi = self.b.use_var(best);
        let earlier = self.b.ins().icmp(IntCC::SignedLessThan, xi, bi);
        let take = if t.is_float() {
            let (strict, eq) = if want_max {
                (FloatCC::GreaterThan, FloatCC::Equal)
            } else {
                (FloatCC::LessThan, FloatCC::Equal)
            };
            let strictly = self.b.ins().fcmp(strict, x, cur);
            let equal = self.b.ins().fcmp(eq, x, cur);
            let x_nan = self.b.ins().fcmp(FloatCC::Unordered, x, x);
            let cur_nan = self.b.ins().fcmp(FloatCC::Unordered, cur, cur);
            // Both numbers: better, or equal and earlier.
            let tie = self.b.ins().band(equal, earlier);
            let numbers = self.b.ins().bor(strictly, tie);
            // Both NaN: the earlier. x NaN, cur a number: x.
            let both_nan = self.b.ins().band(x_nan, cur_nan);
            let nan_tie = self.b.ins().band(both_nan, earlier);
            let not_cur_nan = self.b.ins().bxor_imm_s(cur_nan, 1);
            let x_nan_only = self.b.ins().band(x_nan, not_cur_nan);
            let nan_rule = self.b.ins().bor(nan_tie, x_nan_only);
            let numbers = self.b.ins().band(numbers, not_cur_nan);
            self.b.ins().bor(numbers, nan_rule)
        } else {
            let signed = !t.is_bool();
            let cc = match (want_max, signed) {
                (true, true) => IntCC::SignedGreaterThan,
                (true, false) => IntCC::UnsignedGreaterThan,
                (false, true) => IntCC::SignedLessThan,
                (false, false) => IntCC::UnsignedLessThan,
            };
            let strictly = self.b.ins().icmp(cc, x, cur);
            let equal = self.b.ins().icmp(IntCC::Equal, x, cur);
            let tie = self.b.ins().band(equal, earlier);
            self.b.ins().bor(strictly, tie)
        };
        let n = self.b.ins().select(take, x, cur);
        self.b.def_var(acc[0], n);
        let nb = self.b.ins().select(take, xi, bi);
        self.b.def_var(best, nb);
    }

    fn set_parts(&mut self, vars: &[Variable], s: Elem) {
        match s {
            Elem::One(v) => self.b.def_var(vars[0], v),
            Elem::Pair(a, b) => {
                self.b.def_var(vars[0], a);
                self.b.def_var(vars[1], b);
            }
        }
    }
    fn get_parts(&mut self, vars: &[Variable], t: DType) -> Elem {
        if t.is_complex() {
            Elem::Pair(self.b.use_var(vars[0]), self.b.use_var(vars[1]))
        } else {
            Elem::One(self.b.use_var(vars[0]))
        }
    }

    /// min/max/argmin/argmax/any/all: replace the best so far when strictly better, NaN
    /// winning and staying (first NaN, first of equals), as the interpreter does.
    fn fold_ordered(
        &mut self,
        op: ReduceOp,
        t: DType,
        acc: &[Variable],
        best: Variable,
        v: Elem,
        r: Value,
    ) {
        let cur = self.b.use_var(acc[0]);
        let x = v.one();
        match op {
            ReduceOp::Any | ReduceOp::All => {
                let n = if op == ReduceOp::Any {
                    self.b.ins().bor(cur, x)
                } else {
                    self.b.ins().band(cur, x)
                };
                self.b.def_var(acc[0], n);
                return;
            }
            _ => {}
        }
        let want_max = matches!(op, ReduceOp::Max | ReduceOp::ArgMax);
        let better = if t.is_float() {
            // (x strictly better or x NaN) and cur not NaN, in two compares: the
            // unordered compare is also true when cur is NaN, which `ordered` excludes.
            let cc = if want_max {
                FloatCC::UnorderedOrGreaterThan
            } else {
                FloatCC::UnorderedOrLessThan
            };
            let wins = self.b.ins().fcmp(cc, x, cur);
            let cur_ordered = self.b.ins().fcmp(FloatCC::Ordered, cur, cur);
            self.b.ins().band(wins, cur_ordered)
        } else {
            let signed = !t.is_bool();
            let cc = match (want_max, signed) {
                (true, true) => IntCC::SignedGreaterThan,
                (true, false) => IntCC::UnsignedGreaterThan,
                (false, true) => IntCC::SignedLessThan,
                (false, false) => IntCC::UnsignedLessThan,
            };
            self.b.ins().icmp(cc, x, cur)
        };
        let n = self.b.ins().select(better, x, cur);
        self.b.def_var(acc[0], n);
        let bi = self.b.use_var(best);
        let nb = self.b.ins().select(better, r, bi);
        self.b.def_var(best, nb);
    }
}

/// Whether `op` starts from the range's first element (min, max, argmin, argmax).
fn needs_first_of(op: ReduceOp) -> bool {
    matches!(
        op,
        ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax
    )
}
