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

    __slots__ = ("_n", "_eng", "_readonly", "_writes", "__weakref__")
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

    def to_device(self, device, /, *, stream=None):
        """The array API's `to_device`: arrays live in host memory ("cpu"); the engine's
        backend, not the array, decides where kernels run (`change_backend`)."""
        if device not in ("cpu", None):
            raise ValueError(f"to_device: unknown device {device!r}; mathengine arrays are on 'cpu'")
        return self

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
        return Array._new(self._n, self._eng)

    def __deepcopy__(self, memo):
        return Array._new(self._n, self._eng)

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
    def __lshift__(self, other): return self._op("left_shift", other)
    def __rlshift__(self, other): return self._op("left_shift", other, True)
    def __rshift__(self, other): return self._op("right_shift", other)
    def __rrshift__(self, other): return self._op("right_shift", other, True)
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
        self._assign(r._n)
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
    def __ilshift__(self, other): return self._inplace("left_shift", other)
    def __irshift__(self, other): return self._inplace("right_shift", other)

    def __imatmul__(self, other):
        r = self._eng.matmul(self, other)
        if r.shape != self.shape or r.dtype != self.dtype:
            raise ValueError("in-place matmul must keep the array's shape and dtype")
        self._assign(r._n)
        return self

    # ---- numpy protocols ----

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return self._eng._array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return self._eng._array_function(func, types, args, kwargs)

    # ---- indexing ----

    def __getitem__(self, key):
        r = self._eng._getitem(self, key)
        if _is_view_key(key, self.ndim):
            return _View._of(r, self, key)
        return r

    def __setitem__(self, key, value):
        if getattr(self, "_readonly", False):
            raise ValueError("assignment destination is read-only (setflags(write=False) was called)")
        if getattr(self, "_writes", 0) and not self._n.is_evaluated():
            # Item assignment is functional (a new node selecting the written part). A
            # loop of writes that read earlier writes at shifted indices (a Clenshaw
            # recurrence) would otherwise be recomputed once per read, exponentially in
            # the number of writes: each write builds on an evaluated array instead.
            self._n.eval()
        self._assign(self._eng._setitem(self, key, value)._n)

    def _assign(self, node):
        """Give the array new contents (item assignment, in-place operators)."""
        self._n = node
        self._writes = self._version() + 1

    def _version(self):
        """Changes whenever the array's contents do (views compare it to know they are stale)."""
        return getattr(self, "_writes", 0)

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


_NODE = Array.__dict__["_n"]  # the slot's own descriptor, for _View's property


def _is_view_key(key, ndim):
    """numpy's basic indexing (ints, slices, None, ...) gives a view, unless every axis
    gets an integer (a scalar)."""
    k = key if isinstance(key, tuple) else (key,)
    ints = 0
    for i in k:
        if i is None or i is Ellipsis or isinstance(i, slice):
            continue
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            return False
        ints += 1
    return ints < ndim or any(i is None or i is Ellipsis or isinstance(i, slice) for i in k)


class _View(Array):
    """The result of basic indexing, sharing its parent's elements as a numpy view does:
    a write to it (item assignment, in-place operator) is written back into the parent,
    and a write to the parent since it was taken is read again before it is used. The
    engine's arrays stay immutable graph nodes underneath; only these wrappers change."""

    __slots__ = ("_parent", "_key", "_seen")

    @classmethod
    def _of(cls, result, parent, key):
        v = cls._new(result._n, result._eng)
        v._parent, v._key, v._seen = parent, key, parent._version()
        return v

    @property
    def _n(self):
        p = self._parent
        if p._version() != self._seen:
            _NODE.__set__(self, p._eng._getitem(p, self._key)._n)
            self._seen = p._version()
        return _NODE.__get__(self)

    @_n.setter
    def _n(self, node):
        _NODE.__set__(self, node)

    def _assign(self, node):
        p = self._parent
        p[self._key] = Array._new(node, self._eng)  # first: a read-only parent refuses
        _NODE.__set__(self, node)
        self._writes = getattr(self, "_writes", 0) + 1
        self._seen = p._version()

    def _version(self):
        return (self._parent._version(), getattr(self, "_writes", 0))


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
        # numpy's keys: upper case only, long names and one-letter abbreviations.
        attr = self._NAMES.get(name) or {
            "C_CONTIGUOUS": "c_contiguous", "CONTIGUOUS": "c_contiguous",
            "F_CONTIGUOUS": "f_contiguous", "FORTRAN": "f_contiguous", "OWNDATA": "owndata",
            "WRITEABLE": "writeable", "ALIGNED": "aligned",
            "WRITEBACKIFCOPY": "writebackifcopy"}.get(name)
        if name == "FNC":
            return self.f_contiguous and not self.c_contiguous
        if name == "FORC":
            return True
        if attr is None:
            raise KeyError("Unknown flag")
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
