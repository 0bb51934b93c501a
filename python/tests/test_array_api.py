"""The array API standard's parts of the engine (docs/array-api.md), against numpy."""

import inspect

import numpy as np
import pytest

import mathengine


def test_namespace_identity_and_info(e):
    x = e.ones(3)
    assert x.__array_namespace__() is e
    assert e.__array_api_version__ == "2025.12" and e.__name__ == "mathengine"
    info = e.__array_namespace_info__()
    assert info.devices() == ("cpu",) and info.default_device() == "cpu"
    assert set(info.dtypes()) == {"bool", "int32", "int64", "float32", "float64",
                                  "complex64", "complex128"}
    assert set(info.dtypes(kind="integral")) == {"int32", "int64"}
    assert set(info.dtypes(kind=("bool", "complex floating"))) == {"bool", "complex64", "complex128"}
    assert info.default_dtypes()["real floating"] == np.float64
    with pytest.raises(ValueError):
        info.dtypes(kind="no such kind")


def test_device_keyword(e):
    for make in (lambda d: e.zeros(2, device=d), lambda d: e.full((2,), 1.5, device=d),
                 lambda d: e.arange(3, device=d), lambda d: e.linspace(0, 1, 3, device=d),
                 lambda d: e.eye(2, device=d), lambda d: e.asarray([1], device=d),
                 lambda d: e.ones_like(e.ones(2), device=d),
                 lambda d: e.astype(e.ones(2), "int32", device=d)):
        make("cpu")
        make(None)
        with pytest.raises(ValueError, match="cpu"):
            make("cuda:0")


def test_creation_defaults_and_linspace(e, rng):
    for f in (e.zeros, e.ones, e.empty):
        assert f(2, dtype=None).dtype == np.float64
    for start, stop, num in [(0.0, 4.8639292323841736e16, 468), (-3.5, 7.25, 17), (1, 2, 0)]:
        got = np.asarray(e.linspace(start, stop, num, endpoint=False))
        assert np.array_equal(got, np.linspace(start, stop, num, endpoint=False))
    a, b = rng.normal(size=2) * 1e3
    assert np.array_equal(np.asarray(e.linspace(a, b, 33, endpoint=False)),
                          np.linspace(a, b, 33, endpoint=False))


def test_finfo_fields_are_python_numbers(e):
    for t in (e.float32, e.float64, e.complex64):
        f = e.finfo(t)
        ref = np.finfo(t)
        assert type(f.eps) is float and f.eps == float(ref.eps)
        assert type(f.max) is float and type(f.min) is float and type(f.smallest_normal) is float
        assert f.bits == ref.bits and f.dtype == ref.dtype and f.tiny == ref.tiny
    assert e.finfo(e.ones(2, dtype="float32")).bits == 32


def test_reduction_dtype_is_the_requested_one(e):
    x = np.array([2**31 - 1, 2, -5], dtype=np.int32)
    got = e.sum(e.asarray(x), dtype=np.int32)
    assert got.dtype == np.int32 and int(got) == int(np.sum(x, dtype=np.int32))
    assert e.prod(e.asarray(x[:0]), dtype=np.int32).dtype == np.int32


def test_fallback_results_are_arrays_with_numpy_signatures(e):
    v = e.asarray([1, 2, 3], dtype="int32")
    r = e.vecdot(v, v)
    assert isinstance(r, mathengine.Array) and r.shape == () and int(r) == 14
    assert "indices" in inspect.signature(e.take).parameters


def test_var_std_correction(e, rng):
    x = rng.normal(size=(4, 5)).astype(np.float32)
    for kw in ({"correction": 1.5, "axis": 1}, {"correction": 2, "axis": 0, "keepdims": True},
               {"correction": 0.25}, {"ddof": 1}):
        for f in ("var", "std"):
            got = np.asarray(getattr(e, f)(e.asarray(x), **kw))
            np.testing.assert_allclose(got, getattr(np, f)(x, **kw), rtol=1e-5)
    with pytest.raises(ValueError):
        e.var(e.asarray(x), ddof=1, correction=1)


def test_sort_argsort_descending(e, rng):
    x = rng.integers(0, 4, size=(3, 9)).astype(np.float64)  # many ties
    for axis in (-1, 0):
        got = np.asarray(e.argsort(e.asarray(x), axis=axis, descending=True))
        # reference: stable ascending sort of the negated values keeps ties in order
        assert np.array_equal(got, np.argsort(-x, axis=axis, stable=True))
        assert np.array_equal(np.asarray(e.sort(e.asarray(x), axis=axis, descending=True)),
                              -np.sort(-x, axis=axis))
    assert np.array_equal(np.asarray(e.argsort(e.asarray(x), axis=None, descending=True)),
                          np.argsort(-x, axis=None, stable=True))


def test_copies_are_independent_of_in_place_operators(e):
    x = e.asarray([1.0, 2.0])
    for y in (e.asarray(x, copy=True), e.array(x)):
        y += 1
        assert np.array_equal(np.asarray(x), [1.0, 2.0])
    assert e.asarray(x) is x
    assert np.array_equal(np.asarray(e.reshape(x, (2, 1), copy=True)), [[1.0], [2.0]])


def test_float_remainder_zero_has_the_divisors_sign(e):
    a = np.array([-0.0, 0.0, -3.0, 3.0, 7.5, -7.5, 6.0, -6.0])
    b = np.array([5.0, -5.0, np.inf, -np.inf, 2.0, 2.0, -3.0, 3.0])
    got = np.asarray(e.remainder(e.asarray(a), e.asarray(b)))
    ref = np.remainder(a, b)
    assert np.array_equal(got, ref) and np.array_equal(np.signbit(got), np.signbit(ref))
