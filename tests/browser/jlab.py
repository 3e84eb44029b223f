"""Driving JupyterLab 4 from Playwright: open a notebook, Run All, find a cell's widget, and
move its controls the way a student does (drag a slider or step it with the keyboard, pick
from a dropdown, tick a checkbox, press a toggle button)."""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NNREF_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVER_START_TIMEOUT = 60


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """One JupyterLab server on 127.0.0.1 with token auth, serving a temporary root folder."""

    def __init__(self, root, log):
        self.root = Path(root)
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.root / ".jupyter"),
                   JUPYTER_RUNTIME_DIR=str(self.root / ".runtime"),
                   IPYTHONDIR=str(self.root / ".ipython"))
        # The kernel draws inline PNGs; the suite's Agg default would be inherited otherwise
        # and is harmless, but the notebook's own %matplotlib inline decides either way.
        env.pop("MPLBACKEND", None)
        self._log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={self.root}", "--ServerApp.open_browser=False",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class="
             "jupyterlab.NeverCheckForUpdate", "--allow-root"],
            cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}; "
                                   f"see {self._log.name}")
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s")

    def api(self, path):
        request = urllib.request.Request(f"{self.base}/api/{path}",
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)

    def url(self, notebook, workspace="default"):
        """The notebook's page. Pages open at the same time need workspaces of their own: a
        page restores its workspace's saved layout, the other page's notebook included."""
        return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}"

    def log_tail(self, lines):
        return "\n".join(Path(self._log.name).read_text(errors="replace").splitlines()[-lines:])

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def copy_notebook(src, lab_root, folder=""):
    """Copy a notebook into ``folder`` of the server's root; returns its path there (a source
    and its release have the same name)."""
    target = Path(folder) / Path(src).name
    (lab_root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / src, lab_root / target)
    return target.as_posix()


RUN_TIMEOUT = int(os.environ.get("NNREF_BROWSER_RUN_TIMEOUT", 300))  # seconds for one Run All
CHANGE_TIMEOUT = 60  # seconds for a widget's output to follow one interaction (30 s, then 60 s, ran out once each under load: conftest.py)

# Console messages JupyterLab itself prints in a sandbox without network or extensions; none
# comes from a widget.
_BENIGN_CONSOLE = [re.compile(p) for p in (
    r"Failed to load resource: the server responded with a status of 404",
    r"favicon",
)]


class Console:
    """JavaScript errors of one page: console.error messages and uncaught exceptions."""

    def __init__(self, page):
        self.errors = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _on_console(self, msg):
        if msg.type == "error" and not any(p.search(msg.text) for p in _BENIGN_CONSOLE):
            self.errors.append(msg.text)


def open_notebook(page, lab, name, workspace="default"):
    page.goto(lab.url(name, workspace))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    assert page.locator(".jp-Notebook").count() == 1, f"{name}: the page shows other notebooks too"
    wait_kernel_idle(page, lab, timeout=60)


def _kernel_states(lab):
    try:
        return [k["execution_state"] for k in lab.api("kernels")]
    except urllib.error.HTTPError as err:
        # jupyter_server answers 500 while a kernel it lists is still starting (its
        # last_activity is not set yet): not idle, ask again
        if err.code == 500:
            return ["starting"]
        raise


def wait_kernel_idle(page, lab, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = _kernel_states(lab)
        if states and all(s == "idle" for s in states):
            return
        page.wait_for_timeout(300)
    raise AssertionError(f"the kernel is not idle after {timeout} s: {_kernel_states(lab)}")


def run_all(page, lab):
    """Run > Run All Cells, then wait until no cell is queued or running and the kernel is
    idle. Returns the seconds it took."""
    return wait_run_all(page, lab, start_run_all(page))


def accept_dialogs(page):
    """Accept whatever dialog JupyterLab put up over the page (once, in CI on a loaded machine, a
    modal dialog took every click for 30 s; its text is printed, to be read with the test's
    output): what the test then checks of the notebook is checked all the same."""
    dialogs = page.locator(".jp-Dialog")
    for _ in range(5):
        if not dialogs.count():
            return
        print(f"JupyterLab showed a dialog: {dialogs.first.inner_text()!r}; accepted")
        dialogs.first.locator(".jp-Dialog-button.jp-mod-accept").first.click()
        page.wait_for_timeout(500)


def start_run_all(page, attempts=3):
    """Run > Run All Cells (the kernel queues every cell at once); returns when it started. On
    a busy machine the menu's click can come before the notebook is ready to run and start
    nothing: it is made again until a cell is queued or has run."""
    start = time.monotonic()
    started = page.locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[(\*|\d+)\]"))
    for _ in range(attempts):
        accept_dialogs(page)
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click(".lm-Menu-item:has-text('Run All Cells')")
        for _ in range(40):
            if started.count():
                return start
            page.wait_for_timeout(250)
    raise AssertionError(f"Run All Cells started no cell in {attempts} attempts")


def wait_run_all(page, lab, start):
    """Wait until the page has no cell queued or running and every kernel is idle; returns
    the seconds since ``start``."""
    deadline = start + RUN_TIMEOUT
    quiet_since = None
    while time.monotonic() < deadline:
        busy = page.locator(".jp-InputPrompt:has-text('[*]')").count()
        idle = busy == 0 and all(s == "idle" for s in _kernel_states(lab))
        if idle:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 1.0:
                return time.monotonic() - start
        else:
            quiet_since = None
        page.wait_for_timeout(300)
    raise AssertionError(f"Run All did not finish within {RUN_TIMEOUT} s")


def cell(page, index):
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def cell_errors(page):
    """Text of every error output in the notebook (tracebacks' first lines)."""
    return [e.inner_text()[:300] for e in page.locator(".jp-OutputArea-output[data-mime-type="
                                                        "'application/vnd.jupyter.stderr']").all()
            if "Traceback" in e.inner_text() or "Error" in e.inner_text()]


def widget_fingerprint(root):
    """What a widget shows: its images (PNG data), text and progress bars' widths."""
    return root.evaluate("""el => {
        const imgs = [...el.querySelectorAll('img')].map(i => i.src.slice(-200) + i.src.length);
        const bars = [...el.querySelectorAll('.progress-bar')].map(b => b.style.width);
        const text = [...el.querySelectorAll('.jp-OutputArea-output, .widget-label, .widget-html-content')]
            .map(t => t.innerText);
        return JSON.stringify({imgs, bars, text});
    }""")


def wait_changed(root, before, what):
    deadline = time.monotonic() + CHANGE_TIMEOUT
    while time.monotonic() < deadline:
        after = widget_fingerprint(root)
        if after != before:
            # Let the rest of the redraw land before the next interaction reads the output.
            root.page.wait_for_timeout(400)
            return widget_fingerprint(root)
        root.page.wait_for_timeout(200)
    raise AssertionError(f"the widget's output did not change after {what}; {page_state(root.page)}")


def page_state(page):
    """What the page says of itself where a widget stopped answering: the status bar (the
    kernel's state) and any dialog JupyterLab put up (a kernel that died and restarted)."""
    status = " | ".join(t.strip() for t in page.locator(".jp-StatusBar-Widget").all_inner_texts() if t.strip())
    dialogs = [d.strip() for d in page.locator(".jp-Dialog").all_inner_texts()]
    return f"status bar: {status!r}; dialogs: {dialogs!r}"


def press_slider_key(slider, key, times=1):
    """Move a slider's handle with the keyboard, the way arrow keys or a drag step it."""
    handle = slider.locator(".noUi-handle").first
    for _ in range(times):
        # one key at a time, focused again each time: a widget that re-renders while a key is
        # pressed (the playground retrains on every change) took the focus and lost a step in CI
        before = handle.get_attribute("aria-valuenow")
        handle.focus()
        handle.press(key)
        deadline = time.monotonic() + 3
        while handle.get_attribute("aria-valuenow") == before and time.monotonic() < deadline:
            time.sleep(0.05)  # at the end of the track the value stays: no error here, the test's assertion says


def drag_slider(slider, value):
    """Drag a slider's (first) handle with the mouse to where ``value`` sits on its track."""
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    low, high = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax"))
    track = slider.locator(".noUi-base").bounding_box()
    box = handle.bounding_box()
    mouse = slider.page.mouse
    mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    mouse.down()
    x = track["x"] + (value - low) / (high - low) * track["width"]
    mouse.move(x, box["y"] + box["height"] / 2, steps=8)
    mouse.up()


def slider_readout(slider):
    """What a slider shows: its readout's text, else its handles' values."""
    readout = slider.locator(".widget-readout")
    if readout.count():
        return readout.inner_text().strip().replace("\u2212", "-")
    return " ".join(h.get_attribute("aria-valuenow") for h in slider.locator(".noUi-handle").all())


def layout_problems(root):
    """What a student would see as broken layout: cut-off readouts and labels, dropdowns
    showing nothing, a control's label above instead of beside it, printed lines that wrap."""
    return root.evaluate(r"""el => {
        const problems = [];
        const text = e => (e.innerText || '').trim();
        for (const r of el.querySelectorAll('.widget-readout'))
            if (r.classList.contains('overflow') || r.scrollWidth > r.clientWidth + 1)
                problems.push(`readout cut off: ${text(r)}`);
        // a hidden control (display: none) has no width either; only shown labels count
        for (const l of el.querySelectorAll('.widget-label'))
            if (l.offsetParent !== null && text(l) && text(l) !== '\u200b'
                    && (l.scrollWidth > l.clientWidth + 1 || !l.clientWidth))
                problems.push(`label cut off: ${text(l)}`);
        for (const s of el.querySelectorAll('select'))
            if (s.selectedIndex < 0 || !s.options[s.selectedIndex].text.trim())
                problems.push(`dropdown shows nothing (options: ${[...s.options].map(o => o.text)})`);
        for (const box of el.querySelectorAll('.widget-inline-hbox')) {
            const label = box.querySelector(':scope > .widget-label');
            const control = label && label.nextElementSibling;
            if (!control || !text(label) || text(label) === '\u200b') continue;
            const a = label.getBoundingClientRect(), b = control.getBoundingClientRect();
            const middle = a.top + a.height / 2;
            if (middle < b.top || middle > b.bottom)
                problems.push(`label "${text(label)}" is not beside its control`);
        }
        for (const pre of el.querySelectorAll('.jp-OutputArea-output pre')) {
            const wrap = pre.style.whiteSpace;
            pre.style.whiteSpace = 'pre';
            if (pre.scrollWidth > pre.clientWidth + 1)
                problems.push(`printed line wraps: ${text(pre).split('\n').find(l => l.length > 60)}`);
            pre.style.whiteSpace = wrap;
        }
        return problems;
    }""")


def controls(root):
    """The widget's controls, by kind: sliders, dropdowns, checkboxes, toggle buttons."""
    return {
        "slider": root.locator(".widget-slider").all(),
        "dropdown": root.locator(".widget-dropdown").all(),
        "checkbox": root.locator(".widget-checkbox").all(),
        "toggle": root.locator(".widget-toggle-buttons").all(),
    }


def control_label(control):
    label = control.locator(".widget-label").first
    return label.inner_text().strip() if label.count() else "?"


def change_control(kind, control):
    """One interaction that changes the control's value; returns a description of it."""
    name = control_label(control)
    if kind == "slider":
        before = slider_readout(control)
        press_slider_key(control, "ArrowRight")
        if slider_readout(control) == before:  # at the top of its range: step left instead
            press_slider_key(control, "ArrowLeft")
        return f"slider {name!r} moved one step (now {slider_readout(control)})"
    if kind == "dropdown":
        select = control.locator("select")
        options = select.locator("option").all()
        current = select.input_value()
        values = [o.get_attribute("value") for o in options]
        new = next(v for v in values if v != current)
        select.select_option(new)
        return f"dropdown {name!r} set to option {new}"
    if kind == "checkbox":
        control.locator("input").click()
        return f"checkbox {name!r} toggled"
    if kind == "toggle":
        buttons = control.locator("button").all()
        target = next(b for b in buttons if "mod-active" not in (b.get_attribute("class") or ""))
        target.click()
        return f"toggle {name!r} set to {target.inner_text()}"
    raise ValueError(kind)


def open_file_page(browser, path, width, height):
    """(page, requests, errors): ``path`` opened from disk as a reader opens a mailed page, with
    every URL it requests and every console or page error recorded."""
    page = browser.new_page(viewport={"width": width, "height": height})
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    return page, requests, errors
