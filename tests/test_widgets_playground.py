"""The playground's configuration, data, training and widget, without a browser."""
import matplotlib
import numpy as np
import pytest

from nnref import layers, nets
from nnref.checks import rel_error
from nnref.gradcheck import numerical_gradient
from nnref.widgets import playground as pg

matplotlib.use("Agg")

RICH = ("dataset=spiral; classes=3; hidden=8,8; activation=relu; optimizer=adam; lr=0.01; "
        "batchnorm=true; keep_prob=0.9; regularization=L2; reg_rate=0.001; init=he; "
        "features=x1,x2,sin(x1)")


def test_config_string_round_trips_and_keeps_unnamed_defaults():
    config = pg.parse_config(RICH)
    assert config["hidden"] == (8, 8) and config["batchnorm"] is True
    assert config["features"] == ("x1", "x2", "sin(x1)") and config["batch_size"] == pg.DEFAULTS["batch_size"]
    assert pg.parse_config(pg.config_string(config)) == config
    assert pg.parse_config("") == pg.DEFAULTS


@pytest.mark.parametrize("text, attribute, value", [
    ("optimizer=momentum; momentum=0.5", "momentum", 0.5),
    ("optimizer=nesterov; momentum=0.7", "momentum", 0.7),
    ("optimizer=rmsprop; decay=0.9", "decay", 0.9),
    ("optimizer=adam; beta1=0.5", "beta1", 0.5),
    ("optimizer=adam; beta2=0.95", "beta2", 0.95),
])
def test_the_chosen_setting_reaches_the_optimizer_and_the_config_line(text, attribute, value):
    config = pg.parse_config(text)
    optimizer = pg.Playground(config).optimizer
    assert getattr(optimizer, attribute) == value, (
        f"{text}: the optimizer's {attribute} is {getattr(optimizer, attribute)}, not {value}")
    assert f"{attribute}={value}" in pg.config_string(config)
    assert pg.parse_config(pg.config_string(config)) == config


def test_each_optimizer_takes_its_constructors_settings():
    assert {name: pg.optimizer_settings(name) for name in pg.OPTIMIZERS} == {
        "sgd": (), "momentum": ("momentum",), "nesterov": ("momentum",), "adagrad": (),
        "rmsprop": ("decay",), "adam": ("beta1", "beta2")}
    assert pg.Playground(pg.parse_config("optimizer=momentum")).optimizer.momentum == pg.DEFAULTS["momentum"]


def test_config_line_names_only_the_chosen_optimizers_settings():
    line = pg.config_string(pg.parse_config("optimizer=sgd; momentum=0.5"))
    assert not any(f"{key}=" in line for key in ("momentum", "decay", "beta1", "beta2")), line
    # a line from before the optimizers' settings existed still reads, with nnref's defaults
    old = pg.parse_config("dataset=xor; hidden=4; optimizer=adam; lr=0.01; features=x1,x2")
    assert (old["beta1"], old["beta2"], old["momentum"], old["decay"]) == (0.9, 0.999, 0.9, 0.99)


@pytest.mark.parametrize("text, message", [
    ("momentum=1", "momentum is a decay rate in"),
    ("beta2=-0.1", "beta2 is a decay rate in"),
    ("dataset=moons", "dataset must be one of circle, xor, gauss, spiral"),
    ("depth=3", "expected key=value with a key among"),
    ("hidden=4,x", "hidden: cannot read"),
    ("features=x3", "features: pick one or more of"),
    ("keep_prob=0", "keep_prob is a probability"),
    ("dataset=circle; classes=3", "classes: 2 for circle"),
    ("batchnorm=maybe", "batchnorm: cannot read"),
])
def test_parse_config_names_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        pg.parse_config(text)


def test_feature_columns():
    X = np.array([[1.0, 2.0], [-0.5, 0.0]])
    F = pg.feature_columns(X, list(pg.FEATURES))
    expected = [[1, 2, 1, 4, 2, np.sin(1), np.sin(2)], [-0.5, 0, 0.25, 0, 0, np.sin(-0.5), 0]]
    assert F.shape == (2, 7) and np.allclose(F, expected)


def test_make_data_splits_by_the_ratio_and_makes_spiral_arms():
    data = pg.make_data(pg.parse_config("dataset=spiral; classes=4; points=200; train_ratio=0.3"))
    assert len(data["y_train"]) == 60 and len(data["y_test"]) == 140
    assert set(data["y_train"]) | set(data["y_test"]) == {0, 1, 2, 3}
    assert data["F_train"].shape == (60, 2)


@pytest.mark.parametrize("text", [
    "hidden=5,3; activation=tanh; regularization=L2; reg_rate=0.01",
    "hidden=4; activation=sigmoid; regularization=L1; reg_rate=0.01; features=x1,x2,x1*x2",
    "hidden=4,3; activation=relu; batchnorm=true; dataset=spiral; classes=3",
])
def test_gradients_match_numerical_gradients(text):
    net = pg.Playground(pg.parse_config(text + "; points=40"))
    F, y = net.data["F_train"][:8], net.data["y_train"][:8]
    _, grads = net.loss_and_grads(F, y)
    for name, w in net.params.items():
        numeric = numerical_gradient(lambda _: net.loss_and_grads(F, y)[0], w)
        assert rel_error(grads[name], numeric) < 1e-6, name


@pytest.mark.parametrize("text", ["dataset=gauss; optimizer=sgd; lr=0.1",
                                  "dataset=xor; hidden=8; optimizer=momentum; features=x1,x2,x1*x2",
                                  "dataset=spiral; classes=3; hidden=16,16; activation=relu; "
                                  "optimizer=adam; lr=0.01; keep_prob=0.9; init=he"])
def test_training_lowers_the_loss(text):
    net = pg.Playground(pg.parse_config(text))
    for _ in range(15):
        net.train_epoch()
    assert net.epoch == 15 and len(net.history["train_loss"]) == 16
    assert net.history["train_loss"][-1] < 0.8 * net.history["train_loss"][0]


def test_reset_starts_again_from_the_same_weights():
    net = pg.Playground(pg.parse_config("seed=3"))
    first = {k: v.copy() for k, v in net.params.items()}
    net.train_epoch()
    net.reset()
    assert net.epoch == 0 and all(np.array_equal(first[k], net.params[k]) for k in first)


def test_boundary_covers_the_data_with_one_class_per_cell():
    net = pg.Playground(pg.parse_config("dataset=spiral; classes=3"))
    xs, ys, classes = net.boundary(resolution=30)
    assert classes.shape == (30, 30) and set(np.unique(classes)) <= {0, 1, 2}
    assert xs[0] < net.data["X_train"][:, 0].min() and ys[-1] > net.data["X_train"][:, 1].max()


def test_own_layers_are_the_students_functions():
    calls = []

    def affine_forward(x, w, b):
        calls.append(x.shape)
        return layers.affine_forward(x, w, b)

    fns, own = nets.layer_functions({"affine_forward": affine_forward, "unrelated": 1})
    assert own == ["affine_forward"] and fns.relu_forward is layers.relu_forward
    net = pg.Playground(pg.parse_config("hidden=3"), fns)
    net.train_epoch()
    assert calls, "the student's affine_forward was not called"


def test_widget_follows_its_config_string_and_steps():
    box = pg.playground_widget(config="dataset=xor; hidden=3")
    share = box.children[2]
    assert "dataset=xor" in share.value and "hidden=3" in share.value
    controls = box.children[1].children[0].children + box.children[1].children[1].children
    by_name = {c.description: c for c in controls}
    share.value = pg.config_string(pg.parse_config("dataset=gauss; optimizer=adam; hidden=2,2"))
    assert by_name["data set"].value == "gauss" and by_name["optimizer"].value == "adam"
    assert by_name["hidden units"].value == "2,2"
    by_name["batch norm"].value = True
    assert "batchnorm=true" in share.value
    run, step, reset, play, status = box.children[0].children
    step.click()
    step.click()
    assert share.value == pg.config_string(pg.parse_config(share.value))
    share.value = "dataset=moons"
    assert "dataset must be one of" in status.value


def test_widget_shows_the_chosen_optimizers_settings_only():
    box = pg.playground_widget(config="optimizer=sgd")
    by_name = {c.description: c for c in box.children[1].children[1].children}
    settings = {"momentum": by_name["momentum"], "decay": by_name["decay"],
                "beta1": by_name["beta1"], "beta2": by_name["beta2"]}
    shown = lambda: sorted(k for k, control in settings.items() if control.layout.display != "none")
    assert shown() == []
    by_name["optimizer"].value = "adam"
    assert shown() == ["beta1", "beta2"]
    settings["beta1"].value = 0.8899999999999999  # what the browser sends for 0.9 - one step
    assert "beta1=0.89;" in box.children[2].value, box.children[2].value
    by_name["optimizer"].value = "nesterov"
    assert shown() == ["momentum"] and "beta1" not in box.children[2].value


def test_a_slider_moved_in_the_browser_is_never_written_back():
    """The kernel writing a control the student moves races their next step (CI lost one of ten
    ArrowLeft presses that way): a value from the browser, unrounded, stays as it came."""
    box, by_name, parts = _widget("optimizer=momentum")
    written = []
    by_name["momentum"].observe(lambda change: written.append(change["new"]), names="value")
    by_name["momentum"].value = 0.8899999999999999  # what the browser sends for 0.9 - one step
    assert written == [0.8899999999999999], f"the kernel set momentum again: {written}"
    assert "momentum=0.89;" in parts["share"].value, parts["share"].value


def test_widget_offers_more_classes_on_the_spiral_only():
    box = pg.playground_widget(config="dataset=spiral; classes=3")
    controls = box.children[1].children[0].children
    by_name = {c.description: c for c in controls}
    assert not by_name["classes (spiral)"].disabled and by_name["classes (spiral)"].value == 3
    by_name["data set"].value = "circle"
    assert by_name["classes (spiral)"].disabled and by_name["classes (spiral)"].value == 2
    assert "dataset=circle" in box.children[2].value and "classes=2" in box.children[2].value


def test_the_own_layers_switch_trains_with_the_notebooks_functions():
    calls = []

    def relu_forward(x):
        calls.append(x.shape)
        return layers.relu_forward(x)

    box = pg.playground_widget(namespace={"relu_forward": relu_forward},
                               config="activation=relu; hidden=3")
    by_name = {c.description: c for c in box.children[1].children[0].children + box.children[1].children[1].children}
    status = box.children[0].children[-1]
    assert not calls and status.value == "", "nnref's layers until the switch is ticked"
    by_name["own layers"].value = True
    assert calls and "your layers: relu_forward" in status.value, status.value
    before = len(calls)
    box.children[0].children[1].click()  # step
    assert len(calls) > before, "an epoch runs the student's relu_forward"
    by_name["own layers"].value = False
    before = len(calls)
    box.children[0].children[1].click()
    assert len(calls) == before and "your layers" not in status.value


def _widget(config="", namespace=None):
    box = pg.playground_widget(namespace=namespace, config=config)
    controls = box.children[1].children[0].children + box.children[1].children[1].children
    run, step, reset, play, status = box.children[0].children
    return box, {c.description: c for c in controls}, dict(run=run, step=step, reset=reset, play=play,
                                                            status=status, share=box.children[2])


def test_the_features_list_shows_every_row():
    _, by_name, _ = _widget()
    assert by_name["features"].rows == len(pg.FEATURES) == 7


def test_the_learning_rate_takes_tf_playgrounds_values():
    _, by_name, parts = _widget()
    lr = by_name["learning rate"]
    assert tuple(lr.options) == pg.LEARNING_RATES and 0.03 in lr.options
    lr.value = 0.003
    assert "lr=0.003;" in parts["share"].value
    lr.value = 0.03
    assert "lr=0.03;" in parts["share"].value, "0.03, not 0.03162277660168379"
    parts["share"].value = "lr=0.0316"              # a line of its own keeps its rate
    assert lr.value == 0.0316 and 0.0316 in lr.options and "lr=0.0316;" in parts["share"].value


@pytest.mark.parametrize("control, value", [("learning rate", 0.3), ("optimizer", "adam"),
                                            ("keep_prob", 0.8), ("batch size", 5)])
def test_a_training_setting_keeps_training_the_same_net(control, value):
    _, by_name, parts = _widget("hidden=3")
    parts["step"].click()
    parts["step"].click()
    weights = {k: v.copy() for k, v in _playground(parts).params.items()}
    by_name[control].value = value
    kept = _playground(parts)
    assert kept.epoch == 2 and all(np.array_equal(weights[k], kept.params[k]) for k in weights)
    assert "training goes on from epoch 2" in parts["status"].value, parts["status"].value
    parts["step"].click()
    assert kept.epoch == 3 and len(kept.history["train_loss"]) == 4


@pytest.mark.parametrize("control, value", [("hidden units", "5"), ("own layers", True),
                                            ("activation", "relu"), ("data set", "xor")])
def test_a_change_of_net_or_data_says_it_restarts(control, value):
    _, by_name, parts = _widget("hidden=3")
    parts["step"].click()
    by_name[control].value = value
    assert _playground(parts).epoch == 0
    assert "changed: a new net, restarted at epoch 0" in parts["status"].value, parts["status"].value
    parts["step"].click()
    parts["reset"].click()
    assert _playground(parts).epoch == 0 and "changed" not in parts["status"].value


def _playground(parts):
    # the widget's Playground, reached through the step button's handler's closure
    handler = parts["step"]._click_handlers.callbacks[0]
    return dict(zip(handler.__code__.co_freevars, (c.cell_contents for c in handler.__closure__)))["state"]["pg"]


def test_retune_refuses_a_change_of_the_net():
    net = pg.Playground(pg.parse_config("hidden=3"))
    with pytest.raises(ValueError, match="hidden changes the net or the data"):
        net.retune(pg.parse_config("hidden=4"))
    optimizer = net.optimizer
    assert net.retune(pg.parse_config("hidden=3; lr=0.1")) == ["lr"]
    assert net.optimizer is optimizer and optimizer.lr == 0.1, "a new lr keeps the optimizer's state"
    retuned = net.retune(pg.parse_config("hidden=3; lr=0.1; regularization=L1; reg_rate=0.01"))
    assert retuned == ["regularization", "reg_rate"]
    assert (net.net.l1, net.net.reg) == (0.01, 0.0)


def test_train_and_pause():
    _, _, parts = _widget()
    run, play = parts["run"], parts["play"]
    assert run.description == "▶ train" and not play.playing and play.layout.display == "none"
    run.value = True
    assert play.playing and run.description == "⏸ pause"
    epoch = _playground(parts).epoch
    play.value += 1                                  # the browser's clock ticks
    assert _playground(parts).epoch == epoch + 1
    run.value = False
    assert not play.playing and run.description == "▶ train"


def test_the_loss_panel_shows_epoch_0():
    fig = pg.plot_playground(pg.Playground(pg.parse_config("")))
    ax_loss = fig.axes[2]
    lines = ax_loss.get_lines()
    assert len(lines) == 2 and all(len(line.get_xdata()) == 1 for line in lines)
    assert all(line.get_marker() not in (None, "None", "") for line in lines), "one point needs a marker"
    lo, hi = ax_loss.get_xlim()
    assert lo < 0 < hi


def test_the_network_diagram_draws_every_weight_by_sign_and_size():
    net = pg.Playground(pg.parse_config("hidden=3,2; features=x1,x2,x1*x2"))
    lines = pg.network_lines(net)
    weights = np.concatenate([net.params[f"W{i}"].ravel() for i in (1, 2, 3)])
    assert len(lines) == weights.size == 3 * 3 + 3 * 2 + 2 * 2
    assert [c for *_, c, _ in lines] == [pg.POSITIVE if w >= 0 else pg.NEGATIVE for w in weights]
    widths = np.array([w for *_, w in lines])
    assert np.allclose(widths, 0.3 + 3 * np.abs(weights) / np.abs(weights).max())
    (x0, _), (x1, _), *_ = lines[-1]
    assert (x0, x1) == (2, 3), "the last weight runs from the last hidden layer to the output"
    fig = pg.plot_playground(net)
    assert len(fig.axes[0].collections[0].get_segments()) == weights.size


@pytest.mark.parametrize("dataset", ["plane", "gaussians"])
def test_regression_sets_fit_by_mean_squared_error(dataset):
    net = pg.Playground(pg.parse_config(f"dataset={dataset}; hidden=8,8; activation=tanh; "
                                        f"optimizer=adam; lr=0.03; noise=0"))
    assert net.data["y_train"].dtype == np.float64 and net.net.params["W3"].shape == (8, 1)
    for _ in range(30):
        net.train_epoch()
    assert net.history["train_loss"][-1] < 0.3 * net.history["train_loss"][0]
    xs, ys, values = net.boundary(resolution=10)
    assert values.shape == (10, 10) and values.dtype == np.float64
    F, y = net.data["F_train"][:6], net.data["y_train"][:6]
    _, grads = net.loss_and_grads(F, y)
    numeric = numerical_gradient(lambda _: net.loss_and_grads(F, y)[0], net.params["W1"])
    assert rel_error(grads["W1"], numeric) < 1e-6
    assert pg.plot_playground(net).axes[2].get_ylabel() == "mean squared error"


def test_the_linear_activation_is_a_linear_map():
    net = pg.Playground(pg.parse_config("dataset=plane; activation=linear; hidden=3; noise=0; "
                                        "optimizer=adam; lr=0.03"))
    F = net.data["F_train"]
    # a net without activations is one affine map: its outputs are affine in the inputs
    a, b = net.net.loss(F[:1]), net.net.loss(F[1:2])
    assert np.allclose(net.net.loss((F[:1] + F[1:2]) / 2), (a + b) / 2)
    for _ in range(40):
        net.train_epoch()
    assert net.history["train_loss"][-1] < 1e-3, "the plane is linear: a linear net fits it"
