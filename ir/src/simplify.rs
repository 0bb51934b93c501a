//! The rewrite pass applied where nodes are built: constant folding and exact identities.
//!
//! Every elementwise node the API builds is first offered to these rules; a rule that
//! fires returns a [`Rewrite`] (a constant, or one of the operands) and no node is built.
//! The rules keep results bit-for-bit what the unsimplified graph computes:
//!
//! - **Constant folding.** An operation whose operands are all constants becomes a
//!   constant, computed by [`scalar_eval`] (the interpreter's own
//!   scalar semantics). Casts, broadcasts, reshapes and permutations of a constant are
//!   constants.
//! - **Exact identities only**: `x*1`, `1*x`, `x/1`, `x+(-0.0)`, `-0.0+x`, `x-0` (for real
//!   dtypes, and only when the result has the operand's dtype and shape), and the
//!   rounding/`real`/`conj` functions of an integer. `x+0.0` is kept: `-0.0 + 0.0` is
//!   `+0.0`, not `x`. Complex `x*1` is kept: `(inf+0j)*(1+0j)` is `inf+nanj`.
//! - `where` with a constant condition is the operand it selects.

use crate::dtype::{DType, Scalar};
use crate::graph::{Node, NodeRef, Op};
use crate::ops::{BinaryOp, UnaryOp};
use crate::scalar_eval;

/// What a rule replaces a node with.
#[derive(Clone, Debug)]
pub enum Rewrite {
    /// A constant of the node's dtype broadcast over the node's shape.
    Const(Scalar),
    /// An existing node (an operand) that already has the node's dtype and shape.
    Operand(NodeRef),
}

/// The value of a constant node.
pub fn const_value(n: &Node) -> Option<Scalar> {
    match &n.op {
        Op::Const(v) => Some(v.0),
        _ => None,
    }
}

/// `x` converted to another dtype: a constant stays a constant.
pub fn cast(x: &Node) -> Option<Rewrite> {
    const_value(x).map(Rewrite::Const)
}

/// `x` broadcast to a larger shape: a constant stays a constant.
pub fn expand(x: &Node) -> Option<Rewrite> {
    const_value(x).map(Rewrite::Const)
}

/// `x` rearranged (reshape, permute): a constant stays a constant.
pub fn movement(x: &Node) -> Option<Rewrite> {
    const_value(x).map(Rewrite::Const)
}

/// `op(x)` with `x` already converted to the operation's compute dtype and `out` the
/// result dtype.
pub fn unary(op: UnaryOp, x: &NodeRef, out: DType) -> Option<Rewrite> {
    if let Some(v) = const_value(x) {
        return Some(Rewrite::Const(scalar_eval::unary(op, v)));
    }
    let identity_on_integers = matches!(
        op,
        UnaryOp::Real
            | UnaryOp::Conj
            | UnaryOp::Floor
            | UnaryOp::Ceil
            | UnaryOp::Round
            | UnaryOp::Trunc
    );
    if identity_on_integers && x.dtype == out && !out.is_inexact() {
        return Some(Rewrite::Operand(x.clone()));
    }
    None
}

/// `op(x, y)` with both operands converted to the compute dtype (not yet broadcast),
/// `out` the result dtype and `shape` the broadcast result shape.
pub fn binary(
    op: BinaryOp,
    x: &NodeRef,
    y: &NodeRef,
    out: DType,
    shape: &[usize],
) -> Option<Rewrite> {
    if let (Some(u), Some(v)) = (const_value(x), const_value(y)) {
        return Some(Rewrite::Const(scalar_eval::binary(op, u, v)));
    }
    identity_operand(op, x, y, out, shape).map(Rewrite::Operand)
}

/// `where(cond, a, b)` with a constant condition: the operand it selects (both
/// already converted and broadcast to the result).
pub fn select<'a>(cond: &Node, a: &'a NodeRef, b: &'a NodeRef) -> Option<&'a NodeRef> {
    const_value(cond).map(|v| if v.to_bool() { a } else { b })
}

/// Whether `n` is the constant `want` (real, imaginary part 0); with `neg_zero`, a zero
/// of an inexact dtype must also be negative (-0.0).
fn is_const(n: &Node, want: f64, neg_zero: bool) -> bool {
    match const_value(n) {
        Some(v) => {
            let c = v.to_c128();
            c.im == 0.0
                && c.re == want
                && (!neg_zero || !v.dtype().is_inexact() || c.re.is_sign_negative())
        }
        None => false,
    }
}

/// If `op(x, y)` is exactly one operand (x*1, 1*x, x+(-0.0), x-0, x/1, ...), that operand.
/// Only when no broadcasting or conversion happens. `x + 0.0` is not exact (-0.0 + 0.0 = +0.0).
fn identity_operand(
    op: BinaryOp,
    x: &NodeRef,
    y: &NodeRef,
    out: DType,
    shape: &[usize],
) -> Option<NodeRef> {
    // Complex x*1 is not x: (inf+0j)*(1+0j) = inf+nanj.
    if out.is_complex() {
        return None;
    }
    let keeps = |n: &NodeRef| n.dtype == out && &n.shape[..] == shape;
    use BinaryOp::*;
    match op {
        Mul if is_const(y, 1.0, false) && keeps(x) => Some(x.clone()),
        Mul if is_const(x, 1.0, false) && keeps(y) => Some(y.clone()),
        Div if is_const(y, 1.0, false) && keeps(x) => Some(x.clone()),
        Add if is_const(y, 0.0, true) && keeps(x) => Some(x.clone()),
        Add if is_const(x, 0.0, true) && keeps(y) => Some(y.clone()),
        Sub if is_const(y, 0.0, false)
            && !const_value(y).is_some_and(|v| v.to_c128().re.is_sign_negative())
            && keeps(x) =>
        {
            Some(x.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Graph, ScalarKey};
    use smallvec::smallvec;

    fn konst(g: &Graph, v: f64, shape: &[usize]) -> NodeRef {
        g.intern(
            Op::Const(ScalarKey(Scalar::F64(v))),
            DType::F64,
            shape.into(),
            smallvec![],
        )
    }

    fn operand(r: Option<Rewrite>) -> Option<u64> {
        match r {
            Some(Rewrite::Operand(n)) => Some(n.id),
            _ => None,
        }
    }

    #[test]
    fn exact_identities_fire_and_inexact_ones_do_not() {
        let g = Graph::new();
        let x = g.intern(
            Op::Gen(crate::graph::Generator::Uniform { seed: 1 }),
            DType::F64,
            [4].as_slice().into(),
            smallvec![],
        );
        let (one, zero, neg_zero) = (
            konst(&g, 1.0, &[]),
            konst(&g, 0.0, &[]),
            konst(&g, -0.0, &[]),
        );
        let s = [4];
        assert_eq!(
            operand(binary(BinaryOp::Mul, &x, &one, DType::F64, &s)),
            Some(x.id)
        );
        assert_eq!(
            operand(binary(BinaryOp::Mul, &one, &x, DType::F64, &s)),
            Some(x.id)
        );
        assert_eq!(
            operand(binary(BinaryOp::Div, &x, &one, DType::F64, &s)),
            Some(x.id)
        );
        assert_eq!(
            operand(binary(BinaryOp::Add, &x, &neg_zero, DType::F64, &s)),
            Some(x.id)
        );
        assert_eq!(
            operand(binary(BinaryOp::Sub, &x, &zero, DType::F64, &s)),
            Some(x.id)
        );
        // x + 0.0 and x - (-0.0) are not x (-0.0 + 0.0 = +0.0)
        assert!(binary(BinaryOp::Add, &x, &zero, DType::F64, &s).is_none());
        assert!(binary(BinaryOp::Sub, &x, &neg_zero, DType::F64, &s).is_none());
        // 1 / x is not an identity; x * 1 that broadcasts is not either
        assert!(binary(BinaryOp::Div, &one, &x, DType::F64, &s).is_none());
        assert!(binary(BinaryOp::Mul, &x, &one, DType::F64, &[3, 4]).is_none());
        // complex x * 1 is kept
        assert!(binary(BinaryOp::Mul, &x, &one, DType::C128, &s).is_none());
    }

    #[test]
    fn constants_fold_with_the_interpreters_semantics() {
        let g = Graph::new();
        let (a, b) = (konst(&g, 2.0, &[]), konst(&g, 0.5, &[3]));
        match binary(BinaryOp::Pow, &a, &b, DType::F64, &[3]) {
            Some(Rewrite::Const(v)) => assert_eq!(v.to_c128().re, 2f64.sqrt()),
            other => panic!("expected a constant, got {other:?}"),
        }
        match unary(UnaryOp::Sin, &a, DType::F64) {
            Some(Rewrite::Const(v)) => assert_eq!(v.to_c128().re, 2f64.sin()),
            other => panic!("expected a constant, got {other:?}"),
        }
        assert!(select(&konst(&g, 0.0, &[]), &a, &b).is_some_and(|n| n.id == b.id));
    }
}
