"""The class report's plots: matplotlib figures drawn straight into the page as base64 PNG.

No pyplot state (each plot is a ``matplotlib.figure.Figure`` of its own), no script, no
network: the page reads the same when mailed as one file. Labels are English and, where the
course's glossary has the term, Korean too ("pass rate · 통과율", ``Labels``); the Korean
glyphs come from NanumGothic, which nnref/fonts.py adds to matplotlib's fallback fonts.
"""
import base64
import io
from html import escape

PASSED, FAILED, HIDDEN, VISIBLE = "#16a34a", "#dc2626", "#7c3aed", "#2563eb"
# The report's terms that course/GLOSSARY.md gives in Korean ("채점 보고서 용어").
TERMS = ("exercise", "points", "points earned", "score distribution", "students", "mean", "full marks",
         "did not answer", "test cell", "visible test", "hidden test", "pass rate", "misconception",
         "discrimination", "flagged", "run time", "wall-clock time", "CPU time", "time limit", "timeout", "variant")


class Labels:
    """A label in English and, where ``korean`` ({English: house term}) has the term, Korean."""

    def __init__(self, korean):
        self.korean = {term: korean[term] for term in TERMS if term in korean}

    def __call__(self, term, text=None):
        """``text`` (default: ``term``, one of TERMS) followed by the term's Korean, if known."""
        if term not in TERMS:
            raise KeyError(f"{term!r} is not one of the report's terms (report_figures.TERMS)")
        return f"{text or term} · {self.korean[term]}" if term in self.korean else text or term


def _figure(width, height, margins=None):
    """A figure laid out to fit its labels, or, given ``margins`` (left, right, bottom, top, in
    inches) for labels whose size is known, with those: a layout engine costs a third of a
    small figure's drawing, and a report draws one histogram per exercise."""
    from matplotlib.figure import Figure  # imported when a report is drawn, not when nncourse starts
    if margins is None:
        return Figure(figsize=(width, height), dpi=100, layout="constrained")
    fig = Figure(figsize=(width, height), dpi=100)
    left, right, bottom, top = margins
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    return fig


def ready():
    """Import what drawing needs (a process that draws the report later starts with it)."""
    import matplotlib.figure  # noqa: F401
    hangul()


def hangul():
    """Can the figures draw Hangul (NanumGothic registered as a fallback font)?"""
    from nnref.fonts import use_hangul_font
    return use_hangul_font()


def embed(fig, alt, element_id):
    """An <img> holding ``fig`` as a base64 PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="figure" id="{escape(element_id)}" alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def score_histogram(points, max_points, exercise, label):
    """How many students earned each score on one exercise (``label``: the page's Labels)."""
    fig = _figure(3.4, 2.2, margins=(0.6, 0.12, 0.5, 0.42))  # room for three-digit counts, two title lines
    ax = fig.add_subplot()
    values = sorted(set(points) | {0.0, max_points})
    counts = [sum(1 for p in points if p == v) for v in values]
    width = max(max_points / 12, 0.05)
    ax.bar(values, counts, width=width, color=[PASSED if v == max_points else "#60a5fa" for v in values])
    ax.set_xlabel(f"{label('points earned')} (of {max_points:g})")
    ax.set_ylabel(label("students"))
    ax.set_title(f"{exercise}\n{label('score distribution')}", fontsize=9)
    if float(max_points).is_integer():
        ax.set_xticks(range(int(max_points) + 1))
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig


def cell_pass_rates(cells, label):
    """``cells``: [(grade id, kind, pass rate)]; one horizontal bar per test cell."""
    from matplotlib.patches import Patch
    fig = _figure(6.4, 0.45 * len(cells) + 1.0)
    ax = fig.add_subplot()
    names = [gid for gid, _, _ in cells][::-1]
    rates = [100 * rate for _, _, rate in cells][::-1]
    colors = [HIDDEN if "hidden" in kind else VISIBLE for _, kind, _ in cells][::-1]
    ax.barh(names, rates, color=colors)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{label('pass rate')} (%)", fontsize=9)
    ax.legend(handles=[Patch(color=VISIBLE, label=label("visible test", "visible tests only")),
                       Patch(color=HIDDEN, label=label("hidden test", "with hidden tests"))],
              fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.01), frameon=False)  # above: clear of the bars
    for y, rate in enumerate(rates):
        ax.text(min(rate + 1, 88), y, f"{rate:.0f}%", va="center", fontsize=8)
    return fig


def discrimination(indices, label):
    """``indices``: [(exercise, D or None)]; the upper-lower index per exercise, with Ebel's bands."""
    fig = _figure(6.4, 0.45 * len(indices) + 1.2)
    ax = fig.add_subplot()
    names = [ex for ex, _ in indices][::-1]
    values = [0.0 if d is None else d for _, d in indices][::-1]
    ax.barh(names, values, color=["#9ca3af" if d < 0.2 else "#f59e0b" if d < 0.4 else PASSED for d in values])
    for x in (0.2, 0.4):
        ax.axvline(x, color="#555", linestyle=":", linewidth=1)
    ax.set_xlim(min(-0.2, min(values, default=0)), 1)
    ax.set_xlabel(f"{label('discrimination')} D\ntop 27% minus bottom 27% (mean share of the points)", fontsize=9)
    return fig


def run_times(seconds, cpu_seconds, limit, label):
    """Histogram of the notebooks' wall-clock and CPU seconds, the time limit marked."""
    fig = _figure(6.4, 2.4)
    ax = fig.add_subplot()
    top = max(seconds + cpu_seconds + [limit or 0, 1.0])
    bins = [top * i / 24 for i in range(25)]
    ax.hist([seconds, cpu_seconds], bins=bins, color=["#60a5fa", "#1e3a8a"],
            label=[label("wall-clock time"), label("CPU time", "CPU time (what the limit counts)")])
    if limit:
        ax.axvline(limit, color=FAILED, linestyle="--", label=f"{label('time limit')}: {limit:g} s")
    ax.set_xlabel(f"{label('run time', 'seconds per notebook')}")
    ax.set_ylabel(label("students"))
    ax.legend(fontsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return fig
