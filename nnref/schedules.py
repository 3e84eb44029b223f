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

__all__ = ["StepDecay", "ExponentialDecay", "InverseTimeDecay"]


def _require(condition, message):
    if not condition:
        raise ValueError(message)


def _check_epoch(epoch):
    _require(isinstance(epoch, numbers.Real) and epoch >= 0,
             f"the epoch must be a number >= 0 (0 for the first epoch), got {epoch!r}.")


class Schedule:
    """Shows its settings, e.g. StepDecay(lr0=0.1, drop=0.5, every=10) (for plot legends)."""

    def __repr__(self):
        settings = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({settings})"


class StepDecay(Schedule):
    """lr = lr0 * drop ** floor(epoch / every): constant for `every` epochs, then cut by `drop`."""

    def __init__(self, lr0, drop=0.5, every=10):
        _require(lr0 > 0, f"lr0 must be positive, got {lr0!r}.")
        _require(0 < drop <= 1, f"drop must be in (0, 1] (the factor kept), got {drop!r}.")
        _require(isinstance(every, numbers.Integral) and every >= 1,
                 f"every must be a whole number of epochs >= 1, got {every!r}.")
        self.lr0, self.drop, self.every = lr0, drop, every

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.lr0 * self.drop ** (epoch // self.every)


class ExponentialDecay(Schedule):
    """lr = lr0 * decay ** epoch: multiplied by `decay` every epoch."""

    def __init__(self, lr0, decay=0.95):
        _require(lr0 > 0, f"lr0 must be positive, got {lr0!r}.")
        _require(0 < decay <= 1, f"decay must be in (0, 1] (the factor kept), got {decay!r}.")
        self.lr0, self.decay = lr0, decay

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.lr0 * self.decay ** epoch


class InverseTimeDecay(Schedule):
    """lr = lr0 / (1 + rate * epoch) ** power: halved when rate * epoch = 1 (power 1);
    decays like 1/epoch**power in the long run."""

    def __init__(self, lr0, rate=0.1, power=1.0):
        _require(lr0 > 0, f"lr0 must be positive, got {lr0!r}.")
        _require(rate >= 0, f"rate must be >= 0, got {rate!r}.")
        _require(power > 0, f"power must be positive, got {power!r}.")
        self.lr0, self.rate, self.power = lr0, rate, power

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.lr0 / (1 + self.rate * epoch) ** self.power
