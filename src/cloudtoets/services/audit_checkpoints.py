"""Signed checkpoints of the audit chain: the head, anchored outside the database.

The hash chain (store/audit.py) shows a changed record, but not a chain cut off at the end or
rewritten and re-hashed as a whole: both are a well-formed chain again. A checkpoint fixes the
head at a moment: the installation signs (seq, head hash, record count, moment, installation
name) with its Ed25519 key, the key that also signs notification packages
(services/package_signing.py), and the operator keeps the line where the application role cannot
write. A checkpoint file holds one checkpoint per line (canonical JSON); each new one is
appended.

Verifying checks every line's signature against the installation's own public key or a key from
``CLOUDTOETS_TRUSTED_KEYS_FILE`` and then that the stored chain still has, at each checkpoint's
seq, exactly that hash: a shorter chain was cut off, another hash means the chain was rewritten
up to there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cloudtoets.services.audit import describe
from cloudtoets.services.context import Register
from cloudtoets.services.package_signing import (
    KeyProblem,
    canonical_bytes,
    instance_key,
    key_id,
    public_key_text,
    sign,
    signature_holds,
    trusted_keys,
)
from cloudtoets.services.uow import read_only, system_session
from cloudtoets.store import audit as chain
from cloudtoets.store.audit import Verification
from cloudtoets.store.signing_keys import INSTANCE_KEY, InstanceKeyRow

FORMAT = "cloudtoets-audit-checkpoint/1"
SIGNED_FIELDS = ("format", "installation", "seq", "head_hash", "count", "at", "public_key")
LINE_FIELDS = (*SIGNED_FIELDS, "signature")


class CheckpointRefused(Exception):
    """No checkpoint was written; the message (Dutch) says why."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    installation: str
    seq: int
    head_hash: str
    count: int
    at: str  # ISO 8601, UTC
    public_key: str  # base64, the key that signed it
    signature: str  # base64 Ed25519 over the canonical JSON of the signed fields
    line: int = 0  # where it stands in its file (1, 2, …), 0 when not read from a file

    def signed_fields(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "installation": self.installation,
            "seq": self.seq,
            "head_hash": self.head_hash,
            "count": self.count,
            "at": self.at,
            "public_key": self.public_key,
        }

    def json_line(self) -> str:
        return chain.canonical_json({**self.signed_fields(), "signature": self.signature})

    def name(self) -> str:
        """The checkpoint in a Dutch message: line, record and moment."""
        where = f"regel {self.line}, " if self.line else ""
        return f"controlepunt ({where}record {self.seq}, gemaakt op {self.at})"


Problem = Literal["file", "signature", "key", "rewritten", "truncated", "chain"]


@dataclass(frozen=True, slots=True)
class CheckpointVerification:
    """The chain checked against the checkpoints of a file; ``message`` (Dutch) when not ok."""

    chain: Verification
    checkpoints: int
    problem: Problem | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


# --- making one ---------------------------------------------------------------------------


def write_checkpoint(register: Register, path: Path) -> Checkpoint:
    """Sign the head of the stored chain and append it to ``path`` as one JSON line.

    Refused (CheckpointRefused) when the chain itself does not hold: a checkpoint would
    otherwise vouch for a damaged chain. KeyProblem when the installation cannot sign.
    """
    key = instance_key(register)
    with read_only(register.sessions, None, consistent=True) as session:
        result = chain.verify_records(chain.iter_chain(session))
    if result.broken is not None:
        problem = describe(result.broken)
        raise CheckpointRefused(
            f"Geen controlepunt gemaakt: het auditlogboek is niet in orde ({problem})."
        )
    unsigned = Checkpoint(
        installation=register.settings.instance_name,
        seq=result.count,
        head_hash=result.head_hash,
        count=result.count,
        at=chain.canonical_time(register.now()),
        public_key=public_key_text(key.public_key()),
        signature="",
    )
    checkpoint = Checkpoint(
        **{**_values(unsigned), "signature": sign(key, canonical_bytes(unsigned.signed_fields()))}
    )
    _append_line(path, checkpoint.json_line())
    return checkpoint


def _values(checkpoint: Checkpoint) -> dict[str, Any]:
    return {name: getattr(checkpoint, name) for name in Checkpoint.__slots__}


def _append_line(path: Path, line: str) -> None:
    """Append one whole line and flush it to disk; a file cut off mid-line gets a new line."""
    with path.open("a+b") as file:
        file.seek(0, os.SEEK_END)
        if file.tell() > 0:
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":
                file.write(b"\n")
        file.write(line.encode("utf-8") + b"\n")
        file.flush()
        os.fsync(file.fileno())


# --- reading and checking -----------------------------------------------------------------


def accepted_keys(register: Register) -> dict[str, str]:
    """public key (base64) → installation name: the keys a checkpoint may be signed with.

    This installation's own key (its key file, or outside production the key it keeps in the
    database) and the keys of ``CLOUDTOETS_TRUSTED_KEYS_FILE``.
    """
    settings = register.settings
    keys = {trusted.public_key: trusted.name for trusted in trusted_keys(settings)}
    own: str | None = None
    if settings.signing_key_file is not None:
        try:
            own = public_key_text(instance_key(register).public_key())
        except KeyProblem:  # e.g. verified elsewhere, without the private key: trusted keys only
            own = None
    elif not settings.production or settings.demo:
        with system_session(register.sessions) as session:
            row = session.get(InstanceKeyRow, INSTANCE_KEY)
            own = None if row is None else row.public_key
    if own is not None:
        keys[own] = settings.instance_name
    return keys


def read_checkpoints(path: Path, keys: Mapping[str, str]) -> list[Checkpoint]:
    """Every checkpoint of the file, each signature checked; CheckpointFileProblem otherwise."""
    found = []
    with path.open(encoding="utf-8", newline="\n") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            found.append(_checked(path, number, line, keys))
    if not found:
        raise CheckpointFileProblem("file", f"{path} bevat geen controlepunten.")
    return found


class CheckpointFileProblem(Exception):
    """A checkpoint file that cannot be trusted: unreadable, a bad signature or an unknown key."""

    def __init__(self, problem: Problem, message: str) -> None:
        super().__init__(message)
        self.problem: Problem = problem
        self.message = message


def _checked(path: Path, number: int, line: str, keys: Mapping[str, str]) -> Checkpoint:
    where = f"{path}, regel {number}"
    try:
        value = json.loads(line)
    except ValueError:
        raise CheckpointFileProblem("file", f"{where}: geen geldige JSON.") from None
    shape = _shape_problem(value)
    if shape is not None:
        raise CheckpointFileProblem("file", f"{where}: geen geldig controlepunt ({shape}).")
    checkpoint = Checkpoint(**{name: value[name] for name in LINE_FIELDS if name != "format"})
    checkpoint = Checkpoint(**{**_values(checkpoint), "line": number})
    public_key = checkpoint.public_key
    if public_key not in keys:
        raise CheckpointFileProblem(
            "key",
            f"{where}: ondertekend met een onbekende sleutel ({key_id(public_key)}). Alleen de "
            "eigen sleutel van deze installatie en de sleutels in CLOUDTOETS_TRUSTED_KEYS_FILE "
            "tellen.",
        )
    if not signature_holds(
        public_key, canonical_bytes(checkpoint.signed_fields()), checkpoint.signature
    ):
        raise CheckpointFileProblem(
            "signature",
            f"{where}: de handtekening van het {checkpoint.name()} klopt niet. Het controlepunt "
            "is na het ondertekenen gewijzigd; vertrouw dit bestand niet en gebruik een kopie "
            "die u elders bewaart.",
        )
    return checkpoint


def _shape_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "geen JSON-object"
    if set(value) != set(LINE_FIELDS):
        return "velden kloppen niet"
    if value["format"] != FORMAT:
        return f"onbekend formaat {value['format']!r}"
    for name in ("seq", "count"):
        if not isinstance(value[name], int) or isinstance(value[name], bool) or value[name] < 0:
            return f"{name} is geen geheel getal"
    for name in ("installation", "head_hash", "at", "public_key", "signature"):
        if not isinstance(value[name], str):
            return f"{name} is geen tekst"
    return None


def verify_with_checkpoints(register: Register, path: Path) -> CheckpointVerification:
    """The stored chain, walked once, against every checkpoint of ``path``.

    The first problem wins, in this order: the checkpoint file (a bad signature or unknown key),
    a checkpoint whose record has another hash (the chain was rewritten up to there; the
    checkpoint with the lowest seq is named), a fault in the chain itself, a checkpoint beyond
    the end of the chain (cut off).
    """
    try:
        checkpoints = read_checkpoints(path, accepted_keys(register))
    except CheckpointFileProblem as problem:
        return CheckpointVerification(
            Verification(0, chain.GENESIS), 0, problem.problem, problem.message
        )
    wanted = {checkpoint.seq for checkpoint in checkpoints}
    seen: dict[int, str] = {0: chain.GENESIS}
    with read_only(register.sessions, None, consistent=True) as session:
        result = chain.verify_records(_noting(chain.iter_chain(session), wanted, seen))
    count = len(checkpoints)
    for checkpoint in sorted(checkpoints, key=lambda c: (c.seq, c.line)):
        if checkpoint.seq <= result.count and seen[checkpoint.seq] != checkpoint.head_hash:
            return CheckpointVerification(
                result,
                count,
                "rewritten",
                f"{path}, {checkpoint.name()}: record {checkpoint.seq} heeft in de database hash "
                f"{seen[checkpoint.seq]}, het controlepunt noemt {checkpoint.head_hash}. Het "
                f"auditlogboek is tot en met record {checkpoint.seq} herschreven of vervangen.",
            )
    if result.broken is not None:
        return CheckpointVerification(result, count, "chain", describe(result.broken))
    beyond = [checkpoint for checkpoint in checkpoints if checkpoint.seq > result.count]
    if beyond:
        first = min(beyond, key=lambda c: (c.seq, c.line))
        last = max(checkpoint.seq for checkpoint in beyond)
        missing = (
            f"Record {last} is verwijderd"
            if last == result.count + 1
            else f"Records {result.count + 1} tot en met {last} zijn verwijderd"
        )
        return CheckpointVerification(
            result,
            count,
            "truncated",
            f"{path}, {first.name()}: het auditlogboek heeft maar {result.count} records, het "
            f"controlepunt noemt record {first.seq} (hash {first.head_hash}). {missing}: het "
            "logboek is ingekort.",
        )
    return CheckpointVerification(result, count)


def _noting(
    records: Iterator[dict[str, Any]], wanted: set[int], seen: dict[int, str]
) -> Iterator[dict[str, Any]]:
    """The records unchanged, noting the hash of each record a checkpoint names."""
    for record in records:
        if record["seq"] in wanted:
            seen[record["seq"]] = record["hash"]
        yield record
