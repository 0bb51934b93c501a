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


def stub_signatures():
    """{class: {function: [(parameter name, kind)]}} from the .pyi, self left out."""
    tree = ast.parse(STUB.read_text())
    out = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        funcs = {}
        for f in node.body:
            if isinstance(f, ast.FunctionDef) and not any(
                    isinstance(d, ast.Name) and d.id == "property" for d in f.decorator_list):
                a = f.args
                params = [(p.arg, "POSITIONAL_ONLY") for p in a.posonlyargs]
                params += [(p.arg, "POSITIONAL_OR_KEYWORD") for p in a.args]
                if a.vararg:
                    params.append((a.vararg.arg, "VAR_POSITIONAL"))
                params += [(p.arg, "KEYWORD_ONLY") for p in a.kwonlyargs]
                if a.kwarg:
                    params.append((a.kwarg.arg, "VAR_KEYWORD"))
                funcs[f.name] = [p for p in params if p[0] != "self"]
        out[node.name] = funcs
    return out


def test_stub_signatures_match_the_implementation():
    stubs = stub_signatures()
    wrong = []
    for cls, name in [(_engine.Engine, "Engine"), (_fft.Fft, "Fft"), (_linalg.Linalg, "Linalg"),
                      (_polynomials.Polynomials, "Polynomials"), (_coordinates.Coordinates, "Coordinates"),
                      (mathengine.Array, "Array")]:
        for fname, stub_params in stubs[name].items():
            f = getattr(cls, fname, None)
            if f is None or not inspect.isfunction(f):
                continue
            params = [(p.name, p.kind.name) for p in inspect.signature(f).parameters.values()
                      if p.name != "self"]
            if params != stub_params:
                wrong.append(f"{name}.{fname}: implementation {params} != stub {stub_params}")
    assert not wrong, "\n".join(wrong)
