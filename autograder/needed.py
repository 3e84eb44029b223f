"""What a run that only the grader reads needs of a notebook: chosen test cells and what they use.

Such a run (grading, the reference, the audit, the observed catalog) keeps the test cells it
was given, their exercises' solution cells, every cell of the notebook's own (any could
redefine what a test uses), and, of the lesson's own cells (the source's, unchanged), those
that bind a name a kept cell reads, however indirectly. In the lesson's cells it keeps, the
imports that nothing kept reads are taken out too, and ``%matplotlib`` (how figures show:
such a run draws none): its kernel imports no plotting or widget library a test does not use.
"""
import ast

from . import notebooks


def keep_only(nb, own_sources, grade_ids):
    """Empty the code cells of ``nb`` that the test cells ``grade_ids`` do not need, and take the
    unused imports out of the lesson's cells it keeps (``own_sources``: the source's code cells
    that are neither solutions nor tests)."""
    exercises = {notebooks.exercise_of(g) for g in grade_ids}

    def needed_first(cell):
        gid = notebooks.grade_id(cell) or ""
        if notebooks.is_grade(cell):
            return gid in grade_ids
        if notebooks.is_solution(cell):
            return gid in exercises
        return cell.source not in own_sources

    code = [c for c in nb.cells if c.cell_type == "code"]
    kept = [c for c in code if needed_first(c)]
    optional = [c for c in code if not needed_first(c) and not notebooks.is_grade(c)]
    needed = set().union(*(notebooks.used_names(c.source) for c in kept))
    changed = True
    while changed:
        changed = False
        for cell in optional:
            bound = notebooks.bound_names(cell.source)
            if not any(cell is k for k in kept) and (bound & needed or "*" in bound):
                kept.append(cell)
                needed |= notebooks.used_names(cell.source)
                changed = True
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if not any(cell is k for k in kept):
            cell.source, cell.outputs = "", []
        elif cell.source in own_sources:
            cell.source = without_unused_imports(cell.source, needed)


def without_unused_imports(source, needed):
    """``source`` (a cell of the lesson's own, as the kernel runs it) without the top-level
    imports that bind nothing in ``needed`` or that the cell's other statements read, and without
    ``%matplotlib``; unchanged if there is none, or if one shares a line with another statement."""
    text = notebooks.python_source(source)
    try:
        body = ast.parse(text).body
    except SyntaxError:
        return source
    lines = text.split("\n")
    reads = set(needed)
    for statement in body:
        if not isinstance(statement, (ast.Import, ast.ImportFrom)):
            reads |= notebooks.used_names(ast.get_source_segment(text, statement) or "")
    dropped = [s for s in body if _shows_figures(s) or (isinstance(s, (ast.Import, ast.ImportFrom))
                                                        and not notebooks.bound_names(_segment(lines, s)) & (reads | {"*"}))]
    if not dropped:
        return source
    spans = {i for s in dropped for i in range(s.lineno - 1, s.end_lineno)}
    if any(i in spans for s in body if s not in dropped for i in range(s.lineno - 1, s.end_lineno)):
        return source
    return "\n".join(line for i, line in enumerate(lines) if i not in spans)


def _segment(lines, statement):
    return "\n".join(lines[statement.lineno - 1:statement.end_lineno])


def _shows_figures(statement):
    """``%matplotlib ...``, as IPython runs it: get_ipython().run_line_magic('matplotlib', ...)."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "run_line_magic"
            and bool(call.args) and isinstance(call.args[0], ast.Constant) and call.args[0].value == "matplotlib")
