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
import shutil
from pathlib import Path

from nbconvert.utils.base import NbConvertBase
from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearHiddenTests
from sqlalchemy.exc import SQLAlchemyError
from traitlets import List

from . import notebooks
from .folders import reset
from .feedback import OUTCOME_TEXT
from .gradebook import _exclusive, gradebook_url, write_gradebook
from .release import release_files, release_notebook

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


def write_all(workspace, course, assignment, graded, source_nb, gradebook=None, roster=None):
    """Everything formgrader reads of ``graded`` [(Submission, Result)]: each student's autograded
    notebook, the workspace's course folder and the gradebook (``gradebook``: a database URL,
    default the workspace's gradebook.db; ``roster``: {student: (first, last)}). Returns None, or
    why the gradebook could not be written (every file is)."""
    workspace = Path(workspace)
    for sub, result in graded:
        write_autograded(workspace / "autograded" / sub.student / assignment.id / f"{assignment.id}.ipynb", result,
                         source_nb)
    course_folder(workspace, course, assignment, gradebook)
    url = gradebook_url(gradebook or workspace)
    try:
        write_gradebook(url, assignment, source_nb, graded)
        record(url, course, assignment, graded, roster)
    except (SQLAlchemyError, OSError, RuntimeError) as err:
        return f"{type(err).__name__}: {err}"
    return None


def add_sources(workspace, course):
    """Each of the course's assignments' source/ folder in the workspace, where there is none yet
    (an instructor's edits there are kept): formgrader lists the assignments it finds there."""
    for a in course.existing():
        target = Path(workspace) / "source" / a.id
        if not target.exists() and not target.is_symlink():
            shutil.copytree(a.source_dir, target, symlinks=True,
                            ignore=shutil.ignore_patterns(".*", "__pycache__"))


NBGRADER_CONFIG = '''"""nbgrader's settings for this workspace (written by nncourse grade; edit freely, it is kept)."""
from pathlib import Path

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = {db_url}
c.ExecutePreprocessor.timeout = {timeout!r}
# Stock generate_feedback (formgrader's button) reads the autograded notebooks: hidden tests out
c.GenerateFeedback.preprocessors = {feedback_steps!r}
# Stock autograde without nbclient's Output widget stand-in, which can hang a widget cell
from autograder.stock import autograde_steps
c.Autograde.autograde_preprocessors = autograde_steps()
'''
# the workspace's own gradebook, wherever the folder is copied or moved
WORKSPACE_DB = '"sqlite:///" + str(Path(__file__).resolve().parent / "gradebook.db")'
FEEDBACK_STEPS = ["nbgrader.preprocessors.GetGrades", "autograder.formgrader.StripHiddenTests",
                  "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]


def course_folder(workspace, course, assignment, gradebook):
    """Make the workspace an nbgrader course folder formgrader can open: the assignment's
    source/ and release/, and an nbgrader_config.py (an existing one is the instructor's)."""
    files = {"source": {p.relative_to(assignment.source_dir).as_posix(): p.read_bytes()
                        for p in sorted(assignment.source_dir.rglob("*")) if p.is_file() and not p.is_symlink()},
             "release": release_files(assignment)}  # generated, as `nncourse release` would
    for kind, contents in files.items():
        target = workspace / kind / assignment.id
        if target.resolve() == (assignment.root / kind / assignment.id).resolve():
            continue  # the workspace is the course repository itself
        reset(target)
        for rel, data in contents.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
    add_sources(workspace, course)
    config = workspace / "nbgrader_config.py"
    if not config.exists() and not config.is_symlink():
        config.write_text(NBGRADER_CONFIG.format(
            course_id=course.slug, db_url=repr(gradebook_url(gradebook)) if gradebook else WORKSPACE_DB,
            timeout=int(max(a.time_limit for a in course.assignments)), feedback_steps=FEEDBACK_STEPS),
            encoding="utf-8")


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
            comments = {comment.name: comment for comment in
                        gb.find_submission_notebook(assignment.id, assignment.id, sub.student).comments}
            for exercise in result.exercises():
                comment = comments.get(exercise)
                if comment is None:  # a test whose exercise has no solution cell of that name
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
