//! The naive evaluator of tests/properties.rs: an independent model of what a graph of
//! array operations computes, one element at a time, recursively, from the output
//! multi-index with direct index arithmetic.
//!
//! Its only borrowed semantics are the scalar ones: `mathengine_ir::scalar_eval::{unary,
//! binary}` and `Scalar::cast` (astype), which define what each operation does to one
//! value. Dtype promotion, broadcasting, every index mapping and the reductions
//! (pairwise sums, first-NaN min/max) are written here, from numpy's rules.

#![allow(dead_code)]

use mathengine::{DType, ReduceOp, Scalar};
use mathengine_ir::{scalar_eval, BinaryOp, UnaryOp};
use std::cell::RefCell;

// ---------------------------------------------------------------------------------
// numpy's dtype rules, written out for the naive evaluator
// ---------------------------------------------------------------------------------

pub fn inexact(t: DType) -> DType {
    if t.is_float() || t.is_complex() {
        t
    } else {
        DType::F64
    }
}

pub fn real_of(t: DType) -> DType {
    match t {
        DType::C64 => DType::F32,
        DType::C128 => DType::F64,
        t => t,
    }
}

/// numpy's result type of two arrays' dtypes.
pub fn promote(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    if a == Bool {
        return b;
    }
    if b == Bool {
        return a;
    }
    let kind = |t: DType| match t {
        I32 | I64 => 1,
        F32 | F64 => 2,
        _ => 3,
    };
    match (kind(a), kind(b)) {
        (1, 1) => I64,
        (2, 2) => F64,
        (3, 3) => C128,
        (1, 2) | (2, 1) => F64,
        (1, 3) | (3, 1) => C128,
        _ => {
            if (a == F32 && b == C64) || (a == C64 && b == F32) {
                C64
            } else {
                C128
            }
        }
    }
}

/// (compute dtype, result dtype) of a unary op, or None where it is refused.
pub fn unary_sig(op: UnaryOp, x: DType) -> Option<(DType, DType)> {
    use UnaryOp::*;
    let f = inexact(x);
    Some(match op {
        Not => (DType::Bool, DType::Bool),
        IsNan | IsInf | IsFinite => (x, DType::Bool),
        Real | Imag | Abs | Angle if x.is_complex() => (x, real_of(x)),
        Real | Imag | Conj => (x, x),
        Angle => (f, f),
        Neg | Abs | Sign | Square if x == DType::Bool => return None,
        Neg | Abs | Sign | Square => (x, x),
        Floor | Ceil | Round | Trunc if x.is_complex() => return None,
        Floor | Ceil | Round | Trunc if !x.is_float() => (x, x),
        // numpy keeps the integer dtype (1/x truncated).
        Reciprocal if x.is_int() => (x, x),
        Cbrt | Expm1 | Exp2 | Log1p | Log2 | Log10 | Tan | Asin | Acos | Atan | Sinh | Cosh
        | Tanh
            if x.is_complex() =>
        {
            return None
        }
        _ => (f, f),
    })
}

/// (compute dtype, result dtype) of a binary op, or None where it is refused.
pub fn binary_sig(op: BinaryOp, a: DType, b: DType) -> Option<(DType, DType)> {
    use BinaryOp::*;
    if matches!(op, And | Or | Xor) {
        return Some((DType::Bool, DType::Bool));
    }
    let t = promote(a, b);
    Some(match op {
        Eq | Ne => (t, DType::Bool),
        _ if t.is_complex() && !matches!(op, Add | Sub | Mul | Div | Pow) => return None,
        Lt | Le | Gt | Ge => (t, DType::Bool),
        Div | Atan2 | Hypot | Copysign => (inexact(t), inexact(t)),
        _ if t == DType::Bool => return None,
        _ => (t, t),
    })
}

pub const EXACT_UNARY: [UnaryOp; 17] = [
    UnaryOp::Neg,
    UnaryOp::Abs,
    UnaryOp::Sign,
    UnaryOp::Sqrt,
    UnaryOp::Square,
    UnaryOp::Reciprocal,
    UnaryOp::Floor,
    UnaryOp::Ceil,
    UnaryOp::Round,
    UnaryOp::Trunc,
    UnaryOp::IsNan,
    UnaryOp::IsInf,
    UnaryOp::IsFinite,
    UnaryOp::Not,
    UnaryOp::Real,
    UnaryOp::Imag,
    UnaryOp::Conj,
];

pub fn is_exact_binary(op: BinaryOp) -> bool {
    !matches!(op, BinaryOp::Pow | BinaryOp::Atan2 | BinaryOp::Hypot)
}

// ---------------------------------------------------------------------------------
// Shapes and indices
// ---------------------------------------------------------------------------------

pub fn numel(s: &[usize]) -> usize {
    s.iter().product()
}

pub fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            let da = if i + a.len() >= n {
                a[i + a.len() - n]
            } else {
                1
            };
            let db = if i + b.len() >= n {
                b[i + b.len() - n]
            } else {
                1
            };
            match (da, db) {
                (x, y) if x == y => Some(x),
                (1, y) => Some(y),
                (x, 1) => Some(x),
                _ => None,
            }
        })
        .collect()
}

/// The index into an operand of shape `from` of output element `idx` (broadcasting).
pub fn broadcast_index(idx: &[usize], from: &[usize]) -> Vec<usize> {
    let off = idx.len() - from.len();
    from.iter()
        .enumerate()
        .map(|(d, &n)| if n == 1 { 0 } else { idx[d + off] })
        .collect()
}

pub fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

pub fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        if shape[d] > 0 {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
    }
    idx
}

/// Python's `slice(start, stop, step).indices(n)`: (first index, element count).
pub fn py_slice(n: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> (i64, usize) {
    let n = n as i64;
    let (lower, upper) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let clamp = |v: Option<i64>, default: i64| match v {
        None => default,
        Some(v) if v < 0 => (v + n).max(lower),
        Some(v) => v.min(upper),
    };
    let first = clamp(start, if step > 0 { lower } else { upper });
    let last = clamp(stop, if step > 0 { upper } else { lower });
    let len = if step > 0 && last > first {
        (last - first + step - 1) / step
    } else if step < 0 && first > last {
        (first - last - step - 1) / (-step)
    } else {
        0
    };
    (first, len as usize)
}

// ---------------------------------------------------------------------------------
// The graph, as the naive evaluator sees it
// ---------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub enum NaiveOp {
    Input(usize),
    Linspace {
        start: f64,
        stop: f64,
    },
    ArangeInt,
    Unary(UnaryOp),
    Binary(BinaryOp),
    Where,
    Cast,
    Reshape,
    Permute(Vec<usize>),
    /// Per axis: first input index and step.
    Slice(Vec<(i64, i64)>),
    Flip(Vec<usize>),
    /// `None` axis: roll the flattened array.
    Roll {
        shift: i64,
        axis: Option<usize>,
    },
    Pad {
        before: Vec<usize>,
        value: Scalar,
    },
    BroadcastTo,
    Concat {
        axis: usize,
    },
    Reduce {
        op: ReduceOp,
        axes: Vec<usize>,
        keepdims: bool,
    },
    Mean {
        axes: Vec<usize>,
        keepdims: bool,
    },
    Var {
        axes: Vec<usize>,
        keepdims: bool,
        ddof: usize,
    },
}

#[derive(Clone, Debug)]
pub struct NaiveNode {
    pub op: NaiveOp,
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub args: Vec<usize>,
}

pub struct Naive {
    pub nodes: Vec<NaiveNode>,
    pub inputs: Vec<Vec<Scalar>>,
    pub memo: RefCell<Vec<Vec<Option<Scalar>>>>,
}

pub fn is_nan(s: &Scalar) -> bool {
    match s {
        Scalar::F32(v) => v.is_nan(),
        Scalar::F64(v) => v.is_nan(),
        _ => false,
    }
}

/// Pairwise summation: fold blocks of up to 8 from `zero`, halve larger ranges.
pub fn pairwise(v: &[Scalar], zero: Scalar, op: BinaryOp) -> Scalar {
    if v.len() <= 8 {
        v.iter().fold(zero, |a, &b| scalar_eval::binary(op, a, b))
    } else {
        let mid = v.len() / 2;
        scalar_eval::binary(
            op,
            pairwise(&v[..mid], zero, op),
            pairwise(&v[mid..], zero, op),
        )
    }
}

/// Fold `vals` (already of the accumulation dtype) with `op`, numpy's way.
pub fn fold(op: ReduceOp, out: DType, vals: &[Scalar]) -> Scalar {
    match op {
        ReduceOp::Sum => pairwise(vals, Scalar::I64(0).cast(out), BinaryOp::Add),
        ReduceOp::Prod => pairwise(vals, Scalar::I64(1).cast(out), BinaryOp::Mul),
        ReduceOp::Any => Scalar::Bool(vals.iter().any(|v| v.to_bool())),
        ReduceOp::All => Scalar::Bool(vals.iter().all(|v| v.to_bool())),
        ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax => {
            let better = if matches!(op, ReduceOp::Max | ReduceOp::ArgMax) {
                BinaryOp::Gt
            } else {
                BinaryOp::Lt
            };
            // The first NaN wins; otherwise the first of equal extremes.
            let mut best = 0;
            for i in 1..vals.len() {
                if is_nan(&vals[best]) {
                    break;
                }
                if is_nan(&vals[i]) || scalar_eval::binary(better, vals[i], vals[best]).to_bool() {
                    best = i;
                }
            }
            if matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax) {
                Scalar::I64(best as i64)
            } else {
                vals[best]
            }
        }
        // ReduceOp is #[non_exhaustive]: a new reduction needs its model here first
        other => panic!("the naive evaluator has no model of {other:?}"),
    }
}

impl Naive {
    /// Every element of `node`, row-major.
    pub fn all(&self, node: usize) -> Vec<Scalar> {
        let shape = self.nodes[node].shape.clone();
        (0..numel(&shape))
            .map(|f| self.value(node, &unravel(f, &shape)))
            .collect()
    }

    /// The element of `node` at multi-index `idx`.
    pub fn value(&self, node: usize, idx: &[usize]) -> Scalar {
        let n = &self.nodes[node];
        let flat = ravel(idx, &n.shape);
        if let Some(v) = self.memo.borrow()[node].get(flat).copied().flatten() {
            return v;
        }
        let v = self.compute(node, idx);
        let mut memo = self.memo.borrow_mut();
        if memo[node].is_empty() {
            memo[node] = vec![None; numel(&n.shape)];
        }
        memo[node][flat] = Some(v);
        v
    }

    /// Element `idx` of argument `k` of `n`, broadcast from its shape.
    pub fn arg(&self, n: &NaiveNode, k: usize, idx: &[usize]) -> Scalar {
        let a = n.args[k];
        self.value(a, &broadcast_index(idx, &self.nodes[a].shape))
    }

    /// The input elements folded into output element `idx` of a reduction over `axes`.
    pub fn reduced(&self, x: usize, axes: &[usize], keepdims: bool, idx: &[usize]) -> Vec<Scalar> {
        let in_shape = &self.nodes[x].shape;
        let red: Vec<usize> = axes.iter().map(|&a| in_shape[a]).collect();
        let kept: Vec<usize> = if keepdims {
            (0..in_shape.len())
                .filter(|d| !axes.contains(d))
                .map(|d| idx[d])
                .collect()
        } else {
            idx.to_vec()
        };
        (0..numel(&red))
            .map(|r| {
                let ri = unravel(r, &red);
                let (mut ki, mut rj) = (kept.iter(), ri.iter());
                let full: Vec<usize> = (0..in_shape.len())
                    .map(|d| {
                        *if axes.contains(&d) {
                            rj.next()
                        } else {
                            ki.next()
                        }
                        .expect("axis counts match")
                    })
                    .collect();
                self.value(x, &full)
            })
            .collect()
    }

    pub fn compute(&self, node: usize, idx: &[usize]) -> Scalar {
        let n = &self.nodes[node];
        let t = n.dtype;
        match &n.op {
            NaiveOp::Input(k) => self.inputs[*k][ravel(idx, &n.shape)],
            NaiveOp::Linspace { start, stop } => {
                let len = n.shape[0];
                let i = idx[0];
                if i + 1 == len {
                    Scalar::F64(*stop)
                } else {
                    let step = (stop - start) / (len - 1) as f64;
                    Scalar::F64(start + i as f64 * step)
                }
            }
            NaiveOp::ArangeInt => Scalar::I64(idx[0] as i64),
            NaiveOp::Unary(op) => {
                let x = &self.nodes[n.args[0]];
                let (compute, out) = unary_sig(*op, x.dtype).expect("generated valid");
                let v = self.arg(n, 0, idx).cast(compute);
                match op {
                    // Rounding an integer or a bool leaves it as it is.
                    UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc
                        if !compute.is_float() =>
                    {
                        v
                    }
                    _ => scalar_eval::unary(*op, v).cast(out),
                }
            }
            NaiveOp::Binary(op) => {
                let (ta, tb) = (self.nodes[n.args[0]].dtype, self.nodes[n.args[1]].dtype);
                let (compute, out) = binary_sig(*op, ta, tb).expect("generated valid");
                let a = self.arg(n, 0, idx).cast(compute);
                let b = self.arg(n, 1, idx).cast(compute);
                scalar_eval::binary(*op, a, b).cast(out)
            }
            NaiveOp::Where => {
                let c = self.arg(n, 0, idx).to_bool();
                self.arg(n, if c { 1 } else { 2 }, idx).cast(t)
            }
            NaiveOp::Cast => self.arg(n, 0, idx).cast(t),
            NaiveOp::Reshape => {
                let x = n.args[0];
                let src = unravel(ravel(idx, &n.shape), &self.nodes[x].shape);
                self.value(x, &src)
            }
            NaiveOp::Permute(axes) => {
                let mut src = vec![0; axes.len()];
                for (i, &a) in axes.iter().enumerate() {
                    src[a] = idx[i];
                }
                self.value(n.args[0], &src)
            }
            NaiveOp::Slice(first_step) => {
                let src: Vec<usize> = idx
                    .iter()
                    .zip(first_step)
                    .map(|(&i, &(first, step))| (first + i as i64 * step) as usize)
                    .collect();
                self.value(n.args[0], &src)
            }
            NaiveOp::Flip(axes) => {
                let src: Vec<usize> = idx
                    .iter()
                    .enumerate()
                    .map(|(d, &i)| {
                        if axes.contains(&d) {
                            n.shape[d] - 1 - i
                        } else {
                            i
                        }
                    })
                    .collect();
                self.value(n.args[0], &src)
            }
            NaiveOp::Roll { shift, axis } => match axis {
                None => {
                    let len = numel(&n.shape) as i64;
                    let f = ravel(idx, &n.shape) as i64;
                    let src = (f - shift).rem_euclid(len) as usize;
                    self.value(n.args[0], &unravel(src, &n.shape))
                }
                Some(a) => {
                    let mut src = idx.to_vec();
                    src[*a] = (idx[*a] as i64 - shift).rem_euclid(n.shape[*a] as i64) as usize;
                    self.value(n.args[0], &src)
                }
            },
            NaiveOp::Pad { before, value } => {
                let x = &self.nodes[n.args[0]];
                let mut src = Vec::with_capacity(idx.len());
                for d in 0..idx.len() {
                    let j = idx[d] as i64 - before[d] as i64;
                    if j < 0 || j >= x.shape[d] as i64 {
                        return value.cast(t);
                    }
                    src.push(j as usize);
                }
                self.value(n.args[0], &src)
            }
            NaiveOp::BroadcastTo => self.arg(n, 0, idx),
            NaiveOp::Concat { axis } => {
                let mut at = idx[*axis];
                for &a in &n.args {
                    let len = self.nodes[a].shape[*axis];
                    if at < len {
                        let mut src = idx.to_vec();
                        src[*axis] = at;
                        return self.value(a, &src).cast(t);
                    }
                    at -= len;
                }
                unreachable!("index past the end of a concatenation")
            }
            // Reducing over no axes (a 0-d array, axes=None) is the identity, as
            // numpy's reductions over `axis=()`; argmin/argmax still give index 0.
            NaiveOp::Reduce { op, axes, .. }
                if axes.is_empty() && !matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax) =>
            {
                self.value(n.args[0], idx).cast(t)
            }
            NaiveOp::Mean { axes, .. } if axes.is_empty() => self.value(n.args[0], idx).cast(t),
            NaiveOp::Var { axes, ddof, .. } if axes.is_empty() => {
                let x = self
                    .value(n.args[0], idx)
                    .cast(inexact(self.nodes[n.args[0]].dtype));
                let d = scalar_eval::binary(BinaryOp::Sub, x, x);
                let sq = if d.dtype().is_complex() {
                    scalar_eval::unary(UnaryOp::Square, scalar_eval::unary(UnaryOp::Abs, d))
                } else {
                    scalar_eval::unary(UnaryOp::Square, d)
                };
                let denom = 1usize.saturating_sub(*ddof) as f64;
                scalar_eval::binary(BinaryOp::Div, sq, Scalar::F64(denom).cast(t))
            }
            NaiveOp::Reduce { op, axes, keepdims } => {
                let x = &self.nodes[n.args[0]];
                let acc = match op {
                    ReduceOp::Sum | ReduceOp::Prod
                        if !(x.dtype.is_float() || x.dtype.is_complex()) =>
                    {
                        DType::I64
                    }
                    ReduceOp::Any | ReduceOp::All => DType::Bool,
                    _ => x.dtype,
                };
                let vals: Vec<Scalar> = self
                    .reduced(n.args[0], axes, *keepdims, idx)
                    .into_iter()
                    .map(|v| v.cast(acc))
                    .collect();
                fold(*op, t, &vals).cast(t)
            }
            NaiveOp::Mean { axes, keepdims } => {
                let vals: Vec<Scalar> = self
                    .reduced(n.args[0], axes, *keepdims, idx)
                    .into_iter()
                    .map(|v| v.cast(t))
                    .collect();
                let s = pairwise(&vals, Scalar::I64(0).cast(t), BinaryOp::Add);
                scalar_eval::binary(BinaryOp::Div, s, Scalar::F64(vals.len() as f64).cast(t))
            }
            NaiveOp::Var {
                axes,
                keepdims,
                ddof,
            } => {
                let x = &self.nodes[n.args[0]];
                let ct = inexact(x.dtype);
                let vals: Vec<Scalar> = self
                    .reduced(n.args[0], axes, *keepdims, idx)
                    .into_iter()
                    .map(|v| v.cast(ct))
                    .collect();
                let count = vals.len();
                let s = pairwise(&vals, Scalar::I64(0).cast(ct), BinaryOp::Add);
                let mean =
                    scalar_eval::binary(BinaryOp::Div, s, Scalar::F64(count as f64).cast(ct));
                let squares: Vec<Scalar> = vals
                    .iter()
                    .map(|&v| {
                        let d = scalar_eval::binary(BinaryOp::Sub, v, mean);
                        if ct.is_complex() {
                            scalar_eval::unary(UnaryOp::Square, scalar_eval::unary(UnaryOp::Abs, d))
                        } else {
                            scalar_eval::unary(UnaryOp::Square, d)
                        }
                    })
                    .collect();
                let ss = pairwise(&squares, Scalar::I64(0).cast(t), BinaryOp::Add);
                let denom = count.saturating_sub(*ddof) as f64;
                scalar_eval::binary(BinaryOp::Div, ss, Scalar::F64(denom).cast(t))
            }
        }
    }
}
