"""Hostile input from Python: huge and negative sizes, many dimensions, empty arrays,
NaN, wrong dtypes and objects, mixed engines. Each is numpy's value or a catchable
exception of the right kind; none crashes the interpreter."""

import numpy as np
import pytest

import mathengine
from mathengine import _mathengine

AxisError = getattr(np, "exceptions", np).AxisError

# ---- errors by kind: every engine error variant maps to its exception, text kept ----

KINDS = [
    ("Broadcast", ValueError, "shapes (3,) and (4,) cannot be broadcast"),
    ("Shape", ValueError, "reshape: shape (6,) does not fit (4, 2)"),
    ("Axis", ValueError, "axis 3 is out of range"),
    ("DType", TypeError, "tan: dtype complex128 is not supported"),
    ("Invalid", ValueError, "linspace: the count is negative"),
    ("UnknownBackend", mathengine.BackendUnavailableError, "backends available: cpu, reference"),
    ("Unsupported", mathengine.BackendError, "backend 'cuda' cannot run eigh"),
    ("Compile", mathengine.CompileError, "compiling kernel k0 failed"),
    ("Backend", mathengine.BackendError, "launch failed"),
    ("OutOfMemory", MemoryError, "out of memory: an array needs 8796093022208 bytes"),
    ("Internal", RuntimeError, "this is a mathengine bug"),
]


@pytest.mark.parametrize("variant,cls,text", KINDS)
def test_every_error_kind_maps_to_its_exception(variant, cls, text):
    exc = _mathengine._engine_error(variant)
    assert type(exc) is cls or (cls is RuntimeError and isinstance(exc, RuntimeError))
    assert text in str(exc)
    for runtime in (mathengine.BackendUnavailableError, mathengine.BackendError, mathengine.CompileError):
        assert issubclass(runtime, RuntimeError)
    assert mathengine.BackendUnavailableError.__module__ == "mathengine"


def test_each_kind_from_real_calls(e):
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(4,\)"):
        e.ones(3) + e.ones(4)
    with pytest.raises(TypeError, match="dtype complex128 is not supported"):
        e.remainder(e.asarray(np.array([1j])), e.asarray(np.array([1j])))  # numpy refuses too
    with pytest.raises(mathengine.BackendUnavailableError, match="backends available: cpu"):
        e.change_backend("no-such-backend")
    with pytest.raises(MemoryError, match="bytes"):
        np.asarray(e.zeros((1 << 40, 1 << 10)) + 1.0)  # 8 PiB: the engine refuses, no abort
    with pytest.raises(mathengine.BackendUnavailableError):
        mathengine.Engine("no-such-backend")


# ---- sizes ----

@pytest.mark.parametrize("call", [
    lambda e: e.zeros(-1), lambda e: e.ones((2, -3)), lambda e: e.full((-1,), 1.0),
    lambda e: e.eye(-2), lambda e: e.eye(2, -1), lambda e: e.linspace(0, 1, -5),
    lambda e: e.fft.fft(e.ones(4), n=-1), lambda e: e.fft.fft(e.ones(4), n=0),
    lambda e: e.fft.fft2(e.ones((4, 4)), s=(-2, 4)), lambda e: e.fft.fftfreq(-3),
    lambda e: e.coordinates.make_xy_grid(-4, diameter=2), lambda e: e.coordinates.fftrange(-1),
    lambda e: e.polynomials.legendre(-1, e.ones(3)), lambda e: e.polynomials.zernike_nm(-1, 1, e.ones(3), e.ones(3)),
    lambda e: e.polynomials.zernike_nm(2, 1, e.ones(3), e.ones(3)),
    lambda e: e.polynomials.zernike_nm(2**40, 0, e.ones(3), e.ones(3)),
    lambda e: e.reshape(e.ones(6), (-2, -3)), lambda e: e.reshape(e.ones(6), (-1, -1)),
    lambda e: e.pad(e.ones(3), -1),
], ids=lambda f: "")
def test_negative_and_invalid_sizes_raise_value_error(e, call):
    with pytest.raises(ValueError):
        call(e)


@pytest.mark.parametrize("call", [
    lambda e: e.zeros((1 << 62, 1 << 62)), lambda e: e.ones((1 << 31,) * 3),
    lambda e: e.linspace(0, 1, 1 << 62), lambda e: e.arange(10**30), lambda e: e.arange(0, 1e30),
    lambda e: e.eye(1 << 40), lambda e: e.broadcast_to(e.ones(1), (1 << 62,)),
    lambda e: e.pad(e.ones(3), 1 << 62), lambda e: e.fft.fft2(e.ones((2, 2)), s=(1 << 31, 1 << 31)),
    lambda e: e.zeros(10**30), lambda e: e.sum(e.ones((2,) * 100)),
], ids=lambda f: "")
def test_impossible_sizes_raise_value_error_without_allocating(e, call):
    with pytest.raises(ValueError):
        call(e)


@pytest.mark.parametrize("call", [
    lambda e: e.pad(e.ones(3), 1 << 40), lambda e: e.broadcast_to(e.ones(1), (1 << 50,)) * 2.0,
    lambda e: e.fft.fft2(e.ones((2, 2)), s=(1 << 25, 1 << 25)), lambda e: e.ones((1 << 36, 1 << 8)) + 1,
], ids=lambda f: "")
def test_huge_but_possible_sizes_build_lazily_and_raise_memory_error(e, call):
    x = call(e)  # building allocates nothing
    with pytest.raises(MemoryError):
        x.eval()


def test_non_integer_sizes_raise_type_error(e):
    for bad in (2.5, 2j, None, "3", (2, 1.5)):
        with pytest.raises(TypeError):
            e.zeros(bad)
    with pytest.raises(TypeError):
        e.sum(e.ones(3), axis=0.5)
    with pytest.raises(IndexError):  # numpy's exception for a float index
        e.ones(3)[1.5]


# ---- many dimensions ----

def test_hundreds_of_dimensions(e):
    x = e.ones((1,) * 100) * 2
    assert x.ndim == 100 and float(e.sum(x)) == 2.0
    assert float(e.sum(e.ones((1,) * 1000))) == 1.0
    r = e.reshape(e.arange(6.0), (1,) * 98 + (2, 3))
    np.testing.assert_array_equal(np.asarray(e.squeeze(r)), np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError):  # numpy holds at most 64 dimensions
        np.asarray(x)
    y = e.asarray(np.ones((1,) * 64))
    assert np.asarray(y + 1).shape == (1,) * 64


# ---- empty arrays ----

def test_empty_arrays_match_numpy(e):
    z = np.zeros((0, 3))
    a = e.asarray(z)
    assert np.asarray(e.sin(a)).shape == (0, 3)
    assert float(e.sum(a)) == 0.0 and float(e.prod(a)) == 1.0
    np.testing.assert_array_equal(np.asarray(e.sum(a, axis=0)), np.zeros(3))
    assert np.asarray(e.sum(a, axis=1)).shape == (0,)
    assert np.isnan(float(e.mean(a)))
    assert np.asarray(a @ e.ones((3, 2))).shape == (0, 2)
    np.testing.assert_array_equal(np.asarray(e.zeros((2, 0)) @ e.ones((0, 2))), np.zeros((2, 2)))
    assert np.asarray(e.concatenate([a, a])).shape == (0, 3)
    assert np.asarray(a[a > 0]).shape == (0,)
    assert np.asarray(e.linspace(0, 1, 0)).shape == (0,)
    assert np.asarray(e.reshape(a, (3, 0))).shape == (3, 0)
    assert np.asarray(e.arange(-5)).shape == (0,)
    assert e.asarray([]).shape == (0,)
    for f in (e.max, e.min, e.argmax):
        with pytest.raises(ValueError):
            f(a).eval()
    with pytest.raises(ValueError):
        e.fft.fft(e.zeros(0))
    with pytest.raises(ValueError):
        bool(e.zeros(0))
    with pytest.raises(TypeError):
        float(e.zeros(0))


# ---- NaN and infinities ----

def test_nan_and_inf_propagate_as_numpy(e):
    v = np.array([1.0, np.nan, -np.inf, np.inf, -1.0, 0.0])
    a = e.asarray(v)
    with np.errstate(all="ignore"):
        for f in ("sqrt", "log", "exp", "sin", "tanh", "isnan", "isinf", "isfinite", "abs", "sign"):
            np.testing.assert_array_equal(np.asarray(getattr(e, f)(a)), getattr(np, f)(v), err_msg=f)
        np.testing.assert_array_equal(np.asarray(a / 0.0), v / 0.0)
    assert np.isnan(float(e.max(a))) and np.isnan(float(e.min(a))) and np.isnan(float(e.sum(a)))
    assert int(e.argmax(a)) == int(np.argmax(v)) == 1
    np.testing.assert_array_equal(np.asarray(a == a), v == v)
    assert bool(e.asarray(np.nan)) is True
    np.testing.assert_array_equal(np.asarray(e.linspace(np.nan, 1, 3)), np.linspace(np.nan, 1, 3))
    assert np.isnan(np.asarray(e.fft.fft(e.asarray([np.nan, 1.0])))).all()
    assert np.isnan(np.asarray(e.linalg.solve(e.asarray([[np.nan, 1.0], [1.0, 2.0]]), e.ones(2)))).all()
    with pytest.raises(ValueError):
        e.arange(0, np.inf)
    with pytest.raises(ValueError):
        e.arange(0, 1, np.nan)


# ---- wrong dtypes and objects ----

@pytest.mark.parametrize("obj", [
    np.array(["a", "b"]), ["a", "b"], np.array([1, "a"], dtype=object),
    np.array(["2020-01-01"], dtype="datetime64[D]"), np.array([1], dtype="timedelta64[s]"),
    {"a": 1}, "text", None,
], ids=repr)
def test_unconvertible_inputs_raise_type_error(e, obj):
    with pytest.raises(TypeError):
        e.asarray(obj)
    with pytest.raises(TypeError):
        e.sin(obj)
    with pytest.raises(TypeError):
        e.ones(2) + obj


def test_wrong_dtypes(e):
    for bad in ("U3", object, "bogus", str, "datetime64"):
        with pytest.raises(TypeError):
            e.ones(3, dtype=bad)
        with pytest.raises(TypeError):
            e.ones(3).astype(bad)
    with pytest.raises(ValueError):  # numpy: ragged nested sequences
        e.asarray([[1, 2], [3]])
    with pytest.raises(TypeError):
        e.where("x", 1, 2)
    i = e.ones(3, dtype=np.int64)
    with pytest.raises(TypeError):
        i += 1.5
    with pytest.raises(OverflowError):  # numpy 2: the Python int does not fit the array's dtype
        e.ones(3, dtype=np.int64) + 10**30
    with pytest.raises(OverflowError):
        e.ones(3, dtype=np.int32) + 2**40
    with pytest.raises(OverflowError):
        e.full(3, 10**30, dtype=np.int64)
    np.testing.assert_array_equal(np.asarray(e.ones(3) + 10**30), np.ones(3) + 10**30)


# ---- indexing ----

def test_hostile_indices(e):
    a = e.arange(5.0)
    x = np.arange(5.0)
    for key in (slice(10**30, None), slice(None, None, 10**30), slice(-10**30, None, -1),
                slice(-10**30, 10**30), slice(None, -10**30, -1)):
        np.testing.assert_array_equal(np.asarray(a[key]), x[key], err_msg=repr(key))
    for key in (10**30, -10**30, 5, -6, (0, 0), "a", 1.5, [True, False]):
        with pytest.raises(IndexError):
            a[key]
    with pytest.raises(IndexError):
        a[e.asarray([0, 7])]
    with pytest.raises(ValueError):
        a[::0]
    with pytest.raises(IndexError):
        a[10**30] = 1.0
    with pytest.raises(ValueError):
        a[:] = e.ones(2)
    for axis in (5, -6, 10**30):
        with pytest.raises((AxisError, ValueError)):
            e.sum(a, axis=axis)
    with pytest.raises(AxisError):
        e.transpose(e.ones((2, 3)), (0, 5))
    with pytest.raises(ValueError):
        e.transpose(e.ones((2, 3)), (0, 0))
    with pytest.raises(AxisError):
        e.expand_dims(a, 5)
    with pytest.raises(AxisError):
        e.swapaxes(a, 0, 3)
    with pytest.raises(AxisError):
        e.moveaxis(a, 2, 0)
    np.testing.assert_array_equal(np.asarray(e.roll(a, 10**30 + 2)), np.roll(x, 10**30 + 2))
    np.testing.assert_array_equal(np.asarray(a.astype(np.int64) // 0), np.zeros(5, np.int64))


# ---- engines mixed ----

def test_mixing_engines_and_backends(e):
    others = [mathengine.Engine() for _ in range(3)]
    a, b, c = (o.linspace(0, 1, 4) for o in others)
    r = e.where(a > 0.5, b, c * 2) + e.ones(4)
    x = np.linspace(0, 1, 4)
    np.testing.assert_allclose(np.asarray(r), np.where(x > 0.5, x, x * 2) + 1)
    assert r.engine is e
    others[0].change_backend("reference")
    np.testing.assert_allclose(np.asarray(e.sin(others[0].sin(a))), np.sin(np.sin(x)))
    np.testing.assert_allclose(np.asarray(e.eval(a * 2)), x * 2)
    e.change_backend(np)  # old mathengine arrays in a module backend's calls
    try:
        np.testing.assert_allclose(e.sin(a), np.sin(x))
        np.testing.assert_allclose(e.add(a, b), 2 * x)
    finally:
        e.change_backend("cpu")
    with pytest.raises(ValueError):
        e.ones(3) + others[1].ones(4)
