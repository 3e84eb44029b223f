"""Homework 09's figures, mistake browser and grading helpers, without a browser (no MNIST files
needed: small synthetic digits)."""
import matplotlib
import numpy as np
import pytest

from nnref.data import load_mnist
from nnref.nets import TwoLayerNet
from nnref.homework import check_two_layer_params, two_layer_accuracy
from nnref.widgets.mnist import (confident_mistakes, confusion_matrix, format_table,
                                 mistake_browser, mistake_view, plot_class_counts,
                                 plot_confusion_matrix, plot_search, show_confident_mistakes,
                                 show_digits, show_first_layer)

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
    from nnref.homework import check_final_model
    with pytest.raises(NotImplementedError, match="final_params is not defined"):
        check_final_model(None, 0.95, cause="")
    untrained = TwoLayerNet(784, 16, 10, seed=0).params
    with pytest.raises(AssertionError, match="below 95%"):
        check_final_model(untrained, 0.95, cause="train longer")
    # a chance-level net clears a 5 % bar: the accuracy is computed, not assumed
    assert check_final_model(untrained, 0.05, cause="") is None, (
        "a test cell ending with a number is a partial score to stock nbgrader: return nothing")
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

    long = ("Momentum with lr = 0.1, momentum 0.9 on bowl x²/20 + y², 50 steps from (-7, 2): "
            "ends at (0.409, -0.061), f = 0.01209; still 0.0121 above the minimum.")
    wrapped = wrap_text("short line\n" + long, width=60)
    lines = wrapped.splitlines()
    assert lines[0] == "short line" and all(len(line) <= 60 for line in lines)
    assert wrapped.split() == ("short line\n" + long).split()


def test_two_layer_shapes_names_every_array_of_both_passes():
    from nnref.homework import SHAPE_NAMES, two_layer_shapes

    shapes = two_layer_shapes(4, 5, 6, 3)
    assert list(shapes) == list(SHAPE_NAMES)
    assert shapes == {"X": (4, 5), "y": (4,), "W1": (5, 6), "b1": (6,), "z1": (4, 6), "h1": (4, 6),
                      "W2": (6, 3), "b2": (3,), "scores": (4, 3), "probs": (4, 3), "loss": (),
                      "dscores": (4, 3), "dW2": (6, 3), "db2": (3,), "dh1": (4, 6), "dz1": (4, 6),
                      "dW1": (5, 6), "db1": (6,)}
    assert two_layer_shapes(1, 784, 512, 10)["dW1"] == (784, 512)


def test_shape_text_reads_tuples_and_lists_of_integers():
    from nnref.homework import shape_text

    assert shape_text((4, 5)) == shape_text([4, 5]) == shape_text((np.int64(4), 5)) == "(4, 5)"
    assert shape_text((6,)) == "(6,)" and shape_text(()) == shape_text([]) == "()"
    assert shape_text(6) == "6" and shape_text("(6,)") == "'(6,)'" and shape_text((4.0, 5)) == "(4.0, 5)"


def test_graph_labels_show_each_shape_and_what_is_missing():
    from nnref.homework import two_layer_shapes
    from nnref.widgets.mnist import draw_network_graph, graph_labels

    labels = graph_labels(two_layer_shapes(128, 784, 512, 10))
    assert list(labels) == ["X", "affine1", "z1", "relu", "h1", "affine2", "scores", "softmax",
                            "probs", "cross_entropy", "loss"]
    assert labels["X"] == ("X\n(128, 784)", "")
    assert labels["affine1"] == ("affine\nW1 (784, 512)\nb1 (512,)", "dW1 (784, 512)\ndb1 (512,)")
    assert labels["scores"] == ("scores\n(128, 10)", "dscores (128, 10)")
    assert labels["cross_entropy"] == ("cross-entropy\ny (128,)", "")
    assert labels["loss"] == ("loss\n()", "")
    partial = graph_labels({"X": [2, 3], "b1": 7})        # a student's table, as written
    assert partial["X"][0] == "X\n[2, 3]" and partial["affine1"] == ("affine\nW1 ?\nb1 7", "dW1 ?\ndb1 ?")
    import matplotlib.pyplot as plt

    texts = [t.get_text() for t in draw_network_graph({}).axes[0].texts]
    assert "relu" not in texts and "ReLU" in texts and "h1\n?" in texts
    plt.close("all")


def test_random_shifts_move_each_image_within_the_limit():
    from nnref.widgets.dropout import shift_images
    from nnref.homework import random_shifts

    X = np.random.default_rng(3).random((40, 784), dtype=np.float32)
    X[:, :] *= np.pad(np.ones((24, 24)), 2).ravel()       # ink only inside the 2-pixel border
    before = X.copy()
    shifted = random_shifts(X, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(X, before)              # the input is left unchanged
    assert shifted.shape == X.shape and shifted.dtype == np.float32
    moves = []
    for image, out in zip(X, shifted):
        found = [(dx, dy) for dx in range(-2, 3) for dy in range(-2, 3)
                 if np.array_equal(shift_images(image[None], dx, dy)[0], out)]
        assert len(found) == 1
        moves += found
    assert len(set(moves)) > 10, "every image draws its own shift"
    np.testing.assert_array_equal(random_shifts(X, 0, np.random.default_rng(0)), X)
    again = random_shifts(X.reshape(40, 28, 28), 2, np.random.default_rng(0))
    np.testing.assert_array_equal(again.reshape(40, 784), shifted)   # (N, 28, 28) too, seeded
    with pytest.raises(ValueError, match="max_shift"):
        random_shifts(X, 28, np.random.default_rng(0))


def test_shifted_batches_train_on_shifted_images_and_score_the_originals():
    from nnref.homework import ShiftedBatches

    class Spy:
        params = {"W": np.zeros(1)}

        def __init__(self):
            self.seen = []

        def loss(self, X, y=None):
            self.seen.append((X.copy(), y))
            return "scores" if y is None else (0.0, {"W": np.zeros(1)})

    X = np.random.default_rng(0).random((6, 784), dtype=np.float32)
    spy = Spy()
    model = ShiftedBatches(spy, max_shift=1, seed=0)
    assert model.params is spy.params
    assert model.loss(X) == "scores" and np.array_equal(spy.seen[-1][0], X)
    model.loss(X, np.arange(6))
    assert not np.array_equal(spy.seen[-1][0], X) and list(spy.seen[-1][1]) == list(range(6))


def test_shifted_batches_reach_the_reference_accuracy_band_quickly():
    """The homework's recipe on a small scale: shifted batches train a TwoLayerNet through
    nnref's train() (the validation accuracy is computed on the unshifted images)."""
    from nnref.optim import Adam
    from nnref.train import train
    from nnref.homework import ShiftedBatches

    X_train, y_train, _, _ = load_mnist()
    net = TwoLayerNet(784, 64, 10, seed=0)
    history = train(ShiftedBatches(net, max_shift=1, seed=0),
                    (X_train[:3000], y_train[:3000], X_train[-1000:], y_train[-1000:]),
                    Adam(lr=3e-3), batch_size=100, epochs=2, seed=0, verbose=False)
    assert history["val_acc"][-1] > 0.85


@pytest.mark.parametrize("environ, mode", [
    ({}, None), ({"NNCOURSE_GRADING": "0"}, None), ({"NNCOURSE_GRADING": ""}, None),
    ({"NNCOURSE_GRADING": "1"}, "nncourse"), ({"NBGRADER_EXECUTION": "autograde"}, "nbgrader"),
    ({"NBGRADER_EXECUTION": "validate", "NBGRADER_VALIDATING": "1"}, "nbgrader"),
    ({"NBGRADER_EXECUTION": "autograde", "NNCOURSE_GRADING": "1"}, "nncourse"),
])
def test_grading_mode_and_search_budget(environ, mode):
    from nnref.homework import GRADING_VARIABLE, SearchBudget, grading_mode, search_budget

    assert GRADING_VARIABLE == "NNCOURSE_GRADING"
    assert grading_mode(environ) == mode
    budget = search_budget(environ=environ)
    assert budget == {None: SearchBudget(10_000, 2), "nbgrader": SearchBudget(1_000, 1),
                      "nncourse": None}[mode]


def test_grading_mode_reads_the_process_environment(monkeypatch):
    from nnref.homework import grading_mode, search_budget

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("NNCOURSE_GRADING", "1")
    assert grading_mode() == "nncourse" and search_budget() is None
    monkeypatch.delenv("NNCOURSE_GRADING")
    assert grading_mode() is None and search_budget().images == 10_000


def test_nbgrader_marks_its_autograde_and_validate_runs():
    """grading_mode relies on nbgrader setting NBGRADER_EXECUTION around its kernels' runs."""
    import inspect

    from nbgrader.converters import autograde
    from nbgrader import validator

    assert "setenv(NBGRADER_EXECUTION='autograde')" in inspect.getsource(autograde.Autograde)
    assert "NBGRADER_EXECUTION='validate'" in inspect.getsource(validator.Validator)


def test_batch_recorder_counts_rows_and_labels():
    from nnref.data import toy_dataset
    from nnref.homework import BatchRecorder

    X, y = toy_dataset("gauss", n=10, seed=0)
    model = BatchRecorder(X, y)
    model.loss(X[[3, 1]], y[[3, 1]])
    model.loss(X[[0]] + 1.0, y[[0]])                       # a row that is not in X
    wrong = y[[2, 5]].copy()
    wrong[0] = 1 - wrong[0]
    model.loss(X[[2, 5]], wrong)                           # one label off
    model.loss(X[[4, 6]], y[[4, 6]])
    assert model.batches == [[3, 1], [-1], [2, 5], [4, 6]]
    assert (model.unknown_rows, model.wrong_labels, len(model.losses)) == (1, 1, 4)
    assert model.epochs(batch_size=4) == [[[3, 1], [-1], [2, 5]], [[4, 6]]]   # ceil(10 / 4) = 3 per epoch
    # least squares: its gradients are the loss's, by central differences
    loss, grads = model.loss_and_grads(X, y)
    assert loss == model.loss_and_grads(X, y)[0] and len(model.losses) == 4  # recording nothing
    W = model.params["W"]
    for index in [(0, 0), (1, 1)]:
        W[index] += 1e-6
        up = model.loss_and_grads(X, y)[0]
        W[index] -= 2e-6
        down = model.loss_and_grads(X, y)[0]
        W[index] += 1e-6
        assert abs((up - down) / 2e-6 - grads["W"][index]) < 1e-6
