"""Grading one submission: named steps in a fixed order, each one function with one job.

    read -> restore -> strip -> leave_out -> run -> collect -> judge -> audit -> finish

``STEPS`` lists them (``WHOLE_STEPS`` runs every cell, as the stripping check does;
``SELF_CHECK_STEPS`` the student's self-check, whose checks decide in the kernel; the observed
catalog's rounds ``trim`` instead of ``leave_out`` and stop after ``collect``). A Job carries
the steps it is graded with. Each step takes the submission's ``Grading`` (its job, its plan,
what the steps before it found) and adds to it; the plan (autograder/plan.py) holds what
depends only on the assignment. Whatever goes wrong inside a step is this notebook's alone: ``grade`` turns it
into a flagged Result ("grader error while <step>: ...") and never raises.

Rules: every test cell is restored from the source (which puts the hidden tests back); an
edited test cell is restored and flagged "grade cell altered", a deleted one scores 0 and is
flagged "grade cell missing". A test cell earns its points iff every check it made reported
the values the reference run's checks expect (autograder/observations.py) and it raised no
error; output on stderr and warnings never cost points. A kernel death or the time limit
stops that notebook and flags it (cells not reached score 0); an unreadable file is flagged
"corrupt". An exercise whose passing test fails again with nnref's implementations withheld
(the audit) earns nothing.
"""
import builtins
import copy
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import notebooks, observations, withheld
from nnref import checks

from .kernel import Kernel, KernelSpec
from .needed import keep_only
from .plan import imported_modules
from .results import GRADER_ERROR, USES_REFERENCE, empty_result, grader_error

NOT_ANSWERED = "not answered yet"
MAX_MESSAGE = 1500
FIGURE_BYTES = 8 << 20  # of the student's own figures kept in the graded notebook
HIDDEN_ERROR = ("{ename} raised while running a hidden test: your code failed on an input the visible "
                "tests do not try (other shapes or sizes, float32, large or negative values). Call it on "
                "such inputs yourself and read the error there; the hidden test's inputs are not shown.")
VISIBLE_ERROR = ("{ename} raised while running this test. Run the test cell in your notebook to read "
                 "the error and its traceback (the grader shows no text that the notebook's code wrote).")
# exception types a message may name: Python's and numpy's own (a class the notebook defines
# could carry anything in its name)
KNOWN_EXCEPTIONS = frozenset(
    [n for n, v in vars(builtins).items() if isinstance(v, type) and issubclass(v, BaseException)]
    + ["LinAlgError", "AxisError", "UFuncTypeError", "ComplexWarning", "TooHardError"])
LEAK = ("the test failed with a message that quotes a hidden test, so it is not shown (a message is "
        "built from a hidden test's source only by code that reads it)")
WITHHELD = ("{exercise}: this test passed, and failed when the notebook was graded again with "
            "nnref's own implementation withheld ({names}): the answer uses it (calls it, keeps it "
            "from before the test, or copies its code). Write it yourself with numpy: that is the "
            "exercise. What failed without it: {message}")
UNJUDGED = ("this test could not be judged ({error}); the grader flagged your notebook for your "
            "instructor to look at")


@dataclass
class Job:
    """One submission to grade, from the class's list to its Result."""
    plan: object  # the assignment's Plan (a worker receives its key and looks the plan up)
    submission: object  # a path or a notebook
    time_limit: float = None  # CPU seconds; None: the plan's (the demo's "never finishes" student has less)
    sandbox: bool = True  # False only by the instructor's explicit --no-sandbox
    blas_threads: int = 1
    steps: tuple = None  # the pipeline it is graded with; None: STEPS

    def __post_init__(self):
        self.time_limit = self.time_limit or self.plan.time_limit
        self.steps = self.steps or STEPS

    def kernel_spec(self, observe="student", nnref_copy=None, warm_modules=None):
        return KernelSpec(self.time_limit, self.plan.files, self.plan.name, self.sandbox, self.blas_threads,
                          observe, nnref_copy, self.plan.warm_modules if warm_modules is None else warm_modules,
                          self.plan.variant)

    def audit_kernel_spec(self):
        """The audit's kernel: nnref withheld, and warm with the modules that the source's audited
        test cells and what they need import (its cells draw nothing: no plotting or widget
        module to import). The same for every submission: a worker starts it ahead."""
        return self.kernel_spec(nnref_copy=withheld_copy(self.plan), warm_modules=audit_modules(self.plan))

    def kernels_key(self):
        """(the notebook's kernel, the audit's or None): equal for two jobs whose kernels start alike."""
        audit_key = (withheld_names(self.plan), audit_modules(self.plan)) if self.may_audit() else None
        return self.kernel_spec().at_start(), audit_key

    def is_the_source(self):
        return not isinstance(self.submission, (str, Path)) and self.submission == self.plan.source_nb

    def may_audit(self):
        """Whether a submission's audit can run: the steps hold it, the source has audited cells,
        and the submission is not the source itself (whose answers are never audited: source_answers)."""
        return (audit in self.steps and not self.is_the_source()
                and bool(self.plan.reference and self.plan.reference.get("auditable")))


@dataclass
class Grading:
    """A submission as the steps find it."""
    job: Job
    result: object
    kernel: object = None  # a kernel started for this job (the pool's spare), or None
    observe: str = "student"
    submission_nb: object = None
    run_nb: object = None
    placed: dict = field(default_factory=dict)  # {grade_id: its test cell in run_nb}
    run: object = None
    audit_kernel: object = None  # started before the notebook runs, when the audit may be needed
    audit_nb: object = None  # what the audit runs: the notebook with only what its test cells need
    beside: object = None  # the audit's run, in a thread beside the notebook's own (_Beside)
    left_out: dict = field(default_factory=dict)  # {cell index: its source} of the cells leave_out emptied or pruned
    done: bool = False  # a step decided that nothing more can be graded

    @property
    def plan(self):
        return self.job.plan


# ----------------------------------------------------------------------------- the steps

def read(g):
    """The submission's notebook; an unreadable one is flagged "corrupt" and graded no further."""
    try:
        g.submission_nb = (notebooks.read(Path(g.job.submission)) if isinstance(g.job.submission, (str, Path))
                           else g.job.submission)
    except notebooks.CorruptNotebook as err:
        g.result.flags.append(("corrupt", str(err)))
        g.done = True


def restore(g):
    """Every test cell as the source has it, wherever the submission has it; edits flagged."""
    g.run_nb = copy.deepcopy(g.submission_nb)
    altered = []
    for i, cell in enumerate(g.run_nb.cells):
        gid = notebooks.grade_id(cell)
        if gid in {t.grade_id for t in g.plan.tests} and gid not in g.placed:
            test = g.plan.test(gid)
            if cell.get("cell_type") != "code" or cell.get("source", "").strip() not in test.accepted:
                altered.append(gid)
            g.run_nb.cells[i] = g.placed[gid] = copy.deepcopy(test.cell)
    for cell in g.run_nb.cells:
        cell.setdefault("metadata", {})
    missing = [t.grade_id for t in g.plan.tests if t.grade_id not in g.placed]
    if missing:
        g.result.flags.append(("grade cell missing", ", ".join(missing)))
        for c in g.result.cells:
            if c.grade_id in missing:
                c.outcome = "missing"
    if altered:
        g.result.flags.append(("grade cell altered", ", ".join(altered) + " (restored from the course's source and "
                               "graded as released: the scores are for the original tests)"))


def strip(g):
    """Each test cell as the student's kernel runs it: its expected values stripped (the
    grader computes them). The audit's notebook is made and its kernel
    started now if the audit may be needed."""
    for gid, cell in g.placed.items():
        cell.source = g.plan.test(gid).student_source
    candidates = audit_candidates(g)
    if candidates:
        g.audit_nb = audit_notebook(g, candidates)
        g.audit_kernel = g.audit_kernel or Kernel(g.job.audit_kernel_spec())


def leave_out(g):
    """The lesson's own cells that no test needs are not run: its demos, figures and widgets (the
    source's cells, unchanged, that define no name a test uses, however indirectly). They are the
    same in every notebook and can change no verdict: the stripping check (WHOLE_STEPS) grades
    the source with every cell run against the reference. Every cell of the notebook's own, and
    every solution cell, runs."""
    before = [cell.source for cell in g.run_nb.cells]
    keep_only(g.run_nb, g.plan.own_sources, {t.grade_id for t in g.plan.tests})
    g.left_out = {i: source for i, (cell, source) in enumerate(zip(g.run_nb.cells, before)) if cell.source != source}


def trim(g):
    """For a run nobody reads but the grader (the observed catalog's rounds): only the test cells
    of the exercises answered otherwise than the source's solution, and what they need; the
    lesson's demos and figures, and the other exercises' tests, are not run."""
    same = source_answers(g)
    keep_only(g.run_nb, g.plan.own_sources, {t.grade_id for t in g.plan.tests if t.exercise not in same})


def as_written(g):
    """Each test cell as the source has it: the self-check's checks decide in the kernel."""
    for gid, cell in g.placed.items():
        cell.source = g.plan.test(gid).source


def run(g):
    """Execute the notebook in its sandboxed kernel; where the worker has a core to spare (one
    worker on a machine of two), the audit's notebook runs beside it in its own kernel."""
    kernel = g.kernel if g.kernel is not None else Kernel(g.job.kernel_spec(g.observe))
    g.kernel = None
    if g.audit_nb is not None and g.job.blas_threads > 1:
        g.beside = _Beside(_audit_grading(g))
    try:
        g.run = kernel.run(g.run_nb)
    finally:
        shutdown = kernel.close()
    if g.beside and g.run.stopped:  # the audit needs nothing from where the notebook stopped on
        g.beside.stop_before(_stopped_at(g))
    g.run.timings["run: kernel shutdown"] = shutdown
    if g.run.stopped:
        g.result.flags.append(g.run.stopped)
    g.result.cpu_seconds, g.result.wall_clock_only = g.run.cpu_seconds, g.run.wall_clock_only
    g.result.timings.update(g.run.timings)
    if g.run.problems:
        g.result.flags.append(("kernel messages dropped", "; ".join(g.run.problems)[:MAX_MESSAGE]))


def collect(g):
    """The checks' observations of each test cell that ran: the student's raw values."""
    index_of = {id(cell): i for i, cell in enumerate(g.run_nb.cells)}
    g.result.observed = {gid: g.run.observed.get(index_of[id(cell)], []) for gid, cell in g.placed.items()
                         if cell["metadata"].get("nncourse_ran")}


def judge(g):
    """Points for each test cell that ran; a cell that cannot be judged scores 0 and flags the notebook."""
    reference = g.plan.reference if g.observe == "student" else None
    known = withheld_messages(reference)
    for c in g.result.cells:
        cell = g.placed.get(c.grade_id)
        if cell is None or not cell["metadata"].pop("nncourse_ran", False):
            continue
        try:
            score(c, cell, g.result.observed.get(c.grade_id, []),
                  None if reference is None else reference["cells"].get(c.grade_id, []),
                  g.plan.test(c.grade_id).hidden, g.plan.hidden_lines, known)
        except Exception as err:  # a value no rule foresaw: this cell fails, the notebook is flagged
            error = f"{type(err).__name__}: {str(err)[:200]}"
            c.points, c.outcome, c.message = 0.0, "failed", UNJUDGED.format(error=error)
            g.result.flags.append((GRADER_ERROR, f"while judging cell {c.grade_id}: {error}"))


def audit(g):
    """The test cells that passed and that the source passes with nnref's references withheld
    are run again so (beside the notebook where the worker has a core to spare, else now, up
    to where the notebook stopped); an exercise whose test fails there earns nothing."""
    if g.audit_nb is None:
        return
    passed = [c.grade_id for c in g.result.cells if c.outcome == "passed" and c.grade_id in audit_candidates(g)]
    if not passed:
        if g.beside:
            g.beside.cancel()
        return
    if g.beside is None:  # no core to spare: it runs now (its kernel started with the notebook's)
        g.beside = _Beside(_audit_grading(g), _stopped_at(g) if g.run.stopped else None)
    audited = {c.grade_id: c for c in g.beside.result().cells}
    g.result.timings["audit: its run"] = g.beside.seconds
    caught = {}
    for gid in passed:
        if audited[gid].outcome != "passed":
            caught.setdefault(notebooks.exercise_of(gid), (gid, audited[gid].message or audited[gid].outcome))
    for c in g.result.cells:
        if c.exercise in caught:
            gid, message = caught[c.exercise]
            c.points, c.outcome = 0.0, "failed"
            c.message = WITHHELD.format(exercise=c.exercise, message=message[:300], names=", ".join(
                n.replace(":", ".") for n in g.plan.reference["guarded"].get(gid, [])))
    if caught:
        g.result.flags.append((USES_REFERENCE, ", ".join(caught)))


def finish(g):
    """The executed notebook for the instructors, with each test as written, the cells left out
    as the submission has them, and the student's own figures (the grading kernel draws none)."""
    for gid, cell in g.placed.items():
        cell.source = g.plan.test(gid).source
        cell["metadata"].pop("nncourse_ran", None)
    for index, source in g.left_out.items():
        g.run_nb.cells[index].source = source
    room = [FIGURE_BYTES]
    for ran, submitted in zip(g.run_nb.cells, g.submission_nb.cells):
        if ran.cell_type == "code" and not notebooks.is_grade(ran):
            ran.outputs = [o for o in ran.outputs if not _figure_text(o)] + _figures(submitted, room)
    g.result.notebook = g.run_nb


def _figure_text(output):
    data = output.get("data", {})
    return list(data) == ["text/plain"] and str(data["text/plain"]).startswith("<Figure size ")


def _figures(cell, room):
    """The figures among ``cell``'s submitted outputs, while ``room`` (bytes) lasts."""
    kept = []
    for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
        images = {k: v for k, v in output.get("data", {}).items() if k in ("image/png", "image/jpeg")
                  and isinstance(v, str)}
        size = sum(map(len, images.values()))
        if images and size <= room[0]:
            room[0] -= size
            kept.append(notebooks.nbformat.v4.new_output("display_data", data=images))
    return kept


STEPS = (read, restore, strip, leave_out, run, collect, judge, audit, finish)
WHOLE_STEPS = tuple(step for step in STEPS if step is not leave_out)
SELF_CHECK_STEPS = (read, restore, as_written, run, collect, judge, finish)


def grade(job, kernel=None, observe="student", audit_kernel=None):
    """The Result of ``job``, through its steps; ``kernel`` and ``audit_kernel``: started for it
    in advance (``job.kernel_spec()``, ``job.audit_kernel_spec()``), closed here if unused;
    ``observe``: the checks' mode in the kernel (None: they decide there, as in JupyterLab).
    Never raises for anything a submission does: a failing step flags the notebook."""
    started = time.monotonic()
    g = Grading(job, empty_result(job.plan.tests), kernel=kernel, observe=observe, audit_kernel=audit_kernel)
    try:
        for step in job.steps:
            began = time.monotonic()
            try:
                step(g)
            except Exception as err:
                g.result.flags.append(grader_error(step.__name__, err))
                break
            finally:
                g.result.timings[step.__name__] = time.monotonic() - began
            if g.done:
                break
    finally:
        if g.beside is not None:
            g.beside.cancel()
        for spare in (g.kernel, g.audit_kernel):
            if spare is not None:
                spare.close()
    g.result.seconds = time.monotonic() - started
    return g.result


def self_check(job):
    """The student's self-check: the checks decide in the kernel, as in a plain Jupyter kernel
    (a release has no solutions to run a reference from), and report their values too (for
    misconceptions.name_visible); no audit."""
    return grade(replace(job, steps=SELF_CHECK_STEPS), observe="self")


# ----------------------------------------------------------------------------- judging

def message(error_output):
    """The error as the student's own kernel shows it: for the self-check, whose notebook holds
    no hidden test."""
    if error_output.get("ename") == "NotImplementedError":
        return NOT_ANSWERED
    text = f"{error_output.get('ename', 'Error')}: {error_output.get('evalue', '')}".strip()
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ..."


def withheld_messages(reference):
    """The messages of nnref's references that the reference run's tests withhold: an answer
    that calls one fails with that message, the course's own text."""
    names = {n for names in (reference or {}).get("guarded", {}).values() for n in names}
    return frozenset(checks.withheld_message(n.replace(":", ".")) for n in names)


def _error_text(error, hidden, known_messages):
    """What a student may read of the error a graded test cell stopped with: never text the
    notebook's code wrote (it can carry a hidden test's source, encoded past any filter), only
    the exception's type when Python or numpy names it, and the course's own messages
    (``known_messages``: a reference withheld by ``without_reference``) word for word."""
    ename = str(error.get("ename", ""))
    if ename == "NotImplementedError":
        return NOT_ANSWERED
    if error.get("evalue") in known_messages:
        return f"{ename}: {error['evalue']}"
    shown = ename if ename in KNOWN_EXCEPTIONS else "An exception of a class the notebook defines"
    return (HIDDEN_ERROR if hidden else VISIBLE_ERROR).format(ename=shown)


def score(cell_result, cell, observed, reference, hidden, hidden_lines, known_messages=frozenset()):
    """Points for one test cell that ran: its checks' observations ``observed`` judged against
    the ``reference`` run's (observations.judge; None: the checks decided in the kernel, as in
    the self-check, whose errors are shown as the kernel gave them). An error in the cell
    explains the checks that never ran."""
    status, text = observations.judge(observed, reference) if reference is not None else ("passed", "")
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        error_text = (message(errors[0]) if reference is None
                      else _error_text(errors[0], hidden, known_messages))
        if error_text == NOT_ANSWERED or status in ("passed", "missing"):
            text = error_text
        status = "failed"
    if status == "passed":
        cell_result.outcome, cell_result.points = "passed", cell_result.max_points
        return
    if any(line in text for line in hidden_lines):
        text = LEAK
    cell_result.message = text
    cell_result.outcome = "not answered" if text == NOT_ANSWERED else "failed"


# ----------------------------------------------------------------------------- the audit

def audit_modules(plan):
    """The modules the audit's kernel imports at its start: those of the audited test cells
    (reference.py computes them with the reference, ``audited_imports``)."""
    return tuple(plan.reference["audit_modules"])


def audited_imports(plan, grade_ids):
    """The modules that the source's test cells ``grade_ids``, and what they need, import (among
    the plan's warm modules): an audit of them draws nothing, so no plotting or widget module."""
    nb = copy.deepcopy(plan.source_nb)
    keep_only(nb, plan.own_sources, set(grade_ids))
    return [m for m in imported_modules(nb) if m in plan.warm_modules]


def withheld_names(plan):
    return frozenset(n for names in plan.reference["guarded"].values() for n in names)


def withheld_copy(plan):
    return str(withheld.package_without(withheld_names(plan)))


def source_answers(g):
    """The exercises answered with the source's own solution, word for word, in a notebook
    with no cell of its own: they cannot be using nnref (the source passes the audit), so the
    audit need not run them again. Any cell of the notebook's own could redefine them."""
    cells = g.submission_nb.cells
    if any(c.cell_type == "code" and not notebooks.is_solution(c) and not notebooks.is_grade(c)
           and c.source not in g.plan.own_sources for c in cells):
        return set()
    return {notebooks.grade_id(c) for c in notebooks.solution_cells(g.submission_nb)
            if notebooks.strip_markers(c.source).strip() == g.plan.solutions.get(notebooks.grade_id(c))}


def audit_candidates(g):
    """The test cells the audit would run again if they pass."""
    if g.observe != "student" or not g.plan.reference or not g.plan.reference.get("auditable"):
        return set()
    same = source_answers(g)
    return {gid for gid in g.plan.reference["auditable"] if notebooks.exercise_of(gid) not in same}


def _stopped_at(g):
    """The index of the cell where the notebook's run stopped (0 if it stopped before any)."""
    return next((i for i, c in enumerate(g.run_nb.cells) if c["metadata"].get("nncourse_stopped")), 0)


def audit_notebook(g, grade_ids):
    """The notebook as the audit runs it: the test cells ``grade_ids`` and only what they need
    (the same cells for every submission and for the source's calibration), no output."""
    audit_nb = copy.deepcopy(g.run_nb)
    for cell in audit_nb.cells:
        cell["metadata"].pop("nncourse_ran", None)
        cell.outputs = [] if cell.cell_type == "code" else cell.get("outputs")
    keep_only(audit_nb, g.plan.own_sources, set(grade_ids))
    return audit_nb


def _audit_grading(g):
    """The Grading of the audit's run of ``g``: its notebook, its kernel (nnref withheld)."""
    placed = {notebooks.grade_id(c): c for c in g.audit_nb.cells if notebooks.grade_id(c) in g.placed}
    sub = Grading(g.job, empty_result(g.plan.tests), kernel=g.audit_kernel, submission_nb=g.submission_nb,
                  run_nb=g.audit_nb, placed=placed)
    g.audit_kernel = None
    if sub.kernel is None:
        sub.kernel = Kernel(g.job.audit_kernel_spec())
    return sub


def _audit(sub):
    """The audit's run, judged like any other -> Result."""
    run(sub)
    collect(sub)
    judge(sub)
    return sub.result


class _Beside(threading.Thread):
    """The audit's run in a thread of its own: beside the notebook's run (its kernel is another
    process, so a spare core works on it), or joined at once."""

    def __init__(self, sub, stop_before=None):
        super().__init__(daemon=True)
        self.sub, self.kernel, self.outcome, self.seconds = sub, sub.kernel, None, 0.0
        self.kernel.stop_before = stop_before
        self.start()

    def run(self):
        began = time.monotonic()
        try:
            self.outcome = _audit(self.sub)
        except Exception as err:  # this notebook's audit only: the pipeline flags it
            self.outcome = err
        self.seconds = time.monotonic() - began

    def stop_before(self, index):
        """The notebook stopped at cell ``index``: the audit runs no cell from there on (and is
        stopped if it is there already: a hog's audit does not run the hog again)."""
        self.kernel.stop_before = index
        if (self.kernel.cell or 0) >= index:
            self.kernel.kill()

    def cancel(self):
        self.kernel.cancel()
        self.join()

    def result(self):
        self.join()
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def calibrate(job):
    """The source graded by the audit alone, every guarded test cell kept -> Result: the cells
    it passes so are the auditable ones (autograder/reference.py)."""
    g = Grading(job, empty_result(job.plan.tests))
    for step in (read, restore, strip):  # the source's own plan has no auditable cell yet: no audit kernel
        step(g)
    g.audit_nb = audit_notebook(g, [gid for gid, names in job.plan.reference["guarded"].items() if names])
    return _audit(_audit_grading(g))
