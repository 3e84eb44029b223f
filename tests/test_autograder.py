"""nncourse's parts: course definition, release, validate, collecting submissions."""
import zipfile

import pytest

from autograder import notebooks
from autograder.cli import main
from autograder.course import CourseError, load_course
from autograder.grading import GradeError, collect
from autograder.release import check_release, release_files, write_release

from fixtures.classroom import ASSIGNMENT, copy_course, grade_one, hidden_lines, source_and_release, write


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path)


def test_release_strips_solutions_hidden_tests_outputs_and_widget_state(course):
    source, _ = source_and_release(course)
    files = release_files(course.get(ASSIGNMENT))
    assert sorted(files) == [f"{ASSIGNMENT}.ipynb", "numbers.txt"]
    text = files[f"{ASSIGNMENT}.ipynb"].decode()
    for gone in ["BEGIN SOLUTION", "return x + b", "HIDDEN TESTS", "SOLUTION-OUTPUT", "widgets"] + hidden_lines(source):
        assert gone not in text, gone
    nb = notebooks.nbformat.reads(text, as_version=4)
    stubs = [c for c in nb.cells if "raise NotImplementedError()" in c.source]
    assert [notebooks.grade_id(c) for c in stubs] == ["add_bias", "relative_error"]
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert release_files(course.get(ASSIGNMENT)) == files  # deterministic bytes


def test_release_check_detects_drift(course, capsys):
    root = ["--root", str(course.root)]
    assignment = course.get(ASSIGNMENT)
    assert main(root + ["release", "--check"]) == 1  # nothing released yet
    assert main(root + ["release"]) == 0
    assert main(root + ["release", "--check"]) == 0
    released = assignment.release_notebook
    released.write_text(released.read_text().replace("YOUR CODE HERE", "YOUR CODE THERE"))
    assert main(root + ["release", "--check"]) == 1
    assert "00_fixture.ipynb differs" in capsys.readouterr().err
    write_release(assignment)
    (assignment.release_dir / "old.csv").write_text("x")
    assert check_release(assignment) == [f"release/{ASSIGNMENT}/old.csv is not generated from source/ (stale file)"]
    write_release(assignment)
    assignment.source_notebook.write_text(assignment.source_notebook.read_text().replace("every row", "each row"))
    assert main(root + ["release", "--check", ASSIGNMENT]) == 1


def test_validate_exit_code_and_summary(course, tmp_path, capsys):
    main(["--root", str(course.root), "release"])
    source, release = source_and_release(course)
    work = tmp_path / "student"
    work.mkdir()
    (work / "numbers.txt").write_text("1 2\n")
    fill = lambda **kw: write(notebooks.fill_solutions(release, source, **kw), work / f"{ASSIGNMENT}.ipynb")
    root = ["--root", str(course.root), "validate"]

    good = fill()
    assert main(root + [str(good)]) == 0
    out = capsys.readouterr().out
    assert "all visible tests pass" in out and "common wrong answer" not in out

    fill(skip={"relative_error"}, answers={"add_bias": "def add_bias(x, b):\n    return x + b.mean()\n"})
    assert main(root + [str(good)]) == 1
    out = capsys.readouterr().out
    assert "FAILED        add_bias (0/1)" in out and "add_bias output: expected" in out
    assert "not answered  relative_error (its points come from hidden tests)" in out
    # only cells without hidden tests count: test_add_bias (1 point); relative_error's cell has hidden ones
    assert "0 / 1 points on the tests you can see; 4 more points come from hidden tests" in out, out
    assert "checked against the release of 00_fixture" in out and "time limit 60 CPU seconds" in out, out
    assert "probe_rng" not in out  # validate never runs (or shows) hidden tests: the student has none
    # its visible values are those of the fixture catalog's first mutant; another mutant's, another name
    assert ("add_bias gives the same values on every check of its tests as a common wrong answer the course "
            "knows: adds the mean of b.") in out, out
    fill(answers={"add_bias": "def add_bias(x, b):\n    x = x.copy()\n    x[:1] += b\n    return x\n"})
    assert main(root + [str(good)]) == 1
    out = capsys.readouterr().out
    assert "knows: adds b to the first row only." in out and "mean of b" not in out, out

    edited = notebooks.fill_solutions(release, source)
    next(c for c in edited.cells if notebooks.grade_id(c) == "test_add_bias").source = "pass"
    write(edited, good)
    assert main(root + [str(good)]) == 1
    assert "grade cell altered: test_add_bias" in capsys.readouterr().out

    # the instructor's source notebook carries hidden tests: they are not "altered" cells
    source_path = course.root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert main(root + [str(source_path)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "altered" not in out and "5 / 5 points on all tests, hidden ones included" in out, out


def test_collect_folders_files_and_lms_zips(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "amy" / "work").mkdir(parents=True)
    (inbox / "amy" / "work" / f"{ASSIGNMENT}.ipynb").write_text("{}")
    (inbox / "amy" / "work" / "scratch.ipynb").write_text("{}")
    (inbox / "bo.ipynb").write_text("{}")
    (inbox / ".DS_Store").write_text("")
    with zipfile.ZipFile(inbox / "moodle.zip", "w") as z:
        z.writestr("cy_1234_assignsubmission_file_/my work.ipynb", "{}")
        z.writestr("dee_99_1_00_fixture.ipynb", "{}")
        z.writestr("dee_99_1_notes.txt", "")
    subs = collect(inbox, ASSIGNMENT)
    assert [(s.student, s.problem) for s in subs] == [("amy", ""), ("bo", ""), ("cy", ""), ("dee", "")]
    assert subs[0].origin.endswith(f"work/{ASSIGNMENT}.ipynb")
    ids = [s.student for s in collect(inbox / "moodle.zip", ASSIGNMENT, r"_(?P<student>\d+)_")]
    assert ids == ["1234", "99"]


def test_collect_says_what_is_wrong(tmp_path):
    with pytest.raises(GradeError, match="does not exist"):
        collect(tmp_path / "nowhere", ASSIGNMENT)
    (tmp_path / "empty").mkdir()
    with pytest.raises(GradeError, match="no submissions"):
        collect(tmp_path / "empty", ASSIGNMENT)
    (tmp_path / "twice").mkdir()
    (tmp_path / "twice" / "amy.ipynb").write_text("{}")
    with zipfile.ZipFile(tmp_path / "twice" / "lms.zip", "w") as z:
        z.writestr("amy_1_x.ipynb", "{}")
    with pytest.raises(GradeError, match="amy has two submissions"):
        collect(tmp_path / "twice", ASSIGNMENT)
    (tmp_path / "bad.zip").write_text("not a zip")
    with pytest.raises(GradeError, match="not a readable zip"):
        collect(tmp_path / "bad.zip", ASSIGNMENT)


def test_course_definition_errors_name_the_fix(tmp_path):
    (tmp_path / "course").mkdir()
    toml = tmp_path / "course" / "course.toml"
    toml.write_text('[[assignments]]\nid = "a"\ntitle = "A"\n')
    with pytest.raises(CourseError, match="lacks time_limit"):
        load_course(tmp_path)
    toml.write_text('[[assignments]]\nid = "a"\ntitle = "A"\ntime_limit = 5\n')
    with pytest.raises(CourseError, match="no assignment 'b'.*known: a"):
        load_course(tmp_path).get("b")
    assert main(["--root", str(tmp_path), "release", "a"]) == 2  # no source notebook: a clear error


def test_the_repository_course_lists_existing_ids():
    course = load_course()
    assert [a.id for a in course.assignments][0] == "01_perceptron"
    assert all(a.time_limit > 0 for a in course.assignments)


@pytest.mark.parametrize("failed_starts,status", [(2, "graded"), (3, "flagged")])
def test_a_kernel_that_fails_to_start_is_started_again_then_flagged(course, monkeypatch, failed_starts, status):
    from autograder import kernel
    real = kernel.NotebookClient.setup_kernel
    starts = []

    def flaky(self, **kwargs):
        starts.append(1)
        if len(starts) <= failed_starts:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(self, **kwargs)

    monkeypatch.setattr(kernel.NotebookClient, "setup_kernel", flaky)
    source, release = source_and_release(course)
    result = grade_one(source, notebooks.fill_solutions(release, source), 60, course.root / "source" / ASSIGNMENT)
    assert result.status == status, result.reason
    if status == "graded":
        assert result.score == result.max_score, result.reason
    else:
        assert result.score == 0 and "did not start (3 attempts)" in result.reason, result.reason


def test_grading_leaves_out_the_lessons_own_cells_that_no_test_needs(course):
    """The source's own cells that define nothing a test uses (the fixture's demo that prints the
    data file's sum) are not run, and are in the graded notebook as submitted; every cell of the
    notebook's own runs, among the assignment's files."""
    from nbformat.v4 import new_code_cell

    source, release = source_and_release(course)
    demo = 'print("the data file sums to", DATA.sum())'
    submission = notebooks.fill_solutions(release, source)
    assert sum(cell.source == demo for cell in submission.cells) == 1, "the fixture's demo cell changed"
    submission.cells.append(new_code_cell('print("my own cell: the data file sums to", DATA.sum())'))
    result = grade_one(source, submission, 60, course.root / "source" / ASSIGNMENT)
    assert result.score == result.max_score and not result.flags, result.reason
    text = lambda cell: "".join(o.get("text", "") for o in cell.outputs)
    left_out = next(cell for cell in result.notebook.cells if cell.source == demo)
    assert text(left_out) == "", f"the demo ran: {left_out.outputs}"
    assert text(result.notebook.cells[-1]) == "my own cell: the data file sums to 21.0\n", result.notebook.cells[-1]


def test_widget_output_stays_in_the_cell_so_the_kernel_never_waits_on_a_front_end(course):
    """nbclient's stand-in for the Output widget sent the kernel a comm message per output,
    which deadlocked about 1 run in 10 of a notebook with plotting widgets (a 600 s timeout in
    CI). With no stand-in, what the widget prints is an ordinary output of its cell."""
    from nbformat.v4 import new_code_cell

    source, release = source_and_release(course)
    submission = notebooks.fill_solutions(release, source)
    submission.cells.append(new_code_cell(
        "import ipywidgets as widgets\n"
        "from IPython.display import display\n"
        "slider = widgets.IntSlider(value=7)\n"
        "display(widgets.interactive_output(lambda v: print('the widget shows', v), {'v': slider}))"))
    result = grade_one(source, submission, 60, course.root / "source" / ASSIGNMENT)
    assert result.status == "graded" and result.score == result.max_score, result.reason
    printed = "".join(o.get("text", "") for o in result.notebook.cells[-1].outputs)
    assert "the widget shows 7" in printed, (
        "expected the widget's print in its cell's outputs; it went to an Output-widget stand-in "
        f"(kernel.py: client.widget_registry must be empty). Outputs: {result.notebook.cells[-1].outputs}")


@pytest.mark.parametrize("cheat,replaced", [
    # a no-op in place of the checking helper, in the student's own cell
    ("check_close = lambda *args, **kwargs: None\n", "check_close"),
    # the reference that the hidden test compares with, made to agree with a wrong answer
    ("import nnref.checks\nnnref.checks.rel_error = lambda a, b: 0.0\n", "nnref.checks.rel_error"),
    # the same, by swapping the reference's code
    ("import nnref.checks\nnnref.checks.rel_error.__code__ = (lambda a, b: 0.0).__code__\n",
     "nnref.checks.rel_error"),
])
def test_replacing_the_tests_tools_earns_nothing(course, cheat, replaced):
    source, release = source_and_release(course)
    wrong = "def relative_error(a, b):\n    return 0.0\n"
    submission = notebooks.fill_solutions(release, source, answers={"relative_error": cheat + wrong})
    result = grade_one(source, submission, 60, course.root / "source" / ASSIGNMENT)
    got = result.exercises()
    assert got["relative_error"] == (0, 2), (
        f"a submission that replaces {replaced} must not earn the points of its wrong answer; "
        f"cells: {[(c.grade_id, c.outcome, c.message[:120]) for c in result.cells]}")
    assert not result.flags, result.reason  # nothing to flag: the values decide


def test_version_and_bare_command(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("nncourse 0.")
    assert main([]) == 0
    assert "validate" in capsys.readouterr().out


def test_validate_anywhere_finds_the_assignment_from_the_notebook(tmp_path, monkeypatch, capsys):
    """A student's folder outside the repository, a file renamed by the LMS, an edited test
    cell: the installed course's release is the reference, and the edit is reported."""
    from autograder.course import installed_root
    course = load_course(installed_root())
    release = notebooks.read(course.get("01_perceptron").release_notebook)
    gid, _, cell = notebooks.test_cells(release)[0]
    cell.source = "pass  # my test now"
    renamed = write(release, tmp_path / "dave_1004_assignsubmission_file_homework.ipynb")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(renamed)]) == 1
    out = capsys.readouterr().out
    assert "checked against the release of 01_perceptron" in out and "time limit 120 CPU seconds" in out, out
    assert f"grade cell altered: {gid}" in out


def test_validate_a_corrupt_file_says_so_without_a_traceback(tmp_path, capsys):
    broken = tmp_path / "01_perceptron.ipynb"
    broken.write_text('{"cells": [\n  {"cell_type": "code",\n')
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "could not be read" in err and "not valid JSON" in err and "line 3" in err, err
    assert "Traceback" not in err


def grade_with_changed_source(tmp_path, capsys, grade_id, change):
    """`nncourse grade` of an untouched release after ``change`` rewrote the source cell
    ``grade_id``'s text: (exit code, stderr)."""
    def rewrite(nb):
        for cell in nb.cells:
            if notebooks.grade_id(cell) == grade_id:
                cell.source = change(cell.source)
    return grade_with_source(tmp_path, capsys, rewrite)


def grade_with_source(tmp_path, capsys, rewrite):
    """`nncourse grade` of an untouched release after ``rewrite`` changed the source notebook in
    place: (exit code, stderr)."""
    course = copy_course(tmp_path)
    _, release = source_and_release(course)
    path = course.get(ASSIGNMENT).source_notebook
    changed = notebooks.read(path)
    rewrite(changed)
    write(changed, path)
    write(release, tmp_path / "inbox" / "a.ipynb")
    code = main(["--root", str(course.root), "grade", str(tmp_path / "inbox"), "--assignment", ASSIGNMENT,
                 "--workspace", str(tmp_path / "ws")])
    return code, capsys.readouterr().err


def test_a_source_that_fails_its_own_tests_stops_grading_before_any_student(tmp_path, capsys):
    """The expected values come from the source's own run: a source whose solution is wrong
    has none to give, and grading stops with the cells that fail, before any grade is written."""
    code, err = grade_with_changed_source(tmp_path, capsys, "add_bias",
                                          lambda text: text.replace("return x + b\n", "return x - b\n"))
    assert code == 2 and "fails its own tests" in err and "test_add_bias" in err, err
    assert "relative_error" not in err.split("fails its own tests")[1]
    assert not (tmp_path / "ws" / "grades.csv").exists()


def test_a_source_whose_tests_need_a_stripped_statement_stops_grading(tmp_path, capsys):
    """The source is graded among the class as a student's notebook is, expected values
    stripped: a statement that only seemed to feed an expected value (it also moves an
    iterator on) would cost honest students the cell, so grading stops and says why."""
    tricky = ("b = np.array([1.0, 2.0, 3.0])\n"
              "inputs = iter([np.ones((2, 3)), np.zeros((2, 3))])\n"
              "expected = next(inputs) + b - 1\n"
              "out = add_bias(next(inputs), b)\n"
              "check_close(out, expected, 'add_bias output')\n")
    code, err = grade_with_changed_source(tmp_path, capsys, "test_add_bias", lambda text: tricky)
    assert code == 2 and "expected values stripped" in err and "test_add_bias" in err, err
    assert not (tmp_path / "ws" / "grades.csv").exists()


def test_a_demo_that_changes_what_a_test_sees_stops_grading(tmp_path, capsys):
    """Grading leaves out the lesson's own cells that define no name a test uses; the stripping
    check runs them all. A demo that changes a test's input in place (no name bound, so the
    grader leaves it out) would make the reference disagree with the whole notebook: grading
    stops and names the cause."""
    def rewrite(nb):
        nb.cells[1].source += '\nSETTINGS = {"shift": 0.0}\n'
        nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell('SETTINGS.update(shift=1.0)  # a demo'))
        for cell in nb.cells:
            if notebooks.grade_id(cell) == "test_add_bias":
                cell.source = cell.source.replace("out = add_bias(np.zeros((2, 3))",
                                                  'out = SETTINGS["shift"] + add_bias(np.zeros((2, 3))')
                assert "SETTINGS" in cell.source
    code, err = grade_with_source(tmp_path, capsys, rewrite)
    assert code == 2 and "every cell run" in err and "test_add_bias" in err and "leaves out" in err, err
    assert not (tmp_path / "ws" / "grades.csv").exists()


def test_a_test_cell_that_is_not_python_stops_grading_before_any_student(tmp_path, capsys):
    """A test cell the grader cannot read cannot have its expected values taken out: run as it
    is, it would compute its hidden expected values in the student's kernel. Grading stops."""
    code, err = grade_with_changed_source(tmp_path, capsys, "test_add_bias",
                                          lambda text: "out = add_bias(\n" + text)
    assert code == 2 and "is not Python, even read as IPython" in err and "out = add_bias(" in err, err
    assert "Traceback" not in err and not (tmp_path / "ws" / "grades.csv").exists()


def test_a_test_cell_with_ipython_syntax_is_stripped_like_any_other(tmp_path):
    """A magic in a test cell is IPython, not Python: the cell is read as IPython runs it, so its
    expected value is still computed by the grader, not in the student's kernel."""
    from autograder.plan import make_plan
    course = copy_course(tmp_path)
    path = course.get(ASSIGNMENT).source_notebook
    source = notebooks.read(path)
    for cell in source.cells:
        if notebooks.grade_id(cell) == "test_add_bias":
            cell.source = ("%precision 3\n"
                           "expected = np.zeros((2, 3)) + np.array([1.0, 2.0, 3.0])\n"
                           "out = add_bias(np.zeros((2, 3)), np.array([1.0, 2.0, 3.0]))\n"
                           "check_close(out, expected, 'add_bias output')\n")
    write(source, path)
    as_run = make_plan(path, 60).test("test_add_bias").student_source
    assert "run_line_magic('precision', '3')" in as_run and "expected =" not in as_run, as_run
    _, release = source_and_release(course)
    result = grade_one(path, notebooks.fill_solutions(release, source), 60)
    assert [c.outcome for c in result.cells if c.grade_id == "test_add_bias"] == ["passed"], result
    assert not result.flags, result.flags


def test_progress_maps_a_self_learners_folder(tmp_path, capsys):
    """Three lessons (the fixture's, twice more under other ids): one done, one half done (with
    the catalog's first mutant, named), one untouched; one line each and a total."""
    import shutil
    course = copy_course(tmp_path)
    toml = course.root / "course" / "course.toml"
    for copy in ("00_second", "00_third"):
        shutil.copytree(course.get(ASSIGNMENT).source_dir, course.root / "source" / copy)
        (course.root / "source" / copy / f"{ASSIGNMENT}.ipynb").rename(course.root / "source" / copy / f"{copy}.ipynb")
        toml.write_text(toml.read_text() + f'\n[[assignments]]\nid = "{copy}"\ntitle = "{copy}"\ntime_limit = 60\n')
    catalogs = course.root / "course" / "catalogs"
    (catalogs / "catalog_00_second.py").write_text(
        (catalogs / f"catalog_{ASSIGNMENT}.py").read_text().replace(ASSIGNMENT, "00_second"))
    root = ["--root", str(course.root)]
    assert main(root + ["release"]) == 0
    capsys.readouterr()
    source, release = source_and_release(course)
    mine = tmp_path / "my notebooks"
    (mine / "numbers.txt").parent.mkdir()
    (mine / "numbers.txt").write_text("1 2\n")
    write(notebooks.fill_solutions(release, source), mine / f"{ASSIGNMENT}.ipynb")
    write(notebooks.fill_solutions(release, source, skip={"relative_error"},
                                   answers={"add_bias": "def add_bias(x, b):\n    return x + b.mean()\n"}),
          mine / "00_second.ipynb")
    write(release, mine / "later" / "00_third.ipynb")
    assert main(root + ["progress", str(mine)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(f"3 lesson notebooks in {mine}; running their visible tests in the sandbox takes "), out
    assert f"{ASSIGNMENT:<28} 2/2 exercises pass" in lines
    at = lines.index("00_second                    0/2 exercises pass; failing: add_bias; not answered: 1")
    assert lines[at + 1].strip() == ("Your add_bias gives the same values on every check of its tests as a common "
                                     "wrong answer the course knows: adds the mean of b."), out
    assert "00_third                     0/2 exercises pass; not answered: 2" in lines, out
    assert lines[-1].startswith("total: 2/6 exercises pass in 3 of 3 lessons"), out
    assert out.count("common wrong answer") == 1
    from autograder.cli import _progress_times
    assert {ASSIGNMENT, "00_second", "00_third"} <= set(_progress_times())  # the next estimate's measured times
