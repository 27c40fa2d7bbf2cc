"""The audit chain as a whole: verify it, export it for archiving, verify an export offline.

The chain itself (format, appending, checking) is store/audit.py; this module adds the register,
files and the Dutch description of what is wrong.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cloudtoets.services.context import Register
from cloudtoets.services.uow import read_only
from cloudtoets.store import audit as chain
from cloudtoets.store.audit import Break, Verification

__all__ = ["Break", "Exported", "Verification", "describe", "export_chain", "verify_chain"]


@dataclass(frozen=True, slots=True)
class Exported:
    count: int
    head_hash: str  # the hash of the last record written (64 zeros for an empty log)


def verify_chain(register: Register) -> Verification:
    """Walk the stored chain in seq order up to the first fault."""
    with read_only(register.sessions, None, consistent=True) as session:
        return chain.verify_records(chain.iter_chain(session))


def export_chain(register: Register, path: Path) -> Exported:
    """Write every record as JSON Lines (canonical JSON incl. ``hash``), in seq order.

    The file appears complete or not at all: a cut-off export would look like a shorter chain.
    """
    count, head = 0, chain.GENESIS
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file,
            read_only(register.sessions, None, consistent=True) as session,
        ):
            for record in chain.iter_chain(session):
                file.write(chain.canonical_json(record) + "\n")
                count, head = count + 1, record["hash"]
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Exported(count, head)


def verify_file(path: Path) -> Verification:
    """Verify an export without the database."""
    with path.open(encoding="utf-8", newline="\n") as file:
        return chain.verify_lines(file)


def describe(broken: Break) -> str:
    """What is wrong, in Dutch, naming the record (and the line of an export)."""
    where = f"record {broken.seq} (id {broken.id})"
    if broken.line is not None:
        where = (
            f"regel {broken.line}, {where}" if broken.seq is not None else f"regel {broken.line}"
        )
    if broken.problem == "gap":
        assert broken.expected_seq is not None
        if broken.seq is not None and broken.seq > broken.expected_seq:
            missing = (
                f"record {broken.expected_seq} ontbreekt"
                if broken.seq == broken.expected_seq + 1
                else f"records {broken.expected_seq} tot en met {broken.seq - 1} ontbreken"
            )
            return f"{where}: gat in de volgnummers, {missing}"
        return f"{where}: volgnummer verwacht {broken.expected_seq}, gevonden {broken.seq}"
    if broken.problem == "prev_hash":
        return (
            f"{where}: prev_hash is niet de hash van het vorige record "
            "(een record is verwijderd, ingevoegd, verplaatst of herberekend)"
        )
    if broken.problem == "hash":
        return f"{where}: de hash klopt niet met de inhoud (het record is gewijzigd)"
    return f"{where}: geen geldig auditrecord ({broken.detail})"
