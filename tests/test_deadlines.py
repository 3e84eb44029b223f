"""The term's arithmetic (autograder/deadlines.py, submitted.py, export.py, regrade.py): pure, fast."""
import csv
from datetime import datetime, timedelta, timezone

import pytest

from autograder import deadlines as d
from autograder.course import CourseError, load_course
from autograder.errors import GradeError
from autograder.export import export
from autograder.grading import Submission
from autograder.submitted import from_canvas_name, read_times, when_submitted

BERLIN = d.zone("Europe/Berlin", "test")
H = timedelta(hours=1)


def policy(**kw):
    return d.make_policy({"due": "2026-09-15 23:59", "timezone": "Europe/Berlin", **kw}, "test")


def at(text):
    return d.parse_time(text, BERLIN, "test")


def test_due_dates_are_compared_in_utc():
    p = policy()
    assert p.due == datetime(2026, 9, 15, 21, 59, tzinfo=timezone.utc)  # CEST is UTC+2
    assert d.lateness(p, at("2026-09-16T00:01:00+02:00")) == 2 * timedelta(minutes=1)
    assert d.lateness(p, at("2026-09-15T22:00:00Z")) == timedelta(minutes=1)
    assert d.lateness(p, at("2026-09-15 21:58:00.5 UTC")) == timedelta(0)  # nbgrader's timestamp.txt


def test_a_late_day_across_spring_forward_is_24_real_hours():
    """Berlin springs forward on 2026-03-29: 12:30 the next local day is only 23.5 h later."""
    p = d.make_policy({"due": "2026-03-28 12:00", "timezone": "Europe/Berlin", "late_policy": "per_hour",
                       "late_percent": 1}, "test")
    late = d.lateness(p, at("2026-03-29 12:30"))
    assert late == timedelta(hours=23, minutes=30)
    assert d.penalty_percent(p, late) == 24  # hours started
    assert d.assess(p, 10, at("2026-03-29 12:30"), late_days=1).percent == 0


def test_fall_back_counts_the_repeated_hour():
    """Berlin falls back on 2026-10-25: 23:00 to 03:30 local is 5.5 real hours."""
    p = d.make_policy({"due": "2026-10-24 23:00", "timezone": "Europe/Berlin", "late_policy": "per_hour",
                       "late_percent": 1}, "test")
    assert d.lateness(p, at("2026-10-25 03:30")) == timedelta(hours=5, minutes=30)
    # the repeated 02:30 is read as the first (summer time) one
    assert at("2026-10-25 02:30") == datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)


def test_a_local_time_that_does_not_exist_is_an_error():
    with pytest.raises(d.PolicyError, match="does not exist in Europe/Berlin"):
        at("2026-03-29 02:30")


def test_grace_forgives_and_then_lateness_counts_from_the_due_date():
    p = policy(grace_minutes=15, late_policy="per_day", late_percent=10)
    assert d.penalty_percent(p, d.lateness(p, p.due + timedelta(minutes=15))) == 0
    assert d.lateness(p, p.due + timedelta(minutes=16)) == timedelta(minutes=16)
    assert d.penalty_percent(p, d.lateness(p, p.due + timedelta(minutes=16))) == 10
    assert d.penalty_percent(p, timedelta(hours=24)) == 10
    assert d.penalty_percent(p, timedelta(hours=24, seconds=1)) == 20


def test_per_hour_cap_and_no_credit_after():
    p = policy(late_policy="per_hour", late_percent=5, max_penalty_percent=30, no_credit_after_hours=48)
    assert d.penalty_percent(p, 2.5 * H) == 15
    assert d.penalty_percent(p, 10 * H) == 30  # capped
    assert d.penalty_percent(p, 48 * H) == 30
    assert d.penalty_percent(p, 48 * H + timedelta(seconds=1)) == 100


def test_tiers_and_past_the_last_tier():
    p = policy(late_policy="tiers", tiers=[[72, 30], [24, 10]])
    assert p.tiers == ((24, 10), (72, 30))
    assert d.penalty_percent(p, 1 * H) == 10 and d.penalty_percent(p, 24 * H) == 10
    assert d.penalty_percent(p, 25 * H) == 30
    assert d.penalty_percent(p, 73 * H) == 100
    assert "up to 24 h late: 10% off" in p.describe()


def test_no_policy_means_no_penalty():
    p = policy()
    assert d.penalty_percent(p, 100 * H) == 0


@pytest.mark.parametrize("settings, message", [
    ({"due": "2026-09-31 23:59"}, "is not a date and time"),
    ({"due": "next friday"}, "is not a date and time"),
    ({"due": "2026-09-15 23:59", "timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ({"due": "2026-09-15 23:59", "late_policy": "weekly"}, "use one of per_day, per_hour, tiers, none"),
    ({"due": "2026-09-15 23:59", "late_policy": "tiers"}, "needs tiers"),
    ({"due": "2026-09-15 23:59", "late_percent": -5}, "0 or more"),
])
def test_bad_policies_say_what_to_write(settings, message):
    with pytest.raises(d.PolicyError, match=message):
        d.make_policy(settings, "here")


def test_savings_and_late_days():
    p = policy(late_policy="per_day", late_percent=10)
    submitted = p.due + 30 * H  # 2 days started: 20 % off
    assert d.savings(p, submitted, p.due, 10, 5) == [0, 1, 2]  # 1 day: 6 h late, 10 % off; 2 days: on time
    assert d.savings(p, submitted, p.due, 10, 1) == [0, 1]
    late = d.assess(p, 10, submitted, late_days=1)
    assert (late.late, late.late_days, late.percent, late.penalty, late.final) == (30 * H, 1, 10, 1, 9)
    assert late.reason() == "30.00 h late; 1 late day used; 10% off"


def test_late_days_go_where_they_save_most_ties_to_the_earliest():
    assert d.allocate([("a", [0, 1, 2]), ("b", [0, 2]), ("c", [0, 0.5])], 2) == {"a": 1, "b": 1, "c": 0}
    assert d.allocate([("a", [0, 3]), ("b", [0, 3])], 1) == {"a": 1, "b": 0}  # tie: the earliest
    assert d.allocate([("a", [0, 0, 0]), ("b", [0, 1])], 3) == {"a": 0, "b": 1}  # none spent for nothing
    assert d.allocate([("a", [0, 1, 1])], 3) == {"a": 1}  # the second day saves nothing more
    assert d.allocate([("a", [0, 5]), ("b", [0, 2, 6])], 2) == {"a": 1, "b": 1}  # 5 + 2 beats 6
    assert d.allocate([("a", [0, 3]), ("b", [0, 2, 6])], 2) == {"a": 0, "b": 2}  # 6 beats 3 + 2
    assert d.allocate([], 4) == {}


def test_extensions_move_the_due_date(tmp_path):
    path = tmp_path / "extensions.csv"
    path.write_text("student,assignment,new_due,extra_days,reason\nalice,01,,2,illness\n"
                    "bob,01,2026-09-20 12:00,,travel\n")
    ext = d.read_extensions(path, BERLIN, ["01"], {"alice", "bob"})
    p = policy(late_policy="per_day", late_percent=10)
    alice = d.assess(p, 10, p.due + 47 * H, ext["alice", "01"])
    assert (alice.percent, alice.reason()) == (0, "extension applied (illness)")
    assert ext["bob", "01"].apply(p.due) == datetime(2026, 9, 20, 10, tzinfo=timezone.utc)
    assert d.assess(p, 10, at("2026-09-20 13:00"), ext["bob", "01"]).percent == 10


@pytest.mark.parametrize("row, message", [
    ("zed,01,,2,x", r"extensions.csv, line 2: unknown student 'zed'"),
    ("alice,99,,2,x", r"line 2: unknown assignment '99'"),
    ("alice,01,2026-09-20 12:00,2,x", "not both"),
    ("alice,01,,two,x", "write a number of days"),
    ("alice,01,soon,,x", "is not a date and time"),
])
def test_bad_extension_rows_name_file_and_line(tmp_path, row, message):
    path = tmp_path / "extensions.csv"
    path.write_text("student,assignment,new_due,extra_days,reason\n" + row + "\n")
    with pytest.raises(d.PolicyError, match=message):
        d.read_extensions(path, BERLIN, ["01"], {"alice"})


def test_submission_times_from_csv_receipts_and_canvas_names(tmp_path):
    times = tmp_path / "times.csv"
    times.write_text("student,assignment,submitted_at\nann,01,2026-09-15 23:00\nann,02,2026-09-19 10:00\n")
    got = read_times(times, BERLIN, "01")
    assert got["ann"].at == datetime(2026, 9, 15, 21, tzinfo=timezone.utc) and got["ann"].source.endswith("line 2")
    receipt = Submission("bo", b"{}", "/x/submitted/bo/01/01.ipynb",
                         receipts={"timestamp.txt": b"2026-09-15 22:30:00.000000 UTC"})
    assert when_submitted(receipt, BERLIN, got, {}).at == datetime(2026, 9, 15, 22, 30, tzinfo=timezone.utc)
    late = Submission("cy", b"{}", "class.zip:smithcy_LATE_4711_99_01.ipynb")
    assert when_submitted(late, BERLIN, {}, {}).late_marker and when_submitted(late, BERLIN, {}, {}).at is None
    assert from_canvas_name("class.zip:smithcy_4711_99_01.ipynb").on_time
    assert from_canvas_name("/x/cy.ipynb") is None and when_submitted(Submission("cy", b"{}", "/x/cy.ipynb"),
                                                                      BERLIN, {}, {}).source == ""
    times.write_text("student,when\nann,2026\n")
    with pytest.raises(d.PolicyError, match="line 1: the header must name the columns student and submitted_at"):
        read_times(times, BERLIN, "01")


def _course(tmp_path, term, entry=""):
    (tmp_path / "course").mkdir(exist_ok=True)
    (tmp_path / "course" / "course.toml").write_text(
        f'[course]\nname = "T"\n\n[term]\n{term}\n\n[[assignments]]\nid = "01"\ntitle = "One"\ntime_limit = 60\n{entry}\n')
    return load_course(tmp_path)


def test_course_toml_policy_with_an_assignment_override(tmp_path):
    course = _course(tmp_path, 'timezone = "America/New_York"\nlate_policy = "per_day"\nlate_percent = 10\n'
                               'late_days = 3', 'due = "2026-11-01 01:30"\nlate_percent = 5')
    p = course.get("01").policy
    assert (p.percent, p.rule, course.late_days) == (5, "per_day", 3)
    assert p.due == datetime(2026, 11, 1, 5, 30, tzinfo=timezone.utc)  # the first 01:30 (EDT) that night


@pytest.mark.parametrize("term, entry, message", [
    ('timezone = "Europe/Berlni"', 'due = "2026-09-15 23:59"', r"course.toml, line 5: .*unknown time zone 'Europe/Berlni'"),
    ("", 'due = "2026-09-15 25:00"', r"course.toml, line 11: .*is not a date and time"),
    ("late_percnt = 10", "", r"line 4: \[term\] has unknown keys late_percnt"),
    ('late_policy = "daily"', "", r"line 5: .*late_policy = 'daily'; use one of per_day"),
])
def test_bad_course_toml_names_the_line(tmp_path, term, entry, message):
    with pytest.raises(CourseError, match=message):
        _course(tmp_path, term, entry)


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def _graded_workspace(tmp_path):
    course = _course(tmp_path, "")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "grades.csv").write_text("student_id,assignment,status,reason,score,max_score\n"
                                   "ann,01,graded,,4.5,5\nbo,01,graded,,5,5\nghost,01,graded,,3,5\n")
    return course, ws


def test_canvas_export_keeps_its_columns_the_points_row_and_every_student(tmp_path):
    course, ws = _graded_workspace(tmp_path)
    roster = tmp_path / "canvas.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,One (4242),Current Score\n"
                      "    Points Possible,,,,,5,\nLee Ann,11,S1,ann,A,,\nDoe Bo,12,S2,bo,A,,\nNew Cy,13,S3,cy,B,,\n")
    done = export(course, ws, roster, "canvas", tmp_path / "out.csv")
    assert _rows(done.path) == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "One (4242)"],
                                ["    Points Possible", "", "", "", "", "5"],
                                ["Lee Ann", "11", "S1", "ann", "A", "4.5"], ["Doe Bo", "12", "S2", "bo", "A", "5"],
                                ["New Cy", "13", "S3", "cy", "B", ""]]
    assert (done.not_graded, done.not_on_roster) == (["cy"], ["ghost"])
    assert _rows(done.unmatched) == [["student_id", "01"], ["ghost", "3"]]


def test_moodle_export_is_keyed_by_email(tmp_path):
    course, ws = _graded_workspace(tmp_path)
    roster = tmp_path / "moodle.csv"
    roster.write_text("First name,Last name,ID number,Institution,Email address\nAnn,Lee,1,U,ann\nBo,Doe,2,U,bo\n")
    done = export(course, ws, roster, "moodle", tmp_path / "m.csv")
    assert _rows(done.path) == [["First name", "Last name", "ID number", "Email address", "One"],
                                ["Ann", "Lee", "1", "ann", "4.5"], ["Bo", "Doe", "2", "bo", "5"]]
    assert done.not_on_roster == ["ghost"]
    plain = export(course, ws, roster, "csv", tmp_path / "p.csv", match="Email address")
    assert _rows(plain.path)[:2] == [["student_id", "First name", "Last name", "ID number", "Institution",
                                      "Email address", "One"], ["ann", "Ann", "Lee", "1", "U", "ann", "4.5"]]


def test_a_roster_without_the_id_column_is_refused(tmp_path):
    course, ws = _graded_workspace(tmp_path)
    roster = tmp_path / "r.csv"
    roster.write_text("Student,ID,SIS User ID,Section\nx,1,2,3\n")
    with pytest.raises(GradeError, match=r"r.csv, line 1: the roster has no 'SIS Login ID' column.*--match"):
        export(course, ws, roster, "canvas", tmp_path / "o.csv")


def test_moodle_grading_worksheet_times(tmp_path):
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text('Identifier,Full name,Email address,Status,Last modified (submission),Grade\n'
                     'Participant 101,Ann Lee,ann@x.org,Submitted,"Friday, 25 September 2026, 11:30 PM",\n'
                     'Participant 102,Bo Doe,bo@x.org,No submission,-,\n')
    got = read_times(sheet, BERLIN, "01")
    assert list(got) == ["101"] and got["101"].at == datetime(2026, 9, 25, 21, 30, tzinfo=timezone.utc)
    sheet.write_text('Identifier,Last modified (submission)\nParticipant 101,"vendredi, 25 septembre 2026"\n')
    with pytest.raises(d.PolicyError, match="worksheet.csv, line 2: .*English"):
        read_times(sheet, BERLIN, "01")


def test_a_times_row_naming_no_submitted_student_is_refused(tmp_path):
    from autograder import term
    course = _course(tmp_path, "", 'due = "2026-09-15 23:59"')
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\nann,2026-09-15 23:00\nanne,2026-09-15 23:00\n")
    subs = [Submission("ann", b"{}", "ann.ipynb")]
    with pytest.raises(d.PolicyError, match=r"times.csv, line 3: unknown student 'anne'"):
        term.check(course, course.get("01"), subs, tmp_path / "ws", times)
    (tmp_path / "undated").mkdir()
    undated = _course(tmp_path / "undated", "")
    with pytest.raises(d.PolicyError, match="01 has no due date in course/course.toml"):
        term.check(undated, undated.get("01"), subs, tmp_path / "ws", times)
    assert term.check(undated, undated.get("01"), subs, tmp_path / "ws") is None


def test_the_ledger_keeps_late_days_spent_by_assignments_graded_earlier(tmp_path):
    """Graded one at a time: 01 spends the only late day; 02, graded later, finds none left;
    grading 01 again gives its day back first and spends it again (nothing changes)."""
    from autograder import term
    from autograder.results import CellResult, Result
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "course.toml").write_text(
        '[term]\nlate_policy = "per_day"\nlate_percent = 10\nlate_days = 1\n' + "".join(
            f'[[assignments]]\nid = "{a}"\ntitle = "{a}"\ntime_limit = 60\ndue = "2026-09-{d} 12:00"\n'
            for a, d in (("01", 10), ("02", 17))))
    course, ws = load_course(tmp_path), tmp_path / "ws"
    ws.mkdir()

    def grade(aid, submitted):
        sub = Submission("ann", b"{}", "ann.ipynb", receipts={"timestamp.txt": submitted.encode()})
        run = term.check(course, course.get(aid), [sub], ws)
        result = Result([CellResult("t", "e", 10, 10, "passed")])
        term.apply(run, [(sub, result)], ws)
        return result.late

    first = grade("01", "2026-09-11 18:00:00 UTC")  # 30 h late
    assert (first.late_days, first.percent) == (1, 10)
    second = grade("02", "2026-09-17 22:00:00 UTC")  # 10 h late, no day left
    assert (second.late_days, second.percent, second.final) == (0, 10, 9)
    again = grade("01", "2026-09-11 18:00:00 UTC")
    assert (again.late_days, again.percent) == (1, 10)
