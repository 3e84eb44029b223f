"""What a check sends the grader while a notebook is graded: the values it was given, as data.

``nncourse grade`` runs every notebook with ``NNCOURSE_OBSERVE`` set in the kernel's
environment: ``student`` for a submission, ``reference`` for the clean run of the source that
supplies the expected values. The checks of ``nnref.checks`` then decide nothing in the
kernel: each one reports an observation, a cell's observations are published together when
it ends (a display message of type ``MIME``, a list of them), and the grader compares, outside
the kernel (autograder/observations.py).

Values travel as JSON and as numpy's ``.npy`` bytes (base64) read back with
``allow_pickle=False``: nothing that runs code when it is read.
"""
import base64
import io
import os

import numpy as np

MIME = "application/vnd.nncourse.observation+json"
GUARDED_MIME = "application/vnd.nncourse.guarded+json"  # the reference run's without_reference targets
MODE_VARIABLE = "NNCOURSE_OBSERVE"
MAX_ITEMS = 10_000  # a value with more parts than this arrives as "too large"


def mode():
    """``student``, ``reference``, ``self`` (`nncourse validate`: the checks decide in the kernel
    as in a plain one, and report what they were given too), or None in a plain kernel
    (JupyterLab, stock nbgrader)."""
    value = os.environ.get(MODE_VARIABLE)
    return value if value in ("student", "reference", "self") else None


def report(kind, got, expected=None, shallow=False, **declared):
    """Publish one observation; ``declared`` (what, cause, tolerances) only in the reference run;
    ``shallow``: arrays by their dtype and shape only (a structure check needs no more). In a
    kernel, a cell's observations go out together when the cell ends, however it ends (``send``)."""
    payload = {"kind": kind, "got": encode(got, shallow=shallow), "expected": encode(expected, shallow=shallow)}
    if mode() == "reference":
        payload.update(declared=declared)
    _PENDING.append(payload)
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None:  # no cell to wait for
        send()
    elif send not in shell.events.callbacks["post_execute"]:
        shell.events.register("post_execute", send)


_PENDING = []  # the running cell's observations, not sent yet


def send():
    """Publish the observations reported since the last call as one message (a list of them):
    a test cell's dozens of checks cost the kernel and the grader one message, not one each.
    IPython calls it when a cell ends (``post_execute``, even after an error): only a cell that
    ran to its end is judged, so the observations of a cell stopped midway need not travel."""
    from IPython.display import display
    if _PENDING:
        batch = list(_PENDING)
        _PENDING.clear()
        display({MIME: batch}, raw=True)


def report_guarded(names):
    """Publish the "module:qualname" of nnref's functions a test withholds (without_reference)."""
    from IPython.display import display
    display({GUARDED_MIME: {"names": list(names)}}, raw=True)


class Opaque:
    """A value that is not numbers, strings or containers of them: only its type travels."""

    def __init__(self, type_name):
        # a name the kernel sent: a message shows it, so it carries no more than a name could
        self.type_name = "".join(ch for ch in str(type_name) if ch.isalnum() or ch in "_. ")[:40]

    def __repr__(self):
        return f"<a {self.type_name}>"


class ArrayInfo:
    """An array sent by its dtype and shape only (``encode(..., shallow=True)``)."""

    def __init__(self, dtype, shape):
        self.dtype, self.shape = np.dtype(dtype), tuple(shape)

    def __repr__(self):
        return f"<an array of {self.dtype.name}, shape {self.shape}>"


def encode(value, budget=None, shallow=False):
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        return {"opaque": "value too large to report"}
    if isinstance(value, np.generic):
        pass  # numpy scalars (np.float64 is a float) keep their dtype: sent as .npy below
    elif value is None or type(value) in (bool, int, str):
        return {"json": value if type(value) is not int or abs(value) < 2 ** 53 else float(value)}
    elif type(value) is float:
        return {"float": repr(value)}
    elif isinstance(value, (list, tuple)):
        return {"tuple" if isinstance(value, tuple) else "list": [encode(v, budget, shallow) for v in value]}
    elif isinstance(value, dict):
        return {"dict": [[encode(k, budget), encode(v, budget, shallow)] for k, v in value.items()]}
    try:
        array = np.asarray(value)
    except Exception:  # a student's object whose __array__ raises
        array = None
    if array is None or array.dtype.hasobject or array.dtype.kind not in "biufcUS":
        return {"opaque": type(value).__name__}
    if shallow and isinstance(value, np.ndarray):
        return {"array_info": [array.dtype.str, [int(n) for n in array.shape]]}
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    key = "npy" if isinstance(value, np.ndarray) else "scalar"
    return {key: base64.b64encode(buffer.getvalue()).decode("ascii")}


def decode(data, depth=0):
    """The value ``encode`` sent; Opaque for what it could not. Never runs code from the data."""
    if not isinstance(data, dict) or len(data) != 1 or depth > 50:
        return Opaque("malformed observation")
    (key, value), = data.items()
    if key == "json" and (value is None or isinstance(value, (bool, int, float, str))):
        return value
    if key == "float" and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return Opaque("malformed number")
    if key in ("list", "tuple") and isinstance(value, list):
        items = [decode(v, depth + 1) for v in value]
        return items if key == "list" else tuple(items)
    if key == "dict" and isinstance(value, list):
        pairs = [(decode(p[0], depth + 1), decode(p[1], depth + 1)) for p in value
                 if isinstance(p, list) and len(p) == 2]
        try:
            return dict(pairs)
        except TypeError:
            return Opaque("dict with unhashable keys")
    if key in ("npy", "scalar") and isinstance(value, str):
        try:
            array = np.load(io.BytesIO(base64.b64decode(value)), allow_pickle=False)
        except Exception:
            return Opaque("malformed array")
        return array if key == "npy" else array[()]
    if key == "array_info" and isinstance(value, list) and len(value) == 2:
        try:
            dtype, shape = np.dtype(str(value[0])), tuple(int(n) for n in value[1])
        except (TypeError, ValueError):
            return Opaque("malformed array")
        return ArrayInfo(dtype, shape) if not dtype.hasobject else Opaque("malformed array")
    if key == "opaque":
        return Opaque(str(value))
    return Opaque("malformed observation")
