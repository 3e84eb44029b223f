"""The roster: an LMS's CSV of the class, read for the students' names that formgrader lists
(``nncourse grade --roster``)."""
import csv
from pathlib import Path

from .errors import GradeError

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
