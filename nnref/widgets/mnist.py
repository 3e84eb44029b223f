"""Lesson 09's widgets and plots: the network's graph with every array's shape, looking at
MNIST, at a search over hyperparameters, and at what a trained two-layer net gets wrong; a
widget to browse its mistakes. What the test cells and the grader use lives in
``nnref.homework``.

The pure functions (``graph_labels``, ``confusion_matrix``, ``confident_mistakes``,
``mistake_view``, ``format_table``) are tested without a browser; ``draw_network_graph`` and
the ``show_*`` and ``plot_*`` functions draw and return a matplotlib Figure (none calls
``plt.show()``); ``mistake_browser`` wires ``mistake_view`` to ipywidgets controls.

Shapes: N images of 28 x 28 = 784 pixels, as rows (N, 784) or (N, 28, 28); labels (N,)
integers in 0..9; probabilities (N, 10), each row summing to 1.
"""
import numpy as np

from nnref.homework import NUM_CLASSES, SIDE
from nnref.widgets.display import new_figure, show_figure

__all__ = ["graph_labels", "draw_network_graph", "show_digits", "plot_class_counts",
           "format_table", "plot_search", "confusion_matrix", "plot_confusion_matrix",
           "confident_mistakes", "show_confident_mistakes", "show_first_layer", "mistake_view",
           "plot_mistake", "ANY_DIGIT", "digit_filter", "mistake_browser"]


# The graph's nodes, left to right: (key, title, the arrays it shows). Arrays alternate with
# the operations between them; each operation shows its parameters (and y, for the loss).
_GRAPH = [("X", "", ["X"]), ("affine1", "affine", ["W1", "b1"]), ("z1", "", ["z1"]),
          ("relu", "ReLU", []), ("h1", "", ["h1"]), ("affine2", "affine", ["W2", "b2"]),
          ("scores", "", ["scores"]), ("softmax", "softmax", []), ("probs", "", ["probs"]),
          ("cross_entropy", "cross-entropy", ["y"]), ("loss", "", ["loss"])]
_GRADIENT = {"W1": "dW1", "b1": "db1", "z1": "dz1", "h1": "dh1", "W2": "dW2", "b2": "db2",
             "scores": "dscores"}


def _shape_text(shapes, name, sep=" "):
    return f"{name}{sep}{shapes[name] if name in shapes else '?'}"


def graph_labels(shapes):
    """The text of each node of ``draw_network_graph``: {node: (forward text, gradient text)},
    nodes X, affine1, z1, relu, h1, affine2, scores, softmax, probs, cross_entropy, loss.

    shapes: {name: shape} as ``two_layer_shapes`` returns it (from a student's table, a
    missing name shows as "?"). An operation's text is its title and its parameters' shapes.
    """
    labels = {}
    for node, title, names in _GRAPH:
        forward = ("\n".join([title] + [_shape_text(shapes, n) for n in names]) if title
                   else _shape_text(shapes, names[0], sep="\n"))
        backward = "\n".join(_shape_text(shapes, _GRADIENT[n]) for n in names if n in _GRADIENT)
        labels[node] = (forward, backward)
    return labels


def draw_network_graph(shapes):
    """The two-layer net as a graph, X -> affine -> ReLU -> affine -> softmax -> cross-entropy
    -> loss, every array labelled with its shape from ``shapes`` (see ``graph_labels``) and
    every gradient (red) under the array it belongs to. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 2.4))
    ax.set(xlim=(-0.6, len(_GRAPH) - 0.4), ylim=(-1.05, 0.4))
    ax.axis("off")
    for x, (node, (forward, backward)) in enumerate(graph_labels(shapes).items()):
        is_op = x % 2 == 1
        ax.text(x, 0, forward, ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round" if is_op else "square", fc="0.92" if is_op else "white", ec="0.4"))
        if backward:
            ax.text(x, -0.8, backward, ha="center", va="center", fontsize=8, color="firebrick")
        if x:
            ax.annotate("", xy=(x - 0.45, 0), xytext=(x - 0.55, 0), arrowprops=dict(arrowstyle="->"))
    ax.annotate("", xy=(0.2, -0.45), xytext=(len(_GRAPH) - 1.2, -0.45),
                arrowprops=dict(arrowstyle="->", color="firebrick"))
    ax.text(len(_GRAPH) / 2 - 0.5, -0.38, "backward: each gradient has the shape of its array",
            ha="center", fontsize=8, color="firebrick")
    fig.tight_layout()
    return fig



def _image(x):
    return np.asarray(x).reshape(SIDE, SIDE)


def _grid(n, cols, cell=1.0, extra_height=0.3):
    import matplotlib.pyplot as plt

    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cell * cols, (cell + extra_height) * rows),
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    return fig, axes.ravel()


def show_digits(X, y, n=30, cols=10, predicted=None, seed=0):
    """A grid of n digits drawn at random (seeded), each titled with its label.

    X: (N, 784) or (N, 28, 28).  y: (N,) labels.  predicted: optional (N,) predictions,
    shown as "label→prediction" in red where they differ.  Returns the Figure.
    """
    X, y = np.asarray(X), np.asarray(y)
    picks = np.random.default_rng(seed).choice(len(X), size=min(n, len(X)), replace=False)
    fig, axes = _grid(len(picks), cols)
    for ax, i in zip(axes, picks):
        ax.imshow(_image(X[i]), cmap="gray_r")
        if predicted is None or predicted[i] == y[i]:
            ax.set_title(str(y[i]), fontsize=10)
        else:
            ax.set_title(f"{y[i]}→{predicted[i]}", fontsize=10, color="red")
    fig.tight_layout()
    return fig


def plot_class_counts(**labels):
    """Bars: how many examples of each digit, one group of bars per named label array,
    e.g. ``plot_class_counts(train=y_train, validation=y_val)``. Returns the Figure."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3))
    width = 0.8 / len(labels)
    for k, (name, y) in enumerate(labels.items()):
        counts = np.bincount(np.asarray(y), minlength=NUM_CLASSES)
        ax.bar(np.arange(NUM_CLASSES) + (k - (len(labels) - 1) / 2) * width, counts / counts.sum(),
               width, label=f"{name} ({len(y)} images)")
    ax.set(xticks=range(NUM_CLASSES), xlabel="digit", ylabel="fraction of the set",
           title="how often each digit appears", ylim=(0, 0.15))
    ax.legend(loc="upper center", ncol=len(labels), fontsize=8)
    fig.tight_layout()
    return fig


def format_table(rows, columns):
    """A plain-text table: ``rows`` are dicts, ``columns`` the keys to show, in order.

    Floats are written with 4 significant digits. Returns the table as a string.
    """
    def cell(value):
        return f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)

    body = [[cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[k]) for r in body)) for k, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in body]
    return "\n".join(lines)


def plot_search(rows, x, y="val_acc", group=None, log_x=True):
    """One line per value of ``group`` (a key of the rows), ``y`` against ``x``.

    rows: dicts as ``format_table`` takes them, e.g. {'lr': 1e-3, 'hidden': 128, 'val_acc': 0.95}.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    groups = sorted({row[group] for row in rows}) if group else [None]
    for g in groups:
        mine = sorted((row for row in rows if group is None or row[group] == g), key=lambda r: r[x])
        ax.plot([r[x] for r in mine], [r[y] for r in mine], "o-",
                label=None if group is None else f"{group} = {g}")
    if log_x:
        ax.set_xscale("log")
    ax.set(xlabel=x, ylabel=y, title=f"{y} on the validation split")
    if group:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, num_classes=NUM_CLASSES):
    """counts[i, j] = how many examples of class i were predicted as class j. (C, C) int64."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"confusion_matrix needs two label arrays of the same shape (N,); got "
                         f"{y_true.shape} and {y_pred.shape}.")
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion_matrix(counts):
    """The confusion matrix as an image, mistakes only in colour, counts written in the cells.
    Returns the Figure."""
    import matplotlib.pyplot as plt

    counts = np.asarray(counts)
    off_diagonal = counts * (1 - np.eye(len(counts), dtype=counts.dtype))
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(off_diagonal, cmap="Reds")
    for (i, j), c in np.ndenumerate(counts):
        ax.text(j, i, str(c), ha="center", va="center", fontsize=7,
                color="0.5" if i == j else "black")
    ax.set(xticks=range(len(counts)), yticks=range(len(counts)), xlabel="predicted digit",
           ylabel="true digit", title=f"confusion matrix ({counts.sum() - np.trace(counts)} "
                                      f"mistakes of {counts.sum()})")
    fig.tight_layout()
    return fig


def _check_probs(y, probs):
    y, probs = np.asarray(y), np.asarray(probs)
    if probs.ndim != 2 or probs.shape[0] != y.shape[0]:
        raise ValueError(f"probs must be (N, C) for N = {y.shape[0]} labels, got {probs.shape}; "
                         f"pass softmax(scores), not the predicted labels.")
    return y, probs


def confident_mistakes(y, probs, true_digit=None, predicted_digit=None):
    """Indices of the misclassified examples, most confident mistake first.

    y: (N,) labels.  probs: (N, C) predicted probabilities.  true_digit / predicted_digit:
    keep only the mistakes with this label / this prediction (None = any).
    Returns an int array of indices into y, sorted by the probability of the (wrong)
    predicted class, highest first.
    """
    y, probs = _check_probs(y, probs)
    predicted = probs.argmax(axis=1)
    keep = predicted != y
    if true_digit is not None:
        keep &= y == true_digit
    if predicted_digit is not None:
        keep &= predicted == predicted_digit
    idx = np.flatnonzero(keep)
    return idx[np.argsort(-probs[idx, predicted[idx]], kind="stable")]


def show_confident_mistakes(X, y, probs, n=12, cols=6):
    """The n most confidently wrong digits, titled "true→predicted (confidence)". Returns the
    Figure."""
    y, probs = _check_probs(y, probs)
    idx = confident_mistakes(y, probs)[:n]
    fig, axes = _grid(len(idx), cols, cell=1.3)
    for ax, i in zip(axes, idx):
        p = probs[i].argmax()
        ax.imshow(_image(X[i]), cmap="gray_r")
        ax.set_title(f"{y[i]}→{p} ({probs[i, p]:.0%})", fontsize=9, color="red")
    fig.tight_layout()
    return fig


def show_first_layer(W1, n=40, cols=10, seed=0):
    """n columns of the first-layer weights W1 (784, H), each drawn as a 28 x 28 image
    (red positive, blue negative, symmetric colour scale per unit). Returns the Figure."""
    W1 = np.asarray(W1)
    if W1.ndim != 2 or W1.shape[0] != SIDE * SIDE:
        raise ValueError(f"W1 must be (784, H): one column of 784 weights per hidden unit; got "
                         f"{W1.shape}.")
    units = np.random.default_rng(seed).choice(W1.shape[1], size=min(n, W1.shape[1]), replace=False)
    fig, axes = _grid(len(units), cols, cell=0.9, extra_height=0.0)
    for ax, u in zip(axes, units):
        w = W1[:, u]
        scale = np.abs(w).max() or 1.0
        ax.imshow(_image(w), cmap="RdBu_r", vmin=-scale, vmax=scale)
    fig.suptitle("first-layer weights: what each hidden unit looks for")
    fig.tight_layout()
    return fig


def mistake_view(X, y, probs, position=0, true_digit=None, predicted_digit=None, top=3):
    """What the mistake browser shows for one setting of its controls (pure, no display).

    The mistakes that fit the filters (see ``confident_mistakes``) are ranked by confidence;
    ``position`` picks one of them (clipped to the range). Returns a dict: count (how many
    mistakes fit), position (after clipping), and, when count > 0, index (into X), image
    (28, 28), label, predicted, confidence, top (the ``top`` most probable digits as
    (digit, probability) pairs) and title.
    """
    y, probs = _check_probs(y, probs)
    idx = confident_mistakes(y, probs, true_digit, predicted_digit)
    view = {"count": len(idx), "position": int(np.clip(position, 0, max(len(idx) - 1, 0)))}
    if not len(idx):
        return view
    i = int(idx[view["position"]])
    order = np.argsort(-probs[i], kind="stable")[:top]
    predicted = int(order[0])
    view.update(index=i, image=_image(X[i]), label=int(y[i]), predicted=predicted,
                confidence=float(probs[i, predicted]),
                top=[(int(d), float(probs[i, d])) for d in order])
    view["title"] = (f"mistake {view['position'] + 1} of {len(idx)}: test image #{i}, "
                     f"a {view['label']} taken for a {predicted} ({view['confidence']:.1%})")
    return view


def plot_mistake(view, probs):
    """The mistake browser's figure for one ``mistake_view`` (count > 0): the image and the
    predicted probabilities, the predicted digit red and the true one green. Returns a
    matplotlib Figure outside pyplot (``nnref.widgets.display``)."""
    fig, (ax_img, ax_bar) = new_figure(1, 2, figsize=(7, 3))
    ax_img.imshow(view["image"], cmap="gray_r")
    ax_img.axis("off")
    p = probs[view["index"]]
    ax_bar.bar(range(p.size), p, color="0.6")
    ax_bar.bar(view["predicted"], view["confidence"], color="red", label="predicted")
    ax_bar.bar(view["label"], p[view["label"]], color="green", label="true")
    ax_bar.set(xticks=range(p.size), ylim=(0, 1), xlabel="digit", ylabel="probability")
    ax_bar.legend(fontsize=8)
    fig.suptitle(view["title"], fontsize=10)
    fig.tight_layout()
    return fig


# The filters' "any" option. A Dropdown whose value is None has no selection and renders
# blank, so "any" is -1 in the widget and None for mistake_view.
ANY_DIGIT = -1


def digit_filter(value):
    """A filter dropdown's value as ``mistake_view`` takes it (None for "any")."""
    return None if value == ANY_DIGIT else value


def mistake_browser(X, y, probs):
    """A widget: filter the mistakes by true and predicted digit, step through them from the
    most confident; see the image and the predicted probabilities. Returns a VBox."""
    import ipywidgets as widgets

    y, probs = _check_probs(y, probs)
    digits = [("any", ANY_DIGIT)] + [(str(d), d) for d in range(NUM_CLASSES)]
    true_digit = widgets.Dropdown(options=digits, value=ANY_DIGIT, description="true digit")
    predicted_digit = widgets.Dropdown(options=digits, value=ANY_DIGIT, description="predicted")
    position = widgets.IntSlider(value=0, min=0, max=50, description="mistake #")
    out = widgets.Output()

    def show():
        view = mistake_view(X, y, probs, position.value, digit_filter(true_digit.value),
                            digit_filter(predicted_digit.value))
        with out:
            out.clear_output(wait=True)
            if not view["count"]:
                print("No mistakes of this kind: the net got all of them right.")
                return
            show_figure(plot_mistake(view, probs))

    filtering = []  # non-empty while a new filter resets the slider: draw once, after

    def on_position(change):
        if not filtering:
            show()

    def on_filter(change=None):
        count = len(confident_mistakes(y, probs, digit_filter(true_digit.value),
                                       digit_filter(predicted_digit.value)))
        filtering.append(change)
        try:
            position.max = max(count - 1, 0)
            position.value = 0
        finally:
            filtering.pop()
        show()

    true_digit.observe(on_filter, names="value")
    predicted_digit.observe(on_filter, names="value")
    position.observe(on_position, names="value")
    on_filter()
    return widgets.VBox([widgets.HBox([true_digit, predicted_digit]), position, out])
