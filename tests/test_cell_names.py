"""What a cell reads from and binds in the notebook's namespace (autograder/notebooks.py): the
analysis that decides which cells the audit, the reference run and the observed catalog's runs
keep (pipeline.keep_only_what_is_needed). Reading too little drops a cell a test needs."""
import copy

import pytest

from autograder import notebooks, pipeline
from autograder.plan import make_plan
from fixtures.classroom import ASSIGNMENT, FIXTURE

CASES = [  # source, what it reads, what it binds
    ("x = f(x)", {"f", "x"}, {"x"}),
    ("x = 1\nprint(x)", {"print"}, {"x"}),
    ("total += 1", {"total"}, {"total"}),
    ("for i in range(n):\n    total += i", {"range", "n", "total"}, {"i", "total"}),
    ("for name, f in pairs:\n    W = f(name)\n    print(W)", {"pairs", "print"}, {"name", "f", "W"}),
    ("for a in b:\n    use(previous)\n    previous = a", {"b", "use", "previous"}, {"a", "previous"}),
    ("def g(a):\n    b = a + W\n    return np.sum(b)", {"W", "np"}, {"g"}),
    ("y = lambda t: t + V", {"V"}, {"y"}),
    ("class C:\n    y = T\n    def m(self):\n        return U", {"T", "U"}, {"C"}),
    ("def h():\n    global Z\n    Z = 1", set(), {"h", "Z"}),
    ("squares = [q * k for q in items]", {"items", "k"}, {"squares", "q"}),
    ("try:\n    pass\nexcept E as err:\n    print(err)", {"E", "print"}, {"err"}),
    ("with open(path) as handle:\n    text = handle.read()", {"open", "path"}, {"handle", "text"}),
    ("from nnref.layers import *", set(), {"*"}),
    ("%matplotlib inline\nimport numpy as np\nnp.ones(3)", {"get_ipython"}, {"np"}),
]


@pytest.mark.parametrize("source,reads,binds", CASES, ids=[c[0].splitlines()[0] for c in CASES])
def test_names_a_cell_reads_and_binds(source, reads, binds):
    assert notebooks.used_names(source) == reads, f"reads of {source!r}"
    assert notebooks.bound_names(source) == binds, f"binds of {source!r}"


def test_only_the_cells_the_tests_need_are_kept():
    """A demo of the lesson's own whose names no test or solution reads is emptied; one that binds
    a name a kept cell reads is kept, and so is what it reads in turn; the student's own cells stay."""
    source = notebooks.read(FIXTURE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    new = notebooks.nbformat.v4.new_code_cell
    setup = next(i for i, c in enumerate(source.cells) if c.cell_type == "code")
    source.cells[setup + 1:setup + 1] = [new("local = 3\ndemo = local * 2"), new("offset = 0.0"),
                                         new("scale = offset + 1.0")]
    first_test = next(c for c in source.cells if notebooks.is_grade(c))
    first_test.source = "print(scale)\n" + first_test.source
    plan = make_plan(source, 60)
    nb = copy.deepcopy(source)
    nb.cells.insert(setup + 1, new("mine = 1"))
    pipeline.keep_only_what_is_needed(nb, plan, {t.grade_id for t in plan.tests})
    own, demo, helper, used_helper = nb.cells[setup + 1:setup + 5]
    assert demo.source == "", "a demo no kept cell reads from is run"
    assert helper.source and used_helper.source, "a cell binding what a kept cell reads was emptied"
    assert own.source == "mine = 1", "a cell of the student's own was emptied"
