"""note_warnings: a test cell's warnings reach stdout at the end of the cell, never stderr (stock
nbgrader zeroes a test cell with stderr output), and the next cell warns as usual. Run in a
real IPython kernel, since the mechanism is the kernel's post_run_cell event."""
import warnings
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from autograder import notebooks
from autograder.course import load_course
from nnref.checks import note_warnings

PREFIX = ("from nnref.checks import note_warnings\n"
          "note_warnings()  # warnings raised below are listed at the end of the cell: they cost no points\n")


@pytest.fixture(scope="module")
def run():
    manager, client = start_new_kernel(kernel_name="python3")

    def run_cell(code):
        """The cell's outputs as (stream name or output type, text)."""
        client.execute(code)
        outputs = []
        while True:
            msg = client.get_iopub_msg(timeout=60)
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                return outputs
            if kind == "stream":
                outputs.append((content["name"], content["text"]))
            elif kind in ("error", "execute_result"):
                outputs.append((kind, content.get("ename", "")))

    run_cell("import numpy as np")
    yield run_cell
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def streams(outputs, name):
    return "".join(text for kind, text in outputs if kind == name)


def test_a_noted_cells_warnings_go_to_stdout_counted_once_each(run):
    outputs = run(PREFIX + "note_warnings()\n"  # a second call in the same cell changes nothing
                  "p = 1 / (1 + np.exp(np.array([1000.0])))\n"
                  "for _ in range(3):\n    np.log(np.zeros(1))\n"
                  "print('answer', p[0])")
    assert streams(outputs, "stderr") == "", (
        f"a noted cell wrote on stderr, which costs the cell its points under stock nbgrader: {outputs}")
    out = streams(outputs, "stdout")
    assert out.startswith("answer 0.0\n"), f"the cell's own output should come first: {out!r}"
    assert ("4 warning(s)" in out and "overflow encountered in exp\n" in out
            and "divide by zero encountered in log  (x3)" in out), (
        f"expected both warnings listed, the repeated one with its count: {out!r}")


def test_the_next_cell_warns_on_stderr_again(run):
    run(PREFIX + "np.exp(1000.0)")
    outputs = run("np.exp(1000.0)")
    assert "overflow encountered in exp" in streams(outputs, "stderr"), (
        f"note_warnings must end with its cell; a later cell's warning vanished: {outputs}")


def test_a_failing_noted_cell_still_fails_and_releases_the_warnings(run):
    outputs = run(PREFIX + "np.exp(1000.0)\nraise AssertionError('wrong')")
    assert ("error", "AssertionError") in outputs, f"the failure must stay an error: {outputs}"
    assert "overflow" in streams(outputs, "stdout") and streams(outputs, "stderr") == "", outputs
    assert "overflow" in streams(run("np.exp(1000.0)"), "stderr"), (
        "after a failing cell, warnings must be back to normal")


def test_outside_ipython_it_changes_nothing():
    filters, show = list(warnings.filters), warnings.showwarning
    note_warnings()
    assert warnings.filters == filters and warnings.showwarning is show, (
        "outside IPython no cell ends to restore them: note_warnings must leave warnings alone")


def test_every_test_cell_of_the_course_starts_by_noting_warnings():
    course = load_course(Path(__file__).resolve().parents[1])
    missing = [f"{a.id}: {gid}" for a in course.assignments
               for gid, _, cell in notebooks.test_cells(notebooks.read(a.source_notebook))
               if not notebooks.is_solution(cell) and not cell.source.startswith(PREFIX)]
    assert not missing, ("these test cells do not start with note_warnings(), so a correct answer "
                         f"that warns loses their points under stock nbgrader: {missing}")
