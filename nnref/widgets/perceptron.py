"""Lesson 01 (perceptron): the step perceptron, its learning rule, the lesson's figures and
the self-study widget.

The four inputs of a two-input logic gate are the corners of the unit square. A perceptron
with weights ``w = (w1, w2)`` and bias ``b`` outputs 1 where ``w1*x1 + w2*x2 + b > 0``: the
decision line ``w1*x1 + w2*x2 + b = 0`` splits the plane in two, and the corners on its
positive side output 1.

``perceptron_view(w1, w2, b)`` is the widget's pure update function (no browser needed);
``perceptron_widget()`` builds the sliders around it.
"""
import numpy as np

from nnref import layers
from nnref.data import logic_gate
from nnref.losses import mse
from nnref.widgets.display import new_figure, show_figure

__all__ = ["INPUTS", "GATES", "step", "predict", "learning_step", "train_perceptron",
           "boolean_function_name", "perceptron_view", "draw_perceptron", "plot_gates",
           "plot_bias_shift", "plot_mistakes", "plot_xor_network", "train_xor_net",
           "xor_net_forward", "on_grid", "SLIDER_STEP", "perceptron_widget"]

# The widget's sliders move w1, w2 and b in steps of this size.
SLIDER_STEP = 0.05

# The corners of the unit square in truth-table order: 00, 01, 10, 11.
INPUTS, _ = logic_gate("XOR")

# Hand-set weights and bias of three gates, as (w, b); each line separates the corners.
GATES = {
    "AND": (np.array([0.5, 0.5]), -0.7),
    "NAND": (np.array([-0.5, -0.5]), 0.7),
    "OR": (np.array([0.5, 0.5]), -0.2),
}

# The 16 boolean functions of two inputs, keyed by their outputs on 00, 01, 10, 11.
_FUNCTION_NAMES = {
    (0, 0, 0, 0): "always 0", (1, 1, 1, 1): "always 1",
    (0, 0, 0, 1): "AND", (1, 1, 1, 0): "NAND",
    (0, 1, 1, 1): "OR", (1, 0, 0, 0): "NOR",
    (0, 1, 1, 0): "XOR", (1, 0, 0, 1): "XNOR",
    (0, 0, 1, 1): "x1", (1, 1, 0, 0): "NOT x1",
    (0, 1, 0, 1): "x2", (1, 0, 1, 0): "NOT x2",
    (0, 0, 1, 0): "x1 AND NOT x2", (0, 1, 0, 0): "x2 AND NOT x1",
    (1, 1, 0, 1): "x2 OR NOT x1", (1, 0, 1, 1): "x1 OR NOT x2",
}


def step(z):
    """Heaviside step as the perceptron uses it: 1 where z > 0, else 0 (so step(0) = 0).

    z: array of any shape. Returns an int array of the same shape.
    """
    return (np.asarray(z) > 0).astype(int)


def predict(X, w, b):
    """Step perceptron on a batch. X: (N, D); w: (D,); b: scalar. Returns (N,) ints in {0, 1}."""
    return step(X @ w + b)


def learning_step(x, y, w, b, lr):
    """One step of Rosenblatt's rule on one example.

    x: (D,); y: 0 or 1; w: (D,); b: scalar; lr: learning rate.
    Returns (w_new, b_new): w + lr * (y - y_hat) * x and b + lr * (y - y_hat), where
    y_hat = step(x @ w + b). Nothing changes when the prediction is right.
    """
    error = y - int(x @ w + b > 0)
    return w + lr * error * x, b + lr * error


def train_perceptron(X, y, lr=0.1, epochs=10):
    """Run the perceptron rule from w = 0, b = 0, visiting the examples in order each epoch.

    X: (N, D); y: (N,) in {0, 1}. Returns a dict with
      ``w`` (D,), ``b``: the final weights and bias;
      ``mistakes`` (epochs,): wrong predictions met during each epoch (0 = converged);
      ``path`` (epochs * N + 1, D + 1): (w, b) before the first step and after every step.
    """
    w, b = np.zeros(X.shape[1]), 0.0
    path, mistakes = [np.append(w, b)], []
    for _ in range(epochs):
        wrong = 0
        for x, target in zip(X, y):
            wrong += int(target != int(x @ w + b > 0))
            w, b = learning_step(x, target, w, b, lr)
            path.append(np.append(w, b))
        mistakes.append(wrong)
    return {"w": w, "b": b, "mistakes": np.array(mistakes), "path": np.array(path)}


def boolean_function_name(outputs):
    """Name of the two-input boolean function with these outputs on 00, 01, 10, 11."""
    key = tuple(int(o) for o in np.asarray(outputs).ravel())
    if key not in _FUNCTION_NAMES:
        raise ValueError(f"expected 4 outputs in {{0, 1}} (for 00, 01, 10, 11), got {key}")
    return _FUNCTION_NAMES[key]


def _line_points(w1, w2, b, lo=-0.5, hi=1.5):
    """Two points of the line w1*x1 + w2*x2 + b = 0 spanning the box [lo, hi]^2, or None."""
    if w1 == 0 and w2 == 0:
        return None
    if abs(w2) >= abs(w1):  # steeper in x1: parametrize by x1, else by x2
        x1 = np.array([lo, hi])
        return np.stack([x1, -(b + w1 * x1) / w2], axis=1)
    x2 = np.array([lo, hi])
    return np.stack([-(b + w2 * x2) / w1, x2], axis=1)


def perceptron_view(w1, w2, b, target=None):
    """The widget's update: everything shown for weights (w1, w2) and bias b.

    target: optional gate name from nnref.data (e.g. "XOR") to aim for.

    Returns a dict with
      ``z`` (4,): w1*x1 + w2*x2 + b at 00, 01, 10, 11;
      ``outputs`` (4,): step(z), the truth table's output column;
      ``line``: (2, 2) array, two points (rows) of the decision line, or None when w = 0
        (then there is no line: the output is the same everywhere);
      ``name``: which boolean function the truth table is (e.g. "AND");
      ``table``: the truth table as text (with the target's column when given);
      ``wrong`` (4,) bool, the corners whose output differs from the target's (all False
        without a target).
    """
    w = np.array([w1, w2], dtype=np.float64)
    z = INPUTS @ w + b
    outputs = step(z)
    wanted = outputs if target is None else logic_gate(target)[1]
    rows = [" x1 x2 |  w.x + b | out" + ("" if target is None else f" | {target}")] + [
        f"  {int(x[0])}  {int(x[1])} | {zi:+8.2f} |  {o}" + ("" if target is None else f"  |  {t}")
        for x, zi, o, t in zip(INPUTS, z, outputs, wanted)]
    return {"z": z, "outputs": outputs, "line": _line_points(w1, w2, b),
            "name": boolean_function_name(outputs), "table": "\n".join(rows),
            "wrong": outputs != wanted}


def draw_perceptron(ax, w, b, targets=None, title=None, lo=-0.5, hi=1.5):
    """Draw a perceptron's decision line over the four inputs on a matplotlib Axes.

    The side where w.x + b > 0 (output 1) is shaded. Corners are filled when the perceptron
    outputs 1 and hollow when it outputs 0; with ``targets`` (4,), a red ring marks each
    corner whose output is wrong.
    """
    view = perceptron_view(w[0], w[1], b)
    grid = np.linspace(lo, hi, 121)
    g1, g2 = np.meshgrid(grid, grid)
    ax.contourf(g1, g2, (w[0] * g1 + w[1] * g2 + b > 0).astype(float), levels=[-0.5, 0.5, 1.5],
                colors=["white", "#cfe3f5"])
    if view["line"] is not None:
        ax.plot(view["line"][:, 0], view["line"][:, 1], color="#1f5f99", lw=2)
    for x, out in zip(INPUTS, view["outputs"]):
        ax.scatter(*x, s=160, zorder=3, edgecolors="black", linewidths=1.5,
                   c="black" if out else "white")
    if targets is not None:
        wrong = np.asarray(targets) != view["outputs"]
        ax.scatter(INPUTS[wrong, 0], INPUTS[wrong, 1], s=420, zorder=2, facecolors="none",
                   edgecolors="red", linewidths=2)
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
           title=title if title is not None else view["name"])
    return ax


def plot_gates(gates=None):
    """One panel per gate: its decision line and the four inputs. gates: name -> (w, b)."""
    import matplotlib.pyplot as plt
    gates = GATES if gates is None else gates
    fig, axes = plt.subplots(1, len(gates), figsize=(3.3 * len(gates), 3.4))
    for ax, (name, (w, b)) in zip(np.atleast_1d(axes), gates.items()):
        draw_perceptron(ax, w, b, title=f"{name}: w = ({w[0]:g}, {w[1]:g}), b = {b:g}")
    fig.tight_layout()
    return fig


def plot_bias_shift(w, biases, lo=-0.5, hi=1.5):
    """Decision lines of weights w with several biases: the bias slides the line along w."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.2, 4.2))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(biases)))
    for b, color in zip(biases, colors):
        view = perceptron_view(w[0], w[1], b)
        ax.plot(view["line"][:, 0], view["line"][:, 1], color=color, lw=2,
                label=f"b = {b:+.2f}: {view['name']}")
    ax.scatter(INPUTS[:, 0], INPUTS[:, 1], s=120, c="black", zorder=3)
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
           title=f"w = ({w[0]:g}, {w[1]:g}), bias varies")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.tight_layout()
    return fig


def plot_mistakes(runs):
    """Mistakes per epoch and the path of (w1, w2, b) for several ``train_perceptron`` runs.

    runs: name -> the dict returned by ``train_perceptron``.
    """
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 1 + len(runs), figsize=(3.6 * (1 + len(runs)), 3.2))
    for name, run in runs.items():
        epochs = np.arange(1, len(run["mistakes"]) + 1)
        axes[0].plot(epochs, run["mistakes"], marker="o", label=name)
    axes[0].set(xlabel="epoch", ylabel="mistakes in the epoch", title="Perceptron rule",
                xticks=epochs)
    axes[0].legend()
    for ax, (name, run) in zip(axes[1:], runs.items()):
        for k, label in enumerate(["$w_1$", "$w_2$", "$b$"]):
            ax.plot(run["path"][:, k], label=label, drawstyle="steps-post")
        ax.set(xlabel="step (one example)", title=f"{name}: weights along the way")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_xor_network(network, lo=-0.5, hi=1.5):
    """XOR as AND(NAND(x), OR(x)): the hidden units' two lines and where ``network`` outputs 1.

    network: a function taking X (N, 2) and returning (N,) outputs in {0, 1}.
    """
    import matplotlib.pyplot as plt
    grid = np.linspace(lo, hi, 121)
    g1, g2 = np.meshgrid(grid, grid)
    out = np.asarray(network(np.stack([g1.ravel(), g2.ravel()], axis=1)), dtype=float)
    fig, ax = plt.subplots(figsize=(4.2, 4.2))
    ax.contourf(g1, g2, out.reshape(g1.shape), levels=[-0.5, 0.5, 1.5],
                colors=["white", "#cfe3f5"])
    for name, color in [("NAND", "#d62728"), ("OR", "#2ca02c")]:
        line = perceptron_view(*GATES[name][0], GATES[name][1])["line"]
        ax.plot(line[:, 0], line[:, 1], color=color, lw=2, label=f"hidden unit {name}")
    xor = np.asarray(network(INPUTS))
    ax.scatter(INPUTS[:, 0], INPUTS[:, 1], s=160, zorder=3, edgecolors="black",
               c=["black" if o else "white" for o in xor])
    ax.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
           title="AND(NAND, OR): output 1 in the band")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def xor_net_forward(X, params):
    """2-2-1 sigmoid network: sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2), shape (N, 1).

    X: (N, D); params: W1 (D, H), b1 (H,), W2 (H, 1), b2 (1,).
    """
    h, _ = layers.sigmoid_forward(layers.affine_forward(X, params["W1"], params["b1"])[0])
    out, _ = layers.sigmoid_forward(layers.affine_forward(h, params["W2"], params["b2"])[0])
    return out


def train_xor_net(hidden_dim=2, lr=2.0, epochs=2000, seed=0):
    """Train a 2-H-1 sigmoid network on XOR by full-batch gradient descent on the MSE loss.

    Weights start as standard normal draws (seeded), biases at 0. Returns (params, losses):
    params W1 (2, H), b1 (H,), W2 (H, 1), b2 (1,); losses (epochs,), the loss before each step.
    The loss is nnref.losses.mse (see its docstring for the convention).
    """
    rng = np.random.default_rng(seed)
    X, y = logic_gate("XOR")
    params = {"W1": rng.standard_normal((2, hidden_dim)), "b1": np.zeros(hidden_dim),
              "W2": rng.standard_normal((hidden_dim, 1)), "b2": np.zeros(1)}
    losses = np.empty(epochs)
    for epoch in range(epochs):
        a1, c1 = layers.affine_forward(X, params["W1"], params["b1"])
        h, cs1 = layers.sigmoid_forward(a1)
        a2, c2 = layers.affine_forward(h, params["W2"], params["b2"])
        out, cs2 = layers.sigmoid_forward(a2)
        losses[epoch], dout = mse(out, y)
        dh, dW2, db2 = layers.affine_backward(layers.sigmoid_backward(dout, cs2), c2)
        _, dW1, db1 = layers.affine_backward(layers.sigmoid_backward(dh, cs1), c1)
        for name, grad in [("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)]:
            params[name] -= lr * grad
    return params, losses


def on_grid(value, step=SLIDER_STEP):
    """``value`` rounded to the nearest multiple of ``step``, as the slider's readout shows it.

    A browser slider adds its step in floating point: dragged from 0.50 to the readout's 0.70 it
    sends 0.7000000000000002, and with w = (0.70, 0.50), b = -0.70 that makes z = 2e-16 > 0 at
    (1, 0), where the lesson's step(0) = 0 says the perceptron stays off.
    """
    decimals = max(0, -int(np.floor(np.log10(step))) + 1)
    return round(round(value / step) * step, decimals)


def perceptron_widget(w1=0.5, w2=0.5, b=-0.7, target="AND"):
    """Sliders for w1, w2 and b and a target gate; shows the decision line over the four
    inputs (wrong corners ringed in red) and the truth table."""
    import ipywidgets as widgets

    def show(w1, w2, b, target):
        w1, w2, b = (on_grid(v) for v in (w1, w2, b))
        target = None if target == "none" else target
        fig, ax = new_figure(figsize=(3.6, 3.6))
        draw_perceptron(ax, (w1, w2), b, targets=None if target is None else logic_gate(target)[1])
        show_figure(fig)
        view = perceptron_view(w1, w2, b, target)
        print(view["table"])
        print(f"\nThis perceptron computes: {view['name']}")
        if target is not None:
            wrong = int(view["wrong"].sum())
            print(f"{target}: " + ("all four right" if not wrong else f"{wrong} of 4 wrong (red rings)"))

    controls = {name: widgets.FloatSlider(value=value, min=-1.5, max=1.5, step=SLIDER_STEP,
                                          description=name, continuous_update=False)
                for name, value in [("w1", w1), ("w2", w2), ("b", b)]}
    controls["target"] = widgets.Dropdown(options=["none", "AND", "OR", "NAND", "NOR", "XOR"],
                                          value=target or "none", description="target")
    out = widgets.interactive_output(show, controls)
    return widgets.HBox([widgets.VBox(list(controls.values())), out])
