"""Issue #23's hostile students, on the real lessons: tricks that once bent a grade through what
the student's kernel was trusted with (or through a second copy of an exercise in nnref). Each notebook is the source's solution with one exercise
answered wrongly plus the trick; graded by `nncourse grade` beside an honest classmate (one
class per lesson), none may earn a point of the exercise it did not solve.
"""
import csv
from pathlib import Path

import pytest

from autograder import notebooks
from autograder.cli import main
from autograder.course import load_course

from fixtures.classroom import in_variant_0

ROOT = Path(__file__).resolve().parents[2]
COURSE = load_course(ROOT)

# a generic rewrite of every observation a check publishes: conditions made true, expected
# values sent by the kernel copied into the value, two compared values made alike or apart
DISPLAY_HOOK = '''
import numpy as _np, nnref.observations as _obs
_report = _obs.report
def _forged(kind, got, expected=None, **declared):
    if kind == "true":
        got = True
    elif kind == "same":
        got = (got[0], got[0])
    elif kind == "differ":
        got = (got[0], _np.asarray(got[0]) + 1.0)
    elif expected is not None:
        got = expected
    return _report(kind, got, expected, **declared)
_obs.report = _forged
'''

ZERO_INITS = {
    "fixed_scale_init": "def small_random(fan_in, fan_out, rng=None, dtype=np.float64):\n"
                        "    return np.zeros((fan_in, fan_out), dtype=dtype)\n",
    "scaled_init": "def xavier(fan_in, fan_out, rng=None, dtype=np.float64):\n"
                   "    return np.zeros((fan_in, fan_out), dtype=dtype)\n\n"
                   "def he(fan_in, fan_out, rng=None, dtype=np.float64):\n"
                   "    return np.zeros((fan_in, fan_out), dtype=dtype)\n",
}

# xavier drawing at He's scale, named like He's initializer: a test that derives its expected
# value from a function's name would expect He's scale of it
NAME_SPOOF = {
    "scaled_init": "def he(fan_in, fan_out, rng=None, dtype=np.float64):\n"
                   "    W = np.random.default_rng(rng).standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)\n"
                   "    return W.astype(dtype)\n\n"
                   "def xavier(fan_in, fan_out, rng=None, dtype=np.float64):\n"
                   "    return he(fan_in, fan_out, rng, dtype)\n\n"
                   "xavier.__name__ = xavier.__qualname__ = 'he'\n",
}

# nnref's return values captured as they are computed (a profiler hook reads no frame's
# variables), handed back as the answer
PROFILER = {
    "sigmoid_forward": '''import sys
_seen = []
def _spy(frame, event, arg):
    if event == "return" and frame.f_code.co_name == "sigmoid_forward" and "nnref" in frame.f_code.co_filename:
        _seen.append(arg)
sys.setprofile(_spy)

def sigmoid_forward(x):
    for found in reversed(_seen):
        if isinstance(found, tuple) and np.shape(found[0]) == np.shape(x):
            return found
    return x.copy(), x.copy()
'''}

# nnref's network class as the answer: its loss runs nnref's layers
NNREF_NET = {
    "two_layer_loss": '''from nnref.nets import TwoLayerNet

def two_layer_loss(X, y, params, reg=0.0):
    net = TwoLayerNet(params["W1"].shape[0], params["W1"].shape[1], params["W2"].shape[1], reg=reg)
    net.params = params
    return net.loss(X, y)
'''}

WRONG_SIGMOID = {"sigmoid_forward": "def sigmoid_forward(x):\n    return x.copy(), x.copy()\n"}

# the sigmoid a widget module of nnref's uses, as the answer (nnref keeps one sigmoid: the
# widget's is nnref.layers', which the audit withholds)
WIDGET_COPY = {"sigmoid_forward": '''from nnref.widgets.backprop import FUNCTIONS

def sigmoid_forward(x):
    out = np.asarray(FUNCTIONS["sigmoid"][0](x))
    return out, out
'''}

# {lesson: {student: (answers, a cell after the setup cell, the control: the same wrong answers
# without the trick, or None where the answer is right but is nnref's own)}}
CLASSES = {
    "06_initialization": {
        "display_hook": (ZERO_INITS, DISPLAY_HOOK, ZERO_INITS),
        "name_spoof": (NAME_SPOOF, "", {"scaled_init": NAME_SPOOF["scaled_init"].split("xavier.__name__")[0]}),
    },
    "02_forward_pass": {"profiler": (PROFILER, "", WRONG_SIGMOID), "widget_copy": (WIDGET_COPY, "", None)},
    "04_backprop": {"nnref_net": (NNREF_NET, "", None)},
}


def submission(assignment, answers=None, cell=""):
    source = notebooks.read(ROOT / "source" / assignment / f"{assignment}.ipynb")
    release = notebooks.read(ROOT / "release" / assignment / f"{assignment}.ipynb")
    nb = notebooks.fill_solutions(release, source, answers=answers)
    if cell:  # right after the setup cell, before every exercise and test
        setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells.insert(setup + 1, notebooks.nbformat.v4.new_code_cell(cell))
    return nb


@pytest.fixture(scope="module", params=sorted(CLASSES))
def graded(request, tmp_path_factory):
    assignment = request.param
    tmp = tmp_path_factory.mktemp(assignment)
    inbox, workspace = tmp / "inbox", tmp / "workspace"
    inbox.mkdir()
    students = {"honest": submission(assignment)}
    for student, (answers, cell, control) in CLASSES[assignment].items():
        students[student] = submission(assignment, answers, cell)
        if control:
            students[f"{student}_control"] = submission(assignment, control)
    # all in variant 0: a trick and its control meet the same inputs, and the class shares its references
    ids = {student: in_variant_0(COURSE.get(assignment), student) for student in students}
    for student, nb in students.items():
        (inbox / f"{ids[student]}.ipynb").write_text(notebooks.dumps(nb), encoding="utf-8")
    main(["--root", str(ROOT), "grade", str(inbox), "--assignment", assignment, "--workspace", str(workspace)])
    with (workspace / "grades.csv").open(newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert {rows[i]["variant"] for i in ids.values()} == {"0"}
    return assignment, {student: rows[i] for student, i in ids.items()}


def test_no_trick_earns_a_point_of_the_exercise_it_did_not_solve(graded):
    """The trick earns no more than its wrong answer earns without it (which loses points: the
    answer is wrong), and an answer that is nnref's own earns nothing."""
    assignment, rows = graded
    honest = rows["honest"]
    assert float(honest["score"]) == float(honest["max_score"]), honest
    for student, (answers, _, control) in CLASSES[assignment].items():
        for exercise in answers:
            got = float(rows[student][exercise])
            if control is None:
                assert got == 0, f"{assignment}: {student} earned {got} on {exercise}: {rows[student]}"
                continue
            without = float(rows[f"{student}_control"][exercise])
            assert without < float(honest[exercise]), f"the control answer is not wrong: {rows[f'{student}_control']}"
            assert got <= without, (f"{assignment}: {student}'s trick earned {got} points on {exercise}, "
                                    f"{without} without the trick: {rows[student]}")
