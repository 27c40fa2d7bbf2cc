"""``cloudtoets notification``: signed notification packages between installations, and the key
this installation signs them with."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

notification_app = typer.Typer(
    help="Meldingen aan CIO Rijk als ondertekend pakket uitwisselen met een andere installatie.",
    no_args_is_help=True,
)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database-URL (standaard CLOUDTOETS_DATABASE_URL of sqlite:///cloudtoets.sqlite).",
    ),
]


def _register(database: str | None) -> Any:
    from cloudtoets.config import load_settings
    from cloudtoets.services.database import DatabaseProblem, open_prepared

    settings = load_settings()
    if database is not None:
        settings.database_url = database
    try:
        return open_prepared(settings)
    except DatabaseProblem as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None


def _fail(message: str) -> NoReturn:
    typer.echo(f"Niet gelukt: {message}", err=True)
    raise typer.Exit(2)


@notification_app.command("export")
def export_command(
    notification_id: Annotated[int, typer.Argument(help="Het nummer van de melding.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Het bestand dat u krijgt.")],
    database: DatabaseOption = None,
) -> None:
    """Schrijf een ingediende melding als ondertekend pakket (JSON)."""
    from cloudtoets.services.actor import Actor
    from cloudtoets.services.errors import InvalidTransition, NotFound
    from cloudtoets.services.notification_packages import export_package, package_bytes
    from cloudtoets.services.package_signing import KeyProblem

    register = _register(database)
    try:
        package = export_package(
            register, Actor.local(register.settings.local_user), notification_id
        )
    except NotFound:
        _fail(f"melding {notification_id} bestaat niet.")
    except InvalidTransition as refused:
        _fail(refused.message)
    except KeyProblem as problem:
        _fail(str(problem))
    finally:
        register.close()
    output.write_bytes(package_bytes(package))
    key = package["signature"]["key_id"]
    typer.echo(f"Melding {notification_id} ondertekend (sleutel {key}) geschreven naar {output}")


@notification_app.command("import")
def import_command(
    package: Annotated[Path, typer.Argument(help="Het ondertekende pakket (JSON).")],
    database: DatabaseOption = None,
) -> None:
    """Controleer een pakket van een andere installatie en neem de melding op: alles of niets."""
    from cloudtoets.problems import InputError
    from cloudtoets.services.actor import Actor
    from cloudtoets.services.notification_packages import import_package
    from cloudtoets.services.package_signing import KeyProblem

    if not package.is_file():
        _fail(f"{package} bestaat niet.")
    register = _register(database)
    try:
        imported = import_package(
            register, Actor.local(register.settings.local_user), package.read_bytes()
        )
    except InputError as error:
        _fail(" ".join(p.message for p in error.problems))
    except KeyProblem as problem:
        _fail(str(problem))
    finally:
        register.close()
    typer.echo(
        f"Melding {imported.id} geïmporteerd uit {imported.source}: {imported.organisation}, "
        f"registratie {imported.registration} ({imported.state})."
    )


@notification_app.command("key")
def key_command(
    new: Annotated[
        Path | None,
        typer.Option(
            "--new",
            help="Maak een nieuwe sleutel in dit bestand (voor CLOUDTOETS_SIGNING_KEY_FILE).",
        ),
    ] = None,
    organisations: Annotated[
        list[str] | None,
        typer.Option(
            "--organisatie",
            help="Een organisatie waarvoor deze installatie meldt (herhaal voor meer); komt "
            "achter de sleutel in de regel voor CLOUDTOETS_TRUSTED_KEYS_FILE.",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Toon de naam en publieke sleutel van deze installatie, voor de lijst met vertrouwde
    sleutels van een andere installatie (CLOUDTOETS_TRUSTED_KEYS_FILE). Die installatie zet er de
    organisaties achter waarvoor zij pakketten van deze installatie aanneemt."""
    from cloudtoets.services.package_signing import (
        KeyProblem,
        instance_public_key,
        new_private_key_pem,
        public_key_text,
    )

    if new is not None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        if new.exists():
            _fail(f"{new} bestaat al; cloudtoets overschrijft geen sleutel.")
        pem = new_private_key_pem()
        descriptor = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, Ed25519PrivateKey)
        typer.echo(f"Nieuwe sleutel in {new}. Zet CLOUDTOETS_SIGNING_KEY_FILE={new}.", err=True)
        typer.echo(public_key_text(key.public_key()))
        return
    register = _register(database)
    try:
        line = f"{register.settings.instance_name} {instance_public_key(register)}"
        if organisations:
            line += " " + ",".join(organisations)
        else:
            typer.echo(
                "Zet achter de sleutel de organisaties waarvoor deze installatie meldt, met "
                "komma's (of gebruik --organisatie).",
                err=True,
            )
        typer.echo(line)
    except KeyProblem as problem:
        _fail(str(problem))
    finally:
        register.close()
