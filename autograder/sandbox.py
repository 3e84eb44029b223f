"""The sandbox every kernel that runs student code starts in (bubblewrap + rlimits).

What the kernel sees: the Python installation and nnref, read-only; the MNIST folder,
read-only; a private writable copy of its own folder's files on a size-limited tmpfs
(``/home/student/<name>``, also its HOME), a small /tmp, and the folder of IPC sockets it
shares with the grader. Nothing else of the machine: not the course's source/, not the
workspace, not other students, not the checkout beyond nnref's and the grader's own packages.

What it cannot do: reach the network (its own network namespace; the kernel talks over IPC
sockets), see or signal any process outside its own PID namespace (it is that namespace's
only tenant, and the namespace dies with the grader), keep a process alive after grading,
or use more than its limits of CPU time, memory, processes, file size and scratch space.

Run by root, the kernel drops to a user id of its own (one per sandbox, ``next_kernel_uid``): no
other process or file on the machine has it, so it can signal nothing; and the sandbox gets a
control group of its own (autograder/cgroups.py), so its CPU time, processes and memory are
counted and limited for all its processes together. Run by anyone else, bubblewrap makes a
user namespace, the kernel keeps the caller's (unprivileged) user, and the limits are per
process (RLIMIT_CPU and the others below, which also hold as a backstop under root).
"""
import asyncio
import functools
import importlib.util
import itertools
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from nnref.data import TEST_SET_WITHHELD
from nnref.homework import GRADING_VARIABLE
from nnref.observations import MODE_VARIABLE

from . import forked
from .cgroups import Group

HOME = "/home/student"
STAGING = "/nncourse/staging"  # the grader's copy of the kernel's files, read-only; copied to the scratch
DATA = "/nncourse/data"  # $NNREF_DATA inside
KERNEL_UID_BASE = 1_000_000_000
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "fonts",
       "alternatives", "mime.types")
MIB = 1 << 20
FORK_VARIABLE = "NNCOURSE_FORK_KERNELS"  # "0": every kernel started from scratch (autograder/forked.py)
FIX = ("If bubblewrap cannot create namespaces here: on Ubuntu 24.04 `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` "
       "(or an AppArmor profile for bwrap); in a container, run it with user namespaces allowed "
       "(e.g. docker --security-opt seccomp=unconfined). Or pass --no-sandbox to grade without "
       "one (recorded in grades.csv)")


class SandboxUnavailable(RuntimeError):
    """This machine cannot start the sandbox; the message says why and what to do."""


@dataclass(frozen=True)
class Limits:
    """A kernel's limits. ``time_limit``: the notebook's CPU seconds (course.toml's); each of its
    processes gets ``startup_cpu_seconds`` on top, since the kernel's start-up is ours, not the student's."""
    time_limit: float
    memory_bytes: int = 6 * 1024 * MIB
    processes: int = 256  # threads count too: BLAS and zmq start a dozen
    file_bytes: int = 256 * MIB
    scratch_bytes: int = 512 * MIB
    tmp_bytes: int = 256 * MIB
    startup_cpu_seconds: float = 3

    @property
    def cpu_limit(self):
        return int(self.time_limit + self.startup_cpu_seconds + 0.999)


def _bwrap():
    path = shutil.which("bwrap")
    if not path:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed, so student code cannot be "
                                 f"contained: install it (Debian/Ubuntu: `apt-get install bubblewrap`). {FIX}")
    return path


# Installed beside the Python packages, and hidden from the kernel: the grader's own package
# (nothing in a kernel needs it), and the debugger, which ipykernel imports at start when it is
# there (a fifth of a kernel's start-up CPU) and which grading has no use for.
HIDDEN_PACKAGES = ("autograder", "debugpy")


def _package_dirs(names=("nnref",)):
    """Where the kernel imports our packages from (an editable install points into the checkout);
    the grader's own package is not among them (nothing in a kernel needs it)."""
    dirs = []
    for name in names:
        spec = importlib.util.find_spec(name)
        dirs += [Path(p).resolve() for p in (spec.submodule_search_locations or [])] if spec else []
    return dirs


def _python_dirs():
    """The Python installation: its prefixes and every site-packages folder on the path (a
    .pth file can add another environment's)."""
    prefixes = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}
    sites = [*site.getsitepackages(), *(p for p in sys.path if Path(p).name in ("site-packages", "dist-packages"))]
    prefixes |= {Path(p).resolve() for p in sites if Path(p).is_dir()}
    return sorted(prefixes)


def mnist_dir():
    """The folder holding ``mnist/`` that nnref would read here, or None."""
    from nnref.data import mnist_cache_dir
    candidates = [Path(os.environ["NNREF_DATA"])] if os.environ.get("NNREF_DATA") else []
    candidates.append(mnist_cache_dir().parent)
    return next((c.resolve() for c in candidates if (c / "mnist").is_dir()), None)


def mnist_binds(data_dir, with_test_set):
    """Binds of MNIST's files at DATA/mnist: the training files, and the test files only for a
    kernel whose checks decide in the kernel (a self-check); a graded kernel gets no test set."""
    files = [f"{part}-{kind}-idx{dims}-ubyte.gz" for part in (("train", "t10k") if with_test_set else ("train",))
             for kind, dims in (("images", 3), ("labels", 1))]
    return [arg for name in files if (Path(data_dir) / "mnist" / name).is_file()
            for arg in _ro(Path(data_dir) / "mnist" / name, f"{DATA}/mnist/{name}")]


def _parents(path):
    """bwrap makes a bind's missing parent folders 0700, which the kernel's user cannot enter."""
    args = []
    for parent in reversed(Path(path).parents[:-1]):
        args += ["--perms", "0755", "--dir", str(parent)]
    return args


def _ro(path, inside=None):
    inside = str(inside or path)
    return _parents(inside) + ["--ro-bind", str(path), inside]


def _system_binds():
    args = []
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / top
        if host.is_symlink():  # merged /usr: keep the link, not a second copy of /usr
            args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            args += _ro(host)
    args += _ro("/usr")
    # /etc as bwrap would make it is 0700: a kernel run under its own uid could not read
    # fontconfig's config there, and every notebook drawing text got a "Fontconfig error" line
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def kernel_settings(blas_threads, observe=None):
    """What every grading kernel's environment sets, sandboxed or not (course/ARCHITECTURE.md: workers x BLAS
    threads <= cores); ``observe``: the checks' mode (nnref/observations.py), student, reference
    or self. Not the hidden tests' variant: the grader sets it before the notebook's first cell
    (kernel.Kernel.run), so that a kernel started ahead serves a notebook of any variant."""
    # GRADING_VARIABLE: exploration cells skip themselves (nnref.homework.grading_mode)
    settings = {"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1", GRADING_VARIABLE: "1",
                **{k: str(blas_threads) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
    # graded: the test set stays with the grader (mnist_binds), which scores homework 09 on it
    if observe == "self":  # the student's own self-check: the checks decide in the kernel, test set and all
        return {**settings, MODE_VARIABLE: observe}
    return {**settings, MODE_VARIABLE: observe, TEST_SET_WITHHELD: "1"} if observe else settings


def python():
    """This interpreter, as a path the sandbox has: its ``..`` resolved by name (started as
    ``../.venv/bin/python`` from a folder the sandbox does not mount, it is not found there),
    not by following links (a venv's python is a link out of the venv)."""
    return os.path.abspath(sys.executable)


def _env(settings, data_dir):
    env = {"HOME": HOME, "PATH": f"{Path(python()).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "MPLCONFIGDIR": "/tmp/matplotlib", "PYTHONNOUSERSITE": "1", **settings}
    if data_dir:
        env["NNREF_DATA"] = DATA
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # this machine's BLAS needs them (env/README)
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def as_root():
    return os.geteuid() == 0


def command(limits, work_name, staging, ipc_dir, settings, kernel_cmd, nnref_copy=None, uid=None, group=None,
            ready=None):
    """The argv that starts ``kernel_cmd`` inside the sandbox; ``nnref_copy``: a folder holding an
    ``nnref/`` that the kernel sees in place of nnref (autograder/withheld.py); ``uid``: the
    kernel's user id (as root); ``group``: the sandbox's control group, which it starts in.
    ``ready``: no kernel_cmd, the sandbox is made for a kernel forked into it (autograder/forked.py):
    its files copied, it touches ``ready`` and waits, as root, which the kernel cannot signal or read."""
    data_dir = mnist_dir()
    work = f"{HOME}/{work_name}"
    args = (group.command_prefix() if group else []) + [_bwrap(), "--die-with-parent", "--new-session", "--clearenv",
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if not as_root():
        args += ["--unshare-user"]
    for key, value in _env(settings, data_dir).items():
        args += ["--setenv", key, value]
    args += _system_binds()
    # The private tmpfs first: a bind made before it under /tmp (a venv or a checkout there, as
    # in a CI clone) would be hidden by it.
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", "/tmp",
             "--size", str(limits.scratch_bytes), "--perms", "1777", "--tmpfs", HOME]
    for path in _python_dirs() + _package_dirs():
        args += _ro(path)
    for path in _package_dirs(HIDDEN_PACKAGES):
        if any(path.is_relative_to(p) for p in _python_dirs()):
            args += ["--tmpfs", str(path)]
    if nnref_copy:  # over the real one, so that its files are not there to read either
        args += [arg for path in _package_dirs(("nnref",)) for arg in _ro(Path(nnref_copy) / "nnref", path)]
    args += _ro(staging, STAGING) + _parents(ipc_dir) + ["--bind", str(ipc_dir), str(ipc_dir)]
    if data_dir:
        args += mnist_binds(data_dir, with_test_set=MODE_VARIABLE not in settings)
    args += ["--chdir", "/"]
    if as_root():
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    limit = ["prlimit", *(f"--{name}={soft}:{hard}" for name, (soft, hard) in rlimits(limits).items()), "--"]
    drop = []
    if as_root():
        uid = str(uid or next_kernel_uid())
        drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]
    drop = ["/usr/bin/" + drop[0], *drop[1:]] if drop else []
    # The copy runs as the kernel's own user, so the files are its own to change.
    copy = ["/bin/sh", "-c", 'mkdir -p "$1" && cp -R "$2"/. "$1"/ && cd "$1" && shift 2 && exec "$@"',
            "boot", work, STAGING]
    if ready:
        return args + ["--", "/bin/sh", "-c", 'ready=$1; shift; "$@" && touch "$ready" && exec sleep infinity',
                       "holder", str(ready), *drop, *copy, "true"]
    return args + ["--", "/usr/bin/" + limit[0], *limit[1:], *drop, *copy, *kernel_cmd]


def rlimits(limits):
    """The kernel's limits per process, {prlimit's name: (soft, hard)}; CPU time's hard limit kills
    5 s after the soft one's SIGXCPU."""
    return {"cpu": (limits.cpu_limit, limits.cpu_limit + 5), "as": (limits.memory_bytes,) * 2,
            "nproc": (limits.processes,) * 2, "fsize": (limits.file_bytes,) * 2, "core": (0, 0)}


_uids = itertools.count()


def next_kernel_uid():
    """A user id no other sandbox of this machine has: this grading process's pid, and a count
    of the sandboxes it started (a worker keeps a kernel ready beside the one that runs)."""
    return KERNEL_UID_BASE + os.getpid() * 16 + next(_uids) % 16


def stage(folder, into, max_bytes):
    """Copy ``folder``'s regular files (no links, no hidden folders) into ``into``: the kernel's
    private copy. A folder larger than ``max_bytes`` is refused with the fix."""
    into.mkdir(mode=0o755)
    if folder is None:
        return
    total = 0
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if any(p.startswith(".") for p in rel.parts) or path.is_symlink() or not path.is_file():
            continue
        total += path.stat().st_size
        if total > max_bytes:
            raise SandboxUnavailable(f"{folder} holds more than {max_bytes // MIB} MiB of files; the "
                                     f"kernel gets a copy of that folder, so move the notebook to a "
                                     f"folder of its own")
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        shutil.copyfile(path, target)
        target.chmod(0o644)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts in the sandbox, over IPC sockets in ``ipc_dir``; as
    root with a control group, forked into it from a zygote (autograder/forked.py)."""

    def __init__(self, limits, work_name, staging, ipc_dir, settings, nnref_copy=None, uid=None, group=None,
                 **kwargs):
        super().__init__(transport="ipc", ip=str(ipc_dir / "kernel"),
                         connection_file=str(ipc_dir / "kernel.json"), **kwargs)
        self._sandbox = (limits, work_name, staging, ipc_dir, settings)
        self._options = dict(nnref_copy=nnref_copy, uid=uid, group=group)
        self.forks = group is not None and uid is not None and os.environ.get(FORK_VARIABLE) != "0"
        self.holder = None  # bwrap around the holder, when the kernel is forked into it
        self._arguments = []

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if as_root():  # the kernel's own user must read its key
            os.chown(self.connection_file, self._options["uid"], self._options["uid"])

    def format_kernel_cmd(self, extra_arguments=None):
        if self.forks:
            self._arguments = list(extra_arguments or [])
            return command(*self._sandbox, None, ready=self._ready_marker(), **self._options)
        kernel = [python(), "-m", "ipykernel_launcher", "-f", self.connection_file, *(extra_arguments or [])]
        return command(*self._sandbox, kernel, **self._options)

    def _ready_marker(self):
        return self._sandbox[3] / ".ready"

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        if self.forks:
            self.holder = self.provisioner.process
            self.provisioner.process = await asyncio.to_thread(self._fork)

    def _fork(self):
        limits, work_name, _, ipc_dir, settings = self._sandbox
        group, uid = self._options["group"], self._options["uid"]
        env = _env(settings, mnist_dir())
        inside = forked.wait_ready(self.holder, self._ready_marker(), group)
        status = ipc_dir.parent / "status"  # the box's own folder: the kernel cannot reach it
        pid = forked.server(python(), env, HIDDEN_PACKAGES).fork({
            "holder": inside, "cgroup_procs": group.procs_files(), "work": f"{HOME}/{work_name}",
            "rlimits": rlimits(limits),
            "uid": uid, "env": env, "connection_file": self.connection_file, "arguments": self._arguments,
            "status": str(status)})
        return forked.ForkedKernel(pid, status)


class Box:
    """One kernel's private folders (made by the grader, removed after) and its manager."""

    def __init__(self, limits, files_dir=None, work_name="work", settings=None, nnref_copy=None, cpus=1):
        self.root = Path(tempfile.mkdtemp(prefix="nncourse_sandbox_"))  # 0700: the grader's
        self.group = None
        try:
            staging, ipc_dir = self.root / "staging", self.root / "ipc"
            stage(files_dir, staging, limits.scratch_bytes // 2)
            ipc_dir.mkdir(mode=0o700)
            self.uid = next_kernel_uid() if as_root() else None
            if as_root():
                os.chown(ipc_dir, self.uid, self.uid)
            self.group = Group.create(self.root.name, cpus, limits.processes, limits.memory_bytes)
            self.km = SandboxedKernelManager(limits, work_name, staging, ipc_dir, settings or kernel_settings(1),
                                             nnref_copy, self.uid, self.group)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.group:
            self.group.remove()
        holder = getattr(getattr(self, "km", None), "holder", None)
        if holder is not None:  # bubblewrap around a forked kernel, ended with the group: reaped
            try:
                holder.wait(timeout=5)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def tree_cpu_seconds(pid):
    """CPU seconds used by ``pid`` and its living descendants (and the children they reaped):
    in the sandbox, bwrap, its init and the kernel; None once they are gone."""
    total, todo = 0, [pid]
    try:
        while todo:
            current = todo.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError):
        return None if current == pid else total / os.sysconf("SC_CLK_TCK")
    return total / os.sysconf("SC_CLK_TCK")


def exit_reason(returncode, limits):
    """Why the sandbox ended, from bwrap's exit status (128 + the signal that killed the kernel)."""
    if returncode == 128 + signal.SIGXCPU:
        return ("timeout", f"the notebook used more than its CPU time limit of {limits.time_limit:g} s")
    if returncode == 128 + signal.SIGXFSZ:
        return ("kernel died", f"a file grew past the sandbox's limit of {limits.file_bytes // MIB} MiB")
    return None


@functools.lru_cache(maxsize=None)
def check():
    """Raise SandboxUnavailable unless a sandbox starts here (checked once per process)."""
    box = Box(Limits(time_limit=5), work_name="probe")
    try:
        run = subprocess.run(command(*box.km._sandbox, [python(), "-c", "import nnref"], **box.km._options),
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SandboxUnavailable(f"the sandbox did not start ({err}). {FIX}") from None
    finally:
        box.close()
    if run.returncode != 0:
        lines = run.stderr.strip().splitlines()
        why = lines[-1] if lines else f"exit status {run.returncode}"
        raise SandboxUnavailable(f"the sandbox did not start ({why}). {FIX}")
