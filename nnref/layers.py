"""Layers as pure functions: the forward pass and its backward pass.

Every ``*_forward`` returns ``(out, cache)``; every ``*_backward`` takes ``(dout, cache)``,
where ``dout`` is dLoss/dout (same shape as ``out``), and returns the gradients of the loss
with respect to the forward's inputs. ``cache`` holds exactly what the backward needs.

Shapes: N is the batch size (the first axis), D the number of input features, M the number
of outputs. The layers keep the input's dtype: float32 in, float32 out.
"""
import math

import numpy as np

__all__ = [
    "affine_forward", "affine_backward",
    "relu_forward", "relu_backward",
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "leaky_relu_forward", "leaky_relu_backward",
    "elu_forward", "elu_backward",
    "batchnorm_forward", "batchnorm_backward",
    "dropout_forward", "dropout_backward",
]


# ----------------------------------------------------------------------------- affine

def affine_forward(x, w, b):
    """Fully connected layer: out = x @ w + b.

    x: (N, D), or (N, d1, ..., dk) with d1 * ... * dk = D (each example is flattened,
       e.g. an image (N, 28, 28) becomes (N, 784)).
    w: (D, M) weights.  b: (M,) bias, added to every row.
    Returns out (N, M) and cache = (x, w).
    """
    x, w, b = np.asarray(x), np.asarray(w), np.asarray(b)
    if x.ndim < 2 or w.ndim != 2 or math.prod(x.shape[1:]) != w.shape[0]:
        raise ValueError(
            f"affine_forward: x of shape {x.shape} does not fit w of shape {w.shape}. "
            f"x must be (N, D) or (N, d1, ..., dk) with d1*...*dk = D = w.shape[0]; "
            f"w must be (D, M). A single example needs a batch axis: x[None, :].")
    if b.shape != (w.shape[1],):
        raise ValueError(f"affine_forward: b has shape {b.shape}, expected ({w.shape[1]},) "
                         f"= (M,), one bias per output column of w {w.shape}.")
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w)


def affine_backward(dout, cache, need_dx=True):
    """Backward pass of the affine layer.

    dout: (N, M).  cache: (x, w) from affine_forward.
    Returns dx (x's shape, e.g. (N, d1, ..., dk)), dw (D, M) and db (M,):

        dx = dout @ w.T        dw = x.T @ dout        db = sum of dout over the batch

    need_dx=False returns None for dx: a net's first layer has no use for the gradient of
    its input, and skipping it saves a third of that layer's backward work.
    """
    x, w = cache
    x_rows = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape) if need_dx else None
    dw = x_rows.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


# ----------------------------------------------------------------------------- activations
# Elementwise: x, out, dout and dx all have the same shape (any shape).

def relu_forward(x):
    """ReLU: out = max(0, x). Returns out and cache = x."""
    x = np.asarray(x)
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """dx = dout where x > 0, else 0 (at the kink x = 0 the slope is taken as 0)."""
    x = cache
    return dout * (x > 0)


def sigmoid_forward(x):
    """Sigmoid: out = 1 / (1 + exp(-x)). Returns out and cache = out.

    Computed without overflow: with e = exp(-|x|) <= 1,
    sigmoid(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0.
    """
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return out, out


def sigmoid_backward(dout, cache):
    """dx = dout * out * (1 - out), with out = sigmoid(x) kept by the forward."""
    out = cache
    return dout * out * (1 - out)


def tanh_forward(x):
    """tanh: out = (exp(x) - exp(-x)) / (exp(x) + exp(-x)). Returns out and cache = out."""
    out = np.tanh(np.asarray(x))
    return out, out


def tanh_backward(dout, cache):
    """dx = dout * (1 - out**2), with out = tanh(x) kept by the forward."""
    out = cache
    return dout * (1 - out ** 2)


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU: out = x for x > 0, alpha * x otherwise. Returns out and cache = (x, alpha)."""
    x = np.asarray(x)
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    """dx = dout where x > 0, alpha * dout otherwise (also at the kink x = 0)."""
    x, alpha = cache
    return np.where(x > 0, dout, alpha * dout)


def elu_forward(x, alpha=1.0):
    """ELU: out = x for x > 0, alpha * (exp(x) - 1) otherwise. Returns out, cache = (x, alpha)."""
    x = np.asarray(x)
    # exp only of the non-positive part: exp(large x) would overflow in the unused branch.
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, (x, alpha)


def elu_backward(dout, cache):
    """dx = dout where x > 0, dout * alpha * exp(x) otherwise."""
    x, alpha = cache
    return np.where(x > 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))


# ----------------------------------------------------------------------------- batchnorm

def _mode(param, layer):
    mode = param.get("mode", "train")
    if mode not in ("train", "test"):
        raise ValueError(f"{layer}: mode must be 'train' or 'test', got {mode!r}.")
    return mode


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization over the batch axis.

    x: (N, D).  gamma, beta: (D,) learned scale and shift.
    bn_param: dict with
      mode: 'train' (default) or 'test';
      eps: 1e-5, added to the variance;
      momentum: 0.9, for the running averages;
      running_mean, running_var: (D,) arrays in x's dtype; created on the first call
        (zeros and ones) and updated in bn_param by every 'train' call.

    Train: normalize with the batch's own statistics (variance with 1/N) and update the
    running averages:
        mu = mean(x, axis=0)      var = mean((x - mu)**2, axis=0)
        x_hat = (x - mu) / sqrt(var + eps)          out = gamma * x_hat + beta
        running_mean = momentum * running_mean + (1 - momentum) * mu   (same for var)
    Test: the same with running_mean and running_var in place of mu and var, so that a
    prediction does not depend on the rest of its batch; the running statistics are not
    updated (a fresh bn_param gets the initial zeros and ones).

    Returns out (N, D) and cache = (mode, x_hat, gamma, inv_std) with x_hat (N, D) and
    inv_std = 1 / sqrt(var + eps) (D,).
    """
    x = np.asarray(x)
    mode = _mode(bn_param, "batchnorm_forward")
    if x.ndim != 2 or np.shape(gamma) != (x.shape[1],) or np.shape(beta) != (x.shape[1],):
        raise ValueError(f"batchnorm_forward: expected x (N, D) with gamma and beta (D,); got x "
                         f"{x.shape}, gamma {np.shape(gamma)}, beta {np.shape(beta)}.")
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    running_mean = bn_param.setdefault("running_mean", np.zeros(x.shape[1], dtype=x.dtype))
    running_var = bn_param.setdefault("running_var", np.ones(x.shape[1], dtype=x.dtype))

    if mode == "train":
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    return out, (mode, x_hat, gamma, inv_std)


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization.

    dout: (N, D).  cache: from batchnorm_forward.
    Returns dx (N, D), dgamma (D,), dbeta (D,):

        dbeta = sum(dout, axis=0)       dgamma = sum(dout * x_hat, axis=0)
        with dx_hat = dout * gamma, in 'train' mode (mu and var depend on x):
        dx = (N * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)) / (N * sqrt(var + eps))
        (sums over the batch axis); in 'test' mode the statistics are constants:
        dx = dx_hat / sqrt(running_var + eps).
    """
    mode, x_hat, gamma, inv_std = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    dx = (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) * (inv_std / n)
    return dx, dgamma, dbeta


# ----------------------------------------------------------------------------- dropout

def dropout_forward(x, dropout_param):
    """Inverted dropout.

    x: any shape.  dropout_param: dict with
      keep_prob: probability of keeping a unit, 0 < keep_prob <= 1;
      mode: 'train' (default) or 'test';
      seed: optional. An int gives the same mask at every call (for checking); a
        np.random.Generator is drawn from (and advances); absent or None: fresh randomness.

    Train: each unit is kept with probability keep_prob and the kept ones are divided by
    keep_prob, so the expected output equals x:
        mask = (uniform(0, 1) < keep_prob) / keep_prob,     out = x * mask
    Test: out = x (nothing to undo at test time: that is the point of "inverted").

    Returns out (x's shape) and cache = (dropout_param, mask); mask is None in test mode.
    """
    x = np.asarray(x)
    mode = _mode(dropout_param, "dropout_forward")
    if "keep_prob" not in dropout_param:
        raise ValueError("dropout_forward: dropout_param needs 'keep_prob', the probability of "
                         "KEEPING a unit (e.g. {'keep_prob': 0.8, 'mode': 'train'}).")
    keep_prob = dropout_param["keep_prob"]
    if not 0 < keep_prob <= 1:
        raise ValueError(f"dropout_forward: keep_prob must be in (0, 1], got {keep_prob}. "
                         f"It is the probability of keeping a unit, not of dropping it.")
    if mode == "test":
        return x, (dropout_param, None)
    rng = np.random.default_rng(dropout_param.get("seed"))
    keep = rng.random(x.shape) < keep_prob
    mask = (keep / keep_prob).astype(np.result_type(x, np.float32))  # float32 stays float32
    return x * mask, (dropout_param, mask)


def dropout_backward(dout, cache):
    """dx = dout * mask in train mode (the same mask as the forward), dout in test mode."""
    _, mask = cache
    return dout if mask is None else dout * mask
