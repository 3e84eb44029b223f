"""Lesson 05 (optimizers): running an optimizer on a function, and the optimizer explorer.

The explorer is in the spirit of distill's "Why Momentum Really Works": pick a surface (a
bowl, a narrow valley, a saddle, Rosenbrock's banana), an update rule from nnref.optim, its
learning rate and momentum, and the number of steps; see the path on the contours, the loss
per step, and the step where the run diverges.

``descend`` and ``explorer_state`` are pure functions (tested without a browser);
``optimizer_explorer()`` wraps them in ipywidgets.
"""
import numpy as np

from nnref import optim
from nnref.widgets.display import new_figure, show_figure, wrap_text

__all__ = ["SURFACES", "RULES", "descend", "scheduled_run", "make_optimizer", "surface_run",
           "explorer_state", "plot_run", "optimizer_explorer"]


class Surface:
    """A function of two weights: f(x, y) (vectorized), its gradient, a start, a view, its minimum."""

    def __init__(self, f, grad, start, xlim, ylim, f_min):
        self.f, self.grad, self.start = f, grad, np.array(start, dtype=np.float64)
        self.xlim, self.ylim, self.f_min = xlim, ylim, f_min


SURFACES = {
    # Deep Learning from Scratch's comparison: 20 times flatter along x than along y.
    "bowl x²/20 + y²": Surface(lambda x, y: x ** 2 / 20 + y ** 2,
                               lambda x, y: np.array([x / 10, 2 * y]),
                               (-7.0, 2.0), (-10, 10), (-5, 5), 0.0),
    # condition number 100: the step that suits y crawls along x
    "narrow valley x²/2 + 50 y²": Surface(lambda x, y: x ** 2 / 2 + 50 * y ** 2,
                                          lambda x, y: np.array([x, 100 * y]),
                                          (-1.8, 0.3), (-2, 2), (-0.5, 0.5), 0.0),
    # a saddle at 0 between two minima at y = ±√2 (f = -1): starting on the ridge's axis,
    # only a tiny y pulls the run off the saddle
    "saddle x² - y² + y⁴/4": Surface(lambda x, y: x ** 2 - y ** 2 + y ** 4 / 4,
                                     lambda x, y: np.array([2 * x, -2 * y + y ** 3]),
                                     (-1.5, 1e-3), (-2, 2), (-2.2, 2.2), -1.0),
    "Rosenbrock (1-x)² + 100(y-x²)²": Surface(
        lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
        lambda x, y: np.array([-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)]),
        (-1.2, 1.0), (-2, 2), (-1, 3), 0.0),
}

RULES = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")

# a run whose weights leave this box (or become inf/nan) has diverged
DIVERGED = 1e6


def descend(optimizer, params, grad_fn, steps):
    """Run ``steps`` steps of ``optimizer`` from ``params`` and record where they go.

    optimizer: has ``step(params, grads)`` (an nnref.optim optimizer, or one of your own).
    params: dict name -> float array, updated in place by the optimizer.
    grad_fn: grad_fn(params) -> dict of gradients with the keys and shapes of params, at the
        current parameters (so the run follows the function's slope).
    Returns a list of steps + 1 dicts of copies: the start, then the parameters after each
    step. A run stops early (a shorter list) once a parameter is not finite or leaves
    |w| < 1e6, as a diverged training run would.
    """
    visited = [{name: np.copy(w) for name, w in params.items()}]
    for _ in range(steps):
        optimizer.step(params, grad_fn(params))
        visited.append({name: np.copy(w) for name, w in params.items()})
        if not all(np.all(np.abs(w) < DIVERGED) for w in params.values()):
            break
    return visited


def scheduled_run(optimizer, params, grad_fn, lrs):
    """A training loop with a schedule that also rebuilds its parameter dict at every step.

    Before step t it sets ``optimizer.lr = lrs[t]`` and hands ``step`` a new dict: copies of
    the current arrays, in reversed key order (as a loop that reloads a checkpoint would).
    An optimizer that keeps its state per parameter name and reads lr at every step runs
    exactly as with one dict and a schedule. ``params`` itself is left unchanged.
    Returns len(lrs) + 1 dicts of copies: the start, then the parameters after each step.
    """
    visited = [{name: np.copy(w) for name, w in params.items()}]
    for lr in lrs:
        params = {name: np.copy(params[name]) for name in reversed(list(params))}
        optimizer.lr = lr
        optimizer.step(params, grad_fn(params))
        visited.append({name: np.copy(w) for name, w in params.items()})
    return visited


def make_optimizer(rule, lr, momentum=0.9):
    """nnref.optim's `rule` with learning rate lr; `momentum` is Momentum's and Nesterov's mu
    and Adam's beta1 (the other rules have none)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}: choose one of {', '.join(RULES)}")
    cls = getattr(optim, rule)
    if rule in ("Momentum", "Nesterov"):
        return cls(lr, momentum=momentum)
    if rule == "Adam":
        return cls(lr, beta1=momentum)
    return cls(lr)


def surface_run(surface, optimizer, steps, start=None):
    """The path of ``optimizer`` on SURFACES[surface] (or a Surface): a (T + 1, 2) array of
    points (T <= steps: a diverged run stops early), from ``start`` or the surface's start."""
    s = SURFACES[surface] if isinstance(surface, str) else surface
    params = {"w": np.array(s.start if start is None else start, dtype=np.float64)}
    visited = descend(optimizer, params, lambda p: {"w": s.grad(*p["w"])}, steps)
    return np.array([v["w"] for v in visited])


def explorer_state(surface, rule, log10_lr, momentum=0.9, steps=50):
    """Everything the explorer shows, without drawing it.

    Returns a dict: ``path`` (T + 1, 2) points, ``losses`` (T + 1,) f along the path,
    ``lr`` = 10**log10_lr, ``diverged_at`` (the step where the run left the box, or None),
    ``final`` the last point, ``gap`` = f(final) - the surface's minimum, and ``text``, one
    paragraph that reads the numbers.
    """
    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}: choose one of {sorted(SURFACES)}")
    s, lr = SURFACES[surface], 10.0 ** log10_lr
    with np.errstate(over="ignore", invalid="ignore"):
        path = surface_run(surface, make_optimizer(rule, lr, momentum), steps)
        losses = s.f(path[:, 0], path[:, 1])
    finite = bool(np.all(np.abs(path[-1]) < DIVERGED))
    diverged_at = None if finite else len(path) - 1
    gap = float(losses[-1] - s.f_min) if finite else float("inf")
    if diverged_at is not None:
        verdict = f"diverged at step {diverged_at}: the learning rate is too large for this rule here"
    elif gap < 1e-6:
        verdict = "converged (within 1e-6 of the minimum)"
    elif losses[-1] > losses[0]:  # not out of the box yet, but going the wrong way
        verdict = f"diverging: f grew from {losses[0]:.3g} to {losses[-1]:.3g}; lower the learning rate"
    else:
        verdict = f"still {gap:.3g} above the minimum"
    text = (f"{rule} with lr = {lr:.3g}"
            f"{f', momentum {momentum:g}' if rule in ('Momentum', 'Nesterov') else ''}"
            f"{f', beta1 {momentum:g}' if rule == 'Adam' else ''} on {surface}, "
            f"{len(path) - 1} steps from ({s.start[0]:g}, {s.start[1]:g}): ends at "
            f"({path[-1][0]:.3g}, {path[-1][1]:.3g}), f = {losses[-1]:.4g}; {verdict}.")
    return {"path": path, "losses": losses, "lr": lr, "diverged_at": diverged_at,
            "final": path[-1], "gap": gap, "text": text}


def plot_run(surface, state, axes):
    """Draw an ``explorer_state``: the path on the contours (axes[0]) and f - f_min per step
    on a log scale (axes[1])."""
    from nnref.viz import plot_optimizer_paths
    s = SURFACES[surface]
    shown = state["path"][np.all(np.abs(state["path"]) < 1e3, axis=1)]  # the plot's range
    plot_optimizer_paths(s.f, {"path": shown}, xlim=s.xlim, ylim=s.ylim, ax=axes[0])
    axes[0].get_legend().remove()
    gap = np.maximum(state["losses"] - s.f_min, 1e-16)  # a log axis cannot show 0
    axes[1].semilogy(np.arange(len(gap)), gap, "C1.-")
    if state["diverged_at"] is not None:
        axes[1].axvline(state["diverged_at"], color="red", ls=":", label="diverged")
        axes[1].legend()
    axes[1].set(xlabel="step", ylabel="f - min f")
    return axes


def optimizer_explorer():
    """A self-study widget: surface, rule, learning rate, momentum, number of steps."""
    import ipywidgets as widgets

    surface = widgets.Dropdown(options=list(SURFACES), value="bowl x²/20 + y²", description="surface")
    rule = widgets.Dropdown(options=list(RULES), value="Momentum", description="rule")
    log10_lr = widgets.FloatSlider(value=-1, min=-4, max=0.5, step=0.05, description="log10 lr")
    momentum = widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="momentum")
    steps = widgets.IntSlider(value=50, min=1, max=300, description="steps")
    out = widgets.Output()

    def update(_=None):
        state = explorer_state(surface.value, rule.value, log10_lr.value, momentum.value, steps.value)
        with out:
            out.clear_output(wait=True)
            fig, axes = new_figure(1, 2, figsize=(10, 4))
            plot_run(surface.value, state, axes)
            axes[0].set_title(f"{rule.value}, lr = {state['lr']:.3g}")
            show_figure(fig)
            print(wrap_text(state["text"]))

    for control in (surface, rule, log10_lr, momentum, steps):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([surface, rule]), widgets.HBox([log10_lr, momentum, steps]), out])
