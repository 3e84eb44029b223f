"""nnref: the reference package of Neural Networks from Scratch.

Numpy kernels (layers, losses), optimizers, initializers, gradient checking, nets, a
trainer, data (logic gates, toy sets, MNIST), plots and the self-study widgets. The
notebooks import what is not the exercise itself from here.

Importing nnref limits BLAS to one thread (nnref/threads.py says why): every number a lesson's
text quotes is then the one the student's kernel prints.
"""
from nnref.threads import use_one_blas_thread

__version__ = "0.1.0"

use_one_blas_thread()
