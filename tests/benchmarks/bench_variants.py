"""What per-student variants of the hidden tests cost: the reference per assignment, and a class.

    .venv/bin/python tests/benchmarks/bench_variants.py [--assignments 01_perceptron 02_forward_pass ...]
        [--measure 8] [--class-assignment 02_forward_pass] [--students 16] [--rounds 2]

1. **The reference per assignment**, from an empty cache: variant 0 (the reference run, the
   calibration of the audit, the stripping check, the observed catalog: what grading cost
   before variants) and then each further variant (its reference run and its observed
   catalog), in seconds of wall-clock time, one after another in this process. ``--measure
   N`` times the first N variants only; the total for course.toml's count is then variant 0
   plus the others' median times their number (printed as an estimate).
2. **A class**: ``--students`` full solutions graded with one variant (everyone variant 0, as
   before) and with the course's variants, in alternating rounds after a warm-up of each (the
   references then come from the cache, as for every class after the first of a term).

Timings depend on the machine's load: the script prints the load average beside them.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))


def reference_costs(course, ids, measure):
    from autograder import reference

    print(f"{'assignment':<26}variants   variant 0 (s)   each other variant (s, median of N)   all (s)")
    for aid in ids:
        assignment = course.get(aid)
        seconds = []
        for number in range(min(measure, assignment.variants)):
            start = time.perf_counter()
            reference.prepare(assignment.source_notebook, assignment.time_limit, assignment.source_dir,
                              assignment.id, check_stripping=True, variant=number)
            seconds.append(time.perf_counter() - start)
        others = statistics.median(seconds[1:]) if len(seconds) > 1 else 0.0
        total = seconds[0] + others * (assignment.variants - 1)
        estimate = "" if len(seconds) == assignment.variants else " (estimate)"
        print(f"{aid:<26}{assignment.variants:>8}{seconds[0]:>16.1f}{others:>33.1f} of {len(seconds) - 1}"
              f"{total:>10.1f}{estimate}", flush=True)


def class_rounds(course, aid, count, rounds):
    from bench_grading import make_class
    from autograder.grading import grade_class

    assignment = course.get(aid)
    subs = make_class(assignment, count)
    kinds = {"1 variant": replace(assignment, variants=1), f"{assignment.variants} variants": assignment}
    times = {kind: [] for kind in kinds}
    for round_ in range(rounds + 1):  # round 0 warms the cache and the imports
        for kind, graded_as in kinds.items():
            with tempfile.TemporaryDirectory() as workspace:
                start = time.perf_counter()
                graded = grade_class(course, graded_as, subs, workspace, progress=False)
                seconds = time.perf_counter() - start
            assert all(r.score == r.max_score for _, r in graded), "a full solution lost points"
            if round_:
                times[kind].append(seconds / count)
            used = sorted({r.variant for _, r in graded})
            print(f"round {round_} {kind}: {seconds / count:.2f} s a notebook (variants used: {used})", flush=True)
    base, many = (statistics.median(t) for t in times.values())
    print(f"\n{aid}, {count} students, median of {rounds} rounds: 1 variant {base:.2f} s a notebook, "
          f"{assignment.variants} variants {many:.2f} s a notebook (ratio {many / base:.2f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignments", nargs="*", help="default: every assignment of the course")
    parser.add_argument("--measure", type=int, default=8, help="variants timed per assignment")
    parser.add_argument("--class-assignment", default="02_forward_pass")
    parser.add_argument("--students", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ["NNCOURSE_CACHE"] = tempfile.mkdtemp(prefix="bench_variants_")
    os.environ.setdefault("NNCOURSE_SECRET", "the benchmark's own secret, not a course's")
    from autograder.course import load_course

    course = load_course(ROOT)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores\n")
    reference_costs(course, args.assignments or [a.id for a in course.assignments], args.measure)
    print()
    class_rounds(course, args.class_assignment, args.students, args.rounds)
    print(f"\nload average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
