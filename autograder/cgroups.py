"""One control group per sandbox: its CPU time, processes and memory counted and limited together.

A limit per process (RLIMIT_CPU, RLIMIT_NPROC) lets a notebook that starts many busy children
use many times its CPU time, and slow every classmate graded beside it. So each sandbox gets a
control group of its own, made by the grader (as root) under the grader's own group:

- CPU time is counted for all of the sandbox's processes together (the notebook's time limit
  is checked against this count, autograder/kernel.py);
- the sandbox may use at most its share of the cores at any moment (its BLAS threads' worth,
  the CFS quota), so however many processes it starts, classmates keep their cores;
- processes and memory are capped for the whole sandbox.

cgroup v1 (separate ``cpu``, ``cpuacct``, ``pids`` and ``memory`` hierarchies, as on the
course's Debian machines) and v2 (one unified hierarchy with those controllers enabled) are
both handled. Where neither can be used (not root, or no such hierarchy), ``Group.create``
returns None and the sandbox falls back to per-process limits (documented in
course/INSTRUCTORS.md, "The sandbox").
"""
import os
import signal
import time
from pathlib import Path

V1_CONTROLLERS = ("cpu", "cpuacct", "pids", "memory")
PERIOD_US = 100_000
STALE_SECONDS = 600  # an empty group this old was left by a grading process that was killed


def _mounts():
    """{controller: (mount point, the mount's root inside its hierarchy)}; "" for cgroup v2."""
    found = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        fields = line.split()
        fstype = fields[fields.index("-") + 1]
        root, point, options = fields[3], fields[4], fields[-1].split(",")
        if fstype == "cgroup":
            for controller in V1_CONTROLLERS:
                if controller in options:
                    found.setdefault(controller, (point, root))
        elif fstype == "cgroup2":
            found.setdefault("", (point, root))
    return found


def _own_path(controller):
    """This process's group in a hierarchy (``controller`` "" for v2), from /proc/self/cgroup."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if (controller == "" and names == "") or controller in names.split(","):
            return path
    return "/"


def _folder(controller, mount):
    point, root = mount
    own = _own_path(controller)
    inside = own[len(root):] if root != "/" and own.startswith(root) else own
    return Path(point) / inside.lstrip("/")


def _write(path, text):
    path.write_text(text)


def _sweep(parent):
    """Remove the empty groups a killed grading process left (a group with processes, or one
    made moments ago for a sandbox about to start, is kept: rmdir refuses the first)."""
    try:
        stale = [g for g in parent.iterdir() if g.is_dir() and time.time() - g.stat().st_mtime > STALE_SECONDS]
    except OSError:
        return
    for group in stale:
        try:
            group.rmdir()
        except OSError:
            pass


class Group:
    """A sandbox's control group: ``command_prefix`` puts the sandbox's first process in it."""

    def __init__(self, folders, v2):
        self.folders, self.v2 = folders, v2  # {controller: folder}; v2: one folder under ""

    @classmethod
    def create(cls, name, cpus, processes, memory_bytes):
        """A new group named ``name`` with those limits, or None where groups cannot be made here."""
        if os.geteuid() != 0:
            return None
        mounts = _mounts()
        try:
            if all(c in mounts for c in V1_CONTROLLERS):
                group = cls({c: _folder(c, mounts[c]) / "nncourse" / name for c in V1_CONTROLLERS}, v2=False)
            elif "" in mounts and {"cpu", "pids", "memory"} <= set(
                    (_folder("", mounts[""]) / "cgroup.controllers").read_text().split()):
                group = cls({"": _folder("", mounts[""]) / "nncourse" / name}, v2=True)
            else:
                return None
            group._make(cpus, processes, memory_bytes)
            return group
        except OSError:
            return None

    def _make(self, cpus, processes, memory_bytes):
        for folder in set(self.folders.values()):
            _sweep(folder.parent)
            if self.v2:  # a v2 group's controllers must be enabled in each parent
                for parent in (folder.parent.parent, folder.parent):
                    parent.mkdir(exist_ok=True)
                    _write(parent / "cgroup.subtree_control", "+cpu +pids +memory")
            folder.mkdir(parents=True, exist_ok=True)
        quota = str(int(cpus * PERIOD_US))
        if self.v2:
            folder = self.folders[""]
            _write(folder / "cpu.max", f"{quota} {PERIOD_US}")
            _write(folder / "pids.max", str(processes))
            _write(folder / "memory.max", str(memory_bytes))
        else:
            _write(self.folders["cpu"] / "cpu.cfs_period_us", str(PERIOD_US))
            _write(self.folders["cpu"] / "cpu.cfs_quota_us", quota)
            _write(self.folders["pids"] / "pids.max", str(processes))
            _write(self.folders["memory"] / "memory.limit_in_bytes", str(memory_bytes))

    def command_prefix(self):
        """argv that moves itself into the group, then runs the rest of the argv: the sandbox and
        every process it starts are in the group from their first instruction."""
        return ["/bin/sh", "-c", 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; '
                                 'shift; exec "$@"', "nncourse-cgroup", *self.procs_files(), "--"]

    def procs_files(self):
        """The files a process writes its pid to, to join the group (one per hierarchy)."""
        return [str(folder / "cgroup.procs") for folder in dict.fromkeys(self.folders.values())]

    def cpu_seconds(self):
        """CPU seconds used by every process that ever ran in the group."""
        try:
            if self.v2:
                stat = (self.folders[""] / "cpu.stat").read_text().split()
                return int(stat[stat.index("usage_usec") + 1]) / 1e6
            return int((self.folders["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            return None

    def queued_seconds(self):
        """Seconds the threads of the group's live processes spent ready to run while other
        processes held the cores (the run-queue delay of /proc/PID/task/TID/schedstat): what a
        busy machine took from a notebook that computes. Exited processes no longer count."""
        total = 0
        for pid in self.processes():
            for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
                try:
                    total += int(stat.read_text().split()[1])
                except (OSError, ValueError, IndexError):  # the thread ended while being read
                    pass
        return total / 1e9

    def processes(self):
        """The pids of the group's processes, as the machine numbers them."""
        folder = self.folders[""] if self.v2 else self.folders["pids"]
        try:
            return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def kill(self):
        """Kill every process in the group (the kernel and anything it started)."""
        if self.v2 and (self.folders[""] / "cgroup.kill").exists():
            try:
                _write(self.folders[""] / "cgroup.kill", "1")
            except OSError:
                pass
        for _ in range(50):
            procs = self.processes()
            if not procs:
                return
            for pid in procs:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self):
        self.kill()
        for folder in dict.fromkeys(self.folders.values()):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # its last processes are still exiting
                    time.sleep(0.02)
