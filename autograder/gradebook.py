"""nbgrader's gradebook.db in the workspace, so that nbgrader's own tools (formgrader, ``nbgrader
export``, manual grading) see what ``grade`` decided.

Scores are written as nbgrader's ``auto_score`` from our results, never recomputed by nbgrader's
SaveAutoGrades, which would score a cell 0 for a harmless warning on stderr. A flagged
submission is marked ``flagged`` in nbgrader's sense: look at it by hand. Each run replaces
this assignment's entries (its cells and every submission); other assignments stay.

The gradebook is an SQLAlchemy URL: the default SQLite file in the workspace, or a PostgreSQL
database shared by several graders (``postgresql://user@host/db``).
"""
LOCK_KEY = 0x6E6E636F  # "nnco": grading runs writing one PostgreSQL gradebook take turns on it
import copy
import functools
import os
import re
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy
import nbgrader.api as nbgrader_api
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from nbgrader.preprocessors import ClearSolutions, ComputeChecksums, SaveCells


def _alembic_on_path():
    """nbgrader stamps a new database by running the ``alembic`` command, found on PATH; it
    lives beside this Python, which is not on PATH when the venv is not activated."""
    here = str(Path(sys.executable).parent)
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(filter(None, (here, os.environ.get("PATH"))))


REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?(\w+)?['\"]?", re.M)


@functools.lru_cache(maxsize=None)
def alembic_head():
    """The newest of nbgrader's database migrations, read from its migration files. nbgrader
    stamps each new gradebook with it by running ``alembic heads`` in a subprocess, which
    imports every migration (1-2 s of a class's grading); this reads their two names instead.
    None if the files are not one chain (then nbgrader asks alembic itself)."""
    revisions, parents = set(), set()
    for path in (Path(nbgrader_api.__file__).parent / "alembic" / "versions").glob("*.py"):
        fields = dict(REVISION.findall(path.read_text(encoding="utf-8")))
        revisions.add(fields.get("revision"))
        parents.add(fields.get("down_revision"))
    heads = revisions - parents - {None, ""}
    return heads.pop() if len(heads) == 1 else None


def _stamp_without_a_subprocess():
    head = alembic_head()
    if head is not None:
        nbgrader_api.get_alembic_version = lambda: head  # what Gradebook() stamps a new database with


def gradebook_url(workspace_or_url):
    """A database URL as given, or the default SQLite file of a workspace folder."""
    text = str(workspace_or_url)
    return text if "://" in text else f"sqlite:///{Path(text) / 'gradebook.db'}"


@contextmanager
def _exclusive(url):
    """Runs writing one PostgreSQL gradebook at once take turns, on an advisory lock held for
    the whole write: each replaces its assignment (remove, then add every submission), and two
    runs of one assignment (two TAs) interleaving those steps would leave a mix of both."""
    if not url.startswith("postgresql"):
        yield
        return
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    finally:
        engine.dispose()


def write_gradebook(url, assignment, source_nb, graded):
    """Record ``graded`` [(Submission, Result)] of ``assignment`` in the gradebook at ``url``."""
    _alembic_on_path()
    _stamp_without_a_subprocess()
    try:
        with _exclusive(url):
            _write(url, assignment, source_nb, graded)
            _write_variants(url, assignment, graded)
    except ImportError as err:  # the database's driver
        raise RuntimeError(f"no driver for this database ({err}); for PostgreSQL: "
                           f"pip install -e \".[cluster]\" (psycopg)") from None


# nbgrader's tables have no place for it: each student's variant of the hidden tests
# (autograder/variants.py) in a table of its own beside them
VARIANTS = sqlalchemy.Table("nncourse_variant", sqlalchemy.MetaData(),
                            sqlalchemy.Column("assignment", sqlalchemy.String(128), primary_key=True),
                            sqlalchemy.Column("student", sqlalchemy.String(128), primary_key=True),
                            sqlalchemy.Column("variant", sqlalchemy.Integer, nullable=False))


def _write_variants(url, assignment, graded):
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as conn:
            VARIANTS.create(conn, checkfirst=True)
            conn.execute(VARIANTS.delete().where(VARIANTS.c.assignment == assignment.id))
            rows = [{"assignment": assignment.id, "student": sub.student, "variant": result.variant}
                    for sub, result in graded]
            if rows:
                conn.execute(VARIANTS.insert(), rows)
    finally:
        engine.dispose()


def variants_of(url, assignment_id):
    """{student: variant} as the gradebook at ``url`` records them for ``assignment_id``."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sqlalchemy.inspect(conn).has_table(VARIANTS.name):
                return {}
            rows = conn.execute(sqlalchemy.select(VARIANTS.c.student, VARIANTS.c.variant)
                                .where(VARIANTS.c.assignment == assignment_id))
            return dict(rows.all())
    finally:
        engine.dispose()


def _write(url, assignment, source_nb, graded):
    notebook = assignment.id
    with Gradebook(url) as gb:
        try:
            gb.remove_assignment(assignment.id)  # its notebooks, cells and submissions
        except MissingEntry:
            pass
        # nbgrader keeps naive UTC times
        gb.add_assignment(assignment.id, duedate=assignment.policy.due.replace(tzinfo=None)
                          if assignment.policy and assignment.policy.due else None)
    # The cells as nbgrader generate_assignment records them: solutions cleared, hidden tests kept.
    cells_nb = copy.deepcopy(source_nb)
    for step in (ClearSolutions, ComputeChecksums):
        cells_nb = step().preprocess(cells_nb, {})[0]
    SaveCells().preprocess(cells_nb, {"nbgrader": {"db_url": url, "assignment": assignment.id,
                                                   "notebook": notebook}})
    with Gradebook(url) as gb, warnings.catch_warnings():
        # nbgrader's add_submission trips SQLAlchemy 2's autoflush warnings; the rows are right
        warnings.filterwarnings("ignore", category=SAWarning)
        for sub, result in graded:
            gb.update_or_create_student(sub.student)
            late = result.late
            gb.add_submission(assignment.id, sub.student,
                              **({"timestamp": late.submitted.replace(tzinfo=None)} if late and late.submitted else {}))
            nb_entry = gb.find_submission_notebook(notebook, assignment.id, sub.student)
            nb_entry.flagged = bool(result.flags)
            nb_entry.late_submission_penalty = late.penalty if late else 0.0
            grades = {grade.name: grade for grade in nb_entry.grades}  # one query, not one per cell
            for cell in result.cells:
                grade = grades[cell.grade_id]
                grade.auto_score = cell.points
                # stock semantics (SaveAutoGrades): an auto-graded cell needs no manual grade;
                # a flagged submission is for a person to look at, cell by cell
                grade.needs_manual_grade = bool(result.flags)
            gb.db.commit()
