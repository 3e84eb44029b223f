"""A copy of nnref without the assignment's reference implementations, for the audit run.

An answer that calls nnref's version of its exercise, keeps a reference to it from before the
test, copies its code object or compiles its source again gives the right values, so the
observations alone cannot tell it from the student's own work. So the grader runs the
notebook a second time (pipeline.audit) in a kernel whose nnref has those functions' bodies
replaced by an error: the code is not there to call, copy or compile. An answer whose test
passed before and fails now used nnref's implementation.

Which functions: those the source's test cells pass to ``without_reference`` (reported by the
reference run), as "module:qualname"; a class stands for all of its methods.
"""
import ast
import atexit
import compileall
import importlib.util
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import nnref

PACKAGE = Path(nnref.__file__).resolve().parent


def _message(name):
    return (f"{name} is withheld: the notebook is being graded again without nnref's implementation "
            f"of this assignment's exercises, to check that no answer uses it")


class _Withhold(ast.NodeTransformer):
    def __init__(self, qualnames, module):
        self.qualnames, self.module, self.scope = set(qualnames), module, []

    def _visit_scope(self, node):
        qualname = ".".join(self.scope + [node.name])
        withheld = qualname in self.qualnames or any(qualname.startswith(q + ".") for q in self.qualnames)
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()
        if withheld and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = node.body[:1] if ast.get_docstring(node) is not None else []
            error = ast.parse(f"raise RuntimeError({_message(self.module + '.' + qualname)!r})").body
            node.body = doc + error
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope


def _module_file(module):
    parts = module.split(".")
    if parts[0] != "nnref":
        return None
    path = PACKAGE.joinpath(*parts[1:])
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


@lru_cache(maxsize=None)
def package_without(names):
    """A folder holding ``nnref/``, a copy of nnref whose ``names`` ("module:qualname", a
    frozenset) raise when called; readable by the sandbox's kernel user, removed at exit."""
    root = Path(tempfile.mkdtemp(prefix="nncourse_withheld_"))
    atexit.register(shutil.rmtree, root, True)
    target = root / "nnref"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    by_file = {}
    for name in names:
        module, _, qualname = name.partition(":")
        path = _module_file(module)
        if path and path.is_file():
            by_file.setdefault((path, module), []).append(qualname)
    for (path, module), qualnames in by_file.items():
        tree = _Withhold(qualnames, module).visit(ast.parse(path.read_text(encoding="utf-8")))
        (target / path.relative_to(PACKAGE)).write_text(ast.unparse(ast.fix_missing_locations(tree)) + "\n",
                                                          encoding="utf-8")
    _compile(target, changed={path for path, _ in by_file})
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def _compile(target, changed):
    """Compiled files beside the copy's modules: the audit's kernel cannot write its own
    __pycache__, and would otherwise compile every module it imports at every start. An unchanged
    module's is nnref's own, copied (valid: copytree kept the sources' times); only this Python's
    plain ones, never an optimized one, which could hold a withheld body."""
    for source in PACKAGE.rglob("*.py"):
        compiled = Path(importlib.util.cache_from_source(str(source)))
        if source not in changed and compiled.is_file():
            into = Path(importlib.util.cache_from_source(str(target / source.relative_to(PACKAGE))))
            into.parent.mkdir(exist_ok=True)
            shutil.copy2(compiled, into)
    compileall.compile_dir(target, quiet=1)  # the changed ones, and any missing or out of date
