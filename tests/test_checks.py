"""nnref.checks: each check passes good answers and fails bad ones with a teaching message;
without_reference blocks nnref's implementation inside the block and restores it after."""
import numpy as np
import pytest

from nnref import checks, gradcheck, init, layers, losses, optim, schedules
from nnref.checks import (check_close, check_equal, check_rel_error, check_shape, check_structure,
                          without_reference)


def message_of(check, *args, **kwargs):
    with pytest.raises(AssertionError) as failure:
        check(*args, **kwargs)
    return str(failure.value)


# ----------------------------------------------------------------------------- passing answers

def test_correct_answers_pass_silently():
    check_close([1.0, 2.0], np.array([1.0, 2.0 + 1e-9]), "out")
    check_close(np.float32(0.1), 0.1, "loss", rtol=1e-6)
    check_shape(np.zeros((2, 3)), (2, 3), "dw")
    check_rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), "dx")
    check_equal(np.array([1, 2]), np.array([1, 2]), "labels")
    check_equal("relu", "relu", "name")


# ----------------------------------------------------------------------------- messages

def test_check_close_says_expected_got_where_and_why():
    text = message_of(check_close, np.array([1.0, 2.0]), np.array([1.0, 2.5]), "affine_forward output",
                      cause="did you add the bias b to every row?")
    assert text.startswith("affine_forward output: expected array([1. , 2.5])")
    assert "but got array([1., 2.])" in text
    assert "1 of 2 entries differ; the largest difference is 0.5 at index (1,)" in text
    assert text.endswith("Usual cause: did you add the bias b to every row?")


def test_check_close_names_a_missing_return():
    text = message_of(check_close, None, np.ones(2), "relu_forward output")
    assert "expected an array" in text and "but got None" in text and "no `return`" in text


def test_check_close_names_an_unpacking_mistake():
    text = message_of(check_close, (np.ones(2), "cache"), np.ones(2), "relu_forward output")
    assert "a tuple of 2 items" in text and "out, cache = ..." in text


def test_check_close_names_overflow():
    text = message_of(check_close, np.array([np.inf, 1.0]), np.array([1.0, 1.0]), "softmax")
    assert "expected finite numbers" in text and "overflow" in text


def test_check_close_names_a_non_numeric_answer():
    assert "expected an array of numbers" in message_of(check_close, "abc", np.array(1.0), "x")


def test_check_close_checks_the_shape_first_with_the_usual_causes():
    text = message_of(check_close, np.ones((2, 3)), np.ones((3, 2)), "dw")
    assert "dw shape: expected (3, 2)" in text and "but got (2, 3)" in text and "transposed" in text


def test_check_close_tolerances_are_honoured():
    check_close(np.array([1.001]), np.array([1.0]), "x", rtol=1e-2)
    assert "entries differ" in message_of(check_close, np.array([1.001]), np.array([1.0]), "x")


def test_check_shape_uses_the_given_cause():
    text = message_of(check_shape, np.ones(3), (3, 1), "db", cause="keep the batch axis")
    assert "db shape: expected (3, 1)" in text and "Usual cause: keep the batch axis" in text


def test_check_rel_error_reports_the_error_and_both_arrays():
    text = message_of(check_rel_error, np.array([1.0, 2.0]), np.array([1.0, 2.1]), "dx",
                      cause="a missing factor")
    assert "dx: expected relative error <= 1e-07 against the reference" in text
    assert "but got relative error 0.0244" in text
    assert "expected array([1. , 2.1]), got array([1., 2.])" in text
    assert "Usual cause: a missing factor" in text


def test_check_rel_error_fails_on_nan():
    assert "relative error nan" in message_of(check_rel_error, np.array([np.nan]), np.array([1.0]), "dx")


def test_check_equal_messages():
    assert message_of(check_equal, 3, 4, "count") == "count: expected 4\n  but got 3"
    text = message_of(check_equal, np.array([1, 2]), np.array([1, 2, 3]), "labels", cause="off by one")
    assert "expected array([1, 2, 3])" in text and "Usual cause: off by one" in text


def test_long_arrays_are_shortened_in_messages():
    text = message_of(check_close, np.zeros(1000), np.ones(1000), "big")
    assert "..." in text and len(text) < 1500


# ----------------------------------------------------------------------------- without_reference

def test_without_reference_blocks_inside_and_restores_after():
    x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.zeros(4)
    expected, _ = layers.affine_forward(x, w, b)
    with without_reference(layers.affine_forward):
        with pytest.raises(AssertionError) as failure:
            layers.affine_forward(x, w, b)
    assert "nnref.layers.affine_forward" in str(failure.value)
    assert "Write it yourself with numpy" in str(failure.value)
    np.testing.assert_array_equal(layers.affine_forward(x, w, b)[0], expected)


def test_without_reference_catches_names_imported_earlier():
    from nnref.layers import relu_forward as imported_before
    with without_reference(layers.relu_forward):
        with pytest.raises(AssertionError, match="reference implementation"):
            imported_before(np.ones(2))
    np.testing.assert_array_equal(imported_before(np.array([-1.0, 2.0]))[0], [0.0, 2.0])


def test_without_reference_restores_after_an_error_in_the_block():
    with pytest.raises(ZeroDivisionError):
        with without_reference(losses.softmax):
            raise ZeroDivisionError
    np.testing.assert_allclose(losses.softmax(np.zeros(2)), [0.5, 0.5])


def test_without_reference_restores_a_function_guarded_twice():
    with without_reference(layers.tanh_forward, layers.tanh_forward):
        pass
    np.testing.assert_allclose(layers.tanh_forward(np.zeros(1))[0], [0.0])


def test_without_reference_guards_every_method_of_a_class():
    with without_reference(optim.Momentum):
        with pytest.raises(AssertionError, match="nnref.optim.Momentum"):
            optim.Momentum(0.1)
    assert optim.Momentum(0.1).lr == 0.1


def test_without_reference_refuses_closures_and_restores_what_it_had_guarded():
    def make():
        k = 2
        return lambda x: k * x

    closure = make()
    with pytest.raises(TypeError, match="closure"):
        with without_reference(layers.sigmoid_forward, closure):
            pass
    np.testing.assert_allclose(layers.sigmoid_forward(np.zeros(1))[0], [0.5])


def _public(module):
    return [getattr(module, name) for name in module.__all__]


@pytest.mark.parametrize("module", [layers, losses, gradcheck, init, optim, schedules],
                         ids=lambda m: m.__name__)
def test_every_public_name_of_the_numerical_core_can_be_guarded(module):
    targets = [t for t in _public(module) if t is not checks.rel_error]   # checks uses it itself
    with without_reference(*targets):
        pass


def test_without_reference_guards_methods_that_call_super():
    from nnref.nets import TwoLayerNet
    with without_reference(TwoLayerNet):
        with pytest.raises(AssertionError, match="TwoLayerNet"):
            TwoLayerNet(4, 3, 2)
    net = TwoLayerNet(4, 3, 2)
    assert set(net.params) == {"W1", "b1", "W2", "b2"}, "TwoLayerNet must work again after the block"


# ----------------------------------------------------------------------------- raw values, rules outside

def test_check_structure_compares_containers_keys_dtypes_and_kinds_with_an_example():
    x, w = np.ones((2, 3)), np.ones((3, 4))
    check_structure((x, w), (x, w), "cache")
    check_structure([x, w], (x, w), "cache")  # a list where a tuple is expected: alike
    check_structure(0.5, 0.0, "penalty")
    check_structure(np.float64(0.5), 0.0, "penalty")  # np.float64 is a Python float
    check_structure((x, "anything"), (None, None), "a pair", depth=1)
    assert message_of(check_structure, (x, w, 1), (x, w), "cache", "cache = (x, w).") == (
        "cache: expected a tuple of 2 items\n  but got a tuple of 3 items\nUsual cause: cache = (x, w).")
    assert "cache [1]: expected an array of float64\n  but got an array of float32" in message_of(
        check_structure, (x, w.astype(np.float32)), (x, w), "cache")
    assert "expected the keys ['W1', 'b1']\n  but got 1 keys, without ['b1']" in message_of(
        check_structure, {"W1": w}, {"W1": w, "b1": x}, "grads")
    assert "expected a float\n  but got a float32 number" in message_of(check_structure, np.float32(1), 0.0, "penalty")
    assert "expected None\n  but got an array of float64" in message_of(check_structure, x, None, "mask")


def test_check_same_and_check_differ_compare_two_of_the_students_values():
    from nnref.checks import check_differ, check_same
    a = np.arange(3.0)
    check_same(a, a.copy(), "twice")
    check_same(a, a + 1e-9, "twice", atol=1e-6)
    check_differ(a, a + 1, "two draws")
    assert message_of(check_same, a, a + 1, "rng=3 twice").startswith("rng=3 twice: expected the same values twice")
    assert message_of(check_differ, a, a.copy(), "two draws").startswith(
        "two draws: expected two different values\n  but got the same twice")


def test_a_statistic_of_the_raw_value_is_computed_by_the_rule():
    from nnref.checks import STATISTICS, check_at_most
    W = np.random.default_rng(0).normal(size=20_000) * 0.1
    check_close(W, 0.1, "std of W", rtol=0.03, of="std")
    assert message_of(check_close, W * 2, 0.1, "std of W", rtol=0.03, of="std").startswith(
        "std of W: expected 0.1\n  but got 0.199")
    check_at_most(np.linspace(2.0, 1.0, 25), 0.8, "the loss falls", of="last fifth's mean / first fifth's mean")
    assert "expected at most 0.8" in message_of(check_at_most, np.ones(25), 0.8, "the loss falls",
                                                of="last fifth's mean / first fifth's mean")
    assert abs(STATISTICS["standardized fourth moment"](W) - 3.0) < 0.1
    assert STATISTICS["share of nonzero entries"](np.array([0.0, 1.0, 2.0, 0.0])) == 0.5
    # lesson 07: a batch-norm output's means over the batch; lesson 08: a dropout output's values
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    check_close(x, [2.0, 4.0], "the mean of each feature", of="mean of each column")
    assert message_of(check_close, x, [0.0, 0.0], "the mean of each feature", of="mean of each column").startswith(
        "the mean of each feature: expected array([0., 0.])\n  but got array([2., 4.])")
    check_close(np.array([[0.0, 1.25], [1.25, 1.25 + 1e-12]]), [0.0, 1.25], "the values", of="distinct values")
    assert message_of(check_close, np.ones((3, 3)), [0.0, 1.25], "the values", of="distinct values").startswith(
        "the values shape: expected (2,)\n  but got (1,)")
    with pytest.raises(ValueError, match="is not a statistic the grader knows"):
        check_close(W, 0.1, "std", of="stdev")


def test_the_statistics_of_a_step_and_of_probabilities():
    # lesson 01: a step's outputs are 0s and 1s (ints, floats or bools); lesson 03: softmax rows sum to 1
    share = "share of entries other than 0 and 1"
    check_close(np.array([0, 1, 1, 0]), 0.0, "outputs", atol=0.0, of=share)
    check_close(np.array([True, False]), 0.0, "outputs", atol=0.0, of=share)
    assert message_of(check_close, np.array([-0.7, -0.2, 0.0, 1.0]), 0.0, "outputs", atol=0.0,
                      of=share).startswith("outputs: expected 0\n  but got 0.5")
    check_close(np.array([[0.2, 0.8], [0.5, 0.5]]), [1.0, 1.0], "row sums", of="row sums")
    assert message_of(check_close, np.array([[0.1, 0.4], [0.4, 0.1]]), [1.0, 1.0], "row sums",
                      of="row sums").startswith("row sums: expected array([1., 1.])\n  but got array([0.5, 0.5])")
