"""What homework 09's test cells, its search and the grader share, apart from any widget: the
names and shapes of the two-layer net's arrays, randomly shifted training batches, the models
the test cells train (``BatchRecorder``), who runs the kernel
(``grading_mode``, read from ``GRADING_VARIABLE``, the one name the grader's sandbox sets) and
how much the search trains, and the final model's rule: its accuracy on MNIST's test set.

``nnref.checks`` imports this module for the final model's rule; nothing here imports the
checks or the widgets. Shapes: N images of 28 x 28 = 784 pixels, as rows (N, 784) or
(N, 28, 28); labels (N,) integers in 0..9.
"""
import os
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from nnref import layers, losses, observations

__all__ = ["SHAPE_NAMES", "two_layer_shapes", "shape_text", "random_shifts", "ShiftedBatches",
           "GRADING_VARIABLE", "grading_mode", "SearchBudget", "search_budget",
           "BatchRecorder", "check_two_layer_params", "two_layer_accuracy", "check_final_model",
           "final_model_rule"]

SIDE = 28
NUM_CLASSES = 10

# Every array of the two-layer net's forward and backward pass, in the graph's order, with
# what it is; the keys of two_layer_shapes and of the shape table the homework asks for.
SHAPE_NAMES = {
    "X": "the batch of inputs", "y": "the integer labels",
    "W1": "first-layer weights", "b1": "first-layer biases",
    "z1": "hidden pre-activations X W1 + b1", "h1": "hidden activations max(0, z1)",
    "W2": "second-layer weights", "b2": "second-layer biases",
    "scores": "class scores h1 W2 + b2", "probs": "softmax of the scores",
    "loss": "the mean cross-entropy (one number)",
    "dscores": "dL/dscores", "dW2": "dL/dW2", "db2": "dL/db2", "dh1": "dL/dh1",
    "dz1": "dL/dz1", "dW1": "dL/dW1", "db1": "dL/db1",
}


def two_layer_shapes(N, D, H, C):
    """The shape of every array (``SHAPE_NAMES``) of a D-H-C two-layer net on N examples,
    measured: nnref's layers run forward and backward on random arrays of those sizes.

    Returns {name: shape tuple}; the loss, one number, has shape ().
    """
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((N, D)), rng.integers(0, C, size=N)
    W1, b1 = rng.standard_normal((D, H)), rng.standard_normal(H)
    W2, b2 = rng.standard_normal((H, C)), rng.standard_normal(C)
    z1, first = layers.affine_forward(X, W1, b1)
    h1, relu = layers.relu_forward(z1)
    scores, second = layers.affine_forward(h1, W2, b2)
    loss, dscores = losses.softmax_cross_entropy(scores, y)
    dh1, dW2, db2 = layers.affine_backward(dscores, second)
    dz1 = layers.relu_backward(dh1, relu)
    _, dW1, db1 = layers.affine_backward(dz1, first)
    arrays = {"X": X, "y": y, "W1": W1, "b1": b1, "z1": z1, "h1": h1, "W2": W2, "b2": b2,
              "scores": scores, "probs": losses.softmax(scores), "loss": loss,
              "dscores": dscores, "dW2": dW2, "db2": db2, "dh1": dh1, "dz1": dz1,
              "dW1": dW1, "db1": db1}
    return {name: tuple(np.shape(arrays[name])) for name in SHAPE_NAMES}


def shape_text(shape):
    """A shape as the text numpy prints, "(4, 5)", for a test message: a tuple or list of
    integers (numpy's too) is read as a tuple of ints; anything else is shown as it is ("6")."""
    if isinstance(shape, (tuple, list)) and all(isinstance(d, (int, np.integer)) for d in shape):
        return str(tuple(int(d) for d in shape))
    return repr(shape)



# ----------------------------------------------------------------------------- augmentation

def random_shifts(X, max_shift, rng):
    """Each image moved by its own random whole number of pixels, dx and dy drawn uniformly from
    -max_shift..max_shift (lesson 08's shifts, drawn afresh); the pixels shifted in are 0.

    X: (N, 784) or (N, 28, 28).  max_shift: int in 0..27.  rng: a numpy Generator.
    Returns a new array of X's shape and dtype; X is left unchanged.
    """
    X = np.asarray(X)
    if not 0 <= max_shift < SIDE:
        raise ValueError(f"max_shift must be in 0..{SIDE - 1} pixels, got {max_shift}")
    n, s = len(X), max_shift
    padded = np.zeros((n, SIDE + 2 * s, SIDE + 2 * s), X.dtype)
    padded[:, s:s + SIDE, s:s + SIDE] = X.reshape(n, SIDE, SIDE)
    dx, dy = rng.integers(-s, s + 1, size=(2, n))
    rows = np.arange(SIDE) + s - dy[:, None]          # image row r comes from padded row r - dy
    cols = np.arange(SIDE) + s - dx[:, None]
    shifted = padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return shifted.reshape(X.shape)


class ShiftedBatches:
    """``model`` as nnref's ``train`` sees it, with every training batch randomly shifted.

    ``loss(X, y)`` trains on ``random_shifts(X, max_shift, rng)``, a new shift per image and
    step, so each epoch shows the net new versions of every digit at no extra cost (lesson
    08's fixed shifted copies make each epoch longer). ``loss(X)`` without labels (the
    accuracies, predictions) uses the images as they are. ``params`` is ``model.params``:
    training updates ``model`` itself.
    """

    def __init__(self, model, max_shift=1, seed=None):
        self.model, self.max_shift = model, max_shift
        self.rng = np.random.default_rng(seed)

    @property
    def params(self):
        return self.model.params

    def loss(self, X, y=None):
        if y is None:
            return self.model.loss(X)
        return self.model.loss(random_shifts(X, self.max_shift, self.rng), y)


# ----------------------------------------------------------------------------- grading runs

# nncourse's sandbox (autograder/sandbox.py) sets this variable, read from here, in every
# grading kernel's environment.
GRADING_VARIABLE = "NNCOURSE_GRADING"


def grading_mode(environ=None):
    """Who is running this kernel: "nncourse" when nncourse grades it (GRADING_VARIABLE set to
    anything but "" or "0"), "nbgrader" under stock nbgrader's autograde or validate (both set
    NBGRADER_EXECUTION in the kernel's environment), else None (a person's own session).

    environ: the environment to read (default os.environ).
    """
    environ = os.environ if environ is None else environ
    if environ.get(GRADING_VARIABLE, "") not in ("", "0"):
        return "nncourse"
    if environ.get("NBGRADER_EXECUTION"):
        return "nbgrader"
    return None


class SearchBudget(NamedTuple):
    """How much each short run of homework 09's search trains: images and epochs."""
    images: int
    epochs: int


# No grade depends on the search: nncourse skips it, stock nbgrader (which runs every cell
# and cannot be told otherwise) runs a token version of it.
_SEARCH_BUDGETS = {None: SearchBudget(10_000, 2), "nbgrader": SearchBudget(1_000, 1), "nncourse": None}


def search_budget(mode=None, environ=None):
    """The budget of the search's short runs in ``mode`` (default: ``grading_mode(environ)``):
    10 000 images for 2 epochs in a person's session, 1 000 for 1 under stock nbgrader, None
    (skip the search) when nncourse grades."""
    return _SEARCH_BUDGETS[grading_mode(environ) if mode is None else mode]


# ----------------------------------------------------------------------------- test helpers

class BatchRecorder:
    """A linear least-squares model on (X, y) that records what each ``loss(X, y)`` call receives.

    Its loss is 0.5 * the batch's mean of ||X W + b - one_hot(y)||^2, with ``params`` W (D, C)
    and b (C,): none of the homework's exercises, so the audit, which withholds nnref's
    implementations of them, trains it as the student's run does. ``batches``: one list per
    call of the row indices (into X) it was given, -1 for a row that is not in X;
    ``unknown_rows``: how many such rows; ``wrong_labels``: how many labels differed from y at
    the rows found (all of a call's, when their number differs from its rows'); ``losses``:
    each call's loss. The rows of X must differ.
    """

    def __init__(self, X, y, seed=0):
        X = np.asarray(X, dtype=np.float64)
        self.classes = int(np.max(y)) + 1
        rng = np.random.default_rng(seed)
        self.params = {"W": 0.1 * rng.standard_normal((X.shape[1], self.classes)), "b": np.zeros(self.classes)}
        self._row_of = {row.tobytes(): i for i, row in enumerate(X)}
        self._y = np.asarray(y)
        self.batches, self.losses, self.unknown_rows, self.wrong_labels = [], [], 0, 0

    def loss_and_grads(self, X, y):
        """(loss, grads) at the current params, recording nothing."""
        X = np.asarray(X, dtype=np.float64)
        residual = X @ self.params["W"] + self.params["b"] - np.eye(self.classes)[np.asarray(y)]
        n = len(X)
        return 0.5 * float(np.sum(residual ** 2)) / n, {"W": X.T @ residual / n, "b": residual.mean(axis=0)}

    def loss(self, X, y):
        rows = [self._row_of.get(row.tobytes(), -1) for row in np.asarray(X, dtype=np.float64)]
        labels = np.asarray(y).reshape(-1)
        self.unknown_rows += rows.count(-1)
        self.wrong_labels += (len(rows) if len(labels) != len(rows) else
                              int(sum(r >= 0 and label != self._y[r] for r, label in zip(rows, labels))))
        self.batches.append(rows)
        loss, grads = self.loss_and_grads(X, y)
        self.losses.append(loss)
        return loss, grads

    def epochs(self, batch_size):
        """The recorded batches split into epochs of ceil(N / batch_size) calls."""
        per_epoch = -(-len(self._y) // batch_size)
        return [self.batches[k:k + per_epoch] for k in range(0, len(self.batches), per_epoch)]


# ----------------------------------------------------------------------------- grading

def check_two_layer_params(params, input_dim=SIDE * SIDE, num_classes=NUM_CLASSES,
                           name="final_params"):
    """Fail with a message that says what to fix unless ``params`` is a dict of finite float
    arrays W1 (input_dim, H), b1 (H,), W2 (H, num_classes), b2 (num_classes,). Returns H."""
    if not isinstance(params, dict):
        raise AssertionError(f"{name} must be a dict of arrays with keys W1, b1, W2, b2 (e.g. "
                             f"model.params after training), got {type(params).__name__}.")
    missing = [k for k in ("W1", "b1", "W2", "b2") if k not in params]
    if missing:
        raise AssertionError(f"{name} has no {missing}: it needs the keys W1, b1, W2, b2 "
                             f"(it has {sorted(params)}).")
    arrays = {}
    for k in ("W1", "b1", "W2", "b2"):
        value = params[k]
        if not isinstance(value, np.ndarray) or not np.issubdtype(value.dtype, np.floating):
            raise AssertionError(f"{name}[{k!r}] must be a numpy float array, got "
                                 f"{type(value).__name__}"
                                 f"{' of dtype ' + str(value.dtype) if isinstance(value, np.ndarray) else ''}.")
        if not np.all(np.isfinite(value)):
            raise AssertionError(f"{name}[{k!r}] holds NaN or inf: training diverged. Lower "
                                 f"the learning rate and train again.")
        arrays[k] = value
    hidden = arrays["b1"].shape[0] if arrays["b1"].ndim == 1 else -1
    expected = {"W1": (input_dim, hidden), "b1": (hidden,), "W2": (hidden, num_classes),
                "b2": (num_classes,)}
    for k, shape in expected.items():
        if arrays[k].shape != shape:
            raise AssertionError(f"{name}[{k!r}] has shape {arrays[k].shape}, expected {shape} "
                                 f"(W1 (784, H), b1 (H,), W2 (H, 10), b2 (10,) for a net on "
                                 f"MNIST's 784 pixels and 10 digits).")
    return hidden


def two_layer_accuracy(params, X, y, batch_size=2000):
    """Accuracy in [0, 1] of the two-layer net ``params`` (checked by
    ``check_two_layer_params``) on X (N, 784), y (N,), computed with nnref's own layers."""
    check_two_layer_params(params, input_dim=np.asarray(X).shape[1])
    correct = 0
    for start in range(0, len(X), batch_size):
        hidden, _ = layers.relu_forward(layers.affine_forward(
            X[start:start + batch_size], params["W1"], params["b1"])[0])
        scores, _ = layers.affine_forward(hidden, params["W2"], params["b2"])
        correct += int(np.sum(scores.argmax(axis=1) == y[start:start + batch_size]))
    return correct / len(X)


def check_final_model(final_params, threshold, cause):
    """The grader's check of homework 09's final model: its accuracy on the real MNIST test
    set (loaded here, computed with nnref's layers) must reach ``threshold``.

    final_params: the student's dict W1 (784, H), b1 (H,), W2 (H, 10), b2 (10,), or None when
    the notebook never defined it. Prints the accuracy and returns None: a test cell ending
    with a number would be read by stock nbgrader as a partial score. While ``nncourse
    grade`` runs the notebook, the kernel only reports final_params: the grader computes the
    accuracy itself (``final_model_rule``).
    """
    if final_params is None:
        raise NotImplementedError("final_params is not defined: run the training cell of part 6 and "
                                  "end it with final_params = final_model.params (W1, b1, W2, b2).")
    if observations.mode():
        observations.report("final_model", final_params, threshold, what="final_params", cause=cause)
    if observations.mode() in (None, "self"):
        print(f"test accuracy of final_params: {final_model_rule(final_params, threshold, 'final_params', cause):.2%}")


@lru_cache(maxsize=1)
def _test_set():
    from nnref.data import load_mnist  # only the grader needs the test set
    return load_mnist()[2:]


def final_model_rule(final_params, threshold, what, cause=""):
    """The test-set accuracy of ``final_params``; AssertionError when below ``threshold``."""
    accuracy = two_layer_accuracy(final_params, *_test_set())
    if not accuracy >= threshold:
        message = f"test accuracy {accuracy:.2%} of {what} is below {threshold:.0%}."
        raise AssertionError(f"{message}\nUsual cause: {cause}" if cause else message)
    return accuracy

