"""The misconception matcher's rules on hand-made observations (no kernel: the graded runs are
tests/test_grade_e2e.py's and the validity harness's, tests/validity)."""
import numpy as np

from autograder.misconceptions import closest, visible_parts
from autograder.plan import make_plan
from nnref.observations import encode

from fixtures.classroom import FIXTURE, ASSIGNMENT

DECLARED = {"what": "out", "cause": "", "rtol": 1e-6, "atol": 1e-8}


def obs(value, kind="close", expected=None):
    return {"kind": kind, "got": encode(np.asarray(value, dtype=float) if kind == "close" else value),
            "expected": encode(expected)}


def ref(expected, kind="close"):
    return {"kind": kind, "got": encode(expected), "expected": encode(np.asarray(expected, dtype=float)),
            "declared": DECLARED if kind == "close" else {"what": "holds"}}


RIGHT = [1.0, 2.0, 3.0]
REFERENCE = {"test_f": [ref(RIGHT), ref(True, "true")]}
MEAN = {"exercise": "f", "description": "adds the mean", "cells": {"test_f": [obs([2.0, 2.0, 2.0]), obs(True, "true")]}}
ROW = {"exercise": "f", "description": "first row only", "cells": {"test_f": [obs([1.0, 0.0, 0.0]), obs(True, "true")]}}
NEAR = {"exercise": "f", "description": "near the mean", "cells": {"test_f": [obs([2.0, 2.0, 2.0 + 1e-7]),
                                                                             obs(True, "true")]}}


def student(*values, holds=True):
    return {"test_f": [obs(v) for v in values] + [obs(holds, "true")]}


def test_a_match_needs_every_check_within_the_checks_tolerance():
    assert closest("f", student([2.0, 2.0, 2.0 + 1e-9]), [MEAN, ROW], REFERENCE) == "adds the mean"
    assert closest("f", student([1.0, 0.0, 0.0]), [MEAN, ROW], REFERENCE) == "first row only"
    assert closest("f", student([2.0, 2.0, 2.1]), [MEAN, ROW], REFERENCE) is None  # outside rtol 1e-6
    # the same first value, but another outcome of the second check: not the mutant's values
    assert closest("f", student([2.0, 2.0, 2.0], holds=False), [MEAN, ROW], REFERENCE) is None
    assert closest("f", {"test_f": [obs([2.0, 2.0, 2.0])]}, [MEAN], REFERENCE) is None  # a check missing
    assert closest("g", student([2.0, 2.0, 2.0]), [MEAN], REFERENCE) is None  # another exercise's catalog


def test_several_matching_the_closest_is_named():
    assert closest("f", student([2.0, 2.0, 2.0]), [NEAR, MEAN], REFERENCE) == "adds the mean"
    assert closest("f", student([2.0, 2.0, 2.0 + 1e-7]), [MEAN, NEAR], REFERENCE) == "near the mean"


def test_values_a_right_answer_shares_show_no_misconception():
    """A mutant right on every check compared is named by nothing (the values do not show it)."""
    lucky = {"exercise": "f", "description": "right here", "cells": {"test_f": [obs(RIGHT), obs(True, "true")]}}
    assert closest("f", student(RIGHT), [lucky], REFERENCE) is None


def test_a_self_check_compares_the_visible_checks_it_ran():
    """validate stops at the first failing check and runs no hidden test: the checks it ran are
    compared with the mutant's first ones; a hidden-only cell is left out."""
    assert closest("f", {"test_f": [obs([2.0, 2.0, 2.0])]}, [MEAN], REFERENCE, {"test_f": "first"}) == "adds the mean"
    assert closest("f", {"test_f": [obs([2.0, 2.0, 2.0])]}, [MEAN], REFERENCE, {"test_f": "none"}) is None
    plan = make_plan(FIXTURE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 60)
    # the fixture: a visible cell, a hidden one, and one whose hidden block ends it
    assert visible_parts(plan) == {"test_add_bias": "first", "test_add_bias__hidden": "none",
                                   "test_relative_error": "first"}


def test_checks_the_reference_did_not_make_agree_only_with_the_very_same_values():
    """An answer whose test ran one check more than the reference's (a check in a branch):
    that check is compared exactly, the others by their rules."""
    extra = {"exercise": "f", "description": "one more", "cells": {"test_f": [obs([2.0, 2.0, 2.0]), obs(True, "true"),
                                                                            obs([5.0])]}}
    assert closest("f", student([2.0, 2.0, 2.0]), [extra], REFERENCE) is None  # one check fewer
    same = {"test_f": [obs([2.0, 2.0, 2.0]), obs(True, "true"), obs([5.0])]}
    assert closest("f", same, [extra], REFERENCE) == "one more"
    near = {"test_f": [obs([2.0, 2.0, 2.0]), obs(True, "true"), obs([5.0 + 1e-12])]}
    assert closest("f", near, [extra], REFERENCE) is None
