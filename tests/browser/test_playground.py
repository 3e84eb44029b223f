"""The playground notebook in a real browser: Run All, then every control changes the figure
or the status line and leaves one whole figure, an optimizer's own settings show for it alone
and reach the run, the config line sets the controls, train / pause / step / reset train, a
training setting goes on training and any other change says it restarts, and what TF
Playground has: every feature row in sight, its learning rates, the network diagram, the loss
from epoch 0, the regression sets and the linear activation."""
import io

import numpy as np

import jlab
from test_lesson_widgets import assert_figures_whole, open_and_run, rendered_widget, widget_pngs

NOTEBOOK = "course/playground.ipynb"
WIDGET_CELL = 1


def share_box(root):
    return root.locator(".widget-text:has(.widget-label:text-is('config')) input")


def settle(page, lab):
    """Wait until the kernel has handled the widget's messages and the browser drew the reply."""
    page.wait_for_timeout(300)
    jlab.wait_kernel_idle(page, lab, timeout=jlab.CHANGE_TIMEOUT)
    page.wait_for_timeout(500)


def after_one_epoch(page, lab, root):
    root.locator("button:text-is('step')").click()
    settle(page, lab)
    return jlab.widget_fingerprint(root)


def reset(page, lab, root):
    root.locator("button:text-is('reset')").click()
    settle(page, lab)


def first_epoch_changes(page, lab, root, change):
    """Many settings (learning rate, optimizer, dropout ...) only act in training, so the
    comparison is after one epoch: from a reset, before and after ``change()`` (which returns
    what it did) and a reset."""
    reset(page, lab, root)
    before = after_one_epoch(page, lab, root)
    what = change()
    settle(page, lab)
    assert_figures_whole(root, 1, what)
    reset(page, lab, root)
    assert after_one_epoch(page, lab, root) != before, f"one epoch looks the same after {what}"
    assert_figures_whole(root, 1, f"{what} and one epoch")


def every_control_changes_the_first_epoch(page, lab, root):
    """Every visible control (an optimizer's settings show for that optimizer only)."""
    count = 0
    for kind, controls in jlab.controls(root).items():
        for control in controls:
            if control.is_visible():
                first_epoch_changes(page, lab, root, lambda: jlab.change_control(kind, control))
                count += 1
    return count


def slider(root, label):
    return root.locator(f".widget-slider:has(.widget-label:text-is('{label}'))")


def dropdown(root, label):
    return root.locator(f".widget-dropdown:has(.widget-label:text-is('{label}')) select")


SETTINGS = ("momentum", "decay", "beta1", "beta2")


def shown_settings(root):
    return [label for label in SETTINGS if slider(root, label).is_visible()]


def momentum_shows_for_momentum_and_reaches_the_run(page, lab, root):
    """The momentum slider shows for momentum only; ten steps down make the config line say
    momentum=0.8 (not 0.7999999999999999) and change the first epoch."""
    dropdown(root, "optimizer").select_option(label="momentum")
    settle(page, lab)
    assert shown_settings(root) == ["momentum"]

    def lower_momentum():
        jlab.press_slider_key(slider(root, "momentum"), "ArrowLeft", times=10)
        return "momentum lowered from 0.90 to 0.80"
    first_epoch_changes(page, lab, root, lower_momentum)
    assert "momentum=0.8;" in share_box(root).input_value(), share_box(root).input_value()


def status(root):
    return root.locator(".widget-html-content").first.inner_text()


def colour_share(png, colour, columns):
    """The share of the figure's pixels in ``columns`` (a slice) within 40/255 of ``colour``."""
    from matplotlib.image import imread

    rgb = imread(io.BytesIO(png), format="png")[..., :3][:, columns]
    target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return float(np.mean(np.abs(rgb - target).max(axis=2) < 40 / 255))


def figure(root):
    pngs = widget_pngs(root)
    assert len(pngs) == 1, f"{len(pngs)} figures"
    return pngs[0]


def check_what_tf_playground_has(page, lab, root):
    """Every feature row in sight; TF Playground's learning rates; at epoch 0 the diagram's
    weights in both colours and both loss curves drawn (a point each)."""
    features = root.locator(".widget-select-multiple select")
    assert features.evaluate("s => s.scrollHeight <= s.clientHeight"), "a feature row is out of sight"
    assert features.locator("option").count() == 7
    lr = dropdown(root, "learning rate")
    assert "0.03" in [o.inner_text() for o in lr.locator("option").all()]
    lr.select_option(label="0.03")
    settle(page, lab)
    assert "lr=0.03;" in share_box(root).input_value(), share_box(root).input_value()
    reset(page, lab, root)
    png = figure(root)
    width = int.from_bytes(png[16:20], "big")
    # the diagram's quarter; the loss panel's left part, where epoch 0 is (its legend is right)
    diagram, epoch_0 = slice(0, width // 4), slice(int(0.74 * width), int(0.86 * width))
    for name, colour in (("positive", "#0877bd"), ("negative", "#f59322")):
        assert colour_share(png, colour, diagram) > 0.002, f"no {name} weight in the network diagram"
    for name, colour in (("train", "#1f77b4"), ("test", "#ff7f0e")):
        assert colour_share(png, colour, epoch_0) > 0.0001, f"no {name} loss at epoch 0"


def check_keeps_training_or_says_it_restarts(page, lab, root):
    reset(page, lab, root)
    after_one_epoch(page, lab, root)
    after_one_epoch(page, lab, root)
    dropdown(root, "learning rate").select_option(label="0.3")
    settle(page, lab)
    assert "training goes on from epoch 2" in status(root), status(root)
    dropdown(root, "activation").select_option(label="relu")
    settle(page, lab)
    assert "restarted at epoch 0" in status(root), status(root)


def check_train_and_pause(page, lab, root):
    assert root.locator(".widget-play").is_hidden(), "Play's own buttons (a repeat that looks like reset)"
    before = jlab.widget_fingerprint(root)
    root.locator("button:has-text('train')").click()
    after = jlab.wait_changed(root, before, "train pressed")
    jlab.wait_changed(root, after, "still training")
    root.locator("button:has-text('pause')").click()
    settle(page, lab)
    paused = jlab.widget_fingerprint(root)
    page.wait_for_timeout(1500)
    assert jlab.widget_fingerprint(root) == paused, "it trains on after pause"
    assert_figures_whole(root, 1, "pause")


def check_regression_and_linear(page, lab, root):
    for label, option, line in (("data set", "gaussians", "dataset=gaussians"),
                                ("activation", "linear", "activation=linear")):
        before = jlab.widget_fingerprint(root)
        dropdown(root, label).select_option(label=option)
        jlab.wait_changed(root, before, f"{label} set to {option}")
        settle(page, lab)
        assert line in share_box(root).input_value() and "Error" not in status(root)
        before = after_one_epoch(page, lab, root)
        assert after_one_epoch(page, lab, root) != before, f"{option}: a step changes nothing"
        assert_figures_whole(root, 1, f"{option}: one epoch")


def test_playground(browser, lab, lab_root):
    page, console = open_and_run(browser, lab, lab_root, NOTEBOOK)
    assert jlab.cell_errors(page) == []
    root = rendered_widget(page, WIDGET_CELL)
    assert jlab.layout_problems(root) == []
    assert shown_settings(root) == [], "plain SGD takes no optimizer settings"
    # Controls that matter only in another setting: the spiral's classes, the L2 rate.
    for label, option in (("data set", "spiral"), ("regularization", "L2")):
        dropdown(root, label).select_option(label=option)
        settle(page, lab)
    assert every_control_changes_the_first_epoch(page, lab, root) >= 14
    momentum_shows_for_momentum_and_reaches_the_run(page, lab, root)

    before = jlab.widget_fingerprint(root)
    root.locator(".widget-select-multiple select").select_option(["x1", "x2", "x1*x2"])
    jlab.wait_changed(root, before, "features x1, x2, x1*x2 picked")
    assert "features=x1,x2,x1*x2" in share_box(root).input_value()

    hidden = root.locator(".widget-text:has(.widget-label:text-is('hidden units')) input")
    before = jlab.widget_fingerprint(root)
    hidden.fill("6,6")
    hidden.press("Enter")
    jlab.wait_changed(root, before, "hidden units set to 6,6")
    assert "hidden=6,6" in share_box(root).input_value()

    # A pasted config line sets the controls.
    share = share_box(root)
    before = jlab.widget_fingerprint(root)
    share.fill("dataset=xor; hidden=4; optimizer=adam; lr=0.01; features=x1,x2")
    share.press("Enter")
    jlab.wait_changed(root, before, "a config line pasted")
    assert dropdown(root, "data set").locator("option:checked").inner_text() == "xor"
    assert dropdown(root, "optimizer").locator("option:checked").inner_text() == "adam"
    assert shown_settings(root) == ["beta1", "beta2"]

    for button in ("step", "reset"):
        before = jlab.widget_fingerprint(root)
        root.locator(f"button:text-is('{button}')").click()
        jlab.wait_changed(root, before, f"{button} pressed")
    check_train_and_pause(page, lab, root)
    check_what_tf_playground_has(page, lab, root)
    check_keeps_training_or_says_it_restarts(page, lab, root)
    check_regression_and_linear(page, lab, root)
    assert jlab.layout_problems(root) == []
    assert console.errors == [], f"JavaScript errors: {console.errors}"
