"""Seconds to grade a class: nncourse with 1 worker and the default, the sandbox's cost, and plain nbgrader 0.9.6
(with the course's nbgrader_config.py), and whether stock nbgrader gives the same per-cell scores.

    .venv/bin/python tests/benchmarks/bench_grading.py [--root DIR] [--assignment ID] [--students 20] [--skip-nbgrader]

The sandbox's cost: the class graded with 1 worker, sandboxed and with --no-sandbox, in turns
(sandboxed, unsandboxed, sandboxed, unsandboxed), so both see the same load.

Every student submits the full solution (every cell runs, the slowest honest case). Plain
nbgrader runs in a throwaway course folder under /tmp: `nbgrader generate_assignment`, one
`nbgrader db student add` per student, then one `nbgrader autograde` call for the class.
Timings depend on the machine's load: the script prints the load average beside them.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from autograder import engine, notebooks
from autograder.course import load_course
from autograder.grading import Submission, grade_class
from autograder.release import release_notebook

ROOT = Path(__file__).resolve().parents[2]
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))


def ours(course, assignment, subs, workers, sandbox=True):
    with tempfile.TemporaryDirectory() as ws:
        started = time.monotonic()
        graded = grade_class(course, assignment, subs, ws, workers=workers, progress=False, sandbox=sandbox)
        total = time.monotonic() - started
    scores = sorted({r.score for _, r in graded})
    per_notebook = sum(r.seconds for _, r in graded) / len(graded)
    ours.cells = {sub.student: {c.grade_id: c.points for c in r.cells} for sub, r in graded}
    return total, per_notebook, scores


def plain_nbgrader(assignment, subs):
    folder = Path(tempfile.mkdtemp(prefix="bench_nbgrader_"))
    try:
        shutil.copy(ROOT / "nbgrader_config.py", folder)  # the course's own settings (cell timeout)
        shutil.copytree(assignment.root / "course", folder / "course")  # the list that config reads
        shutil.copytree(assignment.source_dir, folder / "source" / assignment.id)
        # nbgrader runs `alembic` from PATH: put the venv's bin first
        env = dict(os.environ, PATH=f"{Path(NBGRADER).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        run = lambda *args: subprocess.run([NBGRADER, *args], cwd=folder, check=True, env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        run("generate_assignment", assignment.id, "--force")
        started = time.monotonic()
        for sub in subs:
            run("db", "student", "add", sub.student)
        add = time.monotonic() - started
        for sub in subs:
            target = folder / "submitted" / sub.student / assignment.id
            target.mkdir(parents=True)
            (target / f"{assignment.id}.ipynb").write_bytes(sub.data)
        started = time.monotonic()
        run("autograde", assignment.id, "--force")
        grade = time.monotonic() - started
        with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
            stock = {sub.student: {g.name: g.auto_score for g in
                                   gb.find_submission_notebook(assignment.id, assignment.id, sub.student).grades}
                     for sub in subs}
        return add, grade, stock
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=ROOT, help="course repository (tests/fixtures/course: the small fixture)")
    parser.add_argument("--assignment")
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--skip-nbgrader", action="store_true")
    args = parser.parse_args()
    course = load_course(args.root)
    assignment = course.get(args.assignment) if args.assignment else course.existing()[0]
    source = notebooks.read(assignment.source_notebook)
    full = notebooks.dumps(notebooks.fill_solutions(release_notebook(source), source)).encode()
    subs = [Submission(f"student{i:02d}", full) for i in range(args.students)]
    print(f"{assignment.id}, {len(subs)} submissions, {engine.default_workers()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    for workers in (1, engine.default_workers()):
        total, per, scores = ours(course, assignment, subs, workers)
        print(f"nncourse, {workers} worker(s): {total:.1f} s for the class, {total / len(subs):.2f} s per "
              f"notebook (each notebook's own run, kernel start included: {per:.2f} s); scores {scores}")
    turns = {True: [], False: []}
    for sandbox in (True, False, True, False):
        turns[sandbox].append(ours(course, assignment, subs, 1, sandbox)[0] / len(subs))
    boxed, bare = (sum(turns[k]) / 2 for k in (True, False))
    print(f"sandbox cost, 1 worker: {boxed:.2f} s per notebook sandboxed, {bare:.2f} s without "
          f"(ratio {boxed / bare:.2f}, {boxed - bare:+.2f} s per notebook)")
    if not args.skip_nbgrader:
        add, grade, stock = plain_nbgrader(assignment, subs)
        print(f"plain nbgrader: `db student add` {add:.1f} s ({add / len(subs):.2f} s per student); "
              f"`autograde` {grade:.1f} s ({grade / len(subs):.2f} s per notebook); "
              f"together {add + grade:.1f} s")
        differ = {s: {k: (v, stock[s].get(k)) for k, v in cells.items() if stock[s].get(k) != v}
                  for s, cells in ours.cells.items()}
        print("per-cell scores, stock nbgrader vs nncourse: " +
              ("the same" if not any(differ.values()) else f"DIFFER: {differ}"))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
