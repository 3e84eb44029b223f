"""The class report: per assignment, one self-contained HTML page and a CSV of per-exercise figures.

``Artist`` is what `nncourse grade` draws it with after grading; ``build`` (`nncourse report`) makes the
same page again from the workspace alone: grades.csv, observed/<assignment>/<student>.json (each
test cell's outcome, the flags, the misconceptions matched) and runs/<assignment>.csv (each
notebook's wall-clock and CPU seconds; kept apart because they change from run to run).
``write_course`` draws every assignment of the course as one student x assignment table.

Discrimination is the upper-lower index D: the students are ranked by their score on the
assignment's other exercises (the rest score, so an exercise does not rank students by
itself), and D is the mean share of the exercise's points earned by the top 27% minus that of
the bottom 27% (Kelley's groups). D >= 0.4 separates strong and weak students well, 0.2-0.4
fairly, below 0.2 poorly (Ebel's bands); everybody passing or everybody failing gives 0.
"""
import csv
import html
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import glossary, notebooks
from .background import Background
from . import report_figures as figures

UNGRADABLE = ("no notebook", "corrupt")  # flags of submissions that say nothing about an exercise
GROUP_SHARE = 0.27
MIN_STUDENTS = 4  # fewer: no discrimination index
STRUGGLE_BELOW = 0.8  # mean share of an exercise's points under which the summary names it
CSV_COLUMNS = ["assignment", "exercise", "max_points", "students", "mean_points", "median_points", "full_marks_rate",
               "not_answered", "discrimination_D", "cells_pass_rate", "misconceptions"]


@dataclass
class Student:
    name: str
    status: str
    reason: str
    score: float
    exercises: dict  # {exercise: points}
    cells: dict = field(default_factory=dict)  # {grade id: outcome}
    flags: list = field(default_factory=list)  # [(reason, detail)]
    misconceptions: dict = field(default_factory=dict)  # {exercise: description}
    seconds: float = None
    cpu_seconds: float = None
    time_limit: float = None  # the CPU seconds it was graded with
    variant: str = ""  # of the hidden tests it was graded with (grades.csv's column)

    @property
    def gradable(self):
        return not any(why in UNGRADABLE for why, _ in self.flags)


@dataclass
class Exercise:
    name: str
    max_points: float
    cells: list  # [(grade id, kind)]: kind visible | hidden | visible + hidden
    points: list = field(default_factory=list)
    not_answered: int = 0
    cell_rates: dict = field(default_factory=dict)  # {grade id: share of students passing}
    misconceptions: list = field(default_factory=list)  # [(description, count)], commonest first
    discrimination: float = None

    @property
    def mean(self):
        return sum(self.points) / len(self.points) if self.points else 0.0

    @property
    def median(self):
        ordered = sorted(self.points)
        n = len(ordered)
        return 0.0 if not n else ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2

    @property
    def full_marks(self):
        return sum(1 for p in self.points if p >= self.max_points)


class ReportError(Exception):
    """The workspace lacks what the report is drawn from; the message says what to run."""


# ----------------------------------------------------------------------------- what grading writes

def draw(workspace, assignment):
    """``build`` -> (page, csv), or None if it could not be drawn (said on stderr: the grades and
    feedback are written all the same)."""
    try:
        return build(workspace, assignment)
    except Exception as err:  # a report problem never costs the class its grades
        _not_written(workspace, err)
        return None


def _not_written(workspace, err):
    print(f"warning: the class report was not written ({type(err).__name__}: {err}); grades.csv and the "
          f"feedback are. Run `nncourse report --workspace {workspace}` to try again.", file=sys.stderr)


class Artist(Background):
    """After grading, the run times and the report, drawn in a process of its own (``write``):
    entered before the class is graded, the process imports matplotlib while the notebooks run,
    and it draws the page while the grader writes the rest. Leaving the ``with`` block waits for
    the page."""

    def __init__(self):
        super().__init__(figures.ready)
        self._workspace = None

    def write(self, workspace, assignment, graded, time_limit=None):
        write_runs(workspace, assignment, graded, time_limit or assignment.time_limit)
        self._workspace = workspace
        self.submit(draw, workspace, assignment)

    def __exit__(self, *failure):
        try:
            if self.submitted() and not failure[0]:
                try:
                    self.result()
                except Exception as err:  # the process itself died: the page was not drawn
                    _not_written(self._workspace, err)
        finally:
            super().__exit__(*failure)


def write_runs(workspace, assignment, graded, time_limit):
    """runs/<assignment>.csv: each notebook's seconds, and the CPU time limit it was graded with."""
    path = Path(workspace) / "runs" / f"{assignment.id}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student_id", "seconds", "cpu_seconds", "time_limit"])
    for sub, result in graded:
        writer.writerow([sub.student, f"{result.seconds:.2f}",
                         "" if result.cpu_seconds is None else f"{result.cpu_seconds:.2f}",
                         f"{sub.time_limit or time_limit:g}"])
    path.write_text(out.getvalue(), encoding="utf-8")


# ----------------------------------------------------------------------------- reading the workspace

def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def grade_rows(workspace):
    path = Path(workspace) / "grades.csv"
    if not path.is_file():
        raise ReportError(f"{path} does not exist: grade the class first (nncourse grade SUBMISSIONS "
                          f"--workspace {workspace})")
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cell_kinds(source_nb):
    """[(exercise, grade id, kind, points)] of the source's test cells."""
    out = []
    for gid, points, cell in notebooks.test_cells(source_nb):
        body = cell.source.strip()
        kind = ("hidden" if body.startswith(notebooks.HIDDEN_BEGIN) and body.endswith(notebooks.HIDDEN_END)
                else "visible + hidden" if notebooks.HIDDEN_BEGIN in body else "visible")
        out.append((notebooks.exercise_of(gid), gid, kind, points))
    return out


def load(workspace, assignment):
    """(students, exercises) of ``assignment`` as the workspace holds them."""
    workspace = Path(workspace)
    rows = [r for r in grade_rows(workspace) if r["assignment"] == assignment.id]
    if not rows:
        raise ReportError(f"{workspace / 'grades.csv'} has no row for {assignment.id}: grade it first "
                          f"(nncourse grade SUBMISSIONS --assignment {assignment.id} --workspace {workspace})")
    source = workspace / "source" / assignment.id / f"{assignment.id}.ipynb"
    kinds = cell_kinds(notebooks.read(source if source.is_file() else assignment.source_notebook))
    exercises = {}
    for ex, gid, kind, points in kinds:
        e = exercises.setdefault(ex, Exercise(ex, 0.0, []))
        e.max_points += points
        e.cells.append((gid, kind))
    times = {}
    runs = workspace / "runs" / f"{assignment.id}.csv"
    if runs.is_file():
        with runs.open(newline="", encoding="utf-8") as f:
            times = {r["student_id"]: r for r in csv.DictReader(f)}
    students = []
    for row in rows:
        s = Student(row["student_id"], row["status"], row["reason"], _number(row["score"]),
                    {ex: _number(row.get(ex)) for ex in exercises}, variant=row.get("variant") or "")
        observed = workspace / "observed" / assignment.id / f"{s.name}.json"
        if observed.is_file():
            data = json.loads(observed.read_text(encoding="utf-8"))
            s.cells = {gid: c.get("outcome", "not run") for gid, c in data.get("cells", {}).items()}
            s.flags = [tuple(f) for f in data.get("flags", [])]
            s.misconceptions = data.get("misconceptions", {})
        elif row["reason"]:
            s.flags = [(part.split(":", 1)[0].strip(), "") for part in row["reason"].split("; ")]
        if s.name in times:
            s.seconds = _number(times[s.name]["seconds"])
            s.cpu_seconds = _number(times[s.name]["cpu_seconds"]) if times[s.name]["cpu_seconds"] else None
            s.time_limit = _number(times[s.name].get("time_limit")) or None
        students.append(s)
    for e in exercises.values():
        _figures_of(e, students)
    return students, list(exercises.values())


def _figures_of(exercise, students):
    gradable = [s for s in students if s.gradable]
    exercise.points = [s.exercises[exercise.name] for s in students]
    exercise.not_answered = sum(1 for s in students if not s.gradable or all(
        s.cells.get(gid) in ("not answered", None) for gid, _ in exercise.cells))
    exercise.cell_rates = {gid: sum(1 for s in students if s.cells.get(gid) == "passed") / len(students)
                           for gid, _ in exercise.cells}
    exercise.misconceptions = Counter(s.misconceptions[exercise.name] for s in students
                                      if exercise.name in s.misconceptions).most_common()
    exercise.discrimination = discrimination(exercise, gradable)


def discrimination(exercise, students):
    """The upper-lower index D of ``exercise`` over ``students`` (see the module's docstring); None
    with fewer than MIN_STUDENTS."""
    if len(students) < MIN_STUDENTS or not exercise.max_points:
        return None
    ranked = sorted(students, key=lambda s: (s.score - s.exercises[exercise.name], s.name))
    k = max(1, round(GROUP_SHARE * len(ranked)))
    share = lambda group: sum(s.exercises[exercise.name] for s in group) / (len(group) * exercise.max_points)
    return share(ranked[-k:]) - share(ranked[:k])


# ----------------------------------------------------------------------------- the page

STYLE = """
body { font: 15px/1.45 system-ui, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", NanumGothic, sans-serif; margin: 1.5em auto; max-width: 1100px; padding: 0 1em; color: #222; }
#struggles { border: 2px solid #b45309; background: #fffbeb; padding: .5em 1em; }
table { border-collapse: collapse; margin: .5em 0 1.2em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { word-break: keep-all; }  /* Korean wraps between words, not inside one */
td.num { text-align: right; font-variant-numeric: tabular-nums; }
section.exercise { border-top: 1px solid #999; margin-top: 1.5em; }
.row { display: flex; gap: 1.5em; flex-wrap: wrap; align-items: flex-start; }
img.figure { max-width: 100%; height: auto; }
"""


def _pct(x):
    return f"{100 * x:.0f}%"


def struggles(exercises, students):
    """The summary at the top: [sentence], hardest exercise first."""
    lines = []
    for e in sorted((e for e in exercises if e.max_points), key=lambda e: e.mean / e.max_points):
        share = e.mean / e.max_points
        if share >= STRUGGLE_BELOW or len(lines) == 3:
            break
        parts = [f"{e.name}: the class earned {_pct(share)} of its points on average, {e.full_marks} of "
                 f"{len(students)} full marks"]
        if e.not_answered:
            parts.append(f"{e.not_answered} did not answer it")
        visible = [r for gid, r in e.cell_rates.items() if dict(e.cells)[gid] == "visible"]
        hidden = [r for gid, r in e.cell_rates.items() if dict(e.cells)[gid] != "visible"]
        if visible and hidden and min(visible) - min(hidden) >= 0.2:
            parts.append(f"its visible tests pass for {_pct(min(visible))} but the hidden ones for only "
                         f"{_pct(min(hidden))} (inputs the visible tests do not try)")
        if e.misconceptions:
            what, count = e.misconceptions[0]
            parts.append(f"the commonest misconception ({count} students): {what}")
        lines.append("; ".join(parts) + ".")
    if not lines:
        lines.append(f"No exercise averages below {_pct(STRUGGLE_BELOW)} of its points.")
    flagged = Counter(why for s in students for why, _ in s.flags)
    if flagged:
        lines.append(f"{sum(1 for s in students if s.flags)} submissions are flagged for review: "
                     + ", ".join(f"{why} ({n})" for why, n in flagged.most_common()) + ".")
    return lines


def labels(assignment):
    """The page's Labels: Korean beside English where the course's glossary has the term (and
    the figures can draw Hangul; else English alone)."""
    return figures.Labels(glossary.korean(assignment.root) if figures.hangul() else {})


def render(assignment, students, exercises):
    e = html.escape
    label = labels(assignment)
    total = sum(x.max_points for x in exercises)
    scores = sorted(s.score for s in students)
    parts = [f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Class report: {e(assignment.id)}'
             f'</title><style>{STYLE}</style></head><body>',
             f'<h1>Class report: {e(assignment.title)} ({e(assignment.id)})</h1>',
             f'<p>{len(students)} students, {sum(1 for s in students if not s.flags)} graded, '
             f'{sum(1 for s in students if s.flags)} flagged; median score {scores[len(scores) // 2]:g} of '
             f'{total:g}, mean {sum(scores) / len(scores):.1f}. Drawn {datetime.now(timezone.utc):%Y-%m-%d %H:%M} '
             f'UTC from the workspace (grades.csv, observed/, runs/).</p>',
             '<div id="struggles"><h2>Where the class struggles</h2><ul>'
             + "".join(f"<li>{e(line)}</li>" for line in struggles(exercises, students)) + "</ul></div>",
             _overview(exercises, len(students), label),
             f'<h2>{e(label("test cell", "Test cells"))}</h2>' + figures.embed(figures.cell_pass_rates(
                 [(gid, kind, x.cell_rates[gid]) for x in exercises for gid, kind in x.cells], label),
                 "share of students passing each test cell", "fig-cells"),
             f'<h2>{e(label("discrimination", "Discrimination"))}</h2><p>How well each exercise separates strong and '
             'weak students: the upper-lower index D (how to read it: at the end of the page).</p>'
             + figures.embed(figures.discrimination([(x.name, x.discrimination) for x in exercises], label),
                             "discrimination index per exercise", "fig-discrimination")]
    parts += [_exercise(x, len(students), label) for x in exercises]
    parts += [_flags(students, label), _variants(students, exercises, label), _times(assignment, students, label),
              _how_to_read(), "</body></html>\n"]
    return "\n".join(parts)


def _overview(exercises, n, label):
    rows = "".join(
        f'<tr><td><a href="#ex-{html.escape(x.name)}">{html.escape(x.name)}</a></td><td class="num">{x.max_points:g}</td>'
        f'<td class="num">{x.mean:.2f}</td><td class="num">{x.full_marks} / {n}</td>'
        f'<td class="num">{x.not_answered}</td><td class="num">{_d(x.discrimination)}</td>'
        f'<td>{html.escape(x.misconceptions[0][0]) + f" ({x.misconceptions[0][1]})" if x.misconceptions else ""}</td></tr>'
        for x in exercises)
    head = "".join(f"<th>{html.escape(label(*term))}</th>" for term in (
        ("exercise",), ("points",), ("mean",), ("full marks",), ("did not answer",), ("discrimination", "D"),
        ("misconception", "commonest misconception")))
    return (f'<h2>{html.escape(label("exercise", "Exercises"))}</h2><table id="exercises"><tr>{head}</tr>'
            + rows + "</table>")


def _d(value):
    return "n/a" if value is None else f"{value:.2f}"


def _exercise(x, n, label):
    e = html.escape
    cells = "".join(f'<tr><td>{e(gid)}</td><td>{e(kind)}</td><td class="num">{_pct(x.cell_rates[gid])}</td></tr>'
                    for gid, kind in x.cells)
    wrong = ("".join(f'<tr><td>{e(what)}</td><td class="num">{count}</td></tr>' for what, count in x.misconceptions)
             if x.misconceptions else '<tr><td colspan="2">none matched</td></tr>')
    histogram = figures.embed(figures.score_histogram(x.points, x.max_points, x.name, label),
                              f"scores on {x.name}", f"fig-hist-{x.name}")
    return (f'<section class="exercise" id="ex-{e(x.name)}"><h3>{e(x.name)} ({x.max_points:g} points)</h3>'
            f'<div class="row">{histogram}'
            f'<div><p>Mean {x.mean:.2f}, median {x.median:g}; {x.full_marks} of {n} full marks; {x.not_answered} did '
            f'not answer; discrimination D = {_d(x.discrimination)}.</p>'
            f'<table class="cells"><tr><th>{e(label("test cell"))}</th><th>tests</th>'
            f'<th>{e(label("pass rate", "passed by"))}</th></tr>{cells}</table>'
            f'<table class="misconceptions"><tr><th>{e(label("misconception", "misconception its values show"))}</th>'
            f'<th>{e(label("students"))}</th></tr>{wrong}'
            f'</table></div></div></section>')


def _flags(students, label):
    e = html.escape
    groups = {}
    for s in students:
        for why, detail in s.flags:
            groups.setdefault(why, []).append((s.name, detail))
    if not groups:
        return f'<h2>{e(label("flagged", "Flagged submissions"))}</h2><p id="flags">None.</p>'
    rows = "".join(f'<tr><td>{e(why)}</td><td class="num">{len(members)}</td><td>'
                   + "<br>".join(f"{e(name)}{': ' + e(detail[:200]) if detail else ''}" for name, detail in members)
                   + "</td></tr>" for why, members in sorted(groups.items(), key=lambda g: -len(g[1])))
    return (f'<h2>{e(label("flagged", "Flagged submissions, by reason"))}</h2><table id="flags"><tr><th>reason</th>'
            f'<th>how many</th><th>{e(label("students"))}</th></tr>' + rows + "</table>")


def _variants(students, exercises, label):
    """Per variant of the hidden tests: its students and the share of their hidden test cells
    passed. A variant far below the others deserves a look: its inputs may be harder (or a
    test wrong for them) than the validity harness's two variants showed."""
    hidden = [gid for x in exercises for gid, kind in x.cells if kind != "visible"]
    groups = {}
    for s in students:
        if s.gradable and s.variant:
            groups.setdefault(s.variant, []).append(s)
    if len(groups) < 2 or not hidden:
        return ""
    rows = "".join(
        f'<tr><td class="num">{html.escape(v)}</td><td class="num">{len(members)}</td><td class="num">'
        f'{_pct(sum(s.cells.get(gid) == "passed" for s in members for gid in hidden) / (len(members) * len(hidden)))}'
        f'</td></tr>' for v, members in sorted(groups.items(), key=lambda g: int(g[0])))
    e = html.escape
    return (f'<h2>{e(label("variant", "Variants of the hidden tests"))}</h2><p>Each student is graded in a variant '
            'of the hidden tests (other random inputs). A variant whose share is far below the others deserves a '
            f'look.</p><table id="variants"><tr><th>{e(label("variant"))}</th><th>{e(label("students"))}</th>'
            f'<th>{e(label("hidden test", "hidden test cells passed"))}</th></tr>' + rows + "</table>")


def _times(assignment, students, label):
    timed = [s for s in students if s.seconds is not None]
    timeouts = [s.name for s in students if any(why == "timeout" for why, _ in s.flags)]
    limits = Counter(s.time_limit for s in timed if s.time_limit)
    limit = limits.most_common(1)[0][0] if limits else assignment.time_limit
    others = [f"{s.name} ({s.time_limit:g} s)" for s in timed if s.time_limit and s.time_limit != limit]
    text = (f'<p>{html.escape(label("timeout", "Timeouts"))}: {len(timeouts)}'
            f'{" (" + html.escape(", ".join(timeouts)) + ")" if timeouts else ""}. '
            f'Time limit: {limit:g} CPU seconds per notebook'
            f'{"; other limits: " + html.escape(", ".join(others)) if others else ""}.</p>')
    if not timed:
        return (f'<h2>{html.escape(label("run time", "Run times"))}</h2><p id="times">Not recorded (runs/ is missing: '
                'grade again to record them).</p>' + text)
    wall = sorted(s.seconds for s in timed)
    return (f'<h2>{html.escape(label("run time", "Run times"))}</h2>' + figures.embed(figures.run_times(
        [s.seconds for s in timed], [s.cpu_seconds for s in timed if s.cpu_seconds is not None], limit, label),
        "seconds per notebook", "fig-times")
        + f'<p id="times">Median {wall[len(wall) // 2]:.1f} s wall clock, longest {wall[-1]:.1f} s.</p>' + text)


def _how_to_read():
    return f"""<h2>How to read this page</h2>
<p><b>Full marks</b>: the students who earned all of an exercise's points. <b>Did not answer</b>: every
test cell of the exercise stopped at the release's "not answered yet" (or there was no readable
notebook). <b>Test cells</b>: the share of the class passing each; a cell with hidden tests passing far
less often than the visible one means the answers fail on inputs the visible tests do not try.
<b>Misconceptions</b>: failing answers whose values on every check match one of the lesson's catalogued
wrong answers (course/catalogs/); a value matched is shown, never guessed.</p>
<p><b>Discrimination D</b>: students are ranked by their points on the assignment's other exercises; D is the
mean share of this exercise's points in the top {GROUP_SHARE:.0%} minus that in the bottom {GROUP_SHARE:.0%}.
D &ge; 0.4 separates strong and weak students well, 0.2&ndash;0.4 fairly, below 0.2 poorly (an exercise
everybody passes, or nobody, has D = 0: it tells the groups apart by nothing). With fewer than
{MIN_STUDENTS} gradable notebooks D is not computed.</p>"""


# ----------------------------------------------------------------------------- the CSV and the files

def render_csv(assignment, exercises, n):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for x in exercises:
        writer.writerow([assignment.id, x.name, f"{x.max_points:g}", n, f"{x.mean:.3f}", f"{x.median:g}",
                         f"{x.full_marks / n:.3f}", x.not_answered, "" if x.discrimination is None else
                         f"{x.discrimination:.3f}", ";".join(f"{gid}:{x.cell_rates[gid]:.3f}" for gid, _ in x.cells),
                         ";".join(f"{what}:{count}" for what, count in x.misconceptions)])
    return out.getvalue()


def build(workspace, assignment):
    """report/<assignment>.html and .csv from the workspace -> (page, csv)."""
    students, exercises = load(workspace, assignment)
    folder = Path(workspace) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    page, table = folder / f"{assignment.id}.html", folder / f"{assignment.id}.csv"
    page.write_text(render(assignment, students, exercises), encoding="utf-8")
    table.write_text(render_csv(assignment, exercises, len(students)), encoding="utf-8")
    return page, table


def write_course(workspace, course):
    """report/course.html and course.csv: one row per student, one column per graded assignment."""
    rows = grade_rows(workspace)
    graded = [a for a in course.assignments if any(r["assignment"] == a.id for r in rows)]
    if not graded:
        raise ReportError(f"{Path(workspace) / 'grades.csv'} holds no assignment of {course.name}")
    cells, tops = {}, {}
    for r in rows:
        cells.setdefault(r["student_id"], {})[r["assignment"]] = (_number(r["score"]), r["status"])
        tops[r["assignment"]] = _number(r["max_score"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student_id"] + [a.id for a in graded] + ["total", "max_total"])
    e = html.escape
    body = []
    for student in sorted(cells):
        got = cells[student]
        total = sum(got[a.id][0] for a in graded if a.id in got)
        writer.writerow([student] + [f"{got[a.id][0]:g}" if a.id in got else "" for a in graded]
                        + [f"{total:g}", f"{sum(tops[a.id] for a in graded):g}"])
        body.append(f"<tr><td>{e(student)}</td>" + "".join(
            f'<td class="num">{got[a.id][0]:g}{" &#9873;" if got[a.id][1] == "flagged" else ""}</td>' if a.id in got
            else '<td class="num">&ndash;</td>' for a in graded) + f'<td class="num"><b>{total:g}</b></td></tr>')
    head = "".join(f'<th><a href="{e(a.id)}.html">{e(a.id)}</a><br>of {tops[a.id]:g}</th>' for a in graded)
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Course report</title>'
            f'<style>{STYLE}</style></head><body><h1>{e(course.name)}: every student, every assignment</h1>'
            f'<p>Scores from grades.csv; &#9873; marks a flagged submission; &ndash; no submission graded.</p>'
            f'<table id="course"><tr><th>student</th>{head}<th>total of {sum(tops[a.id] for a in graded):g}</th></tr>'
            + "".join(body) + "</table></body></html>\n")
    folder = Path(workspace) / "report"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.html").write_text(page, encoding="utf-8")
    (folder / "course.csv").write_text(out.getvalue(), encoding="utf-8")
    return folder / "course.html", folder / "course.csv"
