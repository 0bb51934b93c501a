"""Zero-copy data exchange with numpy, dtype round trips, and numpy's protocols."""

import numpy as np
import pytest

import mathengine

DTYPES = [np.bool_, np.int32, np.int64, np.float32, np.float64, np.complex64, np.complex128]


@pytest.mark.parametrize("dtype", DTYPES)
def test_roundtrip_every_dtype(e, rng, dtype):
    x = (rng.standard_normal((4, 3)) * 10).astype(dtype)
    if dtype in (np.complex64, np.complex128):
        x = x + 1j * x[::-1]
        x = x.astype(dtype)
    a = e.asarray(x)
    assert a.dtype == np.dtype(dtype)
    back = np.asarray(a)
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, x)
    # a computed result of that dtype too
    y = np.asarray(e.where(e.asarray(np.ones((4, 3), bool)), a, a))
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(y, x)


def test_input_shares_memory(e):
    x = np.arange(10.0)
    a = e.asarray(x)
    assert np.shares_memory(np.asarray(a), x)  # the data node reads x's buffer in place


def test_input_keeps_numpy_object_alive(e):
    import gc
    import weakref

    x = np.arange(1000.0)
    ref = weakref.ref(x)
    a = e.asarray(x)
    del x
    gc.collect()
    assert ref() is not None
    np.testing.assert_array_equal(np.asarray(a * 2), np.arange(1000.0) * 2)
    del a
    gc.collect()
    assert ref() is None


def test_output_without_copy(e):
    y = e.sin(e.linspace(0, 1, 1000))
    v1 = np.asarray(y)
    v2 = np.asarray(y)
    assert np.shares_memory(v1, v2)  # both views of the engine's result buffer
    assert not v1.flags.writeable  # the engine's buffer is immutable
    assert not v1.flags.owndata
    # the view keeps the buffer alive after the Array is gone
    del y
    np.testing.assert_allclose(v1, np.sin(np.linspace(0, 1, 1000)))


def test_mutating_shared_input_is_seen_by_later_evaluation(e):
    # Documented: asarray shares memory; a graph evaluated after the caller writes to
    # the numpy array reads the new values. copy=True makes an independent array.
    x = np.ones(4)
    a = e.asarray(x)
    c = e.asarray(x, copy=True)
    x[0] = 5.0
    assert float((a * 1.0)[0].eval()) == 5.0
    assert float(c[0]) == 1.0


def test_noncontiguous_and_other_dtypes_are_converted(e):
    x = np.arange(20.0).reshape(4, 5)[:, ::2]
    np.testing.assert_array_equal(np.asarray(e.asarray(x)), x)
    be = np.arange(5, dtype=">f8")
    np.testing.assert_array_equal(np.asarray(e.asarray(be)), np.arange(5.0))
    np.testing.assert_array_equal(np.asarray(e.asarray(np.arange(5, dtype=np.uint8))), np.arange(5))
    assert e.asarray(np.arange(5, dtype=np.float16)).dtype == np.float32
    assert e.asarray(np.zeros((0, 3))).shape == (0, 3)
    with pytest.raises(TypeError):
        e.asarray(np.array(["a"]))


def test_array_ufunc_stays_lazy(e):
    a = e.linspace(0, 1, 8)
    y = np.sin(a) + np.exp(a)
    assert isinstance(y, mathengine.Array) and not y.is_evaluated()
    np.testing.assert_allclose(np.asarray(y), np.sin(np.linspace(0, 1, 8)) + np.exp(np.linspace(0, 1, 8)))
    m = np.maximum(a, 0.5)
    assert isinstance(m, mathengine.Array)
    before = e.stats()["numpy_fallbacks"]
    np.add(a, 1.0)
    assert e.stats()["numpy_fallbacks"] == before
    # a ufunc method mathengine lacks falls back to numpy, counted
    r = np.add.reduce(a)
    assert e.stats()["numpy_fallbacks"] == before + 1
    assert float(r) == pytest.approx(4.0)


def test_array_function(e):
    x = np.arange(12.0).reshape(3, 4)
    a = e.asarray(x)
    for f, kw in [(np.sum, dict(axis=0)), (np.mean, {}), (np.transpose, {}), (np.concatenate, None),
                  (np.fft.fft2, {}), (np.linalg.norm, {}), (np.where, None), (np.reshape, None)]:
        if f is np.concatenate:
            got, want = f([a, a], axis=1), f([x, x], axis=1)
        elif f is np.where:
            got, want = f(a > 3, a, 0.0), f(x > 3, x, 0.0)
        elif f is np.reshape:
            got, want = f(a, (4, 3)), f(x, (4, 3))
        else:
            got, want = f(a, **kw), f(x, **kw)
        assert isinstance(got, mathengine.Array), f
        np.testing.assert_allclose(np.asarray(got), want, atol=1e-12)
    # a numpy function mathengine lacks: numpy on evaluated inputs, counted
    c = np.cumsum(a, axis=1)
    np.testing.assert_array_equal(np.asarray(c), np.cumsum(x, axis=1))
    assert e.stats()["numpy_fallback_names"]["numpy.cumsum"] == 1


def test_array_namespace(e):
    a = e.ones(3)
    xp = a.__array_namespace__()
    assert xp is e
    np.testing.assert_array_equal(np.asarray(xp.sum(a)), 3.0)


def test_dlpack(e):
    a = e.arange(6.0) * 2
    assert a.__dlpack_device__() == (1, 0)
    b = np.from_dlpack(a)
    np.testing.assert_array_equal(b, np.arange(6.0) * 2)
    c = e.from_dlpack(np.arange(3.0))
    np.testing.assert_array_equal(np.asarray(c), np.arange(3.0))


def test_arrays_of_other_engines_mix(e):
    other = mathengine.Engine()
    a = other.linspace(0, 1, 5)
    b = e.ones(5) + a
    np.testing.assert_allclose(np.asarray(b), 1 + np.linspace(0, 1, 5))


def test_pickle(e):
    import pickle

    a = e.linspace(0, 1, 4) ** 2
    b = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(np.asarray(b), np.asarray(a))


def test_array_function_keywords(e):
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    a = e.asarray(x)
    cases = [
        (np.clip, dict(a_min=-1, a_max=1)),
        (np.mean, dict(axis=0, dtype=np.float32)),
        (np.std, dict(axis=1, ddof=1, keepdims=True)),
        (np.round, dict(decimals=1)),
        (np.roll, dict(shift=1, axis=0)),
        (np.flip, dict(axis=1)),
        (np.expand_dims, dict(axis=0)),
        (np.squeeze, {}),
        (np.moveaxis, dict(source=0, destination=1)),
        (np.pad, dict(pad_width=1)),
        (np.linalg.norm, dict(axis=1, keepdims=True)),
        (np.fft.rfft, dict(n=6, axis=0, norm="ortho")),
        (np.sum, dict(axis=(0, 1))),
        (np.max, dict(axis=0)),
    ]
    for f, kw in cases:
        got = f(a, **kw)
        assert isinstance(got, mathengine.Array), f.__name__
        want = f(x, **kw)
        assert np.asarray(got).dtype == want.dtype, f.__name__
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-12, err_msg=f.__name__)
    assert e.stats()["numpy_fallbacks"] == 0


def test_numpy2_copy_keyword_and_round_trip_without_copies(e):
    y = e.cos(e.linspace(0, 1, 100))
    v = np.asarray(y, copy=False)  # numpy 2: refuses if a copy were needed
    assert np.shares_memory(v, np.asarray(y))
    back = e.asarray(v)  # a result read out and passed back in: still no copy
    assert np.shares_memory(np.asarray(back), v)
    w = np.array(y, copy=True)
    assert w.flags.writeable and not np.shares_memory(w, v)
    with pytest.raises(ValueError):
        np.asarray(y, dtype=np.float32, copy=False)


def test_two_threads_two_engines(rng):
    import threading

    engines = [mathengine.Engine(), mathengine.Engine("reference")]
    data = rng.standard_normal((2, 50_000))
    out, errors = {}, []

    def work(k):
        try:
            e = engines[k]
            x = e.asarray(data[k])
            for i in range(3):
                out[k, i] = np.asarray(e.sum(e.exp(-x * x) * (i + 1), axis=0))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    ts = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert not errors
    for (k, i), v in out.items():
        assert float(v) == pytest.approx(np.sum(np.exp(-data[k] ** 2) * (i + 1)), rel=1e-10)


def test_operator_fast_path_types_as_numpy(e):
    cases = [np.float32, np.float64, np.int32, np.int64, np.complex64, np.bool_]
    for t in cases:
        x = (np.arange(1, 5) % 3).astype(t)
        a = e.asarray(x)
        for s in (2, 2.5, -1):
            for got, want in [(a + s, x + s), (s + a, s + x), (a - s, x - s), (s - a, s - x),
                              (a * s, x * s), (s * a, s * x), (a / s, x / s)]:
                want = np.asarray(want)
                assert got.dtype == want.dtype, (t, s)
                np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
        for got, want in [(a + a, x + x), (a * a, x * x), (a - a if t is not np.bool_ else a * a,
                                                            x - x if t is not np.bool_ else x * x)]:
            assert got.dtype == want.dtype, t
            np.testing.assert_array_equal(np.asarray(got), want)
    # numpy arrays, numpy scalars and module backends take the general route
    a = e.asarray(np.arange(3.0, dtype=np.float32))
    assert (a * np.float64(2)).dtype == np.float64
    assert (a + np.ones(3)).dtype == np.float64
    e.change_backend(np)
    try:
        assert type(a * 2.0) is np.ndarray
    finally:
        e.change_backend("cpu")
