"""Backends switched mid-program, the numpy-module backend, fallback, strict mode,
errors by exception type, and threads."""

import threading

import numpy as np
import pytest

import mathengine
from mathengine import BackendUnavailableError, StrictModeError


def test_switch_mid_program(e):
    x = e.linspace(-1, 1, 100)
    y = e.sin(x) * 3 + 1  # built on cpu, not yet evaluated
    e.change_backend("reference")
    assert e.backend == "reference"
    z = e.cos(x) ** 2  # built and evaluated on reference
    ref_y = np.asarray(y)  # the graph built before the switch evaluates (on reference now)
    e.change_backend("cpu")
    w = np.asarray(z + y)
    xn = np.linspace(-1, 1, 100)
    np.testing.assert_allclose(ref_y, np.sin(xn) * 3 + 1, rtol=1e-12)
    np.testing.assert_allclose(w, np.cos(xn) ** 2 + np.sin(xn) * 3 + 1, rtol=1e-12)


def test_backends_agree(e):
    x = e.asarray(np.random.default_rng(0).standard_normal((16, 16)))
    f = lambda: np.asarray(e.fft.fft2(e.exp(-x * x) * e.cos(x)).real.sum(axis=0))  # noqa: E731
    cpu = f()
    e.change_backend("reference")
    ref = f()
    e.change_backend("cpu")
    np.testing.assert_allclose(cpu, ref, rtol=1e-10, atol=1e-10)


def test_unavailable_backend(e):
    if "cuda" in e.available_backends():
        pytest.skip("this machine has CUDA")
    with pytest.raises(BackendUnavailableError) as info:
        e.change_backend("cuda")
    assert isinstance(info.value, RuntimeError)
    assert "cpu" in str(info.value) and "reference" in str(info.value)
    with pytest.raises(BackendUnavailableError, match="available"):
        e.change_backend("tpu")
    assert e.backend == "cpu"


def test_numpy_module_backend(e):
    a = e.linspace(0, 1, 5)  # a mathengine array made before the switch
    e.change_backend(np)
    try:
        assert e.backend == "numpy"
        y = e.sin(np.arange(3.0))
        assert type(y) is np.ndarray  # forwarded eagerly, numpy's own result
        np.testing.assert_array_equal(y, np.sin(np.arange(3.0)))
        z = e.fft.fft(a)  # mathengine arrays are converted
        assert type(z) is np.ndarray
        np.testing.assert_allclose(z, np.fft.fft(np.linspace(0, 1, 5)))
        assert type(e.linalg.inv(np.eye(2))) is np.ndarray
        assert e.pi == np.pi
        assert e.polynomials is not None  # mathengine's own namespaces stay
        assert float(a.sum()) == pytest.approx(2.5)  # old arrays still evaluate
    finally:
        e.change_backend("cpu")
    assert isinstance(e.sin(np.arange(3.0)), mathengine.Array)


def test_fallback_counted_and_strict(e):
    a = e.asarray(np.eye(2))
    k = e.kron(a, a)
    assert isinstance(k, mathengine.Array)
    np.testing.assert_array_equal(np.asarray(k), np.kron(np.eye(2), np.eye(2)))
    s = e.stats()
    assert s["numpy_fallbacks"] == 1 and s["numpy_fallback_names"] == {"numpy.kron": 1}
    p = e.linalg.pinv(a)  # a namespace's fallback
    np.testing.assert_allclose(np.asarray(p), np.eye(2))
    assert e.stats()["numpy_fallback_names"]["numpy.linalg.pinv"] == 1
    e.strict = True
    with pytest.raises(StrictModeError, match="kron"):
        e.kron(a, a)
    with pytest.raises(StrictModeError):
        np.cumsum(a)
    e.strict = False
    with pytest.raises(AttributeError):
        e.no_such_function_anywhere
    assert e.float32 is np.float32 and e.newaxis is None


def test_errors_by_type(e):
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)|\(4,\).*\(3,\)"):
        e.ones(3) + e.ones(4)
    with pytest.raises(ValueError):
        e.reshape(e.ones(6), (4, 2))
    with pytest.raises(ValueError):
        e.sum(e.ones((2, 2)), axis=3)
    with pytest.raises(TypeError):
        e.remainder(e.asarray(np.array([1j])), e.asarray(np.array([1j])))
    with pytest.raises(TypeError):
        e.zeros(3, dtype=np.float16 if False else "U3")
    with pytest.raises(ValueError):
        e.linalg.solve(e.ones((2, 3)), e.ones(2))
    with pytest.raises(ValueError):
        e.fft.fft(e.ones(4), norm="sideways")


def test_memory_error(e):
    with pytest.raises(MemoryError):
        np.asarray(e.zeros((1 << 40,)) + 1.0)  # 8 TiB


def test_threads_evaluate_at_once(e):
    errors, results = [], {}
    barrier = threading.Barrier(2)

    def work(k):
        try:
            barrier.wait()
            for i in range(5):
                x = e.linspace(0, k + 1, 200_000)
                y = e.sum(e.sin(x) ** 2 + e.cos(x * (i + 1)))
                results[(k, i)] = float(y)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    ts = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    for (k, i), v in results.items():
        x = np.linspace(0, k + 1, 200_000)
        assert v == pytest.approx(np.sum(np.sin(x) ** 2 + np.cos(x * (i + 1))), rel=1e-9)


def test_gil_released_during_eval(e):
    # While one thread evaluates a large graph, another thread's Python code runs.
    x = e.linspace(0, 1, 4_000_000)
    y = e.sum(e.sin(x) * e.exp(x) + e.sqrt(x))
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.0005)

    t = threading.Thread(target=ticker)
    t.start()
    y.eval()
    done.set()
    t.join()
    assert len(ticks) >= 1


def test_cuda_when_available(e):
    if "cuda" not in e.available_backends():
        pytest.skip("no CUDA driver and device on this machine")
    x = e.linspace(-1, 1, 4096)
    cpu = np.asarray(e.sin(x) * e.exp(-x * x))
    e.change_backend("cuda")
    try:
        gpu = np.asarray(e.sin(x) * e.exp(-x * x))
        f = np.asarray(e.fft.fft(e.asarray(np.arange(8.0))))
    finally:
        e.change_backend("cpu")
    np.testing.assert_allclose(gpu, cpu, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(f, np.fft.fft(np.arange(8.0)), atol=1e-12)


def test_change_backend_type_error(e):
    with pytest.raises(TypeError):
        e.change_backend(42)


def test_complex_inputs_to_real_only_kernels_fall_back_to_numpy(e):
    """arcsin, tan, log1p, ordering comparisons... exist in the engine for real inputs
    only: complex ones get numpy's values, counted, and an error in strict mode."""
    z = np.array([0.5 + 0.25j, -2.0 + 1e-3j, 3j, np.inf + 0j])
    a = e.asarray(z)
    e.reset_stats()
    with np.errstate(all="ignore"):
        for name in ("arcsin", "arccos", "arctan", "tan", "tanh", "sinh", "cosh", "log1p",
                     "log2", "log10", "expm1"):
            np.testing.assert_array_equal(getattr(e, name)(a).numpy(), getattr(np, name)(z), err_msg=name)
    np.testing.assert_array_equal((a > e.asarray(z[::-1])).numpy(), z > z[::-1])
    names = e.stats()["numpy_fallback_names"]
    assert names.get("numpy.arcsin(complex)") == 1 and names.get("numpy.greater(complex)") == 1
    e.strict = True
    try:
        with pytest.raises(mathengine.StrictModeError):
            e.arcsin(a)
    finally:
        e.strict = False
