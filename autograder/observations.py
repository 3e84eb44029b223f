"""Verdicts outside the student's kernel (course/INSTRUCTORS.md, "Verdicts outside the student's kernel").

A submission's test cells run in its kernel with ``NNCOURSE_OBSERVE=student``: each check
only reports the value it was given (nnref/observations.py). What the test cell would compare
it with comes from a clean run of the source notebook (``NNCOURSE_OBSERVE=reference``, cached
by the source's hash), and ``judge`` compares the two lists here, with the rules, tolerances
and messages the reference run's checks declared. So a notebook's code can change its grade
only by changing the values it reports: patching numpy, the checks, builtins or IPython
decides nothing, and a check that never ran (a loop emptied, a helper replaced) fails.

Before a test cell runs in the student's kernel, ``student_source`` strips from it everything
that only computes expected values: every argument of a check but the value under test, and
every statement whose results feed nothing but those arguments. The hidden tests' expected
values are never computed where the student's code could read them.
"""
import ast
import fcntl
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import nnref
from nnref import checks
from nnref.observations import decode

# check -> how many required arguments follow the values under test (placeholders in the student's run)
CHECKS = {"check_close": 2, "check_rel_error": 2, "check_equal": 2, "check_shape": 2,
          "check_final_model": 2, "check_structure": 2, "check_same": 1,
          "check_differ": 1, "check_at_most": 2}
# check -> how many of its first arguments are the student's values (the rest describe the expectation)
VALUES = {"check_same": 2, "check_differ": 2}
PROTOCOL = "observations-2"  # part of the cache key: change it when what is recorded changes

MISSING = ("{what}: this check never ran: the test stopped before it, or the notebook's code kept it "
           "from running")
UNCOMPARABLE = ("{what}: the value your code gave cannot be compared with the expected one ({error}): "
                "usually a nested list whose rows differ in length, a number too large for a float, or an "
                "object where an array was expected. Return a numpy array of numbers.")
EXTRA = ("the test reported more checks than it makes: code in the notebook published test "
         "observations of its own")


def _check_name(call):
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name if name in CHECKS else None


class _Strip(ast.NodeTransformer):
    """Keeps only the values under test in each check call (None for the other required args)."""

    def visit_Call(self, node):
        self.generic_visit(node)
        name = _check_name(node)
        values = VALUES.get(name, 1)
        if name and len(node.args) >= values and not any(isinstance(a, ast.Starred) for a in node.args[:values]):
            node.args = node.args[:values] + [ast.Constant(None)] * CHECKS[name]
            node.keywords = []
        return node


def _expected_arg(call):
    """The check's expected value (its second argument, or ``expected=``/``shape=``), or None."""
    if len(call.args) > 1:
        return call.args[1]
    return next((k.value for k in call.keywords if k.arg in ("expected", "shape")), None)


def _expected_made_of_students_values(tree, student_names):
    """The check calls whose expected value is made of what the student's functions returned
    (two calls compared, a property of an output): the kernel would have to send it, and the
    student's code could then send whatever passes. (check call source, the names)"""
    kept = _bindings(tree, student_names)[1]
    found = []
    for call in ast.walk(tree):
        name = _check_name(call) if isinstance(call, ast.Call) else None
        expected = _expected_arg(call) if name and name not in VALUES else None
        if expected is not None:
            names = {n.id for n in ast.walk(expected) if isinstance(n, ast.Name)} & kept
            if names:
                found.append((ast.unparse(call)[:120], ", ".join(sorted(names))))
    return found


def _expected_side(call):
    """The nodes of a check call that only describe the expectation (all but the values tested)."""
    values = VALUES.get(_check_name(call), 1)
    if not _check_name(call) or len(call.args) < values or any(isinstance(a, ast.Starred) for a in call.args[:values]):
        return []
    return call.args[values:] + [k.value for k in call.keywords]


def _binds(stmt):
    """Names a simple statement binds or mutates (``y[i] = ...`` and ``net.p.update()`` mutate)."""
    def base(node):
        while isinstance(node, (ast.Attribute, ast.Subscript)):
            node = node.value
        return node.id if isinstance(node, ast.Name) else None

    if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = set()
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    names.add(node.id)
                elif isinstance(node, (ast.Attribute, ast.Subscript)) and base(node):
                    names.add(base(node))
        return names
    if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and not _check_name(stmt.value)
            and isinstance(stmt.value.func, ast.Attribute) and base(stmt.value.func)):
        return {base(stmt.value.func)}
    return set()


BLOCKS = ("body", "orelse", "finalbody", "handlers")


def _walk_statements(body):
    """(simple statements, compound statements) of ``body`` and of its blocks, not inside defs."""
    simple, compound = [], []
    for stmt in body:
        blocks = [getattr(stmt, f) for f in BLOCKS if isinstance(getattr(stmt, f, None), list)]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not blocks:
            simple.append(stmt)
            continue
        compound.append(stmt)
        inner = [s for block in blocks for s in block]
        inner = [s for h in inner for s in (h.body if isinstance(h, ast.ExceptHandler) else [h])]
        more_simple, more_compound = _walk_statements(inner)
        simple += more_simple
        compound += more_compound
    return simple, compound


def _headers(stmt):
    """The parts of a compound statement outside its blocks: a for's iterable, a with's items."""
    for field, value in ast.iter_fields(stmt):
        if field not in BLOCKS:
            yield from (value if isinstance(value, list) else [value] if isinstance(value, ast.AST) else [])


def _loads(tree, skip):
    ids = {id(n) for node in skip for n in ast.walk(node)}
    return [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and id(n) not in ids]


def student_source(source, student_names=()):
    """``source`` (a test cell) as the student's kernel runs it: see the module's docstring.
    ``student_names``: what the solution cells define (the functions under test). UnfitTestCell
    for a cell the grader cannot grade by."""
    return _rewrite(source, student_names)


class UnfitTestCell(ValueError):
    """A test cell the grader cannot grade by: not Python even read as IPython (its expected
    values cannot be found), or one that would let the kernel decide (an expected value made of
    the student's values) or mislead (a message quoting the source's result as the student's)."""


def _bindings(tree, student_names):
    """(functions, values): the names bound to the student's functions (theirs, and ``init`` in
    ``for name, init in (("xavier", xavier), ...)``), and the names bound to what those return
    (``out = predict(...)``, ``W = init(...)``, and what is made of those). The labels bound
    beside a function (``name`` above) are neither."""
    functions, values, grew = set(student_names), set(), True
    while grew:
        grew = False
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.comprehension)):
                continue
            source = node.iter if isinstance(node, (ast.For, ast.comprehension)) else node.value
            if source is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            called = any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in functions
                         for c in ast.walk(source))
            loaded = {n.id for n in ast.walk(source) if isinstance(n, ast.Name)}
            if called or loaded & values or _attributes_of(source, functions):
                new, into = bound - values, values
            elif loaded & functions:  # a function passed around: the bound name that holds it
                new, into = _function_targets(node, targets, functions) - functions, functions
            else:
                continue
            into |= new
            grew = grew or bool(new)
    return functions, values


def _attributes_of(node, names):
    return any(isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and a.value.id in names
               for a in ast.walk(node))


def _function_targets(node, targets, functions):
    """Of ``targets``, those that receive a function: ``f = xavier``; in ``for name, f in
    (("xavier", xavier), ...)`` the element at the functions' position."""
    source = node.iter if isinstance(node, (ast.For, ast.comprehension)) else node.value
    if isinstance(source, ast.Name):
        return {t.id for t in targets if isinstance(t, ast.Name)}
    rows = source.elts if isinstance(source, (ast.Tuple, ast.List)) else []
    found = set()
    for target in targets:
        if isinstance(target, ast.Tuple):
            for row in rows:
                if isinstance(row, (ast.Tuple, ast.List)) and len(row.elts) == len(target.elts):
                    found |= {t.id for t, e in zip(target.elts, row.elts) if isinstance(t, ast.Name)
                              and isinstance(e, ast.Name) and e.id in functions}
        elif isinstance(target, ast.Name) and any(isinstance(e, ast.Name) and e.id in functions for e in rows):
            found.add(target.id)
    return found


def _quoting_student_values(tree, student_names):
    """The check calls whose message (``what``, ``cause``) formats a value the student's code
    returned, or an attribute of one of their functions (``f.__name__``, which the function
    can set): in the grader's feedback that text comes from the reference run, so it would
    quote the reference's value as the student's. (check call source, the value quoted)"""
    functions, values = _bindings(tree, student_names)
    found = []
    for call in ast.walk(tree):
        name = _check_name(call) if isinstance(call, ast.Call) else None
        if not name:
            continue
        message = call.args[CHECKS[name] + VALUES.get(name, 1) - 1:] + [
            k.value for k in call.keywords if k.arg in ("what", "cause")]
        for part in message:
            for formatted in ast.walk(part):
                if isinstance(formatted, ast.FormattedValue) and (
                        {n.id for n in ast.walk(formatted.value) if isinstance(n, ast.Name)} & values
                        or _attributes_of(formatted.value, functions)):
                    found.append((ast.unparse(call)[:120], ast.unparse(formatted.value)))
    return found


def _rewrite(source, student_names):
    from .notebooks import python_source
    try:
        tree = ast.parse(python_source(source))
    except SyntaxError as err:  # run unstripped, it would compute its hidden expected values in the kernel
        first_line = source.strip().splitlines()[0][:80] if source.strip() else ""
        raise UnfitTestCell(
            f"a test cell of the source is not Python, even read as IPython (line {err.lineno}: {err.msg}; "
            f"the cell begins {first_line!r}): the grader cannot take its expected values out of it, so "
            f"nothing is graded. Fix the cell in the source notebook and run `nncourse validate` on it.") from None
    _refuse_unfit(tree, set(student_names))
    # the nodes that only describe expectations
    expected = [n for call in ast.walk(tree) if isinstance(call, ast.Call) for n in _expected_side(call)]
    simple, compound = _walk_statements(tree.body)
    # a name's uses: each simple statement that loads it outside check expectations, and the
    # compound statements' headers (a for's iterable, a with's items), which are never removed
    uses = {}
    for stmt in simple:
        for name in _loads(stmt, expected):
            uses.setdefault(name, set()).add(id(stmt))
    for stmt in compound:
        for part in _headers(stmt):
            for name in _loads(part, expected):
                uses.setdefault(name, set()).add("header")
    assigned = _assigned(tree)
    removed = _removable(simple, uses, {n for node in expected for n in _loads(node, [])}, assigned)
    tree = _Strip().visit(_Remove(removed).visit(tree))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


# (finder of (check call, what it uses), why the cell cannot be graded so, the fix)
_UNFIT = (
    (_expected_made_of_students_values,
     "a test cell compares with an expected value made of what the student's functions returned "
     "({what} in {call} ...): the kernel would have to send it, so the student's code could send whatever "
     "passes", "compare two of the student's values with check_same or check_differ, or a statistic of "
     "one with of= (course/AUTHORING.md)"),
    (lambda tree, names: [(call, repr(value)) for call, value in _quoting_student_values(tree, names)],
     "a test cell's message formats {what}, a value the student's function returned ({call} ...): messages "
     "are read from the source's own run, so the student would be told the source's value as theirs",
     "let the check quote the value (its message shows expected and got), or quote only the test's inputs"),
)


def _refuse_unfit(tree, student_names):
    for find, why, fix in _UNFIT:
        found = find(tree, student_names)
        if found:
            call, what = found[0]
            raise UnfitTestCell(f"{why.format(what=what, call=call)}. Fix: {fix}; then run `nncourse validate` "
                                f"on the source.")


def _assigned(tree):
    """Names the cell binds other than by import: the objects that may carry state (an rng)."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


# methods that change nothing: calling them on a kept array or dict moves no state on
PURE_METHODS = {"copy", "astype", "reshape", "ravel", "flatten", "tolist", "transpose", "sum", "mean",
                "max", "min", "std", "var", "argmax", "argmin", "any", "all", "dot", "clip", "round",
                "squeeze", "items", "keys", "values", "get"}
# methods that change at most their own object, never their arguments (a model's loss(X, y))
OWN_STATE_METHODS = PURE_METHODS | {"update", "append", "extend", "setdefault", "pop", "insert", "add",
                                    "loss", "predict", "forward"}


def _method_calls(stmt):
    """(name the method is called on, method, names its arguments load) for each method call in
    ``stmt`` whose object is a name (``rng.normal(...)``, ``optimizer.step(params, grads)``)."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = node.func.value
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name):
                args = [n.id for a in node.args + [k.value for k in node.keywords] for n in ast.walk(a)
                        if isinstance(n, ast.Name)]
                yield base.id, node.func.attr, args


def _removable(simple, uses, expected_names, assigned):
    """The statements that compute only expected values: the largest set in which each one
    binds something the expectations (or another of the set) use, binds nothing a kept
    statement uses, and calls no method of a kept object (``rng.normal`` moves the rng on)."""
    candidates = {id(s): s for s in simple if _binds(s)}
    removed = set(candidates)
    changed = True
    while changed:
        changed = False
        for sid in list(removed):
            stmt, bound = candidates[sid], _binds(candidates[sid])
            kept_use = any(u != sid and u not in removed for n in bound for u in uses.get(n, ()))
            feeds = any(n in expected_names or any(u != sid and u in removed for u in uses.get(n, ()))
                        for n in bound)
            kept = lambda name: name in assigned and any(u not in removed for u in uses.get(name, ()))
            # a method may move its object on (rng.normal), or change what it is given (step(params))
            stateful = any((method not in PURE_METHODS and base not in bound and kept(base))
                           or (method not in OWN_STATE_METHODS and base in assigned and any(map(kept, args)))
                           for base, method, args in _method_calls(stmt))
            if kept_use or not feeds or stateful:
                removed.discard(sid)
                changed = True
    # of those, the ones an expectation needs (not a group that only feeds itself)
    needed, names, grew = set(), set(expected_names), True
    while grew:
        grew = False
        for sid in removed - needed:
            if _binds(candidates[sid]) & names:
                needed.add(sid)
                names |= set(_loads(candidates[sid], []))
                grew = True
    return needed


class _Remove(ast.NodeTransformer):
    def __init__(self, removed):
        self.removed = removed

    def generic_visit(self, node):
        if id(node) in self.removed:
            return ast.Pass()
        return super().generic_visit(node)


# ----------------------------------------------------------------------------- the reference

@lru_cache(maxsize=1)
def _code_digest():
    """nnref's and the grader's own code: a reference is only valid for the code that made it."""
    digest = hashlib.sha256()
    for package in (Path(nnref.__file__).parent, Path(__file__).parent):
        for path in sorted(package.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(source_nb):
    from .notebooks import dumps
    text = dumps(source_nb) + PROTOCOL + _code_digest()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def cache_dir():
    return Path(os.environ.get("NNCOURSE_CACHE") or Path.home() / ".cache" / "nncourse") / "references"


def load_cached(key):
    path = cache_dir() / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_cached(key):
    return (cache_dir() / f"{key}.json").is_file()


def load_or_make(key, make):
    """The cache's entry ``key``, else ``make()``'s, stored under it. One process makes an entry
    while the others that want it wait for it (two grading runs on one machine, a pool's
    workers): the source's run is never done twice at once."""
    found = load_cached(key)
    if found is not None:
        return found
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when its process dies
        found = load_cached(key)
        if found is None:
            found = make()
            store(key, found)
    return found


def store(key, reference):
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(reference), encoding="utf-8")
    tmp.replace(folder / f"{key}.json")  # atomic: a worker reading it sees all or nothing


# ----------------------------------------------------------------------------- the verdict

def judge(student, reference):
    """(status, message) for one test cell, ``student`` and ``reference`` being its observation
    lists (the payloads the checks published), in order. status: passed; failed (a value is
    wrong); missing (a check never ran); extra (more observations than checks)."""
    for index, ref in enumerate(reference):
        declared = ref.get("declared", {})
        if index >= len(student) or student[index].get("kind") != ref.get("kind"):
            return "missing", MISSING.format(what=declared.get("what", "a check"))
        expected = ref.get("expected")
        try:
            message = checks.verdict(ref["kind"], decode(student[index].get("got")), decode(expected), declared)
        except (ValueError, TypeError, ArithmeticError, RecursionError) as err:  # a value no rule can take
            message = UNCOMPARABLE.format(what=declared.get("what", "a check"), error=type(err).__name__)
        if message:
            return "failed", message
    if len(student) > len(reference):
        return "extra", EXTRA
    return "passed", ""
