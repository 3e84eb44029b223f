"""Lesson 04 (backpropagation): the gradient-check explorer and the lesson's figures.

The explorer answers "which step size h should a numerical gradient use?": it plots the
relative error of the forward difference (f(x+h) - f(x)) / h and of the centered difference
(f(x+h) - f(x-h)) / 2h against the exact derivative, for h from 1e-15 to 1e-1. Too large an
h and the truncation error (O(h) forward, O(h^2) centered) dominates; too small and the
round-off error of subtracting two nearly equal numbers (about eps / h) takes over.

``step_size_errors`` and ``explorer_state`` are pure functions (tested without a browser);
``gradcheck_explorer()`` wraps them in ipywidgets.
"""
import numpy as np

from nnref import layers
from nnref.checks import rel_error
from nnref.widgets.display import new_figure, show_figure

__all__ = ["FUNCTIONS", "step_size_errors", "explorer_state", "plot_step_size",
           "gradcheck_explorer", "draw_circuit", "plot_gradient_norms"]


def _sigmoid(x):
    # nnref's one sigmoid (a copy here would be a second reference for lesson 02's exercise)
    return layers.sigmoid_forward(x)[0]


# name -> (f, exact derivative f'); every f keeps the dtype of its argument.
FUNCTIONS = {
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "exp": (np.exp, np.exp),
    "x**3": (lambda x: x ** 3, lambda x: 3 * x ** 2),
    "relu (kink at 0)": (lambda x: np.maximum(x, 0 * x), lambda x: (x > 0).astype(x.dtype)),
}

DEFAULT_HS = np.logspace(-15, -1, 57)


def _check_args(name, dtype):
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}: choose one of {sorted(FUNCTIONS)}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")


def step_size_errors(name, x0, hs=DEFAULT_HS, dtype="float64"):
    """Relative errors of the forward and centered differences of FUNCTIONS[name] at x0.

    Inputs: name, a key of FUNCTIONS; x0, a float; hs, step sizes of shape (K,); dtype,
    'float32' or 'float64' (the arithmetic of the differences, as in a model's parameters).
    Returns {"forward": (K,), "centered": (K,)} relative errors against the exact derivative
    (computed in float64), each |a - b| / max(1e-8, |a| + |b|).
    """
    _check_args(name, dtype)
    f, df = FUNCTIONS[name]
    dtype = np.dtype(dtype).type
    x = dtype(x0)
    exact = df(np.float64(x))
    errors = {"forward": [], "centered": []}
    for h in np.asarray(hs, dtype=np.float64):
        step = dtype(h)
        errors["forward"].append(rel_error((f(x + step) - f(x)) / step, exact))
        errors["centered"].append(rel_error((f(x + step) - f(x - step)) / (2 * step), exact))
    return {key: np.array(val) for key, val in errors.items()}


def explorer_state(name, x0, log10_h, dtype="float64", hs=DEFAULT_HS):
    """Everything the explorer shows, without drawing it.

    Returns a dict: ``hs`` (K,), ``forward`` and ``centered`` (K,) relative errors,
    ``h`` the chosen step 10**log10_h, ``at_h`` {"forward": float, "centered": float} the
    errors at that step, ``best_h`` {"forward": float, "centered": float} the step of
    smallest error on the grid, and ``text``, a one-paragraph reading of the numbers.
    """
    hs = np.asarray(hs, dtype=np.float64)
    curves = step_size_errors(name, x0, hs, dtype)
    h = 10.0 ** log10_h
    at_h = {k: float(v[0]) for k, v in step_size_errors(name, x0, [h], dtype).items()}
    best_h = {k: float(hs[np.argmin(v)]) for k, v in curves.items()}
    verdict = ("good (< 1e-7)" if at_h["centered"] < 1e-7 else
               "acceptable for float32 or near kinks (< 1e-4)" if at_h["centered"] < 1e-4 else
               "suspicious (< 1e-2)" if at_h["centered"] < 1e-2 else "wrong (>= 1e-2)")
    # Short lines: the notebook wraps a long printed line anywhere, even mid-word.
    text = (f"{name} at x = {x0:g} in {np.dtype(dtype).name}, h = {h:.1e}:\n"
            f"  relative error: forward difference {at_h['forward']:.1e}, "
            f"centered {at_h['centered']:.1e}\n"
            f"  a gradient check would read {verdict}\n"
            f"  best h on the grid: forward {best_h['forward']:.0e}, "
            f"centered {best_h['centered']:.0e}")
    return {"hs": hs, **curves, "h": h, "at_h": at_h, "best_h": best_h, "text": text}


def plot_step_size(state, ax=None):
    """Draw an ``explorer_state`` on a log-log axis: error against h, both differences."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    floor = 1e-17  # log axes cannot show an exact 0
    for key, style in (("forward", "C0-"), ("centered", "C1-")):
        ax.loglog(state["hs"], np.maximum(state[key], floor), style, label=f"{key} difference")
        ax.plot(state["h"], max(state["at_h"][key], floor), style[:2] + "o")
    ax.axvline(state["h"], color="gray", lw=0.8, ls=":")
    for level, label in ((1e-2, "1e-2: wrong"), (1e-7, "1e-7: good")):
        ax.axhline(level, color="gray", lw=0.6, ls="--")
        ax.text(state["hs"][-1], level * 1.6, label, fontsize=8, color="gray", ha="right")
    ax.set(xlabel="step size h", ylabel="relative error vs exact derivative", ylim=(floor, 2))
    ax.legend(loc="lower right")
    return ax


def gradcheck_explorer():
    """A self-study widget: pick a function, a point, a dtype and a step size h."""
    import ipywidgets as widgets

    name = widgets.Dropdown(options=list(FUNCTIONS), value="sigmoid", description="f")
    x0 = widgets.FloatSlider(value=0.5, min=-3, max=3, step=0.05, description="x")
    # The label as a widget of its own: ToggleButtons' own description sits above its buttons
    # in a row (JupyterLab 4, ipywidgets 8).
    dtype = widgets.ToggleButtons(options=["float64", "float32"], style={"button_width": "80px"})
    log10_h = widgets.FloatSlider(value=-5, min=-15, max=-1, step=0.25, description="log10 h")
    out = widgets.Output()

    def update(_=None):
        state = explorer_state(name.value, x0.value, log10_h.value, dtype.value)
        with out:
            out.clear_output(wait=True)
            fig, ax = new_figure(figsize=(7, 4))
            plot_step_size(state, ax)
            ax.set_title(f"d/dx {name.value} at x = {x0.value:g} ({dtype.value})")
            show_figure(fig)
            print(state["text"])

    for control in (name, x0, dtype, log10_h):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([name, widgets.Label("dtype"), dtype]),
                         widgets.HBox([x0, log10_h]), out])


def draw_circuit(values, grads, ax=None):
    """Draw the circuit f = (x + y) * z with forward values (green) and gradients (red).

    values and grads: dicts with keys "x", "y", "z", "q" (q = x + y) and "f".
    """
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    pos = {"x": (0, 3), "y": (0, 1.5), "z": (0, 0), "+": (3, 2.25), "*": (6, 1.1), "f": (8.5, 1.1)}
    edges = [("x", "+", "x"), ("y", "+", "y"), ("+", "*", "q"), ("z", "*", "z"), ("*", "f", "f")]
    for src, dst, var in edges:
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        ax.annotate("", xy=(x2 - 0.35, y2), xytext=(x1 + 0.35, y1),
                    arrowprops=dict(arrowstyle="->", color="black"))
        mx, my = x1 + 0.45 * (x2 - x1), y1 + 0.45 * (y2 - y1)
        ax.text(mx, my + 0.15, f"{var} = {values[var]:g}", color="green", ha="center", va="bottom")
        ax.text(mx, my - 0.15, f"∂f/∂{var} = {grads[var]:g}", color="red", ha="center", va="top")
    for node in ("+", "*"):
        ax.add_patch(plt.Circle(pos[node], 0.35, fill=False))
        ax.text(*pos[node], node, ha="center", va="center", fontsize=14)
    for node in ("x", "y", "z"):
        ax.text(pos[node][0], pos[node][1], node, ha="right", va="center", fontsize=13)
    ax.set(xlim=(-0.5, 9), ylim=(-0.6, 3.5), aspect="equal")
    ax.axis("off")
    return ax


def plot_gradient_norms(norms, ax=None, label=None):
    """Bar-free line plot of per-layer gradient norms (layer 1 = closest to the input), log y."""
    import matplotlib.pyplot as plt
    ax = ax or plt.gca()
    layers = np.arange(1, len(norms) + 1)
    ax.semilogy(layers, norms, "o-", label=label)
    ax.set(xlabel="layer (1 = input side)", ylabel="gradient norm ||dL/dW||", xticks=layers)
    if label:
        ax.legend()
    return ax
