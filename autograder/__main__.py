"""``nncourse`` and ``python -m autograder``: the command line (autograder/cli.py), imported when run.

Grading's worker processes are spawned, and a spawned process imports again the script that
started its parent. Kept to this module, that costs a worker nothing; the whole command line
(nbgrader, SQLAlchemy, nbconvert) cost each worker about a second of CPU.
"""
import sys


def main():
    from .cli import main as command_line
    return command_line()


if __name__ == "__main__":
    sys.exit(main())
