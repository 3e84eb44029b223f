"""Grading a class: every job through the pipeline, in worker processes or on Dask, none lost.

``grade_many`` returns the Results in input order, so they do not depend on the number of
workers. Each worker keeps one kernel started ahead (a spare, for the next notebook of the
same assignment), and one for its audit: they boot and import the assignment's modules while
the current notebook runs; none after the worker's last notebook (``ahead``). What can go wrong
is contained:

- a worker process that dies takes no grade with it: the notebooks it and its fellow workers
  were grading are graded again, each alone, and one that kills its worker again is flagged;
- a notebook stopped by the wall clock while its own CPU time was under its limit (a busy
  machine, not the notebook) is graded again alone before anything is flagged;
- anything else that fails for one job is that job's flagged row ("grader error").
"""
import gc
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing.util import Finalize
from pathlib import Path

from . import pipeline, reference, sandbox
from .kernel import Kernel
from .progress import bar as progress_bar
from .results import GRADER_ERROR, empty_result

WORKER_DIED = ("kernel died", "the grading process died while running this notebook (out of "
                              "memory, or the notebook killed its parent process); graded alone, it died again")


def default_workers():
    return os.cpu_count() or 1


def grade_many(jobs, workers=None, progress=False, desc="grading", cluster=None):
    """Results of ``jobs`` (pipeline.Job, whose plans carry their references) in order, in
    ``workers`` processes (default: the number of cores), or on the Dask cluster at ``cluster``
    (autograder/cluster.py). Each kernel's BLAS gets cores // workers threads, so workers x
    threads <= cores. A reference whose stripping is not checked yet is checked by grading its
    source among the class (reference.accept_stripping after the pool)."""
    jobs = list(jobs)
    count = len(jobs)
    checks = _stripping_runs(jobs)
    results = _grade_all(jobs, workers, progress, desc, cluster)
    again = [i for i, r in enumerate(results) if r.wall_clock_only]
    for i, result in zip(again, _grade_all([jobs[i] for i in again], 1, progress, f"{desc} (again, alone)", cluster)):
        results[i] = result
    for i in checks:
        reference.accept_stripping(jobs[i].plan.reference, results[i])
    return results[:count]


def _stripping_runs(jobs):
    """The indices of the jobs that grade each unchecked source as a student's notebook
    (reference.stripping_job: every cell run in variant 0), appended to ``jobs`` so that the
    check runs in parallel with the class instead of before it; a job of the class that already
    grades the source so (the validity harness grades it in each variant) serves as the check."""
    runs = {}
    for job in list(jobs):
        plan = job.plan
        if plan.reference.get("stripping") == "pending" and plan.key not in runs:
            check = reference.stripping_job(plan, job.sandbox)
            runs[plan.key] = next((i for i, other in enumerate(jobs) if _same_run(other, check)), len(jobs))
            if runs[plan.key] == len(jobs):
                jobs.append(check)
    return list(runs.values())


def _same_run(job, other):
    return (job.plan is other.plan and job.submission is other.submission and job.steps == other.steps
            and (job.sandbox, job.time_limit) == (other.sandbox, other.time_limit))


def _grade_all(jobs, workers, progress, desc, cluster):
    if not jobs:
        return []
    if cluster:
        from .cluster import grade_many as grade_on_dask
        return grade_on_dask(jobs, cluster, progress, desc)
    if any(job.sandbox for job in jobs):
        sandbox.check()  # here, once: a machine that cannot sandbox stops the run with the fix
    workers = max(1, min(workers or default_workers(), len(jobs)))
    threads = max(1, default_workers() // workers)
    jobs = [replace(job, blas_threads=threads) for job in jobs]
    bar = progress_bar(len(jobs), progress, desc)
    results = [None] * len(jobs)
    if workers == 1:
        _install({job.plan.key: job.plan for job in jobs})
        try:
            for i, (job, start_next) in enumerate(zip(jobs, ahead(jobs, 1))):
                results[i] = _guarded(job, start_next)
                bar.update()
        finally:
            _close_spare()
    else:
        todo = list(range(len(jobs)))
        while todo:
            in_flight = _pool(jobs, todo, workers, results, bar)
            if in_flight is None:
                break
            for i in in_flight:  # each alone, so that a notebook that kills its worker is known
                if _pool(jobs, [i], 1, results, bar) is not None:
                    results[i] = empty_result(jobs[i].plan.tests, WORKER_DIED)
                    bar.update()
            todo = [i for i in todo if results[i] is None]
    bar.close()
    return results


def _pool(jobs, indices, workers, results, bar):
    """Grade ``jobs[indices]`` into ``results`` in ``workers`` processes. None when all are
    graded; if a worker died, the indices that had started and were not finished."""
    plans = {jobs[i].plan.key: jobs[i].plan for i in indices}  # sent once per worker, not per job
    # spawn: no kernel machinery (zmq, event loops) inherited from the parent.
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="nncourse_started_") as started_dir:
        try:
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(plans,)) as pool:
                futures = {pool.submit(_in_worker, replace(jobs[i], plan=jobs[i].plan.key), started_dir, i,
                                       start_next): i
                           for i, start_next in zip(indices, ahead([jobs[i] for i in indices], workers))}
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        results[i] = future.result()
                    except BrokenProcessPool:
                        raise
                    except Exception as err:  # the result could not come back (pickling, a grader bug)
                        results[i] = empty_result(jobs[i].plan.tests, (GRADER_ERROR, f"{type(err).__name__}: {err}"))
                    bar.update()
            return None
        except BrokenProcessPool:
            started = [i for i in indices if (Path(started_dir) / str(i)).exists() and results[i] is None]
    if not started and all(results[i] is None for i in indices):
        raise RuntimeError("grading workers died while starting: a script that calls grade_many "
                           "must run it under `if __name__ == \"__main__\":` (multiprocessing's "
                           "spawn re-imports the script), or pass workers=1")
    return started


def ahead(jobs, workers):
    """For each of ``jobs``, taken in order by ``workers`` workers: which of its kernels (the
    notebook's, the audit's) its worker starts again while it runs, for a next job. A worker's
    next job is about ``workers`` places on; a kernel started ahead that no job needs (after the
    class's last notebooks, or an audit's before a stripping check, which has none) costs a
    kernel's start for nothing: a third of a CPU second and the assignment's imports."""
    keys = [job.kernels_key() for job in jobs]
    return [tuple(mine is not None and mine == theirs for mine, theirs in zip(keys[position], keys[position + workers]))
            if position + workers < len(jobs) else (False, False) for position in range(len(jobs))]


# ----------------------------------------------------------------------------- in a worker

_PLANS = {}  # key -> Plan, installed once per worker
_SPARE = []  # the kernels started ahead for the next job: its notebook's, and its audit's


def _install(plans):
    _PLANS.update(plans)
    Finalize(None, _close_spare, exitpriority=10)


def _start_worker(plans):
    """A worker process's start. What it imported and was given lasts as long as it does: frozen,
    Python's collections (during the class, and its teardown at the end, which the grader waits
    for) skip it. Not in the grader's own process (one worker), which may live on."""
    _install(plans)
    gc.freeze()


def _close_spare():
    while _SPARE:
        _SPARE.pop().close()


def _kernels_for(job, start_next):
    """The kernel of ``job``'s notebook, and of its audit: the spares if they were started for the
    same specs, else a new one for the notebook (the pipeline starts the audit's if the notebook
    turns out to need one); the kernels that ``start_next`` names (ahead) start again now, for
    the next job, so that they boot while this job's notebook runs."""
    specs = [job.kernel_spec(), job.audit_kernel_spec() if job.may_audit() else None]
    kernels = []
    for spec in specs:
        spare = next((k for k in _SPARE if spec is not None and k.spec.at_start() == spec.at_start()), None)
        if spare:
            _SPARE.remove(spare)
            spare.spec = spec  # its variant: set before the notebook's first cell
        kernels.append(spare)
    _close_spare()
    own = kernels[0] or Kernel(specs[0])  # before the spares: this notebook waits for it
    _SPARE.extend(Kernel(spec) for spec, wanted in zip(specs, start_next) if wanted)
    return own, kernels[1]


def _guarded(job, start_next):
    """pipeline.grade (``start_next``: the kernels to start ahead for a next job), and a flagged
    row for whatever escapes it."""
    try:
        kernel, audit_kernel = _kernels_for(job, start_next)
        return pipeline.grade(job, kernel, audit_kernel=audit_kernel)
    except Exception as err:
        return empty_result(job.plan.tests, (GRADER_ERROR, f"{type(err).__name__}: {str(err)[:300]}"))


def _in_worker(job, started_dir, index, start_next):
    # A marker the parent reads if this worker dies: which notebook was it grading?
    (Path(started_dir) / str(index)).touch()
    return _guarded(replace(job, plan=_PLANS[job.plan]), start_next)
