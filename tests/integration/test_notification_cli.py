"""``cloudtoets notification``: a signed package from one register to another on the command line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from cloudtoets.config import Settings
from cloudtoets.services import notifications
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register

CLI = str(Path(sys.executable).with_name("cloudtoets"))
INVENTORY = """
organisations:
  - {id: bzk, type: ministry}
registrations:
  - id: bzk-kern
    organisation: bzk
    provider: microsoft-ireland
    deployment: public
    core_task: true
    storage_countries: [NL, IE]
    processing_countries: [NL, IE]
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-managed
"""


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


def _registers(tmp_path: Path) -> tuple[str, str]:
    inventory = tmp_path / "inventaris.yaml"
    inventory.write_text(INVENTORY, encoding="utf-8")
    urls = (f"sqlite:///{tmp_path / 'bzk.sqlite'}", f"sqlite:///{tmp_path / 'cio.sqlite'}")
    for url in urls:
        assert run("import", str(inventory), "--database", url).returncode == 0
    return urls


def _submitted(url: str) -> int:
    register = Register.open(Settings(database_url=url))
    actor = Actor.local("bewerker")
    draft = notifications.create_notification(register, actor, "bzk-kern")
    sent = notifications.submit_notification(register, actor, draft.id, draft.version)
    register.close()
    return sent.id


def test_export_and_import_a_signed_package(tmp_path: Path) -> None:
    sender, receiver = _registers(tmp_path)
    number = _submitted(sender)
    key = run("notification", "key", "--database", sender, CLOUDTOETS_INSTANCE_NAME="bzk-register")
    assert key.returncode == 0, key.stderr
    name, public_key = key.stdout.split()
    assert name == "bzk-register" and len(public_key) == 44
    package = tmp_path / "melding.json"
    exported = run(
        "notification",
        "export",
        str(number),
        "--output",
        str(package),
        "--database",
        sender,
        CLOUDTOETS_INSTANCE_NAME="bzk-register",
    )
    assert exported.returncode == 0, exported.stderr
    assert f"Melding {number} ondertekend" in exported.stdout

    untrusted = run("notification", "import", str(package), "--database", receiver)
    assert untrusted.returncode == 2
    assert "onbekende sleutel" in untrusted.stderr and "Traceback" not in untrusted.stderr

    # a trusted keys file in the older format (no organisations) is read, with a clear refusal
    trusted = tmp_path / "vertrouwd.txt"
    trusted.write_text(key.stdout, encoding="utf-8")
    old = run(
        "notification",
        "import",
        str(package),
        "--database",
        receiver,
        CLOUDTOETS_TRUSTED_KEYS_FILE=str(trusted),
    )
    assert old.returncode == 2 and "Traceback" not in old.stderr
    assert "nog niet voor welke organisaties" in old.stderr
    line = run(
        "notification",
        "key",
        "--organisatie",
        "bzk",
        "--database",
        sender,
        CLOUDTOETS_INSTANCE_NAME="bzk-register",
    )
    assert line.stdout.split() == [name, public_key, "bzk"]
    trusted.write_text(line.stdout, encoding="utf-8")
    tampered = tmp_path / "gewijzigd.json"
    tampered.write_bytes(package.read_bytes().replace(b'"bzk-kern"', b'"bzk-kexn"', 1))
    refused = run(
        "notification",
        "import",
        str(tampered),
        "--database",
        receiver,
        CLOUDTOETS_TRUSTED_KEYS_FILE=str(trusted),
    )
    assert refused.returncode == 2 and "niets opgeslagen" in refused.stderr
    imported = run(
        "notification",
        "import",
        str(package),
        "--database",
        receiver,
        CLOUDTOETS_TRUSTED_KEYS_FILE=str(trusted),
    )
    assert imported.returncode == 0, imported.stderr
    assert "geïmporteerd uit bzk-register: bzk, registratie bzk-kern (submitted)" in imported.stdout
    register = Register.open(Settings(database_url=receiver))
    (line,) = notifications.list_notifications(register, Actor.local("cio"))
    register.close()
    assert line.source == "bzk-register"


def test_a_draft_or_unknown_notification_is_not_exported(tmp_path: Path) -> None:
    sender, _ = _registers(tmp_path)
    out = tmp_path / "x.json"
    unknown = run("notification", "export", "99", "--output", str(out), "--database", sender)
    assert unknown.returncode == 2 and "bestaat niet" in unknown.stderr
    register = Register.open(Settings(database_url=sender))
    draft = notifications.create_notification(register, Actor.local("bewerker"), "bzk-kern")
    register.close()
    refused = run(
        "notification", "export", str(draft.id), "--output", str(out), "--database", sender
    )
    assert refused.returncode == 2 and "Dien de melding eerst in" in refused.stderr
    assert not out.exists()


def test_a_new_key_file_for_production(tmp_path: Path) -> None:
    path = tmp_path / "sleutel.pem"
    made = run("notification", "key", "--new", str(path))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in path.read_bytes()
    public_key = made.stdout.strip()
    again = run("notification", "key", "--new", str(path))
    assert again.returncode == 2 and "overschrijft geen sleutel" in again.stderr
    # an instance that signs with that file shows the same public key
    shown = run(
        "notification",
        "key",
        "--database",
        f"sqlite:///{tmp_path / 'x.sqlite'}",
        CLOUDTOETS_SIGNING_KEY_FILE=str(path),
        CLOUDTOETS_INSTANCE_NAME="cio-rijk",
    )
    assert shown.stdout.split() == ["cio-rijk", public_key]
    # in production without a key file, nothing is signed
    production = run(
        "notification",
        "key",
        "--database",
        f"sqlite:///{tmp_path / 'y.sqlite'}",
        CLOUDTOETS_PRODUCTION="1",
    )
    assert production.returncode == 2 and "CLOUDTOETS_SIGNING_KEY_FILE" in production.stderr
