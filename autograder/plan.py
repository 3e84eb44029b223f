"""What grading an assignment needs to know about its source notebook, computed once.

A ``Plan`` holds the facts every submission of an assignment is graded with: its test cells
(as written, as released, as the student's kernel runs them), the names the solution cells
define, the lines of the hidden tests, the source's own cells, the modules it imports, the
time limit, and (autograder/reference.py) the reference: the observations of the source's
clean run, and the catalogued wrong answers' (autograder/misconceptions.py). It is made once
per grading run and sent to every worker, never derived again per submission.
"""
import ast
import copy
import os
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import notebooks, observations
from .needed import keep_only


@dataclass(frozen=True)
class TestCell:
    grade_id: str
    exercise: str
    points: float
    source: str  # as written in the source: what the instructors' copy shows
    accepted: frozenset  # what a submission may hold in its place unchanged (released or source text)
    student_source: str  # as the student's kernel runs it: expected values stripped
    hidden: bool  # it holds hidden tests
    cell: object = field(compare=False, hash=False)  # the source's cell (its metadata: grade id, points)


@dataclass
class Plan:
    name: str  # the assignment's id (the kernel's folder is named so)
    source_nb: object
    key: str  # the source's cache key (observations.cache_key) and variant: the reference is stored under it
    time_limit: float  # CPU seconds for a notebook, all its processes together
    files: object  # the folder of the assignment's files that each kernel gets a private copy of
    tests: tuple
    solution_names: frozenset  # what the solution cells define: the student's functions, which the tests call
    solutions: dict  # {exercise grade id: the source's solution, markers removed}
    own_sources: frozenset  # the source's code cells that are neither solutions nor tests
    hidden_lines: tuple  # every line of the hidden tests the kernel could see, as written and as run
    warm_modules: tuple  # the modules the source's tests and what they need import: imported as a kernel starts
    variant: int = 0  # the hidden tests' variant (nnref/variants.py): its inputs, its reference
    reference: dict = field(default=None, repr=False)  # autograder/reference.py
    catalog: list = field(default=None, repr=False)  # the catalogued mutants' observations (misconceptions.py)

    def test(self, grade_id):
        return next(t for t in self.tests if t.grade_id == grade_id)


VARIANT_KEY = "-variant"  # between the source's key and the variant's number


def for_variant(plan, variant):
    """``plan`` for ``variant`` of the hidden tests: its own key, so that each variant's
    reference and observed catalog are made and cached apart (variant 0 keeps the source's)."""
    source_key = plan.key.split(VARIANT_KEY)[0]
    return replace(plan, variant=variant, key=f"{source_key}{VARIANT_KEY}{variant}" if variant else source_key)


def solution_names(source_nb):
    """What the source's solution cells define at their top level."""
    names = set()
    for cell in notebooks.solution_cells(source_nb):
        try:
            body = ast.parse(notebooks.python_source(cell.source)).body
        except SyntaxError:
            continue
        names |= {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        names |= {t.id for n in body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    return frozenset(names)


def imported_modules(source_nb):
    """The absolute modules the source's code cells import, in first-use order."""
    found = {}
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(notebooks.python_source(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(dict.fromkeys(a.name for a in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found[node.module] = None
    return tuple(found)


def _lines(source, shortest=12):
    return [line.strip() for line in source.split("\n") if len(line.strip()) >= shortest]


_FACTS = {}  # source's cache key -> its plan without name, limits or files, for this process


def make_plan(source, time_limit, files=None, name=None):
    """The plan of the source notebook ``source`` (a path or a notebook), without its reference."""
    source_nb = notebooks.read(Path(source)) if isinstance(source, (str, Path)) else source
    key = observations.cache_key(source_nb)
    if key not in _FACTS:  # a class graded again, or the next test of a suite: the same source
        _FACTS[key] = _cached_facts(key) or _store_facts(key, _facts(copy.deepcopy(source_nb), key))
    return replace(_FACTS[key], name=name or (Path(source).stem if isinstance(source, (str, Path)) else "notebook"),
                   time_limit=time_limit, files=files)


# On disk beside the references, under the same key (the source and the grader's code): a grading
# run reads the facts instead of deriving them (half a second: nbgrader's release, each test
# cell's stripped source). The cache is the instructor's own folder, never a student's.
def _facts_path(key):
    return observations.cache_dir().parent / "plans" / f"{key}.pickle"


def _cached_facts(key):
    try:
        facts = pickle.loads(_facts_path(key).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None  # none yet, or unreadable: derived again
    return facts if isinstance(facts, Plan) and facts.key == key else None


def _store_facts(key, facts):
    path = _facts_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(facts))
        tmp.replace(path)  # atomic: another process reads all of it or none
    except OSError:
        pass  # a read-only cache: the facts are derived again next time
    return facts


def _facts(source_nb, key):
    from .release import release_notebook  # nbgrader's preprocessors: only the process that makes plans needs them
    names = solution_names(source_nb)
    released = {notebooks.grade_id(c): c.source for _, _, c in notebooks.test_cells(release_notebook(source_nb))}
    tests = []
    for gid, points, cell in notebooks.test_cells(source_nb):
        tests.append(TestCell(gid, notebooks.exercise_of(gid), points, cell.source,
                              frozenset({released[gid].strip(), cell.source.strip()}),
                              observations.student_source(cell.source, names),
                              bool(notebooks.hidden_lines(cell.source)), cell))
    hidden = [line for t in tests if t.hidden
              for line in notebooks.hidden_lines(t.source) + _lines(observations.student_source(t.source, names))]
    own = frozenset(c.source for c in source_nb.cells if c.cell_type == "code" and not notebooks.is_solution(c)
                    and not notebooks.is_grade(c))
    needed_nb = copy.deepcopy(source_nb)
    keep_only(needed_nb, own, {t.grade_id for t in tests})
    return Plan(name=None, source_nb=source_nb, key=key, time_limit=None, files=None,
                tests=tuple(tests), solution_names=names,
                solutions={notebooks.grade_id(c): notebooks.strip_markers(c.source).strip()
                           for c in notebooks.solution_cells(source_nb)},
                own_sources=own, hidden_lines=tuple(hidden), warm_modules=imported_modules(needed_nb))
