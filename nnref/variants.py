"""Per-student variants of the hidden tests: the random inputs a hidden test draws.

When ``nncourse grade`` grades a notebook it sets ``NNCOURSE_VARIANT`` in the kernel's
environment, before the notebook's first cell, to the student's variant of the assignment (autograder/variants.py picks it from a
keyed hash of the course's secret, the assignment and the student). A hidden test draws its
inputs from ``variant_rng(seed)``, so classmates' hidden tests use different numbers, and the
expected values come from the reference run of the same variant.

Variant 0 is everyone's default: the release, the self-check (`nncourse validate`), a plain
JupyterLab kernel and stock nbgrader all run it, and ``variant_rng(seed)`` there is
``np.random.default_rng(seed)`` itself.
"""
import os

import numpy as np

__all__ = ["VARIANT_VARIABLE", "variant", "variant_rng"]

VARIANT_VARIABLE = "NNCOURSE_VARIANT"


def variant():
    """The variant this kernel's hidden tests run: a whole number >= 0, 0 unless the grader set one."""
    value = os.environ.get(VARIANT_VARIABLE, "0")
    return int(value) if value.isdecimal() else 0


def variant_rng(seed):
    """A generator for a hidden test's inputs: ``np.random.default_rng(seed)`` in variant 0, and
    a different stream for each other variant (seeded by ``[seed, variant]``)."""
    number = variant()
    return np.random.default_rng(seed if number == 0 else [seed, number])
