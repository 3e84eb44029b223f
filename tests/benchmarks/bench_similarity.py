"""Recall, false-positive rate and time of `nncourse similarity` on a class made of the course's own material.

    .venv/bin/python tests/benchmarks/bench_similarity.py [--assignment ID] [--students 300] [--seed 0] [--plain]
                                                          [--kgram N ...]

Honest students: for every exercise, an answer drawn at random from the source's solution and the
lesson's validity catalog (its correct variants and its plausible mistakes: honest students get
things wrong too), written in the student's own way (tests/fixtures/disguise.py, ``idiosyncrasy``:
operands of + and * in another order, a result named before it is returned); ``--plain`` leaves
that out, so honest students who drew the same entries hand in identical code.
Planted copies: two copiers per disguise, each copying a different honest student's whole
notebook: verbatim, renamed variables, two statements reordered, comments and blank lines
changed, loops turned into comprehensions (copying a student who has such a loop), and all of
them at once. The class has --students notebooks in all, copiers included.

Reported: each planted pair's rank among all pairs; recall (planted pairs among the top as many
pairs as were planted); whether every planted pair ranks above every other pair; the
false-positive rate (other pairs whose evidence reaches the weakest planted pair's, over all
other pairs); and the seconds `compare` + `write_report` take (reading the notebooks included).
"""
import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures.disguise import idiosyncrasy, recomment, rename, reorder, to_comprehension  # noqa: E402

from autograder import notebooks, similarity  # noqa: E402
from autograder.course import load_course  # noqa: E402
from autograder.release import release_notebook  # noqa: E402
from autograder.similarity_report import write_report  # noqa: E402
from validity.harness import load_catalog  # noqa: E402


def _all(source, seed):
    return to_comprehension(recomment(reorder(rename(source, seed), seed), seed))


DISGUISES = {
    "verbatim": lambda source, seed: source,
    "renamed": rename,
    "reordered": reorder,
    "comments and blank lines": recomment,
    "loops to comprehensions": lambda source, seed: to_comprehension(source),
    "all of these": _all,
}
PER_DISGUISE = 2


def honest_class(source_nb, catalog, count, rng, plain):
    solutions = {notebooks.grade_id(c): notebooks.strip_markers(c.source) for c in notebooks.solution_cells(source_nb)}
    pools = {ex: [src] + [s for _, s in catalog.VARIANTS.get(ex, []) + catalog.MUTANTS.get(ex, [])]
             for ex, src in solutions.items()}
    students = {}
    for k in range(count):
        picked = {ex: rng.choice(pool) for ex, pool in pools.items()}
        students[f"s{k:03d}"] = picked if plain else {ex: idiosyncrasy(src, rng.randrange(10**6))
                                                      for ex, src in picked.items()}
    return students


def plant(students, rng):
    """{copier: (original, disguise)}; copiers are added to ``students``."""
    planted, honest = {}, sorted(students)
    looping = [s for s in honest if any(to_comprehension(src) != src for src in students[s].values())]
    for kind, disguise in DISGUISES.items():
        candidates = looping if kind in ("loops to comprehensions", "all of these") else honest
        for n in range(PER_DISGUISE):
            free = [s for s in candidates if s not in {o for o, _ in planted.values()}]
            if not free:
                print(f"  no honest student left to copy for {kind!r}: skipped")
                continue
            original = rng.choice(free)
            copier = f"c_{kind.split()[0]}_{n}"
            students[copier] = {ex: disguise(src, rng.randrange(10**6)) for ex, src in students[original].items()}
            planted[copier] = (original, kind)
    return planted


def write_class(folder, source_nb, students):
    release = release_notebook(source_nb)
    for name, answers in students.items():
        (folder / f"{name}.ipynb").write_text(notebooks.dumps(notebooks.fill_solutions(release, source_nb, answers)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="03_softmax_cross_entropy")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plain", action="store_true", help="honest students without their own way of writing")
    parser.add_argument("--kgram", type=int, nargs="+", default=[similarity.KGRAM],
                        help="fingerprint lengths to compare on the same class (default: similarity.KGRAM)")
    args = parser.parse_args()
    assignment = load_course(ROOT).get(args.assignment)
    source_nb = notebooks.read(assignment.source_notebook)
    catalog = SimpleNamespace(**load_catalog(assignment.id))
    rng = random.Random(args.seed)
    students = honest_class(source_nb, catalog, args.students - PER_DISGUISE * len(DISGUISES), rng, args.plain)
    planted = plant(students, rng)
    # disguises that found no student to copy leave room for more honest students
    more = honest_class(source_nb, catalog, args.students - len(students), rng, args.plain)
    students.update({f"h{k:03d}": answers for k, answers in enumerate(more.values())})
    print(f"{assignment.id}: {len(students)} students ({len(planted)} planted copies), "
          f"{len(notebooks.solution_cells(source_nb))} exercises, seed {args.seed}"
          f"{', plain honest answers' if args.plain else ''}; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        write_class(folder, source_nb, students)
        for kgram in args.kgram:
            similarity.KGRAM = kgram
            started = time.monotonic()
            result = similarity.compare(assignment, folder)
            write_report(result, Path(tmp) / "report")
            measure(result, planted, time.monotonic() - started, kgram)


def measure(result, planted, seconds, kgram):
    names = [s.name for s in result.students]
    wanted = {frozenset((names.index(c), names.index(o))): (c, o, kind) for c, (o, kind) in planted.items()}
    ranked = [frozenset((p.a, p.b)) for p in result.pairs]
    evidence = {frozenset((p.a, p.b)): p.evidence for p in result.pairs}
    print(f"\nfingerprints of {kgram} characters\n{'disguise':<26} {'copier':<16} {'original':<8} {'rank':>6} "
          f"{'evidence':>9}")
    for key, (copier, original, kind) in wanted.items():
        rank = ranked.index(key) + 1 if key in evidence else "none"
        print(f"{kind:<26} {copier:<16} {original:<8} {rank:>6} {evidence.get(key, 0):9.1f}")
    top = set(ranked[:len(wanted)])
    weakest = min(evidence.get(k, 0) for k in wanted)
    others = [e for k, e in evidence.items() if k not in wanted]
    total_others = len(names) * (len(names) - 1) // 2 - len(wanted)
    above = sum(e >= weakest for e in others)
    print(f"recall in the top {len(wanted)}: {len(top & wanted.keys())}/{len(wanted)}")
    print(f"every planted pair above every other pair: {weakest > max(others, default=0)} "
          f"(weakest planted {weakest:.1f}, strongest other {max(others, default=0):.1f})")
    print(f"false-positive rate at the weakest planted pair's evidence: {above}/{total_others} = "
          f"{above / total_others:.2e}")
    print(f"pairs with any evidence: {len(result.pairs)} of {len(names) * (len(names) - 1) // 2}")
    print(f"time, compare + write_report for {len(names)} students: {seconds:.1f} s")


if __name__ == "__main__":
    main()
