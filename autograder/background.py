"""Work after grading, done in a process of its own that imports what it needs while the class is graded."""
import gc
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context


class Background:
    """``with Background(ready) as work``: a process is spawned at once and runs ``ready`` (its
    imports: matplotlib, nbgrader) while the class is graded; ``submit(fn, *args)`` gives it its
    work, ``result()`` waits for that. Leaving the block waits for the process's end."""

    def __init__(self, ready):
        self._ready = ready
        self._process = self._work = None

    def __enter__(self):
        self._process = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        self._process.submit(_warm, self._ready)  # the process starts with its first task
        return self

    def submit(self, fn, *args):
        self._work = self._process.submit(fn, *args)

    def submitted(self):
        return self._work is not None

    def result(self):
        """What the work returned; raises what it raised (BrokenProcessPool if the process died)."""
        return self._work.result()

    def __exit__(self, *failure):
        self._process.shutdown(cancel_futures=True)


def _warm(ready):
    ready()
    gc.freeze()  # its imports, skipped by its collections and at its end (which the grader waits for)
