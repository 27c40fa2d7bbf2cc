"""axe-core on Te bevestigen with evidence waiting, its error summary, and after confirming all."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.io.write import write_inventory
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import, export_inventory
from tests.e2e.conftest import TODAY, axe_violations, demo_server
from tests.paper_evidence import on_paper

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def declared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e-declared")
    settings = Settings(database_url=f"sqlite:///{folder / 'cloudtoets.sqlite'}", auth_mode="local")
    with demo_server(settings.model_copy(update={"demo": True})) as url:
        register = Register.open(settings, clock=FixedClock.on(TODAY))
        try:
            inventory = export_inventory(register, Actor.local("e2e"), "fin")
            inventory.registrations = [
                on_paper(r) for r in inventory.registrations if r.id == "fin-m365-mail"
            ]
            path: Path = folder / "papier.json"
            write_inventory(inventory, path)
            commit_import(register, Actor.local("importeur-e2e"), path.name, path.read_bytes())
        finally:
            register.close()
        yield url


def _confirm_all(page: Page) -> None:
    page.get_by_role("button", name="Alles bevestigen").click()
    page.wait_for_load_state()


def test_te_bevestigen_passes_axe(declared_server: str, browser: Browser) -> None:
    url = f"{declared_server}/te-bevestigen"
    with urllib.request.urlopen(url) as response:  # the local test server
        assert "Nog niet bevestigd" in response.read().decode()
    assert axe_violations(browser, url) == []
    assert axe_violations(browser, f"{declared_server}/registraties/fin-m365-mail") == []
    assert axe_violations(browser, url, prepare=_confirm_all) == []
    with urllib.request.urlopen(url) as response:
        assert "Er is niets te bevestigen" in response.read().decode()
