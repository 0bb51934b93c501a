//! Structural checks of imported nodes: the rules the graph builders guarantee, re-checked
//! so a corrupt byte string cannot make a kernel index out of bounds.

use super::invalid;
use mathengine_ir::graph::{Generator, LibraryOp, NodeRef, Op};
use mathengine_ir::{DType, Result};

pub(super) fn check_arity(op: &Op, n: usize, k: usize) -> Result<()> {
    let ok = match op {
        Op::Data => false,
        Op::Const(_) | Op::Gen(_) => n == 0,
        Op::Binary(_) => n == 2,
        Op::Where => n == 3,
        Op::Concat { .. } => n >= 1,
        Op::Library(LibraryOp::MatMul | LibraryOp::Solve | LibraryOp::Lstsq) => n == 2,
        _ => n == 1,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "node {k} ({}) has {n} operands",
            op.user_name()
        )))
    }
}

/// The structural rules the graph builders guarantee, re-checked so a corrupt byte
/// string cannot make a kernel index out of bounds.
pub(super) fn check_node(
    op: &Op,
    dtype: DType,
    shape: &[usize],
    ins: &[NodeRef],
) -> std::result::Result<(), String> {
    mathengine_ir::shape::check_shape("import_graph", shape).map_err(|e| e.to_string())?;
    let same_shapes = || ins.iter().all(|i| i.shape.as_slice() == shape);
    let rank = shape.len();
    let need = |ok: bool, why: &str| if ok { Ok(()) } else { Err(why.to_string()) };
    match op {
        Op::Data | Op::Const(_) => Ok(()),
        Op::Gen(Generator::Arange { .. } | Generator::Linspace { .. }) => {
            need(rank == 1, "rank must be 1")
        }
        Op::Gen(Generator::Eye { .. }) => need(rank == 2, "rank must be 2"),
        Op::Gen(_) => Ok(()),
        Op::Unary(u) => {
            let sig = u.signature(ins[0].dtype).map_err(|e| e.to_string())?;
            need(
                same_shapes() && sig.compute == ins[0].dtype && sig.out == dtype,
                "operand shape or dtype",
            )
        }
        Op::Binary(b) => {
            let sig = b
                .signature(ins[0].dtype, ins[1].dtype)
                .map_err(|e| e.to_string())?;
            need(
                same_shapes() && ins.iter().all(|i| i.dtype == sig.compute) && sig.out == dtype,
                "operand shapes or dtypes",
            )
        }
        Op::Where => need(
            same_shapes()
                && ins[0].dtype == DType::Bool
                && ins[1].dtype == dtype
                && ins[2].dtype == dtype,
            "operand shapes or dtypes",
        ),
        Op::Cast => need(same_shapes(), "shape"),
        Op::Reshape => need(
            ins[0].numel() == shape.iter().product::<usize>() && ins[0].dtype == dtype,
            "element count",
        ),
        Op::Expand => {
            let s = &ins[0].shape;
            need(
                s.len() <= rank
                    && ins[0].dtype == dtype
                    && s.iter()
                        .rev()
                        .zip(shape.iter().rev())
                        .all(|(&a, &b)| a == b || a == 1),
                "not a broadcast",
            )
        }
        Op::Permute(p) => {
            let s = &ins[0].shape;
            let mut seen = vec![false; rank];
            need(
                p.len() == rank
                    && s.len() == rank
                    && ins[0].dtype == dtype
                    && p.iter().enumerate().all(|(i, &a)| {
                        a < rank && !std::mem::replace(&mut seen[a], true) && s[a] == shape[i]
                    }),
                "not a permutation",
            )
        }
        Op::Slice { start, step } => {
            let s = &ins[0].shape;
            need(
                start.len() == rank
                    && step.len() == rank
                    && s.len() == rank
                    && ins[0].dtype == dtype
                    && (0..rank).all(|d| {
                        let n = shape[d] as i128;
                        let first = start[d] as i128;
                        let last = first + (n - 1).max(0) * step[d] as i128;
                        n == 0
                            || (0..s[d] as i128).contains(&first)
                                && (0..s[d] as i128).contains(&last)
                    }),
                "slice out of bounds",
            )
        }
        Op::Roll { axis, shift } => need(
            same_shapes()
                && *axis < rank
                && (*shift < shape[*axis].max(1))
                && ins[0].dtype == dtype,
            "roll axis or shift",
        ),
        Op::Pad { before, value } => {
            let s = &ins[0].shape;
            need(
                before.len() == rank
                    && s.len() == rank
                    && ins[0].dtype == dtype
                    && value.0.dtype() == dtype
                    && (0..rank)
                        .all(|d| s[d].checked_add(before[d]).is_some_and(|e| e <= shape[d])),
                "padding out of bounds",
            )
        }
        Op::Concat { axis } => need(
            *axis < rank
                && ins.iter().all(|i| {
                    i.dtype == dtype
                        && i.shape.len() == rank
                        && (0..rank).all(|d| d == *axis || i.shape[d] == shape[d])
                })
                && ins.iter().map(|i| i.shape[*axis]).sum::<usize>() == shape[*axis],
            "operand shapes",
        ),
        Op::Reduce { axes, .. } => {
            let s = &ins[0].shape;
            let kept: Vec<usize> = (0..s.len())
                .filter(|d| !axes.contains(d))
                .map(|d| s[d])
                .collect();
            need(
                axes.windows(2).all(|w| w[0] < w[1])
                    && axes.iter().all(|&a| a < s.len())
                    && kept == shape,
                "reduced shape",
            )
        }
        // Library kernels run on buffers whose shapes they check against the node's; the
        // import only requires operand ranks that the kernels accept.
        Op::Library(LibraryOp::Fft { axes, .. }) => need(
            ins[0].shape.len() == rank
                && axes
                    .iter()
                    .all(|&a| a < rank && shape[a] >= ins[0].shape[a])
                && dtype.is_complex()
                && ins[0].dtype == dtype
                && (0..rank).all(|d| axes.contains(&d) || shape[d] == ins[0].shape[d]),
            "fft shapes",
        ),
        Op::Library(LibraryOp::Rfft) => {
            let s = &ins[0].shape;
            need(
                s.len() == rank
                    && rank > 0
                    && dtype.is_complex()
                    && !ins[0].dtype.is_complex()
                    && shape[rank - 1] == s[rank - 1] / 2 + 1
                    && s[..rank - 1] == shape[..rank - 1],
                "rfft shapes",
            )
        }
        Op::Library(LibraryOp::Irfft { n }) => {
            let s = &ins[0].shape;
            need(
                s.len() == rank
                    && rank > 0
                    && !dtype.is_complex()
                    && ins[0].dtype.is_complex()
                    && shape[rank - 1] == *n
                    && s[..rank - 1] == shape[..rank - 1],
                "irfft shapes",
            )
        }
        Op::Library(_) => Err(
            "linear algebra nodes are not shipped in format version 1; evaluate them first".into(),
        ),
        #[allow(unreachable_patterns)]
        _ => Err("operation unknown to this format version".into()),
    }
}
