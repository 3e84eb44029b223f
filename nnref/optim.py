"""Optimizers: update rules that move the parameters against their gradients.

Each optimizer has ``step(params, grads)``: ``params`` and ``grads`` are dicts with the same
keys (e.g. 'W1', 'b1', ...) of arrays of matching shapes, as a model's ``params`` and its
``loss(X, y)`` give them. ``step`` updates every array of ``params`` IN PLACE (the model
sees the change), keeps its dtype, and keeps per-parameter state (velocities, squared
gradient averages) in that dtype too, under the parameter's name: a new dict, in another
order or with new arrays under the same names, continues the same state. The learning
rate is the attribute ``lr``, read at every step; a schedule may change it between steps
(see nnref.schedules), and the new rate enters the formulas below where lr stands.

In the formulas, w is a parameter, g its gradient, lr the learning rate, and every
operation is elementwise:

    SGD        w <- w - lr g
    Momentum   v <- mu v + lr g;          w <- w - v
    Nesterov   v <- mu v + lr g;          w <- w - (mu v + lr g)
    AdaGrad    c <- c + g^2;              w <- w - lr g / (sqrt(c) + eps)
    RMSProp    c <- decay c + (1 - decay) g^2;  w <- w - lr g / (sqrt(c) + eps)
    Adam       t <- t + 1;  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
               w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

eps is added outside the square root, as most code does.
"""
import numbers

import numpy as np

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "clip_grad_norm"]


def _positive(name, value):
    if not (isinstance(value, numbers.Real) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return value


def _fraction(name, value):
    if not (isinstance(value, numbers.Real) and 0 <= value < 1):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}.")
    return value


def _check_step(params, grads):
    missing, unknown = sorted(set(params) - set(grads)), sorted(set(grads) - set(params))
    if missing:
        raise KeyError(f"grads has no gradient for {missing}: step(params, grads) needs one "
                       f"for every parameter (did loss() forget it?).")
    if unknown:
        raise KeyError(f"grads has {unknown}, which params does not have: the keys of grads "
                       f"must be those of params {sorted(params)}.")
    for name, w in params.items():
        if not isinstance(w, np.ndarray) or not np.issubdtype(w.dtype, np.floating):
            raise TypeError(f"params[{name!r}] must be a numpy float array to be updated in "
                            f"place; got {type(w).__name__}"
                            f"{' of dtype ' + str(w.dtype) if isinstance(w, np.ndarray) else ''}.")
        if np.shape(grads[name]) != w.shape:
            raise ValueError(f"grads[{name!r}] has shape {np.shape(grads[name])} but params[{name!r}] "
                             f"has shape {w.shape}; a gradient has its parameter's shape.")


def _zeros(state, name, w):
    """The state array of parameter `name`, created as zeros in w's shape and dtype."""
    if name not in state:
        state[name] = np.zeros_like(w)
    return state[name]


class Optimizer:
    """step() checks the dicts, then applies the subclass's _update to each parameter."""

    def step(self, params, grads):
        """Update every array of params in place from grads (same keys, same shapes)."""
        _check_step(params, grads)
        self._start_step()
        for name, w in params.items():
            # in w's dtype: a float32 model gets float32 math
            self._update(name, w, np.asarray(grads[name], dtype=w.dtype))

    def _start_step(self):
        """Called once per step, before the updates (Adam counts its steps here)."""


class SGD(Optimizer):
    """Plain gradient descent: w <- w - lr g."""

    def __init__(self, lr):
        self.lr = _positive("lr", lr)

    def _update(self, name, w, g):
        w -= self.lr * g


class Momentum(Optimizer):
    """Heavy ball: a velocity v accumulates the gradients, decaying by mu each step.

        v <- mu v + lr g,        w <- w - v
    """

    def __init__(self, lr, momentum=0.9):
        self.lr = _positive("lr", lr)
        self.momentum = _fraction("momentum", momentum)
        self.velocity = {}

    def _update(self, name, w, g):
        w -= self._advance_velocity(name, w, g)

    def _advance_velocity(self, name, w, g):
        """v <- mu v + lr g, in place; returns v."""
        v = _zeros(self.velocity, name, w)
        v *= self.momentum
        v += self.lr * g
        return v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the form that needs only the gradient at w.

    Nesterov evaluates the gradient at the look-ahead point w - mu v. Tracking that point
    instead of w (Sutskever et al., 2013; Bengio et al., 2013) gives

        v <- mu v + lr g,        w <- w - (mu v + lr g)

    i.e. a Momentum step plus one more "mu v" of look-ahead.
    """

    def _update(self, name, w, g):
        v = self._advance_velocity(name, w, g)
        w -= self.momentum * v + self.lr * g


class AdaGrad(Optimizer):
    """Per-coordinate step sizes that shrink with the sum of the squared gradients so far.

        c <- c + g^2,        w <- w - lr g / (sqrt(c) + eps)
    """

    def __init__(self, lr, eps=1e-8):
        self.lr = _positive("lr", lr)
        self.eps = _positive("eps", eps)
        self.cache = {}

    def _update(self, name, w, g):
        c = _zeros(self.cache, name, w)
        c += g * g
        w -= self.lr * g / (np.sqrt(c) + self.eps)


class RMSProp(Optimizer):
    """AdaGrad with a leaky average instead of a sum, so the steps do not die out.

        c <- decay c + (1 - decay) g^2,        w <- w - lr g / (sqrt(c) + eps)
    """

    def __init__(self, lr, decay=0.99, eps=1e-8):
        self.lr = _positive("lr", lr)
        self.decay = _fraction("decay", decay)
        self.eps = _positive("eps", eps)
        self.cache = {}

    def _update(self, name, w, g):
        c = _zeros(self.cache, name, w)
        c *= self.decay
        c += (1 - self.decay) * g * g
        w -= self.lr * g / (np.sqrt(c) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015, Algorithm 1): momentum (m) plus RMSProp scaling (v), both
    bias-corrected because they start at zero.

        t <- t + 1
        m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g^2
        m_hat = m / (1 - beta1^t)             v_hat = v / (1 - beta2^t)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)

    t counts the calls to step() and is incremented before the correction, so the first
    step uses t = 1 and m_hat = g exactly.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = _positive("lr", lr)
        self.beta1 = _fraction("beta1", beta1)
        self.beta2 = _fraction("beta2", beta2)
        self.eps = _positive("eps", eps)
        self.m, self.v, self.t = {}, {}, 0

    def _start_step(self):
        self.t += 1

    def _update(self, name, w, g):
        m, v = _zeros(self.m, name, w), _zeros(self.v, name, w)
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1 ** self.t)
        v_hat = v / (1 - self.beta2 ** self.t)
        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def clip_grad_norm(grads, max_norm):
    """Scale all gradients together so that their global L2 norm is at most max_norm.

        total_norm = sqrt(sum over every array g of sum(g^2))
        if total_norm > max_norm: every g <- g * max_norm / total_norm   (in place)

    The direction of the full gradient is kept; only its length is capped.
    grads: dict of arrays.  Returns total_norm before clipping (a float).
    """
    _positive("max_norm", max_norm)
    for name, g in grads.items():
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            raise TypeError(f"grads[{name!r}] must be a numpy float array to be clipped in place.")
    total_norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads.values())))
    if total_norm > max_norm:
        for g in grads.values():
            g *= max_norm / total_norm
    return total_norm
