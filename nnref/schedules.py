"""Learning-rate schedules: the learning rate as a function of the epoch.

A schedule is a small object called with the epoch number (0 for the first epoch) that
returns the learning rate for that epoch; ``schedule(0)`` is the initial rate ``lr0``.
The trainer calls it once per epoch, before the epoch's first step, and hands the result
to the optimizer::

    optimizer = SGD(lr=0.1)
    schedule = StepDecay(lr0=0.1, drop=0.5, every=10)
    for epoch in range(num_epochs):
        optimizer.lr = schedule(epoch)
        ...   # the epoch's minibatch steps

    StepDecay          lr0 * drop ** floor(epoch / every)     halve every 10 epochs, ...
    ExponentialDecay   lr0 * decay ** epoch                    a smooth version of the above
    InverseTimeDecay   lr0 / (1 + rate * epoch) ** power       power = 1: the classic 1/t;
                                                               other powers: "power scheduling"
"""
import numbers
from dataclasses import dataclass

__all__ = ["StepDecay", "ExponentialDecay", "InverseTimeDecay"]


def _require(condition, message):
    if not condition:
        raise ValueError(message)


def _check_epoch(epoch):
    _require(isinstance(epoch, numbers.Real) and epoch >= 0,
             f"the epoch must be a number >= 0 (0 for the first epoch), got {epoch!r}.")


@dataclass(frozen=True)
class StepDecay:
    """lr = lr0 * drop ** floor(epoch / every): constant for `every` epochs, then cut by `drop`."""
    lr0: float
    drop: float = 0.5
    every: int = 10

    def __post_init__(self):
        _require(self.lr0 > 0, f"lr0 must be positive, got {self.lr0!r}.")
        _require(0 < self.drop <= 1, f"drop must be in (0, 1] (the factor kept), got {self.drop!r}.")
        _require(isinstance(self.every, numbers.Integral) and self.every >= 1,
                 f"every must be a whole number of epochs >= 1, got {self.every!r}.")

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.lr0 * self.drop ** (epoch // self.every)


@dataclass(frozen=True)
class ExponentialDecay:
    """lr = lr0 * decay ** epoch: multiplied by `decay` every epoch."""
    lr0: float
    decay: float = 0.95

    def __post_init__(self):
        _require(self.lr0 > 0, f"lr0 must be positive, got {self.lr0!r}.")
        _require(0 < self.decay <= 1, f"decay must be in (0, 1] (the factor kept), got {self.decay!r}.")

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.lr0 * self.decay ** epoch


@dataclass(frozen=True)
class InverseTimeDecay:
    """lr = lr0 / (1 + rate * epoch) ** power: halved when rate * epoch = 1 (power 1);
    decays like 1/epoch**power in the long run."""
    lr0: float
    rate: float = 0.1
    power: float = 1.0

    def __post_init__(self):
        _require(self.lr0 > 0, f"lr0 must be positive, got {self.lr0!r}.")
        _require(self.rate >= 0, f"rate must be >= 0, got {self.rate!r}.")
        _require(self.power > 0, f"power must be positive, got {self.power!r}.")

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.lr0 / (1 + self.rate * epoch) ** self.power
