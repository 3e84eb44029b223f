"""Lesson 08 (regularization): the lesson's figures and the keep_prob / lambda explorer.

The explorer answers "how do dropout and L2 change overfitting?": it trains the lesson's
small-data net for a chosen keep_prob and L2 strength lambda and draws the training and
validation loss per epoch with the gap between them shaded. Each setting is trained once
(about half a second on MNIST's 300-image subset) and kept, so moving back to it is instant.

The pure functions (``shift_images``, ``augment_with_shifts``, ``soft_threshold``,
``ridge_shrink``, ``bias_variance``, ``linear_toy``, ``weight_decay_path``, ``dropout_masks``,
``train_curves``, ``gap_state``) are tested without a browser; ``plot_*`` and ``draw_*`` draw on a matplotlib axis and return it;
``regularization_explorer`` wires ``gap_state`` to ipywidgets sliders.

Shapes: N images of 28 x 28 = 784 pixels, as rows (N, 784) or (N, 28, 28); labels (N,).
"""
import numpy as np

from nnref.nets import FullyConnectedNet
from nnref.optim import Momentum
from nnref.widgets.display import new_figure, show_figure, wrap_text
from nnref.train import train

__all__ = ["shift_images", "augment_with_shifts", "soft_threshold", "ridge_shrink",
           "bias_variance", "plot_bias_variance", "linear_toy", "weight_decay_path",
           "plot_weight_decay", "plot_unit_balls", "plot_shrinkage", "dropout_masks", "draw_dropout_network",
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


def bias_variance(degrees, n_sets=500, n_points=15, noise=0.3, seed=0):
    """Bias and variance of least-squares polynomials fitted to noisy samples of sin(pi x).

    Each of n_sets training sets holds the same n_points x's, evenly spaced in [-1, 1], with
    y = sin(pi x) + noise * N(0, 1) drawn anew; a polynomial of each degree (Legendre basis) is
    fitted to each set. Over a grid of 201 x's: bias2 is the mean of (average fit - truth)**2,
    variance the mean over x of the fits' variance across sets, and bias2 + variance +
    noise**2 the expected squared error on a new example.
    Returns a dict: degrees, bias2 and variance (len(degrees),), noise2, grid (201,), truth
    (201,), x (n_points,), fits {degree: (n_sets, 201) predictions}.
    """
    from numpy.polynomial import legendre
    rng = np.random.default_rng(seed)
    grid = np.linspace(-1, 1, 201)
    x = np.linspace(-1, 1, n_points)
    ys = np.sin(np.pi * x) + noise * rng.standard_normal((n_sets, n_points))
    truth = np.sin(np.pi * grid)
    fits, bias2, variance = {}, [], []
    for degree in degrees:
        coef = np.linalg.lstsq(legendre.legvander(x, degree), ys.T, rcond=None)[0]
        fits[degree] = (legendre.legvander(grid, degree) @ coef).T
        bias2.append(float(np.mean((fits[degree].mean(axis=0) - truth) ** 2)))
        variance.append(float(np.mean(fits[degree].var(axis=0))))
    return {"degrees": list(degrees), "bias2": np.array(bias2), "variance": np.array(variance),
            "noise2": noise ** 2, "grid": grid, "truth": truth, "x": x, "fits": fits}


def plot_bias_variance(result, show=(1, 3, 10), n_curves=20, fig=None):
    """One panel per degree in ``show`` with n_curves of its fits (thin) around their average
    (thick) and the truth (dashed), and a last panel with bias2, variance and their sum plus
    the noise against the degree. Returns the Figure."""
    import matplotlib.pyplot as plt
    fig = fig or plt.figure(figsize=(13, 3.4))
    axes = fig.subplots(1, len(show) + 1)
    for ax, degree in zip(axes, show):
        fits = result["fits"][degree]
        ax.plot(result["grid"], fits[:n_curves].T, color="C0", lw=0.5, alpha=0.5)
        ax.plot(result["grid"], fits.mean(axis=0), color="C3", lw=2, label="average fit")
        ax.plot(result["grid"], result["truth"], "k--", lw=1, label="truth sin(πx)")
        ax.set(ylim=(-2, 2), title=f"degree {degree}", xlabel="x")
    axes[0].legend(fontsize=7, loc="lower right")
    ax = axes[-1]
    degrees = result["degrees"]
    ax.semilogy(degrees, result["bias2"], "o-", label="bias²")
    ax.semilogy(degrees, result["variance"], "o-", label="variance")
    ax.semilogy(degrees, result["bias2"] + result["variance"] + result["noise2"], "o-", color="k",
                label="expected test error")
    ax.axhline(result["noise2"], color="gray", ls=":", lw=1, label="noise σ²")
    ax.set(xlabel="polynomial degree", title="bias² + variance + noise")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def linear_toy(n_train=20, n_test=100, dim=200, seed=0):
    """d2l's high-dimensional linear regression: y = 0.05 + sum_i 0.01 x_i + 0.01 * N(0, 1),
    x ~ N(0, I) in ``dim`` dimensions, far more weights than training examples.
    Returns (X_train (n_train, dim), y_train, X_test (n_test, dim), y_test)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_train + n_test, dim))
    y = X @ np.full(dim, 0.01) + 0.05 + 0.01 * rng.standard_normal(n_train + n_test)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def weight_decay_path(data, regs, lr=0.05, steps=1000, seed=1):
    """Gradient descent on 0.5 * mean((X w + b - y)**2) + 0.5 * reg * ||w||**2 for each reg,
    from the same start w ~ N(0, I), b = 0 (d2l's), ``steps`` full-batch steps of size lr.

    data: linear_toy's tuple. Returns a dict of arrays over regs: train_loss and test_loss
    (the half mean squared error, without the penalty) and w_norm (||w|| at the end)."""
    X_train, y_train, X_test, y_test = data
    start = np.random.default_rng(seed).standard_normal(X_train.shape[1])
    result = {"train_loss": [], "test_loss": [], "w_norm": []}
    for reg in regs:
        w, b = start.copy(), 0.0
        for _ in range(steps):
            residual = X_train @ w + b - y_train
            w = w - lr * (X_train.T @ residual / len(y_train) + reg * w)
            b = b - lr * residual.mean()
        for key, X, y in (("train_loss", X_train, y_train), ("test_loss", X_test, y_test)):
            result[key].append(float(0.5 * np.mean((X @ w + b - y) ** 2)))
        result["w_norm"].append(float(np.linalg.norm(w)))
    return {key: np.array(values) for key, values in result.items()}


def plot_weight_decay(regs, path, ax=None):
    """Training and test loss against the L2 strength (log-log; reg = 0 drawn at the left
    edge, one decade below the smallest positive reg)."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    regs = np.asarray(regs, dtype=float)
    shown = np.where(regs > 0, regs, regs[regs > 0].min() / 10)
    ax.loglog(shown, path["train_loss"], "o-", label="training loss")
    ax.loglog(shown, path["test_loss"], "o-", label="test loss")
    ax.set(xlabel="λ (the leftmost point is λ = 0)", ylabel="half mean squared error",
           title="200 weights, 20 training examples")
    ax.legend(fontsize=8)
    return ax


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
            fig, ax = new_figure(figsize=(7, 3.8))
            plot_gap(state, ax, title=f"keep_prob = {key[0]:g}, λ = {key[1]:g}")
            show_figure(fig)
            print(wrap_text(state["text"]))

    for control in (keep, reg):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([keep, reg]), out])
