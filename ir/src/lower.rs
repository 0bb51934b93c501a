//! Lowering: a fused region of the graph becomes kernel IR. Movement ops (reshape,
//! broadcast, transpose, slices, flips, rolls, padding, concatenation) turn into index
//! arithmetic on the way down, so they never copy memory.

use crate::dtype::{DType, Scalar};
use crate::graph::{Generator, NodeRef, Op, ReduceOp, ScalarKey};
use crate::kernel::{Inst, Instr, Kernel, Launch, LaunchArgs, RandomDist, Reduction, ValueId};
use crate::ops::BinaryOp;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use smallvec::SmallVec;
use std::sync::Arc;

type Dims = SmallVec<[ValueId; 4]>;

/// Where in a node's shape an element is: its row-major flat index, its multi-index,
/// or both. Converting between them costs instructions, so each is made only on demand.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Ctx {
    flat: Option<ValueId>,
    dims: Option<Dims>,
}

impl Ctx {
    fn flat(v: ValueId) -> Ctx {
        Ctx {
            flat: Some(v),
            dims: None,
        }
    }
    fn dims(d: Dims) -> Ctx {
        Ctx {
            flat: None,
            dims: Some(d),
        }
    }
}

/// Parameter roles: a parameter is identified by the node it belongs to and its role,
/// never by its value, so kernels that differ only in values have the same structure.
/// The axis or operand index is data of the role, so no two roles can alias however
/// many axes or operands a node has. `dims_of`/`flat_of` use `Stride`/`Extent` of a
/// node's own shape; operand sizes have roles of their own.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Role {
    /// A constant's value, or the fill value of padding.
    Value,
    /// A generator's extra value (linspace's stop, eye's k, a random seed).
    Aux,
    /// Row-major stride of axis `d` of the owner's shape.
    Stride(usize),
    /// Extent of axis `d` of the owner's shape.
    Extent(usize),
    /// Start along axis `d` (slice, pad's leading width), of operand `k` (concatenate's
    /// offsets), or of a generator / roll (index 0).
    Start(usize),
    /// Step along axis `d` (slice), or of a generator (index 0).
    Step(usize),
    /// The last index of a linspace, or a reduction's reduced length.
    Last,
    /// Extent of an operand: pad's input along axis `d`, roll's axis (index 0),
    /// concatenate's `k`-th input along the axis.
    OperandExtent(usize),
    /// End offset of concatenate's `k`-th input.
    End(usize),
}

/// Builds one kernel.
pub struct KernelBuilder<'a> {
    body: Vec<Instr>,
    cse: HashMap<Instr, ValueId>,
    params: Vec<DType>,
    param_values: Vec<Scalar>,
    param_index: HashMap<(u64, Role), u32>,
    inputs: Vec<DType>,
    input_nodes: Vec<NodeRef>,
    input_index: HashMap<u64, u32>,
    memo: HashMap<(u64, Ctx), ValueId>,
    /// Nodes read from buffers: evaluated nodes and other kernels' outputs.
    boundary: &'a HashSet<u64>,
    /// This kernel's own outputs: computed here even though they are in `boundary`.
    own_roots: HashSet<u64>,
    /// A permutation moved an operand's innermost axis: consecutive outputs read it
    /// with a stride (see `LaunchArgs::tile_cols`).
    crosses_layout: bool,
}

/// A kernel ready to launch, with the nodes it reads and writes.
pub struct Lowered {
    pub kernel: Arc<Kernel>,
    pub launch: Launch,
    pub inputs: Vec<NodeRef>,
}

impl<'a> KernelBuilder<'a> {
    pub fn new(boundary: &'a HashSet<u64>) -> Self {
        KernelBuilder {
            body: Vec::new(),
            cse: HashMap::default(),
            params: Vec::new(),
            param_values: Vec::new(),
            param_index: HashMap::default(),
            inputs: Vec::new(),
            input_nodes: Vec::new(),
            input_index: HashMap::default(),
            memo: HashMap::default(),
            boundary,
            own_roots: HashSet::default(),
            crosses_layout: false,
        }
    }

    fn push(&mut self, inst: Inst, dtype: DType) -> ValueId {
        let ins = Instr { inst, dtype };
        if let Some(&v) = self.cse.get(&ins) {
            return v;
        }
        let v = self.body.len() as ValueId;
        self.body.push(ins.clone());
        self.cse.insert(ins, v);
        v
    }

    fn konst(&mut self, s: Scalar) -> ValueId {
        self.push(Inst::Const(ScalarKey(s)), s.dtype())
    }
    fn i64c(&mut self, v: i64) -> ValueId {
        self.konst(Scalar::I64(v))
    }

    fn param(&mut self, owner: u64, role: Role, value: Scalar) -> ValueId {
        let k = match self.param_index.get(&(owner, role)) {
            Some(&k) => k,
            None => {
                let k = self.params.len() as u32;
                self.params.push(value.dtype());
                self.param_values.push(value);
                self.param_index.insert((owner, role), k);
                k
            }
        };
        self.push(Inst::Param(k), value.dtype())
    }
    fn iparam(&mut self, owner: u64, role: Role, v: usize) -> ValueId {
        self.param(owner, role, Scalar::I64(v as i64))
    }

    fn bin(&mut self, op: BinaryOp, a: ValueId, b: ValueId) -> ValueId {
        let t = self.body[a as usize].dtype;
        let out = if op.is_comparison() || op.is_logical() {
            DType::Bool
        } else {
            t
        };
        self.push(Inst::Binary(op, a, b), out)
    }
    fn select(&mut self, c: ValueId, a: ValueId, b: ValueId) -> ValueId {
        let t = self.body[a as usize].dtype;
        self.push(Inst::Select(c, a, b), t)
    }
    fn cast(&mut self, v: ValueId, to: DType) -> ValueId {
        if self.body[v as usize].dtype == to {
            v
        } else {
            self.push(Inst::Cast(v), to)
        }
    }

    /// Multi-index of `ctx` in `shape`, computed from the flat index if needed.
    fn dims_of(&mut self, ctx: &Ctx, shape: &[usize], owner: u64) -> Dims {
        if let Some(d) = &ctx.dims {
            return d.clone();
        }
        let flat = ctx.flat.expect("a context has a flat index or dims");
        let strides = crate::shape::strides(shape);
        let n = shape.len();
        (0..n)
            .map(|d| {
                if shape[d] == 1 {
                    return self.i64c(0);
                }
                let q = if d + 1 == n {
                    flat
                } else {
                    let s = self.iparam(owner, Role::Stride(d), strides[d]);
                    self.bin(BinaryOp::Div, flat, s)
                };
                if d == 0 {
                    q
                } else {
                    let e = self.iparam(owner, Role::Extent(d), shape[d]);
                    self.bin(BinaryOp::Fmod, q, e)
                }
            })
            .collect()
    }

    /// Row-major flat index of `ctx` in `shape`.
    fn flat_of(&mut self, ctx: &Ctx, shape: &[usize], owner: u64) -> ValueId {
        if let Some(f) = ctx.flat {
            return f;
        }
        let dims = ctx
            .dims
            .clone()
            .expect("a context has a flat index or dims");
        let strides = crate::shape::strides(shape);
        let mut acc: Option<ValueId> = None;
        for d in 0..shape.len() {
            if shape[d] == 1 {
                continue;
            }
            let term = if d + 1 == shape.len() {
                dims[d]
            } else {
                let s = self.iparam(owner, Role::Stride(d), strides[d]);
                self.bin(BinaryOp::Mul, dims[d], s)
            };
            acc = Some(match acc {
                None => term,
                Some(a) => self.bin(BinaryOp::Add, a, term),
            });
        }
        acc.unwrap_or_else(|| self.i64c(0))
    }

    /// The value of `node` at `ctx`.
    fn lower(&mut self, node: &NodeRef, ctx: &Ctx) -> ValueId {
        let key = (node.id, ctx.clone());
        if let Some(&v) = self.memo.get(&key) {
            return v;
        }
        // Deep graphs (a long chain built in a loop) recurse once per level: grow the
        // stack on demand instead of overflowing a small thread stack.
        let v = stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.lower_uncached(node, ctx));
        self.memo.insert(key, v);
        v
    }

    fn load(&mut self, node: &NodeRef, ctx: &Ctx) -> ValueId {
        let input = match self.input_index.get(&node.id) {
            Some(&k) => k,
            None => {
                let k = self.inputs.len() as u32;
                self.inputs.push(node.dtype);
                self.input_nodes.push(node.clone());
                self.input_index.insert(node.id, k);
                k
            }
        };
        let index = if node.numel() == 1 {
            self.i64c(0)
        } else {
            self.flat_of(ctx, &node.shape, node.id)
        };
        self.push(Inst::Load { input, index }, node.dtype)
    }

    fn lower_uncached(&mut self, node: &NodeRef, ctx: &Ctx) -> ValueId {
        // Operands first: a node evaluated by another thread meanwhile releases them
        // only after its buffer is set, so empty operands imply `is_evaluated()`.
        let inputs = node.inputs();
        // Constants and generators are recomputed wherever they are used, even when they
        // are another kernel's output: cheaper than a load, and no dependency.
        let inline = matches!(node.op, Op::Const(_) | Op::Gen(_));
        let foreign =
            self.boundary.contains(&node.id) && !self.own_roots.contains(&node.id) && !inline;
        if foreign || node.is_evaluated() {
            return self.load(node, ctx);
        }
        let id = node.id;
        let t = node.dtype;
        match &node.op {
            Op::Data => self.load(node, ctx),
            Op::Const(v) => self.param(id, Role::Value, v.0.cast(t)),
            Op::Gen(g) => self.generator(node, g, ctx),
            Op::Unary(op) => {
                let a = self.lower(&inputs[0], ctx);
                self.push(Inst::Unary(*op, a), t)
            }
            Op::Binary(op) => {
                let a = self.lower(&inputs[0], ctx);
                let b = self.lower(&inputs[1], ctx);
                self.push(Inst::Binary(*op, a, b), t)
            }
            Op::Where => {
                let c = self.lower(&inputs[0], ctx);
                let a = self.lower(&inputs[1], ctx);
                let b = self.lower(&inputs[2], ctx);
                self.select(c, a, b)
            }
            Op::Cast => {
                let a = self.lower(&inputs[0], ctx);
                self.cast(a, t)
            }
            Op::Reshape => {
                let flat = self.flat_of(ctx, &node.shape, id);
                self.lower(&inputs[0], &Ctx::flat(flat))
            }
            Op::Expand => self.expand(node, &inputs[0], ctx),
            Op::Permute(perm) => {
                self.crosses_layout |= perm.last().is_some_and(|&p| p + 1 != perm.len());
                let out = self.dims_of(ctx, &node.shape, id);
                let mut dims: Dims = SmallVec::from_elem(0, perm.len());
                for (i, &p) in perm.iter().enumerate() {
                    dims[p] = out[i];
                }
                self.lower(&inputs[0], &Ctx::dims(dims))
            }
            Op::Slice { start, step } => {
                let out = self.dims_of(ctx, &node.shape, id);
                let mut dims = Dims::new();
                for d in 0..out.len() {
                    dims.push(if start[d] == 0 && step[d] == 1 {
                        out[d]
                    } else {
                        let s = self.param(id, Role::Start(d), Scalar::I64(start[d]));
                        let k = self.param(id, Role::Step(d), Scalar::I64(step[d]));
                        let m = self.bin(BinaryOp::Mul, out[d], k);
                        self.bin(BinaryOp::Add, s, m)
                    });
                }
                self.lower(&inputs[0], &Ctx::dims(dims))
            }
            Op::Roll { axis, shift } => {
                let mut dims = self.dims_of(ctx, &node.shape, id);
                let n = node.shape[*axis];
                let back = (n - shift % n.max(1)) % n.max(1);
                let s = self.iparam(id, Role::Start(0), back);
                let e = self.iparam(id, Role::OperandExtent(0), n);
                let moved = self.bin(BinaryOp::Add, dims[*axis], s);
                let wraps = self.bin(BinaryOp::Ge, moved, e);
                let wrapped = self.bin(BinaryOp::Sub, moved, e);
                dims[*axis] = self.select(wraps, wrapped, moved);
                self.lower(&inputs[0], &Ctx::dims(dims))
            }
            Op::Pad { before, value } => self.pad(node, &inputs[0], before, value.0, ctx),
            Op::Concat { axis } => self.concat(node, &inputs, *axis, ctx),
            Op::Reduce { .. } | Op::Library(_) => {
                unreachable!("reductions and library operations are roots, read from buffers")
            }
        }
    }

    fn generator(&mut self, node: &NodeRef, g: &Generator, ctx: &Ctx) -> ValueId {
        let id = node.id;
        let t = node.dtype;
        let v = match g {
            Generator::Arange { start, step } if t.is_int() => {
                let i = self.dims_of(ctx, &node.shape, id)[0];
                let a = self.param(id, Role::Start(0), Scalar::I64(start.0 as i64));
                let s = self.param(id, Role::Step(0), Scalar::I64(step.0 as i64));
                let m = self.bin(BinaryOp::Mul, i, s);
                self.bin(BinaryOp::Add, a, m)
            }
            Generator::Arange { start, step } | Generator::Linspace { start, step, .. } => {
                let i = self.dims_of(ctx, &node.shape, id)[0];
                let fi = self.cast(i, DType::F64);
                let a = self.param(id, Role::Start(0), Scalar::F64(start.0));
                let s = self.param(id, Role::Step(0), Scalar::F64(step.0));
                let m = self.bin(BinaryOp::Mul, fi, s);
                let v = self.bin(BinaryOp::Add, a, m);
                if let Generator::Linspace { stop, .. } = g {
                    // Compared as doubles (exact below 2^53) so vector code keeps f64 lanes.
                    let last = node.shape[0].saturating_sub(1) as f64;
                    let last = self.param(id, Role::Last, Scalar::F64(last));
                    let is_last = self.bin(BinaryOp::Eq, fi, last);
                    let stop = self.param(id, Role::Aux, Scalar::F64(stop.0));
                    self.select(is_last, stop, v)
                } else {
                    v
                }
            }
            Generator::Eye { k } => {
                let d = self.dims_of(ctx, &node.shape, id);
                let k = self.param(id, Role::Aux, Scalar::I64(*k));
                let diff = self.bin(BinaryOp::Sub, d[1], d[0]);
                self.bin(BinaryOp::Eq, diff, k)
            }
            Generator::Uniform { seed } | Generator::Normal { seed } => {
                let flat = self.flat_of(ctx, &node.shape, id);
                let seed = self.param(id, Role::Aux, Scalar::I64(*seed as i64));
                let dist = if matches!(g, Generator::Uniform { .. }) {
                    RandomDist::Uniform
                } else {
                    RandomDist::Normal
                };
                self.push(
                    Inst::Random {
                        dist,
                        seed,
                        counter: flat,
                    },
                    DType::F64,
                )
            }
        };
        self.cast(v, t)
    }

    fn expand(&mut self, node: &NodeRef, input: &NodeRef, ctx: &Ctx) -> ValueId {
        if input.numel() == 1 {
            let zero = self.i64c(0);
            return self.lower(input, &Ctx::flat(zero));
        }
        if input.numel() == node.numel() {
            // Only axes of length 1 were added: the flat index is unchanged.
            let flat = self.flat_of(ctx, &node.shape, node.id);
            return self.lower(input, &Ctx::flat(flat));
        }
        let out = self.dims_of(ctx, &node.shape, node.id);
        let off = node.shape.len() - input.shape.len();
        let mut dims = Dims::new();
        for (d, &n) in input.shape.iter().enumerate() {
            dims.push(if n == 1 { self.i64c(0) } else { out[d + off] });
        }
        self.lower(input, &Ctx::dims(dims))
    }

    /// `0 <= i < n` and `i` clamped into range (so a load never leaves the buffer).
    fn in_range(&mut self, i: ValueId, n: ValueId) -> (ValueId, ValueId) {
        let zero = self.i64c(0);
        let ge = self.bin(BinaryOp::Ge, i, zero);
        let lt = self.bin(BinaryOp::Lt, i, n);
        let ok = self.bin(BinaryOp::And, ge, lt);
        let clamped = self.select(ok, i, zero);
        (ok, clamped)
    }

    fn pad(
        &mut self,
        node: &NodeRef,
        input: &NodeRef,
        before: &[usize],
        value: Scalar,
        ctx: &Ctx,
    ) -> ValueId {
        let id = node.id;
        if input.numel() == 0 {
            // Nothing to read: every element is padding.
            return self.param(id, Role::Value, value.cast(node.dtype));
        }
        let mut dims = self.dims_of(ctx, &node.shape, id);
        let mut valid: Option<ValueId> = None;
        for d in 0..dims.len() {
            if before[d] == 0 && input.shape[d] == node.shape[d] {
                continue;
            }
            let b = self.iparam(id, Role::Start(d), before[d]);
            let n = self.iparam(id, Role::OperandExtent(d), input.shape[d]);
            let i = self.bin(BinaryOp::Sub, dims[d], b);
            let (ok, clamped) = self.in_range(i, n);
            dims[d] = clamped;
            valid = Some(match valid {
                None => ok,
                Some(v) => self.bin(BinaryOp::And, v, ok),
            });
        }
        let inner = self.lower(input, &Ctx::dims(dims));
        match valid {
            None => inner,
            Some(ok) => {
                let fill = self.param(id, Role::Value, value.cast(node.dtype));
                self.select(ok, inner, fill)
            }
        }
    }

    fn concat(&mut self, node: &NodeRef, inputs: &[NodeRef], axis: usize, ctx: &Ctx) -> ValueId {
        let id = node.id;
        let out = self.dims_of(ctx, &node.shape, id);
        let mut offset = 0usize;
        let mut parts = Vec::new();
        for (k, input) in inputs.iter().enumerate() {
            if input.numel() == 0 {
                continue; // contributes no elements, and has none to read
            }
            let o = self.iparam(id, Role::Start(k), offset);
            let n = self.iparam(id, Role::OperandExtent(k), input.shape[axis]);
            let i = self.bin(BinaryOp::Sub, out[axis], o);
            let (_, clamped) = self.in_range(i, n);
            let mut dims = out.clone();
            dims[axis] = clamped;
            let v = self.lower(input, &Ctx::dims(dims));
            offset += input.shape[axis];
            let end = self.iparam(id, Role::End(k), offset);
            parts.push((self.bin(BinaryOp::Lt, out[axis], end), v));
        }
        let Some((_, mut acc)) = parts.pop() else {
            // Every input is empty, so the output has no elements to compute.
            return self.konst(Scalar::I64(0).cast(node.dtype));
        };
        while let Some((inside, v)) = parts.pop() {
            acc = self.select(inside, v, acc);
        }
        acc
    }

    fn finish(
        self,
        outputs: Vec<ValueId>,
        output_dtypes: Vec<DType>,
        reduction: Option<Reduction>,
        len: usize,
        reduce_len: usize,
        tile_cols: usize,
    ) -> Lowered {
        let kernel = Arc::new(Kernel {
            body: self.body,
            params: self.params,
            inputs: self.inputs,
            outputs,
            output_dtypes,
            reduction,
        });
        let args = LaunchArgs {
            len,
            reduce_len,
            params: self.param_values,
            input_lens: self.input_nodes.iter().map(|n| n.numel()).collect(),
            tile_cols,
        };
        Lowered {
            launch: Launch::new(kernel.clone(), args),
            kernel,
            inputs: self.input_nodes,
        }
    }
}

/// One kernel writing every node of `roots` (all of one shape), element by element.
pub fn lower_elementwise(roots: &[NodeRef], boundary: &HashSet<u64>) -> Lowered {
    let mut b = KernelBuilder::new(boundary);
    let index = b.push(Inst::Index, DType::I64);
    let ctx = Ctx::flat(index);
    b.own_roots = roots.iter().map(|r| r.id).collect();
    let outputs: Vec<ValueId> = roots.iter().map(|r| b.lower(r, &ctx)).collect();
    let dtypes = roots.iter().map(|r| r.dtype).collect();
    let shape = &roots[0].shape;
    let tile_cols = match shape.len() {
        n if n >= 2 && b.crosses_layout && shape[n - 2] > 1 => shape[n - 1],
        _ => 0,
    };
    b.finish(outputs, dtypes, None, roots[0].numel(), 1, tile_cols)
}

/// The reduction `root` (an `Op::Reduce` node) as one kernel, fused with its producer.
/// `None` if another thread evaluated `root` meanwhile (nothing left to do).
pub fn lower_reduction(root: &NodeRef, boundary: &HashSet<u64>) -> Option<Lowered> {
    let Op::Reduce { op, axes } = &root.op else {
        unreachable!("lower_reduction takes a reduce node")
    };
    let input = &root.inputs().first()?.clone();
    let in_shape = &input.shape;
    let reduced: SmallVec<[usize; 4]> = axes.iter().map(|&a| in_shape[a]).collect();
    let reduce_len: usize = reduced.iter().product();
    let mut b = KernelBuilder::new(boundary);
    b.own_roots.insert(root.id);
    let o = b.push(Inst::Index, DType::I64);
    let r = b.push(Inst::ReduceIndex, DType::I64);
    let kept = in_shape.len() - axes.len();
    let is_suffix = axes.iter().enumerate().all(|(i, &a)| a == kept + i);
    // Reduced axes leading (axis 0 of a matrix): the flat index is `r * outputs + o`,
    // consecutive in the output index, so the cpu backend can walk it row by row; with
    // one kept axis the multi-index is free too (broadcast operands such as a mean).
    let is_prefix = axes.iter().enumerate().all(|(i, &a)| a == i);
    let ctx = if is_suffix {
        let rl = b.iparam(0, Role::Last, reduce_len);
        let base = b.bin(BinaryOp::Mul, o, rl);
        let flat = Some(b.bin(BinaryOp::Add, base, r));
        // One kept and one reduced axis (a row reduction of a matrix): the multi-index
        // is free too, so a broadcast operand (var's mean) needs no division.
        let dims = (root.shape.len() <= 1 && axes.len() == 1).then(|| {
            let mut d: Dims = root.shape.iter().map(|_| o).collect();
            d.push(r);
            d
        });
        Ctx { flat, dims }
    } else if is_prefix {
        let kept_len = b.iparam(root.id, Role::OperandExtent(0), root.numel());
        let base = b.bin(BinaryOp::Mul, r, kept_len);
        let flat = Some(b.bin(BinaryOp::Add, base, o));
        let dims = (root.shape.len() == 1).then(|| {
            let mut d = b.dims_of(&Ctx::flat(r), &reduced, 0);
            d.push(o);
            d
        });
        Ctx { flat, dims }
    } else {
        // Output axes come from the output index, reduced axes from the reduce index.
        let out_dims = b.dims_of(&Ctx::flat(o), &root.shape, root.id);
        let red_dims = b.dims_of(&Ctx::flat(r), &reduced, 0);
        let (mut oi, mut ri) = (out_dims.into_iter(), red_dims.into_iter());
        let dims: Dims = (0..in_shape.len())
            .map(|d| {
                if axes.contains(&d) {
                    ri.next()
                } else {
                    oi.next()
                }
                .expect("axis counts match")
            })
            .collect();
        Ctx::dims(dims)
    };
    let v = b.lower(input, &ctx);
    let acc_dtype = match op {
        ReduceOp::Sum | ReduceOp::Prod if !input.dtype.is_inexact() => DType::I64,
        ReduceOp::Any | ReduceOp::All => DType::Bool,
        _ => input.dtype,
    };
    let v = b.cast(v, acc_dtype);
    let red = Reduction { op: *op, value: v };
    Some(b.finish(
        vec![v],
        vec![root.dtype],
        Some(red),
        root.numel(),
        reduce_len,
        0,
    ))
}
