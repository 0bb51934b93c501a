"""Random expressions built with mathengine and with numpy give the same values and
dtypes (hypothesis; fixed examples unless MATHENGINE_FRESH_SEED=1)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import mathengine

E = mathengine.Engine()

UNARY = ["sin", "cos", "tanh", "abs", "negative", "square", "arctan", "exp_small", "sqrt_abs", "floor"]
BINARY = ["+", "-", "*", "/", "maximum", "minimum", "hypot", "where_gt"]
SCALARS = st.one_of(st.integers(-3, 3), st.floats(-2.5, 2.5, allow_nan=False, width=32))

expr = st.recursive(
    st.one_of(st.sampled_from(["x", "y", "z"]), SCALARS.map(lambda v: ("c", v))),
    lambda kids: st.one_of(
        st.tuples(st.sampled_from(UNARY), kids),
        st.tuples(st.sampled_from(BINARY), kids, kids),
        st.tuples(st.just("sum"), kids, st.sampled_from([None, -1, 0]), st.booleans()),
    ),
    max_leaves=8,
)


def build(xp, node, env):
    if isinstance(node, str):
        return env[node]
    op = node[0]
    if op == "c":
        return node[1]
    if op == "sum":
        v = build(xp, node[1], env)
        if np.ndim(v) == 0:
            return v
        axis = node[2] if node[2] is None or np.ndim(v) > 0 else None
        return xp.sum(v, axis=axis, keepdims=node[3])
    if op in UNARY:
        v = build(xp, node[1], env)
        if op == "exp_small":
            return xp.exp(xp.tanh(v))
        if op == "sqrt_abs":
            return xp.sqrt(xp.abs(v))
        return getattr(xp, op)(v)
    a, b = build(xp, node[1], env), build(xp, node[2], env)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / (xp.abs(b) + 0.5)
    if op == "where_gt":
        return xp.where(a > b, a, b * 2)
    return getattr(xp, op)(a, b)


shapes = st.sampled_from([((3, 4), (4,), (3, 1)), ((5,), (5,), (1,)), ((2, 3, 2), (3, 2), (2, 1, 1)),
                          ((1,), (4, 1), (4, 3))])


@st.composite
def inputs(draw):
    sx, sy, sz = draw(shapes)
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    el = st.floats(-3, 3, allow_nan=False, width=32)
    return {k: draw(hnp.arrays(dtype, s, elements=el)) for k, s in (("x", sx), ("y", sy), ("z", sz))}


@settings(max_examples=200)
@given(expr, inputs())
def test_random_expressions_match_numpy(tree, env):
    with np.errstate(all="ignore"):
        try:
            want = build(np, tree, env)
        except ValueError:
            # A reduction left shapes numpy cannot broadcast: mathengine refuses them too.
            with pytest.raises(ValueError, match="broadcast"):
                np.asarray(build(E, tree, {k: E.asarray(v) for k, v in env.items()}))
            return
    got = build(E, tree, {k: E.asarray(v) for k, v in env.items()})
    want = np.asarray(want)
    if not isinstance(got, mathengine.Array):
        got = E.asarray(got)
    g = np.asarray(got)
    assert g.shape == want.shape, (tree, g.shape, want.shape)
    assert g.dtype == want.dtype, (tree, g.dtype, want.dtype)
    f32 = env["x"].dtype == np.float32  # float32 steps anywhere: float32 accuracy
    np.testing.assert_allclose(g, want, rtol=2e-4 if f32 else 1e-9, atol=2e-4 if f32 else 1e-9,
                               equal_nan=True, err_msg=str(tree))


ARR = np.arange(2 * 5 * 3, dtype=np.float64).reshape(2, 5, 3)
idx = st.one_of(
    st.integers(-3, 5),
    st.builds(slice, st.one_of(st.none(), st.integers(-7, 7)), st.one_of(st.none(), st.integers(-7, 7)),
              st.one_of(st.none(), st.integers(-3, 3).filter(lambda s: s != 0))),
    st.none(),
    st.just(Ellipsis),
)


@settings(max_examples=300)
@given(st.lists(idx, max_size=4).map(tuple), st.floats(-5, 5, allow_nan=False))
def test_random_basic_indexing_matches_numpy(key, value):
    try:
        want = ARR[key]
    except IndexError:
        try:
            E.asarray(ARR)[key]
        except IndexError:
            return
        raise AssertionError(f"numpy raises IndexError for {key!r}, mathengine does not")
    got = E.asarray(ARR)[key]
    assert got.shape == want.shape, key
    np.testing.assert_array_equal(np.asarray(got), want)
    # and the same key assigned
    w = ARR.copy()
    w[key] = value
    a = E.asarray(ARR)
    a[key] = value
    np.testing.assert_array_equal(np.asarray(a), w)
