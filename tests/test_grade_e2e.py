"""End to end: `nncourse grade` on a small class holding every failure of the issue's table."""
import csv
import json
import re
import shutil

import pytest

from autograder import notebooks, report, variants
from autograder.cli import main
from autograder.gradebook import variants_of
from autograder.grading import Submission, collect, grade_class

from fixtures.classroom import ASSIGNMENT, copy_course, hidden_lines, source_and_release
from fixtures.e2e_class import EXPECTED, snapshot

@pytest.fixture(scope="module")
def graded_class(e2e_class):
    """The class graded twice (tests/conftest.py: shared with the class report's browser test)."""
    return e2e_class


def rows(workspace):
    with (workspace / "grades.csv").open(newline="") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def test_every_student_has_a_row_with_status_and_score(graded_class):
    _, _, workspace, _ = graded_class
    got = rows(workspace)
    assert sorted(got) == sorted(EXPECTED)
    for student, (status, reason, score, bias, relerr) in EXPECTED.items():
        row = got[student]
        assert ((row["status"], float(row["score"]), float(row["add_bias"]), float(row["relative_error"]))
                == (status, score, bias, relerr)), (student, row)
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
    # the kernel ran among the assignment's files: the setup cell read the data file
    graded = notebooks.read(workspace / "autograded" / "full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    setup = next(cell for cell in graded.cells if 'np.loadtxt("numbers.txt")' in cell.source)
    assert setup.get("execution_count") and not setup.outputs, setup


def test_the_class_report_is_drawn_in_a_process_of_its_own(graded_class, tmp_path, monkeypatch, capfd):
    """report.Artist, as `nncourse grade` uses it: another process draws the page (this one's
    report.build fails the test if called), and a page that cannot be drawn costs a warning on
    stderr, nothing else."""
    course, _, workspace, _ = graded_class
    assignment = course.get(ASSIGNMENT)
    copy = tmp_path / "workspace"
    shutil.copytree(workspace, copy, ignore=shutil.ignore_patterns("report"))
    monkeypatch.setattr(report, "build", lambda *_: pytest.fail("the report was drawn by the grader's own process"))
    with report.Artist() as artist:
        artist.write(copy, assignment, [], time_limit=5)
    page = copy / "report" / f"{ASSIGNMENT}.html"
    assert page.is_file() and "<img" in page.read_text(encoding="utf-8")
    (copy / "grades.csv").unlink()
    with report.Artist() as artist:
        artist.write(copy, assignment, [], time_limit=5)
    err = capfd.readouterr().err
    assert "the class report was not written (ReportError" in err and "grades.csv" in err, err


def test_rerun_is_idempotent(graded_class):
    """Same inputs, same files; executed notebooks may differ only in kernel-made text (temp
    paths), the gradebook only in timestamps (its rows are checked by the next test), the run
    times and the report's page (which shows them, and its date) in nothing else."""
    _, _, workspace, first = graded_class
    now = snapshot(workspace)
    assert sorted(now) == sorted(first)
    steady = lambda files: {k: v for k, v in files.items() if not k.startswith(("autograded/", "runs/"))
                            and k not in ("gradebook.db", f"report/{ASSIGNMENT}.html")}  # run times, dates
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
    # bug's add_bias adds b's mean: the values of the fixture catalog's first mutant, named for the student
    assert "as a common wrong answer the course knows: adds the mean of b." in bug, bug
    for other in ("full", "shapes", "leaker", "partial"):  # right, or wrong in ways no catalogued mutant is
        assert "common wrong answer" not in (workspace / "feedback" / other / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
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
    # dijkstra and hopper have the fixture catalog's first mutant (add_bias adds b's mean); hopper's
    # no-op check_close, defined with it, comes before every test cell: its checks never report
    expected = {"ada": ("graded", 5), "babbage": ("graded", 0), "curie": ("graded", 3),
                "dijkstra": ("graded", 2), "euler": ("flagged", 1), "fermat": ("flagged", 5),
                "gauss": ("flagged", 0), "hopper": ("graded", 0)}
    assert {s: (r["status"], float(r["score"])) for s, r in got.items()} == expected, got
    assert got["euler"]["reason"].startswith("timeout") and got["fermat"]["reason"].startswith("grade cell altered")
    assert "8 students: 5 graded, 3 flagged for review" in capsys.readouterr().out
    feedback = (workspace / "feedback" / "dijkstra" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "common wrong answer the course knows: adds the mean of b." in feedback


def _report_rows(path):
    with path.open(newline="") as f:
        return {r["exercise"]: r for r in csv.DictReader(f)}


def test_grade_writes_the_class_report_and_report_rebuilds_it(graded_class, capsys, tmp_path):
    """report/<assignment>.csv holds each exercise's figures, as EXPECTED's scores give them;
    `nncourse report` draws the same from the workspace alone, and the course table."""
    course, _, shared, _ = graded_class
    workspace = tmp_path / "workspace"  # a copy: the class's own is read by other test processes too
    shutil.copytree(shared, workspace)
    table = workspace / "report" / f"{ASSIGNMENT}.csv"
    written = table.read_text()
    got = _report_rows(table)
    ungradable = {"nothing", "corrupt"}
    for column, top, index in (("add_bias", 3, 3), ("relative_error", 2, 4)):
        points = [expected[index] for expected in EXPECTED.values()]
        row = got[column]
        assert (row["max_points"], row["students"]) == (f"{top:g}", str(len(EXPECTED))), row
        assert float(row["mean_points"]) == pytest.approx(sum(points) / len(EXPECTED), abs=1e-3)
        assert float(row["full_marks_rate"]) == pytest.approx(points.count(top) / len(EXPECTED), abs=1e-3)
        # nobody answered it: the untouched release, and the two without a readable notebook
        assert int(row["not_answered"]) == 1 + len(ungradable) + (column == "relative_error"), row  # partial
    rates = dict(part.split(":") for part in got["add_bias"]["cells_pass_rate"].split(";"))
    # the students with 1 of add_bias's 3 points pass its visible test only ("shapes" is right on the
    # visible (2, 3) input alone, "deleted" has no hidden test cell)
    only_visible = [e[3] for e in EXPECTED.values()].count(1)
    assert float(rates["test_add_bias"]) - float(rates["test_add_bias__hidden"]) == pytest.approx(
        only_visible / len(EXPECTED), abs=1e-3)
    assert got["add_bias"]["misconceptions"] == "adds the mean of b:1" and got["relative_error"]["misconceptions"] == ""
    page = (workspace / "report" / f"{ASSIGNMENT}.html").read_text()
    assert page.count('<img class="figure"') == 5  # cells, discrimination, two histograms, run times
    assert "timeout (1)" in page and "grade cell altered" in page and "<script" not in page

    shutil.rmtree(workspace / "report")
    assert main(["--root", str(course.root), "report", "--workspace", str(workspace)]) == 0
    assert table.read_text() == written
    with (workspace / "report" / "course.csv").open(newline="") as f:
        course_rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert {s: float(r["total"]) for s, r in course_rows.items()} == {s: e[2] for s, e in EXPECTED.items()}
    assert "course.html" in capsys.readouterr().out


def test_report_without_a_graded_workspace_says_what_to_run(tmp_path, capsys):
    course = copy_course(tmp_path)
    assert main(["--root", str(course.root), "report", "--workspace", str(tmp_path / "none")]) == 2
    assert "grade the class first" in capsys.readouterr().err


def test_discrimination_index_by_hand():
    """Six students ranked by their other exercise; the top and bottom 27% are two each."""
    from autograder.report import Exercise, Student, discrimination
    scores = {"a": (0, 0), "b": (1, 1), "c": (0, 2), "d": (2, 3), "e": (2, 4), "f": (1, 5)}  # (ex, rest)
    students = [Student(n, "graded", "", ex + rest, {"ex": ex}) for n, (ex, rest) in scores.items()]
    exercise = Exercise("ex", 2.0, [])
    # top two by rest score: f (1 of 2), e (2 of 2) -> 0.75; bottom two: a (0), b (1 of 2) -> 0.25
    assert discrimination(exercise, students) == pytest.approx(0.5)
    assert discrimination(exercise, students[:3]) is None  # too few students


# ----------------------------------------------------------------------------- the class's variants
# (here, beside the class's other tests: a test process grades the class once)

def test_each_student_is_graded_in_their_variant_and_it_is_recorded(e2e_class):
    """grades.csv, observed/ and the gradebook record each student's variant, the one the secret
    gives; the class spreads over the fixture's 3 variants, and the statuses and scores are
    those of tests/fixtures/e2e_class.py whatever the variant."""
    course, _, workspace, _ = e2e_class
    key = variants.secret(workspace)
    expected = {s: variants.variant_of(key, ASSIGNMENT, s, course.get(ASSIGNMENT).variants) for s in EXPECTED}
    assert len(set(expected.values())) == 3, f"the class does not cover the fixture's variants: {expected}"
    with (workspace / "grades.csv").open(newline="") as f:
        assert {r["student_id"]: int(r["variant"]) for r in csv.DictReader(f)} == expected
    assert variants_of(f"sqlite:///{workspace / 'gradebook.db'}", ASSIGNMENT) == expected
    for student, number in expected.items():
        observed = json.loads((workspace / "observed" / ASSIGNMENT / f"{student}.json").read_text())
        assert observed["variant"] == number, student


def test_the_hidden_inputs_differ_between_variants_and_the_visible_ones_do_not(e2e_class):
    """Two full answers in different variants: the same visible values, other hidden ones."""
    _, _, workspace, _ = e2e_class
    cells = {}
    for student in ("full", "zoe", "parricide", "warns"):
        observed = json.loads((workspace / "observed" / ASSIGNMENT / f"{student}.json").read_text())
        cells[observed["variant"]] = observed["cells"]
    assert len(cells) >= 2, "the full answers all have one variant: choose other students"
    first, second = list(cells.values())[:2]
    assert first["test_add_bias"]["observations"] == second["test_add_bias"]["observations"]
    assert first["test_add_bias__hidden"]["observations"] != second["test_add_bias__hidden"]["observations"]
    assert all(c["test_add_bias__hidden"]["outcome"] == "passed" for c in cells.values())


def test_the_class_report_shows_each_variants_hidden_pass_rate(e2e_class):
    """The report's table: per variant, its gradable students and the share of their hidden
    test cells that passed, counted here from observed/ by hand."""
    course, _, workspace, _ = e2e_class
    page = (workspace / "report" / f"{ASSIGNMENT}.html").read_text()
    table = page[page.index('<table id="variants">'):]
    table = table[:table.index("</table>")]
    shown = {int(v): (int(n), share) for v, n, share in
             re.findall(r'<tr><td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)%</td></tr>', table)}
    groups = {}
    for path in (workspace / "observed" / ASSIGNMENT).glob("*.json"):
        observed = json.loads(path.read_text())
        if observed["student"] in ("nothing", "corrupt"):  # no notebook to say anything about a test
            continue
        hidden = [c["outcome"] == "passed" for gid, c in observed["cells"].items() if gid.endswith("__hidden")]
        hidden += [observed["cells"]["test_relative_error"]["outcome"] == "passed"]  # visible + hidden
        groups.setdefault(observed["variant"], []).append(hidden)
    expected = {v: (len(rows), str(round(100 * sum(map(sum, rows)) / sum(map(len, rows)))))
                for v, rows in groups.items()}
    assert shown == expected
