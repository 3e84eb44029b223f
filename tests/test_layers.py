"""nnref.layers: values, gradients against centered differences, modes, dtypes, errors."""
import warnings

import numpy as np
import pytest

from nnref import layers
from nnref.checks import check_rel_error
from nnref.gradcheck import numerical_gradient_array

TOL = 1e-7   # relative error of a correct backward pass in float64, away from kinks


def rng(seed=0):
    return np.random.default_rng(seed)


def away_from_zero(shape, seed=0):
    """Inputs with |x| in [0.1, 2]: no finite difference straddles the kink at 0."""
    r = rng(seed)
    return r.uniform(0.1, 2.0, shape) * r.choice([-1.0, 1.0], shape)


# ----------------------------------------------------------------------------- affine

def test_affine_forward_small_example_by_hand():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    b = np.array([0.0, 1.0, -2.0])
    out, _ = layers.affine_forward(x, w, b)
    # row 0: [1 + 1, 4 + 1, -1 + 2 - 2]; row 1: [3 + 2, 8 + 1, -3 + 4 - 2]
    np.testing.assert_allclose(out, [[2.0, 5.0, -1.0], [5.0, 9.0, -1.0]])


def test_affine_flattens_each_example():
    x = rng().standard_normal((4, 2, 3))
    w = rng(1).standard_normal((6, 5))
    b = rng(2).standard_normal(5)
    out, _ = layers.affine_forward(x, w, b)
    np.testing.assert_allclose(out, x.reshape(4, 6) @ w + b)


def test_affine_backward_matches_numerical_gradients():
    r = rng(3)
    x, w, b = r.standard_normal((4, 2, 3)), r.standard_normal((6, 5)), r.standard_normal(5)
    dout = r.standard_normal((4, 5))
    _, cache = layers.affine_forward(x, w, b)
    dx, dw, db = layers.affine_backward(dout, cache)
    assert dx.shape == x.shape, "dx must have x's original (unflattened) shape"
    check_rel_error(dx, numerical_gradient_array(lambda v: layers.affine_forward(v, w, b)[0], x, dout), "dx", TOL)
    check_rel_error(dw, numerical_gradient_array(lambda v: layers.affine_forward(x, v, b)[0], w, dout), "dw", TOL)
    check_rel_error(db, numerical_gradient_array(lambda v: layers.affine_forward(x, w, v)[0], b, dout), "db", TOL)


@pytest.mark.parametrize("x_shape, w_shape, b_shape, words", [
    ((4, 6), (5, 3), (3,), "does not fit"),
    ((6,), (6, 3), (3,), "batch axis"),
    ((4, 6), (6, 3), (4,), "one bias per output"),
])
def test_affine_forward_names_shape_mistakes(x_shape, w_shape, b_shape, words):
    with pytest.raises(ValueError, match=words):
        layers.affine_forward(np.ones(x_shape), np.ones(w_shape), np.ones(b_shape))


# ----------------------------------------------------------------------------- activations

ACTIVATIONS = ["relu", "sigmoid", "tanh", "leaky_relu", "elu"]


def forward(name):
    return getattr(layers, f"{name}_forward")


def backward(name):
    return getattr(layers, f"{name}_backward")


def test_activation_values_by_hand():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(layers.relu_forward(x)[0], [0.0, 0.0, 3.0])
    np.testing.assert_allclose(layers.leaky_relu_forward(x)[0], [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(layers.leaky_relu_forward(x, alpha=0.5)[0], [-1.0, 0.0, 3.0])
    np.testing.assert_allclose(layers.elu_forward(x)[0], [np.exp(-2.0) - 1, 0.0, 3.0])
    np.testing.assert_allclose(layers.elu_forward(x, alpha=2.0)[0], [2 * (np.exp(-2.0) - 1), 0.0, 3.0])
    np.testing.assert_allclose(layers.sigmoid_forward(x)[0], 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(layers.tanh_forward(x)[0], np.tanh(x))


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_backward_matches_numerical_gradient(name):
    x = away_from_zero((3, 4), seed=4)
    dout = rng(5).standard_normal((3, 4))
    _, cache = forward(name)(x)
    dx = backward(name)(dout, cache)
    check_rel_error(dx, numerical_gradient_array(lambda v: forward(name)(v)[0], x, dout), f"{name} dx", TOL)


def test_gradient_at_exactly_zero_follows_the_documented_convention():
    # the kink: relu and leaky relu take the left-hand slope (0 and alpha) at x = 0
    x, dout = np.array([0.0]), np.array([2.0])
    np.testing.assert_array_equal(layers.relu_backward(dout, layers.relu_forward(x)[1]), [0.0])
    np.testing.assert_array_equal(layers.leaky_relu_backward(dout, layers.leaky_relu_forward(x)[1]), [0.02])


@pytest.mark.parametrize("name, alpha", [("leaky_relu", 0.2), ("elu", 0.5)])
def test_activation_alpha_reaches_the_backward(name, alpha):
    x = away_from_zero((3, 4), seed=6)
    dout = rng(7).standard_normal((3, 4))
    _, cache = forward(name)(x, alpha=alpha)
    dx = backward(name)(dout, cache)
    numeric = numerical_gradient_array(lambda v: forward(name)(v, alpha=alpha)[0], x, dout)
    check_rel_error(dx, numeric, f"{name} dx with alpha={alpha}", TOL)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_is_finite_and_silent_at_large_inputs(name):
    x = np.array([-1000.0, -50.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # an overflow RuntimeWarning fails the test
        out, cache = forward(name)(x)
        dx = backward(name)(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx)), (out, dx)


def test_sigmoid_saturates_to_exactly_zero_and_one():
    out, _ = layers.sigmoid_forward(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


# ----------------------------------------------------------------------------- batchnorm

def bn_inputs(seed=8, n=6, d=4):
    r = rng(seed)
    return 3 + 2 * r.standard_normal((n, d)), r.uniform(0.5, 2, d), r.standard_normal(d)


def test_batchnorm_train_normalizes_each_feature_then_scales_and_shifts():
    x, _, _ = bn_inputs(n=200)
    out, _ = layers.batchnorm_forward(x, np.ones(4), np.zeros(4), {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)   # eps shrinks it a little
    gamma, beta = np.array([1.0, 2.0, 3.0, 4.0]), np.array([-1.0, 0.0, 1.0, 2.0])
    scaled, _ = layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(scaled, gamma * out + beta)


def test_batchnorm_running_statistics_created_and_updated_in_bn_param():
    x, gamma, beta = bn_inputs()
    bn_param = {"mode": "train"}
    layers.batchnorm_forward(x, gamma, beta, bn_param)
    # first call: from running_mean 0 and running_var 1, with momentum 0.9
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(bn_param["running_var"], 0.9 + 0.1 * x.var(axis=0))
    layers.batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_allclose(bn_param["running_mean"], 0.19 * x.mean(axis=0))


def test_batchnorm_running_statistics_approach_the_population_statistics():
    r = rng(9)
    bn_param = {"mode": "train", "momentum": 0.8}
    for _ in range(100):
        layers.batchnorm_forward(5 + 3 * r.standard_normal((500, 2)), np.ones(2), np.zeros(2), bn_param)
    np.testing.assert_allclose(bn_param["running_mean"], 5, atol=0.2)
    np.testing.assert_allclose(bn_param["running_var"], 9, atol=0.9)


def test_batchnorm_test_mode_uses_running_statistics_and_changes_nothing():
    x, gamma, beta = bn_inputs()
    mean, var = np.array([1.0, 2.0, 3.0, 4.0]), np.array([4.0, 1.0, 0.25, 9.0])
    bn_param = {"mode": "test", "running_mean": mean.copy(), "running_var": var.copy(), "eps": 1e-5}
    out, _ = layers.batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_allclose(out, gamma * (x - mean) / np.sqrt(var + 1e-5) + beta)
    np.testing.assert_array_equal(bn_param["running_mean"], mean)
    np.testing.assert_array_equal(bn_param["running_var"], var)
    # one example alone gets the same answer as inside its batch
    alone, _ = layers.batchnorm_forward(x[:1], gamma, beta, bn_param)
    np.testing.assert_allclose(alone, out[:1])


@pytest.mark.parametrize("mode", ["train", "test"])
def test_batchnorm_backward_matches_numerical_gradients(mode):
    x, gamma, beta = bn_inputs(seed=10)
    dout = rng(11).standard_normal(x.shape)
    stats = {"running_mean": rng(12).standard_normal(4), "running_var": rng(13).uniform(0.5, 2, 4)}

    def fwd(x, gamma, beta):
        # a fresh bn_param each call: train mode must not see its own earlier updates
        return layers.batchnorm_forward(x, gamma, beta, {"mode": mode, **stats})[0]

    _, cache = layers.batchnorm_forward(x, gamma, beta, {"mode": mode, **stats})
    dx, dgamma, dbeta = layers.batchnorm_backward(dout, cache)
    check_rel_error(dx, numerical_gradient_array(lambda v: fwd(v, gamma, beta), x, dout), "dx", TOL)
    check_rel_error(dgamma, numerical_gradient_array(lambda v: fwd(x, v, beta), gamma, dout), "dgamma", TOL)
    check_rel_error(dbeta, numerical_gradient_array(lambda v: fwd(x, gamma, v), beta, dout), "dbeta", TOL)


def test_batchnorm_rejects_unknown_mode_and_bad_shapes():
    x, gamma, beta = bn_inputs()
    with pytest.raises(ValueError, match="'train' or 'test'"):
        layers.batchnorm_forward(x, gamma, beta, {"mode": "eval"})
    with pytest.raises(ValueError, match=r"gamma and beta \(D,\)"):
        layers.batchnorm_forward(x, gamma[:3], beta, {"mode": "train"})


# ----------------------------------------------------------------------------- dropout

def test_dropout_keeps_the_right_fraction_and_preserves_the_mean():
    x = np.full((500, 400), 2.0)
    out, _ = layers.dropout_forward(x, {"keep_prob": 0.7, "mode": "train", "seed": 0})
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.005, f"kept fraction {kept.mean():.4f}, expected 0.7"
    np.testing.assert_allclose(out[kept], 2.0 / 0.7)     # inverted: survivors scaled up
    assert abs(out.mean() - 2.0) < 0.02, f"mean {out.mean():.4f}, expected 2.0 (x's mean)"


def test_dropout_test_mode_is_the_identity():
    x = rng(14).standard_normal((5, 6))
    out, cache = layers.dropout_forward(x, {"keep_prob": 0.3, "mode": "test"})
    np.testing.assert_array_equal(out, x)
    dout = rng(15).standard_normal((5, 6))
    np.testing.assert_array_equal(layers.dropout_backward(dout, cache), dout)


def test_dropout_same_seed_same_mask_other_seed_other_mask():
    x = np.ones((20, 30))
    first, _ = layers.dropout_forward(x, {"keep_prob": 0.5, "seed": 1})
    again, _ = layers.dropout_forward(x, {"keep_prob": 0.5, "seed": 1})
    other, _ = layers.dropout_forward(x, {"keep_prob": 0.5, "seed": 2})
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_dropout_with_a_generator_draws_new_masks():
    param = {"keep_prob": 0.5, "seed": np.random.default_rng(3)}
    first, _ = layers.dropout_forward(np.ones((20, 30)), param)
    second, _ = layers.dropout_forward(np.ones((20, 30)), param)
    assert not np.array_equal(first, second)


def test_dropout_keep_prob_one_changes_nothing():
    x = rng(16).standard_normal((4, 5))
    out, _ = layers.dropout_forward(x, {"keep_prob": 1.0, "mode": "train"})
    np.testing.assert_array_equal(out, x)


def test_dropout_backward_matches_numerical_gradient():
    x = rng(17).standard_normal((6, 5))
    dout = rng(18).standard_normal((6, 5))
    param = {"keep_prob": 0.6, "mode": "train", "seed": 4}
    _, cache = layers.dropout_forward(x, param)
    dx = layers.dropout_backward(dout, cache)
    numeric = numerical_gradient_array(lambda v: layers.dropout_forward(v, param)[0], x, dout)
    check_rel_error(dx, numeric, "dropout dx", TOL)


@pytest.mark.parametrize("param, words", [
    ({"p": 0.5}, "keep_prob"),
    ({"keep_prob": 0.0}, r"\(0, 1\]"),
    ({"keep_prob": 1.5}, r"\(0, 1\]"),
    ({"keep_prob": 0.5, "mode": "Train"}, "'train' or 'test'"),
])
def test_dropout_names_bad_parameters(param, words):
    with pytest.raises(ValueError, match=words):
        layers.dropout_forward(np.ones(3), param)


# ----------------------------------------------------------------------------- dtypes

def _float32_runs():
    x = rng(19).standard_normal((4, 3)).astype(np.float32)
    w = rng(20).standard_normal((3, 2)).astype(np.float32)
    b = np.zeros(2, np.float32)
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    yield "affine", lambda: layers.affine_forward(x, w, b), layers.affine_backward, (4, 2)
    for name in ACTIVATIONS:
        yield name, lambda name=name: forward(name)(x), backward(name), (4, 3)
    for mode in ("train", "test"):
        yield (f"batchnorm {mode}", lambda mode=mode: layers.batchnorm_forward(x, gamma, beta, {"mode": mode}),
               layers.batchnorm_backward, (4, 3))
        yield (f"dropout {mode}", lambda mode=mode: layers.dropout_forward(x, {"keep_prob": 0.5, "mode": mode}),
               layers.dropout_backward, (4, 3))


@pytest.mark.parametrize("name, run_forward, run_backward, out_shape",
                         list(_float32_runs()), ids=[r[0] for r in _float32_runs()])
def test_float32_in_float32_out(name, run_forward, run_backward, out_shape):
    out, cache = run_forward()
    assert out.dtype == np.float32, f"{name} forward returned {out.dtype}"
    grads = run_backward(np.ones(out_shape, np.float32), cache)
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert g.dtype == np.float32, f"{name} backward returned {g.dtype}"


def test_batchnorm_running_statistics_keep_float32():
    bn_param = {"mode": "train"}
    x = rng(21).standard_normal((5, 3)).astype(np.float32)
    for _ in range(2):
        layers.batchnorm_forward(x, np.ones(3, np.float32), np.zeros(3, np.float32), bn_param)
    assert bn_param["running_mean"].dtype == np.float32
    assert bn_param["running_var"].dtype == np.float32


def test_affine_backward_can_skip_dx():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    _, cache = layers.affine_forward(x, w, b)
    dout = rng.normal(size=(4, 2))
    dx, dw, db = layers.affine_backward(dout, cache)
    none, dw2, db2 = layers.affine_backward(dout, cache, need_dx=False)
    assert none is None, f"need_dx=False should return dx=None, got {type(none).__name__}"
    np.testing.assert_array_equal(dw, dw2)
    np.testing.assert_array_equal(db, db2)
