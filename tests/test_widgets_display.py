"""Every widget draws one way: figures made outside pyplot and shown through
nnref.widgets.display, never ``plt.show()`` in a callback (pyplot's registry is shared by every
callback); 07's explorer trains a setting once."""
import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnref.data import toy_dataset

matplotlib.use("Agg")

rng = np.random.default_rng(0)
X, Y = rng.standard_normal((60, 8)), rng.integers(0, 10, size=60)


def _build(name):
    from nnref.widgets import (activations, backprop, batchnorm, dropout, initialization, mnist,
                               optimizers, perceptron, playground)

    Xs, ys = toy_dataset("gauss", n=40, seed=0)
    probs = rng.dirichlet(np.ones(10), size=20)
    return {
        "perceptron": perceptron.perceptron_widget,
        "activations": activations.activation_explorer,
        "backprop": backprop.gradcheck_explorer,
        "optimizers": optimizers.optimizer_explorer,
        "initialization": lambda: initialization.init_explorer(),
        "batchnorm": lambda: batchnorm.batchnorm_explorer(X, Y),
        "dropout": lambda: dropout.regularization_explorer(
            (Xs, ys, Xs, ys), keep_probs=(0.5, 1.0), regs=(0.0, 0.1),
            net=dict(hidden_dim=8, epochs=2, batch_size=20)),
        "mnist": lambda: mnist.mistake_browser(rng.random((20, 784)), (probs.argmax(1) + 1) % 10, probs),
        "playground": lambda: playground.playground_widget(config="hidden=3; points=40"),
    }[name]()


def _controls(widget):
    if isinstance(widget, widgets.Box):
        return [c for child in widget.children for c in _controls(child)]
    keep = (widgets.FloatSlider, widgets.IntSlider, widgets.FloatLogSlider, widgets.Dropdown,
            widgets.ToggleButtons, widgets.Checkbox, widgets.SelectionSlider)
    return [widget] if isinstance(widget, keep) and not widget.disabled else []


def _change(control, start):
    """Another value: a dropdown's next option, a checkbox flipped, a slider between its
    minimum (the cheapest setting to train) and where it started."""
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.SelectionSlider)):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        control.value = next(v for v in values if v != control.value)
    elif isinstance(control, widgets.Checkbox):
        control.value = not control.value
    else:
        control.value = control.min if control.value != control.min else start


@pytest.mark.parametrize("name", ["perceptron", "activations", "backprop", "optimizers",
                                  "initialization", "batchnorm", "dropout", "mnist", "playground"])
def test_no_widget_draws_through_pyplot(name, monkeypatch):
    def show(*args, **kwargs):
        raise AssertionError(f"{name}'s widget called plt.show(): draw with "
                             f"nnref.widgets.display.new_figure and show_figure")

    monkeypatch.setattr(plt, "show", show)
    plt.close("all")
    box = _build(name)
    controls = _controls(box)
    assert controls, f"{name}: no controls found"
    starts = [control.value for control in controls]
    for control, start in zip(controls, starts):
        _change(control, start)
    assert plt.get_fignums() == [], f"{name}'s widget left pyplot figures open"


def test_the_batchnorm_explorer_trains_each_setting_once(monkeypatch):
    from nnref.widgets import batchnorm

    trained = []
    real = batchnorm.explorer_state
    monkeypatch.setattr(batchnorm, "explorer_state", lambda *a, **k: trained.append(a[2:]) or real(*a, **k))
    box = batchnorm.batchnorm_explorer(X, Y)
    depth = box.children[0].children[1]
    depth.value = 3
    depth.value = 5            # back to the first setting: shown again, not trained again
    depth.value = 3
    assert [t[1] for t in trained] == [5, 3], trained
