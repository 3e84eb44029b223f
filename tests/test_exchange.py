"""nbgrader's exchange end to end, on a local exchange folder: the instructor releases with
`nbgrader release_assignment`, two students `fetch_assignment` and `submit`, the instructor
runs `nbgrader collect`, then `nncourse grade` on the collected submitted/ tree with the
nbgrader course folder as workspace, then `nbgrader release_feedback`; each student's
`fetch_feedback` brings back the feedback nncourse wrote for them."""
import csv
import os
import subprocess
import sys
from pathlib import Path

from autograder import notebooks
from autograder.cli import main

from fixtures.classroom import ASSIGNMENT, copy_course, source_and_release, write

NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
COURSE_ID = "nnfs_test"


def nbgrader(cwd, *args, exchange):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    run = subprocess.run([NBGRADER, *args, f"--Exchange.root={exchange}", f"--CourseDirectory.course_id={COURSE_ID}",
                          f"--Exchange.cache={cwd / '.nbgrader_cache'}"],
                         cwd=cwd, env=env, capture_output=True, text=True)
    assert run.returncode == 0, (args, run.stdout[-2000:], run.stderr[-2000:])
    return run


def test_grading_a_collected_exchange_and_releasing_its_feedback(tmp_path):
    course = copy_course(tmp_path)
    source, release = source_and_release(course)
    exchange, instructor = tmp_path / "exchange", tmp_path / "instructor_course"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)  # nbgrader wants a world-writable exchange, as on a shared server
    write(release, instructor / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (instructor / "release" / ASSIGNMENT / "numbers.txt").write_bytes(
        (course.root / "source" / ASSIGNMENT / "numbers.txt").read_bytes())
    nbgrader(instructor, "release_assignment", ASSIGNMENT, exchange=exchange)

    answers = {"alice": notebooks.fill_solutions(release, source),
               "bob": notebooks.fill_solutions(release, source, skip={"relative_error"})}
    homes = {s: tmp_path / "home" / s for s in answers}
    for student, nb in answers.items():
        homes[student].mkdir(parents=True)
        nbgrader(homes[student], "fetch_assignment", ASSIGNMENT, exchange=exchange)
        write(nb, homes[student] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        nbgrader(homes[student], "submit", ASSIGNMENT, f"--student={student}", exchange=exchange)

    nbgrader(instructor, "collect", ASSIGNMENT, exchange=exchange)
    collected = instructor / "submitted"
    assert sorted(p.name for p in collected.iterdir()) == ["alice", "bob"]
    before = {p: p.read_bytes() for p in collected.rglob("*") if p.is_file()}

    assert main(["--root", str(course.root), "grade", str(collected), "--assignment", ASSIGNMENT,
                 "--workspace", str(instructor), "--workers", "1"]) == 0
    with (instructor / "grades.csv").open(newline="") as f:
        scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert scores == {"alice": 5, "bob": 3}
    assert {p: p.read_bytes() for p in collected.rglob("*") if p.is_file()} == before, (
        "the collected submissions must stay as nbgrader left them")

    nbgrader(instructor, "release_feedback", ASSIGNMENT, exchange=exchange)
    for student in answers:
        nbgrader(homes[student], "fetch_feedback", ASSIGNMENT, f"--student={student}", exchange=exchange)
        fetched = list((homes[student] / ASSIGNMENT / "feedback").rglob(f"{ASSIGNMENT}.html"))
        ours = instructor / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert len(fetched) == 1 and fetched[0].read_bytes() == ours.read_bytes(), student
    assert "not answered" not in (instructor / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
