"""`Engine`: numpy's namespace on a lazy, fused, compiled engine.

Every function builds graph nodes; nothing runs until a result is read. Names and
signatures follow numpy. Names the engine lacks fall back to numpy on evaluated inputs
(counted in `stats()`; `strict = True` makes that an error). `change_backend` selects
where graphs run ('cpu', 'reference', 'cuda') or, given a module such as numpy,
forwards every call to it eagerly (the behaviour of prysm's engine).
"""

import inspect
import math
import operator
import threading
import types
from collections import Counter, namedtuple

import numpy as np

try:
    from numpy.exceptions import AxisError
except ImportError:  # numpy < 1.25
    from numpy import AxisError

from . import _dtypes, _standard
from . import _mathengine as _native
from ._array import Array, _Unconvertible

BackendUnavailableError = _native.BackendUnavailableError
BackendError = _native.BackendError
CompileError = _native.CompileError


class StrictModeError(RuntimeError):
    """A call needed numpy's fallback while the engine's `strict` flag was set."""


# Axes and extents beyond this are out of range for any array (the engine takes them as
# 64-bit integers); checking here turns Python's OverflowError into numpy's exceptions.
_INDEX_LIMIT = 1 << 62


def _axis_int(a):
    a = operator.index(a)
    if not -_INDEX_LIMIT < a < _INDEX_LIMIT:
        raise AxisError(f"axis {a} is out of bounds for any array")
    return a


def _check_device(device, call):
    """Arrays live in host memory whatever the backend: 'cpu' (or None) is the only device."""
    if device is not None and device != "cpu":
        raise ValueError(f"{call}: mathengine arrays live on device 'cpu', not {device!r}")


def _axes(axis):
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return [_axis_int(a) for a in axis]
    return [_axis_int(axis)]


def _norm_axis(axis, ndim):
    """`axis` in 0..ndim, numpy's AxisError (a ValueError and IndexError) otherwise."""
    a = operator.index(axis)
    if not -ndim <= a < ndim:
        raise AxisError(f"axis {a} is out of bounds for array of dimension {ndim}")
    return a % ndim


def _extent(n, what="dimensions"):
    """A non-negative extent (numpy's errors: TypeError for a non-integer, ValueError for
    a negative or impossibly large one)."""
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"negative {what} are not allowed (got {n})")
    if n >= _INDEX_LIMIT:
        raise ValueError(f"{what} {n} is larger than any array can hold")
    return n


# The engine's limit on one array's elements (its bytes must fit isize at 16 bytes each).
_MAX_ELEMENTS = ((1 << 63) - 1) // 16


def _shape(shape, op="creation"):
    """A shape a user gave, checked where it is given: numpy's TypeError for non-integers,
    ValueError for negative extents and for more elements than any array can hold."""
    try:
        dims = list(shape)
    except TypeError:  # one extent (operator.index names what is wrong with it)
        dims = [shape]
    dims = [_extent(s) for s in dims]
    if math.prod(dims) > _MAX_ELEMENTS:
        raise ValueError(f"{op}: shape {tuple(dims)} has more elements than any array can hold "
                         f"(at most {_MAX_ELEMENTS}); use smaller extents")
    return dims


# numpy ufunc name -> (engine function, arity)
_UNARY = {
    "negative": "neg", "absolute": "abs", "sign": "sign", "sqrt": "sqrt", "cbrt": "cbrt",
    "square": "square", "reciprocal": "reciprocal", "exp": "exp", "expm1": "expm1",
    "exp2": "exp2", "log": "log", "log1p": "log1p", "log2": "log2", "log10": "log10",
    "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "arcsin", "arccos": "arccos",
    "arctan": "arctan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "floor": "floor",
    "ceil": "ceil", "trunc": "trunc", "isnan": "isnan", "isinf": "isinf",
    "isfinite": "isfinite", "logical_not": "logical_not", "conjugate": "conj",
}
_BINARY = {
    "add": "add", "subtract": "sub", "multiply": "mul", "divide": "div", "power": "pow",
    "fmod": "fmod", "maximum": "maximum", "minimum": "minimum", "arctan2": "arctan2",
    "hypot": "hypot", "copysign": "copysign", "equal": "equal", "not_equal": "not_equal",
    "less": "less", "less_equal": "less_equal", "greater": "greater",
    "greater_equal": "greater_equal", "logical_and": "logical_and",
    "logical_or": "logical_or", "logical_xor": "logical_xor",
}
# numpy aliases of the names above
_ALIASES = {
    "abs": "absolute", "conj": "conjugate", "true_divide": "divide", "pow": "power",
    "fix": "trunc",
}

SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
QRResult = namedtuple("QRResult", ["Q", "R"])
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
LstsqResult = namedtuple("LstsqResult", ["x", "residuals", "rank", "s"])


def _make_unary(npname, rname):
    def f(self, x, /, *, dtype=None):
        x = self._arr(x)
        if dtype is not None:
            x = self.astype(x, dtype)
        try:
            return Array._new(self._core.unary(rname, x._n), self)
        except TypeError:
            # Complex inputs to a function the engine has for real ones only (arcsin,
            # tan, log1p, ...): numpy's, counted (an error in strict mode).
            if x._n.dtype not in ("complex64", "complex128"):
                raise
            return self._fallback(getattr(np, npname), f"numpy.{npname}(complex)")(x)

    f.__name__ = npname
    f.__qualname__ = f"Engine.{npname}"
    f.__doc__ = f"numpy's `{npname}`, elementwise (lazy)."
    return f


# numpy's arithmetic on two bool arrays is logical
_BOOL_BINARY = {"add": "logical_or", "mul": "logical_and"}


def _make_binary(npname, rname):
    bool_name = _BOOL_BINARY.get(rname)

    def f(self, x1, x2, /, *, dtype=None):
        a, b = self._pair(x1, x2)
        if dtype is not None:
            a = self._core.astype(a, _dtypes.name(dtype))
            b = self._core.astype(b, _dtypes.name(dtype))
        elif bool_name is not None and a.dtype == "bool" and b.dtype == "bool":
            return Array._new(self._core.binary(bool_name, a, b), self)
        try:
            return Array._new(self._core.binary(rname, a, b), self)
        except TypeError:
            # Complex operands of a function the engine has for real ones only (ordering
            # comparisons, arctan2...): numpy's, counted (an error in strict mode).
            if "complex" not in a.dtype and "complex" not in b.dtype:
                raise
            fn = self._fallback(getattr(np, npname), f"numpy.{npname}(complex)")
            return fn(Array._new(a, self), Array._new(b, self))

    f.__name__ = npname
    f.__qualname__ = f"Engine.{npname}"
    f.__doc__ = f"numpy's `{npname}`, elementwise with broadcasting (lazy)."
    return f


def _make_reduce(name, has_dtype=True, has_ddof=False):
    def f(self, a, axis=None, dtype=None, keepdims=False, ddof=0):
        x = self._arr(a)
        if dtype is not None:
            x = self.astype(x, dtype)
        elif name in ("sum", "prod") and x._n.dtype in ("bool", "int32"):
            x = self.astype(x, "int64")  # numpy accumulates small integers in int64
        r = Array._new(self._core.reduce(name, x._n, _axes(axis), bool(keepdims), int(ddof)), self)
        # The core accumulates int32 in int64; an explicit dtype is the result's (numpy).
        if dtype is not None and r._n.dtype != _dtypes.name(dtype):
            r = self.astype(r, dtype)
        return r

    f.__name__ = name
    f.__qualname__ = f"Engine.{name}"
    f.__doc__ = f"numpy's `{name}` over `axis` (all axes when None), lazy."
    return f


class _Namespace:
    """A sub-namespace (`e.fft`, `e.linalg`, ...): names it lacks fall back to the numpy
    module of the same name, counted by the engine."""

    _numpy_module = None

    def __init__(self, eng):
        self._eng = eng

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        mod = self._numpy_module
        if mod is None or not hasattr(mod, name):
            raise AttributeError(f"'{type(self).__name__}' (mathengine) has no attribute '{name}'")
        return self._eng._fallback(getattr(mod, name), f"{mod.__name__}.{name}")

    def __dir__(self):
        names = set(type(self).__dict__) | set(dir(type(self)))
        if self._numpy_module is not None:
            names |= set(dir(self._numpy_module))
        return sorted(n for n in names if not n.startswith("_"))


class Engine:
    """One mathengine engine: a graph, compile caches and a current backend.

    `mathengine.engine` is the process-wide default; `Engine()` makes another one (arrays
    of different engines are converted through host memory when mixed).
    """

    #: The array class (for `isinstance` checks).
    Array = Array

    # The array API standard: an engine is the namespace its arrays' __array_namespace__
    # returns; the standard's test suite and array-api-compat read these.
    __name__ = "mathengine"
    __array_api_version__ = "2025.12"

    def __array_namespace_info__(self):
        from ._inspection import NamespaceInfo

        return NamespaceInfo(self)

    pi = math.pi
    e = math.e
    inf = math.inf
    nan = math.nan
    newaxis = None
    bool = np.bool_
    int32 = np.int32
    int64 = np.int64
    float32 = np.float32
    float64 = np.float64
    complex64 = np.complex64
    complex128 = np.complex128

    def __init__(self, backend="cpu"):
        self._core = _native.Engine(backend)
        self._module = None
        self._lock = threading.Lock()
        self._fallbacks = Counter()
        #: When True, any call that would fall back to numpy raises StrictModeError.
        self.strict = False
        from . import _fft, _linalg, _polynomials, _coordinates

        self.fft = _fft.Fft(self)
        self.linalg = _linalg.Linalg(self)
        self.polynomials = _polynomials.Polynomials(self)
        self.coordinates = _coordinates.Coordinates(self)

    def __repr__(self):
        return f"<mathengine.Engine backend={self.backend!r}>"

    # ---- backends, evaluation, statistics ----

    @property
    def backend(self):
        """The current backend's name, or the module calls are forwarded to."""
        return self._module.__name__ if self._module is not None else self._core.backend_name()

    @staticmethod
    def available_backends():
        """The built-in backends this machine can run."""
        return list(_native.Engine.available_backends())

    def change_backend(self, backend):
        """Select where later graphs run: 'cpu' (default), 'reference' (the interpreter)
        or 'cuda'; or a module (numpy, cupy, ...) that every call is forwarded to eagerly,
        as prysm's engine does. Arrays created before a switch still evaluate.

        An unknown or unavailable backend raises `BackendUnavailableError` (a
        RuntimeError) naming the available ones."""
        if isinstance(backend, str):
            self._core.change_backend(backend)
            self._module = None
            if type(self) is _ModuleEngine:
                object.__setattr__(self, "__class__", Engine)
        elif isinstance(backend, types.ModuleType) or hasattr(backend, "asarray"):
            self._module = backend
            if type(self) is Engine:
                object.__setattr__(self, "__class__", _ModuleEngine)
        else:
            raise TypeError(
                f"change_backend takes a backend name ({', '.join(self.available_backends())}) "
                f"or a module such as numpy, not {type(backend).__name__}"
            )

    def eval(self, *arrays):
        """Evaluate several arrays with one schedule (shared work done once); returns them."""
        xs = [self._arr(a) for a in arrays]
        self._core.eval_all([a._n for a in xs])
        return xs[0] if len(xs) == 1 else tuple(xs)

    def synchronize(self):
        """Wait for queued work on asynchronous backends (cuda); only needed for timing."""
        self._core.synchronize()

    def stats(self):
        """Counters that answer "did it recompile / fall back?": kernels compiled, cache
        hits, compile seconds, backend fallbacks (steps run on the CPU because the backend
        lacks them), and numpy fallbacks (calls mathengine lacks, by name)."""
        s = dict(self._core.stats())
        if self._module is not None:
            s["backend"] = self.backend
        s["numpy_fallbacks"] = sum(self._fallbacks.values())
        s["numpy_fallback_names"] = dict(self._fallbacks)
        return s

    def reset_stats(self):
        """Forget the numpy-fallback counts."""
        self._fallbacks.clear()

    # ---- conversion ----

    def _from_numpy(self, a, copy=False):
        a = np.asarray(a)
        t = _dtypes.storage_name(a.dtype)
        if t != a.dtype.name or not a.dtype.isnative:
            a = a.astype(t)
        elif copy:
            a = a.copy()
        if not (a.flags.c_contiguous and a.flags.aligned):
            a = np.ascontiguousarray(a)
        ptr = a.__array_interface__["data"][0]
        return self._core.wrap_pointer(ptr, t, list(a.shape), a)

    def _arr(self, x):
        """`x` as an Array of this engine (numpy arrays are shared, not copied)."""
        if isinstance(x, Array):
            if x._eng is self:
                return x
            return Array._new(self._from_numpy(x.numpy()), self)
        if _dtypes.is_python_scalar(x):
            return Array._new(self._core.scalar(x, _dtypes.weak_scalar_dtype(x, None)), self)
        return Array._new(self._node_of(x), self)

    def _node_of(self, x):
        if isinstance(x, Array):
            return self._arr(x)._n
        if _dtypes.is_python_scalar(x):
            return self._core.scalar(x, _dtypes.weak_scalar_dtype(x, None))
        if isinstance(x, np.generic):
            return self._core.scalar(x.item(), _dtypes.storage_name(x.dtype))
        try:
            a = np.asarray(x)
        except Exception as exc:  # noqa: BLE001 - anything numpy cannot take
            raise _Unconvertible(f"cannot convert {type(x).__name__} to a mathengine array") from exc
        if a.dtype.kind not in "biufc":
            raise _Unconvertible(f"cannot convert {type(x).__name__} to a mathengine array")
        return self._from_numpy(a)

    def _pair(self, x1, x2):
        """Nodes for a binary operation, typing Python scalars as numpy 2 does."""
        s1, s2 = _dtypes.is_python_scalar(x1), _dtypes.is_python_scalar(x2)
        if s1 and not s2:
            b = self._node_of(x2)
            return self._core.scalar(x1, _dtypes.weak_scalar_dtype(x1, b.dtype)), b
        if s2 and not s1:
            a = self._node_of(x1)
            return a, self._core.scalar(x2, _dtypes.weak_scalar_dtype(x2, a.dtype))
        return self._node_of(x1), self._node_of(x2)

    def _wrap_result(self, r):
        """numpy results of a fallback, as mathengine arrays (shared, not copied)."""
        if isinstance(r, np.ndarray):
            return Array._new(self._from_numpy(r), self)
        if isinstance(r, np.generic) and r.dtype.kind in "biufc":
            # numpy collapses 0-d results to scalars; the engine's are 0-d arrays
            return Array._new(self._from_numpy(np.asarray(r)), self)
        if isinstance(r, tuple) and hasattr(r, "_fields"):
            return type(r)(*[self._wrap_result(v) for v in r])
        if isinstance(r, (tuple, list)):
            return type(r)(self._wrap_result(v) for v in r)
        return r

    def _fallback(self, func, name):
        """`func` (numpy's) called on evaluated inputs, counted; an error in strict mode."""

        def call(*args, **kwargs):
            if self.strict:
                raise StrictModeError(
                    f"mathengine has no '{name}' and strict mode is on; set strict = False "
                    "to let it fall back to numpy"
                )
            with self._lock:
                self._fallbacks[name] += 1
            return self._wrap_result(func(*_to_numpy(args), **_to_numpy(kwargs)))

        call.__name__ = getattr(func, "__name__", name)
        try:  # help() and inspect show numpy's parameters, not (*args, **kwargs)
            call.__signature__ = inspect.signature(func)
        except (TypeError, ValueError):
            pass
        call.__doc__ = f"numpy fallback for `{name}` (inputs are evaluated).\n\n" + (
            getattr(func, "__doc__", "") or ""
        )
        return call

    def __getattr__(self, name):
        if name.startswith("__") or name in ("fft", "linalg", "polynomials", "coordinates"):
            raise AttributeError(name)
        if not hasattr(np, name):
            raise AttributeError(f"mathengine.Engine has no attribute '{name}' (and numpy has none)")
        target = getattr(np, name)
        if isinstance(target, (type, types.ModuleType)) or not callable(target):
            return target
        return self._fallback(target, f"numpy.{name}")

    def __dir__(self):
        return sorted(set(dir(type(self))) | set(self.__dict__) | {
            n for n in dir(np) if not n.startswith("_")
        })

    # ---- numpy protocols ----

    def _array_ufunc(self, ufunc, method, inputs, kwargs):
        name = _ALIASES.get(ufunc.__name__, ufunc.__name__)
        if method == "__call__" and "out" not in kwargs and "where" not in kwargs:
            f = _OWN.get(name)
            if f is not None:
                extra = {k: v for k, v in kwargs.items() if k == "dtype"}
                try:
                    return f(self, *inputs, **extra)
                except _Unconvertible:
                    pass
        if method == "__call__":
            target = ufunc
        else:
            target = getattr(ufunc, method)
        return self._fallback(target, f"numpy.{ufunc.__name__}.{method}" if method != "__call__"
                              else f"numpy.{ufunc.__name__}")(*inputs, **kwargs)

    def _array_function(self, func, types_, args, kwargs):
        mod = getattr(func, "__module__", "numpy") or "numpy"
        name = func.__name__
        ns = self
        if mod.startswith("numpy.fft"):
            ns = self.fft
        elif mod.startswith("numpy.linalg"):
            ns = self.linalg
        impl = getattr(type(ns), name, None)
        if impl is not None and callable(impl) and not name.startswith("_"):
            return impl(ns, *args, **kwargs)
        return self._fallback(func, f"{mod}.{name}")(*args, **kwargs)

    # ---- creation ----

    def asarray(self, obj, dtype=None, copy=None, *, device=None):
        """A mathengine array of `obj`. A numpy array (C-contiguous, of a supported dtype)
        is shared, not copied: mathengine reads its memory when it evaluates, and keeps
        the numpy array alive. Do not write to it afterwards (or pass copy=True): graphs
        not yet evaluated would read the new values."""
        _check_device(device, "asarray")
        if isinstance(obj, Array) and obj._eng is self:
            # in-place operators rebind an array's node: a copy is a new wrapper
            a = obj.copy() if copy else obj
        elif isinstance(obj, Array):
            a = Array._new(self._from_numpy(obj.numpy()), self)
        elif _dtypes.is_python_scalar(obj) or isinstance(obj, np.generic):
            a = Array._new(self._node_of(obj), self)
        elif _same_arrays(obj, self):
            # A list of this engine's arrays (prysm's `asarray(list_of_modes)`): evaluated
            # in one schedule (shared work once), then joined in host memory; far faster
            # than a lazy `stack` of many inputs, which the engine joins element by element.
            self.eval(*_flat(obj))
            a = Array._new(self._from_numpy(np.asarray(_to_numpy(obj))), self)
        else:
            if hasattr(obj, "__dlpack__") and not isinstance(obj, np.ndarray) and not hasattr(obj, "__array__"):
                obj = np.from_dlpack(obj)
            a = Array._new(self._from_numpy(np.asarray(obj), copy=bool(copy)), self)
        if dtype is not None:
            a = self.astype(a, dtype)
        return a

    def array(self, obj, dtype=None, copy=True):
        """As `asarray`, but a numpy input is copied unless copy=False (numpy's default)."""
        if isinstance(obj, (np.ndarray, Array)) and copy:
            obj = obj.copy()
        return self.asarray(obj, dtype=dtype)

    def finfo(self, dtype, /):
        """numpy's finfo (of a dtype or an array's dtype) with Python-float fields."""
        return _dtypes.Finfo(np.finfo(dtype.dtype if isinstance(dtype, Array) else dtype))

    def from_dlpack(self, x, /, *, device=None, copy=None):
        _check_device(device, "from_dlpack")
        return self.asarray(np.from_dlpack(x))

    def full(self, shape, fill_value, dtype=None, *, device=None):
        _check_device(device, "full")
        if dtype is None:
            dtype = np.asarray(fill_value).dtype
        return Array._new(self._core.full(_shape(shape), fill_value, _dtypes.name(dtype)), self)

    # dtype=None means float64 here (numpy's rule), not full's dtype-of-the-fill-value.
    def zeros(self, shape, dtype=float, *, device=None):
        return self.full(shape, 0, float if dtype is None else dtype, device=device)

    def ones(self, shape, dtype=float, *, device=None):
        return self.full(shape, 1, float if dtype is None else dtype, device=device)

    def empty(self, shape, dtype=float, *, device=None):
        """As `zeros` (mathengine arrays are never uninitialised)."""
        return self.full(shape, 0, float if dtype is None else dtype, device=device)

    def _like(self, a, dtype, shape):
        a = a if isinstance(a, Array) else self.asarray(a)
        return (a.shape if shape is None else shape), (a.dtype if dtype is None else dtype)

    def full_like(self, a, fill_value, dtype=None, shape=None, *, device=None):
        s, t = self._like(a, dtype, shape)
        return self.full(s, fill_value, t, device=device)

    def zeros_like(self, a, dtype=None, shape=None, *, device=None):
        s, t = self._like(a, dtype, shape)
        return self.full(s, 0, t, device=device)

    def ones_like(self, a, dtype=None, shape=None, *, device=None):
        s, t = self._like(a, dtype, shape)
        return self.full(s, 1, t, device=device)

    def empty_like(self, a, dtype=None, shape=None, *, device=None):
        s, t = self._like(a, dtype, shape)
        return self.full(s, 0, t, device=device)

    def arange(self, start, stop=None, step=1, dtype=None, *, device=None):
        """numpy's arange: int64 for integer arguments, float64 otherwise (lazy generator)."""
        _check_device(device, "arange")
        if stop is None:
            start, stop = 0, start
        ints = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
        if ints and (dtype is None or np.dtype(dtype).kind in "iu"):
            if step == 0:
                raise ValueError("arange: step must not be zero")
            n = _extent(max(0, -((start - stop) // step)), "arange length")
            r = Array._new(self._core.arange_int(n), self)
            if step != 1:
                r = r * int(step)
            if start != 0:
                r = r + int(start)
            return r if dtype is None else self.astype(r, dtype)
        r = Array._new(self._core.arange(float(start), float(stop), float(step)), self)
        return r if dtype is None else self.astype(r, dtype)

    def linspace(self, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0,
                 *, device=None):
        """`num` evenly spaced values (lazy generator; float64 unless `dtype`)."""
        _check_device(device, "linspace")
        num = operator.index(num)
        if num < 0:
            raise ValueError(f"Number of samples, {num}, must be non-negative.")
        _shape([num], "linspace")
        div = (num - 1) if endpoint else num
        step = (stop - start) / div if div > 0 else math.nan
        if endpoint:
            r = Array._new(self._core.linspace(float(start), float(stop), num), self)
        else:
            # numpy's points are the first `num` of `num + 1` ending at `stop` (same step,
            # bit for bit); a linspace ending at the last point rounds differently.
            r = Array._new(self._core.linspace(float(start), float(stop), num + 1), self)[:num]
        if dtype is not None:
            r = self.astype(r, dtype)
        return (r, step) if retstep else r

    def eye(self, N, M=None, k=0, dtype=float, *, device=None):
        _check_device(device, "eye")
        n = _extent(N, "dimensions")
        m = n if M is None else _extent(M, "dimensions")
        _shape([n, m], "eye")
        r = Array._new(self._core.eye(n, m, _axis_int(k)), self)
        return r if np.dtype(dtype) == np.float64 else self.astype(r, dtype)

    def identity(self, n, dtype=float):
        return self.eye(n, dtype=dtype)

    def meshgrid(self, *xi, copy=True, sparse=False, indexing="xy"):
        if indexing not in ("xy", "ij"):
            raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
        xs = [self.ravel(x) for x in xi]
        if sparse:
            n = len(xs)
            out = []
            for i, x in enumerate(xs):
                s = [1] * n
                ax = i
                if indexing == "xy" and n >= 2 and i < 2:
                    ax = 1 - i
                s[ax] = x.shape[0]
                out.append(self.reshape(x, s))
            return tuple(out)
        return tuple(Array._new(n, self) for n in self._core.meshgrid([x._n for x in xs], indexing == "ij"))

    # ---- elementwise extras ----

    def astype(self, x, dtype, /, *, copy=True, device=None):
        _check_device(device, "astype")
        x = self._arr(x)
        t = _dtypes.name(dtype)
        if t == x._n.dtype:
            return x
        return Array._new(self._core.astype(x._n, t), self)

    def where(self, condition, x=None, y=None, /):
        """`x` where `condition` else `y`, broadcasting (lazy); with one argument,
        numpy's nonzero (evaluated: the result's shape depends on the data)."""
        if x is None and y is None:
            return self.nonzero(condition)
        if x is None or y is None:
            raise ValueError("either both or neither of x and y should be given")
        c = self._node_of(condition)
        a, b = self._pair(x, y)
        return Array._new(self._core.where_(c, a, b), self)

    def nonzero(self, a):
        return tuple(self.asarray(i) for i in np.nonzero(np.asarray(self._arr(a))))

    def clip(self, a, a_min=None, a_max=None, out=None, *, min=None, max=None):
        """Limit every element to [a_min, a_max] (either may be None); NaN stays NaN."""
        if out is not None:
            return self._fallback(np.clip, "numpy.clip(out=)")(a, a_min, a_max, out=out)
        lo = a_min if a_min is not None else min
        hi = a_max if a_max is not None else max
        r = self._arr(a)
        if lo is not None:
            r = self.maximum(r, lo)
        if hi is not None:
            r = self.minimum(r, hi)
        return r

    def floor_divide(self, x1, x2, /):
        a, b = self._pair(x1, x2)
        t = _dtypes.result_type(a.dtype, b.dtype)
        q = Array._new(self._core.unary("floor", self._core.binary("div", a, b)), self)
        if t == q._n.dtype:
            return q
        q = self.astype(q, t)
        if t in ("int32", "int64"):  # numpy: integer // 0 is 0 (with a warning)
            q = self.where(Array._new(b, self) == 0, Array._new(self._core.scalar(0, t), self), q)
        return q

    def remainder(self, x1, x2, /):
        a, b = self._pair(x1, x2)
        r = Array._new(self._core.binary("fmod", a, b), self)
        bb = Array._new(b, self)
        fix = self.logical_and(r != 0, (r < 0) != (bb < 0))
        out = self.where(fix, r + bb, r)
        if out._n.dtype in ("float32", "float64"):
            # a float remainder has the divisor's sign, zeros included (numpy, the standard)
            out = self.astype(self.copysign(out, bb), out._n.dtype)
        return out

    mod = remainder

    def divmod(self, x1, x2, /):
        return self.floor_divide(x1, x2), self.remainder(x1, x2)

    def _logical_or_bitwise(self, name, x1, x2):
        a, b = self._pair(x1, x2)
        if a.dtype == "bool" and b.dtype == "bool":
            return Array._new(self._core.binary(name, a, b), self)
        return self._fallback(getattr(np, "bitwise_" + name.split("_")[1]), "numpy.bitwise")(
            Array._new(a, self), Array._new(b, self))

    def bitwise_and(self, x1, x2, /):
        return self._logical_or_bitwise("logical_and", x1, x2)

    def bitwise_or(self, x1, x2, /):
        return self._logical_or_bitwise("logical_or", x1, x2)

    def bitwise_xor(self, x1, x2, /):
        return self._logical_or_bitwise("logical_xor", x1, x2)

    def invert(self, x, /):
        x = self._arr(x)
        if x._n.dtype == "bool":
            return self.logical_not(x)
        return self._fallback(np.invert, "numpy.invert")(x)

    bitwise_not = invert

    def rint(self, x, /):
        """Round to the nearest integer, halves to even (float64 for integer input)."""
        x = self._arr(x)
        if x._n.dtype in ("bool", "int32", "int64"):
            x = self.astype(x, "float64")
        return Array._new(self._core.unary("round", x._n), self)

    def positive(self, x, /):
        return self._arr(x)

    def angle(self, z, deg=False):
        r = Array._new(self._core.unary("angle", self._arr(z)._n), self)
        return r * (180.0 / math.pi) if deg else r

    def real(self, val):
        return Array._new(self._core.unary("real", self._arr(val)._n), self)

    def imag(self, val):
        return Array._new(self._core.unary("imag", self._arr(val)._n), self)

    def round(self, a, decimals=0):
        a = self._arr(a)
        if decimals == 0:
            return Array._new(self._core.unary("round", a._n), self)
        f = 10.0 ** decimals
        return self.rint(a * f) / f

    around = round

    def deg2rad(self, x, /):
        return self._arr(x) * (math.pi / 180.0)

    def rad2deg(self, x, /):
        return self._arr(x) * (180.0 / math.pi)

    radians = deg2rad
    degrees = rad2deg

    def sinc(self, x):
        x = self._arr(x)
        y = x * math.pi
        safe = self.where(y == 0, 1.0, y)
        return self.where(y == 0, 1.0, self.sin(safe) / safe)

    def isclose(self, a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
        a, b = self._arr(a), self._arr(b)
        close = self.abs(a - b) <= atol + rtol * self.abs(b)
        both_inf = self.logical_and(a == b, self.isinf(a))
        r = self.logical_or(close, both_inf)
        if equal_nan:
            r = self.logical_or(r, self.logical_and(self.isnan(a), self.isnan(b)))
        return r

    def allclose(self, a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(self.all(self.isclose(a, b, rtol, atol, equal_nan)))

    def array_equal(self, a1, a2, equal_nan=False):
        a1, a2 = self._arr(a1), self._arr(a2)
        if a1.shape != a2.shape:
            return False
        eq = a1 == a2
        if equal_nan:
            eq = self.logical_or(eq, self.logical_and(self.isnan(a1), self.isnan(a2)))
        return bool(self.all(eq))

    # ---- reductions ----

    sum = _make_reduce("sum")
    prod = _make_reduce("prod")
    mean = _make_reduce("mean")

    def _minmax(self, name, a, axis, keepdims):
        x = self._arr(a)
        return Array._new(self._core.reduce(name, x._n, _axes(axis), bool(keepdims), 0), self)

    def max(self, a, axis=None, keepdims=False):
        return self._minmax("max", a, axis, keepdims)

    def min(self, a, axis=None, keepdims=False):
        return self._minmax("min", a, axis, keepdims)

    amax = max
    amin = min

    def any(self, a, axis=None, keepdims=False):
        return self._minmax("any", a, axis, keepdims)

    def all(self, a, axis=None, keepdims=False):
        return self._minmax("all", a, axis, keepdims)

    def var(self, a, axis=None, dtype=None, ddof=0, keepdims=False, *, correction=None):
        return self._moment("var", a, axis, dtype, keepdims, _standard.correction(ddof, correction))

    def std(self, a, axis=None, dtype=None, ddof=0, keepdims=False, *, correction=None):
        return self._moment("std", a, axis, dtype, keepdims, _standard.correction(ddof, correction))

    def _moment(self, name, a, axis, dtype, keepdims, c):
        x = self._arr(a) if dtype is None else self.astype(a, dtype)
        if float(c).is_integer():
            return Array._new(self._core.reduce(name, x._n, _axes(axis), bool(keepdims), int(c)), self)
        # A fractional correction (the array API allows one): the ddof=0 variance
        # rescaled by n / (n - c), n the count each result combines.
        n = _standard.reduced_count(x.shape, _axes(axis))
        v = Array._new(self._core.reduce("var", x._n, _axes(axis), bool(keepdims), 0), self)
        v = v * n / (n - float(c))
        return self.sqrt(v) if name == "std" else v

    def sort(self, a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
        """numpy's sort (a numpy fallback), with the array API's `descending`."""
        return self._fallback(_standard.sort, "numpy.sort")(
            a, axis, kind, order, stable=stable, descending=descending)

    def argsort(self, a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
        """numpy's argsort (a numpy fallback), with the array API's `descending`."""
        return self._fallback(_standard.argsort, "numpy.argsort")(
            a, axis, kind, order, stable=stable, descending=descending)

    def argmax(self, a, axis=None, keepdims=False):
        r = Array._new(self._core.argreduce("argmax", self._arr(a)._n, None if axis is None else int(axis)), self)
        return self._keep(r, a, axis) if keepdims else r

    def argmin(self, a, axis=None, keepdims=False):
        r = Array._new(self._core.argreduce("argmin", self._arr(a)._n, None if axis is None else int(axis)), self)
        return self._keep(r, a, axis) if keepdims else r

    def _keep(self, r, a, axis):
        nd = self._arr(a).ndim
        if axis is None:
            return self.reshape(r, [1] * nd)
        return self.expand_dims(r, axis)

    def count_nonzero(self, a, axis=None, keepdims=False):
        return self.sum(self._arr(a) != 0, axis=axis, keepdims=keepdims)

    def average(self, a, axis=None, weights=None, keepdims=False):
        if weights is None:
            return self.mean(a, axis=axis, keepdims=keepdims)
        a, w = self._arr(a), self._arr(weights)
        return self.sum(a * w, axis=axis, keepdims=keepdims) / self.sum(w, axis=axis, keepdims=keepdims)

    # ---- shapes ----

    def shape(self, a):
        return self._arr(a).shape

    def ndim(self, a):
        return self._arr(a).ndim

    def size(self, a, axis=None):
        a = self._arr(a)
        return a.size if axis is None else a.shape[axis]

    def reshape(self, a, shape=None, order="C", *, newshape=None, copy=None):
        # `copy` is accepted for numpy 2 and the array API: every reshape is a new graph
        # node, which writes to the input (`x[i] = v` swaps its node) never reach.
        if shape is None:
            shape = newshape
        if order not in ("C", "A"):
            return self._fallback(np.reshape, "numpy.reshape(order=F)")(a, shape, order=order)
        # -1 (inferred) is allowed here; the engine checks the rest and names the shapes.
        dims = [shape] if isinstance(shape, (int, np.integer)) else list(shape)
        return Array._new(self._core.reshape(self._arr(a)._n, [_axis_int(d) for d in dims]), self)

    def ravel(self, a, order="C"):
        return self.reshape(a, [-1], order=order)

    def transpose(self, a, axes=None):
        a = self._arr(a)
        if axes is None:
            axes = list(range(a.ndim))[::-1]
        axes = [_norm_axis(x, a.ndim) for x in axes]
        if len(axes) != a.ndim or sorted(axes) != list(range(a.ndim)):
            raise ValueError(f"axes {tuple(axes)} don't match array of shape {a.shape}: "
                             f"transpose needs a permutation of 0..{a.ndim - 1}")
        if axes == list(range(a.ndim)):
            return a
        return Array._new(self._core.permute(a._n, axes), self)

    permute_dims = transpose

    def swapaxes(self, a, axis1, axis2):
        a = self._arr(a)
        p = list(range(a.ndim))
        i, j = _norm_axis(axis1, a.ndim), _norm_axis(axis2, a.ndim)
        p[i], p[j] = p[j], p[i]
        return self.transpose(a, p)

    def moveaxis(self, a, source, destination):
        a = self._arr(a)
        src = [_norm_axis(s, a.ndim) for s in _axes(source)]
        dst = [_norm_axis(d, a.ndim) for d in _axes(destination)]
        if len(src) != len(dst):
            raise ValueError("`source` and `destination` arguments must have the same number of elements")
        order = [n for n in range(a.ndim) if n not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return self.transpose(a, order)

    def matrix_transpose(self, x, /):
        return self.swapaxes(x, -1, -2)

    def expand_dims(self, a, axis):
        a = self._arr(a)
        axes = _axes(axis)
        out_nd = a.ndim + len(axes)
        axes = sorted(_norm_axis(ax, out_nd) for ax in axes)
        if len(set(axes)) != len(axes):
            raise ValueError("repeated axis")
        n = a._n
        for ax in axes:
            n = self._core.expand_dims(n, ax)
        return Array._new(n, self)

    def squeeze(self, a, axis=None):
        return Array._new(self._core.squeeze(self._arr(a)._n, _axes(axis)), self)

    def broadcast_to(self, array, shape):
        return Array._new(self._core.broadcast_to(self._arr(array)._n, _shape(shape)), self)

    def broadcast_shapes(self, *shapes):
        return np.broadcast_shapes(*shapes)

    def broadcast_arrays(self, *args):
        xs = [self._arr(a) for a in args]
        s = np.broadcast_shapes(*[x.shape for x in xs])
        return tuple(self.broadcast_to(x, s) for x in xs)

    def concatenate(self, arrays, axis=0, dtype=None):
        xs = [self._arr(a) for a in arrays]
        if axis is None:
            xs, axis = [self.ravel(x) for x in xs], 0
        if len(xs) > _LAZY_JOIN_MAX:
            r = self._join_on_host(np.concatenate, xs, axis)
        else:
            r = Array._new(self._core.concatenate([x._n for x in xs], int(axis)), self)
        return r if dtype is None else self.astype(r, dtype)

    concat = concatenate

    def stack(self, arrays, axis=0, dtype=None):
        xs = [self._arr(a) for a in arrays]
        if len(xs) > _LAZY_JOIN_MAX:
            r = self._join_on_host(np.stack, xs, axis)
        else:
            r = Array._new(self._core.stack([x._n for x in xs], int(axis)), self)
        return r if dtype is None else self.astype(r, dtype)

    def _join_on_host(self, join, xs, axis):
        """Many operands: evaluated in one schedule, then joined in host memory. The
        engine's lazy join reads every operand for every element (a select chain), which
        for 66 inputs is several times slower than evaluating them and copying."""
        # The lazy node is built only for the engine's checks and result dtype, so errors
        # and promotion are the same as for a few operands.
        lazy = (self._core.concatenate if join is np.concatenate else self._core.stack)(
            [x._n for x in xs], int(axis))
        self._core.eval_all([x._n for x in xs])
        r = Array._new(self._from_numpy(join([x.numpy() for x in xs], axis=int(axis))), self)
        return r if r._n.dtype == lazy.dtype else self.astype(r, lazy.dtype)

    def hstack(self, tup, dtype=None):
        xs = [self.atleast_1d(a) for a in tup]
        return self.concatenate(xs, axis=0 if xs[0].ndim == 1 else 1, dtype=dtype)

    def vstack(self, tup, dtype=None):
        return self.concatenate([self.atleast_2d(a) for a in tup], axis=0, dtype=dtype)

    def atleast_1d(self, a):
        a = self._arr(a)
        return self.reshape(a, [1]) if a.ndim == 0 else a

    def atleast_2d(self, a):
        a = self._arr(a)
        return self.reshape(a, [1] * (2 - a.ndim) + list(a.shape)) if a.ndim < 2 else a

    def pad(self, array, pad_width, mode="constant", constant_values=0):
        a = self._arr(array)
        if mode != "constant" or not _dtypes.is_python_scalar(constant_values) and np.ndim(constant_values) != 0:
            return self._fallback(np.pad, f"numpy.pad(mode={mode})")(
                a, pad_width, mode=mode, **({"constant_values": constant_values} if mode == "constant" else {}))
        pw = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (a.ndim, 2))
        widths = [(int(b), int(c)) for b, c in pw]
        if any(b < 0 or c < 0 for b, c in widths):
            raise ValueError("index can't contain negative values")
        cv = constant_values.item() if isinstance(constant_values, (np.generic, np.ndarray)) else constant_values
        return Array._new(self._core.pad(a._n, widths, cv), self)

    def flip(self, m, axis=None):
        return Array._new(self._core.flip(self._arr(m)._n, _axes(axis)), self)

    def fliplr(self, m):
        return self.flip(m, 1)

    def flipud(self, m):
        return self.flip(m, 0)

    def roll(self, a, shift, axis=None):
        a = self._arr(a)
        if axis is None:
            return Array._new(self._core.roll(a._n, operator.index(shift) % max(a.size, 1), None), self)
        shifts, axes = np.broadcast_arrays(np.asarray(shift, dtype=object), np.asarray(axis, dtype=object))
        n = a._n
        for s, ax in zip(shifts.ravel(), axes.ravel()):
            ax = _norm_axis(ax, a.ndim)
            n = self._core.roll(n, operator.index(s) % max(a.shape[ax], 1), ax)
        return Array._new(n, self)

    def copy(self, a):
        return self._arr(a).copy()

    def outer(self, a, b):
        return self.ravel(a)[:, None] * self.ravel(b)[None, :]

    def inner(self, a, b):
        return self.sum(self._arr(a) * self._arr(b), axis=-1)

    def vdot(self, a, b):
        return self.sum(self.conj(self.ravel(a)) * self.ravel(b))

    def matmul(self, x1, x2, /):
        a, b = self._pair(x1, x2)
        return Array._new(self._core.linalg2("matmul", a, b), self)

    def dot(self, a, b):
        a, b = self._pair(a, b)
        if not a.shape or not b.shape:
            return Array._new(self._core.binary("mul", a, b), self)
        return Array._new(self._core.linalg2("dot", a, b), self)

    def tensordot(self, a, b, axes=2):
        """numpy's tensordot as one matmul of the operands reshaped to matrices. When
        `a`'s summed axes lead (prysm's weighted sum of a (k, m, n) stack of modes), `a`
        is used as it lies and the product is formed transposed, so no large operand is
        permuted."""
        a, b = self._arr(a), self._arr(b)
        if isinstance(axes, (int, np.integer)):
            n = operator.index(axes)
            ia, ib = list(range(a.ndim - n, a.ndim)), list(range(n))
        else:
            ia, ib = axes
            ia = [ia] if isinstance(ia, (int, np.integer)) else list(ia)
            ib = [ib] if isinstance(ib, (int, np.integer)) else list(ib)
        ia = [_norm_axis(x, a.ndim) for x in ia]
        ib = [_norm_axis(x, b.ndim) for x in ib]
        if len(ia) != len(ib) or any(a.shape[i] != b.shape[j] for i, j in zip(ia, ib)):
            raise ValueError(f"tensordot: shape-mismatch for sum (axes {ia} of {a.shape}, "
                             f"axes {ib} of {b.shape})")
        fa = [i for i in range(a.ndim) if i not in ia]
        fb = [j for j in range(b.ndim) if j not in ib]
        na, nb = math.prod(a.shape[i] for i in fa), math.prod(b.shape[j] for j in fb)
        k = math.prod(a.shape[i] for i in ia)
        out_shape = [a.shape[i] for i in fa] + [b.shape[j] for j in fb]

        def lay(x, order, rows, cols):
            if order != list(range(x.ndim)):
                x = self.transpose(x, order)
            return self.reshape(x, [rows, cols])

        if ia + fa == list(range(a.ndim)) and fa + ia != list(range(a.ndim)):
            t = self.matmul(lay(b, fb + ib, nb, k), lay(a, ia + fa, k, na))  # (nb, na)
            out = self.transpose(t) if nb > 1 and na > 1 else t
        else:
            out = self.matmul(lay(a, fa + ia, na, k), lay(b, ib + fb, k, nb))
        out = self.reshape(out, out_shape)
        want = np.result_type(a.dtype, b.dtype)
        if want == np.bool_:  # numpy's dot of bools: any(a and b)
            return out != 0
        return out if out.dtype == want else self.astype(out, want)

    def trace(self, a, offset=0, axis1=0, axis2=1):
        a = self._arr(a)
        if offset != 0 or a.ndim != 2:
            return self._fallback(np.trace, "numpy.trace")(a, offset, axis1, axis2)
        n = min(a.shape)
        return self.sum(self.ravel(a[:n, :n])[:: n + 1])

    # ---- indexing ----

    def _getitem(self, a, key):
        if not isinstance(key, tuple):
            key = (key,)
        if not all(_is_basic(k) for k in key):
            return self._fancy_get(a, key)
        nd = a.ndim
        n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
        if sum(1 for k in key if k is Ellipsis) > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        if n_real > nd:
            raise IndexError(
                f"too many indices for array: array is {nd}-dimensional, but {n_real} were indexed")
        full = []
        for k in key:
            if k is Ellipsis:
                full.extend([slice(None)] * (nd - n_real))
            else:
                full.append(k)
        if Ellipsis not in key:
            full.extend([slice(None)] * (nd - n_real))
        slices, out_shape, axis, trivial = [], [], 0, True
        for k in full:
            if k is None:
                out_shape.append(1)
                continue
            n = a.shape[axis]
            if isinstance(k, slice):
                start, stop, step = k.indices(n)
                ln = len(range(start, stop, step))
                if not (start == 0 and step == 1 and ln == n):
                    trivial = False
                # Bounds beyond the axis mean the same as its ends (numpy clamps them);
                # clamping keeps Python's big integers out of the engine's 64-bit ones.
                lim = n + 1
                slices.append((None if k.start is None else max(-lim, min(lim, operator.index(k.start))),
                               None if k.stop is None else max(-lim, min(lim, operator.index(k.stop))),
                               1 if k.step is None else max(-lim, min(lim, operator.index(k.step)))))
                out_shape.append(ln)
            else:
                i = int(k)
                if i < -n or i >= n:
                    raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
                i %= n
                slices.append((i, i + 1, 1))
                if n != 1:
                    trivial = False
            axis += 1
        node = a._n
        if not trivial:
            node = self._core.slice(node, slices)
        if list(out_shape) != list(node.shape):
            node = self._core.reshape(node, out_shape)
        return Array._new(node, self)

    def _fancy_get(self, a, key):
        key = tuple(_key_to_numpy(k) for k in key)
        # A boolean mask of the array's own shape over a float/complex array: lazy
        # where the result shape is known only after evaluating the mask.
        return self.asarray(a.numpy()[key])

    def _setitem(self, a, key, value):
        t = a._n.dtype
        if _dtypes.is_python_scalar(value):
            v = Array._new(self._core.scalar(value, t), self)
        else:
            v = self.astype(self._arr(value), t)
        k = key if isinstance(key, tuple) else (key,)
        # x[mask] = v with a boolean mask of x's shape and a broadcastable v: lazy where.
        if len(k) == 1 and (isinstance(k[0], (Array, np.ndarray))) and k[0].dtype == np.bool_ \
                and tuple(k[0].shape) == a.shape and v.ndim == 0:
            return self.where(k[0], v, a)
        if all(_is_basic(x) for x in k):
            region = self._region(a, k)
            if region is not None:
                widths, rshape = region
                target_shape = self._getitem(a, key).shape
                vb = self.broadcast_to(v, target_shape)
                vb = self.reshape(vb, rshape)
                mask = Array._new(self._core.pad(self._core.full(rshape, True, "bool"), widths, False), self)
                padded = Array._new(self._core.pad(vb._n, widths, 0), self)
                return self.where(mask, padded, a)
        # Strided, negative-step or advanced keys: update a host copy (evaluates).
        host = np.array(a.numpy())
        host[tuple(_key_to_numpy(x) for x in k)] = v.numpy()
        return self.asarray(host)

    def _region(self, a, key):
        """For a basic key with unit steps: per-axis (before, after) pad widths and the
        region's shape with indexed axes kept as length 1; None otherwise."""
        nd = a.ndim
        real = [x for x in key if x is not None]
        n_real = sum(1 for x in real if x is not Ellipsis)
        full = []
        for x in real:
            if x is Ellipsis:
                full.extend([slice(None)] * (nd - n_real))
            else:
                full.append(x)
        full.extend([slice(None)] * (nd - len(full)))
        if len(full) > nd:
            raise IndexError("too many indices for array")
        widths, rshape = [], []
        for x, n in zip(full, a.shape):
            if isinstance(x, slice):
                start, stop, step = x.indices(n)
                if step != 1:
                    return None
                stop = max(stop, start)
                widths.append((start, n - stop))
                rshape.append(stop - start)
            else:
                i = int(x)
                if i < -n or i >= n:
                    raise IndexError(f"index {i} is out of bounds for size {n}")
                i %= n
                widths.append((i, n - i - 1))
                rshape.append(1)
        return widths, rshape


# Joins of more operands than this are done in host memory (see Engine._join_on_host).
_LAZY_JOIN_MAX = 8


def _same_arrays(obj, eng):
    """True for a non-empty list/tuple (nested too) of `eng`'s arrays of one shape and
    dtype, which `asarray` stacks lazily instead of evaluating."""
    if not isinstance(obj, (list, tuple)) or not obj:
        return False
    if all(isinstance(v, Array) and v._eng is eng for v in obj):
        first = obj[0]
        return all(v.shape == first.shape and v.dtype == first.dtype for v in obj)
    return all(_same_arrays(v, eng) for v in obj)


def _flat(obj):
    if isinstance(obj, (list, tuple)):
        return [v for x in obj for v in _flat(x)]
    return [obj]


def _is_basic(k):
    return k is None or k is Ellipsis or isinstance(k, slice) or (
        isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))
    ) or (isinstance(k, Array) and k.ndim == 0 and k.dtype.kind in "iu")


def _key_to_numpy(k):
    if isinstance(k, Array):
        return k.numpy()
    return k


def _to_numpy(x):
    """Evaluate every mathengine array inside `x` (lists, tuples, dicts) to numpy."""
    if isinstance(x, Array):
        return x.numpy()
    if isinstance(x, tuple):
        return tuple(_to_numpy(v) for v in x)
    if isinstance(x, list):
        return [_to_numpy(v) for v in x]
    if isinstance(x, dict):
        return {k: _to_numpy(v) for k, v in x.items()}
    return x


for _np_name, _r in _UNARY.items():
    setattr(Engine, _np_name, _make_unary(_np_name, _r))
for _np_name, _r in _BINARY.items():
    setattr(Engine, _np_name, _make_binary(_np_name, _r))
Engine.abs = Engine.absolute
Engine.conj = Engine.conjugate
Engine.true_divide = Engine.divide
Engine.pow = Engine.power
Engine.fix = Engine.trunc
_general_power = Engine.power


def _power(self, x1, x2, /, *, dtype=None):
    """numpy's `power`, elementwise with broadcasting (lazy). `x ** 2` is `square(x)`, as
    numpy computes it: one multiply instead of a general pow (three times faster)."""
    if dtype is None and type(x2) in (int, float) and x2 == 2 and isinstance(x1, Array) and x1._eng is self and (
            type(x2) is int and x1._n.dtype != "bool"
            or type(x2) is float and x1._n.dtype in ("float32", "float64", "complex64", "complex128")):
        return Array._new(self._core.unary("square", x1._n), self)
    return _general_power(self, x1, x2, dtype=dtype)


_power.__name__ = "power"
_power.__qualname__ = "Engine.power"
Engine.power = Engine.pow = _power
Engine.asin, Engine.acos, Engine.atan, Engine.atan2 = (
    Engine.arcsin, Engine.arccos, Engine.arctan, Engine.arctan2)

# numpy names the ufunc protocol can dispatch to without falling back
_OWN = {n: getattr(Engine, n) for n in list(_UNARY) + list(_BINARY) + [
    "floor_divide", "remainder", "positive", "invert", "bitwise_and", "bitwise_or",
    "bitwise_xor", "matmul", "deg2rad", "rad2deg", "sinc", "rint"]}


# Names that stay the engine's own when calls are forwarded to a module backend.
_OWN_ATTRS = {
    "change_backend", "backend", "available_backends", "stats", "reset_stats", "strict",
    "Array", "eval", "synchronize",
}


class _ModuleEngine(Engine):
    """An engine whose backend is a module (numpy, cupy, ...): every public name is
    looked up on the module and called eagerly with mathengine arrays converted."""

    def __getattribute__(self, name):
        if name.startswith("_") or name in _OWN_ATTRS:
            return object.__getattribute__(self, name)
        mod = object.__getattribute__(self, "_module")
        if hasattr(mod, name):
            target = getattr(mod, name)
        elif hasattr(np, name):
            target = getattr(np, name)
        else:
            return object.__getattribute__(self, name)
        if isinstance(target, types.ModuleType):
            return _ModuleNamespace(target)
        if callable(target) and not isinstance(target, type):
            return _forwarding(target)
        return target


class _ModuleNamespace:
    def __init__(self, mod):
        self._mod = mod

    def __getattr__(self, name):
        target = getattr(self._mod, name)
        if isinstance(target, types.ModuleType):
            return _ModuleNamespace(target)
        if callable(target) and not isinstance(target, type):
            return _forwarding(target)
        return target


def _forwarding(func):
    def call(*args, **kwargs):
        return func(*_to_numpy(args), **_to_numpy(kwargs))

    call.__name__ = getattr(func, "__name__", "forwarded")
    call.__doc__ = getattr(func, "__doc__", None)
    return call


def _default_docs(cls, where):
    """numpy-named functions without their own docstring point at numpy's documentation
    (same name, same signature)."""
    for n, f in list(vars(cls).items()):
        if not n.startswith("_") and callable(f) and getattr(f, "__doc__", None) is None:
            try:
                f.__doc__ = f"`{where}.{n}` with numpy's signature, on mathengine (lazy where the shape is known)."
            except (AttributeError, TypeError):
                pass


_default_docs(Engine, "numpy")
