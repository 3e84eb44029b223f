"""What nbgrader's formgrader shows of ``nncourse grade``'s results (course/INSTRUCTORS.md,
"What formgrader shows").

Formgrader shows two things: the autograded notebook and the gradebook. nncourse decides
outside the kernel, so both are made to say what it decided:

* a test cell's output is the grader's verdict (passed, or failed with the grader's message),
  never what the kernel printed: a test cell that ran to its end printed "tests passed"
  whatever the grader then found;
* a note cell at the top gives the score and, for a flagged submission, why;
* a corrupt or missing submission gets an autograded notebook too (the release's cells, its
  reason in the note): formgrader lists only submissions whose autograded notebook exists, and
  nbgrader 0.9.6 renders a missing one with a template it does not ship
  (``TemplateNotFound: 'formgrade_macros.tpl'``, a server error);
* each exercise's verdicts are its solution cell's comment (``auto_comment``) in the gradebook:
  nbgrader keeps scores on test cells and comments on solution cells;
* every assignment of the course is in the gradebook and has its source/ folder (formgrader's
  views list the assignments found there), and students have names from a roster.

Stock ``nbgrader generate_feedback`` (formgrader's "Generate Feedback") builds feedback from
the autograded notebooks; the workspace's nbgrader_config.py gives it ``StripHiddenTests``.
"""
import copy
import csv
import shutil
from pathlib import Path

from nbconvert.utils.base import NbConvertBase
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import List

from . import notebooks
from .errors import GradeError
from .feedback import OUTCOME_TEXT
from .gradebook import _exclusive
from .release import release_notebook

NOTE = "nncourse_note"  # metadata key of the cells and outputs nncourse writes
UNREADABLE = "corrupt", "no notebook"


def verdict(cell):
    """A test cell's CellResult as one text: outcome, points, the grader's message."""
    text = f"{OUTCOME_TEXT[cell.outcome]} ({cell.points:g}/{cell.max_points:g})"
    return text + (f"\n{cell.message}" if cell.message and cell.outcome != "not answered" else "")


def _note(result, unreadable):
    late = f" ({result.score:g} before a late penalty of {result.late.penalty:g})" if result.late else ""
    paragraphs = [f"**nncourse graded this notebook: {result.final_score:g} / {result.max_score:g}**{late}. Each "
                  "test cell's output below is the grader's verdict, decided outside the kernel."]
    if unreadable:
        paragraphs.append("No notebook could be graded; these are the released cells, shown so that the "
                          "submission can be found and graded by hand. The submitted file is in `submitted/`.")
    if result.flags:
        paragraphs.append("**Flagged for review:**\n" + "\n".join(
            f"- {why}{': ' + detail if detail else ''}" for why, detail in result.flags))
    cell = notebooks.nbformat.v4.new_markdown_cell("\n\n".join(paragraphs), id="nncourse-note")
    cell.metadata[NOTE] = True
    return cell


def autograded_notebook(result, source_nb):
    """The notebook formgrader shows for ``result``: the executed one (the release's cells when
    the submission could not be read), its test cells' outputs the grader's verdicts, a note first."""
    unreadable = result.notebook is None or any(why in UNREADABLE for why, _ in result.flags)
    nb = copy.deepcopy(result.notebook) if result.notebook is not None else release_notebook(source_nb)
    cells = {c.grade_id: c for c in result.cells}
    for cell in nb.cells:
        if cell.cell_type == "code" and notebooks.grade_id(cell) in cells:
            # display data, not a stream: its metadata marks it as the grader's (StripHiddenTests keeps it)
            cell.outputs = [notebooks.nbformat.v4.new_output(
                "display_data", data={"text/plain": "nncourse: " + verdict(cells[notebooks.grade_id(cell)])}, metadata={NOTE: True})]
    nb.cells.insert(0, _note(result, unreadable))
    return nb


def write_autograded(path, result, source_nb):
    Path(path).write_text(notebooks.dumps(autograded_notebook(result, source_nb)), encoding="utf-8")


def add_sources(workspace, course):
    """Each of the course's assignments' source/ folder in the workspace, where there is none yet
    (an instructor's edits there are kept): formgrader lists the assignments it finds there."""
    for a in course.existing():
        target = Path(workspace) / "source" / a.id
        if not target.exists() and not target.is_symlink():
            shutil.copytree(a.source_dir, target, symlinks=True,
                            ignore=shutil.ignore_patterns(".*", "__pycache__"))


ROSTER_IDS = ("student_id", "sis_login_id", "email_address", "username", "login", "id")  # first found wins


def read_roster(path):
    """{student id: (first name, last name)} from a CSV with a header: the LMS roster that
    ``nncourse export`` reads (Canvas: SIS Login ID and Student, "Last, First"; Moodle: Email
    address, First name and Last name) or any CSV with student_id (or id, login, username) and
    first_name and last_name, or name ("Ada Lovelace")."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = {h.strip().lower().replace(" ", "_"): h for h in reader.fieldnames or []}
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise GradeError(f"cannot read the roster {path}: {err}; pass a CSV file with a header") from None
    id_col = next((header[k] for k in ROSTER_IDS if k in header), None)
    named = {"first_name", "last_name"} <= header.keys() or "student" in header or "name" in header
    if id_col is None or not named:
        raise GradeError(f"the roster {path} needs a header with an id column (student_id, SIS Login ID, Email "
                         f"address, username, login or id) and names (first_name and last_name, Student as "
                         f"\"Last, First\", or name); it has: {', '.join(header.values()) or 'no rows'}")
    roster = {}
    for row in rows:
        if "first_name" in header and "last_name" in header:
            first, last = row[header["first_name"]].strip(), row[header["last_name"]].strip()
        elif "student" in header:
            last, _, first = row[header["student"]].partition(",")
            first, last = first.strip(), last.strip()
        else:
            first, _, last = row[header["name"]].strip().rpartition(" ")
        roster[(row[id_col] or "").strip()] = (first, last)
    return roster


def _name(student, roster):
    """(first, last) as formgrader shows "last, first": the roster's, else the id alone (nbgrader
    shows a name it lacks as "None")."""
    first, last = (roster or {}).get(student, ("", ""))
    return (first, last) if last else ("", student)


def record(url, course, assignment, graded, roster=None):
    """Add to the gradebook what formgrader needs beside the scores: the course's assignments,
    the students' names, each exercise's verdicts as its solution cell's comment."""
    with _exclusive(url), Gradebook(url) as gb:
        for a in course.assignments:
            gb.update_or_create_assignment(a.id)
        for sub, result in graded:
            first, last = _name(sub.student, roster)
            gb.update_or_create_student(sub.student, first_name=first, last_name=last)
            for exercise in result.exercises():
                try:
                    comment = gb.find_comment(exercise, assignment.id, assignment.id, sub.student)
                except MissingEntry:  # a test whose exercise has no solution cell of that name
                    continue
                comment.auto_comment = "\n".join(f"{c.grade_id}: {verdict(c)}" for c in result.cells
                                                 if c.exercise == exercise)
        gb.db.commit()


class StripHiddenTests(ClearHiddenTests):
    """ClearHiddenTests for stock ``nbgrader generate_feedback``: a test cell's hidden tests
    removed, and every output of it but the grader's verdict (what a kernel printed in a hidden
    test, a traceback quoting it)."""

    # configurable again, as nbconvert has it: nbgrader's base class makes it plain, and traitlets
    # then warns about the HTML exporter's setting ("Config option not recognized")
    display_data_priority = List(NbConvertBase.display_data_priority.default_value).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and notebooks.is_grade(cell):
            cell.outputs = [o for o in cell.outputs if o.get("metadata", {}).get(NOTE)]
        return cell, resources
