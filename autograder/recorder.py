"""What nbgrader's tools read of a graded class, written in a process of its own (``Background``).

nbgrader and SQLAlchemy take the better part of a second to import: that process imports them
while the class is graded (``ready``), then writes the autograded notebooks, the course folder
and the gradebook (autograder/formgrader.py, ``write_all``) while the grader writes grades.csv,
the feedback and the report. The grader's own process never imports them.
"""


def ready():
    from . import formgrader  # noqa: F401


def write(*args):
    from .formgrader import write_all
    return write_all(*args)
