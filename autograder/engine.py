"""The grading engine: one submission against its source notebook, in a fresh kernel.

``grade_notebook`` is what ``grade``, ``validate``, ``demo`` and the validity harness all use;
``grade_many`` runs it over many submissions in worker processes (one kernel per worker at a
time), in input order, so results do not depend on the number of workers.

Rules (the issue's table): every test cell is restored from the source (which puts the hidden
tests back); an edited test cell is restored and flagged "grade cell altered", a deleted one
scores 0 and is flagged "grade cell missing". A test cell earns its points iff it raised no
error: output on stderr and warnings never cost points. A kernel death or the time limit stops
that notebook and flags it (cells not reached score 0); an unreadable file is flagged
"corrupt". Every submission gets a Result, whatever happens.
"""
import ast
import copy
import multiprocessing
import os
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

import nbformat

from nnref.observations import GUARDED_MIME, MIME

from . import guard, notebooks, observations, sandbox, withheld
from .release import release_notebook

KERNEL = "python3"  # jupyter_client runs a kernelspec's "python" as sys.executable: the venv's
MAX_MESSAGE = 1500
NOT_ANSWERED = "not answered yet"
START_ATTEMPTS = 3
WALL_FACTOR = 4  # a sandboxed notebook's wall-clock limit, in multiples of its CPU time limit


@dataclass
class CellResult:
    grade_id: str
    exercise: str
    max_points: float
    points: float = 0.0
    outcome: str = "not run"  # passed | failed | not answered | not run | missing
    message: str = ""


@dataclass
class Result:
    cells: list
    flags: list = field(default_factory=list)  # [(reason, detail)]
    notebook: object = None  # the executed notebook (hidden tests included): instructors only
    seconds: float = 0.0  # wall-clock, kernel start included
    cpu_seconds: float = None  # the kernel's processes', measured before it is shut down

    @property
    def status(self):
        return "flagged" if self.flags else "graded"

    @property
    def reason(self):
        """The flags on one line (a CSV cell, a table row)."""
        return " ".join("; ".join(f"{why}: {detail}" if detail else why for why, detail in self.flags).split())

    @property
    def max_score(self):
        return sum(c.max_points for c in self.cells)

    @property
    def score(self):
        return sum(c.points for c in self.cells)

    def exercises(self):
        """{exercise: (points, max_points)} in notebook order."""
        out = {}
        for c in self.cells:
            got, top = out.get(c.exercise, (0.0, 0.0))
            out[c.exercise] = (got + c.points, top + c.max_points)
        return out

    def summary(self):
        """What must not depend on the run: status, flags, per-cell outcome and points."""
        return (self.status, tuple(self.flags),
                tuple((c.grade_id, c.points, c.outcome, c.message) for c in self.cells))


@dataclass
class Job:
    """One grading run; ``source`` and ``submission`` are paths or notebooks."""
    source: object
    submission: object
    timeout: float
    cwd: object = None  # the folder whose files the kernel gets a private copy of
    blas_threads: int = 1
    sandbox: bool = True  # False only by the instructor's explicit --no-sandbox
    reference: dict = None  # the source's observations (reference_for); computed when None
    observe: str = "student"  # the checks' mode in the kernel: student, or reference for the source
    nnref_copy: str = None  # the audit's nnref without the references (withheld.package_without)


def _load(nb_or_path):
    return notebooks.read(Path(nb_or_path)) if isinstance(nb_or_path, (str, Path)) else nb_or_path


def kernel_env(blas_threads, observe=None):
    return {**os.environ, **sandbox.kernel_settings(blas_threads, observe)}


def _message(error_output):
    if error_output.get("ename") == "NotImplementedError":
        return NOT_ANSWERED
    text = f"{error_output.get('ename', 'Error')}: {error_output.get('evalue', '')}".strip()
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ..."


def solution_names(source_nb):
    """What the source's solution cells define at their top level: the student's functions and
    classes, which the tests call."""
    names = set()
    for cell in notebooks.solution_cells(source_nb):
        try:
            body = ast.parse(cell.source).body
        except SyntaxError:
            continue
        names |= {n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        names |= {t.id for n in body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    return frozenset(names)


def _restore_tests(source_nb, submission_nb, strip=True):
    """The notebook to run (test cells from source, each as ``observations.student_source``
    makes it if ``strip``) and the flags; {grade_id: cell} of the run."""
    visible = {notebooks.grade_id(c): c.source for _, _, c in notebooks.test_cells(release_notebook(source_nb))}
    originals = {gid: cell for gid, _, cell in notebooks.test_cells(source_nb)}
    accepted = {gid: {visible[gid].strip(), cell.source.strip()} for gid, cell in originals.items()}
    expected = guard.expected_names(source_nb)
    students = solution_names(source_nb)
    run_nb = copy.deepcopy(submission_nb)
    placed, altered = {}, []
    for i, cell in enumerate(run_nb.cells):
        gid = notebooks.grade_id(cell)
        if gid in originals and gid not in placed:
            if cell.get("cell_type") != "code" or cell.get("source", "").strip() not in accepted[gid]:
                altered.append(gid)
            run_nb.cells[i] = placed[gid] = copy.deepcopy(originals[gid])
            placed[gid].source = guard.prelude(placed[gid].source, expected) + \
                (observations.student_source(placed[gid].source, students) if strip else placed[gid].source)
    flags = [("grade cell missing", ", ".join(g for g in originals if g not in placed))] \
        if len(placed) < len(originals) else []
    if altered:
        flags.append(("grade cell altered", ", ".join(altered) + " (restored from the course's source and "
                                                                "graded as released: the scores are for the original tests)"))
    return run_nb, placed, flags


class GradingClient(NotebookClient):
    """nbclient's client, keeping at most ``cell_output_bytes`` of output per cell and
    ``notebook_output_bytes`` per notebook; beyond, output is cut off with a note. Errors are
    always kept (shortened). The checks' observations (nnref/observations.py) are taken out
    of the outputs into ``observed`` {cell index: [payload]}, up to ``observation_bytes``."""
    cell_output_bytes = 1 << 20
    notebook_output_bytes = 16 << 20
    observation_bytes = 64 << 20

    def output(self, outs, msg, display_id, cell_index):
        content = msg["content"]
        data = content.get("data", {}) if msg["msg_type"] == "display_data" else {}
        if MIME in data or GUARDED_MIME in data:
            kind = MIME if MIME in data else GUARDED_MIME
            self._observation_used += len(str(data[kind]))
            if isinstance(data[kind], dict) and self._observation_used <= self.observation_bytes:
                (self.observed if kind == MIME else self.guarded).setdefault(cell_index, []).append(data[kind])
            return None
        if msg["msg_type"] == "error":
            content["evalue"] = str(content.get("evalue", ""))[:MAX_MESSAGE]
            content["traceback"] = [line[:MAX_MESSAGE] for line in content.get("traceback", [])[-20:]]
            return super().output(outs, msg, display_id, cell_index)
        used = self._output_used.get(cell_index, 0)
        room = max(0, min(self.cell_output_bytes - used, self.notebook_output_bytes - self._notebook_used))
        if msg["msg_type"] == "stream" and len(content.get("text", "")) > room:
            content["text"] = content["text"][:room]  # the beginning of a flood is kept
            self._truncated.add(cell_index)
            if not room:
                return None
        size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in content.get("data", {}).values())
        if size > room:
            self._truncated.add(cell_index)
            return None
        self._output_used[cell_index] = used + size
        self._notebook_used += size
        return super().output(outs, msg, display_id, cell_index)

    def reset_output_limits(self):
        self._output_used, self._notebook_used, self._truncated = {}, 0, set()
        self.observed, self.guarded, self._observation_used = {}, {}, 0

    def note_truncation(self, cell, cell_index):
        if cell_index in self._truncated:
            cell.outputs.append(nbformat.v4.new_output(
                "stream", name="stderr", text=f"[nncourse: output truncated: a cell keeps at most "
                f"{self.cell_output_bytes >> 20} MiB and a notebook {self.notebook_output_bytes >> 20} MiB]\n"))


def _start_kernel(stack, job, nb, limits):
    """A client whose kernel runs (closed with ``stack``), or the last start-up error.

    A kernel that dies before it answers (two kernels racing for the same ports, say) is the
    machine's fault, not the student's: it is started again, up to START_ATTEMPTS times.
    """
    for _ in range(START_ATTEMPTS):
        options = dict(kernel_name=KERNEL, allow_errors=True, record_timing=False,
                       shutdown_kernel="immediate", startup_timeout=120)
        if job.sandbox:
            box = sandbox.Box(limits, job.cwd, work_name=_work_name(job),
                              settings=sandbox.kernel_settings(job.blas_threads, job.observe),
                              nnref_copy=job.nnref_copy)
            stack.callback(box.close)
            client = GradingClient(nb, km=box.km, **options)
            env = {"PATH": os.environ.get("PATH", "")}  # bwrap itself; it sets the kernel's whole environment
        else:
            client = GradingClient(nb, resources={"metadata": {"path": str(job.cwd)}} if job.cwd else {}, **options)
            env = kernel_env(job.blas_threads, job.observe)
            if job.nnref_copy:  # no sandbox to mount it over nnref: found first on the path instead
                env["PYTHONPATH"] = job.nnref_copy
        client.reset_output_limits()
        # No stand-in for the front end's Output widget: nbclient's stand-in answers the kernel with a
        # comm message per output, and that traffic deadlocked about 1 notebook in 10 whose
        # widgets plot (seen here, with ipykernel 7.4 and nbclient 0.11). Grading needs no
        # widget state; what a widget prints lands in its cell's outputs instead.
        client.widget_registry = {}
        try:
            # The kernel's own stderr (start-up chatter) is not the notebook's: cells' output comes over zmq.
            stack.enter_context(client.setup_kernel(env=env, stdout=subprocess.DEVNULL,
                                                    stderr=subprocess.DEVNULL, cleanup_kc=True))
            return client
        except (RuntimeError, TimeoutError) as err:
            error = err
    return error


def _work_name(job):
    return Path(job.submission).stem if isinstance(job.submission, (str, Path)) else "notebook"


def _exit_status(client):
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    return process.poll() if process is not None else None


def _execute(nb, job):
    """Run ``nb`` in place; (the flag that stopped it or None, the kernel's CPU seconds or None,
    the client, whose ``observed`` and ``guarded`` hold what the checks reported).

    In the sandbox the limit that costs points is the kernel's CPU time (``job.timeout``);
    the wall clock gets WALL_FACTOR times as long, to stop a notebook that sleeps. Without
    the sandbox, the wall clock is the limit.
    """
    limits = sandbox.Limits(cpu_seconds=job.timeout)
    if job.sandbox:
        sandbox.check()
    with ExitStack() as stack:
        client = _start_kernel(stack, job, nb, limits)
        if isinstance(client, Exception):
            return ("kernel died", f"the kernel did not start ({START_ATTEMPTS} attempts): {client}"), None, \
                SimpleNamespace(observed={}, guarded={})
        stopped = _run_cells(client, nb, job, limits)
        process = getattr(client.km.provisioner, "process", None)
        return stopped, sandbox.tree_cpu_seconds(process.pid) if process else None, client


def _run_cells(client, nb, job, limits):
    wall = job.timeout * (WALL_FACTOR if job.sandbox else 1)
    deadline = time.monotonic() + wall  # the notebook's run time; kernel start-up is ours
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        client.timeout = max(1, int(deadline - time.monotonic() + 0.999))
        try:
            if time.monotonic() >= deadline:
                raise CellTimeoutError("time limit reached before this cell")
            client.execute_cell(cell, index)
        except CellTimeoutError:
            cell["metadata"]["nncourse_stopped"] = True
            limit = f"the wall-clock limit of {wall:g} s" + \
                (f" ({WALL_FACTOR} x the CPU time limit of {job.timeout:g} s)" if job.sandbox else "")
            return ("timeout", f"stopped after {limit}, in cell {index + 1}")
        except DeadKernelError:
            cell["metadata"]["nncourse_stopped"] = True
            why = sandbox.exit_reason(_exit_status(client), limits) if job.sandbox else None
            return (why[0], f"{why[1]}; stopped in cell {index + 1}") if why else \
                ("kernel died", f"in cell {index + 1}")
        finally:
            client.note_truncation(cell, index)
        cell["metadata"]["nncourse_ran"] = True
    return None


HIDDEN_ERROR = ("{ename} raised while running a hidden test: your code failed on an input the visible "
                "tests do not try (other shapes or sizes, float32, large or negative values). Call it on "
                "such inputs yourself and read the error there; the hidden test's inputs are not shown.")


LEAK = ("the test failed with a message that quotes a hidden test, so it is not shown (a message is "
        "built from a hidden test's source only by code that reads it)")


def _lines(source, shortest=12):
    return [line.strip() for line in source.split("\n") if len(line.strip()) >= shortest]


class ReferenceFailed(RuntimeError):
    """The source notebook does not pass its own tests: there is nothing to grade against."""


def _error_text(error, hidden):
    """What a student may read of the error a test cell stopped with (``hidden``: the cell has
    hidden tests, whose inputs an exception's text would show)."""
    if error.get("ename") == "NotImplementedError":
        return NOT_ANSWERED
    if hidden and error.get("ename") != guard.TestsTampered.__name__:
        return HIDDEN_ERROR.format(ename=str(error.get("ename", "An error"))[:80])
    return _message(error)


def _score(cell_result, cell, observed, reference, hidden, all_hidden_lines):
    """Points for one test cell: its checks' observations ``observed`` judged against the
    ``reference`` run's (observations.judge). An error in the cell explains the checks that
    never ran; text from the kernel that quotes any hidden test is replaced (``all_hidden_lines``:
    a notebook's code can read the source of cells run before)."""
    if not cell["metadata"].pop("nncourse_ran", False):
        return
    status, message = observations.judge(observed, reference) if reference is not None else ("passed", "")
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        text = _error_text(errors[0], hidden)
        if text == NOT_ANSWERED or status in ("passed", "missing"):
            message = text
        status = "failed"
    if status == "passed":
        cell_result.outcome, cell_result.points = "passed", cell_result.max_points
        return
    if any(line in message for line in all_hidden_lines):
        message = LEAK
    cell_result.message = message
    cell_result.outcome = "not answered" if message == NOT_ANSWERED else "failed"


def empty_result(source_nb, flag=None):
    """Zero points on every test cell of ``source_nb``; flagged with ``flag`` = (reason, detail) if given."""
    cells = [CellResult(gid, notebooks.exercise_of(gid), pts) for gid, pts, _ in notebooks.test_cells(source_nb)]
    return Result(cells=cells, flags=[flag] if flag else [])


_REFERENCES = {}  # cache key -> reference, for this process
USES_REFERENCE = "uses nnref's implementation"
WITHHELD = ("{exercise}: this test passed, and failed when the notebook was graded again with "
            "nnref's own implementation withheld ({names}): the answer uses it (calls it, keeps it "
            "from before the test, or copies its code). Write it yourself with numpy: that is the "
            "exercise. What failed without it: {message}")


def reference_for(source, timeout, cwd=None, blas_threads=1, sandbox=True, check_stripping=True):
    """What the source notebook's own run reports (cached by the source's hash, in this process
    and in observations.cache_dir()); ReferenceFailed if the source fails its tests:

    cells: {grade_id: [observation]}: its test cells run against its own solutions;
    guarded: {grade_id: ["module:qualname"]}: what each test withholds (without_reference);
    auditable: the test cells the source still passes with all of those withheld (audit);
    stripping: "checked" once the source passed its tests run as a student's are (expected
    values stripped), else "pending": ``check_stripping`` False leaves that to the caller
    (grade_many grades the source among the class) instead of a run of its own here.
    """
    source_nb = _load(source)
    key = observations.cache_key(source_nb)
    if key not in _REFERENCES:
        reference = observations.load_cached(key)
        if reference is None:
            job = Job(source_nb, source_nb, timeout, cwd, blas_threads, sandbox, observe="reference")
            reference = _reference_run(source_nb, job)
            reference.update(key=key, stripping="pending", auditable=[])
            if any(reference["guarded"].values()):
                calibration = grade_notebook(source_nb, source_nb, timeout, cwd, blas_threads, sandbox,
                                             reference, audit_only=True)
                reference["auditable"] = [c.grade_id for c in calibration.cells if c.outcome == "passed"
                                          and reference["guarded"].get(c.grade_id)]
            observations.store(key, reference)
        _REFERENCES[key] = reference
    reference = _REFERENCES[key]
    if check_stripping and reference.get("stripping") == "pending":
        _accept_stripping(reference, grade_notebook(source_nb, source_nb, timeout, cwd, blas_threads, sandbox,
                                                    reference, audited=False))
    return reference


def _reference_run(source_nb, job):
    run_nb = copy.deepcopy(source_nb)
    for cell in run_nb.cells:
        cell.setdefault("metadata", {})
        if cell.cell_type == "code" and notebooks.is_grade(cell):
            cell.source = observations.reference_source(cell.source, solution_names(source_nb))
    stopped, _, client = _execute(run_nb, job)
    problems = [f"{stopped[0]}: {stopped[1]}"] if stopped else []
    cells, guarded = {}, {}
    for index, cell in enumerate(run_nb.cells):
        gid = notebooks.grade_id(cell)
        if cell.cell_type != "code" or not notebooks.is_grade(cell):
            continue
        cells[gid] = client.observed.get(index, [])
        guarded[gid] = sorted({n for p in client.guarded.get(index, []) for n in p.get("names", [])})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        status, message = observations.judge(cells[gid], cells[gid])
        if errors:
            problems.append(f"{gid}: {_message(errors[0]).splitlines()[0]}")
        elif not cells[gid]:
            problems.append(f"{gid}: no check ran (a test cell decides through nnref.checks only)")
        elif status != "passed":
            problems.append(f"{gid}: {message.splitlines()[0]}")
    if problems:
        raise ReferenceFailed(
            f"the source notebook fails its own tests, so there is nothing to grade against: "
            f"{'; '.join(problems)}. Run `nncourse validate` on the source notebook and fix it.")
    return {"cells": cells, "guarded": guarded}


def _accept_stripping(reference, run):
    """Mark ``reference`` checked (and cache it so) if ``run``, the source graded as a student's
    notebook is (expected values stripped from its tests), passes every test; else
    ReferenceFailed: a statement the grader took for an expected value's was one the test
    needs, and honest students would lose its points."""
    failed = [f"{c.grade_id}: {c.message.splitlines()[0] if c.message else c.outcome}" for c in run.cells
              if c.outcome != "passed"]
    if not failed and not run.flags:
        reference["stripping"] = "checked"
        observations.store(reference["key"], reference)
        return
    raise ReferenceFailed(
        f"the source notebook fails its own tests when they run as in a student's kernel, with "
        f"their expected values stripped: {'; '.join(failed) or run.reason}. A statement that "
        f"computes an expected value also does something the test needs: compute expected values "
        f"in statements of their own (course/AUTHORING.md, test cells).")


def _prepare(source_nb, submission, in_kernel=False):
    """(result with no points yet, the notebook to run, {grade_id: its test cell}), or the
    result of an unreadable submission and None, None."""
    result = empty_result(source_nb)
    try:
        submission_nb = _load(submission)
    except notebooks.CorruptNotebook as err:
        result.flags.append(("corrupt", str(err)))
        return result, None, None
    run_nb, placed, result.flags = _restore_tests(source_nb, submission_nb, strip=not in_kernel)
    for c in result.cells:
        if c.grade_id not in placed:
            c.outcome = "missing"
    for cell in run_nb.cells:
        cell.setdefault("metadata", {})
    return result, run_nb, placed


def _judge_cells(result, run_nb, placed, client, source_nb, reference):
    index_of = {id(cell): i for i, cell in enumerate(run_nb.cells)}
    originals = {gid: cell.source for gid, _, cell in notebooks.test_cells(source_nb)}
    students = solution_names(source_nb)
    # what the kernel saw of the hidden tests: as written, and every line of the cells as run
    all_hidden = [line for text in originals.values() if notebooks.hidden_lines(text)
                  for line in notebooks.hidden_lines(text) + _lines(observations.student_source(text, students))]
    for c in result.cells:
        if c.grade_id in placed:
            cell = placed[c.grade_id]
            _score(c, cell, client.observed.get(index_of[id(cell)], []),
                   None if reference is None else reference["cells"].get(c.grade_id, []),
                   bool(notebooks.hidden_lines(originals[c.grade_id])), all_hidden)
            cell.source = originals[c.grade_id]  # the instructors' copy shows the test as written
    for cell in run_nb.cells:
        cell["metadata"].pop("nncourse_ran", None)


def grade_notebook(source, submission, timeout, cwd=None, blas_threads=1, sandbox=True, reference=None,
                   in_kernel=False, audit_only=False, audited=True):
    """Grade ``submission`` against ``source`` (each a path or a notebook) -> Result.

    ``timeout``: CPU seconds for the whole notebook (wall-clock seconds without the sandbox).
    ``cwd``: the folder whose files (the assignment's) the kernel gets a private copy of.
    ``sandbox``: False runs the kernel as the grader itself (--no-sandbox).
    ``reference``: reference_for(source, ...), computed here when not given.
    ``in_kernel``: the checks decide in the kernel, as in a plain Jupyter kernel: the student's
    self-check against a release, which has no solutions to run a reference from.
    ``audit_only``: only the audit run (see ``audit``), whose results are returned;
    ``audited``: False skips the audit.
    Never raises on a bad submission: it is flagged instead.
    """
    started = time.monotonic()
    source_nb = _load(source)
    # in the kernel, the checks decide: a reference given anyway must not judge the cells
    reference = None if in_kernel else reference or reference_for(source_nb, timeout, cwd, blas_threads, sandbox)
    job = Job(source, submission, timeout, cwd, blas_threads, sandbox, observe=None if in_kernel else "student")
    if audit_only:
        return audit(source_nb, job, reference)
    result, run_nb, placed = _prepare(source_nb, submission, in_kernel)
    if run_nb is None:
        return result
    stopped, result.cpu_seconds, client = _execute(run_nb, job)
    if stopped:
        result.flags.append(stopped)
    _judge_cells(result, run_nb, placed, client, source_nb, reference)
    tampered = [c.grade_id for c in result.cells if c.message.startswith(guard.TestsTampered.__name__ + ":")]
    if tampered:
        result.flags.append(("test helpers replaced", f"{', '.join(tampered)} could not run"))
    if audited and not in_kernel:
        _withhold_and_compare(result, run_nb, source_nb, job, reference)
    result.notebook, result.seconds = run_nb, time.monotonic() - started
    return result


def audit(source_nb, job, reference):
    """The submission graded again with nnref's guarded functions withheld (autograder/
    withheld.py) -> Result. Only what the test cells that guard something need runs (the
    same cells for every submission and for the source's calibration): those tests, their
    exercises' solution cells, the notebook's own cells, and the source's cells that define
    names these use; the others (demos, plots, trainings) are left out."""
    grade_ids = [gid for gid, names in reference["guarded"].items() if names]
    names = frozenset(n for gid in grade_ids for n in reference["guarded"][gid])
    result, run_nb, placed = _prepare(source_nb, job.submission)
    if run_nb is None:
        return result
    _keep_only_what_is_needed(run_nb, source_nb, set(grade_ids))
    audit_job = copy.copy(job)
    audit_job.nnref_copy = str(withheld.package_without(names))
    _, _, client = _execute(run_nb, audit_job)
    _judge_cells(result, run_nb, placed, client, source_nb, reference)
    return result


def _keep_only_what_is_needed(run_nb, source_nb, grade_ids):
    """Empty the code cells of ``run_nb`` that the test cells ``grade_ids`` do not need: kept
    are those tests, their exercises' solution cells, the notebook's own cells (a student's
    helpers), and the source's cells and other solutions that define a name these use."""
    exercises = {notebooks.exercise_of(g) for g in grade_ids}
    own = {c.source for c in source_nb.cells if c.cell_type == "code" and not notebooks.is_grade(c)
           and not notebooks.is_solution(c)}

    def needed_first(cell):
        gid = notebooks.grade_id(cell) or ""
        if notebooks.is_grade(cell):
            return gid in grade_ids
        if notebooks.is_solution(cell):
            return gid in exercises
        return cell.source not in own

    code = [c for c in run_nb.cells if c.cell_type == "code"]
    kept = [c for c in code if needed_first(c)]
    optional = [c for c in code if not needed_first(c) and not notebooks.is_grade(c)]
    needed = set().union(*(guard.used_names(c.source) for c in kept))
    changed = True
    while changed:
        changed = False
        for cell in optional:
            if not any(cell is k for k in kept) and guard.bound_names(cell.source) & needed:
                kept.append(cell)
                needed |= guard.used_names(cell.source)
                changed = True
    for cell in code:
        if not any(cell is k for k in kept):
            cell.source, cell.outputs = "", []


def _source_answers(run_nb, source_nb):
    """The exercises answered with the source's own solution, word for word, in a notebook
    with no cell of its own: they cannot be using nnref (the source passes the audit), so the
    audit need not run them again. Any cell of the notebook's own could redefine them."""
    own = {c.source for c in source_nb.cells if c.cell_type == "code" and not notebooks.is_solution(c)
           and not notebooks.is_grade(c)}
    if any(c.cell_type == "code" and not notebooks.is_solution(c) and not notebooks.is_grade(c)
           and c.source not in own for c in run_nb.cells):
        return set()
    solutions = {notebooks.grade_id(c): notebooks.strip_markers(c.source).strip()
                 for c in notebooks.solution_cells(source_nb)}
    return {notebooks.grade_id(c) for c in notebooks.solution_cells(run_nb)
            if notebooks.strip_markers(c.source).strip() == solutions.get(notebooks.grade_id(c))}


def _withhold_and_compare(result, run_nb, source_nb, job, reference):
    """The audit: the test cells that passed and that the source passes with the references
    withheld are run again so; an exercise whose test fails there earns nothing."""
    same = _source_answers(run_nb, source_nb)
    passed = [c.grade_id for c in result.cells if c.outcome == "passed" and c.grade_id in reference["auditable"]
              and c.exercise not in same]
    if not passed:
        return
    audited = {c.grade_id: c for c in audit(source_nb, job, reference).cells}
    caught = {}
    for gid in passed:
        if audited[gid].outcome != "passed":
            caught.setdefault(notebooks.exercise_of(gid), (gid, audited[gid].message or audited[gid].outcome))
    for c in result.cells:
        if c.exercise in caught:
            gid, message = caught[c.exercise]
            c.points, c.outcome = 0.0, "failed"
            c.message = WITHHELD.format(exercise=c.exercise, message=message[:300], names=", ".join(
                n.replace(":", ".") for n in reference["guarded"].get(gid, [])))
    if caught:
        result.flags.append((USES_REFERENCE, ", ".join(caught)))


def _run(job, started_dir=None, index=None):
    if started_dir:
        # A marker the parent reads if this worker dies: which notebook was it grading?
        (Path(started_dir) / str(index)).touch()
    return grade_notebook(job.source, job.submission, job.timeout, job.cwd, job.blas_threads, job.sandbox,
                          job.reference)


def default_workers():
    return os.cpu_count() or 1


WORKER_DIED = ("kernel died", "the grading process died while running this notebook (out of "
                              "memory, or the notebook killed its parent process); graded alone, it died again")


def grade_many(jobs, workers=None, progress=False, desc="grading", cluster=None):
    """Results of ``jobs`` in order; ``workers`` processes (default: the number of cores), or
    the Dask cluster at ``cluster`` (autograder/cluster.py) when given.

    Each kernel's BLAS gets cores // workers threads, so workers x threads <= cores
    (DESIGN.md, "Grading in parallel"). A worker process that dies takes no grade with it:
    the notebooks it and its fellow workers were grading are graded again, each alone, and
    one that kills its worker again is flagged; the rest of the class goes on.
    """
    jobs = list(jobs)
    for job in jobs:
        # here, once per source: a source that fails its own tests stops the run before any grade
        job.reference = job.reference or reference_for(job.source, job.timeout, job.cwd, default_workers(),
                                                       job.sandbox, check_stripping=False)
    count = len(jobs)
    stripping_runs = _stripping_runs(jobs)
    results = _grade_all(jobs, workers, progress, desc, cluster)
    for index in stripping_runs:
        _accept_stripping(jobs[index].reference, results[index])
    return results[:count]


def _stripping_runs(jobs):
    """The indices of the jobs that grade each unchecked source as a student's notebook: the
    class's own copy of the source where there is one, else a job appended to ``jobs``, so the
    check runs in parallel with the class instead of before it."""
    runs = {}
    for job in list(jobs):
        key = job.reference.get("key")
        if job.reference.get("stripping") != "pending" or key in runs:
            continue
        source_text = notebooks.dumps(_load(job.source))
        # only notebooks in memory (the validity harness grades the source itself): a file is
        # not read twice
        same = [i for i, other in enumerate(jobs) if other.reference is job.reference
                and not isinstance(other.submission, (str, Path, bytes))
                and notebooks.dumps(other.submission) == source_text]
        if not same:
            jobs.append(Job(job.source, job.source, job.timeout, job.cwd, sandbox=job.sandbox,
                            reference=job.reference))
            same = [len(jobs) - 1]
        runs[key] = same[0]
    return list(runs.values())


def _grade_all(jobs, workers, progress, desc, cluster):
    """grade_many's grading: on the Dask cluster, or in local worker processes."""
    if cluster:
        from .cluster import grade_many as grade_on_dask
        return grade_on_dask(jobs, cluster, progress, desc)
    if any(job.sandbox for job in jobs):
        sandbox.check()  # here, once: a machine that cannot sandbox stops the run with the fix
    workers = max(1, min(workers or default_workers(), len(jobs) or 1))
    threads = max(1, default_workers() // workers)
    for job in jobs:
        job.blas_threads = threads
    bar = _bar(len(jobs), progress, desc)
    results = [None] * len(jobs)
    if workers == 1:
        for i, job in enumerate(jobs):
            results[i] = _run(job)
            bar.update()
    else:
        todo = list(range(len(jobs)))
        while todo:
            in_flight = _pool(jobs, todo, workers, results, bar)
            if in_flight is None:
                break
            for i in in_flight:  # each alone, so that a notebook that kills its worker is known
                if _pool(jobs, [i], 1, results, bar) is not None:
                    results[i] = empty_result(_load(jobs[i].source), WORKER_DIED)
                    bar.update()
            todo = [i for i in todo if results[i] is None]
    bar.close()
    return results


def _pool(jobs, indices, workers, results, bar):
    """Grade ``jobs[indices]`` into ``results`` in ``workers`` processes. None when all are
    graded; if a worker died, the indices that had started and were not finished."""
    # spawn: no kernel machinery (zmq, event loops) inherited from the parent.
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="nncourse_started_") as started_dir:
        try:
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = {pool.submit(_run, jobs[i], started_dir, i): i for i in indices}
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    bar.update()
            return None
        except BrokenProcessPool:
            started = [i for i in indices if (Path(started_dir) / str(i)).exists() and results[i] is None]
    if not started and all(results[i] is None for i in indices):
        raise RuntimeError("grading workers died while starting: a script that calls grade_many "
                           "must run it under `if __name__ == \"__main__\":` (multiprocessing's "
                           "spawn re-imports the script), or pass workers=1")
    return started


def _bar(total, progress, desc):
    from tqdm.auto import tqdm
    return tqdm(total=total, disable=not progress, desc=desc, unit="notebook")
