"""Every lesson's widget in a real browser: Run All of the source and the release notebook in
JupyterLab, then the widget renders, one interaction per control changes what it shows, and
the page logs no JavaScript error."""
import json
import re
import time

import pytest

import jlab
from jlab import ROOT, copy_notebook

LESSONS = ["01_perceptron", "02_forward_pass", "03_softmax_cross_entropy", "04_backprop",
           "05_optimizers", "06_initialization", "07_batchnorm", "08_dropout",
           "09_mnist_homework"]
BUILDERS = re.compile(r"\b(perceptron_widget|activation_explorer|softmax_explorer|gradcheck_explorer"
                      r"|optimizer_explorer|init_explorer|batchnorm_explorer|regularization_explorer"
                      r"|mistake_browser)\(")
# Controls that only matter in another setting: first put the widget there (label, option).
SETUP = {
    "02_forward_pass": [("dropdown", "g", "leaky_relu")],  # alpha is disabled for sigmoid
}
VIEWPORT = {"width": 1400, "height": 1000}


def widget_cell(notebook):
    cells = json.loads((ROOT / notebook).read_text())["cells"]
    found = [i for i, c in enumerate(cells)
             if c["cell_type"] == "code" and BUILDERS.search("".join(c["source"]))]
    assert len(found) == 1, f"{notebook}: expected one widget cell, found cells {found}"
    return found[0]


def open_and_run(browser, lab, lab_root, notebook):
    page = browser.new_page(viewport=VIEWPORT)
    console = jlab.Console(page)
    jlab.open_notebook(page, lab, copy_notebook(notebook, lab_root))
    seconds = jlab.run_all(page, lab)
    print(f"{notebook}: Run All took {seconds:.1f} s")
    return page, console


def rendered_widget(page, index):
    cell = jlab.cell(page, index)
    cell.scroll_into_view_if_needed()
    widget = cell.locator(".jp-OutputArea-output .jupyter-widgets").first
    widget.wait_for(state="visible", timeout=30_000)
    return cell


def apply_setup(root, steps):
    for kind, label, option in steps:
        control = next(c for c in jlab.controls(root)[kind] if jlab.control_label(c) == label)
        before = jlab.widget_fingerprint(root)
        control.locator("select").select_option(label=option)
        jlab.wait_changed(root, before, f"{label} set to {option}")


def exercise_every_control(root):
    """One interaction per control; each must change the widget's output. Returns how many."""
    found = jlab.controls(root)
    count = 0
    for kind, controls in found.items():
        for control in controls:
            before = jlab.widget_fingerprint(root)
            what = jlab.change_control(kind, control)
            jlab.wait_changed(root, before, what)
            count += 1
    return count


def output_text(root):
    return " ".join(o.inner_text() for o in root.locator(".jp-OutputArea-output").all())


def wait_for(condition, what, timeout=jlab.CHANGE_TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def check_perceptron_follows_its_readouts(page, root):
    """Lesson 01: w1 dragged from 0.50 to the readout's 0.70 is 0.70, so at (1, 0) z = 0 and
    step(0) = 0: the widget names the function of the values its readouts show."""
    from nnref.widgets import perceptron as pw

    w1 = root.locator(".widget-slider").first
    before = jlab.widget_fingerprint(root)
    jlab.drag_slider(w1, 0.70)
    jlab.wait_changed(root, before, "w1 dragged to 0.70")
    assert jlab.slider_readout(w1) == "0.70"
    values = [float(jlab.slider_readout(s)) for s in root.locator(".widget-slider").all()]
    expected = pw.perceptron_view(*values)["name"]
    shown = re.search(r"computes: (.*)", output_text(root)).group(1).strip()
    assert shown == expected, f"with the readouts {values} the widget should name {expected!r}, not {shown!r}"


def check_softmax_starts_at_the_lessons_numbers(page, root):
    """Lesson 03: before anything is moved the bars show the probabilities the lesson printed,
    with the spaces between p and dL/dz kept."""
    printed = page.locator(".jp-OutputArea-output:has-text('p = softmax =')").first.text_content()
    lesson = [float(v) for v in re.search(r"p = softmax = \[([^\]]*)\]", printed).group(1).split()]
    labels = [t.inner_text() for t in root.locator(".widget-html-content").all() if "dL/dz" in t.inner_text()]
    shown = [float(re.search(r"p = ([0-9.]+)", t).group(1)) for t in labels]
    assert shown == [round(p, 4) for p in lesson], f"widget p {shown}, lesson p {lesson}"
    assert all(re.search(r"\d   dL/dz", t) for t in labels), f"spacing lost: {labels}"


def check_mistake_figure_survives_a_filter(page, root):
    """Lesson 09: after the "true digit" filter changes, one whole figure (image, bar chart and
    title), the size of the one before."""
    size = "el => [...el.querySelectorAll('img')].map(i => [i.naturalWidth, i.naturalHeight])"
    before_size = root.evaluate(size)
    assert len(before_size) == 1, before_size
    for digit in ("3", "5"):
        before = jlab.widget_fingerprint(root)
        root.locator("select").first.select_option(label=digit)
        jlab.wait_changed(root, before, f"true digit set to {digit}")
        after = root.evaluate(size)
        assert len(after) == 1 and all(abs(a - b) <= 0.05 * b for a, b in zip(after[0], before_size[0])), \
            f"figure after the filter: {after}, before: {before_size}"


SPECIFIC = {
    "01_perceptron": check_perceptron_follows_its_readouts,
    "03_softmax_cross_entropy": check_softmax_starts_at_the_lessons_numbers,
    "09_mnist_homework": check_mistake_figure_survives_a_filter,
}


def check_widget(page, console, assignment, index):
    root = rendered_widget(page, index)
    assert jlab.layout_problems(root) == []
    if assignment in SPECIFIC:
        SPECIFIC[assignment](page, root)
    apply_setup(root, SETUP.get(assignment, []))
    assert exercise_every_control(root) >= 1, "the widget has no controls"
    assert jlab.layout_problems(root) == []
    assert console.errors == [], f"JavaScript errors: {console.errors}"


@pytest.mark.parametrize("assignment", LESSONS)
def test_source_notebook(assignment, browser, lab, lab_root):
    notebook = f"source/{assignment}/{assignment}.ipynb"
    page, console = open_and_run(browser, lab, lab_root, notebook)
    assert jlab.cell_errors(page) == [], "the source notebook raised while running"
    check_widget(page, console, assignment, widget_cell(notebook))


# Release notebooks whose unanswered cells carry the raises-exception tag, so a student's Run
# All goes on past them to the widget. 05-08 are not tagged yet (see the note in issue 16).
RUN_ALL_REACHES_THE_WIDGET = ["01_perceptron", "02_forward_pass", "03_softmax_cross_entropy",
                              "04_backprop", "09_mnist_homework"]
# Widgets built on the student's results: in an untouched release they say what they wait for.
WAITS_FOR_THE_STUDENT = {"09_mnist_homework": "This widget needs test_probs"}


@pytest.mark.parametrize("assignment", RUN_ALL_REACHES_THE_WIDGET)
def test_release_notebook(assignment, browser, lab, lab_root):
    notebook = f"release/{assignment}/{assignment}.ipynb"
    page, console = open_and_run(browser, lab, lab_root, notebook)
    index = widget_cell(notebook)
    cell = jlab.cell(page, index)
    cell.scroll_into_view_if_needed()
    prompt = cell.locator(".jp-InputPrompt").first.text_content()
    assert re.search(r"\[\d+\]", prompt), f"Run All stopped before the widget cell (prompt {prompt!r})"
    assert "NameError" not in cell.text_content()
    if assignment in WAITS_FOR_THE_STUDENT:
        assert WAITS_FOR_THE_STUDENT[assignment] in output_text(cell)
        assert console.errors == [], f"JavaScript errors: {console.errors}"
    else:
        check_widget(page, console, assignment, index)
