"""A kernel that runs a notebook for the grader: started in its sandbox, limited, and never trusted.

A ``Kernel`` is started before its notebook is known (so the pool can start the next one while
the current notebook runs), with the modules the assignment imports already imported;
``Kernel.run`` then executes a notebook's code cells in order and returns a ``Run``: what
stopped it, its CPU seconds, the checks' observations per cell, and the problems met with the
kernel's messages. Nothing a kernel sends can raise out of ``run``: a message that is not a
valid Jupyter message is dropped and noted, a grader error stops the run with its reason.
"""
import os
import subprocess
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from queue import Empty

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_async, run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from nnref.observations import GUARDED_MIME, MIME
from nnref.variants import VARIANT_VARIABLE

from . import sandbox
from .variants import SECRET_VARIABLE

KERNEL = "python3"  # jupyter_client runs a kernelspec's "python" as sys.executable: the venv's
MAX_MESSAGE = 1500
START_ATTEMPTS = 3
WALL_FACTOR = 4  # a sandboxed notebook's wall-clock backstop, in multiples of its CPU time limit
# Past the backstop a notebook whose processes have run, or waited for a core to run on, at
# least this share of the time since its first cell is computing, slowed by a busy machine, not
# waiting: its CPU time limit stops it, or the wall clock at COMPUTING_FACTOR times the backstop.
COMPUTING_SHARE = 0.1
COMPUTING_FACTOR = 3
MAX_PROBLEMS = 10  # dropped messages noted per notebook
WATCH_SECONDS = 0.2  # how often the CPU time of a sandbox's processes is read


@dataclass(frozen=True)
class KernelSpec:
    """Everything a kernel is started and run with: two jobs whose specs are equal ``at_start``
    can use each other's kernel."""
    time_limit: float  # CPU seconds for the notebook, all its processes together
    files: object = None  # the folder whose files the kernel gets a private copy of
    work_name: str = "work"
    sandbox: bool = True  # False only by the instructor's explicit --no-sandbox
    blas_threads: int = 1
    observe: str = None  # the checks' mode: student, reference, or None (they decide in the kernel)
    nnref_copy: str = None  # an nnref without the references (autograder/withheld.py), for the audit
    warm_modules: tuple = ()  # imported when the kernel starts: the notebook's imports then cost nothing
    variant: int = 0  # the hidden tests' variant (nnref/variants.py), set before the notebook's first cell

    def at_start(self):
        """What the kernel's start depends on: all but the variant."""
        return replace(self, variant=0)


@dataclass
class Run:
    stopped: tuple = None  # (reason, detail) of what stopped the notebook, or None
    cpu_seconds: float = None  # the notebook's own, all its processes together
    wall_clock_only: bool = False  # stopped by the wall clock with CPU time to spare: a busy machine's fault?
    observed: dict = field(default_factory=dict)  # {cell index: [observation payload]}
    guarded: dict = field(default_factory=dict)  # {cell index: [payload]} (the reference run's)
    problems: list = field(default_factory=list)  # messages from the kernel that were dropped, and why
    timings: dict = field(default_factory=dict)  # {part of the run: wall-clock seconds}


# The fields each message type that nbclient reads must have, with their types.
SHAPES = {"stream": {"name": str, "text": str}, "error": {"ename": str, "evalue": str, "traceback": list},
          "display_data": {"data": dict, "metadata": dict}, "update_display_data": {"data": dict, "metadata": dict},
          "execute_result": {"data": dict, "metadata": dict}, "clear_output": {"wait": bool},
          "status": {"execution_state": str}, "execute_reply": {"status": str}}


def malformed(msg):
    """Why ``msg`` (a deserialized message) is not one nbclient can handle, or None."""
    if not isinstance(msg, dict) or not all(isinstance(msg.get(k), dict) for k in ("header", "parent_header", "content")):
        return "a message without header, parent header and content"
    kind = msg["header"].get("msg_type")
    if not isinstance(kind, str) or not isinstance(msg["parent_header"].get("msg_id", ""), str):
        return "a message without a message type"
    wrong = [f"{name} ({type(msg['content'].get(name)).__name__})" for name, typ in SHAPES.get(kind, {}).items()
             if not isinstance(msg["content"].get(name), typ)]
    if kind == "error" and not wrong and not all(isinstance(line, str) for line in msg["content"]["traceback"]):
        wrong = ["traceback lines"]
    return f"a {kind} message whose fields have the wrong type: {', '.join(wrong)}" if wrong else None


def _checked(get_msg, problems, where):
    """``get_msg`` of a channel, dropping (and noting in ``problems``, up to MAX_PROBLEMS) what is
    not a valid message; the caller's timeout holds however many are dropped."""
    async def get(timeout=None):
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                msg = await get_msg(timeout=None if end is None else max(0.0, end - time.monotonic()))
                why = malformed(msg)
            except (ValueError, TypeError, KeyError, UnicodeDecodeError) as err:
                why = f"a message that could not be read ({type(err).__name__})"
            if why is None:
                return msg
            if len(problems) < MAX_PROBLEMS:
                problems.append(f"{where()}: {why}")
    return get


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
            # a cell's observations come as a list (nnref.observations.send); one alone as itself
            payloads = data[kind] if isinstance(data[kind], list) else [data[kind]]
            if self._observation_used <= self.observation_bytes:
                (self.observed if kind == MIME else self.guarded).setdefault(cell_index, []).extend(
                    p for p in payloads if isinstance(p, dict))
            return None
        if msg["msg_type"] == "error":
            content["evalue"] = content["evalue"][:MAX_MESSAGE]
            content["traceback"] = [line[:MAX_MESSAGE] for line in content["traceback"][-20:]]
            return super().output(outs, msg, display_id, cell_index)
        used = self._output_used.get(cell_index, 0)
        room = max(0, min(self.cell_output_bytes - used, self.notebook_output_bytes - self._notebook_used))
        if msg["msg_type"] == "stream" and len(content["text"]) > room:
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

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        try:
            await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        except Exception:
            # After a cell's time limit, nbclient leaves that cell's output task running; it fails
            # once the kernel is shut down under it. Nothing is lost: the notebook stopped there.
            if self.kc is not None:
                raise

    async def async_start_new_kernel_client(self):
        """nbclient's, with the kernel's readiness awaited by ``ready`` instead of jupyter_client's
        fixed waits (0.4 s or more per kernel, most of the time between two notebooks)."""
        self.kc = self.km.client()
        await ensure_async(self.kc.start_channels())
        try:
            await ready(self.kc, self.startup_timeout)
        except Exception:
            await self._async_cleanup_kernel()
            raise
        self.kc.allow_stdin = False
        return self.kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def reset_output_limits(self):
        self._output_used, self._notebook_used, self._truncated = {}, 0, set()
        self.observed, self.guarded, self._observation_used = {}, {}, 0

    def note_truncation(self, cell, cell_index):
        if cell_index in self._truncated:
            cell.outputs.append(nbformat.v4.new_output(
                "stream", name="stderr", text=f"[nncourse: output truncated: a cell keeps at most "
                f"{self.cell_output_bytes >> 20} MiB and a notebook {self.notebook_output_bytes >> 20} MiB]\n"))


async def ready(kc, timeout):
    """Return once the kernel answers and its broadcasts reach ``kc``: the kernel is asked for its
    info until a status message about one of those requests arrives on iopub (a subscription
    misses what is sent before it is in place, so the first requests may go unseen)."""
    end, wait, asked = time.monotonic() + timeout, 0.02, set()
    while time.monotonic() < end:
        asked.add(kc.kernel_info())
        try:
            while True:
                msg = await kc.iopub_channel.get_msg(timeout=wait)
                parent = msg.get("parent_header") if isinstance(msg, dict) else None
                if isinstance(parent, dict) and parent.get("msg_id") in asked:
                    return
        except Empty:
            pass
        if not await ensure_async(kc.is_alive()):
            raise RuntimeError("the kernel died before it answered")
        wait = min(2 * wait, 0.5)
    raise RuntimeError(f"the kernel did not answer in {timeout:g} s")


def kernel_env(spec):
    """An unsandboxed kernel's environment: the grader's, without the variants' secret, nor a
    variant (set before the notebook's first cell)."""
    env = {**os.environ, **sandbox.kernel_settings(spec.blas_threads, spec.observe)}
    env.pop(SECRET_VARIABLE, None)
    env.pop(VARIANT_VARIABLE, None)
    if spec.nnref_copy:  # no sandbox to mount it over nnref: found first on the path instead
        env["PYTHONPATH"] = spec.nnref_copy
    return env


# The grade needs no picture: `%matplotlib inline` then shows a figure as its text alone, and
# drawing it (a third of lesson 02's run) is skipped. The student's own figures, from their
# run, are kept in the graded notebook (pipeline.finish). Set as configuration, not code run at
# start, so that a kernel that never plots never imports matplotlib.
NO_DRAWING = "--InlineBackend.figure_formats=[]"


def _start_arguments(modules):
    """The kernel's start-up arguments: no drawing, and the warm modules imported (no name left behind)."""
    arguments = [NO_DRAWING]
    if modules:
        names = [f"_nncourse_{i}" for i in range(len(modules))]
        line = "import " + ", ".join(f"{m} as {n}" for m, n in zip(modules, names)) + "; del " + ", ".join(names)
        arguments.append(f"--IPKernelApp.exec_lines={line}")
    return arguments


class Kernel:
    """A kernel started for ``spec``; ``run`` executes one notebook in it, ``close`` ends it."""

    def __init__(self, spec):
        self.spec = spec
        self.limits = sandbox.Limits(time_limit=spec.time_limit)
        self._stack = ExitStack()
        self.box, self.km, self.error = None, None, None
        self.cell = None  # the index of the cell running now
        self.stop_before = None  # no cell from this index on is run (set by another thread)
        self.launched = time.monotonic()
        try:
            self._launch()
        except (OSError, RuntimeError) as err:
            self.error = err

    def _launch(self):
        """Start the kernel's process; it boots (and imports the warm modules) on its own."""
        spec = self.spec
        arguments = _start_arguments(spec.warm_modules)
        if spec.sandbox:
            self.box = sandbox.Box(self.limits, spec.files, work_name=spec.work_name,
                                   settings=sandbox.kernel_settings(spec.blas_threads, spec.observe),
                                   nnref_copy=spec.nnref_copy, cpus=spec.blas_threads)
            self._stack.callback(self.box.close)
            self.km = self.box.km
            # bwrap itself needs only PATH; it sets the kernel's whole environment
            options = dict(env={"PATH": os.environ.get("PATH", "")})
        else:
            self.km = AsyncKernelManager(kernel_name=KERNEL)
            options = dict(env=kernel_env(spec), cwd=str(spec.files) if spec.files else None)
        # The kernel's own stderr (start-up chatter) is not the notebook's: cells' output comes over zmq.
        self.launched = time.monotonic()
        run_sync(self.km.start_kernel)(extra_arguments=arguments, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, **options)

    def _connect(self, nb):
        """A client of this kernel for ``nb``, the kernel started again (a new one) if it died
        before it answered: two kernels racing for a resource is the machine's fault, not the
        student's. The last error after START_ATTEMPTS."""
        for attempt in range(START_ATTEMPTS):
            if self.error is None:
                client = GradingClient(nb, km=self.km, kernel_name=KERNEL, allow_errors=True, record_timing=False,
                                       shutdown_kernel="immediate", startup_timeout=120)
                client.reset_output_limits()
                # No stand-in for the front end's Output widget: nbclient's stand-in answers the kernel
                # with a comm message per output, and that traffic deadlocked about 1 notebook in 10
                # whose widgets plot (ipykernel 7.4, nbclient 0.11). Grading needs no widget state.
                client.widget_registry = {}
                try:
                    self._stack.enter_context(client.setup_kernel(cleanup_kc=True))
                    return client
                except (RuntimeError, TimeoutError) as err:
                    self.error = err
            if attempt + 1 < START_ATTEMPTS and self.stop_before != 0:  # not cancelled
                self._stack.close()
                self.error = None
                try:
                    self._launch()
                except (OSError, RuntimeError) as err:
                    self.error = err
        return self.error

    def run(self, nb):
        """Execute ``nb``'s code cells in place -> Run. Never raises for anything the notebook does."""
        outcome = Run()
        began = time.monotonic()
        client = self._connect(nb)
        ready = time.monotonic()
        outcome.timings.update({"run: waiting for the kernel": ready - began,
                                "run: kernel start (sandbox, Python, imports)": ready - self.launched})
        if isinstance(client, BaseException):
            outcome.stopped = ("kernel died", f"the kernel did not start ({START_ATTEMPTS} attempts): {client}")
            return outcome
        cell_index = [None]
        for channel in (client.kc.iopub_channel, client.kc.shell_channel):
            channel.get_msg = _checked(channel.get_msg, outcome.problems,
                                       lambda: f"cell {cell_index[0] + 1}" if cell_index[0] is not None else "start")
        try:
            _set_variant(client, self.spec.variant)
        except Exception as err:  # no cell of the notebook's has run: the start's fault, not the student's
            outcome.stopped = ("kernel died", f"before the first cell: {type(err).__name__}: {str(err)[:200]}")
            return outcome
        watch = _CpuWatch(self)
        try:
            outcome.stopped, outcome.wall_clock_only = _run_cells(client, nb, self, watch, cell_index)
        finally:
            watch.stop()
        outcome.timings["run: the notebook's cells"] = time.monotonic() - ready
        outcome.cpu_seconds = watch.used()
        outcome.observed, outcome.guarded = client.observed, client.guarded
        return outcome

    def cpu_seconds(self):
        """CPU seconds used so far by the kernel and everything it started (None if unknown)."""
        group = self.box and self.box.group
        if group:
            return group.cpu_seconds()
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return sandbox.tree_cpu_seconds(process.pid) if process else None

    def queued_seconds(self):
        """Seconds the kernel's processes were ready to run while others held the cores (0 without
        a control group, where no watch reads it)."""
        group = self.box and self.box.group
        return group.queued_seconds() if group else 0.0

    def kill(self):
        """Stop the kernel and everything it started now (safe from any thread)."""
        if self.box and self.box.group:
            self.box.group.kill()
            return
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None:
            process.kill()

    def cancel(self):
        """Run no more cells, and stop the kernel (safe from any thread)."""
        self.stop_before = 0
        self.kill()

    def exit_status(self):
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process.poll() if process is not None else None

    def close(self):
        began = time.monotonic()
        self.kill()  # the sandbox at once: jupyter_client's shutdown then finds it ended instead of polling
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if self.box and self.box.group and process is not None:
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        self._stack.close()
        return time.monotonic() - began


def _set_variant(client, variant):
    """The hidden tests' variant in the kernel's environment, where nnref.variants reads it (a
    kernel starts without one: variant 0)."""
    if variant:
        line = (f"import os as _nncourse_os; _nncourse_os.environ[{VARIANT_VARIABLE!r}] = {str(variant)!r}; "
                f"del _nncourse_os")
        # not as a cell: nbclient puts an executed cell back into the notebook at its index
        reply = run_sync(client.kc.execute_interactive)(line, silent=True, store_history=False, timeout=60)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"the kernel did not set the variant: {reply['content'].get('ename')}")


class _CpuWatch:
    """Counts the notebook's CPU time from its first cell (the kernel's start-up is the grader's)
    and, where the sandbox has a control group, kills the kernel once the notebook has used its
    time limit, all its processes together, or once it has waited past the wall-clock backstop
    (neither running nor ready to run for COMPUTING_SHARE of the time since its first cell: a
    sleeper, not a busy machine's victim, which is ready to run while others hold the cores)."""

    def __init__(self, kernel):
        self.kernel, self.start = kernel, kernel.cpu_seconds()
        self.start_queued = kernel.queued_seconds()
        self.began = time.monotonic()
        self.exceeded = self.waited = False
        self._done = threading.Event()
        self._thread = None
        if kernel.box and kernel.box.group and self.start is not None:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()

    @property
    def active(self):
        """Whether this watch stops the kernel (else only the cells' wall-clock timeout does)."""
        return self._thread is not None

    def used(self):
        now = self.kernel.cpu_seconds()
        return None if now is None or self.start is None else max(0.0, now - self.start)

    def queued(self):
        return max(0.0, self.kernel.queued_seconds() - self.start_queued)

    def _watch(self):
        limit = self.kernel.spec.time_limit
        while not self._done.wait(WATCH_SECONDS):
            used, elapsed = self.used(), time.monotonic() - self.began
            if used is not None and used > limit:
                self.exceeded = True
            elif used is not None and elapsed > WALL_FACTOR * limit and used + self.queued() < COMPUTING_SHARE * elapsed:
                self.waited = True
            else:
                continue
            self.kernel.kill()
            return

    def stop(self):
        self._done.set()
        if self._thread:
            self._thread.join()


def _run_cells(client, nb, kernel, watch, cell_index):
    """(what stopped the notebook or None, whether only the wall clock did)."""
    spec = kernel.spec
    wall = spec.time_limit * (WALL_FACTOR if spec.sandbox else 1)
    # the watch stops a waiting notebook at the backstop; the cells' timeout is then the last resort
    last_resort = wall * (COMPUTING_FACTOR if watch.active else 1)
    deadline = time.monotonic() + last_resort
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cell_index[0] = kernel.cell = index
        if kernel.stop_before is not None and index >= kernel.stop_before:
            break
        client.timeout = max(1, int(deadline - time.monotonic() + 0.999))
        try:
            if time.monotonic() >= deadline:
                raise CellTimeoutError("time limit reached before this cell")
            client.execute_cell(cell, index)
        except CellTimeoutError:
            cell["metadata"]["nncourse_stopped"] = True
            if not spec.sandbox:
                return ("timeout", f"stopped after the wall-clock limit of {wall:g} s, in cell {index + 1}"), False
            return _stopped_by_the_wall_clock(last_resort, spec, index, watch.used())
        except DeadKernelError:
            cell["metadata"]["nncourse_stopped"] = True
            if watch.exceeded:
                return ("timeout", f"the notebook used more than its CPU time limit of {spec.time_limit:g} s "
                                   f"(all its processes together); stopped in cell {index + 1}"), False
            if watch.waited:
                return _stopped_by_the_wall_clock(wall, spec, index, watch.used())
            why = sandbox.exit_reason(kernel.exit_status(), kernel.limits) if spec.sandbox else None
            return ((why[0], f"{why[1]}; stopped in cell {index + 1}") if why else
                    ("kernel died", f"in cell {index + 1}")), False
        except Exception as err:  # a grader bug, or a kernel message no rule foresaw: this notebook only
            cell["metadata"]["nncourse_stopped"] = True
            return ("grader error", f"while running cell {index + 1}: {type(err).__name__}: "
                                    f"{str(err)[:300]}"), False
        finally:
            client.note_truncation(cell, index)
        cell["metadata"]["nncourse_ran"] = True
    return None, False


def _stopped_by_the_wall_clock(seconds, spec, index, used):
    """(the timeout and its reason, whether the notebook had CPU time to spare: graded again alone)."""
    over = used is not None and used >= spec.time_limit
    return ("timeout", f"stopped after the wall-clock limit of {seconds:g} s ({seconds / spec.time_limit:g} x the "
                       f"CPU time limit of {spec.time_limit:g} s), in cell {index + 1}, having used "
                       + (f"{used:.1f} CPU seconds" if used is not None else "an unknown CPU time")), not over
