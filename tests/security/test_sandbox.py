"""A class of hostile students, graded in the sandbox (issue #12).

Each attacker tries one class of attack (tests/security/attacks.py) on top of an honest
submission that solves relative_error (2 points) but not add_bias. The suite asserts that
every attack failed or was flagged, that no attacker earned a point it did not solve, that
the honest students' rows, submissions and feedback are what they are in a class without
attackers, that no file outside the workspace changed, that no process outlived the run, and
that the grader exited normally.
"""
import contextlib
import csv
import hashlib
import os
import socket
import subprocess
import sys
import time
import tempfile
import threading
from pathlib import Path

import pytest

from autograder import notebooks, sandbox
from autograder.cli import main

from fixtures.classroom import ASSIGNMENT, copy_course, grade_one, source_and_release, write
from security.attacks import ATTACKS, cell, report

ROOT = Path(__file__).resolve().parents[2]
BUG = 'def add_bias(x, b):\n    return x + b.mean()\n'
CONTROLS = {"honest_full": 5.0, "honest_untouched": 0.0}
MAY_KILL_ITS_OWN_KERNEL = {"killer", "forkbomb", "memory"}


def tree_hashes(*folders):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def rows(workspace):
    with (workspace / "grades.csv").open(newline="") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def sandbox_processes(token, marker):
    """Processes still alive that this run's kernels started: a kernel's own uid with this run's
    temporary folder (``marker``) in its command line (other graders may run beside the
    tests), or the attack's token."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            uid = os.stat(f"/proc/{pid}").st_uid
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if (uid >= sandbox.KERNEL_UID_BASE and marker in cmdline) or token in cmdline:
            found.append((pid, uid, cmdline.replace("\0", " ")[:120]))
    return found


def grade(course, inbox, workspace):
    return main(["--root", str(course.root), "grade", str(inbox), "--assignment", ASSIGNMENT,
                 "--workspace", str(workspace), "--time-limit", "30"])


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    course = copy_course(tmp)
    source, release = source_and_release(course)
    inbox, workspace, outside = tmp / "inbox", tmp / "workspace", tmp / "outside"
    outside.mkdir()
    (outside / "canary.txt").write_text("untouched")
    listener = socket.create_server(("127.0.0.1", 0))
    connections = []

    def accept():  # until the listener closes: any connection is an attack that got out
        with contextlib.suppress(OSError):
            connections.append(listener.accept())
    threading.Thread(target=accept, daemon=True).start()
    token = f"nncourse-attack-{os.getpid()}"
    targets = {
        "source_notebook": str(course.get(ASSIGNMENT).source_notebook),
        "grades_csv": str(workspace / "grades.csv"), "gradebook": str(workspace / "gradebook.db"),
        "classmate_submitted": str(workspace / "submitted" / "honest_full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "classmate_graded": str(workspace / "autograded" / "honest_full" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        "classmate_graded_dir": str(workspace / "autograded" / "honest_full" / ASSIGNMENT),
        "classmate_inbox": str(inbox / "honest_full.ipynb"),
        "canary": str(outside / "canary.txt"), "canary_target": str(outside / "written_by_the_grader"),
        "grader_pid": os.getpid(), "port": listener.getsockname()[1], "token": token,
        "disk_bound": sandbox.Limits(1).scratch_bytes + sandbox.Limits(1).tmp_bytes,
    }
    fill = lambda **kw: notebooks.fill_solutions(release, source, **kw)
    write(fill(), inbox / "honest_full.ipynb")
    write(release, inbox / "honest_untouched.ipynb")
    for kind in ATTACKS:
        nb = fill(answers={"add_bias": BUG})
        nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell(cell(kind, targets)))
        write(nb, inbox / f"attacker_{kind}.ipynb")
    # A class without attackers: what the honest students must get anyway.
    controls = tmp / "controls"
    for name in CONTROLS:
        write(notebooks.read(inbox / f"{name}.ipynb"), controls / f"{name}.ipynb")
    assert grade(course, controls, tmp / "controls_ws") == 0
    before = tree_hashes(course.root, ROOT / "nnref", ROOT / "autograder", outside, inbox)
    marker = tmp / "run_tmp"  # the sandboxes' folders, so this run's kernels can be told from others'
    marker.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMPDIR", str(marker))
        patch.setattr(tempfile, "tempdir", str(marker))
        exit_code = grade(course, inbox, workspace)
    listener.close()
    return dict(tmp=tmp, course=course, inbox=inbox, workspace=workspace, outside=outside, token=token, marker=str(marker),
                exit_code=exit_code, before=before, connections=connections,
                after=tree_hashes(course.root, ROOT / "nnref", ROOT / "autograder", outside, inbox))


def graded_notebook(workspace, student):
    return notebooks.read(workspace / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def test_the_grader_exits_normally_with_a_row_for_everyone(hostile_class):
    assert hostile_class["exit_code"] == 1  # flagged students: every file written all the same
    got = rows(hostile_class["workspace"])
    assert sorted(got) == sorted(list(CONTROLS) + [f"attacker_{k}" for k in ATTACKS])
    assert {r["run"] for r in got.values()} == {"sandboxed"}


@pytest.mark.parametrize("kind", sorted(ATTACKS))
def test_the_attack_fails_and_earns_nothing(hostile_class, kind):
    row = rows(hostile_class["workspace"])[f"attacker_{kind}"]
    assert float(row["add_bias"]) == 0, row
    assert float(row["score"]) <= 2, row
    said = report(graded_notebook(hostile_class["workspace"], f"attacker_{kind}"))
    if said is None:  # no report: the attack took its own kernel down, and the grader flagged it
        assert kind in MAY_KILL_ITS_OWN_KERNEL and row["status"] == "flagged", row
    else:
        assert said == [], f"{kind}: these attempts succeeded: {said}"
        assert float(row["score"]) == 2 or row["status"] == "flagged", row


def test_honest_students_get_what_they_get_in_a_class_without_attackers(hostile_class):
    workspace, alone = hostile_class["workspace"], hostile_class["tmp"] / "controls_ws"
    got, expected = rows(workspace), rows(alone)
    for name, score in CONTROLS.items():
        assert (got[name]["status"], float(got[name]["score"])) == ("graded", score), got[name]
        assert {k: v for k, v in got[name].items()} == expected[name]
        for kind in ("submitted", "feedback"):
            ours = sorted((workspace / kind / name).rglob("*.*"))
            assert [p.read_bytes() for p in ours] == [
                p.read_bytes() for p in sorted((alone / kind / name).rglob("*.*"))], (name, kind)
        assert ((workspace / "submitted" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
                == (hostile_class["inbox"] / f"{name}.ipynb").read_bytes())


def test_no_file_outside_the_workspace_changed(hostile_class):
    assert hostile_class["after"] == hostile_class["before"]
    assert not (hostile_class["outside"] / "written_by_the_grader").exists()


def test_no_process_outlives_the_run(hostile_class):
    assert sandbox_processes(hostile_class["token"], hostile_class["marker"]) == []


def test_no_connection_reached_the_machine(hostile_class):
    assert hostile_class["connections"] == []


def test_output_is_truncated_with_a_note(hostile_class):
    path = hostile_class["workspace"] / "autograded" / "attacker_output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert path.stat().st_size < 20 << 20
    assert "output truncated" in path.read_text()


def test_a_cpu_hog_is_stopped_by_cpu_time_and_a_sleeper_by_the_wall_clock(tmp_path):
    """CPU time is the limit that costs points; sleeping (what a busy machine looks like to a
    wall clock) uses none, so it runs past the CPU limit and is stopped only by the wall clock."""
    course = copy_course(tmp_path)
    source, release = source_and_release(course)
    results = {}
    # the hog spins in two processes, counted together: on a machine busy with other tests (CI
    # ran it at load 8) one process got 1.6 CPU seconds in the 8 s of wall clock and was
    # stopped by the wall clock first; and, as grading does with such a notebook, it is
    # graded again when only the wall clock stopped it
    for name, code in {"hog": "import os\nos.fork()\nwhile True:\n    pass", "sleeper": "import time\ntime.sleep(3)",
                       "dreamer": "import time\ntime.sleep(60)"}.items():
        nb = notebooks.fill_solutions(release, source)
        nb.cells.insert(2, notebooks.nbformat.v4.new_code_cell(code))
        for _ in range(3 if name == "hog" else 1):
            results[name] = grade_one(source, nb, 2)
            if not results[name].wall_clock_only:
                break
    assert results["hog"].reason.startswith("timeout: the notebook used more than its CPU time limit of 2 s")
    assert results["sleeper"].status == "graded" and results["sleeper"].score == 5
    assert results["sleeper"].cpu_seconds < results["sleeper"].seconds - 2, "sleeping must cost no CPU time"
    assert results["dreamer"].reason.startswith("timeout: stopped after the wall-clock limit of 8 s")


@pytest.mark.parametrize("share,queued,verdict", [(0.15, 0.0, "exceeded"), (0.05, 0.0, "waited"),
                                                  (0.05, 0.5, "exceeded")])
def test_past_the_backstop_a_computing_notebook_runs_on_to_its_cpu_limit(monkeypatch, share, queued, verdict):
    """kernel._CpuWatch, on a kernel whose processes get ``share`` of a core and wait for one
    ``queued`` of the time: past the wall-clock backstop (WALL_FACTOR x the limit) one that
    computes runs on until its CPU time limit stops it, also when a busy machine gives it a
    twentieth of a core (CI's load gave a looping notebook 1.5 CPU s in 20 s, and it was taken
    for a sleeper); one that neither runs nor waits to run (under COMPUTING_SHARE) is stopped
    there, by the wall clock. The first run's verdict then no longer depends on the machine's load."""
    from types import SimpleNamespace

    from autograder import kernel as kernels
    monkeypatch.setattr(kernels, "WATCH_SECONDS", 0.01)
    limit = 0.1  # a backstop of 0.4 s, a CPU limit reached after 0.67 s at 0.15 of a core, 2 s at 0.05
    began = time.monotonic()
    killed = []
    fake = SimpleNamespace(spec=SimpleNamespace(time_limit=limit), box=SimpleNamespace(group=True),
                           cpu_seconds=lambda: share * (time.monotonic() - began),
                           queued_seconds=lambda: queued * (time.monotonic() - began),
                           kill=lambda: killed.append(time.monotonic() - began))
    watch = kernels._CpuWatch(fake)
    deadline = time.monotonic() + 5
    while not killed and time.monotonic() < deadline:
        time.sleep(0.01)
    watch.stop()
    assert killed, f"a kernel at {share} of a core was never stopped"
    assert (watch.exceeded, watch.waited) == (verdict == "exceeded", verdict == "waited"), (
        f"at {share} of a core, waiting {queued} of the time for one, expected the watch to find it {verdict} "
        f"(after {killed[0]:.2f} s); exceeded={watch.exceeded}, waited={watch.waited}")
    earliest = limit / share if verdict == "exceeded" else kernels.WALL_FACTOR * limit
    assert killed[0] >= earliest - 0.05, f"stopped after {killed[0]:.2f} s, before {earliest:.2f} s"


def test_a_group_counts_the_time_its_process_waits_for_a_busy_core():
    """cgroups.Group.queued_seconds, on real processes: a loop in a group, sharing one core with
    three loops outside it, waits for the core a large part of the time; a sleeper in a group, on the same
    core, does not (counted from when both are running: starting Python on that busy core waits)."""
    from autograder.cgroups import Group

    pinned = "import os, time\nos.sched_setaffinity(0, {0})\n"
    loop, sleep = pinned + "while True: pass\n", pinned + "time.sleep(60)\n"
    groups = {kind: Group.create(f"test-queued-{kind}-{os.getpid()}", 1, 16, 256 << 20) for kind in ("loop", "sleep")}
    assert None not in groups.values(), "no control group could be made here (the suite runs as root, with cgroups)"
    processes = []
    try:
        for kind, code in (("loop", loop), ("sleep", sleep)):
            processes.append(subprocess.Popen(groups[kind].command_prefix() + [sys.executable, "-c", code]))
        processes += [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(3)]
        # every one on core 0 (Python's start can take seconds on a loaded machine), then a moment more
        deadline = time.monotonic() + 60
        while any(os.sched_getaffinity(p.pid) != {0} for p in processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        before = {kind: group.queued_seconds() for kind, group in groups.items()}
        started = time.monotonic()
        time.sleep(1.5)
        elapsed = time.monotonic() - started
        queued = {kind: group.queued_seconds() - before[kind] for kind, group in groups.items()}
    finally:
        for process in processes:
            process.kill()
            process.wait()
        for group in groups.values():
            group.remove()
    # alone with three loops it would wait three quarters of the time; the suite's other tests,
    # also on that core and in groups of their own, move the share it gets
    assert queued["loop"] > 0.25 * elapsed, (
        f"a loop sharing its core with three others waited {queued['loop']:.2f} s of {elapsed:.2f} s for it; "
        f"expected a large part of the time (read from /proc/PID/task/TID/schedstat)")
    assert queued["sleep"] < 0.1, f"a sleeper waited {queued['sleep']:.2f} s for a core: it should not wait at all"


def test_a_machine_without_bubblewrap_stops_grading_with_the_fix(tmp_path, monkeypatch, capsys):
    course = copy_course(tmp_path)
    _, release = source_and_release(course)
    write(release, tmp_path / "inbox" / "a.ipynb")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    sandbox.check.cache_clear()
    try:
        code = grade(course, tmp_path / "inbox", tmp_path / "ws")
    finally:
        sandbox.check.cache_clear()
    err = capsys.readouterr().err
    assert code == 2 and "bubblewrap (bwrap) is not installed" in err and "--no-sandbox" in err, err
    assert not (tmp_path / "ws" / "grades.csv").exists()


def test_a_python_environment_under_tmp_stays_visible_in_the_sandbox(tmp_path):
    """CI clones (and many laptops' venvs) live under /tmp, where the sandbox mounts a private
    tmpfs: the environment must be bound after it, not hidden by it. A venv in tmp_path that
    reaches this one's packages through a .pth file grades a notebook in the sandbox."""
    import site
    import subprocess
    import sys
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    inner_site = next(venv.glob("lib/python*/site-packages"))
    # addsitedir, so that the outer environment's own .pth files (the editable install's) run too
    (inner_site / "outer.pth").write_text(f"import site; list(map(site.addsitedir, {site.getsitepackages()!r}))\n")
    probe = ("from autograder import sandbox; sandbox.check(); "
             "import nnref, sys; print('sandbox ok from', sys.prefix)")
    run = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 0 and "sandbox ok from " + str(venv) in run.stdout, run.stderr[-2000:]


def test_python_started_by_a_path_through_an_unmounted_folder_sandboxes(tmp_path):
    """`../.venv/bin/python` run from tests/ (a folder the sandbox does not mount) is a path the
    sandbox cannot follow as written: the kernel's python is named without the detour."""
    import subprocess
    import sys
    detour = os.path.relpath(sys.executable, tmp_path)  # from tmp_path, under /tmp: a tmpfs of its own in the sandbox
    probe = "from autograder import sandbox; import sys; sandbox.check(); print('sandbox ok from', sys.executable)"
    run = subprocess.run([detour, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0 and f"sandbox ok from {tmp_path}/.." in run.stdout, run.stderr[-2000:]


def printed_in_a_sandboxed_kernel(code):
    """What one cell of ``code`` prints in a fresh sandboxed kernel."""
    from autograder.kernel import Kernel, KernelSpec
    nb = notebooks.nbformat.v4.new_notebook()
    nb.cells = [notebooks.nbformat.v4.new_code_cell(code)]
    kernel = Kernel(KernelSpec(30))
    try:
        kernel.run(nb)
    finally:
        kernel.close()
    return "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()


def test_fontconfig_reads_its_config_in_the_sandbox():
    """A kernel graded under its own uid must be able to enter /etc: fontconfig (matplotlib runs
    fc-list when it builds its font cache) printed "Fontconfig error: Cannot load default config
    file" into every graded notebook when bwrap made /etc unreadable (mode 0700)."""
    text = printed_in_a_sandboxed_kernel(
        "import subprocess\nprint(repr(subprocess.run(['fc-list'], capture_output=True, text=True).stderr))")
    assert text == "''", f"fc-list in the sandbox said: {text}"


def test_the_kernel_sees_neither_the_grader_nor_the_debugger():
    """sandbox.HIDDEN_PACKAGES: the grader's package and debugpy are not importable in a graded
    kernel, and the kernel runs without a debugger (ipykernel imports debugpy at start when it can:
    a fifth of the start's CPU)."""
    text = printed_in_a_sandboxed_kernel(
        "import importlib\n"
        "at_start = hasattr(get_ipython().kernel, 'debugger')\n"
        "def found(name):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "        return True\n"
        "    except ImportError:\n"
        "        return False\n"
        "print(at_start, found('debugpy.server.api'), found('autograder.pipeline'))")
    assert text == "False False False", (
        f"expected a kernel without a debugger that can import neither debugpy nor autograder (printed: has a "
        f"debugger, debugpy importable, autograder importable); it printed {text!r}. Usual cause: "
        f"sandbox.command no longer mounts an empty folder over HIDDEN_PACKAGES")


def test_kernels_forked_from_one_zygote_are_apart():
    """As root with control groups, kernels are forked into their sandboxes from one zygote per
    kernel environment (autograder/forked.py). Two at once of one spec (a notebook's kernel and the
    next notebook's, started ahead): neither sees the other's processes or files, neither holds a
    module the sandbox hides (the zygote imported outside it), each draws its own random numbers,
    and each is the sandbox's user with no capability."""
    from autograder.kernel import Kernel, KernelSpec

    token = f"nncourse-apart-{os.getpid()}-{time.monotonic_ns()}"
    code = (
        "import os, sys, numpy as np\n"
        f"open(os.path.expanduser('~/{token}'), 'w').write('mine')\n"
        "mine = {p for p in os.listdir('/proc') if p.isdigit()}\n"
        "others = []\n"
        "for top in ('/home', '/tmp'):\n"
        "    for folder, _, files in os.walk(top):\n"
        f"        others += [os.path.join(folder, f) for f in files if f == '{token}' and folder != os.path.expanduser('~')]\n"
        "hidden = sorted(m for m, v in sys.modules.items() if m.split('.')[0] in ('autograder', 'debugpy')\n"
        "                and getattr(v, '__file__', None))  # code, not the empty folder the sandbox mounts\n"
        "caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm', 'CapBnd'))]\n"
        "print(len(mine), others, hidden, caps, os.getuid() != 0, np.random.rand())\n")
    kernels = [Kernel(KernelSpec(30)) for _ in range(2)]
    try:
        assert all(k.km.forks and k.km.holder is not None for k in kernels), (
            "the kernels were started from scratch: the fork server was not used (root with control groups "
            "forks them; NNCOURSE_FORK_KERNELS=0 turns it off)")
        printed = []
        for kernel in kernels:
            nb = notebooks.nbformat.v4.new_notebook()
            nb.cells = [notebooks.nbformat.v4.new_code_cell(code)]
            run = kernel.run(nb)
            assert run.stopped is None, run.stopped
            printed.append("".join(o.get("text", "") for o in nb.cells[0].outputs).strip())
    finally:
        for kernel in kernels:
            kernel.close()
    zeros = "'0000000000000000'"
    for text in printed:
        assert text.startswith(f"2 [] [] [{zeros}, {zeros}, {zeros}] True "), (
            f"a forked kernel printed {text!r}; expected two processes in its sandbox (its parent, itself), none of the other kernel's files, no module of the grader's or the debugger's, "
            f"no capability, not root")
    draws = [text.rsplit(" ", 1)[1] for text in printed]
    assert draws[0] != draws[1], f"both kernels drew {draws[0]}: numpy's random state is the zygote's, not reseeded"


@pytest.mark.parametrize("fork", ["1", "0"])
def test_a_kernel_forked_or_started_from_scratch_has_the_same_sandbox(fork, monkeypatch):
    """The kernel forked from a zygote and the one started from scratch (NNCOURSE_FORK_KERNELS=0,
    and what a machine without root or control groups gets) run under the same limits per
    process, as a user of their own without capabilities, beside one other process (their
    parent: bubblewrap's init, or the fork's first process) that they cannot signal."""
    monkeypatch.setenv(sandbox.FORK_VARIABLE, fork)
    text = printed_in_a_sandboxed_kernel(
        "import os, resource\n"
        "names = {'cpu': 'CPU', 'as': 'AS', 'nproc': 'NPROC', 'fsize': 'FSIZE', 'core': 'CORE'}\n"
        "limits = {n: list(resource.getrlimit(getattr(resource, 'RLIMIT_' + r))) for n, r in names.items()}\n"
        "caps = sorted({l.split()[1] for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapPrm'))})\n"
        "others = sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid())\n"
        "try:\n"
        "    os.kill(os.getppid(), 0)\n"
        "    parent = 'signalled'\n"
        "except OSError as err:\n"
        "    parent = type(err).__name__\n"
        "print(limits, caps, others, parent, os.getuid() != 0)")
    limits = {name: list(pair) for name, pair in sandbox.rlimits(sandbox.Limits(time_limit=30)).items()}
    assert text == f"{limits} ['0000000000000000'] [1] PermissionError True", (
        f"a kernel {'forked' if fork == '1' else 'started from scratch'} printed {text!r}; expected its limits "
        f"{limits}, no capability, one other process (pid 1, its parent) it may not signal, and not root")
