"""The fork server of sandboxed kernels: a Python that has imported ipykernel and numpy once, and
forks each kernel into a sandbox that bubblewrap made (autograder/forked.py starts it, as root).

Run as a script (``python zygote.py``, its folder taken off the path): it imports nothing of the grader,
whose code a kernel must not hold, and it never runs student code itself. Its environment is a
kernel's (no variants secret). It holds no student's data: what a kernel learns of it is what
any kernel imports. nnref is imported by each kernel in its sandbox, where the audit's kernels
find the copy with the references withheld.

One request per line on stdin (JSON; EOF: the grader is gone, so is the zygote), one line back
on stdout per request: {"pid": the machine's pid of the kernel's first process, below} or
{"error": why}. Killing that process ends the kernel's PID namespace, the kernel with it. Per request:

- a child (outside the sandbox, root) makes a PID namespace for the kernel, forks its first
  process, answers with that pid, waits for it and writes its exit status (128 + the signal
  that killed it, as bubblewrap reports one) to ``status``, a file the kernel cannot reach;
- that first process (PID 1 of the namespace, root) joins the sandbox's control group and
  namespaces (the mount namespace last: the sandbox's files from then on), mounts a /proc of
  its PID namespace, goes to the working folder and forks the kernel, whose parent it stays:
  as under bubblewrap's init, the kernel sees only itself and a parent it cannot signal;
- the kernel takes its limits, drops to the sandbox's user id with no capability left and no
  way to gain one, and runs IPKernelApp on its connection file.

Each of them dies with its parent, so nothing outlives the grader: the zygote ends at EOF, its
children with it, and the kernel's namespace with its first process.
"""
import sys

del sys.path[0]  # this script's folder, the grader's package: no module of it is a kernel's to import
HIDDEN = sys.argv[1:]  # packages the sandbox hides (sandbox.HIDDEN_PACKAGES): not imported here either
for _name in HIDDEN:
    sys.modules[_name] = None  # an import of it fails, as in the sandbox (ipykernel then starts no debugger)

import ctypes  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402

import numpy  # noqa: E402, F401  every kernel of the course imports it first (not numpy.random: its state would be shared)
from ipykernel.kernelapp import IPKernelApp  # noqa: E402

LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin  # argv[0] of `python -m ipykernel_launcher`

LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
CLONE_NEWNS, CLONE_NEWPID = 0x00020000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
NAMESPACES = ("cgroup", "ipc", "uts", "net", "mnt")  # mnt last: it changes what the paths name
RLIMITS = {"cpu": resource.RLIMIT_CPU, "as": resource.RLIMIT_AS, "nproc": resource.RLIMIT_NPROC,
           "fsize": resource.RLIMIT_FSIZE, "core": resource.RLIMIT_CORE}


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _die_with_parent():
    _check(LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "die with the parent")


def _mount(source, target, fstype, flags):
    _check(LIBC.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags, None),
           f"mount {target}")


def _setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        _check(LIBC.setns(fd, 0), f"setns {path}")
    finally:
        os.close(fd)


def _init(request):
    """PID 1 of the kernel's own PID namespace: join the sandbox, fork the kernel, wait for it."""
    _die_with_parent()
    for procs in request["cgroup_procs"]:
        with open(procs, "w") as f:
            f.write("0")  # this process, and the kernel after it
    for name in NAMESPACES:
        _setns(f"/proc/{request['holder']}/ns/{name}")
    _check(LIBC.unshare(CLONE_NEWNS), "unshare the mounts")  # for a /proc of this PID namespace
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.chdir(request["work"])
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    kernel = os.fork()
    if kernel == 0:
        try:
            _kernel(request)
        finally:
            os._exit(1)
    os._exit(_exit_code(os.waitpid(kernel, 0)[1]))


def _kernel(request):
    """The kernel: a session of its own, its limits, no privilege, then IPKernelApp."""
    os.setsid()
    for name, (soft, hard) in request["rlimits"].items():
        resource.setrlimit(RLIMITS[name], (soft, hard))
    with open("/proc/sys/kernel/cap_last_cap") as f:
        last_cap = int(f.read())
    for cap in range(last_cap + 1):
        _check(LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "drop the capability bounding set")
    uid = request["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # all of root's capabilities go with it
    _check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no new privileges")
    os.environ.clear()
    os.environ.update(request["env"])
    for name in HIDDEN:
        del sys.modules[name]  # the sandbox's own mounts hide them from here on
    sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", closefd=False)
    sys.stdin = sys.__stdin__ = open(0, closefd=False)
    sys.argv = [LAUNCHER, "-f", request["connection_file"], *request["arguments"]]
    sys.path.insert(0, request["work"])  # as `python -m` puts its working folder first
    IPKernelApp.launch_instance()


def _answer(**fields):
    os.write(1, (json.dumps(fields) + "\n").encode())  # one write: the line arrives whole


def _child(line):
    """Outside the sandbox: fork the kernel into it, answer with its pid (exactly one line, an
    error's if it could not), wait for it, record how it ended."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the zygote ignores it; this process waits
    try:
        _die_with_parent()
        request = json.loads(line)
        status = os.open(request["status"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        _check(LIBC.unshare(CLONE_NEWPID), "unshare the PIDs")  # the kernel's own: its children's
        pid = os.fork()
    except BaseException as err:
        _answer(error=f"{type(err).__name__}: {err}")
        return
    if pid == 0:
        try:
            _init(request)
        finally:
            os._exit(1)
    _answer(pid=pid)
    os.write(status, str(_exit_code(os.waitpid(pid, 0)[1])).encode())


def _exit_code(how):
    """A wait status as a shell (and bubblewrap) reports it: 128 + the signal that killed it."""
    return 128 + os.WTERMSIG(how) if os.WIFSIGNALED(how) else os.WEXITSTATUS(how)


def main():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reaped as they end
    for line in sys.stdin:
        if os.fork() == 0:
            try:
                os.close(0)
                _child(line)
            finally:
                os._exit(0)
    os._exit(0)  # nothing to clean up: no teardown of numpy and ipykernel for the grader to wait for


if __name__ == "__main__":
    main()
