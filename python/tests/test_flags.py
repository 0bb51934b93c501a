"""`Array.flags` and `setflags`, the way numpy code (prysm's tests) reads them."""

import numpy as np
import pytest

import mathengine as me

E = me.engine


def test_flags_read_like_numpys_for_a_c_contiguous_owner():
    a = E.ones((3, 4))
    n = np.ones((3, 4))
    for name in ("C_CONTIGUOUS", "F_CONTIGUOUS", "OWNDATA", "WRITEABLE", "ALIGNED",
                 "WRITEBACKIFCOPY", "CONTIGUOUS", "FORTRAN", "FNC", "FORC", "C", "F", "W", "O", "A", "X"):
        assert a.flags[name] == n.flags[name], name
    assert a.flags.owndata and a.flags.c_contiguous and a.flags.writeable
    assert not a.flags.f_contiguous
    assert E.ones(5).flags.f_contiguous == np.ones(5).flags.f_contiguous
    assert E.ones((1, 5)).flags.f_contiguous == np.ones((1, 5)).flags.f_contiguous
    assert "OWNDATA : True" in repr(a.flags)
    for bad in ("NOT_A_FLAG", "c_contiguous"):
        with pytest.raises(KeyError):
            a.flags[bad]
        with pytest.raises(KeyError):
            n.flags[bad]


def test_setflags_write_false_makes_assignment_raise():
    a = E.zeros(4)
    a.setflags(write=False)
    assert not a.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 1.0
    a.flags.writeable = True
    a[0] = 2.0
    np.testing.assert_array_equal(a.numpy(), [2.0, 0.0, 0.0, 0.0])
    with pytest.raises(ValueError):
        a.setflags(uic=True)
