"""The owner migrates; ``serve`` and every other command run as the application role.

The roles are made as docs/security.md describes: an ordinary owner of the database runs
``cloudtoets db upgrade`` and the documented grants; the application role may read and write rows
and nothing else (no DDL: it owns no table and may not create one). Before migrations made the
row-level security policies, ``serve`` and ``audit verify`` as that role stopped with "must be
owner of table decisions".
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from cloudtoets.store.db import make_engine
from cloudtoets.store.migrate import head_revision, upgrade
from tests.integration.operations.conftest import (
    APP_ROLE,
    EXAMPLE,
    cli,
    grant_as_documented,
    ok,
    owned_database,
    registration_body,
    role_url,
    serving,
)

PASSWORD = "een-lang-wachtwoord-voor-de-test"


def _role_may_not_change_the_schema(url: str) -> None:
    engine = make_engine(url, pool_pre_ping=False)
    with engine.connect() as connection:
        superuser, bypass = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        owns = connection.scalar(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        )
        may_create = connection.scalar(text("SELECT has_schema_privilege('public', 'CREATE')"))
    engine.dispose()
    assert (superuser, bypass, owns, may_create) == (False, False, 0, False)


@pytest.mark.postgres
def test_serve_and_every_command_run_as_the_application_role(
    postgres_server: str, tmp_path: Path
) -> None:
    with (
        owned_database(postgres_server) as sender_owner,
        owned_database(postgres_server) as (receiver_owner),
    ):
        for owner in (sender_owner, receiver_owner):
            assert (
                ok(cli("db", "upgrade", url=owner)) == f"Database is bij: versie {head_revision()}"
            )
            grant_as_documented(owner)
        app, receiver = role_url(sender_owner, APP_ROLE), role_url(receiver_owner, APP_ROLE)
        _role_may_not_change_the_schema(app)

        assert "Demodata geladen" in ok(cli("demo", url=receiver))
        ok(cli("import", str(EXAMPLE), url=receiver))
        ok(cli("import", str(EXAMPLE), "--dry-run", url=app))
        assert "Geïmporteerd" in ok(cli("import", str(EXAMPLE), url=app))
        assert "registraties geschreven" in ok(cli("export", str(tmp_path / "uit.yaml"), url=app))
        assert "opnieuw getoetst" in ok(cli("db", "refresh", url=app))
        ok(
            cli(
                "user", "create", "bewerker-bzk", "--role", "editor", "--organisation", "bzk",
                "--password-stdin", url=app, stdin=PASSWORD + "\n",
            )
        )  # fmt: skip
        assert "bewerker-bzk" in ok(cli("user", "list", url=app))
        token = ok(cli("token", "create", "bewerker-bzk", "--name", "test", url=app))

        with serving(app, tmp_path) as base:  # the server's start-up too: refresh, keys
            auth = {"Authorization": f"Bearer {token}"}
            created = httpx.post(
                f"{base}/api/v1/registrations",
                json=registration_body("bzk-rol", "Kern"),
                headers=auth,
                timeout=60,
            )
            assert created.status_code == 201, created.text
            changed = httpx.put(
                f"{base}/api/v1/registrations/bzk-rol",
                json=registration_body("bzk-rol", "Kern, gewijzigd"),
                headers={"If-Match": created.headers["etag"], **auth},
                timeout=60,
            )
            assert changed.status_code == 200, changed.text
            draft = httpx.post(
                f"{base}/api/v1/registrations/bzk-rol/notifications", headers=auth, timeout=60
            )
            assert draft.status_code == 201, draft.text
            number = draft.json()["id"]
            submitted = httpx.post(
                f"{base}/api/v1/notifications/{number}/submit",
                headers={"If-Match": draft.headers["etag"], **auth},
                timeout=60,
            )
            assert submitted.status_code == 200, submitted.text

        instance = {"CLOUDTOETS_INSTANCE_NAME": "bzk-register"}
        key = ok(cli("notification", "key", "--organisatie", "bzk", url=app, env=instance))
        package = tmp_path / "melding.json"
        ok(
            cli(
                "notification",
                "export",
                str(number),
                "--output",
                str(package),
                url=app,
                env=instance,
            )
        )
        trusted = tmp_path / "vertrouwd.txt"
        trusted.write_text(key + "\n", encoding="utf-8")
        imported = cli(
            "notification", "import", str(package), url=receiver,
            env={"CLOUDTOETS_TRUSTED_KEYS_FILE": str(trusted)},
        )  # fmt: skip
        assert "geïmporteerd uit bzk-register" in ok(imported)

        ok(cli("reminders", url=app))
        ok(cli("report", "--format", "xlsx", "--output", str(tmp_path / "rapport.xlsx"), url=app))
        assert "Auditlogboek in orde" in ok(cli("audit", "verify", url=app))
        ok(cli("audit", "export", str(tmp_path / "audit.jsonl"), url=app))
        exported = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
        assert {json.loads(line)["db_user"] for line in exported} == {APP_ROLE}
        checkpoints = str(tmp_path / "controlepunten.jsonl")
        ok(cli("audit", "checkpoint", "--output", checkpoints, url=app))
        assert "klopt met 1 controlepunt uit" in ok(
            cli("audit", "verify", "--checkpoint", checkpoints, url=app)
        )
        assert "1 token(s) ingetrokken" in ok(
            cli("token", "revoke", "bewerker-bzk", "--name", "test", url=app)
        )
        ok(cli("user", "disable", "bewerker-bzk", url=app))
        backup = ok(cli("db", "backup", str(tmp_path / "register.dump"), url=app))
        assert "Controle in orde" in backup
        # at the newest version, db upgrade has nothing to change: the role may run it
        assert ok(cli("db", "upgrade", url=app)) == f"Database is bij: versie {head_revision()}"


@pytest.mark.postgres
def test_a_schema_behind_is_named_and_left_to_the_owner(
    postgres_server: str, tmp_path: Path
) -> None:
    with owned_database(postgres_server) as owner:
        engine = make_engine(owner)
        upgrade(engine, "0005")
        engine.dispose()
        grant_as_documented(owner)
        app = role_url(owner, APP_ROLE)
        for command in (["export", str(tmp_path / "uit.yaml")], ["audit", "verify"], ["serve"]):
            refused = cli(*command, url=app, timeout=60)
            assert refused.returncode == 2, refused.stdout + refused.stderr
            assert "versie 0005" in refused.stderr and "cloudtoets db upgrade" in refused.stderr
            assert "Traceback" not in refused.stderr
        not_owner = cli("db", "upgrade", url=app)
        assert not_owner.returncode == 2
        assert f"De databasegebruiker {APP_ROLE} mag het schema niet wijzigen" in not_owner.stderr
        ok(cli("db", "upgrade", url=owner))
        assert "Auditlogboek in orde: 0 records" in ok(cli("audit", "verify", url=app))


@pytest.mark.postgres
def test_an_empty_database_asks_for_db_upgrade(postgres_server: str, tmp_path: Path) -> None:
    with owned_database(postgres_server) as owner:
        refused = cli("serve", "--demo", url=owner, timeout=60)
        assert refused.returncode == 2
        assert "nog geen tabellen" in refused.stderr and "cloudtoets db upgrade" in refused.stderr
        engine = make_engine(owner)
        with engine.connect() as connection:
            tables = connection.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            )
        engine.dispose()
        assert tables == 0  # serve made nothing


def test_an_embedded_sqlite_file_is_brought_up_to_date_by_any_command(tmp_path: Path) -> None:
    """The quick start (serve --demo on a new file) relies on this (docs/decisions.md)."""
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    engine = make_engine(url)
    upgrade(engine, "0005")
    engine.dispose()
    assert "Auditlogboek in orde: 0 records" in ok(cli("audit", "verify", url=url))
    assert ok(cli("db", "upgrade", url=url)) == f"Database is bij: versie {head_revision()}"
