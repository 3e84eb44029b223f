"""The tamper suite's students (issue #13): code in the notebook that bends the tests.

Each one solves relative_error (2 points), answers add_bias wrongly (3 points), and adds one
cell, right after the setup cell, that tries one class of in-kernel trick to have the wrong
answer pass. Every one of these, tried against the old engine (verdicts decided in the
kernel), earned full marks with no flag; test_tamper.py checks that none earns a point now.
"""

WRONG_ADD_BIAS = "def add_bias(x, b):\n    return x + b.mean()\n"
WRONG_RELATIVE_ERROR = "def relative_error(a, b):\n    return 0.0\n"

TAMPERS = {
    # the checks themselves: replaced in nnref.checks and in the notebook's namespace
    "patch_checks": '''
import nnref.checks
nnref.checks.check_close = check_close = lambda *args, **kwargs: None
''',
    # numpy's comparisons, which the checks call: everything is close
    "patch_numpy": '''
import numpy as np
np.isclose = lambda a, b, **kw: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
np.isfinite = lambda a: np.ones(np.shape(a), bool)
''',
    # builtins: IPython runs every cell through exec; this one skips the cells that test
    "patch_builtins": '''
import builtins
_exec = builtins.exec
def quiet_exec(code, *args, **kwargs):
    if "check_close" in getattr(code, "co_names", ()):
        return None
    return _exec(code, *args, **kwargs)
builtins.exec = quiet_exec
''',
    # sys.modules: a look-alike nnref.checks compiled under nnref's own file name, so that a
    # check of where the code comes from is fooled
    "sys_modules": '''
import sys, types, nnref.checks
fake = types.ModuleType("nnref.checks")
exec(compile("def check_close(*args, **kwargs):\\n    return None\\n", nnref.checks.__file__, "exec"), fake.__dict__)
fake.without_reference = nnref.checks.without_reference
fake.rel_error = nnref.checks.rel_error
sys.modules["nnref.checks"] = fake
nnref.checks = fake
check_close = fake.check_close
''',
    # IPython's hooks: failed checks swallowed, test cells rewritten before they run
    "ipython_hooks": '''
ip = get_ipython()
ip.set_custom_exc((AssertionError,), lambda shell, etype, value, tb, tb_offset=None: None)
ip.input_transformers_post.append(
    lambda lines: ["pass\\n"] if any("check_close(" in line for line in lines) else lines)
''',
    # observations of its own: a check that publishes what a passing check would
    "forge": '''
import nnref.checks, nnref.observations
def forged_close(got, expected, what, cause="", rtol=1e-6, atol=1e-8):
    nnref.observations.report("close", expected if expected is not None else got)
nnref.checks.check_close = check_close = forged_close
''',
}

# tricks that live in the answers themselves: {tamper: {exercise: solution cell}}
ANSWERS = {
    # the caller's frame: the hidden test's expected value sits right there (relative_error
    # this way: the visible test's answer hard-coded, the hidden one's read from the frame)
    "frame_reader": {
        "relative_error": '''import sys
def relative_error(a, b):
    return sys._getframe(1).f_locals.get("probe_expected", 0.5)
'''},
    # the source of the cells run so far (hidden tests included: IPython keeps them in
    # linecache), sent back as the message of an exception, to reach the feedback
    "leak": {
        "add_bias": '''import linecache
def add_bias(x, b):
    raise AssertionError("".join(line for name in reversed(list(linecache.cache)) for line in linecache.getlines(name)))
''',
        "relative_error": '''import linecache
def relative_error(a, b):
    raise ValueError("".join(line for name in reversed(list(linecache.cache)) for line in linecache.getlines(name)))
'''},
    # the same source compressed and base64-encoded, past a filter of hidden lines as written:
    # in an exception's message, and as the name of an exception class of the notebook's own
    "leak_encoded": {
        "add_bias": '''import base64, linecache, zlib
def _packed():
    text = "".join(line for name in reversed(list(linecache.cache)) for line in linecache.getlines(name))
    return base64.b64encode(zlib.compress(text.encode())).decode()
def add_bias(x, b):
    raise type("Leak" + _packed().replace("+", "_").replace("/", "_").rstrip("="), (Exception,), {})()
''',
        "relative_error": '''import base64, linecache, zlib
def relative_error(a, b):
    text = "".join(line for name in reversed(list(linecache.cache)) for line in linecache.getlines(name))
    raise ValueError(base64.b64encode(zlib.compress(text.encode())).decode())
'''},
    # nnref's implementation, out of reach of without_reference: its code object copied before
    # the test, or its source compiled again
    "copy_reference": {"relative_error": '''import types, nnref.checks
_copy = types.FunctionType(nnref.checks.rel_error.__code__, nnref.checks.rel_error.__globals__)
def relative_error(a, b):
    return _copy(a, b)
'''},
    "recompile_reference": {"relative_error": '''import inspect, nnref.checks
_scope = dict(vars(nnref.checks))
exec(inspect.getsource(nnref.checks.rel_error), _scope)
def relative_error(a, b):
    return _scope["rel_error"](a, b)
'''},
}
# tricks in a cell of the notebook's own, right after the exercise's solution cell
AFTER_SOLUTION = {
    # the source's own solution word for word (which the audit may trust), then redefined as
    # a copy of nnref's code in a cell of its own
    "redefine_after": ("relative_error", '''import types, nnref.checks
relative_error = types.FunctionType(nnref.checks.rel_error.__code__, nnref.checks.rel_error.__globals__)
'''),
}
TAMPERS.update({name: "" for name in ANSWERS})
TAMPERS.update({name: "" for name in AFTER_SOLUTION})
# whose relative_error is not solved either: they may not earn its points
BOTH_WRONG = set(ANSWERS) | set(AFTER_SOLUTION)
# the tricks that beat the old in-kernel verdicts and its guard (the others it caught): the
# suite shows that each still does, so that a broken trick cannot pass the suite unnoticed
BEAT_IN_KERNEL = {"patch_numpy": "add_bias", "patch_builtins": "add_bias",
                  "sys_modules": "add_bias", "ipython_hooks": "add_bias", "frame_reader": "relative_error",
                  "copy_reference": "relative_error", "recompile_reference": "relative_error",
                  "redefine_after": "relative_error"}
