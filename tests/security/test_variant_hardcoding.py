"""Issue #28's hard-coding student: answers that return the values of one variant's hidden
tests, read from a classmate's grading, earn nothing on the hidden tests of any other variant
(and do earn them in that variant: the attack is real, variants are what stops it).

The classmate (variant 0) answered affine_forward rightly; the values their hidden tests
checked are in the grader's record of their notebook (observed/<id>/<student>.json, the raw
values the checks reported: what a leaked graded notebook or a classmate's notes would give).
The hard-coder returns those values, call after call, in the order the tests ask for them.
"""
import json
import os
from pathlib import Path

from autograder import notebooks, variants
from nnref.observations import decode
from autograder.cli import main
from autograder.course import load_course

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "02_forward_pass"
EXERCISE = "affine_forward"
HIDDEN = "test_affine_forward__hidden"

HARD_CODED = '''import numpy as np

_RECORDED = {recorded!r}
_calls = []

def affine_forward(x, w, b):
    dtype, values = _RECORDED[len(_calls) % len(_RECORDED)]
    _calls.append(1)
    return np.array(values, dtype=dtype), (x, w)
'''


def only(answer=None):
    """The release with affine_forward answered by ``answer`` (default: the source's solution)
    and nothing else."""
    source = notebooks.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    release = notebooks.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    others = set(notebooks.exercise_points(source)) - {EXERCISE}
    return notebooks.fill_solutions(release, source, answers={EXERCISE: answer} if answer else None, skip=others)


def students_in(count, wanted):
    """A student id for each variant in ``wanted``, under the suite's secret (tests/conftest.py)."""
    key = os.environ[variants.SECRET_VARIABLE].encode()
    found = {}
    for i in range(1000):
        number = variants.variant_of(key, ASSIGNMENT, f"s{i}", count)
        if number in wanted:
            found.setdefault(number, f"s{i}")
    return found


def grade(tmp, students):
    inbox, workspace = tmp / "inbox", tmp / "workspace"
    inbox.mkdir(parents=True)
    for student, nb in students.items():
        (inbox / f"{student}.ipynb").write_text(notebooks.dumps(nb), encoding="utf-8")
    main(["--root", str(ROOT), "grade", str(inbox), "--assignment", ASSIGNMENT, "--workspace", str(workspace)])
    return workspace


def outcome(workspace, student):
    observed = json.loads((workspace / "observed" / ASSIGNMENT / f"{student}.json").read_text())
    return observed["variant"], {gid: cell["outcome"] for gid, cell in observed["cells"].items()}


def test_values_copied_from_one_variant_earn_nothing_in_another(tmp_path):
    count = load_course(ROOT).get(ASSIGNMENT).variants
    assert count > 1, "the course gives lesson 02 one variant: nothing to test"
    names = students_in(count, {0, 1, count - 1})
    classmate = grade(tmp_path / "first", {names[0]: only()})
    observed = json.loads((classmate / "observed" / ASSIGNMENT / f"{names[0]}.json").read_text())
    # each call's output is the value of the first check after it, a check_close
    recorded = [(str(out.dtype), out.tolist()) for gid in ("test_affine_forward", HIDDEN)
                for out in (decode(o["got"]) for o in observed["cells"][gid]["observations"] if o["kind"] == "close")]
    assert len(recorded) > 2, f"the classmate's record holds no values: {observed['cells'][HIDDEN]}"

    hard_coded = only(HARD_CODED.format(recorded=recorded))
    workspace = grade(tmp_path / "second", {names[0]: hard_coded, names[1]: hard_coded,
                                            names[count - 1]: hard_coded, "honest": only()})
    variant, cells = outcome(workspace, names[0])
    assert variant == 0 and cells[HIDDEN] == "passed", (
        f"in the classmate's variant the copied values should pass (else this test proves nothing): {cells}")
    for student in (names[1], names[count - 1]):
        variant, cells = outcome(workspace, student)
        assert variant != 0 and cells[HIDDEN] == "failed", (
            f"variant {variant}: values copied from variant 0 {cells[HIDDEN]} the hidden test")
        assert cells["test_affine_forward"] == "passed", "the visible tests are everyone's: the copy passes them"
    variant, cells = outcome(workspace, "honest")
    assert cells[HIDDEN] == "passed", f"a right answer in variant {variant}: {cells}"
