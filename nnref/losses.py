"""Losses: each returns the loss and its gradient with respect to the network's output.

N is the batch size, C the number of classes. Labels ``y`` are integer class ids in
[0, C). The losses keep the input's dtype: float32 scores give a float32 loss and gradient.
"""
import numpy as np

__all__ = ["softmax", "softmax_cross_entropy", "mse"]


def softmax(scores):
    """Probabilities from scores, along the last axis.

        softmax(s)_j = exp(s_j - max(s)) / sum_k exp(s_k - max(s))

    Subtracting the row's maximum does not change the result (it cancels between top and
    bottom) but keeps exp() from overflowing: the largest exponent is exp(0) = 1.

    scores: (N, C) or (C,).  Returns probabilities of the same shape, each row summing to 1.
    """
    scores = np.asarray(scores)
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def _check_labels(scores, y):
    y = np.asarray(y)
    if scores.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: scores must be (N, C), got shape {scores.shape}. "
                         f"A single example needs a batch axis: scores[None, :].")
    n, c = scores.shape
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"softmax_cross_entropy: y must be {n} integer class ids, shape ({n},); "
                         f"got shape {y.shape}, dtype {y.dtype}. One-hot labels? Use y.argmax(axis=1).")
    if n and (y.min() < 0 or y.max() >= c):
        raise ValueError(f"softmax_cross_entropy: labels must lie in [0, {c}) for {c} classes; "
                         f"got values from {y.min()} to {y.max()}.")
    return y


def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of softmax(scores) against the labels y (natural log).

        loss = -(1/N) * sum_i log softmax(scores_i)[y_i]
        dscores = (softmax(scores) - one_hot(y)) / N

    The log-probabilities are computed as shifted - log(sum(exp(shifted))) (shifted =
    scores minus the row maximum), so a confident wrong answer gives a large finite loss,
    never log(0) = -inf.

    scores: (N, C).  y: (N,) integers in [0, C).
    Returns loss (a scalar in scores' dtype) and dscores (N, C).
    """
    scores = np.asarray(scores)
    y = _check_labels(scores, y)
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1
    return loss, dscores / n


def mse(pred, target):
    """Mean squared error, averaged over every entry (no factor 1/2).

        loss = mean((pred - target)**2)          dpred = 2 * (pred - target) / pred.size

    Example: pred 11, 19, 30, 43, 47 against target 10, 20, 30, 40, 50 gives
    (1 + 1 + 0 + 9 + 9) / 5 = 4.

    pred: (N,) or (N, K).  target: pred's shape; for pred (N, 1), target may be (N,).
    Returns loss (a scalar in pred's dtype) and dpred (pred's shape).
    """
    pred = np.asarray(pred)
    target = np.asarray(target, dtype=pred.dtype if np.issubdtype(pred.dtype, np.floating) else None)
    if target.shape != pred.shape:
        # (N, 1) - (N,) would broadcast to (N, N): a silent, classic bug. Only a same-size
        # reshape is allowed.
        if target.size != pred.size or pred.ndim != 2 or pred.shape[1] != 1 or target.ndim != 1:
            raise ValueError(f"mse: pred {pred.shape} and target {target.shape} must have the same "
                             f"shape (or pred (N, 1) with target (N,)).")
        target = target.reshape(pred.shape)
    diff = pred - target
    return np.mean(diff ** 2), 2 * diff / diff.size
