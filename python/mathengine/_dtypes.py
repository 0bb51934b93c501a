"""Dtype names, numpy's promotion of Python scalars ("weak" scalars), and conversion of
dtypes mathengine does not hold to the nearest one it does."""

import numpy as np

#: The dtypes mathengine arrays hold, by numpy name.
SUPPORTED = ("bool", "int32", "int64", "float32", "float64", "complex64", "complex128")

_KIND_RANK = {"bool": 0, "int32": 1, "int64": 1, "float32": 2, "float64": 2,
              "complex64": 3, "complex128": 3}

# numpy dtypes mathengine lacks, and the supported dtype their data is converted to.
_NEAREST = {
    "int8": "int32", "int16": "int32", "uint8": "int32", "uint16": "int32",
    "uint32": "int64", "uint64": "int64",
    "float16": "float32", "longdouble": "float64", "float128": "float64",
    "clongdouble": "complex128", "complex256": "complex128",
}


def name(dtype):
    """The mathengine dtype name of anything numpy accepts as a dtype (None -> None)."""
    if dtype is None:
        return None
    if isinstance(dtype, str) and dtype in SUPPORTED:
        return dtype
    n = np.dtype(dtype).name
    if n in SUPPORTED:
        return n
    if n in _NEAREST:
        return _NEAREST[n]
    raise TypeError(
        f"dtype {n} is not supported by mathengine; use one of {', '.join(SUPPORTED)}"
    )


def storage_name(np_dtype):
    """The supported dtype a numpy array of `np_dtype` is stored as."""
    n = np_dtype.name
    if n in SUPPORTED:
        return n
    if n in _NEAREST:
        return _NEAREST[n]
    raise TypeError(
        f"numpy arrays of dtype {n} cannot become mathengine arrays; "
        f"convert them with astype to one of {', '.join(SUPPORTED)}"
    )


def is_python_scalar(v):
    return type(v) in (bool, int, float, complex)


def weak_scalar_dtype(v, other):
    """numpy 2 (NEP 50) typing of a Python scalar `v` used with an array of dtype `other`."""
    t = type(v)
    if other is None:
        return {bool: "bool", int: "int64", float: "float64", complex: "complex128"}[t]
    rank = _KIND_RANK[other]
    if t is bool:
        return other
    if t is int:
        return "int64" if rank == 0 else other
    if t is float:
        return "float64" if rank <= 1 else other
    # complex
    if rank <= 1:
        return "complex128"
    if other == "float32":
        return "complex64"
    if other == "float64":
        return "complex128"
    return other


def result_type(*names):
    return np.result_type(*[np.dtype(n) for n in names]).name


def can_cast_same_kind(src, dst):
    return bool(np.can_cast(np.dtype(src), np.dtype(dst), casting="same_kind"))


#: (Python scalar type, array dtype name) -> the scalar's dtype: the operators' fast path.
WEAK = {(type(v), d): weak_scalar_dtype(v, d) for v in (True, 0, 0.0, 0j) for d in SUPPORTED}


class Finfo:
    """numpy's `finfo` with the array API's fields as Python numbers (numpy gives numpy
    scalars of the dtype); numpy's other fields (tiny, resolution, ...) pass through."""

    def __init__(self, np_finfo):
        self._np = np_finfo
        self.bits = int(np_finfo.bits)
        self.eps = float(np_finfo.eps)
        self.max = float(np_finfo.max)
        self.min = float(np_finfo.min)
        self.smallest_normal = float(np_finfo.smallest_normal)
        self.dtype = np_finfo.dtype

    def __getattr__(self, name):
        return getattr(self._np, name)

    def __repr__(self):
        return repr(self._np)
