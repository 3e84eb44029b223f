"""Stock nbgrader on this course (course/ARCHITECTURE.md, "Stock nbgrader compatible"): with the
repository's nbgrader_config.py, `nbgrader generate_assignment` reproduces release/ and
`nbgrader autograde` gives the same per-cell scores as `nncourse grade` to full, blank and
partly wrong submissions of lessons 01-04, to correct answers that raise warnings, and to full
solutions of lessons 05-08."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder import notebooks
from autograder.course import load_course
from autograder.grading import Submission, grade_class
from autograder.release import release_notebook
from validity.harness import load_catalog

from fixtures.classroom import in_variant_0

ROOT = Path(__file__).resolve().parents[1]
COURSE = load_course(ROOT)
FAST = ["01_perceptron", "02_forward_pass", "03_softmax_cross_entropy", "04_backprop"]
# 05-08 run longer (8-16 s a notebook): the full solution only, where stderr output, a final
# number or a timeout would show; homework 09 is compared by tests/benchmarks/bench_grading.py.
FULL_ONLY = ["05_optimizers", "06_initialization", "07_batchnorm", "08_dropout"]
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))


def start_nbgrader(folder, *args):
    env = dict(os.environ, PATH=f"{Path(NBGRADER).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    process = subprocess.Popen([NBGRADER, *args], cwd=folder, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    process.args_given = args
    return process


def finish(process):
    _, stderr = process.communicate()
    assert process.returncode == 0, (process.args_given, stderr[-3000:])


def nbgrader(folder, *args):
    finish(start_nbgrader(folder, *args))


# Correct answers that raise numpy warnings (catalog variants, by the start of their description).
# Stock nbgrader zeroes a test cell with output on stderr, where warnings go, so these stay
# correct under stock only because every test cell starts with note_warnings().
WARNING_VARIANTS = {"02_forward_pass": {"sigmoid_forward": "the textbook formula",
                                        "tanh_forward": "2 sigmoid(2x) - 1",
                                        "elu_forward": "np.where with exp of every x"}}
STUDENTS = ["full", "blank", "wrong"]


def submissions(assignment):
    """full, blank, and partly wrong: the catalog's first mutant of the first exercise and,
    where the catalog has them, correct answers that warn for other exercises. Each student is
    in variant 0, which stock nbgrader runs (and whose references the validity harness makes)."""
    source = notebooks.read(assignment.source_notebook)
    release = release_notebook(source)
    catalog = load_catalog(assignment.id)
    exercise, entries = next(iter(catalog["MUTANTS"].items()))
    answers = {ex: next(code for what, code in catalog["VARIANTS"][ex] if what.startswith(start))
               for ex, start in WARNING_VARIANTS.get(assignment.id, {}).items()}
    answers[exercise] = entries[0][1]
    as_bytes = lambda nb: notebooks.dumps(nb).encode()
    made = {"full": notebooks.fill_solutions(release, source), "blank": release,
            "wrong": notebooks.fill_solutions(release, source, answers=answers)}
    return [Submission(in_variant_0(assignment, student), as_bytes(nb)) for student, nb in made.items()]


@pytest.fixture(scope="module")
def stock_course(tmp_path_factory):
    """A stock nbgrader course folder made of the repository's files, each assignment generated
    by stock ``generate_assignment`` (which records it in the course's gradebook for autograde)."""
    folder = tmp_path_factory.mktemp("stock")
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    shutil.copytree(ROOT / "course", folder / "course")
    for aid in FAST + FULL_ONLY:
        shutil.copytree(ROOT / "source" / aid, folder / "source" / aid)
        nbgrader(folder, "generate_assignment", aid, "--force")
    return folder


@pytest.mark.parametrize("aid", FAST + FULL_ONLY)
def test_stock_generate_assignment_reproduces_release(stock_course, aid):
    made = stock_course / "release" / aid / f"{aid}.ipynb"
    assert made.read_bytes() == (ROOT / "release" / aid / f"{aid}.ipynb").read_bytes(), (
        f"stock nbgrader's release of {aid} differs from release/: run `nncourse release` and compare")


def test_stock_autograde_scores_like_nncourse(stock_course, tmp_path):
    ours, stock_run = {}, None
    for aid in FAST + FULL_ONLY:
        assignment = COURSE.get(aid)
        subs = submissions(assignment)[:1 if aid in FULL_ONLY else None]
        for sub in subs:
            target = stock_course / "submitted" / sub.student / aid
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{aid}.ipynb").write_bytes(sub.data)
        if stock_run:
            finish(stock_run)  # one autograde at a time: they share the course's gradebook
        stock_run = start_nbgrader(stock_course, "autograde", aid, "--force")  # grading beside ours
        graded = grade_class(COURSE, assignment, subs, tmp_path / aid, progress=False)
        assert {r.variant for _, r in graded} == {0}
        label = {in_variant_0(assignment, student): student for student in STUDENTS}
        ours[aid] = {label[sub.student]: {c.grade_id: c.points for c in r.cells} for sub, r in graded}
    finish(stock_run)
    with Gradebook(f"sqlite:///{stock_course / 'gradebook.db'}") as gb:
        for aid in FAST + FULL_ONLY:
            for label, cells in ours[aid].items():
                student = in_variant_0(COURSE.get(aid), label)
                nb = gb.find_submission_notebook(aid, aid, student)
                stock = {g.name: g.auto_score for g in nb.grades if g.name in cells}
                assert stock == cells, (aid, label, {k: (stock.get(k), v) for k, v in cells.items()
                                                       if stock.get(k) != v})
    assert sum(ours["01_perceptron"]["full"].values()) > 0 and sum(ours["01_perceptron"]["blank"].values()) == 0
    for aid in FULL_ONLY:
        top = {gid: points for gid, points, _ in notebooks.test_cells(notebooks.read(COURSE.get(aid).source_notebook))}
        assert ours[aid]["full"] == top, f"{aid}: the full solution must earn every test cell's points"
    for aid, warning in WARNING_VARIANTS.items():
        lost = {gid: points for gid, points in ours[aid]["wrong"].items()
                if notebooks.exercise_of(gid) in warning and points != ours[aid]["full"][gid]}
        assert not lost, f"{aid}: correct answers that warn must earn full points, got {lost}"


def test_stock_autograde_opens_no_output_widget_stand_in():
    """nbclient's stand-in for the Output widget can hang a widget cell under stock autograde
    (lesson 02's `activation_explorer()` waited out the 600 s cell timeout, kernel idle): the
    course's nbgrader_config.py gives autograde nbgrader's own steps, in its order, with an
    Execute that opens no stand-in, so a widget's outputs stay ordinary outputs of its cell."""
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.stock import ExecuteWithoutOutputWidget

    steps = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config().Autograde.autograde_preprocessors
    stock = Autograde.class_traits()["autograde_preprocessors"].default()
    assert steps == ["autograder.stock.ExecuteWithoutOutputWidget" if s is Execute else s for s in stock], steps
    output_widget = {"content": {"comm_id": "c1", "data": {"state": {
        "_model_module": "@jupyter-widgets/output", "_model_name": "OutputModel", "outputs": []}}}}
    assert Execute().on_comm_open_jupyter_widget(output_widget) is not None  # nbclient's stand-in
    assert ExecuteWithoutOutputWidget().on_comm_open_jupyter_widget(output_widget) is None
