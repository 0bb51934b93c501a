"""mathengine graphs evaluated chunk by chunk on a Dask LocalCluster (docs/dask.md)."""

import os
import pickle
import sys

import numpy as np
import pytest

import mathengine as me

E = me.engine

dask = pytest.importorskip("dask", reason="dask is not installed: pip install 'dask[distributed]'")
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
from mathengine.dask import to_dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        host="127.0.0.1",
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def grid(n):
    x = E.linspace(-1.0, 1.0, n).reshape(1, n)
    y = E.linspace(-1.0, 1.0, n).reshape(n, 1)
    return x, y


def test_pickle_round_trip_bit_for_bit():
    x, y = grid(64)
    data = E.asarray(np.arange(64.0))
    z = E.sin(x * 3.0) * y + data
    back = pickle.loads(pickle.dumps(z))
    assert back.shape == z.shape
    np.testing.assert_array_equal(back.numpy(), z.numpy())


def test_newer_format_is_refused():
    x, _ = grid(8)
    raw = me.engine._core.export_graph([(x * 2.0)._n])
    newer = raw[:4] + (99).to_bytes(4, "little") + raw[8:]
    with pytest.raises(Exception, match="version"):
        me.engine._core.import_graph(newer)


def test_elementwise_grid_chunks(client):
    x, y = grid(512)
    r2 = x * x + y * y
    z = E.where(r2 <= 1.0, E.cos(r2 * 7.0) * E.exp(-r2), 0.0)
    d = to_dask(z, chunks=(128, 256))
    np.testing.assert_array_equal(d.compute(), z.numpy())


def test_zernike_like_polynomial_chunks(client):
    x, y = grid(384)
    rho2 = x * x + y * y
    # Z(2,0) and Z(4,0) by Horner: the same arithmetic on every process.
    z4 = (6.0 * rho2 - 6.0) * rho2 + 1.0
    z2 = 2.0 * rho2 - 1.0
    w = 0.3 * z2 + 0.1 * z4
    d = to_dask(w, chunks=(96, 384))
    np.testing.assert_array_equal(d.compute(), w.numpy())


def test_reduction_over_chunks(client):
    x, y = grid(256)
    z = x * x + y * y
    d = to_dask(z, chunks=(64, 64))
    # Blocks are bit-exact; the sum is combined by dask in another order, so compare
    # with a tolerance (and the maximum exactly).
    assert float(d.max().compute()) == float(E.max(z).numpy())
    np.testing.assert_allclose(float(d.sum().compute()), float(E.sum(z).numpy()), rtol=1e-12)


def test_batched_fft_along_unchunked_axis(client):
    n = 64
    x, _ = grid(n)
    k = E.linspace(1.0, 8.0, 8).reshape(8, 1)
    field = E.exp(1j * E.sin(x * k))
    spec = E.fft.fft(field, axis=-1)
    d = to_dask(spec, chunks=(2, n))
    np.testing.assert_array_equal(d.compute(), spec.numpy())


def test_input_buffers_ship_once_per_graph():
    data = E.asarray(np.arange(4096.0).reshape(64, 64))
    d = to_dask(E.sqrt(data), chunks=(16, 16))
    graph = dict(d.__dask_graph__())
    payloads = [v for k, v in graph.items() if isinstance(k, str) and k.startswith("mathengine-graph-")]
    assert len(payloads) == 1 and len(graph) == 1 + 16


def test_pickle_of_a_generated_grid_is_small_and_lazy():
    x, y = grid(4096)
    z = x * x + y * y
    raw = pickle.dumps(z)
    assert len(raw) < 2048, len(raw)  # parameters, not 128 MiB of pixels
    np.testing.assert_array_equal(pickle.loads(raw)[5:7].numpy(), z[5:7].numpy())


def test_pickle_of_lazy_linalg_falls_back_to_values():
    a = E.asarray(np.array([[2.0, 1.0], [1.0, 3.0]])) * 1.0
    inv = E.linalg.inv(a)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(inv)).numpy(), inv.numpy())


def test_chunks_cutting_an_fft_axis_are_refused():
    n = 32
    x, _ = grid(n)
    k = E.linspace(1.0, 4.0, 4).reshape(4, 1)
    spec = E.fft.fft(E.exp(1j * x * k), axis=-1)
    with pytest.raises(ValueError, match=r"axis 1 of the array.*fft.*chunks=\{1: -1\}"):
        to_dask(spec, chunks=(4, 8))
    to_dask(spec, chunks=(1, n))  # the batch axis may be cut
    # Once evaluated, the FFT is data: any chunking is fine.
    spec.eval()
    np.testing.assert_array_equal(to_dask(spec, chunks=(4, 8)).compute(), spec.numpy())


def test_psf_batch_blocks_equal_the_whole_batch(client):
    n = 64
    x, y = grid(n)
    k = E.linspace(1.0, 8.0, 8).reshape(8, 1, 1)
    pupil = E.where(x * x + y * y <= 1.0, 1.0, 0.0)
    field = pupil * E.exp(1j * k * (x * x - y * y))
    psf = E.abs(E.fft.fftshift(E.fft.fft2(field), axes=(-2, -1))) ** 2
    d = to_dask(psf, chunks=(2, n, n))
    np.testing.assert_array_equal(d.compute(), psf.numpy())
    # One block in this process: the FFT ran on the block's two fields only.
    blk = me.Array._new(E._core.block(psf._n, [(2, 4), (0, n), (0, n)]), E)
    np.testing.assert_array_equal(blk.numpy(), psf.numpy()[2:4])


def _die_once(block, marker, client_pid):
    """Kill this worker process the first time any block gets here (never the client,
    where dask may call the function on an empty array)."""
    if os.getpid() == client_pid or block.size == 0:
        return block
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return block
    os.close(fd)
    os._exit(1)


def test_a_killed_worker_is_retried_with_the_right_result(client, tmp_path):
    import cloudpickle

    # The workers cannot import this test module: ship _die_once by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    x, y = grid(256)
    z = E.cos(x * 5.0) * E.sin(y * 3.0)
    marker = str(tmp_path / "killed-once")
    d = to_dask(z, chunks=(64, 256)).map_blocks(
        _die_once, marker=marker, client_pid=os.getpid(), meta=np.empty((0, 0))
    )
    np.testing.assert_array_equal(d.compute(), z.numpy())
    assert os.path.exists(marker), "no worker was killed: the test tested nothing"


def test_mathengine_arrays_are_a_dask_chunk_type():
    a = E.linspace(0.0, 1.0, 64).reshape(8, 8)
    d = dask.array.from_array(a, chunks=(4, 4), asarray=False)
    assert "mathengine" in repr(d)
    got = (d * 2.0 + 1.0).sum().compute(scheduler="sync")
    np.testing.assert_allclose(np.asarray(got), float((a * 2.0 + 1.0).sum().numpy()), rtol=1e-15)
    ones = dask.array.ones((8, 8), chunks=4)
    for r in (ones + a, a + ones):
        assert isinstance(r, dask.array.Array)
        np.testing.assert_array_equal(np.asarray(r.compute(scheduler="sync")), 1.0 + a.numpy())
