"""Lesson 05's descend helper and optimizer explorer, without a browser."""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnref import optim
from nnref.widgets import optimizers as ow

BOWL = "bowl x²/20 + y²"


def test_descend_records_the_start_and_every_step_and_updates_in_place():
    w = np.array([1.0, -2.0])
    params = {"w": w}
    visited = ow.descend(optim.SGD(0.1), params, lambda p: {"w": 2 * p["w"]}, 3)
    np.testing.assert_allclose([v["w"] for v in visited], [[1, -2], [0.8, -1.6], [0.64, -1.28], [0.512, -1.024]])
    assert params["w"] is w and visited[-1]["w"] is not w   # copies, not views of the live array


def test_descend_stops_a_diverging_run():
    visited = ow.descend(optim.SGD(10.0), {"w": np.array([1.0])}, lambda p: {"w": 2 * p["w"]}, 100)
    assert len(visited) < 101 and abs(visited[-1]["w"][0]) >= ow.DIVERGED


@pytest.mark.parametrize("rule", ow.RULES)
def test_scheduled_run_matches_one_dict_and_a_schedule_for_nnref_s_rules(rule):
    grad_fn = lambda p: {name: (k + 1.0) * w for k, (name, w) in enumerate(sorted(p.items()))}
    start = {"W": np.array([[1.0, -2.0]]), "b": np.array([0.5])}
    lrs = [0.1, 0.02, 0.3]
    got = ow.scheduled_run(ow.make_optimizer(rule, lrs[0]), start, grad_fn, lrs)
    optimizer, params = ow.make_optimizer(rule, lrs[0]), {k: v.copy() for k, v in start.items()}
    expected = [{k: v.copy() for k, v in params.items()}]
    for lr in lrs:
        optimizer.lr = lr
        optimizer.step(params, grad_fn(params))
        expected.append({k: v.copy() for k, v in params.items()})
    assert len(got) == 4 and np.array_equal(start["W"], [[1.0, -2.0]])     # start left unchanged
    for g, e in zip(got, expected):
        for name in start:
            np.testing.assert_array_equal(g[name], e[name])


def test_scheduled_run_tells_a_state_keyed_by_array_from_one_keyed_by_name():
    class ById(optim.SGD):   # a velocity keyed by id(w): restarts from zero on new arrays
        def __init__(self, lr):
            super().__init__(lr)
            self.velocity = {}

        def step(self, params, grads):
            for name, w in params.items():
                v = self.velocity.setdefault(id(w), np.zeros_like(w))
                v *= 0.9
                v += self.lr * grads[name]
                w -= v
    grad_fn = lambda p: {"w": np.ones(1)}
    by_id = ow.scheduled_run(ById(0.1), {"w": np.zeros(1)}, grad_fn, [0.1, 0.1])
    by_name = ow.scheduled_run(optim.Momentum(0.1), {"w": np.zeros(1)}, grad_fn, [0.1, 0.1])
    np.testing.assert_allclose(by_name[-1]["w"], [-0.29])        # 0.1, then 0.9 * 0.1 + 0.1
    np.testing.assert_allclose(by_id[-1]["w"], [-0.2])           # two first steps


def test_make_optimizer_maps_momentum_to_each_rule():
    assert ow.make_optimizer("Nesterov", 0.1, 0.5).momentum == 0.5
    assert ow.make_optimizer("Adam", 0.1, 0.8).beta1 == 0.8
    assert isinstance(ow.make_optimizer("AdaGrad", 0.1, 0.8), optim.AdaGrad)
    with pytest.raises(ValueError, match="Adam"):
        ow.make_optimizer("LBFGS", 0.1)


@pytest.mark.parametrize("surface", list(ow.SURFACES))
def test_each_surface_gradient_matches_its_function(surface):
    s, h = ow.SURFACES[surface], 1e-6
    for x, y in ((0.3, -0.7), (-1.1, 0.4)):
        numeric = [(s.f(x + h, y) - s.f(x - h, y)) / (2 * h), (s.f(x, y + h) - s.f(x, y - h)) / (2 * h)]
        np.testing.assert_allclose(s.grad(x, y), numeric, rtol=1e-6, atol=1e-6)
    assert s.f(*s.start) > s.f_min


def test_sgd_on_the_bowl_matches_the_update_rule_by_hand():
    # x <- x - lr x / 10, y <- y - lr 2 y: a factor per step on each axis
    state = ow.explorer_state(BOWL, "SGD", math.log10(0.95), steps=30)
    np.testing.assert_allclose(state["final"], [-7 * (1 - 0.095) ** 30, 2 * (1 - 1.9) ** 30], rtol=1e-9)
    assert state["diverged_at"] is None and "still" in state["text"]


def test_a_too_large_rate_diverges_and_says_where():
    state = ow.explorer_state(BOWL, "SGD", math.log10(1.1), steps=300)   # |1 - 2.2| > 1 along y
    assert state["diverged_at"] == len(state["path"]) - 1 < 300
    assert state["gap"] == float("inf") and "diverged at step" in state["text"]


def test_a_run_that_grows_inside_the_box_is_called_diverging():
    # lr just above 2 / 100, the stability limit along the valley's steep axis
    state = ow.explorer_state("narrow valley x²/2 + 50 y²", "SGD", math.log10(0.0204), steps=100)
    assert state["diverged_at"] is None and state["losses"][-1] > state["losses"][0]
    assert "diverging: f grew from" in state["text"]


def test_momentum_escapes_the_saddle_faster_than_sgd():
    sgd = ow.explorer_state("saddle x² - y² + y⁴/4", "SGD", -2, steps=100)
    momentum = ow.explorer_state("saddle x² - y² + y⁴/4", "Momentum", -2, 0.9, steps=100)
    assert momentum["gap"] < 0.1 < sgd["gap"]


def test_adam_on_rosenbrock_converges_with_a_suitable_rate():
    state = ow.explorer_state("Rosenbrock (1-x)² + 100(y-x²)²", "Adam", -1.3, steps=300)
    assert state["losses"][-1] < 0.1 * state["losses"][0]


def test_plot_run_draws_path_and_losses():
    state = ow.explorer_state(BOWL, "SGD", math.log10(1.1), steps=300)
    fig, axes = plt.subplots(1, 2)
    ow.plot_run(BOWL, state, axes)
    assert axes[1].get_yscale() == "log" and axes[1].get_legend() is not None   # the divergence line
    plt.close(fig)


def test_the_widget_builds_and_redraws_on_change():
    widget = ow.optimizer_explorer()
    (surface, rule), (log10_lr, momentum, steps) = widget.children[0].children, widget.children[1].children
    surface.value = "narrow valley x²/2 + 50 y²"
    rule.value = "Nesterov"
    log10_lr.value, momentum.value, steps.value = -2, 0.5, 20
    plt.close("all")
