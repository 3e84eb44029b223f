"""nnref.gradcheck: numerical gradients of known functions, x restored, clear errors."""
import numpy as np
import pytest

from nnref import checks, gradcheck
from nnref.gradcheck import numerical_gradient, numerical_gradient_array, rel_error


def test_rel_error_is_the_one_in_checks():
    assert gradcheck.rel_error is checks.rel_error


def test_rel_error_values():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)      # 2 / 4
    assert rel_error(np.array([0.0, 1.0]), np.array([0.0, 1.1])) == pytest.approx(0.1 / 2.1)


def test_numerical_gradient_of_a_quadratic():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    grad = numerical_gradient(lambda v: 0.5 * v @ a @ v, x)
    np.testing.assert_allclose(grad, a @ x, rtol=1e-8)


def test_numerical_gradient_of_a_matrix_argument():
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x), rtol=1e-8)


def test_numerical_gradient_array_is_the_vector_jacobian_product():
    x = np.random.default_rng(1).standard_normal((3, 4))
    dout = np.random.default_rng(2).standard_normal((3, 4))
    np.testing.assert_allclose(numerical_gradient_array(np.tanh, x, dout), dout * (1 - np.tanh(x) ** 2), rtol=1e-7)


def test_numerical_gradient_array_when_f_returns_x_itself():
    # f returning a view of x must not alias the plus and minus evaluations
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient_array(lambda v: v, x, np.array([1.0, 2.0, 3.0])), [1, 2, 3])


def test_centered_not_forward_differences():
    # for x**3 at 1, forward differences are off by ~3h = 3e-5; centered by h**2 = 1e-10
    grad = numerical_gradient(lambda v: np.sum(v ** 3), np.array([1.0]))
    assert abs(grad[0] - 3.0) < 1e-8, grad


def test_x_is_restored_even_when_f_fails():
    x = np.array([1.0, 2.0])
    saved = x.copy()
    numerical_gradient(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, saved)
    calls = []

    def fails_on_second_call(v):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError):
        numerical_gradient(fails_on_second_call, x)
    np.testing.assert_array_equal(x, saved)


@pytest.mark.parametrize("x", [np.array([1, 2]), [1.0, 2.0]])
def test_non_float_arrays_are_refused_with_the_fix(x):
    with pytest.raises(TypeError, match=r"np.asarray\(x, dtype=np.float64\)"):
        numerical_gradient(lambda v: float(np.sum(v)), x)


def test_array_valued_f_in_numerical_gradient_points_to_the_array_version():
    with pytest.raises(ValueError, match="numerical_gradient_array"):
        numerical_gradient(lambda v: v * 2, np.array([1.0, 2.0]))


def test_dout_of_the_wrong_shape_is_named():
    with pytest.raises(ValueError, match="dout must have the shape of f"):
        numerical_gradient_array(lambda v: v * 2, np.array([1.0, 2.0]), np.ones(3))
