"""grades.csv as a file an LMS gradebook imports as it is, built on the roster the LMS gave.

- Canvas: its gradebook import columns ``Student, ID, SIS User ID, SIS Login ID, Section``,
  then one column per assignment (an existing column ``Title (canvas id)`` of the roster is
  reused, so Canvas updates that assignment; otherwise the column is the assignment's title,
  which Canvas offers to create). The roster's ``Points Possible`` row is kept.
- Moodle: the roster's identity columns (the one Moodle maps users by: ``Email address``,
  ``ID number`` or ``Username``), then one column per assignment.
- csv: ``student_id``, the roster's columns, then one column per assignment.

Every roster row is written (a student without a grade gets an empty cell, which Canvas and
Moodle leave unchanged); graded students missing from the roster go to ``*.unmatched.csv``
beside the export. Both lists are returned, so the command can print them.
"""
import csv
from dataclasses import dataclass
from pathlib import Path

from .errors import GradeError

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Username", "Email address"]
DEFAULT_MATCH = {"canvas": "SIS Login ID", "moodle": "Email address", "csv": "student_id"}


@dataclass
class Exported:
    path: Path
    unmatched: Path  # None when every graded student is on the roster
    not_graded: list  # roster students with no grade (kept, with empty cells)
    not_on_roster: list  # graded students the roster lacks (written to ``unmatched``)


def _read(path, match):
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        if match not in columns:
            raise GradeError(f"{path}, line 1: the roster has no {match!r} column (it has: {', '.join(columns) or 'none'}); "
                             f"download the roster again from the LMS, or pass --match COLUMN naming the column that "
                             f"holds the students' ids as grading knows them")
        return columns, list(reader)


def _grades(path):
    if not path.is_file():
        raise GradeError(f"{path} does not exist; grade the class first (nncourse grade), or pass --workspace")
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def export(course, workspace, roster, to, out, match=None):
    """Write ``out`` for LMS ``to`` from WORKSPACE/grades.csv and ``roster``; returns Exported."""
    if to not in DEFAULT_MATCH:
        raise GradeError(f"--to {to}: use canvas, moodle or csv")
    match = match or DEFAULT_MATCH[to]
    columns, people = _read(roster, match)
    if to == "canvas" and set(CANVAS_COLUMNS) - set(columns):
        raise GradeError(f"{roster}, line 1: a Canvas roster needs the columns {', '.join(CANVAS_COLUMNS)}; export the "
                         f"gradebook from Canvas (Grades > Export > Export Entire Gradebook) and pass that file")
    rows = _grades(Path(workspace) / "grades.csv")
    graded_ids = [a.id for a in course.assignments if any(r["assignment"] == a.id for r in rows)]
    scores = {(r["student_id"], r["assignment"]): r["score"] for r in rows}
    maxima = {r["assignment"]: r["max_score"] for r in rows}
    heads = {a.id: _column(columns, a) if to == "canvas" else a.title for a in course.assignments if a.id in graded_ids}
    if to == "canvas":
        keep = CANVAS_COLUMNS
    elif to == "moodle":
        keep = [c for c in MOODLE_IDENTITY if c in columns] or [match]
        keep = keep if match in keep else [match] + keep
    else:
        keep = ["student_id"] + [c for c in columns if c != "student_id"]
    out = Path(out)
    on_roster, not_graded, body = set(), [], []
    for person in people:
        if to == "canvas" and "Points Possible" in (person.get("Student") or ""):
            body.append({**{c: person.get(c, "") for c in keep}, **{heads[a]: maxima[a] for a in graded_ids}})
            continue
        sid = (person.get(match) or "").strip()
        on_roster.add(sid)
        grades = {heads[a]: scores.get((sid, a), "") for a in graded_ids}
        if not any(grades.values()):
            not_graded.append(sid)
        body.append({**{c: person.get(c, "") for c in keep}, "student_id": sid, **grades})
    _write(out, keep + [heads[a] for a in graded_ids], body)
    missing = sorted({r["student_id"] for r in rows} - on_roster)
    unmatched = None
    if missing:
        unmatched = out.with_name(out.stem + ".unmatched.csv")
        _write(unmatched, ["student_id"] + graded_ids,
               [{"student_id": s, **{a: scores.get((s, a), "") for a in graded_ids}} for s in missing])
    return Exported(out, unmatched, not_graded, missing)


def _column(columns, assignment):
    """The roster's column for ``assignment`` (Canvas names them ``Title (id)``), else its title."""
    for c in columns:
        if c == assignment.title or c.startswith(f"{assignment.title} (") or c.startswith(f"{assignment.id} ("):
            return c
    return assignment.title


def _write(path, columns, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore", restval="")
        writer.writeheader()
        writer.writerows(rows)
