"""nnref.homework sits below the checks: the grader imports it (homework 09's final-model rule,
the grading variable) and no widget code, and nnref's modules import each other in no circle."""
import ast
import subprocess
import sys
from pathlib import Path

import nnref

PACKAGE = Path(nnref.__file__).parent


def test_the_grader_imports_no_widget_code():
    code = ("import sys, autograder.cli, autograder.pipeline, autograder.sandbox, nnref.checks\n"
            "print(sorted(m for m in sys.modules if m.startswith('nnref.widgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"the grader imported widget modules: {out.stdout}"


def test_the_sandbox_sets_the_variable_homework_reads():
    from autograder.sandbox import kernel_settings
    from nnref.homework import GRADING_VARIABLE, grading_mode

    assert grading_mode(kernel_settings(1, observe="student")) == "nncourse"
    assert kernel_settings(1)[GRADING_VARIABLE] == "1"


def _imports(path):
    """The nnref modules a file imports, at its top or inside a function."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[:len(module.split(".")) - node.level + (path.name == "__init__.py")]
                base = ".".join(parent + ([base] if base else []))
            names |= {base} | {f"{base}.{a.name}" for a in node.names}
    return module, {n for n in names if n.startswith("nnref")}


def test_nnref_has_no_import_circle():
    graph = dict(_imports(p) for p in PACKAGE.rglob("*.py"))
    graph = {m: {n for n in deps if n in graph and n != m} for m, deps in graph.items()}
    graph = {m: deps - {"nnref"} for m, deps in graph.items()}   # the package's face only hands names on
    done, path = set(), []

    def visit(m):
        if m in path:
            raise AssertionError(f"import circle: {' -> '.join(path[path.index(m):] + [m])}")
        if m in done:
            return
        path.append(m)
        for n in sorted(graph[m]):
            visit(n)
        path.pop()
        done.add(m)

    for m in sorted(graph):
        visit(m)
    assert "nnref.homework" in graph["nnref.checks"], "checks reads the final model's rule here"
