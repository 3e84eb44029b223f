"""End to end: `nncourse grade` on a small class holding every failure of the issue's table."""
import csv
import zipfile

import pytest

from autograder import notebooks
from autograder.cli import main
from autograder.grading import Submission, collect, grade_class

from fixtures.classroom import ASSIGNMENT, copy_course, hidden_lines, source_and_release, write

CORRECT_BIAS = 'def add_bias(x, b):\n    return x + b\n'
LOOP = 'def relative_error(a, b):\n    while True:\n        pass\n'
TIME_LIMIT = 5  # seconds: the endless-loop student is stopped after this

# student -> (status, reason starts with, score, add_bias points, relative_error points)
EXPECTED = {
    "full": ("graded", "", 5, 3, 2),
    "untouched": ("graded", "", 0, 0, 0),
    "partial": ("graded", "", 3, 3, 0),
    "bug": ("graded", "", 2, 0, 2),
    "loop": ("flagged", "timeout", 3, 3, 0),
    "edited": ("flagged", "grade cell altered: test_add_bias", 5, 3, 2),
    "deleted": ("flagged", "grade cell missing: test_add_bias__hidden", 3, 1, 2),
    "corrupt": ("flagged", "corrupt", 0, 0, 0),
    "killed": ("flagged", "kernel died", 3, 3, 0),
    "parricide": ("graded", "", 5, 3, 2),  # the sandbox's PID namespace: its parent is out of reach
    "warns": ("graded", "", 5, 3, 2),
    "nothing": ("flagged", "no notebook", 0, 0, 0),
    "zoe": ("graded", "", 5, 3, 2),
    "shapes": ("graded", "", 3, 1, 2),
    "leaker": ("graded", "", 2, 0, 2),  # raises the running test cell's source as its message  # right on the visible input only: its error must not show the hidden one
}
LEAKER = ('import inspect, linecache\n\ndef add_bias(x, b):\n'
          '    caller = inspect.currentframe().f_back.f_code.co_filename\n'
          '    raise AssertionError("".join(linecache.getlines(caller)))\n')
ONLY_TWO_BY_THREE = ('def add_bias(x, b):\n    if x.shape != (2, 3):\n'
                     '        raise ValueError(f"operands could not be broadcast together with shapes {x.shape} {b.shape}")\n'
                     '    return x + b\n')


def make_class(course, folder):
    """The class as an instructor gets it: files, folders and an LMS zip."""
    source, release = source_and_release(course)
    fill = lambda **kw: notebooks.fill_solutions(release, source, **kw)
    write(fill(), folder / "full.ipynb")
    write(release, folder / "untouched" / "submission" / f"{ASSIGNMENT}.ipynb")
    write(fill(skip={"relative_error"}), folder / "partial.ipynb")
    write(fill(answers={"add_bias": 'def add_bias(x, b):\n    return x + b.mean()\n'}), folder / "bug.ipynb")
    write(fill(answers={"relative_error": LOOP}), folder / "loop.ipynb")
    edited = fill()
    next(c for c in edited.cells if notebooks.grade_id(c) == "test_add_bias").source = "pass"
    write(edited, folder / "edited.ipynb")
    deleted = fill()
    deleted.cells = [c for c in deleted.cells if notebooks.grade_id(c) != "test_add_bias__hidden"]
    write(deleted, folder / "deleted.ipynb")
    (folder / "corrupt.ipynb").write_text('{"cells": [', encoding="utf-8")
    killed = fill()
    killed.cells.insert(5, notebooks.nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    write(killed, folder / "killed.ipynb")
    parricide = fill()  # tries to kill the grading worker itself: the rest of the class must not notice
    parricide.cells.insert(5, notebooks.nbformat.v4.new_code_cell("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    write(parricide, folder / "parricide.ipynb")
    write(fill(answers={"add_bias": 'import numpy as np\n\ndef add_bias(x, b):\n'
                                    '    np.log(np.zeros(1))  # RuntimeWarning: divide by zero\n'
                                    '    return x + b\n'}), folder / "warns.ipynb")
    write(fill(answers={"add_bias": ONLY_TWO_BY_THREE}), folder / "shapes.ipynb")
    write(fill(answers={"add_bias": LEAKER}), folder / "leaker.ipynb")
    (folder / "nothing").mkdir()
    (folder / "nothing" / "notes.txt").write_text("forgot to upload")
    with zipfile.ZipFile(folder / "lms_export.zip", "w") as z:
        z.writestr(f"zoe_4711_99_{ASSIGNMENT}.ipynb", notebooks.dumps(fill()))
        z.writestr("__MACOSX/._junk", "")
    return folder


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    course = copy_course(tmp)
    subs = make_class(course, tmp / "inbox")
    workspace = tmp / "workspace"
    argv = ["--root", str(course.root), "grade", str(subs), "--assignment", ASSIGNMENT,
            "--workspace", str(workspace), "--time-limit", str(TIME_LIMIT)]
    assert main(argv) == 1  # some students are flagged; every file is written all the same
    first = snapshot(workspace)
    assert main(argv) == 1
    return course, subs, workspace, first


def snapshot(workspace):
    return {p.relative_to(workspace).as_posix(): p.read_bytes()
            for p in sorted(workspace.rglob("*")) if p.is_file()}


def rows(workspace):
    with (workspace / "grades.csv").open(newline="") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def test_every_student_has_a_row_with_status_and_score(graded_class):
    _, _, workspace, _ = graded_class
    got = rows(workspace)
    assert sorted(got) == sorted(EXPECTED)
    for student, (status, reason, score, bias, relerr) in EXPECTED.items():
        row = got[student]
        assert (row["status"], float(row["score"]), float(row["add_bias"]), float(row["relative_error"])) \
            == (status, score, bias, relerr), (student, row)
        assert row["reason"].startswith(reason) and (reason or not row["reason"]), (student, row["reason"])
        assert row["max_score"] == "5" and row["assignment"] == ASSIGNMENT and row["run"] == "sandboxed"
        assert "\n" not in row["reason"] and "\\n" not in row["reason"], row["reason"]
    assert "(restored from the course's source and graded as released" in got["edited"]["reason"]


def test_nbgrader_layout(graded_class):
    _, _, workspace, _ = graded_class
    # a course folder formgrader can open: config, source and release beside the gradebook
    assert "course_id = 'fixture-course'" in (workspace / "nbgrader_config.py").read_text()
    for kind in ("source", "release"):
        assert (workspace / kind / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), kind
    for student in EXPECTED:
        assert (workspace / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
        has_notebook = student != "nothing"
        assert (workspace / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file() == has_notebook
    # the kernel ran among the assignment's files: the data file cell printed its sum
    graded = notebooks.read(workspace / "autograded" / "full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert "the data file sums to 21.0" in notebooks.dumps(graded)


def test_rerun_is_idempotent(graded_class):
    """Same inputs, same files; executed notebooks may differ only in kernel-made text (temp
    paths), the gradebook only in timestamps (its rows are checked by the next test)."""
    _, _, workspace, first = graded_class
    now = snapshot(workspace)
    assert sorted(now) == sorted(first)
    steady = lambda files: {k: v for k, v in files.items() if not k.startswith("autograded/") and k != "gradebook.db"}
    assert steady(now) == steady(first)


def test_gradebook_holds_every_student_once_with_the_csv_scores(graded_class):
    """nbgrader's gradebook.db, after two runs: one submission per student, auto scores per test
    cell summing to the CSV's score, flagged exactly where the CSV says so."""
    from nbgrader.api import Gradebook
    _, _, workspace, _ = graded_class
    csv_rows = rows(workspace)
    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        assert sorted(s.student.id for s in assignment.submissions) == sorted(EXPECTED)
        assert [c.name for c in assignment.notebooks[0].grade_cells] and assignment.max_score == 5
        for student, row in csv_rows.items():
            notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            auto = {g.name: g.auto_score for g in notebook.grades}
            assert sum(auto.values()) == float(row["score"]), (student, auto, row)
            assert notebook.flagged == (row["status"] == "flagged"), (student, row["reason"])
            # stock semantics: auto-graded cells need no manual grade, a flagged submission does
            assert {g.needs_manual_grade for g in notebook.grades} == {row["status"] == "flagged"}, student


def test_feedback_never_shows_a_hidden_line(graded_class):
    course, _, workspace, _ = graded_class
    source, _ = source_and_release(course)
    hidden = hidden_lines(source)
    pages = list((workspace / "feedback").rglob("*.html"))
    assert len(pages) == len(EXPECTED)
    for page in pages:
        text = page.read_text()
        assert "Traceback" not in text and "File \"" not in text
        for line in hidden:
            assert line not in text, (page, line)
    bug = (workspace / "feedback" / "bug" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "add_bias output: expected" in bug and "add b to every row" in bug
    leaker = (workspace / "feedback" / "leaker" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    # in the hidden test, an exception's text is never shown: only its type
    assert "AssertionError raised while running a hidden test" in leaker, leaker
    shapes = (workspace / "feedback" / "shapes" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "ValueError raised while running a hidden test" in shapes and "(4, 5)" not in shapes, shapes
    corrupt = (workspace / "feedback" / "corrupt" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "could not be read as a Jupyter notebook" in corrupt and "not run (the notebook stopped" not in corrupt
    untouched = (workspace / "feedback" / "untouched" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "not answered yet" in untouched and "NotImplementedError" not in untouched


def test_parallel_equals_sequential(graded_class, tmp_path):
    course, subs, workspace, _ = graded_class
    assignment = course.get(ASSIGNMENT)
    chosen = [s for s in collect(subs, ASSIGNMENT) if s.student in ("bug", "deleted", "killed")]
    sequential = grade_class(course, assignment, chosen, tmp_path / "ws", workers=1, progress=False)
    parallel = grade_class(course, assignment, chosen, tmp_path / "ws2", workers=2, progress=False)
    assert [r.summary() for _, r in sequential] == [r.summary() for _, r in parallel]
    assert len(sequential) == 3


def test_a_dying_worker_loses_no_grade_without_the_sandbox(graded_class, tmp_path):
    """--no-sandbox: a notebook that kills its grading worker is flagged, its classmates graded."""
    course, subs, _, _ = graded_class
    chosen = [s for s in collect(subs, ASSIGNMENT) if s.student in ("full", "parricide")]
    graded = grade_class(course, course.get(ASSIGNMENT), chosen, tmp_path / "ws", workers=2, progress=False,
                         sandbox=False)
    got = {sub.student: (r.status, r.score, r.reason) for sub, r in graded}
    assert got["full"] == ("graded", 5, ""), got
    assert got["parricide"][:2] == ("flagged", 0) and got["parricide"][2].startswith(
        "kernel died: the grading process died"), got
    assert {r["run"] for r in rows(tmp_path / "ws").values()} == {"no sandbox (--no-sandbox)"}


def test_a_stale_student_is_removed_on_rerun(tmp_path):
    course = copy_course(tmp_path)
    assignment = course.get(ASSIGNMENT)
    _, release = source_and_release(course)
    data = notebooks.dumps(release).encode()
    grade_class(course, assignment, [Submission("a", data), Submission("b", data)], tmp_path / "ws", 1, 30, False)
    grade_class(course, assignment, [Submission("a", data)], tmp_path / "ws", 1, 30, False)
    assert not (tmp_path / "ws" / "submitted" / "b").exists() or not any((tmp_path / "ws" / "submitted" / "b").iterdir())
    assert list(rows(tmp_path / "ws")) == ["a"]


def test_an_unwritable_gradebook_costs_no_grade(tmp_path, capsys):
    course = copy_course(tmp_path)
    assignment = course.get(ASSIGNMENT)
    _, release = source_and_release(course)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "gradebook.db").write_text("not a database")
    grade_class(course, assignment, [Submission("a", notebooks.dumps(release).encode())], workspace, 1, 30, False)
    assert list(rows(workspace)) == ["a"]
    err = capsys.readouterr().err
    assert "gradebook.db was not updated" in err and "delete it" in err, err


def test_demo_grades_its_class_with_the_expected_statuses(tmp_path, capsys):
    """README's first command: the demo on a course (here the fixture course, 2 workers)."""
    course = copy_course(tmp_path)
    workspace = tmp_path / "demo"
    assert main(["--root", str(course.root), "demo", "--workspace", str(workspace), "--workers", "2"]) == 0
    got = rows(workspace)
    expected = {"ada": ("graded", 5), "babbage": ("graded", 0), "curie": ("graded", 3),
                "dijkstra": ("graded", 3), "euler": ("flagged", 1), "fermat": ("flagged", 5),
                "gauss": ("flagged", 0), "hopper": ("flagged", 3)}
    assert {s: (r["status"], float(r["score"])) for s, r in got.items()} == expected, got
    assert got["euler"]["reason"].startswith("timeout") and got["fermat"]["reason"].startswith("grade cell altered")
    assert got["hopper"]["reason"].startswith("test helpers replaced"), got["hopper"]["reason"]
    assert "8 students: 4 graded, 4 flagged for review" in capsys.readouterr().out
