"""The .pyi stubs name every public function of the engine and its namespaces, and the
functions have docstrings (editors complete `e.` and show signatures)."""

import ast
import inspect
import pathlib

import mathengine
from mathengine import _coordinates, _engine, _fft, _linalg, _polynomials

STUB = pathlib.Path(mathengine.__file__).with_name("__init__.pyi")


def stub_classes():
    tree = ast.parse(STUB.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))
                              and hasattr(n, "name")} | {
                n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
    return out


def public_functions(cls):
    return {n for n in dir(cls) if not n.startswith("_") and inspect.isfunction(getattr(cls, n))}


def test_stubs_cover_the_api():
    assert STUB.exists()
    assert STUB.with_name("py.typed").exists()
    classes = stub_classes()
    for cls, name in [(_engine.Engine, "Engine"), (_fft.Fft, "Fft"), (_linalg.Linalg, "Linalg"),
                      (_polynomials.Polynomials, "Polynomials"), (_coordinates.Coordinates, "Coordinates"),
                      (mathengine.Array, "Array")]:
        missing = public_functions(cls) - classes[name]
        assert not missing, f"{name} stub lacks {sorted(missing)}"


def test_docstrings():
    for cls in (_engine.Engine, _fft.Fft, _linalg.Linalg, _polynomials.Polynomials, _coordinates.Coordinates):
        for n in public_functions(cls):
            f = getattr(cls, n)
            if n in ("ravel", "copy", "shape", "ndim", "size"):
                continue
            assert f.__doc__ or cls is _engine.Engine, f"{cls.__name__}.{n} has no docstring"
