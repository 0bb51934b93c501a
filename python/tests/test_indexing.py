"""__getitem__ (basic and advanced) and __setitem__ against numpy."""

import numpy as np
import pytest

X = np.arange(60.0).reshape(3, 4, 5)

BASIC = [
    0, -1, 2, (1, 2), (1, 2, 3), (-1, -2, -3), slice(None), slice(1, None), slice(None, None, -1),
    (slice(None), 1), (Ellipsis, 2), (0, Ellipsis), (None,), (None, 0, None), (Ellipsis, None),
    (slice(None, None, 2), slice(1, 4, 2), slice(4, 0, -2)), (slice(-2, None), None, slice(-10, 10)),
    (1, slice(3, 1)), (slice(None), slice(None), slice(None, None, -1)), (np.int64(1), np.int32(2)),
    (), (Ellipsis,),
]


@pytest.mark.parametrize("key", BASIC, ids=repr)
def test_basic_getitem(e, key):
    got = e.asarray(X)[key]
    want = X[key]
    assert got.shape == want.shape
    np.testing.assert_array_equal(np.asarray(got), want)


def test_basic_getitem_is_lazy(e):
    a = e.sin(e.asarray(X))
    s = a[1, ::2]
    assert not s.is_evaluated()
    np.testing.assert_allclose(np.asarray(s), np.sin(X)[1, ::2])


@pytest.mark.parametrize("key", [5, (0, 7), (0, 0, -6)], ids=repr)
def test_out_of_bounds(e, key):
    with pytest.raises(IndexError):
        e.asarray(X)[key]
    with pytest.raises(IndexError):
        X[key]


def test_too_many_indices(e):
    with pytest.raises(IndexError):
        e.asarray(X)[0, 0, 0, 0]
    with pytest.raises(IndexError):
        e.asarray(X)[..., ..., 0]


ADVANCED = [
    X > 30, (0, (X > 30)[0]), [0, 2], ([0, 2], slice(None), [1, 3]), (slice(None), [3, 0, 3]),
    np.array([[0, 1], [2, 0]]), (Ellipsis, [4, 0]), ([True, False, True],),
]


@pytest.mark.parametrize("key", ADVANCED, ids=lambda k: type(k).__name__)
def test_advanced_getitem(e, key):
    want = X[key]
    got = e.asarray(X)[key]
    np.testing.assert_array_equal(np.asarray(got), want)
    # the key as a mathengine array works too
    if isinstance(key, np.ndarray):
        np.testing.assert_array_equal(np.asarray(e.asarray(X)[e.asarray(key)]), want)


SET_KEYS = [0, (1, 2), (slice(None), 1), (Ellipsis, slice(1, 3)), (slice(0, 2), slice(None), 4),
            (slice(None, None, 2),), (slice(None, None, -1), 0), ([0, 2],), (X > 40,), (1, X[0] > 3),
            (-1, -1, -1), (slice(1, 1),)]


@pytest.mark.parametrize("key", SET_KEYS, ids=repr)
@pytest.mark.parametrize("value", ["scalar", "array"])
def test_setitem(e, key, value):
    want = X.copy()
    target_shape = want[key].shape
    v = -7.5 if value == "scalar" else np.arange(np.prod(target_shape), dtype=float).reshape(target_shape) - 100
    want[key] = v
    a = e.asarray(X)
    keep = a.copy()
    a[key] = v
    np.testing.assert_array_equal(np.asarray(a), want)
    np.testing.assert_array_equal(np.asarray(keep), X)  # a functional update: old node intact


def test_setitem_lazy_paths(e):
    a = e.exp(e.asarray(X) / 60)
    a[1:, :2] = 0.0
    assert not a.is_evaluated()
    mask = e.asarray(X) > 20
    b = e.exp(e.asarray(X) / 60)
    b[mask] = 1.0
    assert not b.is_evaluated()
    w = np.exp(X / 60)
    w[1:, :2] = 0.0
    np.testing.assert_allclose(np.asarray(a), w)
    w = np.exp(X / 60)
    w[X > 20] = 1.0
    np.testing.assert_allclose(np.asarray(b), w)


def test_setitem_casts_value_to_array_dtype(e):
    a = e.asarray(np.arange(4, dtype=np.int32))
    a[1] = 7.9
    assert a.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(a), [0, 7, 2, 3])
    a[2:] = e.asarray([5, 6])
    np.testing.assert_array_equal(np.asarray(a), [0, 7, 5, 6])
