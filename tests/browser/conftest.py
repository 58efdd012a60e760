"""A real browser (Debian's chromium through Playwright) against Bijna served over real HTTP.

Nothing here skips: without /usr/bin/chromium the tests fail with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BIJNA_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
CARRIER_SECRET = "test-carrier-secret"  # the conftest carrier's signing secret


@pytest.fixture(scope="session")
def browser():
    """Launch chromium once for the run; fail loudly (never skip) when it is not installed."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"chromium not found at {CHROMIUM}: run `make chromium` (apt-get install -y chromium) "
                    "or set BIJNA_CHROMIUM; the browser tests need a real browser", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone_page(browser):
    """A fresh phone-sized page that fails the test on any CSP violation or script error."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  locale="en-GB", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    problems: list[str] = []
    # A blocked inline script/style, a broken script or a missing resource is a bug.
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


@pytest.fixture(scope="module")
def carrier_sim_url(app) -> Iterator[str]:
    """A carrier simulator over real HTTP, for slots and rebookings, living on the app's (test) clock."""
    from carrier_sim import create_app
    from devtools.serve import serve_in_thread

    with serve_in_thread(create_app(CARRIER_SECRET, seed=5, clock=lambda: app.config["CLOCK"]())) as base_url:
        yield base_url


@pytest.fixture
def live_bijna(app, db) -> Iterator[str]:
    """Bijna itself over real HTTP (threaded), polling the tracking JSON every second."""
    from devtools.serve import serve_in_thread

    saved = app.config.get("TRACKING_POLL_SECONDS")
    app.config["TRACKING_POLL_SECONDS"] = 1
    with serve_in_thread(app) as base_url:
        yield base_url
    if saved is None:
        app.config.pop("TRACKING_POLL_SECONDS", None)
    else:
        app.config["TRACKING_POLL_SECONDS"] = saved


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/browser; BIJNA_DOCS_SCREENSHOTS=1 also copies to docs/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, docs: str | None = None, full_page: bool = True) -> Path:
        """Save `name`.png (the whole page, or the first screen); with the flag set, also as docs/screenshots/."""
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if docs and os.environ.get("BIJNA_DOCS_SCREENSHOTS") == "1":
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / f"{docs}.png")
        return path

    return take
