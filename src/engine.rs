//! The engine: owns the graph's hash-consing table and the current backend, and runs
//! schedules. Cloning an `Engine` gives another handle to the same engine.

use crate::array::Array;
use crate::backend::cpu::CpuBackend;
use crate::backend::reference::ReferenceBackend;
use crate::backend::{Backend, BackendStats};
use mathengine_ir::graph::Graph;
use mathengine_ir::plan_cache::PlanCache;
use mathengine_ir::schedule::{Step, Work};
use mathengine_ir::{as_host, BufferRef, DType, Error, HostBuffer, NodeRef, Op, Result, Shape};
use smallvec::SmallVec;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Once the longest chain of unevaluated nodes ending at a new node is longer than this,
/// the engine evaluates that node at once. A graph built in a loop (`x = f(x)`) is
/// thereby cut every few hundred steps, into kernels of the same structure (compiled
/// once); expressions written out by hand, and polynomial recurrences, stay far below
/// it and fuse whole. A program that wants a cut sooner calls `eval()` itself.
pub const MAX_PENDING_DEPTH: usize = 512;

pub(crate) struct Inner {
    pub(crate) graph: Graph,
    plans: PlanCache,
    current: RwLock<Arc<dyn Backend>>,
    registered: RwLock<Vec<Arc<dyn Backend>>>,
    /// Runs the steps the current backend cannot (the cpu backend by default).
    fallback: RwLock<Arc<dyn Backend>>,
    fallbacks: AtomicU64,
}

/// The entry point: creates arrays, builds graphs, and evaluates them on the current
/// backend. `Engine` is `Send + Sync`; clones share one engine.
///
/// ```
/// use mathengine::Engine;
/// let e = Engine::new();
/// let x = e.linspace(0.0, 1.0, 5);
/// let y = (&x * &x).sin();
/// assert_eq!(y.to_vec::<f64>()?[4], 1f64.sin());
/// # Ok::<(), mathengine::Error>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
    /// Orthogonal polynomials (Jacobi, Zernike, ...): `e.polynomials.zernike_nm(..)`.
    pub polynomials: crate::polynomials::Polynomials,
    /// Coordinate grids and transforms: `e.coordinates.make_xy_grid(..)`.
    pub coordinates: crate::coordinates::Coordinates,
    /// numpy's FFT functions: `e.fft.fft2(..)`.
    pub fft: crate::fft::Fft,
    /// numpy's linear algebra: `e.linalg.solve(..)`.
    pub linalg: crate::linalg::Linalg,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine {{ backend: {} }}", self.backend_name())
    }
}

/// An element [`Engine::eval_all`] accepts: an [`Array`] or a reference to one (at any
/// depth, so `&[&a, &b]` and `&Vec<Array>` both work).
pub trait AsArray {
    fn as_array(&self) -> &Array;
}
impl AsArray for Array {
    fn as_array(&self) -> &Array {
        self
    }
}
impl<T: AsArray + ?Sized> AsArray for &T {
    fn as_array(&self) -> &Array {
        (**self).as_array()
    }
}

/// What `change_backend` accepts: a backend's name, or a backend of the user's.
pub enum BackendChoice {
    Name(String),
    Custom(Box<dyn Backend>),
}
impl From<&str> for BackendChoice {
    fn from(s: &str) -> Self {
        BackendChoice::Name(s.to_string())
    }
}
impl From<String> for BackendChoice {
    fn from(s: String) -> Self {
        BackendChoice::Name(s)
    }
}
impl From<Box<dyn Backend>> for BackendChoice {
    fn from(b: Box<dyn Backend>) -> Self {
        BackendChoice::Custom(b)
    }
}

/// The backends every engine knows by name, the default first ("cuda" only where a
/// CUDA driver and device exist).
pub fn builtin_backend_names() -> Vec<&'static str> {
    let mut names = vec!["cpu", "reference"];
    if crate::backend::cuda::cuda_available() {
        names.push("cuda");
    }
    names
}

/// The error every call gives for an array of another engine.
pub(crate) fn foreign_array(op: &str) -> Error {
    Error::invalid(
        op,
        "an array belongs to another Engine; create it with this engine (or copy its data in with from_vec(a.to_vec()?, a.shape()))",
    )
}

fn builtin_backend(name: &str) -> Result<Arc<dyn Backend>> {
    match name {
        "cpu" => Ok(Arc::new(CpuBackend::new())),
        "reference" => Ok(Arc::new(ReferenceBackend::new())),
        "cuda" => Ok(Arc::new(crate::backend::cuda::CudaBackend::new()?)),
        _ => Err(Error::UnknownBackend {
            name: name.into(),
            reason: "no backend has this name".into(),
            available: builtin_backend_names().join(", "),
        }),
    }
}

impl Engine {
    /// An engine on the default backend.
    pub fn new() -> Engine {
        Self::with_backend_arc(
            builtin_backend(builtin_backend_names()[0])
                .expect("the first builtin backend always exists"),
        )
    }

    /// An engine on the named backend.
    pub fn with_backend(name: &str) -> Result<Engine> {
        let e = Engine::new();
        e.change_backend(name)?;
        Ok(e)
    }

    fn with_backend_arc(b: Arc<dyn Backend>) -> Engine {
        Engine::from_inner(Arc::new(Inner {
            graph: Graph::new(),
            plans: PlanCache::new(),
            current: RwLock::new(b.clone()),
            registered: RwLock::new(vec![b]),
            fallback: RwLock::new(Arc::new(CpuBackend::new())),
            fallbacks: AtomicU64::new(0),
        }))
    }

    /// A handle to an existing engine (the namespaces hold its core, not a handle, so
    /// that `Engine` does not contain itself).
    pub(crate) fn from_inner(inner: Arc<Inner>) -> Engine {
        Engine {
            polynomials: crate::polynomials::Polynomials::new(inner.clone()),
            coordinates: crate::coordinates::Coordinates::new(inner.clone()),
            fft: crate::fft::Fft::new(inner.clone()),
            linalg: crate::linalg::Linalg::new(inner.clone()),
            inner,
        }
    }

    /// Select the backend later evaluations run on, by name (`"cpu"`, `"reference"`, a
    /// backend given earlier) or as a `Box<dyn Backend>` of your own. Arrays already
    /// evaluated stay where they are and move when a graph on another backend reads them.
    pub fn change_backend(&self, choice: impl Into<BackendChoice>) -> Result<()> {
        let backend: Arc<dyn Backend> = match choice.into() {
            BackendChoice::Custom(b) => Arc::from(b),
            BackendChoice::Name(name) => {
                let known = self.registered().into_iter().find(|b| b.name() == name);
                match known {
                    Some(b) => b,
                    None => builtin_backend(&name).map_err(|e| match e {
                        Error::UnknownBackend { name, reason, .. } => {
                            let mut names: Vec<String> = builtin_backend_names()
                                .iter()
                                .map(|s| s.to_string())
                                .collect();
                            for b in self.registered() {
                                if !names.iter().any(|n| n == b.name()) {
                                    names.push(b.name().to_string());
                                }
                            }
                            Error::UnknownBackend {
                                name,
                                reason,
                                available: names.join(", "),
                            }
                        }
                        other => other,
                    })?,
                }
            }
        };
        {
            let mut reg = self
                .inner
                .registered
                .write()
                .unwrap_or_else(|e| e.into_inner());
            reg.retain(|b| b.name() != backend.name());
            reg.push(backend.clone());
        }
        *self
            .inner
            .current
            .write()
            .unwrap_or_else(|e| e.into_inner()) = backend;
        Ok(())
    }

    fn registered(&self) -> Vec<Arc<dyn Backend>> {
        self.inner
            .registered
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The current backend.
    pub fn backend(&self) -> Arc<dyn Backend> {
        self.inner
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn backend_name(&self) -> String {
        self.backend().name().to_string()
    }

    /// Wait until the current backend has finished all queued work. Evaluation on an
    /// asynchronous backend (cuda) returns once its kernels are queued; reading data
    /// back waits by itself, so this is only needed to time work.
    pub fn synchronize(&self) -> Result<()> {
        self.backend().synchronize()
    }

    /// Compile-cache counters of the current backend ("did it recompile?").
    pub fn stats(&self) -> BackendStats {
        self.backend().stats()
    }

    /// Kernels that ran on the CPU because the current backend could not run them.
    pub fn fallback_count(&self) -> u64 {
        self.inner.fallbacks.load(Ordering::Relaxed)
    }

    /// Evaluate several arrays with one schedule: work they share is done once, and
    /// outputs of one shape come from one multi-output kernel. Takes any iterable of
    /// arrays or references to them: `&[&a, &b]`, `&vec_of_arrays`, `v.iter()`.
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// let x = e.linspace(0.0, 1.0, 8);
    /// let (a, b) = (x.sin(), x.cos());
    /// e.eval_all(&[&a, &b])?;
    /// let many = vec![x.exp(), x.sqrt()];
    /// e.eval_all(&many)?;
    /// e.eval_all(many.iter().chain([&a]))?;
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn eval_all<I>(&self, arrays: I) -> Result<()>
    where
        I: IntoIterator,
        I::Item: AsArray,
    {
        let mut nodes: Vec<NodeRef> = Vec::new();
        for a in arrays {
            let a = a.as_array();
            self.check_same_engine("eval_all", a)?;
            nodes.push(a.node.clone());
        }
        self.eval_nodes(&nodes)
    }

    pub(crate) fn check_same_engine(&self, op: &str, a: &Array) -> Result<()> {
        if Arc::ptr_eq(&self.inner, &a.engine.inner) {
            Ok(())
        } else {
            Err(foreign_array(op))
        }
    }

    pub(crate) fn eval_nodes(&self, nodes: &[NodeRef]) -> Result<()> {
        let backend = self.backend();
        for step in self.inner.plans.schedule(nodes)? {
            self.run_step(&backend, &step)?;
        }
        Ok(())
    }

    fn run_step(&self, backend: &Arc<dyn Backend>, step: &Step) -> Result<()> {
        let supported = match &step.work {
            Work::Kernel { kernel, .. } => backend.supports(kernel).is_ok(),
            Work::Library(call) => backend.supports_library(call).is_ok(),
        };
        let runner = if supported {
            backend.clone()
        } else {
            self.inner.fallbacks.fetch_add(1, Ordering::Relaxed);
            self.cpu_fallback()
        };
        let inputs = step
            .inputs
            .iter()
            .map(|n| self.buffer_on(n, runner.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        let (outputs, what) = match &step.work {
            Work::Kernel { kernel, launch } => {
                (runner.run_kernel(kernel, launch, &inputs)?, kernel.name())
            }
            Work::Library(call) => (
                runner.run_library(call, &inputs)?,
                call.op.name().to_string(),
            ),
        };
        if outputs.len() != step.outputs.len() {
            return Err(Error::Backend {
                backend: runner.name().into(),
                msg: format!(
                    "{what} returned {} buffers for {} outputs",
                    outputs.len(),
                    step.outputs.len()
                ),
            });
        }
        for (node, buf) in step.outputs.iter().zip(outputs) {
            node.set_buffer(buf);
        }
        Ok(())
    }

    /// The backend used for steps the current backend cannot run.
    fn cpu_fallback(&self) -> Arc<dyn Backend> {
        self.fallback_backend()
    }

    /// The backend that runs the steps the current backend cannot (its `supports` or
    /// `supports_library` gave a reason): the cpu backend unless
    /// [`set_fallback_backend`](Self::set_fallback_backend) chose another.
    pub fn fallback_backend(&self) -> Arc<dyn Backend> {
        self.inner
            .fallback
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Choose the backend that runs the steps the current backend cannot, by name
    /// (`"cpu"`, `"reference"`, a backend given earlier) or as a `Box<dyn Backend>`.
    /// It should run every step (the engine does not fall back twice); the default is
    /// the cpu backend.
    ///
    /// ```
    /// let e = mathengine::Engine::new();
    /// e.set_fallback_backend("reference")?;
    /// assert_eq!(e.fallback_backend().name(), "reference");
    /// # Ok::<(), mathengine::Error>(())
    /// ```
    pub fn set_fallback_backend(&self, choice: impl Into<BackendChoice>) -> Result<()> {
        let backend: Arc<dyn Backend> = match choice.into() {
            BackendChoice::Custom(b) => Arc::from(b),
            BackendChoice::Name(name) => {
                match self.registered().into_iter().find(|b| b.name() == name) {
                    Some(b) => b,
                    None => builtin_backend(&name)?,
                }
            }
        };
        {
            // Registered, so that buffers it leaves in its memory can be read back.
            let mut reg = self
                .inner
                .registered
                .write()
                .unwrap_or_else(|e| e.into_inner());
            if !reg.iter().any(|b| Arc::ptr_eq(b, &backend)) {
                reg.retain(|b| b.name() != backend.name());
                reg.push(backend.clone());
            }
        }
        *self
            .inner
            .fallback
            .write()
            .unwrap_or_else(|e| e.into_inner()) = backend;
        Ok(())
    }

    /// `node`'s buffer in `backend`'s memory, moving it there (and remembering the move)
    /// if it lives elsewhere.
    fn buffer_on(&self, node: &NodeRef, backend: &dyn Backend) -> Result<BufferRef> {
        let buf = node
            .buffer()
            .ok_or_else(|| Error::internal("eval", "a kernel input was not evaluated"))?;
        if buf.location() == backend.location() {
            return Ok(buf);
        }
        let host = self.to_host(&buf)?;
        let moved = backend.upload(&host)?;
        node.set_buffer(moved.clone());
        Ok(moved)
    }

    /// A host copy of any buffer, downloaded by the backend that owns its memory.
    pub(crate) fn to_host(&self, buf: &BufferRef) -> Result<HostBuffer> {
        if let Some(h) = as_host(buf.as_ref()) {
            return Ok(h.clone());
        }
        let owner = self.registered().into_iter().find(|b| b.location() == buf.location()).ok_or_else(|| Error::Backend {
            backend: buf.location().into(),
            msg: "no registered backend owns this memory; select that backend again before reading".into(),
        })?;
        owner.download(buf.as_ref())
    }

    // ---- graph construction helpers shared by the ops modules ----

    pub(crate) fn wrap(&self, node: NodeRef) -> Array {
        Array {
            node,
            engine: self.clone(),
        }
    }

    /// Intern a node, evaluating it at once if the pending graph below it grew too big.
    pub(crate) fn node(
        &self,
        op: Op,
        dtype: DType,
        shape: Shape,
        inputs: SmallVec<[NodeRef; 2]>,
    ) -> Result<NodeRef> {
        // A shape new to this graph must hold a possible number of elements (one that an
        // operand already has, e.g. an elementwise op of a huge lazy `zeros`, is reported
        // when it is evaluated, as its operand's is).
        // One rule for arrays of another engine, whatever the call: refused.
        if inputs.iter().any(|i| i.graph != self.inner.graph.id()) {
            return Err(foreign_array(op.user_name()));
        }
        if !inputs.iter().any(|i| i.shape == shape) {
            mathengine_ir::shape::check_shape(op.user_name(), &shape)?;
        }
        let n = self.inner.graph.intern(op, dtype, shape, inputs);
        if n.pending > MAX_PENDING_DEPTH && !n.is_evaluated() {
            self.eval_nodes(std::slice::from_ref(&n))?;
        }
        Ok(n)
    }

    /// Live nodes in the hash-consing table.
    pub fn graph_size(&self) -> usize {
        self.inner.graph.len()
    }

    /// An array over an existing buffer, without a copy (e.g. a
    /// [`ForeignHostBuffer`](mathengine_ir::ForeignHostBuffer) over a numpy array's
    /// memory). `shape` must hold exactly `buf.len()` elements.
    pub fn from_buffer(&self, buf: mathengine_ir::BufferRef, shape: &[usize]) -> Result<Array> {
        let n = mathengine_ir::shape::check_shape("from_buffer", shape)?;
        if n != buf.len() {
            return Err(Error::Shape {
                op: "from_buffer".into(),
                got: vec![buf.len()],
                expected: shape.to_vec(),
                hint: "the buffer's element count must equal the product of the shape".into(),
            });
        }
        Ok(self.wrap(self.inner.graph.data(buf.dtype(), shape.into(), buf)))
    }

    pub(crate) fn data_node(&self, buf: HostBuffer, shape: Shape) -> NodeRef {
        let dtype = mathengine_ir::DeviceBuffer::dtype(&buf);
        self.inner.graph.data(dtype, shape, Arc::new(buf))
    }
}
