"""Grading a class on a Dask LocalCluster of 1 and 2 worker processes, beside the local pool.

    .venv/bin/python tests/benchmarks/bench_cluster.py [--assignment ID] [--students 12]

Every student submits the full solution. Prints, per run, the class's wall time, seconds per
notebook, and the notebooks' mean CPU seconds (the sandboxed kernels' own, the figure that
sizes a cluster: CPU-seconds per submission x submissions / cores). Runs take turns in one
process so that they see the same machine load; the load average is printed beside them.
"""
import argparse
import os
import tempfile
import time

from autograder import notebooks
from autograder.course import load_course
from autograder.grading import Submission, grade_class
from autograder.release import release_notebook


def run(course, assignment, subs, **how):
    with tempfile.TemporaryDirectory() as ws:
        started = time.monotonic()
        graded = grade_class(course, assignment, subs, ws, progress=False, **how)
        total = time.monotonic() - started
    cpu = [r.cpu_seconds for _, r in graded if r.cpu_seconds is not None]
    assert {r.status for _, r in graded} == {"graded"}, [r.reason for _, r in graded]
    return total, sum(cpu) / max(1, len(cpu))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="02_forward_pass")
    parser.add_argument("--students", type=int, default=12)
    args = parser.parse_args()
    course = load_course(None)
    assignment = course.get(args.assignment)
    source = notebooks.read(assignment.source_notebook)
    full = notebooks.dumps(notebooks.fill_solutions(release_notebook(source), source)).encode()
    subs = [Submission(f"student{i:02d}", full) for i in range(args.students)]
    print(f"{assignment.id}, {len(subs)} submissions, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    runs = [("dask local:1", dict(cluster="local:1")), ("dask local:2", dict(cluster="local:2")),
            ("local pool, 2 workers", dict(workers=2))]
    totals = {}
    for name, how in runs:
        total, cpu = run(course, assignment, subs, **how)
        totals[name] = total
        print(f"{name}: {total:.1f} s for the class, {total / len(subs):.2f} s per notebook, "
              f"{cpu:.1f} CPU-s per notebook")
    print(f"scaling, dask 2 workers vs 1: {totals['dask local:1'] / totals['dask local:2']:.2f} x; "
          f"dask 2 workers vs the local pool: {totals['dask local:2'] / totals['local pool, 2 workers']:.2f} of its time")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
