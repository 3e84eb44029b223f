"""The validity harness itself, on the fixture assignment: it passes a fair catalog and
catches an unfair one (a "mutant" that is correct, a "variant" that is wrong, a cheat the
tests let through)."""
import copy

import pytest

from autograder import notebooks, reference
from validity import harness

from fixtures.classroom import ASSIGNMENT, FIXTURE, copy_course, write

CATALOG = FIXTURE / "course" / "catalogs" / f"catalog_{ASSIGNMENT}.py"
CORRECT_BIAS = "def add_bias(x, b):\n    return b + x\n"
WRONG_RELERR = "def relative_error(a, b):\n    return 0.5\n"
CHEAT_BIAS = "from nnref.checks import rel_error\n\ndef add_bias(x, b):\n    rel_error(x, x)\n    return x + b\n"


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("harness"))
    catalog = copy.deepcopy(harness.load_catalog(ASSIGNMENT, CATALOG))
    catalog["MUTANTS"]["add_bias"].append(("secretly correct", CORRECT_BIAS))
    catalog["VARIANTS"]["relative_error"].append(("secretly wrong", WRONG_RELERR))
    catalog["CHEATS"]["add_bias"] = [("calls nnref but add_bias's tests do not guard it", CHEAT_BIAS)]
    plan = harness.make_plan(course.get(ASSIGNMENT), catalog)
    return plan, dict(zip((p.id for p in plan.probes), harness.run(plan, workers=2)))


def test_rounds_batch_the_catalog(outcome):
    plan, _ = outcome
    # graded: the source in variants 0 and 1; release, 4 wrong rounds (add_bias: 3 mutants + 1
    # cheat) and 2 variant rounds in variant 0
    assert len(plan.submissions) == 2 + 1 + 4 + 2
    kinds = sorted({p.kind for p in plan.probes})
    assert kinds == ["alone", "cheat", "mutant", "release", "source", "variant"]
    assert sorted({p.variant for p in plan.probes if p.kind in ("source", "mutant", "variant")}) == [0, 1]
    assert {p.variant for p in plan.probes if p.kind in ("release", "alone", "cheat")} == {0}
    # variant 1's mutants and correct variants are judged on the observed catalog's runs, each
    # exercise alone on a run of its own tests: not graded whole
    assert all((p.submission is None) == (p.variant == 1 and p.kind != "source" or p.kind == "alone")
               for p in plan.probes)
    catalog = plan.catalog
    assert sum(1 for p in plan.probes if p.submission is None) == 2 + sum(
        len(entries) for key in ("MUTANTS", "VARIANTS") for entries in catalog[key].values())
    assert sorted(plan.alone) == ["add_bias", "relative_error"]
    # the second right round holds relative_error's planted variant alone: add_bias stays as
    # released (its probes judge their own exercise only); every wrong round keeps the others'
    # source answers, which must keep their points
    release = plan.submissions[2][0]
    stub = {notebooks.grade_id(c): c.source for c in notebooks.solution_cells(release)}
    def unanswered(nb):
        return {ex for ex, code in ((notebooks.grade_id(c), c.source) for c in notebooks.solution_cells(nb))
                if code == stub[ex]}
    assert [unanswered(nb) for nb, _ in plan.submissions[3:]] == [set()] * 5 + [{"add_bias"}]


def test_a_fair_catalog_passes(outcome):
    _, problems = outcome
    planted = {"mutant-add_bias-secretly correct", "variant-relative_error-secretly wrong",
               "cheat-add_bias-calls nnref but add_bias's tests do not guard it"}
    assert {k: v for k, v in problems.items() if v and k.removesuffix("-variant1") not in planted} == {}
    assert problems["cheat-relative_error-calls nnref.checks.rel_error"] == []


def test_unfair_entries_are_named(outcome):
    _, problems = outcome
    assert problems["mutant-add_bias-secretly correct"] == ["mutant 'secretly correct' of add_bias keeps all 3 points"]
    assert problems["mutant-add_bias-secretly correct-variant1"] == [
        "mutant 'secretly correct' of add_bias passes every test in variant 1"]
    assert "correct variant 'secretly wrong' earns 0/2" in problems["variant-relative_error-secretly wrong"][0]
    assert problems["variant-relative_error-secretly wrong-variant1"][0].startswith(
        "correct variant 'secretly wrong' of relative_error fails in variant 1: test_relative_error")
    assert "earns 3/3 on add_bias" in problems["cheat-add_bias-calls nnref but add_bias's tests do not guard it"][0]


def test_catalog_requirements():
    catalog = harness.load_catalog(ASSIGNMENT, CATALOG)
    assert harness.catalog_problems(catalog, ["add_bias", "relative_error"]) == []
    thin = copy.deepcopy(catalog)
    thin["MUTANTS"]["add_bias"].pop()
    del thin["VARIANTS"]["relative_error"]
    thin["CHEATS"]["softmax"] = []
    assert harness.catalog_problems(thin, ["add_bias", "relative_error"]) == [
        "CHEATS names 'softmax', which is not an exercise of the notebook (add_bias, relative_error)",
        "exercise 'add_bias' has 1 mutants; at least 2 needed",
        "exercise 'relative_error' has no correct variant; at least 1 needed"]


def test_an_exercise_whose_tests_need_another_answer_is_not_independent(tmp_path):
    """Independence, on a lesson that lacks it: relative_error's test calls add_bias, so solved
    alone (add_bias as released) relative_error earns nothing, and the harness says so."""
    course = copy_course(tmp_path)
    assignment = course.get(ASSIGNMENT)
    source = notebooks.read(assignment.source_notebook)
    test = next(c for c in source.cells if notebooks.grade_id(c) == "test_relative_error")
    test.source = "shifted = add_bias(np.zeros((1, 1)), np.ones(1))\n" + test.source
    write(source, assignment.source_notebook)
    graded = reference.prepare(assignment.source_notebook, assignment.time_limit, assignment.source_dir,
                               ASSIGNMENT, check_stripping=False, catalog=False)
    problems = {ex: harness.check(harness.Probe("alone", ex, "", None), harness.run_alone(graded, ex))
                for ex in ("add_bias", "relative_error")}
    assert problems["add_bias"] == []
    assert problems["relative_error"] and problems["relative_error"][0].startswith(
        "relative_error solved alone earns 0/"), problems
    assert "test_relative_error: not answered" in problems["relative_error"][0], problems
