"""Lesson 04's gradient-check explorer and figures, without a browser."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnref.widgets import backprop as bw


def test_centered_difference_beats_forward_at_the_default_step():
    errors = bw.step_size_errors("sigmoid", 0.5, [1e-5])
    assert errors["centered"][0] < 1e-10
    assert 1e-8 < errors["forward"][0] < 1e-5


def test_truncation_error_is_order_h_forward_and_h_squared_centered():
    # Large steps: truncation dominates, so a step 10x smaller cuts the error ~10x resp. ~100x.
    big, small = bw.step_size_errors("tanh", 0.7, [1e-2, 1e-3]).values()
    forward_ratio, centered_ratio = big[0] / big[1], small[0] / small[1]
    assert 8 < forward_ratio < 12
    assert 80 < centered_ratio < 120


def test_round_off_dominates_tiny_steps():
    errors = bw.step_size_errors("exp", 0.5, [1e-14])
    assert errors["forward"][0] > 1e-4 and errors["centered"][0] > 1e-4


def test_float32_cannot_reach_float64_accuracy():
    best64 = bw.step_size_errors("sigmoid", 0.5, dtype="float64")["centered"].min()
    best32 = bw.step_size_errors("sigmoid", 0.5, dtype="float32")["centered"].min()
    assert best64 < 1e-10
    assert best32 > 1e-8


def test_a_step_across_the_relu_kink_is_wrong_a_small_one_is_right():
    across = bw.step_size_errors("relu (kink at 0)", 1e-3, [1e-2])["centered"][0]
    inside = bw.step_size_errors("relu (kink at 0)", 1e-3, [1e-5])["centered"][0]
    assert across > 0.1
    assert inside < 1e-7


def test_explorer_state_reads_its_own_curves():
    hs = np.logspace(-12, -2, 11)
    state = bw.explorer_state("x**3", 1.5, -5, "float64", hs=hs)
    assert state["h"] == pytest.approx(1e-5)
    assert state["forward"].shape == state["centered"].shape == (11,)
    assert state["at_h"]["centered"] == pytest.approx(state["centered"][7], rel=1e-6)
    assert state["best_h"]["centered"] in hs
    assert "good" in state["text"]
    assert "wrong" in bw.explorer_state("relu (kink at 0)", 1e-3, -2)["text"]


def test_bad_input_names_the_choices():
    with pytest.raises(ValueError, match="sigmoid"):
        bw.step_size_errors("softplus", 0.0, [1e-5])
    with pytest.raises(ValueError, match="float32 or float64"):
        bw.step_size_errors("tanh", 0.0, [1e-5], dtype="int64")


def test_the_widget_builds_and_redraws_on_change():
    widget = bw.gradcheck_explorer()
    controls = widget.children[0].children + widget.children[1].children
    name, dtype_label, dtype, x0, log10_h = controls
    assert dtype_label.value == "dtype" and dtype.description == ""
    dtype.value = "float32"
    log10_h.value = -3
    name.value = "relu (kink at 0)"
    assert x0.value == 0.5
    plt.close("all")


def test_draw_circuit_labels_values_and_gradients():
    fig, ax = plt.subplots()
    bw.draw_circuit(dict(x=-2, y=5, z=-4, q=3, f=-12), dict(x=-4, y=-4, z=3, q=-4, f=1), ax)
    texts = {t.get_text() for t in ax.texts}
    assert {"x = -2", "∂f/∂x = -4", "∂f/∂z = 3", "f = -12"} <= texts
    plt.close(fig)


def test_plot_gradient_norms_draws_one_point_per_layer():
    fig, ax = plt.subplots()
    bw.plot_gradient_norms([1e-4, 1e-2, 1.0], ax)
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3]
    assert ax.get_yscale() == "log"
    plt.close(fig)


def test_explorer_text_prints_in_short_lines():
    # A long printed line wraps anywhere in the notebook, even mid-word.
    for args in (("sigmoid", 0.5, -5), ("relu (kink at 0)", 1e-3, -2, "float32")):
        lines = bw.explorer_state(*args)["text"].splitlines()
        assert len(lines) == 4 and max(map(len, lines)) <= 72, lines
