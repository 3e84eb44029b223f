"""The class report's plots: matplotlib figures drawn straight into the page as base64 PNG.

No pyplot state (each plot is a ``matplotlib.figure.Figure`` of its own), no script, no
network: the page reads the same when mailed as one file. Labels are English: the report's
terms (score of an exercise, pass rate, discrimination, misconception) are not among
course/GLOSSARY.md's house terms, whose "점수" is a model's score (a logit), not a grade.
"""
import base64
import io
from html import escape

PASSED, FAILED, HIDDEN = "#16a34a", "#dc2626", "#7c3aed"


def _figure(width, height):
    from matplotlib.figure import Figure  # imported when a report is drawn, not when nncourse starts
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def embed(fig, alt, element_id):
    """An <img> holding ``fig`` as a base64 PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="figure" id="{escape(element_id)}" alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def score_histogram(points, max_points, exercise):
    """How many students earned each score on one exercise."""
    fig = _figure(3.4, 2.2)
    ax = fig.add_subplot()
    values = sorted(set(points) | {0.0, max_points})
    counts = [sum(1 for p in points if p == v) for v in values]
    width = max(max_points / 12, 0.05)
    ax.bar(values, counts, width=width, color=[PASSED if v == max_points else "#60a5fa" for v in values])
    ax.set_xlabel(f"points of {max_points:g}")
    ax.set_ylabel("students")
    ax.set_title(exercise, fontsize=10)
    if float(max_points).is_integer():
        ax.set_xticks(range(int(max_points) + 1))
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def cell_pass_rates(cells):
    """``cells``: [(grade id, kind, pass rate)]; one horizontal bar per test cell."""
    fig = _figure(6.4, 0.45 * len(cells) + 1.0)
    ax = fig.add_subplot()
    names = [gid for gid, _, _ in cells][::-1]
    rates = [100 * rate for _, _, rate in cells][::-1]
    colors = [HIDDEN if "hidden" in kind else "#2563eb" for _, kind, _ in cells][::-1]
    ax.barh(names, rates, color=colors)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% passing (blue: visible tests; purple: with hidden tests)", fontsize=9)
    for y, rate in enumerate(rates):
        ax.text(min(rate + 1, 88), y, f"{rate:.0f}%", va="center", fontsize=8)
    return fig


def discrimination(indices):
    """``indices``: [(exercise, D or None)]; the upper-lower index per exercise, with Ebel's bands."""
    fig = _figure(6.4, 0.45 * len(indices) + 1.2)
    ax = fig.add_subplot()
    names = [ex for ex, _ in indices][::-1]
    values = [0.0 if d is None else d for _, d in indices][::-1]
    ax.barh(names, values, color=["#9ca3af" if d < 0.2 else "#f59e0b" if d < 0.4 else PASSED for d in values])
    for x in (0.2, 0.4):
        ax.axvline(x, color="#555", linestyle=":", linewidth=1)
    ax.set_xlim(min(-0.2, min(values, default=0)), 1)
    ax.set_xlabel("D = top 27% minus bottom 27% (mean share of the points)", fontsize=9)
    return fig


def run_times(seconds, cpu_seconds, limit):
    """Histogram of the notebooks' wall-clock and CPU seconds, the time limit marked."""
    fig = _figure(6.4, 2.4)
    ax = fig.add_subplot()
    top = max(seconds + cpu_seconds + [limit or 0, 1.0])
    bins = [top * i / 24 for i in range(25)]
    ax.hist([seconds, cpu_seconds], bins=bins, label=["wall clock", "CPU (what the limit counts)"],
            color=["#60a5fa", "#1e3a8a"])
    if limit:
        ax.axvline(limit, color=FAILED, linestyle="--", label=f"time limit {limit:g} s")
    ax.set_xlabel("seconds per notebook")
    ax.set_ylabel("students")
    ax.legend(fontsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig
