"""Warnings in a test cell are listed on stdout at the end of the cell, never on stderr.

Stock nbgrader gives a test cell no points when its output has anything on stderr, which is
where Python prints warnings: a correct answer that overflows harmlessly (the textbook
sigmoid at -1000 warns, and still returns 0.0) would lose its points there. Every test cell
therefore starts with ``note_warnings()``; the student still reads what was raised.
"""
import warnings
from collections import Counter

_active = {}  # the IPython shell of the cell being noted -> its collector


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def note_warnings():
    """Until the running cell ends, collect its warnings instead of printing them on stderr;
    then print each distinct one, with its count, on stdout. Outside IPython: nothing."""
    shell = _shell()
    if shell is None or shell in _active:
        return
    catcher = warnings.catch_warnings()
    catcher.__enter__()
    seen = Counter()
    warnings.simplefilter("always")
    warnings.showwarning = lambda message, category, *rest, **kw: seen.update(
        [f"{category.__name__}: {message}"])

    def report(result=None):
        shell.events.unregister("post_run_cell", report)
        del _active[shell]
        catcher.__exit__(None, None, None)
        if seen:
            print(f"Note: your code raised {sum(seen.values())} warning(s) in this cell; "
                  "a warning is not a failure, but it often points at an overflow or a nan:")
            for line, count in seen.items():
                print(f"  {line}" + (f"  (x{count})" if count > 1 else ""))

    _active[shell] = report
    shell.events.register("post_run_cell", report)
