"""nnref: the reference package of Neural Networks from Scratch.

Numpy kernels (layers, losses), optimizers, initializers, gradient checking, nets, a
trainer, data (logic gates, toy sets, MNIST), plots and the self-study widgets. The
notebooks import what is not the exercise itself from here.
"""
__version__ = "0.1.0"
