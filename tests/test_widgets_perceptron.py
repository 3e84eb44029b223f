"""Lesson 01's helpers: the reference perceptron, its rule, the widget's update, the figures."""
import itertools

import numpy as np
import pytest

from nnref.data import logic_gate
from nnref.widgets import perceptron as pw


@pytest.mark.parametrize("name", ["AND", "NAND", "OR"])
def test_hand_set_gates_reproduce_truth_tables(name):
    X, y = logic_gate(name)
    np.testing.assert_array_equal(pw.predict(X, *pw.GATES[name]), y)


def test_step_of_zero_is_zero():
    np.testing.assert_array_equal(pw.step(np.array([-1e-12, 0.0, 1e-12])), [0, 0, 1])


def test_learning_step_moves_toward_target_and_leaves_right_answers_alone():
    w, b = pw.learning_step(np.array([1.0, 1.0]), 1, np.zeros(2), 0.0, 0.1)
    np.testing.assert_allclose(w, [0.1, 0.1])
    assert b == pytest.approx(0.1)
    w2, b2 = pw.learning_step(np.array([1.0, 1.0]), 1, w, b, 0.1)  # now right: no change
    np.testing.assert_array_equal(w2, w)
    assert b2 == b
    w3, b3 = pw.learning_step(np.array([0.0, 1.0]), 0, np.array([0.5, 0.5]), -0.2, 0.1)
    np.testing.assert_allclose(w3, [0.5, 0.4])
    assert b3 == pytest.approx(-0.3)


@pytest.mark.parametrize("name", ["AND", "OR", "NAND", "NOR"])
def test_perceptron_rule_converges_on_separable_gates(name):
    X, y = logic_gate(name)
    run = pw.train_perceptron(X, y, lr=0.1, epochs=20)
    assert run["mistakes"][-1] == 0
    np.testing.assert_array_equal(pw.predict(X, run["w"], run["b"]), y)
    assert run["path"].shape == (20 * 4 + 1, 3)


def test_perceptron_rule_cycles_on_xor():
    X, y = logic_gate("XOR")
    run = pw.train_perceptron(X, y, lr=0.1, epochs=20)
    assert (run["mistakes"] > 0).all()
    ends = run["path"][::4]
    np.testing.assert_allclose(ends[2:], np.broadcast_to(ends[2], ends[2:].shape))


def test_boolean_function_names_cover_all_sixteen():
    names = {pw.boolean_function_name(o) for o in itertools.product([0, 1], repeat=4)}
    assert len(names) == 16 and {"AND", "OR", "NAND", "NOR", "XOR", "XNOR"} <= names
    with pytest.raises(ValueError, match="4 outputs"):
        pw.boolean_function_name([0, 1, 2, 0])


@pytest.mark.parametrize("name", ["AND", "NAND", "OR"])
def test_view_of_hand_set_gate(name):
    (w1, w2), b = pw.GATES[name]
    view = pw.perceptron_view(w1, w2, b)
    assert view["name"] == name
    np.testing.assert_allclose(view["z"], pw.INPUTS @ np.array([w1, w2]) + b)
    np.testing.assert_array_equal(view["outputs"], logic_gate(name)[1])
    # both points of the drawn line lie on w.x + b = 0
    np.testing.assert_allclose(view["line"] @ np.array([w1, w2]) + b, [0.0, 0.0], atol=1e-12)
    assert view["table"].count("\n") == 4


@pytest.mark.parametrize("w1, w2, b", [(1.0, 0.0, -0.5), (0.0, -1.0, 0.5), (0.3, -1.2, 0.1)])
def test_view_line_for_vertical_horizontal_and_steep_lines(w1, w2, b):
    line = pw.perceptron_view(w1, w2, b)["line"]
    assert line.shape == (2, 2) and np.isfinite(line).all()
    np.testing.assert_allclose(line @ np.array([w1, w2]) + b, [0.0, 0.0], atol=1e-12)
    assert np.linalg.norm(line[1] - line[0]) >= 2.0  # spans the [-0.5, 1.5] box


def test_view_marks_corners_that_miss_the_target():
    view = pw.perceptron_view(0.5, 0.5, -0.2, target="XOR")  # OR's weights: wrong only at 11
    np.testing.assert_array_equal(view["wrong"], [False, False, False, True])
    assert "XOR" in view["table"].splitlines()[0]
    assert not pw.perceptron_view(0.5, 0.5, -0.2, target="OR")["wrong"].any()
    assert not pw.perceptron_view(0.5, 0.5, -0.2)["wrong"].any()
    with pytest.raises(ValueError, match="unknown logic gate"):
        pw.perceptron_view(0.5, 0.5, -0.2, target="MAYBE")


def test_view_without_weights_has_no_line_and_a_constant_output():
    view = pw.perceptron_view(0.0, 0.0, -0.3)
    assert view["line"] is None and view["name"] == "always 0"
    assert pw.perceptron_view(0.0, 0.0, 0.3)["name"] == "always 1"


def test_no_slider_setting_gives_xor():
    grid = np.linspace(-1.5, 1.5, 13)
    names = {pw.perceptron_view(w1, w2, b)["name"] for w1 in grid for w2 in grid for b in grid}
    assert "XOR" not in names and "XNOR" not in names
    assert {"AND", "OR", "NAND", "NOR"} <= names


def test_trained_xor_net_solves_xor_and_loss_falls():
    params, losses = pw.train_xor_net(seed=0)
    X, y = logic_gate("XOR")
    out = pw.xor_net_forward(X, params)
    assert out.shape == (4, 1)
    np.testing.assert_array_equal((out[:, 0] > 0.5).astype(int), y)
    assert losses[-1] < 0.01 < losses[0]


def test_figures_and_widget_build():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    X, y = logic_gate("XOR")
    runs = {"XOR": pw.train_perceptron(X, y, epochs=3)}
    W1 = np.column_stack([pw.GATES["NAND"][0], pw.GATES["OR"][0]])
    b1 = np.array([pw.GATES["NAND"][1], pw.GATES["OR"][1]])
    figs = [pw.plot_gates(), pw.plot_bias_shift(np.array([0.5, 0.5]), [-0.2, -0.7]),
            pw.plot_mistakes(runs),
            pw.plot_xor_network(lambda Z: pw.predict(pw.step(Z @ W1 + b1), *pw.GATES["AND"]))]
    assert all(len(f.axes) >= 1 for f in figs)
    plt.close("all")
    box = pw.perceptron_widget(w1=0.5, w2=0.5, b=-0.2, target="XOR")
    controls = box.children[0].children
    assert [c.description for c in controls] == ["w1", "w2", "b", "target"]
    assert [c.value for c in controls] == [0.5, 0.5, -0.2, "XOR"]


def test_slider_values_snap_to_the_readouts_grid():
    # 0.50 stepped up four times by 0.05 in floating point, as the browser's slider sends it
    dragged = 0.5
    for _ in range(4):
        dragged += pw.SLIDER_STEP
    assert dragged != 0.7 and pw.on_grid(dragged) == 0.7
    assert [pw.on_grid(v) for v in (-0.7, 1.5, -1.5, 0.15000000000000002)] == [-0.7, 1.5, -1.5, 0.15]
    # on the grid, the corner (1, 0) sits exactly on the line: step(0) = 0, so AND, not "x1"
    assert pw.perceptron_view(dragged, 0.5, -0.7)["name"] == "x1"
    assert pw.perceptron_view(pw.on_grid(dragged), 0.5, -0.7)["name"] == "AND"
