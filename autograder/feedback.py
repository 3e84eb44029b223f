"""Feedback a student may see: per exercise, passed or failed, points, and the tests' messages.

Built from a Result only (never from the executed notebook), so no hidden test's source and
no traceback line can reach it: a failed test shows its exception type and message.
"""
from html import escape

OUTCOME_TEXT = {"passed": "passed", "failed": "failed", "not answered": "not answered yet",
                "not run": "not run (the notebook stopped before this test)",
                "missing": "test cell missing from your notebook"}
STYLE = ("body{font-family:sans-serif;max-width:50em;margin:2em auto}table{border-collapse:collapse;"
         "width:100%}td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}"
         ".misconception{background:#fffbeb;border-left:4px solid #b45309;padding:.3em .6em}"
         "pre{white-space:pre-wrap;margin:0}.passed{color:#080}.failed{color:#b00}")


def _outcome(cells):
    if all(c.outcome == "passed" for c in cells):
        return "passed"
    if all(c.outcome == "not answered" for c in cells):
        return "not answered yet"
    return "failed"


MISCONCEPTION = ("Your {exercise} gives the same values on every check of its tests as a common wrong answer "
                 "the course knows: {description}.")

UNREADABLE = ("Your file could not be read as a Jupyter notebook, so none of the tests ran. Open it in "
              "Jupyter to check that it opens (a notebook is JSON text: a file cut short by an upload or "
              "edited outside Jupyter breaks it), save it again, and submit it again.")


def feedback_html(result, student, assignment_id, title="", late_text=""):
    """The student's page; ``late_text`` says how a late penalty was computed."""
    unreadable = any(why in ("corrupt", "no notebook") for why, _ in result.flags)
    rows = []
    for exercise, (got, top) in result.exercises().items():
        cells = [c for c in result.cells if c.exercise == exercise]
        outcome = _outcome(cells)
        details = "".join(
            f"<div>{escape(c.grade_id)}: {escape('not graded' if unreadable else OUTCOME_TEXT[c.outcome])} "
            f"({c.points:g}/{c.max_points:g})"
            + (f"<pre>{escape(c.message)}</pre>" if c.message and c.outcome != "not answered" else "")
            + "</div>" for c in cells)
        if exercise in result.misconceptions:
            named = MISCONCEPTION.format(exercise=exercise, description=result.misconceptions[exercise])
            details += f'<p class="misconception">{escape(named)}</p>'
        rows.append(f"<tr><td>{escape(exercise)}</td><td class=\"{'passed' if outcome == 'passed' else 'failed'}\">"
                    f"{escape(outcome)}</td><td>{got:g} / {top:g}</td><td>{details}</td></tr>")
    flags = "".join(f"<li>{escape(why)}{': ' + escape(detail) if detail else ''}</li>"
                    for why, detail in result.flags)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{escape(assignment_id)} feedback"
            f"</title><style>{STYLE}</style></head><body>\n"
            f"<h1>{escape(assignment_id)}{' — ' + escape(title) if title else ''}</h1>\n"
            f"<p>Student: {escape(student)}. Score: <b>{result.final_score:g} / {result.max_score:g}</b>. "
            f"Status: {escape(result.status)}.</p>\n"
            + (f"<p>Raw score {result.score:g}, late penalty {result.late.penalty:g}, final score "
               f"{result.final_score:g}. {escape(late_text)}</p>\n" if result.late else "")
            + (f"<p>Your submission was flagged:</p><ul>{flags}</ul>\n" if flags else "")
            + (f"<p><b>{escape(UNREADABLE)}</b></p>\n" if unreadable else "")
            + "<table><tr><th>exercise</th><th>result</th><th>points</th><th>tests</th></tr>\n"
            + "\n".join(rows) + "\n</table>\n</body></html>\n")
