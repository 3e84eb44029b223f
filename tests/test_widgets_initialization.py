"""Lesson 06's deep-net statistics, gradient norms and explorer, without a browser."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnref import gradcheck, layers  # noqa: E402
from nnref.widgets import initialization as iw  # noqa: E402


def _small_net(seed=0, dims=(6, 5, 4, 3), n=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dims[0]))
    weights = [rng.normal(scale=1 / np.sqrt(a), size=(a, b)) for a, b in zip(dims[:-1], dims[1:])]
    return x, weights, rng.normal(size=(n, dims[-1]))


def test_deep_weights_shapes_gain_and_dtype():
    weights = iw.deep_weights("he", depth=3, width=20, input_dim=50, gain=0.5, seed=1)
    assert [w.shape for w in weights] == [(50, 20), (20, 20), (20, 20)]
    plain = iw.deep_weights("he", depth=3, width=20, input_dim=50, seed=1)
    np.testing.assert_allclose(weights[1], 0.5 * plain[1])
    assert iw.deep_weights("xavier", 2, 4, 3, dtype=np.float32)[0].dtype == np.float32
    with pytest.raises(ValueError, match="unknown initializer 'lecun'"):
        iw.deep_weights("lecun", 2, 4, 3)


def test_layer_statistics_are_over_all_entries_of_each_output():
    x, weights, _ = _small_net()
    x = x + 2.0   # shifted inputs: the units' means differ, so a per-unit std would differ
    stats = iw.layer_statistics(x, weights, layers.tanh_forward, layers.tanh_backward)
    h, expected = x, {"mean": [], "std": [], "saturated": []}
    for w in weights:
        h = np.tanh(h @ w)
        expected["mean"].append(h.mean())
        expected["std"].append(h.std())
        expected["saturated"].append(np.mean(1 - h ** 2 < iw.SATURATED))
    for key, values in expected.items():
        assert stats[key].shape == (3,)
        np.testing.assert_allclose(stats[key], values, err_msg=key)
    assert stats["saturated"].max() > 0   # the shift saturates some units: the count is tested


def test_a_relu_unit_is_saturated_where_it_outputs_zero():
    x = np.array([[1.0, -1.0], [2.0, 3.0]])
    stats = iw.layer_statistics(x, [np.eye(2)], layers.relu_forward, layers.relu_backward)
    np.testing.assert_allclose(stats["saturated"], [0.25])
    np.testing.assert_allclose(stats["mean"], [1.5])


def test_gradient_norms_match_nnref_layers_and_a_numerical_gradient():
    x, weights, dout = _small_net(seed=2)
    norms = iw.gradient_norms(x, weights, layers.sigmoid_forward, layers.sigmoid_backward, dout)

    def top(ws):   # the last layer's output
        return iw.layer_outputs(x, ws, layers.sigmoid_forward)[-1]

    for l in range(3):
        def f(w, l=l):
            ws = list(weights)
            ws[l] = w
            return top(ws)
        dW = gradcheck.numerical_gradient_array(f, weights[l].copy(), dout)
        assert norms["dW"][l] == pytest.approx(np.linalg.norm(dW), rel=1e-6)
    # dh: the gradient at each layer's output; the top one is dout itself
    assert norms["dh"][-1] == pytest.approx(np.linalg.norm(dout))
    h1 = iw.layer_outputs(x, weights, layers.sigmoid_forward)[0]
    dh1 = gradcheck.numerical_gradient_array(
        lambda h: iw.layer_outputs(h, weights[1:], layers.sigmoid_forward)[-1], h1.copy(), dout)
    assert norms["dh"][0] == pytest.approx(np.linalg.norm(dh1), rel=1e-6)


def test_inputs_are_left_unchanged():
    x, weights, dout = _small_net(seed=3)
    copies = [a.copy() for a in (x, dout, *weights)]
    iw.gradient_norms(x, weights, layers.relu_forward, layers.relu_backward, dout)
    iw.layer_statistics(x, weights, layers.relu_forward, layers.relu_backward)
    for before, after in zip(copies, (x, dout, *weights)):
        np.testing.assert_array_equal(before, after)


def test_dead_fraction_counts_units_that_never_fire():
    outputs = [np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]), np.zeros((2, 4))]
    np.testing.assert_allclose(iw.dead_fraction(outputs), [1 / 3, 1.0])


def test_histograms_share_edges_and_count_fractions():
    outputs = [np.array([-0.9, -0.1, 0.2, 0.95]), np.array([0.5, 0.5, 3.0, 0.0])]
    counts, edges = iw.histograms(outputs, (-1, 1), bins=4)
    np.testing.assert_allclose(edges, [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_allclose(counts, [[0.25, 0.25, 0.25, 0.25], [0, 0, 0.25, 0.5]])


def test_the_experiment_tells_the_lessons_story():
    # tanh: std 0.01 dies, std 1 saturates, Xavier keeps a spread; ReLU: Xavier shrinks, He keeps it
    small = iw.explorer_state("tanh", "small_random")
    large = iw.explorer_state("tanh", "standard_normal")
    xavier = iw.explorer_state("tanh", "xavier")
    assert small["stats"]["std"][-1] < 1e-6
    assert large["stats"]["saturated"][-1] > 0.8
    assert 0.1 < xavier["stats"]["std"][-1] < xavier["stats"]["std"][0] < 1
    assert xavier["stats"]["saturated"][-1] < 0.01
    relu_xavier = iw.explorer_state("relu", "xavier")["stats"]["std"]
    relu_he = iw.explorer_state("relu", "he")["stats"]["std"]
    assert relu_xavier[-1] < 0.1 * relu_xavier[0]
    assert 0.5 < relu_he[-1] / relu_he[0] < 2
    # sigmoid: the gradient of layer 1 vanishes against layer 10's (lesson 04's factor 4)
    grads = iw.explorer_state("sigmoid", "xavier")["grads"]["dW"]
    assert grads[0] / grads[-1] < 1e-3


def test_explorer_state_shapes_and_text():
    state = iw.explorer_state("relu", "he", depth=4, width=30, gain=0.5, n_inputs=50, input_dim=20)
    assert state["counts"].shape == (4, 40) and state["edges"].shape == (41,)
    assert state["grads"]["dW"].shape == state["dead"].shape == (4,)
    assert "relu, He, Var 2/n_in x 0.5" in state["text"] and "never fire" in state["text"]
    assert "never fire" not in iw.explorer_state("tanh", depth=3, width=10, n_inputs=20)["text"]
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        iw.explorer_state("swish")


def test_exploding_activations_draw_without_error():
    state = iw.explorer_state("relu", "standard_normal", depth=20, gain=10, n_inputs=50)
    assert state["stats"]["std"][-1] > 1e30
    plt.close(iw.plot_state(state))


def test_plots_draw_one_panel_per_layer():
    x, weights, _ = _small_net()
    outputs = iw.layer_outputs(x, weights, layers.tanh_forward)
    fig = iw.plot_histogram_grid({"a": outputs, "b": outputs[:2]}, (-1, 1))
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title().startswith("std ")
    assert not fig.axes[5].axison            # row "b" has 2 layers: its third panel is empty
    plt.close(fig)
    fig = iw.plot_histogram_grid({"relu": iw.layer_outputs(x, weights, layers.relu_forward)}, (0, 3), log=True)
    assert all(ax.get_yscale() == "log" for ax in fig.axes)
    plt.close(fig)
    fig, ax = plt.subplots()
    iw.plot_per_layer({"std": [1, 0.1, 0.01]}, ax, log=True)
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3] and ax.get_yscale() == "log"
    plt.close(fig)


def test_the_widget_builds_and_redraws_on_change():
    widget = iw.init_explorer()
    (activation, initializer), (depth, width, gain) = (box.children for box in widget.children[:2])
    depth.value, width.value = 3, 40
    activation.value = "relu"
    initializer.value = "he"
    gain.value = 0.1
    assert activation.value == "relu" and initializer.value == "he"
    plt.close("all")
