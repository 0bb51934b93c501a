"""mathengine: lazy, fused, JIT-compiled array math with numpy's interface.

    from mathengine import engine as e
    x = e.linspace(-1, 1, 1024)
    y = e.sin(x) ** 2 + e.cos(x) * e.exp(-x * x)   # lazy
    y.eval()                                          # or np.asarray(y), float(y[0]), print(y)
    e.change_backend('reference')                     # 'cpu' (default), 'reference', 'cuda'
    e.change_backend(numpy)                           # forward every call to numpy, eagerly

See docs/python.md for laziness, zero-copy data exchange, fallback and strict mode.
"""

from ._array import Array
from ._engine import (BackendError, BackendUnavailableError, CompileError, Engine,
                      StrictModeError)
from ._mathengine import __version__

# The native exception classes print as mathengine.<Name> in tracebacks.
for _cls in (BackendError, BackendUnavailableError, CompileError):
    _cls.__module__ = "mathengine"
del _cls

#: The process-wide default engine.
engine = Engine()

__all__ = ["Array", "Engine", "engine", "BackendError", "BackendUnavailableError",
           "CompileError", "StrictModeError", "__version__"]
