"""nnref.schedules: values at given epochs, the trainer's call pattern, clear errors."""
import numpy as np
import pytest

from nnref.checks import without_reference
from nnref.optim import SGD
from nnref.schedules import ExponentialDecay, InverseTimeDecay, StepDecay


def test_step_decay():
    schedule = StepDecay(lr0=0.1, drop=0.5, every=3)
    lrs = [schedule(epoch) for epoch in range(7)]
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])


def test_exponential_decay():
    schedule = ExponentialDecay(lr0=0.2, decay=0.5)
    np.testing.assert_allclose([schedule(e) for e in range(4)], [0.2, 0.1, 0.05, 0.025])


def test_inverse_time_decay_and_its_power():
    schedule = InverseTimeDecay(lr0=1.0, rate=0.5)
    np.testing.assert_allclose([schedule(e) for e in (0, 2, 6)], [1.0, 0.5, 0.25])
    squared = InverseTimeDecay(lr0=1.0, rate=0.5, power=2.0)
    np.testing.assert_allclose([squared(e) for e in (0, 2, 6)], [1.0, 0.25, 0.0625])


def test_the_trainer_call_pattern_sets_the_optimizer_lr():
    optimizer, schedule = SGD(lr=0.1), StepDecay(lr0=0.1, drop=0.1, every=1)
    params, seen = {"w": np.array([0.0])}, []
    for epoch in range(3):
        optimizer.lr = schedule(epoch)
        optimizer.step(params, {"w": np.array([-1.0])})     # moves w by +lr
        seen.append(params["w"][0])
    np.testing.assert_allclose(seen, [0.1, 0.11, 0.111])


@pytest.mark.parametrize("make, words", [
    (lambda: StepDecay(lr0=0.0), "lr0 must be positive"),
    (lambda: StepDecay(lr0=0.1, drop=2.0), r"drop must be in \(0, 1\]"),
    (lambda: StepDecay(lr0=0.1, every=0), "every must be a whole number"),
    (lambda: ExponentialDecay(lr0=0.1, decay=0.0), r"decay must be in \(0, 1\]"),
    (lambda: InverseTimeDecay(lr0=0.1, rate=-1.0), "rate must be >= 0"),
    (lambda: InverseTimeDecay(lr0=0.1, power=0.0), "power must be positive"),
    (lambda: ExponentialDecay(lr0=0.1)(-1), "epoch must be a number >= 0"),
])
def test_bad_arguments_are_named(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_schedules_show_their_settings():
    assert repr(StepDecay(0.1, 0.5, 10)) == "StepDecay(lr0=0.1, drop=0.5, every=10)"


@pytest.mark.parametrize("cls", [StepDecay, ExponentialDecay, InverseTimeDecay])
def test_schedules_can_be_guarded_by_without_reference(cls):
    # a notebook may grade a schedule: no method may be a closure (dataclasses' are)
    with without_reference(cls):
        with pytest.raises(AssertionError, match="reference implementation"):
            cls(0.1)(3)
    assert cls(0.1)(0) == 0.1
