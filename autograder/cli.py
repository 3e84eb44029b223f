"""nncourse: the course's command line. ``nncourse COMMAND --help`` for each command."""
import argparse
import json
import sys
import time
from pathlib import Path

from . import misconceptions, notebooks, pipeline, regrade, sandbox
from .catalog import of_source as catalog_of
from .course import CourseError, installed_root, load_course
from .deadlines import PolicyError
from .errors import GradeError
from .feedback import MISCONCEPTION
from .grading import DEFAULT_ID_PATTERN, collect, grade_class, shown_url, table
from .observations import UnfitTestCell, cache_dir
from .plan import make_plan
from .reference import ReferenceFailed, prepare
from .report import ReportError, grade_rows

DEFAULT_TIME_LIMIT = 600  # CPU seconds, for a notebook that is none of the course's
FLAGGED = 1  # grade's exit status when some students were flagged (every file is written all the same)


def _assignments(course, ids):
    if ids:
        return [course.get(i) for i in ids]
    existing = course.existing()
    if not existing:
        raise CourseError("none of the assignments in course/course.toml has a source notebook yet "
                          "(source/<id>/<id>.ipynb)")
    return existing


def cmd_release(args):
    from .release import check_release, write_release  # nbgrader: imported by the commands that use it
    course = load_course(args.root)
    problems = []
    for a in _assignments(course, args.assignments):
        if args.check:
            found = check_release(a)
            problems += found
            print(f"{a.id}: {'out of date' if found else 'up to date'}")
        else:
            print(f"{a.id}: wrote {write_release(a).relative_to(course.root)}/")
    if problems:
        print("\n".join(problems) + "\nrun `nncourse release` and commit release/", file=sys.stderr)
        return 1
    return 0


def _course_for_validate(root):
    """The course a self-check compares against: --root, the one around the working
    directory, else the one nncourse was installed from (a student's laptop); or None."""
    if root:
        return load_course(root)
    try:
        return load_course()
    except CourseError:
        installed = installed_root()
        return load_course(installed) if installed else None


def _assignment_of(course, path, nb):
    """The course's assignment this notebook belongs to: the one whose released test cells it
    carries (whatever the file is called: an LMS renames it), else the one its name ends with."""
    ids = {gid for gid, _, _ in notebooks.test_cells(nb)}
    best = None
    for a in course.existing():
        released = ({gid for gid, _, _ in notebooks.test_cells(notebooks.read(a.release_notebook))}
                    if a.release_notebook.is_file() else set())
        shared = (len(ids & released), path.stem.endswith(a.id))  # a tie: the one the file is named after
        if shared[0] and (best is None or shared > best[0]):
            best = (shared, a)
    if best:
        return best[1]
    return next((a for a in course.assignments if path.stem.endswith(a.id)), None)


def _sandbox(args, check_here=True):
    """True, after checking that the sandbox starts here (else SandboxUnavailable with the fix).
    On a Dask cluster each worker checks its own machine instead."""
    if args.no_sandbox:
        return False
    if check_here:
        sandbox.check()
    return True


def cmd_validate(args):
    _sandbox(args)
    course = _course_for_validate(args.root)
    failed = False
    for path in map(Path, args.notebooks):
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            failed = True
            continue
        try:
            nb = notebooks.read(path)
        except notebooks.CorruptNotebook as err:
            print(f"{path}: could not be read ({err}); open it in Jupyter, save it again (or download "
                  f"the release again and copy your answers over), then validate again", file=sys.stderr)
            failed = True
            continue
        assignment = course and _assignment_of(course, path, nb)
        # The student's self-check: the visible tests as released (edits to them are reported);
        # the instructor's own source notebook is checked against itself, hidden tests included.
        if not assignment:
            source, what = path, ("the notebook's own test cells (it is not one of this course's "
                                  "assignments, so edits to its tests cannot be detected)")
        elif path.resolve() == assignment.source_notebook.resolve():
            source, what = assignment.source_notebook, f"the instructor's source of {assignment.id}"
        else:
            source, what = assignment.release_notebook, f"the release of {assignment.id} in {course.root}"
        limit = args.time_limit or (assignment.time_limit if assignment else DEFAULT_TIME_LIMIT)
        print(f"{path}: checked against {what}; time limit {limit:g} CPU seconds")
        files = path.parent.resolve()
        if source == getattr(assignment, "source_notebook", None):
            plan = prepare(source, limit, files, assignment.id, sandbox=not args.no_sandbox)
            result = pipeline.grade(pipeline.Job(plan, path, sandbox=not args.no_sandbox))
        else:  # no solutions to compute expected values from: the visible tests decide in the kernel, as in JupyterLab
            plan = make_plan(source, limit, files, assignment.id if assignment else None)
            result = pipeline.self_check(pipeline.Job(plan, path, sandbox=not args.no_sandbox))
            _name_misconceptions(result, assignment, not args.no_sandbox)
        hidden = set() if source == path else _cells_with_hidden_tests(assignment)
        failed |= _print_check(path, result, hidden, everything=source == getattr(assignment, "source_notebook", None))
    return 1 if failed else 0


def _name_misconceptions(result, assignment, sandboxed):
    """The failed exercises whose visible values match a catalogued wrong answer, named
    (autograder/misconceptions.py): needs the course's source and catalog, whose mutants run
    once, then are cached."""
    failed = any(c.outcome == "failed" for c in result.cells)
    if not (failed and assignment and assignment.source_notebook.is_file() and catalog_of(assignment.source_notebook)):
        return
    print(f"  comparing your values with {assignment.id}'s catalogued wrong answers (the first time, this runs "
          f"the source notebook and each catalogued answer once: up to a few minutes; cached afterwards)")
    plan = prepare(assignment.source_notebook, assignment.time_limit, assignment.source_dir, assignment.id,
                   sandbox=sandboxed, check_stripping=False)
    misconceptions.name_visible(result, plan)


def cmd_progress(args):
    """A self-learner's course map: each lesson notebook found in FOLDER self-checked, one line each."""
    sandboxed = _sandbox(args)
    course = _course_for_validate(args.root)
    if course is None:
        raise CourseError("no course found: run nncourse progress inside the course repository, or pass --root")
    folder = Path(args.folder)
    if not folder.is_dir():
        raise GradeError(f"{folder} is not a folder: pass the folder holding your lesson notebooks")
    found = {}
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts or path.resolve().is_relative_to(course.root / "source"):
            continue
        try:
            assignment = _assignment_of(course, path, notebooks.read(path))
        except notebooks.CorruptNotebook as err:
            print(f"{path}: could not be read ({err}); skipped")
            continue
        if assignment and assignment.release_notebook.is_file():
            found.setdefault(assignment.id, path)
    lessons = [a for a in course.assignments if a.id in found]
    if not lessons:
        print(f"no lesson notebook of {course.name} in {folder}: copy the release notebooks there and start with "
              f"the first one")
        return 1
    known = _progress_times()
    estimate = sum(known.get(a.id, a.time_limit) for a in lessons)
    how = "about" if all(a.id in known for a in lessons) else "at most"
    print(f"{len(lessons)} lesson notebooks in {folder}; running their visible tests in the sandbox takes {how} "
          f"{estimate / 60:.1f} min" + ("" if how == "about" else " (their time limits; usually far less)"))
    passing = total = 0
    for a in lessons:
        plan = make_plan(a.release_notebook, a.time_limit, found[a.id].parent.resolve(), a.id)
        result = pipeline.self_check(pipeline.Job(plan, found[a.id], sandbox=sandboxed))
        known[a.id] = result.seconds
        _name_misconceptions(result, a, sandboxed)
        exercises = {ex: [c for c in result.cells if c.exercise == ex] for ex in result.exercises()}
        # a release's cell of hidden tests alone passes whatever the answer: the other cells decide
        failing = [ex for ex, cells in exercises.items() if any(c.outcome not in ("passed", "not answered") for c in cells)]
        waiting = [ex for ex, cells in exercises.items() if ex not in failing
                   and any(c.outcome == "not answered" for c in cells)]
        done = [ex for ex in exercises if ex not in failing and ex not in waiting]
        passing, total = passing + len(done), total + len(exercises)
        print(f"{a.id:<28} {len(done)}/{len(exercises)} exercises pass"
              + (f"; failing: {', '.join(failing)}" if failing else "")
              + (f"; not answered: {len(waiting)}" if waiting else "")
              + ("".join(f"\n    {MISCONCEPTION.format(exercise=ex, description=what)}"
                         for ex, what in result.misconceptions.items())))
    _progress_times(known)
    print(f"total: {passing}/{total} exercises pass in {len(lessons)} of {len(course.assignments)} lessons "
          f"(visible tests; `nncourse validate NOTEBOOK` shows an exercise's messages)")
    return 0


def _progress_times(times=None):
    """The seconds each lesson's self-check took on this machine (read, or written when given)."""
    path = cache_dir().parent / "progress-times.json"
    if times is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(times), encoding="utf-8")
        return times
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _cells_with_hidden_tests(assignment):
    """The test cells whose points are (partly) earned by hidden tests: their released part
    only shows that the code runs, so the self-check's score leaves them out."""
    return {gid for gid, _, cell in notebooks.test_cells(notebooks.read(assignment.source_notebook))
            if notebooks.HIDDEN_BEGIN in cell.source}


def _print_check(path, result, hidden, everything=False):
    if everything:
        print(f"{path}: {result.score:g} / {result.max_score:g} points on all tests, hidden ones included")
    else:
        seen = [c for c in result.cells if c.grade_id not in hidden]
        print(f"{path}: {sum(c.points for c in seen):g} / {sum(c.max_points for c in seen):g} points on the "
              f"tests you can see" + (f"; {sum(c.max_points for c in result.cells if c.grade_id in hidden):g} "
                                      f"more points come from hidden tests, run when your notebook is graded"
                                      if hidden else ""))
    for why, detail in result.flags:
        print(f"  ! {why}{': ' + detail if detail else ''}")
    bad = bool(result.flags)
    for exercise in result.exercises():
        cells = [c for c in result.cells if c.exercise == exercise]
        counted = [c for c in cells if everything or c.grade_id not in hidden]
        points = (f"({sum(c.points for c in counted):g}/{sum(c.max_points for c in counted):g})" if counted
                  else "(its points come from hidden tests)")
        if all(c.outcome == "passed" for c in cells):
            print(f"  passed        {exercise} {points}")
            continue
        bad = True
        label = "not answered" if all(c.outcome == "not answered" for c in cells) else "FAILED"
        print(f"  {label:<13} {exercise} {points}")
        for c in cells:
            if c.outcome not in ("passed", "not answered"):
                text = c.message or c.outcome
                print("      " + text.replace("\n", "\n      "))
        if exercise in result.misconceptions:
            print("      " + MISCONCEPTION.format(exercise=exercise, description=result.misconceptions[exercise]))
    if bad:
        print("  some exercises do not pass yet: fix them and run validate again")
    else:
        print("  all tests pass" if everything else "  all visible tests pass (the grader also runs hidden tests)")
    return bad


def _report(graded, workspace, assignment, started, sandboxed, gradebook=None):
    print()
    print(table(graded))
    if not sandboxed:
        print("\nwarning: graded WITHOUT the sandbox (--no-sandbox): student code ran as you, with your "
              "files and network in reach; grades.csv records it")
    flagged = sum(1 for _, r in graded if r.flags)
    print(f"\n{len(graded)} students: {len(graded) - flagged} graded, {flagged} flagged for review; "
          f"{time.monotonic() - started:.1f} s wall time")
    print(f"grades:   {workspace / 'grades.csv'} (and nbgrader's {shown_url(gradebook) or workspace / 'gradebook.db'})")
    print(f"feedback: {workspace / 'feedback'}/<student>/{assignment.id}/{assignment.id}.html")
    print(f"graded notebooks (with hidden tests; instructors only): {workspace / 'autograded'}/")
    print(f"class report: {workspace / 'report' / assignment.id}.html (and .csv)")
    return flagged


def cmd_grade(args):
    course = load_course(args.root)
    assignment = course.get(args.assignment) if args.assignment else _only(course)
    started = time.monotonic()
    subs = collect(args.submissions, assignment.id, args.id_pattern)
    return _grade(args, course, assignment, subs, started)


def _grade(args, course, assignment, subs, started):
    workspace = Path(args.workspace).resolve()
    last = regrade.before(workspace, assignment.id) if args.since_last else None
    graded = grade_class(course, assignment, subs, workspace, args.workers, args.time_limit, progress=True,
                         sandbox=_sandbox(args, check_here=not args.dask), cluster=args.dask,
                         gradebook=args.gradebook, submitted_at=args.submitted_at, roster=args.roster)
    flagged = _report(graded, workspace, assignment, started, not args.no_sandbox, args.gradebook)
    if last is not None:
        print("\n" + regrade.report(regrade.changes(last, regrade.read_state(workspace, assignment.id))))
        print(f"the previous grades: {workspace / regrade.PREVIOUS}")
    return FLAGGED if flagged else 0


def cmd_regrade(args):
    """`grade --since-last` on the notebooks the workspace already holds."""
    course = load_course(args.root)
    assignment = course.get(args.assignment) if args.assignment else _only(course)
    started = time.monotonic()
    submitted = Path(args.workspace) / "submitted"
    if not any(submitted.glob(f"*/{assignment.id}")):
        raise GradeError(f"{submitted} holds no {assignment.id} submissions; grade the class first (nncourse grade)")
    subs = [s for s in collect(submitted, assignment.id) if (submitted / s.student / assignment.id).is_dir()]
    args.since_last = True
    return _grade(args, course, assignment, subs, started)


def cmd_export(args):
    from .export import export
    course = load_course(args.root)
    out = Path(args.out or Path(args.workspace) / f"grades-{args.to}.csv")
    done = export(course, args.workspace, args.roster, args.to, out, args.match)
    print(f"wrote {done.path}")
    if done.not_graded:
        print(f"{len(done.not_graded)} on the roster without a grade (kept, cells left empty): "
              + ", ".join(done.not_graded))
    if done.not_on_roster:
        print(f"{len(done.not_on_roster)} graded but not on the roster (NOT in the import file; their grades are in "
              f"{done.unmatched}): " + ", ".join(done.not_on_roster))
    return 0


def _only(course):
    existing = course.existing()
    if len(existing) == 1:
        return existing[0]
    raise CourseError("which assignment? pass --assignment ID (one of: "
                      + ", ".join(a.id for a in course.assignments) + ")")


def cmd_demo(args):
    from .demo import demo_class
    from .release import release_notebook
    course = load_course(args.root)
    assignment = course.get(args.assignment) if args.assignment else _assignments(course, None)[0]
    workspace = Path(args.workspace).resolve()
    started = time.monotonic()
    release_nb = release_notebook(notebooks.read(assignment.source_notebook))
    release_dir = workspace / "release" / assignment.id
    release_dir.mkdir(parents=True, exist_ok=True)
    (release_dir / f"{assignment.id}.ipynb").write_text(notebooks.dumps(release_nb), encoding="utf-8")
    print(f"demo of {assignment.id} ({assignment.title}); release built from source/ in {release_dir}")
    cls = demo_class(assignment, release_nb)
    print("the demo class:")
    for sub, what in cls:
        print(f"  {sub.student:<10} {what}")
    graded = grade_class(course, assignment, [s for s, _ in cls], workspace, args.workers, progress=True,
                         sandbox=_sandbox(args))
    _report(graded, workspace, assignment, started, not args.no_sandbox)
    return 0


def cmd_similarity(args):
    from .similarity import compare, observed_folder
    from .similarity_report import write_report
    course = load_course(args.root)
    assignment = course.get(args.assignment) if args.assignment else _only(course)
    given = Path(args.submissions or args.workspace)
    if (given / "submitted").is_dir():  # a graded workspace: the class and the grader's observed values
        workspace, submissions = given, given / "submitted"
    elif args.submissions:
        workspace, submissions = Path(args.workspace), given
    else:
        raise GradeError(f"no SUBMISSIONS given and {given / 'submitted'} does not exist: pass the submissions "
                         f"(a folder, an LMS zip or nbgrader's submitted/), or a workspace `nncourse grade` wrote")
    observed = Path(args.observed or workspace / "observed" / assignment.id)
    observed = observed_folder(observed, assignment.id) if args.observed or observed.is_dir() else None
    result = compare(assignment, submissions, args.against, observed, args.id_pattern)
    page, table = write_report(result, workspace / "report", args.top)
    for name, where, why in result.problems:
        print(f"not compared: {name}: {why} ({where})")
    print(f"{sum(not s.reference for s in result.students)} students compared; the pairs with the most evidence "
          f"(evidence to look at, not a verdict):")
    for pair in result.pairs[:10]:
        print(f"  {pair.evidence:8.1f}  {result.students[pair.a].name}  {result.students[pair.b].name}")
    if not observed:
        print("identical wrong values not compared: grade the class first (they need WORKSPACE/observed/"
              f"{assignment.id}/), or pass --observed DIR")
    print(f"report: {page}\ncsv:    {table}")
    return 0


def cmd_report(args):
    from .report import build, write_course
    course = load_course(args.root)
    workspace = Path(args.workspace)
    rows = {r["assignment"] for r in grade_rows(workspace)}
    chosen = [course.get(i) for i in args.assignments] or [a for a in course.assignments if a.id in rows]
    for assignment in chosen:
        page, table = build(workspace, assignment)
        print(f"{assignment.id}: {page} (and {table.name})")
    if args.all or not args.assignments:
        page, table = write_course(workspace, course)
        print(f"every assignment, one row per student: {page} (and {table.name})")
    return 0


def _no_sandbox_option(parser):
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code WITHOUT the sandbox, as you (only where the machine cannot "
                             "sandbox; recorded in grades.csv)")


def _grading_options(parser):
    parser.add_argument("--submitted-at", metavar="TIMES.csv",
                        help="submission times: a CSV with columns student, submitted_at (and optionally assignment)")
    _no_sandbox_option(parser)


def build_parser():
    parser = argparse.ArgumentParser(prog="nncourse", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"nncourse {_version()}")
    parser.add_argument("--root", help="the course repository (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("release", help="generate release/ from source/")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment that has a source")
    p.add_argument("--check", action="store_true", help="fail if release/ differs from what source/ generates")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("validate", help="self-check a notebook: run its visible tests, summary per exercise")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--time-limit", type=float, help="seconds (default: the course's time limit)")
    _no_sandbox_option(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("progress", help="a self-learner's course map: which exercises of each lesson notebook "
                                        "in FOLDER pass their visible tests")
    p.add_argument("folder", nargs="?", default=".", metavar="FOLDER", help="default: the working directory")
    _no_sandbox_option(p)
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("grade", help="grade a class: folder of <student>.ipynb / <student>/ / LMS zips")
    p.add_argument("submissions", metavar="SUBMISSIONS")
    p.add_argument("--assignment", help="assignment id from course/course.toml")
    p.add_argument("--workspace", default="workspace", help="where nbgrader's folders, gradebook.db and grades.csv go")
    p.add_argument("--workers", type=int, help="parallel kernels (default: number of cores)")
    p.add_argument("--gradebook", metavar="URL",
                   help="nbgrader's gradebook as an SQLAlchemy URL, e.g. postgresql://grader@dbhost/course "
                        "(default: sqlite:///WORKSPACE/gradebook.db)")
    p.add_argument("--roster", metavar="CSV",
                   help="students' names for the gradebook (formgrader): the LMS roster (Canvas, Moodle) or a CSV "
                        "with student_id and first_name and last_name, or name; default: the id alone")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="grade on a Dask cluster: a scheduler address (tcp://host:8786), or `local` / `local:N` "
                        "for N worker processes here (default: the local process pool)")
    p.add_argument("--time-limit", type=float, help="CPU seconds per notebook (default: course.toml's); "
                                                    "the wall clock allows 4 times as much")
    p.add_argument("--id-pattern", default=DEFAULT_ID_PATTERN,
                   help="regex finding the student id in a zip member's name (default: text before the first _)")
    p.add_argument("--since-last", action="store_true",
                   help="print per student what changed since the last run (kept as WORKSPACE/grades.previous.csv)")
    _grading_options(p)
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("regrade", help="grade the workspace's submissions again (after a test or policy change) "
                                       "and print per student what changed")
    p.add_argument("--assignment", help="assignment id from course/course.toml")
    p.add_argument("--workspace", default="workspace", help="the workspace `nncourse grade` wrote")
    p.add_argument("--workers", type=int, help="parallel kernels (default: number of cores)")
    p.add_argument("--gradebook", metavar="URL", help="nbgrader's gradebook URL, as for grade")
    p.add_argument("--dask", metavar="ADDRESS", help="grade on a Dask cluster, as for grade")
    p.add_argument("--time-limit", type=float, help="CPU seconds per notebook (default: course.toml's)")
    p.add_argument("--roster", metavar="CSV", help="students' names for the gradebook, as for grade")
    _grading_options(p)
    p.set_defaults(func=cmd_regrade)

    p = sub.add_parser("export", help="write grades.csv as an LMS gradebook import file (canvas, moodle, csv)")
    p.add_argument("--to", required=True, choices=["canvas", "moodle", "csv"])
    p.add_argument("--roster", required=True, help="the class list the LMS exported (Canvas: its gradebook export)")
    p.add_argument("--workspace", default="workspace", help="where grades.csv is")
    p.add_argument("--out", help="the file to write (default: WORKSPACE/grades-<lms>.csv)")
    p.add_argument("--match", help="the roster column holding the ids grading used (default: canvas 'SIS Login ID', "
                                   "moodle 'Email address', csv 'student_id')")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("demo", help="grade a demo class made from the course's own notebooks")
    p.add_argument("--assignment", help="default: the first assignment in course.toml that exists")
    p.add_argument("--workspace", default="workspace/demo")
    p.add_argument("--workers", type=int, help="parallel kernels (default: number of cores)")
    _no_sandbox_option(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("similarity", help="rank pairs of students by rare shared code and identical wrong values "
                                          "(on this machine only; evidence, not a verdict)")
    p.add_argument("submissions", nargs="?", metavar="SUBMISSIONS",
                   help="a folder, LMS zip or submitted/ tree as for grade, or a graded workspace "
                        "(default: the workspace)")
    p.add_argument("--assignment", help="assignment id from course/course.toml")
    p.add_argument("--workspace", default="workspace", help="the report goes to WORKSPACE/report/; observed values "
                                                            "are read from WORKSPACE/observed/<assignment>/")
    p.add_argument("--against", action="append", default=[], metavar="DIR",
                   help="an earlier term's submissions (a folder or zip) to compare the class with; repeat for more")
    p.add_argument("--observed", metavar="DIR", help="the observed values `grade` wrote (default: the workspace's)")
    p.add_argument("--top", type=int, default=50, help="pairs shown in detail on the page (the CSV has all)")
    p.add_argument("--id-pattern", default=DEFAULT_ID_PATTERN,
                   help="regex finding the student id in a zip member's name (default: text before the first _)")
    p.set_defaults(func=cmd_similarity)

    p = sub.add_parser("report", help="the class report from a graded workspace: per exercise, per test cell, "
                                      "misconceptions, flags, run times; and the course table")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: every assignment grades.csv holds")
    p.add_argument("--workspace", default="workspace", help="the workspace `nncourse grade` wrote; the report goes "
                                                            "to WORKSPACE/report/")
    p.add_argument("--all", action="store_true", help="also the student x assignment table of the whole course "
                                                      "(the default when no ASSIGNMENT is given)")
    p.set_defaults(func=cmd_report)
    return parser


def _version():
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("nn-from-scratch")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "workers", None) is not None and args.workers < 1:
        print("nncourse: --workers must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except (CourseError, GradeError, PolicyError, FileNotFoundError, sandbox.SandboxUnavailable, ReferenceFailed,
            UnfitTestCell, ReportError) as err:
        print(f"nncourse: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
