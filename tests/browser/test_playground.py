"""The playground notebook in a real browser: Run All, then every control changes the figure
or the status line, an optimizer's own settings show for it alone and reach the run, the config
line sets the controls, and play / step / reset train."""
import jlab
from test_lesson_widgets import open_and_run, rendered_widget

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


def first_epoch_changes(page, lab, root, change):
    """Many settings (learning rate, optimizer, dropout ...) only act in training, so the
    comparison is after one epoch: from the same reset, before and after ``change()``, which
    returns what it did."""
    root.locator("button:text-is('reset')").click()
    settle(page, lab)
    before = after_one_epoch(page, lab, root)
    what = change()
    settle(page, lab)
    assert after_one_epoch(page, lab, root) != before, f"one epoch looks the same after {what}"


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
    play = root.locator(".widget-play button")
    before = jlab.widget_fingerprint(root)
    play.nth(0).click()
    after = jlab.wait_changed(root, before, "play pressed")
    jlab.wait_changed(root, after, "play still running")
    play.nth(1).click()  # pause
    assert jlab.layout_problems(root) == []
    assert console.errors == [], f"JavaScript errors: {console.errors}"
