"""Misconceptions named: a failing exercise whose values match a catalogued wrong answer's.

Once per assignment (with the reference, cached under the source's key and the catalog's
hash), every mutant of the lesson's catalog (course/catalogs/, autograder/catalog.py) runs
through the same test cells as a student's notebook, and the values its checks reported are
kept (autograder/observed_catalog.py). ``name`` compares each failing exercise's observations
with each mutant's of that exercise, check by check, with the checks' own rules and tolerances
(the reference run declared them, autograder/observations.py): the student's value against the
mutant's in place of the expected one. A mutant matches only if
every check of every test cell of the exercise agrees, and at least one of those checks is
one the mutant fails (so the values show the mistake); several matching: the closest (the
smallest summed relative distance) is named. No match, no claim: the feedback then says
nothing more than the tests' messages. `nncourse validate` does the same on the visible
checks its self-check ran (``name_visible``).

Grading a class, ``name`` runs after the class is graded, once per student with a failed
exercise, against the observed catalog of that student's variant of the hidden tests: a
catalog is made only for the variants in which somebody failed (autograder/grading.py).
"""
import numpy as np

from . import notebooks
from nnref import checks
from nnref.observations import decode

RULED = ("close", "rel_error", "equal", "shape")  # kinds whose rule compares a value with another


def _distance(got, other):
    """How far apart two values that a rule found alike are (0 for equal ones), to rank matches."""
    try:
        a, b = np.asarray(got, dtype=float), np.asarray(other, dtype=float)
        if a.shape != b.shape:
            return 0.0
        with np.errstate(all="ignore"):
            d = np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)
        return float(np.nansum(d))
    except (TypeError, ValueError):
        return 0.0


def agreement(student, mutant, reference, first=False):
    """How ``student``'s observations of one test cell agree with ``mutant``'s, every check by its
    rule (``reference``: the cell's reference observations, which declare the rules; where an
    answer's checks run otherwise than the reference's, a check there agrees only with the very
    same values): None if a check disagrees, else (distance, checks compared, checks where the
    mutant's value is wrong).
    ``first``: compare only the student's observations with the mutant's first ones (a
    self-check stops at its first failing check, and runs no hidden test)."""
    if first:
        mutant = mutant[:len(student)]
    if len(student) != len(mutant):
        return None
    total, wrong = 0.0, 0
    for index, (mine, theirs) in enumerate(zip(student, mutant)):
        ref = reference[index] if index < len(reference) else {}
        if mine.get("kind") != theirs.get("kind"):
            return None
        if mine.get("kind") != ref.get("kind"):  # a check the reference did not make here: the very same values
            if (mine.get("got"), mine.get("expected")) != (theirs.get("got"), theirs.get("expected")):
                return None
            continue
        expected = ref.get("expected")
        wrong += _fails(ref, theirs.get("got"), expected)
        if mine.get("got") == theirs.get("got"):  # the very same value (NaN included)
            continue
        if _verdict(ref, mine.get("got"), theirs.get("got")) is not None:
            return None
        total += _distance(decode(mine.get("got")), decode(theirs.get("got")))
    return total, len(student), wrong


def _fails(ref, got, expected):
    """The value ``got`` fails ``ref``'s check (its own rule, whatever its kind)."""
    try:
        return checks.verdict(ref["kind"], decode(got), decode(expected), ref.get("declared", {})) is not None
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        return True


def _verdict(ref, got, other):
    """None when the encoded values ``got`` and ``other`` agree by ``ref``'s rule, else why not.
    A check whose rule compares with no other value (a structure, a bound, two of the answer's
    own values) agrees where it decides the same for both, with the same message for a structure."""
    declared = ref.get("declared", {})
    if ref["kind"] not in RULED:
        verdicts = [checks.verdict(ref["kind"], decode(v), decode(ref.get("expected")), declared) for v in (got, other)]
        same = verdicts[0] == verdicts[1] if ref["kind"] == "structure" else (verdicts[0] is None) == (verdicts[1] is None)
        return None if same else "differ"
    try:
        other = decode(other)
        if declared.get("of"):  # the rule compares the statistic of each
            other = checks.STATISTICS[declared["of"]](other)
        return checks.verdict(ref["kind"], decode(got), other, declared)
    except (ValueError, TypeError, ArithmeticError, RecursionError) as err:
        return type(err).__name__


def closest(exercise, observed, entries, reference, parts=None):
    """The description of the catalogued mutant of ``exercise`` whose observations match
    ``observed`` ({grade id: observations}) on every check compared, the closest of several; or
    None. A match needs at least one check where the mutant's value is wrong: the values must
    show the misconception, not only what right and wrong answers share. ``parts``: {grade id:
    all | first | none}, how much of each cell a self-check saw (``visible_parts``); default all."""
    best = None
    for entry in entries:
        if entry["exercise"] != exercise:
            continue
        total, wrong = 0.0, 0
        for gid, theirs in entry["cells"].items():
            how = (parts or {}).get(gid, "all")
            if how == "none":
                continue
            found = agreement(observed.get(gid, []), theirs, reference.get(gid, []), first=how == "first")
            if found is None:
                break
            total, wrong = total + found[0], wrong + found[2]
        else:
            if wrong and (best is None or total < best[0]):
                best = (total, entry["description"])
    return best and best[1]


def visible_parts(plan):
    """{grade id: how a self-check's observations of the cell line up with a mutant's}: "first"
    (the visible checks, before any hidden test: a hidden block must end the cell), or "none"
    (only hidden tests, or a hidden block with visible checks after it)."""
    parts = {}
    for test in plan.tests:
        body = test.source.strip()
        hidden_at_end = body.count(notebooks.HIDDEN_BEGIN) == 1 and body.endswith(notebooks.HIDDEN_END)
        visible = not body.startswith(notebooks.HIDDEN_BEGIN)
        parts[test.grade_id] = "first" if visible and (notebooks.HIDDEN_BEGIN not in body or hidden_at_end) else "none"
    return parts


def name(result, plan, parts=None):
    """The failed exercises of ``result`` whose values match a mutant of ``plan``'s observed
    catalog (of the variant the result was graded in), named in result.misconceptions.
    ``parts``: ``visible_parts`` for a self-check, which saw the visible tests only."""
    for exercise in dict.fromkeys(c.exercise for c in result.cells if c.outcome == "failed"):
        found = closest(exercise, result.observed, plan.catalog or [], plan.reference["cells"], parts)
        if found:
            result.misconceptions[exercise] = found


def name_visible(result, plan):
    """`nncourse validate`: ``name`` on a self-check's result, on the visible checks it ran."""
    name(result, plan, visible_parts(plan))
