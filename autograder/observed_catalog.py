"""The observed catalog: each catalogued wrong answer of a lesson (course/catalogs/, autograder/
catalog.py) run once per assignment through the same test cells as a student's notebook, the
values its checks reported kept beside the reference (cached under the source's key and the
catalog's hash). autograder/misconceptions.py matches a student's values against them.
"""
import hashlib
from dataclasses import replace

from . import catalog, notebooks, observations, pipeline

PREFIX = "misconceptions-"  # of the cache entry beside the reference
_CACHE = {}  # cache key -> observed catalog, for this process


def prepare(plan, source, sandbox=True, blas_threads=1, mutants=None):
    """The observed catalog of ``plan`` (a list of {exercise, description, cells}) for the catalog
    beside ``source`` (a path in a course) or for ``mutants`` (a catalog's MUTANTS), from the
    cache or run here; [] without a catalog."""
    mutants, key = _mutants(plan, source) if mutants is None else (mutants, cache_key(plan, mutants))
    if key is None:
        return []
    if key not in _CACHE:
        _CACHE[key] = observations.load_or_make(key, lambda: observe_catalog(plan, mutants, sandbox, blas_threads))
    return _CACHE[key]


def cached(plan, source):
    """Whether ``prepare`` would find the observed catalog without running a mutant."""
    _, key = _mutants(plan, source)
    return key is None or key in _CACHE or observations.is_cached(key)


def _mutants(plan, source):
    """(the catalog's mutants, their cache key) for ``source``; (None, None) without a catalog."""
    path = catalog.of_source(source) if not hasattr(source, "cells") else None
    if path is None:
        return None, None
    mutants = catalog.load(plan.name, path)["MUTANTS"]
    return mutants, cache_key(plan, mutants)


def cache_key(plan, mutants):
    """The source's key (the source, nnref and the grader) and the catalog's mutants."""
    return PREFIX + hashlib.sha256((plan.key + catalog.digest(mutants)).encode()).hexdigest()[:32]


def entry(plan, exercise, description, result):
    """One mutant's entry of the observed catalog, from the Result of a notebook holding it."""
    return {"exercise": exercise, "description": description,
            "cells": {t.grade_id: result.observed.get(t.grade_id, []) for t in plan.tests if t.exercise == exercise}}


def observe_catalog(plan, mutants, sandbox=True, blas_threads=1):
    """Each mutant's observations: one notebook per round (autograder/catalog.py), run as a
    student's notebook is but for the cells its test cells do not need (no audit: a mutant is
    not graded). The validity harness proves them judged as a graded notebook's are."""
    from .release import release_notebook
    steps = (pipeline.read, pipeline.restore, pipeline.strip, pipeline.trim, pipeline.run, pipeline.collect)
    release_nb = release_notebook(plan.source_nb)
    quiet = replace(plan, reference={**plan.reference, "auditable": []})
    observed = []
    for round_ in catalog.rounds(mutants):
        nb = notebooks.fill_solutions(release_nb, plan.source_nb, answers={ex: s for ex, (_, s) in round_.items()})
        result = pipeline.grade(pipeline.Job(quiet, nb, sandbox=sandbox, blas_threads=blas_threads, steps=steps))
        observed += [entry(plan, exercise, description, result) for exercise, (description, _) in round_.items()]
    return observed
