//! Blocks of a lazy array computed without the rest of it: the selection is pushed down
//! the graph, below library kernels (FFTs, matrix products, decompositions) along the
//! axes they do not work across, so a block of a batch of FFTs transforms only its own
//! batch entries. Above library nodes nothing needs pushing: a slice of elementwise,
//! broadcast and generator nodes is index arithmetic in the fused kernel, which computes
//! only the selected elements anyway. Where a selection cannot go further down (an FFT
//! along a cut axis, a reshape), it stays on top of that node, which is then computed
//! whole — always correct; `check_chunks` reports where that would happen.

use crate::{Array, Engine};
use mathengine_ir::error::fmt_shape;
use mathengine_ir::graph::{LibraryOp, NodeRef, Op};
use mathengine_ir::{Error, Result, Shape};
use smallvec::{smallvec, SmallVec};
use std::collections::HashMap;
use std::ops::Range;

/// One axis of a selection: its range, and which axis of the user's array it comes from
/// (for error messages).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct AxisSel {
    start: usize,
    len: usize,
    origin: Option<usize>,
}

/// Selections already pushed below a node (graphs are DAGs: one subgraph can be reached
/// along many paths with the same selection).
type Memo = HashMap<(u64, Vec<(usize, usize)>), NodeRef>;

/// What to do where a selection cuts an axis that a library kernel works across.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnCut {
    /// Compute that node whole and slice it.
    ComputeWhole,
    /// Report the axis (`check_chunks`).
    Refuse,
}

struct Pusher<'a> {
    engine: &'a Engine,
    op_name: &'static str,
    on_cut: OnCut,
    memo: Memo,
    has_library: HashMap<u64, bool>,
}

impl Engine {
    /// The block `x[r0, r1, ...]` (one range per axis), computed without evaluating the
    /// rest of `x` where the graph allows: the selection is pushed below FFTs along their
    /// untransformed axes, below matrix products along rows of the left and columns of
    /// the right operand, and below batched linear algebra along batch axes. The result
    /// equals `x[r0, r1, ...]` exactly.
    pub fn block(&self, x: &Array, ranges: &[Range<usize>]) -> Result<Array> {
        let sel = self.selection("block", x, ranges)?;
        let mut p = Pusher::new(self, "block", OnCut::ComputeWhole);
        Ok(self.wrap(p.push(&x.node, &sel)?))
    }

    /// Check that `x` can be computed in blocks cut along the axes where `cut[d]` is true
    /// without any block computing a library kernel (FFT, linear algebra) whole: an
    /// error names the first cut axis that such a kernel works across, and the fix.
    pub fn check_chunks(&self, x: &Array, cut: &[bool]) -> Result<()> {
        self.check_same_engine("check_chunks", x)?;
        if cut.len() != x.ndim() {
            return Err(Error::invalid(
                "check_chunks",
                format!(
                    "{} axis flags given for shape {}; give one per axis",
                    cut.len(),
                    fmt_shape(x.shape())
                ),
            ));
        }
        // A selection of one element on each cut axis exercises every cut.
        let sel: Vec<AxisSel> = x
            .shape()
            .iter()
            .zip(cut)
            .enumerate()
            .map(|(d, (&n, &c))| AxisSel {
                start: 0,
                len: if c && n > 1 { 1 } else { n },
                origin: Some(d),
            })
            .collect();
        let mut p = Pusher::new(self, "check_chunks", OnCut::Refuse);
        p.push(&x.node, &sel).map(|_| ())
    }

    fn selection(&self, op: &str, x: &Array, ranges: &[Range<usize>]) -> Result<Vec<AxisSel>> {
        self.check_same_engine(op, x)?;
        if ranges.len() != x.ndim() {
            return Err(Error::invalid(
                op,
                format!(
                    "{} ranges given for shape {}; give one range per axis",
                    ranges.len(),
                    fmt_shape(x.shape())
                ),
            ));
        }
        let mut sel = Vec::with_capacity(ranges.len());
        for (d, (r, &n)) in ranges.iter().zip(x.shape()).enumerate() {
            if r.start > r.end || r.end > n {
                return Err(Error::invalid(
                    op,
                    format!(
                        "range {}..{} of axis {d} is outside 0..{n} (shape {})",
                        r.start,
                        r.end,
                        fmt_shape(x.shape())
                    ),
                ));
            }
            sel.push(AxisSel {
                start: r.start,
                len: r.end - r.start,
                origin: Some(d),
            });
        }
        Ok(sel)
    }
}

impl AxisSel {
    /// The user's axis this selection comes from, for error messages.
    fn describe(&self) -> String {
        match self.origin {
            Some(o) => format!("axis {o} of the array"),
            None => "an axis (not one of the array's own)".to_string(),
        }
    }
}

fn whole(extent: usize) -> AxisSel {
    AxisSel {
        start: 0,
        len: extent,
        origin: None,
    }
}

fn is_whole(sel: &[AxisSel], shape: &[usize]) -> bool {
    sel.iter()
        .zip(shape)
        .all(|(s, &n)| s.start == 0 && s.len == n)
}

impl<'a> Pusher<'a> {
    fn new(engine: &'a Engine, op_name: &'static str, on_cut: OnCut) -> Self {
        Pusher {
            engine,
            op_name,
            on_cut,
            memo: HashMap::new(),
            has_library: HashMap::new(),
        }
    }

    /// `node` restricted to `sel`.
    fn push(&mut self, node: &NodeRef, sel: &[AxisSel]) -> Result<NodeRef> {
        if is_whole(sel, &node.shape) {
            return Ok(node.clone());
        }
        if !self.library_below(node) {
            return self.slice_on_top(node, sel);
        }
        let key = (node.id, sel.iter().map(|s| (s.start, s.len)).collect());
        if let Some(n) = self.memo.get(&key) {
            return Ok(n.clone());
        }
        let out = self.push_into(node, sel)?;
        self.memo.insert(key, out.clone());
        Ok(out)
    }

    /// Whether an unevaluated library node is at or below `node` (only there does
    /// pushing a selection down save work).
    fn library_below(&mut self, node: &NodeRef) -> bool {
        if node.is_evaluated() {
            return false;
        }
        if let Some(&b) = self.has_library.get(&node.id) {
            return b;
        }
        // Iterative, post-order: deep graphs must not overflow the stack.
        let mut stack = vec![(node.clone(), false)];
        while let Some((n, expanded)) = stack.pop() {
            if self.has_library.contains_key(&n.id) {
                continue;
            }
            if n.is_evaluated() {
                self.has_library.insert(n.id, false);
                continue;
            }
            let inputs = n.inputs();
            if expanded {
                let b = matches!(n.op, Op::Library(_))
                    || inputs.iter().any(|i| self.has_library[&i.id]);
                self.has_library.insert(n.id, b);
            } else {
                stack.push((n.clone(), true));
                stack.extend(inputs.into_iter().map(|i| (i, false)));
            }
        }
        self.has_library[&node.id]
    }

    fn slice_on_top(&self, node: &NodeRef, sel: &[AxisSel]) -> Result<NodeRef> {
        if is_whole(sel, &node.shape) {
            return Ok(node.clone());
        }
        let op = Op::Slice {
            start: sel.iter().map(|s| s.start as i64).collect(),
            step: smallvec![1; sel.len()],
        };
        let shape: Shape = sel.iter().map(|s| s.len).collect();
        self.engine
            .node(op, node.dtype, shape, smallvec![node.clone()])
    }

    /// A selection that cannot go below `node`, which has a library kernel under it: that
    /// kernel will be computed whole for the block (refused by `check_chunks`).
    fn stuck(&self, node: &NodeRef, sel: &[AxisSel]) -> Result<NodeRef> {
        if self.on_cut == OnCut::Refuse {
            if let Some((d, s)) = sel
                .iter()
                .enumerate()
                .find(|(d, s)| (s.start, s.len) != (0, node.shape[*d]))
            {
                let whose = s.describe();
                return Err(Error::invalid(
                    self.op_name,
                    format!(
                        "chunks cut {whose}, which is axis {d} of a {} of shape {} that has an FFT or linear-algebra kernel below it; every chunk would compute that kernel whole. Evaluate the array before chunking it, or keep axis {} in one chunk",
                        node.op.user_name(),
                        fmt_shape(&node.shape),
                        s.origin.unwrap_or(d),
                    ),
                ));
            }
        }
        self.slice_on_top(node, sel)
    }

    /// `node`'s own op applied to its operands restricted to `operand_sels`, then sliced
    /// by `rest` (the part of the selection the op cannot take below itself).
    fn rebuild(
        &mut self,
        node: &NodeRef,
        operand_sels: &[Vec<AxisSel>],
        inner: &[AxisSel],
        rest: &[AxisSel],
    ) -> Result<NodeRef> {
        let inputs = node.inputs();
        let mut pushed: SmallVec<[NodeRef; 2]> = SmallVec::new();
        for (i, s) in inputs.iter().zip(operand_sels) {
            pushed.push(self.push(i, s)?);
        }
        let shape: Shape = inner.iter().map(|s| s.len).collect();
        let n = self
            .engine
            .node(node.op.clone(), node.dtype, shape, pushed)?;
        self.slice_on_top(&n, rest)
    }

    fn push_into(&mut self, node: &NodeRef, sel: &[AxisSel]) -> Result<NodeRef> {
        let inputs = node.inputs();
        match &node.op {
            op if op.is_elementwise() => {
                if inputs.iter().any(|i| i.shape != node.shape) {
                    return self.stuck(node, sel);
                }
                let sels = vec![sel.to_vec(); inputs.len()];
                self.rebuild(node, &sels, sel, &[])
            }
            Op::Expand => {
                let input = &inputs[0];
                let lead = node.shape.len() - input.shape.len();
                let s: Vec<AxisSel> = input
                    .shape
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| {
                        if n == 1 {
                            whole(1)
                        } else {
                            sel[lead + i].clone()
                        }
                    })
                    .collect();
                self.rebuild(node, &[s], sel, &[])
            }
            Op::Permute(perm) => {
                let mut s = vec![whole(0); perm.len()];
                for (i, &p) in perm.iter().enumerate() {
                    s[p] = sel[i].clone();
                }
                self.rebuild(node, &[s], sel, &[])
            }
            Op::Slice { start, step } if step.iter().all(|&s| s == 1) => {
                let s: Vec<AxisSel> = sel
                    .iter()
                    .zip(start)
                    .map(|(a, &st)| AxisSel {
                        start: a.start + st as usize,
                        ..a.clone()
                    })
                    .collect();
                self.push(&inputs[0], &s)
            }
            Op::Reduce { axes, .. } => {
                let input = &inputs[0];
                let mut kept = sel.iter();
                let s: Vec<AxisSel> = (0..input.shape.len())
                    .map(|d| {
                        if axes.contains(&d) {
                            whole(input.shape[d])
                        } else {
                            kept.next()
                                .cloned()
                                .unwrap_or_else(|| whole(input.shape[d]))
                        }
                    })
                    .collect();
                self.rebuild(node, &[s], sel, &[])
            }
            // A roll (fftshift) keeps every axis but its own in place: the selection of
            // the others goes below, the rolled axis's stays on top.
            Op::Roll { axis, .. } => {
                let a = *axis;
                let mut inner = sel.to_vec();
                inner[a] = whole(node.shape[a]);
                let rest: Vec<AxisSel> = (0..sel.len())
                    .map(|d| {
                        if d == a {
                            sel[d].clone()
                        } else {
                            whole(sel[d].len)
                        }
                    })
                    .collect();
                if self.on_cut == OnCut::Refuse && !is_whole(&sel[a..=a], &node.shape[a..=a]) {
                    return self.stuck(node, sel);
                }
                self.rebuild(node, &[inner.clone()], &inner, &rest)
            }
            Op::Library(lib) => self.push_library(node, lib, sel),
            // Reshape, roll, pad, concatenate, strided slices: the selection stays on top.
            _ => self.stuck(node, sel),
        }
    }

    /// A library node restricted to `sel`: each operand takes the selection of the output
    /// axes it maps to one for one (batch axes, FFT's untransformed axes, matmul's rows
    /// and columns); the rest of the selection stays on top.
    fn push_library(
        &mut self,
        node: &NodeRef,
        lib: &LibraryOp,
        sel: &[AxisSel],
    ) -> Result<NodeRef> {
        let inputs = node.inputs();
        let rank = node.shape.len();
        // Per operand, for each of its axes, the output axis whose selection it takes.
        let maps: Vec<Vec<Option<usize>>> = match lib {
            LibraryOp::Fft { axes, .. } => {
                let map = (0..rank)
                    .map(|d| (!axes.contains(&d)).then_some(d))
                    .collect();
                vec![map]
            }
            LibraryOp::Rfft | LibraryOp::Irfft { .. } => {
                vec![(0..rank).map(|d| (d + 1 < rank).then_some(d)).collect()]
            }
            LibraryOp::MatMul => {
                // a [..., m, k] takes the rows, b [..., k, n] the columns.
                let batch = |d: usize| (d + 2 < rank).then_some(d);
                let a = (0..rank).map(|d| if d == rank - 2 { Some(d) } else { batch(d) });
                let b = (0..rank).map(|d| if d == rank - 1 { Some(d) } else { batch(d) });
                vec![a.collect(), b.collect()]
            }
            LibraryOp::Solve | LibraryOp::Lstsq => {
                // Columns of the right-hand side are independent problems.
                let batch = |d: usize| (d + 2 < rank).then_some(d);
                let a = (0..rank).map(batch).collect();
                let b = (0..rank).map(|d| if d == rank - 1 { Some(d) } else { batch(d) });
                vec![a, b.collect()]
            }
            LibraryOp::Det => {
                let r_in = inputs[0].shape.len();
                vec![(0..r_in).map(|d| (d + 2 < r_in).then_some(d)).collect()]
            }
            // Inv, Cholesky, Qr, Svd, Eigh: batched over all but the last two axes.
            _ => {
                let r_in = inputs[0].shape.len();
                vec![(0..r_in).map(|d| (d + 2 < r_in).then_some(d)).collect()]
            }
        };
        // The output axes some operand takes.
        let takes = |d: usize| maps.iter().any(|m| m.contains(&Some(d)));
        let core: Vec<usize> = (0..rank).filter(|&d| !takes(d)).collect();
        for (d, s) in sel.iter().enumerate() {
            if (s.start, s.len) != (0, node.shape[d]) && !takes(d) && self.on_cut == OnCut::Refuse {
                return Err(self.cut_error(node, lib, d, s, &core));
            }
        }
        // Operand selections; an operand axis whose extent differs from the output's
        // (a zero-padded FFT input) is taken whole.
        let mut operand_sels = Vec::with_capacity(inputs.len());
        for (input, map) in inputs.iter().zip(&maps) {
            let s: Vec<AxisSel> = map
                .iter()
                .zip(&input.shape)
                .map(|(m, &n)| match m {
                    Some(d) if node.shape[*d] == n => sel[*d].clone(),
                    _ => whole(n),
                })
                .collect();
            operand_sels.push(s);
        }
        // The node's new extents: selected on the axes taken below, whole elsewhere.
        let taken = |d: usize| {
            maps.iter().zip(inputs.iter()).any(|(m, i)| {
                m.iter()
                    .zip(&i.shape)
                    .any(|(o, &n)| *o == Some(d) && n == node.shape[d])
            })
        };
        let inner: Vec<AxisSel> = (0..rank)
            .map(|d| {
                if taken(d) {
                    sel[d].clone()
                } else {
                    whole(node.shape[d])
                }
            })
            .collect();
        let rest: Vec<AxisSel> = (0..rank)
            .map(|d| {
                if taken(d) {
                    whole(sel[d].len)
                } else {
                    sel[d].clone()
                }
            })
            .collect();
        self.rebuild(node, &operand_sels, &inner, &rest)
    }

    fn cut_error(
        &self,
        node: &NodeRef,
        lib: &LibraryOp,
        d: usize,
        s: &AxisSel,
        core: &[usize],
    ) -> Error {
        let whose = s.describe();
        let across = if core.is_empty() {
            String::new()
        } else {
            format!(" works across axes {core:?} of its shape and")
        };
        Error::invalid(
            self.op_name,
            format!(
                "chunks cut {whose}, which is axis {d} of a {} of shape {}; {}{across} would be computed whole by every chunk. Keep that axis in one chunk (rechunk it, e.g. chunks={{{}: -1}}), or chunk other axes",
                lib.name(),
                fmt_shape(&node.shape),
                lib.name(),
                s.origin.unwrap_or(d),
            ),
        )
    }
}
