"""The course's grading is valid (course/ARCHITECTURE.md): every assignment in course/course.toml, every probe.

A failure names the assignment, the kind of probe (source, release, alone, mutant, variant,
cheat), the exercise and the catalog entry's description.
"""
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.course import load_course
from autograder.release import check_release
from validity import harness

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course(ROOT)


def _plans():
    plans = {}
    for a in COURSE.assignments:
        try:
            plans[a.id] = harness.make_plan(a, harness.load_catalog(a.id))
        except (OSError, ValueError, SyntaxError):
            continue  # test_assignment_is_complete says what is missing
    return plans


PLANS = _plans()
_RESULTS = {}


@pytest.fixture(scope="session")
def selected(request):
    """The assignments whose probes this session runs (all, or those `-k` leaves)."""
    return {item.callspec.params["assignment_id"] for item in request.session.items
            if "assignment_id" in getattr(getattr(item, "callspec", None), "params", {})}


def _problems(assignment_id, selected):
    if assignment_id not in _RESULTS:  # all selected at once: one pool keeps both cores busy
        plans = [plan for aid, plan in PLANS.items() if aid in selected and aid not in _RESULTS]
        try:
            _RESULTS.update(harness.run_many(plans))
        except Exception as err:  # kept: every probe reports it without grading again
            _RESULTS.update({plan.assignment.id: err for plan in plans})
    if isinstance(_RESULTS[assignment_id], Exception):
        raise _RESULTS[assignment_id]
    return _RESULTS[assignment_id]


@pytest.mark.parametrize("assignment", COURSE.assignments, ids=lambda a: a.id)
def test_assignment_is_complete(assignment):
    """A source notebook, a release that matches it (`nncourse release --check`), a full catalog."""
    assert assignment.source_notebook.is_file(), (
        f"{assignment.source_notebook} is missing: write the lesson or remove it from course/course.toml")
    assert check_release(assignment) == [], "run `nncourse release` and commit release/"
    catalog = harness.load_catalog(assignment.id)
    exercises = list(notebooks.exercise_points(notebooks.read(assignment.source_notebook)))
    assert exercises, f"{assignment.source_notebook} has no autograded test cells"
    assert harness.catalog_problems(catalog, exercises) == []


@pytest.mark.parametrize("assignment_id,index", [(a, i) for a, plan in PLANS.items() for i in range(len(plan.probes))],
                         ids=[f"{a}-{p.id}" for a, plan in PLANS.items() for p in plan.probes])
def test_probe(assignment_id, index, selected):
    assert _problems(assignment_id, selected)[index] == []


@pytest.mark.parametrize("assignment_id", list(PLANS))
def test_misconception_matcher(assignment_id, selected):
    """On the probes' own grading run: every mutant that loses points is named by its own
    description, or by another's with the very same values on every check (which no matcher can
    tell apart), or loses them by an error with no wrong value (which the matcher never names:
    the values do not show it), or has values that change from run to run (its graded values
    unlike its own catalog run's: fresh random draws, numpy's global random state, a round-mate
    it calls; no catalog can hold a student's); no correct variant is told it has a misconception
    (harness.name_mutants)."""
    _problems(assignment_id, selected)
    naming = harness.NAMING[assignment_id]
    print(f"{assignment_id}: {naming}")
    assert naming.mutants and not naming.missed and not naming.false_matches, str(naming)


@pytest.mark.parametrize("assignment_id", list(PLANS))
def test_every_test_cell_is_audited(assignment_id, selected):
    """Every graded test cell runs again in the audit with nnref's implementations withheld
    (course/AUTHORING.md, "Every test cell is audited"), but those the catalog's UNAUDITED names
    with a reason: cells whose exercise no function or class of nnref's could answer."""
    _problems(assignment_id, selected)
    graded = PLANS[assignment_id].graded[0]
    unaudited = PLANS[assignment_id].catalog.get("UNAUDITED", {})
    tests = [t.grade_id for t in graded.tests]
    audited = set(graded.reference["auditable"])
    print(f"{assignment_id}: audit coverage {len(audited)}/{len(tests)}"
          + (f" ({len(unaudited)} with nothing of nnref's to withhold)" if unaudited else ""))
    wrong = [gid for gid in unaudited if graded.reference["guarded"].get(gid) or not unaudited[gid]]
    assert not wrong, f"UNAUDITED names cells that withhold something, or gives no reason: {wrong}"
    missing = [gid for gid in tests if gid not in audited and gid not in unaudited]
    assert missing == [], (
        f"test cells the audit does not run again: {missing}. Usual cause: the cell calls nnref's "
        f"implementation of an exercise to build an input (it fails with it withheld), or withholds "
        f"nothing (no `with without_reference(...)` around the student's call)")


@pytest.mark.parametrize("assignment_id", list(PLANS))
def test_the_observed_catalog_judges_as_grading_does(assignment_id, selected):
    """(g): the observed catalog's runs keep only the test cells and what they need
    (pipeline.trim); each mutant's test cells get the same verdict from the values seen there as
    from the values its round's notebook sent when it was graded (variant 0), so the other
    variants' probes, judged on such runs, stand for graded notebooks."""
    _problems(assignment_id, selected)
    differ = PLANS[assignment_id].unlike_whole
    assert differ == [], (
        f"mutants judged otherwise on their catalog run than on their graded notebook (test cell, graded, "
        f"catalog run): {differ}. Usual cause: a cell of the lesson's own that a test depends on without a "
        f"name the analysis sees (a global random seed, a setting changed in place): make the test build "
        f"its own inputs")
