"""Homework 09's figures, mistake browser and grading helpers, without a browser (no MNIST files
needed: small synthetic digits)."""
import matplotlib
import numpy as np
import pytest

from nnref.data import load_mnist
from nnref.nets import TwoLayerNet
from nnref.widgets.mnist import (check_two_layer_params, confident_mistakes, confusion_matrix,
                                 format_table, mistake_browser, mistake_view, plot_class_counts,
                                 plot_confusion_matrix, plot_search, show_confident_mistakes,
                                 show_digits, show_first_layer, two_layer_accuracy)

matplotlib.use("Agg")

# Five "images" with labels and predicted probabilities over 3 classes:
# 0 right, 1 wrong (0.7 on class 2), 2 right, 3 wrong (0.9 on class 0), 4 wrong (0.5 on class 2).
Y = np.array([0, 1, 2, 1, 0])
PROBS = np.array([[0.8, 0.1, 0.1], [0.2, 0.1, 0.7], [0.1, 0.1, 0.8], [0.9, 0.05, 0.05],
                  [0.3, 0.2, 0.5]])
X = np.arange(5 * 784, dtype=np.float32).reshape(5, 784) / (5 * 784)


def test_confusion_matrix_counts_pairs():
    counts = confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], num_classes=3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert counts.sum() == 6 and np.trace(counts) == 4


def test_confusion_matrix_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="same shape"):
        confusion_matrix([0, 1], [0, 1, 1])


def test_confident_mistakes_ranked_and_filtered():
    np.testing.assert_array_equal(confident_mistakes(Y, PROBS), [3, 1, 4])
    np.testing.assert_array_equal(confident_mistakes(Y, PROBS, true_digit=1), [3, 1])
    np.testing.assert_array_equal(confident_mistakes(Y, PROBS, predicted_digit=2), [1, 4])
    np.testing.assert_array_equal(confident_mistakes(Y, PROBS, true_digit=2), [])


def test_confident_mistakes_wants_probabilities():
    with pytest.raises(ValueError, match="softmax"):
        confident_mistakes(Y, PROBS.argmax(axis=1))


def test_mistake_view_steps_through_the_ranking():
    first = mistake_view(X, Y, PROBS, position=0)
    assert (first["count"], first["index"], first["label"], first["predicted"]) == (3, 3, 1, 0)
    assert first["confidence"] == pytest.approx(0.9)
    assert first["image"].shape == (28, 28)
    np.testing.assert_array_equal(first["image"].ravel(), X[3])
    assert [d for d, _ in first["top"]] == [0, 1, 2]
    assert "a 1 taken for a 0" in first["title"] and "1 of 3" in first["title"]
    last = mistake_view(X, Y, PROBS, position=99)          # clipped to the last mistake
    assert (last["position"], last["index"]) == (2, 4)


def test_mistake_view_with_no_matching_mistake():
    view = mistake_view(X, Y, PROBS, position=5, true_digit=2)
    assert view == {"count": 0, "position": 0}


def test_mistake_browser_builds():
    import ipywidgets

    assert isinstance(mistake_browser(X, Y, PROBS), ipywidgets.VBox)


def test_format_table_aligns_columns():
    table = format_table([{"lr": 0.001, "acc": 0.91234567}, {"lr": 0.1, "acc": 0.5}], ["lr", "acc"])
    lines = table.splitlines()
    assert len(lines) == 4 and len({len(line) for line in lines}) == 1
    assert "0.9123" in lines[2] and "0.001" in lines[2]


def test_figures_draw():
    import matplotlib.pyplot as plt

    rows = [{"opt": o, "lr": lr, "val_acc": a} for o, lr, a in
            [("SGD", 0.01, 0.8), ("SGD", 0.1, 0.9), ("Adam", 0.001, 0.93)]]
    figures = [show_digits(X, Y, n=5, cols=5), show_digits(X, Y, n=5, predicted=PROBS.argmax(1)),
               plot_class_counts(train=Y, test=Y[:3]), plot_search(rows, x="lr", group="opt"),
               plot_confusion_matrix(confusion_matrix(Y, PROBS.argmax(1), 3)),
               show_confident_mistakes(X, Y, PROBS, n=3),
               show_first_layer(np.random.default_rng(0).standard_normal((784, 12)), n=12)]
    assert all(len(fig.axes) >= 1 for fig in figures)
    plt.close("all")


def test_show_first_layer_rejects_wrong_shape():
    with pytest.raises(ValueError, match="784"):
        show_first_layer(np.zeros((10, 784)))


def _params(hidden=8, seed=0):
    return TwoLayerNet(784, hidden, 10, seed=seed).params


def test_two_layer_accuracy_matches_the_net():
    net = TwoLayerNet(784, 8, 10, seed=0)
    rng = np.random.default_rng(1)
    X_ = rng.random((50, 784), dtype=np.float32)
    predicted = net.predict(X_)
    y = predicted.copy()
    y[:10] = (y[:10] + 1) % 10
    assert two_layer_accuracy(net.params, X_, y, batch_size=7) == pytest.approx(0.8)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.pop("b2"), "no \\['b2'\\]"),
    (lambda p: p.update(W1=p["W1"].T), "shape"),
    (lambda p: p.update(W2=p["W2"][:, :9]), "shape"),
    (lambda p: p.update(b1=np.full_like(p["b1"], np.nan)), "NaN"),
    (lambda p: p.update(W1=p["W1"].tolist()), "numpy float array"),
])
def test_check_two_layer_params_says_what_is_wrong(change, message):
    params = dict(_params())
    change(params)
    with pytest.raises(AssertionError, match=message):
        check_two_layer_params(params)


def test_check_two_layer_params_wants_a_dict():
    with pytest.raises(AssertionError, match="dict"):
        check_two_layer_params(TwoLayerNet(784, 4, 10))
    assert check_two_layer_params(_params(hidden=6)) == 6


def test_check_final_model_grades_on_the_real_test_set(capsys):
    from nnref.widgets.mnist import check_final_model
    with pytest.raises(NotImplementedError, match="final_params is not defined"):
        check_final_model(None, 0.95, cause="")
    untrained = TwoLayerNet(784, 16, 10, seed=0).params
    with pytest.raises(AssertionError, match="below 95%"):
        check_final_model(untrained, 0.95, cause="train longer")
    # a chance-level net clears a 5 % bar: the accuracy is computed, not assumed
    assert check_final_model(untrained, 0.05, cause="") is None, \
        "a test cell ending with a number is a partial score to stock nbgrader: return nothing"
    accuracy = two_layer_accuracy(untrained, *load_mnist()[2:])
    assert 0.0 < accuracy < 0.3, f"an untrained net should be near chance (10 %), got {accuracy:.2%}"
    assert f"test accuracy of final_params: {accuracy:.2%}" in capsys.readouterr().out


def test_mistake_browser_filters_show_any_and_draw_once_per_change(monkeypatch):
    from nnref.widgets import mnist

    titles = []
    monkeypatch.setattr(mnist, "show_figure", lambda fig: titles.append(fig._suptitle.get_text()))
    box = mistake_browser(X, Y, PROBS)
    true_digit, predicted_digit = box.children[0].children
    position = box.children[1]
    # A Dropdown whose value is None has no selected option and renders blank.
    assert (true_digit.index, true_digit.label) == (0, "any")
    assert (predicted_digit.index, predicted_digit.label) == (0, "any")
    position.value = 1
    titles.clear()
    true_digit.value = 1
    assert position.value == 0 and position.max == 1       # the 1s of images #3 and #1
    assert titles == ["mistake 1 of 2: test image #3, a 1 taken for a 0 (90.0%)"]
    true_digit.value = 2
    assert len(titles) == 1, "a filter with no mistakes draws nothing"


def test_widget_figures_stay_out_of_pyplot():
    import matplotlib.pyplot as plt
    from nnref.widgets.display import figure_png, new_figure
    from nnref.widgets.mnist import plot_mistake

    before = plt.get_fignums()
    fig = plot_mistake(mistake_view(X, Y, PROBS), PROBS)
    assert plt.get_fignums() == before
    assert figure_png(fig).startswith(b"\x89PNG")
    _, axes = new_figure(2, 3)
    assert axes.shape == (2, 3) and plt.get_fignums() == before


def test_needs_names_what_a_widget_waits_for(capsys):
    from nnref.widgets.display import needs

    assert needs({"test_probs": 1, "X": 2}, ["test_probs", "X"], "the cell above computes")
    assert capsys.readouterr().out == ""
    assert not needs({"X": 2}, ["test_probs", "X"], "section 10's test-set cell computes")
    out = capsys.readouterr().out
    assert "needs test_probs," in out and "section 10's test-set cell computes" in out


def test_wrap_text_breaks_long_lines_at_spaces_only():
    from nnref.widgets.display import wrap_text

    long = "Momentum with lr = 0.1, momentum 0.9 on bowl x²/20 + y², 50 steps from (-7, 2): " \
           "ends at (0.409, -0.061), f = 0.01209; still 0.0121 above the minimum."
    wrapped = wrap_text("short line\n" + long, width=60)
    lines = wrapped.splitlines()
    assert lines[0] == "short line" and all(len(line) <= 60 for line in lines)
    assert wrapped.split() == ("short line\n" + long).split()
