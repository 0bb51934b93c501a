"""`Array`: a lazy n-dimensional array, a handle to one node of an engine's graph.

Building is lazy; reading forces evaluation (`np.asarray(x)`, `float(x)`, `print(x)`,
iteration, `bool(x)`, `x.eval()`). `__setitem__` and in-place operators rebind the
wrapper to a new node (a functional update): other `Array` objects made from the old
node, and numpy arrays already read from it, keep the old values.
"""

import operator

import numpy as np

from . import _dtypes


def _is_basic_key_item(k):
    return k is None or k is Ellipsis or isinstance(k, slice) or (
        isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))
    )


def _fast(npname, rname, reflected, bool_name=None):
    """An arithmetic operator with a fast path for the common cases (another array of the
    same engine, or a Python int/float), which go straight to the native engine: building
    a node from Python costs about a microsecond. Everything else (numpy arrays, bool
    arithmetic, module backends) takes the general route through the engine's function."""
    weak = _dtypes.WEAK
    new = object.__new__

    def op(self, other):
        o = other
        eng = self._eng
        if eng._module is None:
            t = type(o)
            if t is float or t is int:
                a = self._n
                r = new(Array)
                r._n = eng._core.binary_scalar(rname, a, o, weak[t, a.dtype], reflected)
                r._eng = eng
                return r
            if t is Array and o._eng is eng and (bool_name is None or self._n.dtype != "bool"):
                a, b = (o._n, self._n) if reflected else (self._n, o._n)
                r = new(Array)
                r._n = eng._core.binary(rname, a, b)
                r._eng = eng
                return r
        return self._op(npname, o, reflected)

    op.__name__ = f"__{'r' if reflected else ''}{npname}__"
    return op


class Array:
    """A lazy array of a mathengine `Engine`. Create arrays with engine functions
    (`e.asarray`, `e.linspace`, `e.zeros`, ...), never directly."""

    __slots__ = ("_n", "_eng", "_readonly", "__weakref__")
    # numpy defers to our operators (ndarray + Array -> Array.__radd__).
    __array_priority__ = 1000.0

    def __init__(self, *args, **kwargs):
        raise TypeError("create mathengine arrays with engine functions, e.g. e.asarray(data)")

    @classmethod
    def _new(cls, node, eng):
        a = object.__new__(cls)
        a._n = node
        a._eng = eng
        return a

    # ---- attributes ----

    @property
    def shape(self):
        """The array's dimensions, as a tuple."""
        return tuple(self._n.shape)

    @property
    def dtype(self):
        """The element type, a `numpy.dtype`."""
        return np.dtype(self._n.dtype)

    @property
    def ndim(self):
        return self._n.ndim

    @property
    def size(self):
        return self._n.size

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize

    @property
    def T(self):
        """The array with its axes reversed (lazy)."""
        return self._eng.transpose(self)

    @property
    def flat(self):
        """numpy's flat iterator over the evaluated values (read-only: there are no
        views to write through); pytest.approx reads 0-d arrays this way."""
        return self.numpy().flat

    @property
    def mT(self):
        """The array with its last two axes swapped (lazy)."""
        return self._eng.swapaxes(self, -1, -2)

    @property
    def real(self):
        return self._eng.real(self)

    @property
    def imag(self):
        return self._eng.imag(self)

    @property
    def engine(self):
        """The engine this array belongs to."""
        return self._eng

    @property
    def device(self):
        return "cpu"

    def is_evaluated(self):
        """Whether the array has been computed (and holds its buffer)."""
        return self._n.is_evaluated()

    # ---- evaluation and conversion ----

    def eval(self):
        """Compute the array on the engine's current backend (GIL released); returns self."""
        self._n.eval()
        return self

    def numpy(self):
        """The elements as a read-only numpy array sharing the result's memory."""
        return np.asarray(self._n.buffer())

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        if dtype is not None and np.dtype(dtype) != a.dtype:
            if copy is False:
                raise ValueError(
                    f"converting a mathengine {a.dtype} array to {np.dtype(dtype)} needs a copy, "
                    "but copy=False was given"
                )
            return a.astype(dtype)
        if copy:
            return a.copy()
        return a

    def __array_namespace__(self, *, api_version=None):
        return self._eng

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        a = self.numpy()
        kwargs = {}
        if max_version is not None:
            kwargs["max_version"] = max_version
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if copy is not None:
            kwargs["copy"] = copy
        try:
            return a.__dlpack__(stream=stream, **kwargs)
        except (BufferError, TypeError):
            # The consumer cannot take a read-only array: give it a copy.
            return np.array(a).__dlpack__(stream=stream)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU, device 0

    def tolist(self):
        return self.numpy().tolist()

    def item(self, *args):
        return self.numpy().item(*args)

    def __repr__(self):
        r = repr(self.numpy())
        return "Array" + r[len("array"):] if r.startswith("array") else f"Array({r})"

    def __str__(self):
        return str(self.numpy())

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self.numpy().item(), spec)
        return format(str(self), spec)

    def __float__(self):
        return float(self._scalar("float"))

    def __int__(self):
        return int(self._scalar("int"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if self.dtype.kind not in "iu":
            raise TypeError(f"only integer arrays can be used as an index, not {self.dtype}")
        return operator.index(self._scalar("index"))

    def __bool__(self):
        if self.size != 1:
            raise ValueError(
                f"The truth value of an array with more than one element is ambiguous "
                f"(shape {self.shape}). Use a.any() or a.all()"
            )
        return bool(self.numpy().reshape(()))

    def _scalar(self, what):
        if self.size != 1:
            raise TypeError(f"only arrays of size 1 can be converted to Python {what} scalars "
                            f"(shape {self.shape})")
        return self.numpy().reshape(())[()]

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        a = self.numpy()
        if self.ndim == 1:
            return iter(a)
        return (self._eng.asarray(row) for row in a)

    def __hash__(self):
        raise TypeError("unhashable type: 'mathengine.Array'")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        # Pickled lazily as its graph (src/serialize.rs): generators ship as parameters,
        # input buffers with their data; graphs the format cannot hold ship their values.
        try:
            return (_rebuild_from_graph, (self._eng._core.export_graph([self._n]),))
        except ValueError:
            return (_rebuild, (np.array(self),))

    # ---- operators ----

    def __neg__(self):
        return self._eng.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self._eng.abs(self)

    def __invert__(self):
        return self._eng.invert(self)

    def _op(self, name, other, reflected=False):
        if hasattr(type(other), "__dask_graph__"):
            # A dask collection: it holds mathengine arrays as chunks (mathengine.dask
            # registers the chunk type), so its own operator builds the lazy result.
            return NotImplemented
        try:
            if reflected:
                return getattr(self._eng, name)(other, self)
            return getattr(self._eng, name)(self, other)
        except _Unconvertible:
            return NotImplemented

    __add__ = _fast("add", "add", False, "logical_or")
    __radd__ = _fast("add", "add", True, "logical_or")
    __sub__ = _fast("subtract", "sub", False)
    __rsub__ = _fast("subtract", "sub", True)
    __mul__ = _fast("multiply", "mul", False, "logical_and")
    __rmul__ = _fast("multiply", "mul", True, "logical_and")
    __truediv__ = _fast("divide", "div", False)
    __rtruediv__ = _fast("divide", "div", True)
    def __floordiv__(self, other): return self._op("floor_divide", other)
    def __rfloordiv__(self, other): return self._op("floor_divide", other, True)
    def __mod__(self, other): return self._op("remainder", other)
    def __rmod__(self, other): return self._op("remainder", other, True)
    def __divmod__(self, other): return self._op("divmod", other)
    def __rdivmod__(self, other): return self._op("divmod", other, True)
    def __pow__(self, other): return self._op("power", other)
    def __rpow__(self, other): return self._op("power", other, True)
    def __matmul__(self, other): return self._op("matmul", other)
    def __rmatmul__(self, other): return self._op("matmul", other, True)
    def __and__(self, other): return self._op("bitwise_and", other)
    def __rand__(self, other): return self._op("bitwise_and", other, True)
    def __or__(self, other): return self._op("bitwise_or", other)
    def __ror__(self, other): return self._op("bitwise_or", other, True)
    def __xor__(self, other): return self._op("bitwise_xor", other)
    def __rxor__(self, other): return self._op("bitwise_xor", other, True)
    def __eq__(self, other): return self._op("equal", other)
    def __ne__(self, other): return self._op("not_equal", other)
    def __lt__(self, other): return self._op("less", other)
    def __le__(self, other): return self._op("less_equal", other)
    def __gt__(self, other): return self._op("greater", other)
    def __ge__(self, other): return self._op("greater_equal", other)

    def _inplace(self, name, other):
        r = getattr(self._eng, name)(self, other)
        if r.dtype != self.dtype:
            if not _dtypes.can_cast_same_kind(r.dtype, self.dtype):
                raise TypeError(
                    f"Cannot cast ufunc '{name}' output from dtype('{r.dtype}') to "
                    f"dtype('{self.dtype}') with casting rule 'same_kind'"
                )
            r = r.astype(self.dtype)
        if r.shape != self.shape:
            raise ValueError(
                f"non-broadcastable output operand with shape {self.shape} doesn't match "
                f"the broadcast shape {r.shape}"
            )
        self._n = r._n
        return self

    def __iadd__(self, other): return self._inplace("add", other)
    def __isub__(self, other): return self._inplace("subtract", other)
    def __imul__(self, other): return self._inplace("multiply", other)
    def __itruediv__(self, other): return self._inplace("divide", other)
    def __ifloordiv__(self, other): return self._inplace("floor_divide", other)
    def __imod__(self, other): return self._inplace("remainder", other)
    def __ipow__(self, other): return self._inplace("power", other)
    def __iand__(self, other): return self._inplace("bitwise_and", other)
    def __ior__(self, other): return self._inplace("bitwise_or", other)
    def __ixor__(self, other): return self._inplace("bitwise_xor", other)

    def __imatmul__(self, other):
        r = self._eng.matmul(self, other)
        if r.shape != self.shape or r.dtype != self.dtype:
            raise ValueError("in-place matmul must keep the array's shape and dtype")
        self._n = r._n
        return self

    # ---- numpy protocols ----

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return self._eng._array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return self._eng._array_function(func, types, args, kwargs)

    # ---- indexing ----

    def __getitem__(self, key):
        return self._eng._getitem(self, key)

    def __setitem__(self, key, value):
        if getattr(self, "_readonly", False):
            raise ValueError("assignment destination is read-only (setflags(write=False) was called)")
        self._n = self._eng._setitem(self, key, value)._n

    @property
    def flags(self):
        """numpy's `flags`: a mathengine array is one C-contiguous value that owns its
        elements (writes never reach another array), writeable unless
        `setflags(write=False)` was called."""
        return _Flags(self)

    def setflags(self, write=None, align=None, uic=None):
        """numpy's `setflags`: `write=False` makes item assignment raise ValueError."""
        if uic:
            raise ValueError("setflags: mathengine arrays have no WRITEBACKIFCOPY flag to set")
        if align is False:
            raise ValueError("setflags: mathengine arrays are always aligned")
        if write is not None:
            self._readonly = not write

    # ---- methods ----

    def astype(self, dtype, copy=True):
        return self._eng.astype(self, dtype)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = shape[0]
        return self._eng.reshape(self, shape, order=order)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], (int, np.integer))):
            axes = axes[0]
        return self._eng.transpose(self, axes if axes != () else None)

    def swapaxes(self, a, b):
        return self._eng.swapaxes(self, a, b)

    def conj(self):
        return self._eng.conj(self)

    conjugate = conj

    def copy(self):
        """Arrays are immutable graph nodes: a copy is the same node under a new wrapper."""
        return Array._new(self._n, self._eng)

    def ravel(self, order="C"):
        return self._eng.ravel(self, order=order)

    def flatten(self, order="C"):
        return self._eng.ravel(self, order=order)

    def squeeze(self, axis=None):
        return self._eng.squeeze(self, axis)

    def sum(self, axis=None, dtype=None, keepdims=False):
        return self._eng.sum(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False):
        return self._eng.prod(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False):
        return self._eng.mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return self._eng.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return self._eng.min(self, axis=axis, keepdims=keepdims)

    def std(self, axis=None, dtype=None, ddof=0, keepdims=False):
        return self._eng.std(self, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)

    def var(self, axis=None, dtype=None, ddof=0, keepdims=False):
        return self._eng.var(self, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        return self._eng.any(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        return self._eng.all(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None):
        return self._eng.argmax(self, axis=axis)

    def argmin(self, axis=None):
        return self._eng.argmin(self, axis=axis)

    def clip(self, min=None, max=None):
        return self._eng.clip(self, min, max)

    def round(self, decimals=0):
        return self._eng.round(self, decimals)

    def dot(self, b):
        return self._eng.dot(self, b)

    def flip(self, axis=None):
        return self._eng.flip(self, axis)


def _rebuild_from_graph(data):
    """Unpickle an Array into this process's default engine (`mathengine.engine`)."""
    from . import engine

    (node,) = engine._core.import_graph(data)
    return Array._new(node, engine)


class _Flags:
    """The flags numpy code reads (`x.flags.owndata`, `x.flags["C_CONTIGUOUS"]`)."""

    _NAMES = {"C": "c_contiguous", "F": "f_contiguous", "O": "owndata", "W": "writeable",
              "A": "aligned", "X": "writebackifcopy"}

    def __init__(self, array):
        self._a = array

    c_contiguous = property(lambda self: True)
    contiguous = c_contiguous
    f_contiguous = property(lambda self: self._a.ndim <= 1 or sum(d > 1 for d in self._a.shape) <= 1)
    fortran = f_contiguous
    owndata = property(lambda self: True)
    aligned = property(lambda self: True)
    writebackifcopy = property(lambda self: False)

    @property
    def writeable(self):
        return not getattr(self._a, "_readonly", False)

    @writeable.setter
    def writeable(self, value):
        self._a.setflags(write=bool(value))

    def __getitem__(self, name):
        key = name.upper()
        attr = self._NAMES.get(key) or key.lower().replace("-", "_")
        if attr == "fnc":
            return self.f_contiguous and not self.c_contiguous
        if attr == "forc":
            return True
        if attr not in {"c_contiguous", "f_contiguous", "contiguous", "fortran", "owndata",
                        "writeable", "aligned", "writebackifcopy", "c_contiguous"}:
            raise KeyError(f"unknown flag {name!r}")
        return getattr(self, attr)

    def __repr__(self):
        names = ["C_CONTIGUOUS", "F_CONTIGUOUS", "OWNDATA", "WRITEABLE", "ALIGNED",
                 "WRITEBACKIFCOPY"]
        return "\n".join(f"  {n} : {self[n]}" for n in names)


class _Unconvertible(TypeError):
    """An operand a mathengine operator cannot take (the operator returns NotImplemented)."""


def _rebuild(a):
    from . import engine

    return engine.asarray(a)
