"""What a grading run changed, per student: old and new score, per exercise, and why.

``before`` reads what the last run left in the workspace (grades.csv's rows of the assignment
and each student's test-cell outcomes in observed/) and keeps a copy of grades.csv as
grades.previous.csv; ``changes`` compares it with the new run's.
"""
import csv
import json
import shutil
from dataclasses import dataclass

from .grading import BASE_COLUMNS

PREVIOUS = "grades.previous.csv"
FIXED = set(BASE_COLUMNS)  # grades.csv's columns that are not an exercise's points


@dataclass
class State:
    rows: dict  # {student: grades.csv row}
    outcomes: dict  # {student: {grade_id: outcome}}


def read_state(workspace, assignment_id):
    rows = {}
    if (workspace / "grades.csv").is_file():
        with (workspace / "grades.csv").open(newline="", encoding="utf-8") as f:
            rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == assignment_id}
    outcomes = {}
    for path in sorted((workspace / "observed" / assignment_id).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        outcomes[data["student"]] = {gid: cell["outcome"] for gid, cell in data["cells"].items()}
    return State(rows, outcomes)


def before(workspace, assignment_id):
    """The last run's State; grades.csv is kept as grades.previous.csv."""
    if (workspace / "grades.csv").is_file():
        shutil.copyfile(workspace / "grades.csv", workspace / PREVIOUS)
    return read_state(workspace, assignment_id)


def changes(old, new):
    """{student: [lines]} for each student whose grade changed, in student order."""
    out = {}
    for student in sorted(set(old.rows) | set(new.rows)):
        a, b = old.rows.get(student), new.rows.get(student)
        if a is None or b is None:
            out[student] = ["new: " + _score(b) if a is None else "no longer in the submissions (was " + _score(a) + ")"]
            continue
        lines = []
        if a["score"] != b["score"]:
            lines.append(f"score {_score(a)} -> {_score(b)}")
        for ex in [k for k in b if k not in FIXED]:
            if a.get(ex) != b.get(ex):
                lines.append(f"  {ex}: {a.get(ex) or '-'} -> {b[ex]}")
        cells_a, cells_b = old.outcomes.get(student, {}), new.outcomes.get(student, {})
        for gid in sorted(set(cells_a) | set(cells_b)):
            if cells_a.get(gid) != cells_b.get(gid):
                lines.append(f"  why: test {gid} {cells_a.get(gid, 'absent')} -> {cells_b.get(gid, 'absent')}")
        if (a.get("late_penalty", "") != b.get("late_penalty", "")
                or a.get("penalty_reason", "") != b.get("penalty_reason", "")):
            lines.append(f"  why: late penalty {a.get('late_penalty') or '0'} ({a.get('penalty_reason') or 'none'}) -> "
                         f"{b.get('late_penalty') or '0'} ({b.get('penalty_reason') or 'none'})")
        if (a["status"], a["reason"]) != (b["status"], b["reason"]):
            lines.append(f"  why: status {a['status']} ({a['reason'] or 'no flag'}) -> {b['status']} "
                         f"({b['reason'] or 'no flag'})")
        if lines:
            out[student] = lines
    return out


def _score(row):
    return f"{row['score']}/{row['max_score']}" + (f" (raw {row['raw_score']}, penalty {row['late_penalty']})"
                                                   if row.get("late_penalty") else "")


def report(found):
    if not found:
        return "regrade: no student's grade changed"
    lines = [f"regrade: {len(found)} student{'s' if len(found) > 1 else ''} changed"]
    for student, what in found.items():
        lines.append(f"{student}: " + what[0].strip())
        lines += ["  " + line.strip() for line in what[1:]]
    return "\n".join(lines)
