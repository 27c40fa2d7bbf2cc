"""The web pages against a migrated register with the demo data and the BZK example, on SQLite
and PostgreSQL, with a fixed 'today'.

Pages that only read share one register per module (``shared_client``); tests that change
something get their own (``client``, built on the ``database_url`` fixture).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.demo import load_demo
from cloudtoets.services.imports import commit_import
from cloudtoets.store.migrate import upgrade
from tests.conftest import BOTH_DATABASES, _fresh_postgres_database, filled_templates

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "ministerie-bzk.yaml"
TODAY = dt.date(2026, 11, 29)
CENTRAL = Actor.local("test")


def open_register(database_url: str, **settings: object) -> Register:
    return Register.open(
        Settings(database_url=database_url, **{"auth_mode": "local", **settings}),  # type: ignore[arg-type]
        clock=FixedClock.on(TODAY),
    )


def fill(register: Register) -> None:
    upgrade(register.engine)
    load_demo(register)
    # seed data with its evidence, as the demo (a user's import leaves evidence out)
    commit_import(register, CENTRAL, EXAMPLE.name, EXAMPLE.read_bytes(), evidence_from_file=True)


def _fill_at(url: str) -> None:
    opened = open_register(url)
    fill(opened)
    opened.close()


# each test a filled register of its own: a copy of one filled per test process
web_sqlite_template, web_postgres_template, web_database_url = filled_templates("web", _fill_at)


@pytest.fixture
def register(web_database_url: str) -> Iterator[Register]:
    opened = open_register(web_database_url)
    yield opened
    opened.close()


@pytest.fixture
def client(register: Register) -> TestClient:
    return TestClient(create_app(register=register), follow_redirects=False)


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def shared_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like ``database_url``, once per module, for the pages that only read."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'cloudtoets.sqlite'}"
        return
    yield from _fresh_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="module")
def shared_register(shared_database_url: str) -> Iterator[Register]:
    opened = open_register(shared_database_url)
    fill(opened)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def shared_client(shared_register: Register) -> TestClient:
    return TestClient(create_app(register=shared_register), follow_redirects=False)


# ------------------------------------------------------------------------------ reading HTML


def text(html: str) -> str:
    """The visible text, tags removed and white space collapsed."""
    without = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    spaced = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", without)))
    return re.sub(r" ([,.;:)])", r"\1", spaced).strip()


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return unescape(re.sub(r"\s+", " ", found.group(1))).strip()


def h1s(html: str) -> list[str]:
    return [text(h) for h in re.findall(r"<h1\b.*?</h1>", html, re.S)]


def result_ids(html: str) -> list[str]:
    """The registrations in the list's table, in order."""
    table = html.split('id="registraties-tabel"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'scope="row"><div class="ct-table__name">\s*<a class="nl-link" href="/registraties/([^"]+)"',
        table,
    )


def input_value(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    if found is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', found.group(0))
    return unescape(value.group(1)) if value else ""


def field_error(html: str, field_id: str) -> str | None:
    found = re.search(rf'id="{re.escape(field_id)}-fout">(.*?)</p>', html, re.S)
    return text(found.group(1)).removeprefix("Fout: ") if found else None


def field_description(html: str, field_id: str) -> str | None:
    found = re.search(rf'id="{re.escape(field_id)}-beschrijving">(.*?)</div>', html, re.S)
    return text(found.group(1)) if found else None
