"""The tamper suite (issue #13): a class of students whose notebooks bend the tests from inside
their own kernel (tests/security/tampers.py), graded by `nncourse grade`.

Each has a wrong answer underneath; none may earn a point it did not solve, and no hidden
test may reach a grade, a message or the feedback. The same tricks, graded with the checks
deciding in the kernel (the self-check's mode, and the old engine's), do earn points: the
suite shows that too, so that every trick here is one that works.
"""
import csv

import pytest

from autograder import notebooks
from autograder.results import USES_REFERENCE
from autograder.cli import main

from fixtures.classroom import ASSIGNMENT, copy_course, grade_one, hidden_lines, source_and_release, write
from security.tampers import AFTER_SOLUTION, ANSWERS, BEAT_IN_KERNEL, BOTH_WRONG, TAMPERS, WRONG_ADD_BIAS

POINTS = {"add_bias": 3.0, "relative_error": 2.0}


def tampered(release, source, kind):
    nb = notebooks.fill_solutions(release, source, answers={"add_bias": WRONG_ADD_BIAS, **ANSWERS.get(kind, {})})
    if TAMPERS[kind]:
        nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell(TAMPERS[kind]))
    if kind in AFTER_SOLUTION:
        exercise, code = AFTER_SOLUTION[kind]
        at = next(i for i, c in enumerate(nb.cells) if notebooks.grade_id(c) == exercise)
        nb.cells.insert(at + 1, notebooks.nbformat.v4.new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def tamper_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tamper")
    course = copy_course(tmp)
    source, release = source_and_release(course)
    inbox, workspace = tmp / "inbox", tmp / "workspace"
    write(notebooks.fill_solutions(release, source), inbox / "honest_full.ipynb")
    for kind in TAMPERS:
        write(tampered(release, source, kind), inbox / f"tamper_{kind}.ipynb")
    code = main(["--root", str(course.root), "grade", str(inbox), "--assignment", ASSIGNMENT,
                 "--workspace", str(workspace), "--time-limit", "30"])
    with (workspace / "grades.csv").open(newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    return dict(course=course, source=source, release=release, workspace=workspace, rows=rows, code=code)


def test_the_class_is_graded(tamper_class):
    assert tamper_class["code"] == 1  # flagged students: every file written all the same
    honest = tamper_class["rows"]["honest_full"]
    assert (float(honest["score"]), honest["status"]) == (5.0, "graded"), honest


@pytest.mark.parametrize("kind", ["copy_reference", "recompile_reference", "redefine_after"])
def test_an_answer_that_copies_nnref_is_caught_by_the_audit_and_flagged(tamper_class, kind):
    row = tamper_class["rows"][f"tamper_{kind}"]
    assert row["status"] == "flagged" and USES_REFERENCE + ": relative_error" in row["reason"], row


@pytest.mark.parametrize("kind", sorted(TAMPERS))
def test_a_tampering_notebook_earns_no_point_it_did_not_solve(tamper_class, kind):
    row = tamper_class["rows"][f"tamper_{kind}"]
    assert float(row["add_bias"]) == 0, f"{kind}: a wrong add_bias earned {row['add_bias']} points: {row}"
    if kind in BOTH_WRONG:
        assert float(row["relative_error"]) == 0, f"{kind}: a wrong relative_error earned points: {row}"


def test_no_hidden_test_reaches_a_grade_or_the_feedback(tamper_class):
    workspace = tamper_class["workspace"]
    shown = [(workspace / "grades.csv").read_text()]
    shown += [p.read_text() for p in sorted((workspace / "feedback").rglob("*.html"))]
    leaked = [line for line in hidden_lines(tamper_class["source"]) for text in shown if line in text]
    assert leaked == []
    # the leaking student did get the hidden tests' text into its exception (in the run; the
    # autograded notebook shows the grader's verdict instead): it is the grader that kept it
    # out of what students see
    folder = tamper_class["course"].get(ASSIGNMENT).source_notebook.parent
    run = grade_one(tamper_class["source"], tampered(tamper_class["release"], tamper_class["source"], "leak"), 30, folder)
    errors = " ".join(o.get("evalue", "") for c in run.notebook.cells for o in c.get("outputs", []))
    assert "probe_rng" in errors


def test_no_text_the_notebook_wrote_reaches_the_feedback_encoded_or_as_a_class_name(tamper_class):
    """The leaking student again, its hidden tests' source compressed and base64-encoded: into
    a visible test's exception message, and into the name of an exception class of its own."""
    folder = tamper_class["course"].get(ASSIGNMENT).source_notebook.parent
    run = grade_one(tamper_class["source"], tampered(tamper_class["release"], tamper_class["source"], "leak_encoded"),
                    30, folder)
    packed = [o.get(key, "") for c in run.notebook.cells for o in c.get("outputs", [])
              if o.get("output_type") == "error" for key in ("ename", "evalue")]
    packed = [text for text in packed if len(text) > 200]
    assert len(packed) >= 2, "the trick no longer gets the hidden tests into its errors: fix the trick"
    workspace = tamper_class["workspace"]
    shown = (workspace / "grades.csv").read_text() + "".join(
        p.read_text() for p in sorted((workspace / "feedback" / "tamper_leak_encoded").rglob("*.html")))
    assert not any(text[4:44] in shown or text[-40:] in shown for text in packed)
    assert "ValueError raised while running" in shown


def test_a_graded_kernel_cannot_import_the_grader(tamper_class):
    probe = 'import importlib.util\nprint("GRADER", importlib.util.find_spec("autograder"))\n'
    nb = notebooks.fill_solutions(tamper_class["release"], tamper_class["source"])
    nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell(probe))
    folder = tamper_class["course"].get(ASSIGNMENT).source_notebook.parent
    result = grade_one(tamper_class["source"], nb, 30, folder)
    printed = "".join(o.get("text", "") for o in result.notebook.cells[2].outputs)
    assert printed == "GRADER None\n" and result.score == 5, (printed, result.reason)


@pytest.mark.parametrize("kind", sorted(BEAT_IN_KERNEL))
def test_the_trick_beats_verdicts_decided_in_the_kernel(tamper_class, kind):
    exercise = BEAT_IN_KERNEL[kind]
    nb = tampered(tamper_class["release"], tamper_class["source"], kind)
    folder = tamper_class["course"].get(ASSIGNMENT).source_notebook.parent
    result = grade_one(tamper_class["source"], nb, 30, folder, self_check=True)
    got = result.exercises()[exercise][0]
    assert got == POINTS[exercise] and not result.flags, (kind, got, result.reason)


def test_a_graded_kernel_has_no_mnist_test_set_to_train_on(tamper_class):
    """Homework 09's final model is scored by the grader on the test set, outside the kernel;
    the kernel gets only the training files, so no answer can train or tune on the test set."""
    probe = ('import os, nnref.data\n'
             'X_train, y_train, X_test, y_test = nnref.data.load_mnist()\n'
             'print("MNIST", sorted(os.listdir("/nncourse/data/mnist")), X_train.shape, X_test.shape, y_test.shape)\n')
    nb = notebooks.fill_solutions(tamper_class["release"], tamper_class["source"])
    nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell(probe))
    folder = tamper_class["course"].get(ASSIGNMENT).source_notebook.parent
    result = grade_one(tamper_class["source"], nb, 30, folder)
    printed = "".join(o.get("text", "") for o in result.notebook.cells[2].outputs)
    assert printed == ("MNIST ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'] "
                       "(60000, 784) (0, 784) (0,)\n"), printed
    assert result.score == 5
