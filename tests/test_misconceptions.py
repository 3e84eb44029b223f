"""The misconception matcher's rules on hand-made observations (no kernel: the graded runs are
tests/test_grade_e2e.py's and the validity harness's, tests/validity), and the catalogs'
descriptions, which the feedback names a misconception by."""
import io
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest

from autograder import catalog, notebooks
from autograder.course import load_course
from autograder.feedback import MISCONCEPTION
from autograder.misconceptions import closest, visible_parts
from autograder.release import release_notebook
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
REFERENCE = {"test_f": [ref(RIGHT), ref(0.5, "at_most")]}
MEAN = {"exercise": "f", "description": "adds the mean", "cells": {"test_f": [obs([2.0, 2.0, 2.0]), obs(0.5, "at_most")]}}
ROW = {"exercise": "f", "description": "first row only", "cells": {"test_f": [obs([1.0, 0.0, 0.0]), obs(0.5, "at_most")]}}
NEAR = {"exercise": "f", "description": "near the mean", "cells": {"test_f": [obs([2.0, 2.0, 2.0 + 1e-7]),
                                                                             obs(0.5, "at_most")]}}


def student(*values, holds=True):
    return {"test_f": [obs(v) for v in values] + [obs(0.5 if holds else 2.0, "at_most")]}


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
    lucky = {"exercise": "f", "description": "right here", "cells": {"test_f": [obs(RIGHT), obs(0.5, "at_most")]}}
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
    extra = {"exercise": "f", "description": "one more", "cells": {"test_f": [obs([2.0, 2.0, 2.0]), obs(0.5, "at_most"),
                                                                            obs([5.0])]}}
    assert closest("f", student([2.0, 2.0, 2.0]), [extra], REFERENCE) is None  # one check fewer
    same = {"test_f": [obs([2.0, 2.0, 2.0]), obs(0.5, "at_most"), obs([5.0])]}
    assert closest("f", same, [extra], REFERENCE) == "one more"
    near = {"test_f": [obs([2.0, 2.0, 2.0]), obs(0.5, "at_most"), obs([5.0 + 1e-12])]}
    assert closest("f", near, [extra], REFERENCE) is None


# --- the catalogs' descriptions: feedback a student reads (course/AUTHORING.md) -------------------
COURSE = load_course(Path(__file__).resolve().parents[1])
JARGON = re.compile(r"\b(mutants?|catalog\w*|probes?|harness|placeholder|the contract)\b", re.I)
PLACEHOLDER = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[A-Z]{4,}\b")  # VARIANCE, UPDATE_MEAN
CAPITALS = {"MNIST", "NAND", "SGD"}  # words in capitals a student knows from the lessons
LONGEST = 120  # characters: the end of one sentence, not a paragraph


def _code_words(source):
    """The names and numbers of ``source``'s code, without its comments and strings."""
    try:
        return {t.string for t in tokenize.generate_tokens(io.StringIO(source).readline)
                if t.type in (tokenize.NAME, tokenize.NUMBER)}
    except (tokenize.TokenError, IndentationError):
        return set(re.findall(r"[A-Za-z_]\w*|\d[\d.e+-]*", source))


def _hidden_only(assignment):
    """Names and numbers the hidden tests' code uses that the release notebook nowhere shows."""
    source_nb = notebooks.read(assignment.source_notebook)
    shown = set(re.findall(r"[A-Za-z_]\w*|\d+(?:\.\d+)?(?:e[+-]?\d+)?",
                           "\n".join(c.source for c in release_notebook(source_nb).cells)))
    hidden = set()
    for _, _, cell in notebooks.test_cells(source_nb):
        hidden |= _code_words("\n".join(notebooks.hidden_lines(cell.source, shortest=0)))
    return hidden - shown


@pytest.mark.parametrize("assignment", COURSE.assignments, ids=lambda a: a.id)
def test_every_mutant_description_is_feedback_a_student_reads(assignment):
    """Each ends the feedback's sentence: short, no trailing period, no developer word or capital
    placeholder, nothing that only a hidden test's code names (its inputs), no ';' (the report's
    CSV separates misconceptions with it)."""
    mutants = catalog.load(assignment.id, catalog.catalog_path(COURSE.root, assignment.id))["MUTANTS"]
    secret = _hidden_only(assignment)
    problems = []
    for exercise, entries in mutants.items():
        for description, _ in entries:
            said = MISCONCEPTION.format(exercise=exercise, description=description)
            words = set(re.findall(r"[A-Za-z_]\w*|\d+(?:\.\d+)?(?:e[+-]?\d+)?", description))
            why = ([f"longer than {LONGEST} characters"] * (len(description) > LONGEST)
                   + ["ends with a period or space (the sentence adds one)"] * description.endswith((".", " "))
                   + ["';'"] * (";" in description) + [f"developer word {m!r}" for m in JARGON.findall(description)]
                   + [f"placeholder {p!r}" for p in PLACEHOLDER.findall(description) if p not in CAPITALS]
                   + [f"names {w!r}, which only the hidden tests' code shows" for w in sorted(words & secret)])
            problems += [f"{exercise}: {description!r}: {w} (the feedback reads: {said})" for w in why]
    assert not problems, "\n".join(problems)
