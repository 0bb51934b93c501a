//! The array graph: immutable, hash-consed nodes. Building the same subexpression twice
//! returns the same node, so shared work is found for free; a node that has been
//! evaluated keeps its buffer and later graphs read it instead of recomputing it.

use crate::buffer::BufferRef;
use crate::dtype::{DType, Scalar};
use crate::ops::{BinaryOp, UnaryOp};
use crate::shape::Shape;
use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

pub type NodeRef = Arc<Node>;

/// An f64 compared and hashed by its bits (so -0.0 != 0.0 and NaN == NaN as keys).
#[derive(Clone, Copy, Debug)]
pub struct Bits(pub f64);
impl PartialEq for Bits {
    fn eq(&self, o: &Self) -> bool {
        self.0.to_bits() == o.0.to_bits()
    }
}
impl Eq for Bits {}
impl Hash for Bits {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.to_bits().hash(h)
    }
}

/// A scalar compared and hashed by its bits.
#[derive(Clone, Copy, Debug)]
pub struct ScalarKey(pub Scalar);
impl PartialEq for ScalarKey {
    fn eq(&self, o: &Self) -> bool {
        self.0.bits() == o.0.bits()
    }
}
impl Eq for ScalarKey {}
impl Hash for ScalarKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.bits().hash(h)
    }
}

/// Arrays computed from the element index alone: they read no memory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Generator {
    /// `start + i * step` along a 1-D array.
    Arange { start: Bits, step: Bits },
    /// numpy's linspace: `start + i * step`, with the last element exactly `stop`.
    Linspace { start: Bits, step: Bits, stop: Bits },
    /// 1 where `col - row == k`, else 0 (2-D).
    Eye { k: i64 },
    /// Uniform on [0, 1) from Philox, indexed by the flat element index.
    Uniform { seed: u64 },
    /// Standard normal from Philox.
    Normal { seed: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
    ArgMin,
    ArgMax,
    Any,
    All,
}

impl ReduceOp {
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::ArgMin => "argmin",
            ReduceOp::ArgMax => "argmax",
            ReduceOp::Any => "any",
            ReduceOp::All => "all",
        }
    }
}

/// What a node computes. Shape and dtype live on the node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Host data handed in by the user; its buffer is set at creation.
    Data,
    /// One value broadcast over the node's shape.
    Const(ScalarKey),
    Gen(Generator),
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// `where(cond, a, b)`.
    Where,
    /// Convert to the node's dtype.
    Cast,
    /// Same elements in row-major order, new shape.
    Reshape,
    /// numpy broadcasting of the input to the node's shape (rank may grow on the left).
    Expand,
    /// `out.axis[i] = in.axis[perm[i]]`.
    Permute(SmallVec<[usize; 4]>),
    /// Per axis `in = start + out * step` (step may be negative).
    Slice {
        start: SmallVec<[i64; 4]>,
        step: SmallVec<[i64; 4]>,
    },
    /// Shifted with wrap-around along one axis, as numpy.roll.
    Roll {
        axis: usize,
        shift: usize,
    },
    /// Constant padding: `before` elements in front of each axis.
    Pad {
        before: SmallVec<[usize; 4]>,
        value: ScalarKey,
    },
    /// Inputs joined along an axis.
    Concat {
        axis: usize,
    },
    /// Reduction over sorted axes (removed from the shape).
    Reduce {
        op: ReduceOp,
        axes: SmallVec<[usize; 4]>,
    },
    /// Work done by a library kernel (FFT, ...), not by generated code.
    Library(LibraryOp),
}

/// Operations backends run with library kernels (rustfft on the CPU, cuFFT on a GPU).
/// Their operands are materialised buffers; their results are buffers too.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LibraryOp {
    /// Unnormalised complex DFT over `axes` (exponent sign -1, or +1 when `inverse`) of
    /// the input zero-padded at the end of each axis to the node's shape (numpy's `s=`).
    Fft {
        axes: SmallVec<[usize; 4]>,
        inverse: bool,
    },
    /// Unnormalised real-to-complex DFT along the last axis (length n -> n/2 + 1).
    Rfft,
    /// Unnormalised complex-to-real inverse DFT along the last axis, `n` outputs.
    Irfft { n: usize },
    /// Matrix product over the last two axes; operands `[..., m, k]` and `[..., k, n]`
    /// with equal (already broadcast) leading axes; result `[..., m, n]`.
    MatMul,
    /// `solve(a, b)`: a `[..., n, n]`, b `[..., n, k]` -> x `[..., n, k]`.
    Solve,
    /// Least squares `argmin |a x - b|`: a `[..., m, n]`, b `[..., m, k]` -> `[..., n, k]`.
    Lstsq,
    /// Inverse of `[..., n, n]`.
    Inv,
    /// Determinant of `[..., n, n]` -> `[...]`.
    Det,
    /// Lower Cholesky factor of a Hermitian positive-definite `[..., n, n]`.
    Cholesky,
    /// Reduced QR of `[..., m, n]`, packed: the last axis holds Q (m×k, row-major) then
    /// R (k×n), k = min(m, n); the API returns lazy views of the two parts.
    Qr,
    /// Reduced SVD of `[..., m, n]`, packed as U (m×k), S (k), Vᴴ (k×n), k = min(m, n).
    Svd,
    /// Eigen-decomposition of a Hermitian `[..., n, n]` (lower triangle read), packed as
    /// eigenvalues (n, ascending) then eigenvectors (n×n, columns).
    Eigh,
}

impl LibraryOp {
    pub fn name(&self) -> &'static str {
        match self {
            LibraryOp::Fft { inverse: false, .. } => "fft",
            LibraryOp::Fft { inverse: true, .. } => "ifft",
            LibraryOp::Rfft => "rfft",
            LibraryOp::Irfft { .. } => "irfft",
            LibraryOp::MatMul => "matmul",
            LibraryOp::Solve => "solve",
            LibraryOp::Lstsq => "lstsq",
            LibraryOp::Inv => "inv",
            LibraryOp::Det => "det",
            LibraryOp::Cholesky => "cholesky",
            LibraryOp::Qr => "qr",
            LibraryOp::Svd => "svd",
            LibraryOp::Eigh => "eigh",
        }
    }
}

impl Op {
    /// The user's call that makes nodes of this op, for error messages.
    pub fn user_name(&self) -> &'static str {
        match self {
            Op::Data => "from_vec",
            Op::Const(_) => "full",
            Op::Gen(Generator::Arange { .. }) => "arange",
            Op::Gen(Generator::Linspace { .. }) => "linspace",
            Op::Gen(Generator::Eye { .. }) => "eye",
            Op::Gen(Generator::Uniform { .. }) => "random_uniform",
            Op::Gen(Generator::Normal { .. }) => "random_normal",
            Op::Unary(u) => u.name(),
            Op::Binary(b) => b.name(),
            Op::Where => "where",
            Op::Cast => "astype",
            Op::Reshape => "reshape",
            Op::Expand => "broadcast_to",
            Op::Permute(_) => "transpose",
            Op::Slice { .. } => "slice",
            Op::Roll { .. } => "roll",
            Op::Pad { .. } => "pad",
            Op::Concat { .. } => "concatenate",
            Op::Reduce { op, .. } => op.name(),
            Op::Library(l) => l.name(),
        }
    }
    pub fn is_elementwise(&self) -> bool {
        matches!(self, Op::Unary(_) | Op::Binary(_) | Op::Where | Op::Cast)
    }
    pub fn is_movement(&self) -> bool {
        matches!(
            self,
            Op::Reshape
                | Op::Expand
                | Op::Permute(_)
                | Op::Slice { .. }
                | Op::Roll { .. }
                | Op::Pad { .. }
                | Op::Concat { .. }
        )
    }
}

/// One node of the graph. Immutable but for the buffer it gets when evaluated.
#[derive(Debug)]
pub struct Node {
    /// Unique for the process; never reused.
    pub id: u64,
    /// The [`Graph`] (one per engine) that made this node.
    pub graph: u64,
    pub op: Op,
    pub dtype: DType,
    pub shape: Shape,
    /// The operands' ids, fixed for hash-consing even after `inputs` is released.
    pub input_ids: SmallVec<[u64; 2]>,
    /// The operands, released once this node is evaluated (its buffer replaces them), so
    /// an evaluated result does not keep the graph that produced it alive.
    inputs: RwLock<SmallVec<[NodeRef; 2]>>,
    /// Length of the longest chain of unevaluated nodes ending here (capped): the engine
    /// evaluates eagerly once it passes a limit (see `Engine`).
    pub pending: usize,
    stored: RwLock<Option<BufferRef>>,
}

/// Bound of the `pending` count; larger graphs are cut by evaluating.
pub const PENDING_CAP: usize = 1 << 20;

impl Node {
    /// Elements of the node. Shapes made by fallible calls are checked (at most
    /// [`MAX_ELEMENTS`](crate::shape::MAX_ELEMENTS)); a shape given to an infallible
    /// constructor (`zeros`, `linspace`, ...) may be larger and saturates here, and
    /// evaluating it is an error (see `PlanCache::schedule`).
    pub fn numel(&self) -> usize {
        self.shape
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d))
            .unwrap_or(usize::MAX)
    }
    /// The operands (empty once the node is evaluated).
    pub fn inputs(&self) -> SmallVec<[NodeRef; 2]> {
        self.inputs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The buffer, if this node has been evaluated (or is host data).
    pub fn buffer(&self) -> Option<BufferRef> {
        self.stored
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    pub fn is_evaluated(&self) -> bool {
        self.stored
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
    /// Record the evaluated buffer (or replace it by a copy in another memory space).
    pub fn set_buffer(&self, buf: BufferRef) {
        *self.stored.write().unwrap_or_else(|e| e.into_inner()) = Some(buf);
        let released = std::mem::take(&mut *self.inputs.write().unwrap_or_else(|e| e.into_inner()));
        drop_iteratively(released);
    }
}

/// Drop operand references without recursing once per graph level (a chain of
/// thousands of nodes would otherwise overflow the stack).
fn drop_iteratively(nodes: SmallVec<[NodeRef; 2]>) {
    let mut stack: Vec<NodeRef> = nodes.into_vec();
    while let Some(n) = stack.pop() {
        if let Ok(mut node) = Arc::try_unwrap(n) {
            stack.extend(std::mem::take(
                node.inputs.get_mut().unwrap_or_else(|e| e.into_inner()),
            ));
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let inputs = std::mem::take(self.inputs.get_mut().unwrap_or_else(|e| e.into_inner()));
        if !inputs.is_empty() {
            drop_iteratively(inputs);
        }
    }
}

#[derive(PartialEq, Eq, Hash)]
struct NodeKey {
    op: Op,
    dtype: DType,
    shape: Shape,
    inputs: SmallVec<[u64; 2]>,
}

/// The hash-consing table. Holds weak references: nodes die with their last user.
#[derive(Debug)]
pub struct Graph {
    /// Unique for the process: tells nodes of different engines apart.
    id: u64,
    table: Mutex<HashMap<NodeKeyHash, Vec<Weak<Node>>>>,
    clean_at: AtomicU64,
}

impl Default for Graph {
    fn default() -> Self {
        static NEXT_GRAPH: AtomicU64 = AtomicU64::new(1);
        Graph {
            id: NEXT_GRAPH.fetch_add(1, Ordering::Relaxed),
            table: Mutex::default(),
            clean_at: AtomicU64::new(0),
        }
    }
}

type NodeKeyHash = u64;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    /// This graph's process-wide id (recorded in every node it makes).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// A data node: never shared, its buffer is set at once.
    pub fn data(&self, dtype: DType, shape: Shape, buf: BufferRef) -> NodeRef {
        let node = Self::make(self.id, Op::Data, dtype, shape, SmallVec::new());
        node.set_buffer(buf);
        node
    }

    fn make(
        graph: u64,
        op: Op,
        dtype: DType,
        shape: Shape,
        inputs: SmallVec<[NodeRef; 2]>,
    ) -> NodeRef {
        let input_ids = inputs.iter().map(|n| n.id).collect();
        // The longest chain of unevaluated nodes below (a recurrence that reuses its
        // last two terms grows this linearly, not like the number of paths).
        let pending = if matches!(op, Op::Data) {
            0
        } else {
            1 + inputs
                .iter()
                .map(|n| if n.is_evaluated() { 0 } else { n.pending })
                .max()
                .unwrap_or(0)
                .min(PENDING_CAP)
        };
        Arc::new(Node {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            graph,
            op,
            dtype,
            shape,
            input_ids,
            inputs: RwLock::new(inputs),
            pending,
            stored: RwLock::new(None),
        })
    }

    /// The node for (op, dtype, shape, inputs): an existing one if it is still alive.
    pub fn intern(
        &self,
        op: Op,
        dtype: DType,
        shape: Shape,
        inputs: SmallVec<[NodeRef; 2]>,
    ) -> NodeRef {
        let key = NodeKey {
            op,
            dtype,
            shape,
            inputs: inputs.iter().map(|n| n.id).collect(),
        };
        let mut h = rustc_hash::FxHasher::default();
        key.hash(&mut h);
        let hash = h.finish();
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = table.get_mut(&hash) {
            // Dead entries of this key (a graph rebuilt in a loop) go as we pass them.
            bucket.retain(|w| w.strong_count() > 0);
            for weak in bucket.iter() {
                if let Some(n) = weak.upgrade() {
                    if n.op == key.op
                        && n.dtype == key.dtype
                        && n.shape == key.shape
                        && n.input_ids == key.inputs
                    {
                        return n;
                    }
                }
            }
        }
        let node = Self::make(self.id, key.op, key.dtype, key.shape, inputs);
        table.entry(hash).or_default().push(Arc::downgrade(&node));
        // Sweep dead entries whenever the table has doubled since the last sweep.
        if table.len() as u64 > 2 * self.clean_at.load(Ordering::Relaxed).max(1024) {
            table.retain(|_, b| {
                b.retain(|w| w.strong_count() > 0);
                !b.is_empty()
            });
            self.clean_at.store(table.len() as u64, Ordering::Relaxed);
        }
        node
    }

    /// Live entries in the table (for tests and diagnostics).
    pub fn len(&self) -> usize {
        let table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        table
            .values()
            .flatten()
            .filter(|w| w.strong_count() > 0)
            .count()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
