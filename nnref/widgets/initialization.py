"""Lesson 06 (initialization): a deep net's activations and gradients layer by layer, and
the explorer widget.

The experiment is CS231n's: a stack of L layers h_l = g(h_{l-1} @ W_l) without biases, fed
N unit-Gaussian inputs, with W_l drawn by one of nnref.init's initializers (times a gain).
``layer_statistics`` and ``gradient_norms`` are the references of the lesson's last two
exercises; ``explorer_state`` is the widget's pure update function (tested without a
browser); ``init_explorer()`` wraps it in ipywidgets.

Shapes: x (N, D_0); weights a list of L arrays, weights[l - 1] of shape (D_{l-1}, D_l);
layer l's output h_l (N, D_l).
"""
import numpy as np

from nnref import init
from nnref.widgets.activations import ACTIVATIONS, SATURATED
from nnref.widgets.display import blank_figure, show_figure, wrap_text

__all__ = ["INITIALIZERS", "ACTIVATIONS", "SATURATED", "VALUE_RANGE", "deep_weights",
           "layer_outputs", "layer_statistics", "gradient_norms", "dead_fraction",
           "histograms", "explorer_state", "plot_histogram_grid", "plot_per_layer",
           "plot_state", "init_explorer"]

# nnref.init's name -> what the lesson calls it (the variance of each weight).
INITIALIZERS = {
    "small_random": "std 0.01",
    "standard_normal": "std 1",
    "xavier": "Xavier/LeCun, Var 1/n_in",
    "glorot": "Glorot, Var 2/(n_in+n_out)",
    "he": "He, Var 2/n_in",
}
# The bounded activations' output ranges; the others' histograms take theirs from the data.
VALUE_RANGE = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


def _check_choice(value, choices, what):
    if value not in choices:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(choices)}.")


def deep_weights(initializer, depth, width, input_dim, gain=1.0, seed=0, dtype=np.float64):
    """``depth`` weight matrices: (input_dim, width), then (width, width), ... drawn by
    nnref.init's ``initializer`` (a key of INITIALIZERS) from one generator seeded ``seed``,
    each multiplied by ``gain``."""
    _check_choice(initializer, INITIALIZERS, "initializer")
    draw = getattr(init, initializer)
    rng = np.random.default_rng(seed)
    dims = [input_dim] + [width] * depth
    return [draw(d_in, d_out, rng=rng, dtype=dtype) * np.dtype(dtype).type(gain)
            for d_in, d_out in zip(dims[:-1], dims[1:])]


def _forward(x, weights, forward):
    """[(input, output, cache)] of every layer h_l = forward(h_{l-1} @ W_l)."""
    h, layers = x, []
    for w in weights:
        out, cache = forward(h @ w)
        layers.append((h, out, cache))
        h = out
    return layers


def layer_outputs(x, weights, forward):
    """The output h_l (N, D_l) of every layer, a list of L arrays."""
    return [out for _, out, _ in _forward(x, weights, forward)]


def layer_statistics(x, weights, forward, backward, saturated_below=SATURATED):
    """Per-layer statistics of h_l = forward(h_{l-1} @ W_l), h_0 = x.

    forward/backward: an activation's layer pair from nnref.layers (e.g. tanh_forward and
    tanh_backward). Returns {"mean", "std", "saturated"}, each of shape (L,): the mean and
    standard deviation of all N * D_l entries of h_l, and the fraction of those entries whose
    local gradient g'(a) (backward with dout = 1) is below ``saturated_below``.
    """
    stats = {"mean": [], "std": [], "saturated": []}
    for _, out, cache in _forward(x, weights, forward):
        local = backward(np.ones_like(out), cache)
        stats["mean"].append(out.mean())
        stats["std"].append(out.std())
        stats["saturated"].append(np.mean(local < saturated_below))
    return {key: np.array(values, dtype=np.float64) for key, values in stats.items()}


def gradient_norms(x, weights, forward, backward, dout):
    """Backpropagate ``dout`` (N, D_L), the gradient of a loss with respect to the last
    layer's output, through the stack.

    Returns {"dW", "dh"}, each of shape (L,), layer 1 first: dW[l - 1] = ||dL/dW_l|| and
    dh[l - 1] = ||dL/dh_l||, the gradient arriving at layer l's output (Frobenius norms).
    """
    grad, dW, dh = dout, [], []
    for (h_in, _, cache), w in zip(reversed(_forward(x, weights, forward)), reversed(weights)):
        dh.append(np.linalg.norm(grad))
        da = backward(grad, cache)
        dW.append(np.linalg.norm(h_in.T @ da))
        grad = da @ w.T
    return {"dW": np.array(dW[::-1], dtype=np.float64), "dh": np.array(dh[::-1], dtype=np.float64)}


def dead_fraction(outputs):
    """Per layer, the fraction of units that never fire: output <= 0 for every example.
    outputs: a list of (N, D_l) arrays. Returns an array of shape (L,)."""
    return np.array([np.mean(np.all(h <= 0, axis=0)) for h in outputs])


def histograms(outputs, value_range, bins=40):
    """Per-layer histograms on a shared ``value_range``: (counts (L, bins), each row the
    fraction of the layer's entries in each bin (entries outside the range are left out),
    edges (bins + 1,))."""
    edges = np.linspace(*value_range, bins + 1)
    counts = np.array([np.histogram(h, edges)[0] / h.size for h in outputs])
    return counts, edges


def _value_range(activation, outputs):
    # Unbounded activations: a range fixed by layer 1, so that later layers' shrinking (mass
    # piling up at 0) and growing (mass leaving the range) both show.
    if activation in VALUE_RANGE:
        return VALUE_RANGE[activation]
    low, high = np.percentile(outputs[0], [1, 99])
    return (min(float(low), 0.0), max(2 * float(high), 1e-12))


def explorer_state(activation="tanh", initializer="xavier", depth=10, width=200, gain=1.0,
                   n_inputs=500, input_dim=500, seed=0):
    """Everything the explorer shows, without drawing it.

    A stack of ``depth`` layers of ``width`` units (activation a key of ACTIVATIONS),
    weights by ``initializer`` times ``gain``, fed n_inputs unit-Gaussian inputs of
    input_dim features, and a unit-Gaussian gradient at the top. Returns a dict: the
    settings, ``stats`` (layer_statistics), ``grads`` (gradient_norms), ``dead``
    (dead_fraction), ``counts`` (depth, bins) and ``edges`` (histograms), and ``text``, a
    reading of the numbers.
    """
    _check_choice(activation, ACTIVATIONS, "activation")
    forward, backward = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_inputs, input_dim))
    dout = rng.standard_normal((n_inputs, width))
    weights = deep_weights(initializer, depth, width, input_dim, gain, seed + 1)
    with np.errstate(over="ignore", invalid="ignore"):  # std 1 with ReLU may overflow: shown as inf
        outputs = layer_outputs(x, weights, forward)
        stats = layer_statistics(x, weights, forward, backward)
        grads = gradient_norms(x, weights, forward, backward, dout)
        value_range = _value_range(activation, outputs)
        counts, edges = histograms(outputs, value_range)
    dead = dead_fraction(outputs)
    spread = grads["dW"][0] / grads["dW"][-1]
    text = (f"{activation}, {INITIALIZERS[initializer]} x {gain:g}: the std of the activations "
            f"goes from {stats['std'][0]:.3g} (layer 1) to {stats['std'][-1]:.3g} (layer {depth}); "
            f"{100 * stats['saturated'][-1]:.0f}% of layer {depth}'s units have a local gradient "
            f"below {SATURATED}; ||dL/dW|| of layer 1 is {spread:.2g} times layer {depth}'s"
            + (f"; {100 * dead.mean():.0f}% of the units never fire." if activation == "relu" else "."))
    return {"activation": activation, "initializer": initializer, "depth": depth, "width": width,
            "gain": gain, "stats": stats, "grads": grads, "dead": dead, "counts": counts,
            "edges": edges, "text": text}


def plot_histogram_grid(rows, value_range, bins=40, figsize=None, log=False):
    """One row of per-layer histograms for each entry of ``rows`` (label -> list of layer
    outputs), all on ``value_range``; ``log``: a log count axis (for ReLU, whose exact zeros
    would flatten the rest). Each panel's title gives the layer's std. Returns the Figure."""
    import matplotlib.pyplot as plt

    depth = max(len(outputs) for outputs in rows.values())
    fig, axes = plt.subplots(len(rows), depth, figsize=figsize or (1.35 * depth, 1.25 * len(rows) + 0.4),
                             sharex=True, squeeze=False)
    for r, (label, outputs) in enumerate(rows.items()):
        counts, edges = histograms(outputs, value_range, bins)
        for l, ax in enumerate(axes[r]):
            if l >= len(outputs):
                ax.axis("off")
                continue
            ax.stairs(counts[l], edges, fill=True, color=f"C{r}")
            if log:
                ax.set_yscale("log")
            ax.tick_params(axis="y", which="both", left=False, labelleft=False)
            ax.set_title(f"std {outputs[l].std():.2g}", fontsize=7, pad=2)
            ax.tick_params(labelsize=6)
            if r == 0:
                ax.text(0.5, 1.35, f"layer {l + 1}", transform=ax.transAxes, ha="center", fontsize=8)
        axes[r][0].set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
    fig.tight_layout(h_pad=0.6, w_pad=0.2)
    return fig


def plot_per_layer(curves, ax=None, ylabel="", log=False):
    """Lines of one value per layer (label -> array (L,)), layer 1 = input side."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    for label, values in curves.items():
        values = np.asarray(values, dtype=np.float64)
        ax.plot(np.arange(1, len(values) + 1), values, "o-", ms=3, label=label)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="layer (1 = input side)", ylabel=ylabel)
    ax.legend(fontsize=7)
    return ax


def plot_state(state, fig=None):
    """Draw an ``explorer_state``: the per-layer histograms as an image (layer x value), the
    std and saturated fraction, and the gradient norms. Returns the Figure."""
    fig = fig or blank_figure(figsize=(11, 3.4))
    ax_hist, ax_std, ax_grad = fig.subplots(1, 3)
    edges, depth = state["edges"], state["depth"]
    # each layer's column scaled to its own peak, so a narrow spike and a wide spread both show
    counts = state["counts"]
    peaks = counts.max(axis=1, keepdims=True)
    scaled = np.divide(counts, peaks, out=np.zeros_like(counts), where=peaks > 0)
    ax_hist.imshow(scaled.T, origin="lower", aspect="auto", cmap="viridis",
                   extent=(0.5, depth + 0.5, edges[0], edges[-1]))
    ax_hist.set(xlabel="layer", ylabel="activation value", title="histogram per layer")
    stats = state["stats"]
    plot_per_layer({"std": stats["std"], "|mean|": np.abs(stats["mean"])}, ax_std, log=True)
    ax_sat = ax_std.twinx()
    ax_sat.plot(np.arange(1, depth + 1), stats["saturated"], "k:", label="saturated")
    ax_sat.set(ylim=(-0.02, 1.02), ylabel=f"fraction with g'(a) < {SATURATED} (dotted)")
    ax_std.set_title("activations")
    plot_per_layer({"||dL/dW||": state["grads"]["dW"], "||dL/dh||": state["grads"]["dh"]},
                   ax_grad, ylabel="gradient norm", log=True)
    ax_grad.set_title("gradients")
    fig.tight_layout()
    return fig


def init_explorer():
    """A self-study widget: depth, width, activation, initializer and gain -> the per-layer
    histograms, statistics and gradient norms. Returns a VBox."""
    import ipywidgets as widgets

    controls = {
        "activation": widgets.Dropdown(options=list(ACTIVATIONS), value="tanh", description="g"),
        "initializer": widgets.Dropdown(options=[(v, k) for k, v in INITIALIZERS.items()],
                                        value="xavier", description="init"),
        "depth": widgets.IntSlider(value=10, min=2, max=20, description="depth"),
        "width": widgets.IntSlider(value=200, min=20, max=500, step=20, description="width"),
        "gain": widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=1, step=0.05,
                                       description="gain"),
    }

    def show(**settings):
        state = explorer_state(**settings)
        show_figure(plot_state(state))
        print(wrap_text(state["text"]))

    output = widgets.interactive_output(show, controls)
    c = controls
    return widgets.VBox([widgets.HBox([c["activation"], c["initializer"]]),
                         widgets.HBox([c["depth"], c["width"], c["gain"]]), output])
