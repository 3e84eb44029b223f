"""The course definition, course/course.toml: the only list of assignments."""
import re
from dataclasses import dataclass, field
from pathlib import Path

from .deadlines import DEFAULTS, TERM_ONLY, PolicyError, make_policy

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


MAX_VARIANTS = 64  # each variant costs a reference run and an observed catalog per assignment


class CourseError(Exception):
    """A problem with the course definition or the files it names; the message says the fix."""


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    time_limit: float
    root: Path
    policy: object = field(default=None, compare=False)  # deadlines.Policy: due date and late policy
    variants: int = 1  # of its hidden tests (nnref/variants.py); 1: everyone runs variant 0

    @property
    def source_dir(self):
        return self.root / "source" / self.id

    @property
    def source_notebook(self):
        return self.source_dir / f"{self.id}.ipynb"

    @property
    def release_dir(self):
        return self.root / "release" / self.id

    @property
    def release_notebook(self):
        return self.release_dir / f"{self.id}.ipynb"


@dataclass(frozen=True)
class Course:
    name: str
    root: Path
    assignments: tuple
    late_days: int = 0  # free late days per student for the term
    extensions: Path = None  # the extensions CSV, if course.toml names one

    def get(self, assignment_id):
        for a in self.assignments:
            if a.id == assignment_id:
                return a
        known = ", ".join(a.id for a in self.assignments)
        raise CourseError(f"no assignment {assignment_id!r} in {self.root / 'course' / 'course.toml'}; "
                          f"known: {known}")

    @property
    def slug(self):
        """The course's name as an nbgrader course id ("neural-networks-from-scratch")."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "course"

    def existing(self):
        """The assignments whose source notebook exists (lessons still being written are skipped)."""
        return [a for a in self.assignments if a.source_notebook.is_file()]


def find_root(start=None):
    """The nearest folder at or above ``start`` (default: the working directory) holding course/course.toml."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "course" / "course.toml").is_file():
            return folder
    raise CourseError(f"no course/course.toml in {start} or any folder above it; run nncourse "
                      f"inside the course repository or pass --root PATH")


def installed_root():
    """The course this nncourse was installed from (its checkout), for a student working
    elsewhere; None for an installation without one."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "course" / "course.toml").is_file() else None


def load_course(root=None):
    root = find_root(root) if root is None else Path(root).resolve()
    path = root / "course" / "course.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseError(f"{path} does not exist; --root must be the course repository") from None
    except tomllib.TOMLDecodeError as err:
        raise CourseError(f"{path} is not valid TOML ({err}); fix the file") from None
    term = data.get("term", {})
    unknown = set(term) - set(DEFAULTS) - set(TERM_ONLY)
    if unknown:
        raise CourseError(f"{path}, line {_line(path, '[term]')}: [term] has unknown keys {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted({**DEFAULTS, **TERM_ONLY}))}")
    if not (isinstance(term.get("late_days", 0), int) and term.get("late_days", 0) >= 0):
        raise CourseError(f"{path}, line {_line(path, 'late_days')}: late_days must be a whole number, 0 or more")
    course_variants = _variants(path, data.get("course", {}), "[course]", 1)
    assignments, seen = [], set()
    for i, entry in enumerate(data.get("assignments", [])):
        missing = {"id", "title", "time_limit"} - set(entry)
        if missing:
            raise CourseError(f"{path}: [[assignments]] number {i + 1} lacks {', '.join(sorted(missing))}")
        if entry["id"] in seen:
            raise CourseError(f"{path}: assignment id {entry['id']!r} appears twice")
        if not (isinstance(entry["time_limit"], (int, float)) and entry["time_limit"] > 0):
            raise CourseError(f"{path}: time_limit of {entry['id']!r} must be a positive number of seconds")
        seen.add(entry["id"])
        assignments.append(Assignment(entry["id"], entry["title"], float(entry["time_limit"]), root,
                                      _policy(path, term, entry),
                                      _variants(path, entry, f"assignment {entry['id']!r}", course_variants)))
    if not assignments:
        raise CourseError(f"{path} lists no [[assignments]]; add one per lesson")
    extensions = term.get("extensions")
    return Course(data.get("course", {}).get("name", root.name), root, tuple(assignments), term.get("late_days", 0),
                  (path.parent / extensions) if extensions else None)


def _variants(path, table, where, default):
    """How many variants of the hidden tests ``table`` (a course.toml table) declares, else ``default``."""
    count = table.get("variants", default)
    if not (isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= MAX_VARIANTS):
        raise CourseError(f"{path}, line {_line(path, 'variants')}: variants of {where} must be a whole "
                          f"number from 1 (everyone runs the same hidden tests) to {MAX_VARIANTS}; got {count!r}")
    return count


def _policy(path, term, entry):
    """The assignment's deadlines.Policy: [term]'s settings, then its own."""
    settings = {k: v for k, v in term.items() if k in DEFAULTS}
    settings.update({k: v for k, v in entry.items() if k in DEFAULTS or k == "due"})
    try:  # checked even without a due date: a typo in [term] is found before the term starts
        policy = make_policy(settings, f"[[assignments]] {entry['id']!r}")
        return policy if policy.due else None
    except PolicyError as err:  # pointed at the line of the setting it names
        key = next((k for k in settings if f", {k}" in str(err) or f"{k} =" in str(err)), None)
        value = settings.get(key)
        needle = value if isinstance(value, str) else f"{key} =" if key else f"\"{entry['id']}\""
        raise CourseError(f"{path}, line {_line(path, needle)}: {err}") from None


def _line(path, needle):
    """The first line of ``path`` holding ``needle`` (1 when none does): where an error points."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    return 1
