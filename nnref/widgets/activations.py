"""Lesson 02: the activation functions, their derivatives, and an explorer widget.

``activation_curves`` and ``draw_activation`` are pure (no widget, no display) so they are
tested without a browser; ``activation_explorer`` wires them to ipywidgets controls.
The curves come from nnref.layers: the function from a forward pass, the derivative from
the backward pass with dout = 1 (so this module holds no second copy of the formulas).
"""
import numpy as np

from nnref import layers
from nnref.widgets.display import new_figure, show_figure

__all__ = ["ACTIVATIONS", "DEFAULT_ALPHA", "activation_curves", "draw_activation",
           "plot_activations", "plot_linear_vs_relu", "activation_explorer"]

# name -> (forward, backward) from nnref.layers
ACTIVATIONS = {
    "sigmoid": (layers.sigmoid_forward, layers.sigmoid_backward),
    "tanh": (layers.tanh_forward, layers.tanh_backward),
    "relu": (layers.relu_forward, layers.relu_backward),
    "leaky_relu": (layers.leaky_relu_forward, layers.leaky_relu_backward),
    "elu": (layers.elu_forward, layers.elu_backward),
}
# The activations with a parameter alpha, and its usual value.
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}
# Where g'(x) is below this, a unit passes almost no gradient back: it is saturated (or dead).
SATURATED = 0.05


def activation_curves(name, x_min=-5.0, x_max=5.0, alpha=None, num=401):
    """The activation ``name`` and its derivative on ``num`` points of [x_min, x_max].

    alpha: the slope (leaky_relu) or scale (elu) of the negative side; None takes the
    default (DEFAULT_ALPHA); not allowed for the activations without a parameter.
    Returns a dict of arrays of shape (num,): x, y = g(x), dy = g'(x).
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}.")
    if not x_min < x_max:
        raise ValueError(f"the input range needs x_min < x_max, got [{x_min}, {x_max}].")
    if alpha is not None and name not in DEFAULT_ALPHA:
        raise ValueError(f"{name} has no parameter alpha; only {sorted(DEFAULT_ALPHA)} do.")
    forward, backward = ACTIVATIONS[name]
    x = np.linspace(x_min, x_max, num)
    if name in DEFAULT_ALPHA:
        y, cache = forward(x, alpha=DEFAULT_ALPHA[name] if alpha is None else alpha)
    else:
        y, cache = forward(x)
    return {"x": x, "y": y, "dy": backward(np.ones_like(x), cache)}


def draw_activation(ax, name, x_min=-5.0, x_max=5.0, alpha=None, show_derivative=True):
    """Draw g (and g') on the matplotlib axes ``ax``, shading where g' < SATURATED.

    Returns the curves drawn (activation_curves' dict).
    """
    curves = activation_curves(name, x_min, x_max, alpha)
    x = curves["x"]
    ax.clear()
    label = (name if name not in DEFAULT_ALPHA else
             f"{name} (alpha={DEFAULT_ALPHA[name] if alpha is None else alpha:g})")
    ax.plot(x, curves["y"], color="C0", lw=2, label=f"g(a): {label}")
    if show_derivative:
        ax.plot(x, curves["dy"], color="C1", lw=2, ls="--", label="g'(a)")
        ax.fill_between(x, 0, 1, where=curves["dy"] < SATURATED, color="0.85",
                        transform=ax.get_xaxis_transform(), label=f"g'(a) < {SATURATED}")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlim(x_min, x_max)
    ax.set_xlabel("pre-activation a")
    ax.legend(loc="upper left", fontsize=8)
    return curves


def plot_activations(names=tuple(ACTIVATIONS), x_min=-5.0, x_max=5.0):
    """One panel per activation (function and derivative). Returns the figure."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.0), sharey=True,
                             squeeze=False)
    for i, (ax, name) in enumerate(zip(axes[0], names)):
        draw_activation(ax, name, x_min, x_max)
        ax.set_title(name)
        ax.set_ylim(-1.5, 2.5)
        if i:  # one legend is enough: the colours mean the same in every panel
            ax.get_legend().remove()
    fig.tight_layout()
    return fig


def activation_explorer():
    """A widget: pick an activation, its input range and alpha; see g and g'. Returns a VBox."""
    import ipywidgets as widgets

    name = widgets.Dropdown(options=list(ACTIVATIONS), value="sigmoid", description="g")
    # Whole numbers: a readout of two 2-decimal ends ("-20.00 – 20.00") is cut off.
    x_range = widgets.FloatRangeSlider(value=(-6.0, 6.0), min=-20.0, max=20.0, step=1.0,
                                       readout_format=".0f", description="input range")
    alpha = widgets.FloatSlider(value=0.01, min=0.0, max=2.0, step=0.01, description="alpha",
                                disabled=True)
    derivative = widgets.Checkbox(value=True, description="show g'(a)")

    def on_name(change):
        alpha.disabled = change["new"] not in DEFAULT_ALPHA
        if not alpha.disabled:
            alpha.value = DEFAULT_ALPHA[change["new"]]

    name.observe(on_name, names="value")

    def show(name, x_range, alpha, derivative):
        if not x_range[0] < x_range[1]:
            print("Widen the input range: its two ends are equal.")
            return
        fig, ax = new_figure(figsize=(6, 3.5))
        draw_activation(ax, name, *x_range, alpha if name in DEFAULT_ALPHA else None,
                        derivative)
        show_figure(fig)

    output = widgets.interactive_output(show, {"name": name, "x_range": x_range,
                                               "alpha": alpha, "derivative": derivative})
    return widgets.VBox([widgets.HBox([name, derivative]), widgets.HBox([x_range, alpha]),
                         output])


def plot_linear_vs_relu(hidden_dims=(32, 32, 32), seed=0):
    """The same random 1-D net with and without ReLUs between its affine layers.

    Without activations the stack is one affine map (a straight line); with ReLUs it bends
    at many points. Weights ~ N(0, 2 / fan_in) (He), biases ~ N(0, 1). Returns the figure.
    """
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    dims = (1, *hidden_dims, 1)
    weights = [(rng.normal(0, np.sqrt(2 / d_in), (d_in, d_out)), rng.normal(0, 1, d_out))
               for d_in, d_out in zip(dims[:-1], dims[1:])]
    x = np.linspace(-3, 3, 601)[:, None]  # 601 examples with one feature each

    def stack(with_relu):
        h = x
        for i, (w, b) in enumerate(weights):
            h, _ = layers.affine_forward(h, w, b)
            if with_relu and i < len(weights) - 1:
                h, _ = layers.relu_forward(h)
        return h[:, 0]

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.0))
    for ax, with_relu in zip(axes, (False, True)):
        ax.plot(x[:, 0], stack(with_relu), color="C2" if with_relu else "C3", lw=2)
        ax.set_title(f"{len(weights)} affine layers, {'ReLU between them' if with_relu else 'no activation'}")
        ax.set_xlabel("input x")
    axes[0].set_ylabel("output")
    fig.tight_layout()
    return fig
