"""Learning-rate schedules: the learning rate as a function of the epoch.

A schedule is a small object called with the epoch number (0 for the first epoch) that
returns the learning rate for that epoch; ``schedule(0)`` is the initial rate ``lr0`` (except
during CosineDecay's warm-up, which climbs to lr0).
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
    CosineDecay        a linear warm-up to lr0, then half a     the rate of many recent
                       cosine down to min_lr at `epochs`        networks (Loshchilov & Hutter)
    ReduceOnPlateau    lr0, times factor whenever the          performance-based: it watches
                       validation loss stalls for patience     the validation metric
                       epochs

ReduceOnPlateau needs the validation metric, which only the training loop knows: call its
``step(val_loss)`` at the end of every epoch; ``schedule(epoch)`` returns the rate it has
reached, so the loop above stays the same::

    schedule = ReduceOnPlateau(lr0=0.1, factor=0.5, patience=2)
    for epoch in range(num_epochs):
        optimizer.lr = schedule(epoch)
        ...   # the epoch's minibatch steps, then the validation loss
        schedule.step(val_loss)
"""
import math
import numbers

__all__ = ["StepDecay", "ExponentialDecay", "InverseTimeDecay", "CosineDecay", "ReduceOnPlateau"]


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


class CosineDecay(Schedule):
    """Cosine annealing with a linear warm-up (Loshchilov & Hutter, 2017; Goyal et al., 2017).

    Warm-up, epochs 0 .. warmup - 1: lr = lr0 * (epoch + 1) / warmup, a straight line that
    reaches lr0 at epoch warmup - 1 (a large rate at the very start can throw the random
    weights too far, before Adam's or batch norm's statistics have settled).
    Then, for warmup <= epoch <= epochs: half a cosine from lr0 down to min_lr,

        lr = min_lr + (lr0 - min_lr) * (1 + cos(pi * (epoch - warmup) / (epochs - warmup))) / 2

    and min_lr after ``epochs``. warmup = 0: no warm-up, schedule(0) = lr0.
    """

    def __init__(self, lr0, epochs, warmup=0, min_lr=0.0):
        _require(lr0 > 0, f"lr0 must be positive, got {lr0!r}.")
        _require(isinstance(warmup, numbers.Integral) and warmup >= 0,
                 f"warmup must be a whole number of epochs >= 0, got {warmup!r}.")
        _require(isinstance(epochs, numbers.Integral) and epochs > warmup,
                 f"epochs (where the cosine reaches min_lr) must be a whole number larger than "
                 f"warmup = {warmup!r}, got {epochs!r}.")
        _require(0 <= min_lr < lr0, f"min_lr must be in [0, lr0), got {min_lr!r}.")
        self.lr0, self.epochs, self.warmup, self.min_lr = lr0, epochs, warmup, min_lr

    def __call__(self, epoch):
        _check_epoch(epoch)
        if epoch < self.warmup:
            return self.lr0 * (epoch + 1) / self.warmup
        progress = min(1.0, (epoch - self.warmup) / (self.epochs - self.warmup))
        return self.min_lr + (self.lr0 - self.min_lr) * (1 + math.cos(math.pi * progress)) / 2


class ReduceOnPlateau(Schedule):
    """Performance-based: multiply the rate by `factor` when the validation metric stalls.

    An epoch *improves* when its metric beats the best so far by more than `min_delta`
    (lower is better with mode="min", e.g. a loss; higher with mode="max", e.g. an accuracy).
    After `patience` epochs in a row without improvement the rate becomes
    max(lr * factor, min_lr) and the count starts again, so the next cut needs another
    `patience` epochs without improvement. The best value is kept across cuts. A NaN metric (a
    diverged epoch) never improves: it counts as a bad epoch and leaves the best value alone.

    ``step(metric)``: record one epoch's metric (a number); returns the rate for the next epoch.
    ``schedule(epoch)``: the current rate (``lr0`` before the first ``step``).
    Attributes: ``lr`` (current rate), ``best`` (best metric so far), ``bad_epochs``
    (epochs in a row without improvement).
    """

    def __init__(self, lr0, factor=0.5, patience=2, min_delta=0.0, min_lr=0.0, mode="min"):
        _require(lr0 > 0, f"lr0 must be positive, got {lr0!r}.")
        _require(0 < factor < 1, f"factor must be in (0, 1) (the factor kept at a cut), got {factor!r}.")
        _require(isinstance(patience, numbers.Integral) and patience >= 1,
                 f"patience must be a whole number of epochs >= 1, got {patience!r}.")
        _require(min_delta >= 0, f"min_delta must be >= 0, got {min_delta!r}.")
        _require(0 <= min_lr <= lr0, f"min_lr must be in [0, lr0], got {min_lr!r}.")
        _require(mode in ("min", "max"), f"mode must be 'min' (a loss) or 'max' (an accuracy), got {mode!r}.")
        self.lr0, self.factor, self.patience = lr0, factor, patience
        self.min_delta, self.min_lr, self.mode = min_delta, min_lr, mode
        self.lr, self.bad_epochs = lr0, 0
        self.best = math.inf if mode == "min" else -math.inf

    def __repr__(self):
        settings = ("lr0", "factor", "patience", "min_delta", "min_lr", "mode")
        return f"ReduceOnPlateau({', '.join(f'{name}={getattr(self, name)!r}' for name in settings)})"

    def _improves(self, metric):
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric):
        """Record one epoch's validation metric; return the learning rate for the next epoch."""
        _require(isinstance(metric, numbers.Real),
                 f"step() takes the epoch's validation metric, a number; got {metric!r}.")
        if self._improves(metric):
            self.best, self.bad_epochs = metric, 0
        else:  # a nan metric never improves: it counts as a bad epoch
            self.bad_epochs += 1
            if self.bad_epochs >= self.patience:
                self.lr, self.bad_epochs = max(self.lr * self.factor, self.min_lr), 0
        return self.lr

    def __call__(self, epoch):
        _check_epoch(epoch)
        return self.lr
