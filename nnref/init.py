"""Weight initializers: a (fan_in, fan_out) matrix of normal draws, scaled.

fan_in is the number of inputs of a layer (D), fan_out its number of outputs (M), so the
result is a weight matrix w for ``x @ w``. The scale decides whether activations keep their
size through many layers:

    small_random       std 0.01                       signals shrink layer after layer
    standard_normal    std 1                          tanh/sigmoid saturate
    xavier             std 1 / sqrt(fan_in)           keeps the variance for tanh (LeCun/Xavier)
    glorot             std sqrt(2 / (fan_in + fan_out))  Glorot & Bengio's average of fan in and out
    he                 std sqrt(2 / fan_in)           keeps the variance for ReLU, which zeroes half

Every initializer takes ``rng``: a np.random.Generator, an int seed, or None (fresh
randomness), and ``dtype`` (float64 by default; np.float32 for float32 models).
"""
import numpy as np

__all__ = ["normal", "small_random", "standard_normal", "xavier", "glorot", "he"]


def _check_fans(fan_in, fan_out):
    for name, value in (("fan_in", fan_in), ("fan_out", fan_out)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer (a number of units), got {value!r}.")


def normal(fan_in, fan_out, std, rng=None, dtype=np.float64):
    """A (fan_in, fan_out) array of draws from N(0, std**2), in ``dtype``."""
    _check_fans(fan_in, fan_out)
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}.")
    draws = np.random.default_rng(rng).standard_normal((fan_in, fan_out), dtype=dtype)
    return draws * draws.dtype.type(std)


def small_random(fan_in, fan_out, rng=None, dtype=np.float64):
    """N(0, 0.01**2) draws, shape (fan_in, fan_out)."""
    return normal(fan_in, fan_out, 0.01, rng, dtype)


def standard_normal(fan_in, fan_out, rng=None, dtype=np.float64):
    """N(0, 1) draws, shape (fan_in, fan_out)."""
    return normal(fan_in, fan_out, 1.0, rng, dtype)


def xavier(fan_in, fan_out, rng=None, dtype=np.float64):
    """std = 1 / sqrt(fan_in): keeps Var(x @ w) = Var(x) for independent zero-mean inputs.
    Shape (fan_in, fan_out)."""
    _check_fans(fan_in, fan_out)   # before the std uses them
    return normal(fan_in, fan_out, 1 / np.sqrt(fan_in), rng, dtype)


def glorot(fan_in, fan_out, rng=None, dtype=np.float64):
    """std = sqrt(2 / (fan_in + fan_out)): Glorot & Bengio (2010) balance the forward
    (fan_in) and backward (fan_out) variances. Shape (fan_in, fan_out)."""
    _check_fans(fan_in, fan_out)   # before the std uses them
    return normal(fan_in, fan_out, np.sqrt(2 / (fan_in + fan_out)), rng, dtype)


def he(fan_in, fan_out, rng=None, dtype=np.float64):
    """std = sqrt(2 / fan_in): He et al. (2015); the 2 makes up for ReLU zeroing half of
    its inputs. Shape (fan_in, fan_out)."""
    _check_fans(fan_in, fan_out)   # before the std uses them
    return normal(fan_in, fan_out, np.sqrt(2 / fan_in), rng, dtype)
