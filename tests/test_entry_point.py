"""The `nncourse` script imports the command line only when it runs (autograder/__main__.py):
grading's spawned worker processes import that script again, and must not pay for nbgrader,
SQLAlchemy and nbconvert, which only the parent uses."""
import subprocess
import sys
from importlib.metadata import entry_points

HEAVY = ("autograder.cli", "nbgrader", "sqlalchemy", "nbconvert")


def test_the_script_is_the_light_entry_point():
    (script,) = entry_points(group="console_scripts", name="nncourse")
    assert script.value == "autograder.__main__:main", (
        f"nncourse runs {script.value}; expected autograder.__main__:main (reinstall: pip install -e .)")


def test_importing_the_entry_point_imports_none_of_the_command_line():
    probe = ("import sys, autograder.__main__\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert found == "[]", (f"importing autograder.__main__ imported {found}: a spawned grading worker would "
                           f"import them too (keep the command line's imports inside main())")


def test_the_entry_point_runs_the_command_line():
    result = subprocess.run([sys.executable, "-m", "autograder", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "grade" in result.stdout, result.stdout + result.stderr
