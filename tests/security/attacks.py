"""The hostile students of the security suite: one class of attack each (issue #12's list).

Each attack is a code cell put into an otherwise honest submission (relative_error right,
add_bias wrong, so it has solved 2 of 5 points). It tries everything of its class and prints
one line ``ATTACK {json}`` saying what succeeded; the suite asserts nothing did, and checks the
files, processes and grades from outside. ``T`` holds the absolute paths the attacker is
assumed to know (the worst case: it has read the course's repository).
"""
import json

PRELUDE = '''
import json, os, signal, socket, subprocess, sys, time
T = json.loads({targets!r})
won = []
def attempt(what, action):
    try:
        action()
        won.append(what)
    except BaseException as err:  # a failed attempt is the expected outcome
        pass
'''

REPORT = '\nprint("ATTACK " + json.dumps(won))\n'

ATTACKS = {
    # read the hidden tests, classmates' work and the grades
    "snoop": '''
def read(path):
    with open(path, "rb") as f:
        f.read(1)
for path in [T["source_notebook"], T["grades_csv"], T["gradebook"], T["classmate_submitted"],
             T["classmate_inbox"], T["classmate_graded"]]:
    attempt("read " + path, lambda path=path: read(path))
here = os.path.abspath(".")
while here != "/":  # from the kernel's folder upwards
    here = os.path.dirname(here)
    attempt("found source/ above " + here, lambda here=here: os.listdir(os.path.join(here, "source")) or 1 / 0)
import nnref
repo = os.path.dirname(os.path.dirname(nnref.__file__))
attempt("listed source/ beside nnref", lambda: os.listdir(os.path.join(repo, "source")) or 1 / 0)
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for link in ("cwd", "root"):
            attempt("/proc/%s/%s reaches the course" % (pid, link),
                    lambda pid=pid, link=link: read(os.path.join("/proc", pid, link) + T["source_notebook"]))
        attempt("/proc/%s/environ" % pid, lambda pid=pid: read("/proc/%s/environ" % pid)
                if int(pid) != os.getpid() else 1 / 0)
''',
    # change classmates' work, the grades, nnref, the course
    "tamper": '''
def append(path, text="\\n# tampered\\n"):
    with open(path, "a") as f:
        f.write(text)
for path in [T["grades_csv"], T["gradebook"], T["classmate_submitted"], T["classmate_inbox"],
             T["source_notebook"], T["canary"]]:
    attempt("wrote " + path, lambda path=path: append(path))
attempt("planted a module for a classmate", lambda: append(os.path.join(T["classmate_graded_dir"], "numpy.py")))
import nnref.checks
attempt("edited nnref", lambda: append(nnref.checks.__file__, "\\ncheck_close = lambda *a, **k: None\\n"))
attempt("edited the venv", lambda: append(os.path.join(os.path.dirname(os.__file__), "site.py")))
''',
    # leave processes behind that change grades later
    "linger": '''
code = "import time\\ntime.sleep(4)\\nopen(%r, 'a').write('late')\\ntime.sleep(600)" % T["grades_csv"]
subprocess.Popen([sys.executable, "-c", code, T["token"]], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:  # a daemon, double-forked away from the kernel
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", code, T["token"]])
    os._exit(0)
''',
    # symlinks where the grader writes, pointing where the hidden tests should not go
    "links": '''
for name in ["00_fixture.ipynb", "00_fixture.html", "feedback", "autograded", "grades.csv"]:
    attempt("linked " + name, lambda name=name: os.symlink(T["canary_target"], name) or 1 / 0)
attempt("linked into the workspace", lambda: os.symlink(T["canary_target"], os.path.join(T["classmate_graded_dir"], "x")))
''',
    # kill the grader: its parent, its group, everything
    "killer": '''
attempt("signalled the parent", lambda: os.kill(os.getppid(), signal.SIGKILL))
attempt("signalled the grader by pid", lambda: os.kill(T["grader_pid"], signal.SIGKILL) if T["grader_pid"] in
        [int(p) for p in os.listdir("/proc") if p.isdigit()] else 1 / 0)
attempt("signalled everything", lambda: os.kill(-1, signal.SIGTERM))
''',
    "memory": '''
attempt("allocated 64 GiB", lambda: bytearray(64 << 30))
import numpy as np
attempt("allocated 32 GiB of float64", lambda: np.ones(4 << 30))
''',
    "disk": '''
def fill(folder):
    chunk, written = b"x" * (16 << 20), 0
    try:
        for i in range(400):
            with open(os.path.join(folder, "fill%d" % i), "wb") as f:
                for _ in range(8):
                    f.write(chunk)
                    written += len(chunk)
    except OSError:
        pass
    for name in os.listdir(folder):
        if name.startswith("fill"):
            os.remove(os.path.join(folder, name))
    if written > T["disk_bound"]:
        won.append("wrote %d bytes into %s" % (written, folder))
fill(".")
fill("/tmp")
''',
    "output": "",  # its flood comes after the report (FLOODS), which would be truncated with it
    "network": '''
def connect():
    with socket.create_connection(("127.0.0.1", T["port"]), timeout=3):
        pass
attempt("connected to the grader's machine", connect)
''',
    "forkbomb": '''
children = 0
try:
    for _ in range(3000):
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError:
    pass
if children >= 3000:
    won.append("started %d processes" % children)
''',
}


# store tens of megabytes of output in the notebook
FLOODS = {"output": '''
for _ in range(40):
    print("y" * (1 << 20))
'''}


def cell(kind, targets):
    """The attack cell's source."""
    return PRELUDE.format(targets=json.dumps(targets)) + ATTACKS[kind] + REPORT + FLOODS.get(kind, "")


def report(notebook):
    """What the attack cell said succeeded, or None when it printed no report."""
    for c in notebook.cells:
        for out in c.get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith("ATTACK "):
                    return json.loads(line[len("ATTACK "):])
    return None
