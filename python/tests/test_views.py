"""Basic indexing gives views, as in numpy: writes through them reach the parent, and
they read the parent's later writes (python/mathengine/_array.py `_View`). Every case is
run on numpy too and must agree."""

import copy

import numpy as np
import pytest

import mathengine as me

E = me.engine


def both(fn):
    """Run `fn(xp, make)` with numpy and with mathengine; compare the returned arrays."""
    got = fn(E, lambda a: E.asarray(np.array(a, dtype=float)))
    want = fn(np, lambda a: np.array(a, dtype=float))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(np.asarray(g), w)


def test_write_through_a_row_view_reaches_the_parent():
    def f(xp, make):
        a = make(np.zeros((3, 4)))
        a[1][2] = 5.0
        row = a[2]
        row[:] = 7.0
        row[0] = -1.0
        return [a, row]
    both(f)


def test_a_view_reads_its_parents_later_writes():
    def f(xp, make):
        a = make(np.arange(12.0).reshape(3, 4))
        v = a[1:, ::2]
        a[2, 2] = 100.0
        before = v * 1.0
        v[0, 0] = -5.0  # the view was stale: the parent's 100 must survive this write
        return [a, v, before]
    both(f)


def test_views_of_views_and_in_place_operators():
    def f(xp, make):
        a = make(np.zeros((2, 3, 4)))
        b = a[1]
        c = b[:, 1:3]
        c += 2.0
        c[0] *= 3.0
        b[2] -= 1.0
        return [a, b, c]
    both(f)


def test_prysm_style_fill_by_side_effect():
    """prysm's jacobi_sum_clenshaw_der fills alphas[0] in a callee and reads it back."""
    def fill(alphas, x):
        alphas[2] = x
        alphas[1] = 2.0 * x + alphas[2]
        alphas[0] = alphas[1] - alphas[2] * 0.5
        return alphas[0]

    def f(xp, make):
        x = make(np.linspace(-1, 1, 5))
        alphas = make(np.zeros((2, 3, 5)))
        first = fill(alphas[0], x)
        alphas[1][0] = alphas[0][1] * 3.0
        return [alphas, first]
    both(f)


def test_results_of_advanced_indexing_and_scalars_are_not_views():
    a = E.asarray(np.arange(6.0))
    sel = a[np.array([0, 2])]
    sel[0] = 99.0
    assert float(a[0]) == 0.0
    assert type(a[3]) is me.Array  # a 0-d value, as numpy gives a scalar


def test_copies_are_independent_and_read_only_parents_refuse_view_writes():
    a = E.zeros((2, 2))
    b = copy.copy(a)
    b[0, 0] = 1.0
    assert float(a[0, 0]) == 0.0
    d = copy.deepcopy(a)
    d[1, 1] = 2.0
    assert float(a[1, 1]) == 0.0
    a.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        a[0][1] = 3.0
    np.testing.assert_array_equal(a.numpy(), np.zeros((2, 2)))


def test_a_recurrence_written_item_by_item_through_views_stays_linear():
    """A Clenshaw-style loop (each write reads the two previous writes at other indices)
    recomputed lazily would cost exponentially many evaluations; it must stay instant."""
    def f(xp, make):
        m = 24
        x = make(np.linspace(-1, 1, 16))
        alphas = make(np.zeros((2, m, 16)))
        a0 = alphas[0]
        a0[m - 1] = x
        a0[m - 2] = 1.0 + x * a0[m - 1]
        for n in range(m - 3, -1, -1):
            a0[n] = 1.0 + x * a0[n + 1] - 0.5 * a0[n + 2]
        for n in range(m - 2, -1, -1):
            alphas[1][n] = 2.0 * alphas[0][n + 1] + x * alphas[1][n + 1]
        return [alphas]
    both(f)
