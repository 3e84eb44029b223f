"""Grading on a real multi-process Dask LocalCluster: the same results as the local pool, and
a worker lost mid-notebook loses no grade (autograder/cluster.py)."""
import os
import signal
import threading
import time

import dask
import pytest
from distributed import Client, LocalCluster

from autograder import cluster as dask_grading, notebooks
from autograder.grading import Submission, grade_class

from fixtures.classroom import ASSIGNMENT, copy_course, source_and_release

SLOW = "import time\ntime.sleep(4)  # long enough to lose its worker mid-notebook"


@pytest.fixture(scope="module")
def scheduler():
    with dask.config.set({"distributed.scheduler.allowed-failures": dask_grading.ALLOWED_FAILURES}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            yield cluster.scheduler_address


def notebook(release, source, extra_cell=None, **answers):
    nb = notebooks.fill_solutions(release, source, answers=answers)
    if extra_cell:
        nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell(extra_cell))
    return notebooks.dumps(nb).encode()


@pytest.fixture(scope="module")
def course_and_class(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("dask"))
    source, release = source_and_release(course)
    subs = [Submission("full", notebook(release, source)),
            Submission("untouched", notebooks.dumps(release).encode()),
            Submission("bug", notebook(release, source, add_bias='def add_bias(x, b):\n    return x - b\n')),
            Submission("crashes", notebook(release, source, "import os\nos._exit(3)")),
            Submission("corrupt", b'{"cells": ['),
            Submission("slow", notebook(release, source, SLOW))]
    local = grade_class(course, course.get(ASSIGNMENT), subs, tmp_path_factory.mktemp("local"), 1, 30, False)
    return course, subs, [r.summary() for _, r in local]


def test_dask_grades_exactly_like_the_local_pool(scheduler, course_and_class, tmp_path):
    course, subs, local = course_and_class
    graded = grade_class(course, course.get(ASSIGNMENT), subs, tmp_path, None, 30, False, cluster=scheduler)
    assert [r.summary() for _, r in graded] == local
    assert [(s.student, r.status) for s, r in graded][:2] == [("bug", "graded"), ("corrupt", "flagged")]
    assert (tmp_path / "feedback" / "slow" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()


def _kill_a_busy_worker(address, killed):
    """Once a notebook has run for a second, SIGKILL the worker process grading it."""
    with Client(address) as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                time.sleep(1.5)
                pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.1)


def test_a_worker_killed_mid_notebook_loses_no_grade(scheduler, course_and_class, tmp_path):
    course, subs, local = course_and_class
    killed = []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(scheduler, killed))
    killer.start()
    graded = grade_class(course, course.get(ASSIGNMENT), subs, tmp_path, None, 30, False, cluster=scheduler)
    killer.join()
    assert killed, "no worker was killed: the test did not test anything"
    assert [r.summary() for _, r in graded] == local


def test_a_notebook_that_kills_every_worker_is_flagged_and_the_class_goes_on(scheduler, course_and_class, tmp_path):
    """Without the sandbox a kernel can kill its worker; each retry kills another, then the
    scheduler gives up on that notebook alone."""
    course, subs, local = course_and_class
    source, release = source_and_release(course)
    killer = Submission("killer", notebook(release, source, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    full = next(s for s in subs if s.student == "full")
    graded = dict((s.student, r) for s, r in grade_class(course, course.get(ASSIGNMENT), [full, killer], tmp_path,
                                                         None, 30, False, sandbox=False, cluster=scheduler))
    assert (graded["killer"].status, graded["killer"].score) == ("flagged", 0)
    assert graded["killer"].reason.startswith("kernel died: the grading process died"), graded["killer"].reason
    assert (graded["full"].status, graded["full"].score) == ("graded", 5)


def test_without_dask_installed_the_message_says_how_to_install_it(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    from autograder.grading import GradeError
    with pytest.raises(GradeError, match=r"pip install -e \"\.\[cluster\]\""):
        dask_grading.connect("local:1")
