"""The validity harness: proves an assignment's grading fair (course/ARCHITECTURE.md, "Grading is valid when").

Every assignment plugs in by adding ``course/catalogs/catalog_<id>.py`` (format in
course/AUTHORING.md). For each assignment the harness builds submissions from the release
notebook, grades them all at once with the course's own pipeline (in parallel), and checks:

(a) the source notebook earns full marks, unflagged;
(b) the untouched release earns zero on every test cell, each failing with "not answered";
independence: each exercise earns its points when it alone is solved (judged on a run of its
test cells and what they need, the other exercises unanswered: the run (g) vouches for);
(c) each mutant loses points on its exercise and no other;
(d) each correct variant earns full marks (its round's other exercises unanswered);
(e) each cheat (an answer calling nnref's implementation) earns nothing on its exercise;
(f) the misconception matcher (autograder/misconceptions.py), on the same run: each mutant is
named by its own description unless another mutant's values are the same as its own on every
check (then it cannot be told apart, and is counted as such), and no correct variant is told
it has a misconception. The catalog it names them from is the grader's own, made here and
cached: grading the lesson later need not run the mutants again.

Submissions are batched into rounds: round r applies the r-th mutant (or cheat) of every
exercise at once. That is valid because independence is proven separately: an exercise's
tests depend on no other exercise's answer.

Every probe is graded in variant 0 of the hidden tests (nnref/variants.py); the source is
graded in each of ``VARIANTS`` too, and its own run must pass in every variant course.toml
gives the assignment. In the other ``VARIANTS`` (a test that catches a mistake for one set of
inputs only, or fails a right answer on some, is a bug) each mutant must lose points on its
exercise and each correct variant earn them all, judged on the observed catalog's runs: the
rounds' test cells and what they need, no audit (autograder/observed_catalog.py). (g) proves
such a run judges as grading does: in variant 0, each mutant's test cells get the same verdict
from its values in the observed catalog as from the values its round's grading received; and
(f) names the graded mutants from that catalog. Grading leaves out the lesson's own demos
(pipeline.leave_out); the stripping check, which grades the source among the probes in each
variant (with every cell run in variant 0), must pass every test.
"""
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import accumulate
from multiprocessing import get_context
from pathlib import Path

from autograder import catalog as catalogs
from autograder import misconceptions, notebooks, observations, observed_catalog, pipeline, pool, reference
from autograder.needed import keep_only
from autograder.pool import default_workers
from autograder.pipeline import Job
from autograder.results import USES_REFERENCE
from autograder.release import release_notebook

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = (0, 1)  # of the hidden tests, each probe that depends on the inputs is graded in


@dataclass
class Probe:
    """One expectation about one exercise (or the whole notebook) in one submission."""
    kind: str  # source | release | alone | mutant | variant | cheat
    exercise: str  # "" for whole-notebook probes
    description: str
    submission: int  # index into the plan's submissions; None: judged on a trimmed run (its exercise alone, or the observed catalog's)
    variant: int = 0  # of the hidden tests (nnref/variants.py)

    @property
    def id(self):
        return "-".join(p for p in (self.kind, self.exercise, self.description,
                                    f"variant{self.variant}" if self.variant else "") if p)


@dataclass
class Plan:
    assignment: object
    source_nb: object
    submissions: list = field(default_factory=list)  # (notebook, variant of the hidden tests) to grade
    probes: list = field(default_factory=list)
    catalog: dict = field(default_factory=dict)
    graded: dict = None  # {variant: the grader's plan (autograder/plan.py)}, once graded
    observed: dict = None  # {variant: {(kind, exercise, description): {grade id: observations}}}, once run
    alone: dict = None  # {exercise: the Result of its tests run with it alone solved}, once run
    unlike_whole: list = field(default_factory=list)  # (g): mutants their catalog run judges otherwise


@dataclass
class Naming:
    """The matcher on one lesson's catalog: how many mutants it names, what it cannot tell apart."""
    named: int = 0
    mutants: int = 0
    alike: list = field(default_factory=list)  # [(mutant, the mutant named instead)]: same values on every check
    no_wrong_value: list = field(default_factory=list)  # mutants that lose points by an error, no value wrong
    unstable: list = field(default_factory=list)  # [(mutant, checks)]: graded values unlike its catalog run's
    missed: list = field(default_factory=list)  # [(mutant, named instead or None, cells that disagree)]
    false_matches: list = field(default_factory=list)  # [(variant, misconception claimed)]

    def __str__(self):
        return (f"{self.named} of {self.mutants} mutants named; {len(self.alike)} indistinguishable from another "
                f"({self.alike}); {len(self.no_wrong_value)} show no wrong value ({self.no_wrong_value}); "
                f"{len(self.unstable)} unnamed whose values change from run to run ({self.unstable}); "
                f"missed: {self.missed}; false matches on variants: {self.false_matches}")


NAMING = {}  # assignment id -> Naming, filled by each grading run


def load_catalog(assignment_id, path=None):
    return catalogs.load(assignment_id, path or catalogs.catalog_path(ROOT, assignment_id))


def catalog_problems(catalog, exercises):
    """What the catalog lacks (AUTHORING.md: >= 2 mutants and >= 1 variant per exercise)."""
    problems = []
    for kind in catalogs.KINDS:
        entries = catalog[kind]
        problems += [f"{kind} names {ex!r}, which is not an exercise of the notebook ({', '.join(exercises)})"
                     for ex in entries if ex not in exercises]
    for ex in exercises:
        if len(catalog["MUTANTS"].get(ex, [])) < 2:
            problems.append(f"exercise {ex!r} has {len(catalog['MUTANTS'].get(ex, []))} mutants; at least 2 needed")
        if len(catalog["VARIANTS"].get(ex, [])) < 1:
            problems.append(f"exercise {ex!r} has no correct variant; at least 1 needed")
    return problems


def make_plan(assignment, catalog):
    source_nb = notebooks.read(assignment.source_notebook)
    release_nb = release_notebook(source_nb)
    exercises = list(notebooks.exercise_points(source_nb))
    plan = Plan(assignment, source_nb, catalog=catalog)

    def add(nb, probes, variants=VARIANTS):
        for variant in variants:
            plan.submissions.append((nb, variant))
            plan.probes += [Probe(kind, ex, desc, len(plan.submissions) - 1, variant) for kind, ex, desc in probes]

    add(source_nb, [("source", "", "")])
    add(release_nb, [("release", "", "")], variants=(0,))
    plan.probes += [Probe("alone", ex, "", None) for ex in exercises]
    wrong = {ex: [("mutant", d, s) for d, s in catalog["MUTANTS"].get(ex, [])]
             + [("cheat", d, s) for d, s in catalog["CHEATS"].get(ex, [])] for ex in exercises}
    right = {ex: [("variant", d, s) for d, s in catalog["VARIANTS"].get(ex, [])] for ex in exercises}
    for entries, others_solved in ((wrong, True), (right, False)):
        for round_ in catalogs.rounds(entries):
            # a wrong round's other exercises hold the source's answers, which must keep their
            # points; a right round checks its own exercises only, so the others stay as released
            # (homework 09's final model would train in full, to no purpose)
            skip = () if others_solved else set(exercises) - set(round_)
            nb = notebooks.fill_solutions(release_nb, source_nb, answers={ex: s for ex, (_, _, s) in round_.items()},
                                          skip=skip)
            add(nb, [(kind, ex, desc) for ex, (kind, desc, _) in round_.items()], variants=(0,))
    plan.probes += [Probe(kind, ex, desc, None, variant) for variant in VARIANTS if variant
                    for kind, key in (("mutant", "MUTANTS"), ("variant", "VARIANTS"))
                    for ex in exercises for desc, _ in catalog[key].get(ex, [])]
    return plan


def grade_plans(plans, workers=None):
    """Each plan's Results, all graded in one pool (no core idles between assignments), each
    plan among a copy of its assignment's files."""
    works = [Path(tempfile.mkdtemp(prefix=f"validity_{plan.assignment.id}_")) for plan in plans]
    try:
        jobs = []
        for plan, work in zip(plans, works):
            shutil.copytree(plan.assignment.source_dir, work, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(plan.assignment.source_notebook.name))
            plan.graded = {variant: reference.prepare(plan.assignment.source_notebook, plan.assignment.time_limit,
                                                      work, plan.assignment.id, check_stripping=False, catalog=False,
                                                      variant=variant)
                           for variant in VARIANTS}
            # the source as the graded plan holds it: its job in a variant other than 0 is the
            # stripping check's there (pool._stripping_runs), graded once
            jobs += [Job(plan.graded[variant], plan.graded[variant].source_nb if nb is plan.source_nb else nb)
                     for nb, variant in plan.submissions]
        results = pool.grade_many(jobs, workers)
        observe(plans, works, workers)
    finally:
        for work in works:
            shutil.rmtree(work, ignore_errors=True)
    ends = list(accumulate(len(plan.submissions) for plan in plans))
    return [results[end - len(plan.submissions):end] for plan, end in zip(plans, ends)]


def observe(plans, works, workers=None):
    """Each plan's ``observed``: {variant: {(kind, exercise, description): {grade id:
    observations}}}, each mutant's and correct variant's values as the grader's observed catalog
    runs see them (the mutants' are the very catalog grading names misconceptions with, made here
    and cached for it), and its ``alone`` (run_alone of each exercise, in variant 0), ``workers``
    variants at a time."""
    tasks = [(plan.assignment, plan.catalog, work, variant) for plan, work in zip(plans, works) for variant in VARIANTS]
    with ProcessPoolExecutor(workers or default_workers(), mp_context=get_context("spawn")) as runs:
        found = list(runs.map(_observe, *zip(*tasks)))
    for plan in plans:
        plan.observed, plan.alone = {}, {}
    for (assignment, _, _, variant), (observed, alone) in zip(tasks, found):
        plan = next(p for p in plans if p.assignment is assignment)
        plan.observed[variant] = observed
        plan.alone.update(alone)


def _observe(assignment, catalog, work, variant):
    source = assignment.source_notebook
    graded = reference.prepare(source, assignment.time_limit, work, assignment.id, check_stripping=False,
                               catalog=False, variant=variant)
    mutants = observed_catalog.prepare(graded, source, mutants=catalog["MUTANTS"])
    variants = observed_catalog.observe_catalog(graded, catalog["VARIANTS"]) if variant else []
    observed = {(kind, e["exercise"], e["description"]): e["cells"]
                for kind, entries in (("mutant", mutants), ("variant", variants)) for e in entries}
    return observed, {} if variant else {ex: run_alone(graded, ex) for ex in notebooks.exercise_points(graded.source_nb)}


def run_alone(graded, exercise):
    """The Result of ``exercise``'s test cells, and what they need, run with it alone solved:
    the other exercises as released (their tests are not run: they would fail, not answered)."""
    release_nb = release_notebook(graded.source_nb)
    others = set(notebooks.exercise_points(graded.source_nb)) - {exercise}
    nb = notebooks.fill_solutions(release_nb, graded.source_nb, skip=others)
    tests = {t.grade_id for t in graded.tests if t.exercise == exercise}

    def keep_its_tests(g):
        keep_only(g.run_nb, g.plan.own_sources, tests)
    quiet = replace(graded, reference={**graded.reference, "auditable": []})  # no audit: nothing to withhold
    steps = (pipeline.read, pipeline.restore, pipeline.strip, keep_its_tests, pipeline.run, pipeline.collect,
             pipeline.judge)
    return pipeline.grade(Job(quiet, nb, steps=steps))


def _reference(assignment, variant=0):
    """Compute (and cache on disk) the assignment's reference in ``variant``; the error that stops it, or None."""
    try:
        reference.prepare(assignment.source_notebook, assignment.time_limit, assignment.source_dir,
                          assignment.id, check_stripping=False, catalog=False, variant=variant)
    except reference.ReferenceFailed as err:
        return err
    return None


def compute_references(assignments, workers=None):
    """{assignment id: the error that stops its reference} for those whose source fails its own
    tests in one of its variants (all of course.toml's, not only the two the probes are graded
    in: a student of any variant is graded against that variant's reference); the others'
    references computed `workers` at a time (one kernel each, in parallel, where grade_many
    would run them one after another) into the reference cache grading reads. Variant 0 first:
    another variant's reference takes its auditable cells."""
    errors = {}
    with ProcessPoolExecutor(workers or default_workers(), mp_context=get_context("spawn")) as pool:
        for first in (True, False):
            tasks = [(a, number) for a in assignments if a.id not in errors
                     for number in sorted(set(range(a.variants)) | set(VARIANTS)) if (number == 0) == first]
            for (assignment, _), err in zip(tasks, pool.map(_reference, *zip(*tasks)) if tasks else ()):
                if err is not None:
                    errors.setdefault(assignment.id, err)
    return errors


def _messages(result, exercise=None):
    return "; ".join(f"{c.grade_id}: {c.outcome} {c.message[:300]}".strip()
                     for c in result.cells if c.outcome != "passed" and exercise in (None, c.exercise))


def check(probe, result, wrong_in_submission=()):
    """Problems with ``probe`` given its submission's ``result`` ([] when it holds).

    ``wrong_in_submission``: the exercises that hold a wrong answer in the same submission
    (a round), which are exempt from "no other exercise loses points".
    """
    ex = result.exercises()
    # the audit flags an answer that uses nnref's implementation: a cheat's expected fate
    allowed = {USES_REFERENCE} if probe.kind == "cheat" else set()
    if any(why not in allowed for why, _ in result.flags):
        return [f"submission flagged: {result.reason}"]
    if probe.kind == "source":
        return [f"the source notebook loses points: {_messages(result)}"] if result.score != result.max_score else []
    if probe.kind == "release":
        loud = [c for c in result.cells if c.points or c.outcome != "not answered"]
        return [f"the untouched release: {c.grade_id} is {c.outcome} ({c.points:g} points), expected "
                f"NotImplementedError only: {c.message[:300]}" for c in loud]
    got, top = ex[probe.exercise]
    if probe.kind in ("alone", "variant") and got != top:
        what = "solved alone" if probe.kind == "alone" else f"correct variant '{probe.description}'"
        return [f"{probe.exercise} {what} earns {got:g}/{top:g}: {_messages(result, probe.exercise)}"]
    if probe.kind == "mutant" and got >= top:
        return [f"mutant '{probe.description}' of {probe.exercise} keeps all {top:g} points"]
    if probe.kind == "cheat" and got > 0:
        return [f"cheat '{probe.description}' earns {got:g}/{top:g} on {probe.exercise}: the tests that "
                f"passed do not guard against calling nnref"]
    if probe.kind in ("mutant", "cheat"):
        return [f"{probe.kind} '{probe.description}' of {probe.exercise} costs {other} points too: "
                f"{_messages(result, other)}"
                for other, (g, t) in ex.items() if other not in wrong_in_submission and g != t]
    return []


def check_observed(probe, verdicts):
    """Problems with a mutant or correct variant judged on its observed catalog run, given
    ``verdicts`` ({grade id: (status, message)} of its exercise's test cells)."""
    failing = {gid: message for gid, (status, message) in verdicts.items() if status != "passed"}
    if probe.kind == "mutant" and not failing:
        return [f"mutant '{probe.description}' of {probe.exercise} passes every test in variant {probe.variant}"]
    if probe.kind == "variant" and failing:
        return [f"correct variant '{probe.description}' of {probe.exercise} fails in variant {probe.variant}: "
                + "; ".join(f"{gid}: {m[:300]}" for gid, m in failing.items())]
    return []


def _verdicts(plan, probe):
    """{grade id: observations.judge's (status, message)} of the probe's observed catalog run."""
    cells = plan.observed[probe.variant][(probe.kind, probe.exercise, probe.description)]
    reference = plan.graded[probe.variant].reference["cells"]
    return {gid: observations.judge(obs, reference.get(gid, [])) for gid, obs in cells.items()}


def _check_all(plan, results):
    wrong = {}
    for probe in plan.probes:
        if probe.kind in ("mutant", "cheat") and probe.submission is not None:
            wrong.setdefault(probe.submission, set()).add(probe.exercise)
    NAMING[plan.assignment.id] = name_mutants(plan, results)
    plan.unlike_whole = unlike_whole(plan, results)
    return [check(probe, results[probe.submission], wrong.get(probe.submission, ())) if probe.submission is not None
            else check(probe, plan.alone[probe.exercise]) if probe.kind == "alone"
            else check_observed(probe, _verdicts(plan, probe)) for probe in plan.probes]


def unlike_whole(plan, results):
    """(g): the mutants whose test cells the observed catalog's run (only the test cells and what
    they need) judges otherwise than their round's whole-notebook grading, in variant 0:
    [(mutant, [(test cell, whole notebook's status, catalog run's status)])]. Statuses, not
    values: a test may draw fresh random numbers (an initializer called without a seed)."""
    differ = []
    reference = plan.graded[0].reference["cells"]
    for probe in plan.probes:
        if probe.kind == "mutant" and probe.submission is not None:
            whole = observed_catalog.entry(plan.graded[0], probe.exercise, probe.description,
                                           results[probe.submission])["cells"]
            catalog = plan.observed[0][("mutant", probe.exercise, probe.description)]
            statuses = {gid: [observations.judge(cells.get(gid, []), reference.get(gid, []))[0]
                              for cells in (whole, catalog)] for gid in whole.keys() | catalog.keys()}
            cells = sorted((gid, *pair) for gid, pair in statuses.items() if pair[0] != pair[1])
            if cells:
                differ.append((_label(probe), cells))
    return differ


def name_mutants(plan, results):
    """(f): how the misconception matcher does on the plan's mutants and variants, in every
    variant of the hidden tests, each against its own variant's observed catalog -> Naming."""
    naming = Naming()
    for variant, graded in plan.graded.items():
        _name_in(plan, graded, [p for p in plan.probes if p.variant == variant], results, naming)
    return naming


def _name_in(plan, graded, probes, results, naming):
    def values(probe):  # {grade id: observations}: its grading's, else its observed catalog run's
        if probe.submission is None:
            return plan.observed[probe.variant][(probe.kind, probe.exercise, probe.description)]
        return results[probe.submission].observed

    def loses(probe):
        if probe.submission is None:
            return any(status != "passed" for status, _ in _verdicts(plan, probe).values())
        return _loses(results[probe.submission], probe.exercise)

    mutants = [p for p in probes if p.kind == "mutant"]
    observed = [{"exercise": p.exercise, "description": p.description,
                 "cells": plan.observed[graded.variant][("mutant", p.exercise, p.description)]} for p in mutants]
    # the catalog a student is compared with: the mutants that do lose points ((c) flags the others)
    losing = [e for p, e in zip(mutants, observed) if loses(p)]
    cells = graded.reference["cells"]
    for probe in probes:
        if probe.kind not in ("mutant", "variant"):
            continue
        said = misconceptions.closest(probe.exercise, values(probe), losing, cells)
        if probe.kind == "variant" and said:
            naming.false_matches.append((_label(probe), said))
        elif probe.kind == "mutant" and loses(probe):
            naming.mutants += 1
            if said == probe.description:
                naming.named += 1
            elif said and _alike(probe, said, observed, cells):
                naming.alike.append((_label(probe), said))
            elif not said and not _shows_a_wrong_value(_own(probe, observed), cells):
                naming.no_wrong_value.append(_label(probe))
            elif not said and (differ := _why(values(probe), _own(probe, observed), cells)):
                naming.unstable.append((_label(probe), differ))
            else:
                naming.missed.append((_label(probe), said, _why(values(probe), _own(probe, observed), cells)))


def _label(probe):
    return f"{probe.exercise}: {probe.description}" + (f" (variant {probe.variant})" if probe.variant else "")


def _loses(result, exercise):
    got, top = result.exercises()[exercise]
    return got < top


def _own(probe, observed):
    return next(e for e in observed if e["exercise"] == probe.exercise and e["description"] == probe.description)


def _shows_a_wrong_value(entry, cells):
    """Some check of the mutant's received a value that fails it (else it loses its points by an
    error or a check it never reached: no value shows its misconception)."""
    found = [misconceptions.agreement(obs, obs, cells.get(gid, [])) for gid, obs in entry["cells"].items()]
    return any(f is None or f[2] for f in found)


def _why(values, entry, cells):
    """Where a mutant's graded values disagree with its own catalog entry (the same answer run
    twice: its values depend on more than the answer, on fresh random draws or on what ran before
    it): [(cell, the first check that disagrees and its two values, abridged)], or [(cell, None)]
    where they do not even line up (other checks, or a different number of them)."""
    found = []
    for gid, obs in entry["cells"].items():
        mine = values.get(gid, [])
        if misconceptions.agreement(mine, obs, cells.get(gid, [])) is not None:
            continue
        pairs = [(i, a, b) for i, (a, b) in enumerate(zip(mine, obs)) if a != b]
        if len(mine) != len(obs) or not pairs:
            found.append((gid, None))
        else:
            index, a, b = pairs[0]
            what = cells.get(gid, [{}] * (index + 1))[index].get("declared", {}).get("what", a.get("kind"))
            found.append((gid, what, str(a.get("got"))[:80], str(b.get("got"))[:80]))
    return found


def _alike(probe, said, observed, cells):
    """The mutant named instead of ``probe`` has the same values as it on every check, both ways."""
    mine = _own(probe, observed)
    other = next(e for e in observed if e["exercise"] == probe.exercise and e["description"] == said)
    return all(misconceptions.closest(probe.exercise, a["cells"], [b], cells) for a, b in ((mine, other), (other, mine)))


def run(plan, workers=None):
    """[problems] for every probe of the plan, in the plan's order."""
    return _check_all(plan, grade_plans([plan], workers)[0])


def run_many(plans, workers=None):
    """{assignment id: [problems] per probe, or the exception that stopped its grading}: the
    references computed in parallel, then every plan's submissions graded in one pool. The
    assignments with the largest time limit (the homework, which trains) go first, so that the
    short notebooks fill the pool's last minutes instead of one long one running alone."""
    plans = sorted(plans, key=lambda plan: -plan.assignment.time_limit)
    outcome = compute_references([plan.assignment for plan in plans], workers)
    ready = [plan for plan in plans if plan.assignment.id not in outcome]
    try:
        outcome.update({plan.assignment.id: _check_all(plan, results)
                        for plan, results in zip(ready, grade_plans(ready, workers))})
    except reference.ReferenceFailed:  # one source's stripping failed: grade each alone to say which
        for plan in ready:
            try:
                outcome[plan.assignment.id] = run(plan, workers)
            except Exception as err:
                outcome[plan.assignment.id] = err
    return outcome
