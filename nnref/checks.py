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

__all__ = ["check_close", "check_shape", "check_equal", "check_rel_error",
           "check_true", "without_reference", "note_warnings", "rel_error", "verdict"]


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
    with np.printoptions(precision=6, suppress=True, threshold=20, edgeitems=3):
        text = repr(np.asarray(x)) if not np.isscalar(x) else repr(x)
    return text if len(text) < 400 else text[:400] + " ..."


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


def _true_rule(condition, expected, what, cause=""):
    try:
        holds = bool(condition)
    except Exception:  # an array's truth value is ambiguous: so it is in the kernel
        holds = False
    if not holds:
        raise AssertionError(f"{what}\nUsual cause: {cause}" if cause else what)


# final_model: homework 09's final model, its accuracy on the MNIST test set (the grader's own)
RULES = {"shape": _shape_rule, "close": _close_rule, "rel_error": _rel_error_rule,
         "equal": _equal_rule, "true": _true_rule, "final_model": final_model_rule}


def verdict(kind, got, expected, declared):
    """The message of a failed check, or None when it passes; the grader's call, outside the
    kernel. ``declared``: the check's what, cause and tolerances (from the reference run)."""
    rule = RULES[kind]
    try:
        rule(got, expected, **declared)
    except AssertionError as failure:
        return str(failure)
    return None


def _check(kind, got, expected, what, cause, **tolerances):
    if observations.mode():
        observations.report(kind, got, expected, what=what, cause=cause, **tolerances)
    if observations.mode() in (None, "self"):
        RULES[kind](got, expected, what, cause, **tolerances)


def check_shape(got, shape, what, cause=""):
    """Fail unless ``got`` (an array) has exactly ``shape``."""
    _check("shape", got, None if shape is None else tuple(shape), what, cause)


def check_close(got, expected, what, cause="", rtol=1e-6, atol=1e-8):
    """Fail unless ``got`` has ``expected``'s shape and matches it within rtol/atol."""
    _check("close", got, expected, what, cause, rtol=rtol, atol=atol)


def check_rel_error(got, expected, what, tol=1e-7, cause=""):
    """Fail unless the relative error between ``got`` and ``expected`` is at most ``tol``."""
    _check("rel_error", got, expected, what, cause, tol=tol)


def check_equal(got, expected, what, cause=""):
    """Fail unless ``got == expected`` exactly (numbers, strings, tuples or integer arrays)."""
    _check("equal", got, expected, what, cause)


def check_true(condition, what, cause=""):
    """Fail with a teaching message unless ``condition`` holds."""
    _check("true", condition, None, what, cause)


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


def _stub_code(original, name):
    stub = _STUBS.get(original.__code__.co_freevars)
    if stub is None:
        raise TypeError(f"cannot guard {name}: it is a closure over "
                        f"{original.__code__.co_freevars}")
    message = (f"your answer calls {name}, nnref's reference implementation of this "
               f"exercise. Write it yourself with numpy: that is the exercise, and an "
               f"answer that calls the reference earns no points.")
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
