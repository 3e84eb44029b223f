"""Per-student variants of the hidden tests (nnref/variants.py, autograder/variants.py): which
variant a student gets, the secret behind it, the course's setting, and a class graded with
them (the end-to-end class: every student in their own variant, recorded in grades.csv, the
observed values and the gradebook)."""
import os
import stat
from collections import Counter

import numpy as np
import pytest

from autograder import notebooks, variants
from autograder.course import CourseError, load_course
from autograder.errors import GradeError
from autograder.kernel import KernelSpec, kernel_env
from autograder.sandbox import kernel_settings
from nnref.variants import VARIANT_VARIABLE, variant, variant_rng

from fixtures.classroom import ASSIGNMENT, FIXTURE, copy_course, write

KEY = b"a secret of more than sixteen characters"


def test_variant_0_draws_what_the_seed_alone_draws(monkeypatch):
    """The release, the self-check and stock nbgrader run variant 0: the hidden tests' inputs
    there are np.random.default_rng(seed)'s, as before variants existed."""
    monkeypatch.delenv(VARIANT_VARIABLE, raising=False)
    assert variant() == 0
    assert np.array_equal(variant_rng(20).normal(size=5), np.random.default_rng(20).normal(size=5))


def test_each_variant_draws_its_own_inputs_the_same_every_time(monkeypatch):
    draws = {}
    for number in (1, 2, 7):
        monkeypatch.setenv(VARIANT_VARIABLE, str(number))
        assert variant() == number
        draws[number] = variant_rng(20).normal(size=5)
        assert np.array_equal(variant_rng(20).normal(size=5), draws[number]), "a variant's inputs must not change"
    monkeypatch.setenv(VARIANT_VARIABLE, "0")
    draws[0] = variant_rng(20).normal(size=5)
    assert len({d.tobytes() for d in draws.values()}) == 4, "two variants drew the same inputs"


def test_a_value_that_is_not_a_variant_means_variant_0(monkeypatch):
    for text in ("", "-1", "two", "1.5", "\u00b2"):  # "²" is a digit to str.isdigit, not to int()
        monkeypatch.setenv(VARIANT_VARIABLE, text)
        assert variant() == 0, text


def test_a_student_keeps_their_variant_and_the_class_spreads_over_all():
    students = [f"s{i:03d}" for i in range(400)]
    chosen = [variants.variant_of(KEY, "02_forward_pass", s, 8) for s in students]
    assert chosen == [variants.variant_of(KEY, "02_forward_pass", s, 8) for s in students]
    counts = Counter(chosen)
    assert sorted(counts) == list(range(8)), counts
    assert max(counts.values()) < 2 * 400 / 8, f"the variants are far from even: {counts}"


def test_another_secret_or_assignment_gives_other_variants():
    students = [f"s{i:03d}" for i in range(200)]
    first = [variants.variant_of(KEY, "02_forward_pass", s, 8) for s in students]
    rotated = [variants.variant_of(KEY + b"!", "02_forward_pass", s, 8) for s in students]
    other = [variants.variant_of(KEY, "03_softmax_cross_entropy", s, 8) for s in students]
    # by chance 1 in 8 stay the same: a secret or assignment that changed nothing would keep all
    assert sum(a == b for a, b in zip(first, rotated)) < 60
    assert sum(a == b for a, b in zip(first, other)) < 60


def test_one_variant_means_everyone_runs_variant_0():
    assert {variants.variant_of(KEY, "a", f"s{i}", 1) for i in range(50)} == {0}


def test_the_secret_is_made_once_in_the_workspace_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(variants.SECRET_VARIABLE, raising=False)
    made = variants.secret(tmp_path)
    path = tmp_path / variants.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(made) >= 32 and variants.secret(tmp_path) == made, "a second grading must use the same secret"
    monkeypatch.setenv(variants.SECRET_VARIABLE, "the environment's secret, which wins")
    assert variants.secret(tmp_path) == b"the environment's secret, which wins"


def test_a_short_secret_is_refused_with_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(variants.SECRET_VARIABLE, "short")
    with pytest.raises(GradeError, match=r"has 5 characters; it needs at least 16.*secrets.token_hex"):
        variants.secret(tmp_path)
    monkeypatch.delenv(variants.SECRET_VARIABLE)
    (tmp_path / variants.SECRET_FILE).write_text("abc\n")
    with pytest.raises(GradeError, match=variants.SECRET_FILE):
        variants.secret(tmp_path)


def test_no_kernel_sees_the_secret_nor_starts_with_a_variant(monkeypatch):
    """The variant is set before the notebook's first cell, not at start: a kernel started ahead
    serves a notebook of any variant (the end-to-end class below proves each is graded in its own)."""
    monkeypatch.setenv(variants.SECRET_VARIABLE, KEY.decode())
    monkeypatch.setenv(VARIANT_VARIABLE, "4")  # a grader's shell that has one: no kernel starts with it
    env = kernel_env(KernelSpec(10, observe="student", variant=5))
    assert variants.SECRET_VARIABLE not in env and VARIANT_VARIABLE not in env
    # the sandbox starts a kernel with --clearenv and these settings alone
    settings = kernel_settings(1, "student")
    assert VARIANT_VARIABLE not in settings and variants.SECRET_VARIABLE not in settings
    assert KernelSpec(10, variant=5).at_start() == KernelSpec(10, variant=2).at_start() != KernelSpec(11).at_start()


def _course(tmp_path, text):
    (tmp_path / "course").mkdir(parents=True)
    (tmp_path / "course" / "course.toml").write_text(text, encoding="utf-8")
    return tmp_path


ASSIGNMENTS = ('[[assignments]]\nid = "a"\ntitle = "A"\ntime_limit = 10\n\n'
               '[[assignments]]\nid = "b"\ntitle = "B"\ntime_limit = 10\nvariants = 2\n')


def test_course_toml_declares_the_variants_per_course_and_per_assignment(tmp_path):
    course = load_course(_course(tmp_path, '[course]\nname = "C"\nvariants = 8\n\n' + ASSIGNMENTS))
    assert [a.variants for a in course.assignments] == [8, 2]
    assert [a.variants for a in load_course(_course(tmp_path / "x", ASSIGNMENTS)).assignments] == [1, 2]
    assert {a.variants for a in load_course(os.path.dirname(os.path.dirname(__file__))).assignments} == {8}


@pytest.mark.parametrize("value", ["0", "1.5", '"8"', "true", "1000"])
def test_a_bad_number_of_variants_names_the_line_and_the_range(tmp_path, value):
    with pytest.raises(CourseError, match=r"course.toml, line 3: variants of \[course\] must be a whole number "
                                          r"from 1 .* to 64"):
        load_course(_course(tmp_path, f'[course]\nname = "C"\nvariants = {value}\n\n' + ASSIGNMENTS))


def test_a_failure_naming_misconceptions_flags_that_notebook_alone():
    """Naming runs after the class is graded, outside the pipeline's steps: an error there (here
    a variant's reference without its cells) flags the one notebook it happened in."""
    from types import SimpleNamespace

    from autograder.grading import name_misconceptions
    from autograder.plan import make_plan
    from autograder.results import GRADER_ERROR, CellResult, Result

    source = notebooks.read(FIXTURE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")  # no catalog run
    plans = {0: make_plan(source, 10), 2: make_plan(source, 10)}
    plans[0].reference, plans[2].reference = {"cells": {}}, {}
    failed = lambda: Result([CellResult("test_add_bias", "add_bias", 3.0, 0.0, "failed")])  # noqa: E731
    results = {"a": failed(), "b": failed(), "c": Result([CellResult("test_add_bias", "add_bias", 3.0, 3.0, "passed")])}
    name_misconceptions(SimpleNamespace(source_notebook=source), plans, {"a": 0, "b": 2, "c": 2}, results,
                        sandbox=False, progress=False)
    assert results["a"].flags == [] and results["c"].flags == []
    assert results["b"].flags == [(GRADER_ERROR, "while naming misconceptions: KeyError: 'cells'")]


def test_a_test_without_hidden_lines_that_draws_from_the_variant_stops_grading(tmp_path):
    """A variant's reference runs only the cells that hold hidden tests: the others' inputs do not
    change with the variant, so their values are variant 0's. A test without hidden lines that
    draws from the variant anyway would fail honest students of that variant: the stripping
    check in that variant, which runs every cell, stops grading and names the cell."""
    from autograder import reference

    course = copy_course(tmp_path)
    assignment = course.get(ASSIGNMENT)
    nb = notebooks.read(assignment.source_notebook)
    cell = next(c for c in nb.cells if notebooks.grade_id(c) == "test_add_bias")
    cell.source = ("from nnref.variants import variant_rng\n"
                   "x, b = variant_rng(1).normal(size=(2, 3)), np.array([1.0, 2.0, 3.0])\n"
                   "check_close(add_bias(x, b), x + b, 'add_bias output')\n")
    write(nb, assignment.source_notebook)
    prepare = lambda variant: reference.prepare(assignment.source_notebook, 60, assignment.source_dir,
                                                assignment.id, catalog=False, variant=variant)
    assert prepare(0).reference["stripping"] == "checked"  # the source passes its own tests in variant 0
    with pytest.raises(reference.ReferenceFailed) as failed:
        prepare(2)
    assert "test_add_bias" in str(failed.value) and "variant" in str(failed.value), failed.value


def test_a_job_that_grades_the_source_as_the_check_does_serves_as_the_stripping_check():
    """pool._stripping_runs: in a variant other than 0 the stripping check grades the source as
    grading does, so a job of the class that does just that (the validity harness grades the
    source in each variant) is the check, not graded twice; in variant 0 the check runs every
    cell, which no job of the class does, so it is added."""
    from dataclasses import replace as with_fields

    from autograder import pool
    from autograder.pipeline import Job
    from autograder.plan import for_variant, make_plan

    base = make_plan(FIXTURE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 60)
    plans = {v: with_fields(for_variant(base, v), reference={"stripping": "pending"}) for v in (0, 1)}
    other = notebooks.read(FIXTURE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")  # equal, not the same
    jobs = [Job(plans[1], other), Job(plans[1], plans[1].source_nb), Job(plans[0], plans[0].source_nb)]
    checks = pool._stripping_runs(jobs)
    assert checks == [1, 3], f"expected job 1 to be variant 1's check and a job added for variant 0's; got {checks}"
    assert len(jobs) == 4 and jobs[3].submission is plans[0].source_nb and jobs[3].steps != jobs[2].steps
