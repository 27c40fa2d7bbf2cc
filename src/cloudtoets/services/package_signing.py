"""Canonical JSON, content hashes and Ed25519 signatures for notification packages.

The instance's private key comes from ``CLOUDTOETS_SIGNING_KEY_FILE`` (a PEM file, PKCS#8). When
that is unset and the installation is not marked as production (``CLOUDTOETS_PRODUCTION``), the
instance makes a key once and keeps it in the database (store/signing_keys.py), so a demo or a
test installation can sign without set-up. Keys of other instances are trusted only when they
are listed in ``CLOUDTOETS_TRUSTED_KEYS_FILE``: one line per instance, its name, its public
key in base64 (what ``cloudtoets notification key`` prints) and the organisations it may send
notifications for, separated by commas (``naam SLEUTEL bzk,fin``). A line without organisations
(the older format) is still read, but a package signed with that key is refused with a message
that says to add them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.exc import IntegrityError

from cloudtoets.config import Settings
from cloudtoets.services.context import Register
from cloudtoets.services.uow import system_session
from cloudtoets.store.signing_keys import INSTANCE_KEY, InstanceKeyRow

ALGORITHM = "Ed25519"


class KeyProblem(Exception):
    """The instance cannot sign, or a key file cannot be read; the message says what to do."""


def canonical_bytes(value: Any) -> bytes:
    """The canonical JSON of a value: sorted keys, no spaces, UTF-8, no NaN or infinity."""
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def content_hash(value: Any) -> str:
    """SHA-256 of the canonical JSON, as 64 hexadecimal digits."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_id(public_key: str) -> str:
    """A short fingerprint of a public key (its base64 text), to name it in messages."""
    return hashlib.sha256(public_key.encode("ascii")).hexdigest()[:16]


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key from its base64 text; ValueError when it is none."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("geen base64") from None
    if len(raw) != 32:
        raise ValueError("een Ed25519-sleutel is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def new_private_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _private_key_from_pem(data: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyProblem(
            f"{where} is geen leesbare PEM-sleutel zonder wachtwoord. Maak een nieuwe met "
            "cloudtoets notification key --new BESTAND."
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{where} is geen Ed25519-sleutel. Maak er een met --new.")
    return key


def _stored_key(register: Register) -> Ed25519PrivateKey:
    """The key this instance made and keeps in the database; made at the first use."""
    with system_session(register.sessions) as session:
        row = session.get(InstanceKeyRow, INSTANCE_KEY)
        if row is not None:
            return _private_key_from_pem(row.private_key.encode("ascii"), "de opgeslagen sleutel")
    pem = new_private_key_pem()
    key = _private_key_from_pem(pem, "de nieuwe sleutel")
    try:
        with system_session(register.sessions) as session, session.begin():
            session.add(
                InstanceKeyRow(
                    name=INSTANCE_KEY,
                    private_key=pem.decode("ascii"),
                    public_key=public_key_text(key.public_key()),
                )
            )
    except IntegrityError:  # another process made it first: use that one
        return _stored_key(register)
    return key


def instance_key(register: Register) -> Ed25519PrivateKey:
    """The private key this instance signs with."""
    settings = register.settings
    path = settings.signing_key_file
    if path is not None:
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise KeyProblem(
                f"De sleutel {path} (CLOUDTOETS_SIGNING_KEY_FILE) kan niet worden gelezen: "
                f"{error.strerror or error}."
            ) from None
        return _private_key_from_pem(data, str(path))
    if settings.production and not settings.demo:
        raise KeyProblem(
            "Deze installatie heeft geen sleutel om mee te ondertekenen. Zet "
            "CLOUDTOETS_SIGNING_KEY_FILE (maak een sleutel met cloudtoets notification key --new "
            "BESTAND)."
        )
    return _stored_key(register)


def instance_public_key(register: Register) -> str:
    """The public key of this instance (base64), for other instances to trust."""
    return public_key_text(instance_key(register).public_key())


@dataclass(frozen=True, slots=True)
class TrustedKey:
    name: str
    public_key: str
    # the organisations this instance may send packages for; None: a line in the older format,
    # which names none
    organisations: frozenset[str] | None = None
    line: int = 0


def trusted_keys(settings: Settings) -> list[TrustedKey]:
    """The keys of other instances this one accepts packages from."""
    path = settings.trusted_keys_file
    if path is None:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise KeyProblem(
            f"De lijst met vertrouwde sleutels {path} (CLOUDTOETS_TRUSTED_KEYS_FILE) kan niet "
            f"worden gelezen: {error.strerror or error}."
        ) from None
    found = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) not in (2, 3):
            raise KeyProblem(
                f"{path}, regel {number}: schrijf de naam van de instantie, haar publieke "
                "sleutel en de organisaties waarvoor zij meldt (met komma's), gescheiden door "
                "een spatie."
            )
        try:
            public_key_from_text(parts[1])
        except ValueError as error:
            raise KeyProblem(
                f"{path}, regel {number}: geen geldige publieke sleutel ({error})."
            ) from None
        organisations = (
            frozenset(o.strip() for o in parts[2].split(",") if o.strip())
            if len(parts) == 3
            else None
        )
        found.append(TrustedKey(parts[0], parts[1], organisations, number))
    return found


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode("ascii")


def signature_holds(public_key: str, message: bytes, signature: str) -> bool:
    try:
        key = public_key_from_text(public_key)
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, message)
    except (ValueError, binascii.Error, InvalidSignature):
        return False
    return True
