"""nnref.init: shapes, dtypes, standard deviations and the normal shape over a large draw,
seeding, errors."""
import numpy as np
import pytest

from nnref import init

FAN_IN, FAN_OUT = 400, 300     # 120,000 draws: the sample std is within ~0.2% of the true one

EXPECTED_STD = {
    "small_random": 0.01,
    "standard_normal": 1.0,
    "xavier": 1 / np.sqrt(FAN_IN),
    "glorot": np.sqrt(2 / (FAN_IN + FAN_OUT)),
    "he": np.sqrt(2 / FAN_IN),
}


@pytest.mark.parametrize("name", EXPECTED_STD)
def test_statistics_of_a_large_draw(name):
    w = getattr(init, name)(FAN_IN, FAN_OUT, rng=0)
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float64
    std = EXPECTED_STD[name]
    assert abs(w.std() / std - 1) < 0.01, f"{name}: std {w.std():.4g}, expected {std:.4g}"
    assert abs(w.mean()) < 0.02 * std, f"{name}: mean {w.mean():.3g}, expected ~0"


@pytest.mark.parametrize("name", EXPECTED_STD)
def test_the_draws_are_normal_not_uniform(name):
    w = getattr(init, name)(FAN_IN, FAN_OUT, rng=3)
    assert type(w) is np.ndarray
    z = (w - w.mean()) / w.std()
    # normal: 4.55% beyond 2 std (6 standard errors 0.0036), kurtosis 3 (8 standard errors
    # 8 sqrt(24 / n) = 0.11); uniform: 0% and 1.8
    assert abs(np.mean(np.abs(z) > 2) - 0.0455) < 0.0036
    assert abs(np.mean(z ** 4) - 3.0) < 8 * np.sqrt(24 / w.size)


@pytest.mark.parametrize("name", EXPECTED_STD)
def test_float32_on_request(name):
    w = getattr(init, name)(20, 10, rng=1, dtype=np.float32)
    assert w.dtype == np.float32 and w.shape == (20, 10)


def test_he_is_xavier_times_sqrt_2_from_the_same_draw():
    np.testing.assert_allclose(init.he(50, 40, rng=2), np.sqrt(2) * init.xavier(50, 40, rng=2))


def test_seeds_and_generators_reproduce_draws():
    np.testing.assert_array_equal(init.xavier(5, 4, rng=3), init.xavier(5, 4, rng=3))
    np.testing.assert_array_equal(init.xavier(5, 4, rng=np.random.default_rng(3)), init.xavier(5, 4, rng=3))
    generator = np.random.default_rng(4)
    assert not np.array_equal(init.he(5, 4, rng=generator), init.he(5, 4, rng=generator))
    assert not np.array_equal(init.he(5, 4), init.he(5, 4))     # rng=None: fresh randomness


@pytest.mark.parametrize("fan_in, fan_out, words", [
    (0, 3, "fan_in must be a positive integer"),
    (3, 2.5, "fan_out must be a positive integer"),
    ((3, 4), 2, "fan_in must be a positive integer"),
])
def test_bad_fans_are_named(fan_in, fan_out, words):
    with pytest.raises(ValueError, match=words):
        init.xavier(fan_in, fan_out)


def test_bad_dtype_is_named():
    with pytest.raises(ValueError, match="np.float32 or np.float64"):
        init.he(3, 2, dtype=np.int64)
