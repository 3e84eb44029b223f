"""A lesson's catalog of answers: course/catalogs/catalog_<id>.py (format in course/AUTHORING.md).

``MUTANTS`` are the plausible wrong answers, each with the description the feedback names it
by; ``VARIANTS`` correct answers written differently; ``CHEATS`` answers calling nnref's own
implementation. The validity harness grades them all (tests/validity); the grader runs the
mutants once per assignment to recognise them in a student's values (autograder/misconceptions.py).
"""
import hashlib
import runpy
from pathlib import Path

KINDS = ("MUTANTS", "VARIANTS", "CHEATS")


def catalog_path(root, assignment_id):
    return Path(root) / "course" / "catalogs" / f"catalog_{assignment_id}.py"


def of_source(source_notebook):
    """The catalog beside a course's source notebook (ROOT/source/<id>/<id>.ipynb), or None."""
    source_notebook = Path(source_notebook)
    path = catalog_path(source_notebook.parents[2], source_notebook.stem) if len(source_notebook.parents) > 2 else None
    return path if path and path.is_file() else None


def load(assignment_id, path):
    """{MUTANTS, VARIANTS, CHEATS, UNAUDITED} of the catalog file ``path`` (UNAUDITED: {test cell:
    why the audit has nothing of nnref's to withhold there})."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: add the lesson's catalog (course/AUTHORING.md)")
    data = runpy.run_path(str(path))
    if data.get("ASSIGNMENT") != assignment_id:
        raise ValueError(f"{path}: ASSIGNMENT is {data.get('ASSIGNMENT')!r}, expected {assignment_id!r}")
    return {**{key: data.get(key, {}) for key in KINDS}, "UNAUDITED": data.get("UNAUDITED", {})}


def digest(entries):
    """A hash of ``entries`` ({exercise: [(description, source)]}): part of a cache key."""
    text = repr(sorted((ex, [tuple(e) for e in v]) for ex, v in entries.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def rounds(entries):
    """Round r: {exercise: (description, source)} of every exercise's r-th entry. One notebook
    per round holds them all: each exercise's tests depend on no other exercise's answer (the
    validity harness proves it)."""
    depth = max((len(v) for v in entries.values()), default=0)
    return [{ex: tuple(v[r]) for ex, v in entries.items() if r < len(v)} for r in range(depth)]
