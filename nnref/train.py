"""A trainer that knows only ``model.params`` and ``model.loss(X, y=None)``.

    history = train(model, (X_train, y_train, X_val, y_val), Momentum(lr=0.1),
                    batch_size=128, epochs=10, schedule=my_schedule, patience=3, seed=0)

Each epoch visits the training set once in shuffled mini-batches; the optimizer updates
``model.params`` in place after every batch. A schedule sets ``optimizer.lr`` at the start of
each epoch. With ``patience`` the trainer stops when validation accuracy has not improved for
that many epochs and puts the best epoch's parameters back into the model.
"""
import math
import sys

import numpy as np
from tqdm.auto import tqdm

from .losses import softmax_cross_entropy

__all__ = ["train", "accuracy", "evaluate"]


def evaluate(model, X, y, batch_size=1000):
    """(accuracy, cross-entropy) of the model on the N examples X (N, ...) with labels y (N,).

    Accuracy is the fraction whose highest score is the label; cross-entropy is the mean
    softmax cross-entropy of the scores, without any L2 term, so that training and validation
    sets are compared on the same footing. Computed in batches of ``batch_size`` so that a
    large set never needs one huge activation array.
    """
    correct, total_loss = 0, 0.0
    for start in range(0, len(X), batch_size):
        scores = model.loss(X[start:start + batch_size])
        labels = y[start:start + batch_size]
        correct += int(np.sum(np.argmax(scores, axis=1) == labels))
        total_loss += softmax_cross_entropy(scores, labels)[0] * len(labels)
    n = max(len(X), 1)
    return correct / n, float(total_loss / n)


def accuracy(model, X, y, batch_size=1000):
    """Fraction of the N examples X (N, ...) whose predicted class is y (N,) (see ``evaluate``)."""
    return evaluate(model, X, y, batch_size)[0]


def _interactive():
    """True in a Jupyter kernel or a terminal; False when output goes to a file or a pipe."""
    try:
        from IPython import get_ipython
        if getattr(get_ipython(), "kernel", None) is not None:
            return True
    except ImportError:
        pass
    return sys.stderr.isatty()


def _unpack(data):
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 4):
        raise ValueError("data must be a tuple (X_train, y_train) or (X_train, y_train, X_val, "
                         "y_val), e.g. the four arrays load_mnist() returns")
    X_train, y_train, X_val, y_val = (*data, None, None)[:4]
    for X, y, part in ((X_train, y_train, "train"), (X_val, y_val, "val")):
        if X is not None and len(X) != len(y):
            raise ValueError(f"X_{part} has {len(X)} examples but y_{part} has {len(y)} labels")
    if len(X_train) == 0:
        raise ValueError("the training set is empty")
    return X_train, np.asarray(y_train), X_val, y_val


def train(model, data, optimizer, batch_size=100, epochs=10, schedule=None, patience=None,
          seed=None, verbose=True, train_acc_size=1000):
    """Train ``model`` with mini-batch gradient descent and return the history.

    Args:
        model: has ``params`` (dict of arrays) and ``loss(X, y=None)`` (scores without y,
            ``(loss, grads)`` with y).
        data: (X_train, y_train) or (X_train, y_train, X_val, y_val); X (N, ...), y (N,).
        optimizer: has ``step(params, grads)`` and ``lr`` (e.g. nnref.optim.Momentum).
        batch_size: examples per step; the last batch of an epoch may be smaller.
        epochs: passes over the training set (at most, with early stopping).
        schedule: optional function epoch -> learning rate (epochs count from 0), applied as
            ``optimizer.lr = schedule(epoch)`` at the start of each epoch. A performance-based
            schedule (one with ``step(metric)`` and ``mode``, like
            ``nnref.schedules.ReduceOnPlateau``) is also told each epoch's validation loss
            (mode "min") or accuracy (mode "max") after the epoch.
        patience: stop after this many epochs without a better validation accuracy, then
            restore the best parameters (needs validation data). None: run every epoch and
            keep the last parameters. Only ``model.params`` is restored: batchnorm's running
            statistics stay those of the last epoch.
        seed: seeds the shuffling (and the train-accuracy sample): the same seed, the same run.
        verbose: show a progress bar (only when output is interactive: a notebook or terminal).
        train_acc_size: train accuracy is measured on this many training examples (a fixed
            random sample), to keep each epoch cheap; None uses all.
    Returns:
        history: dict of per-epoch lists 'loss' (mean training loss over the epoch's steps,
        regularization included), 'train_acc' and 'train_loss' (accuracy and cross-entropy on the training
        sample after the epoch), 'val_acc' and 'val_loss' (the same on the validation data;
        empty without it), 'lr'; 'batch_loss' (every step's loss);
        'best_epoch' (0-based index of the best validation accuracy, or the last epoch).
    """
    X_train, y_train, X_val, y_val = _unpack(data)
    if X_val is None and hasattr(schedule, "step"):
        raise ValueError("a performance-based schedule watches the validation data: pass data as "
                         "(X_train, y_train, X_val, y_val)")
    if patience is not None and X_val is None:
        raise ValueError("early stopping (patience) watches validation accuracy: pass data as "
                         "(X_train, y_train, X_val, y_val)")
    rng = np.random.default_rng(seed)
    n = len(X_train)
    steps_per_epoch = math.ceil(n / batch_size)
    sample = rng.choice(n, train_acc_size, replace=False) if train_acc_size and train_acc_size < n else slice(None)
    history = {"loss": [], "train_acc": [], "train_loss": [], "val_acc": [], "val_loss": [], "lr": [],
               "batch_loss": [], "best_epoch": None}
    best_acc, best_params, waited = -1.0, None, 0

    bar = tqdm(total=epochs * steps_per_epoch, unit="batch", leave=True,
               disable=not (verbose and _interactive()))
    for epoch in range(epochs):
        if schedule is not None:
            optimizer.lr = schedule(epoch)
        order = rng.permutation(n)
        epoch_losses = []
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = model.loss(X_train[batch], y_train[batch])
            if not np.isfinite(loss):
                bar.close()
                raise FloatingPointError(
                    f"training diverged: the loss is {loss} at epoch {epoch}, step "
                    f"{len(epoch_losses)} (lr = {optimizer.lr}). Usual cause: a learning rate "
                    f"too large for this model; try one 3-10 times smaller.")
            optimizer.step(model.params, grads)
            epoch_losses.append(float(loss))
            bar.update()

        history["batch_loss"] += epoch_losses
        history["loss"].append(float(np.mean(epoch_losses)))
        history["lr"].append(optimizer.lr)
        for key, value in zip(("train_acc", "train_loss"), evaluate(model, X_train[sample], y_train[sample])):
            history[key].append(value)
        postfix = {"loss": f"{history['loss'][-1]:.3f}", "train": f"{history['train_acc'][-1]:.3f}"}
        if X_val is not None:
            val_acc, val_loss = evaluate(model, X_val, y_val)
            history["val_acc"].append(val_acc)
            history["val_loss"].append(val_loss)
            postfix["val"] = f"{val_acc:.3f}"
            if hasattr(schedule, "step"):
                schedule.step(val_loss if schedule.mode == "min" else val_acc)
            if val_acc > best_acc:
                best_acc, waited, history["best_epoch"] = val_acc, 0, epoch
                if patience is not None:
                    best_params = {k: v.copy() for k, v in model.params.items()}
            else:
                waited += 1
        bar.set_postfix(postfix, refresh=False)
        bar.set_description(f"epoch {epoch + 1}/{epochs}", refresh=True)
        if patience is not None and waited >= patience:
            break
    bar.close()

    if best_params is not None:
        for name, value in best_params.items():
            model.params[name][...] = value  # in place: the optimizer's references stay valid
    if history["best_epoch"] is None:
        history["best_epoch"] = len(history["loss"]) - 1
    return history
