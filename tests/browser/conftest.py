"""Real-browser tests: a fresh JupyterLab server per test, Debian's Chromium driven by Playwright.

No browser is downloaded: Playwright launches /usr/bin/chromium (``apt-get install chromium``;
.ci/run installs it). Without it, or without the playwright package, every test here fails
with a message saying what to install (a skipped browser suite would pass CI unseen).
"""
import json
from pathlib import Path

import pytest

from jlab import CHROMIUM, CHROMIUM_ARGS, Lab


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need the playwright package: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium):
    """The session's Chromium; every page a test opens is closed when the test ends (a
    JupyterLab page left open after its server stopped kept trying to reach it, a core's third
    busy for the rest of the run)."""
    yield chromium
    for context in list(chromium.contexts):
        context.close()


@pytest.fixture
def lab_root(tmp_path):
    """The server's root folder; tests copy the notebooks they open into it."""
    root = tmp_path / "lab"
    root.mkdir()
    # JupyterLab's own settings: no "news" and no update prompts popping over the notebook.
    settings = root / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return root


HERE = Path(__file__).resolve().parent
RERUNS = 1


def pytest_collection_modifyitems(items):
    """A browser test that fails runs once more (pytest-rerunfailures; the summary counts it as
    a rerun, and the failed run's output is printed). Beside the grading tests on two busy
    cores, a lesson's page once showed a JupyterLab dialog over its menu, and lesson 06's widget
    did not follow a dropdown within 30 s, then within a minute; each passed alone, every time, and the
    widget followed dropdowns changed faster than a student can. A widget that is broken fails
    both runs."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.flaky(reruns=RERUNS))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report carries the end of its JupyterLab server's log (a kernel that died
    or restarted says so there)."""
    report = (yield).get_result()
    lab = getattr(item, "funcargs", {}).get("lab")
    if report.when == "call" and report.failed and lab is not None:
        report.sections.append(("JupyterLab's log, its last 80 lines", lab.log_tail(80)))


@pytest.fixture
def lab(lab_root, tmp_path):
    server = Lab(lab_root, tmp_path / "jupyterlab.log")
    yield server
    server.close()
