"""Keywords of the array API standard that numpy's functions lack: `descending` for
sort/argsort and a fractional `correction` for var/std. numpy-side helpers for the
numpy fallbacks, and the correction rule for the engine's own var/std."""

import numpy as np


def sort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """numpy's sort on a numpy array; `descending` reverses the ascending order."""
    out = np.sort(a, axis=axis, kind=kind, order=order, stable=stable)
    return np.flip(out, axis=axis) if descending and out.ndim else out


def argsort(a, axis=-1, kind=None, order=None, *, stable=None, descending=False):
    """numpy's argsort on a numpy array. Descending keeps equal elements in their original
    order (as a stable ascending sort does): sort the reversed array ascending, reverse
    the result and map its indices back to the original positions. Without `kind`,
    descending is stable (the standard's default; numpy has no descending to follow)."""
    if not descending or np.ndim(a) == 0:
        return np.argsort(a, axis=axis, kind=kind, order=order, stable=stable)
    if stable is None and kind is None:
        stable = True
    a = np.asarray(a)
    ax = axis if axis is not None else -1
    if axis is None:
        a = a.ravel()
    n = a.shape[ax]
    idx = np.argsort(np.flip(a, axis=ax), axis=ax, kind=kind, order=order, stable=stable)
    return (n - 1) - np.flip(idx, axis=ax)


def correction(ddof, correction):
    """The degrees-of-freedom correction of var/std: `correction` (the standard's name)
    or numpy's `ddof`, not both (numpy's error)."""
    if correction is None:
        return ddof
    if ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def reduced_count(shape, axes):
    """How many elements each result of a reduction over `axes` (None: all) combines."""
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in {a % len(shape) for a in axes}:
            n *= s
    return n
