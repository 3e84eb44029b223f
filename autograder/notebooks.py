"""Reading, writing and inspecting nbgrader notebooks (cells, exercises, points)."""
import ast
import json
import symtable
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import nbformat

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


class CorruptNotebook(Exception):
    """The file is not a readable Jupyter notebook."""


def read(path):
    """The notebook at ``path``; CorruptNotebook when it is not valid notebook JSON."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)  # for the position of a JSON error; nbformat's message quotes the file instead
        nb = nbformat.reads(text, as_version=4)
    except json.JSONDecodeError as err:
        raise CorruptNotebook(f"{path.name} is not a notebook: not valid JSON ({err.msg}: line {err.lineno}, "
                              f"column {err.colno}); the file may be cut short or not a notebook") from None
    except UnicodeDecodeError:
        raise CorruptNotebook(f"{path.name} is not a notebook: not UTF-8 text") from None
    except (OSError, nbformat.reader.NotJSONError) as err:
        raise CorruptNotebook(f"{path.name} is not a notebook: {str(err).splitlines()[0][:120]}") from None
    except Exception as err:  # nbformat raises assorted errors on JSON that is not a notebook
        raise CorruptNotebook(f"{path.name} is not a notebook: {type(err).__name__}") from None
    if not isinstance(nb.get("cells"), list):
        raise CorruptNotebook(f"{path.name} is not a notebook: no cell list")
    return nb


def dumps(nb):
    """Stable JSON (sorted keys, one-space indent, final newline): equal notebooks give equal bytes."""
    return nbformat.writes(nb, version=4) + "\n"


# What a cell's text means is a function of the text alone, and the same lesson cells are read for
# every submission (and again for its audit): each is parsed once per process.
@lru_cache(maxsize=4096)
def python_source(source):
    """A code cell's source as the kernel runs it: IPython's syntax (``%magic``, ``!shell``,
    ``?``) turned into the Python calls IPython makes of it, so that ``ast`` can read it."""
    try:
        ast.parse(source)
        return source  # plain Python (most cells): IPython would leave it as it is
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager  # IPython is slow to import
        return TransformerManager().transform_cell(source)


def _tree(source):
    try:
        return ast.parse(python_source(source))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


@lru_cache(maxsize=4096)
def bound_names(source):
    """The names ``source`` binds in the notebook's namespace: at its top level (assignments,
    defs, classes, imports, loops, with, except; not a function's locals) and by a ``global``
    statement in one of its functions; "*" for a star import, which may bind any name."""
    bound = {name for statement in _tree(source).body for name in _binds(statement)}
    return frozenset(bound | {s.get_name() for s in _scoped_symbols(source)
                              if s.is_declared_global() and s.is_assigned()})


@lru_cache(maxsize=4096)
def used_names(source):
    """The names ``source`` reads from the notebook's namespace: at its top level, those it has not
    bound itself before the statement that reads them (a loop's target before its body, a block's
    statements in order); and the globals its functions, lambdas, classes and comprehensions read,
    but those that the cell binds on every path to the statement that makes the scope (``x =
    f(x)`` reads x; ``x = 1; f(x)`` does not; ``rng = ...; def draw(): return rng.normal()`` does
    not read rng: a function runs after its def, a comprehension where it stands)."""
    body = _tree(source).body
    reads = _reads_before_bound(body, set())
    statements = _bound_on_the_way(body, set(), [], 0)
    for table in _scope_tables(source):
        line = table.get_lineno()
        around = [s for s in statements if s[0] <= line <= s[1]]
        # the innermost statement holding the scope, the first of those on its line
        bound = min(around, key=lambda s: (-s[2], s[3]))[4] if around else frozenset()
        reads |= {s.get_name() for s in _symbols(table) if s.is_referenced() and s.is_global()} - bound
    return frozenset(reads)


# Statements that bind their names whenever they run (a loop's target, a branch's or a
# with-block's names may stay unbound after it).
_PLAIN_BINDINGS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Import, ast.ImportFrom, ast.FunctionDef,
                   ast.AsyncFunctionDef, ast.ClassDef)


def _bound_on_the_way(block, bound, found, depth):
    """(first line, last line, depth, order, the names bound on every path to it) of each statement
    of ``block`` and of the blocks inside it (not of function or class bodies: scopes of their own)."""
    bound = set(bound)
    for statement in block:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        found.append((first, statement.end_lineno, depth, len(found), frozenset(bound)))
        for inner, binds in _blocks(statement):
            if inner and inner[0].lineno > statement.lineno:  # a one-line `for ...: body` is not entered
                _bound_on_the_way(inner, bound | binds, found, depth + 1)
        if isinstance(statement, _PLAIN_BINDINGS):
            bound |= _binds(statement)
    return found


def _blocks(statement):
    """The blocks of a compound statement, each with what is bound whenever it runs."""
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [(statement.body, _binds(statement.target)), (statement.orelse, set())]
    if isinstance(statement, (ast.While, ast.If)):
        return [(statement.body, set()), (statement.orelse, set())]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [(statement.body, {n for item in statement.items if item.optional_vars
                                  for n in _binds(item.optional_vars)})]
    if isinstance(statement, (ast.Try, ast.TryStar)):
        return ([(statement.body, set())] + [(h.body, {h.name} if h.name else set()) for h in statement.handlers]
                + [(statement.orelse, set()), (statement.finalbody, set())])
    return []


def _reads_before_bound(statements, bound):
    """The names ``statements`` read before binding them; ``bound`` (what is bound so far) grows."""
    reads = set()

    def expression(*nodes):
        reads.update({_read(n) for node in nodes if node is not None
                      for n in _top_level(node, comprehensions=False)} - bound - {None})

    for statement in statements:
        if isinstance(statement, (ast.For, ast.AsyncFor)):
            expression(statement.iter)
            bound |= _binds(statement.target)
            blocks = [statement.body, statement.orelse]
        elif isinstance(statement, (ast.While, ast.If)):
            expression(statement.test)
            blocks = [statement.body, statement.orelse]
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                expression(item.context_expr)
                bound |= _binds(item.optional_vars) if item.optional_vars else set()
            blocks = [statement.body]
        elif isinstance(statement, (ast.Try, ast.TryStar)):
            blocks = [statement.body]
            for handler in statement.handlers:
                expression(handler.type)
                blocks.append(handler.body)
                bound |= {handler.name} if handler.name else set()
            blocks += [statement.orelse, statement.finalbody]
        else:
            expression(statement)
            bound |= _binds(statement)
            blocks = []
        for block in blocks:
            reads |= _reads_before_bound(block, bound)
    return reads


def _read(node):
    """The name ``node`` reads, or None (``total += 1`` reads total)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return node.id
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _binds(statement):
    names = set()
    for node in _top_level(statement, comprehensions=True):  # a walrus in a comprehension binds here
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
    return names


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _top_level(node, comprehensions):
    """``node`` and the nodes under it that run in the notebook's namespace, where their names are
    its names: not the bodies of functions, lambdas and classes (their own scopes, read through
    symtable), nor, unless ``comprehensions``, a comprehension's but for its first iterable."""
    yield node
    if isinstance(node, _SCOPES):
        body = node.body if isinstance(node.body, list) else [node.body]
        children = [c for c in ast.iter_child_nodes(node) if not any(c is b for b in body)]
    elif isinstance(node, _COMPREHENSIONS) and not comprehensions:
        children = [node.generators[0].iter]
    else:
        children = ast.iter_child_nodes(node)
    for child in children:
        yield from _top_level(child, comprehensions)


def _scope_tables(source):
    """The symbol tables of the scopes ``source`` makes at its top level (functions, lambdas,
    classes, comprehensions), each holding the scopes made inside it."""
    try:
        return symtable.symtable(python_source(source), "<cell>", "exec").get_children()
    except SyntaxError:
        return []


def _symbols(table):
    """The symbols of ``table`` and of every scope inside it."""
    symbols, todo = [], [table]
    while todo:
        table = todo.pop()
        symbols += table.get_symbols()
        todo += table.get_children()
    return symbols


def _scoped_symbols(source):
    """The symbols of every scope ``source`` makes (functions, lambdas, classes, comprehensions)."""
    return [symbol for table in _scope_tables(source) for symbol in _symbols(table)]


def is_grade(cell):
    """An autograded test cell (nbgrader's metadata; nbgrader.utils' test, without importing
    nbgrader, a second's work that a grading worker does not need)."""
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade", False))


def is_solution(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def exercise_of(test_id):
    """``test_affine_forward__hidden`` -> ``affine_forward`` (AUTHORING.md's naming)."""
    name = test_id[len("test_"):] if test_id.startswith("test_") else test_id
    return name.split("__")[0]


def test_cells(nb):
    """The autograded cells, in notebook order: [(grade_id, points, cell)]."""
    return [(grade_id(c), float(c.metadata.nbgrader.get("points", 0)), c)
            for c in nb.cells if c.cell_type == "code" and is_grade(c)]


def solution_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and is_solution(c) and not is_grade(c)]


def exercise_points(nb):
    """{exercise: points} in notebook order, summed over each exercise's test cells."""
    points = OrderedDict()
    for test_id, pts, _ in test_cells(nb):
        points[exercise_of(test_id)] = points.get(exercise_of(test_id), 0.0) + pts
    return points


def hidden_lines(source, shortest=12):
    """The lines between the hidden-test markers of a test cell's source, stripped, that are long
    enough to be recognised in a message (short ones like ``)`` would match anything)."""
    lines, inside = [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line or HIDDEN_END in line:
            inside = HIDDEN_BEGIN in line
        elif inside and len(line.strip()) >= shortest:
            lines.append(line.strip())
    return lines


def strip_markers(source, begin=SOLUTION_BEGIN, end=SOLUTION_END):
    """The source with the lines holding ``begin``/``end`` removed (their content kept)."""
    return "\n".join(line for line in source.split("\n") if begin not in line and end not in line)


def fill_solutions(release_nb, source_nb, answers=None, skip=()):
    """A submission: ``release_nb`` with each solution cell filled in.

    A solution cell gets ``answers[exercise]`` when given, else the source's solution (markers
    removed); exercises in ``skip`` keep the release's stub. Returns a new notebook.
    """
    import copy
    answers = answers or {}
    solutions = {grade_id(c): strip_markers(c.source) for c in solution_cells(source_nb)}
    nb = copy.deepcopy(release_nb)
    for cell in solution_cells(nb):
        exercise = grade_id(cell)
        if exercise in skip:
            continue
        if exercise in answers:
            cell.source = answers[exercise]
        elif exercise in solutions:
            cell.source = solutions[exercise]
    return nb
