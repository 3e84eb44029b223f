"""nbgrader's gradebook on a real PostgreSQL server (--gradebook postgresql://...), including
two grading runs writing it at once."""
import csv
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from nbgrader.api import Gradebook

from autograder import notebooks
from autograder.cli import main
from autograder.gradebook import variants_of

from fixtures.classroom import ASSIGNMENT, copy_course, source_and_release, write
from fixtures.postgres import postgres_server

SECOND = "00_fixture_b"


@pytest.fixture(scope="module")
def pg_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="module")
def two_assignment_course(tmp_path_factory):
    """The fixture course with a second assignment (a copy of the first), and a class for each."""
    tmp = tmp_path_factory.mktemp("pg")
    course = copy_course(tmp)
    second = course.root / "source" / SECOND
    shutil.copytree(course.root / "source" / ASSIGNMENT, second)
    (second / f"{ASSIGNMENT}.ipynb").rename(second / f"{SECOND}.ipynb")
    toml = course.root / "course" / "course.toml"
    toml.write_text(toml.read_text() + f'\n[[assignments]]\nid = "{SECOND}"\ntitle = "B"\ntime_limit = 30\n')
    source, release = source_and_release(course)
    for aid in (ASSIGNMENT, SECOND):
        inbox = tmp / f"inbox_{aid}"
        write(notebooks.fill_solutions(release, source), inbox / "ada.ipynb")
        write(release, inbox / "babbage.ipynb")
        write(notebooks.fill_solutions(release, source, skip={"relative_error"}), inbox / "curie.ipynb")
    return course, tmp


def grade_argv(course, tmp, aid, url):
    return ["--root", str(course.root), "grade", str(tmp / f"inbox_{aid}"), "--assignment", aid,
            "--workspace", str(tmp / f"ws_{aid}"), "--gradebook", url, "--workers", "1"]


def assert_gradebook_matches_csv(url, workspace, aid):
    with (workspace / "grades.csv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == aid]
    assert sorted(r["student_id"] for r in rows) == ["ada", "babbage", "curie"]
    with Gradebook(url) as gb:
        for row in rows:
            nb = gb.find_submission_notebook(aid, aid, row["student_id"])
            assert sum(g.auto_score for g in nb.grades) == float(row["score"]), row
            assert nb.flagged == (row["status"] == "flagged")
    # each student's variant of the hidden tests, in the gradebook's own table beside nbgrader's
    assert variants_of(url, aid) == {r["student_id"]: int(r["variant"]) for r in rows}


def test_two_grading_runs_write_one_postgres_gradebook_at_once(pg_url, two_assignment_course, capfd):
    course, tmp = two_assignment_course
    runs = [[sys.executable, "-m", "autograder.cli", *grade_argv(course, tmp, aid, pg_url)] for aid in (ASSIGNMENT, SECOND)]
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda argv: subprocess.run(argv, capture_output=True, text=True), runs))
    for run in done:
        assert run.returncode == 0 and "was not updated" not in run.stderr, run.stderr[-2000:]
        assert "postgresql://postgres@127.0.0.1" in run.stdout
    for aid in (ASSIGNMENT, SECOND):
        assert_gradebook_matches_csv(pg_url, tmp / f"ws_{aid}", aid)
    with Gradebook(pg_url) as gb:
        assert sorted(a.name for a in gb.assignments) == [ASSIGNMENT, SECOND]
        assert sorted(s.id for s in gb.students) == ["ada", "babbage", "curie"]


def test_grading_again_replaces_the_assignment_in_postgres(pg_url, two_assignment_course):
    course, tmp = two_assignment_course
    assert main(grade_argv(course, tmp, ASSIGNMENT, pg_url)) == 0
    assert_gradebook_matches_csv(pg_url, tmp / f"ws_{ASSIGNMENT}", ASSIGNMENT)
    with Gradebook(pg_url) as gb:
        assert len(gb.find_assignment(ASSIGNMENT).submissions) == 3


def test_an_unreachable_postgres_costs_no_grade(two_assignment_course, capsys):
    course, tmp = two_assignment_course
    url = "postgresql://nobody:secret@127.0.0.1:1/none"
    argv = grade_argv(course, tmp, ASSIGNMENT, url)
    argv[argv.index("--workspace") + 1] = str(tmp / "ws_unreachable")
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "postgresql://nobody:***@127.0.0.1:1/none was not updated" in err and "secret" not in err, err
    assert (tmp / "ws_unreachable" / "grades.csv").read_text().count("\n") == 4
