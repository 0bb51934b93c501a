"""prysm on mathengine (`mathengine.prysm.use_mathengine`): prysm's documented workflows
give numpy's values, and `restore()` really puts numpy back.

Each workflow runs twice in one process, once with prysm on numpy (the reference) and
once on a fresh engine; the results are compared relative to the reference's largest
magnitude. Tolerances: 1e-12 where both sides do the same float64 arithmetic in another
order (elementwise chains, FFTs: a few ulps); 1e-10 where the algorithm differs
(matmul/tensordot and least squares accumulate in another order than BLAS/LAPACK).
"""

import numpy as np
import pytest

prysm = pytest.importorskip("prysm", reason="prysm is not installed (pip install prysm==0.21.1)")
pytest.importorskip("scipy", reason="prysm needs scipy")

import mathengine  # noqa: E402
import mathengine.prysm as mp  # noqa: E402
from prysm import coordinates, geometry, mathops, otf, polynomials, propagation  # noqa: E402

N = 128
NMS = [polynomials.noll_to_nm(j) for j in range(1, 37)]
COEFS = np.random.default_rng(7).normal(size=len(NMS)) * 0.1


@pytest.fixture(autouse=True)
def _restored():
    """Every test leaves prysm on numpy, whatever happens inside it."""
    yield
    while mp.active_engine() is not None:
        mp.restore()
    assert mathops.np._srcmodule is np


def both(workflow):
    """`workflow()` with prysm on numpy, then on a fresh mathengine engine; numpy arrays
    of both, and the engine."""
    ref = workflow()
    eng = mathengine.Engine()
    with mp.use_mathengine(eng):
        got = workflow()
        got = [np.asarray(g) for g in got]
    return [np.asarray(r) for r in ref], got, eng


def assert_close(ref, got, rtol):
    assert len(ref) == len(got)
    for r, g in zip(ref, got):
        assert r.shape == g.shape
        r, g = r.astype(complex if np.iscomplexobj(r) else float), g.astype(r.dtype if r.dtype != bool else float)
        # NaN where numpy has NaN (prysm 0.21.1's Q2d gives some on numpy 2), nowhere else
        np.testing.assert_array_equal(np.isnan(g), np.isnan(r))
        r, g = r[~np.isnan(r)], g[~np.isnan(r)]
        scale = max(np.max(np.abs(r)), 1e-300) if r.size else 1.0
        err = np.max(np.abs(r - g)) / scale if r.size else 0.0
        assert err <= rtol, f"relative error {err:.3g} > {rtol:g}"


def grid(n=N):
    x, y = coordinates.make_xy_grid(n, diameter=2)
    r, t = coordinates.cart_to_polar(x, y)
    return x, y, r, t


def test_the_shims_point_at_the_engine_and_back():
    eng = mathengine.Engine()
    before = {name: getattr(mathops, name)._srcmodule for name in ("np", "fft")}
    switch = mp.use_mathengine(eng)
    assert mathops.np._srcmodule is eng
    assert mp.active_engine() is eng
    x = mathops.np.linspace(0, 1, 5)
    assert isinstance(x, mathengine.Array)
    assert isinstance(mathops.fft.fft2(mathops.np.ones((4, 4))), mathengine.Array)
    mp.restore()
    assert {name: getattr(mathops, name)._srcmodule for name in ("np", "fft")} == before
    assert mathops.np._srcmodule is np
    assert type(mathops.np.linspace(0, 1, 5)) is np.ndarray
    assert type(coordinates.make_xy_grid(8, diameter=2)[0]) is np.ndarray
    assert repr(switch).startswith("<prysm on")


def test_context_manager_and_nesting_restore_in_order():
    e1, e2 = mathengine.Engine(), mathengine.Engine()
    with mp.use_mathengine(e1) as got:
        assert got is e1 and mathops.np._srcmodule is e1
        with mp.use_mathengine(e2):
            assert mathops.np._srcmodule is e2
        assert mathops.np._srcmodule is e1
    assert mathops.np._srcmodule is np
    mp.restore()  # nothing to undo: a no-op
    assert mathops.np._srcmodule is np


def test_restore_after_an_error_inside_the_block():
    with pytest.raises(ZeroDivisionError):
        with mp.use_mathengine(mathengine.Engine()):
            1 / 0
    assert mathops.np._srcmodule is np


def test_default_engine_is_the_process_engine():
    with mp.use_mathengine() as eng:
        assert eng is mathengine.engine


def test_grid_and_polar_coordinates():
    ref, got, _ = both(lambda: grid())
    assert_close(ref, got, 1e-12)


def test_zernike_nm_and_sequence():
    def wf():
        _, _, r, t = grid()
        single = [polynomials.zernike_nm(n, m, r, t, norm=True) for n, m in NMS[:10]]
        seq = list(polynomials.zernike_nm_sequence(NMS, r, t, norm=True))
        return single + seq

    ref, got, eng = both(wf)
    assert_close(ref, got, 1e-12)
    assert eng.stats()["numpy_fallbacks"] == 0  # all of it ran on the engine


def test_sum_of_2d_modes():
    def wf():
        _, _, r, t = grid()
        modes = list(polynomials.zernike_nm_sequence(NMS, r, t))
        return [polynomials.sum_of_2d_modes(modes, COEFS)]

    ref, got, eng = both(wf)
    assert_close(ref, got, 1e-10)  # one matmul: another accumulation order than BLAS
    assert eng.stats()["numpy_fallbacks"] == 0


def test_circle_pupil():
    ref, got, _ = both(lambda: [geometry.circle(1, grid()[2]), geometry.circle(0.5, grid()[2])])
    assert_close(ref, got, 0)


def test_psf_by_focus_and_mtf():
    def wf():
        x, _, r, t = grid()
        phs = polynomials.sum_of_2d_modes(list(polynomials.zernike_nm_sequence(NMS, r, t)), COEFS * 50)
        amp = geometry.circle(1, r)
        w = propagation.Wavefront.from_amp_and_phase(amp, phs, 0.55, float(x[0, 1] - x[0, 0]))
        foc = w.focus(50, Q=2)
        psf = foc.intensity
        mtf = otf.mtf_from_psf(psf)
        return [foc.data, psf.data, mtf.data]

    ref, got, eng = both(wf)
    assert_close(ref, got, 1e-10)
    assert eng.stats()["numpy_fallbacks"] == 0


def test_lstsq_fit_recovers_the_coefficients():
    def wf():
        _, _, r, t = grid(64)
        modes = list(polynomials.zernike_nm_sequence(NMS[:15], r, t))
        data = polynomials.sum_of_2d_modes(modes, COEFS[:15])
        return [polynomials.lstsq(modes, data)]

    ref, got, _ = both(wf)
    assert_close(ref, got, 1e-10)
    np.testing.assert_allclose(got[0], COEFS[:15], atol=1e-9)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's own 1/0 in prysm's Q2d
def test_q_polynomials():
    def wf():
        _, _, r, t = grid(64)
        rn = r / 1.0
        out = list(polynomials.Qbfs_sequence(range(6), rn)) + list(polynomials.Qcon_sequence(range(6), rn))
        out += [polynomials.Q2d(n, m, r, t) for n, m in [(1, 1), (2, 0), (2, -2), (3, 1)]]
        return out

    ref, got, _ = both(wf)
    assert_close(ref, got, 1e-12)


def test_scipy_fft_hints_are_accepted_and_missing_names_fall_back_to_scipy(rng):
    eng = mathengine.Engine()
    a = rng.normal(size=(16, 16))
    with mp.use_mathengine(eng):
        f = mathops.fft.fft2(a, workers=2, overwrite_x=False)
        assert isinstance(f, mathengine.Array)
        np.testing.assert_allclose(np.asarray(f), np.fft.fft2(a), rtol=1e-12, atol=1e-12)
        assert mathops.fft.next_fast_len(1000) == 1000  # integers only: scipy's, no fallback
        d = mathops.fft.dct(a)  # mathengine has no dct: scipy.fft's, counted
        import scipy.fft
        np.testing.assert_allclose(np.asarray(d), scipy.fft.dct(a))
    assert eng.stats()["numpy_fallback_names"] == {"scipy.fft.dct": 1}


def test_tensordot_matches_numpy(rng):
    e = mathengine.Engine()
    for sa, sb, axes in [((5, 4, 3), (5,), (0, 0)), ((5, 4, 3), (4, 3), 2), ((3, 4), (4, 5), 1),
                         ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])), ((6,), (6,), 1),
                         ((3, 4, 5), (5, 4), ([2, 1], [0, 1])), ((4,), (4, 3), (0, 0))]:
        a, b = rng.normal(size=sa), rng.normal(size=sb)
        np.testing.assert_allclose(np.asarray(e.tensordot(a, b, axes)), np.tensordot(a, b, axes),
                                   rtol=1e-12, atol=1e-12)
    ints, bools = np.arange(6).reshape(2, 3), np.arange(6).reshape(2, 3) > 2
    for x in (ints, bools, ints.astype(np.float32)):
        got, want = e.tensordot(x, x.T, 1), np.tensordot(x, x.T, 1)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(np.asarray(got), want)
    with pytest.raises(ValueError, match="tensordot"):
        e.tensordot(np.ones((2, 3)), np.ones((4,)), (1, 0))


def test_asarray_of_a_list_of_arrays_and_divmod():
    e = mathengine.Engine()
    parts = [e.linspace(0, 1, 4) * k for k in range(3)]
    st = e.asarray(parts)
    np.testing.assert_array_equal(np.asarray(st), np.stack([np.linspace(0, 1, 4) * k for k in range(3)]))
    q, r = divmod(e.asarray(np.array([7, -8])), 3)
    np.testing.assert_array_equal(np.asarray(q), [2, -3])
    np.testing.assert_array_equal(np.asarray(r), [1, 1])


def test_strict_mode_refuses_the_scipy_fallback():
    eng = mathengine.Engine()
    eng.strict = True
    with mp.use_mathengine(eng):
        with pytest.raises(mathengine.StrictModeError, match="scipy.fft.dct"):
            mathops.fft.dct(np.ones(8))
        mathops.fft.fft(np.ones(8))  # the engine's own: allowed


def test_linalg_shim_of_prysm_master(monkeypatch):
    """prysm master adds `mathops.linalg` on scipy.linalg: solve runs on the engine,
    scipy-only names (lu_factor) fall back to scipy, restore() puts scipy back."""
    import scipy.linalg
    monkeypatch.setattr(mathops, "linalg", mathops.BackendShim(scipy.linalg), raising=False)
    eng = mathengine.Engine()
    a = np.array([[4.0, 1.0], [1.0, 3.0]])
    with mp.use_mathengine(eng):
        x = mathops.linalg.solve(a, np.array([1.0, 2.0]))
        assert isinstance(x, mathengine.Array)
        np.testing.assert_allclose(np.asarray(x), np.linalg.solve(a, [1.0, 2.0]), rtol=1e-14)
        lu, piv = mathops.linalg.lu_factor(a)
        np.testing.assert_allclose(np.asarray(lu), scipy.linalg.lu_factor(a)[0])
        assert mathops.linalg.LinAlgError is np.linalg.LinAlgError
    assert mathops.linalg._srcmodule is scipy.linalg
    assert eng.stats()["numpy_fallback_names"] == {"scipy.linalg.lu_factor": 1}
