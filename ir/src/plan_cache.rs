//! Reusing schedules. A graph rebuilt with the same structure, constants, shapes and
//! evaluated leaves (a loop body evaluated again and again) gets the same kernels and
//! launches; only the buffers it reads differ. The key is the graph itself, compared
//! exactly (not a hash), so a hit can never pick another graph's plan.

use crate::dtype::DType;
use crate::graph::{NodeRef, Op};
use crate::schedule::{schedule, topo_order, Step, Work};
use crate::shape::Shape;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::sync::{Arc, Mutex};

/// Plans kept before the cache is emptied (graphs seen once should not pile up).
pub const PLAN_CACHE_CAPACITY: usize = 512;

/// A node of the graph being planned, or one of its evaluated leaves, by position.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Ref {
    Node(u32),
    Leaf(u32),
}

#[derive(PartialEq, Eq, Hash)]
struct KeyNode {
    op: Op,
    dtype: DType,
    shape: Shape,
    inputs: SmallVec<[Ref; 2]>,
}

#[derive(PartialEq, Eq, Hash)]
struct PlanKey {
    nodes: Vec<KeyNode>,
    leaves: Vec<(DType, Shape)>,
    outputs: Vec<Ref>,
}

struct PlanStep {
    work: Work,
    inputs: Vec<Ref>,
    outputs: Vec<Ref>,
}

#[derive(Default)]
pub struct PlanCache {
    plans: Mutex<FxHashMap<PlanKey, Arc<Vec<PlanStep>>>>,
}

/// The graph below `outputs` in positional form.
struct Positional {
    key: PlanKey,
    order: Vec<NodeRef>,
    leaves: Vec<NodeRef>,
}

fn positional(outputs: &[NodeRef]) -> Positional {
    let order = topo_order(outputs);
    let mut pos: FxHashMap<u64, Ref> = FxHashMap::default();
    for (i, n) in order.iter().enumerate() {
        pos.insert(n.id, Ref::Node(i as u32));
    }
    let mut leaves: Vec<NodeRef> = Vec::new();
    let mut leaf_ref = |n: &NodeRef, pos: &mut FxHashMap<u64, Ref>| -> Ref {
        *pos.entry(n.id).or_insert_with(|| {
            leaves.push(n.clone());
            Ref::Leaf(leaves.len() as u32 - 1)
        })
    };
    let mut nodes = Vec::with_capacity(order.len());
    for n in &order {
        let inputs = n.inputs().iter().map(|i| leaf_ref(i, &mut pos)).collect();
        nodes.push(KeyNode {
            op: n.op.clone(),
            dtype: n.dtype,
            shape: n.shape.clone(),
            inputs,
        });
    }
    let outputs = outputs.iter().map(|o| leaf_ref(o, &mut pos)).collect();
    let leaf_keys = leaves.iter().map(|l| (l.dtype, l.shape.clone())).collect();
    Positional {
        key: PlanKey {
            nodes,
            leaves: leaf_keys,
            outputs,
        },
        order,
        leaves,
    }
}

/// Whether two topological orders hold the same nodes in the same order.
fn same_nodes(a: &[NodeRef], b: &[NodeRef]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.id == y.id)
}

impl PlanCache {
    pub fn new() -> PlanCache {
        PlanCache::default()
    }

    /// The same steps as [`schedule`], reusing the plan of an identical earlier graph.
    /// A node whose shape holds more elements than an array can (made by an infallible
    /// constructor such as `zeros` or `linspace`) is an error here, before any work.
    pub fn schedule(&self, outputs: &[NodeRef]) -> crate::error::Result<Vec<Step>> {
        let p = positional(outputs);
        for n in &p.order {
            crate::shape::check_shape(n.op.user_name(), &n.shape)?;
        }
        let resolve = |r: &Ref| match *r {
            Ref::Node(i) => p.order[i as usize].clone(),
            Ref::Leaf(i) => p.leaves[i as usize].clone(),
        };
        let cached = self
            .plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&p.key)
            .cloned();
        if let Some(plan) = cached {
            return Ok(plan
                .iter()
                .map(|s| Step {
                    work: s.work.clone(),
                    inputs: s.inputs.iter().map(resolve).collect(),
                    outputs: s.outputs.iter().map(resolve).collect(),
                })
                .collect());
        }
        let steps = schedule(outputs);
        // Another thread may have evaluated nodes of this graph while it was scheduled:
        // then the steps were cut from a graph that no longer matches `p.key` (a node
        // the key counts as unevaluated may have been read from its buffer instead) and
        // must not be cached under it. Evaluation only ever turns unevaluated nodes into
        // evaluated ones, so an unchanged set of unevaluated nodes after scheduling means
        // nothing changed during it: key and plan describe one consistent snapshot.
        if !same_nodes(&p.order, &topo_order(outputs)) {
            return Ok(steps);
        }
        let mut pos: FxHashMap<u64, Ref> = FxHashMap::default();
        for (i, n) in p.order.iter().enumerate() {
            pos.insert(n.id, Ref::Node(i as u32));
        }
        for (i, n) in p.leaves.iter().enumerate() {
            pos.insert(n.id, Ref::Leaf(i as u32));
        }
        let plan: Option<Vec<PlanStep>> = steps
            .iter()
            .map(|s| {
                Some(PlanStep {
                    work: s.work.clone(),
                    inputs: s
                        .inputs
                        .iter()
                        .map(|n| pos.get(&n.id).copied())
                        .collect::<Option<_>>()?,
                    outputs: s
                        .outputs
                        .iter()
                        .map(|n| pos.get(&n.id).copied())
                        .collect::<Option<_>>()?,
                })
            })
            .collect();
        // Every node a step touches is in the graph below `outputs`; if not, do not cache.
        if let Some(plan) = plan {
            let mut plans = self.plans.lock().unwrap_or_else(|e| e.into_inner());
            if plans.len() >= PLAN_CACHE_CAPACITY {
                plans.clear();
            }
            plans.insert(p.key, Arc::new(plan));
        }
        Ok(steps)
    }

    /// Plans currently kept.
    pub fn len(&self) -> usize {
        self.plans.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
