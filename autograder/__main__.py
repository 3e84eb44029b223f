"""``nncourse`` and ``python -m autograder``: the command line (autograder/cli.py), imported when run.

Grading's worker processes are spawned, and a spawned process imports again the script that
started its parent. Kept to this module, that costs a worker nothing; the whole command line
(nbgrader, SQLAlchemy, nbconvert) cost each worker about a second of CPU.
"""
import gc
import sys


def main():
    from .cli import main as command_line
    code = command_line()
    # Python's last collections at exit would visit every object of every module the command
    # imported (nbgrader, SQLAlchemy, numpy): a third of a second that frees nothing a user
    # needs. Frozen, they are skipped; exit handlers and output flushing still run.
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(main())
