//! The kernel IR: what the scheduler hands to a backend. A kernel is a straight-line
//! SSA program evaluated once per output element (or, for a reduction, once per
//! (output, reduced) index pair). Every value the user chose — constants, extents,
//! strides, offsets — is a run-time parameter, so one compiled kernel serves every
//! shape and constant with the same structure.

use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::graph::{ReduceOp, ScalarKey};
use crate::ops::{BinaryOp, UnaryOp};
use std::fmt;
use std::sync::Arc;

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

impl Inst {
    /// The values this instruction reads, in order.
    pub fn operands(&self) -> Vec<ValueId> {
        match *self {
            Inst::Index | Inst::ReduceIndex | Inst::Param(_) | Inst::Const(_) => vec![],
            Inst::Load { index, .. } => vec![index],
            Inst::Unary(_, a) | Inst::Cast(a) => vec![a],
            Inst::Binary(_, a, b) => vec![a, b],
            Inst::Select(c, a, b) => vec![c, a, b],
            Inst::Random { seed, counter, .. } => vec![seed, counter],
        }
    }

    /// This instruction reading `f(v)` in place of each operand `v`.
    pub fn map_operands(&self, f: impl Fn(ValueId) -> ValueId) -> Inst {
        match self.clone() {
            Inst::Load { input, index } => Inst::Load {
                input,
                index: f(index),
            },
            Inst::Unary(op, a) => Inst::Unary(op, f(a)),
            Inst::Cast(a) => Inst::Cast(f(a)),
            Inst::Binary(op, a, b) => Inst::Binary(op, f(a), f(b)),
            Inst::Select(c, a, b) => Inst::Select(f(c), f(a), f(b)),
            Inst::Random {
                dist,
                seed,
                counter,
            } => Inst::Random {
                dist,
                seed: f(seed),
                counter: f(counter),
            },
            other => other,
        }
    }
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

/// The run-time arguments of one kernel launch, read through [`Launch`].
#[derive(Clone, Debug, PartialEq)]
pub struct LaunchArgs {
    /// Output elements.
    pub len: usize,
    /// Length of the reduced range (1 for elementwise kernels).
    pub reduce_len: usize,
    /// Values of the parameters, in `Kernel::params` order and dtype.
    pub params: Vec<Scalar>,
    /// Elements of each input buffer, in `Kernel::inputs` order.
    pub input_lens: Vec<usize>,
    /// For an elementwise kernel that reads an operand across its memory order (a
    /// transpose), the extent of the output's innermost axis, so a runner can walk the
    /// output in cache-sized tiles of (rows, `tile_cols`); 0 otherwise. Only the order
    /// of the work depends on it, never a result.
    pub tile_cols: usize,
}

/// One launch of one kernel: its sizes, parameter values and input lengths, bound to
/// the kernel it was lowered with.
///
/// Only lowering makes a `Launch` (its fields are private; read them through `Deref`
/// to [`LaunchArgs`]), and lowering guarantees that every index the kernel computes
/// for an output element below `len` (and a reduced index below `reduce_len`) lies
/// inside the input whose length `input_lens` records. So once [`Launch::check`] has
/// confirmed that the buffers handed to a backend are those inputs (count, dtypes,
/// lengths) and that the kernel is the one lowered with this launch, running it reads
/// and writes nothing out of bounds. Every backend calls `check` before it runs code
/// that is not bounds-checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    args: LaunchArgs,
    kernel: Arc<Kernel>,
}

impl std::ops::Deref for Launch {
    type Target = LaunchArgs;
    fn deref(&self) -> &LaunchArgs {
        &self.args
    }
}

impl Launch {
    pub(crate) fn new(kernel: Arc<Kernel>, args: LaunchArgs) -> Launch {
        Launch { args, kernel }
    }

    /// The kernel this launch was lowered with.
    pub fn kernel(&self) -> &Arc<Kernel> {
        &self.kernel
    }

    /// The one launch contract, checked by every backend before it runs `kernel`: the
    /// kernel is the one this launch was lowered with; the inputs, given as (dtype,
    /// length) in `kernel.inputs` order, have the counts, dtypes and lengths lowering
    /// recorded; the sizes fit the kernels' 64-bit indices; and a min/max reduction
    /// over an empty range (which has no identity) is refused.
    pub fn check<I>(&self, kernel: &Kernel, inputs: I) -> Result<()>
    where
        I: IntoIterator<Item = (DType, usize)>,
    {
        let op = || format!("run kernel {}", kernel.name());
        let bad = |msg: String| Err(Error::internal(op(), msg));
        if !std::ptr::eq(&*self.kernel, kernel) && *self.kernel != *kernel {
            return bad(format!(
                "the launch was lowered for kernel {}, not this one",
                self.kernel.name()
            ));
        }
        let inputs: Vec<(DType, usize)> = inputs.into_iter().collect();
        if inputs.len() != kernel.inputs.len() || self.input_lens.len() != kernel.inputs.len() {
            return bad(format!(
                "{} input buffers given, {} expected",
                inputs.len(),
                kernel.inputs.len()
            ));
        }
        for (k, ((t, n), (&want_t, &want_n))) in inputs
            .iter()
            .zip(kernel.inputs.iter().zip(&self.input_lens))
            .enumerate()
        {
            if *t != want_t {
                return bad(format!("input {k} is {t} but the kernel reads {want_t}"));
            }
            if *n != want_n {
                return bad(format!(
                    "input {k} has {n} elements but the kernel was lowered for {want_n}"
                ));
            }
        }
        if self.params.len() != kernel.params.len()
            || self
                .params
                .iter()
                .zip(&kernel.params)
                .any(|(s, &t)| s.dtype() != t)
        {
            return bad(format!(
                "{} parameters given, {} expected",
                self.params.len(),
                kernel.params.len()
            ));
        }
        let fits = |v: usize| i64::try_from(v).is_ok();
        if !fits(self.len)
            || !fits(self.reduce_len)
            || self.len.checked_mul(self.reduce_len.max(1)).is_none()
        {
            return Err(Error::invalid(
                op(),
                format!(
                    "{} outputs x {} reduced elements do not fit a 64-bit index; use smaller arrays",
                    self.len, self.reduce_len
                ),
            ));
        }
        if kernel.outputs.len() != kernel.output_dtypes.len() {
            return bad("outputs and output dtypes differ in count".into());
        }
        if let Some(r) = &kernel.reduction {
            use crate::graph::ReduceOp::*;
            if self.reduce_len == 0 && self.len > 0 && matches!(r.op, Min | Max | ArgMin | ArgMax) {
                return Err(Error::invalid(
                    r.op.name(),
                    "zero-size reduction has no identity; give the array at least one element along the reduced axes (numpy raises ValueError here too)",
                ));
            }
        }
        Ok(())
    }
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
