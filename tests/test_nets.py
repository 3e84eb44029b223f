"""nnref.nets: gradients against numerical ones, dtypes, modes, and that the nets learn."""
import numpy as np
import pytest

from nnref.data import logic_gate, make_spiral
from nnref.gradcheck import numerical_gradient, rel_error
from nnref.nets import FullyConnectedNet, TwoLayerNet
from nnref.optim import Adam
from nnref.train import train


def _jitter_offsets(model, rng):
    """Random biases, gammas and betas: zeros would put ReLU units exactly on their kink."""
    for name, value in model.params.items():
        if name[0] in "bg":
            value += rng.uniform(-0.5, 0.5, value.shape)


def _check_gradients(model, X, y):
    _, grads = model.loss(X, y)
    assert sorted(grads) == sorted(model.params), "grads must have exactly the keys of params"
    for name, value in model.params.items():
        numeric = numerical_gradient(lambda _: model.loss(X, y)[0], value)
        err = rel_error(numeric, grads[name])
        # Batchnorm makes the loss flat in the bias before it: both gradients are ~0 there.
        ok = err < 1e-6 or np.abs(numeric - grads[name]).max() < 1e-9
        assert ok, (f"{name}: analytic gradient differs from the numerical one (relative error "
                    f"{err:.2e})\nnumerical {numeric.ravel()[:5]}\nanalytic  {grads[name].ravel()[:5]}")


NET_CONFIGS = {
    "relu": dict(),
    "tanh+reg": dict(activation="tanh", reg=0.7),
    "sigmoid": dict(activation="sigmoid", reg=0.1),
    "batchnorm+reg": dict(normalization="batchnorm", reg=0.3),
    "dropout": dict(keep_prob=0.6, dropout_seed=1, reg=0.1),
    "leaky_relu+batchnorm+dropout": dict(activation="leaky_relu", normalization="batchnorm",
                                         keep_prob=0.7, dropout_seed=2),
    "elu": dict(activation="elu", reg=0.2),
    "l1": dict(l1=0.3),
    "batchnorm+l1+reg": dict(normalization="batchnorm", l1=0.2, reg=0.4),
}


@pytest.mark.parametrize("config", NET_CONFIGS, ids=list(NET_CONFIGS))
def test_fully_connected_gradients(config):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, 6)
    model = FullyConnectedNet([7, 4], 5, 3, dtype=np.float64, seed=1, **NET_CONFIGS[config])
    _jitter_offsets(model, rng)
    _check_gradients(model, X, y)


def test_two_layer_net_gradients_with_reg():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((5, 6)), rng.integers(0, 4, 5)
    model = TwoLayerNet(6, 8, 4, reg=0.5, dtype=np.float64, seed=0)
    assert {k: v.shape for k, v in model.params.items()} == {
        "W1": (6, 8), "b1": (8,), "W2": (8, 4), "b2": (4,)}
    _jitter_offsets(model, rng)
    _check_gradients(model, X, y)


def _penalty(rng, **strengths):
    """Loss with the given reg / l1 minus the loss without, on the same batchnorm net, and the
    same for the gradients; the net's biases, gammas and betas are random, so a penalty that
    reaches them shows."""
    X, y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    plain = FullyConnectedNet([6], 5, 3, normalization="batchnorm", dtype=np.float64, seed=2)
    penalized = FullyConnectedNet([6], 5, 3, normalization="batchnorm", dtype=np.float64, seed=2,
                                  **strengths)
    _jitter_offsets(plain, rng)
    for name, value in plain.params.items():
        penalized.params[name][...] = value
    (loss, grads), (plain_loss, plain_grads) = penalized.loss(X, y), plain.loss(X, y)
    return plain.params, loss - plain_loss, {k: grads[k] - plain_grads[k] for k in grads}


def test_l2_term_is_half_reg_sum_of_squared_weights_only():
    params, difference, _ = _penalty(np.random.default_rng(4), reg=0.25)
    weights = sum(np.sum(params[w] ** 2) for w in ("W1", "W2"))
    assert np.isclose(difference, 0.5 * 0.25 * weights), (
        f"L2 term: expected 0.5 * reg * sum(W**2) = {0.5 * 0.25 * weights:.6f} over W1, W2 only, "
        f"got {difference:.6f} (a regularized bias or gamma, or a missing 0.5?)")


def test_l1_term_is_l1_sum_of_absolute_weights_only():
    params, difference, grad_difference = _penalty(np.random.default_rng(7), l1=0.3)
    weights = sum(np.sum(np.abs(params[w])) for w in ("W1", "W2"))
    assert np.isclose(difference, 0.3 * weights), (
        f"L1 term: expected l1 * sum(|W|) = {0.3 * weights:.6f} over W1, W2 only, got "
        f"{difference:.6f} (a penalized bias or gamma?)")
    for name, extra in grad_difference.items():
        expected = 0.3 * np.sign(params[name]) if name[0] == "W" else np.zeros_like(extra)
        assert np.allclose(extra, expected), f"L1 gradient of {name}: expected l1 * sign(W) on weights, 0 elsewhere"


def test_l1_and_l2_add_up():
    seed = 9
    _, both, both_grads = _penalty(np.random.default_rng(seed), reg=0.5, l1=0.1)
    _, l2, l2_grads = _penalty(np.random.default_rng(seed), reg=0.5)
    _, l1, l1_grads = _penalty(np.random.default_rng(seed), l1=0.1)
    assert np.isclose(both, l1 + l2)
    assert all(np.allclose(both_grads[k], l1_grads[k] + l2_grads[k]) for k in both_grads)


def test_l1_subgradient_is_zero_at_zero_weights():
    model = TwoLayerNet(4, 3, 2, l1=0.5, dtype=np.float64, seed=0)
    model.params["W1"][0] = 0.0
    X, y = np.zeros((2, 4)), np.array([0, 1])  # zero inputs: the data gives W1 no gradient
    _, grads = model.loss(X, y)
    assert np.array_equal(grads["W1"][0], np.zeros(3)), "sign(0) = 0: a zero weight gets no push"
    assert np.allclose(grads["W1"][1:], 0.5 * np.sign(model.params["W1"][1:]))


@pytest.mark.parametrize("config", ["relu", "batchnorm+reg", "dropout", "batchnorm+l1+reg"])
def test_float32_in_float32_out(config):
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((16, 10)), rng.integers(0, 4, 16)  # float64 data on purpose
    kwargs = dict(NET_CONFIGS[config], reg=np.float64(NET_CONFIGS[config].get("reg", 0.0)),
                  l1=np.float64(NET_CONFIGS[config].get("l1", 0.0)))
    model = FullyConnectedNet([12, 8], 10, 4, seed=0, **kwargs)
    assert all(v.dtype == np.float32 for v in model.params.values())
    loss, grads = model.loss(X.astype(np.float32), y)
    assert isinstance(loss, np.float32), f"loss is {type(loss).__name__}, expected np.float32"
    assert {k: g.dtype for k, g in grads.items()} == {k: np.dtype(np.float32) for k in grads}
    assert model.loss(X).dtype == np.float32, "float64 input must not make float64 scores"
    assert model.loss(X, y)[0].dtype == np.float32


def test_batchnorm_and_dropout_follow_the_mode():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((20, 5)), rng.integers(0, 3, 20)
    model = FullyConnectedNet([9], 5, 3, normalization="batchnorm", keep_prob=0.5, seed=0)
    assert np.array_equal(model.loss(X), model.loss(X)), "test mode (no y) must be deterministic"
    running = model.bn_params[0].get("running_mean")
    assert running is None or not running.any(), "scores (test mode) updated the running mean"
    first, _ = model.loss(X, y)
    assert model.bn_params[0]["running_mean"].any(), "loss(X, y) must run batchnorm in train mode"
    second, _ = model.loss(X, y)
    assert first != second, "training calls should draw fresh dropout masks"
    fixed = FullyConnectedNet([9], 5, 3, keep_prob=0.5, seed=0, dropout_seed=7)
    assert fixed.loss(X, y)[0] == fixed.loss(X, y)[0], "dropout_seed must fix the mask"


def test_seed_reproducible_and_predict_shapes():
    a = FullyConnectedNet([10, 10], 4, 3, seed=11)
    b = FullyConnectedNet([10, 10], 4, 3, seed=11)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    X = np.random.default_rng(0).standard_normal((7, 4))
    assert a.predict(X).shape == (7,)
    assert [h.shape for h in a.hidden_activations(X)] == [(7, 10), (7, 10)]


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        FullyConnectedNet([4], 2, 2, activation="softplus")
    with pytest.raises(ValueError, match="probability of keeping"):
        FullyConnectedNet([4], 2, 2, keep_prob=0)
    with pytest.raises(ValueError, match="normalization"):
        FullyConnectedNet([4], 2, 2, normalization="layernorm")


def test_learns_xor():
    X, y = logic_gate("XOR")
    model = FullyConnectedNet([8], 2, 2, activation="tanh", seed=0)
    train(model, (X, y), Adam(lr=0.05), batch_size=4, epochs=300, seed=0, verbose=False)
    assert np.array_equal(model.predict(X), y), (
        f"a 2-8-2 tanh net should fit XOR exactly; predicted {model.predict(X)} for {y}")


def test_learns_the_spiral():
    X, y = make_spiral(300, noise=0.2, seed=0)
    model = FullyConnectedNet([100], 2, 3, seed=0)
    history = train(model, (X, y), Adam(lr=1e-2), batch_size=32, epochs=60, seed=0, verbose=False)
    accuracy = np.mean(model.predict(X) == y)
    assert accuracy >= 0.95, (f"a 100-unit ReLU net should fit the 3-arm spiral (>= 95 % train "
                              f"accuracy), got {accuracy:.1%}; loss went {history['loss'][0]:.3f} "
                              f"-> {history['loss'][-1]:.3f}")


def _lesson_layers():
    """The layer functions as the lessons' solution cells define them (02, 04, 07, 08), run
    from the source notebooks: the student's functions, with the lessons' signatures."""
    from pathlib import Path

    import nbformat

    from nnref.nets import LAYER_FUNCTIONS

    namespace = {"np": np}
    for lesson in ("02_forward_pass", "04_backprop", "07_batchnorm", "08_dropout"):
        path = Path(__file__).parents[1] / "source" / lesson / f"{lesson}.ipynb"
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in LAYER_FUNCTIONS:
                exec(cell.source, namespace)
    return namespace


@pytest.mark.parametrize("options", [
    dict(activation="relu", normalization="batchnorm", reg=0.1),
    dict(activation="tanh", l1=0.01),
    dict(activation="elu", keep_prob=0.7, dropout_seed=3),
    dict(activation="sigmoid", keep_prob=0.8, dropout_seed=1, normalization="batchnorm"),
])
def test_a_students_layer_functions_train_the_same_net(options):
    from nnref import layers
    from nnref.nets import LAYER_FUNCTIONS

    lesson = _lesson_layers()
    assert set(LAYER_FUNCTIONS) <= set(lesson), "every layer function a net calls is a lesson's exercise"
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((9, 5)), rng.integers(0, 3, size=9)
    ours = FullyConnectedNet([6, 4], 5, 3, dtype=np.float64, seed=2, **options)
    theirs = FullyConnectedNet([6, 4], 5, 3, dtype=np.float64, seed=2, layers=lesson, **options)
    assert theirs.own_layers == list(LAYER_FUNCTIONS) and ours.own_layers == []
    assert theirs.layers.affine_forward is lesson["affine_forward"]
    assert theirs.layers.affine_forward is not layers.affine_forward
    loss, grads = ours.loss(X, y)
    their_loss, their_grads = theirs.loss(X, y)
    assert rel_error(loss, their_loss) < 1e-12
    for name in grads:
        assert rel_error(grads[name], their_grads[name]) < 1e-10, name
    np.testing.assert_allclose(theirs.loss(X), ours.loss(X), rtol=1e-12)


def test_the_students_functions_are_the_ones_called():
    """Functions the namespace lacks are nnref's; those it has are called with the lesson's
    arguments: affine_backward(dout, cache) on every layer, the first one included."""
    from nnref import layers

    calls = []

    def affine_backward(dout, cache):
        calls.append(len(cache))
        return layers.affine_backward(dout, cache)

    net = FullyConnectedNet([4], 3, 2, seed=0, layers={"affine_backward": affine_backward, "np": np})
    assert net.own_layers == ["affine_backward"] and net.layers.relu_forward is layers.relu_forward
    net.loss(np.ones((2, 3)), np.array([0, 1]))
    assert calls == [2, 2], "one call per affine layer, each with dout and cache only"
