"""Grading on a Dask distributed cluster instead of the local process pool.

``--dask ADDRESS`` sends every notebook to a scheduler (``tcp://host:8786``); ``--dask local``
(or ``local:N``) starts a multi-process LocalCluster of N workers here. Each task carries the
assignment's plan (with its reference) and files as data, and its notebook as bytes, so
workers need the course's Python environment (``pip install -e ".[cluster]"`` from the same
checkout), bubblewrap, and the MNIST folder, but no shared filesystem. Each worker runs the
same pipeline and sandbox as local grading, so results are identical.

A worker lost mid-notebook loses no grade: the scheduler runs that task again on another
worker. A notebook whose run kills ``ALLOWED_FAILURES`` workers is given up on by the
scheduler (KilledWorker) and flagged like a notebook that kills its local worker.
"""
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from . import notebooks, pipeline
from .errors import GradeError
from .progress import bar as progress_bar
from .results import GRADER_ERROR, empty_result

ALLOWED_FAILURES = 2  # a LocalCluster's scheduler setting; a remote scheduler keeps its own (default 3)
WORKERS_DIED = ("kernel died", "the grading process died while running this notebook, on every worker "
                               "that tried it (out of memory, or the notebook killed its worker)")
DASK_MISSING = ("grading on Dask needs dask's distributed package: "
                "`.venv/bin/pip install -e \".[cluster]\"` (or `pip install \"dask[distributed]\"`)")


@dataclass
class PortablePlan:
    """A plan as plain data: its files as bytes instead of a folder of this machine."""
    plan: object
    files: dict  # {relative path: bytes}


def portable_plan(plan):
    folder = Path(plan.files) if plan.files else None
    files = {} if folder is None else {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}
    return PortablePlan(replace(plan, files=None), files)


def submission_bytes(job):
    if isinstance(job.submission, (str, Path)):
        return Path(job.submission).name, Path(job.submission).read_bytes()  # a corrupt file stays corrupt
    return "submission.ipynb", notebooks.dumps(job.submission).encode("utf-8")


def grade_portable(portable, name, data, job):
    """Runs on a worker: the plan's files and the notebook in a folder of their own, then the
    pipeline as locally. One task per worker thread: its BLAS gets one thread."""
    with tempfile.TemporaryDirectory(prefix="nncourse_dask_") as tmp:
        files, submission = Path(tmp) / "files", Path(tmp) / name
        files.mkdir()
        for rel, content in portable.files.items():
            (files / rel).parent.mkdir(parents=True, exist_ok=True)
            (files / rel).write_bytes(content)
        submission.write_bytes(data)
        plan = replace(portable.plan, files=files if portable.files else None)
        return pipeline.grade(replace(job, plan=plan, submission=submission, blas_threads=1))


def connect(address):
    """A dask Client (closed by the caller) for ``address``: a scheduler, or ``local[:N]``."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise GradeError(DASK_MISSING) from None
    if address == "local" or address.startswith("local:"):
        workers = int(address.partition(":")[2] or os.cpu_count() or 1)
        with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        client = Client(cluster)
        client.close_cluster = cluster.close
        return client
    return Client(address)


def grade_many(jobs, address, progress=False, desc="grading"):
    """Results of ``jobs`` in order, graded on the Dask cluster at ``address``."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker
    client = connect(address)
    try:
        # Each task carries its plan (made portable once per plan): a task that depends on no other
        # is simply run again on another worker when its worker dies (scattered data would be lost).
        plans = {}
        for job in jobs:
            if job.plan.key not in plans:
                plans[job.plan.key] = portable_plan(job.plan)
        futures = {client.submit(grade_portable, plans[job.plan.key], *submission_bytes(job),
                                 replace(job, plan=job.plan.key, submission=None), pure=False): i
                   for i, job in enumerate(jobs)}
        results = [None] * len(jobs)
        bar = progress_bar(len(jobs), progress, desc)
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except KilledWorker:
                results[i] = empty_result(jobs[i].plan.tests, WORKERS_DIED)
            except Exception as err:  # a worker's grader failed outside the pipeline: this notebook only
                results[i] = empty_result(jobs[i].plan.tests, (GRADER_ERROR, f"{type(err).__name__}: {err}"))
            bar.update()
        bar.close()
        return results
    finally:
        client.close()
        getattr(client, "close_cluster", lambda: None)()
