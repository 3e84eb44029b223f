"""Gradient checking: compare an analytic gradient with centered differences.

    df/dx_i  ~  (f(x + h e_i) - f(x - h e_i)) / (2h)

The error of a centered difference is O(h^2); with h = 1e-5 in float64 a correct backward
pass usually agrees to a relative error below 1e-7 (away from kinks such as ReLU at 0).
Check in float64: float32 rounds f(x) to ~1e-7 of its size, and dividing that by 2h swamps
the result (the affine example below gives relative errors of 0.01 to 0.2 in float32).

Typical use::

    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    dx_num = numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout)
    print(rel_error(dx, dx_num))   # 6e-11 to 2e-9 for x (4, 5), w (5, 3), five seeds
"""
import numpy as np

from nnref.checks import rel_error

__all__ = ["rel_error", "numerical_gradient", "numerical_gradient_array"]


def _check_float_array(x, name):
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{name}: x must be a numpy float array (it is changed in place, one "
                        f"entry at a time, then restored); got {type(x).__name__}"
                        f"{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}. "
                        f"Use x = np.asarray(x, dtype=np.float64).")


def _centered_differences(f, x, h, reduce):
    """grad[i] = (reduce(f(x + h e_i)) - reduce(f(x - h e_i))) / 2h for every index i of x."""
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            x[i] = old + h
            plus = reduce(f(x))   # reduce copies: f may return a view of x
            x[i] = old - h
            minus = reduce(f(x))
        finally:
            x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function f at x, by centered differences.

    f: takes x, returns a number (e.g. a loss).  x: float array of any shape, changed in
    place during the check and restored.  Returns df/dx, float64, x's shape.
    """
    _check_float_array(x, "numerical_gradient")

    def scalar(value):
        value = np.asarray(value, dtype=np.float64)
        if value.size != 1:
            raise ValueError(f"numerical_gradient: f must return a single number, got an array "
                             f"of shape {value.shape}. For array outputs use "
                             f"numerical_gradient_array(f, x, dout).")
        return float(value.reshape(()))

    return _centered_differences(f, x, h, scalar)


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of sum(f(x) * dout) at x: what a backward pass computes from upstream dout.

    f: takes x, returns an array of dout's shape (e.g. a layer's forward output).
    x: float array of any shape, changed in place during the check and restored.
    dout: upstream gradient dLoss/df(x).  Returns dx, float64, x's shape.
    """
    _check_float_array(x, "numerical_gradient_array")
    dout = np.asarray(dout, dtype=np.float64)

    def weighted_sum(value):
        value = np.asarray(value, dtype=np.float64)
        if value.shape != dout.shape:
            raise ValueError(f"numerical_gradient_array: f returned shape {value.shape} but dout "
                             f"has shape {dout.shape}; dout must have the shape of f(x).")
        return float(np.sum(value * dout))

    return _centered_differences(f, x, h, weighted_sum)
