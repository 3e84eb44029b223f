"""The playground: TF Playground's controls on nnref, plus what TF Playground lacks.

TF Playground trains one fixed kind of net (squared error, plain SGD). Here the same 2-D data
sets, input features, layers and regularization meet the course's optimizers (05),
initializers (06), batch norm (07), dropout (08), softmax cross-entropy for two or more classes
(03), and a switch that trains with the student's own layer functions instead of nnref's.

Pure parts, tested without a browser: ``parse_config`` / ``config_string`` (the whole setup as
one line to paste and share), ``optimizer_settings`` (which hyper-parameters an optimizer takes
beside the learning rate), ``make_data`` (data set, train/test split, feature columns),
``Playground`` (nnref's FullyConnectedNet, with the student's layer functions when asked:
reset, one epoch at a time, losses, the decision boundary on a grid). ``playground_widget``
wires them to ipywidgets controls.
"""
import inspect

import numpy as np

from nnref import optim
from nnref.data import make_regression, make_spiral, toy_dataset
from nnref.losses import mse, softmax, softmax_cross_entropy
from nnref.nets import INITIALIZERS, LAYER_FUNCTIONS, FullyConnectedNet, layer_functions

__all__ = ["DEFAULTS", "CHOICES", "FEATURES", "parse_config", "config_string",
           "optimizer_settings", "make_optimizer", "make_data", "feature_columns",
           "Playground", "playground_widget"]

FEATURES = {
    "x1": lambda X: X[:, 0], "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2, "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]), "sin(x2)": lambda X: np.sin(X[:, 1]),
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
REGRESSION = ("plane", "gaussians")  # data sets with a real-valued target, fit by mean squared error
# TF Playground's learning rates
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
OPTIMIZERS = {"sgd": optim.SGD, "momentum": optim.Momentum, "nesterov": optim.Nesterov,
              "adagrad": optim.AdaGrad, "rmsprop": optim.RMSProp, "adam": optim.Adam}
# Choices of every option that has a fixed set of values.
CHOICES = {"dataset": ("circle", "xor", "gauss", "spiral", *REGRESSION), "activation": ACTIVATIONS,
           "optimizer": tuple(OPTIMIZERS), "init": tuple(INITIALIZERS),
           "regularization": ("none", "L1", "L2")}
DEFAULTS = {
    "dataset": "circle", "noise": 0.1, "train_ratio": 0.5, "classes": 2, "points": 300,
    "features": ("x1", "x2"), "hidden": (4, 2), "activation": "tanh", "lr": 0.03,
    "optimizer": "sgd", "momentum": 0.9, "decay": 0.99, "beta1": 0.9, "beta2": 0.999,
    "init": "xavier", "batchnorm": False, "keep_prob": 1.0,
    "regularization": "none", "reg_rate": 0.001, "batch_size": 10, "seed": 0,
    "own_layers": False,
}
# The optimizers' own hyper-parameters, named as their constructors name them (nnref.optim), and
# nnref's defaults; a configuration holds all of them, each optimizer takes its own.
OPTIMIZER_SETTINGS = ("momentum", "decay", "beta1", "beta2")
# What a change leaves the net as it is: training goes on from the same weights and epoch.
# Any other change (data, features, layers, activation, init, batch norm, own layers) makes
# another net and restarts at epoch 0.
TRAINING_SETTINGS = ("lr", "optimizer", *OPTIMIZER_SETTINGS, "keep_prob", "regularization",
                     "reg_rate", "batch_size")


def _parse_value(key, text):
    default = DEFAULTS[key]
    if isinstance(default, bool):
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError(f"{key} is true or false, got {text!r}")
        return text.lower() in ("true", "1")
    if isinstance(default, tuple):
        items = [t.strip() for t in text.split(",") if t.strip()]
        return tuple(int(t) for t in items) if key == "hidden" else tuple(items)
    return type(default)(text)


def _check(config):
    for key, choices in CHOICES.items():
        if config[key] not in choices:
            raise ValueError(f"{key} must be one of {', '.join(choices)}; got {config[key]!r}")
    unknown = [f for f in config["features"] if f not in FEATURES]
    if unknown or not config["features"]:
        raise ValueError(f"features: pick one or more of {', '.join(FEATURES)}; got "
                         f"{', '.join(config['features']) or 'none'}")
    if any(h < 1 for h in config["hidden"]):
        raise ValueError(f"hidden: every layer needs at least one unit; got {config['hidden']}")
    if not 0 < config["keep_prob"] <= 1:
        raise ValueError(f"keep_prob is a probability in (0, 1]; got {config['keep_prob']}")
    if not 0 < config["train_ratio"] < 1:
        raise ValueError(f"train_ratio is the training share in (0, 1); got {config['train_ratio']}")
    if config["classes"] < 2 or (config["classes"] > 2 and config["dataset"] != "spiral"):
        raise ValueError(f"classes: 2 for {config['dataset']}; the spiral takes 2 or more arms; "
                         f"got {config['classes']}")
    for key in OPTIMIZER_SETTINGS:
        if not 0 <= config[key] < 1:
            raise ValueError(f"{key} is a decay rate in [0, 1); got {config[key]}")
    if config["lr"] <= 0 or config["batch_size"] < 1 or config["points"] < 10:
        raise ValueError("lr must be > 0, batch_size >= 1 and points >= 10")
    return config


def parse_config(text="", base=None):
    """A configuration from ``key=value; key=value`` (lists comma-separated, e.g.
    ``hidden=8,8; features=x1,x2,x1*x2``). Keys not given keep ``base``'s (or the defaults')
    values. Raises ValueError naming a wrong key or value."""
    config = dict(DEFAULTS if base is None else base)
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in DEFAULTS:
            raise ValueError(f"{part.strip()!r}: expected key=value with a key among "
                             f"{', '.join(DEFAULTS)}")
        try:
            config[key] = _parse_value(key, value.strip())
        except ValueError as err:
            raise ValueError(f"{key}: cannot read {value.strip()!r} ({err})") from None
    return _check(config)


def config_string(config):
    """The configuration as one line that ``parse_config`` reads back to the same run: every
    key but the settings of optimizers other than the chosen one (those read back as defaults)."""
    def show(value):
        if isinstance(value, tuple):
            return ",".join(str(v) for v in value)
        return str(value).lower() if isinstance(value, bool) else str(value)
    unused = set(OPTIMIZER_SETTINGS) - set(optimizer_settings(config["optimizer"]))
    return "; ".join(f"{key}={show(config[key])}" for key in DEFAULTS if key not in unused)


def optimizer_settings(name):
    """The hyper-parameters optimizer ``name`` takes beside the learning rate (its constructor's
    arguments among OPTIMIZER_SETTINGS), e.g. ("beta1", "beta2") for "adam"."""
    arguments = inspect.signature(OPTIMIZERS[name]).parameters
    return tuple(key for key in OPTIMIZER_SETTINGS if key in arguments)


def make_optimizer(config):
    """The configured optimizer with its learning rate and the settings it takes."""
    name = config["optimizer"]
    return OPTIMIZERS[name](lr=config["lr"], **{k: config[k] for k in optimizer_settings(name)})


def feature_columns(X, names):
    """The input features (n, len(names)) of 2-D points X (n, 2)."""
    return np.column_stack([FEATURES[name](X) for name in names])


def make_data(config):
    """Data set, split and features. Returns a dict: X_train, y_train, X_test, y_test (the 2-D
    points) and F_train, F_test (their feature columns)."""
    if config["dataset"] in REGRESSION:
        X, y = make_regression(config["dataset"], n=config["points"], noise=config["noise"],
                               seed=config["seed"])
    elif config["dataset"] == "spiral":
        X, y = make_spiral(n=config["points"], noise=config["noise"], seed=config["seed"],
                           num_classes=config["classes"])
    else:
        X, y = toy_dataset(config["dataset"], n=config["points"], noise=config["noise"],
                           seed=config["seed"])
    order = np.random.default_rng(config["seed"]).permutation(len(y))
    cut = int(round(config["train_ratio"] * len(y)))
    train, test = order[:cut], order[cut:]
    data = {"X_train": X[train], "y_train": y[train], "X_test": X[test], "y_test": y[test]}
    data["F_train"] = feature_columns(data["X_train"], config["features"])
    data["F_test"] = feature_columns(data["X_test"], config["features"])
    return data


class Playground:
    """nnref's FullyConnectedNet on a 2-D data set, trained one epoch at a time.

    config: a dict from ``parse_config``. fns: where the net's layer functions come from (see
    ``nnref.nets.layer_functions``; None: nnref's).
    """

    def __init__(self, config, fns=None):
        self.config = _check(dict(config))
        self.fns = fns
        self.reset()

    def reset(self):
        c = self.config
        self.data = make_data(c)
        self.rng = np.random.default_rng(c["seed"])  # shuffles the batches
        self.net = FullyConnectedNet(
            c["hidden"], len(c["features"]), 1 if self.regression else c["classes"],
            activation=c["activation"], normalization="batchnorm" if c["batchnorm"] else None,
            init=c["init"], dtype=np.float64, seed=c["seed"], layers=self.fns,
            loss_function=mse if self.regression else softmax_cross_entropy)
        self._tune(c)
        self.epoch = 0
        self.history = {"train_loss": [], "test_loss": []}
        self._record()

    @property
    def regression(self):
        return self.config["dataset"] in REGRESSION

    @property
    def params(self):
        return self.net.params

    def _tune(self, c):
        self.net.keep_prob = c["keep_prob"]
        self.net.reg = c["reg_rate"] if c["regularization"] == "L2" else 0.0
        self.net.l1 = c["reg_rate"] if c["regularization"] == "L1" else 0.0
        self.optimizer = make_optimizer(c)

    def retune(self, config):
        """Go on training the same net (its weights, its epoch) with ``config``, which differs
        from the current one in TRAINING_SETTINGS only. A new optimizer starts afresh (its
        velocities and averages at zero) when the optimizer or its settings change; a new
        learning rate alone keeps them."""
        config = _check(dict(config))
        changed = [k for k in DEFAULTS if config[k] != self.config[k]]
        others = [k for k in changed if k not in TRAINING_SETTINGS]
        if others:
            raise ValueError(f"{', '.join(others)} changes the net or the data: make a new Playground")
        optimizer = self.optimizer
        self.config = config
        self._tune(config)
        if changed == ["lr"]:
            self.optimizer = optimizer
            self.optimizer.lr = config["lr"]
        return changed

    def loss_and_grads(self, F, y):
        """The net's training loss (with its L1 or L2 term) and gradients on F, y."""
        return self.net.loss(F, y)

    def train_epoch(self):
        """One pass over the training points in shuffled mini-batches."""
        F, y = self.data["F_train"], self.data["y_train"]
        order = self.rng.permutation(len(y))
        for start in range(0, len(y), self.config["batch_size"]):
            batch = order[start:start + self.config["batch_size"]]
            if self.config["batchnorm"] and len(batch) < 2:
                continue  # batch statistics of one point are undefined
            _, grads = self.loss_and_grads(F[batch], y[batch])
            self.optimizer.step(self.params, grads)
        self.epoch += 1
        self._record()

    def loss(self, split):
        """The loss on the train or test split, without the L1 or L2 term (test mode)."""
        scores = self.net.loss(self.data[f"F_{split}"])
        return float(self.net.loss_function(scores, self.data[f"y_{split}"])[0])

    def _record(self):
        for split in ("train", "test"):
            self.history[f"{split}_loss"].append(self.loss(split))

    def probabilities(self, X):
        """Class probabilities (n, classes) of 2-D points X (n, 2), in test mode."""
        return softmax(self.net.loss(feature_columns(X, self.config["features"])))

    def boundary(self, resolution=60, margin=0.3):
        """The prediction on a grid covering the data: (xs, ys, values (res, res)), values the
        predicted class, or for a regression set the predicted number."""
        X = np.vstack([self.data["X_train"], self.data["X_test"]])
        lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
        xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
        grid = np.column_stack([g.ravel() for g in np.meshgrid(xs, ys)])
        values = (self.net.loss(feature_columns(grid, self.config["features"]))[:, 0] if self.regression
                  else self.probabilities(grid).argmax(axis=1))
        return xs, ys, values.reshape(resolution, resolution)

    def summary(self):
        return (f"epoch {self.epoch}: train loss {self.history['train_loss'][-1]:.3f}, "
                f"test loss {self.history['test_loss'][-1]:.3f}")


# TF Playground's colours: orange for negative weights and values, blue for positive ones.
NEGATIVE, POSITIVE = "#f59322", "#0877bd"


def network_lines(pg):
    """The network diagram's weights, one line per weight W{i}[j, k] from unit j of layer
    i - 1 to unit k of layer i: a list of ((x0, y0), (x1, y1), colour, width), the colour
    POSITIVE or NEGATIVE by the weight's sign, the width 0.3 + 3 |w| / the largest |w|."""
    sizes = [len(pg.config["features"]), *pg.config["hidden"], pg.net.params[f"W{pg.net.num_layers}"].shape[1]]
    top = max(np.abs(pg.params[f"W{i}"]).max() for i in range(1, len(sizes))) or 1.0
    lines = []
    for i in range(1, len(sizes)):
        W = pg.params[f"W{i}"]
        for (j, k), w in np.ndenumerate(W):
            lines.append(((i - 1, _unit_y(j, sizes[i - 1])), (i, _unit_y(k, sizes[i])),
                          POSITIVE if w >= 0 else NEGATIVE, 0.3 + 3 * abs(w) / top))
    return lines


def _unit_y(unit, count):
    return (count - 1) / 2 - unit  # the layer's units centred on 0, first on top


def draw_network(ax, pg):
    """The net as TF Playground draws it: the input features, every hidden unit and the
    outputs, each weight a line coloured by its sign and as thick as its size."""
    from matplotlib.collections import LineCollection

    lines = network_lines(pg)
    ax.add_collection(LineCollection([(a, b) for a, b, _, _ in lines], colors=[c for *_, c, _ in lines],
                                     linewidths=[w for *_, w in lines], zorder=1))
    sizes = [len(pg.config["features"]), *pg.config["hidden"], pg.params[f"W{pg.net.num_layers}"].shape[1]]
    for i, size in enumerate(sizes):
        ys = [_unit_y(u, size) for u in range(size)]
        ax.scatter([i] * size, ys, s=120, c="white", edgecolors="0.3", zorder=2)
    for u, name in enumerate(pg.config["features"]):
        ax.text(-0.25, _unit_y(u, sizes[0]), name, ha="right", va="center", fontsize=8)
    outputs = ["value"] if pg.regression else [f"class {k}" for k in range(sizes[-1])]
    for u, name in enumerate(outputs):
        ax.text(len(sizes) - 0.75, _unit_y(u, sizes[-1]), name, ha="left", va="center", fontsize=8)
    half = max(sizes) / 2
    ax.set(xlim=(-1.3, len(sizes) - 0.2), ylim=(-half, half), xticks=[], yticks=[],
           title=f"the net: {len(pg.config['features'])}-{'-'.join(map(str, pg.config['hidden']))}-{sizes[-1]}, "
                 f"{pg.config['activation']}")
    ax.set_title(ax.get_title(), fontsize=10)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def plot_playground(pg):
    """The network diagram; the decision boundary (or a regression's predicted values) with
    train (filled) and test (ringed) points; the loss curves, one point each from epoch 0."""
    from nnref.widgets.display import new_figure

    fig, (ax_net, ax_map, ax_loss) = new_figure(1, 3, figsize=(12.5, 4), width_ratios=[1, 1.25, 1])
    draw_network(ax_net, pg)
    xs, ys, values = pg.boundary()
    d = pg.data
    if pg.regression:
        top = max(np.abs(values).max(), np.abs(d["y_train"]).max(), 1e-9)
        colour = dict(cmap="RdBu", vmin=-top, vmax=top)  # red below zero, blue above
        ax_map.contourf(xs, ys, values, levels=np.linspace(-top, top, 21), alpha=0.5, **colour)
    else:
        k = pg.config["classes"]
        colour = dict(cmap="coolwarm", vmin=0, vmax=k - 1)
        ax_map.contourf(xs, ys, values, levels=np.arange(k + 1) - 0.5, cmap="coolwarm", alpha=0.35)
    ax_map.scatter(d["X_train"][:, 0], d["X_train"][:, 1], c=d["y_train"], s=14, edgecolor="k",
                   linewidth=0.3, label="train", **colour)
    ax_map.scatter(d["X_test"][:, 0], d["X_test"][:, 1], c=d["y_test"], s=18, marker="s",
                   edgecolor="k", linewidth=0.8, label="test", **colour)
    ax_map.legend(loc="upper right", fontsize=8)
    ax_map.set_title(pg.summary(), fontsize=10)
    epochs = np.arange(len(pg.history["train_loss"]))
    # markers: at epoch 0 each curve is one point, which a bare line would not draw
    ax_loss.plot(epochs, pg.history["train_loss"], marker="o", markersize=4, label="train")
    ax_loss.plot(epochs, pg.history["test_loss"], marker="o", markersize=4, label="test")
    ax_loss.set(xlabel="epoch", xlim=(-0.5, max(pg.epoch, 1) + 0.5),
                ylabel="mean squared error" if pg.regression else "cross-entropy loss")
    ax_loss.legend(loc="upper right")
    fig.tight_layout()
    return fig


WIDTH = "330px"  # of every control


def control_text(control):
    """A control's value as parse_config reads it: a linear slider's value on its step's grid
    (the browser adds steps in floating point and would send 0.9 - 0.01 as 0.8899999999999999)."""
    import ipywidgets as widgets

    from nnref.widgets.perceptron import on_grid

    if isinstance(control.value, tuple):
        return ",".join(control.value)
    if isinstance(control, widgets.FloatSlider):
        return str(on_grid(control.value, control.step))
    return str(control.value)


def playground_widget(namespace=None, config=""):
    """The playground's controls, the boundary and the loss curves. namespace: the notebook's
    globals(), searched for the student's layer functions when "own layers" is ticked."""
    import ipywidgets as widgets

    from nnref.widgets.display import show_figure

    start = parse_config(config)
    style = {"description_width": "110px"}
    c = {
        "dataset": widgets.Dropdown(options=CHOICES["dataset"], description="data set"),
        "noise": widgets.FloatSlider(min=0, max=0.5, step=0.05, description="noise"),
        "train_ratio": widgets.FloatSlider(min=0.1, max=0.9, step=0.1, description="train ratio"),
        "classes": widgets.IntSlider(min=2, max=5, description="classes (spiral)"),
        "features": widgets.SelectMultiple(options=list(FEATURES), rows=len(FEATURES), description="features"),
        "hidden": widgets.Text(description="hidden units", placeholder="e.g. 4,2",
                               continuous_update=False),
        "activation": widgets.Dropdown(options=ACTIVATIONS, description="activation"),
        "lr": widgets.Dropdown(options=LEARNING_RATES, description="learning rate"),
        "optimizer": widgets.Dropdown(options=CHOICES["optimizer"], description="optimizer"),
        "momentum": widgets.FloatSlider(min=0, max=0.99, step=0.01, description="momentum"),
        "decay": widgets.FloatSlider(min=0.5, max=0.999, step=0.001, readout_format=".3f", description="decay"),
        "beta1": widgets.FloatSlider(min=0, max=0.99, step=0.01, description="beta1"),
        "beta2": widgets.FloatSlider(min=0.9, max=0.999, step=0.001, readout_format=".3f",
                                     description="beta2"),
        "init": widgets.Dropdown(options=CHOICES["init"], description="initializer"),
        "batchnorm": widgets.Checkbox(description="batch norm"),
        "keep_prob": widgets.FloatSlider(min=0.3, max=1.0, step=0.05, description="keep_prob"),
        "regularization": widgets.Dropdown(options=CHOICES["regularization"], description="regularization"),
        "reg_rate": widgets.FloatLogSlider(min=-5, max=-1, step=0.25, base=10, description="reg. rate"),
        "batch_size": widgets.IntSlider(min=1, max=100, description="batch size"),
        "own_layers": widgets.Checkbox(description="own layers"),
    }
    for control in c.values():
        # a Layout of its own: an optimizer's settings are hidden (display) one by one
        control.style, control.layout = style, widgets.Layout(width=WIDTH)
    share = widgets.Text(description="config", layout=widgets.Layout(width="100%"), style=style,
                         continuous_update=False)
    # the Play widget is the browser's clock, one tick an epoch; its own buttons (a repeat
    # that looks like reset) stay hidden behind a train / pause button that says what it does
    play = widgets.Play(interval=400, min=0, max=10 ** 6, layout=widgets.Layout(display="none"))
    run = widgets.ToggleButton(description="▶ train", tooltip="train epoch after epoch until paused")
    widgets.link((run, "value"), (play, "playing"))
    step = widgets.Button(description="step", tooltip="train one epoch")
    reset = widgets.Button(description="reset", tooltip="new weights, back to epoch 0")
    status, out = widgets.HTML(), widgets.Output()
    state = {"pg": None, "syncing": False}

    def read_controls():
        return parse_config("; ".join(f"{k}={control_text(v)}" for k, v in c.items()), base=start)

    def show_config(config):
        # Written by the kernel, the line must not be read back as if pasted: that would set
        # the controls again, rounded (0.89 for the 0.8899999999999999 a slider sends), and a
        # slider the student is still moving would jump back a step.
        state["syncing"] = True
        try:
            share.value = config_string(config)
        finally:
            state["syncing"] = False

    def write_controls(config):
        state["syncing"] = True
        try:
            # a pasted line may carry a learning rate of its own: offer it beside TF Playground's
            c["lr"].options = sorted({*LEARNING_RATES, config["lr"]})
            for key, control in c.items():
                control.value = (",".join(map(str, config[key])) if key == "hidden"
                                 else tuple(config[key]) if key == "features" else config[key])
        finally:
            state["syncing"] = False
        show_config(config)

    def draw():
        with out:
            out.clear_output(wait=True)
            show_figure(plot_playground(state["pg"]))

    def update(change=None, restart=False):
        """Controls changed: training goes on with the same net when only TRAINING_SETTINGS
        changed, else (or on reset) a new net starts at epoch 0; the status line says which."""
        if state["syncing"]:
            return
        try:
            config = read_controls()
        except ValueError as err:
            status.value = f"<span style='color: #b00'>{err}</span>"
            return
        show_config(config)
        pg = state["pg"]
        changed = [key for key in DEFAULTS if pg is not None and config[key] != pg.config[key]]
        if pg is not None and not changed and not restart:
            return
        fns, own = layer_functions(namespace if config["own_layers"] else None)
        notes = []
        try:
            if pg is not None and not restart and all(key in TRAINING_SETTINGS for key in changed):
                pg.retune(config)
                notes.append(f"{', '.join(changed)} changed: training goes on from epoch {pg.epoch}")
            else:
                state["pg"] = Playground(config, fns)
                if changed and not restart:
                    notes.append(f"{', '.join(changed)} changed: a new net, restarted at epoch 0")
        except Exception as err:  # the student's own layers may fail: say so, keep the widget
            status.value = f"<span style='color: #b00'>{type(err).__name__}: {err}</span>"
            return
        if config["own_layers"] and not own:
            notes.append("own layers: none of " + ", ".join(LAYER_FUNCTIONS[:2]) + ", ... is "
                         "defined in this notebook yet; nnref's are used")
        elif own:
            notes.append(f"your layers: {', '.join(own)}")
        status.value = "<br>".join(notes)
        draw()

    def on_share(change):
        if state["syncing"]:
            return
        try:
            config = parse_config(share.value)
        except ValueError as err:
            status.value = f"<span style='color: #b00'>{err}</span>"
            return
        write_controls(config)
        update()

    def advance(_=None):
        if state["pg"] is not None:
            state["pg"].train_epoch()
            draw()

    def on_optimizer(change):
        shown = optimizer_settings(change["new"])
        for key in OPTIMIZER_SETTINGS:
            c[key].layout.display = None if key in shown else "none"

    def on_run(change):
        run.description = "⏸ pause" if change["new"] else "▶ train"

    def on_dataset(change):
        # Only the spiral has more than two classes.
        c["classes"].disabled = change["new"] != "spiral"
        if c["classes"].disabled:
            c["classes"].value = 2

    c["dataset"].observe(on_dataset, names="value")
    c["optimizer"].observe(on_optimizer, names="value")
    write_controls(start)
    on_dataset({"new": start["dataset"]})
    on_optimizer({"new": start["optimizer"]})
    for control in c.values():
        control.observe(update, names="value")
    share.observe(on_share, names="value")
    play.observe(advance, names="value")
    run.observe(on_run, names="value")
    step.on_click(advance)
    reset.on_click(lambda _: update(restart=True))
    update()
    column = list(c.values())
    return widgets.VBox([
        widgets.HBox([run, step, reset, play, status]),
        widgets.HBox([widgets.VBox(column[:8]), widgets.VBox(column[8:])]),
        share, out])
