"""mathengine graphs evaluated chunk by chunk on a Dask LocalCluster (docs/dask.md)."""

import pickle

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
