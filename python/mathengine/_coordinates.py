"""`e.coordinates`: prysm's grid and coordinate functions (lazy generators)."""

import numpy as np

from ._array import Array
from ._engine import _Namespace, _default_docs, _extent


class Coordinates(_Namespace):
    """prysm.coordinates on mathengine: make_xy_grid, cart_to_polar, polar_to_cart,
    fftrange, and prysm.geometry's circle."""

    def make_xy_grid(self, shape, *, dx=0, diameter=0, grid=True):
        """x, y coordinates of a `shape` grid (int or (ny, nx)) centred on the origin,
        with sample spacing `dx` or spanning `diameter` (prysm's make_xy_grid)."""
        e = self._eng
        if isinstance(shape, (int, np.integer)):
            ny = nx = _extent(shape, "grid sizes")
        else:
            ny, nx = (_extent(v, "grid sizes") for v in shape)
        x, y = e._core.make_xy_grid(ny, nx, float(dx) if dx else None,
                                    float(diameter) if diameter else None)
        x, y = Array._new(x, e), Array._new(y, e)
        if not grid:
            return x[0, :], y[:, 0]
        return x, y

    def cart_to_polar(self, x, y):
        """(r, t): radius and azimuth of Cartesian x, y."""
        e = self._eng
        X, Y = e.broadcast_arrays(x, y)
        r, t = e._core.cart_to_polar(X._n, Y._n)
        return Array._new(r, e), Array._new(t, e)

    def polar_to_cart(self, r, t):
        e = self._eng
        R, T = e.broadcast_arrays(r, t)
        x, y = e._core.polar_to_cart(R._n, T._n)
        return Array._new(x, e), Array._new(y, e)

    def fftrange(self, n, dx=1):
        """FFT-centred coordinates: (arange(n) - n//2) * dx."""
        e = self._eng
        return Array._new(e._core.fftrange(_extent(n, "lengths"), float(dx)), e)

    def circle(self, radius, r):
        """A boolean mask, r <= radius (prysm.geometry.circle)."""
        e = self._eng
        return e._arr(r) <= radius


_default_docs(Coordinates, "prysm.coordinates")
