"""The term around one grading run: due dates, submission times, extensions and late days.

``check`` reads everything a run's penalties need (policy, extensions, --submitted-at) before
any notebook is graded, so bad input stops the run with its file, line and fix. ``apply`` runs
after the class's scores are known: each Result gets its ``late`` (deadlines.Late), and a
notebook whose submission time is unknown is flagged.

Late days are spent per student where they save the most points (deadlines.allocate). The
workspace's ``term.json`` is the ledger: the days each graded assignment spent and the
submission times used. Assignments graded one at a time keep the days they spent: a later
assignment gets what is left, so a published grade never changes because another assignment
was graded; grading an assignment again first gives back the days it had spent.
"""
import csv
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from . import deadlines
from .deadlines import PolicyError
from .submitted import UNKNOWN, When, read_times, when_submitted

LEDGER = "term.json"


@dataclass
class TermRun:
    assignment: object
    policy: object
    budget: int
    extensions: dict  # {(student, assignment): Extension}
    whens: dict  # {student: submitted.When}
    ledger: dict


def _ledger(workspace):
    path = workspace / LEDGER
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"late_days": {}, "submitted": {}}


def _known_students(workspace, subs, ledger):
    known = {s.student for s in subs} | set(ledger["late_days"])
    if (workspace / "grades.csv").is_file():
        with (workspace / "grades.csv").open(newline="", encoding="utf-8") as f:
            known |= {r["student_id"] for r in csv.DictReader(f)}
    return known


def check(course, assignment, subs, workspace, times_csv=None):
    """A TermRun for grading ``subs`` (None when the assignment has no due date); PolicyError on bad input."""
    policy = assignment.policy
    if policy is None:
        if times_csv:
            raise PolicyError(f"--submitted-at {times_csv}: {assignment.id} has no due date in course/course.toml; "
                              f"add due = \"YYYY-MM-DD HH:MM\" to its [[assignments]] entry")
        return None
    tz = ZoneInfo(policy.zone)
    ledger = _ledger(workspace)
    students = _known_students(workspace, subs, ledger)
    extensions = {}
    if course.extensions:
        if not course.extensions.is_file():
            raise PolicyError(f"{course.extensions} does not exist (course.toml's [term] extensions names it); "
                              f"create it with the header {','.join(deadlines.EXTENSION_COLUMNS)} or remove the key")
        extensions = deadlines.read_extensions(course.extensions, tz, [a.id for a in course.assignments], students)
    times = read_times(times_csv, tz, assignment.id) if times_csv else {}
    for student, when in times.items():
        if student not in {s.student for s in subs}:
            raise PolicyError(f"{when.source}: unknown student {student!r}: no submission of {assignment.id} has "
                              f"this id; fix the id, or remove the row")
    recorded = {s: _when(w) for s, w in ledger["submitted"].get(assignment.id, {}).items()}
    whens = {sub.student: when_submitted(sub, tz, times, recorded) for sub in subs}
    return TermRun(assignment, policy, course.late_days, extensions, whens, ledger)


def _when(entry):
    at = entry.get("at")
    return When(datetime.fromisoformat(at) if at else None, entry["source"], entry.get("late_marker", False),
                entry.get("on_time", False))


def apply(run, graded, workspace):
    """Set each graded Result's ``late``; flag unknown times; update the ledger."""
    if run is None:
        return
    aid = run.assignment.id
    spent = run.ledger["late_days"]
    recorded = run.ledger["submitted"].setdefault(aid, {})
    for sub, result in graded:
        if sub.data is None:  # nothing was submitted: no time to judge
            continue
        when = run.whens[sub.student]
        extension = run.extensions.get((sub.student, aid))
        at = when.at if when.at is not None else (run.policy.due if when.on_time else None)
        days = 0
        if at is not None and run.budget:
            mine = spent.setdefault(sub.student, {})
            left = max(0, run.budget - sum(d for a, d in mine.items() if a != aid))  # the budget may have shrunk
            due = extension.apply(run.policy.due) if extension else run.policy.due
            days = deadlines.allocate([(aid, deadlines.savings(run.policy, at, due, result.score, left))], left)[aid]
            mine[aid] = days
        late = deadlines.assess(run.policy, result.score, at, extension, days)
        late.submitted, late.source = when.at, when.source
        result.late = late
        if at is None:
            result.flags.append((UNKNOWN, (f"{when.source}; " if when.source else "no timestamp.txt, no LMS time, "
                                           "no --submitted-at row; ") + "pass --submitted-at TIMES.csv and grade again"))
        if when.source:  # kept for a regrade, which reads the workspace's copies (an LMS name is gone)
            recorded[sub.student] = {"at": when.at and when.at.isoformat(), "source": when.source,
                                     "late_marker": when.late_marker, "on_time": when.on_time}
    (workspace / LEDGER).write_text(json.dumps(run.ledger, indent=1, sort_keys=True), encoding="utf-8")


def explain(late, policy):
    """How the penalty was computed, in words, for the student's feedback."""
    if not late.known:
        return ("We do not know when this notebook was submitted, so no late penalty was applied; "
                "your instructor will check the time.")
    local = ZoneInfo(policy.zone)
    fmt = lambda t: t.astimezone(local).strftime("%Y-%m-%d %H:%M %Z")
    lines = [f"Due {fmt(late.due)}" + (" (with your extension" + (f": {late.extension.reason}" if late.extension.reason
                                                                   else "") + ")" if late.extension else "") + "."]
    if late.submitted is not None:
        lines.append(f"Submitted {fmt(late.submitted)}.")
    if late.late.total_seconds() <= 0:
        lines.append("On time: no penalty.")
        return " ".join(lines)
    lines.append(f"That is {late.late.total_seconds() / 3600:.2f} hours late.")
    if late.late_days:
        lines.append(f"{late.late_days} of your free late days {'was' if late.late_days == 1 else 'were'} used "
                     f"here (each moves the due date 24 hours later).")
    lines.append(f"The course's policy: {policy.describe()}. "
                 f"Penalty: {late.percent:g}% of {late.raw:g} = {late.penalty:g} points; final score "
                 f"{late.final:g}.")
    return " ".join(lines)
