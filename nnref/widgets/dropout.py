"""Lesson 08 (regularization): the lesson's figures and the keep_prob / lambda explorer.

The explorer answers "how do dropout and L2 change overfitting?": it trains the lesson's
small-data net for a chosen keep_prob and L2 strength lambda and draws the training and
validation loss per epoch with the gap between them shaded. Each setting is trained once
(about half a second on MNIST's 300-image subset) and kept, so moving back to it is instant.

The pure functions (``shift_images``, ``augment_with_shifts``, ``soft_threshold``,
``ridge_shrink``, ``dropout_masks``, ``train_curves``, ``gap_state``) are tested without a
browser; ``plot_*`` and ``draw_*`` draw on a matplotlib axis and return it;
``regularization_explorer`` wires ``gap_state`` to ipywidgets sliders.

Shapes: N images of 28 x 28 = 784 pixels, as rows (N, 784) or (N, 28, 28); labels (N,).
"""
import numpy as np

from nnref.nets import FullyConnectedNet
from nnref.optim import Momentum
from nnref.widgets.display import wrap_text
from nnref.train import train

__all__ = ["shift_images", "augment_with_shifts", "soft_threshold", "ridge_shrink",
           "plot_unit_balls", "plot_shrinkage", "dropout_masks", "draw_dropout_network",
           "train_curves", "gap_state", "plot_gap", "regularization_explorer"]

SIDE = 28
# The lesson's small-data net and its training: one place, so the table, the curves and the
# explorer all train the same thing.
NET = dict(hidden_dim=256, lr=0.05, batch_size=50, epochs=60, seed=0)


def shift_images(X, dx, dy):
    """Every image moved dx pixels right and dy pixels down; the pixels shifted in are 0.

    X: (N, 784) or (N, 28, 28).  dx, dy: ints (negative: left, up), |dx|, |dy| < 28.
    Returns an array of X's shape and dtype; X is left unchanged.
    """
    X = np.asarray(X)
    if max(abs(dx), abs(dy)) >= SIDE:
        raise ValueError(f"shifts must be smaller than the image ({SIDE} pixels), got dx={dx}, dy={dy}")
    images = X.reshape(len(X), SIDE, SIDE)
    out = np.zeros_like(images)
    rows_to, rows_from = _window(dy)
    cols_to, cols_from = _window(dx)
    out[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return out.reshape(X.shape)


def _window(shift):
    """The destination and source slices that move a 28-pixel axis by ``shift``."""
    if shift >= 0:
        return slice(shift, SIDE), slice(0, SIDE - shift)
    return slice(0, SIDE + shift), slice(-shift, SIDE)


def augment_with_shifts(X, y, shifts):
    """The training set plus shifted copies: one copy of (X, y) per (dx, dy) in ``shifts``.

    X: (N, ...) images.  y: (N,).  shifts: list of (dx, dy); include (0, 0) to keep the
    originals. Returns (X_aug (len(shifts) * N, ...), y_aug (len(shifts) * N,)).
    """
    X_aug = np.concatenate([shift_images(X, dx, dy) for dx, dy in shifts])
    return X_aug, np.tile(np.asarray(y), len(shifts))


def soft_threshold(a, lam):
    """argmin over w of 0.5 * (w - a)**2 + lam * |w|: sign(a) * max(|a| - lam, 0).

    The L1 penalty's answer to "a weight the data would put at a": every weight moves lam
    towards 0, and those with |a| <= lam land exactly on 0. a: array; lam >= 0.
    """
    a = np.asarray(a, dtype=float)
    return np.sign(a) * np.maximum(np.abs(a) - lam, 0.0)


def ridge_shrink(a, lam):
    """argmin over w of 0.5 * (w - a)**2 + 0.5 * lam * w**2: a / (1 + lam).

    The L2 penalty's answer: every weight shrinks by the same factor, none reaches 0 unless
    a does. a: array; lam >= 0.
    """
    return np.asarray(a, dtype=float) / (1.0 + lam)


def plot_unit_balls(ps=(0.5, 1, 2, np.inf), ax=None):
    """The unit 'circles' ||w||_p = 1 in the plane for each p: L1's diamond has corners on
    the axes, where one weight is 0."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    t = np.linspace(0, 2 * np.pi, 721)
    u, v = np.cos(t), np.sin(t)
    for p in ps:
        norm = np.maximum(np.abs(u), np.abs(v)) if np.isinf(p) else (np.abs(u) ** p + np.abs(v) ** p) ** (1 / p)
        label = "p = ∞ (max)" if np.isinf(p) else f"p = {p:g}"
        ax.plot(u / norm, v / norm, label=label)
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set(aspect="equal", xlabel="w1", ylabel="w2", title="unit balls ||w||_p = 1")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_shrinkage(lam, a_max=2.0, ax=None):
    """What each penalty does to a weight the data alone would put at a (see soft_threshold,
    ridge_shrink): L1 cuts the band |a| <= lam to exactly 0, L2 scales everything down."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    a = np.linspace(-a_max, a_max, 401)
    ax.plot(a, a, color="gray", lw=0.8, ls=":", label="no penalty: w = a")
    ax.plot(a, ridge_shrink(a, lam), label=f"L2, λ = {lam:g}: w = a / (1 + λ)")
    ax.plot(a, soft_threshold(a, lam), label=f"L1, λ = {lam:g}: w = sign(a) max(|a| - λ, 0)")
    ax.axvspan(-lam, lam, color="C1", alpha=0.1)
    ax.set(xlabel="a (the data's preferred weight)", ylabel="w (the penalized optimum)",
           title="L1 sets small weights to exactly 0")
    ax.legend(fontsize=8)
    return ax


def dropout_masks(layer_sizes, keep_prob, seed=0):
    """Which units one training step keeps: a boolean array (n,) per layer, inputs first.

    Dropout here applies to the input and hidden layers, never to the output layer (all
    True), as in Srivastava et al. (2014), Figure 1.
    """
    rng = np.random.default_rng(seed)
    masks = [rng.random(n) < keep_prob for n in layer_sizes[:-1]]
    return masks + [np.ones(layer_sizes[-1], dtype=bool)]


def draw_dropout_network(layer_sizes, keep_prob=1.0, seed=0, ax=None):
    """A fully connected network; with keep_prob < 1 the dropped units are crossed out and
    their connections removed: the 'thinned' network one training step uses."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    masks = dropout_masks(layer_sizes, keep_prob, seed)
    top = max(layer_sizes)
    gap = 2.0  # horizontal distance between layers, in units of the vertical one
    pos = [[(gap * i, (top - 1 - n) / 2 + j + 0.5) for j in range(n)] for i, n in enumerate(layer_sizes)]
    for i in range(len(layer_sizes) - 1):
        for j, a in enumerate(pos[i]):
            for k, b in enumerate(pos[i + 1]):
                if masks[i][j] and masks[i + 1][k]:
                    ax.plot([a[0], b[0]], [a[1], b[1]], color="gray", lw=0.6, zorder=1)
    for layer, mask in zip(pos, masks):
        for (x, y), kept in zip(layer, mask):
            ax.add_patch(plt.Circle((x, y), 0.18, facecolor="C0" if kept else "white",
                                    edgecolor="black", zorder=2))
            if not kept:
                ax.plot([x - 0.15, x + 0.15], [y - 0.15, y + 0.15], color="red", zorder=3)
                ax.plot([x - 0.15, x + 0.15], [y + 0.15, y - 0.15], color="red", zorder=3)
    ax.set(xlim=(-0.5, gap * (len(layer_sizes) - 1) + 0.5), ylim=(-0.5, top - 0.5), aspect="equal")
    ax.axis("off")
    return ax


def train_curves(data, keep_prob=1.0, reg=0.0, l1=0.0, epochs=None, patience=None, net=None):
    """Train the lesson's small-data net (NET, or ``net`` overriding some of it) and return
    (model, history), the history of nnref.train.train.

    data: (X_train, y_train, X_val, y_val).  keep_prob: dropout's probability of keeping a
    hidden unit.  reg: L2 strength.  l1: L1 strength.  patience: early stopping (None: off).
    The same arguments give the same run: the weights, the shuffling and the dropout masks
    are seeded.
    """
    cfg = dict(NET, **(net or {}))
    X_train = data[0]
    model = FullyConnectedNet([cfg["hidden_dim"]], int(np.prod(X_train.shape[1:])),
                              int(np.max(data[1])) + 1, keep_prob=keep_prob, reg=reg, l1=l1,
                              seed=cfg["seed"])
    history = train(model, data, Momentum(lr=cfg["lr"]), batch_size=cfg["batch_size"],
                    epochs=epochs or cfg["epochs"], patience=patience, seed=cfg["seed"],
                    verbose=False)
    return model, history


def gap_state(history):
    """What the explorer shows of one run, without drawing it.

    history: nnref.train.train's dict (with validation data). Returns a dict: ``epochs``
    (E,) 1, 2, ..., ``train_loss`` and ``val_loss`` (E,) the cross-entropies after each
    epoch, ``gap`` (E,) = val_loss - train_loss, ``best_epoch`` (1-based, the lowest
    validation loss), ``train_acc`` and ``val_acc`` (floats, after the last epoch), and
    ``text``, one line reading the numbers.
    """
    train_loss = np.asarray(history["train_loss"], dtype=float)
    val_loss = np.asarray(history["val_loss"], dtype=float)
    if len(val_loss) != len(train_loss) or not len(val_loss):
        raise ValueError("gap_state needs a history trained with validation data "
                         "(data = (X_train, y_train, X_val, y_val))")
    gap = val_loss - train_loss
    best = int(np.argmin(val_loss)) + 1
    train_acc, val_acc = history["train_acc"][-1], history["val_acc"][-1]
    text = (f"after {len(gap)} epochs: train accuracy {train_acc:.3f}, validation {val_acc:.3f}; "
            f"loss train {train_loss[-1]:.3f}, validation {val_loss[-1]:.3f} (gap {gap[-1]:.3f}); "
            f"lowest validation loss {val_loss[best - 1]:.3f} at epoch {best}")
    return {"epochs": np.arange(1, len(gap) + 1), "train_loss": train_loss, "val_loss": val_loss,
            "gap": gap, "best_epoch": best, "train_acc": train_acc, "val_acc": val_acc,
            "text": text}


def plot_gap(state, ax=None, title=None, ylim=(1e-3, 3)):
    """Training and validation loss of a ``gap_state`` (log scale), the gap shaded.

    ylim: fixed loss limits, so that runs drawn one after the other compare at a glance
    (None: matplotlib's choice)."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    e = state["epochs"]
    ax.plot(e, state["train_loss"], color="C0", label="training loss")
    ax.plot(e, state["val_loss"], color="C1", label="validation loss")
    ax.fill_between(e, state["train_loss"], state["val_loss"], color="C1", alpha=0.15,
                    label="gap (overfitting)")
    ax.axvline(state["best_epoch"], color="gray", ls=":", lw=0.8,
               label=f"lowest validation loss (epoch {state['best_epoch']})")
    ax.set(xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log", title=title)
    if ylim:
        ax.set_ylim(*ylim)
    ax.legend(fontsize=8)
    return ax


def regularization_explorer(data, keep_probs=(0.3, 0.5, 0.8, 1.0), regs=(0.0, 1e-3, 1e-2, 3e-2, 1e-1),
                            known=None, net=None):
    """A self-study widget: keep_prob and lambda sliders -> the curves of that training run.

    data: (X_train, y_train, X_val, y_val).  keep_probs, regs: the slider positions.
    known: optional {(keep_prob, reg): history} of runs already trained (e.g. the lesson's
    unregularized run), shown without training again.  net: overrides of NET.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    runs = dict(known or {})
    keep = widgets.SelectionSlider(options=list(keep_probs), value=max(keep_probs), description="keep_prob")
    reg = widgets.SelectionSlider(options=list(regs), value=min(regs), description="λ (L2)")
    out = widgets.Output()

    def update(_=None):
        key = (keep.value, reg.value)
        if key not in runs:
            runs[key] = train_curves(data, keep_prob=key[0], reg=key[1], net=net)[1]
        state = gap_state(runs[key])
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(7, 3.8))
            plot_gap(state, ax, title=f"keep_prob = {key[0]:g}, λ = {key[1]:g}")
            plt.show()
            plt.close(fig)
            print(wrap_text(state["text"]))

    for control in (keep, reg):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([keep, reg]), out])
