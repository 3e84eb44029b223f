"""Lesson 08's figures, augmentation helpers and keep_prob / lambda explorer, without a browser."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnref.widgets import dropout as dw


def _digits(n=3, seed=0):
    return np.random.default_rng(seed).random((n, 784)).astype(np.float32)


def test_shift_moves_pixels_and_fills_zeros():
    X = np.zeros((1, 28, 28))
    X[0, 10, 12] = 1.0
    moved = dw.shift_images(X, dx=2, dy=-2)
    assert moved[0, 8, 14] == 1.0 and moved.sum() == 1.0
    edge = np.ones((1, 784), dtype=np.float32)
    shifted = dw.shift_images(edge, dx=-2, dy=0).reshape(28, 28)
    assert shifted.dtype == np.float32
    assert not shifted[:, -2:].any() and shifted[:, :-2].all(), "the 2 columns shifted in are 0"


def test_shift_round_trip_and_inputs_unchanged():
    X = _digits()
    before = X.copy()
    assert np.array_equal(dw.shift_images(X, 0, 0), X)
    back = dw.shift_images(dw.shift_images(X, 2, 1), -2, -1).reshape(-1, 28, 28)
    # what did not fall off the right and bottom edges comes back unchanged
    assert np.array_equal(back[:, :-1, :-2], X.reshape(-1, 28, 28)[:, :-1, :-2])
    assert np.array_equal(X, before)
    with pytest.raises(ValueError, match="smaller than the image"):
        dw.shift_images(X, 28, 0)


def test_augment_with_shifts_keeps_labels_aligned():
    X, y = _digits(4), np.array([3, 1, 4, 1])
    shifts = [(0, 0), (2, 0), (0, -2)]
    X_aug, y_aug = dw.augment_with_shifts(X, y, shifts)
    assert X_aug.shape == (12, 784) and list(y_aug) == [3, 1, 4, 1] * 3
    assert np.array_equal(X_aug[:4], X)
    assert np.array_equal(X_aug[4 + 2], dw.shift_images(X[2:3], 2, 0)[0])


def test_soft_threshold_and_ridge_are_the_penalized_minimizers():
    a = np.array([-2.0, -0.3, 0.0, 0.2, 1.5])
    lam = 0.5
    grid = np.linspace(-3, 3, 60001)
    for target, lasso, ridge in zip(a, dw.soft_threshold(a, lam), dw.ridge_shrink(a, lam)):
        assert lasso == pytest.approx(grid[np.argmin(0.5 * (grid - target) ** 2 + lam * np.abs(grid))], abs=1e-4)
        assert ridge == pytest.approx(grid[np.argmin(0.5 * (grid - target) ** 2 + 0.5 * lam * grid ** 2)], abs=1e-4)
    assert list(dw.soft_threshold(a, lam)) == [-1.5, 0.0, 0.0, 0.0, 1.0]
    assert np.count_nonzero(dw.ridge_shrink(a, lam)) == 4


def test_dropout_masks_keep_about_keep_prob_and_never_drop_outputs():
    masks = dw.dropout_masks([1000, 1000, 3], 0.3, seed=1)
    assert [m.shape for m in masks] == [(1000,), (1000,), (3,)]
    assert all(abs(m.mean() - 0.3) < 0.05 for m in masks[:-1])
    assert masks[-1].all()
    assert all(m.all() for m in dw.dropout_masks([4, 5, 2], 1.0))


def test_draw_dropout_network_draws_every_unit_and_only_live_edges():
    fig, (full, thin) = plt.subplots(1, 2)
    dw.draw_dropout_network([3, 4, 2], 1.0, ax=full)
    assert len(full.patches) == 9 and len(full.lines) == 3 * 4 + 4 * 2
    dw.draw_dropout_network([3, 4, 2], 0.5, seed=0, ax=thin)
    masks = dw.dropout_masks([3, 4, 2], 0.5, seed=0)
    live = masks[0].sum() * masks[1].sum() + masks[1].sum() * 2
    crosses = 2 * sum(int((~m).sum()) for m in masks)
    assert len(thin.lines) == live + crosses
    plt.close(fig)


def _history(train_loss, val_loss):
    n = len(train_loss)
    return {"train_loss": list(train_loss), "val_loss": list(val_loss),
            "train_acc": [0.5] * (n - 1) + [1.0], "val_acc": [0.5] * (n - 1) + [0.8]}


def test_gap_state_reads_the_curves():
    state = dw.gap_state(_history([1.0, 0.5, 0.1, 0.01], [1.1, 0.7, 0.6, 0.9]))
    assert list(state["epochs"]) == [1, 2, 3, 4]
    assert np.allclose(state["gap"], [0.1, 0.2, 0.5, 0.89])
    assert state["best_epoch"] == 3
    assert (state["train_acc"], state["val_acc"]) == (1.0, 0.8)
    assert "gap 0.890" in state["text"] and "epoch 3" in state["text"]
    with pytest.raises(ValueError, match="validation data"):
        dw.gap_state({"train_loss": [1.0], "val_loss": [], "train_acc": [1.0], "val_acc": []})


def test_plot_gap_shades_between_the_curves():
    fig, ax = plt.subplots()
    dw.plot_gap(dw.gap_state(_history([1.0, 0.5, 0.2], [1.0, 0.8, 0.9])), ax)
    assert len(ax.collections) == 1, "the gap is one filled band"
    assert ax.get_yscale() == "log"
    assert ax.get_ylim() == pytest.approx((1e-3, 3)), "fixed limits: runs compare at a glance"
    plt.close(fig)


def _toy_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X[:40], y[:40], X[40:], y[40:]


SMALL = dict(hidden_dim=16, epochs=5, batch_size=20)


def test_train_curves_is_reproducible_and_uses_its_arguments():
    data = _toy_data()
    _, first = dw.train_curves(data, net=SMALL)
    _, again = dw.train_curves(data, net=SMALL)
    assert first["val_loss"] == again["val_loss"], "the same arguments must give the same run"
    assert len(first["val_loss"]) == 5
    model, _ = dw.train_curves(data, keep_prob=0.5, reg=0.1, l1=0.01, net=SMALL)
    assert (model.keep_prob, model.reg, model.l1) == (0.5, 0.1, 0.01)
    assert model.params["W1"].shape == (8, 16)
    _, stopped = dw.train_curves(data, patience=1, net=dict(SMALL, epochs=40))
    assert len(stopped["loss"]) < 40


def test_the_explorer_trains_only_new_settings():
    data = _toy_data()
    known = dw.train_curves(data, net=SMALL)[1]
    widget = dw.regularization_explorer(data, keep_probs=(0.5, 1.0), regs=(0.0, 0.1),
                                        known={(1.0, 0.0): known}, net=SMALL)
    keep, reg = widget.children[0].children
    assert (keep.value, reg.value) == (1.0, 0.0)
    reg.value = 0.1
    keep.value = 0.5
    keep.value = 1.0
    plt.close("all")


def test_bias_variance_trades_bias_for_variance_as_the_degree_grows():
    result = dw.bias_variance(range(0, 8), n_sets=200, seed=1)
    assert result["bias2"][0] > 0.4 > result["bias2"][5], "a constant cannot follow sin(pi x)"
    assert np.all(np.diff(result["variance"]) > 0), "each extra degree adds variance"
    # a pure-noise check of the variance: 15 points, degree 0 fits the mean, variance noise2 / 15
    assert result["variance"][0] == pytest.approx(0.09 / 15, rel=0.15)
    assert result["fits"][3].shape == (200, 201)
    fig = dw.plot_bias_variance(result, show=(1, 3))
    assert len(fig.axes) == 3
    plt.close(fig)


def test_weight_decay_path_closes_the_gap_on_the_linear_toy():
    data = dw.linear_toy(seed=2)
    assert [a.shape for a in data] == [(20, 200), (20,), (100, 200), (100,)]
    path = dw.weight_decay_path(data, [0.0, 3.0], steps=500)
    assert path["train_loss"][0] < 1e-6 < path["test_loss"][0], "without L2 it interpolates the 20 points"
    assert path["test_loss"][1] < path["test_loss"][0] / 100, "L2 decays the weights the data never sees"
    assert path["train_loss"][1] > path["train_loss"][0] and path["w_norm"][1] < path["w_norm"][0]
    ax = dw.plot_weight_decay([0.0, 3.0], path)
    assert len(ax.lines) == 2
    plt.close("all")
