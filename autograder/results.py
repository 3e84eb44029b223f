"""What grading a notebook produces: a Result per submission, a CellResult per test cell."""
from dataclasses import dataclass, field

# The flags' reasons that other parts of the grader name
GRADER_ERROR = "grader error"
USES_REFERENCE = "uses nnref's implementation"


def grader_error(doing, err):
    """The flag of a notebook whose grading failed ``while <doing>``: the grader's fault, this notebook's alone."""
    return GRADER_ERROR, f"while {doing}: {type(err).__name__}: {str(err)[:300]}"


@dataclass
class CellResult:
    grade_id: str
    exercise: str
    max_points: float
    points: float = 0.0
    outcome: str = "not run"  # passed | failed | not answered | not run | missing
    message: str = ""


@dataclass
class Result:
    cells: list
    flags: list = field(default_factory=list)  # [(reason, detail)]
    notebook: object = None  # the executed notebook (hidden tests included): instructors only
    seconds: float = 0.0  # wall-clock, kernel start included
    cpu_seconds: float = None  # the notebook's own, all its processes together
    observed: dict = field(default_factory=dict)  # {grade_id: [observation payload]}: the student's raw values
    wall_clock_only: bool = False  # stopped by the wall clock with CPU time to spare: graded again alone
    timings: dict = field(default_factory=dict)  # {step, or part of the run: wall-clock seconds}
    late: object = None  # deadlines.Late, set after grading when the assignment has a due date
    misconceptions: dict = field(default_factory=dict)  # {exercise: the catalogued mutant its values match}
    variant: int = 0  # of the hidden tests it was graded with (autograder/variants.py)

    @property
    def status(self):
        return "flagged" if self.flags else "graded"

    @property
    def reason(self):
        """The flags on one line (a CSV cell, a table row)."""
        return " ".join("; ".join(f"{why}: {detail}" if detail else why for why, detail in self.flags).split())

    @property
    def max_score(self):
        return sum(c.max_points for c in self.cells)

    @property
    def score(self):
        return sum(c.points for c in self.cells)

    @property
    def final_score(self):
        """The score after any late penalty."""
        return self.late.final if self.late is not None else self.score

    def exercises(self):
        """{exercise: (points, max_points)} in notebook order."""
        out = {}
        for c in self.cells:
            got, top = out.get(c.exercise, (0.0, 0.0))
            out[c.exercise] = (got + c.points, top + c.max_points)
        return out

    def summary(self):
        """What must not depend on the run: status, flags, per-cell outcome and points."""
        return (self.status, tuple(self.flags),
                tuple((c.grade_id, c.points, c.outcome, c.message) for c in self.cells))


def empty_result(tests, flag=None):
    """Zero points on every test cell of ``tests`` (a plan's); flagged with ``flag`` = (reason, detail) if given."""
    return Result(cells=[CellResult(t.grade_id, t.exercise, t.points) for t in tests], flags=[flag] if flag else [])
