"""Lesson 07's training helper, figures and batch-norm explorer, without a browser (no MNIST
files needed: a small synthetic data set)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnref.widgets import batchnorm as bnw  # noqa: E402


def blobs(n=200, d=20, seed=0):
    """Ten Gaussian blobs in d dimensions: learnable in a few epochs, float32 like MNIST."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, size=n)
    centres = rng.normal(scale=2.0, size=(10, d))
    return (centres[y] + rng.normal(size=(n, d))).astype(np.float32), y


X, Y = blobs()


def test_batchnorm_keeps_every_layer_at_the_same_scale_whatever_the_weight_scale():
    for scale in (1e-3, 1.0):
        std = bnw.explorer_state(X, Y, weight_scale=scale, depth=6, batchnorm=True, epochs=1)["std"]
        # ReLU of a standardized feature: E[relu(z)^2] = 1/2, so std = sqrt(1/2 - E[relu(z)]^2),
        # 0.58 for a Gaussian z; these blobs' features are not quite Gaussian
        assert np.all((0.4 < std) & (std < 0.65)), std


def test_without_batchnorm_small_weights_vanish_and_large_ones_explode():
    small = bnw.explorer_state(X, Y, weight_scale=1e-2, depth=6, batchnorm=False, epochs=1)["std"]
    large = bnw.explorer_state(X, Y, weight_scale=1.0, depth=6, batchnorm=False, epochs=1)["std"]
    assert np.all(np.diff(small) < 0) and small[-1] < 1e-4 * small[0]
    assert np.all(np.diff(large) > 0) and large[-1] > 1e3 * large[0]


def test_a_large_learning_rate_diverges_without_batchnorm_and_trains_with_it():
    plain = bnw.explorer_state(X, Y, weight_scale=0.3, depth=4, lr=3.0, batchnorm=False, epochs=3)
    normed = bnw.explorer_state(X, Y, weight_scale=0.3, depth=4, lr=3.0, batchnorm=True, epochs=5)
    assert plain["diverged"] and plain["history"] is None and np.isnan(plain["final_acc"])
    assert "diverged" in plain["text"]
    assert not normed["diverged"] and normed["final_acc"] > 0.8
    assert "training accuracy" in normed["text"] and "BN on" in normed["text"]


def test_state_has_one_activation_array_per_hidden_layer():
    state = bnw.explorer_state(X, Y, depth=3, width=16, activation="tanh", epochs=2)
    assert [a.shape for a in state["activations"]] == [(len(X), 16)] * 3
    assert state["std"].shape == (3,)
    assert len(state["history"]["train_acc"]) == 2
    assert len(state["history"]["batch_loss"]) == 2 * 2   # 200 examples, batches of 100


def test_layer_activations_are_train_mode_and_leave_the_running_statistics_alone():
    net = bnw.make_net(X.shape[1], [8, 8], batchnorm=True, seed=1)
    bnw.fit(net, (X, Y), lr=0.1, epochs=1)
    saved = [{k: v.copy() for k, v in p.items() if k.startswith("running")} for p in net.bn_params]
    hidden = bnw.layer_activations(net, X)
    for params, before in zip(net.bn_params, saved):
        for key, value in before.items():
            np.testing.assert_array_equal(params[key], value)
    # train mode: the pre-activations are standardized over this batch (gamma 1, beta 0 after one
    # epoch are close, so the post-ReLU means are near the half-normal's 0.4)
    assert all(0.2 < float(h.mean()) < 0.6 for h in hidden)
    assert not np.allclose(hidden[0], net.hidden_activations(X)[0])


def test_fit_is_seeded_and_train_net_builds_the_net_it_describes():
    net, history = bnw.train_net((X, Y, X[:50], Y[:50]), [16], batchnorm=True, lr=0.1, epochs=2,
                                 weight_scale=0.1, activation="sigmoid", seed=3)
    _, again = bnw.train_net((X, Y, X[:50], Y[:50]), [16], batchnorm=True, lr=0.1, epochs=2,
                             weight_scale=0.1, activation="sigmoid", seed=3)
    assert history["train_acc"] == again["train_acc"] and len(history["val_acc"]) == 2
    assert net.normalization == "batchnorm" and net.activation == "sigmoid"
    assert set(net.params) == {"W1", "b1", "gamma1", "beta1", "W2", "b2"}
    assert net.params["W1"].dtype == np.float64   # the lesson's numbers must not depend on BLAS threads
    net32, _ = bnw.train_net((X, Y), [16], batchnorm=False, lr=0.1, epochs=1, dtype=np.float32)
    assert net32.params["W1"].dtype == np.float32


def test_bad_settings_name_the_choices():
    with pytest.raises(ValueError, match="relu, tanh, sigmoid"):
        bnw.explorer_state(X, Y, activation="softplus")
    with pytest.raises(ValueError, match="at least 1"):
        bnw.explorer_state(X, Y, depth=0)


def test_plot_state_draws_a_histogram_per_layer_and_the_curve():
    state = bnw.explorer_state(X, Y, depth=7, epochs=2)
    fig = bnw.plot_state(state)
    titles = [ax.get_title() for ax in fig.axes]
    assert sum(t.startswith("layer ") for t in titles) == 7
    assert "training" in titles
    plt.close(fig)
    diverged = bnw.explorer_state(X, Y, weight_scale=1.0, depth=6, lr=3.0, batchnorm=False, epochs=2)
    fig = bnw.plot_state(diverged)
    assert any(t.get_text() == "diverged" for ax in fig.axes for t in ax.texts)
    plt.close(fig)


def test_plot_sweep_has_one_panel_per_scale_and_marks_diverged_runs():
    scales = np.logspace(0, -2, 6)
    curves = {"with": [[0.5, 0.9]] * 6, "without": [None] + [[0.1, 0.2]] * 5}
    fig = bnw.plot_sweep(scales, curves)
    panels = [ax for ax in fig.axes if ax.get_title().startswith("weight scale")]
    assert len(panels) == 6
    assert len(panels[0].lines) == 1 and len(panels[1].lines) == 2
    assert "without BN: diverged" in [t.get_text() for t in panels[0].texts]
    assert panels[0].get_legend() is None and panels[1].get_legend() is not None
    plt.close(fig)


def test_the_widget_builds_and_redraws_on_change():
    widget = bnw.batchnorm_explorer(X, Y)
    log_scale, depth, log_lr = widget.children[0].children
    activation, batchnorm = widget.children[1].children
    depth.value = 2
    batchnorm.value = False
    activation.value = "tanh"
    log_lr.value = -2
    assert log_scale.value == -2
    plt.close("all")


def test_draw_graph_labels_every_stage_and_colours_the_three_paths():
    fig, ax = plt.subplots()
    bnw.draw_graph(ax)
    assert {label for _, label in bnw.GRAPH_NODES.values()} <= {t.get_text() for t in ax.texts}
    arrows = [t.arrow_patch for t in ax.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == len(bnw.GRAPH_EDGES)
    assert ({matplotlib.colors.to_hex(a.get_edgecolor()) for a in arrows}
            == {matplotlib.colors.to_hex(c) for c in bnw.PATH_COLORS.values()})
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["x's path direct", "x's path through μ", "x's path through σ²"]
    plt.close(fig)


def test_staged_backward_matches_the_numerical_gradient_in_both_modes():
    from nnref.gradcheck import numerical_gradient_array
    from nnref.layers import batchnorm_forward
    rng = np.random.default_rng(4)
    x, dout = rng.normal(loc=2.0, size=(6, 3)), rng.normal(size=(6, 3))
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    for bn_param in ({"mode": "train"}, {"mode": "test", "running_mean": rng.normal(size=3),
                                          "running_var": rng.uniform(0.5, 2, size=3)}):
        forward = lambda x, g, b: batchnorm_forward(x, g, b, dict(bn_param))[0]
        _, cache = batchnorm_forward(x, gamma, beta, dict(bn_param))
        dx, dgamma, dbeta = bnw.staged_backward(dout, cache)
        for got, numeric in ((dx, numerical_gradient_array(lambda v: forward(v, gamma, beta), x.copy(), dout)),
                             (dgamma, numerical_gradient_array(lambda v: forward(x, v, beta), gamma.copy(), dout)),
                             (dbeta, numerical_gradient_array(lambda v: forward(x, gamma, v), beta.copy(), dout))):
            np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)


def test_the_long_experiments_run_everywhere_but_in_nncourse_grading():
    assert bnw.run_experiments({}) and bnw.run_experiments({"NBGRADER_EXECUTION": "autograde"})
    assert not bnw.run_experiments({"NNCOURSE_GRADING": "1"})
