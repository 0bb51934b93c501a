//! The scheduler: cuts the graph below the requested outputs into kernels.
//!
//! Rules (DESIGN.md, "Fusion boundaries"):
//! - A kernel ends at an evaluated node (read from its buffer) and at a reduction (its
//!   own kernel, fused with its producer; consumers read its result).
//! - A library operation (FFT) is a step of its own; its operand is materialised by the
//!   kernel that produces it (so padding or a complex exponential is computed straight
//!   into the library's input buffer) and its consumers read its result.
//! - Requested outputs of one shape share one multi-output kernel, so work they share
//!   is done once — also when one output feeds another (it is computed inline there and
//!   stored), as in a recurrence's sequence P_0..P_n.
//! - An expensive node (cost >= [`EXPENSIVE`]) is materialised instead of duplicated when
//!   kernels of different shapes need it, when a broadcast would recompute it for many
//!   output elements, or when it is an operand of a concatenation (which evaluates every
//!   operand at every output element). Materialised operands of one shape share a
//!   multi-output kernel.

use crate::dtype::DType;
use crate::graph::{LibraryOp, NodeRef, Op};
use crate::kernel::{Kernel, Launch};
use crate::lower::{lower_elementwise, lower_reduction};
use crate::shape::Shape;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

/// Fused cost above which a node is computed once into a buffer rather than recomputed.
pub const EXPENSIVE: u32 = 8;

/// What a library call describes: the operation with the shapes and dtypes of its
/// operands and result. Read through [`LibraryCall`].
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryCallArgs {
    pub op: LibraryOp,
    /// Shapes and dtypes of the operands, in order.
    pub input_shapes: Vec<Shape>,
    pub input_dtypes: Vec<DType>,
    pub output_shape: Shape,
    pub output_dtype: DType,
}

/// A library operation as the scheduler emits it. Only scheduling makes one (its
/// fields are private; read them through `Deref` to [`LibraryCallArgs`]), so its
/// shapes are those of a real graph node and its operands; [`LibraryCall::check`]
/// confirms that the buffers a backend is handed match them.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryCall(LibraryCallArgs);

impl std::ops::Deref for LibraryCall {
    type Target = LibraryCallArgs;
    fn deref(&self) -> &LibraryCallArgs {
        &self.0
    }
}

impl LibraryCall {
    /// The library contract, checked by every backend before it runs `self`: the
    /// operands, given as (dtype, length), match the call in count, dtype and length.
    pub fn check<I>(&self, inputs: I) -> crate::error::Result<()>
    where
        I: IntoIterator<Item = (DType, usize)>,
    {
        let bad = |msg: String| Err(crate::error::Error::internal(self.op.name(), msg));
        let inputs: Vec<(DType, usize)> = inputs.into_iter().collect();
        if inputs.len() != self.input_shapes.len() || inputs.len() != self.input_dtypes.len() {
            return bad(format!(
                "{} operands given, {} expected",
                inputs.len(),
                self.input_shapes.len()
            ));
        }
        for (k, ((t, n), (shape, &want_t))) in inputs
            .iter()
            .zip(self.input_shapes.iter().zip(&self.input_dtypes))
            .enumerate()
        {
            if *t != want_t {
                return bad(format!("operand {k} is {t} but the call reads {want_t}"));
            }
            if crate::shape::checked_numel(shape) != Some(*n) {
                return bad(format!(
                    "operand {k} has {n} elements but the call reads shape {}",
                    crate::error::fmt_shape(shape)
                ));
            }
        }
        if crate::shape::checked_numel(&self.output_shape).is_none() {
            return bad("the result's element count overflows".into());
        }
        Ok(())
    }
}

/// What a step runs.
#[derive(Debug, Clone)]
pub enum Work {
    /// A generated kernel.
    Kernel { kernel: Arc<Kernel>, launch: Launch },
    /// A library kernel.
    Library(LibraryCall),
}

/// One step of a schedule.
#[derive(Debug, Clone)]
pub struct Step {
    pub work: Work,
    /// Nodes whose buffers are the step's inputs (in `kernel.inputs` order for kernels).
    pub inputs: Vec<NodeRef>,
    /// Nodes that receive the step's outputs (in `kernel.outputs` order for kernels).
    pub outputs: Vec<NodeRef>,
}

impl Step {
    /// The kernel of a kernel step.
    pub fn kernel(&self) -> Option<&Arc<Kernel>> {
        match &self.work {
            Work::Kernel { kernel, .. } => Some(kernel),
            Work::Library(_) => None,
        }
    }
}

/// Unevaluated nodes below `outputs`, inputs before users.
pub(crate) fn topo_order(outputs: &[NodeRef]) -> Vec<NodeRef> {
    let mut order = Vec::new();
    let mut seen = HashSet::default();
    let mut stack: Vec<(NodeRef, bool)> =
        outputs.iter().rev().map(|n| (n.clone(), false)).collect();
    while let Some((n, expanded)) = stack.pop() {
        if expanded {
            order.push(n);
            continue;
        }
        if n.is_evaluated() || !seen.insert(n.id) {
            continue;
        }
        stack.push((n.clone(), true));
        for i in n.inputs().iter().rev() {
            if !i.is_evaluated() && !seen.contains(&i.id) {
                stack.push((i.clone(), false));
            }
        }
    }
    order
}

fn own_cost(op: &Op) -> u32 {
    match op {
        Op::Unary(u) if u.is_transcendental() => 8,
        Op::Binary(
            crate::ops::BinaryOp::Pow | crate::ops::BinaryOp::Atan2 | crate::ops::BinaryOp::Hypot,
        ) => 8,
        Op::Gen(
            crate::graph::Generator::Uniform { .. } | crate::graph::Generator::Normal { .. },
        ) => 8,
        Op::Data | Op::Const(_) => 0,
        _ => 1,
    }
}

/// Cut the graph below `outputs` into kernel launches, in an order that runs producers first.
pub fn schedule(outputs: &[NodeRef]) -> Vec<Step> {
    let order = topo_order(outputs);
    let by_id: HashMap<u64, NodeRef> = order.iter().map(|n| (n.id, n.clone())).collect();
    let mut roots: HashSet<u64> = outputs
        .iter()
        .filter(|n| !n.is_evaluated())
        .map(|n| n.id)
        .collect();
    for n in &order {
        match n.op {
            Op::Reduce { .. } => {
                roots.insert(n.id);
            }
            Op::Library(_) => {
                roots.insert(n.id);
                for i in n.inputs().iter().filter(|i| !i.is_evaluated()) {
                    roots.insert(i.id);
                }
            }
            _ => {}
        }
    }
    let mut uses: HashMap<u64, usize> = order.iter().map(|n| (n.id, 0)).collect();
    for n in &order {
        for i in &n.inputs() {
            if let Some(u) = uses.get_mut(&i.id) {
                *u += 1;
            }
        }
    }
    // Materialise expensive shared or broadcast nodes; each round can only add roots.
    loop {
        let cost = fused_costs(&order, &roots);
        let mut added = false;
        // Only a node used more than once can be needed by two kernels.
        let shared_expensive = order
            .iter()
            .any(|n| !roots.contains(&n.id) && cost[&n.id] >= EXPENSIVE && uses[&n.id] > 1);
        if shared_expensive && roots.len() > 1 {
            added |= materialise_shared(&order, &by_id, &cost, &mut roots);
        }
        for n in &order {
            // Operands a kernel would evaluate for more elements than they have: a
            // broadcast repeats its operand, and a concatenation (like padding) computes
            // every operand at every output element and selects one.
            let wasteful: Vec<NodeRef> = match n.op {
                Op::Expand => n
                    .inputs()
                    .into_iter()
                    .filter(|i| i.numel() < n.numel())
                    .collect(),
                Op::Concat { .. } => n.inputs().into_vec(),
                _ => Vec::new(),
            };
            for input in wasteful {
                if !input.is_evaluated()
                    && !roots.contains(&input.id)
                    && cost[&input.id] >= EXPENSIVE
                {
                    roots.insert(input.id);
                    added = true;
                }
            }
        }
        if !added {
            break;
        }
    }
    build_steps(&order, &roots)
}

/// Make roots of the expensive nodes that kernels of different groups would each
/// recompute; true if any. Users are visited before their inputs, and a node made a
/// root is what the nodes below it are reached through, so only the top-most shared
/// node of a chain is materialised: computing a shared `w` once suffices, the terms it
/// is made of stay inside its kernel (deciding every node at once stored each of W2's
/// ~18 terms, 2.3 GB at 4096²).
fn materialise_shared(
    order: &[NodeRef],
    by_id: &HashMap<u64, NodeRef>,
    cost: &HashMap<u64, u32>,
    roots: &mut HashSet<u64>,
) -> bool {
    // For each node: the roots whose fusion regions hold it.
    let mut reach: HashMap<u64, HashSet<u64>> =
        order.iter().map(|n| (n.id, HashSet::default())).collect();
    let mut added = false;
    for n in order.iter().rev() {
        if !roots.contains(&n.id) && cost[&n.id] >= EXPENSIVE {
            let groups: HashSet<_> = reach[&n.id]
                .iter()
                .map(|r| kernel_group(&by_id[r]))
                .collect();
            if groups.len() > 1 {
                roots.insert(n.id);
                added = true;
            }
        }
        let mine: HashSet<u64> = if roots.contains(&n.id) {
            std::iter::once(n.id).collect()
        } else {
            reach[&n.id].clone()
        };
        for i in &n.inputs() {
            if let Some(r) = reach.get_mut(&i.id) {
                r.extend(mine.iter().copied());
            }
        }
    }
    added
}

fn kernel_group(root: &NodeRef) -> (Vec<usize>, u64) {
    match root.op {
        Op::Reduce { .. } | Op::Library(_) => (root.shape.to_vec(), root.id),
        _ => (root.shape.to_vec(), 0),
    }
}

fn fused_costs(order: &[NodeRef], roots: &HashSet<u64>) -> HashMap<u64, u32> {
    let mut cost: HashMap<u64, u32> = HashMap::default();
    for n in order {
        let below: u32 = n
            .inputs()
            .iter()
            .filter(|i| !roots.contains(&i.id))
            .map(|i| cost.get(&i.id).copied().unwrap_or(0))
            // a DAG's fused cost can double per level (a recurrence): saturate
            .fold(0u32, u32::saturating_add);
        cost.insert(n.id, own_cost(&n.op).saturating_add(below));
    }
    cost
}

/// Whether `n` can be computed inside a multi-output elementwise kernel.
fn is_elementwise(n: &NodeRef) -> bool {
    !matches!(n.op, Op::Reduce { .. } | Op::Library(_))
}

/// The launch level of every root: 1 + the highest level of a root its kernel reads,
/// so producers run first. An elementwise root of the same shape as the elementwise
/// root reading it can instead be computed in the reader's kernel (and stored from
/// there): it counts one level lower, which puts a sequence whose outputs feed each
/// other (P_{k+1} from P_k) into one multi-output kernel. That relaxation only passes
/// through same-shape elementwise nodes; everything else reads finished buffers.
fn root_levels(order: &[NodeRef], roots: &HashSet<u64>) -> HashMap<u64, usize> {
    let mut level: HashMap<u64, usize> = HashMap::default();
    // Highest root level under a non-root: strict (its buffers must exist), and relaxed
    // (same-shape elementwise roots may join the kernel that reads them).
    let mut strict: HashMap<u64, usize> = HashMap::default();
    let mut relaxed: HashMap<u64, usize> = HashMap::default();
    for n in order {
        let fusing = is_elementwise(n);
        let (mut deepest_strict, mut deepest_relaxed) = (0, 0);
        for i in &n.inputs() {
            if matches!(i.op, Op::Const(_) | Op::Gen(_)) {
                continue; // recomputed inline by every kernel that uses it
            }
            let same = fusing && is_elementwise(i) && i.shape == n.shape;
            let (s, r) = if roots.contains(&i.id) {
                let l = level.get(&i.id).copied().unwrap_or(0);
                (l, if same { l.saturating_sub(1) } else { l })
            } else {
                let s = strict.get(&i.id).copied().unwrap_or(0);
                let r = relaxed.get(&i.id).copied().unwrap_or(0);
                (s, if same { r } else { s })
            };
            deepest_strict = deepest_strict.max(s);
            deepest_relaxed = deepest_relaxed.max(r);
        }
        if roots.contains(&n.id) {
            let deepest = if fusing {
                deepest_relaxed
            } else {
                deepest_strict
            };
            level.insert(n.id, deepest + 1);
        } else {
            strict.insert(n.id, deepest_strict);
            relaxed.insert(n.id, deepest_relaxed);
        }
    }
    level
}

fn build_steps(order: &[NodeRef], roots: &HashSet<u64>) -> Vec<Step> {
    let level = root_levels(order, roots);
    // (level, shape, reduction id or 0) -> the roots that share one kernel.
    type GroupKey = (usize, Vec<usize>, u64);
    let mut groups: Vec<(GroupKey, Vec<NodeRef>)> = Vec::new();
    for n in order.iter().filter(|n| roots.contains(&n.id)) {
        let (shape, tag) = kernel_group(n);
        let key = (level[&n.id], shape, tag);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(n.clone()),
            None => groups.push((key, vec![n.clone()])),
        }
    }
    groups.sort_by_key(|((lvl, _, _), _)| *lvl);
    groups
        .into_iter()
        .filter_map(|(_, members)| {
            let lowered = match &members[0].op {
                Op::Library(op) => return library_step(op, &members[0]),
                Op::Reduce { .. } => lower_reduction(&members[0], roots)?,
                _ => lower_elementwise(&members, roots),
            };
            Some(Step {
                work: Work::Kernel {
                    kernel: lowered.kernel,
                    launch: lowered.launch,
                },
                inputs: lowered.inputs,
                outputs: members,
            })
        })
        .collect()
}

/// The step of a library node; `None` if another thread evaluated it meanwhile.
fn library_step(op: &LibraryOp, node: &NodeRef) -> Option<Step> {
    let inputs = node.inputs().to_vec();
    if inputs.is_empty() {
        return None;
    }
    Some(Step {
        work: Work::Library(LibraryCall(LibraryCallArgs {
            op: op.clone(),
            input_shapes: inputs.iter().map(|n| n.shape.clone()).collect(),
            input_dtypes: inputs.iter().map(|n| n.dtype).collect(),
            output_shape: node.shape.clone(),
            output_dtype: node.dtype,
        })),
        inputs,
        outputs: vec![node.clone()],
    })
}
