"""nbgrader's settings for this course, so that stock nbgrader works on the repository:
`nbgrader generate_assignment <id>` reproduces release/, `nbgrader autograde` grades, and
`nbgrader generate_feedback` shows no hidden test. The values come from course/course.toml,
the one list of assignments; `nncourse grade` writes the same settings into its workspace, an
nbgrader course folder (and registers every assignment in its gradebook).
"""
import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)
_course = tomllib.loads((Path(__file__).resolve().parent / "course" / "course.toml").read_text(encoding="utf-8"))
# the course's name as an id, as autograder.course.Course.slug makes it
c.CourseDirectory.course_id = re.sub(r"[^a-z0-9]+", "-", _course["course"]["name"].lower()).strip("-")
# Stock nbgrader's timeout is per cell (ours is per notebook): the longest notebook limit fits every cell.
c.ExecutePreprocessor.timeout = int(max(a["time_limit"] for a in _course["assignments"]))
# Stock generate_feedback (formgrader's button) builds feedback from the autograded notebooks:
# each test cell's hidden tests and its outputs but nncourse's verdict removed
# (autograder/formgrader.py).
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", "autograder.formgrader.StripHiddenTests",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
# autograde without nbclient's Output widget stand-in, which can hang a widget cell (autograder/stock.py)
from autograder.stock import autograde_steps  # noqa: E402
c.Autograde.autograde_preprocessors = autograde_steps()
