"""What chunked evaluation on Dask costs and gains (docs/scaling.md): graph bytes and
serialise / rebuild times, the scheduler's overhead per chunk against a chunk's compute
time, and 1 versus 2 worker processes on the W2-like grid and a batch of PSFs.

    target/py-bench-venv/bin/python benches/dask_scaling.py [--quick]

Prints one JSON object per measurement (medians of repeated runs), then a summary.
Run it on an otherwise idle machine: the workers share its cores with everything else.
"""

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import mathengine as me
from mathengine.dask import to_dask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from dask_psf import psf_batch, wavefront  # noqa: E402  (the example's two graphs)

E = me.engine
QUICK = "--quick" in sys.argv


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def emit(rec):
    print(json.dumps(rec), flush=True)
    return rec


def serialisation(records):
    for name, arr in (("w2_8192", wavefront(8192)), ("psf16_1024", psf_batch(16, 1024))):
        data = E._core.export_graph([arr._n])
        ser = median_time(lambda: E._core.export_graph([arr._n]), 21)
        reb = median_time(lambda: E._core.import_graph(data), 21)
        records.append(emit({"measure": "graph", "graph": name, "bytes": len(data),
                             "serialise_s": ser, "rebuild_s": reb}))


def compile_cost(records):
    """What a worker pays once per graph: rebuild it in a fresh engine and compile the
    kernels of its first block (the engine's own compile timer)."""
    for name, arr, first in (("w2_8192", wavefront(8192), [(0, 64), (0, 64)]),
                             ("psf16_1024", psf_batch(16, 1024), [(0, 1), (0, 1024), (0, 1024)])):
        data = E._core.export_graph([arr._n])
        fresh = me.Engine("cpu")
        (root,) = fresh._core.import_graph(data)
        t = time.perf_counter()
        me.Array._new(fresh._core.block(root, first), fresh).numpy()
        wall = time.perf_counter() - t
        st = fresh.stats()
        records.append(emit({"measure": "first_block", "graph": name, "wall_s": wall,
                             "kernels_compiled": st["kernels_compiled"],
                             "compile_s": st["compile_seconds"]}))


def chunk_compute(records):
    """One chunk's compute time in this process (kernels compiled beforehand)."""
    n = 8192
    w = wavefront(n)
    for side in (64, 128, 256, 512, 1024, 2048):
        blk = lambda: me.Array._new(E._core.block(w._n, [(0, side), (0, side)]), E).numpy()
        blk()
        records.append(emit({"measure": "chunk_compute", "graph": "w2_8192", "chunk": side,
                             "median_s": median_time(blk, 5 if QUICK else 15)}))
    p = psf_batch(16, 1024)
    blk = lambda: me.Array._new(E._core.block(p._n, [(0, 1), (0, 1024), (0, 1024)]), E).numpy()
    blk()
    records.append(emit({"measure": "chunk_compute", "graph": "psf16_1024", "chunk": 1,
                         "median_s": median_time(blk, 3 if QUICK else 7)}))


def on_cluster(records, workers):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1,
                      dashboard_address=None, host="127.0.0.1") as cluster, Client(cluster):
        # Overhead per chunk: tiny chunks of a cheap graph, the scheduler's cost dominates.
        tiny = wavefront(1024)
        d = to_dask(tiny, chunks=(64, 64))  # 256 chunks of 4096 elements
        d.sum().compute()
        t = median_time(lambda: d.sum().compute(), 3 if QUICK else 7)
        records.append(emit({"measure": "per_chunk_overhead", "workers": workers,
                             "chunks": 256, "total_s": t, "per_chunk_s": t / 256}))
        runs = 1 if QUICK else 3
        w = to_dask(wavefront(8192), chunks=(1024, 8192))
        w.std().compute()  # first run: each worker rebuilds the graph and compiles
        records.append(emit({"measure": "scaling", "graph": "w2_8192_std", "workers": workers,
                             "chunks": 8, "median_s": median_time(lambda: w.std().compute(), runs)}))
        p = to_dask(psf_batch(16, 1024), chunks=(2, 1024, 1024))
        p.max(axis=(1, 2)).compute()
        records.append(emit({"measure": "scaling", "graph": "psf16_1024_peaks", "workers": workers,
                             "chunks": 8,
                             "median_s": median_time(lambda: p.max(axis=(1, 2)).compute(), runs)}))


def single_process(records):
    w = wavefront(8192)
    records.append(emit({"measure": "scaling", "graph": "w2_8192_std", "workers": 0,
                         "median_s": median_time(lambda: float(E.std(wavefront(8192)).numpy()), 3)}))
    del w
    records.append(emit({"measure": "scaling", "graph": "psf16_1024_peaks", "workers": 0,
                         "median_s": median_time(
                             lambda: E.max(psf_batch(16, 1024), axis=(1, 2)).numpy(), 3)}))


def main():
    records = []
    serialisation(records)
    compile_cost(records)
    chunk_compute(records)
    single_process(records)
    for workers in (1, 2):
        on_cluster(records, workers)
    over = {r["workers"]: r["per_chunk_s"] for r in records if r["measure"] == "per_chunk_overhead"}
    for r in records:
        if r["measure"] == "chunk_compute" and r["graph"] == "w2_8192":
            print(f"# chunk {r['chunk']}^2: compute {r['median_s'] * 1e3:.3f} ms, "
                  f"overhead per chunk {over.get(2, float('nan')) * 1e3:.3f} ms", file=sys.stderr)


if __name__ == "__main__":
    main()
