"""Fault injection (issue #31): one notebook never stops the class.

Each faulty student (tests/faults/faulty.py) hands in the full solution of 02_forward_pass
plus one fault: a kernel message that is not JSON, message fields of the wrong type, an
observed value no comparison rule can handle, a kernel that stops answering, a flood of
messages, and a CPU hog with many busy processes. They are graded by the real ``nncourse
grade`` command, in the sandbox, beside an honest classmate: the class must complete, with a
row, feedback and gradebook entry for everyone; the faulty notebook gets a flagged row that
says what went wrong, and the classmate gets exactly what it gets in a class of its own.

Three classes are graded, once each, for all the assertions: the honest student alone, the
honest student with every faulty one but the hog, and the honest student with the hog and a
second honest student (see EARLY).
"""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import notebooks

from faults.faulty import ANSWERS, CELLS, CPU_HOG, FAULTS

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "02_forward_pass"
HONEST = "honest"
HOG = "cpu_hog"
# a second honest student in the hog's class: with two workers, cpu_hog and early_bird start
# together and honest follows, so one of the two runs while the hog is in full swing
# whatever the machine's timing; both must get what the honest student gets alone
EARLY = "early_bird"
TIME_LIMIT = 5  # CPU seconds, short so that the frozen kernel and the hog are stopped soon (the wall clock allows 4 x)
DROPPED = "kernel messages dropped"  # course/INSTRUCTORS.md: messages that are not valid Jupyter messages
# what the reason of each faulty student's flagged row must say
REASONS = {**{fault: (DROPPED,) for fault in CELLS}, "silent_kernel": ("timeout",), HOG: ("timeout",),
           # the notebook spends its CPU time sending, or the grader stops taking its output
           "flood": ("timeout", "output", "messages")}
# faults after every test cell: the notebook earned all of its points before the fault
AFTER_THE_TESTS = set(CELLS)
# answers whose values no rule can compare: a failed check of that exercise, never a crash
UNCOMPARABLE = {fault: next(iter(answers)) for fault, answers in ANSWERS.items()}


def submission(fault=None):
    """The release with the source's solutions, plus ``fault`` (None: the honest student)."""
    source = notebooks.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    release = notebooks.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nb = notebooks.fill_solutions(release, source, answers=ANSWERS.get(fault))
    if fault == HOG:  # first, so that it starts as soon as its kernel does, while its classmate runs
        nb.cells.insert(0, notebooks.nbformat.v4.new_code_cell(CPU_HOG))
    elif fault in CELLS:
        nb.cells.append(notebooks.nbformat.v4.new_code_cell(CELLS[fault]))
    return nb


def grade_class(tmp, students):
    """``students`` graded by `nncourse grade` in a process of its own: what an instructor gets."""
    inbox, workspace = tmp / "inbox", tmp / "workspace"
    inbox.mkdir()
    for student in students:
        fault = None if student in (HONEST, EARLY) else student
        (inbox / f"{student}.ipynb").write_text(notebooks.dumps(submission(fault)), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "autograder.cli", "--root", str(ROOT), "grade", str(inbox),
                          "--assignment", ASSIGNMENT, "--workspace", str(workspace),
                          "--time-limit", str(TIME_LIMIT)], capture_output=True, text=True, timeout=900)
    return {"students": students, "workspace": workspace, "run": run}


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    return grade_class(tmp_path_factory.mktemp("alone"), [HONEST])


@pytest.fixture(scope="module")
def faulty_class(tmp_path_factory):
    return grade_class(tmp_path_factory.mktemp("faulty"), [HONEST] + FAULTS)


@pytest.fixture(scope="module")
def hog_class(tmp_path_factory):
    return grade_class(tmp_path_factory.mktemp("hog"), [HONEST, EARLY, HOG])


@pytest.fixture(scope="module", params=["faulty_class", "hog_class"])
def graded(request):
    return request.getfixturevalue(request.param)


def class_of(request, fault):
    return request.getfixturevalue("hog_class" if fault == HOG else "faulty_class")


def what_happened(graded):
    run = graded["run"]
    return f"exit status {run.returncode}; stderr ends:\n{run.stderr[-3000:]}"


def rows(graded):
    path = graded["workspace"] / "grades.csv"
    assert path.is_file(), f"no grades.csv: the class did not complete ({what_happened(graded)})"
    with path.open(newline="", encoding="utf-8") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def feedback(graded, student):
    path = graded["workspace"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert path.is_file(), f"no feedback for {student} ({what_happened(graded)})"
    return path.read_bytes()


def gradebook_entry(graded, student):
    """The student's submission as nbgrader's own tools read it from gradebook.db."""
    from nbgrader.api import Gradebook
    path = graded["workspace"] / "gradebook.db"
    assert path.is_file(), f"no gradebook.db ({what_happened(graded)})"
    with Gradebook(f"sqlite:///{path}") as gb:
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {"flagged": notebook.flagged, "score": notebook.score, "max_score": notebook.max_score,
                "grades": sorted((g.name, g.auto_score, g.manual_score, g.max_score, g.needs_manual_grade)
                                 for g in notebook.grades)}


def test_the_honest_student_alone_earns_full_marks(alone):
    """The yardstick of the comparisons below: a class of one, nothing flagged."""
    assert alone["run"].returncode == 0, what_happened(alone)
    row = rows(alone)[HONEST]
    assert (row["status"], row["score"], row["max_score"], row["reason"]) == ("graded", "16", "16", ""), row


def test_the_class_completes_and_its_exit_status_reports_the_flags(graded):
    """No crash: the command ends normally, says how many were flagged, and its exit status
    is not 0 (a notebook needs a person's look)."""
    run = graded["run"]
    assert "Traceback" not in run.stderr, f"the grader crashed: {what_happened(graded)}"
    flagged = sum(r["status"] == "flagged" for r in rows(graded).values())
    assert f"{flagged} flagged" in run.stdout, run.stdout[-2000:]
    assert run.returncode != 0, f"{flagged} notebooks were flagged, yet the exit status is 0"


def test_every_student_has_a_row_feedback_and_a_gradebook_entry(graded):
    assert sorted(rows(graded)) == sorted(graded["students"])
    for student in graded["students"]:
        assert b"Traceback" not in feedback(graded, student), student
        assert gradebook_entry(graded, student)["max_score"] == 16, student


def test_the_honest_classmates_get_what_they_get_alone(graded, alone):
    """Their rows, feedback pages and gradebook entries, byte for byte as in a class of one
    (but for the student's name)."""
    for student in [s for s in graded["students"] if s in (HONEST, EARLY)]:
        # the variant of the hidden tests follows the name (autograder/variants.py)
        assert {**rows(graded)[student], "student_id": HONEST, "variant": ""} == {**rows(alone)[HONEST], "variant": ""}, student
        page = feedback(graded, student).replace(f"Student: {student}.".encode(), f"Student: {HONEST}.".encode())
        assert page == feedback(alone, HONEST), student
        assert gradebook_entry(graded, student) == gradebook_entry(alone, HONEST), student


@pytest.mark.parametrize("fault", sorted(REASONS))
def test_the_faulty_notebook_is_flagged_with_what_went_wrong(request, fault):
    graded = class_of(request, fault)
    row = rows(graded)[fault]
    assert row["status"] == "flagged" and any(word in row["reason"] for word in REASONS[fault]), (
        f"{fault}: expected a flagged row whose reason says {' or '.join(REASONS[fault])!r}, got {row}")
    gradebook = gradebook_entry(graded, fault)
    assert gradebook["flagged"] and gradebook["score"] == float(row["score"]), (fault, gradebook, row)
    if fault in AFTER_THE_TESTS:
        # every test cell ran before the fault: its points count, whatever came after
        assert row["score"] == "16", f"{fault}: the tests before the fault earned 16 points; got {row}"
    if fault == HOG:
        # the hog's first cell never ends: no test ran
        assert row["score"] == "0", row


@pytest.mark.parametrize("fault", sorted(UNCOMPARABLE))
def test_a_value_no_rule_can_compare_is_a_failed_check(faulty_class, alone, fault):
    """That exercise loses its points (or some of them), every other one is graded as usual,
    and the row is either graded or flagged with a reason naming the test that was judged."""
    row, honest = rows(faulty_class)[fault], rows(alone)[HONEST]
    exercise = UNCOMPARABLE[fault]
    assert float(row[exercise]) < float(honest[exercise]), (fault, row)
    others = [name for name in honest if name not in ("student_id", "status", "reason", "score", "raw_score", "variant",
                                                      exercise)]
    assert {name: row[name] for name in others} == {name: honest[name] for name in others}, (fault, row)
    assert row["status"] == "graded" or f"test_{exercise}" in row["reason"], (fault, row)
    page = feedback(faulty_class, fault).decode()
    assert f"test_{exercise}__hidden: failed" in page, page
