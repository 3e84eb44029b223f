"""What a cell reads from and binds in the notebook's namespace (autograder/notebooks.py): the
analysis that decides which cells the audit, the reference run and the observed catalog's runs
keep (autograder/needed.py). Reading too little drops a cell a test needs."""
import copy

import pytest

from autograder import notebooks
from autograder import needed
from autograder.needed import keep_only
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
    # a function runs after its def: what the cell bound before it is the cell's own
    ("rng = make()\ndef draw():\n    return rng.normal()\ndraw()", {"make"}, {"rng", "draw"}),
    ("def draw():\n    return rng.normal()\nrng = make()\ndraw()", {"make", "rng"}, {"draw", "rng"}),
    ("if flag:\n    rng = make()\nf = lambda: rng", {"flag", "make", "rng"}, {"rng", "f"}),
    ("x = 1\nys = [x * k for k in items]", {"items"}, {"x", "ys", "k"}),
    # in a block: its own earlier statements, and a loop's target, are bound whenever it runs
    ("for n in sizes:\n    x = make(n)\n    g = lambda v: v * x * n\n    g(1)", {"sizes", "make"}, {"n", "x", "g"}),
    ("for n in sizes:\n    g = lambda v: v * x\n    x = make(n)", {"sizes", "make", "x"}, {"n", "x", "g"}),
    ("with ctx() as c:\n    s = c.open()\n    r = [s.step(t) for t in ts]", {"ctx", "ts"}, {"c", "s", "r", "t"}),
    ("for x in map(lambda v: v + x, items):\n    pass", {"map", "items", "x"}, {"x"}),
    ("for x in items: f = lambda: x", {"items", "x"}, {"x", "f"}),
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
    keep_only(nb, plan.own_sources, {t.grade_id for t in plan.tests})
    own, demo, helper, used_helper = nb.cells[setup + 1:setup + 5]
    assert demo.source == "", "a demo no kept cell reads from is run"
    assert helper.source and used_helper.source, "a cell binding what a kept cell reads was emptied"
    assert own.source == "mine = 1", "a cell of the student's own was emptied"


PRUNING = [  # a cell of the lesson's own, the names the kept cells read, what is left of the cell
    ("%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt\nnp.set_printoptions(precision=4)",
     set(), "import numpy as np\nnp.set_printoptions(precision=4)"),
    ("import numpy as np\nfrom nnref.widgets import explorer\nX = np.ones(3)", {"X"}, "import numpy as np\nX = np.ones(3)"),
    ("from nnref.checks import check_close, check_shape", {"check_shape"}, "from nnref.checks import check_close, check_shape"),
    ("import math\n\ndef norm(v):\n    return math.sqrt(v @ v)", {"norm"}, "import math\n\ndef norm(v):\n    return math.sqrt(v @ v)"),
    ("from nnref.layers import *", set(), "from nnref.layers import *"),
    ("import numpy as np; X = 1", {"X"}, "import numpy as np; X = 1"),  # one line, two statements: left as it is
    ("import nnref.layers\nimport nnref.widgets", {"nnref"}, "import nnref.layers\nimport nnref.widgets"),
]


@pytest.mark.parametrize("source,reads,left", PRUNING, ids=[c[0].splitlines()[-1] for c in PRUNING])
def test_a_kept_cell_of_the_lessons_own_loses_only_the_imports_nothing_reads(source, reads, left):
    """An import nothing kept reads (nor the cell itself) is taken out, and `%matplotlib`: a run only
    the grader reads then imports no plotting or widget library a test does not use."""
    assert needed.without_unused_imports(source, reads).strip() == left


def test_only_a_cell_of_the_lessons_own_loses_its_imports():
    """A student's own cell, or a changed copy of the lesson's, keeps every import it has."""
    lesson = "import numpy as np\nimport matplotlib.pyplot as plt\nX = np.ones(3)"
    new = notebooks.nbformat.v4.new_code_cell
    nb = notebooks.nbformat.v4.new_notebook(cells=[new(lesson), new(lesson + "\n"), new("print(X)")])
    needed.keep_only(nb, frozenset({lesson}), set())
    assert [c.source.strip() for c in nb.cells] == ["import numpy as np\nX = np.ones(3)", lesson, "print(X)"]
