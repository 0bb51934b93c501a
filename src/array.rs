//! `Array`: a lazy n-dimensional array, a handle to a graph node. Reading its data
//! evaluates it; evaluated arrays keep their buffer.

use crate::engine::Engine;
use mathengine_ir::{DType, Element, Error, HostBuffer, NodeRef, Result};
use ndarray::{ArrayD, IxDyn};

/// A lazy array. Cloning is cheap (it shares the node).
///
/// ```
/// use mathengine::{Engine, DType};
/// let e = Engine::new();
/// let a = e.from_vec(vec![1.0, 2.0, 3.0, 4.0], &[2, 2])?;
/// let b = (&a * 2.0 + 1.0).sum(None, false)?;
/// assert_eq!(b.to_vec::<f64>()?, vec![24.0]); // (1+2+3+4)*2 + 4*1
/// assert_eq!(a.dtype(), DType::F64);
/// # Ok::<(), mathengine::Error>(())
/// ```
#[derive(Clone)]
pub struct Array {
    pub(crate) node: NodeRef,
    pub(crate) engine: Engine,
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Array(shape={}, dtype={}, evaluated={})",
            mathengine_ir::error::fmt_shape(self.shape()),
            self.dtype(),
            self.is_evaluated()
        )
    }
}

impl Array {
    pub fn shape(&self) -> &[usize] {
        &self.node.shape
    }
    pub fn ndim(&self) -> usize {
        self.node.shape.len()
    }
    /// Number of elements.
    pub fn size(&self) -> usize {
        self.node.numel()
    }
    pub fn dtype(&self) -> DType {
        self.node.dtype
    }
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
    /// The graph node (for tools that inspect graphs).
    pub fn node(&self) -> &NodeRef {
        &self.node
    }
    pub fn is_evaluated(&self) -> bool {
        self.node.is_evaluated()
    }

    /// Compute this array on the engine's current backend (nothing to do if it already
    /// has been). Returns `self` for chaining.
    pub fn eval(&self) -> Result<&Array> {
        if !self.node.is_evaluated() {
            self.engine.eval_nodes(std::slice::from_ref(&self.node))?;
        }
        Ok(self)
    }

    /// The elements in host memory, row-major (evaluating first).
    pub fn to_host(&self) -> Result<HostBuffer> {
        self.eval()?;
        let buf = self
            .node
            .buffer()
            .ok_or_else(|| Error::internal("to_host", "an evaluated array has no buffer"))?;
        self.engine.to_host(&buf)
    }

    /// The elements as a `Vec<T>`; `T` must be this array's dtype (use `astype` first
    /// to convert).
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        if T::DTYPE != self.dtype() {
            return Err(Error::dtype(
                "to_vec",
                T::DTYPE,
                format!(
                    "the array holds {} elements, not {}; request {} or convert with astype({}) first",
                    self.dtype(),
                    T::DTYPE,
                    self.dtype(),
                    T::DTYPE
                ),
            ));
        }
        self.eval()?;
        let buf = self
            .node
            .buffer()
            .ok_or_else(|| Error::internal("to_vec", "an evaluated array has no buffer"))?;
        // Host memory is read in place; other memory is downloaded first.
        if let Some(h) = mathengine_ir::as_host(buf.as_ref()) {
            return copy_out(h);
        }
        copy_out(&self.engine.to_host(&buf)?)
    }

    /// The single element of a one-element array.
    pub fn item<T: Element>(&self) -> Result<T> {
        if self.size() != 1 {
            return Err(Error::Shape {
                op: "item".into(),
                got: self.shape().to_vec(),
                expected: vec![],
                hint: "item() needs exactly one element; reduce or index first".into(),
            });
        }
        Ok(self.to_vec::<T>()?[0])
    }

    /// An `ndarray::ArrayD` copy of the elements.
    pub fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        let v = self.to_vec::<T>()?;
        ArrayD::from_shape_vec(IxDyn(self.shape()), v)
            .map_err(|e| Error::invalid("to_ndarray", e.to_string()))
    }
}

/// The elements of `h` as a new `Vec<T>` (dtype checked by the caller), or an
/// out-of-memory error.
fn copy_out<T: Element>(h: &HostBuffer) -> Result<Vec<T>> {
    let src = h
        .as_slice::<T>()
        .ok_or_else(|| Error::internal("to_vec", "the buffer's dtype differs from the array's"))?;
    let mut v =
        mathengine_ir::buffer::try_with_capacity("to_vec", "the copied elements", src.len())?;
    v.extend_from_slice(src);
    Ok(v)
}

/// Method forms of the unary functions, for chaining (`x.sin().exp()`).
///
/// These panic where the `Engine` method would return an error (a dtype the function
/// does not accept, e.g. `tan` of a complex array); use `e.tan(&x)?` to get the error.
macro_rules! unary_methods {
    ($($name:ident),*) => {
        impl Array {
            $(
                #[doc = concat!("`", stringify!($name), "` of every element; see [`Engine::", stringify!($name), "`].")]
                pub fn $name(&self) -> Array {
                    self.engine.$name(self).unwrap_or_else(|e| panic!("{e}"))
                }
            )*
        }
    };
}
unary_methods!(
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
    angle
);

impl Array {
    /// Convert to `dtype` (numpy's `astype`).
    pub fn astype(&self, dtype: DType) -> Array {
        self.engine.astype(self, dtype)
    }

    /// Sum over `axes` (all when `None`); see [`Engine::sum`].
    pub fn sum(&self, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.engine.sum(self, axes, keepdims)
    }
    /// Mean over `axes` (all when `None`).
    pub fn mean(&self, axes: Option<&[isize]>, keepdims: bool) -> Result<Array> {
        self.engine.mean(self, axes, keepdims)
    }
    pub fn reshape(&self, shape: &[isize]) -> Result<Array> {
        self.engine.reshape(self, shape)
    }
    /// Reverse the axes (numpy's `.T`).
    pub fn t(&self) -> Array {
        self.engine.transpose(self)
    }
}
