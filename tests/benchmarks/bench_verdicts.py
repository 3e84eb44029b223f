"""What verdicts outside the kernel cost (issue #13), per assignment and per class.

    .venv/bin/python tests/benchmarks/bench_verdicts.py [--assignment 04_backprop] [--students 4]

Prints, measured in this run (kernel CPU seconds and wall seconds, so ratios are comparable):
- the reference run and the audit of the source, paid once per assignment (cold cache);
- one submission graded with verdicts outside the kernel (run + comparison + audit), against
  the same submission with the checks deciding in the kernel (no reference, no audit), in turns;
- the comparison itself (observations.judge over every test cell), in the grader's process.
Every student submits the full solution and one cell of their own, so every audited test
passes and is audited.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from autograder import notebooks, observations, pipeline
from autograder.plan import make_plan
from autograder.reference import prepare
from autograder.course import load_course
from autograder.release import release_notebook

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--assignment", default="04_backprop")
    parser.add_argument("--students", type=int, default=4)
    args = parser.parse_args(argv)
    course = load_course(ROOT)
    assignment = course.get(args.assignment)
    source = notebooks.read(assignment.source_notebook)
    submission = notebooks.fill_solutions(release_notebook(source), source)
    # a cell of the student's own, as real notebooks have: the audit then runs (pipeline.source_answers)
    submission.cells.insert(2, notebooks.nbformat.v4.new_code_cell("my_note = 'checked by hand'"))
    limit, folder = assignment.time_limit, assignment.source_dir
    print(f"{args.assignment}, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["NNCOURSE_CACHE"] = cache
        started = time.monotonic()
        plan = prepare(source, limit, folder, args.assignment)
        reference = plan.reference
        print(f"reference run + audit of the source (once per assignment): {time.monotonic() - started:.1f} s wall; "
              f"{len(reference['auditable'])} of {len(reference['cells'])} test cells audited")
        outside, inside = [], []
        for _ in range(args.students):
            for verdicts, in_kernel in ((outside, False), (inside, True)):
                started = time.monotonic()
                result = (pipeline.self_check(pipeline.Job(make_plan(source, limit, folder), submission)) if in_kernel
                          else pipeline.grade(pipeline.Job(plan, submission)))
                verdicts.append((time.monotonic() - started, result.cpu_seconds or 0.0, result.score))
        for name, runs in (("outside the kernel (run + audit)", outside), ("in the kernel", inside)):
            wall = sum(r[0] for r in runs) / len(runs)
            print(f"one submission, verdicts {name}: {wall:.1f} s wall, main kernel "
                  f"{sum(r[1] for r in runs) / len(runs):.1f} CPU s, score {runs[0][2]:g}")
        print(f"ratio outside / inside (wall): {sum(r[0] for r in outside) / sum(r[0] for r in inside):.2f}")
        cells = reference["cells"]
        started = time.process_time()
        for _ in range(20):
            for observed in cells.values():
                observations.judge(observed, observed)
        print(f"the comparison, all {len(cells)} test cells: {(time.process_time() - started) / 20 * 1000:.1f} ms CPU")


if __name__ == "__main__":
    sys.exit(main())
