"""Kernels forked into their sandboxes instead of started from scratch (as root, with a control group).

A kernel started from scratch spends about 0.3 CPU seconds importing ipykernel and numpy, and
a notebook needs two kernels (its own and its audit's). So the grader keeps, per kernel
environment, a zygote (autograder/zygote.py) that imported them once, and each sandbox is made
by bubblewrap as before (the same mounts, namespaces, user id and control group) around a
holder process that only waits (sandbox.command's ``ready``); the zygote then forks the kernel
into the holder's namespaces and control group, where it drops to the sandbox's user id
(autograder/zygote.py says how). The kernel manager handles the forked kernel through
``ForkedKernel`` (the kernel's first process, whose end is the kernel's), which looks to it like
the process it started.
"""
import atexit
import json
import os
import select
import signal
import subprocess
import threading
import time
from pathlib import Path

ZYGOTE = Path(__file__).with_name("zygote.py")
READY_SECONDS = 60  # for the sandbox's holder to be up on a busy machine
ANSWER_SECONDS = 60  # for the zygote to fork a kernel


class ForkServer:
    """One zygote, started with a kernel's environment; ``fork`` is safe from any thread."""

    def __init__(self, python, env, hidden):
        self._lock = threading.Lock()
        self.process = subprocess.Popen([python, str(ZYGOTE), *hidden], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env, cwd="/", text=True, start_new_session=True)

    def alive(self):
        return self.process.poll() is None

    def fork(self, request):
        """The pid of a kernel forked as ``request`` says (autograder/zygote.py)."""
        with self._lock:
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
                if not select.select([self.process.stdout], [], [], ANSWER_SECONDS)[0]:
                    self.process.kill()  # a zygote that does not answer is not asked again
                    raise RuntimeError(f"the kernels' fork server did not answer in {ANSWER_SECONDS} s")
                answer = self.process.stdout.readline()
            except OSError as err:
                raise RuntimeError(f"the kernels' fork server is gone ({err})") from None
        if not answer:
            raise RuntimeError(f"the kernels' fork server is gone (exit status {self.process.poll()})")
        answer = json.loads(answer)
        if "error" in answer:
            raise RuntimeError(f"the kernel could not be forked into its sandbox: {answer['error']}")
        return answer["pid"]

    def close(self):
        try:
            self.process.stdin.close()  # its end of input: it exits
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


_SERVERS = {}
_SERVERS_LOCK = threading.Lock()


def server(python, env, hidden):
    """This process's zygote for kernels of ``env``, which never imports the ``hidden`` packages
    (started at the first kernel)."""
    key = (python, tuple(sorted(env.items())), tuple(hidden))
    with _SERVERS_LOCK:
        if key not in _SERVERS or not _SERVERS[key].alive():
            _SERVERS[key] = ForkServer(python, env, hidden)
        return _SERVERS[key]


@atexit.register
def close_servers():
    with _SERVERS_LOCK:
        while _SERVERS:
            _SERVERS.popitem()[1].close()


def wait_ready(holder, ready, group):
    """The pid of a process inside the sandbox whose holder is ``holder`` (a Popen of bwrap),
    once it has marked ``ready``."""
    deadline = time.monotonic() + READY_SECONDS
    own = os.readlink("/proc/self/ns/mnt")
    while time.monotonic() < deadline:
        if holder.poll() is not None:
            raise RuntimeError(f"the sandbox ended before its kernel started (exit status {holder.returncode})")
        if ready.exists():
            for pid in reversed(group.processes()):
                try:
                    if os.readlink(f"/proc/{pid}/ns/mnt") != own:
                        return pid
                except OSError:
                    continue
        time.sleep(0.005)
    raise RuntimeError(f"the sandbox was not ready in {READY_SECONDS} s")


class ForkedKernel:
    """A forked kernel as jupyter_client's provisioner handles its Popen: its exit status is the
    one the zygote's waiting process writes to ``status`` (128 + the signal that killed it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid, status):
        self.pid, self.status, self.returncode = pid, Path(status), None
        self._start = _start_time(pid)

    def poll(self):
        if self.returncode is None:
            try:
                text = self.status.read_text()
            except OSError:
                text = ""
            if text:
                self.returncode = int(text)
            elif self._start is None or _start_time(self.pid) != self._start:
                self.returncode = self._status_of_the_gone()
        return self.returncode

    def _status_of_the_gone(self):
        """Its waiter writes the status just after reaping it; none for a while: the waiter was
        killed with it (the sandbox's end)."""
        for _ in range(25):
            time.sleep(0.02)
            try:
                return int(self.status.read_text())
            except (OSError, ValueError):
                continue
        return 128 + signal.SIGKILL

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum):
        if self.poll() is None:  # never a process that took its pid after it
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def _start_time(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None
