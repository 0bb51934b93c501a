//! The kernel IR: what the scheduler hands to a backend. A kernel is a straight-line
//! SSA program evaluated once per output element (or, for a reduction, once per
//! (output, reduced) index pair). Every value the user chose — constants, extents,
//! strides, offsets — is a run-time parameter, so one compiled kernel serves every
//! shape and constant with the same structure.

use crate::dtype::{DType, Scalar};
use crate::graph::{ReduceOp, ScalarKey};
use crate::ops::{BinaryOp, UnaryOp};
use std::fmt;

/// Index of an instruction's result within `Kernel::body`.
pub type ValueId = u32;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RandomDist {
    Uniform,
    Normal,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Inst {
    /// The output element index (i64); in a reduction, the index of the output element.
    Index,
    /// The position in the reduced range (i64); only in reduction kernels.
    ReduceIndex,
    /// Run-time parameter `k` (its dtype is `Kernel::params[k]`).
    Param(u32),
    /// A constant that is part of the kernel's structure (0, 1, ...), not a user value.
    Const(ScalarKey),
    /// Element `index` (i64) of input buffer `input`.
    Load {
        input: u32,
        index: ValueId,
    },
    Unary(UnaryOp, ValueId),
    Binary(BinaryOp, ValueId, ValueId),
    /// `cond ? a : b`.
    Select(ValueId, ValueId, ValueId),
    /// Convert to this instruction's dtype with `astype` semantics.
    Cast(ValueId),
    /// Philox random number (f64) for seed (i64 param) and counter (i64).
    Random {
        dist: RandomDist,
        seed: ValueId,
        counter: ValueId,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instr {
    pub inst: Inst,
    pub dtype: DType,
}

/// A reduction: `value` is folded over `ReduceIndex` in 0..reduce_len for each output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reduction {
    pub op: ReduceOp,
    pub value: ValueId,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    pub body: Vec<Instr>,
    pub params: Vec<DType>,
    pub inputs: Vec<DType>,
    /// Values stored per output element, output `i` to buffer `i`; dtypes in `output_dtypes`.
    pub outputs: Vec<ValueId>,
    pub output_dtypes: Vec<DType>,
    pub reduction: Option<Reduction>,
}

/// The run-time arguments of one kernel launch.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    /// Output elements.
    pub len: usize,
    /// Length of the reduced range (1 for elementwise kernels).
    pub reduce_len: usize,
    /// Values of the parameters, in `Kernel::params` order and dtype.
    pub params: Vec<Scalar>,
}

impl Kernel {
    /// A short name for errors and logs, e.g. `k3x_sin_mul` (outputs, then its ops).
    pub fn name(&self) -> String {
        let mut ops: Vec<&str> = self
            .body
            .iter()
            .filter_map(|i| match &i.inst {
                Inst::Unary(op, _) => Some(op.name()),
                Inst::Binary(op, _, _) if !i.dtype.is_int() => Some(op.name()),
                _ => None,
            })
            .collect();
        ops.dedup();
        ops.truncate(4);
        let red = self.reduction.as_ref().map(|r| r.op.name()).unwrap_or("");
        format!("k{}_{}{}", self.outputs.len(), red, ops.join("_"))
    }

    /// The value ids that depend on `ReduceIndex` (recomputed for every reduced element);
    /// the rest depend only on the output index.
    pub fn varies_with_reduce_index(&self) -> Vec<bool> {
        let mut v = vec![false; self.body.len()];
        for (i, ins) in self.body.iter().enumerate() {
            v[i] = match &ins.inst {
                Inst::ReduceIndex => true,
                Inst::Index | Inst::Param(_) | Inst::Const(_) => false,
                Inst::Load { index, .. } => v[*index as usize],
                Inst::Unary(_, a) | Inst::Cast(a) => v[*a as usize],
                Inst::Binary(_, a, b) => v[*a as usize] || v[*b as usize],
                Inst::Select(c, a, b) => v[*c as usize] || v[*a as usize] || v[*b as usize],
                Inst::Random { seed, counter, .. } => v[*seed as usize] || v[*counter as usize],
            };
        }
        v
    }
}

/// The text form, used by snapshot tests and `Display`:
/// `%3:f64 = sin %2`, one instruction per line.
impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |ts: &[DType]| ts.iter().map(|t| t.name()).collect::<Vec<_>>().join(", ");
        writeln!(
            f,
            "kernel {} (inputs: [{}], params: [{}])",
            self.name(),
            list(&self.inputs),
            list(&self.params)
        )?;
        for (i, ins) in self.body.iter().enumerate() {
            let t = ins.dtype.name();
            let rhs = match &ins.inst {
                Inst::Index => "index".to_string(),
                Inst::ReduceIndex => "reduce_index".to_string(),
                Inst::Param(k) => format!("param {k}"),
                Inst::Const(c) => format!("const {}", c.0),
                Inst::Load { input, index } => format!("load in{input}[%{index}]"),
                Inst::Unary(op, a) => format!("{} %{a}", op.name()),
                Inst::Binary(op, a, b) => format!("{} %{a}, %{b}", op.name()),
                Inst::Select(c, a, b) => format!("select %{c}, %{a}, %{b}"),
                Inst::Cast(a) => format!("cast %{a}"),
                Inst::Random {
                    dist,
                    seed,
                    counter,
                } => format!("random_{dist:?} %{seed}, %{counter}").to_lowercase(),
            };
            writeln!(f, "  %{i}:{t} = {rhs}")?;
        }
        if let Some(r) = &self.reduction {
            writeln!(f, "  reduce {} %{}", r.op.name(), r.value)?;
        }
        let outs: Vec<String> = self.outputs.iter().map(|o| format!("%{o}")).collect();
        writeln!(f, "  store [{}]", outs.join(", "))
    }
}
