"""nnref.train: history, schedule, early stopping with restore, seeding, quiet output."""
import numpy as np
import pytest

from nnref.data import make_gauss
from nnref.nets import FullyConnectedNet
from nnref.optim import SGD, Momentum
from nnref.losses import softmax_cross_entropy
from nnref.train import accuracy, evaluate, train


class ScriptedModel:
    """A model whose validation accuracy after each epoch follows a script.

    Every training step moves params['w'] by -lr (the gradient is 1); with one step per epoch,
    w = -(epoch + 1) after each epoch, and the model gets the first script[epoch] fraction of
    the examples right.
    """

    def __init__(self, script, loss_value=1.0):
        self.params = {"w": np.zeros(1)}
        self.script, self.loss_value = script, loss_value

    def loss(self, X, y=None):
        if y is not None:
            return self.loss_value, {"w": np.ones(1)}
        epoch = int(round(-self.params["w"][0])) - 1
        right = X[:, 0] < self.script[epoch] * 10  # X[:, 0] is 0..9: the example's index
        return np.column_stack([right, ~right]).astype(float)  # class 0 where right


def _scripted_data():
    X = np.arange(10.0)[:, None]
    y = np.zeros(10, dtype=int)
    return X, y, X, y


def test_early_stopping_restores_the_best_params():
    model = ScriptedModel([0.2, 0.6, 0.5, 0.4, 0.3, 0.9])
    w = model.params["w"]
    history = train(model, _scripted_data(), SGD(lr=1.0), batch_size=10, epochs=6, patience=2,
                    verbose=False)
    assert history["val_acc"] == [0.2, 0.6, 0.5, 0.4], (
        f"with patience 2 training should stop after two epochs without improvement on the best "
        f"(0.6 at epoch 1); val_acc history was {history['val_acc']}")
    assert history["best_epoch"] == 1 and len(history["loss"]) == 4
    assert model.params["w"] is w, "params must be restored in place (the optimizer holds them)"
    assert w[0] == -2.0, f"expected the parameters of epoch 1 (w = -2) back, got w = {w[0]}"


def test_without_patience_every_epoch_runs_and_last_params_stay():
    model = ScriptedModel([0.2, 0.6, 0.5, 0.4])
    history = train(model, _scripted_data(), SGD(lr=1.0), batch_size=10, epochs=4, verbose=False)
    assert len(history["val_acc"]) == 4 and model.params["w"][0] == -4.0
    assert history["best_epoch"] == 1


def test_schedule_sets_the_learning_rate_each_epoch():
    X, y = make_gauss(64, seed=0)
    model = FullyConnectedNet([8], 2, 2, seed=0)
    optimizer = Momentum(lr=1.0)
    history = train(model, (X, y), optimizer, batch_size=16, epochs=4,
                    schedule=lambda epoch: 0.1 * 0.5 ** epoch, verbose=False)
    assert history["lr"] == [0.1, 0.05, 0.025, 0.0125]
    assert optimizer.lr == 0.0125
    assert len(history["batch_loss"]) == 4 * 4 and len(history["loss"]) == 4
    assert np.isclose(history["loss"][0], np.mean(history["batch_loss"][:4]))
    assert history["val_acc"] == [] and len(history["train_acc"]) == 4


def test_same_seed_same_run_and_learning_happens():
    X, y = make_gauss(200, noise=0.7, seed=1)
    runs = []
    for seed in (3, 3, 4):
        model = FullyConnectedNet([16], 2, 2, seed=0)
        runs.append((train(model, (X, y, X[:50], y[:50]), Momentum(lr=0.05), batch_size=20,
                           epochs=5, seed=seed, verbose=False), model))
    (h1, m1), (h2, m2), (h3, m3) = runs
    assert h1["batch_loss"] == h2["batch_loss"]
    assert np.array_equal(m1.params["W1"], m2.params["W1"])
    assert h1["batch_loss"] != h3["batch_loss"], "another seed must shuffle differently"
    assert h1["loss"][-1] < h1["loss"][0], f"loss did not decrease: {h1['loss']}"


def test_divergence_and_bad_data_are_explained():
    with pytest.raises(FloatingPointError, match="diverged.*learning rate"):
        train(ScriptedModel([0.5], loss_value=np.nan), _scripted_data()[:2], SGD(lr=1.0),
              batch_size=10, epochs=1, verbose=False)
    with pytest.raises(ValueError, match="validation"):
        train(ScriptedModel([0.5]), _scripted_data()[:2], SGD(lr=1.0), patience=1, verbose=False)
    with pytest.raises(ValueError, match="X_train has 10 examples but y_train has 9"):
        train(ScriptedModel([0.5]), (np.zeros((10, 1)), np.zeros(9, int)), SGD(lr=1.0))


def test_accuracy_in_batches_matches_one_pass():
    X, y = make_gauss(103, noise=1.0, seed=2)
    model = FullyConnectedNet([5], 2, 2, seed=1)
    expected = np.mean(model.predict(X) == y)
    assert accuracy(model, X, y, batch_size=10) == pytest.approx(expected)


def test_evaluate_in_batches_matches_one_pass_cross_entropy_without_l2():
    X, y = make_gauss(103, noise=1.0, seed=2)
    model = FullyConnectedNet([5], 2, 2, reg=0.5, seed=1)
    expected_loss, _ = softmax_cross_entropy(model.loss(X), y)
    acc, loss = evaluate(model, X, y, batch_size=10)
    assert acc == pytest.approx(np.mean(model.predict(X) == y))
    assert loss == pytest.approx(expected_loss), (
        f"evaluate's cross-entropy: expected {expected_loss} (softmax cross-entropy of all the "
        f"scores, no L2), got {loss}. Usual cause: a mean of batch means (the last batch is "
        f"smaller) or the L2 term added in.")


def test_history_records_train_and_validation_cross_entropy_after_each_epoch():
    X, y = make_gauss(200, noise=0.7, seed=1)
    X_val, y_val = X[:60], y[:60]
    model = FullyConnectedNet([16], 2, 2, reg=1e-3, seed=0)
    history = train(model, (X, y, X_val, y_val), Momentum(lr=0.01), batch_size=20, epochs=3,
                    seed=0, verbose=False, train_acc_size=None)
    assert len(history["train_loss"]) == len(history["val_loss"]) == 3
    assert history["val_loss"][-1] == pytest.approx(evaluate(model, X_val, y_val)[1])
    assert history["train_loss"][-1] == pytest.approx(evaluate(model, X, y)[1])
    assert history["val_loss"][-1] < history["val_loss"][0], history["val_loss"]


def test_quiet_when_not_interactive(capsys):
    X, y = make_gauss(40, seed=0)
    train(FullyConnectedNet([4], 2, 2, seed=0), (X, y), SGD(lr=0.1), batch_size=10, epochs=2)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == "", (
        f"a progress bar was printed to a non-interactive stream: {captured.err[:200]!r}")


def test_a_performance_based_schedule_is_told_each_epochs_validation_metric():
    from nnref.schedules import ReduceOnPlateau
    X, y = make_gauss(96, seed=1)
    data = (X[:64], y[:64], X[64:], y[64:])
    settings = dict(lr0=3.0, factor=0.5, patience=1, min_delta=10.0)  # no later epoch counts as better
    history = train(FullyConnectedNet([8], 2, 2, seed=0), data, SGD(lr=1.0), batch_size=16, epochs=6,
                    schedule=ReduceOnPlateau(**settings), verbose=False)
    replay = ReduceOnPlateau(**settings)
    expected = [3.0] + [replay.step(v) for v in history["val_loss"][:-1]]
    assert history["lr"] == expected, (history["lr"], history["val_loss"])
    assert min(history["lr"]) < 3.0, "the run must cut the rate: otherwise the trainer calling step() is not shown"
    with pytest.raises(ValueError, match="validation data"):
        train(FullyConnectedNet([8], 2, 2, seed=0), (X, y), SGD(lr=0.1), epochs=1,
              schedule=ReduceOnPlateau(0.1), verbose=False)
