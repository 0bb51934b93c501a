//! A versioned byte format for the subgraph feeding some arrays, so a lazy graph can be
//! shipped to another process (e.g. a Dask worker) and rebuilt there.
//!
//! Layout (little endian): magic `b"MEGR"`, `u32` format version, `u32` node count, the
//! nodes in topological order (operands before users), `u32` root count, root indices.
//! A node is its op (tag + parameters), dtype, shape and operand indices; evaluated nodes
//! and input buffers are written as data with their elements, so a shipped graph never
//! recomputes what the sender already had. Generators and constants carry only their
//! parameters: a generated grid costs a few bytes however large it is.
//!
//! Hand-written rather than serde-derived so the `ir` types stay free of a format
//! dependency; every read is bounds-checked and every tag validated, so corrupt,
//! truncated or newer-version bytes give an `Err`, never a panic. Import re-checks
//! each node's arity, shape and dtype against its operands (`validate`), so a corrupt byte
//! string cannot make a kernel read out of bounds.

use crate::{Array, Engine};
use mathengine_ir::graph::NodeRef;
use mathengine_ir::shape::Shape;
use mathengine_ir::{DeviceBuffer, Error, Result};
use smallvec::SmallVec;
use std::collections::HashMap;

mod codec;
mod validate;

use codec::*;
use validate::{check_arity, check_node};

const MAGIC: &[u8; 4] = b"MEGR";
/// Bumped whenever the layout changes; readers refuse newer versions.
pub const FORMAT_VERSION: u32 = 1;

pub(super) fn invalid(msg: impl Into<String>) -> Error {
    Error::Invalid {
        op: "import_graph".into(),
        msg: msg.into(),
    }
}

impl Engine {
    /// Serialise the graph feeding `arrays` (one shared subgraph, written once).
    pub fn export_graph(&self, arrays: &[&Array]) -> Result<Vec<u8>> {
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u32(FORMAT_VERSION);
        let mut order: Vec<NodeRef> = Vec::new();
        let mut index: HashMap<u64, u32> = HashMap::new();
        for a in arrays {
            if a.node().graph != self.inner.graph.id() {
                return Err(crate::engine::foreign_array("export_graph"));
            }
            topo(a.node(), &mut order, &mut index);
        }
        w.u32(order.len() as u32);
        for n in &order {
            w.u32(dtype_tag(n.dtype) as u32);
            w.u32(n.shape.len() as u32);
            for &d in n.shape.iter() {
                w.u64(d as u64);
            }
            if let Some(buf) = n.buffer() {
                w.u8(0); // data
                let host = self.to_host(&buf)?;
                write_host(&mut w, &host);
                continue;
            }
            write_op(&mut w, &n.op)?;
            let ins = n.inputs();
            w.u32(ins.len() as u32);
            for i in ins.iter() {
                w.u32(index[&i.id]);
            }
        }
        w.u32(arrays.len() as u32);
        for a in arrays {
            w.u32(index[&a.node().id]);
        }
        Ok(w.0)
    }

    /// Rebuild arrays written by [`Engine::export_graph`] in this engine.
    pub fn import_graph(&self, bytes: &[u8]) -> Result<Vec<Array>> {
        let mut r = Reader { b: bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err(invalid("not a mathengine graph (bad magic bytes)"));
        }
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(invalid(format!(
                "graph format version {version} is not supported (this mathengine reads version {FORMAT_VERSION}); use the same mathengine version on both sides"
            )));
        }
        let count = r.u32()? as usize;
        let mut nodes: Vec<NodeRef> = Vec::with_capacity(count.min(1 << 16));
        for k in 0..count {
            let dtype = tag_dtype(r.u8_from_u32()?)?;
            let rank = r.u32()? as usize;
            if rank > 32 {
                return Err(invalid(format!("node {k} has rank {rank}")));
            }
            let mut shape = Shape::new();
            for _ in 0..rank {
                shape.push(usize::try_from(r.u64()?).map_err(|_| invalid("extent too large"))?);
            }
            let tag = r.u8()?;
            if tag == 0 {
                let host = read_host(&mut r, dtype)?;
                let n = mathengine_ir::shape::check_shape("import_graph", &shape)?;
                if host.len() != n {
                    return Err(invalid(format!(
                        "node {k}: {} elements for shape {:?}",
                        host.len(),
                        shape
                    )));
                }
                nodes.push(self.data_node(host, shape));
                continue;
            }
            let op = read_op(&mut r, tag)?;
            let n_in = r.u32()? as usize;
            let mut inputs: SmallVec<[NodeRef; 2]> = SmallVec::new();
            for _ in 0..n_in {
                let i = r.u32()? as usize;
                let node = nodes
                    .get(i)
                    .ok_or_else(|| invalid(format!("node {k} reads node {i}, not yet defined")))?;
                inputs.push(node.clone());
            }
            check_arity(&op, n_in, k)?;
            check_node(&op, dtype, &shape, &inputs)
                .map_err(|why| invalid(format!("node {k} ({}) is inconsistent: {why}; evaluate it before exporting, or use the same mathengine version on both sides", op.user_name())))?;
            nodes.push(self.node(op, dtype, shape, inputs)?);
        }
        let roots = r.u32()? as usize;
        let mut out = Vec::with_capacity(roots.min(1 << 16));
        for _ in 0..roots {
            let i = r.u32()? as usize;
            let n = nodes
                .get(i)
                .ok_or_else(|| invalid(format!("root {i} out of range")))?;
            out.push(self.wrap(n.clone()));
        }
        if r.at != bytes.len() {
            return Err(invalid("trailing bytes after the graph"));
        }
        Ok(out)
    }
}

/// Operands before users, each node once.
fn topo(root: &NodeRef, order: &mut Vec<NodeRef>, index: &mut HashMap<u64, u32>) {
    // Iterative post-order: deep graphs must not overflow the stack.
    let mut stack: Vec<(NodeRef, bool)> = vec![(root.clone(), false)];
    while let Some((n, expanded)) = stack.pop() {
        if index.contains_key(&n.id) {
            continue;
        }
        if expanded || n.is_evaluated() {
            index.insert(n.id, order.len() as u32);
            order.push(n);
            continue;
        }
        stack.push((n.clone(), true));
        for i in n.inputs().iter().rev() {
            if !index.contains_key(&i.id) {
                stack.push((i.clone(), false));
            }
        }
    }
}
