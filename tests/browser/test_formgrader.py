"""nbgrader's formgrader on a class graded by nncourse (issue 30), opened as an instructor opens
it: JupyterLab started in the workspace, its formgrader pages in Chromium. One graded class
for the module: lesson 01's demo students that formgrader must tell apart (a full solution, a
failing one, a flagged one, a corrupt file, a missing notebook), one of them named by a roster.

Also, without a browser, stock ``nbgrader generate_feedback`` (formgrader's "Generate
Feedback" button) on the same workspace: no hidden test line in any HTML it writes.
"""
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder import notebooks
from autograder.course import load_course
from autograder.demo import demo_class
from autograder.grading import Submission, grade_class
from autograder.release import release_notebook
from jlab import ROOT, Lab

ASSIGNMENT = "01_perceptron"
STUDENTS = ("ada", "dijkstra", "fermat", "gauss")  # full, failing, flagged (test cell edited), corrupt
MISSING = "noether"
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
PAGE_TIMEOUT = 30_000  # ms for formgrader's pages to fill their tables


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The graded workspace and {student: Result}."""
    tmp = tmp_path_factory.mktemp("formgrader")
    course = load_course(ROOT)
    assignment = course.get(ASSIGNMENT)
    release = release_notebook(notebooks.read(assignment.source_notebook))
    subs = [sub for sub, _ in demo_class(assignment, release) if sub.student in STUDENTS]
    subs.append(Submission(MISSING, None, f"{MISSING}/", "no notebook in the submission"))
    roster = tmp / "roster.csv"
    roster.write_text("student_id,name\nada,Ada Lovelace\n", encoding="utf-8")
    workspace = tmp / "workspace"
    results = grade_class(course, assignment, subs, workspace, progress=False, roster=roster)
    return workspace, {sub.student: result for sub, result in results}


def test_the_class_is_what_formgrader_must_tell_apart(graded):
    _, results = graded
    assert results["ada"].status == "graded" and results["ada"].score == results["ada"].max_score
    assert results["dijkstra"].status == "graded" and results["dijkstra"].score < results["dijkstra"].max_score
    assert results["fermat"].flags[0][0] == "grade cell altered"
    assert results["gauss"].flags[0][0] == "corrupt"
    assert results[MISSING].flags[0][0] == "no notebook"


def test_the_workspace_config_is_nbgrader_0_9_6s_and_moves_with_the_folder(graded):
    workspace, _ = graded
    config = (workspace / "nbgrader_config.py").read_text()
    assert "db_assignments" not in config and str(workspace) not in config, config
    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gb:
        assert [a.name for a in gb.assignments] == [a.id for a in load_course(ROOT).assignments]
        names = {s.id: (s.first_name, s.last_name) for s in gb.students}
    assert names["ada"] == ("Ada", "Lovelace")
    assert names["dijkstra"] == ("", "dijkstra"), "without a roster entry: the id alone"


def failed_cell(result):
    return next(c for c in result.cells if c.outcome == "failed")


def submission_ids(workspace):
    with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gb:
        return {s: gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, s).id for s in STUDENTS + (MISSING,)}


# A submission's page loads MathJax from a CDN (nbgrader's template): without network, as in
# the tests, the request fails and the page's script misses MathJax. Nothing else is excused.
OFFLINE = ("console: Failed to load resource: net::ERR_NAME_NOT_RESOLVED", "uncaught: MathJax is not defined")


class Pages:
    """formgrader's pages in one browser page; every JavaScript error and every server error
    answer (5xx) of any of them is kept."""

    def __init__(self, browser, lab):
        self.lab = lab
        # the token on every request: formgrader's pages fetch their tables from its API
        self.page = browser.new_page(viewport={"width": 1300, "height": 900},
                                     extra_http_headers={"Authorization": f"token {lab.token}"})
        self.errors = []
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)

    def open(self, path, wait_for):
        response = self.page.goto(f"{self.lab.base}/formgrader/{path}")
        assert response.status == 200, f"/formgrader/{path}: {response.status}"
        self.page.wait_for_selector(wait_for, timeout=PAGE_TIMEOUT)
        return self.page.locator("body").inner_text()


def test_formgrader_shows_what_nncourse_decided(graded, browser, tmp_path):
    workspace, results = graded
    ids = submission_ids(workspace)
    log = tmp_path / "jupyterlab.log"
    lab = Lab(workspace, log)
    try:
        pages = Pages(browser, lab)

        # Manage Assignments and Manual Grading: the course's assignments, not only the graded one
        for view in ("manage_assignments", "gradebook"):
            text = pages.open(view, "td:has-text('09_mnist_homework')")
            assert all(a.id in text for a in load_course(ROOT).existing()), (view, text)

        # Manual Grading of the notebook: every submission, the corrupt and the missing ones too
        pages.open(f"gradebook/{ASSIGNMENT}/{ASSIGNMENT}", "#main-table tr")
        pages.page.wait_for_function("document.querySelectorAll('#main-table tr').length >= 5",
                                     timeout=PAGE_TIMEOUT)
        links = [a.strip() for a in pages.page.locator("#main-table a.name-shown").all_text_contents()]
        assert sorted(links) == sorted(["Lovelace, Ada", "dijkstra,", "fermat,", "gauss,", f"{MISSING},"]), links

        # Manage Students: names from the roster, else the id; never "None"
        pages.open("manage_students", "#main-table td:has-text('dijkstra')")
        names = [n.strip() for n in pages.page.locator("#main-table td.name").all_inner_texts()]
        assert sorted(names) == sorted(links) and not [n for n in names if "None" in n], names

        # the failing student: the failed test cell says so, with the grader's message, and the
        # exercise's comment box holds it
        cell = failed_cell(results["dijkstra"])
        pages.open(f"submissions/{ids['dijkstra']}/", ".text_cell_render")
        note = pages.page.locator(".text_cell_render").first.inner_text()
        assert note.startswith(f"nncourse graded this notebook: {results['dijkstra'].final_score:g} / 12."), note
        outputs = pages.page.locator(".output_area").all_inner_texts()
        assert any(f"nncourse: failed (0/{cell.max_points:g})" in o and cell.message.splitlines()[0] in o
                   for o in outputs), outputs
        assert not [o for o in outputs if "tests passed" in o], "a test cell shows what the kernel printed"
        # nbgrader shows an auto comment as the box's placeholder, until someone types a comment
        box = f"document.getElementById('{cell.exercise}-comment')"
        pages.page.wait_for_function(f"{box}.placeholder.startsWith('test_')", timeout=PAGE_TIMEOUT)
        shown = pages.page.evaluate(f"{box}.placeholder")
        assert f"{cell.grade_id}: failed (0/{cell.max_points:g})\n{cell.message.splitlines()[0]}" in shown, shown

        # the flagged and the corrupt students: the reason at the top of their page
        for student, reason in (("fermat", "grade cell altered"), ("gauss", "corrupt"), (MISSING, "no notebook")):
            pages.open(f"submissions/{ids[student]}/", ".text_cell_render")
            note = pages.page.locator(".text_cell_render").first.inner_text()
            assert "Flagged for review" in note and f"{reason}: " in note, (student, note)
        assert not [e for e in pages.errors if e not in OFFLINE], pages.errors
    finally:
        lab.close()
    server = log.read_text()
    assert "Traceback" not in server and "not recognized" not in server, server[-5000:]
    assert not re.search(r"\b50\d\b [A-Z]+ /formgrader", server), server[-5000:]


def test_stock_generate_feedback_shows_no_hidden_test(graded, tmp_path):
    """formgrader's "Generate Feedback" is stock `nbgrader generate_feedback`, which builds
    feedback from the autograded notebooks (hidden tests included): the workspace's config
    must strip them and their outputs."""
    workspace, results = graded
    copy = tmp_path / "workspace"
    shutil.copytree(workspace, copy)
    run = subprocess.run([NBGRADER, "generate_feedback", ASSIGNMENT, "--force"], cwd=copy,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    # nbgrader's own notices: a feedback folder replaced, the late penalty in the gradebook (0 or
    # not); nbconvert's accessibility notice on the students' own figures (they carry no alt text)
    notices = ("Removing existing", "Late submission penalty", "Alternative text is missing")
    warnings = [line for line in run.stderr.splitlines() if "WARNING" in line and not any(n in line for n in notices)]
    assert not warnings, warnings
    source = notebooks.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    released = "\n".join(c.source for c in release_notebook(source).cells)
    # the hidden tests' lines that the release does not show (a few repeat the visible tests')
    hidden = [line for _, _, cell in notebooks.test_cells(source) for line in notebooks.hidden_lines(cell.source)
              if line not in released]
    assert len(hidden) > 20, hidden
    # as a reader sees the page: syntax highlighting splits a line of code into many elements
    pages = {p.parts[-3]: html.unescape(re.sub(r"<[^>]+>", "", p.read_text()))
             for p in copy.glob(f"feedback/*/{ASSIGNMENT}/*.html")}
    assert sorted(pages) == sorted(STUDENTS + (MISSING,)), sorted(pages)
    for student, page in pages.items():
        shown = [line for line in hidden if line in page]
        assert not shown and "HIDDEN TESTS" not in page, (student, shown[:3])
    # built from the graded notebooks: the grader's verdicts, not what a kernel printed
    assert failed_cell(results["dijkstra"]).message.splitlines()[0] in pages["dijkstra"]


def test_a_roster_names_students_and_a_bad_one_is_refused_with_the_fix(tmp_path):
    from autograder.errors import GradeError
    from autograder.roster import read_roster
    roster = tmp_path / "roster.csv"
    roster.write_text("Student_ID,First_Name,Last_Name\nada,Ada,Lovelace\n", encoding="utf-8")
    assert read_roster(roster) == {"ada": ("Ada", "Lovelace")}
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n"
                      "\"Lovelace, Ada\",1,u1,ada,A\n", encoding="utf-8")  # Canvas's
    assert read_roster(roster)["ada"] == ("Ada", "Lovelace")
    roster.write_text("who,name\nada,Ada Lovelace\n", encoding="utf-8")
    with pytest.raises(GradeError, match="needs a header with an id column .*it has: who, name"):
        read_roster(roster)
