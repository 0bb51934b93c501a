"""Evaluate mathengine graphs chunk by chunk on Dask (see docs/dask.md).

`to_dask(y, chunks=...)` turns a lazy mathengine array into a `dask.array.Array` whose
blocks are `y[block]`, evaluated by mathengine on the workers. The graph travels once, as
bytes (src/serialize.rs), as one key of the dask graph that every block task depends on;
each worker process rebuilds it once in its default engine, so its kernels compile once
per process. A block is `Engine.block` of the root: the selection is pushed below FFTs
(along their untransformed axes), matrix products and batched linear algebra, and is
index arithmetic in the fused kernels above them, so a block computes only its own
elements. Chunks that cut an axis a library kernel works across are refused.
"""

import itertools
import threading

import numpy as np

try:
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph
except ImportError as err:  # pragma: no cover - exercised without dask
    raise ImportError(
        "mathengine.dask needs dask: pip install 'dask[distributed]'"
    ) from err

from ._array import Array

# Dask arrays may hold mathengine arrays as chunks (`da.from_array(a, asarray=False)`),
# and a dask array combined with a mathengine array stays a dask array.
da.register_chunk_type(Array)

_cache_lock = threading.Lock()
# graph bytes' token -> the rebuilt root array, per worker process (a few graphs).
_rebuilt = {}
_MAX_CACHED = 16


def _root(token, data):
    with _cache_lock:
        a = _rebuilt.get(token)
        if a is None:
            from . import engine

            (node,) = engine._core.import_graph(data)
            a = Array._new(node, engine)
            if len(_rebuilt) >= _MAX_CACHED:
                _rebuilt.pop(next(iter(_rebuilt)))
            _rebuilt[token] = a
        return a


def _eval_block(payload, ranges):
    token, data = payload
    root = _root(token, data)
    block = Array._new(root._eng._core.block(root._n, ranges), root._eng)
    return np.array(block.numpy())  # an owned, writable copy for dask


def to_dask(y, chunks="auto"):
    """A `dask.array.Array` equal to `y`, each block evaluated by mathengine on a worker.

    `chunks` is anything `dask.array` accepts (e.g. `(1024, 1024)` or `"auto"`). Each
    block computes only its own elements: the block's selection goes below FFTs along
    their untransformed axes, below matrix products and batched linear algebra. An axis
    that an FFT or a decomposition in `y` works across must be one chunk: chunks that
    cut it raise ValueError naming the axis (as `dask.array.fft` does); rechunk it whole.
    """
    if not isinstance(y, Array):
        raise TypeError(f"to_dask: expected a mathengine Array, got {type(y).__name__}")
    dtype = np.dtype(y.dtype)
    given = chunks
    chunks = da.core.normalize_chunks(chunks, y.shape, dtype=dtype)
    try:
        y._eng._core.check_chunks(y._n, [len(c) > 1 for c in chunks])
    except ValueError as err:
        raise ValueError(
            f"to_dask(chunks={given!r}) of an array of shape {tuple(y.shape)}: {err}"
        ) from None
    data = y._eng._core.export_graph([y._n])
    token = tokenize(data)
    gkey = "mathengine-graph-" + token
    name = "mathengine-" + tokenize(token, chunks)
    starts = [np.cumsum((0,) + c).tolist() for c in chunks]
    dsk = {gkey: (token, data)}
    for idx in itertools.product(*[range(len(c)) for c in chunks]):
        ranges = [(starts[d][i], starts[d][i + 1]) for d, i in enumerate(idx)]
        dsk[(name,) + idx] = (_eval_block, gkey, ranges)
    graph = HighLevelGraph.from_collections(name, dsk, dependencies=())
    return da.Array(graph, name, chunks, meta=np.empty((0,) * y.ndim, dtype=dtype))


def from_dask(x):
    """Compute a dask array and hand its values to mathengine's default engine."""
    from . import engine

    return engine.asarray(np.asarray(x.compute()))


def map_blocks(func, *arrays, dtype=None, **kwargs):
    """`dask.array.map_blocks` for a mathengine function: each block arrives as a
    mathengine array of the worker's default engine and the result is read back.
    `dtype` is the result's dtype (default: the first input's)."""
    from . import engine

    dtype = np.dtype(dtype if dtype is not None else arrays[0].dtype)

    def run(*blocks):
        r = func(*[engine.asarray(b) for b in blocks])
        return np.array(r.numpy()) if isinstance(r, Array) else np.asarray(r)

    return da.map_blocks(run, *arrays, dtype=dtype, meta=np.empty((0,) * arrays[0].ndim, dtype=dtype), **kwargs)
