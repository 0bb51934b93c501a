//! The body of a reduction kernel for several consecutive elements along one index (the
//! output index in `rows.rs`, the reduced index in `reduction.rs`), the rest of the body
//! already computed once: loads of consecutive float64 elements become f64x2 loads,
//! everything else is the lane-by-lane code of `translate.rs` (packed into registers
//! where `vector.rs` knows the operation).

use crate::translate::{Elem, Emitter, LaneValues};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use mathengine_ir::kernel::{Inst, Kernel};
use mathengine_ir::{BinaryOp, DType};

/// The index the lanes step along.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Along {
    Output,
    Reduced,
}

impl Along {
    fn is_root(self, inst: &Inst) -> bool {
        match self {
            Along::Output => matches!(inst, Inst::Index),
            Along::Reduced => matches!(inst, Inst::ReduceIndex),
        }
    }
}

/// For each value: whether it depends on the `along` index, and whether it is that
/// index plus (or minus) something independent of it: consecutive elements for
/// consecutive indices.
pub(crate) fn dependence(kernel: &Kernel, along: Along) -> (Vec<bool>, Vec<bool>) {
    let n = kernel.body.len();
    let (mut dep, mut unit) = (vec![false; n], vec![false; n]);
    for (i, ins) in kernel.body.iter().enumerate() {
        let d = |v: &u32| dep[*v as usize];
        let u = |v: &u32| unit[*v as usize];
        let depends = match &ins.inst {
            inst if along.is_root(inst) => true,
            Inst::Index | Inst::ReduceIndex | Inst::Param(_) | Inst::Const(_) => false,
            Inst::Load { index, .. } => d(index),
            Inst::Unary(_, a) | Inst::Cast(a) => d(a),
            Inst::Binary(_, a, b) => d(a) || d(b),
            Inst::Select(c, a, b) => d(c) || d(a) || d(b),
            Inst::Random { seed, counter, .. } => d(seed) || d(counter),
        };
        let unit_stride = ins.dtype == DType::I64
            && match &ins.inst {
                inst if along.is_root(inst) => true,
                Inst::Binary(BinaryOp::Add, a, b) => (u(a) && !d(b)) || (!d(a) && u(b)),
                Inst::Binary(BinaryOp::Sub, a, b) => u(a) && !d(b),
                _ => false,
            };
        dep[i] = depends;
        unit[i] = unit_stride;
    }
    (dep, unit)
}

impl Emitter<'_, '_> {
    /// The values that depend on the `along` index for `lanes` consecutive indices from
    /// `at` (output `o`, reduced index `r`; `at` is one of them), the others taken
    /// from `fixed` (one lane each).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn emit_lanes(
        &mut self,
        lanes: usize,
        along: Along,
        o: Value,
        r: Value,
        fixed: &[Option<LaneValues>],
        dep: &[bool],
        unit: &[bool],
    ) -> Vec<Option<LaneValues>> {
        let mut vals: Vec<Option<LaneValues>> = fixed
            .iter()
            .map(|v| match v {
                Some(LaneValues::Lanes(l)) if l.len() == 1 && lanes > 1 => {
                    Some(LaneValues::Lanes((0..lanes).map(|_| l[0]).collect()))
                }
                other => other.clone(),
            })
            .collect();
        let at = if along == Along::Output { o } else { r };
        for i in 0..self.kernel.body.len() {
            if !dep[i] {
                continue;
            }
            let ins = self.kernel.body[i].clone();
            let v = match ins.inst {
                ref root if along.is_root(root) => LaneValues::Lanes(
                    (0..lanes)
                        .map(|j| {
                            Elem::One(if j == 0 {
                                at
                            } else {
                                self.b.ins().iadd_imm_s(at, j as i64)
                            })
                        })
                        .collect(),
                ),
                Inst::Load { input, index }
                    if lanes > 1 && ins.dtype == DType::F64 && unit[index as usize] =>
                {
                    let idx = match vals[index as usize].as_ref().expect("SSA order") {
                        LaneValues::Lanes(l) => l[0].one(),
                        LaneValues::Regs(_) => unreachable!("indices are i64 lanes"),
                    };
                    let base = self.input_ptr(input);
                    let off = self.b.ins().imul_imm_s(idx, 8);
                    let addr = self.b.ins().iadd(base, off);
                    let flags = MemFlagsData::new().with_notrap().with_readonly();
                    LaneValues::Regs(
                        (0..lanes / 2)
                            .map(|k| self.b.ins().load(types::F64X2, flags, addr, 16 * k as i32))
                            .collect(),
                    )
                }
                ref inst => self.emit_inst(inst, ins.dtype, lanes, o, Some(r), &vals),
            };
            vals[i] = Some(v);
        }
        vals
    }
}
