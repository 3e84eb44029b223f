"""The reference: what the source notebook's own clean run reports, computed once per source.

``prepare`` is the entry point: an assignment's Plan with its reference for one variant of
its hidden tests, from the cache (in this process, then on disk under the source's hash and
the variant, autograder/observations.py) or made here:

1. the reference run: the source's test cells run against its own solutions (and the cells
   they need, not the lesson's demos), the checks in ``reference`` mode, so that each
   observation declares its rule, tolerances and message; in a variant other than the
   default, only the cells that hold hidden tests (the others' inputs do not change with the
   variant: their values are the default's, and the stripping check in that variant, which
   runs every cell, stops grading if a test without hidden lines draws from the variant);
2. the calibration: the source graded by the audit alone (pipeline.calibrate); the test cells
   it still passes with nnref's implementations withheld are the ``auditable`` ones (made in
   the default variant, 0, and the same in every other);
3. the catalog: each catalogued wrong answer's observations (observed_catalog.prepare);
4. the stripping check: the source graded as a student's notebook is (expected values
   stripped from its tests), every cell run in variant 0, must pass every test, or a statement the grader
   took for an expected value's was one the test needs, and honest students would lose its
   points; or a demo of the lesson's, which grading leaves out, changes what a test sees. The
   pool does this among the class (``check_stripping=False``, then ``accept_stripping``).
"""
import copy
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context

from . import notebooks, observations, observed_catalog, pipeline
from .kernel import Kernel
from .needed import keep_only
from .plan import for_variant, make_plan

_REFERENCES = {}  # cache key -> reference, for this process


class ReferenceFailed(RuntimeError):
    """The source notebook does not pass its own tests: there is nothing to grade against."""


def prepare(source, time_limit, files=None, name=None, sandbox=True, blas_threads=1, check_stripping=True,
            catalog=True, variant=0):
    """The Plan of ``source`` (a path or a notebook) for ``variant`` of its hidden tests
    (nnref/variants.py), with that variant's reference and (``catalog``) its catalog's observed
    mutants (autograder/observed_catalog.py); ReferenceFailed if the source fails its own tests."""
    plan = for_variant(make_plan(source, time_limit, files, name), variant)
    if plan.key not in _REFERENCES:
        _REFERENCES[plan.key] = observations.load_or_make(plan.key, lambda: _make(plan, sandbox, blas_threads, source))
    plan.reference = _REFERENCES[plan.key]
    if catalog:
        plan.catalog = observed_catalog.prepare(plan, source, sandbox, blas_threads)
    if check_stripping and plan.reference.get("stripping") == "pending":
        accept_stripping(plan.reference, pipeline.grade(stripping_job(plan, sandbox, blas_threads)))
    return plan


def prepare_variants(source, time_limit, files, name, variants, sandbox=True, workers=1, progress=False):
    """{variant: its prepared Plan, without its catalog} for each of ``variants``. Those whose
    reference is not cached yet are made first, ``workers`` at a time in processes of their own
    (variant 0 before the others: they take its auditable cells); the others read the cache."""
    base = make_plan(source, time_limit, files, name)
    todo = [number for number in sorted(variants) if not observations.is_cached(for_variant(base, number).key)]
    _say(progress, name, todo, "the source's run")
    if len(todo) > 1 and not observations.is_cached(base.key):  # here, not once in each process
        prepare(source, time_limit, files, name, sandbox, workers, check_stripping=False, catalog=False)
    _in_processes(workers, [(source, time_limit, files, name, sandbox, number, False) for number in todo if number])
    return {number: prepare(source, time_limit, files, name, sandbox, workers, check_stripping=False, catalog=False,
                            variant=number)
            for number in sorted(variants)}


def add_catalogs(plans, source, sandbox=True, workers=1, progress=False):
    """Each of ``plans`` ({variant: Plan}, from ``prepare_variants``) with its observed catalog
    (autograder/observed_catalog.py); those not cached yet made ``workers`` at a time."""
    todo = [number for number, plan in sorted(plans.items()) if not observed_catalog.cached(plan, source)]
    if todo:
        plan = plans[todo[0]]
        _say(progress, plan.name, todo, "its catalogued wrong answers, to name a failing student's misconception")
        _in_processes(workers, [(source, plan.time_limit, plan.files, plan.name, sandbox, number, True)
                                for number in todo])
    for plan in plans.values():
        plan.catalog = observed_catalog.prepare(plan, source, sandbox, workers)


def _say(progress, name, variants, what):
    if variants and progress:
        print(f"{name}: running {what} in variant{'s' * (len(variants) > 1)} {', '.join(map(str, variants))} of the "
              f"hidden tests (once; cached afterwards)", flush=True)


def _in_processes(workers, tasks):
    """``_prepare_in_process`` of each task, ``workers`` at a time; here when there is one task."""
    if len(tasks) <= 1 or workers <= 1:
        for task in tasks:
            _prepare_in_process(task)
        return
    with ProcessPoolExecutor(min(workers, len(tasks)), mp_context=get_context("spawn")) as pool:
        list(pool.map(_prepare_in_process, tasks))


def _prepare_in_process(task):
    source, time_limit, files, name, sandbox, variant, catalog = task
    prepare(source, time_limit, files, name, sandbox, check_stripping=False, catalog=catalog, variant=variant)


def _make(plan, sandbox, blas_threads, source):
    job = pipeline.Job(plan, plan.source_nb, sandbox=sandbox, blas_threads=blas_threads)
    if plan.variant:  # only the hidden tests' inputs change with the variant: the rest is the default's
        default = prepare(source, plan.time_limit, plan.files, plan.name, sandbox, blas_threads,
                          check_stripping=False, catalog=False).reference
        hidden = _reference_run(plan, job, {t.grade_id for t in plan.tests if t.hidden})
        reference = {part: {t.grade_id: (hidden if t.hidden else default)[part][t.grade_id] for t in plan.tests}
                     for part in ("cells", "guarded")}
        # which cells the audit can check is the code's doing, not the inputs': the default's
        reference.update(key=plan.key, stripping="pending", auditable=default["auditable"],
                         audit_modules=default["audit_modules"])
        return reference
    reference = _reference_run(plan, job, {t.grade_id for t in plan.tests})
    guarded = [gid for gid, names in reference["guarded"].items() if names]
    reference.update(key=plan.key, stripping="pending", auditable=[],
                     audit_modules=pipeline.audited_imports(plan, guarded))
    if guarded:
        calibration = pipeline.calibrate(replace(job, plan=replace(plan, reference=reference)))
        reference["auditable"] = [c.grade_id for c in calibration.cells
                                  if c.outcome == "passed" and reference["guarded"].get(c.grade_id)]
        reference["audit_modules"] = pipeline.audited_imports(plan, reference["auditable"])
    return reference


def _reference_run(plan, job, grade_ids):
    """The source's test cells ``grade_ids`` and what they need (its demos are not run: the
    stripping check grades the source as a student's notebook, every cell run in variant 0, and
    must agree) -> {cells, guarded}."""
    run_nb = copy.deepcopy(plan.source_nb)
    for cell in run_nb.cells:
        cell.setdefault("metadata", {})
    keep_only(run_nb, plan.own_sources, grade_ids)
    kernel = Kernel(job.kernel_spec(observe="reference"))
    try:
        run = kernel.run(run_nb)
    finally:
        kernel.close()
    problems = [f"{run.stopped[0]}: {run.stopped[1]}"] if run.stopped else []
    problems += [f"kernel message dropped: {p}" for p in run.problems]
    cells, guarded = {}, {}
    for index, cell in enumerate(run_nb.cells):
        gid = notebooks.grade_id(cell)
        if cell.cell_type != "code" or gid not in grade_ids:
            continue
        cells[gid] = run.observed.get(index, [])
        guarded[gid] = sorted({n for p in run.guarded.get(index, []) for n in p.get("names", [])})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        status, message = observations.judge(cells[gid], cells[gid])
        if errors:
            problems.append(f"{gid}: {pipeline.message(errors[0]).splitlines()[0]}")
        elif not cells[gid]:
            problems.append(f"{gid}: no check ran (a test cell decides through nnref.checks only)")
        elif status != "passed":
            problems.append(f"{gid}: {message.splitlines()[0]}")
    if problems:
        where = (f" in variant {plan.variant} of its hidden tests (a test that passes for some inputs only; "
                 f"NNCOURSE_VARIANT={plan.variant} in a kernel's environment runs it)") if plan.variant else ""
        raise ReferenceFailed(
            f"the source notebook fails its own tests{where}, so there is nothing to grade against: "
            f"{'; '.join(problems)}. Run `nncourse validate` on the source notebook and fix it.")
    return {"cells": cells, "guarded": guarded}


def stripping_job(plan, sandbox=True, blas_threads=1):
    """The job ``accept_stripping`` judges: the source graded as a student's notebook, in variant
    0 with every cell run (the lesson's demos too, which grading leaves out: pipeline.leave_out);
    in another variant as grading runs it (a demo runs the same in every variant)."""
    steps = pipeline.WHOLE_STEPS if not plan.variant else pipeline.STEPS
    return pipeline.Job(plan, plan.source_nb, sandbox=sandbox, blas_threads=blas_threads, steps=steps)


def accept_stripping(reference, result):
    """Mark ``reference`` checked (and cache it so) if ``result``, the source graded as a
    student's notebook, passes every test; else ReferenceFailed."""
    failed = [f"{c.grade_id}: {c.message.splitlines()[0] if c.message else c.outcome}" for c in result.cells
              if c.outcome != "passed"]
    if not failed and not result.flags:
        reference["stripping"] = "checked"
        observations.store(reference["key"], reference)
        return
    raise ReferenceFailed(
        f"the source notebook fails its own tests when they run as in a student's kernel, with "
        f"their expected values stripped (every cell run in variant 0): {'; '.join(failed) or result.reason}. "
        f"Either a statement that computes an expected value also does something the test needs "
        f"(compute expected values in statements of their own), or a cell of the lesson's own that "
        f"grading leaves out (it defines no name a test uses) changes what a test sees, in place or "
        f"through a global setting (make the test build its own inputs); or, in a variant other than "
        f"0, a test cell without hidden lines draws its inputs from the variant (only hidden tests "
        f"may: the others' values are variant 0's). course/AUTHORING.md, test cells.")
