"""Before every test cell, in the grading kernel: are the tests' tools still nnref's own?

A student's code shares the kernel with the tests, so it can replace what the tests rely on:
``check_close = lambda *a, **k: None`` in a solution cell, or ``nnref.layers.affine_forward =
my_affine`` so that a hidden test compares an answer with itself. ``check`` looks at

1. the names the test cell uses that the source notebook imported from nnref: each must still
   be the object nnref holds under that name;
2. every function and method defined in the files of the loaded nnref modules: each must still
   run code from nnref's own files.

Anything else fails the test cell with ``TestsTampered``; the pipeline flags the submission
"test helpers replaced" for a person to look at. It stops the easy cheats and the honest
accident (a helper of one's own named ``check_close``); code written to defeat this file
can still do so, since it runs in the same process.
"""
import ast
import inspect
import os
import sys
import types

import nnref.checks

PACKAGE_DIR = os.path.dirname(os.path.realpath(nnref.checks.__file__)) + os.sep
_DEFINED = {}  # file -> [(class name or None, function name)], parsed once per kernel


class TestsTampered(AssertionError):
    """The tests' own tools were replaced before a test cell ran."""


def imported_names(sources):
    """{name: (module, attribute)} that ``sources`` (code) bind with ``from nnref... import``."""
    names = {}
    for source in sources:
        for node in ast.walk(_parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "nnref":
                names.update({a.asname or a.name: (node.module, a.name) for a in node.names})
    return names


def bound_names(source):
    """Every name that ``source`` binds (assignments, defs, classes, imports, loops, with)."""
    bound = set()
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound


def used_names(source):
    return {node.id for node in ast.walk(_parse(source)) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)}


def _parse(source):
    from .notebooks import python_source  # the grader's side only: the kernel never parses cells
    try:
        return ast.parse(python_source(source))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _ours(func):
    func = inspect.unwrap(func)  # @contextmanager and friends wrap nnref's function
    code = getattr(func, "__code__", None)
    return isinstance(func, types.FunctionType) and os.path.realpath(code.co_filename).startswith(PACKAGE_DIR)


def _defined(path):
    if path not in _DEFINED:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        found = []
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                found.append((None, node.name))
            elif isinstance(node, ast.ClassDef):
                found += [(node.name, item.name) for item in node.body if isinstance(item, ast.FunctionDef)]
        _DEFINED[path] = found
    return _DEFINED[path]


def _replaced_in_modules():
    replaced = []
    for name, module in sorted(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.split(".")[0] != "nnref" or not path or not path.endswith(".py"):
            continue
        for cls_name, func_name in _defined(path):
            owner = vars(module).get(cls_name) if cls_name else module
            if cls_name and not isinstance(owner, type):
                replaced.append(f"{name}.{cls_name}")
                continue
            func = vars(owner).get(func_name)
            if isinstance(func, (staticmethod, classmethod)):
                func = func.__func__
            if isinstance(func, property) or (func is None and cls_name):
                continue  # a property, or a method removed by nnref's own decorators
            if not _ours(func):
                replaced.append(f"{name}.{cls_name + '.' if cls_name else ''}{func_name}")
    return replaced


def check(namespace, expected):
    """Raise TestsTampered unless ``expected`` {name: (module, attribute)} still hold in
    ``namespace`` and nnref's functions are nnref's."""
    replaced = [name for name, (module, attribute) in sorted(expected.items())
                if namespace.get(name) is not getattr(sys.modules.get(module), attribute, None)]
    replaced += _replaced_in_modules()
    if replaced:
        raise TestsTampered(
            f"this test cannot run: the notebook's code replaced what the tests use: "
            f"{', '.join(replaced)}. Usual cause: a function or variable of your own with one of "
            f"these names, or an assignment to an nnref function. Rename yours, restart the "
            f"kernel and run all cells.")


def expected_names(source_nb):
    """{name: (module, attribute)} that the source notebook's own cells import from nnref and
    never bind otherwise (a solution's ``def`` of the same name is the student's to write)."""
    cells = [c for c in source_nb.cells if c.cell_type == "code"
             and not c.metadata.get("nbgrader", {}).get("grade")]
    expected, other = {}, set()
    for cell in cells:
        imported = imported_names([cell.source])
        solution = cell.metadata.get("nbgrader", {}).get("solution")
        expected.update({} if solution else imported)
        other |= bound_names(cell.source) - (set() if solution else set(imported))
    return {name: where for name, where in expected.items() if name not in other}


def prelude(test_source, expected):
    """The line that runs ``check`` before ``test_source``, for the ``expected`` names it uses."""
    uses = used_names(test_source) - bound_names(test_source)
    names = {name: where for name, where in expected.items() if name in uses}
    return f"__import__('autograder.guard').guard.check(globals(), {names!r})\n"
