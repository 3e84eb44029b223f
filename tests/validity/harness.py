"""The validity harness: proves an assignment's grading fair (course/ARCHITECTURE.md, "Grading is valid when").

Every assignment plugs in by adding ``tests/validity/catalog_<id>.py`` (format in
course/AUTHORING.md). For each assignment the harness builds submissions from the release
notebook, grades them all at once with the course's own pipeline (in parallel), and checks:

(a) the source notebook earns full marks, unflagged;
(b) the untouched release earns zero on every test cell, each failing with "not answered";
independence: each exercise earns its points when it alone is solved;
(c) each mutant loses points on its exercise and no other;
(d) each correct variant earns full marks;
(e) each cheat (an answer calling nnref's implementation) earns nothing on its exercise.

Submissions are batched into rounds: round r applies the r-th mutant (or cheat) of every
exercise at once. That is valid because independence is proven separately: an exercise's
tests depend on no other exercise's answer.
"""
import runpy
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate
from multiprocessing import get_context
from pathlib import Path

from autograder import notebooks, pool, reference
from autograder.pool import default_workers
from autograder.pipeline import Job
from autograder.results import USES_REFERENCE
from autograder.release import release_notebook

CATALOG_DIR = Path(__file__).resolve().parent


@dataclass
class Probe:
    """One expectation about one exercise (or the whole notebook) in one submission."""
    kind: str  # source | release | alone | mutant | variant | cheat
    exercise: str  # "" for whole-notebook probes
    description: str
    submission: int  # index into the plan's submissions

    @property
    def id(self):
        return "-".join(p for p in (self.kind, self.exercise, self.description) if p)


@dataclass
class Plan:
    assignment: object
    source_nb: object
    submissions: list = field(default_factory=list)  # notebooks to grade
    probes: list = field(default_factory=list)


def catalog_path(assignment_id):
    return CATALOG_DIR / f"catalog_{assignment_id}.py"


def load_catalog(assignment_id, path=None):
    path = Path(path or catalog_path(assignment_id))
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: add the lesson's catalog (course/AUTHORING.md)")
    data = runpy.run_path(str(path))
    if data.get("ASSIGNMENT") != assignment_id:
        raise ValueError(f"{path}: ASSIGNMENT is {data.get('ASSIGNMENT')!r}, expected {assignment_id!r}")
    return {key: data.get(key, {}) for key in ("MUTANTS", "VARIANTS", "CHEATS")}


def catalog_problems(catalog, exercises):
    """What the catalog lacks (AUTHORING.md: >= 2 mutants and >= 1 variant per exercise)."""
    problems = []
    for kind, entries in catalog.items():
        problems += [f"{kind} names {ex!r}, which is not an exercise of the notebook ({', '.join(exercises)})"
                     for ex in entries if ex not in exercises]
    for ex in exercises:
        if len(catalog["MUTANTS"].get(ex, [])) < 2:
            problems.append(f"exercise {ex!r} has {len(catalog['MUTANTS'].get(ex, []))} mutants; at least 2 needed")
        if len(catalog["VARIANTS"].get(ex, [])) < 1:
            problems.append(f"exercise {ex!r} has no correct variant; at least 1 needed")
    return problems


def _rounds(entries):
    """Round r: {exercise: (description, source)} of every exercise's r-th entry."""
    depth = max((len(v) for v in entries.values()), default=0)
    return [{ex: v[r] for ex, v in entries.items() if r < len(v)} for r in range(depth)]


def make_plan(assignment, catalog):
    source_nb = notebooks.read(assignment.source_notebook)
    release_nb = release_notebook(source_nb)
    exercises = list(notebooks.exercise_points(source_nb))
    plan = Plan(assignment, source_nb)

    def add(nb, probes):
        plan.submissions.append(nb)
        plan.probes += [Probe(kind, ex, desc, len(plan.submissions) - 1) for kind, ex, desc in probes]

    add(source_nb, [("source", "", "")])
    add(release_nb, [("release", "", "")])
    for ex in exercises:
        add(notebooks.fill_solutions(release_nb, source_nb, skip=set(exercises) - {ex}), [("alone", ex, "")])
    wrong = {ex: [("mutant", d, s) for d, s in catalog["MUTANTS"].get(ex, [])]
             + [("cheat", d, s) for d, s in catalog["CHEATS"].get(ex, [])] for ex in exercises}
    right = {ex: [("variant", d, s) for d, s in catalog["VARIANTS"].get(ex, [])] for ex in exercises}
    for entries in (wrong, right):
        for round_ in _rounds(entries):
            nb = notebooks.fill_solutions(release_nb, source_nb, answers={ex: s for ex, (_, _, s) in round_.items()})
            add(nb, [(kind, ex, desc) for ex, (kind, desc, _) in round_.items()])
    return plan


def grade_plans(plans, workers=None):
    """Each plan's Results, all graded in one pool (no core idles between assignments), each
    plan among a copy of its assignment's files."""
    works = [Path(tempfile.mkdtemp(prefix=f"validity_{plan.assignment.id}_")) for plan in plans]
    try:
        jobs = []
        for plan, work in zip(plans, works):
            shutil.copytree(plan.assignment.source_dir, work, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(plan.assignment.source_notebook.name))
            graded = reference.prepare(plan.assignment.source_notebook, plan.assignment.time_limit, work,
                                       plan.assignment.id, check_stripping=False)
            jobs += [Job(graded, nb) for nb in plan.submissions]
        results = pool.grade_many(jobs, workers)
    finally:
        for work in works:
            shutil.rmtree(work, ignore_errors=True)
    ends = list(accumulate(len(plan.submissions) for plan in plans))
    return [results[end - len(plan.submissions):end] for plan, end in zip(plans, ends)]


def _reference(assignment):
    """Compute (and cache on disk) the assignment's reference; the error that stops it, or None."""
    try:
        reference.prepare(assignment.source_notebook, assignment.time_limit, assignment.source_dir,
                          assignment.id, check_stripping=False)
    except reference.ReferenceFailed as err:
        return err
    return None


def compute_references(assignments, workers=None):
    """{assignment id: the error that stops its reference} for those whose source fails; the
    others' references computed `workers` at a time (one kernel each, in parallel, where
    grade_many would run them one after another) into the reference cache grading reads."""
    with ProcessPoolExecutor(workers or default_workers(), mp_context=get_context("spawn")) as pool:
        errors = dict(zip((a.id for a in assignments), pool.map(_reference, assignments)))
    return {aid: err for aid, err in errors.items() if err is not None}


def _messages(result, exercise=None):
    return "; ".join(f"{c.grade_id}: {c.outcome} {c.message[:300]}".strip()
                     for c in result.cells if c.outcome != "passed" and exercise in (None, c.exercise))


def check(probe, result, wrong_in_submission=()):
    """Problems with ``probe`` given its submission's ``result`` ([] when it holds).

    ``wrong_in_submission``: the exercises that hold a wrong answer in the same submission
    (a round), which are exempt from "no other exercise loses points".
    """
    ex = result.exercises()
    # the audit flags an answer that uses nnref's implementation: a cheat's expected fate
    allowed = {USES_REFERENCE} if probe.kind == "cheat" else set()
    if any(why not in allowed for why, _ in result.flags):
        return [f"submission flagged: {result.reason}"]
    if probe.kind == "source":
        return [f"the source notebook loses points: {_messages(result)}"] if result.score != result.max_score else []
    if probe.kind == "release":
        loud = [c for c in result.cells if c.points or c.outcome != "not answered"]
        return [f"the untouched release: {c.grade_id} is {c.outcome} ({c.points:g} points), expected "
                f"NotImplementedError only: {c.message[:300]}" for c in loud]
    got, top = ex[probe.exercise]
    if probe.kind in ("alone", "variant") and got != top:
        what = "solved alone" if probe.kind == "alone" else f"correct variant '{probe.description}'"
        return [f"{probe.exercise} {what} earns {got:g}/{top:g}: {_messages(result, probe.exercise)}"]
    if probe.kind == "mutant" and got >= top:
        return [f"mutant '{probe.description}' of {probe.exercise} keeps all {top:g} points"]
    if probe.kind == "cheat" and got > 0:
        return [f"cheat '{probe.description}' earns {got:g}/{top:g} on {probe.exercise}: the tests that "
                f"passed do not guard against calling nnref"]
    if probe.kind in ("mutant", "cheat"):
        return [f"{probe.kind} '{probe.description}' of {probe.exercise} costs {other} points too: "
                f"{_messages(result, other)}"
                for other, (g, t) in ex.items() if other not in wrong_in_submission and g != t]
    return []


def _check_all(plan, results):
    wrong = {}
    for probe in plan.probes:
        if probe.kind in ("mutant", "cheat"):
            wrong.setdefault(probe.submission, set()).add(probe.exercise)
    return [check(probe, results[probe.submission], wrong.get(probe.submission, ())) for probe in plan.probes]


def run(plan, workers=None):
    """[problems] for every probe of the plan, in the plan's order."""
    return _check_all(plan, grade_plans([plan], workers)[0])


def run_many(plans, workers=None):
    """{assignment id: [problems] per probe, or the exception that stopped its grading}: the
    references computed in parallel, then every plan's submissions graded in one pool."""
    outcome = compute_references([plan.assignment for plan in plans], workers)
    ready = [plan for plan in plans if plan.assignment.id not in outcome]
    try:
        outcome.update({plan.assignment.id: _check_all(plan, results)
                        for plan, results in zip(ready, grade_plans(ready, workers))})
    except reference.ReferenceFailed:  # one source's stripping failed: grade each alone to say which
        for plan in ready:
            try:
                outcome[plan.assignment.id] = run(plan, workers)
            except Exception as err:
                outcome[plan.assignment.id] = err
    return outcome
