"""Every number a lesson's text quotes from an output is the number that output shows, with one
BLAS thread (what the grader and CI set) and with two (a student's JupyterLab kernel on a
two-core laptop), issue #24.

How it works: each source notebook is executed once as a student runs it (exploration cells
included, no grading variables), its kernel started with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS
/ MKL_NUM_THREADS at 2, as on that laptop; the 9 runs share the machine's two cores (two kernels
at a time). nnref limits BLAS to one thread when imported (nnref/threads.py), before a lesson
computes anything, so that run computes what a one-thread kernel does:
test_importing_nnref_leaves_one_blas_thread checks the limit on its own, cheaply, and a lesson
that computed before importing nnref, or lifted the limit, would print numbers its text (written
from a one-thread run) does not hold. Then every number of every markdown cell, the Korean
summary included, is either

* an input: it appears literally in one of the notebook's code cells (a learning rate, the iris
  row, ...), or one of the few hand-derived or cited numbers listed in NOT_FROM_AN_OUTPUT with
  the reason; or
* a quote: it must match, as rounded in the text, a number printed by a code cell of the run.

A "number" is a decimal (0.7018, 2.85) or a percentage (45 %, 98.8 %): plain integers (10
layers, 5000 epochs) are too often counts and sizes to tell from results. A quote matches an
output x when |x| (or 100|x| for a percentage) rounds to it at the text's number of decimals.
Matching is against all the notebook's outputs, so a quote that coincides with some other
printed number passes: the test catches quotes that no output supports, not a quote that names
the wrong one. Section numbers ("section 3.7", headings) are not numbers here.
"""
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nnref.homework import GRADING_VARIABLE
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(path.parent.name for path in (ROOT / "source").glob("*/*.ipynb"))
STUDENT_THREADS = 2  # a JupyterLab kernel's BLAS threads on a two-core laptop, before `import nnref`
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
CELL_TIMEOUT = 600

# Numbers in a lesson's markdown that no output prints and no code cell holds: derived by hand
# in the text, or quoted from a paper or a seed deck. Each with the reason it is not an output.
NOT_FROM_AN_OUTPUT = {
    "03_softmax_cross_entropy": {
        "709.78": "ln of float64's largest number, stated as a fact about np.exp",
    },
    "06_initialization": {
        "0.975": "where tanh's slope 1 - h**2 falls below 0.05: sqrt(0.95), hand-derived",
        "2.303": "ln 10, the loss of a uniform guess over ten classes, hand-derived",
    },
    "08_dropout": {
        "70": "the drop rate 1 - 0.7 of TensorFlow 1's keep_prob 0.7, hand-derived",
    },
    "09_mnist_homework": {
        "98.3": "a made-up validation accuracy in question 1",
        "98.0": "a made-up test accuracy in question 1",
    },
}

DECIMAL_OR_PERCENT = re.compile(r"(?<![\w.])(\d+\.\d+|\d+(?:\.\d+)?(?=\s?%))(?![\w.]*\d)")
SECTION_REFERENCE = re.compile(r"(^#+\s*|section\s+|sections\s+|§\s*)\d+(\.\d+)*", re.M | re.I)
OUTPUT_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
OUTPUT_MIMES = ("text/plain", "text/html", "text/markdown")


def _text(value):
    return value if isinstance(value, str) else "".join(value)


def quoted_numbers(markdown):
    """The decimals and percentages of a markdown text, as written ("0.7018", "45%")."""
    text = SECTION_REFERENCE.sub(" ", markdown)
    return [match.group(1) + ("%" if text[match.end():match.end() + 2].strip().startswith("%") else "")
            for match in DECIMAL_OR_PERCENT.finditer(text)]


def output_numbers(nb):
    """Every number the code cells' outputs print; of 4.5398e-05 both the value and the mantissa
    4.5398, since the text writes $4.54\\times10^{-5}$."""
    values = set()
    for cell in nb["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            texts = [_text(output["text"])] if output["output_type"] == "stream" else []
            texts += [_text(output.get("data", {})[mime]) for mime in OUTPUT_MIMES if mime in output.get("data", {})]
            for token in OUTPUT_NUMBER.findall("\n".join(texts)):
                values.add(float(token))
                values.add(float(re.split("[eE]", token)[0]))
    return values


def supports(quote, values):
    """Whether one of ``values`` rounds to ``quote`` at the quote's number of decimals."""
    number = quote.rstrip("%")
    decimals = len(number.split(".")[1]) if "." in number else 0
    target, tolerance = float(number), 0.5 * 10 ** -decimals * (1 + 1e-9)
    scale = 100.0 if quote.endswith("%") else 1.0
    return any(abs(abs(x) * factor - target) <= tolerance for x in values for factor in {1.0, scale})


def quotes_of(nb, lesson):
    """(quote, the first 80 characters around it) for every number of the markdown that is
    neither in a code cell nor listed in NOT_FROM_AN_OUTPUT."""
    code = "\n".join(_text(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "code")
    listed = NOT_FROM_AN_OUTPUT.get(lesson, {})
    quotes = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = _text(cell["source"])
        for quote in quoted_numbers(text):
            number = quote.rstrip("%")
            if number in listed or re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", code):
                continue
            at = text.find(number)
            quotes.append((quote, " ".join(text[max(at - 50, 0):at + 30].split())))
    return quotes


def unsupported_quotes(nb, lesson, executed):
    """The quotes of ``nb``'s markdown that the outputs of ``executed`` (a run of it) do not show."""
    values = output_numbers(executed)
    return [(quote, context) for quote, context in quotes_of(nb, lesson) if not supports(quote, values)]


def execute(lesson, threads):
    """The source notebook of ``lesson`` run as a student's kernel runs it, with ``threads`` BLAS
    threads; (the executed notebook, None) or (None, the error)."""
    path = ROOT / "source" / lesson / f"{lesson}.ipynb"
    nb = nbformat.read(path, as_version=4)
    env = {key: value for key, value in os.environ.items() if key != GRADING_VARIABLE}
    env.update({"MPLBACKEND": "Agg", **{variable: str(threads) for variable in BLAS_VARIABLES}})
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", startup_timeout=120,
                            resources={"metadata": {"path": str(path.parent)}})
    client.widget_registry = {}  # no Output-widget stand-in: its comm traffic can deadlock (autograder/engine.py)
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        return None, str(error)[:2000]
    return nb, None


@pytest.fixture(scope="module")
def runs():
    """{lesson: (executed notebook or None, error or None)}, two kernels at a time."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(LESSONS, pool.map(lambda lesson: execute(lesson, STUDENT_THREADS), LESSONS)))


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_quoted_number_is_an_output(lesson, runs):
    nb = json.loads((ROOT / "source" / lesson / f"{lesson}.ipynb").read_text(encoding="utf-8"))
    assert quotes_of(nb, lesson) or lesson == "01_perceptron", (
        f"{lesson}: no number of the markdown was taken for a quote; did quoted_numbers stop finding them?")
    executed, error = runs[lesson]
    problems = [f"the notebook failed: {error}"] if error else [
        f"the text says {quote!r} ('...{context}...'), no output shows it"
        for quote, context in unsupported_quotes(nb, lesson, executed)]
    text = "\n".join(_text(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown")
    stale = [number for number in NOT_FROM_AN_OUTPUT.get(lesson, {}) if number not in text]
    assert not stale, f"{lesson}: NOT_FROM_AN_OUTPUT lists {stale}, which the text no longer has; remove them"
    assert not problems, (
        f"{lesson}: numbers in the text that the outputs do not give:\n  " + "\n  ".join(problems) +
        "\nUsual causes: the code changed and the text kept the old number (copy the new one from the output), "
        "or a result depends on the number of BLAS threads (nnref limits BLAS to one thread when imported: was "
        "something computed before `import nnref`?). A number derived by hand or cited goes into "
        "NOT_FROM_AN_OUTPUT with its reason.")


def test_a_quote_no_output_supports_is_found():
    """The matching itself, on a two-cell notebook: rounding, percentages, mantissas, inputs."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("lr = 0.05", outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text="p = [0.03571 0.70183]  acc 0.4512  tiny 4.5398e-05\n")]),
        nbformat.v4.new_markdown_cell("## 3.2 Results\nWith lr 0.05 (section 4.1): p = 0.7018, 0.036, "
                                      "45 %, $4.54\\times10^{-5}$; but 0.191 and 46 % and 0.70184.")])
    unsupported = [quote for quote, _ in unsupported_quotes(nb, "x", nb)]
    assert unsupported == ["0.191", "46%", "0.70184"], unsupported


def test_importing_nnref_leaves_one_blas_thread():
    """In a process that starts with two BLAS threads (a student's kernel on two cores), importing
    nnref leaves one: why the notebook runs above, started with two, compute what one-thread
    kernels (the grader's, CI's) do."""
    probe = ("import numpy, threadpoolctl\n"
             "before = [p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas']\n"
             "import nnref.layers, nnref.threads\n"
             "print(before, nnref.threads.blas_threads())\n")
    env = {**os.environ, **{variable: str(STUDENT_THREADS) for variable in BLAS_VARIABLES}}
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    before, after = result.stdout.strip().split("] [")
    assert before.strip("[") and set(before.strip("[").split(", ")) == {"2"}, (
        f"the probe did not start with 2 BLAS threads ({result.stdout.strip()}): this test shows nothing")
    assert set(after.strip("]").split(", ")) == {"1"}, (
        f"after `import nnref` BLAS still runs {after.strip(']')} thread(s); nnref/__init__.py should call "
        f"nnref.threads.use_one_blas_thread()")
