"""nnref.viz: every plot returns its Figure/Axes, draws the data given, never calls show()."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnref import viz
from nnref.data import make_circle

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def no_show(monkeypatch):
    def show(*args, **kwargs):
        raise AssertionError("nnref.viz must not call plt.show(): the notebook shows the figure")
    monkeypatch.setattr(plt, "show", show)
    yield
    plt.close("all")


class Radius:
    """Predicts class 1 inside the circle of radius 0.6."""

    def predict(self, X):
        return (np.hypot(X[:, 0], X[:, 1]) < 0.6).astype(int)


@pytest.mark.parametrize("model", [Radius(), Radius().predict], ids=["model", "function"])
def test_decision_boundary(model):
    X, y = make_circle(100, noise=0.05, seed=0)
    ax = viz.plot_decision_boundary(model, X, y, resolution=50)
    assert isinstance(ax, matplotlib.axes.Axes)
    offsets = ax.collections[-1].get_offsets()
    assert np.allclose(offsets, X), "the scatter must show the data points"
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        viz.plot_decision_boundary(model, np.zeros((5, 3)), np.zeros(5, int))


def test_history_curves():
    history = {"loss": [1.0, 0.6, 0.4], "train_acc": [0.5, 0.7, 0.8], "val_acc": [0.45, 0.6, 0.7],
               "lr": [0.1] * 3, "batch_loss": list(np.linspace(1.2, 0.3, 30))}
    fig = viz.plot_history(history)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert list(loss_ax.lines[-1].get_ydata()) == history["loss"]
    assert [list(line.get_ydata()) for line in acc_ax.lines] == [history["train_acc"], history["val_acc"]]


def test_activation_histograms():
    rng = np.random.default_rng(0)
    acts = [np.tanh(rng.standard_normal((50, 20)) * s) for s in (0.1, 1, 10)]
    fig = viz.plot_activation_histograms(acts, value_range=(-1, 1))
    assert len(fig.axes) == 3
    counts = [sum(p.get_height() for p in ax.patches) for ax in fig.axes]
    assert counts == [1000] * 3, f"each panel should count all 1000 values, got {counts}"
    assert "std" in fig.axes[0].get_title()
    fig = viz.plot_activation_histograms({"in": acts[0]})
    assert fig.axes[0].get_title().startswith("in")


def test_optimizer_paths():
    path = np.array([[1.5, 1.0], [0.8, 0.4], [0.2, 0.1], [0.0, 0.0]])
    ax = viz.plot_optimizer_paths(lambda x, y: x ** 2 + 10 * y ** 2, {"sgd": path}, resolution=40)
    assert isinstance(ax, matplotlib.axes.Axes)
    line = ax.lines[0]
    assert np.allclose(np.column_stack(line.get_data()), path) and line.get_label() == "sgd"
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        viz.plot_optimizer_paths(lambda x, y: x * y, {"bad": np.zeros(3)})


def test_images_grid():
    X = np.random.default_rng(0).random((12, 784))
    fig = viz.plot_images(X, labels=[f"d{i}" for i in range(12)], ncols=5)
    assert len(fig.axes) == 15, "3 rows of 5 panels"
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12 and shown[11].get_title() == "d11"
    assert np.array_equal(shown[0].images[0].get_array(), X[0].reshape(28, 28))
