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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if report.when == "call":
        item.failed_call = report.failed


@pytest.fixture
def lab(lab_root, tmp_path, request):
    """A JupyterLab server; where the test failed, the end of the server's log is printed with
    it (a kernel that died or restarted says so there)."""
    log = tmp_path / "jupyterlab.log"
    server = Lab(lab_root, log)
    yield server
    server.close()
    if getattr(request.node, "failed_call", False):
        print("JupyterLab's log, its last 80 lines:\n" + "\n".join(log.read_text().splitlines()[-80:]))
