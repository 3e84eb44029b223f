"""The local pool's kernels started ahead (autograder/pool.py): a spare boots while a notebook
runs, for the worker's next notebook, and never for a notebook that will not come."""
from dataclasses import dataclass

from autograder import notebooks, pipeline, pool
from autograder.grading import Submission, grade_class

from fixtures.classroom import ASSIGNMENT, copy_course, source_and_release


OWN = "# the student's own answer"


@dataclass
class Keyed:
    notebook: str
    audit: str = "audit"

    def kernels_key(self):
        return self.notebook, self.audit


def test_kernels_start_ahead_only_for_a_next_job_that_needs_them():
    both, none = (True, True), (False, False)
    same = [Keyed("a")] * 5
    # one worker: each job but the last is followed by its worker's next
    assert pool.ahead(same[:3], 1) == [both, both, none]
    # two workers: a worker's next job is two places on, so the last two have none
    assert pool.ahead(same, 2) == [both, both, both, none, none]
    assert pool.ahead(same[:1], 2) == [none]
    assert pool.ahead([], 2) == []
    # a stripping check appended to the class: the same notebook's kernel, no audit
    assert pool.ahead([Keyed("a"), Keyed("a"), Keyed("a", None)], 1) == [both, (True, False), none]
    # another assignment's kernels: none
    assert pool.ahead([Keyed("a"), Keyed("b", "audit of b")], 1) == [none, none]


def test_kernels_started_ahead_are_used_and_none_is_wasted(tmp_path, monkeypatch):
    """A class of three with one worker: the second and third notebooks (and their audits) run in
    kernels started while the one before ran, and no kernel is started that runs nothing (the
    last notebook's spares, two kernel starts for nothing per worker, before ``ahead``)."""
    events = []

    class Recorded(pool.Kernel):
        def __init__(self, spec):
            super().__init__(spec)
            events.append(("start", self))

        def run(self, nb):
            self.students = any(OWN in cell.source for cell in nb.cells)  # not the reference's
            events.append(("run", self))
            try:
                return super().run(nb)
            finally:
                events.append(("ran", self))

    monkeypatch.setattr(pool, "Kernel", Recorded)  # the kernels started ahead
    monkeypatch.setattr(pipeline, "Kernel", Recorded)  # and those the pipeline starts when none was
    course = copy_course(tmp_path)
    source, release = source_and_release(course)
    # an answer of their own (the source's is never audited), so that every notebook's audit runs
    answer = {"add_bias": f"def add_bias(x, b):\n    {OWN}\n    return b + x\n",
              "relative_error": f"def relative_error(a, b):\n    {OWN}\n    return np.max(np.abs(b - a) / np.maximum(1e-8, np.abs(a) + np.abs(b)))\n"}
    data = notebooks.dumps(notebooks.fill_solutions(release, source, answers=answer)).encode()
    subs = [Submission(f"student{i}", data) for i in range(3)]
    graded = grade_class(course, course.get(ASSIGNMENT), subs, tmp_path / "ws", workers=1, progress=False)
    assert {r.status for _, r in graded} == {"graded"}, [r.reason for _, r in graded]

    started = [k for kind, k in events if kind == "start"]
    ran = [k for kind, k in events if kind == "run"]
    wasted = [k.spec for k in started if k not in ran]
    assert not wasted, f"kernels were started that ran no notebook (spares for a job that never came): {wasted}"
    # the class's notebooks and their audits (with an empty cache, the reference's runs come first)
    class_runs = [k for k in ran if k.students]
    assert len(class_runs) >= 6, f"expected three notebooks and their audits in the pool, got {len(class_runs)} runs"
    first, second = class_runs[0], class_runs[2]
    assert events.index(("start", second)) < events.index(("ran", first)), (
        "the second notebook's kernel was not started while the first ran: no kernel is started ahead")
