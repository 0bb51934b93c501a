"""Run prysm on mathengine: `use_mathengine()` points prysm's backend shims at the engine.

prysm swaps its array library at run time through `prysm.mathops`: `mathops.np`,
`mathops.fft`, `mathops.ndimage`, ... are `BackendShim` objects whose `_srcmodule` is
the module in use (numpy and scipy by default, cupy after `set_backend_to_cupy()`).
`use_mathengine()` sets

- `mathops.np` to the engine (numpy's names; names it lacks fall back to numpy),
- `mathops.fft` (scipy.fft's names and signatures) to a view of the engine's `fft`
  namespace; scipy.fft's performance hints (`workers`, `overwrite_x`, `plan`) are
  accepted and ignored, names the engine lacks fall back to scipy.fft,
- `mathops.linalg` where prysm has one (prysm master: scipy.linalg) to a view of the
  engine's `linalg` namespace, falling back to scipy.linalg,

and leaves `ndimage`, `special`, `interpolate`, `optimize` and `signal` on scipy (they
read mathengine arrays through `__array__`). Every fallback is counted in
`engine.stats()`. `restore()` puts back what was there before; `use_mathengine()` also
works as a context manager:

    import prysm, mathengine.prysm as mp
    with mp.use_mathengine():
        ...                      # prysm computes on mathengine (lazy, fused, compiled)

Loaded as a pytest plugin (`pytest -p mathengine.prysm`), the module switches prysm to
mathengine for the whole session, so prysm's own test suite runs on the engine.
"""

import importlib
import inspect

_SHIMS = ("np", "fft", "linalg")
# scipy.fft arguments that only tune performance; mathengine plans its own FFTs.
_FFT_HINTS = ("workers", "overwrite_x", "plan")
# scipy.fft functions on integers only (no arrays): called directly, not counted as
# fallbacks.
_FFT_PURE = ("next_fast_len", "prev_fast_len")

# The switches in force, innermost last: (engine, {shim name: previous _srcmodule}).
_stack = []


def _mathops():
    try:
        return importlib.import_module("prysm.mathops")
    except ImportError as exc:
        raise ImportError(
            "mathengine.prysm needs prysm (pip install prysm); it was not importable"
        ) from exc


class _ScipyView:
    """A mathengine namespace (`engine.fft`, `engine.linalg`) seen through a scipy
    module's names: a name the namespace implements runs on the engine when its keyword
    arguments are ones the engine takes (scipy's performance hints dropped); any other
    name or keyword falls back to the scipy function on evaluated inputs, counted."""

    def __init__(self, eng, namespace, scipy_module, hints=(), pure=()):
        self._eng = eng
        self._ns = namespace
        self._scipy = scipy_module
        self._hints = frozenset(hints)
        self._pure = frozenset(pure)

    def __repr__(self):
        return f"<mathengine view of {self._scipy.__name__} on {self._eng!r}>"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        # Looked up once per name (the callables count fallbacks and check `strict` at
        # call time, so keeping them is safe).
        value = self._lookup(name)
        self.__dict__[name] = value
        return value

    def _lookup(self, name):
        if name in self._pure:
            return getattr(self._scipy, name)
        own = getattr(type(self._ns), name, None)
        if isinstance(own, type):
            return own  # exception classes (LinAlgError)
        has_scipy = hasattr(self._scipy, name)
        if own is None or name.startswith("_") or not callable(own):
            if has_scipy:
                target = getattr(self._scipy, name)
                if isinstance(target, type) or not callable(target):
                    return target  # exception classes, constants
                return self._eng._fallback(target, f"{self._scipy.__name__}.{name}")
            return getattr(self._ns, name)  # the namespace's numpy fallback or its error
        own_bound = getattr(self._ns, name)
        try:
            accepted = set(inspect.signature(own_bound).parameters)
        except (TypeError, ValueError):
            return own_bound
        scipy_func = getattr(self._scipy, name) if has_scipy else None
        hints = self._hints

        def call(*args, **kwargs):
            for h in hints:
                kwargs.pop(h, None)
            if scipy_func is not None and not set(kwargs) <= accepted:
                return self._eng._fallback(scipy_func, f"{self._scipy.__name__}.{name}")(
                    *args, **kwargs)
            return own_bound(*args, **kwargs)

        call.__name__ = name
        call.__doc__ = getattr(own_bound, "__doc__", None)
        return call

    def __dir__(self):
        return sorted(set(dir(self._scipy)) | set(dir(self._ns)))


class _Switch:
    """What `use_mathengine` returns: the engine in use; as a context manager, leaving
    the block restores what was there before the call."""

    def __init__(self, eng):
        self.engine = eng

    def __enter__(self):
        return self.engine

    def __exit__(self, *exc):
        restore()
        return False

    def __repr__(self):
        return f"<prysm on {self.engine!r}>"


def use_mathengine(engine=None):
    """Point prysm's backend shims (`prysm.mathops.np`, `.fft`, and `.linalg` where
    prysm has it) at `engine` (default: `mathengine.engine`). Returns an object that
    restores the previous backends when used as a context manager; `restore()` does the
    same otherwise. Calls nest."""
    import scipy.fft
    import scipy.linalg

    import mathengine

    mo = _mathops()
    eng = mathengine.engine if engine is None else engine
    targets = {
        "np": eng,
        "fft": _ScipyView(eng, eng.fft, scipy.fft, hints=_FFT_HINTS, pure=_FFT_PURE),
        "linalg": _ScipyView(eng, eng.linalg, scipy.linalg),
    }
    saved = {}
    for name in _SHIMS:
        shim = getattr(mo, name, None)
        if shim is not None and hasattr(shim, "_srcmodule"):
            saved[name] = shim._srcmodule
            shim._srcmodule = targets[name]
    _stack.append((eng, saved))
    return _Switch(eng)


def restore():
    """Undo the innermost `use_mathengine()`: prysm's shims get back the modules they
    had before it (numpy/scipy unless something else was set). A no-op when prysm is not
    on mathengine."""
    if not _stack:
        return
    _, saved = _stack.pop()
    mo = _mathops()
    for name, src in saved.items():
        getattr(mo, name)._srcmodule = src


def active_engine():
    """The engine prysm runs on, or None when it is not on mathengine."""
    return _stack[-1][0] if _stack else None


# ---- pytest plugin: `pytest -p mathengine.prysm` runs a session with prysm on mathengine


def pytest_configure(config):
    use_mathengine()


def pytest_unconfigure(config):
    restore()
