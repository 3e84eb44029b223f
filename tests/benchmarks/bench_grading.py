"""nncourse against stock nbgrader, side by side: seconds per notebook and where they go.

    .venv/bin/python tests/benchmarks/bench_grading.py [--assignment 02_forward_pass] [--small 6] [--students 20] [--rounds 2]

Two comparisons, each in alternating rounds (nncourse, stock, nncourse, stock, ...) after one
warm-up round of each, so both see the same machine; the ratio is stock's time over ours:

1. one worker: a class of ``--small`` notebooks, ``nncourse grade --workers 1`` against one
   ``nbgrader autograde`` call (seconds per notebook);
2. the default workers: a class of ``--students``, ``nncourse grade`` against one
   ``nbgrader autograde`` call for the class.

Stock nbgrader runs the fastest way its documentation allows: one ``autograde`` call, which
creates the students itself (no ``nbgrader db student add`` per student), in a course folder
made once with ``generate_assignment`` and the course's own nbgrader_config.py. Both are
whole commands (process start, imports and the gradebook write included). nncourse's
reference is computed in the warm-up round and read from its cache after (once per
assignment and term); its cost is printed separately.

Every student submits the full solution and one cell of their own (so that nncourse's audit
runs, the honest worst case). Then the class is graded once more in this process with one
worker, to print where a notebook's time goes (pipeline steps and the parts of the run).
Timings depend on the machine's load: the script prints the load average beside them.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from autograder import notebooks
from autograder.course import load_course
from autograder.grading import Submission, grade_class
from autograder.pool import default_workers
from autograder.release import release_notebook

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def make_class(assignment, count):
    source = notebooks.read(assignment.source_notebook)
    subs = []
    for i in range(count):
        nb = notebooks.fill_solutions(release_notebook(source), source)
        nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell(f"my_note = 'student {i} checked this by hand'"))
        subs.append(Submission(f"student{i:02d}", notebooks.dumps(nb).encode()))
    return subs


def write_class(subs, assignment, folder):
    """Both layouts: <student>.ipynb for nncourse, and stock's submitted/<student>/<id>/<id>.ipynb."""
    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    for sub in subs:
        (inbox / f"{sub.student}.ipynb").write_bytes(sub.data)
        target = folder / "stock" / "submitted" / sub.student / assignment.id
        target.mkdir(parents=True)
        (target / f"{assignment.id}.ipynb").write_bytes(sub.data)
    return inbox


def stock_course(assignment, folder):
    course = folder / "stock"
    course.mkdir(exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)  # the course's own settings (cell timeout)
    shutil.copytree(ROOT / "course", course / "course")  # the list that config reads
    shutil.copytree(assignment.source_dir, course / "source" / assignment.id)
    stock(course, "generate_assignment", assignment.id, "--force")
    return course


def stock(course, *args):
    # nbgrader runs `alembic` from PATH: the venv's bin first
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def timed(command, **kwargs):
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    return time.monotonic() - started


def side_by_side(assignment, subs, workers, rounds, folder):
    """[(ours, stock)] seconds for the class, rounds after one warm-up each."""
    inbox = write_class(subs, assignment, folder)
    course = stock_course(assignment, folder)
    ours = [str(BIN / "nncourse"), "--root", str(ROOT), "grade", str(inbox), "--assignment", assignment.id,
            "--workspace", str(folder / "ws")] + (["--workers", str(workers)] if workers else [])
    pairs = []
    for round_ in range(rounds + 1):
        a = timed(ours)
        b = timed([str(BIN / "nbgrader"), "autograde", assignment.id, "--force"], cwd=course,
                  env=dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"))
        if round_:  # the first round warms both (and computes nncourse's reference)
            pairs.append((a, b))
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {gb.find_submission(assignment.id, s.student).score for s in subs}
    return pairs, scores


def report(label, pairs, count, scores):
    ours = statistics.median(a for a, _ in pairs) / count
    theirs = statistics.median(b for _, b in pairs) / count
    ratios = [b / a for a, b in pairs]
    print(f"{label}: nncourse {ours:.2f} s per notebook, stock autograde {theirs:.2f} s per notebook; "
          f"stock / nncourse = {statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)}); "
          f"stock's scores {sorted(scores)}")


def breakdown(course, assignment, subs):
    with tempfile.TemporaryDirectory() as ws:
        graded = grade_class(course, assignment, subs, ws, workers=1, progress=False)
    parts = {}
    for _, result in graded:
        for name, seconds in result.timings.items():
            parts.setdefault(name, []).append(seconds)
    print(f"where a notebook's time goes (1 worker, mean of {len(graded)} notebooks, wall seconds; the kernel's "
          f"start overlaps the previous notebook):")
    for name, values in parts.items():
        print(f"  {name:<48} {statistics.mean(values):6.2f}")
    print(f"  {'CPU seconds of the notebook itself':<48} {statistics.mean(r.cpu_seconds or 0 for _, r in graded):6.2f}")
    print(f"  scores: {sorted({r.score for _, r in graded})}, flags: {sorted({r.reason for _, r in graded})}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="02_forward_pass")
    parser.add_argument("--small", type=int, default=6, help="the one-worker class")
    parser.add_argument("--students", type=int, default=20, help="the default-workers class")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    course = load_course(ROOT)
    assignment = course.get(args.assignment)
    print(f"{assignment.id}, {default_workers()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["NNCOURSE_CACHE"] = cache
        started = time.monotonic()
        from autograder.reference import prepare
        prepare(assignment.source_notebook, assignment.time_limit, None, assignment.id)
        print(f"nncourse's reference (once per assignment, then cached): {time.monotonic() - started:.1f} s")
        for label, count, workers in ((f"1 worker, class of {args.small}", args.small, 1),
                                      (f"default workers ({default_workers()}), class of {args.students}",
                                       args.students, None)):
            subs = make_class(assignment, count)
            with tempfile.TemporaryDirectory() as folder:
                pairs, scores = side_by_side(assignment, subs, workers, args.rounds, Path(folder))
            report(label, pairs, count, scores)
        breakdown(course, assignment, make_class(assignment, args.small))
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
