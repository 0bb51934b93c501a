//! `mathengine._mathengine`: the native half of the `mathengine` Python package.
//!
//! A thin layer over the Rust engine: it converts arguments, releases the GIL while
//! graphs are scheduled, compiled and run, and maps `mathengine::Error` to Python
//! exception classes. numpy names, signatures, keyword arguments and docstrings live in
//! the pure-Python package (`python/mathengine`), which calls the functions here.
//!
//! Data crosses the boundary without copies through numpy's `__array_interface__`:
//! `Engine.wrap_pointer` wraps a numpy array's memory (kept alive by holding the
//! array), and `Buffer` exposes an evaluated result's memory to `numpy.asarray`.

use mathengine::{Array, DType, Engine, Error, ErrorKind, Norm, NormOrd, Scalar, Slice};
use mathengine_ir::{as_host, BufferRef, ForeignHostBuffer};
use num_complex::Complex64;
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::Arc;

pyo3::create_exception!(
    _mathengine,
    BackendUnavailableError,
    PyRuntimeError,
    "The requested backend does not exist or cannot start here; the message names the available ones."
);
pyo3::create_exception!(
    _mathengine,
    BackendError,
    PyRuntimeError,
    "A backend failed to run or cannot run an operation."
);
pyo3::create_exception!(
    _mathengine,
    CompileError,
    PyRuntimeError,
    "Compiling a kernel failed."
);

/// Map an engine error to the Python exception a numpy user expects, keeping the text.
fn err(e: Error) -> PyErr {
    let msg = e.to_string();
    match e.kind() {
        ErrorKind::Shape | ErrorKind::Invalid => PyValueError::new_err(msg),
        ErrorKind::DType => PyTypeError::new_err(msg),
        ErrorKind::BackendUnavailable => BackendUnavailableError::new_err(msg),
        ErrorKind::OutOfMemory => PyMemoryError::new_err(msg),
        ErrorKind::Backend if matches!(e, Error::Compile { .. }) => CompileError::new_err(msg),
        ErrorKind::Backend => BackendError::new_err(msg),
        // Internal, and any kind added later (ErrorKind is #[non_exhaustive])
        _ => PyRuntimeError::new_err(msg),
    }
}

trait Py2<T> {
    fn py(self) -> PyResult<T>;
}
impl<T> Py2<T> for mathengine::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(err)
    }
}

fn dtype(name: &str) -> PyResult<DType> {
    DType::ALL
        .into_iter()
        .find(|t| t.name() == name)
        .ok_or_else(|| {
            PyTypeError::new_err(format!(
                "dtype '{name}' is not supported by mathengine; use one of {}",
                DType::ALL.map(|t| t.name()).join(", ")
            ))
        })
}

/// numpy's `__array_interface__` type string.
fn typestr(t: DType) -> &'static str {
    match t {
        DType::Bool => "|b1",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::C64 => "<c8",
        DType::C128 => "<c16",
    }
}

fn norm(name: Option<&str>) -> PyResult<Norm> {
    match name {
        None | Some("backward") => Ok(Norm::Backward),
        Some("ortho") => Ok(Norm::Ortho),
        Some("forward") => Ok(Norm::Forward),
        Some(other) => Err(PyValueError::new_err(format!(
            "Invalid norm value {other:?}; should be \"backward\", \"ortho\" or \"forward\"."
        ))),
    }
}

/// A lazy array of the engine: a handle to one graph node.
#[pyclass(frozen, module = "mathengine._mathengine", name = "Node")]
pub struct PyNode {
    a: Array,
}

fn node(a: Array) -> PyNode {
    PyNode { a }
}

fn nodes(v: Vec<Array>) -> Vec<PyNode> {
    v.into_iter().map(node).collect()
}

#[pymethods]
impl PyNode {
    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.a.shape().to_vec()
    }
    #[getter]
    fn dtype(&self) -> &'static str {
        self.a.dtype().name()
    }
    #[getter]
    fn ndim(&self) -> usize {
        self.a.ndim()
    }
    #[getter]
    fn size(&self) -> usize {
        self.a.size()
    }
    fn is_evaluated(&self) -> bool {
        self.a.is_evaluated()
    }
    /// Evaluate on the engine's current backend, with the GIL released.
    fn eval(&self, py: Python<'_>) -> PyResult<()> {
        let a = self.a.clone();
        py.detach(move || a.eval().map(|_| ())).py()
    }
    /// The evaluated elements as a `Buffer` (host memory; no copy when the result lives
    /// in host memory already).
    fn buffer(&self, py: Python<'_>) -> PyResult<PyBuffer> {
        let a = self.a.clone();
        let buf = py
            .detach(move || -> mathengine::Result<BufferRef> {
                a.eval()?;
                let buf = a
                    .node()
                    .buffer()
                    .ok_or_else(|| Error::invalid("buffer", "internal: no buffer after eval"))?;
                if as_host(buf.as_ref()).is_some() {
                    return Ok(buf);
                }
                Ok(Arc::new(a.to_host()?) as BufferRef)
            })
            .py()?;
        Ok(PyBuffer {
            buf,
            shape: self.a.shape().to_vec(),
        })
    }
    /// The graph node's id (for tests of sharing).
    fn node_id(&self) -> usize {
        Arc::as_ptr(self.a.node()) as *const u8 as usize
    }
    fn __repr__(&self) -> String {
        format!("{:?}", self.a)
    }
}

/// Evaluated host memory, exposed to numpy by `__array_interface__` (read-only); the
/// numpy array made from it keeps this object, and with it the memory, alive.
#[pyclass(frozen, module = "mathengine._mathengine", name = "Buffer")]
pub struct PyBuffer {
    buf: BufferRef,
    shape: Vec<usize>,
}

#[pymethods]
impl PyBuffer {
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let host = as_host(self.buf.as_ref())
            .ok_or_else(|| PyRuntimeError::new_err("internal: buffer is not in host memory"))?;
        let d = PyDict::new(py);
        d.set_item("shape", pyo3::types::PyTuple::new(py, &self.shape)?)?;
        d.set_item("typestr", typestr(self.buf.dtype()))?;
        d.set_item("data", (host.as_ptr() as usize, true))?;
        d.set_item("version", 3)?;
        Ok(d)
    }
    fn address(&self) -> usize {
        as_host(self.buf.as_ref()).map_or(0, |h| h.as_ptr() as usize)
    }
}

fn scalar_of(value: &Bound<'_, PyAny>, t: DType) -> PyResult<Scalar> {
    Ok(match t {
        DType::Bool => Scalar::Bool(value.is_truthy()?),
        DType::I32 | DType::I64 => {
            let v: i64 = match value.extract::<i64>() {
                Ok(v) => v,
                // A Python int beyond 64 bits: numpy 2 raises OverflowError too.
                Err(_) if value.is_instance_of::<pyo3::types::PyInt>() => {
                    return Err(pyo3::exceptions::PyOverflowError::new_err(format!(
                        "Python integer {value} out of bounds for {}",
                        t.name()
                    )))
                }
                Err(_) => value.extract::<f64>()? as i64,
            };
            if t == DType::I32 {
                Scalar::I32(i32::try_from(v).map_err(|_| {
                    pyo3::exceptions::PyOverflowError::new_err(format!(
                        "Python integer {v} out of bounds for int32"
                    ))
                })?)
            } else {
                Scalar::I64(v)
            }
        }
        DType::F32 | DType::F64 => Scalar::F64(value.extract::<f64>()?).cast(t),
        DType::C64 | DType::C128 => Scalar::C128(value.extract::<Complex64>()?).cast(t),
    })
}

fn slices(v: Vec<(Option<isize>, Option<isize>, isize)>) -> Vec<Slice> {
    v.into_iter().map(|(a, b, s)| Slice::new(a, b, s)).collect()
}

fn refs(v: &[PyRef<'_, PyNode>]) -> Vec<Array> {
    v.iter().map(|n| n.a.clone()).collect()
}

/// One engine: its graph, compile caches and current backend.
#[pyclass(frozen, module = "mathengine._mathengine", name = "Engine")]
pub struct PyEngine {
    e: Engine,
}

macro_rules! dispatch {
    ($e:expr, $name:expr, $what:literal, [$($f:ident),* $(,)?], $args:tt) => {
        match $name {
            $(stringify!($f) => $e.$f $args,)*
            other => {
                return Err(PyValueError::new_err(format!(
                    concat!("unknown ", $what, " '{}'"),
                    other
                )))
            }
        }
    };
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (backend = None))]
    fn new(backend: Option<&str>) -> PyResult<Self> {
        let e = match backend {
            None => Engine::new(),
            Some(name) => Engine::with_backend(name).py()?,
        };
        Ok(PyEngine { e })
    }

    /// Names of the built-in backends available on this machine.
    #[staticmethod]
    fn available_backends() -> Vec<&'static str> {
        mathengine::engine::builtin_backend_names()
    }

    fn change_backend(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        let e = self.e.clone();
        let name = name.to_string();
        py.detach(move || e.change_backend(name.as_str())).py()
    }
    fn backend_name(&self) -> String {
        self.e.backend_name()
    }
    fn synchronize(&self, py: Python<'_>) -> PyResult<()> {
        let e = self.e.clone();
        py.detach(move || e.synchronize()).py()
    }
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.e.stats();
        let d = PyDict::new(py);
        d.set_item("backend", self.e.backend_name())?;
        d.set_item("kernels_compiled", s.kernels_compiled)?;
        d.set_item("cache_hits", s.cache_hits)?;
        d.set_item("compile_seconds", s.compile_seconds)?;
        d.set_item("backend_fallbacks", self.e.fallback_count())?;
        d.set_item("graph_nodes", self.e.graph_size())?;
        d.set_item("pooled_bytes", mathengine::pooled_bytes())?;
        Ok(d)
    }
    /// Evaluate several arrays with one schedule, with the GIL released.
    fn eval_all(&self, py: Python<'_>, xs: Vec<PyRef<'_, PyNode>>) -> PyResult<()> {
        let arrays = refs(&xs);
        let e = self.e.clone();
        py.detach(move || e.eval_all(&arrays.iter().collect::<Vec<_>>()))
            .py()
    }

    /// Wrap `shape` elements of `dtype` at address `ptr` without a copy; `owner` (the
    /// numpy array) is kept alive as long as the node's buffer.
    fn wrap_pointer(
        &self,
        ptr: usize,
        dtype_name: &str,
        shape: Vec<usize>,
        owner: Py<PyAny>,
    ) -> PyResult<PyNode> {
        let t = dtype(dtype_name)?;
        let len: usize = shape.iter().product();
        if len > 0 && (ptr == 0 || !ptr.is_multiple_of(t.size().min(8))) {
            return Err(PyValueError::new_err(
                "wrap_pointer: the address is null or not aligned for the dtype",
            ));
        }
        // SAFETY: the Python side passes the data address of a C-contiguous, aligned,
        // native-order numpy array of this dtype and shape, and `owner` is that array.
        let buf = unsafe { ForeignHostBuffer::new(t, ptr as *const u8, len, Box::new(owner)) };
        Ok(node(self.e.from_buffer(Arc::new(buf), &shape).py()?))
    }

    /// A copy of raw little-endian bytes as an array (for non-contiguous inputs the
    /// Python side has made contiguous).
    fn scalar(&self, value: &Bound<'_, PyAny>, dtype_name: &str) -> PyResult<PyNode> {
        let t = dtype(dtype_name)?;
        Ok(node(self.e.scalar(scalar_of(value, t)?)))
    }
    fn full(
        &self,
        shape: Vec<usize>,
        value: &Bound<'_, PyAny>,
        dtype_name: &str,
    ) -> PyResult<PyNode> {
        let t = dtype(dtype_name)?;
        Ok(node(self.e.full(&shape, scalar_of(value, t)?)))
    }
    fn arange(&self, start: f64, stop: f64, step: f64) -> PyResult<PyNode> {
        Ok(node(self.e.arange(start, stop, step).py()?))
    }
    fn arange_int(&self, n: usize) -> PyNode {
        node(self.e.arange_int(n))
    }
    fn linspace(&self, start: f64, stop: f64, n: usize) -> PyNode {
        node(self.e.linspace(start, stop, n))
    }
    fn eye(&self, n: usize, m: usize, k: i64) -> PyNode {
        node(self.e.eye(n, m, k))
    }
    /// The graph feeding `xs` as bytes (src/serialize.rs), for pickling and Dask.
    fn export_graph<'py>(
        &self,
        py: Python<'py>,
        xs: Vec<PyRef<'_, PyNode>>,
    ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let arrays = refs(&xs);
        let bytes = self
            .e
            .export_graph(&arrays.iter().collect::<Vec<_>>())
            .py()?;
        Ok(pyo3::types::PyBytes::new(py, &bytes))
    }
    fn import_graph(&self, bytes: &[u8]) -> PyResult<Vec<PyNode>> {
        Ok(nodes(self.e.import_graph(bytes).py()?))
    }
    /// `x[r0, r1, ...]` with the selection pushed below library kernels (src/ops/block.rs).
    fn block(&self, x: PyRef<'_, PyNode>, ranges: Vec<(usize, usize)>) -> PyResult<PyNode> {
        let r: Vec<std::ops::Range<usize>> = ranges.into_iter().map(|(a, b)| a..b).collect();
        Ok(node(self.e.block(&x.a, &r).py()?))
    }
    /// Err naming the first axis flagged in `cut` that a library kernel works across.
    fn check_chunks(&self, x: PyRef<'_, PyNode>, cut: Vec<bool>) -> PyResult<()> {
        self.e.check_chunks(&x.a, &cut).py()
    }
    fn meshgrid(&self, xs: Vec<PyRef<'_, PyNode>>, ij: bool) -> PyResult<Vec<PyNode>> {
        let arrays = refs(&xs);
        let ix = if ij {
            mathengine::Indexing::Ij
        } else {
            mathengine::Indexing::Xy
        };
        Ok(nodes(
            self.e
                .meshgrid(&arrays.iter().collect::<Vec<_>>(), ix)
                .py()?,
        ))
    }
    fn random(&self, normal: bool, seed: u64, shape: Vec<usize>) -> PyNode {
        node(if normal {
            self.e.random_normal(seed, &shape)
        } else {
            self.e.random_uniform(seed, &shape)
        })
    }

    // ---- elementwise ----

    fn astype(&self, x: PyRef<'_, PyNode>, dtype_name: &str) -> PyResult<PyNode> {
        Ok(node(self.e.astype(&x.a, dtype(dtype_name)?)))
    }
    fn unary(&self, name: &str, x: PyRef<'_, PyNode>) -> PyResult<PyNode> {
        let x = &x.a;
        let r = dispatch!(
            self.e,
            name,
            "unary function",
            [
                neg,
                abs,
                sign,
                sqrt,
                cbrt,
                square,
                reciprocal,
                exp,
                expm1,
                exp2,
                log,
                log1p,
                log2,
                log10,
                sin,
                cos,
                tan,
                arcsin,
                arccos,
                arctan,
                sinh,
                cosh,
                tanh,
                floor,
                ceil,
                round,
                trunc,
                isnan,
                isinf,
                isfinite,
                logical_not,
                real,
                imag,
                conj,
                angle,
            ],
            (x)
        );
        Ok(node(r.py()?))
    }
    fn binary(&self, name: &str, a: PyRef<'_, PyNode>, b: PyRef<'_, PyNode>) -> PyResult<PyNode> {
        let (a, b) = (&a.a, &b.a);
        let r = dispatch!(
            self.e,
            name,
            "binary function",
            [
                add,
                sub,
                mul,
                div,
                pow,
                fmod,
                maximum,
                minimum,
                arctan2,
                hypot,
                copysign,
                equal,
                not_equal,
                less,
                less_equal,
                greater,
                greater_equal,
                logical_and,
                logical_or,
                logical_xor,
            ],
            (a, b)
        );
        Ok(node(r.py()?))
    }
    /// `a <name> value` (`value <name> a` when `reflected`), `value` a Python scalar typed
    /// `dtype_name`: the operators' fast path, one call and one node object fewer.
    fn binary_scalar(
        &self,
        name: &str,
        a: PyRef<'_, PyNode>,
        value: &Bound<'_, PyAny>,
        dtype_name: &str,
        reflected: bool,
    ) -> PyResult<PyNode> {
        let s = self.e.scalar(scalar_of(value, dtype(dtype_name)?)?);
        let (x, y) = if reflected { (&s, &a.a) } else { (&a.a, &s) };
        let r = dispatch!(
            self.e,
            name,
            "binary function",
            [add, sub, mul, div],
            (x, y)
        );
        Ok(node(r.py()?))
    }
    #[pyo3(name = "where_")]
    fn where_(
        &self,
        c: PyRef<'_, PyNode>,
        a: PyRef<'_, PyNode>,
        b: PyRef<'_, PyNode>,
    ) -> PyResult<PyNode> {
        Ok(node(self.e.where_(&c.a, &a.a, &b.a).py()?))
    }
    fn complex(&self, re: PyRef<'_, PyNode>, im: PyRef<'_, PyNode>) -> PyResult<PyNode> {
        Ok(node(self.e.complex(&re.a, &im.a).py()?))
    }

    // ---- reductions ----

    #[pyo3(signature = (name, x, axes, keepdims, ddof = 0))]
    fn reduce(
        &self,
        py: Python<'_>,
        name: &str,
        x: PyRef<'_, PyNode>,
        axes: Option<Vec<isize>>,
        keepdims: bool,
        ddof: usize,
    ) -> PyResult<PyNode> {
        let x = x.a.clone();
        let e = self.e.clone();
        let name = name.to_string();
        let r = py.detach(move || {
            let ax = axes.as_deref();
            match name.as_str() {
                "sum" => e.sum(&x, ax, keepdims),
                "prod" => e.prod(&x, ax, keepdims),
                "min" => e.min(&x, ax, keepdims),
                "max" => e.max(&x, ax, keepdims),
                "any" => e.any(&x, ax, keepdims),
                "all" => e.all(&x, ax, keepdims),
                "mean" => e.mean(&x, ax, keepdims),
                "var" => e.var(&x, ax, keepdims, ddof),
                "std" => e.std(&x, ax, keepdims, ddof),
                other => Err(Error::invalid(
                    "reduce",
                    format!("unknown reduction '{other}'"),
                )),
            }
        });
        Ok(node(r.py()?))
    }
    fn argreduce(&self, name: &str, x: PyRef<'_, PyNode>, axis: Option<isize>) -> PyResult<PyNode> {
        let r = if name == "argmin" {
            self.e.argmin(&x.a, axis)
        } else {
            self.e.argmax(&x.a, axis)
        };
        Ok(node(r.py()?))
    }

    // ---- shapes ----

    fn reshape(&self, x: PyRef<'_, PyNode>, shape: Vec<isize>) -> PyResult<PyNode> {
        Ok(node(self.e.reshape(&x.a, &shape).py()?))
    }
    fn permute(&self, x: PyRef<'_, PyNode>, axes: Vec<usize>) -> PyResult<PyNode> {
        Ok(node(self.e.permute(&x.a, &axes).py()?))
    }
    fn broadcast_to(&self, x: PyRef<'_, PyNode>, shape: Vec<usize>) -> PyResult<PyNode> {
        Ok(node(self.e.broadcast_to(&x.a, &shape).py()?))
    }
    fn expand_dims(&self, x: PyRef<'_, PyNode>, axis: isize) -> PyResult<PyNode> {
        Ok(node(self.e.expand_dims(&x.a, axis).py()?))
    }
    fn squeeze(&self, x: PyRef<'_, PyNode>, axes: Option<Vec<isize>>) -> PyResult<PyNode> {
        Ok(node(self.e.squeeze(&x.a, axes.as_deref()).py()?))
    }
    fn slice(
        &self,
        x: PyRef<'_, PyNode>,
        s: Vec<(Option<isize>, Option<isize>, isize)>,
    ) -> PyResult<PyNode> {
        Ok(node(self.e.slice(&x.a, &slices(s)).py()?))
    }
    fn flip(&self, x: PyRef<'_, PyNode>, axes: Option<Vec<isize>>) -> PyResult<PyNode> {
        Ok(node(self.e.flip(&x.a, axes.as_deref()).py()?))
    }
    fn roll(&self, x: PyRef<'_, PyNode>, shift: isize, axis: Option<isize>) -> PyResult<PyNode> {
        Ok(node(self.e.roll(&x.a, shift, axis).py()?))
    }
    fn pad(
        &self,
        x: PyRef<'_, PyNode>,
        widths: Vec<(usize, usize)>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<PyNode> {
        let v = scalar_of(value, x.a.dtype())?;
        Ok(node(self.e.pad(&x.a, &widths, v).py()?))
    }
    fn concatenate(&self, xs: Vec<PyRef<'_, PyNode>>, axis: isize) -> PyResult<PyNode> {
        let arrays = refs(&xs);
        Ok(node(
            self.e
                .concatenate(&arrays.iter().collect::<Vec<_>>(), axis)
                .py()?,
        ))
    }
    fn stack(&self, xs: Vec<PyRef<'_, PyNode>>, axis: isize) -> PyResult<PyNode> {
        let arrays = refs(&xs);
        Ok(node(
            self.e
                .stack(&arrays.iter().collect::<Vec<_>>(), axis)
                .py()?,
        ))
    }

    // ---- fft ----

    /// One-axis transforms: fft, ifft, rfft, irfft.
    fn fft1(
        &self,
        name: &str,
        x: PyRef<'_, PyNode>,
        n: Option<usize>,
        axis: isize,
        norm_name: Option<&str>,
    ) -> PyResult<PyNode> {
        let nm = norm(norm_name)?;
        let f = &self.e.fft;
        let r = dispatch!(
            f,
            name,
            "fft function",
            [fft, ifft, rfft, irfft],
            (&x.a, n, axis, nm)
        );
        Ok(node(r.py()?))
    }
    /// Several-axis transforms: fft2, ifft2, fftn, ifftn, rfft2, irfft2, rfftn, irfftn.
    fn fftn(
        &self,
        name: &str,
        x: PyRef<'_, PyNode>,
        s: Option<Vec<usize>>,
        axes: Option<Vec<isize>>,
        norm_name: Option<&str>,
    ) -> PyResult<PyNode> {
        let nm = norm(norm_name)?;
        let f = &self.e.fft;
        let (s, axes) = (s.as_deref(), axes.as_deref());
        let r = dispatch!(
            f,
            name,
            "fft function",
            [fft2, ifft2, fftn, ifftn, rfft2, irfft2, rfftn, irfftn],
            (&x.a, s, axes, nm)
        );
        Ok(node(r.py()?))
    }
    fn fftfreq(&self, n: usize, d: f64, real: bool) -> PyResult<PyNode> {
        let r = if real {
            self.e.fft.rfftfreq(n, d)
        } else {
            self.e.fft.fftfreq(n, d)
        };
        Ok(node(r.py()?))
    }
    fn fftshift(
        &self,
        x: PyRef<'_, PyNode>,
        axes: Option<Vec<isize>>,
        inverse: bool,
    ) -> PyResult<PyNode> {
        let r = if inverse {
            self.e.fft.ifftshift(&x.a, axes.as_deref())
        } else {
            self.e.fft.fftshift(&x.a, axes.as_deref())
        };
        Ok(node(r.py()?))
    }

    // ---- linalg ----

    fn linalg1(&self, py: Python<'_>, name: &str, a: PyRef<'_, PyNode>) -> PyResult<Vec<PyNode>> {
        let a = a.a.clone();
        let l = self.e.linalg.clone();
        let name = name.to_string();
        let r = py.detach(move || -> mathengine::Result<Vec<Array>> {
            Ok(match name.as_str() {
                "inv" => vec![l.inv(&a)?],
                "det" => vec![l.det(&a)?],
                "cholesky" => vec![l.cholesky(&a)?],
                "qr" => {
                    let (q, r) = l.qr(&a)?;
                    vec![q, r]
                }
                "svd" => {
                    let (u, s, vh) = l.svd(&a)?;
                    vec![u, s, vh]
                }
                "eigh" => {
                    let (w, v) = l.eigh(&a)?;
                    vec![w, v]
                }
                other => {
                    return Err(Error::invalid(
                        "linalg",
                        format!("unknown function '{other}'"),
                    ))
                }
            })
        });
        Ok(nodes(r.py()?))
    }
    fn linalg2(
        &self,
        py: Python<'_>,
        name: &str,
        a: PyRef<'_, PyNode>,
        b: PyRef<'_, PyNode>,
    ) -> PyResult<PyNode> {
        let (a, b) = (a.a.clone(), b.a.clone());
        let l = self.e.linalg.clone();
        let name = name.to_string();
        let r = py.detach(move || match name.as_str() {
            "matmul" => l.matmul(&a, &b),
            "dot" => l.dot(&a, &b),
            "solve" => l.solve(&a, &b),
            "lstsq" => l.lstsq(&a, &b),
            other => Err(Error::invalid(
                "linalg",
                format!("unknown function '{other}'"),
            )),
        });
        Ok(node(r.py()?))
    }
    /// `ord`: None, "fro", "nuc" or a number.
    fn norm(
        &self,
        x: PyRef<'_, PyNode>,
        ord: Option<&Bound<'_, PyAny>>,
        axes: Option<Vec<isize>>,
    ) -> PyResult<PyNode> {
        let o = match ord {
            None => None,
            Some(o) if o.is_none() => None,
            Some(o) => match o.extract::<String>() {
                Ok(s) if s == "fro" => Some(NormOrd::Fro),
                Ok(s) if s == "nuc" => Some(NormOrd::Nuc),
                Ok(s) => return Err(PyValueError::new_err(format!("Invalid norm order '{s}'"))),
                Err(_) => Some(NormOrd::P(o.extract::<f64>()?)),
            },
        };
        Ok(node(self.e.linalg.norm(&x.a, o, axes.as_deref()).py()?))
    }

    // ---- coordinates ----

    fn make_xy_grid(
        &self,
        ny: usize,
        nx: usize,
        dx: Option<f64>,
        diameter: Option<f64>,
    ) -> PyResult<(PyNode, PyNode)> {
        let (x, y) = self
            .e
            .coordinates
            .make_xy_grid_rect(ny, nx, dx, diameter)
            .py()?;
        Ok((node(x), node(y)))
    }
    fn cart_to_polar(
        &self,
        x: PyRef<'_, PyNode>,
        y: PyRef<'_, PyNode>,
    ) -> PyResult<(PyNode, PyNode)> {
        let (r, t) = self.e.coordinates.cart_to_polar(&x.a, &y.a).py()?;
        Ok((node(r), node(t)))
    }
    fn polar_to_cart(
        &self,
        r: PyRef<'_, PyNode>,
        t: PyRef<'_, PyNode>,
    ) -> PyResult<(PyNode, PyNode)> {
        let (x, y) = self.e.coordinates.polar_to_cart(&r.a, &t.a).py()?;
        Ok((node(x), node(y)))
    }
    fn fftrange(&self, n: usize, dx: f64) -> PyResult<PyNode> {
        Ok(node(self.e.coordinates.fftrange(n, dx).py()?))
    }

    // ---- polynomials ----

    /// Orders `ns` of a one-variable family (legendre, cheby1..4, hermite_he, hermite_h,
    /// qbfs, qcon), or their derivatives.
    fn poly1d(
        &self,
        name: &str,
        ns: Vec<usize>,
        x: PyRef<'_, PyNode>,
        der: bool,
    ) -> PyResult<Vec<PyNode>> {
        let p = &self.e.polynomials;
        let x = &x.a;
        let r = if der {
            dispatch!(
                p,
                name,
                "polynomial family",
                [
                    legendre_der_seq,
                    cheby1_der_seq,
                    cheby2_der_seq,
                    cheby3_der_seq,
                    cheby4_der_seq,
                    hermite_he_der_seq,
                    hermite_h_der_seq,
                    qbfs_der_seq,
                    qcon_der_seq,
                ],
                (&ns, x)
            )
        } else {
            dispatch!(
                p,
                name,
                "polynomial family",
                [
                    legendre_seq,
                    cheby1_seq,
                    cheby2_seq,
                    cheby3_seq,
                    cheby4_seq,
                    hermite_he_seq,
                    hermite_h_seq,
                    qbfs_seq,
                    qcon_seq,
                ],
                (&ns, x)
            )
        };
        Ok(nodes(r.py()?))
    }
    /// Σ coefs[k] P_k(x) of a one-variable family (Clenshaw).
    fn poly1d_sum(&self, name: &str, coefs: Vec<f64>, x: PyRef<'_, PyNode>) -> PyResult<PyNode> {
        let p = &self.e.polynomials;
        let r = dispatch!(
            p,
            name,
            "polynomial family",
            [
                legendre_sum,
                cheby1_sum,
                cheby2_sum,
                cheby3_sum,
                cheby4_sum,
                hermite_he_sum,
                hermite_h_sum,
                qbfs_sum,
                qcon_sum,
            ],
            (&coefs, &x.a)
        );
        Ok(node(r.py()?))
    }
    /// Families with one parameter: laguerre, dickson1, dickson2.
    fn poly_alpha(
        &self,
        name: &str,
        ns: Vec<usize>,
        alpha: f64,
        x: PyRef<'_, PyNode>,
        der: bool,
    ) -> PyResult<Vec<PyNode>> {
        let p = &self.e.polynomials;
        let x = &x.a;
        let r = if der {
            dispatch!(
                p,
                name,
                "polynomial family",
                [laguerre_der_seq, dickson1_der_seq, dickson2_der_seq],
                (&ns, alpha, x)
            )
        } else {
            dispatch!(
                p,
                name,
                "polynomial family",
                [laguerre_seq, dickson1_seq, dickson2_seq],
                (&ns, alpha, x)
            )
        };
        Ok(nodes(r.py()?))
    }
    fn jacobi(
        &self,
        ns: Vec<usize>,
        alpha: f64,
        beta: f64,
        x: PyRef<'_, PyNode>,
        der: bool,
    ) -> PyResult<Vec<PyNode>> {
        let p = &self.e.polynomials;
        let r = if der {
            p.jacobi_der_seq(&ns, alpha, beta, &x.a)
        } else {
            p.jacobi_seq(&ns, alpha, beta, &x.a)
        };
        Ok(nodes(r.py()?))
    }
    /// Zernike modes `nms` on polar coordinates; with `der`, (d/dr, d/dt) per mode, flattened.
    fn zernike_seq(
        &self,
        nms: Vec<(i32, i32)>,
        r: PyRef<'_, PyNode>,
        t: PyRef<'_, PyNode>,
        norm: bool,
        der: bool,
    ) -> PyResult<Vec<PyNode>> {
        let p = &self.e.polynomials;
        if der {
            let v = p.zernike_nm_der_seq(&nms, &r.a, &t.a, norm).py()?;
            Ok(v.into_iter()
                .flat_map(|(a, b)| [node(a), node(b)])
                .collect())
        } else {
            Ok(nodes(p.zernike_nm_seq(&nms, &r.a, &t.a, norm).py()?))
        }
    }
    /// Σ coefs[k] Z_k, on polar (r, t) or, with `xy`, Cartesian (x, y) coordinates.
    fn zernike_sum(
        &self,
        coefs: Vec<f64>,
        nms: Vec<(i32, i32)>,
        a: PyRef<'_, PyNode>,
        b: PyRef<'_, PyNode>,
        norm: bool,
        xy: bool,
    ) -> PyResult<PyNode> {
        let p = &self.e.polynomials;
        let r = if xy {
            p.zernike_sum_xy(&coefs, &nms, &a.a, &b.a, norm)
        } else {
            p.zernike_sum(&coefs, &nms, &a.a, &b.a, norm)
        };
        Ok(node(r.py()?))
    }
    fn q2d_seq(
        &self,
        nms: Vec<(i32, i32)>,
        r: PyRef<'_, PyNode>,
        t: PyRef<'_, PyNode>,
        der: bool,
    ) -> PyResult<Vec<PyNode>> {
        let p = &self.e.polynomials;
        if der {
            let v = p.q2d_der_seq(&nms, &r.a, &t.a).py()?;
            Ok(v.into_iter()
                .flat_map(|(a, b)| [node(a), node(b)])
                .collect())
        } else {
            Ok(nodes(p.q2d_seq(&nms, &r.a, &t.a).py()?))
        }
    }
    fn q2d_sum(
        &self,
        coefs: Vec<f64>,
        nms: Vec<(i32, i32)>,
        r: PyRef<'_, PyNode>,
        t: PyRef<'_, PyNode>,
    ) -> PyResult<PyNode> {
        Ok(node(
            self.e.polynomials.q2d_sum(&coefs, &nms, &r.a, &t.a).py()?,
        ))
    }
    fn xy_seq(
        &self,
        mns: Vec<(usize, usize)>,
        x: PyRef<'_, PyNode>,
        y: PyRef<'_, PyNode>,
    ) -> PyResult<Vec<PyNode>> {
        Ok(nodes(self.e.polynomials.xy_seq(&mns, &x.a, &y.a).py()?))
    }
    /// Zernike index conversions: j -> (n, m) for noll / fringe / ansi.
    fn j_to_nm(&self, kind: &str, j: usize) -> PyResult<(i32, i32)> {
        let p = &self.e.polynomials;
        match kind {
            "noll" => p.noll_to_nm(j),
            "fringe" => p.fringe_to_nm(j),
            "ansi" => p.ansi_j_to_nm(j),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown index kind '{other}'"
                )))
            }
        }
        .py()
    }
    /// Zernike index conversions: (n, m) -> j for noll / fringe / ansi.
    fn nm_to_j(&self, kind: &str, n: i32, m: i32) -> PyResult<usize> {
        let p = &self.e.polynomials;
        match kind {
            "noll" => p.nm_to_noll(n, m),
            "fringe" => p.nm_to_fringe(n, m),
            "ansi" => p.nm_to_ansi_j(n, m),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown index kind '{other}'"
                )))
            }
        }
        .py()
    }
    fn nm_to_name(&self, n: i32, m: i32) -> PyResult<String> {
        self.e.polynomials.nm_to_name(n, m).py()
    }
    fn zernike_norm(&self, n: i32, m: i32) -> f64 {
        self.e.polynomials.zernike_norm(n, m)
    }
    fn sum_of_2d_modes(
        &self,
        modes: Vec<PyRef<'_, PyNode>>,
        weights: Vec<f64>,
    ) -> PyResult<PyNode> {
        let m = refs(&modes);
        Ok(node(self.e.polynomials.sum_of_2d_modes(&m, &weights).py()?))
    }
    /// Least-squares mode coefficients of `data` (only where `mask` is true, if given).
    fn fit_lstsq(
        &self,
        py: Python<'_>,
        modes: Vec<PyRef<'_, PyNode>>,
        data: PyRef<'_, PyNode>,
        mask: Option<PyRef<'_, PyNode>>,
    ) -> PyResult<Vec<f64>> {
        let m = refs(&modes);
        let d = data.a.clone();
        let mk = mask.map(|k| k.a.clone());
        let p = self.e.polynomials.clone();
        py.detach(move || p.lstsq(&m, &d, mk.as_ref())).py()
    }
}

/// The exception an engine error of `variant` becomes, with its message (the tests check
/// the mapping for every kind without having to provoke each failure).
#[pyfunction]
fn _engine_error(variant: &str) -> PyErr {
    let e = match variant {
        "Broadcast" => Error::Broadcast {
            op: "add".into(),
            lhs: vec![3],
            rhs: vec![4],
        },
        "Shape" => Error::Shape {
            op: "reshape".into(),
            got: vec![6],
            expected: vec![4, 2],
            hint: "the element counts differ".into(),
        },
        "Axis" => Error::Axis {
            op: "sum".into(),
            axis: 3,
            ndim: 2,
            shape: vec![2, 2],
        },
        "DType" => Error::dtype("tan", DType::C128, "tan takes real arrays"),
        "Invalid" => Error::invalid("linspace", "the count is negative"),
        "UnknownBackend" => Error::UnknownBackend {
            name: "tpu".into(),
            reason: "no such backend".into(),
            available: "cpu, reference".into(),
        },
        "Unsupported" => Error::Unsupported {
            backend: "cuda".into(),
            what: "eigh".into(),
            reason: "no device kernel".into(),
        },
        "Compile" => Error::Compile {
            kernel: "k0".into(),
            msg: "verifier error".into(),
        },
        "Backend" => Error::Backend {
            backend: "cuda".into(),
            msg: "launch failed".into(),
        },
        "OutOfMemory" => Error::out_of_memory("evaluate", "an array", 1 << 40, 8),
        "Internal" => Error::internal("schedule", "a node has no buffer"),
        other => return PyValueError::new_err(format!("unknown error variant '{other}'")),
    };
    err(e)
}

#[pymodule]
fn _mathengine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(_engine_error, m)?)?;
    // Benchmarks refuse to time a debug build by mistake.
    m.add(
        "build_profile",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    )?;
    m.add_class::<PyEngine>()?;
    m.add_class::<PyNode>()?;
    m.add_class::<PyBuffer>()?;
    m.add(
        "BackendUnavailableError",
        py.get_type::<BackendUnavailableError>(),
    )?;
    m.add("BackendError", py.get_type::<BackendError>())?;
    m.add("CompileError", py.get_type::<CompileError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
