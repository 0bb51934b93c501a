"""The seed's snippet line by line, and the Array basics."""

import math

import numpy as np
import pytest

import mathengine
from mathengine import engine as default_engine


def test_seed_snippet():
    from mathengine import engine as e

    x = e.linspace(-1, 1, 1024)
    y = e.sin(x) ** 2 + e.cos(x) * e.exp(-x * x)
    assert not y.is_evaluated()
    y.eval()
    assert y.is_evaluated()
    xn = np.linspace(-1, 1, 1024)
    want = np.sin(xn) ** 2 + np.cos(xn) * np.exp(-xn * xn)
    np.testing.assert_allclose(np.asarray(y), want, rtol=1e-14, atol=1e-15)
    assert float(y[0]) == pytest.approx(want[0], rel=1e-14)
    assert "0.9068" in str(y)
    e.change_backend("cpu")
    a = e.reshape(e.arange(16.0), (4, 4))
    np.testing.assert_allclose(np.asarray(e.fft.fft2(a, norm="ortho")),
                               np.fft.fft2(np.arange(16.0).reshape(4, 4), norm="ortho"), atol=1e-12)
    A = e.asarray([[3.0, 1.0], [1.0, 2.0]])
    b = e.asarray([9.0, 8.0])
    np.testing.assert_allclose(np.asarray(e.linalg.solve(A, b)), [2.0, 3.0])
    r, t = e.coordinates.cart_to_polar(*e.coordinates.make_xy_grid(8, diameter=2))
    z = e.polynomials.zernike_nm(2, 0, r, t, norm=True)
    rn = np.asarray(r)
    np.testing.assert_allclose(np.asarray(z), math.sqrt(3) * (2 * rn**2 - 1), atol=1e-13)
    k = e.kron(e.eye(2), e.ones((2, 2)))
    np.testing.assert_array_equal(np.asarray(k), np.kron(np.eye(2), np.ones((2, 2))))
    assert e.stats()["numpy_fallback_names"].get("numpy.kron", 0) >= 1
    e2 = mathengine.Engine()
    assert e2 is not e


def test_attributes(e):
    a = e.asarray(np.arange(24.0).reshape(2, 3, 4))
    assert a.shape == (2, 3, 4)
    assert a.dtype == np.float64
    assert a.ndim == 3 and a.size == 24 and len(a) == 2
    assert a.T.shape == (4, 3, 2)
    np.testing.assert_array_equal(np.asarray(a.T), np.arange(24.0).reshape(2, 3, 4).T)
    z = e.asarray(np.array([1 + 2j, 3 - 4j]))
    np.testing.assert_array_equal(np.asarray(z.real), [1.0, 3.0])
    np.testing.assert_array_equal(np.asarray(z.imag), [2.0, -4.0])
    assert z.real.dtype == np.float64
    assert isinstance(a, mathengine.Array)
    assert a.engine is e


def test_conversions(e):
    one = e.asarray(np.array([2.5]))
    assert float(one) == 2.5
    assert int(e.asarray(7)) == 7
    assert complex(e.asarray(1 + 1j)) == 1 + 1j
    assert bool(e.asarray(True)) is True
    with pytest.raises(ValueError):
        bool(e.ones(3))
    with pytest.raises(TypeError):
        len(e.asarray(1.0))
    assert list(e.asarray([1.0, 2.0, 3.0])) == [1.0, 2.0, 3.0]
    rows = list(e.asarray(np.eye(2)))
    assert all(isinstance(r, mathengine.Array) for r in rows)
    np.testing.assert_array_equal(np.asarray(rows[1]), [0.0, 1.0])
    assert e.asarray([1, 2]).tolist() == [1, 2]
    assert [0, 10, 20][e.asarray(1)] == 10  # __index__
    assert repr(e.asarray([1.0, 2.0])) == "Array([1., 2.])"
    assert repr(e.asarray(np.array([1, 2], dtype=np.int32))) == "Array([1, 2], dtype=int32)"
    assert f"{e.asarray(1.5):.2f}" == "1.50"


def test_array_protocol_dtype_and_copy(e):
    a = e.asarray([1.0, 2.0])
    v = a.__array__()
    assert v.dtype == np.float64 and not v.flags.writeable
    c = a.__array__(copy=True)
    assert c.flags.writeable and not np.shares_memory(c, v)
    f = a.__array__(dtype=np.float32)
    assert f.dtype == np.float32
    with pytest.raises(ValueError):
        a.__array__(dtype=np.float32, copy=False)
    w = np.array(a)  # numpy's default copy
    w[0] = 5.0
    assert float(a[0]) == 1.0


def test_methods(e):
    x = np.arange(12.0).reshape(3, 4) - 5
    a = e.asarray(x)
    for name in ["sum", "mean", "max", "min", "std", "var", "any", "all", "prod"]:
        np.testing.assert_allclose(np.asarray(getattr(a, name)()), getattr(x, name)(), err_msg=name)
        np.testing.assert_allclose(np.asarray(getattr(a, name)(axis=1)), getattr(x, name)(axis=1), err_msg=name)
    np.testing.assert_allclose(np.asarray(a.std(axis=0, ddof=1)), x.std(axis=0, ddof=1))
    assert a.astype(np.int32).dtype == np.int32
    np.testing.assert_array_equal(np.asarray(a.reshape(4, 3)), x.reshape(4, 3))
    np.testing.assert_array_equal(np.asarray(a.reshape((2, -1))), x.reshape((2, -1)))
    np.testing.assert_array_equal(np.asarray(a.transpose()), x.transpose())
    np.testing.assert_array_equal(np.asarray(a.transpose(1, 0)), x.transpose(1, 0))
    np.testing.assert_array_equal(np.asarray(a.ravel()), x.ravel())
    np.testing.assert_array_equal(np.asarray(a.conj()), x.conj())
    np.testing.assert_array_equal(np.asarray(a.copy()), x)
    np.testing.assert_array_equal(np.asarray(a[None].squeeze()), x)
    np.testing.assert_array_equal(np.asarray(a.argmax(axis=1)), x.argmax(axis=1))
    assert int(a.argmin()) == x.argmin()
    np.testing.assert_array_equal(np.asarray(a.clip(-1, 2)), x.clip(-1, 2))
    assert a.sum(keepdims=True).shape == (1, 1)


def test_default_engine_is_shared():
    from mathengine import engine

    assert engine is default_engine
