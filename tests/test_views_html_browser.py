"""The HTML figure in a real browser: headless Chromium driven by chromedriver (WebDriver).

Plain ``http.client`` + JSON speaks the W3C WebDriver protocol here: the handful of
commands needed (navigate, execute script, screenshot, key and pointer actions) do not
justify a Selenium dependency. One browser session serves every test of the module.
Without Chromium the tests skip locally but FAIL when ``CI=true``: CI installs it.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

import attrmap
from attrmap.scale import cell_colors, contrast_ratio, relative_luminance
from conftest import EXAMPLES, REFERENCE_EXPRESSIONS, REFERENCE_TOKENS, require

pytestmark = pytest.mark.slow  # a headless Chromium

REFERENCE = EXAMPLES / "token_attribution.csv"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-color-profile=srgb",  # screenshot pixels are the page's sRGB values
    "--force-device-scale-factor=1",
    "--hide-scrollbars",
    "--window-size=1100,900",
]
KEYS = {"Tab": "\ue004", "ArrowLeft": "\ue012", "ArrowUp": "\ue013", "ArrowRight": "\ue014"}
KEYS |= {"ArrowDown": "\ue015", "End": "\ue010", "Home": "\ue011"}


def _need(program: str) -> str:
    """The program's path; skip without it here, fail in CI (see ``conftest.require``)."""
    found = shutil.which(program)
    require(f"{program} (Debian's chromium and chromium-driver, for the HTML tests)", bool(found))
    return found or program


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebDriver:
    """Just enough of the W3C WebDriver protocol, over one localhost connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.session = ""

    def call(self, method: str, path: str, body: object = None) -> object:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            payload = None if body is None else json.dumps(body)
            headers = {"Content-Type": "application/json"} if payload else {}
            connection.request(method, path, payload, headers)
            reply = json.loads(connection.getresponse().read() or b"{}")
        finally:
            connection.close()
        value = reply.get("value")
        if isinstance(value, dict) and "error" in value:
            raise RuntimeError(f"WebDriver {path}: {value['error']}: {value.get('message')}")
        return value

    def start(self, chromium: str, profile: str) -> None:
        options = {"binary": chromium, "args": [*CHROMIUM_ARGS, f"--user-data-dir={profile}"]}
        capabilities = {"browserName": "chrome", "goog:chromeOptions": options}
        value = self.call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = f"/session/{value['sessionId']}"

    def open(self, path: Path) -> None:
        self.call("POST", f"{self.session}/url", {"url": path.resolve().as_uri()})

    def run(self, script: str, *args: object) -> object:
        return self.call(
            "POST", f"{self.session}/execute/sync", {"script": script, "args": list(args)}
        )

    def screenshot(self) -> np.ndarray:
        png = base64.b64decode(self.call("GET", f"{self.session}/screenshot"))
        return (imread(io.BytesIO(png), format="png")[..., :3] * 255 + 0.5).astype(np.uint8)

    def keys(self, *names: str) -> None:
        actions = []
        for name in names:
            actions += [
                {"type": "keyDown", "value": KEYS[name]},
                {"type": "keyUp", "value": KEYS[name]},
            ]
        self.call(
            "POST",
            f"{self.session}/actions",
            {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]},
        )

    def move_to(self, x: float, y: float) -> None:
        pointer = {"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}}
        pointer["actions"] = [{"type": "pointerMove", "x": int(x), "y": int(y), "duration": 0}]
        self.call("POST", f"{self.session}/actions", {"actions": [pointer]})


@pytest.fixture(scope="module")
def browser():
    chromium, chromedriver = _need("chromium"), _need("chromedriver")
    port = _free_port()
    profile = tempfile.mkdtemp(prefix="attrmap-chromium-")
    driver_process = subprocess.Popen(
        [chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    driver = WebDriver(port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if driver.call("GET", "/status").get("ready"):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chromedriver did not start within 30 s")
            time.sleep(0.05)
        driver.start(chromium, profile)
        yield driver
    finally:
        if driver.session:
            with contextlib.suppress(Exception):
                driver.call("DELETE", driver.session)
        driver_process.terminate()
        driver_process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def reference_html(tmp_path_factory, run_cli) -> Path:
    out = tmp_path_factory.mktemp("browser") / "reference.html"
    result = run_cli("render", REFERENCE, "-o", out)
    assert result.exit_code == 0, result.output
    return out


CELL_RECTS = """
return Array.from(document.querySelectorAll('.attrmap-grid tbody td')).map(function(td){
  var r = td.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];});
"""


def test_cell_colours_at_cell_centres_are_the_pngs(browser, reference_html):
    browser.open(reference_html)
    # Hide the annotations so the centre pixel is the cell's own colour.
    browser.run(
        "document.querySelectorAll('td').forEach(function(td){td.style.color='transparent'});"
    )
    assert browser.run("return window.devicePixelRatio") == 1
    rects = browser.run(CELL_RECTS)
    shot = browser.screenshot()

    figure = attrmap.render(attrmap.load_matrix(REFERENCE))
    figure.canvas.draw()
    png = np.asarray(figure.canvas.buffer_rgba())[..., :3]
    ax = figure.axes[0]
    assert len(rects) == 65
    for index, (left, top, width, height) in enumerate(rects):
        row, col = divmod(index, 5)
        browser_rgb = shot[int(top + height / 2), int(left + width / 2)]
        x, y = ax.transData.transform((col - 0.35, row - 0.35))  # beside the annotation
        png_rgb = png[int(png.shape[0] - y), int(x)]
        assert browser_rgb.tolist() == png_rgb.tolist(), (row, col)


def test_legend_bar_spans_the_grid_rows(browser, reference_html):
    browser.open(reference_html)
    grid, bar = browser.run(
        "var b=document.querySelector('.attrmap-grid tbody').getBoundingClientRect();"
        "var s=document.querySelector('.attrmap-scale').getBoundingClientRect();"
        "return [[b.top,b.bottom],[s.top,s.bottom]];"
    )
    assert abs(grid[0] - bar[0]) <= 2 and abs(grid[1] - bar[1]) <= 2


DETAIL = "return document.querySelector('.attrmap-detail').textContent"
ACTIVE = (
    "var a=document.activeElement;"
    "return [a.tagName, a.parentNode.sectionRowIndex, a.cellIndex, a.tabIndex];"
)


def test_keyboard_tab_into_the_grid_and_move_with_arrows(browser, reference_html):
    browser.open(reference_html)
    browser.keys("Tab")
    assert browser.run(ACTIVE) == ["TD", 0, 1, 0]
    expected = f"Token “{REFERENCE_TOKENS[0]}”, expression “{REFERENCE_EXPRESSIONS[0]}”: 0.3452"
    assert browser.run(DETAIL) == expected
    browser.keys(*["ArrowDown"] * 7, "ArrowRight", "ArrowLeft", "ArrowLeft")  # left edge stays
    assert browser.run(ACTIVE) == ["TD", 7, 1, 0]
    assert browser.run(DETAIL) == "Token “_x”, expression “8 x 48 = 384”: 1.3714"
    browser.keys("End")
    assert browser.run(DETAIL) == "Token “_x”, expression “$35 ($85 - $50)”: -0.3675"
    # Roving tabindex: exactly one cell is in the tab order, the focused one.
    assert browser.run("return document.querySelectorAll('td[tabindex=\"0\"]').length") == 1
    browser.keys("Home", "ArrowUp", "ArrowUp", "ArrowUp", "End")
    assert browser.run(DETAIL) == "Token “0”, expression “$35 ($85 - $50)”: -0.0"
    assert (
        browser.run("return document.querySelector('.attrmap-detail').getAttribute('aria-live')")
        == "polite"
    )


def test_hover_shows_the_exact_value(browser, tmp_path, run_cli):
    out = tmp_path / "exact.html"
    (tmp_path / "exact.csv").write_text("token,a,b\nx,0.123456789,-1e-05\ny,2.5,0\n")
    result = run_cli("render", tmp_path / "exact.csv", "-o", out, "--shape", "any")
    assert result.exit_code == 0, result.output
    browser.open(out)
    rects = browser.run(CELL_RECTS)
    for index, expected in [(0, "Token “x”, expression “a”: 0.123456789"), (1, "“b”: -1e-05")]:
        left, top, width, height = rects[index]
        browser.move_to(left + width / 2, top + height / 2)
        assert browser.run(DETAIL).endswith(expected)
    texts = browser.run(
        "return Array.from(document.querySelectorAll('tbody td')).map(t=>t.textContent)"
    )
    assert texts[:2] == ["0.1235", "-0.0000"]  # the annotations stay rounded


COLOURS = """
var b=getComputedStyle(document.body), c=getComputedStyle(document.querySelector('tbody td'));
return [b.backgroundColor, b.color, c.backgroundColor];
"""


def _emulate_scheme(browser: WebDriver, scheme: str | None) -> None:
    features = [{"name": "prefers-color-scheme", "value": scheme}] if scheme else []
    command = {"cmd": "Emulation.setEmulatedMedia", "params": {"features": features}}
    browser.call("POST", f"{browser.session}/goog/cdp/execute", command)


def _rgb(css: str) -> np.ndarray:
    return np.array([int(v) for v in css[css.index("(") + 1 : -1].split(",")[:3]]) / 255


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_colour_schemes_are_readable_and_cells_keep_their_colours(
    browser, reference_html, scheme
):
    browser.open(reference_html)
    _emulate_scheme(browser, scheme)
    try:
        page, text, cell = (_rgb(c) for c in browser.run(COLOURS))
    finally:
        _emulate_scheme(browser, None)
    assert (relative_luminance(page) < 0.1) == (scheme == "dark")
    assert contrast_ratio(relative_luminance(page), relative_luminance(text)) >= 7
    first = cell_colors(np.array([0.3452]), attrmap.Style())[0, :3]  # the PNG's, as tested
    assert np.round(cell * 255).tolist() == np.floor(first * 255 + 0.5).tolist()


def test_comparison_cells_and_focus_in_every_panel(browser, tmp_path, run_cli):
    """Each panel's table works on its own: colours from its own scale, its own headers."""
    out = tmp_path / "compare.html"
    args = [str(REFERENCE), str(REFERENCE), "-o", str(out), "--diff", "--titles", "A,B"]
    result = run_cli("compare", *args)
    assert result.exit_code == 0, result.output
    browser.open(out)
    tables = browser.run("return document.querySelectorAll('.attrmap-grid').length")
    assert tables == 3
    # The hidden token headers of panels 2 and 3 take no room: rows line up across panels.
    tops = browser.run(
        "return Array.from(document.querySelectorAll('.attrmap-grid')).map(function(t){"
        "return t.tBodies[0].rows[7].getBoundingClientRect().top;});"
    )
    assert max(tops) - min(tops) <= 1
    browser.keys("Tab", "ArrowDown")
    assert (
        browser.run(DETAIL) == f"Token “{REFERENCE_TOKENS[1]}”, expression “8 x 48 = 384”: 0.0811"
    )
    # B - A of identical inputs: every difference cell is the diverging map's centre.
    centre = browser.run(
        "return getComputedStyle(document.querySelectorAll('.attrmap-grid')[2]"
        ".tBodies[0].rows[0].cells[1]).backgroundColor"
    )
    expected = cell_colors(np.array([0.0]), attrmap.Style(cmap="PuOr"))[0, :3]
    assert np.round(_rgb(centre) * 255).tolist() == np.floor(expected * 255 + 0.5).tolist()
