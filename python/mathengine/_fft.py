"""`e.fft`: numpy.fft's names and signatures, lazy (FFTs run as library steps)."""

import operator

import numpy as np

from ._array import Array
from ._engine import _Namespace, _axes, _axis_int, _default_docs, _extent


def _points(n):
    """An FFT length: numpy's ValueError for one below 1."""
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _s(s):
    if s is None:
        return None
    return [_points(v) for v in ((s,) if isinstance(s, (int, np.integer)) else s)]


def _make1(name):
    def f(self, a, n=None, axis=-1, norm=None, out=None):
        if out is not None:
            return self.__getattr__(name)(a, n, axis, norm, out)  # numpy handles out=
        e = self._eng
        x = e._arr(a)
        return Array._new(e._core.fft1(name, x._n, None if n is None else _points(n), _axis_int(axis), norm), e)

    f.__name__ = name
    f.__doc__ = f"numpy.fft.{name}(a, n=None, axis=-1, norm=None), lazy."
    return f


def _maken(name, default_axes):
    def f(self, a, s=None, axes=default_axes, norm=None, out=None):
        if out is not None:
            return self.__getattr__(name)(a, s, axes, norm, out)
        e = self._eng
        x = e._arr(a)
        return Array._new(e._core.fftn(name, x._n, _s(s), _axes(axes), norm), e)

    f.__name__ = name
    f.__doc__ = f"numpy.fft.{name}(a, s=None, axes={default_axes}, norm=None), lazy."
    return f


class Fft(_Namespace):
    """numpy.fft on mathengine: fft, ifft, rfft, irfft, fft2, ifft2, rfft2, irfft2, fftn,
    ifftn, rfftn, irfftn, fftfreq, rfftfreq, fftshift, ifftshift. Others fall back to
    numpy.fft."""

    _numpy_module = np.fft

    fft = _make1("fft")
    ifft = _make1("ifft")
    rfft = _make1("rfft")
    irfft = _make1("irfft")
    fft2 = _maken("fft2", (-2, -1))
    ifft2 = _maken("ifft2", (-2, -1))
    rfft2 = _maken("rfft2", (-2, -1))
    irfft2 = _maken("irfft2", (-2, -1))
    fftn = _maken("fftn", None)
    ifftn = _maken("ifftn", None)
    rfftn = _maken("rfftn", None)
    irfftn = _maken("irfftn", None)

    def fftfreq(self, n, d=1.0, *, dtype=None, device=None):
        return self._freq(n, d, False, dtype, device)

    def rfftfreq(self, n, d=1.0, *, dtype=None, device=None):
        return self._freq(n, d, True, dtype, device)

    def _freq(self, n, d, real, dtype, device):
        e = self._eng
        if device not in (None, "cpu"):
            raise ValueError(f"fftfreq: unknown device {device!r}; mathengine arrays are on 'cpu'")
        f = Array._new(e._core.fftfreq(_extent(n, "lengths"), float(d), real), e)
        return f if dtype is None else e.astype(f, dtype)

    def fftshift(self, x, axes=None):
        e = self._eng
        return Array._new(e._core.fftshift(e._arr(x)._n, _axes(axes), False), e)

    def ifftshift(self, x, axes=None):
        e = self._eng
        return Array._new(e._core.fftshift(e._arr(x)._n, _axes(axes), True), e)


_default_docs(Fft, "numpy.fft")
