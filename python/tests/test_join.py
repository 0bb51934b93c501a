"""stack/concatenate of many operands (joined in host memory past a few operands) equal
numpy's, with the engine's errors and dtype promotion."""

import numpy as np
import pytest

import mathengine as me

E = me.engine


@pytest.mark.parametrize("k", [1, 2, 8, 9, 66])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_many_operands_like_numpy(k, axis):
    rng = np.random.default_rng(k)
    parts = [rng.normal(size=(3, 4)) for _ in range(k)]
    lazy = [E.asarray(p) * 2.0 for p in parts]
    want = [p * 2.0 for p in parts]
    np.testing.assert_array_equal(E.stack(lazy, axis=axis).numpy(), np.stack(want, axis=axis))
    np.testing.assert_array_equal(E.concatenate(lazy, axis=axis).numpy(),
                                  np.concatenate(want, axis=axis))


def test_many_operands_promote_and_refuse_like_few():
    ints = [E.ones(2, dtype="int32")] * 9
    assert E.concatenate(ints + [E.ones(2)]).dtype == np.float64
    assert E.concatenate(ints).dtype == np.int32
    with pytest.raises(ValueError, match="stack"):
        E.stack([E.ones((2, 2))] * 9 + [E.ones(3)])
    with pytest.raises(ValueError):
        E.concatenate([E.ones((2, 2))] * 9 + [E.ones((3, 3))], axis=0)
