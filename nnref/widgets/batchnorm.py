"""Lesson 07 (batch normalization): the experiments' training helper, the figures, and the
batch-norm explorer.

The explorer puts a deep fully connected net on a slice of MNIST and asks what batch
normalization changes: pick the initial weight scale, the depth, the learning rate, the
activation and BN on or off, and see each hidden layer's activations at initialization (in
train mode, the batch statistics a training step sees) beside a short training curve.

``staged_backward`` is the batch-norm backward pass stage by stage, the one the lesson times
against nnref.layers' compact form.
``make_net``, ``fit`` and ``train_net`` are what the lesson's experiments train with (a
diverging run is reported, not raised); ``layer_activations`` and ``explorer_state`` compute
what the explorer shows, and ``plot_state``, ``plot_sweep`` and ``draw_graph`` draw; all are
tested without a browser. ``batchnorm_explorer(X, y)`` wraps them in ipywidgets.
"""
import copy
import math

import numpy as np

from nnref.homework import grading_mode
from nnref.nets import FullyConnectedNet
from nnref.optim import SGD
from nnref.train import train
from nnref.widgets.display import blank_figure, show_figure, show_png, wrap_text

__all__ = ["ACTIVATIONS", "run_experiments", "staged_backward", "make_net", "fit", "train_net", "layer_activations", "explorer_state",
           "plot_state", "plot_sweep", "draw_graph", "batchnorm_explorer"]

ACTIVATIONS = ("relu", "tanh", "sigmoid")


def run_experiments(environ=None):
    """Whether the lesson's long experiments (section 5's trainings) run: everywhere except
    while nncourse grades the notebook, where no grade depends on them and every submission
    would pay for them. environ: the environment to read (default os.environ)."""
    return grading_mode(environ) != "nncourse"


def staged_backward(dout, cache):
    """Batch norm's backward pass on the computational graph, one array per stage (the lesson's
    table, stages 6 back to 1): the same values as nnref.layers.batchnorm_backward's compact
    form, computed the long way.

    dout: (N, D).  cache: (mode, x_hat, gamma, inv_std) from nnref.layers.batchnorm_forward.
    Returns (dx, dgamma, dbeta): dx (N, D), dgamma (D,), dbeta (D,).
    """
    mode, x_hat, gamma, inv_std = cache
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)                          # stage 6
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    if mode == "test":
        return dx_hat * inv_std, dgamma, dbeta
    s = 1 / inv_std                                   # stage 4: s = sqrt(var + eps)
    c = x_hat * s                                     # stage 2: c = x - mu
    ds = -(dx_hat * c).sum(axis=0) / s ** 2           # stage 5
    dvar = ds / (2 * s)                               # stage 4
    dc = dx_hat / s + dvar * 2 * c / n                # stages 5 and 3 meet at c
    dmu = -dc.sum(axis=0)                             # stage 2
    return dc + dmu / n, dgamma, dbeta                # stage 1 spreads dmu over the batch


def make_net(input_dim, hidden_dims, batchnorm, weight_scale=None, activation="relu", seed=0,
             dtype=np.float64):
    """A FullyConnectedNet for 10 classes, with a batch-norm layer after every hidden affine
    layer if ``batchnorm``; weights weight_scale * N(0, 1) (None: He or Xavier).

    float64 by default: in float32 a run near divergence amplifies the rounding differences of
    a matrix product computed with 1 or 2 BLAS threads into different accuracies, so the
    lesson's printed numbers would depend on the reader's machine."""
    return FullyConnectedNet(list(hidden_dims), input_dim, 10, activation=activation,
                             normalization="batchnorm" if batchnorm else None,
                             weight_scale=weight_scale, seed=seed, dtype=dtype)


def fit(net, data, lr, epochs, batch_size=100, seed=0):
    """Train ``net`` with plain SGD; nnref.train's history, or None if the loss overflowed.

    data: (X, y) or (X, y, X_val, y_val), X (N, D) and y (N,) integer labels.
    The history has per-epoch lists 'train_acc', 'val_acc', 'loss', ... and every step's
    'batch_loss'.
    """
    try:
        # a diverging run overflows before the trainer sees the non-finite loss: that is its
        # verdict, not a warning worth printing
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return train(net, data, SGD(lr), batch_size=batch_size, epochs=epochs, seed=seed,
                         verbose=False)
    except FloatingPointError:
        return None


def train_net(data, hidden_dims, batchnorm, lr, epochs, batch_size=100, weight_scale=None,
              activation="relu", seed=0, dtype=np.float64):
    """``make_net`` then ``fit``: returns (net, history), history None when training diverged.

    data: (X, y) or (X, y, X_val, y_val) with X (N, D); seed seeds the weights and the
    shuffling; dtype is the net's (make_net).
    """
    net = make_net(data[0].shape[1], hidden_dims, batchnorm, weight_scale, activation, seed, dtype)
    return net, fit(net, data, lr, epochs, batch_size, seed)


def layer_activations(net, X):
    """The output of every hidden layer of ``net`` for X, in train mode (batch statistics):
    a list of (N, H_i) arrays. The net's running statistics are left as they were."""
    probe = copy.deepcopy(net)  # a train-mode pass updates the running statistics it uses
    with np.errstate(over="ignore", invalid="ignore"):
        return probe._forward_pass(X, "train")[2]


def explorer_state(X, y, weight_scale=0.01, depth=5, lr=0.01, batchnorm=True, activation="relu",
                   width=100, epochs=3, batch_size=100, seed=0):
    """Everything the explorer shows, without drawing it.

    X (N, D), y (N,): the training data (the lesson uses 1000 MNIST images).
    Returns a dict: ``activations`` (depth arrays (N, width), each hidden layer's output at
    initialization, train mode), ``std`` (depth,) their standard deviations, ``history``
    (fit's history of ``epochs`` epochs from that initialization, or None),
    ``diverged`` (bool), ``final_acc`` (training accuracy after the last epoch, nan when
    diverged) and ``text``, a one-paragraph reading of the numbers.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose one of {', '.join(ACTIVATIONS)}")
    if not (isinstance(depth, (int, np.integer)) and depth >= 1):
        raise ValueError(f"depth is a number of hidden layers, at least 1; got {depth!r}")
    net = make_net(X.shape[1], [width] * int(depth), batchnorm, weight_scale, activation, seed)
    activations = layer_activations(net, X)
    std = np.array([float(np.std(a, dtype=np.float64)) for a in activations])
    history = fit(net, (X, y), lr, epochs, batch_size, seed)
    diverged = history is None
    final_acc = math.nan if diverged else history["train_acc"][-1]
    setting = (f"{depth} {activation} layers of {width}, weights {weight_scale:.1e} * N(0, 1), "
               f"BN {'on' if batchnorm else 'off'}")
    spread = (f"activation std from {std[0]:.2g} (layer 1) to {std[-1]:.2g} (layer {depth})"
              if np.all(np.isfinite(std)) else "activations overflow")
    outcome = (f"training with lr {lr:.2g} diverged (the loss overflowed)" if diverged else
               f"after {epochs} epochs with lr {lr:.2g}: training accuracy {final_acc:.2f}")
    return {"activations": activations, "std": std, "history": history, "diverged": diverged,
            "final_acc": final_acc, "text": f"{setting}: {spread}; {outcome}."}


def plot_state(state, fig=None, bins=30):
    """Draw an ``explorer_state``: one histogram per hidden layer (at most 5 a row) on the
    left, the training curve (loss per step, accuracy per epoch) on the right. Returns the
    Figure."""
    activations = state["activations"]
    cols = min(len(activations), 5)
    rows = math.ceil(len(activations) / cols)
    fig = fig or blank_figure(figsize=(12, 1.9 + 1.7 * rows))
    grid = fig.add_gridspec(1, 2, width_ratios=[2.3, 1], wspace=0.25)
    cells = grid[0].subgridspec(rows, cols, hspace=0.9, wspace=0.3)
    for i, values in enumerate(activations):
        ax = fig.add_subplot(cells[i // cols, i % cols])
        values = np.asarray(values, dtype=np.float64).ravel()
        if np.all(np.isfinite(values)):
            ax.hist(values, bins=bins, color="C0")
        ax.set_title(f"layer {i + 1}\nstd {np.std(values):.2g}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    ax_loss = fig.add_subplot(grid[1])
    history = state["history"]
    if history is None:
        ax_loss.text(0.5, 0.5, "diverged", ha="center", va="center", fontsize=14, color="C3",
                     transform=ax_loss.transAxes)
    else:
        ax_loss.plot(np.arange(1, len(history["batch_loss"]) + 1), history["batch_loss"], color="C0")
        ax_acc = ax_loss.twinx()
        steps_per_epoch = len(history["batch_loss"]) / len(history["train_acc"])
        epochs_end = steps_per_epoch * np.arange(1, len(history["train_acc"]) + 1)
        ax_acc.plot(epochs_end, history["train_acc"], "o-", color="C1")
        ax_acc.set_ylim(0, 1)
        ax_acc.set_ylabel("training accuracy", color="C1")
    ax_loss.set(xlabel="step", ylabel="loss", title="training")
    return fig


def plot_sweep(scales, curves, figsize=(11, 8)):
    """Deep Learning from Scratch's weight-scale figure: one panel per initial weight scale,
    training accuracy per epoch with batch norm (solid) and without (dashed).

    scales: (S,) weight scales.  curves: dict 'with' / 'without' -> list of S per-epoch
    accuracy lists (None for a run that diverged). Returns the Figure.
    """
    import matplotlib.pyplot as plt
    cols = 4
    rows = math.ceil(len(scales) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=figsize, sharex=True, sharey=True, squeeze=False)
    for i, (ax, scale) in enumerate(zip(axes.ravel(), scales)):
        for key, style in (("with", "C0-"), ("without", "C1--")):
            acc = curves[key][i]
            if acc is None:
                ax.text(0.5, 0.12 if key == "without" else 0.3, f"{key} BN: diverged",
                        transform=ax.transAxes, ha="center", fontsize=7, color=style[:2])
            else:
                ax.plot(np.arange(1, len(acc) + 1), acc, style, label=f"{key} BN")
        ax.set_title(f"weight scale {scale:.1e}", fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(scales):]:
        ax.axis("off")
    # the legend goes on the first panel that has both curves (a diverged run has none)
    both = [ax for ax in axes.ravel() if len(ax.lines) == 2]
    (both or [axes[0, 0]])[0].legend(fontsize=7, loc="center right")
    fig.supxlabel("epoch")
    fig.supylabel("training accuracy")
    fig.tight_layout()
    return fig


# The forward pass of one feature as a graph: node -> (position, label); edges (from, to, path).
# path names which of x's three routes to the loss the edge lies on (None: not a route of x).
GRAPH_NODES = {
    "x": ((0.0, 1.0), "$x_i$"),
    "mu": ((1.8, 2.2), r"$\mu = \frac{1}{N}\sum_i x_i$"),
    "c": ((3.4, 1.0), r"$c_i = x_i - \mu$"),
    "var": ((5.0, 2.2), r"$\sigma^2 = \frac{1}{N}\sum_i c_i^2$"),
    "s": ((6.7, 2.2), r"$s = \sqrt{\sigma^2 + \varepsilon}$"),
    "x_hat": ((7.6, 1.0), r"$\hat x_i = c_i / s$"),
    "y": ((9.8, 1.0), r"$y_i = \gamma \hat x_i + \beta$"),
    "gamma_beta": ((9.8, 2.2), r"$\gamma, \beta$"),
}
GRAPH_EDGES = [("x", "c", "direct"), ("c", "x_hat", "direct"), ("x", "mu", "through mu"),
               ("mu", "c", "through mu"), ("c", "var", "through var"), ("var", "s", "through var"),
               ("s", "x_hat", "through var"), ("x_hat", "y", "direct"), ("gamma_beta", "y", None)]
PATH_COLORS = {"direct": "C0", "through mu": "C1", "through var": "C2", None: "gray"}
PATH_LABELS = {"direct": "x's path direct", "through mu": "x's path through μ",
               "through var": "x's path through σ²"}


def draw_graph(ax=None):
    """Draw batch norm's forward pass for one feature as a computational graph, each edge
    coloured by the route from x to the loss it lies on (direct, through mu, through var).
    Returns the Axes."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    boxes = {name: ax.text(x, y, label, ha="center", va="center", fontsize=10,
                           bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="black", lw=0.8))
             for name, ((x, y), label) in GRAPH_NODES.items()}
    for src, dst, path in GRAPH_EDGES:
        # clipped at both boxes' outlines, so an arrow never runs over a label
        ax.annotate("", xy=GRAPH_NODES[dst][0], xytext=GRAPH_NODES[src][0],
                    arrowprops=dict(arrowstyle="-|>", color=PATH_COLORS[path], lw=1.6,
                                    patchA=boxes[src].get_bbox_patch(),
                                    patchB=boxes[dst].get_bbox_patch(), shrinkA=2, shrinkB=2))
    for path, label in PATH_LABELS.items():
        ax.plot([], [], color=PATH_COLORS[path], lw=2, label=label)
    ax.legend(loc="lower center", ncol=3, fontsize=8, frameon=False, bbox_to_anchor=(0.5, -0.12))
    ax.set(xlim=(-0.6, 10.9), ylim=(0.4, 2.7))
    ax.axis("off")
    return ax


def batchnorm_explorer(X, y):
    """A self-study widget on the training data X (N, D), y (N,): weight scale, depth,
    learning rate, activation and batch norm on/off -> ``plot_state``."""
    import ipywidgets as widgets

    log_scale = widgets.FloatSlider(value=-2, min=-4, max=0, step=0.25, description="log10 w")
    depth = widgets.IntSlider(value=5, min=1, max=10, description="depth")
    log_lr = widgets.FloatSlider(value=-1, min=-3, max=0.5, step=0.25, description="log10 lr")
    activation = widgets.Dropdown(options=list(ACTIVATIONS), value="relu", description="activation")
    batchnorm = widgets.ToggleButtons(options=[("BN on", True), ("BN off", False)], value=True)
    out = widgets.Output()

    # every setting trains a net: one seen before is shown again from here, not trained again
    seen = {}

    def update(_=None):
        key = (log_scale.value, depth.value, log_lr.value, batchnorm.value, activation.value)
        with out:
            out.clear_output(wait=True)
            if key in seen:
                show_png(seen[key][0])
            else:
                state = explorer_state(X, y, 10.0 ** key[0], key[1], 10.0 ** key[2], key[3], key[4])
                seen[key] = show_figure(plot_state(state)), wrap_text(state["text"])
            print(seen[key][1])

    for control in (log_scale, depth, log_lr, activation, batchnorm):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([log_scale, depth, log_lr]),
                         widgets.HBox([activation, batchnorm]), out])
