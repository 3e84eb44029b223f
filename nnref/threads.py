"""One BLAS thread in every process that imports nnref, so the numbers a lesson prints are the
ones its text quotes, in a student's kernel, the grader's and CI's alike.

A multi-threaded BLAS splits a matrix product's sums between its threads, and the split depends
on how many there are: with two threads a product can differ from the one-thread result in the
last bit. One product hardly shows it, but training amplifies such differences: lesson 06's
dead ReLUs after two epochs at learning rate 1.0 were 44/12/45/74 % per layer (validation
accuracy 0.207) with one thread, what the grader sets, and 43/9/49/55 % (0.277) with two, a
JupyterLab kernel's default on a two-core laptop (measured on a two-core machine, OpenBLAS
0.3.31). The environment variables (OPENBLAS_NUM_THREADS, ...) act only when set before numpy
loads, which a notebook cannot rely on; threadpoolctl (the library scikit-learn and joblib use for this) sets the limit on the
loaded BLAS itself, whenever it is called.

The course's networks are small, and on a two-core machine that also runs anything else a second
thread rarely pays: tests/benchmarks/bench_mlp.py (784-256-10 on MNIST) took 0.52 s per epoch
with one thread and 1.69 s with two while another job shared the machine. The grader runs one
thread per kernel anyway (workers x BLAS threads <= cores). To use more threads for your own
experiments: ``threadpoolctl.threadpool_limits(None)`` (the numbers may then change in the
last digits, or more after training).
"""
import numpy as np  # noqa: F401  (threadpoolctl limits the BLAS libraries already loaded: numpy's)
from threadpoolctl import threadpool_info, threadpool_limits

__all__ = ["use_one_blas_thread", "blas_threads"]


def use_one_blas_thread():
    """Limit every BLAS library loaded in this process to one thread (until changed again)."""
    threadpool_limits(limits=1, user_api="blas")


def blas_threads():
    """The thread counts of the BLAS libraries loaded in this process (a list, one per library)."""
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
