"""The activation explorer of lesson 02, without a browser."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnref.widgets import activations as act  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_curves_match_the_formulas_and_their_derivatives():
    x = np.linspace(-4, 4, 81)
    sig = 1 / (1 + np.exp(-x))
    expected = {
        "sigmoid": (sig, sig * (1 - sig)),
        "tanh": (np.tanh(x), 1 - np.tanh(x) ** 2),
        "relu": (np.maximum(x, 0), (x > 0).astype(float)),
        "leaky_relu": (np.where(x > 0, x, 0.01 * x), np.where(x > 0, 1, 0.01)),
        "elu": (np.where(x > 0, x, np.exp(x) - 1), np.where(x > 0, 1, np.exp(x))),
    }
    for name, (y, dy) in expected.items():
        curves = act.activation_curves(name, -4, 4, num=81)
        np.testing.assert_allclose(curves["x"], x)
        np.testing.assert_allclose(curves["y"], y, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(curves["dy"], dy, atol=1e-12, err_msg=name)


def test_alpha_changes_the_negative_side_only():
    curves = act.activation_curves("leaky_relu", -2, 2, alpha=0.3, num=5)
    np.testing.assert_allclose(curves["y"], [-0.6, -0.3, 0, 1, 2])
    np.testing.assert_allclose(curves["dy"], [0.3, 0.3, 0.3, 1, 1])
    elu = act.activation_curves("elu", -1, 1, alpha=2.0, num=3)
    np.testing.assert_allclose(elu["y"], [2 * (np.exp(-1) - 1), 0, 1])


def test_derivative_matches_a_numerical_derivative():
    h = 1e-6
    for name in act.ACTIVATIONS:
        # points away from the kink at 0, where relu-like functions have no derivative
        curves = act.activation_curves(name, 0.05, 3.05, num=7)
        left = act.activation_curves(name, 0.05 - h, 3.05 - h, num=7)["y"]
        right = act.activation_curves(name, 0.05 + h, 3.05 + h, num=7)["y"]
        np.testing.assert_allclose(curves["dy"], (right - left) / (2 * h), rtol=1e-5,
                                   err_msg=name)


def test_bad_input_names_the_problem():
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        act.activation_curves("softplus")
    with pytest.raises(ValueError, match="x_min < x_max"):
        act.activation_curves("relu", 2, 2)
    with pytest.raises(ValueError, match="no parameter alpha"):
        act.activation_curves("sigmoid", alpha=0.5)


def test_draw_plots_function_derivative_and_saturated_region(ax):
    curves = act.draw_activation(ax, "sigmoid", -8, 8)
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), curves["y"])
    np.testing.assert_allclose(lines[1].get_ydata(), curves["dy"])
    assert ax.get_xlim() == (-8, 8)
    assert len(ax.collections) == 1  # the shaded region where sigmoid' < 0.05 (|x| > ~2.9)
    act.draw_activation(ax, "relu", -3, 3, show_derivative=False)
    assert len(ax.get_lines()) == 3  # g and the two axes lines; redrawing cleared the old
    assert "relu" in ax.get_legend().get_texts()[0].get_text()


def test_plot_activations_has_one_panel_each():
    fig = act.plot_activations()
    try:
        assert [a.get_title() for a in fig.axes] == list(act.ACTIVATIONS)
    finally:
        plt.close(fig)


def test_explorer_controls_drive_the_plot(monkeypatch):
    import ipywidgets as widgets

    shown = []
    monkeypatch.setattr(act, "draw_activation",
                        lambda ax, *args: shown.append(args))
    box = act.activation_explorer()
    (name, _), (x_range, alpha) = box.children[0].children, box.children[1].children
    assert isinstance(box.children[2], widgets.Output)
    assert alpha.disabled  # sigmoid has no alpha
    name.value = "elu"
    assert not alpha.disabled and alpha.value == 1.0
    alpha.value = 0.5
    x_range.value = (-2.0, 3.0)
    assert shown[-1] == ("elu", -2.0, 3.0, 0.5, True)
    name.value = "tanh"
    assert alpha.disabled and shown[-1][3] is None
    plt.close("all")


def test_linear_stack_is_a_line_and_relu_stack_bends():
    fig = act.plot_linear_vs_relu(seed=3)
    try:
        linear, bent = (ax.get_lines()[0].get_ydata() for ax in fig.axes)
        assert np.abs(np.diff(linear, 2)).max() < 1e-9 * max(1.0, np.abs(linear).max())
        assert np.abs(np.diff(bent, 2)).max() > 1e-4
    finally:
        plt.close(fig)
