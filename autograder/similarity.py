"""``nncourse similarity``: pairs of students ranked by the rare code they share and the
identical wrong values their tests observed. Evidence for a person to look at, never a verdict;
nothing leaves the machine.

Steps, top to bottom (``compare``): read the class and any earlier terms; keep each notebook's
solution cells; fingerprint them with copydetect's tokenizer (names, strings, comments and
blank lines normalised away); subtract the boilerplate (the release's skeleton, the source's
solution, the test cells); weigh every fingerprint by how rare it is among the answers to
its exercise; per exercise, score each pair by how rare it is to be as close as they are
(``closeness``); pool over the assignment, with the identical wrong values read from the
grader's observed files weighed by the same rule (``rarity``).

Why these choices (copydetect 0.5.0, checked on this course's code): its fingerprints are
Python's built-in ``hash`` of k-grams, salted per process, so winnowing (a window above 1)
keeps a different subset in every run and the scores change from run to run: every k-gram is
kept (a window of 1), which makes the result a matter of set membership only. Its
boilerplate subtraction (``np.intersect1d(..., assume_unique=True)`` on k-grams that repeat)
dropped a position of code that was not boilerplate (a line written twice, against an unrelated
boilerplate file), so the subtraction here is a set difference. Its default 25-character k-gram is longer than a whole
normalised ``relu_forward`` answer, hence ``KGRAM``.
"""
import io
import json
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

import numpy as np
from copydetect.detector import CodeFingerprint

from nnref.observations import Opaque, decode

from . import notebooks
from .grading import DEFAULT_ID_PATTERN, GradeError, collect
from .release import release_notebook

KGRAM = 12  # characters of normalised code in one fingerprint (copydetect's "noise threshold")
MAX_SHARE = 0.5  # a fingerprint or wrong value that this share of the others have counts nothing
MIN_STUDENTS = 2
COLUMNS = 4096  # fingerprints per block when pair weights are summed


class SimilarityError(GradeError):
    """Bad input to ``similarity``; the message names the problem and the fix."""


@dataclass
class Student:
    name: str  # the student id; "<folder>/<id>" for an earlier term's student
    answers: dict  # exercise -> the solution cell's source, as written
    reference: bool = False  # an earlier term's (--against): compared with, never ranked alone
    prints: dict = field(default_factory=dict)  # exercise -> copydetect's CodeFingerprint


@dataclass
class Cluster:
    """Students whose test cell observed the same wrong values on the same inputs."""
    cell: str
    members: list  # student indices
    population: int  # students with observations for this cell
    weight: float
    shown: str  # the wrong values, shortened


@dataclass
class Pair:
    a: int
    b: int
    code: float
    values: float

    @property
    def evidence(self):
        return self.code + self.values


@dataclass
class Result:
    assignment: object
    students: list
    exercises: list
    weights: dict  # exercise -> {fingerprint: weight}, only the fingerprints that count
    populations: dict  # exercise -> {fingerprint: answers that have it}, and "" -> answers
    code: dict  # exercise -> (n, n) matrix of code evidence
    clusters: list
    pairs: list
    problems: list  # (name, where, why)
    observed: str  # where the observed values came from; "" when there were none


def compare(assignment, submissions, against=(), observed=None, id_pattern=DEFAULT_ID_PATTERN):
    """The similarity of a class: ``submissions`` as ``grade`` reads them, earlier terms'
    folders in ``against``, observed values from the folder ``observed`` (or None)."""
    exercises = [notebooks.grade_id(c) for c in notebooks.solution_cells(notebooks.read(assignment.source_notebook))]
    students, problems = read_students(collect(submissions, assignment.id, id_pattern), assignment, exercises)
    if len(students) + len(problems) < MIN_STUDENTS and not against:
        raise SimilarityError(f"only one submission in {submissions}: similarity compares students with each "
                              f"other; pass the whole class, or earlier terms' submissions with --against DIR")
    for folder in against:
        earlier, unread = read_students(collect(folder, assignment.id, id_pattern), assignment, exercises,
                                        Path(folder).name.removesuffix(".zip"))
        students += earlier
        problems += unread
    if sum(not s.reference for s in students) < 1 or len(students) < MIN_STUDENTS:
        raise SimilarityError("fewer than two notebooks with solution cells could be read, so there is nothing "
                              "to compare:\n" + "\n".join(f"  {n}: {why}" for n, _, why in problems))
    fingerprint_all(students, boilerplate(assignment))
    weights, populations, code = code_evidence(students, exercises)
    clusters, value_problems = [], []
    if observed is not None:
        clusters, value_problems = value_clusters(students, observed, assignment.id)
    pairs = rank_pairs(students, code, clusters)
    return Result(assignment, students, exercises, weights, populations, code, clusters, pairs,
                  problems + value_problems, str(observed) if observed is not None else "")


def read_students(subs, assignment, exercises, term=""):
    """[Student] with the answers of each readable notebook, and [(name, where, why)] for the rest."""
    students, problems = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for sub in subs:
            name = f"{term}/{sub.student}" if term else sub.student
            if sub.data is None:
                problems.append((name, sub.origin, sub.problem))
                continue
            path = Path(tmp) / f"{sub.student}.ipynb"
            path.write_bytes(sub.data)
            try:
                nb = notebooks.read(path)
            except notebooks.CorruptNotebook as err:
                problems.append((name, sub.origin, str(err)))
                continue
            answers = {notebooks.grade_id(c): c.source for c in notebooks.solution_cells(nb)
                       if notebooks.grade_id(c) in exercises}
            if answers:
                students.append(Student(name, answers, reference=bool(term)))
            else:
                problems.append((name, sub.origin, f"no solution cells of {assignment.id} (their nbgrader metadata "
                                                   "is gone: the answers were probably pasted into a new notebook); "
                                                   "compare it by hand"))
    return students, problems


def fingerprint(source):
    """copydetect's fingerprint of one answer: every KGRAM-character run of the normalised code."""
    return CodeFingerprint("answer.py", KGRAM, 1, fp=io.StringIO(source), language="python")


def boilerplate(assignment):
    """exercise -> the fingerprints every student was given or that prove nothing: the
    release's skeleton, the source's solution and every test cell."""
    source = notebooks.read(assignment.source_notebook)
    tests = set()
    for _, _, cell in notebooks.test_cells(source):
        tests |= fingerprint(cell.source).hashes
    given = defaultdict(lambda: set(tests))
    for nb in (source, release_notebook(source)):
        for cell in notebooks.solution_cells(nb):
            given[notebooks.grade_id(cell)] |= fingerprint(notebooks.strip_markers(cell.source)).hashes
    return given


def fingerprint_all(students, given):
    for student in students:
        for exercise, source in student.answers.items():
            fp = fingerprint(source)
            fp.hash_idx = {h: at for h, at in fp.hash_idx.items() if h not in given[exercise]}
            fp.hashes = set(fp.hash_idx)
            student.prints[exercise] = fp


def rarity(shared_by, population):
    """The weight of something ``shared_by`` answers (a number or an array) out of ``population``
    have: log2 of how much rarer it is than MAX_SHARE of the others; 0 from MAX_SHARE up, and for
    one answer alone."""
    others = np.asarray(shared_by, dtype=float) - 1
    with np.errstate(divide="ignore"):
        weight = np.log2(MAX_SHARE * max(population - 1, 0) / others)
    weight = np.where((others >= 1) & (population >= 2), weight.clip(min=0), 0.0)
    return weight if weight.ndim else float(weight)


def code_evidence(students, exercises):
    """Per exercise: {fingerprint: weight} of the fingerprints that count, the answers having
    each, and the (n, n) matrix of each pair's evidence on it (``closeness``)."""
    n = len(students)
    weights, populations, code = {}, {}, {}
    for exercise in exercises:
        having = defaultdict(list)  # fingerprint -> the students whose answer has it
        answered = [i for i, s in enumerate(students) if exercise in s.prints and s.prints[exercise].hashes]
        for i in answered:
            for h in students[i].prints[exercise].hashes:
                having[h].append(i)
        found = list(having)
        weight = rarity(np.array([len(having[h]) for h in found]), len(answered))
        weights[exercise] = {h: float(w) for h, w in zip(found, weight) if w > 0}
        populations[exercise] = {h: len(having[h]) for h in weights[exercise]} | {"": len(answered)}
        shared = np.zeros((n, n), np.float32)  # the summed weights of the fingerprints each pair shares
        counted = list(weights[exercise].items())
        for start in range(0, len(counted), COLUMNS):  # a block of fingerprints at a time bounds the memory
            block = counted[start:start + COLUMNS]
            has = np.zeros((n, len(block)), np.float32)
            for k, (h, _) in enumerate(block):
                has[having[h], k] = 1
            shared += (has * np.array([w for _, w in block], np.float32)) @ has.T
        code[exercise] = closeness(shared, len(answered))
    return weights, populations, code


def closeness(shared, population):
    """The evidence of each pair on one exercise, from ``shared``, the summed weights of the
    fingerprints each pair shares: how rare it is to be that close. For student a, the
    classmates who share with a at least as much as b does are counted (b among them); the
    pair's evidence is ``rarity`` of that count plus a, taken from the side where it is larger.
    So the many fingerprints of one shared answer are one piece of evidence, not many, and
    only pooling over exercises builds a case."""
    np.fill_diagonal(shared, 0)
    ranked = np.sort(shared, axis=1)
    as_close = np.stack([len(row) - np.searchsorted(row, values, side="left") for row, values in zip(ranked, shared)])
    return np.where(shared > 0, rarity(np.maximum(as_close, as_close.T) + 1, population), 0.0).astype(np.float32)


def observed_folder(path, assignment_id):
    """The folder of <student>.json files: ``path`` itself or its <assignment>/ subfolder."""
    path = Path(path)
    if (path / assignment_id).is_dir():
        path = path / assignment_id
    if not path.is_dir():
        raise SimilarityError(f"{path} does not exist: --observed takes the folder `nncourse grade` writes, "
                              f"WORKSPACE/observed/{assignment_id}/")
    return path


def value_clusters(students, folder, assignment_id):
    """Clusters of students whose test cell observed the same wrong values on the same inputs,
    read from ``folder``/<student>.json; and [(name, where, why)] for files that could not be."""
    index = {s.name: i for i, s in enumerate(students) if not s.reference}
    groups, population, problems = defaultdict(list), Counter(), []
    for path in sorted(Path(folder).glob("*.json")):
        if path.stem not in index:
            continue
        try:
            cells = _observed_cells(path, assignment_id)
        except ValueError as err:
            problems.append((path.stem, str(path), f"observed values not read: {err}"))
            continue
        for cell, entry in cells.items():
            population[cell] += 1
            signature = _wrong_values(entry)
            if signature:
                groups[cell, signature[0]].append((index[path.stem], signature[1]))
    clusters = []
    for (cell, _), members in groups.items():
        if len(members) > 1:
            clusters.append(Cluster(cell, [i for i, _ in members], population[cell],
                                    rarity(len(members), population[cell]), members[0][1]))
    clusters.sort(key=lambda c: (-c.weight, c.cell, c.members))
    return clusters, problems


def _observed_cells(path, assignment_id):
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not readable JSON ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), dict):
        raise ValueError('not an observed-values file: no "cells" object')
    if data.get("assignment") not in (None, assignment_id):
        raise ValueError(f"it holds {data.get('assignment')}'s values, not {assignment_id}'s")
    return {cell: entry for cell, entry in data["cells"].items() if isinstance(entry, dict)}


def _wrong_values(entry):
    """(digest, shortened text) of a failed cell's observations when they hold numbers; else None."""
    payloads = entry.get("observations")
    if entry.get("outcome") != "failed" or not isinstance(payloads, list):
        return None
    values = [(p.get("kind"), decode(p.get("got")), decode(p.get("expected"))) for p in payloads if isinstance(p, dict)]
    if not any(_has_numbers(got) for _, got, _ in values):
        return None
    digest = sha256(b"|".join(str(kind).encode() + _canonical(got) + b"=" + _canonical(expected)
                              for kind, got, expected in values)).hexdigest()
    with np.printoptions(precision=4, threshold=12, edgeitems=2):
        shown = "; ".join(repr(got) for _, got, _ in values if _has_numbers(got))
    return digest, shown if len(shown) <= 300 else shown[:300] + " ..."


def _has_numbers(value):
    if isinstance(value, (list, tuple)):
        return any(_has_numbers(v) for v in value)
    if isinstance(value, dict):
        return any(_has_numbers(v) for v in value.values())
    return not isinstance(value, (Opaque, str, type(None))) and np.asarray(value).dtype.kind in "biufc"


def _canonical(value):
    """Bytes equal for equal values (a float32 array and the float64 array of the same numbers too)."""
    if isinstance(value, (list, tuple)):
        return b"[" + b",".join(map(_canonical, value)) + b"]"
    if isinstance(value, dict):
        return b"{" + b",".join(_canonical(k) + b":" + _canonical(v) for k, v in sorted(value.items(), key=repr)) + b"}"
    if isinstance(value, (Opaque, str, type(None))):
        return repr(value).encode()
    array = np.asarray(value)
    if array.dtype.kind in "biuf":
        array = array.astype(np.float64)
    return repr(array.shape).encode() + np.ascontiguousarray(array).tobytes()


def rank_pairs(students, code, clusters):
    """Every pair (not two earlier-term students) with some evidence, the strongest first."""
    n = len(students)
    values = np.zeros((n, n))
    for cluster in clusters:
        values[np.ix_(cluster.members, cluster.members)] += cluster.weight
    pooled = sum(code.values(), np.zeros((n, n)))
    earlier = np.array([s.reference for s in students])
    shown = np.triu((pooled > 0) | (values > 0), k=1) & ~(earlier[:, None] & earlier[None, :])
    pairs = [Pair(int(i), int(j), float(pooled[i, j]), float(values[i, j])) for i, j in zip(*np.nonzero(shown))]
    pairs.sort(key=lambda p: (-p.evidence, students[p.a].name, students[p.b].name))
    return pairs
