"""The array API's inspection namespace (`engine.__array_namespace_info__()`): which
dtypes, devices and capabilities a mathengine engine has, for libraries written
against the standard (array-api-compat, scipy, the array API test suite)."""

import numpy as np

from . import _dtypes

# The standard's dtype kinds, each with the supported dtypes that belong to it.
_KINDS = {
    "bool": ("bool",),
    "signed integer": ("int32", "int64"),
    "unsigned integer": (),
    "integral": ("int32", "int64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64", "complex128"),
    "numeric": ("int32", "int64", "float32", "float64", "complex64", "complex128"),
}


class NamespaceInfo:
    """What `engine.__array_namespace_info__()` returns. Arrays live in host memory
    whatever the backend, so the only device is 'cpu'."""

    def __init__(self, eng):
        self._eng = eng

    def capabilities(self):
        return {
            "boolean indexing": True,
            "data-dependent shapes": True,
            "max dimensions": None,
        }

    def default_device(self):
        return "cpu"

    def devices(self):
        return ("cpu",)

    def _check_device(self, device):
        if device not in (None, "cpu"):
            raise ValueError(f"mathengine arrays live on 'cpu', not {device!r}")

    def default_dtypes(self, *, device=None):
        """numpy's defaults: 64-bit integers and floats, 64-bit indices."""
        self._check_device(device)
        return {
            "real floating": np.dtype("float64"),
            "complex floating": np.dtype("complex128"),
            "integral": np.dtype("int64"),
            "indexing": np.dtype("int64"),
        }

    def dtypes(self, *, device=None, kind=None):
        """The dtypes mathengine arrays hold (numpy's others are converted to the nearest
        of these, so they are not listed), by name; `kind` as in `isdtype`."""
        self._check_device(device)
        if kind is None:
            names = _dtypes.SUPPORTED
        else:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            names = set()
            for k in kinds:
                if isinstance(k, str):
                    if k not in _KINDS:
                        raise ValueError(f"unknown dtype kind {k!r}; one of {', '.join(_KINDS)}")
                    names.update(_KINDS[k])
                else:
                    names.add(_dtypes.name(k))
            names = [n for n in _dtypes.SUPPORTED if n in names]
        return {n: np.dtype(n) for n in names}
