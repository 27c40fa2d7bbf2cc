"""Browser tests: the real app on a real port, driven by Debian's chromium through Playwright.

The server runs in a thread of the test process on 127.0.0.1 with the demo register on SQLite,
and is stopped when the session ends. ``live_server`` needs no login (auth_mode local) and is
shared by the whole session; ``accounts_server`` is a fresh register per test module where
everyone logs in with a demo account, for tests that take a registration through its workflows.
Browser downloads do not work here, so Playwright launches the ``chromium`` on PATH.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register
from cloudtoets.services.demo import load_demo
from cloudtoets.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TODAY = dt.date(2026, 11, 29)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread(threading.Thread):
    def __init__(self, app: Any, port: int) -> None:
        super().__init__(daemon=True)
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )

    def run(self) -> None:
        self.server.run()

    def stop(self) -> None:
        self.server.should_exit = True
        self.join(timeout=10)


@contextmanager
def demo_server(settings: Settings) -> Iterator[str]:
    """The app with the demo register on its own port; yields its address."""
    register = Register.open(settings, clock=FixedClock.on(TODAY))
    upgrade(register.engine)
    load_demo(register)
    port = _free_port()
    server = ServerThread(create_app(register=register), port)
    server.start()
    deadline = time.monotonic() + 20
    while not server.server.started:
        if time.monotonic() > deadline or not server.is_alive():
            raise RuntimeError("de testserver start niet")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        register.close()


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of ``live_server``: a test may open the same register beside it."""
    database = tmp_path_factory.mktemp("e2e") / "cloudtoets.sqlite"
    return Settings(database_url=f"sqlite:///{database}", demo=True, auth_mode="local")


@pytest.fixture(scope="session")
def live_server(live_settings: Settings) -> Iterator[str]:
    with demo_server(live_settings) as url:
        yield url


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("e2e-accounts") / "cloudtoets.sqlite"
    with demo_server(
        Settings(database_url=f"sqlite:///{database}", demo=True, auth_mode="accounts")
    ) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def axe_violations(
    browser: Browser,
    url: str,
    *,
    prepare: Any = None,
    width: int = 1280,
    storage_state: Any = None,
) -> list[tuple[str, str, list[Any]]]:
    """Run axe-core (WCAG 2.2 AA tags) on a page; ``prepare(page)`` may first fill a form.
    ``storage_state`` (of a logged-in context) opens the page with that login."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run npm ci")
    # the strict CSP forbids injected scripts, so the test context bypasses it (only for axe)
    context = browser.new_context(
        bypass_csp=True,
        locale="nl-NL",
        viewport={"width": width, "height": 900},
        storage_state=storage_state,
    )
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    if prepare is not None:
        prepare(page)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    context.close()
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
