"""nnref.losses: softmax stability, cross-entropy value and gradient, the MSE convention."""
import warnings

import numpy as np
import pytest

from nnref.checks import check_rel_error
from nnref.gradcheck import numerical_gradient
from nnref.losses import mse, softmax, softmax_cross_entropy


def test_softmax_small_example_by_hand():
    p = softmax(np.array([[0.0, np.log(3.0)], [np.log(2.0), np.log(2.0)]]))
    np.testing.assert_allclose(p, [[0.25, 0.75], [0.5, 0.5]])


def test_softmax_rows_sum_to_one_and_ignore_a_constant_shift():
    s = np.random.default_rng(0).standard_normal((5, 7))
    np.testing.assert_allclose(softmax(s).sum(axis=1), 1)
    np.testing.assert_allclose(softmax(s + 123.0), softmax(s))


def test_softmax_is_stable_at_logits_near_1000():
    s = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1001.0, -999.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(s)
    expected = np.exp([1.0, 2.0, 0.0]) / np.exp([1.0, 2.0, 0.0]).sum()
    np.testing.assert_allclose(p, [expected, expected[[0, 2, 1]]])


def test_softmax_of_one_vector():
    np.testing.assert_allclose(softmax(np.array([0.0, np.log(3.0)])), [0.25, 0.75])


def test_cross_entropy_value_by_hand():
    # probabilities [0.25, 0.75] and [0.5, 0.5]; labels 1 and 0
    scores = np.array([[0.0, np.log(3.0)], [np.log(2.0), np.log(2.0)]])
    loss, dscores = softmax_cross_entropy(scores, np.array([1, 0]))
    np.testing.assert_allclose(loss, -(np.log(0.75) + np.log(0.5)) / 2)
    np.testing.assert_allclose(dscores, [[0.125, -0.125], [-0.25, 0.25]])   # (p - one_hot) / N


def test_cross_entropy_of_uniform_scores_is_log_c():
    loss, _ = softmax_cross_entropy(np.zeros((4, 10)), np.arange(4))
    np.testing.assert_allclose(loss, np.log(10))


def test_cross_entropy_gradient_matches_numerical_gradient():
    r = np.random.default_rng(1)
    scores, y = r.standard_normal((5, 4)), r.integers(0, 4, 5)
    _, dscores = softmax_cross_entropy(scores, y)
    numeric = numerical_gradient(lambda s: softmax_cross_entropy(s, y)[0], scores)
    check_rel_error(dscores, numeric, "dscores", 1e-7)


def test_cross_entropy_is_finite_for_a_confident_wrong_answer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dscores = softmax_cross_entropy(np.array([[1000.0, 0.0, -1000.0]]), np.array([2]))
    np.testing.assert_allclose(loss, 2000.0)
    np.testing.assert_allclose(dscores, [[1.0, 0.0, -1.0]])


@pytest.mark.parametrize("y, words", [
    (np.array([0, 1]), r"shape \(3,\)"),
    (np.array([0.0, 1.0, 2.0]), "integer"),
    (np.eye(3, dtype=int), "argmax"),
    (np.array([0, 1, 3]), r"\[0, 3\)"),
    (np.array([0, -1, 2]), r"\[0, 3\)"),
])
def test_cross_entropy_names_bad_labels(y, words):
    with pytest.raises(ValueError, match=words):
        softmax_cross_entropy(np.zeros((3, 3)), y)


def test_mse_example_from_the_foundation_issue():
    loss, dpred = mse(np.array([11.0, 19.0, 30.0, 43.0, 47.0]), np.array([10.0, 20.0, 30.0, 40.0, 50.0]))
    assert loss == pytest.approx(4.0)    # (1 + 1 + 0 + 9 + 9) / 5
    np.testing.assert_allclose(dpred, 2 * np.array([1.0, -1.0, 0.0, 3.0, -3.0]) / 5)


def test_mse_column_predictions_with_1d_targets_do_not_broadcast():
    pred = np.array([[11.0], [19.0], [30.0], [43.0], [47.0]])
    loss, dpred = mse(pred, np.array([10, 20, 30, 40, 50]))
    assert loss == pytest.approx(4.0)
    assert dpred.shape == (5, 1)


def test_mse_gradient_matches_numerical_gradient():
    r = np.random.default_rng(2)
    pred, target = r.standard_normal((4, 3)), r.standard_normal((4, 3))
    _, dpred = mse(pred, target)
    check_rel_error(dpred, numerical_gradient(lambda p: mse(p, target)[0], pred), "dpred", 1e-7)


def test_mse_rejects_shapes_that_would_broadcast():
    with pytest.raises(ValueError, match="same shape"):
        mse(np.zeros((5, 2)), np.zeros(5))


def test_losses_keep_float32():
    scores = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    assert softmax(scores).dtype == np.float32
    loss, dscores = softmax_cross_entropy(scores, np.array([0, 1, 2, 0]))
    assert loss.dtype == np.float32 and dscores.dtype == np.float32, (loss.dtype, dscores.dtype)
    loss, dpred = mse(scores, np.zeros((4, 3)))           # float64 targets do not upcast
    assert loss.dtype == np.float32 and dpred.dtype == np.float32, (loss.dtype, dpred.dtype)
