"""Plots for the lessons. Each function draws and returns its matplotlib Axes (one panel) or
Figure (several panels); none calls ``plt.show()``, so a notebook shows the figure once and a
script or a test can save or close it. In a notebook, end the call with ``;`` or assign its
result (``fig = plot_history(history)``): a Figure as a cell's last value is drawn twice.
"""
import matplotlib.pyplot as plt
import numpy as np

from nnref.fonts import use_hangul_font

use_hangul_font()  # Korean titles and labels render (the lessons end with Korean summaries)

__all__ = ["plot_decision_boundary", "plot_history", "plot_activation_histograms",
           "plot_optimizer_paths", "plot_images"]


def _axes(ax, figsize=(5, 4)):
    return plt.subplots(figsize=figsize)[1] if ax is None else ax


def plot_decision_boundary(model, X, y, ax=None, resolution=200, padding=0.5, title=None):
    """Colour the plane by predicted class and scatter the points on top.

    model: anything with ``predict(X) -> (N,) class ids``, or such a function itself.
    X: (N, 2) points.  y: (N,) integer labels.  resolution: grid points per axis.
    Returns the Axes.
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points X of shape (N, 2), got {X.shape}")
    predict = model.predict if hasattr(model, "predict") else model
    ax = _axes(ax)
    (x0, y0), (x1, y1) = X.min(axis=0) - padding, X.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(X.dtype)
    classes = np.asarray(predict(grid)).reshape(gx.shape)
    levels = np.arange(max(classes.max(), np.max(y)) + 2) - 0.5
    ax.contourf(gx, gy, classes, levels=levels, cmap="coolwarm", alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", vmin=levels[0], vmax=levels[-1],
               edgecolors="k", linewidths=0.5, s=20)
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x_1$", ylabel="$x_2$", title=title)
    return ax


def plot_history(history, figsize=(10, 3.5)):
    """Loss (left) and train/validation accuracy (right) per epoch.

    history: the dict ``nnref.train.train`` returns (keys 'loss', 'train_acc', 'val_acc';
    'batch_loss' is drawn faintly behind the epoch means, and 'train_loss' / 'val_loss', the
    cross-entropy after each epoch, beside them, when present).
    Returns the Figure.
    """
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=figsize)
    epochs = np.arange(1, len(history["loss"]) + 1)
    batch_loss = history.get("batch_loss")
    if batch_loss:
        steps = np.arange(1, len(batch_loss) + 1) * len(epochs) / len(batch_loss)
        ax_loss.plot(steps, batch_loss, color="C0", alpha=0.25, lw=0.8, label="mini-batch")
    ax_loss.plot(epochs, history["loss"], "o-", color="C0", label="training, epoch mean")
    for key, label, color in (("train_loss", "train, after the epoch (no L2)", "C0"),
                              ("val_loss", "validation, after the epoch (no L2)", "C1")):
        if history.get(key):
            ax_loss.plot(epochs, history[key], "s--", color=color, label=label)
    # log scale: the first steps' loss is ~50 times the last epochs', and the gap between
    # training and validation is a ratio
    ax_loss.set(xlabel="epoch", ylabel="loss (log scale)", title="loss", yscale="log")
    ax_loss.legend()
    for key, label, color in (("train_acc", "train", "C0"), ("val_acc", "validation", "C1")):
        if history.get(key):
            ax_acc.plot(epochs, history[key], "o-", color=color, label=label)
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    ax_acc.legend()
    fig.tight_layout()
    return fig


def plot_activation_histograms(activations, names=None, bins=30, value_range=None, figsize=None):
    """One histogram per layer of the values of its activations (as in Xavier/He's papers).

    activations: a list of arrays (e.g. FullyConnectedNet.hidden_activations(X)), or a dict
    name -> array.  value_range: (low, high) shared by all panels; None lets each panel choose.
    Returns the Figure; each panel's title gives the layer's mean and standard deviation.
    """
    if isinstance(activations, dict):
        names, activations = list(activations), list(activations.values())
    if not len(activations):
        raise ValueError("plot_activation_histograms needs at least one layer's activations")
    names = names or [f"layer {i}" for i in range(1, len(activations) + 1)]
    n = len(activations)
    fig, axes = plt.subplots(1, n, figsize=figsize or (2.2 * n, 2.6), sharey=True, squeeze=False)
    for ax, name, values in zip(axes[0], names, activations):
        values = np.asarray(values, dtype=np.float64).ravel()
        ax.hist(values, bins=bins, range=value_range, color="C0")
        ax.set_title(f"{name}\nmean {values.mean():.2f}, std {values.std():.2f}", fontsize=9)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def plot_optimizer_paths(f, paths, xlim=(-2, 2), ylim=(-2, 2), ax=None, levels=30,
                         resolution=200, log_levels=True):
    """Contours of a 2-D function with the paths optimizers took on it.

    f: vectorized f(x, y) -> z on arrays of equal shape (e.g. lambda x, y: x**2 + 10 * y**2).
    paths: dict name -> (T, 2) array of the points visited (or a single (T, 2) array).
    log_levels: space the contour levels logarithmically (clearer for narrow valleys).
    Returns the Axes.
    """
    ax = _axes(ax, figsize=(6, 5))
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    z = np.asarray(f(gx, gy), dtype=np.float64)
    if log_levels:  # geometric steps above the minimum
        height = z - z.min()
        low = max(height[height > 0].min(initial=height.max()), 1e-6 * height.max(), 1e-12)
        levels = z.min() + np.geomspace(low, max(height.max(), 2 * low), levels)
    ax.contour(gx, gy, z, levels=levels, cmap="viridis", linewidths=0.8)
    if not isinstance(paths, dict):
        paths = {"path": paths}
    for name, path in paths.items():
        path = np.asarray(path)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"path {name!r} must be a (T, 2) array of points, got shape {path.shape}")
        ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, label=name)
        ax.plot(*path[-1], "*", ms=10, color=ax.lines[-1].get_color())
    ax.set(xlim=xlim, ylim=ylim, xlabel="$w_1$", ylabel="$w_2$")
    ax.legend()
    return ax


def plot_images(X, labels=None, shape=(28, 28), ncols=10, figsize=None):
    """A grid of images, e.g. MNIST digits, each titled with its label.

    X: (N, H * W) rows of pixels or (N, H, W) images.  labels: N strings or numbers (e.g.
    "7" or "pred 1 / true 7"), or None.  shape: (H, W) for rows of pixels.
    Returns the Figure.
    """
    X = np.asarray(X)
    images = X.reshape(len(X), *shape) if X.ndim == 2 else X
    nrows = -(-len(images) // ncols)
    ncols = min(ncols, len(images))
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize or (1.1 * ncols, 1.3 * nrows),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap="gray_r")
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8)
    fig.tight_layout()
    return fig
