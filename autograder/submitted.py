"""When each notebook was submitted, from what the instructor has; never guessed.

In order: the instructor's ``--submitted-at`` CSV; nbgrader exchange's ``timestamp.txt``
beside the collected notebook; Canvas's download name (``name_LATE_123_456_file.ipynb``
marks late work, without saying how late); the time recorded when the notebook was last
graded. Otherwise the time is unknown: the notebook is graded and flagged.
"""
import csv
import re
from dataclasses import dataclass
from datetime import datetime

from .deadlines import PolicyError, parse_time

# Canvas names a downloaded file <sortable name>_[LATE_]<user id>_<submission id>_<file name>
CANVAS_NAME = re.compile(r"^[^_/]+_(?P<late>LATE_)?\d+_\d+_[^/]+$")
UNKNOWN = "submission time unknown"


@dataclass(frozen=True)
class When:
    at: datetime = None  # aware; None: not known
    source: str = ""  # where it came from (file and line, or the rule)
    late_marker: bool = False  # an LMS marked it late without giving the time
    on_time: bool = False  # an LMS marked it on time without giving the time


# Moodle's grading worksheet ("Download grading worksheet"): Identifier "Participant 123",
# "Last modified (submission)" "Tuesday, 15 September 2026, 11:59 PM" ("-": nothing submitted)
MOODLE_ID, MOODLE_TIME, MOODLE_FORMAT = "Identifier", "Last modified (submission)", "%A, %d %B %Y, %I:%M %p"


def read_times(path, tz, assignment_id):
    """{student: When} from a CSV with columns ``student`` and ``submitted_at`` (and optionally
    ``assignment``: rows naming another assignment are skipped), or Moodle's grading worksheet
    (students as its participant numbers)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        columns = set(reader.fieldnames or ())
        moodle = {MOODLE_ID, MOODLE_TIME} <= columns
        if not moodle and not {"student", "submitted_at"} <= columns:
            raise PolicyError(f"{path}, line 1: the header must name the columns student and submitted_at "
                              f"(and optionally assignment), or be Moodle's grading worksheet; it has "
                              f"{', '.join(reader.fieldnames or ()) or 'none'}")
        out = {}
        for row in reader:
            where = f"{path}, line {reader.line_num}"
            if (row.get("assignment") or assignment_id).strip() != assignment_id:
                continue
            student = (row[MOODLE_ID] if moodle else row["student"] or "").strip().removeprefix("Participant ")
            text = (row[MOODLE_TIME] if moodle else row["submitted_at"] or "").strip()
            if moodle and text in ("", "-"):
                continue  # nothing submitted
            if not student:
                raise PolicyError(f"{where}: no student id; fill in the student column or remove the row")
            if student in out:
                raise PolicyError(f"{where}: a second time for {student} (the first is on "
                                  f"{out[student].source}); keep the one to use")
            out[student] = When(_moodle_time(text, tz, where) if moodle else
                                parse_time(text, tz, f"{where}, submitted_at"), where)
    return out


def _moodle_time(text, tz, where):
    try:
        local = datetime.strptime(text, MOODLE_FORMAT)
    except ValueError:
        raise PolicyError(f"{where}: {MOODLE_TIME} {text!r} is not Moodle's English date format "
                          f"(e.g. 'Tuesday, 15 September 2026, 11:59 PM'); download the worksheet with "
                          f"the language set to English, or write a student,submitted_at CSV") from None
    return parse_time(local.isoformat(sep=" "), tz, where)


def from_receipt(data, tz, origin):
    """nbgrader exchange's timestamp.txt (``2026-09-15 21:59:00.123456 UTC``)."""
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        text = ""
    try:
        return When(parse_time(text, tz, origin), f"{origin} (nbgrader exchange)")
    except PolicyError:
        return None


def from_canvas_name(origin):
    """Canvas's download name: only LATE or not, never the time; None for other names."""
    member = origin.rpartition(":")[2].rpartition("/")[2]
    match = CANVAS_NAME.match(member)
    if not match:
        return None
    if match["late"]:
        return When(None, f"{member} (Canvas marks it LATE, without the time)", late_marker=True)
    return When(None, f"{member} (Canvas: not marked LATE)", on_time=True)


def when_submitted(sub, tz, times, recorded):
    """The When of a Submission: ``times`` from --submitted-at, ``recorded`` from the last run."""
    if sub.student in times:
        return times[sub.student]
    receipt = sub.receipts.get("timestamp.txt")
    found = receipt is not None and from_receipt(receipt, tz, f"{sub.origin.rpartition('/')[0]}/timestamp.txt")
    if found:
        return found
    canvas = from_canvas_name(sub.origin)
    if canvas and canvas.late_marker:
        return canvas
    if sub.student in recorded:
        return recorded[sub.student]
    return canvas or When()
