"""Lesson 03's widget and figures, without a browser."""
import matplotlib
import numpy as np
import pytest

from nnref.widgets.softmax import (plot_cross_entropy_curve, plot_mse_vs_cross_entropy,
                                   plot_probabilities, softmax_explorer, softmax_state)

matplotlib.use("Agg")

IRIS_SCORES = [-0.8942831, 1.0996021, 2.0833278]


def test_state_iris_scores():
    state = softmax_state(IRIS_SCORES, temperature=1.0, label=2)
    np.testing.assert_allclose(state["probs"], [0.0357336, 0.2624281, 0.7018383], atol=1e-6)
    assert state["loss"] == pytest.approx(-np.log(0.7018383), rel=1e-6)
    np.testing.assert_allclose(state["dscores"], state["probs"] - [0, 0, 1], atol=1e-12)


def test_temperature_sharpens_and_flattens():
    cold = softmax_state(IRIS_SCORES, temperature=0.1, label=2)["probs"]
    hot = softmax_state(IRIS_SCORES, temperature=10.0, label=2)["probs"]
    assert cold[2] > 0.9999                       # T -> 0: all mass on the largest logit
    np.testing.assert_allclose(hot, 1 / 3, atol=0.06)   # T large: close to uniform
    assert np.ptp(hot) < np.ptp(softmax_state(IRIS_SCORES, 1.0, 2)["probs"]) / 5
    # Same ordering at every temperature: dividing by T > 0 keeps the order of the logits.
    assert list(np.argsort(cold)) == list(np.argsort(hot)) == [0, 1, 2]


def test_temperature_gradient_matches_finite_differences():
    logits, t, h = np.array([0.5, -1.0, 2.0]), 2.5, 1e-6
    grad = softmax_state(logits, t, 0)["dscores"]
    for k in range(3):
        step = np.eye(3)[k] * h
        numeric = (softmax_state(logits + step, t, 0)["loss"]
                   - softmax_state(logits - step, t, 0)["loss"]) / (2 * h)
        assert grad[k] == pytest.approx(numeric, rel=1e-6)


def test_state_is_finite_for_large_logits():
    state = softmax_state([1000.0, 999.0, -1000.0], temperature=0.1, label=1)
    assert np.all(np.isfinite(state["probs"])) and np.isfinite(state["loss"])
    # -ln p1 = ln(1 + e^-10 + e^-20000) + 10: the logits differ by 10 once divided by T.
    assert state["loss"] == pytest.approx(10 + np.log1p(np.exp(-10.0)), rel=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"logits": [1.0, 2.0], "temperature": 0.0}, "temperature must be > 0"),
    ({"logits": [1.0, 2.0], "label": 2}, "label must be a class id"),
    ({"logits": [[1.0, 2.0]]}, "1-D array"),
])
def test_state_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        softmax_state(**kwargs)


def _parts(box):
    controls, display = box.children
    *sliders, temperature, true_class = controls.children
    *rows, loss_text = display.children
    return sliders, temperature, true_class, [r.children[0] for r in rows], loss_text


def test_explorer_follows_its_controls():
    box = softmax_explorer(logits=IRIS_SCORES, label=2)
    sliders, temperature, true_class, bars, loss_text = _parts(box)
    assert [b.value for b in bars] == pytest.approx([0.0357, 0.2624, 0.7018], abs=1e-4)
    assert "0.354" in loss_text.value and bars[2].bar_style == "success"

    sliders[0].value = 5.0                           # setosa now has the largest logit
    expected = softmax_state([5.0] + [s.value for s in sliders[1:]], 1.0, 2)
    assert [b.value for b in bars] == pytest.approx(list(expected["probs"]))
    assert f"{expected['loss']:.4f}" in loss_text.value

    true_class.value = 0
    assert bars[0].bar_style == "success" and bars[2].bar_style == "info"
    temperature.value = 10.0
    assert max(b.value for b in bars) < 0.45


def test_explorer_needs_one_name_per_logit():
    with pytest.raises(ValueError, match="one name per logit"):
        softmax_explorer(logits=(1.0, 2.0), class_names=("a", "b", "c"))


def test_figures_draw():
    import matplotlib.pyplot as plt

    ax = plot_probabilities([0.2, 0.3, 0.5], label=2)
    assert len(ax.patches) == 3 and ax.patches[2].get_height() == pytest.approx(0.5)
    ax = plot_cross_entropy_curve([0.3, 0.8])
    assert len(ax.lines) == 4
    fig = plot_mse_vs_cross_entropy()
    # Confidently wrong (z = -10): cross-entropy's gradient is ~ -1, MSE's nearly 0.
    ce_grad, mse_grad = (line.get_ydata()[0] for line in fig.axes[1].lines)
    assert ce_grad > 0.99 and mse_grad < 1e-3
    plt.close("all")


def test_explorer_sliders_hold_the_lessons_logits():
    # The browser snaps a slider's value to its step and sends it back: the logits must start
    # on the grid, and the probabilities there must be the lesson's to 4 decimals.
    sliders, _, _, bars, _ = _parts(softmax_explorer(logits=IRIS_SCORES, label=2))
    for slider in sliders:
        assert abs(slider.value / slider.step - round(slider.value / slider.step)) < 1e-6
    snapped = softmax_state([s.value for s in sliders], 1.0, 2)["probs"]
    exact = softmax_state(IRIS_SCORES, 1.0, 2)["probs"]
    assert np.round(snapped, 4).tolist() == np.round(exact, 4).tolist()
    assert [b.value for b in bars] == pytest.approx(list(snapped))
