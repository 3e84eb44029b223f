"""A term end to end: a collected exchange (timestamp.txt), an LMS zip (Canvas names) and a
--submitted-at CSV, graded once under course.toml's late policy with late days and an
extension; then exported for Canvas, and regraded after a hidden test changed."""
import csv
import shutil
import zipfile

import pytest

from autograder import notebooks
from autograder.cli import main

from fixtures.classroom import ASSIGNMENT, copy_course, source_and_release, write

TERM = '''
[term]
timezone = "Europe/Berlin"
grace_minutes = 10
late_policy = "per_day"
late_percent = 10
no_credit_after_hours = 120
late_days = 1
extensions = "extensions.csv"
'''
DUE = 'due = "2026-10-24 23:00"\n'  # 21:00 UTC (CEST); the clocks fall back that night
BUG = 'def add_bias(x, b):\n    return x + b.mean()\n'
# student -> (exchange timestamp.txt or None, answers): the time's source decides the rest
EXCHANGE = {
    "ana": ("2026-10-24 20:30:00.000000 UTC", {}),  # on time
    "ben": ("2026-10-24 21:05:00.000000 UTC", {}),  # within the grace period
    "cal": ("2026-10-26 03:00:00.000000 UTC", {}),  # 30 h late: one late day, then 6 h late
    "dee": ("2026-10-26 23:00:00.000000 UTC", {}),  # 50 h late, with a 3-day extension
    "eve": (None, {}),  # no time anywhere
    "fay": (None, {"answers": {"add_bias": BUG}}),  # --submitted-at: 51 h late, local time
    "gus": ("2026-11-01 00:00:00.000000 UTC", {"skip": {"relative_error"}}),  # 171 h late: no credit
}
# student -> (status, raw, penalty, final, penalty_reason starts with)
EXPECTED = {
    "ana": ("graded", 5, 0, 5, "on time"),
    "ben": ("graded", 5, 0, 5, "on time"),
    "cal": ("graded", 5, 0.5, 4.5, "30.00 h late; 1 late day used; 10% off"),
    "dee": ("graded", 5, 0, 5, "extension applied (doctor's note)"),
    "eve": ("flagged", 5, 0, 5, "submission time unknown"),
    "fay": ("graded", 2, 0.4, 1.6, "51.00 h late; 1 late day used; 20% off"),
    "gus": ("graded", 3, 3, 0, "171.00 h late; 100% off"),
    "kit": ("graded", 5, 0, 5, "on time"),  # Canvas: not marked LATE
    "zed": ("flagged", 5, 0, 5, "submission time unknown"),  # Canvas: LATE, no time
}


def make_term(tmp):
    course = copy_course(tmp)
    toml = course.root / "course" / "course.toml"
    toml.write_text(toml.read_text().replace("[[assignments]]", TERM + "\n[[assignments]]") + DUE)
    (course.root / "course" / "extensions.csv").write_text(
        f"student,assignment,new_due,extra_days,reason\ndee,{ASSIGNMENT},,3,doctor's note\n")
    source, release = source_and_release(course)
    inbox = tmp / "inbox"
    for student, (stamp, kw) in EXCHANGE.items():
        folder = inbox / student / ASSIGNMENT
        write(notebooks.fill_solutions(release, source, **kw), folder / f"{ASSIGNMENT}.ipynb")
        if stamp:
            (folder / "timestamp.txt").write_text(stamp)
    with zipfile.ZipFile(inbox / "canvas.zip", "w") as z:
        full = notebooks.dumps(notebooks.fill_solutions(release, source))
        z.writestr(f"kit_4711_98_{ASSIGNMENT}.ipynb", full)
        z.writestr(f"zed_LATE_4712_99_{ASSIGNMENT}.ipynb", full)
    times = tmp / "times.csv"
    times.write_text(f"student,assignment,submitted_at\nfay,{ASSIGNMENT},2026-10-27 01:00\n")
    return course, inbox, times


def rows(path):
    with open(path, newline="") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def term_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    course, inbox, times = make_term(tmp)
    workspace = tmp / "workspace"
    assert main(["--root", str(course.root), "grade", str(inbox), "--assignment", ASSIGNMENT, "--workspace",
                 str(workspace), "--submitted-at", str(times), "--workers", "2"]) == 1  # eve and zed flagged
    return course, workspace


class TestTerm:
    def test_grades_csv_keeps_raw_penalty_and_final(self, term_class):
        _, workspace = term_class
        got = rows(workspace / "grades.csv")
        assert sorted(got) == sorted(EXPECTED)
        for student, (status, raw, penalty, final, why) in EXPECTED.items():
            row = got[student]
            assert ((row["status"], float(row["raw_score"]), float(row["late_penalty"]), float(row["score"]))
                    == (status, raw, penalty, final)), (student, row)
            assert row["penalty_reason"].startswith(why), (student, row["penalty_reason"])
        assert got["cal"]["submitted_at"] == "2026-10-26T03:00:00+00:00"
        assert got["fay"]["submitted_at"] == "2026-10-27T00:00:00+00:00"  # 01:00 CET, after the change

    def test_an_unknown_time_is_flagged_never_silently_on_time_or_late(self, term_class):
        _, workspace = term_class
        got = rows(workspace / "grades.csv")
        assert got["eve"]["reason"].startswith("submission time unknown: no timestamp.txt"), got["eve"]["reason"]
        assert "--submitted-at" in got["eve"]["reason"]
        assert "Canvas marks it LATE" in got["zed"]["reason"], got["zed"]["reason"]
        assert {s for s, r in got.items() if r["status"] == "flagged"} == {"eve", "zed"}

    def test_the_ledger_records_late_days_and_times(self, term_class):
        import json
        _, workspace = term_class
        ledger = json.loads((workspace / "term.json").read_text())
        spent = {s: days.get(ASSIGNMENT) for s, days in ledger["late_days"].items()}
        assert spent["cal"] == 1 and spent["fay"] == 1 and spent["gus"] == 0 and spent["ana"] == 0
        assert ledger["submitted"][ASSIGNMENT]["fay"]["source"].endswith("times.csv, line 2")

    def test_feedback_explains_the_penalty(self, term_class):
        _, workspace = term_class
        page = lambda s: (workspace / "feedback" / s / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        cal = page("cal")
        assert "Score: <b>4.5 / 5</b>" in cal and "Raw score 5, late penalty 0.5, final score 4.5" in cal
        assert "Due 2026-10-24 23:00 CEST" in cal and "Submitted 2026-10-26 04:00 CET" in cal
        assert "1 of your free late days was used" in cal and "10% off per day started" in cal
        assert "Penalty: 10% of 5 = 0.5 points" in cal
        assert "with your extension: doctor&#x27;s note" in page("dee") and "On time: no penalty." in page("dee")
        assert "We do not know when this notebook was submitted" in page("eve")

    def test_gradebook_holds_the_times_and_penalties(self, term_class):
        from nbgrader.api import Gradebook
        _, workspace = term_class
        with Gradebook(f"sqlite:///{workspace / 'gradebook.db'}") as gb:
            assert str(gb.find_assignment(ASSIGNMENT).duedate) == "2026-10-24 21:00:00"
            for student, (_, raw, penalty, _, _) in EXPECTED.items():
                nb = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
                assert (nb.score, nb.late_submission_penalty) == (raw, penalty), student
            assert str(gb.find_submission(ASSIGNMENT, "cal").timestamp) == "2026-10-26 03:00:00"
            from nbgrader.plugins.export import CsvExportPlugin
            CsvExportPlugin(to=str(workspace.parent / "nbgrader-export.csv")).export(gb)
        exported = rows(workspace.parent / "nbgrader-export.csv")  # nbgrader's own export: the same final scores
        assert {s: float(r["score"]) for s, r in exported.items()} == {s: e[3] for s, e in EXPECTED.items()}

    def test_canvas_export_lists_who_is_missing(self, term_class, tmp_path, capsys):
        course, workspace = term_class
        roster = tmp_path / "canvas.csv"
        lines = ["Student,ID,SIS User ID,SIS Login ID,Section", "    Points Possible,,,,"]
        lines += [f"{s.title()},{i},S{i},{s},A" for i, s in enumerate(sorted(EXPECTED) + ["new"]) if s != "gus"]
        roster.write_text("\n".join(lines) + "\n")
        out = tmp_path / "import.csv"
        assert main(["--root", str(course.root), "export", "--to", "canvas", "--roster", str(roster),
                     "--workspace", str(workspace), "--out", str(out)]) == 0
        printed = capsys.readouterr().out
        got = rows_by(out, "SIS Login ID")
        title = course.get(ASSIGNMENT).title
        assert got["cal"][title] == "4.5" and got["fay"][title] == "1.6" and got["new"][title] == ""
        assert rows_by(out, "Student")["    Points Possible"][title] == "5"
        assert "1 on the roster without a grade (kept, cells left empty): new" in printed
        assert "1 graded but not on the roster" in printed and ": gus" in printed
        assert rows(tmp_path / "import.unmatched.csv")["gus"][ASSIGNMENT] == "0"

    def test_regrade_reports_exactly_the_students_a_changed_test_affects(self, term_class, tmp_path, capsys):
        course, workspace = term_class
        root, ws = tmp_path / "course", tmp_path / "ws"
        shutil.copytree(course.root, root)
        shutil.copytree(workspace, ws)
        source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        text = source.read_text()
        changed = text.replace("probe_rng.normal(size=5)", "np.full(5, 0.7)")
        assert changed != text
        source.write_text(changed)  # a constant bias: fay's b.mean() now passes the hidden test
        before = (ws / "grades.csv").read_bytes()
        capsys.readouterr()
        assert main(["--root", str(root), "regrade", "--assignment", ASSIGNMENT, "--workspace", str(ws),
                     "--workers", "2"]) == 1
        out = capsys.readouterr().out
        report = out[out.index("regrade:"):]
        assert report.startswith("regrade: 1 student changed\nfay: score 1.6/5 (raw 2, penalty 0.4) -> "
                                 "3.2/5 (raw 4, penalty 0.8)"), report
        assert "add_bias: 0 -> 2" in report and "why: test test_add_bias__hidden failed -> passed" in report
        assert (ws / "grades.previous.csv").read_bytes() == before
        old, new = rows(ws / "grades.previous.csv"), rows(ws / "grades.csv")
        assert {s for s in new if new[s] != old[s]} == {"fay"}


def rows_by(path, key):
    with open(path, newline="") as f:
        return {r[key]: r for r in csv.DictReader(f)}


def test_bad_input_stops_before_any_notebook_is_graded(tmp_path, capsys):
    course, inbox, times = make_term(tmp_path)
    (course.root / "course" / "extensions.csv").write_text(
        f"student,assignment,new_due,extra_days,reason\ndee,{ASSIGNMENT},,3,x\ndeee,{ASSIGNMENT},,1,typo\n")
    workspace = tmp_path / "ws"
    assert main(["--root", str(course.root), "grade", str(inbox), "--assignment", ASSIGNMENT,
                 "--workspace", str(workspace)]) == 2
    err = capsys.readouterr().err
    assert "extensions.csv, line 3: unknown student 'deee'" in err and "fix the id, or remove the row" in err
    assert not workspace.exists()
    (course.root / "course" / "extensions.csv").write_text("student,assignment,new_due,extra_days,reason\n")
    times.write_text("student,submitted_at\nfay,2026-10-27 1am\n")
    assert main(["--root", str(course.root), "grade", str(inbox), "--assignment", ASSIGNMENT,
                 "--workspace", str(workspace), "--submitted-at", str(times)]) == 2
    assert "times.csv, line 2, submitted_at: '2026-10-27 1am' is not a date and time" in capsys.readouterr().err
