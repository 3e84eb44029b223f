"""``grade``: a folder (or zip) of submissions -> nbgrader's layout in a workspace -> grades.

Workspace layout (nbgrader's): submitted/<student>/<assignment>/<assignment>.ipynb,
autograded/<student>/<assignment>/ (executed notebook with the assignment's files),
feedback/<student>/<assignment>/<assignment>.html, gradebook.db (nbgrader's database) and
grades.csv (one row per student and assignment), observed/<assignment>/<student>.json (each
test cell's outcome and the student's raw values as the checks reported them, the flags and
the misconceptions matched: instructors only), runs/<assignment>.csv (each notebook's run
time) and the class report, report/<assignment>.html and .csv (autograder/report.py).
Re-running replaces this assignment's files and rows: same inputs, same files (but the run
times and the report's page, which shows them).
"""
import csv
import io
import json
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import misconceptions, recorder, reference, report, term, variants
from .background import Background
from .errors import GradeError
from .feedback import feedback_html
from .folders import reset
from .pipeline import Job
from .pool import default_workers, grade_many
from .results import empty_result, grader_error
from .roster import read_roster

DEFAULT_ID_PATTERN = r"^(?P<student>[^_]+)"
BASE_COLUMNS = ["student_id", "assignment", "status", "reason", "score", "max_score", "run",
                "raw_score", "late_penalty", "penalty_reason", "submitted_at", "variant"]
SANDBOXED, UNSANDBOXED = "sandboxed", "no sandbox (--no-sandbox)"


@dataclass
class Submission:
    student: str
    data: bytes = None  # the notebook file's bytes; None when no notebook was found
    origin: str = ""  # where it came from, for messages
    problem: str = ""  # why there is no notebook
    time_limit: float = None  # a per-student override (the demo's "never finishes" student)
    receipts: dict = field(default_factory=dict)  # nbgrader exchange's files beside the notebook


# What nbgrader's exchange keeps beside a collected notebook; release_feedback needs both in
# feedback/<student>/<assignment>/ to address the student's feedback.
RECEIPTS = ("timestamp.txt", "submission_secret.txt")


def _safe_id(student, origin):
    if not student or student in (".", ".."):
        raise GradeError(f"cannot tell the student id of {origin}; rename it or pass --id-pattern")
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", student)


def _pick(notebooks_found, assignment_id):
    named = [p for p in notebooks_found if Path(p).name == f"{assignment_id}.ipynb"]
    if len(named) == 1:
        return named[0], ""
    if len(notebooks_found) == 1:
        return notebooks_found[0], ""
    if not notebooks_found:
        return None, "no notebook in the submission"
    return None, (f"several notebooks and none named {assignment_id}.ipynb: "
                  + ", ".join(sorted(Path(p).name for p in notebooks_found)))


def _visible(parts):
    return not any(p.startswith((".", "__MACOSX")) or p == ".ipynb_checkpoints" for p in parts)


def _from_zip(path, assignment_id, id_pattern):
    """An LMS zip: each student's files are named (or foldered) with the student id first."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise GradeError(f"{path} is not a readable zip file; download it again from the LMS") from None
    by_student = {}
    with archive:
        for name in archive.namelist():
            parts = [p for p in name.split("/") if p]
            if name.endswith("/") or not _visible(parts) or not name.endswith(".ipynb"):
                continue
            match = re.search(id_pattern, parts[0])
            if not match:
                raise GradeError(f"{path}: member {name!r} does not match --id-pattern {id_pattern!r}; "
                                 f"pass a pattern with a (?P<student>...) group that finds the id")
            student = _safe_id(match.groupdict().get("student") or match.group(0), f"{path}:{name}")
            by_student.setdefault(student, []).append(name)
        subs = []
        for student, names in sorted(by_student.items()):
            chosen, problem = _pick(names, assignment_id)
            subs.append(Submission(student, archive.read(chosen) if chosen else None,
                                   f"{path.name}:{chosen or names[0]}", problem))
    return subs


def collect(path, assignment_id, id_pattern=DEFAULT_ID_PATTERN):
    """The submissions in ``path``: per student a <student>.ipynb, a <student>/ folder, or zips of them."""
    path = Path(path)
    if not path.exists():
        raise GradeError(f"{path} does not exist; pass the folder (or zip) holding the submissions")
    if path.is_file():
        if path.suffix != ".zip":
            raise GradeError(f"{path} is a file; pass a folder of submissions or an LMS zip")
        return _check_unique(_from_zip(path, assignment_id, id_pattern))
    subs = []
    for entry in sorted(path.iterdir()):
        if not _visible([entry.name]):
            continue
        if entry.is_symlink():  # never followed: it could point at the course's own source notebooks
            subs.append(Submission(_safe_id(entry.name.removesuffix(".ipynb"), entry), None, str(entry),
                                   "a symbolic link, not a notebook file; submit the file itself"))
        elif entry.is_dir():
            # nbgrader's collected tree: submitted/<student>/<assignment>/, beside other assignments
            folder = entry / assignment_id if (entry / assignment_id).is_dir() else entry
            found = [p for p in sorted(folder.rglob("*.ipynb"))
                     if _visible(p.relative_to(folder).parts) and not p.is_symlink()
                     and not p.parent.name == p.stem != assignment_id]  # another assignment's, collected
            chosen, problem = _pick(found, assignment_id)
            subs.append(Submission(_safe_id(entry.name, entry), chosen.read_bytes() if chosen else None,
                                   str(chosen or entry), problem, receipts=_receipts(chosen)))
        elif entry.suffix == ".ipynb":
            subs.append(Submission(_safe_id(entry.stem, entry), entry.read_bytes(), str(entry)))
        elif entry.suffix == ".zip":
            subs.extend(_from_zip(entry, assignment_id, id_pattern))
    if not subs:
        raise GradeError(f"no submissions in {path}: expected <student>.ipynb files, <student>/ folders "
                         f"or LMS zips")
    return _check_unique(subs)


def _receipts(notebook):
    folder = notebook.parent if notebook else None
    return {name: (folder / name).read_bytes() for name in RECEIPTS
            if folder and (folder / name).is_file() and not (folder / name).is_symlink()}


def _check_unique(subs):
    seen = {}
    for sub in subs:
        if sub.student in seen:
            raise GradeError(f"student {sub.student} has two submissions: {seen[sub.student]} and "
                             f"{sub.origin}; remove one and run again")
        seen[sub.student] = sub.origin
    return subs


def assignment_files(assignment):
    """The assignment's own files beside its notebook (data a lesson reads): never the source notebook."""
    return [p for p in sorted(assignment.source_dir.rglob("*"))
            if p.is_file() and p != assignment.source_notebook and _visible(p.relative_to(assignment.source_dir).parts)]


def _prepare(workspace, assignment, subs):
    """Fresh submitted/ and autograded/ folders for this run's students; stale ones removed."""
    students = {s.student for s in subs}
    shutil.rmtree(workspace / "observed" / assignment.id, ignore_errors=True)  # rewritten after grading
    for kind in ("submitted", "autograded", "feedback"):
        for old in sorted((workspace / kind).glob(f"*/{assignment.id}")):
            if old.parent.name not in students:
                shutil.rmtree(old)
    extras = assignment_files(assignment)
    for sub in subs:
        submitted = workspace / "submitted" / sub.student / assignment.id
        graded = workspace / "autograded" / sub.student / assignment.id
        feedback = workspace / "feedback" / sub.student / assignment.id
        reset(graded)
        reset(feedback)
        # Graded where nbgrader collected it (the workspace is the course folder): kept as it is.
        in_place = Path(sub.origin).parent.resolve() == submitted.resolve()
        if not in_place:
            reset(submitted)
            if sub.data is not None:
                (submitted / f"{assignment.id}.ipynb").write_bytes(sub.data)
        for name, data in sub.receipts.items():
            for folder in ([] if in_place else [submitted]) + [graded, feedback]:
                (folder / name).write_bytes(data)
        for extra in extras:
            target = graded / extra.relative_to(assignment.source_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(extra, target)


def grade_class(course, assignment, subs, workspace, workers=None, time_limit=None, progress=True, sandbox=True,
                cluster=None, gradebook=None, submitted_at=None, roster=None):
    """Grade ``subs`` into ``workspace``; returns [(Submission, Result)] in student order.

    Every kernel runs in the sandbox (autograder/sandbox.py) unless ``sandbox`` is False, the
    instructor's explicit --no-sandbox, which grades.csv records in its ``run`` column.
    ``cluster``: a Dask scheduler address or ``local[:N]`` to grade there instead of locally.
    ``gradebook``: nbgrader's database URL (default: gradebook.db in the workspace).
    ``submitted_at``: a CSV of submission times (autograder/submitted.py); the late policy
    (autograder/term.py) is applied once the class's scores are known.
    ``roster``: a CSV of students' ids and names for the gradebook (autograder/roster.py)."""
    workspace = Path(workspace)
    names = read_roster(roster) if roster else None
    subs = sorted(subs, key=lambda s: s.student)
    deadline = term.check(course, assignment, subs, workspace, submitted_at)  # bad input stops here
    variant = student_variants(assignment, subs, workspace)  # and a secret too short to keep variants apart
    _prepare(workspace, assignment, subs)
    # matplotlib and nbgrader imported in processes of their own while the class is graded
    with report.Artist() as artist, Background(recorder.ready) as nbgrader_files:
        results, source_nb = _grade_students(assignment, subs, variant, workspace, time_limit, workers, progress,
                                             sandbox, cluster)
        graded = [(sub, results[sub.student]) for sub in subs]
        term.apply(deadline, graded, workspace)
        nbgrader_files.submit(recorder.write, workspace, course, assignment, graded, source_nb, gradebook, names)
        for sub, result in graded:
            _write_student(workspace, assignment, sub.student, result)
        write_csv(workspace / "grades.csv", course, assignment, graded, SANDBOXED if sandbox else UNSANDBOXED)
        artist.write(workspace, assignment, graded, time_limit)  # drawn there while the gradebook is written
        problem = nbgrader_files.result()
        if problem:  # grades.csv and feedback are written
            print(f"warning: {shown_url(gradebook) or workspace / 'gradebook.db'} was not updated ({problem}); "
                  f"grades.csv holds every grade. Close nbgrader tools using it, or delete it, and grade "
                  f"again to rebuild it.", file=sys.stderr)
    return graded


def _grade_students(assignment, subs, variant, workspace, time_limit, workers, progress, sandbox, cluster):
    """({student: Result}, the source notebook) of the class, each in its variant, misconceptions named."""
    with tempfile.TemporaryDirectory(prefix=f"nncourse_{assignment.id}_") as files:
        for extra in assignment_files(assignment):  # what every kernel of the class gets a copy of
            target = Path(files) / extra.relative_to(assignment.source_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(extra, target)
        plans = reference.prepare_variants(assignment.source_notebook, time_limit or assignment.time_limit, files,
                                           assignment.id, {variant[s.student] for s in subs if s.data is not None} or {0},
                                           sandbox, default_workers(), progress)
        plan = plans[min(plans)]
        jobs, results = [], {}
        # one variant after another: a worker's kernel started ahead for the next notebook is of its variant
        for sub in sorted(subs, key=lambda sub: (variant[sub.student], sub.student)):
            if sub.data is None:
                results[sub.student] = empty_result(plan.tests, ("no notebook", sub.problem))
                continue
            path = workspace / "submitted" / sub.student / assignment.id / f"{assignment.id}.ipynb"
            jobs.append((sub.student, Job(plans[variant[sub.student]], path, sub.time_limit, sandbox)))
        for (student, _), result in zip(jobs, grade_many([j for _, j in jobs], workers, progress, cluster=cluster)):
            results[student] = result
        name_misconceptions(assignment, plans, variant, results, sandbox, progress)
    for student, result in results.items():
        result.variant = variant[student]
    return results, plan.source_nb


def name_misconceptions(assignment, plans, variant, results, sandbox, progress):
    """The class's step after grading: each failed exercise whose values show a catalogued
    misconception, named (autograder/misconceptions.py), against the observed catalog of the
    student's variant; a catalog is made only for the variants in which somebody failed."""
    failing = {student: result for student, result in results.items()
               if any(c.outcome == "failed" for c in result.cells)}
    if not failing:
        return
    wanted = {number: plans[number] for number in {variant[student] for student in failing}}
    reference.add_catalogs(wanted, assignment.source_notebook, sandbox, default_workers(), progress)
    for student, result in failing.items():
        try:
            misconceptions.name(result, wanted[variant[student]])
        except Exception as err:  # this notebook's alone, as in a step of the pipeline
            result.flags.append(grader_error("naming misconceptions", err))


def student_variants(assignment, subs, workspace):
    """{student: the variant of the assignment's hidden tests they are graded with} (autograder/variants.py)."""
    key = variants.secret(workspace) if assignment.variants > 1 else b""
    return {sub.student: variants.variant_of(key, assignment.id, sub.student, assignment.variants) for sub in subs}


def _write_student(workspace, assignment, student, result):
    """The student's feedback and observed values (the autograded notebook: formgrader.write_all)."""
    (workspace / "feedback" / student / assignment.id / f"{assignment.id}.html").write_text(
        feedback_html(result, student, assignment.id, assignment.title,
                      term.explain(result.late, assignment.policy) if result.late else ""), encoding="utf-8")
    observed = workspace / "observed" / assignment.id / f"{student}.json"
    observed.parent.mkdir(parents=True, exist_ok=True)
    observed.write_text(json.dumps({"student": student, "assignment": assignment.id, "variant": result.variant,
                                    "flags": result.flags,
                                    "misconceptions": result.misconceptions, "cells": {
        c.grade_id: {"outcome": c.outcome, "observations": result.observed.get(c.grade_id, [])}
        for c in result.cells}}, sort_keys=True), encoding="utf-8")


def shown_url(url):
    """A database URL without its password, for messages."""
    return url and re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _rows(assignment, graded, run):
    for sub, result in graded:
        row = {"student_id": sub.student, "assignment": assignment.id, "status": result.status,
               "reason": result.reason, "score": f"{result.final_score:g}", "max_score": f"{result.max_score:g}",
               "run": run, "raw_score": f"{result.score:g}", "variant": str(result.variant)}
        if result.late is not None:
            late = result.late
            row.update(late_penalty=f"{late.penalty:g}", penalty_reason=late.reason(),
                       submitted_at=late.submitted.isoformat() if late.submitted else "")
        row.update({ex: f"{got:g}" for ex, (got, _) in result.exercises().items()})
        yield row


def write_csv(path, course, assignment, graded, run=SANDBOXED):
    """grades.csv with this assignment's rows replaced; other assignments' rows kept."""
    rows, columns = [], list(BASE_COLUMNS)
    if path.exists():
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            columns += [c for c in reader.fieldnames or [] if c not in columns]
            rows = [r for r in reader if r["assignment"] != assignment.id]
    new = list(_rows(assignment, graded, run))
    for row in new:
        columns += [c for c in row if c not in columns]
    order = {a.id: i for i, a in enumerate(course.assignments)}
    rows = sorted(rows + new, key=lambda r: (order.get(r["assignment"], len(order)), r["assignment"], r["student_id"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")


def table(graded):
    """The class as a plain-text table: one line per student."""
    if not graded:
        return "(no submissions)"
    exercises = list(graded[0][1].exercises())
    header = ["student", "status", "score"] + exercises + ["reason"]
    lines = [header]
    for sub, result in graded:
        ex = result.exercises()
        late = f" (raw {result.score:g}, late -{result.late.penalty:g})" if result.late and result.late.penalty else ""
        lines.append([sub.student, result.status, f"{result.final_score:g}/{result.max_score:g}{late}"]
                     + [f"{ex[e][0]:g}/{ex[e][1]:g}" for e in exercises] + [result.reason])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)) + "  " + line[-1]
                     for line in lines).rstrip()
