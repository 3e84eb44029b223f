"""nncourse similarity on a small class with a planted copy (tests/fixtures/similarity_class.py)."""
import csv
import json
import shutil
import zipfile

import numpy as np
import pytest

from autograder import notebooks
from autograder.cli import main
from autograder.course import load_course
from autograder.release import release_notebook
from autograder.similarity import compare, fingerprint, observed_folder, rarity
from fixtures.similarity_class import (ASSIGNMENT, COMMON_RELU_MISTAKE, COPIED, COPIER, ROOT, TEXTBOOK_LINE,
                                       answers, notebook, write_class, write_observed)
from nnref.observations import decode, encode

EXERCISES = ["affine_forward", "sigmoid_forward", "tanh_forward", "relu_forward", "leaky_relu_forward", "elu_forward",
             "mlp_forward"]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A graded workspace's layout: submitted/<student>/<id>/<id>.ipynb and observed/<id>/."""
    students = answers()
    workspace = tmp_path_factory.mktemp("similarity") / "workspace"
    flat = write_class(workspace.parent / "flat", students)
    for path in flat.glob("*.ipynb"):
        target = workspace / "submitted" / path.stem / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
    write_observed(workspace / "observed" / ASSIGNMENT, students)
    return workspace, flat


def _similarity(capsys, *args):
    code = main(["--root", str(ROOT), "similarity", "--assignment", ASSIGNMENT, *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def _rows(workspace):
    with (workspace / "report" / f"similarity-{ASSIGNMENT}.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def test_planted_copy_ranks_first_with_its_code_and_identical_wrong_values(planted, capsys):
    workspace, _ = planted
    code, _, err = _similarity(capsys, workspace)
    assert code == 0, err
    rows = _rows(workspace)
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {COPIED, COPIER}, rows[:3]
    # in every exercise, no classmate comes as close to either of them: "two of seven"
    closest = f"{rarity(2, 7):.1f}"
    assert rows[0]["exercises"].split(";") == [f"{e}:{closest}" for e in EXERCISES], rows[0]
    # dana's rare sigmoid mistake: the same wrong numbers in both notebooks
    assert "test_sigmoid_forward__hidden" in rows[0]["cells"].split(";")
    assert float(rows[0]["values"]) > 0
    page = (workspace / "report" / f"similarity-{ASSIGNMENT}.html").read_text()
    body = page.split("<body>", 1)[1]
    assert body.lstrip().startswith('<p class="caution" id="caution"><strong>Evidence to look at, not a verdict.')
    assert "needs the observed values" not in page
    # side by side, the copied code marked in both answers (erin's names differ, her comments too)
    section = page.split('id="pair-1"')[1].split("</section>")[0]
    assert "<h5>dana</h5>" in section and "<h5>erin</h5>" in section
    assert "einsum" in section.split("<mark>", 1)[1], "affine_forward's rare einsum line is marked"
    assert section.count("<mark>") >= 10
    assert "only these two of 7" in section, "how rare the shared code is"
    assert "src=" not in page and "http" not in page.replace("http-equiv", ""), "one file, nothing fetched"


def test_common_code_and_common_mistakes_count_little(planted):
    workspace, flat = planted
    assignment = load_course(ROOT).get(ASSIGNMENT)
    result = compare(assignment, flat, observed=observed_folder(workspace / "observed", ASSIGNMENT))
    # the textbook line four of seven students wrote counts nothing
    line = fingerprint(TEXTBOOK_LINE.strip()).hashes
    assert line and not line & result.weights["affine_forward"].keys()
    relu = [c for c in result.clusters if c.cell == "test_relu_forward__hidden"
            and {result.students[i].name for i in c.members} == set(COMMON_RELU_MISTAKE)]
    sigmoid = [c for c in result.clusters if c.cell == "test_sigmoid_forward__hidden"
               and {result.students[i].name for i in c.members} == {COPIED, COPIER}]
    assert relu and sigmoid, result.clusters
    assert relu[0].weight < sigmoid[0].weight / 4, "four students' common mistake is weak evidence"
    # the relu mistake was written four ways: nothing of that code is shared evidence
    names = {s.name: i for i, s in enumerate(result.students)}
    ana, ben = names["ana"], names["ben"]
    assert result.code["relu_forward"][ana, ben] == 0


def test_zip_without_observed_values_compares_code_and_says_so(planted, tmp_path, capsys):
    _, flat = planted
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(flat.glob("*.ipynb")):
            z.write(path, f"{path.stem}_123_assignsubmission_file_/{ASSIGNMENT}.ipynb")
    code, out, err = _similarity(capsys, archive, "--workspace", tmp_path / "ws")
    assert code == 0, err
    assert "identical wrong values not compared" in out
    rows = _rows(tmp_path / "ws")
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {COPIED, COPIER}
    assert all(r["values"] == "0.0" for r in rows)
    page = (tmp_path / "ws" / "report" / f"similarity-{ASSIGNMENT}.html").read_text()
    assert 'id="no-values"' in page and "nncourse grade" in page


def test_earlier_terms_are_compared_with_never_among_themselves(planted, tmp_path, capsys):
    _, flat = planted
    current, earlier = tmp_path / "current", tmp_path / "2025"
    current.mkdir()
    for name in ("ana", "ben", COPIER):
        shutil.copy(flat / f"{name}.ipynb", current / f"{name}.ipynb")
    earlier.mkdir()
    for name in ("cai", COPIED, "eli"):
        shutil.copy(flat / f"{name}.ipynb", earlier / f"{name}.ipynb")
    code, _, err = _similarity(capsys, current, "--against", earlier, "--workspace", tmp_path / "ws")
    assert code == 0, err
    rows = _rows(tmp_path / "ws")
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {f"2025/{COPIED}", COPIER}
    assert not [r for r in rows if r["student_a"].startswith("2025/") and r["student_b"].startswith("2025/")]


def test_bad_input_gets_a_clear_message(planted, tmp_path, capsys):
    _, flat = planted
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _similarity(capsys, empty, "--workspace", tmp_path / "ws")
    assert code == 2 and f"no submissions in {empty}" in err

    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(flat / "ana.ipynb", alone)
    code, _, err = _similarity(capsys, alone, "--workspace", tmp_path / "ws")
    assert code == 2 and "only one submission" in err and "--against" in err

    code, _, err = _similarity(capsys, "--workspace", tmp_path / "nowhere")
    assert code == 2 and "no SUBMISSIONS given" in err

    code, _, err = _similarity(capsys, flat, "--workspace", tmp_path / "ws", "--observed", tmp_path / "missing")
    assert code == 2 and "--observed takes the folder" in err


def test_unreadable_notebooks_are_listed_and_the_rest_compared(planted, tmp_path, capsys):
    _, flat = planted
    folder = tmp_path / "class"
    shutil.copytree(flat, folder)
    pasted = notebook(answers()["ben"])
    for cell in pasted.cells:  # the answers pasted into a new notebook: nbgrader's metadata is gone
        cell.metadata.pop("nbgrader", None)
    (folder / "ben.ipynb").write_text(notebooks.dumps(pasted))
    (folder / "cai.ipynb").write_text('{"cells": [')
    (folder / "dora").mkdir()
    code, out, err = _similarity(capsys, folder, "--workspace", tmp_path / "ws")
    assert code == 0, err
    assert "not compared: ben: no solution cells of 02_forward_pass" in out
    assert "not compared: cai: cai.ipynb is not a notebook" in out
    assert "not compared: dora: no notebook in the submission" in out
    page = (tmp_path / "ws" / "report" / f"similarity-{ASSIGNMENT}.html").read_text()
    problems = page.split('id="problems"')[1]
    assert all(name in problems for name in ("ben", "cai", "dora"))
    assert {r["student_a"] for r in _rows(tmp_path / "ws")}.isdisjoint({"ben", "cai", "dora"})

    for name in ("ana", "eli", "fay", COPIED, COPIER):
        (folder / f"{name}.ipynb").unlink()
    code, _, err = _similarity(capsys, folder, "--workspace", tmp_path / "ws")
    assert code == 2 and "fewer than two notebooks with solution cells" in err and "cai.ipynb" in err


def test_the_same_numbers_in_another_memory_layout_are_identical_values(planted, tmp_path):
    workspace, flat = planted
    observed = tmp_path / "observed"
    shutil.copytree(workspace / "observed" / ASSIGNMENT, observed)
    path = observed / f"{COPIER}.json"
    data = json.loads(path.read_text())
    cell = data["cells"]["test_sigmoid_forward__hidden"]
    got = decode(cell["observations"][0]["got"])
    cell["observations"][0]["got"] = encode(np.asfortranarray(got))
    assert cell["observations"][0]["got"] != json.loads((workspace / "observed" / ASSIGNMENT / path.name).read_text())[
        "cells"]["test_sigmoid_forward__hidden"]["observations"][0]["got"]
    path.write_text(json.dumps(data))
    result = compare(load_course(ROOT).get(ASSIGNMENT), flat, observed=observed)
    assert any(c.cell == "test_sigmoid_forward__hidden" and len(c.members) == 2 for c in result.clusters)


def test_code_everyone_was_given_counts_nothing(planted, tmp_path):
    """Two students who keep the release's docstrings and write the source's solution, and one who
    answered nothing, share only boilerplate: no evidence."""
    _, flat = planted
    folder = shutil.copytree(flat, tmp_path / "class")
    for name in ("gil", "hana"):
        (folder / f"{name}.ipynb").write_text(notebooks.dumps(notebook({})))
    source = notebooks.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (folder / "ida.ipynb").write_text(notebooks.dumps(release_notebook(source)))
    result = compare(load_course(ROOT).get(ASSIGNMENT), folder)
    names = [s.name for s in result.students]
    given = {names.index("gil"), names.index("hana"), names.index("ida")}
    assert [p for p in result.pairs if {p.a, p.b} <= given] == []
    assert all(not fp.hashes for fp in result.students[names.index("ida")].prints.values())


def test_unreadable_observed_files_are_listed_and_the_rest_used(planted, tmp_path):
    workspace, flat = planted
    observed = shutil.copytree(workspace / "observed" / ASSIGNMENT, tmp_path / "observed")
    (observed / "ana.json").write_text('{"cells": ')
    other = json.loads((observed / "ben.json").read_text()) | {"assignment": "03_softmax_cross_entropy"}
    (observed / "ben.json").write_text(json.dumps(other))
    result = compare(load_course(ROOT).get(ASSIGNMENT), flat, observed=observed)
    why = {name: reason for name, _, reason in result.problems}
    assert why["ana"].startswith("observed values not read: not readable JSON")
    assert why["ben"] == "observed values not read: it holds 03_softmax_cross_entropy's values, not 02_forward_pass's"
    assert any({result.students[i].name for i in c.members} == {COPIED, COPIER} for c in result.clusters)


def test_values_are_compared_as_numbers():
    from autograder.similarity import _canonical
    assert _canonical(np.array([0.5, 2.0], np.float32)) == _canonical(np.array([0.5, 2.0]))
    assert _canonical((np.arange(3), 1.5)) == _canonical((np.array([0.0, 1.0, 2.0]), np.float64(1.5)))
    assert _canonical(np.array([0.1], np.float32)) != _canonical(np.array([0.1]))  # not the same number
    assert _canonical(np.zeros((2, 3))) != _canonical(np.zeros((3, 2)))
