"""Empty matrices in `e.linalg` give numpy's results (docs/numpy-differences.md)."""

import numpy as np
import pytest

import mathengine as me

E = me.engine


@pytest.mark.parametrize("shape", [(0, 0), (0, 3, 3), (2, 0, 0)])
@pytest.mark.parametrize("name", ["inv", "det", "cholesky", "eigvalsh", "svdvals"])
def test_empty_matrices_like_numpy(name, shape):
    want = getattr(np.linalg, name)(np.zeros(shape))
    got = getattr(E.linalg, name)(E.zeros(shape))
    assert np.asarray(got).shape == want.shape
    np.testing.assert_array_equal(np.asarray(got), want)


def test_empty_solve_and_decompositions():
    np.testing.assert_array_equal(
        np.asarray(E.linalg.solve(E.zeros((0, 0)), E.zeros((0, 2)))), np.zeros((0, 2)))
    for got, want in zip(E.linalg.eigh(E.zeros((0, 0))), np.linalg.eigh(np.zeros((0, 0)))):
        assert np.asarray(got).shape == want.shape
    E.strict = True
    try:
        with pytest.raises(me.StrictModeError):
            E.linalg.inv(E.zeros((0, 0)))
    finally:
        E.strict = False
