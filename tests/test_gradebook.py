"""The gradebook's stamp: nbgrader marks a new gradebook.db with its newest database migration
(``alembic heads``, in a subprocess); nncourse reads that name from nbgrader's migration files
instead, and must find the same one, or nbgrader's tools would take the gradebook for an old one
and try to upgrade it."""
import subprocess
import sys
from pathlib import Path

import sqlalchemy
from nbgrader.api import Gradebook, _temp_alembic_ini

from autograder import notebooks
from autograder.course import load_course
from autograder.gradebook import alembic_head, write_gradebook
from autograder.grading import Submission
from autograder.plan import make_plan
from autograder.results import empty_result

from fixtures.classroom import ASSIGNMENT, FIXTURE


def test_the_stamp_is_the_migration_alembic_names():
    with _temp_alembic_ini("sqlite:////tmp/nncourse-stamp-check.db") as ini:
        heads = subprocess.check_output([str(Path(sys.executable).with_name("alembic")), "-c", ini, "heads"])
    assert alembic_head() == heads.decode().split()[0]


def test_a_new_gradebook_carries_the_stamp(tmp_path):
    assignment = load_course(FIXTURE).get(ASSIGNMENT)
    source = notebooks.read(assignment.source_notebook)
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    write_gradebook(url, assignment, source, [(Submission("ada", b"{}"), empty_result(make_plan(source, 60).tests))])
    with Gradebook(url) as gb:
        stamp = gb.db.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalar()
        assert stamp == alembic_head() and gb.find_student("ada").id == "ada"
