"""Checks that the notebooks' test cells use, written so that a failure teaches.

Every failure is an ``AssertionError`` whose message says what was expected, what came
out, and the usual cause, e.g.::

    check_close(out, expected, "affine_forward output",
                cause="did you add the bias b to every row?")

``without_reference`` makes sure an exercise was answered by the student's own code and
not by a call to nnref's implementation of the same thing.

While ``nncourse grade`` runs a notebook, a check decides nothing in the kernel: it reports
the value it was given (nnref/observations.py) and the grader applies the same rule
(``verdict``) outside the kernel, to the expected value of a clean run of the source.
"""
from contextlib import contextmanager

import numpy as np

from . import observations
from .cell_warnings import note_warnings
from .homework import final_model_rule

__all__ = ["check_close", "check_shape", "check_equal", "check_rel_error", "check_structure",
           "check_same", "check_differ", "check_at_most", "without_reference",
           "note_warnings", "rel_error", "verdict", "STATISTICS"]


def rel_error(a, b):
    """Largest relative error max|a - b| / max(1e-8, |a| + |b|), elementwise."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def _fail(what, expected, got, cause, detail=""):
    lines = [f"{what}: expected {expected}", f"  but got {got}"]
    if detail:
        lines.append(f"  ({detail})")
    if cause:
        lines.append(f"Usual cause: {cause}")
    raise AssertionError("\n".join(lines))


def _show(x):
    """A value as a message quotes it: a few numbers, rounded; a string's beginning. A message
    about a graded notebook reaches its student's feedback, so a value may not carry much of
    what the notebook's code could put into it (a hidden test's source)."""
    if x is None:
        return "None"
    if isinstance(x, (str, bytes)):
        return repr(x) if len(x) <= 24 else f"{x[:24]!r}... ({len(x)} characters)"
    try:
        array = np.asarray(x)
    except Exception:  # an object whose __array__ raises
        array = np.asarray(None)
    if array.dtype.kind not in "biufc":  # strings, dicts, objects: their kind and size only
        n = len(x) if hasattr(x, "__len__") and not isinstance(x, np.ndarray) else None
        size = "" if n is None else f" of {n} item{'' if n == 1 else 's'}"
        return f"<a {type(x).__name__}{size}>"
    if array.ndim == 0 and not isinstance(x, (bool, np.bool_)):
        return f"{array.item():.6g}"
    with np.printoptions(precision=4, suppress=True, threshold=8, edgeitems=2):
        text = repr(array)
    return text if len(text) < 200 else text[:200] + " ..."


def _as_array(got, what):
    if got is None:
        _fail(what, "an array", "None", "the function has no `return` statement, "
              "or returns before the end.")
    if isinstance(got, tuple) and len(got) in (2, 3):
        _fail(what, "an array", f"a tuple of {len(got)} items",
              "return only the requested array here (or unpack `out, cache = ...`).")
    try:
        return np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        _fail(what, "an array of numbers", f"{type(got).__name__}", "return a numpy array.")


def _shape_rule(got, shape, what, cause=""):
    arr = _as_array(got, what)
    if arr.shape != tuple(shape):
        _fail(f"{what} shape", tuple(shape), arr.shape,
              cause or "a transposed matrix, a missing reshape, or a sum over the wrong axis.")


def _close_rule(got, expected, what, cause="", rtol=1e-6, atol=1e-8):
    expected = np.asarray(expected, dtype=np.float64)
    _shape_rule(got, expected.shape, what, cause)
    arr = _as_array(got, what)
    if not np.all(np.isfinite(arr)) and np.all(np.isfinite(expected)):
        _fail(what, "finite numbers", _show(arr), cause or
              "overflow: exp() of a large number, or a division by zero / log of zero.")
    bad = ~np.isclose(arr, expected, rtol=rtol, atol=atol)
    if bad.any():
        diff = np.abs(arr - expected)
        where = np.unravel_index(int(np.argmax(np.where(bad, diff, -1))), arr.shape) if arr.ndim else ()
        _fail(what, _show(expected), _show(arr), cause,
              f"{int(bad.sum())} of {arr.size} entries differ; the largest difference is "
              f"{float(diff[where]):.3g} at index {tuple(int(i) for i in where)}")


def _rel_error_rule(got, expected, what, cause="", tol=1e-7):
    expected = np.asarray(expected, dtype=np.float64)
    _shape_rule(got, expected.shape, what, cause)
    err = rel_error(_as_array(got, what), expected)
    if not err <= tol:
        _fail(what, f"relative error <= {tol:g} against the reference",
              f"relative error {err:.3g}", cause, f"expected {_show(expected)}, got {_show(got)}")


def _equal_rule(got, expected, what, cause=""):
    if isinstance(expected, np.ndarray) or isinstance(got, np.ndarray):
        ok = np.shape(got) == np.shape(expected) and np.array_equal(got, expected)
    else:
        ok = got == expected
    if not ok:
        _fail(what, _show(expected), _show(got), cause)


def _kind(value):
    """A value's kind as a message names it: containers with their sizes, arrays with their dtype."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return "a bool"
    if isinstance(value, (np.ndarray, observations.ArrayInfo)):
        return f"an array of {np.dtype(value.dtype).name}"
    if isinstance(value, (int, np.integer)):
        return "an integer"
    if isinstance(value, float) and not isinstance(value, np.floating) or isinstance(value, np.float64):
        return "a float"
    if isinstance(value, np.generic):
        return f"a {value.dtype.name} number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (tuple, list, dict)):
        n = len(value)
        return f"a {type(value).__name__} of {n} item{'' if n == 1 else 's'}"
    return f"a {getattr(value, 'type_name', type(value).__name__)}"


def _keys(mapping):
    return sorted(str(k) for k in mapping)


def _show_keys(keys):
    shown = [k[:24] for k in keys[:12]]
    return f"the keys {shown}" + (f" and {len(keys) - 12} more" if len(keys) > 12 else "")


def _structure_difference(got, like, depth, where=""):
    """(where, expected, got) of the first way ``got``'s structure differs from ``like``'s, or None."""
    sequences = (tuple, list)
    if isinstance(like, sequences) and isinstance(got, sequences):
        if len(got) != len(like):
            return where, _kind(like), _kind(got)
        items = zip(got, like) if depth != 1 else ()
        return next((d for i, (g, k) in enumerate(items)
                     if (d := _structure_difference(g, k, depth and depth - 1, f"{where}[{i}]"))), None)
    if isinstance(like, dict) and isinstance(got, dict):
        if _keys(got) != _keys(like) or len(got) != len(like):
            # the student's own key names are not quoted: only which expected ones are missing
            missing = sorted(set(_keys(like)) - set(_keys(got)))
            extra = len(set(_keys(got)) - set(_keys(like)))
            found = [f"{len(got)} keys"] + ([f"without {_show_keys(missing)[9:]}"] if missing else []) + (
                [f"with {extra} key{'s' if extra > 1 else ''} not asked for"] if extra else [])
            return where, _show_keys(_keys(like)), ", ".join(found)
        by_name = {str(k): v for k, v in got.items()}
        items = like.items() if depth != 1 else ()
        return next((d for k, v in items
                     if (d := _structure_difference(by_name[str(k)], v, depth and depth - 1, f"{where}[{k!r}]"))), None)
    return None if _kind(got) == _kind(like) else (where, _kind(like), _kind(got))


def _structure_rule(got, like, what, cause="", depth=None):
    """``got`` is made like ``like``: the same containers (a tuple and a list alike) with as many
    items, dicts with the same keys, arrays of the same dtype and numbers of the same kind (a
    Python float and a float64 alike), down to ``depth`` levels (None: all the way). Shapes are
    check_shape's."""
    difference = _structure_difference(got, like, depth)
    if difference:
        where, expected, found = difference
        _fail(f"{what}{' ' + where if where else ''}", expected, found, cause)


def _same_rule(got, expected, what, cause="", rtol=0.0, atol=0.0):
    first, second = got
    try:
        _close_rule(second, first, what, cause, rtol=rtol, atol=atol)
    except AssertionError:
        _fail(what, "the same values twice", f"{_show(first)}, then {_show(second)}", cause)


def _differ_rule(got, expected, what, cause=""):
    first, second = got
    if np.shape(first) == np.shape(second) and np.array_equal(np.asarray(first), np.asarray(second)):
        _fail(what, "two different values", f"the same twice: {_show(first)}", cause)


def _at_most_rule(got, bound, what, cause=""):
    value = float(np.asarray(got, dtype=np.float64))
    if not value <= float(bound):
        _fail(what, f"at most {float(bound):.4g}", f"{value:.4g}", cause)


def _standardized_fourth_moment(x):
    x = np.asarray(x, dtype=np.float64)
    return float(np.mean(((x - x.mean()) / x.std()) ** 4))


def _tail_over_head(x):
    x = np.asarray(x, dtype=np.float64).ravel()
    fifth = max(1, len(x) // 5)
    return float(x[-fifth:].mean() / x[:fifth].mean())


# What a check may compare instead of the value itself (``of=``): computed by the grader from
# the raw value the kernel reported, never in the kernel.
STATISTICS = {
    "mean": lambda x: float(np.mean(np.asarray(x, dtype=np.float64))),
    "mean of each column": lambda x: np.mean(np.asarray(x, dtype=np.float64), axis=0),
    "std": lambda x: float(np.std(np.asarray(x, dtype=np.float64))),
    "mean of |x|": lambda x: float(np.mean(np.abs(np.asarray(x, dtype=np.float64)))),
    "share of nonzero entries": lambda x: float(np.mean(np.asarray(x) != 0)),
    "distinct values": lambda x: np.unique(np.round(np.asarray(x, dtype=np.float64), 9)),
    "share beyond 2 std": lambda x: float(np.mean(np.abs(np.asarray(x, dtype=np.float64))
                                                  > 2 * np.std(np.asarray(x, dtype=np.float64)))),
    "standardized fourth moment": _standardized_fourth_moment,
    "last fifth's mean / first fifth's mean": _tail_over_head,
    "share of entries other than 0 and 1": lambda x: float(np.mean(~np.isin(np.asarray(x), (0, 1)))),
    "row sums": lambda x: np.sum(np.asarray(x, dtype=np.float64), axis=-1),
}

# final_model: homework 09's final model, its accuracy on the MNIST test set (the grader's own)
RULES = {"shape": _shape_rule, "close": _close_rule, "rel_error": _rel_error_rule,
         "equal": _equal_rule, "structure": _structure_rule, "same": _same_rule,
         "differ": _differ_rule, "at_most": _at_most_rule, "final_model": final_model_rule}


def _decide(rule, got, expected, declared):
    declared = dict(declared)
    of = declared.pop("of", None)
    if of is not None:
        got = STATISTICS[of](_as_array(got, declared.get("what", "the value")))
    rule(got, expected, **declared)


def verdict(kind, got, expected, declared):
    """The message of a failed check, or None when it passes; the grader's call, outside the
    kernel. ``declared``: the check's what, cause and tolerances (from the reference run)."""
    rule = RULES[kind]
    try:
        _decide(rule, got, expected, declared)
    except AssertionError as failure:
        return str(failure)
    return None


def _check(kind, got, expected, what, cause, shallow=False, **tolerances):
    if observations.mode():
        observations.report(kind, got, expected, shallow=shallow, what=what, cause=cause, **tolerances)
    if observations.mode() in (None, "self"):
        _decide(RULES[kind], got, expected, dict(what=what, cause=cause, **tolerances))


def check_shape(got, shape, what, cause=""):
    """Fail unless ``got`` (an array) has exactly ``shape``."""
    _check("shape", got, None if shape is None else tuple(shape), what, cause)


def check_close(got, expected, what, cause="", rtol=1e-6, atol=1e-8, of=None):
    """Fail unless ``got`` has ``expected``'s shape and matches it within rtol/atol; with ``of``
    (a name in STATISTICS, e.g. "std"), that statistic of ``got`` instead of ``got`` itself."""
    if of is None:
        _check("close", got, expected, what, cause, rtol=rtol, atol=atol)
    else:
        _check("close", got, expected, what, cause, rtol=rtol, atol=atol, of=_statistic(of))


def _statistic(name):
    if name not in STATISTICS:
        raise ValueError(f"of={name!r} is not a statistic the grader knows: use one of {sorted(STATISTICS)}")
    return name


def check_rel_error(got, expected, what, tol=1e-7, cause=""):
    """Fail unless the relative error between ``got`` and ``expected`` is at most ``tol``."""
    _check("rel_error", got, expected, what, cause, tol=tol)


def check_equal(got, expected, what, cause=""):
    """Fail unless ``got == expected`` exactly (numbers, strings, tuples or integer arrays)."""
    _check("equal", got, expected, what, cause)


def check_structure(got, like, what, cause="", depth=None):
    """Fail unless ``got`` is made like ``like`` (an example the test builds: ``(x, w)`` for a
    cache, ``params`` for a dict of gradients, ``0.0`` for a Python float, a float32 array for
    a float32 result): the same containers (tuples and lists alike) with as many items, the same
    dict keys, the same dtypes and kinds of number, down to ``depth`` levels (None: all)."""
    _check("structure", got, like, what, cause, shallow=True, depth=depth)


def check_same(first, second, what, cause="", rtol=0.0, atol=0.0):
    """Fail unless the student's two values ``first`` and ``second`` (one call made twice) agree
    within rtol/atol (exactly, by default)."""
    _check("same", (first, second), None, what, cause, rtol=rtol, atol=atol)


def check_differ(first, second, what, cause=""):
    """Fail if the student's two values ``first`` and ``second`` are equal (fresh randomness)."""
    _check("differ", (first, second), None, what, cause)


def check_at_most(got, bound, what, cause="", of=None):
    """Fail unless ``got`` (a number; with ``of``, that statistic of ``got``) is at most ``bound``."""
    if of is None:
        _check("at_most", got, bound, what, cause)
    else:
        _check("at_most", got, bound, what, cause, of=_statistic(of))


def _functions_of(target):
    if isinstance(target, type):
        return [f for f in vars(target).values() if hasattr(f, "__code__")]
    return [getattr(target, "__func__", target)]


def _plain_stub(*args, **kwargs):
    raise AssertionError("MESSAGE")


class _MethodStub:
    # A method that calls super() closes over __class__; its code can only be swapped for
    # code with the same free variable, which this stub has.
    def stub(*args, **kwargs):
        __class__  # noqa: B018
        raise AssertionError("MESSAGE")


_STUBS = {(): _plain_stub.__code__, ("__class__",): _MethodStub.stub.__code__}


def withheld_message(name):
    """What calling nnref's ``name`` (module.qualname) says inside ``without_reference``."""
    return (f"your answer calls {name}, nnref's reference implementation of this exercise. Write it "
            f"yourself with numpy: that is the exercise, and an answer that calls the reference earns "
            f"no points.")


def _stub_code(original, name):
    stub = _STUBS.get(original.__code__.co_freevars)
    if stub is None:
        raise TypeError(f"cannot guard {name}: it is a closure over "
                        f"{original.__code__.co_freevars}")
    message = withheld_message(name)
    consts = tuple(message if c == "MESSAGE" else c for c in stub.co_consts)
    return stub.replace(co_consts=consts, co_name=original.__code__.co_name)


@contextmanager
def without_reference(*targets):
    """Inside the block, calling any of nnref's ``targets`` raises an AssertionError.

    ``targets`` are functions or classes (every method of a class). The functions' code is
    swapped rather than the module attribute, so ``from nnref.layers import affine_forward``
    done earlier by the student is caught too. Everything is restored on exit.
    """
    if observations.mode() == "reference":  # what the grader withholds when it audits answers
        observations.report_guarded([f"{t.__module__}:{t.__qualname__}" for t in targets])
    saved = []
    try:
        for target in targets:
            name = f"{target.__module__}.{target.__qualname__}"
            for func in _functions_of(target):
                saved.append((func, func.__code__))
                func.__code__ = _stub_code(func, name)
        yield
    finally:
        # newest first: a function guarded twice gets its real code back, not the stub
        for func, code in reversed(saved):
            func.__code__ = code
