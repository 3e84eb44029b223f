"""Grading on a Dask distributed cluster instead of the local process pool.

``--dask ADDRESS`` sends every notebook to a scheduler (``tcp://host:8786``); ``--dask local``
(or ``local:N``) starts a multi-process LocalCluster of N workers here. Each task carries
its notebooks and the assignment's files as data, so workers need the course's Python
environment (``pip install -e ".[cluster]"`` from the same checkout), bubblewrap, and the MNIST folder,
but no shared filesystem. Each worker grades with the same engine and sandbox as local
grading, so results are identical.

A worker lost mid-notebook loses no grade: the scheduler runs that task again on another
worker. A notebook whose run kills ``ALLOWED_FAILURES`` workers is given up on by the
scheduler (KilledWorker) and flagged like a notebook that kills its local worker.
"""
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import engine, notebooks

ALLOWED_FAILURES = 2  # a LocalCluster's scheduler setting; a remote scheduler keeps its own (default 3)
WORKERS_DIED = ("kernel died", "the grading process died while running this notebook, on every worker "
                               "that tried it (out of memory, or the notebook killed its worker)")
DASK_MISSING = ("grading on Dask needs dask's distributed package: "
                "`.venv/bin/pip install -e \".[cluster]\"` (or `pip install \"dask[distributed]\"`)")


@dataclass
class PortableJob:
    """A grading job as plain data: what a worker on another machine needs."""
    source: object  # the source notebook
    name: str  # the submission's file name
    data: bytes  # the submission's bytes, as received (a corrupt file stays corrupt)
    files: dict  # {relative path: bytes}: the assignment's files the kernel gets a copy of
    timeout: float
    sandbox: bool
    reference: dict  # the source's observations (engine.reference_for), computed once by the client


def portable(job):
    if isinstance(job.submission, (str, Path)):
        name, data = Path(job.submission).name, Path(job.submission).read_bytes()
    else:
        name, data = "submission.ipynb", notebooks.dumps(job.submission).encode("utf-8")
    folder = Path(job.cwd) if job.cwd else None
    files = {} if folder is None else {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}
    return PortableJob(engine._load(job.source), name, data, files, job.timeout, job.sandbox, job.reference)


def grade_portable(job):
    """Runs on a worker: the job's files in a folder of its own, then the engine as locally."""
    with tempfile.TemporaryDirectory(prefix="nncourse_dask_") as tmp:
        files, submission = Path(tmp) / "files", Path(tmp) / job.name
        files.mkdir()
        for rel, data in job.files.items():
            (files / rel).parent.mkdir(parents=True, exist_ok=True)
            (files / rel).write_bytes(data)
        submission.write_bytes(job.data)
        # One task per worker thread: a worker's BLAS gets one thread (DESIGN.md, grading in parallel).
        return engine.grade_notebook(job.source, submission, job.timeout, files, 1, job.sandbox, job.reference)


def connect(address):
    """A dask Client (closed by the caller) for ``address``: a scheduler, or ``local[:N]``."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        from .grading import GradeError
        raise GradeError(DASK_MISSING) from None
    if address == "local" or address.startswith("local:"):
        workers = int(address.partition(":")[2] or engine.default_workers())
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
    jobs = list(jobs)
    client = connect(address)
    try:
        futures = {client.submit(grade_portable, portable(job), pure=False): i for i, job in enumerate(jobs)}
        results = [None] * len(jobs)
        bar = engine._bar(len(jobs), progress, desc)
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except KilledWorker:
                results[i] = engine.empty_result(engine._load(jobs[i].source), WORKERS_DIED)
            bar.update()
        bar.close()
        return results
    finally:
        client.close()
        getattr(client, "close_cluster", lambda: None)()
