"""The error for bad input to grading: its message names the problem and the fix."""


class GradeError(Exception):
    """Bad input to ``grade`` (a missing folder, an unreadable zip, a missing package)."""
