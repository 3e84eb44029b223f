"""``demo``: grade a demo class made from the course's own notebooks, on built-in defaults."""
from . import notebooks
from .catalog import catalog_path, load
from .grading import Submission

NEVER_FINISHES_LIMIT = 10  # seconds: the demo's "never finishes" student is stopped this early


def _first_bug(assignment, source_nb):
    """A typical wrong answer: the catalog's first mutant if the lesson has one, else a sign flip."""
    path = catalog_path(assignment.root, assignment.id)
    if path.is_file():
        for exercise, entries in load(assignment.id, path)["MUTANTS"].items():
            if entries:
                return exercise, entries[0][0], entries[0][1]
    cell = notebooks.solution_cells(source_nb)[-1]
    name = cell.source.split("def ", 1)[1].split("(", 1)[0]
    code = notebooks.strip_markers(cell.source)
    return (notebooks.grade_id(cell), "returns the negated answer",
            f"{code}\n\n_right_{name} = {name}\n\ndef {name}(*args, **kwargs):\n"
            f"    return -_right_{name}(*args, **kwargs)\n")


def demo_class(assignment, release_nb):
    """[(Submission, what it is)]: the eight students of the demo class."""
    source_nb = notebooks.read(assignment.source_notebook)
    exercises = [notebooks.grade_id(c) for c in notebooks.solution_cells(source_nb)]
    full = notebooks.fill_solutions(release_nb, source_nb)
    partial = notebooks.fill_solutions(release_nb, source_nb, skip=exercises[(len(exercises) + 1) // 2:])
    bug_exercise, bug_text, bug_code = _first_bug(assignment, source_nb)
    buggy = notebooks.fill_solutions(release_nb, source_nb, answers={bug_exercise: bug_code})
    cheat = notebooks.fill_solutions(release_nb, source_nb, answers={
        bug_exercise: bug_code + "\n\n# the tests kept failing...\ncheck_close = lambda *args, **kwargs: None\n"})
    endless = notebooks.fill_solutions(release_nb, source_nb)
    first_test = next(i for i, c in enumerate(endless.cells) if c in [t for _, _, t in notebooks.test_cells(endless)])
    endless.cells.insert(first_test + 1, notebooks.nbformat.v4.new_code_cell(
        "# trying a bigger experiment...\nwhile True:\n    pass", id="demo-endless"))
    edited = notebooks.fill_solutions(release_nb, source_nb)
    gid, _, cell = notebooks.test_cells(edited)[0]
    cell.source = "# this test kept failing, so I made it pass\npass"
    as_bytes = lambda nb: notebooks.dumps(nb).encode("utf-8")
    return [
        (Submission("ada", as_bytes(full)), "full solution"),
        (Submission("babbage", as_bytes(release_nb)), "untouched release"),
        (Submission("curie", as_bytes(partial)), f"partly solved ({', '.join(exercises[:(len(exercises) + 1) // 2])})"),
        (Submission("dijkstra", as_bytes(buggy)), f"typical bug in {bug_exercise}: {bug_text}"),
        (Submission("euler", as_bytes(endless), time_limit=NEVER_FINISHES_LIMIT),
         f"never finishes (an endless loop; its time limit is shortened to {NEVER_FINISHES_LIMIT} s for the "
         f"demo, the course's is {assignment.time_limit:g} s)"),
        (Submission("fermat", as_bytes(edited)), f"edited test cell {gid}"),
        (Submission("gauss", b'{"cells": [{"cell_type": "code", "source": "def'), "corrupt file (truncated)"),
        (Submission("hopper", as_bytes(cheat)), f"the typical bug in {bug_exercise}, and check_close replaced "
                                                f"by a no-op so that the tests cannot fail"),
    ]
