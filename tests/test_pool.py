"""The local pool's kernels started ahead (autograder/pool.py): a spare boots while a notebook
runs, for the worker's next notebook, and never for a notebook that will not come."""
from autograder import notebooks, pool
from autograder.grading import Submission, grade_class

from fixtures.classroom import ASSIGNMENT, copy_course, source_and_release


def test_the_last_jobs_start_no_spares():
    # one worker: every job but the last is followed by one; two workers: a worker's next job
    # is two places on, so the last two have none
    assert pool.spares_wanted(3, 1) == [True, True, False]
    assert pool.spares_wanted(5, 2) == [True, True, True, False, False]
    assert pool.spares_wanted(1, 2) == [False]
    assert pool.spares_wanted(0, 2) == []


def test_every_kernel_the_pool_starts_runs_a_notebook(tmp_path, monkeypatch):
    """A class of three with one worker: the second and third notebooks run in the kernels
    started ahead, and nothing is started after the third (before, its spares, the notebook's
    and the audit's, booted and were shut down unused: two kernel starts for nothing per worker)."""
    started = []

    class Counted(pool.Kernel):
        def __init__(self, spec):
            super().__init__(spec)
            self.ran = False
            started.append(self)

        def run(self, nb):
            self.ran = True
            return super().run(nb)

    monkeypatch.setattr(pool, "Kernel", Counted)
    course = copy_course(tmp_path)
    source, release = source_and_release(course)
    # an answer of their own (the source's is never audited), so that every notebook's audit runs
    answer = {"add_bias": "def add_bias(x, b):\n    return b + x\n",
              "relative_error": "def relative_error(a, b):\n    return np.max(np.abs(b - a) / np.maximum(1e-8, np.abs(a) + np.abs(b)))\n"}
    data = notebooks.dumps(notebooks.fill_solutions(release, source, answers=answer)).encode()
    subs = [Submission(f"student{i}", data) for i in range(3)]
    graded = grade_class(course, course.get(ASSIGNMENT), subs, tmp_path / "ws", workers=1, progress=False)
    assert {r.status for _, r in graded} == {"graded"}, [r.reason for _, r in graded]
    assert started, "the pool started no kernel of its own: this test shows nothing"
    unused = [k.spec for k in started if not k.ran]
    assert unused == [], f"{len(unused)} of the {len(started)} kernels the pool started ran no notebook"
